"""Deleting what is older than the retention period stated in the privacy notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.db.models import Feedback, HandoffRequest, Interaction, utcnow
from core.erasure import ErasureReport, run_delete
from core.update_ledger import UpdateLedger


def purge_expired(engine: Engine, retention_days: int) -> ErasureReport:
    """Delete interactions older than the retention period with their feedback and handoffs."""
    cutoff = utcnow() - timedelta(days=retention_days)
    old = select(col(Interaction.id)).where(col(Interaction.created_at) < cutoff)
    with Session(engine) as session:
        report = ErasureReport(
            feedback=run_delete(session, delete(Feedback).where(col(Feedback.interaction_id).in_(old))),
            handoffs=run_delete(
                session, delete(HandoffRequest).where(col(HandoffRequest.interaction_id).in_(old))
            ),
            interactions=run_delete(session, delete(Interaction).where(col(Interaction.created_at) < cutoff)),
            consent=0,
        )
        session.commit()
    UpdateLedger(engine).prune()
    return report
