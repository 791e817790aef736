"""The staff console in headless Chromium, end to end with the citizens' widget: an editor edits
an entry (and meets another session's save first), a publisher publishes it, a citizen asks the
new question in the widget and rates the answer 👎, and staff see it in the console."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from admin_api.console import assets_dir
from admin_api.roles import Role
from core import replies
from core.faq import FaqEntry
from core.settings import Settings
from retrieval.index import SearchIndex
from tests.browser import DESKTOP, MOBILE, Visit, screenshot, visit
from tests.console_seed import seed_traffic
from tests.staff_api import PASSWORD, Admin, staff_api
from tests.widget_page import App, chat

ENTRY = "to-khai-tk1ts"
NEW_QUESTION = "Nộp tờ khai tham gia bảo hiểm xã hội tự nguyện TK1-TS ở đâu?"
NEW_ANSWER = (
    "Bạn nộp tờ khai TK1-TS tại cơ quan bảo hiểm xã hội nơi cư trú hoặc qua Cổng Dịch vụ công quốc gia."
)
LEGAL_BASIS = "Quyết định 490/QĐ-BHXH năm 2023 của Bảo hiểm xã hội Việt Nam"


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, encoder, chat_index: SearchIndex, chat_entries: list[FaqEntry]
) -> Iterator[Admin]:
    data = tmp_path_factory.mktemp("console")
    settings = Settings(data_dir=data, environment="test", _env_file=None)  # type: ignore[call-arg]
    with staff_api(
        settings, encoder, chat_index, chat_entries, seed=partial(seed_traffic, entries=chat_entries)
    ) as running:
        yield running


def sign_in(v: Visit, username: str, hash_path: str = "") -> Page:
    page = v.page("/admin")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#nav")).to_be_visible()
    if hash_path:
        page.goto(f"{v.base}/admin#{hash_path}")
    return page


def test_wrong_password_is_refused_politely(browser: Browser, app: Admin) -> None:
    with visit(browser, app.base) as v:
        page = v.page("/admin")
        page.get_by_label("Tên đăng nhập").fill("editor01")
        page.get_by_label("Mật khẩu").fill("sai mật khẩu")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("alert")).to_contain_text("thông tin đăng nhập không đúng")
        expect(page.locator("#nav")).to_be_hidden()


def test_edit_conflict_publish_and_see_it(browser: Browser, app: Admin) -> None:
    with visit(browser, app.base) as editor_visit:
        editor = sign_in(editor_visit, "editor01", f"/entry/{ENTRY}")
        expect(editor.get_by_label("Câu hỏi", exact=True)).to_have_value("Tờ khai TK1-TS dùng để làm gì?")
        # Another session saves first, on the version the editor opened.
        opened = app.call("GET", f"/entries/{ENTRY}", Role.EDITOR).json()
        other = {"base_version": opened["version"], "paraphrases": ["to khai tk1 ts la gi"]}
        assert app.call("PATCH", f"/entries/{ENTRY}", Role.PUBLISHER, json=other).status_code == 200

        editor.get_by_label("Câu hỏi", exact=True).fill(NEW_QUESTION)
        editor.get_by_label("Trả lời", exact=True).fill(NEW_ANSWER)
        editor.get_by_label("Căn cứ pháp lý").fill(LEGAL_BASIS)
        editor.get_by_role("button", name="Lưu bản nháp").click()
        conflict = editor.locator(".conflict")
        expect(conflict).to_contain_text("người khác đã lưu")
        expect(editor.get_by_label("Trả lời", exact=True)).to_have_value(NEW_ANSWER)  # nothing typed is lost

        conflict.get_by_role("button", name="Mở phiên bản mới nhất").click()
        expect(editor.get_by_label("Cách hỏi khác")).to_have_value("to khai tk1 ts la gi")
        editor.get_by_label("Câu hỏi", exact=True).fill(NEW_QUESTION)
        editor.get_by_label("Trả lời", exact=True).fill(NEW_ANSWER)
        editor.get_by_label("Căn cứ pháp lý").fill(LEGAL_BASIS)
        editor.get_by_role("button", name="Lưu bản nháp").click()
        expect(editor.locator("#flash")).to_contain_text("Đã lưu phiên bản")
        expect(editor.get_by_text("Có thay đổi chờ xuất bản").first).to_be_visible()
        # The test panel compares the draft with what citizens get now.
        editor.get_by_label("Câu hỏi của người dân").fill(NEW_QUESTION)
        editor.get_by_role("button", name="Thử").click()
        expect(editor.locator("#test-result")).to_contain_text(ENTRY, timeout=60_000)
        screenshot(editor, "console-editor")
        assert editor_visit.console_errors == []

    with visit(browser, app.base) as publisher_visit:
        publisher = sign_in(publisher_visit, "publisher01", "/publish")
        expect(publisher.get_by_role("link", name=NEW_QUESTION)).to_be_visible()
        publisher.get_by_role("button", name="Xuất bản các mục đã chọn").click()
        expect(publisher.locator("#build-done")).to_be_visible(timeout=60_000)
        assert publisher_visit.console_errors == []
    entry = app.call("GET", f"/entries/{ENTRY}", Role.VIEWER).json()
    assert entry["pending"] is False and entry["question"] == NEW_QUESTION

    # A citizen asks the new question in the widget, gets the new answer and rates it 👎.
    with chat(browser, App(app.base, app.runtime)) as widget:
        widget.ask(NEW_QUESTION)
        widget.tap(replies.CONSENT_BUTTON)
        answer = widget.latest()
        expect(answer.locator(".msg-title")).to_have_text(NEW_QUESTION)
        expect(answer).to_contain_text(NEW_ANSWER)
        answer.get_by_role("button", name=replies.NOT_HELPFUL_BUTTON).click()
        widget.idle()
        widget.tap(replies.REASON_LABELS["outdated"])

    # Staff see it in the feedback log and on the dashboard.
    with visit(browser, app.base) as staff_visit:
        staff = sign_in(staff_visit, "viewer01", "/feedback?rating=unhelpful&reason=outdated")
        row = staff.locator("#feedback-table tbody tr", has_text=NEW_QUESTION)
        expect(row).to_contain_text(replies.REASON_LABELS["outdated"])
        staff.goto(f"{app.base}/admin#/dashboard")
        worst = staff.locator(
            "section", has=staff.get_by_role("heading", name="Câu trả lời bị đánh giá thấp nhất")
        )
        expect(worst).to_be_visible()
        expect(staff.locator("#figures")).to_contain_text("Lượt đánh giá")
        rated = app.call("GET", "/stats", Role.VIEWER).json()["summary"]["rated"]
        expect(staff.locator("#figures .figure", has_text="Lượt đánh giá").locator(".value")).to_have_text(
            str(rated)
        )
        assert staff_visit.console_errors == []


def test_dashboard_renders_figures_and_charts(browser: Browser, app: Admin) -> None:
    for viewport, name in ((DESKTOP, "console-dashboard"), (MOBILE, "console-dashboard-mobile")):
        with visit(browser, app.base, viewport) as v:
            page = sign_in(v, "viewer01")
            expect(page.locator("#figures")).to_contain_text("Hài lòng")
            expect(page.locator("#figures .value").first).not_to_have_text("0")
            for chart in ("daily", "satisfaction", "channels", "categories"):
                image = page.locator(f"#chart-{chart} img")
                expect(image).to_have_attribute("src", re.compile(r"^blob:"))
            screenshot(page, name)
            assert v.foreign_hosts() == set()
            assert v.console_errors == []


def test_markup_in_entries_shows_as_text(browser: Browser, app: Admin) -> None:
    hostile = "<script>alert('xss')</script><img src=x onerror=alert(1)> Thủ tục thử"
    created = {
        "id": "thu-danh-dau",
        "category": "ho-tich",
        "question": hostile,
        "answer": f"Trả lời {hostile}",
        "legal_basis": ["<b>Luật</b> thử"],
    }
    assert app.call("POST", "/entries", Role.EDITOR, json=created).status_code == 201
    with visit(browser, app.base) as v:
        page = sign_in(v, "editor01", "/entries?q=th%E1%BB%A7%20t%E1%BB%A5c%20th%E1%BB%AD")
        dialogs: list[str] = []

        def refuse(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", refuse)
        expect(page.get_by_role("link", name=hostile)).to_be_visible()
        page.get_by_role("link", name=hostile).click()
        expect(page.get_by_label("Trả lời", exact=True)).to_have_value(f"Trả lời {hostile}")
        expect(page.locator("h1")).to_contain_text(hostile)
        assert page.locator("main img, main script, main b").count() == 0
        assert dialogs == [] and v.console_errors == []


def test_console_pages_forbid_inline_code_and_framing(app: Admin) -> None:
    shell = httpx.get(f"{app.base}/admin")
    policy = shell.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert shell.headers["x-frame-options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", shell.text) and " style=" not in shell.text
    assert re.findall(r'src="(/admin/assets/[^"]+)"', shell.text) == ["/admin/assets/main.js"]
    modules = sorted(p.relative_to(assets_dir()).as_posix() for p in assets_dir().rglob("*.js"))
    assert len(modules) == 15
    for module in modules:  # data goes in as text; no module writes HTML
        body = httpx.get(f"{app.base}/admin/assets/{module}")
        assert body.status_code == 200 and "javascript" in body.headers["content-type"], module
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", body.text), module
