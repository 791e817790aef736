"""A database outage loses nothing: questions and ratings wait in the spool and are stored after.

The outage is real: PostgreSQL is told to refuse connections to the test's database and every
open connection to it is ended, as when the server restarts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session, select

from core import actions, replies
from core.db.engine import make_engine, migrate
from core.db.models import Feedback, Interaction
from core.interaction_log import InteractionLog, UnknownInteractionError
from core.settings import Settings
from core.spool import Spool, SpoolError
from tests.channel_runtime import served_chat_app
from tests.polling import until


@contextmanager
def outage(server: str, url: str) -> Iterator[Callable[[bool], None]]:
    """``down(True)`` makes the database unreachable, ``down(False)`` brings it back."""
    database = url.rsplit("/", 1)[1]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")

    def down(is_down: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(not is_down).lower()}'))
            if is_down:  # pooled connections go too, as in a restart
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                    {"d": database},
                )

    try:
        yield down
    finally:
        down(False)  # so the fixture can drop the database
        admin.dispose()


def stored_after_outage(engine: Engine, timeout: float = 10.0) -> list[Interaction]:
    """The interactions stored once the spool has been replayed (polled until some are)."""

    def stored() -> list[Interaction]:
        with Session(engine) as session:
            return list(session.exec(select(Interaction)))

    return until(stored, timeout, every=0.2)


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _interaction(interaction_id: str, user_hash: str = "u1") -> Interaction:
    return Interaction(
        id=interaction_id,
        channel="web",
        user_hash=user_hash,
        query_masked="làm lại căn cước bị mất ở đâu",
        decision="answer",
        entry_id="can-cuoc-cap-lai",
        top_hits=[{"id": "can-cuoc-cap-lai", "score": 0.93}],
        latency_ms=21.5,
    )


def _rows(engine: Engine) -> tuple[list[Interaction], list[Feedback]]:
    with Session(engine) as session:
        return list(session.exec(select(Interaction))), list(session.exec(select(Feedback)))


def test_questions_and_ratings_wait_out_an_outage(
    engine: Engine, postgres_server: str, postgres_url: str, tmp_path: Path
) -> None:
    log = InteractionLog(engine, Spool(tmp_path / "spool"))
    assert log.record(_interaction("a" * 32))  # stored at once
    with outage(postgres_server, postgres_url) as down:
        down(True)
        assert log.record(_interaction("b" * 32))  # spooled
        rated = log.record_feedback("a" * 32, False, "outdated", "số 0912 345 678 gọi không được", "u1")
        assert rated.id is None  # not stored yet, but kept
        assert log.spool is not None and log.spool.pending() == 2
        with pytest.raises(Exception):  # noqa: B017 (still down: replay stops, keeps everything)
            log.flush_spool()
        assert log.spool.pending() == 2
        down(False)
        # back, not yet replayed: a rating of the spooled question is spooled after it
        assert log.record_feedback("b" * 32, True, user_hash="u1").id is None
        with pytest.raises(UnknownInteractionError):  # a question nobody asked is still refused
            log.record_feedback("c" * 32, True, user_hash="u1")
        report = log.flush_spool()
    assert report is not None and (report.done, report.kept, report.rejected) == (3, 0, 0)
    assert log.spool.pending() == 0 and log.flush_spool() is None
    interactions, feedback = _rows(engine)
    assert {i.id for i in interactions} == {"a" * 32, "b" * 32}
    stored = next(i for i in interactions if i.id == "b" * 32)
    assert stored.top_hits == [{"id": "can-cuoc-cap-lai", "score": 0.93}] and stored.latency_ms == 21.5
    verdicts = {f.interaction_id: f for f in feedback}
    assert verdicts["a" * 32].reason == "outdated" and not verdicts["a" * 32].helpful
    assert "0912" not in (verdicts["a" * 32].comment_masked or "")  # masked before it was spooled
    assert verdicts["b" * 32].helpful


def test_replaying_twice_stores_once_and_forged_ratings_are_rejected(engine: Engine, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    log = InteractionLog(engine, spool)
    spool.append("interaction", _interaction("d" * 32, user_hash="owner").model_dump(mode="json"))
    forged = {"interaction_id": "d" * 32, "helpful": False, "reason": None, "comment_masked": None}
    spool.append("feedback", {**forged, "user_hash": "someone-else"})
    copy = (tmp_path / "spool" / f"active-{os.getpid()}.jsonl").read_text("utf-8")
    report = log.flush_spool()
    assert report is not None and (report.done, report.rejected) == (1, 1)
    (tmp_path / "spool" / f"active-{os.getpid()}.jsonl").write_text(copy, "utf-8")  # replayed again
    log.flush_spool()
    interactions, feedback = _rows(engine)
    assert [i.id for i in interactions] == ["d" * 32] and feedback == []


def test_only_an_outage_is_spooled(engine: Engine, tmp_path: Path) -> None:
    """A database error that is not an outage (here a missing table) would fail again on every
    replay and hold back the records queued after it: it is reported, not spooled."""
    log = InteractionLog(engine, Spool(tmp_path / "spool"))
    assert log.record(_interaction("e" * 32))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE feedback"))
        conn.execute(text("ALTER TABLE interaction RENAME TO interaction_gone"))
    assert log.record(_interaction("f" * 32)) is False
    with pytest.raises(ProgrammingError):
        log.record_feedback("e" * 32, True, user_hash="u1")
    assert log.spool is not None and log.spool.pending() == 0


def test_a_dead_worker_s_spool_is_replayed_by_another(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    dead = Spool(folder)
    dead._active = folder / "active-99999999.jsonl"  # no such process
    dead.append("interaction", _interaction("e" * 32).model_dump(mode="json"))
    alive_elsewhere = folder / f"active-{os.getppid()}.jsonl"  # a running worker keeps its file
    alive_elsewhere.write_text("", "utf-8")
    report = InteractionLog(engine, Spool(folder)).flush_spool()
    assert report is not None and report.done == 1
    assert [i.id for i in _rows(engine)[0]] == ["e" * 32]
    assert alive_elsewhere.exists()


def test_disk_full_is_a_clear_error_and_the_answer_still_goes_out(
    engine: Engine, postgres_server: str, postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / f"active-{os.getpid()}.jsonl").symlink_to("/dev/full")  # every write: ENOSPC
    log = InteractionLog(engine, Spool(folder))
    with outage(postgres_server, postgres_url) as down:
        down(True)
        with caplog.at_level(logging.ERROR):
            assert not log.record(_interaction("f" * 32))  # reported, not raised
        assert "nor spool it" in caplog.text and "No space left on device" in caplog.text
        with pytest.raises(SpoolError, match="No space left on device"):
            log.record_feedback("f" * 32, True, user_hash="u1")


def test_the_web_chat_answers_through_an_outage_and_stores_everything_after(
    settings: Settings, encoder, chat_index, chat_entries, postgres_server: str, postgres_url: str
) -> None:
    on_postgres = settings.model_copy(update={"database_url": postgres_url, "spool_retry_seconds": 0.2})
    with (
        outage(postgres_server, postgres_url) as down,
        served_chat_app(on_postgres, encoder, chat_index, chat_entries) as (base, runtime),
    ):
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        agreed = "0123456789abcdef0123agre"
        consent = {"session_id": agreed, "action": actions.encode(actions.Consent())}
        assert httpx.post(f"{base}/api/widget/action", json=consent).status_code == 200
        down(True)
        question = {"message": "đk tạm trú ở trọ", "session_id": "0123456789abcdef01234567"}
        answered = httpx.post(f"{base}/api/chat", json=question)
        assert answered.status_code == 200 and answered.json()["entry_id"] == "tam-tru"
        interaction_id = answered.json()["interaction_id"]
        rated = httpx.post(f"{base}/api/feedback", json={"interaction_id": interaction_id, "helpful": True})
        assert rated.status_code == 201 and rated.json()["id"] is None
        # the widget: a citizen this worker saw agree is answered; a new one is asked to agree
        # (nothing of theirs is logged on a guess); staff work waits for the database (503)
        widget = httpx.post(f"{base}/api/widget/message", json={**question, "session_id": agreed})
        assert widget.status_code == 200
        assert any("tờ khai CT01" in m["text"] for m in widget.json()["messages"])  # answered
        stranger = httpx.post(f"{base}/api/widget/message", json={**question, "session_id": "f" * 24})
        assert stranger.status_code == 200
        assert stranger.json()["messages"][0]["text"] == replies.CONSENT_REQUIRED
        staff = httpx.post(f"{base}/admin/api/login", json={"username": "a", "password": "b" * 12})
        assert staff.status_code == 503 and staff.headers["retry-after"] == "5"
        assert staff.json()["detail"].startswith("Hệ thống đang tạm gián đoạn")
        health = httpx.get(f"{base}/healthz").json()
        assert (health["status"], health["database"], health["spooled"]) == ("degraded", "unreachable", 3)
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"  # still answering
        down(False)
        replayed = until(lambda: httpx.get(f"{base}/healthz").json()["status"] == "ok", 10, every=0.2)
        assert replayed, "the spool was not replayed"
        interactions, feedback = _rows(runtime.engine)
    assert interaction_id in {i.id for i in interactions} and len(interactions) == 2  # + the widget's
    assert [(f.interaction_id, f.helpful) for f in feedback] == [(interaction_id, True)]
