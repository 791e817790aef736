"""The Telegram channel end to end: our app (real uvicorn) and python-telegram-bot's real
networking stack against a fake Bot API server on loopback, in polling and webhook mode."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from bot.telegram.render import split_message
from bot.web.app import create_app
from core import actions as cb
from core import replies
from core.catalog import Procedure
from core.db.models import Consent, Feedback, HandoffRequest, Interaction, ProcessedUpdate
from core.faq import FaqEntry
from core.settings import Settings
from retrieval.index import SearchIndex
from tests.channel_runtime import LONG_ENTRY, chat_runtime, vessel_cases
from tests.fakes.telegram_api import (
    photo_update,
    running_fake_telegram,
    text_update,
)
from tests.fakes.telegram_driver import Bot, buttons, callback_data_for
from tests.serving import serving
from tests.shared_data import require_shared

TOKEN = "123456789:TEST-token-abcdefghijklmnopqrstuvwxyz"
SECRET = "s3cret-webhook-token-0123456789"
USER = 424242


@contextmanager
def _running_bot(
    settings: Settings,
    encoder: Any,
    index: SearchIndex,
    entries: list[FaqEntry],
    webhook: bool,
    procedures: Sequence[Procedure] = (),
) -> Iterator[Bot]:
    """Our app serving ``entries`` (and a catalog of ``procedures``) against a fake Bot API."""
    with running_fake_telegram(TOKEN) as fake:
        updates: dict[str, Any] = {
            "telegram_token": TOKEN,
            "telegram_api_url": fake.base_url,
            "user_rate_limit": "5/minute",
            "telegram_typing_delay_ms": 0,  # show "typing…" for every answer, so tests can see it
        }
        if webhook:
            updates |= {"telegram_webhook_url": "https://hoidap.example/webhooks/telegram"}
            updates |= {"telegram_webhook_secret": SECRET}
        s = Settings(**{**settings.model_dump(), **updates})
        runtime = chat_runtime(s, encoder, index, entries, procedures)
        try:
            with serving(create_app(s, runtime)) as base:
                yield Bot(fake, base, runtime.engine, webhook, SECRET)
        finally:
            runtime.engine.dispose()


@pytest.fixture(params=["polling", "webhook"])
def bot(
    request: pytest.FixtureRequest,
    settings: Settings,
    encoder: Any,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
) -> Iterator[Bot]:
    with _running_bot(settings, encoder, chat_index, chat_entries, request.param == "webhook") as bot:
        yield bot


def _agree(bot: Bot) -> list[dict[str, Any]]:
    """/start, then tap "Tôi đồng ý"; returns the bot's messages so far."""
    bot.say("/start")
    notice = bot.sent(2)[1]
    bot.tap(notice, cb.encode(cb.Consent()))
    return bot.sent(3)


def test_start_shows_privacy_notice_and_records_consent(bot: Bot) -> None:
    welcome, notice, thanks = _agree(bot)
    assert "trợ lý tự động" in welcome["text"] and "Tôi không thể" in welcome["text"]
    assert "/xoadulieu" in notice["text"] and "365 ngày" in notice["text"]
    assert thanks["text"] == replies.CONSENT_THANKS
    with Session(bot.engine) as session:
        assert session.exec(select(Consent)).one().channel == "telegram"
    assert bot.fake.wait_for("answerCallbackQuery")


def test_question_before_consent_is_held_then_answered_and_logged_after(bot: Bot) -> None:
    bot.say("lam lai cccd bi mat o dau")
    required, notice = bot.sent(2)
    assert required["text"] == replies.CONSENT_REQUIRED
    with Session(bot.engine) as session:
        assert session.exec(select(Interaction)).all() == []  # nothing logged before agreement
    bot.tap(notice, cb.encode(cb.Consent()))
    answer = bot.sent(3)[2]
    assert answer["text"].startswith("<b>Làm lại thẻ căn cước bị mất")
    assert any("Hữu ích" in b["text"] for b in buttons(answer))
    with Session(bot.engine) as session:
        stored = session.exec(select(Interaction)).one()
        assert stored.entry_id == "cccd-cap-lai" and stored.channel == "telegram"
        assert str(USER) not in stored.user_hash  # pseudonymous
    # With a 0 ms delay "typing…" goes out for each message handled: the held one (consent is
    # checked in the same call as the answer) and the one answered after the tap.
    actions = [c.params["action"] for c in bot.fake.calls_to("sendChatAction")]
    assert actions == ["typing", "typing"]


