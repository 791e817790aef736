"""At-most-once processing of channel updates, shared by every worker through the database.

Telegram redelivers an update when our 200 is late or lost, and with several workers the
copy can land on another process; the primary key (channel, update_id) lets exactly one win.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from core.db.models import ProcessedUpdate, utcnow
from core.db.statements import affected_rows

KEEP = timedelta(days=2)  # Telegram stops redelivering long before this


class UpdateLedger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, channel: str, update_id: int) -> bool:
        """True for the first caller with this update, False for every later one."""
        try:
            with Session(self.engine) as session:
                session.add(ProcessedUpdate(channel=channel, update_id=update_id))
                session.commit()
            return True
        except IntegrityError:
            return False

    def prune(self) -> int:
        with Session(self.engine) as session:
            stale = delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < utcnow() - KEEP)
            pruned = affected_rows(session, stale)
            session.commit()
            return pruned
