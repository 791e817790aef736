"""What chat channels rely on in the core, on SQLite and PostgreSQL: at-most-once updates across
workers, consent, handoffs, one verdict per reply, erasure and retention."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.browse import FaqBrowser, short_ref
from core.consent import ConsentRegistry
from core.db.engine import make_engine
from core.db.models import Feedback, HandoffRequest, Interaction, utcnow
from core.erasure import erase_user
from core.handoff import hand_off
from core.interaction_log import InteractionLog, UnknownInteractionError
from core.rate_limit import UserRateLimiter
from core.retention import purge_expired
from core.update_ledger import UpdateLedger
from retrieval.index import SearchIndex
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig


def _interaction(engine: Engine, user: str, days_old: int = 0, n: int = 0) -> str:
    interaction_id = f"{user}{days_old}-{n}".ljust(32, "0")[:32]
    interaction = Interaction(
        id=interaction_id,
        channel="telegram",
        user_hash=user,
        query_masked="câu hỏi",
        decision="answer",
        latency_ms=1.0,
        created_at=utcnow() - timedelta(days=days_old),
    )
    assert InteractionLog(engine).record(interaction)
    return interaction_id


def test_an_update_is_claimed_once_across_workers(any_engine: Engine) -> None:
    """Two workers (two engines, two connection pools) race for the same update ids."""
    other = make_engine(str(any_engine.url.render_as_string(hide_password=False)))
    results: dict[str, list[bool]] = {"a": [], "b": []}

    def worker(name: str, engine: Engine) -> None:
        ledger = UpdateLedger(engine)
        results[name] = [ledger.claim("telegram", update_id) for update_id in range(50)]

    threads = [threading.Thread(target=worker, args=(n, e)) for n, e in (("a", any_engine), ("b", other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert all(a != b for a, b in zip(results["a"], results["b"], strict=True))  # exactly one won each
    assert UpdateLedger(any_engine).claim("zalo", 7)  # ids are per channel


def test_feedback_is_one_row_per_reply_and_updates(any_engine: Engine) -> None:
    log = InteractionLog(any_engine)
    iid = _interaction(any_engine, "u1")
    log.record_feedback(iid, True)
    log.record_feedback(iid, False, "outdated")
    stored = log.record_feedback(iid, False, None, "email tôi: a.b@example.com")
    assert stored.reason == "outdated" and stored.comment_masked is not None
    assert "a.b@example.com" not in stored.comment_masked
    with Session(any_engine) as session:
        assert len(session.exec(select(Feedback)).all()) == 1
    assert log.record_feedback(iid, True).reason is None  # 👍 clears the reason


def test_concurrent_taps_leave_one_feedback_row(any_engine: Engine) -> None:
    iid = _interaction(any_engine, "u1")
    log = InteractionLog(any_engine)
    errors: list[BaseException] = []

    def tap(helpful: bool) -> None:
        try:
            log.record_feedback(iid, helpful)
        except BaseException as exc:  # surfaced below: a thread's exception would be lost
            errors.append(exc)

    threads = [threading.Thread(target=tap, args=(i % 2 == 0,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(any_engine) as session:
        assert len(session.exec(select(Feedback)).all()) == 1


def test_consent_and_handoff_are_idempotent(any_engine: Engine) -> None:
    consent = ConsentRegistry(any_engine)
    assert not consent.has_agreed("u1")
    consent.agree("u1", "telegram")
    consent.agree("u1", "telegram")
    assert consent.has_agreed("u1")
    iid = _interaction(any_engine, "u1")
    first, second = hand_off(any_engine, iid), hand_off(any_engine, iid)
    assert first.id == second.id and first.status == "open"
    with pytest.raises(UnknownInteractionError):
        hand_off(any_engine, "f" * 32)


def test_erasure_removes_only_that_user(any_engine: Engine) -> None:
    mine, theirs = _interaction(any_engine, "me"), _interaction(any_engine, "them")
    InteractionLog(any_engine).record_feedback(mine, False, "other", "x")
    InteractionLog(any_engine).record_feedback(theirs, True)
    hand_off(any_engine, mine)
    ConsentRegistry(any_engine).agree("me", "telegram")
    report = erase_user(any_engine, "me")
    assert (report.interactions, report.feedback, report.handoffs, report.consent) == (1, 1, 1, 1)
    with Session(any_engine) as session:
        assert [i.id for i in session.exec(select(Interaction))] == [theirs]
        assert len(session.exec(select(Feedback)).all()) == 1
        assert session.exec(select(HandoffRequest)).all() == []


def test_retention_purges_old_interactions(any_engine: Engine) -> None:
    old, recent = _interaction(any_engine, "u", days_old=400), _interaction(any_engine, "u", days_old=3)
    InteractionLog(any_engine).record_feedback(old, True)
    report = purge_expired(any_engine, retention_days=365)
    assert report.interactions == 1 and report.feedback == 1
    with Session(any_engine) as session:
        assert [i.id for i in session.exec(select(Interaction))] == [recent]


def test_rate_limiter_is_per_user() -> None:
    limiter = UserRateLimiter("3/minute")
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")


def test_rate_limit_is_one_across_workers(any_engine: Engine) -> None:
    """Two workers' limiters on one database: the citizen's questions count once, wherever asked."""
    workers = [UserRateLimiter("3/minute", any_engine), UserRateLimiter("3/minute", any_engine)]
    allowed = []
    for n in range(4):
        allowed.append(workers[n % 2].allow("a"))
        if allowed[-1]:  # an allowed question is answered and logged
            _interaction(any_engine, "a", days_old=0, n=n)
    assert allowed == [True, True, True, False]
    assert workers[1].allow("b")
    with Session(any_engine) as session:  # older than the window: counted no more
        for interaction in session.exec(select(Interaction)):
            interaction.created_at = utcnow() - timedelta(minutes=2)
            session.add(interaction)
        session.commit()
    assert workers[0].allow("a")


def test_browser_pages_categories_and_resolves_refs(
    sqlite_engine: Engine, sample_index: SearchIndex, encoder: object
) -> None:
    live = LiveIndex(None, encoder, SearchConfig())  # type: ignore[arg-type]
    live.install(sample_index)
    browser = FaqBrowser(sqlite_engine, live, page_size=2)
    first = browser.categories(0)
    assert first.page == 0 and first.has_next and not first.has_previous
    total = sum(len(browser.categories(p).items) for p in range(first.pages))
    assert total == len({e.category for e in sample_index.entries.values()})
    ref = first.items[0].ref
    questions = browser.questions(ref, 0)
    entry = browser.entry(questions.items[0].ref)
    assert entry is not None and short_ref(entry.category) == ref
    assert browser.entry("0000000000") is None
    assert browser.categories(99).page == first.pages - 1  # out-of-range pages clamp


def test_recent_memory_forgets_after_its_time_and_on_request() -> None:
    from core.db.outage import RecentMemory

    memory = RecentMemory(keep_seconds=0.2, most=2)
    assert memory.add("a") and not memory.add("a") and "a" in memory
    memory.forget("a")
    assert "a" not in memory
    memory.add("b"), memory.add("c"), memory.add("d")  # at most two kept: "b" went first
    assert "b" not in memory and "d" in memory
    time.sleep(0.25)
    assert "d" not in memory and memory.add("d")
