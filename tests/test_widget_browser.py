"""The chat widget in headless Chromium against the real app: consent, an answer, 👎 with a
reason, a suggestion chip, forward to staff, reload, the server unreachable, keyboard only,
markup shown as text, the embed snippet; and no request ever leaves the app's own host."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from core import replies
from core.db.models import Feedback, HandoffRequest, Interaction
from core.settings import Settings
from tests.browser import MOBILE, screenshot
from tests.channel_runtime import served_chat_app, vessel_cases
from tests.shared_data import require_shared
from tests.widget_page import App, Chat, chat

UNREACHABLE = "Không kết nối được máy chủ"
KHAI_SINH = "Đăng ký khai sinh cho con cần giấy tờ gì?"
CAP_LAI = "Làm lại thẻ căn cước bị mất ở đâu, cần giấy tờ gì?"
CAP_DOI = "Đến tuổi 25 có phải đổi thẻ căn cước không?"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, encoder, chat_index, chat_entries) -> Iterator[App]:
    """One server for the module; every test has its own browser context, so its own session."""
    folder = tmp_path_factory.mktemp("widget")
    settings = Settings(data_dir=folder, environment="test", hotline="1900 1234", _env_file=None)  # type: ignore[call-arg]
    with served_chat_app(settings, encoder, chat_index, chat_entries, vessel_cases()) as (base, runtime):
        yield App(base, runtime)


def test_consent_then_an_answer_and_thumbs_down_with_a_reason(browser: Browser, app: App) -> None:
    with chat(browser, app, "/") as widget:
        expect(widget.bot.first).to_contain_text("Xin chào!")
        widget.ask("làm gks cho con mới đẻ cần gì ạ")  # held until agreed
        expect(widget.bot.last).to_contain_text("Thông báo về dữ liệu cá nhân")
        widget.tap(replies.CONSENT_BUTTON)
        expect(widget.bot.last.locator(".msg-title")).to_have_text(KHAI_SINH)
        answer = widget.latest()
        answer.get_by_role("button", name=replies.NOT_HELPFUL_BUTTON).click()
        widget.idle()
        expect(answer.get_by_role("button", name=replies.NOT_HELPFUL_BUTTON)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(widget.bot.last).to_contain_text(replies.FEEDBACK_ASK_REASON)
        widget.tap(replies.REASON_LABELS["missing_info"])
        comment = widget.root.get_by_label("Góp ý thêm (không bắt buộc)")
        expect(comment).to_be_focused()
        comment.fill("Chưa nói rõ bản sao hay bản chính.")
        widget.tap("Gửi góp ý")
        expect(widget.bot.last.locator(".msg-text")).to_have_text(replies.FEEDBACK_COMMENT_THANKS)
        expect(comment).to_have_count(0)
        user_hash = app.user_hash(widget.session_id())
    with Session(app.runtime.engine) as session:
        asked = session.exec(select(Interaction).where(Interaction.user_hash == user_hash)).one()
        stored = session.exec(select(Feedback).where(Feedback.interaction_id == asked.id)).one()
    assert (asked.entry_id, stored.helpful, stored.reason) == ("khai-sinh", False, "missing_info")
    assert stored.comment_masked == "Chưa nói rõ bản sao hay bản chính."


def test_a_suggestion_chip_and_forwarding_to_staff(browser: Browser, app: App) -> None:
    with chat(browser, app) as widget:
        widget.agree()
        widget.ask("căn cước")
        expect(widget.bot.last).to_contain_text(replies.SUGGEST_INTRO)
        chip = widget.root.get_by_role("button", name=CAP_DOI)
        widget.tap(CAP_DOI)
        expect(widget.bot.last.locator(".msg-title")).to_have_text(CAP_DOI)
        expect(chip).to_be_enabled()  # the other suggestions stay open
        screenshot(widget.page, "widget-desktop")
        widget.ask("cách chơi cờ vua cho người mới bắt đầu")
        fallback = widget.latest()
        expect(fallback).to_contain_text("Xin lỗi, hiện tôi chưa có thông tin")
        widget.tap(replies.HANDOFF_BUTTON)
        expect(fallback.locator(".state")).to_have_text("✅ " + replies.HANDED_OFF_LABEL)
        expect(widget.bot.last).to_contain_text("Đã chuyển câu hỏi của bạn cho cán bộ")
        user_hash = app.user_hash(widget.session_id())
    with Session(app.runtime.engine) as session:
        asked = session.exec(
            select(Interaction).where(Interaction.user_hash == user_hash, Interaction.decision == "fallback")
        ).one()
        assert session.exec(select(HandoffRequest).where(HandoffRequest.interaction_id == asked.id)).one()


def test_the_cases_under_a_procedure_card_stay_after_a_verdict(browser: Browser, app: App) -> None:
    require_shared()
    with chat(browser, app) as widget:
        widget.agree()
        widget.ask("mua lại tàu thủy nội địa của người khác thì đăng ký lại phương tiện thế nào")
        card = widget.latest()
        # the cases are chips, not repeated as a numbered list in the text
        expect(card.locator(".msg-text")).to_have_text(re.compile(re.escape(replies.CASES_INTRO) + r"\s*$"))
        cases = card.get_by_role("button", name="Chuyển quyền sở hữu phương tiện đồng thời thay đổi")
        expect(cases).to_have_count(1)
        card.get_by_role("button", name=replies.NOT_HELPFUL_BUTTON).click()
        widget.idle()
        expect(card.get_by_role("button", name=replies.NOT_HELPFUL_BUTTON)).to_have_attribute(
            "aria-pressed", "true"
        )
        cases.click()  # still there after the verdict
        widget.idle()
        expect(widget.bot.last).to_contain_text(
            "chuyển quyền sở hữu phương tiện đồng thời thay đổi cơ quan đăng ký phương tiện"
        )
        expect(widget.bot.last).not_to_contain_text(replies.CASES_INTRO)


def test_markup_in_questions_and_answers_stays_text(browser: Browser, app: App) -> None:
    with chat(browser, app) as widget:
        widget.agree()
        typed = '<img src="x" onerror="window.pwned=1"> <b>gấp</b> làm lại căn cước'
        widget.ask(typed)
        expect(widget.root.locator(".msg.user .msg-text").last).to_have_text(typed)
        widget.ask("nhan con nuoi trong nuoc")  # its answer holds "<sức khỏe, kinh tế>" and "&"
        expect(widget.bot.last.locator(".msg-text")).to_contain_text("<sức khỏe, kinh tế>")
        assert widget.root.locator("#log img, #log b").count() == 0
        assert widget.page.evaluate("window.pwned") is None


def test_a_reload_keeps_the_transcript_and_the_session(browser: Browser, app: App) -> None:
    with chat(browser, app) as widget:
        widget.agree()
        widget.ask("lam lai cccd bi mat o dau")
        before = widget.root.locator(".msg").all_inner_texts()
        session_id = widget.session_id()
        widget.page.reload()
        expect(widget.root.locator(".msg")).to_have_count(len(before))
        assert widget.root.locator(".msg").all_inner_texts() == before
        assert widget.session_id() == session_id
        widget.ask("dang ky ket hon o dau")  # still agreed: answered at once
        expect(widget.bot.last.locator(".msg-title")).to_have_text("Đăng ký kết hôn làm ở đâu?")
        widget.bot.nth(-2).get_by_role("button", name=replies.HELPFUL_BUTTON).click()  # buttons work
        widget.idle()
        expect(widget.bot.last.locator(".msg-text")).to_have_text(replies.FEEDBACK_THANKS)


def test_an_unreachable_server_gets_a_polite_message_and_keeps_the_question(
    browser: Browser, app: App
) -> None:
    with chat(browser, app) as widget:
        widget.agree()
        widget.page.route("**/api/widget/**", lambda route: route.abort("connectionrefused"))
        widget.ask("lam lai cccd bi mat o dau")
        expect(widget.root.locator(".msg.note").last).to_contain_text(UNREACHABLE)
        expect(widget.box).to_have_value("lam lai cccd bi mat o dau")
        expect(widget.root.locator(".msg.user")).to_have_count(0)
        widget.page.unroute("**/api/widget/**")
        widget.box.press("Enter")  # the retry is one key away
        widget.idle()
        expect(widget.bot.last.locator(".msg-title")).to_have_text(CAP_LAI)
        expect(widget.box).to_have_value("")


def test_keyboard_only(browser: Browser, app: App) -> None:
    with chat(browser, app) as widget:
        page = widget.page
        for _ in range(12):  # Tab through the tools to the consent button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == replies.CONSENT_BUTTON:
                break
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Enter")
        expect(widget.box).to_be_focused()  # nothing to tap in the thanks: back to the question
        page.keyboard.type("lam lai cccd bi mat o dau")
        page.keyboard.press("Enter")
        widget.idle()
        expect(widget.bot.last.locator(".msg-title")).to_have_text(CAP_LAI)
        expect(widget.box).to_be_focused()
        page.keyboard.press("Shift+Tab")  # the answer's last button
        expect(widget.bot.last.get_by_role("button", name=replies.NOT_HELPFUL_BUTTON)).to_be_focused()
        page.keyboard.press("Enter")
        widget.idle()
        first_reason = widget.bot.last.get_by_role("button", name=replies.REASON_LABELS["wrong_question"])
        expect(first_reason).to_be_focused()
        page.keyboard.press("Enter")
        widget.idle()
        expect(widget.root.get_by_label("Góp ý thêm (không bắt buộc)")).to_be_focused()
        user_hash = app.user_hash(widget.session_id())
    with Session(app.runtime.engine) as session:
        asked = session.exec(select(Interaction).where(Interaction.user_hash == user_hash)).one()
        assert session.exec(select(Feedback).where(Feedback.interaction_id == asked.id)).one().reason == (
            "wrong_question"
        )


def test_mobile_width(browser: Browser, app: App) -> None:
    with chat(browser, app, viewport=MOBILE) as widget:
        widget.agree()
        widget.ask("mất căn cước thì làm lại thế nào")
        expect(widget.bot.last.locator(".msg-title")).to_have_text(CAP_LAI)
        widget.tap(replies.NOT_HELPFUL_BUTTON)
        widget.tap(replies.REASON_LABELS["outdated"])
        expect(widget.root.get_by_label("Góp ý thêm (không bắt buộc)")).to_be_focused()
        width = widget.page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"]  # nothing wider than the phone
        screenshot(widget.page, "widget-mobile")


def test_the_one_line_embed_on_a_portal_page(browser: Browser, app: App) -> None:
    with chat(browser, app, "/chat/nhung-thu") as demo:
        page = demo.page
        launcher = page.locator("button[aria-controls=hoidap-chat-frame]")
        expect(launcher).to_have_text("💬 Hỏi đáp thủ tục")
        launcher.click()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        widget = Chat(page, page.frame_locator("#hoidap-chat-frame"))
        expect(widget.bot.first).to_contain_text("Xin chào!")
        widget.idle()
        widget.agree()
        widget.ask("đủ 25 tuổi phải đổi cccd ko")
        expect(widget.bot.last.locator(".msg-title")).to_have_text(CAP_DOI)
        screenshot(page, "widget-embedded")
        widget.box.press("Escape")  # from inside the frame: the portal's button closes it
        expect(page.locator("#hoidap-chat-frame")).to_be_hidden()
        expect(launcher).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "false")
