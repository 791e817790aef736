"""Phrasings learned from the logs: how citizens asked for an entry they were glad to get.

Two signals: a question answered with the entry and rated 👍, and a question that got
"Có phải bạn muốn hỏi…" after which the citizen picked the entry. Pending suggestions are read
from the logs each time (so erasing a citizen's data erases their evidence); only staff's
verdicts are stored, so a rejected phrasing is not proposed again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from sqlmodel import Session, col, select

from admin_api.entry_checks import folded
from core.db.models import FaqEntryRecord, Feedback, Interaction, PhrasingDecision

PICK_WINDOW = timedelta(minutes=30)  # a pick long after the suggestion is another conversation
MAX_ROWS = 20000  # log rows read per source


@dataclass
class Suggestion:
    entry_id: str
    text: str
    count: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    last_seen: datetime | None = None


@dataclass(frozen=True)
class Evidence:
    entry_id: str
    text: str
    source: str  # "helpful" | "picked"
    at: datetime


def helpful_answers(session: Session, since: datetime) -> list[Evidence]:
    rows = session.exec(
        select(Interaction.entry_id, Interaction.query_masked, Interaction.created_at)
        .join(Feedback, col(Feedback.interaction_id) == Interaction.id)
        .where(
            col(Feedback.helpful).is_(True),
            col(Interaction.decision) == "answer",
            col(Interaction.created_at) >= since,
        )
        .limit(MAX_ROWS)
    ).all()
    return [Evidence(entry_id, text, "helpful", at) for entry_id, text, at in rows if entry_id]


def picked_suggestions(session: Session, since: datetime) -> list[Evidence]:
    """A suggestion reply followed by the same citizen's answer with one of the suggested entries."""
    asked = select(Interaction.user_hash).where(
        col(Interaction.decision) == "suggest", col(Interaction.created_at) >= since
    )
    rows = session.exec(
        select(Interaction)
        .where(col(Interaction.user_hash).in_(asked), col(Interaction.created_at) >= since)
        .order_by(col(Interaction.user_hash), col(Interaction.created_at))
        .limit(MAX_ROWS)
    ).all()
    found = []
    for before, after in pairwise(rows):
        offered = {hit.get("id") for hit in before.top_hits}
        if (
            before.decision == "suggest"
            and after.user_hash == before.user_hash
            and after.decision == "answer"
            and after.entry_id in offered
            and after.created_at - before.created_at <= PICK_WINDOW
        ):
            found.append(Evidence(after.entry_id or "", before.query_masked, "picked", after.created_at))
    return found


def _usable(text: str) -> bool:
    """Masked personal data ("[số định danh]") or a very short or long text makes no phrasing."""
    return "[" not in text and 3 <= len(text.strip()) <= 300


def suggestions(
    session: Session, evidence: Iterable[Evidence], entry_id: str | None = None
) -> list[Suggestion]:
    """Suggestions, most evidence first, leaving out what the entry has or staff decided."""
    known = {
        r.id: {folded(t) for t in [r.question, *r.paraphrases]}
        for r in session.exec(select(FaqEntryRecord))
        if r.status != "archived"
    }
    decided = set(session.exec(select(PhrasingDecision.entry_id, PhrasingDecision.folded)).all())
    found: dict[tuple[str, str], Suggestion] = {}
    for item in evidence:
        key = (item.entry_id, folded(item.text))
        if item.entry_id not in known or (entry_id and item.entry_id != entry_id) or not _usable(item.text):
            continue
        if key in decided or key[1] in known[item.entry_id]:
            continue
        suggestion = found.setdefault(key, Suggestion(item.entry_id, " ".join(item.text.split())))
        suggestion.count += 1
        suggestion.sources[item.source] += 1
        if suggestion.last_seen is None or item.at > suggestion.last_seen:
            suggestion.last_seen = item.at
    return sorted(found.values(), key=lambda s: (-s.count, s.entry_id, s.text))


def record_decisions(
    session: Session, entry_id: str, texts: Sequence[str], accepted: bool, actor: str
) -> None:
    """Remember staff's verdict on these phrasings of one entry (caller commits)."""
    for text in texts:
        key = folded(text)
        row = session.exec(
            select(PhrasingDecision).where(
                PhrasingDecision.entry_id == entry_id, PhrasingDecision.folded == key
            )
        ).first() or PhrasingDecision(
            entry_id=entry_id, folded=key, text=text[:500], accepted=accepted, decided_by=actor
        )
        row.accepted, row.decided_by = accepted, actor
        session.add(row)
