"""Agreement to the privacy notice: nothing a citizen types is logged before it is recorded."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db.models import Consent


class ConsentRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def has_agreed(self, user_hash: str) -> bool:
        with Session(self.engine) as session:
            return session.get(Consent, user_hash) is not None

    def agree(self, user_hash: str, channel: str) -> None:
        """Record agreement (idempotent: a second tap keeps the first date)."""
        with Session(self.engine) as session:
            if session.get(Consent, user_hash) is None:
                session.add(Consent(user_hash=user_hash, channel=channel))
                session.commit()
