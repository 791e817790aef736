"""Per-citizen rate limit on questions (moving window, `limits` syntax such as "12/minute").

Two counts must both allow a question. This worker's own, in memory, taken when the question
arrives: a burst of messages is refused before any of them has been answered and logged. And
the citizen's questions in the interaction log over the window, so every worker on the database
applies one limit: a citizen whose messages land on two workers is not allowed twice as many.
While the database is unreachable the first count alone applies.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from core.db.models import Interaction, utcnow

log = logging.getLogger(__name__)


class UserRateLimiter:
    def __init__(self, spec: str, engine: Engine | None = None) -> None:
        self._limit = parse(spec)
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._engine = engine

    def allow(self, user_hash: str) -> bool:
        if not self._memory.hit(self._limit, user_hash):
            return False
        if self._engine is None:
            return True
        try:
            return self._asked(self._engine, user_hash) < self._limit.amount
        except SQLAlchemyError as exc:
            log.warning("rate limit counted in memory only: database unavailable (%s)", type(exc).__name__)
            return True

    def _asked(self, engine: Engine, user_hash: str) -> int:
        since = utcnow() - timedelta(seconds=self._limit.get_expiry())
        with Session(engine) as session:
            asked = session.exec(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.user_hash == user_hash, col(Interaction.created_at) >= since)
            ).one()
        return int(asked)