def test_feedback_flow_down_to_the_database(bot: Bot) -> None:
    _agree(bot)
    bot.say("mất cccd đi đâu làm lại ạ")
    answer = bot.sent(4)[3]
    interaction_id = cb.decode(callback_data_for(answer, "Hữu ích")).interaction_id  # type: ignore[union-attr]
    bot.tap(answer, callback_data_for(answer, "Chưa đúng"))
    edits = bot.fake.wait_for("editMessageReplyMarkup", 2)  # consent button removed, then reasons
    reasons = edits[-1].params["reply_markup"]["inline_keyboard"]
    labels = [b["text"] for row in reasons for b in row]
    assert "✅ 👎 Chưa đúng" in labels and "Thông tin đã cũ" in labels
    with_reasons = {**answer, "reply_markup": edits[-1].params["reply_markup"]}
    bot.tap(with_reasons, callback_data_for(with_reasons, "Thông tin đã cũ"))
    edits = bot.fake.wait_for("editMessageReplyMarkup", 3)
    assert "✅ Thông tin đã cũ" in str(edits[-1].params["reply_markup"])
    prompt = bot.sent(5)[4]
    assert prompt["text"] == ("Bạn có thể nhắn thêm góp ý (không bắt buộc) bằng cách trả lời tin nhắn này.")
    bot.say("Giấy tờ ghi 0987654321 đã khác", reply_to=prompt["message_id"])
    assert bot.sent(6)[5]["text"] == replies.FEEDBACK_COMMENT_THANKS
    with Session(bot.engine) as session:
        stored = session.exec(select(Feedback)).one()  # three taps and a comment: one row
        assert stored.interaction_id == interaction_id and stored.helpful is False
        assert stored.reason == "outdated" and "0987654321" not in (stored.comment_masked or "")
    answered = bot.fake.calls_to("answerCallbackQuery")
    assert len(answered) == 3 and answered[1].params["text"] == replies.FEEDBACK_ASK_REASON


def test_second_tap_updates_the_verdict_instead_of_adding_one(bot: Bot) -> None:
    _agree(bot)
    bot.say("mất cccd đi đâu làm lại ạ")
    answer = bot.sent(4)[3]
    bot.tap(answer, callback_data_for(answer, "Hữu ích"))
    bot.fake.wait_for("editMessageReplyMarkup", 2)
    bot.tap(answer, callback_data_for(answer, "Hữu ích"))
    edits = bot.fake.wait_for("editMessageReplyMarkup", 3)
    assert "✅ 👍 Hữu ích" in str(edits[-1].params["reply_markup"])
    with Session(bot.engine) as session:
        assert len(session.exec(select(Feedback)).all()) == 1


def test_category_browsing_pages_and_answers(bot: Bot) -> None:
    _agree(bot)
    bot.say("/linhvuc")
    listing = bot.sent(4)[3]
    assert listing["text"] == replies.CATEGORIES_TITLE
    hotich = next(b for b in buttons(listing) if b["text"].startswith("Hộ tịch"))
    bot.tap(listing, hotich["callback_data"])
    edit = bot.fake.wait_for("editMessageText")[0]
    assert edit.params["text"].startswith("Hộ tịch (trang 1/")
    question = edit.params["reply_markup"]["inline_keyboard"][0][0]
    bot.tap(listing, question["callback_data"])
    answer = bot.sent(5)[4]
    assert answer["text"].startswith("<b>") and any("Hữu ích" in b["text"] for b in buttons(answer))
    with Session(bot.engine) as session:
        assert session.exec(select(Interaction)).one().decision == "answer"


