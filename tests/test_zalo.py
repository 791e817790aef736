"""The Zalo OA channel end to end: signed events posted over real HTTP to our webhook, the
shared conversation with the real model and database, replies read back from a fake Zalo
OpenAPI/OAuth server on loopback."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.web.app import create_app
from bot.zalo.render import MAX_BUTTONS, MAX_TEXT_CHARS
from bot.zalo.tokens import DatabaseTokenStore
from core import replies
from core.chunking import split_message
from core.db.models import (
    Consent,
    ConversationState,
    Feedback,
    HandoffRequest,
    Interaction,
    ProcessedUpdate,
    ZaloOutbox,
)
from core.faq import FaqEntry
from core.runtime import Runtime, database
from core.settings import Settings
from retrieval.index import SearchIndex
from tests.channel_runtime import LONG_ENTRY, chat_runtime
from tests.fakes.zalo_api import APP_SECRET, FakeZalo, running_fake_zalo
from tests.fakes.zalo_driver import (
    APP_ID,
    OA_ID,
    OA_SECRET_KEY,
    Follower,
    buttons,
    event,
    payload_for,
    sign,
    text_event,
    text_of,
)
from tests.polling import until
from tests.serving import serving

QUESTION = "mất cccd đi đâu làm lại ạ"


@dataclass
class Zalo:
    follower: Follower
    fake: FakeZalo
    engine: Engine
    base_url: str

    def rows(self, model: Any) -> list[Any]:
        with Session(self.engine) as session:
            return list(session.exec(select(model)).all())


def zalo_settings(settings: Settings, fake: FakeZalo, **extra: Any) -> Settings:
    values = {
        "zalo_app_id": APP_ID,
        "zalo_oa_id": OA_ID,
        "zalo_oa_secret_key": OA_SECRET_KEY,
        "zalo_app_secret": APP_SECRET,
        "zalo_access_token": fake.access_token,  # the first pair, seeded into the database
        "zalo_refresh_token": fake.refresh_token,
        "zalo_api_url": fake.base_url,
        "zalo_oauth_url": fake.base_url,
        "zalo_outbox_retry_seconds": 1,
        "user_rate_limit": "5/minute",
        **extra,
    }
    return Settings(**{**settings.model_dump(), **values})


@contextmanager
def running_app(s: Settings, runtime: Runtime) -> Iterator[str]:
    try:
        with serving(create_app(s, runtime)) as base:
            yield base
    finally:
        runtime.engine.dispose()


@pytest.fixture
def zalo(
    settings: Settings, encoder: Any, chat_index: SearchIndex, chat_entries: list[FaqEntry]
) -> Iterator[Zalo]:
    with running_fake_zalo() as fake:
        s = zalo_settings(settings, fake)
        runtime = chat_runtime(s, encoder, chat_index, chat_entries)
        with running_app(s, runtime) as base:
            yield Zalo(Follower(fake, base), fake, runtime.engine, base)


def _answered(zalo: Zalo, question: str = QUESTION) -> dict[str, Any]:
    """Agree, ask, and return the answer message (a template with the feedback buttons)."""
    zalo.follower.agree()
    zalo.follower.say(question)
    return zalo.follower.sent(3)[2]


# --- the webhook ------------------------------------------------------------------------------


def test_follow_greets_with_privacy_notice_and_consent_button(zalo: Zalo) -> None:
    assert zalo.follower.post(event(zalo.follower.user_id, "follow")).status_code == 200
    welcome = zalo.follower.sent(1)[0]
    assert text_of(welcome).startswith("Xin chào!") and "365 ngày" in text_of(welcome)
    assert "xóa dữ liệu" in text_of(welcome) and "/xoadulieu" not in text_of(welcome)
    consent = buttons(welcome)[0]
    assert consent["type"] == "oa.query.hide" and consent["payload"].startswith("#hd:")
    assert zalo.rows(Consent) == []


def test_first_question_is_held_then_answered_after_consent(zalo: Zalo) -> None:
    zalo.follower.say("lam lai cccd bi mat o dau")
    welcome = zalo.follower.sent(1)[0]
    assert "Tôi đồng ý" in buttons(welcome)[0]["title"] and zalo.rows(Interaction) == []
    held = zalo.rows(ConversationState)
    assert len(held) == 1 and held[0].held_question == "lam lai cccd bi mat o dau"
    zalo.follower.tap(welcome, "Tôi đồng ý")
    answer = zalo.follower.sent(2)[1]
    assert "căn cước" in text_of(answer).lower()
    assert [b["title"] for b in buttons(answer)][-2:] == [replies.HELPFUL_BUTTON, replies.NOT_HELPFUL_BUTTON]
    interactions = zalo.rows(Interaction)
    assert len(interactions) == 1 and interactions[0].channel == "zalo"
    assert zalo.rows(ConversationState)[0].held_question is None


def test_bad_signature_missing_header_and_stale_timestamp_are_refused(zalo: Zalo) -> None:
    follower = zalo.follower
    body = text_event(follower.user_id, QUESTION)
    assert follower.post(body, signature="mac=" + "0" * 64).status_code == 403
    assert follower.post(body, signature=None).status_code == 403
    tampered = json.dumps({**body, "message": {**body["message"], "text": "khác"}}).encode()
    forged = {"X-ZEvent-Signature": sign(json.dumps(body).encode(), body["timestamp"])}
    assert httpx.post(f"{zalo.base_url}/webhooks/zalo", content=tampered, headers=forged).status_code == 403
    stale = text_event(follower.user_id, QUESTION, timestamp=str(int(time.time() * 1000) - 3600_000))
    response = follower.post(stale)
    assert response.status_code == 403 and "timestamp" in response.json()["detail"]
    time.sleep(0.5)  # nothing was processed in the background either
    assert zalo.fake.to(follower.user_id) == [] and zalo.rows(ProcessedUpdate) == []


def test_malformed_and_oversized_bodies(zalo: Zalo) -> None:
    url = f"{zalo.base_url}/webhooks/zalo"
    header = {"X-ZEvent-Signature": "mac=" + "0" * 64}
    not_json = httpx.post(url, content=b"{not json", headers=header)
    assert not_json.status_code == 400 and not_json.json()["detail"].startswith("body")
    no_text = text_event(zalo.follower.user_id, "x")
    del no_text["message"]["text"]
    missing = zalo.follower.post(no_text)
    assert missing.status_code == 400 and missing.json()["detail"].startswith("message.text")
    bad_time = zalo.follower.post({**text_event(zalo.follower.user_id, "x"), "timestamp": "hôm qua"})
    assert bad_time.status_code == 400 and bad_time.json()["detail"].startswith("timestamp")
    huge = text_event(zalo.follower.user_id, "a" * 70_000)
    assert zalo.follower.post(huge).status_code == 413


def test_duplicate_msg_id_is_answered_once(zalo: Zalo) -> None:
    zalo.follower.agree()
    body = text_event(zalo.follower.user_id, QUESTION, msg_id="dup-1")
    with ThreadPoolExecutor(4) as pool:  # Zalo's retries, some arriving at the same moment
        statuses = list(pool.map(lambda _: zalo.follower.post(body).status_code, range(4)))
    assert statuses == [200] * 4
    zalo.follower.sent(3)
    time.sleep(1.0)
    assert len(zalo.fake.to(zalo.follower.user_id)) == 3 and len(zalo.rows(Interaction)) == 1


# --- the conversation -------------------------------------------------------------------------


def test_feedback_payloads_are_recorded_never_asked(zalo: Zalo) -> None:
    answer = _answered(zalo)
    zalo.follower.tap(answer, "Chưa đúng")
    reasons = zalo.follower.sent(4)[3]
    assert text_of(reasons) == replies.FEEDBACK_ASK_REASON and len(buttons(reasons)) == 5
    zalo.follower.tap(reasons, "Thông tin đã cũ")
    prompt = zalo.follower.sent(5)[4]
    assert text_of(prompt).startswith(replies.FEEDBACK_THANKS) and "Góp ý:" in text_of(prompt)
    zalo.follower.say("Góp ý: tôi gọi 0987654321 thì được báo khác")
    assert text_of(zalo.follower.sent(6)[5]) == replies.FEEDBACK_COMMENT_THANKS
    [feedback] = zalo.rows(Feedback)
    assert (feedback.helpful, feedback.reason) == (False, "outdated")
    assert "0987654321" not in (feedback.comment_masked or "") and "tôi gọi" in (
        feedback.comment_masked or ""
    )
    zalo.follower.tap(answer, "Hữu ích")  # changing one's mind updates the verdict
    assert text_of(zalo.follower.sent(7)[6]) == replies.FEEDBACK_THANKS
    assert [(f.helpful, f.reason) for f in zalo.rows(Feedback)] == [(True, None)]
    assert len(zalo.rows(Interaction)) == 1  # no tap, payload or comment was taken for a question


def test_a_forged_or_unknown_payload_is_not_a_question(zalo: Zalo) -> None:
    answer = _answered(zalo)
    stranger = Follower(zalo.fake, zalo.base_url, user_id="7700000000000000999")
    stranger.agree()
    stranger.say(payload_for(answer, "Chưa đúng"))  # another follower's reply
    assert text_of(stranger.sent(3)[2]) == replies.FEEDBACK_EXPIRED
    stranger.say("#hd:zz:unknown")
    assert text_of(stranger.sent(4)[3]) == replies.BUTTON_EXPIRED
    assert zalo.rows(Feedback) == [] and len(zalo.rows(Interaction)) == 1


def test_fallback_hands_off_to_staff(zalo: Zalo) -> None:
    fallback = _answered(zalo, "cách chơi cờ vua cho người mới bắt đầu")
    assert text_of(fallback).startswith("Xin lỗi") and len(buttons(fallback)) == 1
    zalo.follower.tap(fallback, "Chuyển câu hỏi")
    assert text_of(zalo.follower.sent(4)[3]).startswith("Đã chuyển câu hỏi của bạn cho cán bộ")
    [handoff] = zalo.rows(HandoffRequest)
    assert handoff.interaction_id == zalo.rows(Interaction)[0].id


def test_category_browsing_by_keyword(zalo: Zalo) -> None:
    zalo.follower.agree()
    zalo.follower.say("Danh mục")
    listing = zalo.follower.sent(3)[2]
    assert text_of(listing) == replies.CATEGORIES_TITLE and len(buttons(listing)) <= MAX_BUTTONS
    zalo.follower.tap(listing, "Căn cước")
    questions = zalo.follower.sent(4)[3]
    assert text_of(questions).startswith("Căn cước (trang 1/")
    first = buttons(questions)[0]
    zalo.follower.say(first["payload"])
    answer = zalo.follower.sent(5)[4]
    assert text_of(answer).startswith(first["title"].rstrip("…")[:40])
    assert zalo.rows(Interaction)[0].decision == "answer"


def test_suggestions_are_buttons_that_answer(
    settings: Settings, encoder: Any, chat_index: SearchIndex, chat_entries: list[FaqEntry]
) -> None:
    with running_fake_zalo() as fake:
        # Thresholds that make every match a suggestion, so the suggestion path is certain.
        s = zalo_settings(settings, fake, answer_threshold=1.0, suggest_threshold=0.5)
        runtime = chat_runtime(s, encoder, chat_index, chat_entries)
        with running_app(s, runtime) as base:
            follower = Follower(fake, base)
            follower.agree()
            follower.say("bị mất thẻ căn cước thì xin cấp lại thế nào")
            suggestion = follower.sent(3)[2]
            assert text_of(suggestion).startswith(replies.SUGGEST_INTRO)
            first = buttons(suggestion)[0]
            follower.say(first["payload"])
            assert text_of(follower.sent(4)[3]).startswith(first["title"].rstrip("…")[:40])


def test_erasure_on_request(zalo: Zalo) -> None:
    _answered(zalo)
    zalo.follower.say("xoa du lieu")
    confirm = zalo.follower.sent(4)[3]
    assert text_of(confirm) == replies.ERASE_CONFIRM
    zalo.follower.tap(confirm, "Xóa dữ liệu")
    done = text_of(zalo.follower.sent(5)[4])
    assert done.startswith("Đã xóa 1 câu hỏi") and "cứ nhắn câu hỏi" in done
    assert zalo.rows(Interaction) == [] and zalo.rows(Consent) == [] and zalo.rows(ConversationState) == []


def test_images_stickers_help_and_contact(zalo: Zalo) -> None:
    user = zalo.follower.user_id
    for name in ("user_send_image", "user_send_sticker"):
        assert zalo.follower.post(event(user, name)).status_code == 200
    assert [text_of(m) for m in zalo.follower.sent(2)] == [replies.NON_TEXT] * 2
    zalo.follower.say("hướng dẫn")
    zalo.follower.say("Liên hệ!")
    help_text, contact = (text_of(m) for m in zalo.follower.sent(4)[2:])
    assert "Nhắn \u201cdanh mục\u201d" in help_text and contact.startswith("Thông tin liên hệ")
    assert zalo.follower.post(event(user, "user_seen_message")).status_code == 200
    time.sleep(0.5)
    assert len(zalo.fake.to(user)) == 4 and zalo.rows(Interaction) == []


def test_long_answer_is_split_with_buttons_on_the_last_part(zalo: Zalo) -> None:
    zalo.follower.agree()
    zalo.follower.say("nhận con nuôi trong nước cần điều kiện gì")
    full = f"{LONG_ENTRY.question}\n\n{LONG_ENTRY.answer}"
    expected = len(split_message(full + "\n\nCăn cứ pháp lý: x", MAX_TEXT_CHARS))
    parts = zalo.follower.sent(2 + expected)[2:]
    assert len(parts) == expected >= 3 and all(len(text_of(p)) <= MAX_TEXT_CHARS for p in parts)
    paragraphs = {x.strip() for x in full.split("\n\n")}  # every cut falls between paragraphs
    legal_basis = text_of(parts[-1]).split("\n\n")[-1]
    for part in parts:
        assert {x.strip() for x in text_of(part).split("\n\n")} - paragraphs <= {legal_basis}
    assert all("attachment" not in p for p in parts[:-1]) and buttons(parts[-1])
    assert text_of(parts[0]).startswith(LONG_ENTRY.question)
    assert "<sức khỏe, kinh tế>" in text_of(parts[0])  # plain text: nothing escaped
    urls = [b["payload"]["url"] for b in buttons(parts[-1]) if b["type"] == "oa.open.url"]
    assert urls == LONG_ENTRY.links


def test_one_followers_events_are_answered_in_order(zalo: Zalo) -> None:
    zalo.follower.agree()
    for text in ("hướng dẫn", "liên hệ", "danh mục", "hướng dẫn"):  # posted back to back
        zalo.follower.say(text)
    replies_in_order = [text_of(m).split("\n")[0] for m in zalo.follower.sent(6)[2:]]
    assert replies_in_order == ["Cách dùng:", "Thông tin liên hệ:", replies.CATEGORIES_TITLE, "Cách dùng:"]


# --- tokens and delivery failures ---------------------------------------------------------------


def test_a_zalo_5xx_is_retried_and_the_reply_delivered(zalo: Zalo) -> None:
    zalo.follower.agree()
    calls = zalo.fake.message_calls
    zalo.fake.fail_next = 2  # two 502s, then Zalo recovers within the client's retries
    zalo.follower.say("liên hệ")
    assert text_of(zalo.follower.sent(3)[2]).startswith("Thông tin liên hệ")
    assert zalo.fake.message_calls == calls + 3 and zalo.rows(ZaloOutbox) == []


def test_token_expiry_mid_conversation_refreshes_once(zalo: Zalo) -> None:
    zalo.follower.agree()
    zalo.fake.expire()
    with ThreadPoolExecutor(3) as pool:  # several replies meet the expired token at once
        list(pool.map(lambda q: zalo.follower.say(q), [QUESTION, "hướng dẫn", "liên hệ"]))
    zalo.follower.sent(5)
    assert zalo.fake.refreshes == 1
    stored = DatabaseTokenStore(zalo.engine).load()
    assert stored is not None and stored.refresh_token == zalo.fake.refresh_token == "refresh-1"


def test_refresh_failure_is_logged_queued_and_delivered_later(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    zalo.follower.agree()
    zalo.fake.expire()
    zalo.fake.refuse_refresh = True
    with caplog.at_level(logging.ERROR):
        zalo.follower.say(QUESTION)
        until(lambda: zalo.rows(ZaloOutbox), 20)
    [queued] = zalo.rows(ZaloOutbox)
    assert queued.attempts >= 1 and "refused" in queued.last_error
    assert "queued for retry" in caplog.text
    assert "access-0" not in caplog.text and "refresh-0" not in caplog.text  # the pair it held
    assert httpx.get(f"{zalo.base_url}/healthz").json()["zalo_outbox"] == 1
    zalo.fake.refuse_refresh = False  # Zalo recovers; the retry loop (every second) delivers
    answer = zalo.follower.sent(3)[2]
    assert "căn cước" in text_of(answer).lower() and zalo.fake.refreshes == 1
    assert until(lambda: not zalo.rows(ZaloOutbox), 10), zalo.rows(ZaloOutbox)


def test_webhook_is_404_when_zalo_is_not_configured(settings: Settings, encoder: Any) -> None:
    from retrieval.index import build_index
    from tests.conftest import SAMPLE_FAQ  # noqa: F401  (documented sample data)

    runtime = chat_runtime(settings, encoder, build_index([LONG_ENTRY], encoder), [LONG_ENTRY])
    with running_app(settings, runtime) as base:
        response = httpx.post(f"{base}/webhooks/zalo", content=b"{}")
    assert response.status_code == 404


# --- several workers on one PostgreSQL ---------------------------------------------------------


def test_two_workers_on_postgres_answer_a_redelivered_event_once(
    settings: Settings,
    postgres_url: str,
    encoder: Any,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
) -> None:
    with running_fake_zalo() as fake, ExitStack() as stack:
        s = zalo_settings(settings, fake, database_url=postgres_url)
        bases = [
            stack.enter_context(running_app(s, chat_runtime(s, encoder, chat_index, chat_entries)))
            for _ in range(2)
        ]
        followers = [Follower(fake, base) for base in bases]
        followers[0].agree()
        body = text_event(followers[0].user_id, QUESTION, msg_id="dup-pg")
        with ThreadPoolExecutor(4) as pool:  # Zalo's retry lands on the other worker
            list(pool.map(lambda i: followers[i % 2].post(body), range(4)))
        followers[0].sent(3)
        time.sleep(1.0)
        assert len(fake.to(followers[0].user_id)) == 3
        fake.expire()  # both workers meet the expired token: the pair in the database rotates
        followers[0].say("hướng dẫn")
        followers[1].say("liên hệ")
        followers[0].sent(5)
        stored = DatabaseTokenStore(stack.enter_context(database(s))).load()
        assert stored is not None and stored.refresh_token == fake.refresh_token


# --- rendering ----------------------------------------------------------------------------------


def test_buttons_travel_five_to_a_template_and_state_labels_are_dropped() -> None:
    from bot.zalo.render import to_messages
    from core import actions
    from core.conversation import Button, Outgoing

    rows = [[Button(f"Câu hỏi {i}", actions.Choose(f"ref{i}"))] for i in range(7)]
    messages = to_messages(Outgoing("Chọn:", [*rows, [Button("✅ Đã chuyển cho cán bộ")]]))
    assert [len(buttons(m)) for m in messages] == [5, 2]
    assert text_of(messages[0]) == "Chọn:" and text_of(messages[1]) == "Chọn tiếp:"
    assert buttons(messages[1])[1]["payload"] == "#hd:q:ref6"
    long_title = to_messages(Outgoing("x", [[Button("a" * 150, actions.Categories(0))]]))
    assert len(buttons(long_title[0])[0]["title"]) == 100


def test_a_card_keeps_its_link_and_verdict_when_its_cases_need_a_second_template() -> None:
    from bot.zalo.render import to_messages
    from core import actions
    from core.conversation import as_outgoing
    from core.messages import Decision, Reply, Suggestion

    cases = tuple(
        Suggestion(f"tthc-1.00{i}", f"Đăng ký lại tàu trong trường hợp đổi tên {i}", 0.9) for i in range(4)
    )
    card = Reply(
        "a" * 32, Decision.CATALOG, "Thẻ thủ tục", links=("https://dichvucong.gov.vn/x",), suggestions=cases
    )
    messages = to_messages(as_outgoing(card))
    first, more = buttons(messages[0]), buttons(messages[1])
    assert [b["type"] for b in first[:3]] == ["oa.open.url", "oa.query.hide", "oa.query.hide"]
    assert [b["payload"] for b in first[1:3]] == [
        "#hd:" + actions.encode(actions.Feedback("a" * 32, True)),
        "#hd:" + actions.encode(actions.Feedback("a" * 32, False)),
    ]
    titles = [b["title"] for b in first[3:] + more]
    assert titles == [f"{i + 1}. Đổi tên {i}" for i in range(4)]
    assert text_of(messages[1]) == "Chọn tiếp:"


def test_event_ids_are_stable_63_bit_keys() -> None:
    from bot.zalo.events import parse_event

    first = parse_event(text_event("1", "a", msg_id="abc"))
    again = parse_event(text_event("1", "b", msg_id="abc"))
    follow = parse_event(event("1", "follow"))
    assert first.dedupe_key == again.dedupe_key != follow.dedupe_key
    assert 0 <= first.dedupe_key < 2**63 and follow.user_id == "1"


def test_the_oa_answers_through_a_database_outage(
    settings: Settings,
    encoder: Any,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
    postgres_server: str,
    postgres_url: str,
) -> None:
    """PostgreSQL refuses connections: a follower who agreed is answered once per event (posted
    twice here), and the question is stored when the database is back."""
    from tests.test_spool import outage, stored_after_outage

    with running_fake_zalo() as fake, outage(postgres_server, postgres_url) as down:
        s = zalo_settings(settings, fake, database_url=postgres_url, spool_retry_seconds=0.2)
        runtime = chat_runtime(s, encoder, chat_index, chat_entries)
        with running_app(s, runtime) as base:
            follower = Follower(fake, base)
            follower.agree()
            down(True)
            follower.say(QUESTION, msg_id="outage-msg-0001")
            follower.say(QUESTION, msg_id="outage-msg-0001")  # Zalo's redelivery
            answer = follower.sent(3)[2]
            assert "căn cước" in json.dumps(answer, ensure_ascii=False)
            time.sleep(1.0)
            assert len(fake.to(follower.user_id)) == 3  # the copy was not answered again
            down(False)
            stored = stored_after_outage(runtime.engine)
            assert [i.entry_id for i in stored] == ["cccd-cap-lai"]
