"""Q&A pairs as the staff API shows and takes them (the row is core.db.models.FaqEntryRecord)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from admin_api.deps import Version
from admin_api.partial import PartialUpdate
from core.faq import Level

ID = r"^[a-z0-9][a-z0-9.-]{2,119}$"


class EntryBase(BaseModel):
    category: str = Field(max_length=80, examples=["can-cuoc"])
    question: str = Field(min_length=5, max_length=500, examples=["Làm lại thẻ căn cước bị mất ở đâu?"])
    answer: str = Field(min_length=10, max_length=8000)
    paraphrases: list[str] = Field(default_factory=list, max_length=50, examples=[["lam lai cccd bi mat"]])
    legal_basis: list[str] = Field(
        default_factory=list, max_length=20, examples=[["Luật Căn cước 2023, Điều 24"]]
    )
    level: list[Level] = Field(default_factory=list)
    procedure_codes: list[str] = Field(default_factory=list, max_length=20)
    links: list[str] = Field(default_factory=list, max_length=10)
    reviewed: date | None = None


class EntryCreate(EntryBase):
    id: str = Field(pattern=ID, examples=["can-cuoc-cap-lai-khi-mat"])


class EntryUpdate(PartialUpdate):
    """Only the fields sent change; ``base_version`` is the version the editor started from."""

    base_version: Version = Field(examples=[3])
    category: str | None = Field(default=None, max_length=80)
    question: str | None = Field(default=None, min_length=5, max_length=500)
    answer: str | None = Field(default=None, min_length=10, max_length=8000)
    paraphrases: list[str] | None = Field(default=None, max_length=50)
    legal_basis: list[str] | None = Field(default=None, max_length=20)
    level: list[Level] | None = None
    procedure_codes: list[str] | None = Field(default=None, max_length=20)
    links: list[str] | None = Field(default=None, max_length=10)
    reviewed: date | None = None


class EntryPublic(EntryBase):
    id: str
    status: Literal["draft", "published", "archived"]
    version: int
    updated_at: datetime
    updated_by: str
    published_version: int | None = Field(description="the version citizens are served, if any")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pending(self) -> bool:
        """Changes wait for a publisher (the working copy is not the version served)."""
        return self.status != "archived" and self.published_version != self.version


class EntryPage(BaseModel):
    items: list[EntryPublic]
    total: int
    offset: int
    limit: int


class StatusChange(BaseModel):
    base_version: Version


class RevertRequest(BaseModel):
    version: Version = Field(description="the version whose content comes back")
    base_version: Version


class VersionPublic(BaseModel):
    version: int
    changed_by: str
    changed_at: datetime
    summary: str
    snapshot: dict[str, Any]


class VersionDiff(BaseModel):
    entry_id: str
    from_version: int
    to_version: int
    changes: dict[str, dict[str, Any]] = Field(description='field → {"from": …, "to": …}')
