"""Categories (lĩnh vực) of the Q&A set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, func, select

from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, requires
from admin_api.partial import PartialUpdate
from admin_api.roles import Role
from core.db.models import FaqCategoryRecord, FaqEntryRecord

router = APIRouter(prefix="/categories", tags=["categories"])
CategoryId = Annotated[str, Path(description="the category's id", examples=["can-cuoc"])]


class CategoryBase(BaseModel):
    name: str = Field(min_length=1, max_length=120, examples=["Căn cước và định danh điện tử"])
    description: str = Field(
        default="", max_length=1000, examples=["Cấp, cấp đổi, cấp lại thẻ căn cước; định danh điện tử"]
    )


class CategoryCreate(CategoryBase):
    id: str = Field(pattern=r"^[a-z0-9-]{2,80}$", examples=["can-cuoc"])


class CategoryUpdate(PartialUpdate):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Căn cước và định danh điện tử (VNeID)"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=1000)


class CategoryPublic(CategoryCreate):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "can-cuoc",
                    "name": "Căn cước và định danh điện tử",
                    "description": "Cấp, cấp đổi, cấp lại thẻ căn cước; định danh điện tử",
                    "entries": 12,
                }
            ]
        }
    )

    entries: int = 0


def _public(session: SessionDep, category: FaqCategoryRecord) -> CategoryPublic:
    count = session.exec(
        select(func.count()).select_from(FaqEntryRecord).where(FaqEntryRecord.category == category.id)
    ).one()
    return CategoryPublic(**category.model_dump(), entries=count)


@router.get("", response_model=list[CategoryPublic], **requires(Role.VIEWER))
def list_categories(session: SessionDep) -> list[CategoryPublic]:
    """Every category by name, with the number of entries in it."""
    rows = session.exec(select(FaqCategoryRecord).order_by(col(FaqCategoryRecord.name))).all()
    return [_public(session, c) for c in rows]


@router.post("", response_model=CategoryPublic, status_code=201, **requires(Role.EDITOR))
def create_category(body: CategoryCreate, session: SessionDep, user: CurrentUser) -> CategoryPublic:
    """Add a category (409 if the id exists)."""
    if session.get(FaqCategoryRecord, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"id: category {body.id!r} exists")
    category = FaqCategoryRecord(**body.model_dump())
    session.add(category)
    audit(session, user.username, "category_create", body.id)
    session.commit()
    return _public(session, category)


@router.patch("/{category_id}", response_model=CategoryPublic, **requires(Role.EDITOR))
def update_category(
    category_id: CategoryId, body: CategoryUpdate, session: SessionDep, user: CurrentUser
) -> CategoryPublic:
    """Rename a category or change its description (the id stays)."""
    category = session.get(FaqCategoryRecord, category_id)
    if category is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "category_id: no such category")
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(category, name, value)
    session.add(category)
    audit(session, user.username, "category_update", category_id)
    session.commit()
    return _public(session, category)


@router.delete("/{category_id}", status_code=204, **requires(Role.EDITOR))
def delete_category(category_id: CategoryId, session: SessionDep, user: CurrentUser) -> None:
    """Remove a category no entry uses (409 while entries still do)."""
    category = session.get(FaqCategoryRecord, category_id)
    if category is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "category_id: no such category")
    if _public(session, category).entries:
        raise HTTPException(status.HTTP_409_CONFLICT, "category_id: entries still use this category")
    session.delete(category)
    audit(session, user.username, "category_delete", category_id)
    session.commit()
