"""The chat widget as a browser test sees it: open it, ask, tap, agree; and check afterwards that
no request left the app's host and no script error happened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import Browser, FrameLocator, Locator, Page, expect

from core import replies
from core.runtime import Runtime
from tests.browser import DESKTOP, Visit, visit

QUESTION_BOX = "Câu hỏi của bạn"


@dataclass
class App:
    base: str
    runtime: Runtime

    def user_hash(self, session_id: str) -> str:
        return self.runtime.service.user_hash("web", session_id)


@dataclass
class Chat:
    """The widget in a page or in a portal's frame (``root``)."""

    page: Page
    root: Page | FrameLocator

    @property
    def bot(self) -> Locator:
        return self.root.locator(".msg.bot")

    def latest(self) -> Locator:
        """The newest bot message, pinned (``.last`` would move on to later messages)."""
        return self.bot.nth(self.bot.count() - 1)

    @property
    def box(self) -> Locator:
        return self.root.get_by_label(QUESTION_BOX)

    def idle(self) -> None:
        expect(self.root.locator("#log")).to_have_attribute("aria-busy", "false")

    def ask(self, text: str) -> None:
        self.box.fill(text)
        self.box.press("Enter")
        self.idle()

    def tap(self, name: str) -> None:
        self.root.get_by_role("button", name=name).last.click()
        self.idle()

    def agree(self) -> None:
        self.tap(replies.CONSENT_BUTTON)
        expect(self.bot.last.locator(".msg-text")).to_have_text(replies.CONSENT_THANKS)

    def session_id(self) -> str:
        value = self.page.evaluate("localStorage.getItem('hoidap.session')")
        assert isinstance(value, str)
        return value


@contextmanager
def chat(
    browser: Browser, app: App, path: str = "/chat", viewport: dict[str, int] | None = None
) -> Iterator[Chat]:
    """Opens the widget; afterwards checks nothing went to another host and no error was thrown."""
    with visit(browser, app.base, viewport or DESKTOP) as context:
        page = context.page()
        opened = Chat(page, page)
        page.goto(app.base + path)
        if path.startswith("/chat?") or path in ("/", "/chat"):
            opened.idle()
        yield opened
        check_clean(context)


def check_clean(context: Visit) -> None:
    """No request left the app's host; no uncaught error or console error (Visit records both)."""
    assert context.foreign_hosts() == set()
    assert context.console_errors == []
