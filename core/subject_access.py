"""A citizen's right of access (Luật Bảo vệ dữ liệu cá nhân 2025): everything held on one
pseudonymous user, as one JSON-ready document the office can hand over or file as evidence.

Rows are read the way erasure deletes them (core/erasure.py), so what can be erased can be shown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from core.db.models import (
    Consent,
    ConversationState,
    Feedback,
    HandoffRequest,
    Interaction,
    ZaloOutbox,
    utcnow,
)

# Internal bookkeeping that says nothing about the person (ranking details, cache flags).
_INTERNAL = {"top_hits", "cached", "index_version"}


def _plain(row: SQLModel) -> dict[str, Any]:
    return {k: v for k, v in row.model_dump(mode="json").items() if k not in _INTERNAL}


def export_user_data(engine: Engine, user_hash: str) -> dict[str, Any]:
    """Questions (as stored: masked), replies' decisions, feedback, forwarding requests, consent,
    and what a chat channel keeps between messages."""
    with Session(engine) as session:
        interactions = session.exec(
            select(Interaction)
            .where(Interaction.user_hash == user_hash)
            .order_by(col(Interaction.created_at))
        ).all()
        ids = [i.id for i in interactions]
        feedback = session.exec(select(Feedback).where(col(Feedback.interaction_id).in_(ids))).all()
        handoffs = session.exec(
            select(HandoffRequest).where(col(HandoffRequest.interaction_id).in_(ids))
        ).all()
        consent = session.get(Consent, user_hash)
        state = session.get(ConversationState, user_hash)
        outbox = session.exec(select(ZaloOutbox).where(ZaloOutbox.user_hash == user_hash)).all()
        return {
            "user_hash": user_hash,
            "exported_at": utcnow().isoformat(),
            "consent": _plain(consent) if consent else None,
            "interactions": [_plain(i) for i in interactions],
            "feedback": [_plain(f) for f in feedback],
            "handoffs": [_plain(h) for h in handoffs],
            "conversation_state": _plain(state) if state else None,
            "undelivered_replies": [_plain(o) for o in outbox],
        }
