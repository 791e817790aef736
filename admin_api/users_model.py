"""Staff accounts as the API shows and takes them (the database row is core.db.models.StaffUser)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from admin_api.partial import PartialUpdate
from admin_api.roles import Role

USERNAME = r"^[a-z0-9][a-z0-9._-]{2,63}$"


class UserBase(BaseModel):
    full_name: str = Field(default="", max_length=120, examples=["Nguyễn Thị Lan"])
    role: Role = Field(examples=["editor"])


class UserCreate(UserBase):
    username: str = Field(pattern=USERNAME, examples=["bientap01"])
    password: str = Field(min_length=12, max_length=256, description="at least 12 characters")


class UserUpdate(PartialUpdate):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "publisher", "active": True}]})

    full_name: str | None = Field(default=None, max_length=120)
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=256)


class UserPublic(UserBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "username": "bientap01",
                    "full_name": "Nguyễn Thị Lan",
                    "role": "editor",
                    "active": True,
                    "created_at": "2026-03-02T09:15:00+07:00",
                }
            ]
        }
    )

    id: int
    username: str
    active: bool
    created_at: datetime
