"""Durable record of interactions and feedback (the satisfaction logs staff report on).

With a spool (core/spool.py), what the database cannot take while it is unreachable is queued on
local disk and stored when it answers again (``flush_spool``), so an outage loses no question and
no rating.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from core.db.models import Feedback, Interaction, utcnow
from core.db.outage import UNREACHABLE
from core.privacy import mask_personal_data
from core.spool import Applied, Record, ReplayReport, Spool, SpoolError

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
    def __init__(self, engine: Engine, spool: Spool | None = None) -> None:
        self.engine = engine
        self.spool = spool

    def record(self, interaction: Interaction) -> bool:
        """Store one interaction (or spool it while the database is unreachable); a failure of
        both is logged and reported, never raised: the citizen still gets the answer."""
        try:
            with Session(self.engine) as session:
                session.add(interaction)
                session.commit()
            return True
        except UNREACHABLE as exc:
            return self._spool(interaction.id, "interaction", interaction.model_dump(mode="json"), exc)
        except SQLAlchemyError:
            # Not an outage (a duplicate, a broken schema): a spooled copy would fail again on
            # every replay and hold back everything queued after it.
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
        """Store (or update) the verdict on one reply; with ``user_hash``, only its asker may.

        While the database is unreachable the verdict is spooled and returned without an id.
        """
        if reason is not None and reason not in FEEDBACK_REASONS:
            raise ValueError(f"reason must be one of {', '.join(FEEDBACK_REASONS)}")
        masked = mask_personal_data(comment.strip())[:MAX_COMMENT_CHARS] if comment else None
        verdict = Feedback(
            interaction_id=interaction_id, helpful=helpful, reason=reason, comment_masked=masked
        )
        try:
            return self._store_feedback(verdict, user_hash)
        except UnknownInteractionError:
            if self.spool is None or not self.spool.holds_interaction(interaction_id):
                raise
            return self._spool_feedback(verdict, user_hash, None)  # its question is spooled too
        except UNREACHABLE as exc:  # anything else is not an outage and reaches the caller
            if self.spool is None:
                raise
            return self._spool_feedback(verdict, user_hash, exc)

    def flush_spool(self) -> ReplayReport | None:
        """Store what was spooled, in order; None when there is nothing (or no spool)."""
        if self.spool is None or not self.spool.pending():
            return None
        report = self.spool.replay(self._apply)
        log.info(
            "spool replayed: %d stored, %d waiting, %d rejected", report.done, report.kept, report.rejected
        )
        return report

    def _apply(self, record: Record) -> Applied:
        if record.kind == "interaction":
            with Session(self.engine) as session:
                session.merge(Interaction.model_validate(record.data))  # replayed twice: same row
                session.commit()
            return Applied.DONE
        data = record.data
        verdict = Feedback(
            interaction_id=data["interaction_id"],
            helpful=data["helpful"],
            reason=data["reason"],
            comment_masked=data["comment_masked"],
        )
        try:
            self._store_feedback(verdict, data["user_hash"])
        except UnknownInteractionError:
            return self._rating_without_question(verdict.interaction_id)
        return Applied.DONE

    def _rating_without_question(self, interaction_id: str) -> Applied:
        """A stored question with another asker: a forged tap. Not stored yet: its question may
        still wait in another worker's spool."""
        with Session(self.engine) as session:
            if session.get(Interaction, interaction_id) is not None:
                return Applied.REJECTED
        assert self.spool is not None
        return Applied.LATER if self.spool.holds_interaction(interaction_id) else Applied.REJECTED

    def _spool(self, key: str, kind: str, data: dict[str, object], exc: Exception) -> bool:
        if self.spool is None:
            log.error("could not store %s %s: %s", kind, key, exc)
            return False
        try:
            self.spool.append(kind, data)
        except SpoolError as spool_exc:
            log.error("could not store %s %s (%s) nor spool it: %s", kind, key, exc, spool_exc)
            return False
        log.warning("database unavailable (%s): %s %s spooled", type(exc).__name__, kind, key)
        return True

    def _spool_feedback(self, verdict: Feedback, user_hash: str | None, exc: Exception | None) -> Feedback:
        data: dict[str, object] = {
            "interaction_id": verdict.interaction_id,
            "helpful": verdict.helpful,
            "reason": verdict.reason,
            "comment_masked": verdict.comment_masked,
            "user_hash": user_hash,
        }
        assert self.spool is not None
        self.spool.append("feedback", data)  # a SpoolError reaches the caller: the tap was not kept
        log.warning(
            "feedback on %s spooled (%s)",
            verdict.interaction_id,
            type(exc).__name__ if exc else "question spooled",
        )
        return verdict

    def _store_feedback(self, verdict: Feedback, user_hash: str | None) -> Feedback:
        args = (verdict.interaction_id, verdict.helpful, verdict.reason, verdict.comment_masked, user_hash)
        try:
            return self._upsert_feedback(*args)
        except IntegrityError:  # a concurrent tap inserted the row first: update it instead
            return self._upsert_feedback(*args)

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