@pytest.fixture
def catalog_bot(
    settings: Settings, encoder: Any, chat_index: SearchIndex, chat_entries: list[FaqEntry]
) -> Iterator[Bot]:
    """A polling bot whose service also holds the five cases of one catalog procedure."""
    require_shared()
    with _running_bot(settings, encoder, chat_index, chat_entries, False, vessel_cases()) as bot:
        yield bot


def test_the_other_cases_of_a_procedure_card_are_one_tap_away(catalog_bot: Bot) -> None:
    _agree(catalog_bot)
    catalog_bot.say("mua lại tàu thủy nội địa của người khác thì đăng ký lại phương tiện thế nào")
    card = catalog_bot.sent(4)[3]
    assert replies.CASES_INTRO in card["text"]
    # buying is a transfer of ownership: that case is the card, the other cases are listed under it
    assert "nhưng không thay đổi cơ quan đăng ký" in card["text"].partition(replies.CASES_INTRO)[0]
    labels = [b["text"] for b in buttons(card)]
    cases = [label for label in labels if label[0].isdigit()]
    assert [c[:3] for c in cases] == ["1. ", "2. ", "3. ", "4. "]  # numbered as listed in the text
    assert len(set(cases)) == 4 and any("Hữu ích" in label for label in labels)  # told apart when cut
    catalog_bot.tap(card, callback_data_for(card, "Chưa đúng"))  # a verdict keeps the cases listed
    edited = catalog_bot.fake.wait_for("editMessageReplyMarkup", 2)[1].params["reply_markup"]
    kept = [b["text"] for row in edited["inline_keyboard"] for b in row]
    assert kept[:4] == cases and "✅ 👎 Chưa đúng" in kept
    wanted = next(c for c in cases if "đồng thời thay đổi" in c)
    catalog_bot.tap(card, callback_data_for(card, wanted))
    chosen = catalog_bot.sent(5)[4]
    assert "chuyển quyền sở hữu phương tiện đồng thời thay đổi cơ quan đăng ký" in chosen["text"]
    assert replies.CASES_INTRO not in chosen["text"]
    assert any("Hữu ích" in b["text"] for b in buttons(chosen))
    with Session(catalog_bot.engine) as session:
        logged = session.exec(select(Interaction).order_by(col(Interaction.created_at))).all()
    assert [i.decision for i in logged] == ["catalog", "catalog"]
    assert [i.entry_id for i in logged] == ["tthc-1.004002", "tthc-1.003970"]


def test_fallback_offers_handoff_to_staff(bot: Bot) -> None:
    _agree(bot)
    bot.say("cách chơi cờ vua cho người mới bắt đầu")
    fallback = bot.sent(4)[3]
    assert fallback["text"].startswith("Xin lỗi, hiện tôi chưa có thông tin")
    bot.tap(fallback, callback_data_for(fallback, "Chuyển câu hỏi cho cán bộ"))
    done = bot.sent(5)[4]
    assert done["text"].startswith("Đã chuyển câu hỏi của bạn cho cán bộ")
    with Session(bot.engine) as session:
        request = session.exec(select(HandoffRequest)).one()
        assert session.get(Interaction, request.interaction_id) is not None


def test_a_tap_on_someone_elses_reply_changes_nothing(bot: Bot) -> None:
    _agree(bot)
    bot.say("cách chơi cờ vua cho người mới bắt đầu")
    fallback = bot.sent(4)[3]
    stranger = USER + 1
    bot.say("/start", user=stranger)
    bot.tap(fallback, callback_data_for(fallback, "Chuyển câu hỏi cho cán bộ"), user=stranger)
    interaction_id = cb.decode(callback_data_for(fallback, "Chuyển")).interaction_id  # type: ignore[union-attr]
    bot.tap(fallback, cb.encode(cb.Feedback(interaction_id, False)), user=stranger)
    bot.fake.wait_for("editMessageReplyMarkup", 2)  # both taps answered: buttons removed
    with Session(bot.engine) as session:
        assert session.exec(select(HandoffRequest)).all() == []
        assert session.exec(select(Feedback)).all() == []


