"""The citizen's right to erasure (Luật Bảo vệ dữ liệu cá nhân 2025): delete all we hold on them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Delete, Select, delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.db.models import (
    Consent,
    ConversationState,
    Feedback,
    HandoffRequest,
    Interaction,
    UnansweredStatus,
    ZaloOutbox,
)
from core.db.statements import affected_rows


@dataclass(frozen=True)
class ErasureReport:
    interactions: int
    feedback: int
    handoffs: int
    consent: int


def delete_with_interactions(session: Session, ids: Select[Any], interactions: Delete) -> ErasureReport:
    """Delete interactions (``ids`` selects them, ``interactions`` deletes them) with every row
    that refers to one of them: feedback, handoffs, queue status (caller commits)."""
    feedback = affected_rows(session, delete(Feedback).where(col(Feedback.interaction_id).in_(ids)))
    handoffs = affected_rows(
        session, delete(HandoffRequest).where(col(HandoffRequest.interaction_id).in_(ids))
    )
    affected_rows(session, delete(UnansweredStatus).where(col(UnansweredStatus.interaction_id).in_(ids)))
    return ErasureReport(affected_rows(session, interactions), feedback, handoffs, consent=0)


def erase_user(engine: Engine, user_hash: str) -> ErasureReport:
    """Delete everything held on a pseudonymous user (questions, feedback, handoffs, consent,
    conversation state, undelivered replies) in one transaction."""
    ids = select(col(Interaction.id)).where(col(Interaction.user_hash) == user_hash)
    with Session(engine) as session:
        report = delete_with_interactions(
            session, ids, delete(Interaction).where(col(Interaction.user_hash) == user_hash)
        )
        consent = affected_rows(session, delete(Consent).where(col(Consent.user_hash) == user_hash))
        # What a chat channel keeps between messages: a held question, undelivered replies.
        affected_rows(session, delete(ConversationState).where(col(ConversationState.user_hash) == user_hash))
        affected_rows(session, delete(ZaloOutbox).where(col(ZaloOutbox.user_hash) == user_hash))
        session.commit()
    return replace(report, consent=consent)
