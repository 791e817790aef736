"""Durable record of interactions and feedback (the satisfaction logs staff report on)."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from core.db.models import Feedback, Interaction, utcnow
from core.privacy import mask_personal_data

log = logging.getLogger(__name__)

FEEDBACK_REASONS = ("wrong_question", "missing_info", "hard_to_understand", "outdated", "other")
MAX_COMMENT_CHARS = 2000


class UnknownInteractionError(LookupError):
    """Feedback refers to an interaction that does not exist."""


def find_interaction(session: Session, interaction_id: str, user_hash: str | None = None) -> Interaction:
    """The interaction, if it exists and (when ``user_hash`` is given) belongs to that user:
    a button's data can be forged, so a tap never touches another citizen's record."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None or (user_hash is not None and interaction.user_hash != user_hash):
        raise UnknownInteractionError(interaction_id)
    return interaction


class InteractionLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, interaction: Interaction) -> bool:
        """Store one interaction; a database failure is logged and reported, never raised."""
        try:
            with Session(self.engine) as session:
                session.add(interaction)
                session.commit()
            return True
        except SQLAlchemyError:
            log.exception("could not store interaction %s", interaction.id)
            return False

    def record_feedback(
        self,
        interaction_id: str,
        helpful: bool,
        reason: str | None = None,
        comment: str | None = None,
        user_hash: str | None = None,
    ) -> Feedback:
        """Store (or update) the verdict on one reply; with ``user_hash``, only its asker may."""
        if reason is not None and reason not in FEEDBACK_REASONS:
            raise ValueError(f"reason must be one of {', '.join(FEEDBACK_REASONS)}")
        masked = mask_personal_data(comment.strip())[:MAX_COMMENT_CHARS] if comment else None
        try:
            return self._upsert_feedback(interaction_id, helpful, reason, masked, user_hash)
        except IntegrityError:  # a concurrent tap inserted the row first: update it instead
            return self._upsert_feedback(interaction_id, helpful, reason, masked, user_hash)

    def _upsert_feedback(
        self,
        interaction_id: str,
        helpful: bool,
        reason: str | None,
        masked: str | None,
        user_hash: str | None,
    ) -> Feedback:
        with Session(self.engine) as session:
            find_interaction(session, interaction_id, user_hash)
            # One verdict per reply: a second tap or a later comment updates it.
            feedback = session.exec(
                select(Feedback).where(Feedback.interaction_id == interaction_id)
            ).first() or Feedback(interaction_id=interaction_id, helpful=helpful)
            feedback.helpful = helpful
            feedback.reason = None if helpful else reason or feedback.reason
            feedback.comment_masked = masked or feedback.comment_masked
            feedback.created_at = utcnow()
            session.add(feedback)
            session.commit()
            session.refresh(feedback)
            return feedback