def test_erasure_after_confirmation(bot: Bot) -> None:
    _agree(bot)
    bot.say("mất cccd đi đâu làm lại ạ")
    answer = bot.sent(4)[3]
    bot.tap(answer, callback_data_for(answer, "Hữu ích"))
    bot.say("/xoadulieu")
    confirm = bot.sent(5)[4]
    assert confirm["text"] == replies.ERASE_CONFIRM
    bot.tap(confirm, cb.encode(cb.Erase(True)))
    edit = bot.fake.wait_for("editMessageText")[0]
    assert edit.params["text"].startswith("Đã xóa 1 câu hỏi")
    with Session(bot.engine) as session:
        assert session.exec(select(Interaction)).all() == []
        assert session.exec(select(Feedback)).all() == []
        assert session.exec(select(Consent)).all() == []


def test_non_text_contact_and_rate_limit(bot: Bot) -> None:
    _agree(bot)
    bot.deliver(photo_update(bot.fake, USER))
    assert bot.sent(4)[3]["text"] == replies.NON_TEXT
    bot.say("/lienhe")
    assert "Đường dây nóng" in bot.sent(5)[4]["text"]
    for _ in range(6):  # the limit in this fixture is 5 questions a minute
        bot.say("mất cccd đi đâu làm lại ạ")
    texts = [m["text"] for m in bot.sent(11)[5:]]
    assert texts.count(replies.RATE_LIMITED) == 1


def test_duplicate_update_is_answered_once(bot: Bot) -> None:
    _agree(bot)
    update = text_update(bot.fake, USER, "mất cccd đi đâu làm lại ạ")
    bot.deliver(update)
    bot.deliver(update)
    bot.sent(4)
    time.sleep(1.0)
    assert len(bot.fake.calls_to("sendMessage")) == 4
    with Session(bot.engine) as session:
        assert len(session.exec(select(Interaction)).all()) == 1
        assert session.get(ProcessedUpdate, ("telegram", update["update_id"])) is not None


def test_long_answer_is_split_escaped_and_keeps_buttons_on_the_last_part(bot: Bot) -> None:
    _agree(bot)
    bot.say("nhận con nuôi trong nước cần điều kiện gì")
    time.sleep(0.5)
    parts = bot.sent(5)[3:]
    assert parts[0]["text"].startswith("<b>Hướng dẫn đầy đủ thủ tục nhận con nuôi")
    assert all(len(p["text"]) <= 4096 for p in parts)
    assert "&lt;sức khỏe, kinh tế&gt;" in parts[0]["text"] and "&amp;" in parts[0]["text"]
    assert parts[0]["reply_markup"] is None
    last = bot.sent(len(bot.fake.calls_to("sendMessage")))[-1]
    assert "Căn cứ pháp lý: Luật Nuôi con nuôi 2010" in last["text"]
    urls = [b.get("url") for b in buttons(last)]
    assert LONG_ENTRY.links[0] in urls and any("Hữu ích" in b["text"] for b in buttons(last))


def test_split_message_cuts_at_boundaries_only() -> None:
    paragraph = "Hồ sơ <b>gồm</b> tờ khai & giấy tờ. " * 40
    text = "\n\n".join([paragraph] * 6)
    chunks = split_message(text, 4096)
    assert len(chunks) > 1 and all(len(c) <= 4096 for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())  # nothing lost but blanks
    assert all(c.count("<b>") == c.count("</b>") for c in chunks)
    no_breaks = "&amp;" * 2000
    assert all(c.count("&") == c.count(";") for c in split_message(no_breaks, 4096))


