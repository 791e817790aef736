"""Headless Chromium (Debian's package) driven by Playwright, for the browser tests.

`make test` installs the `chromium` package when it is missing. Without it the browser tests
are skipped and the run says so; under CI (CI=true) a missing browser fails them instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, sync_playwright

from tests.missing import skip_or_fail

CHROMIUM = Path(os.environ.get("HOIDAP_TEST_CHROMIUM", "/usr/bin/chromium"))
# Where screenshots are saved: `make screenshots` points it at docs/screenshots (shown in the README).
# Otherwise they are taken but not saved, so a test run leaves the work tree as it was: the
# console's charts are dated back from today and would change the pictures on every run.
SCREENSHOTS_ENV = "HOIDAP_TEST_SCREENSHOTS"
DESKTOP = {"width": 1280, "height": 860}
MOBILE = {"width": 390, "height": 844}


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (`make test` installs Debian's chromium package)"
    skip_or_fail("Browser tests", reason)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """A browser context on the app: its pages, and every host they asked for."""

    base: str
    context: BrowserContext
    hosts: set[str] = field(default_factory=set)
    console_errors: list[str] = field(default_factory=list)  # script errors, not HTTP statuses

    def page(self, path: str = "") -> Page:
        page = self.context.new_page()
        page.on("request", self._record)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        if path:
            page.goto(self.base + path)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium logs every 4xx/5xx response as a console error; a 409 the page handles is not
        # a script error. Requests are checked by the tests themselves.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _record(self, request: Request) -> None:
        host = urlsplit(request.url).netloc
        if host:  # data: and blob: URLs have none
            self.hosts.add(host)

    def foreign_hosts(self) -> set[str]:
        return self.hosts - {urlsplit(self.base).netloc}


@contextmanager
def visit(browser: Browser, base: str, viewport: dict[str, int] | None = None) -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport or DESKTOP, locale="vi-VN")  # type: ignore[arg-type]
    try:
        yield Visit(base, context)
    finally:
        context.close()


def screenshot(page: Page, name: str) -> bytes:
    """A full-page PNG of the page, saved as `<name>.png` in $HOIDAP_TEST_SCREENSHOTS when set."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    path = None
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"{name}.png"
    return page.screenshot(path=path, full_page=True)
