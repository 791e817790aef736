"""The web chat over real HTTP (uvicorn on a loopback port): the widget's conversation API,
the pages and their headers, and the older direct `/api/chat` and `/api/feedback`."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from bot.web.app import create_app
from core import actions, replies
from core.answering import AnswerService
from core.db.engine import make_engine, migrate
from core.db.models import Consent, Feedback, HandoffRequest, Interaction
from core.decision import Thresholds
from core.interaction_log import InteractionLog
from core.runtime import Runtime
from core.settings import Settings
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from tests.channel_runtime import served_chat_app
from tests.serving import serving

PORTAL = "https://dichvucong.example.gov.vn"


@dataclass
class Web:
    base: str
    runtime: Runtime

    def post(self, path: str, **body: Any) -> httpx.Response:
        return httpx.post(f"{self.base}/api/widget/{path}", json=body, timeout=60)


@dataclass
class Citizen:
    """One browser's session on the widget API."""

    web: Web
    session_id: str

    def call(self, path: str, **body: Any) -> dict[str, Any]:
        response = self.web.post(path, session_id=self.session_id, **body)
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        return reply

    def say(self, message: str) -> dict[str, Any]:
        return self.call("message", message=message)

    def tap(self, message: dict[str, Any], label: str) -> dict[str, Any]:
        return self.call("action", action=action_of(message, label))

    def agree(self) -> dict[str, Any]:
        return self.call("action", action=actions.encode(actions.Consent()))


def labels(message: dict[str, Any]) -> list[str]:
    return [b["label"] for row in message["rows"] for b in row]


def action_of(message: dict[str, Any], label: str) -> str:
    found = [b["action"] for row in message["rows"] for b in row if label in b["label"] and b["action"]]
    assert found, f"no button {label!r} in {labels(message)}"
    return str(found[0])


def interaction_of(message: dict[str, Any]) -> str:
    decoded = actions.decode(action_of(message, replies.NOT_HELPFUL_BUTTON))
    assert isinstance(decoded, actions.Feedback)
    return decoded.interaction_id


def serve(settings: Settings, encoder, chat_index, chat_entries) -> Iterator[Web]:
    with served_chat_app(settings, encoder, chat_index, chat_entries) as (base, runtime):
        yield Web(base, runtime)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, encoder, chat_index, chat_entries) -> Iterator[Web]:
    """One app for the module; every test is its own citizen (a fresh session id)."""
    folder = tmp_path_factory.mktemp("web")
    s = Settings(data_dir=folder, environment="test", widget_origins=[PORTAL], _env_file=None)  # type: ignore[call-arg]
    yield from serve(s, encoder, chat_index, chat_entries)


@pytest.fixture
def citizen(web: Web) -> Citizen:
    return Citizen(web, secrets.token_hex(12))


@pytest.fixture
def agreed(citizen: Citizen) -> Citizen:
    citizen.agree()
    return citizen


# --- consent ----------------------------------------------------------------------------------


def test_a_question_before_consent_is_held_then_answered_on_agreeing(citizen: Citizen) -> None:
    held = citizen.say("làm gks cho con mới đẻ cần gì ạ")["messages"]
    assert held[0]["text"] == replies.CONSENT_REQUIRED
    notice = held[1]
    assert notice["text"].startswith("Thông báo về dữ liệu cá nhân")
    assert "{{" not in notice["text"] and "nút \u201cXóa dữ liệu\u201d" in notice["text"]
    assert labels(notice) == [replies.CONSENT_BUTTON]
    user_hash = citizen.web.runtime.service.user_hash("web", citizen.session_id)
    with Session(citizen.web.runtime.engine) as session:  # nothing typed is logged before consent
        assert session.exec(select(Interaction).where(Interaction.user_hash == user_hash)).all() == []
    agreed = citizen.tap(notice, replies.CONSENT_BUTTON)
    assert agreed["update"] == []  # the consent button goes
    answer = agreed["messages"][0]
    assert answer["title"] == "Đăng ký khai sinh cho con cần giấy tờ gì?" and "UBND cấp xã" in answer["text"]
    assert labels(answer)[-2:] == [replies.HELPFUL_BUTTON, replies.NOT_HELPFUL_BUTTON]
    with Session(citizen.web.runtime.engine) as session:
        assert session.get(Consent, user_hash) is not None
        logged = session.exec(select(Interaction).where(Interaction.user_hash == user_hash)).one()
        assert logged.channel == "web" and logged.entry_id == "khai-sinh"


