"""Questions citizens ask us to pass to staff: the queue staff turn into new FAQ entries."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.db.models import HandoffRequest
from core.interaction_log import find_interaction


def hand_off(engine: Engine, interaction_id: str, user_hash: str | None = None) -> HandoffRequest:
    """Queue the question of one interaction for staff (idempotent per interaction); with
    ``user_hash``, only for the citizen who asked it."""
    with Session(engine) as session:
        find_interaction(session, interaction_id, user_hash)
        existing = session.exec(
            select(HandoffRequest).where(HandoffRequest.interaction_id == interaction_id)
        ).first()
        if existing is not None:
            return existing
        request = HandoffRequest(interaction_id=interaction_id)
        session.add(request)
        session.commit()
        session.refresh(request)
        return request
