"""Replies Zalo has not accepted yet, kept in the database until a retry delivers them.

A row is claimed by deleting it, so with several workers exactly one retries it; a retry that
fails puts the rest back with one more attempt counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db.models import ZaloOutbox

Message = dict[str, Any]


@dataclass(frozen=True)
class Pending:
    id: int
    user_id: str
    user_hash: str
    messages: list[Message]
    attempts: int


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(
        self, user_id: str, user_hash: str, messages: list[Message], attempts: int = 0, error: str = ""
    ) -> None:
        row = ZaloOutbox(
            user_id=user_id, user_hash=user_hash, messages=messages, attempts=attempts, last_error=error[:200]
        )
        with Session(self.engine) as session:
            session.add(row)
            session.commit()

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(ZaloOutbox)).one())

    def oldest(self, limit: int) -> list[Pending]:
        with Session(self.engine) as session:
            rows = session.exec(select(ZaloOutbox).order_by(col(ZaloOutbox.id)).limit(limit)).all()
            return [Pending(r.id or 0, r.user_id, r.user_hash, list(r.messages), r.attempts) for r in rows]

    def claim(self, pending: Pending) -> bool:
        """True for the one worker that gets to retry this row."""
        with Session(self.engine) as session:
            result = cast(
                CursorResult[Any], session.execute(delete(ZaloOutbox).where(col(ZaloOutbox.id) == pending.id))
            )
            session.commit()
            return result.rowcount == 1
