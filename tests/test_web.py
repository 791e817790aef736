"""The chat API over real HTTP (uvicorn on a loopback port)."""

from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select

from bot.web.app import create_app
from core.answering import AnswerService
from core.db.engine import make_engine, migrate
from core.db.models import Feedback
from core.decision import Thresholds
from core.interaction_log import InteractionLog
from core.runtime import Runtime
from core.settings import Settings
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from tests.serving import serving


@pytest.fixture
def server(settings: Settings, sample_index, encoder) -> Iterator[tuple[str, Runtime]]:
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    live = LiveIndex(None, encoder, SearchConfig())
    live.install(sample_index)
    service = AnswerService(settings, live, InteractionLog(engine), Thresholds.from_settings(settings))
    runtime = Runtime(settings, engine, encoder, live, service)
    with serving(create_app(settings, runtime)) as base:
        yield base, runtime
    engine.dispose()


def test_chat_and_feedback_round_trip(server) -> None:
    base, runtime = server
    r = httpx.post(
        f"{base}/api/chat",
        json={"message": "làm gks cho con mới đẻ cần gì ạ", "session_id": "abcdef123456"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["decision"] == "answer" and body["entry_id"] == "khai-sinh"
    assert "UBND cấp xã" in body["text"]
    f = httpx.post(
        f"{base}/api/feedback",
        json={
            "interaction_id": body["interaction_id"],
            "helpful": False,
            "reason": "outdated",
            "comment": "cũ rồi",
        },
    )
    assert f.status_code == 201 and "Cảm ơn" in f.json()["message"]
    with Session(runtime.engine) as session:
        assert session.exec(select(Feedback)).one().reason == "outdated"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"session_id": "abcdef123456"}, "message"),
        ({"message": "x" * 1001, "session_id": "abcdef123456"}, "message"),
        ({"message": "hi", "session_id": "short"}, "session_id"),
        ({"message": "hi", "session_id": "abcdef123456", "extra": 1}, "extra"),
        ({"message": 12, "session_id": "abcdef123456"}, "message"),
    ],
)
def test_bad_chat_input_names_the_field(server, payload: dict, field: str) -> None:
    base, _ = server
    r = httpx.post(f"{base}/api/chat", json=payload)
    assert r.status_code == 422
    assert any(field in err["loc"] for err in r.json()["detail"])


def test_feedback_errors(server) -> None:
    base, _ = server
    r = httpx.post(f"{base}/api/feedback", json={"interaction_id": "f" * 32, "helpful": True})
    assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["body", "interaction_id"]
    r = httpx.post(f"{base}/api/feedback", json={"interaction_id": "f" * 32, "helpful": True, "reason": "x"})
    assert r.status_code == 422 and "reason" in r.json()["detail"][0]["loc"]


def test_blank_message_gets_a_polite_reply(server) -> None:
    base, _ = server
    r = httpx.post(f"{base}/api/chat", json={"message": "   ", "session_id": "abcdef123456"})
    assert r.status_code == 200 and r.json()["decision"] == "empty"


def test_chat_page_and_health(server) -> None:
    base, runtime = server
    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and 'lang="vi"' in page.text and "/api/chat" in page.text
    health = httpx.get(f"{base}/healthz").json()
    assert health == {"status": "ok", "index_version": runtime.live.version}