def test_token_never_reaches_the_logs(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _agree(bot)
    bot.say("mất cccd đi đâu làm lại ạ")
    bot.sent(4)
    assert TOKEN not in caplog.text
    assert not bot.webhook or SECRET not in caplog.text


def test_webhook_registration_and_secret(
    settings: Settings, encoder: Any, sample_index: SearchIndex, sample_entries: list[FaqEntry]
) -> None:
    with running_fake_telegram(TOKEN) as fake:
        s = Settings(
            **{
                **settings.model_dump(),
                "telegram_token": TOKEN,
                "telegram_api_url": fake.base_url,
                "telegram_webhook_url": "https://hoidap.example/webhooks/telegram",
                "telegram_webhook_secret": SECRET,
            }
        )
        runtime = chat_runtime(s, encoder, sample_index, sample_entries)
        try:
            with serving(create_app(s, runtime)) as base:
                registered = fake.wait_for("setWebhook")[0].params
                assert registered["url"] == "https://hoidap.example/webhooks/telegram"
                assert registered["secret_token"] == SECRET
                assert registered["allowed_updates"] == ["message", "callback_query"]
                update = text_update(fake, USER, "/start")
                url = f"{base}/webhooks/telegram"
                assert httpx.post(url, json=update).status_code == 403
                wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
                assert httpx.post(url, json=update, headers=wrong).status_code == 403
                right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                bad = httpx.post(url, content=b"not json", headers=right)
                assert bad.status_code == 400
                assert httpx.post(url, json=update, headers=right).status_code == 200
                fake.wait_for("sendMessage", 2)
        finally:
            runtime.engine.dispose()


def test_group_chats_are_ignored(bot: Bot) -> None:
    group = text_update(bot.fake, USER, "mất cccd đi đâu làm lại ạ")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Nhóm"}
    bot.deliver(group)
    bot.say("/lienhe")
    (contact,) = bot.sent(1)
    assert "Đường dây nóng" in contact["text"]
    time.sleep(0.5)
    assert [int(c.params["chat_id"]) for c in bot.fake.calls_to("sendMessage")] == [USER]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("user_rate_limit", "often", "12/minute"),
        ("telegram_webhook_url", "http://hoidap.example/webhooks/telegram", "https://"),
        ("telegram_webhook_secret", "short", "16 to 256"),
    ],
)
def test_settings_refuse_bad_channel_config(field: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**{field: value}, _env_file=None)  # type: ignore[arg-type]


def test_webhook_url_without_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(telegram_webhook_url="https://hoidap.example/webhooks/telegram", _env_file=None)  # type: ignore[call-arg]


def test_web_chat_keeps_serving_when_telegram_cannot_start(
    settings: Settings,
    encoder: Any,
    sample_index: SearchIndex,
    sample_entries: list[FaqEntry],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with running_fake_telegram("987654321:another-token-the-fake-refuses") as fake:
        s = Settings(**{**settings.model_dump(), "telegram_token": TOKEN, "telegram_api_url": fake.base_url})
        runtime = chat_runtime(s, encoder, sample_index, sample_entries)
        try:
            with serving(create_app(s, runtime)) as base:
                assert httpx.get(f"{base}/healthz").status_code == 200
                assert "Telegram did not start (InvalidToken" in caplog.text
                assert TOKEN not in caplog.text
        finally:
            runtime.engine.dispose()


def test_the_bot_answers_through_a_database_outage(
    settings: Settings,
    encoder: Any,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
    postgres_server: str,
    postgres_url: str,
) -> None:
    """PostgreSQL refuses connections: a citizen who agreed is still answered from the index,
    once per update (delivered twice here), and the question is stored when it is back."""
    from tests.test_spool import outage, stored_after_outage

    with running_fake_telegram(TOKEN) as fake, outage(postgres_server, postgres_url) as down:
        updates = {
            "telegram_token": TOKEN,
            "telegram_api_url": fake.base_url,
            "telegram_typing_delay_ms": 0,
            "database_url": postgres_url,
            "spool_retry_seconds": 0.2,
        }
        s = Settings(**{**settings.model_dump(), **updates})
        runtime = chat_runtime(s, encoder, chat_index, chat_entries)
        try:
            with serving(create_app(s, runtime)) as base:
                bot = Bot(fake, base, runtime.engine, False, SECRET)
                _agree(bot)
                down(True)
                update = text_update(fake, USER, "mất cccd đi đâu làm lại ạ")
                bot.deliver(update)
                bot.deliver(update)
                answer = bot.sent(4)[3]
                assert answer["text"].startswith("<b>Làm lại thẻ căn cước bị mất")
                time.sleep(1.0)
                assert len(fake.calls_to("sendMessage")) == 4  # the copy was not answered again
                down(False)
                stored = stored_after_outage(runtime.engine)
                assert [i.entry_id for i in stored] == ["cccd-cap-lai"]
        finally:
            runtime.engine.dispose()
