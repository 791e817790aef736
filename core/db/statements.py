"""Running a bulk DELETE or UPDATE and learning how many rows it touched."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlmodel import Session


def affected_rows(session: Session, statement: Delete | Update) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount
