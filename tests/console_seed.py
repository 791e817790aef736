"""Four weeks of plausible traffic for the console's browser test and screenshots: the sample
entries asked in their own phrasings on three channels, the unanswered sample as fallbacks, and
ratings. A seeded generator makes the same traffic every time, dated back from `now` so that the
dashboard's four-week charts are full; the dates, and so the screenshots, move with the clock."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from core.db.models import Feedback, Interaction
from core.faq import FaqEntry
from core.interaction_log import FEEDBACK_REASONS

UNANSWERED = Path(__file__).parent / "data" / "unanswered_sample.jsonl"
CHANNELS = ("web", "web", "zalo", "zalo", "zalo", "telegram")
DAYS = 28


def seed_traffic(session: Session, entries: list[FaqEntry], now: datetime | None = None) -> int:
    """Adds interactions (and feedback on some) over the last four weeks; returns how many."""
    rng = random.Random(20261122)
    end = (now or datetime.now(UTC)) - timedelta(hours=1)
    unanswered = [json.loads(line)["text"] for line in UNANSWERED.read_text("utf-8").splitlines()]
    count = 0
    for day in range(DAYS):
        for _ in range(rng.randint(6, 16)):
            moment = end - timedelta(days=day, minutes=rng.randint(0, 600))
            count += 1
            _add(session, rng, f"seed-{count:05d}", moment, entries, unanswered)
    session.commit()
    return count


def _add(
    session: Session,
    rng: random.Random,
    iid: str,
    moment: datetime,
    entries: list[FaqEntry],
    unanswered: list[str],
) -> None:
    roll = rng.random()
    entry = rng.choice(entries)
    if roll < 0.16:
        decision, entry_id, text = "fallback", None, rng.choice(unanswered)
    else:
        decision = "suggest" if roll < 0.28 else "answer"
        entry_id, text = entry.id, rng.choice([entry.question, *entry.paraphrases])
    session.add(
        Interaction(
            id=iid,
            created_at=moment,
            channel=rng.choice(CHANNELS),
            user_hash=f"seed-user-{rng.randint(1, 120)}",
            query_masked=text,
            decision=decision,
            entry_id=entry_id if decision == "answer" else None,
            latency_ms=rng.uniform(12, 60),
        )
    )
    session.flush()  # the interaction before its feedback (PostgreSQL checks at once)
    if decision == "answer" and rng.random() < 0.45:
        helpful = rng.random() < 0.78
        reason = None if helpful else rng.choice(FEEDBACK_REASONS)
        session.add(
            Feedback(
                interaction_id=iid, helpful=helpful, reason=reason, created_at=moment + timedelta(minutes=1)
            )
        )
