"""Deleting what is older than the retention period stated in the privacy notice."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.db.models import ConversationState, Interaction, ZaloOutbox, utcnow
from core.db.statements import affected_rows
from core.erasure import ErasureReport, delete_with_interactions
from core.update_ledger import UpdateLedger

log = logging.getLogger(__name__)

STATE_KEPT = timedelta(days=2)  # Zalo lets an OA reply to a follower for 48 hours


def purge_expired(engine: Engine, retention_days: int) -> ErasureReport:
    """Delete interactions older than the retention period with their feedback and handoffs."""
    cutoff = utcnow() - timedelta(days=retention_days)
    old = select(col(Interaction.id)).where(col(Interaction.created_at) < cutoff)
    with Session(engine) as session:
        report = delete_with_interactions(
            session, old, delete(Interaction).where(col(Interaction.created_at) < cutoff)
        )
        # A question held for consent, or a reply Zalo never took, is stale after this.
        stale = utcnow() - STATE_KEPT
        affected_rows(session, delete(ConversationState).where(col(ConversationState.updated_at) < stale))
        undelivered = affected_rows(session, delete(ZaloOutbox).where(col(ZaloOutbox.created_at) < stale))
        session.commit()
    if undelivered:  # the channel's retry loop drops these first; this covers a channel turned off
        log.error("retention: %d undelivered Zalo repl(ies) older than 48 hours dropped", undelivered)
    UpdateLedger(engine).prune()
    return report