def test_start_shows_the_notice_until_agreed_and_privacy_is_always_reachable(citizen: Citizen) -> None:
    start = citizen.call("command", command="start")["messages"]
    assert start[0]["text"].startswith("Xin chào!") and labels(start[1]) == [replies.CONSENT_BUTTON]
    assert labels(citizen.call("command", command="privacy")["messages"][0]) == [replies.CONSENT_BUTTON]
    thanks = citizen.agree()["messages"]
    assert [m["text"] for m in thanks] == [replies.CONSENT_THANKS]
    assert len(citizen.call("command", command="start")["messages"]) == 1
    notice = citizen.call("command", command="privacy")["messages"][0]
    assert notice["rows"] == [] and "Tôi đồng ý" not in notice["text"] and "365 ngày" in notice["text"]
    help_text = citizen.call("command", command="help")["messages"][0]["text"]
    assert "Nút \u201cLĩnh vực\u201d" in help_text and "{{" not in help_text
    assert "Đường dây nóng" in citizen.call("command", command="contact")["messages"][0]["text"]


# --- answers, feedback, suggestions, handoff ------------------------------------------------------


def test_thumbs_down_with_a_reason_and_a_comment_is_recorded(agreed: Citizen) -> None:
    answer = agreed.say("lam lai cccd bi mat o dau")["messages"][0]
    interaction_id = interaction_of(answer)
    down = agreed.tap(answer, replies.NOT_HELPFUL_BUTTON)
    ticked = [(b["label"], b["chosen"]) for b in down["update"][0]]
    assert ticked == [(replies.HELPFUL_BUTTON, False), (replies.NOT_HELPFUL_BUTTON, True)]
    ask_reason = down["messages"][0]
    assert ask_reason["text"] == replies.FEEDBACK_ASK_REASON
    assert labels(ask_reason) == list(replies.REASON_LABELS.values())
    reason = agreed.tap(ask_reason, replies.REASON_LABELS["missing_info"])
    chosen = [b["label"] for row in reason["update"] for b in row if b["chosen"]]
    assert chosen == [replies.REASON_LABELS["missing_info"]]
    invite = reason["messages"][0]
    assert invite["comment_for"] == interaction_id and "vào ô ngay bên dưới" in invite["text"]
    thanks = agreed.call(
        "comment", interaction_id=interaction_id, comment="Thiếu mẫu tờ khai, gọi tôi 0912345678"
    )
    assert thanks["messages"][0]["text"] == replies.FEEDBACK_COMMENT_THANKS
    with Session(agreed.web.runtime.engine) as session:
        stored = session.exec(select(Feedback).where(Feedback.interaction_id == interaction_id)).one()
    assert (stored.helpful, stored.reason) == (False, "missing_info")
    assert stored.comment_masked is not None and "0912345678" not in stored.comment_masked


def test_thumbs_up_is_ticked(agreed: Citizen) -> None:
    answer = agreed.say("dang ky ket hon o dau")["messages"][0]
    up = agreed.tap(answer, replies.HELPFUL_BUTTON)
    assert up["messages"][0]["text"] == replies.FEEDBACK_THANKS
    assert up["update"][0][0] == {
        "label": replies.HELPFUL_BUTTON,
        "action": action_of(answer, replies.HELPFUL_BUTTON),
        "url": None,
        "chosen": True,
    }


