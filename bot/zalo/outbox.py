"""Replies Zalo has not accepted yet, kept in the database until a retry delivers them.

A retry claims a row for a while (so with several workers exactly one retries it, and a worker
that dies mid-retry releases it by the clock); a failed retry keeps the row in its place in the
queue with one more attempt counted. Rows older than Zalo's 48-hour reply window are dropped
with an error in the log: Zalo would refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db.models import ZaloOutbox, utcnow
from core.db.statements import affected_rows

Message = dict[str, Any]
REPLY_WINDOW = timedelta(hours=48)  # how long Zalo lets an OA reply to a follower
CLAIM = timedelta(minutes=2)


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

    def put(self, user_id: str, user_hash: str, messages: list[Message], error: str) -> None:
        row = ZaloOutbox(
            user_id=user_id, user_hash=user_hash, messages=messages, attempts=1, last_error=error[:200]
        )
        with Session(self.engine) as session:
            session.add(row)
            session.commit()

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(ZaloOutbox)).one())

    def claim_oldest(self, limit: int) -> list[Pending]:
        """Rows no other worker is retrying, oldest first, now claimed by this one."""
        now = utcnow()
        free = or_(col(ZaloOutbox.claimed_until).is_(None), col(ZaloOutbox.claimed_until) < now)
        with Session(self.engine) as session:
            rows = session.exec(
                select(ZaloOutbox).where(free).order_by(col(ZaloOutbox.id)).limit(limit)
            ).all()
            claimed = []
            for row in rows:
                take = (
                    update(ZaloOutbox)
                    .where(col(ZaloOutbox.id) == row.id, free)
                    .values(claimed_until=now + CLAIM)
                )
                if affected_rows(session, take) == 1:
                    claimed.append(
                        Pending(row.id or 0, row.user_id, row.user_hash, list(row.messages), row.attempts)
                    )
            session.commit()
            return claimed

    def delivered(self, pending: Pending) -> None:
        with Session(self.engine) as session:
            affected_rows(session, delete(ZaloOutbox).where(col(ZaloOutbox.id) == pending.id))
            session.commit()

    def failed(self, pending: Pending, rest: list[Message], error: str) -> None:
        """Keep what is still undelivered in place, released for the next round."""
        values = {
            "messages": rest,
            "attempts": pending.attempts + 1,
            "last_error": error[:200],
            "claimed_until": None,
        }
        with Session(self.engine) as session:
            affected_rows(
                session, update(ZaloOutbox).where(col(ZaloOutbox.id) == pending.id).values(**values)
            )
            session.commit()

    def drop_expired(self) -> int:
        with Session(self.engine) as session:
            stale = delete(ZaloOutbox).where(col(ZaloOutbox.created_at) < utcnow() - REPLY_WINDOW)
            dropped = affected_rows(session, stale)
            session.commit()
            return dropped
