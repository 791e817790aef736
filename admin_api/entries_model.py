"""Q&A pairs as the staff API shows and takes them (the row is core.db.models.FaqEntryRecord)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from admin_api.deps import Version
from admin_api.partial import PartialUpdate
from core.faq import RESERVED_ID, Level, is_catalog_id

ID = r"^[a-z0-9][a-z0-9.-]{2,119}$"
ANSWER_EXAMPLE = (
    "Bạn nộp hồ sơ cấp lại thẻ căn cước tại Công an cấp xã nơi cư trú hoặc trực tuyến trên "
    "Cổng Dịch vụ công quốc gia; thời hạn giải quyết 7 ngày làm việc."
)
ENTRY_EXAMPLE: dict[str, Any] = {
    "category": "can-cuoc",
    "question": "Làm lại thẻ căn cước bị mất ở đâu?",
    "answer": ANSWER_EXAMPLE,
    "paraphrases": ["lam lai cccd bi mat o dau", "mất căn cước thì cấp lại ở đâu"],
    "legal_basis": ["Luật Căn cước 2023, Điều 24"],
    "level": ["xa"],
    "procedure_codes": ["1.012345"],
    "links": ["https://dichvucong.gov.vn"],
    "reviewed": "2026-06-15",
}
ENTRY_PUBLIC_EXAMPLE: dict[str, Any] = {
    "id": "can-cuoc-cap-lai-khi-mat",
    **ENTRY_EXAMPLE,
    "status": "published",
    "version": 4,
    "updated_at": "2026-07-12T08:30:15+07:00",
    "updated_by": "bientap01",
    "published_version": 3,
    "pending": True,
}


class EntryBase(BaseModel):
    category: str = Field(max_length=80, examples=["can-cuoc"])
    question: str = Field(min_length=5, max_length=500, examples=["Làm lại thẻ căn cước bị mất ở đâu?"])
    answer: str = Field(min_length=10, max_length=8000, examples=[ANSWER_EXAMPLE])
    paraphrases: list[str] = Field(default_factory=list, max_length=50, examples=[["lam lai cccd bi mat"]])
    legal_basis: list[str] = Field(
        default_factory=list, max_length=20, examples=[["Luật Căn cước 2023, Điều 24"]]
    )
    level: list[Level] = Field(default_factory=list)
    procedure_codes: list[str] = Field(default_factory=list, max_length=20)
    links: list[str] = Field(default_factory=list, max_length=10)
    reviewed: date | None = None


class EntryCreate(EntryBase):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "can-cuoc-cap-lai-khi-mat", **ENTRY_EXAMPLE}]}
    )

    id: str = Field(pattern=ID, examples=["can-cuoc-cap-lai-khi-mat"])

    @field_validator("id")
    @classmethod
    def _not_a_catalog_id(cls, value: str) -> str:
        if is_catalog_id(value):
            raise ValueError(RESERVED_ID)
        return value


class EntryUpdate(PartialUpdate):
    """Only the fields sent change; ``base_version`` is the version the editor started from."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "base_version": 3,
                    "answer": ANSWER_EXAMPLE,
                    "legal_basis": ["Luật Căn cước 2023, Điều 24"],
                }
            ]
        }
    )

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
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_PUBLIC_EXAMPLE]})

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [ENTRY_PUBLIC_EXAMPLE],
                    "total": 1,
                    "offset": 0,
                    "limit": 50,
                }
            ]
        }
    )

    items: list[EntryPublic]
    total: int
    offset: int
    limit: int


class StatusChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"base_version": 4}]})

    base_version: Version


class RevertRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 2, "base_version": 4}]})

    version: Version = Field(description="the version whose content comes back")
    base_version: Version


class VersionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 4,
                    "changed_by": "bientap01",
                    "changed_at": "2026-07-12T08:30:15+07:00",
                    "summary": "edited: answer, legal_basis",
                    "snapshot": {"id": "can-cuoc-cap-lai-khi-mat", **ENTRY_EXAMPLE, "status": "published"},
                }
            ]
        }
    )

    version: int
    changed_by: str
    changed_at: datetime
    summary: str
    snapshot: dict[str, Any]


class VersionDiff(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entry_id": "can-cuoc-cap-lai-khi-mat",
                    "from_version": 2,
                    "to_version": 4,
                    "changes": {
                        "legal_basis": {
                            "from": ["Luật Căn cước công dân 2014, Điều 23"],
                            "to": ["Luật Căn cước 2023, Điều 24"],
                        }
                    },
                }
            ]
        }
    )

    entry_id: str
    from_version: int
    to_version: int
    changes: dict[str, dict[str, Any]] = Field(description='field → {"from": …, "to": …}')