def test_another_session_cannot_rate_comment_or_forward_a_reply(agreed: Citizen, web: Web) -> None:
    answer = agreed.say("lam lai cccd bi mat o dau")["messages"][0]
    stranger = Citizen(web, secrets.token_hex(12))
    stranger.agree()
    for data in (
        action_of(answer, replies.NOT_HELPFUL_BUTTON),
        actions.encode(actions.Reason(interaction_of(answer), "other")),
        actions.encode(actions.Handoff(interaction_of(answer))),
    ):
        refused = web.post("action", session_id=stranger.session_id, action=data)
        assert refused.status_code == 404, refused.text
        detail = refused.json()["detail"][0]
        assert detail["loc"] == ["body", "action"] and detail["type"] == "not_found"
        assert detail["msg"] in (replies.FEEDBACK_EXPIRED, replies.BUTTON_EXPIRED)
    comment = web.post(
        "comment", session_id=stranger.session_id, interaction_id=interaction_of(answer), comment="x"
    )
    assert comment.status_code == 404 and comment.json()["detail"][0]["loc"] == ["body", "interaction_id"]
    with Session(web.runtime.engine) as session:
        rated = session.exec(select(Feedback).where(Feedback.interaction_id == interaction_of(answer))).all()
    assert rated == []


def test_suggestions_are_chips_that_answer(agreed: Citizen) -> None:
    suggested = agreed.say("căn cước")["messages"][0]
    assert suggested["text"] == replies.SUGGEST_INTRO  # the questions are on the chips
    assert "Đến tuổi 25 có phải đổi thẻ căn cước không?" in labels(suggested)
    chosen = agreed.tap(suggested, "Đến tuổi 25")["messages"][0]
    assert chosen["title"] == "Đến tuổi 25 có phải đổi thẻ căn cước không?"
    assert replies.NOT_HELPFUL_BUTTON in labels(chosen)


def test_a_fallback_can_be_forwarded_to_staff(agreed: Citizen) -> None:
    fallback = agreed.say("cách chơi cờ vua cho người mới bắt đầu")["messages"][0]
    assert fallback["text"].startswith("Xin lỗi") and labels(fallback) == [replies.HANDOFF_BUTTON]
    forwarded = agreed.tap(fallback, replies.HANDOFF_BUTTON)
    handed_off = {"label": "✅ " + replies.HANDED_OFF_LABEL, "action": None, "url": None, "chosen": None}
    assert forwarded["update"] == [[handed_off]]
    assert forwarded["messages"][0]["text"].startswith("Đã chuyển câu hỏi của bạn cho cán bộ")
    decoded = actions.decode(action_of(fallback, replies.HANDOFF_BUTTON))
    assert isinstance(decoded, actions.Handoff)
    with Session(agreed.web.runtime.engine) as session:
        assert session.exec(
            select(HandoffRequest).where(HandoffRequest.interaction_id == decoded.interaction_id)
        ).one()


def test_browsing_by_category_reaches_an_answer(agreed: Citizen) -> None:
    categories = agreed.call("command", command="browse")["messages"][0]
    assert categories["text"] == replies.CATEGORIES_TITLE and "Hộ tịch (3)" in labels(categories)
    questions = agreed.tap(categories, "Hộ tịch")["messages"][0]
    assert questions["text"].startswith("Hộ tịch (trang 1/1)")
    answer = agreed.tap(questions, "Đăng ký kết hôn làm ở đâu?")["messages"][0]
    assert answer["title"] == "Đăng ký kết hôn làm ở đâu?"


def test_a_link_in_an_answer_is_a_url_button(agreed: Citizen) -> None:
    answer = agreed.say("nhan con nuoi trong nuoc")["messages"][0]
    links = [b for row in answer["rows"] for b in row if b["url"]]
    assert links and links[0]["action"] is None and links[0]["url"].startswith("https://")
    assert "<sức khỏe, kinh tế>" in answer["text"]  # markup in FAQ text is text for the client


def test_erasure_forgets_everything_and_asks_for_consent_again(agreed: Citizen) -> None:
    agreed.say("lam lai cccd bi mat o dau")
    confirm = agreed.call("command", command="erase")["messages"][0]
    assert labels(confirm) == [replies.ERASE_NO, replies.ERASE_YES]
    kept = agreed.tap(confirm, replies.ERASE_NO)
    assert (
        kept["messages"][0]["text"] == replies.ERASE_CANCELLED and kept["update"] == [] and not kept["reset"]
    )
    erased = agreed.tap(confirm, replies.ERASE_YES)
    assert erased["reset"] is True and erased["messages"][0]["text"].startswith("Đã xóa 1 câu hỏi")
    user_hash = agreed.web.runtime.service.user_hash("web", agreed.session_id)
    with Session(agreed.web.runtime.engine) as session:
        assert session.exec(select(Interaction).where(Interaction.user_hash == user_hash)).all() == []
    assert agreed.say("lam lai cccd bi mat o dau")["messages"][0]["text"] == replies.CONSENT_REQUIRED


