"""Questions citizens ask us to pass to staff: the queue staff turn into new FAQ entries."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.db.models import HandoffRequest, Interaction
from core.interaction_log import UnknownInteractionError


def hand_off(engine: Engine, interaction_id: str) -> HandoffRequest:
    """Queue the question of one interaction for staff (idempotent per interaction)."""
    with Session(engine) as session:
        if session.get(Interaction, interaction_id) is None:
            raise UnknownInteractionError(interaction_id)
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
