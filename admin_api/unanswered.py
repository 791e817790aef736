"""The unanswered queue: every fallback, every question handed off to staff, every reply rated
👎, read from the logs, with where staff stand on each (new, in progress, resolved, ignored).

Staff see the queue grouped by meaning (question_groups); an ignored question is remembered,
and later questions close to it stay out of the groups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from admin_api.entry_checks import folded
from admin_api.question_groups import QuestionEmbedder, group_indices, medoid, near_any
from core.db.models import (
    Feedback,
    HandoffRequest,
    IgnoredQuestion,
    Interaction,
    UnansweredStatus,
    utcnow,
)

REASONS = ("fallback", "handoff", "unhelpful")
MAX_GROUPED = 5000  # the newest questions grouped at once (clustering is quadratic in memory)


@dataclass
class QueueItem:
    interaction_id: str
    created_at: datetime
    channel: str
    question: str
    decision: str
    entry_id: str | None
    reasons: list[str]
    status: str
    feedback_reason: str | None = None
    comment: str | None = None


@dataclass
class Group:
    label: str
    count: int
    items: list[QueueItem]
    reasons: dict[str, int]
    first_seen: datetime
    last_seen: datetime
    label_vector: NDArray[np.float32]  # the label as the model encoded it (a search reuses it)
    examples: list[str] = field(default_factory=list)


def _reasons(decision: str, handed_off: bool, helpful: bool | None) -> list[str]:
    flags = (decision == "fallback", handed_off, helpful is False)
    return [reason for reason, on in zip(REASONS, flags, strict=True) if on]


def queue_items(
    session: Session,
    statuses: Sequence[str] = ("new", "in_progress"),
    reason: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = MAX_GROUPED,
    offset: int = 0,
) -> tuple[list[QueueItem], int]:
    """Queue items (newest first) and how many match in all."""
    state = func.coalesce(UnansweredStatus.status, "new")
    statement = (
        sa_select(
            Interaction,
            col(HandoffRequest.id),
            col(Feedback.helpful),
            col(Feedback.reason),
            col(Feedback.comment_masked),
            state,
        )
        .outerjoin(HandoffRequest, col(HandoffRequest.interaction_id) == Interaction.id)
        .outerjoin(Feedback, col(Feedback.interaction_id) == Interaction.id)
        .outerjoin(UnansweredStatus, col(UnansweredStatus.interaction_id) == Interaction.id)
        .where(
            or_(
                col(Interaction.decision) == "fallback",
                col(HandoffRequest.id).is_not(None),
                col(Feedback.helpful).is_(False),
            ),
            state.in_(list(statuses)),
        )
    )
    if reason == "fallback":
        statement = statement.where(col(Interaction.decision) == "fallback")
    elif reason == "handoff":
        statement = statement.where(col(HandoffRequest.id).is_not(None))
    elif reason == "unhelpful":
        statement = statement.where(col(Feedback.helpful).is_(False))
    if since is not None:
        statement = statement.where(col(Interaction.created_at) >= since)
    if until is not None:
        statement = statement.where(col(Interaction.created_at) < until)
    total = session.execute(sa_select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = session.execute(
        statement.order_by(col(Interaction.created_at).desc(), col(Interaction.id))
        .offset(offset)
        .limit(limit)
    ).all()
    items = [
        QueueItem(
            interaction_id=i.id,
            created_at=i.created_at,
            channel=i.channel,
            question=i.query_masked,
            decision=i.decision,
            entry_id=i.entry_id,
            reasons=_reasons(i.decision, handoff is not None, helpful),
            status=status,
            feedback_reason=feedback_reason,
            comment=comment,
        )
        for i, handoff, helpful, feedback_reason, comment, status in rows
    ]
    return items, int(total)


def set_status(session: Session, interaction_ids: Sequence[str], status: str, actor: str) -> int:
    """Mark queue items (caller commits); returns how many exist."""
    existing = session.exec(
        select(Interaction.id).where(col(Interaction.id).in_(list(interaction_ids)))
    ).all()
    for interaction_id in existing:
        row = session.get(UnansweredStatus, interaction_id) or UnansweredStatus(
            interaction_id=interaction_id, status=status, updated_by=actor
        )
        row.status, row.updated_by, row.updated_at = status, actor, utcnow()
        session.add(row)
    return len(existing)


def questions_of(session: Session, interaction_ids: Sequence[str]) -> list[str]:
    """The distinct questions (masked, as logged) of these interactions, in the order given."""
    rows = dict(
        session.exec(
            select(Interaction.id, Interaction.query_masked).where(
                col(Interaction.id).in_(list(interaction_ids))
            )
        ).all()
    )
    seen: dict[str, str] = {}
    for interaction_id in interaction_ids:
        text = rows.get(interaction_id)
        if text and folded(text) not in seen:
            seen[folded(text)] = text.strip()
    return list(seen.values())


def remember_ignored(session: Session, texts: Sequence[str], actor: str) -> None:
    known = set(session.exec(select(IgnoredQuestion.folded)).all())
    for text in texts:
        if folded(text) not in known:
            known.add(folded(text))
            session.add(IgnoredQuestion(text=text[:500], folded=folded(text), created_by=actor))


class QueueGrouper:
    """Groups the open queue by meaning; drops what is close to an ignored question."""

    def __init__(self, embedder: QuestionEmbedder) -> None:
        self.embedder = embedder

    def groups(self, items: Sequence[QueueItem], ignored: Sequence[str]) -> tuple[list[Group], int]:
        """Groups, largest first, and how many items were left out as close to ignored ones."""
        vectors = self.embedder.embed([item.question for item in items])
        noise = near_any(vectors, self.embedder.embed(list(ignored)))
        kept = [items[i] for i in range(len(items)) if not noise[i]]
        vectors = vectors[~noise]
        groups = []
        for members in group_indices(vectors):
            typical = medoid(vectors, members)
            groups.append(_group([kept[i] for i in members], kept[typical].question, vectors[typical]))
        return groups, int(noise.sum())


def _group(items: list[QueueItem], label: str, label_vector: NDArray[np.float32]) -> Group:
    reasons = Counter(r for item in items for r in item.reasons)
    return Group(
        label=label,
        count=len(items),
        items=items,
        reasons=dict(reasons),
        first_seen=min(item.created_at for item in items),
        last_seen=max(item.created_at for item in items),
        label_vector=label_vector,
        examples=list(dict.fromkeys(item.question for item in items))[:5],
    )
