"""PATCH bodies: a field left out stays as it is, and null is refused rather than stored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


class PartialUpdate(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:  # every stored field is required: "no change" is said by leaving it out
            raise ValueError("leave the field out to keep its value; null is not accepted")
        return value