def test_blank_and_long_questions(agreed: Citizen) -> None:
    assert agreed.say("   ")["messages"][0]["text"] == replies.EMPTY
    long = agreed.say("lam lai cccd bi mat o dau " + "x" * 1200)["messages"][0]["text"]
    assert long.startswith("Lưu ý: câu hỏi khá dài nên tôi chỉ đọc 1000 ký tự đầu.")


# --- precise refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("message", {"message": "hi"}, "session_id"),
        ("message", {"session_id": "short", "message": "hi"}, "session_id"),
        ("message", {"session_id": "x" * 65, "message": "hi"}, "session_id"),
        ("message", {"session_id": "abc def ghi jkl mno", "message": "hi"}, "session_id"),
        ("message", {"session_id": "a" * 20}, "message"),
        ("message", {"session_id": "a" * 20, "message": ""}, "message"),
        ("message", {"session_id": "a" * 20, "message": "x" * 20_001}, "message"),
        ("message", {"session_id": "a" * 20, "message": 12}, "message"),
        ("message", {"session_id": "a" * 20, "message": "hi", "extra": 1}, "extra"),
        ("command", {"session_id": "a" * 20, "command": "reboot"}, "command"),
        ("action", {"session_id": "a" * 20, "action": "fb:<script>"}, "action"),
        ("action", {"session_id": "a" * 20, "action": "zz:1"}, "action"),
        ("action", {"session_id": "a" * 20, "action": "fr:" + "f" * 32 + ":9"}, "action"),
        ("comment", {"session_id": "a" * 20, "interaction_id": "nope", "comment": "x"}, "interaction_id"),
        ("comment", {"session_id": "a" * 20, "interaction_id": "f" * 32, "comment": ""}, "comment"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(web: Web, path: str, body: dict[str, Any], field: str) -> None:
    response = web.post(path, **body)
    assert response.status_code == 422, response.text
    assert any(field in err["loc"] for err in response.json()["detail"]), response.text


def test_control_characters_are_dropped_not_stored(agreed: Citizen) -> None:
    answer = agreed.say("lam lai cccd\x00 bi mat o dau\x07")["messages"][0]
    assert answer["title"] == "Làm lại thẻ căn cước bị mất ở đâu, cần giấy tờ gì?"


def test_too_many_questions_is_a_polite_429(tmp_path, encoder, chat_index, chat_entries) -> None:
    s = Settings(data_dir=tmp_path, environment="test", user_rate_limit="2/minute", _env_file=None)  # type: ignore[call-arg]
    for web in serve(s, encoder, chat_index, chat_entries):
        citizen = Citizen(web, secrets.token_hex(12))
        citizen.agree()
        citizen.say("dang ky ket hon o dau")
        citizen.say("dang ky ket hon o dau")
        limited = web.post("message", session_id=citizen.session_id, message="dang ky ket hon o dau")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        detail = limited.json()["detail"][0]
        assert detail["msg"] == replies.RATE_LIMITED and detail["loc"] == ["body", "session_id"]


# --- pages ------------------------------------------------------------------------------------


def _no_inline_code(html: str) -> None:
    """What the CSP would block: inline scripts, style elements and style attributes."""
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert "http://" not in html.replace("http://127.0.0.1", "") and "https://" not in html


def test_the_pages_are_local_and_only_chat_may_be_framed(web: Web) -> None:
    full = httpx.get(f"{web.base}/")
    widget = httpx.get(f"{web.base}/chat", params={"embed": "1"})
    for page in (full, widget):
        assert page.status_code == 200 and 'lang="vi"' in page.text and 'role="log"' in page.text
        _no_inline_code(page.text)
        assert "script-src 'self'" in page.headers["content-security-policy"]
    assert full.headers["x-frame-options"] == "DENY" and 'class="embed"' not in full.text
    assert 'class="embed"' in widget.text and "x-frame-options" not in widget.headers
    assert f"frame-ancestors 'self' {PORTAL}" in widget.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/assets/[^"]+)"', full.text):
        assert httpx.get(f"{web.base}{asset}").status_code == 200, asset


def test_embed_script_and_demo_page(web: Web) -> None:
    script = httpx.get(f"{web.base}/chat/embed.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "/chat?embed=1" in script.text and "innerHTML" not in script.text
    demo = httpx.get(f"{web.base}/chat/nhung-thu")
    assert demo.status_code == 200
    _no_inline_code(demo.text.replace(web.base, "http://127.0.0.1"))
    snippet = f"&lt;script src=&#34;{web.base}/chat/embed.js&#34; defer&gt;&lt;/script&gt;"
    assert snippet in demo.text and '<script src="/chat/embed.js" defer></script>' in demo.text


def test_the_widget_script_never_writes_markup() -> None:
    from importlib import resources

    for name in ("chat.js", "embed.js"):
        source = (resources.files("bot.web") / "assets" / name).read_text("utf-8")
        source = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.DOTALL)  # comments may say it
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", source), name


# --- the direct API ---------------------------------------------------------------------------


def test_direct_chat_and_feedback_round_trip(web: Web) -> None:
    r = httpx.post(
        f"{web.base}/api/chat",
        json={"message": "làm gks cho con mới đẻ cần gì ạ", "session_id": "abcdef123456"},
        timeout=60,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["decision"] == "answer" and body["entry_id"] == "khai-sinh"
    assert "UBND cấp xã" in body["text"]
    f = httpx.post(
        f"{web.base}/api/feedback",
        json={
            "interaction_id": body["interaction_id"],
            "helpful": False,
            "reason": "outdated",
            "comment": "cũ",
        },
    )
    assert f.status_code == 201 and "Cảm ơn" in f.json()["message"]
    with Session(web.runtime.engine) as session:
        stored = session.exec(select(Feedback).where(Feedback.interaction_id == body["interaction_id"]))
        assert stored.one().reason == "outdated"


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
def test_bad_direct_chat_input_names_the_field(web: Web, payload: dict, field: str) -> None:
    r = httpx.post(f"{web.base}/api/chat", json=payload)
    assert r.status_code == 422
    assert any(field in err["loc"] for err in r.json()["detail"])


def test_direct_feedback_errors(web: Web) -> None:
    r = httpx.post(f"{web.base}/api/feedback", json={"interaction_id": "f" * 32, "helpful": True})
    assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["body", "interaction_id"]
    r = httpx.post(
        f"{web.base}/api/feedback", json={"interaction_id": "f" * 32, "helpful": True, "reason": "x"}
    )
    assert r.status_code == 422 and "reason" in r.json()["detail"][0]["loc"]


def test_health(web: Web) -> None:
    response = httpx.get(f"{web.base}/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])  # on every response
    health = response.json()
    assert health == {
        "status": "ok",
        "index_version": web.runtime.live.version,
        "database": "ok",
        "spooled": 0,
    }


def test_not_ready_without_an_index(settings: Settings, encoder) -> None:
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    live = LiveIndex(None, encoder, SearchConfig())  # nothing installed: nothing to answer with
    service = AnswerService(settings, live, InteractionLog(engine), Thresholds.from_settings(settings))
    with serving(create_app(settings, Runtime(settings, engine, encoder, live, service))) as base:
        response = httpx.get(f"{base}/readyz")
    engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "index_version": None, "database": "ok", "spooled": 0}


def test_no_cross_origin_api_access(web: Web) -> None:
    """No CORS: the widget calls the API from its own frame on this origin, so a page elsewhere
    (configured portal or not) gets no permission to read API responses."""
    for origin in (PORTAL, "https://evil.example"):
        preflight = httpx.options(
            f"{web.base}/api/widget/message",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
        response = httpx.post(
            f"{web.base}/api/widget/message",
            json={"message": "xin chào", "session_id": "0123456789abcdef0123cors"},
            headers={"Origin": origin},
        )
        assert "access-control-allow-origin" not in response.headers
