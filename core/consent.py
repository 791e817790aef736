"""Agreement to the privacy notice: nothing a citizen types is logged before it is recorded.

Each worker also remembers, for a few minutes, the citizens it has seen agree, so while the
database is unreachable they are still answered (their questions go to the spool). A citizen it
has not seen agree lately is treated as not having agreed: nothing of theirs is logged on a guess.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db.models import Consent
from core.db.outage import UNREACHABLE, RecentMemory

log = logging.getLogger(__name__)
REMEMBER_SECONDS = 600.0  # short: an erasure on another worker must not be outlived for long


class ConsentRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._agreed = RecentMemory(REMEMBER_SECONDS)

    def has_agreed(self, user_hash: str) -> bool:
        try:
            with Session(self.engine) as session:
                agreed = session.get(Consent, user_hash) is not None
        except UNREACHABLE as exc:
            log.warning("consent read from memory: database unavailable (%s)", type(exc).__name__)
            return user_hash in self._agreed
        if agreed:
            self._agreed.add(user_hash)
        else:
            self._agreed.forget(user_hash)  # withdrawn (erased) meanwhile
        return agreed

    def agree(self, user_hash: str, channel: str) -> None:
        """Record agreement (idempotent: a second tap keeps the first date)."""
        with Session(self.engine) as session:
            if session.get(Consent, user_hash) is None:
                session.add(Consent(user_hash=user_hash, channel=channel))
                session.commit()
        self._agreed.add(user_hash)

    def forget(self, user_hash: str) -> None:
        """The citizen's data was erased: their agreement went with it."""
        self._agreed.forget(user_hash)
