"""At-most-once processing of channel updates, shared by every worker through the database.

Telegram redelivers an update when our 200 is late or lost, and with several workers the
copy can land on another process; the primary key (channel, update_id) lets exactly one win.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from core.db.models import ProcessedUpdate, utcnow
from core.db.outage import UNREACHABLE, RecentMemory
from core.db.statements import affected_rows

log = logging.getLogger(__name__)
KEEP = timedelta(days=2)  # Telegram stops redelivering long before this


class UpdateLedger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._claimed = RecentMemory(KEEP.total_seconds())

    def claim(self, channel: str, update_id: int) -> bool:
        """True for the first caller with this update, False for every later one.

        While the database is unreachable this worker's memory decides: updates are acknowledged
        at once, so the platforms rarely redeliver, and a citizen is answered rather than not.
        """
        if not self._claimed.add(f"{channel}:{update_id}"):
            return False  # this worker took it already (perhaps during an outage, unrecorded)
        try:
            with Session(self.engine) as session:
                session.add(ProcessedUpdate(channel=channel, update_id=update_id))
                session.commit()
            return True
        except IntegrityError:
            return False
        except UNREACHABLE as exc:
            log.warning("update claimed in memory: database unavailable (%s)", type(exc).__name__)
            return True

    def prune(self) -> int:
        with Session(self.engine) as session:
            stale = delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < utcnow() - KEEP)
            pruned = affected_rows(session, stale)
            session.commit()
            return pruned
