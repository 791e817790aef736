"""The public FAQ pages (/hoi-dap) over real HTTP, with the real model and headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page
from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.app import create_app
from core import faq_store
from core.answering import AnswerService
from core.db.engine import make_engine, migrate
from core.db.models import Interaction
from core.decision import Thresholds
from core.faq import Category, FaqEntry
from core.interaction_log import InteractionLog
from core.runtime import Runtime
from core.settings import Settings
from retrieval.encoder import SentenceTransformerEncoder
from retrieval.index import build_index
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from tests.browser import DESKTOP, MOBILE, screenshot, visit
from tests.serving import serving

CATEGORIES = [
    Category(id="can-cuoc", name="Căn cước", description="Cấp, đổi, cấp lại thẻ căn cước"),
    Category(id="ho-tich", name="Hộ tịch", description="Khai sinh, kết hôn, khai tử"),
    Category(id="cu-tru", name="Cư trú", description="Thường trú, tạm trú"),
    Category(id="dat-dai", name="Đất đai", description="Cấp sổ đỏ, sang tên"),
    Category(id="kinh-doanh", name="Đăng ký kinh doanh"),
    Category(id="tu-phap", name="Tư pháp, chứng thực"),
    Category(id="bhxh", name="Bảo hiểm xã hội"),
]
# A full entry, as curated content looks: lines, bullets, a placeholder, legal basis, links.
KHAI_SINH = {
    "answer": (
        "Bạn đăng ký khai sinh tại UBND cấp xã nơi cư trú của cha hoặc mẹ, trong 60 ngày kể từ ngày sinh.\n"
        "- Giấy tờ: giấy chứng sinh; giấy tờ tùy thân của người đi đăng ký.\n"
        "- Nộp trực tuyến: {{national_portal_url}} hoặc ứng dụng VNeID.\n"
        "- Lệ phí: miễn lệ phí khi đăng ký đúng hạn.\n"
        "Cần hỏi thêm, bạn gọi {{hotline}}."
    ),
    "legal_basis": ["Luật Hộ tịch 2014 (60/2014/QH13), Điều 13 và 16", "Nghị định 123/2015/NĐ-CP"],
    "links": [
        "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html",
        "ftp://cu.example",
    ],
    "reviewed": date(2026, 3, 5),
}
SCRIPT = "<script>alert(1)</script>"
MARKUP_ENTRY = FaqEntry(
    id="chung-thuc-ban-sao-dien-tu",
    category="tu-phap",
    question="Chứng thực bản sao <b>điện tử</b> từ bản chính làm thế nào?",
    paraphrases=["chứng thực bản sao điện tử ở đâu"],
    answer=f"Nộp bản chính tại UBND cấp xã. {SCRIPT}\n- Trả kết quả <b>trong ngày</b> & qua e-mail.",
    legal_basis=["Nghị định 23/2015/NĐ-CP <i>sửa đổi</i>"],
    links=["javascript:alert(2)"],
    reviewed=date(2026, 1, 9),
)
DRAFT = FaqEntry(
    id="ban-nhap",
    category="ho-tich",
    question="Câu hỏi chưa công bố về đăng ký khai tử?",
    answer="Bản nháp.",
    status="draft",
)
NO_DIACRITICS_QUERY = "muon lam ly lich tu phap thi nop o dau"  # no stored phrasing reads so: "lltp"


@dataclass
class Site:
    base: str
    runtime: Runtime
    settings: Settings

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.base + path, params=params or None, timeout=30)  # None keeps ?q= in path


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
    sample_entries: list[FaqEntry],
    encoder: SentenceTransformerEncoder,
) -> Iterator[Site]:
    """The app on a loopback port, serving what the database publishes (as `hoidap serve` does)."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("public"),
        environment="test",
        hotline="1900 1234",
        service_center_name="Trung tâm Phục vụ hành chính công tỉnh",
        service_center_address="12 Lê Lợi, phường Trung tâm",
        _env_file=None,  # type: ignore[call-arg]
    )
    entries = [e.model_copy(update=KHAI_SINH) if e.id == "khai-sinh" else e for e in sample_entries]
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    faq_store.save(engine, CATEGORIES, [*entries, MARKUP_ENTRY, DRAFT])
    live = LiveIndex(None, encoder, SearchConfig())
    live.install(build_index(faq_store.load_served(engine), encoder))
    service = AnswerService(settings, live, InteractionLog(engine), Thresholds.from_settings(settings))
    runtime = Runtime(settings, engine, encoder, live, service)
    with serving(create_app(settings, runtime)) as base:
        yield Site(base, runtime, settings)
    engine.dispose()


def structured_data(html: str) -> Any:
    """The page's JSON-LD, decoded (JSON is untyped: tests index into it freely)."""
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_home_lists_published_categories_with_counts(site: Site) -> None:
    r = site.get("/hoi-dap")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=60"
    html = r.text
    assert '<html lang="vi">' in html and html.count("<h1") == 1
    assert '<meta name="viewport"' in html and '<meta name="description"' in html
    assert '<link rel="canonical" href="/hoi-dap">' in html
    assert re.search(r'href="/hoi-dap/linh-vuc/ho-tich">Hộ tịch</a>\s*<span class="count">2 câu hỏi', html)
    assert "Tư pháp, chứng thực" in html and "Đất đai" in html
    assert "chưa công bố" not in html  # the draft is counted nowhere


def test_entry_page_shows_answer_legal_basis_review_date_and_links(site: Site) -> None:
    r = site.get("/hoi-dap/cau-hoi/khai-sinh")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=60"
    html = r.text
    assert html.count("<h1") == 1 and "Đăng ký khai sinh cho con cần giấy tờ gì?</h1>" in html
    assert '<link rel="canonical" href="/hoi-dap/cau-hoi/khai-sinh">' in html
    assert "<li>Giấy tờ: giấy chứng sinh; giấy tờ tùy thân của người đi đăng ký.</li>" in html
    assert "gọi 1900 1234" in html and "{{" not in html  # placeholders filled
    assert '<a href="https://dichvucong.gov.vn" rel="noopener">https://dichvucong.gov.vn</a>' in html
    assert "<li>Nghị định 123/2015/NĐ-CP</li>" in html
    assert '<time datetime="2026-03-05">05/03/2026</time>' in html
    assert 'href="ftp://' not in html and "ftp://cu.example" in html  # only http(s) becomes a link
    assert '<a href="/hoi-dap/linh-vuc/ho-tich">Hộ tịch</a>' in html and 'href="/chat"' in html
    data = structured_data(html)
    assert data["@type"] == "FAQPage" and data["dateModified"] == "2026-03-05"
    (question,) = data["mainEntity"]
    assert question["name"] == "Đăng ký khai sinh cho con cần giấy tờ gì?"
    assert question["acceptedAnswer"]["text"].startswith("Bạn đăng ký khai sinh tại UBND cấp xã")


def test_category_page_marks_up_every_question(site: Site) -> None:
    r = site.get("/hoi-dap/linh-vuc/can-cuoc")
    assert r.status_code == 200
    data = structured_data(r.text)
    names = {q["name"] for q in data["mainEntity"]}
    assert names == {
        "Làm lại thẻ căn cước bị mất ở đâu, cần giấy tờ gì?",
        "Đến tuổi 25 có phải đổi thẻ căn cước không?",
    }
    assert r.text.count("<details") == 2 and 'href="/hoi-dap/cau-hoi/cccd-cap-lai"' in r.text


@pytest.mark.parametrize(
    "path",
    ["/hoi-dap/cau-hoi/khong-co", "/hoi-dap/linh-vuc/khong-co", "/hoi-dap/cau-hoi/ban-nhap", "/hoi-dap/x/y"],
)
def test_unknown_and_unpublished_pages_are_a_vietnamese_404(site: Site, path: str) -> None:
    r = site.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Không tìm thấy trang</h1>" in r.text and 'for="q"' in r.text


def test_short_entry_address_redirects_to_the_stable_one(site: Site) -> None:
    r = httpx.get(site.base + "/hoi-dap/khai-sinh", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/hoi-dap/cau-hoi/khai-sinh"
    for stray, wanted in (
        ("/hoi-dap/", "/hoi-dap"),
        ("/hoi-dap/linh-vuc/ho-tich/", "/hoi-dap/linh-vuc/ho-tich"),
    ):
        assert httpx.get(site.base + stray).headers["location"] == wanted
    assert httpx.head(site.base + "/hoi-dap/cau-hoi/khai-sinh").status_code == 200


def test_search_finds_entries_without_diacritics_and_logs_nothing(site: Site) -> None:
    r = site.get("/hoi-dap/tim-kiem?q=" + NO_DIACRITICS_QUERY)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in r.text
    first = re.search(r'<ol class="results"[^>]*>\s*<li>\s*<h2><a href="([^"]+)"', r.text)
    assert first and first.group(1) == "/hoi-dap/cau-hoi/lltp"
    with Session(site.runtime.engine) as session:  # browsing is not a chat: nothing is recorded
        assert session.exec(select(func.count()).select_from(Interaction)).one() == 0


def test_search_without_a_usable_query_explains_politely(site: Site) -> None:
    empty = site.get("/hoi-dap/tim-kiem?q=%20%3F%20")
    assert empty.status_code == 200 and "Bạn vui lòng nhập câu hỏi hoặc từ khóa" in empty.text
    too_long = site.get("/hoi-dap/tim-kiem?q=" + "a" * (site.settings.max_message_chars + 1))
    assert too_long.status_code == 422 and "Bạn vui lòng rút gọn" in too_long.text
    nothing = site.get("/hoi-dap/tim-kiem?q=giá vàng SJC hôm nay bao nhiêu")
    assert nothing.status_code == 200 and "Chưa tìm thấy câu hỏi phù hợp" in nothing.text
    assert 'href="tel:19001234"' in nothing.text and 'href="https://dichvucong.gov.vn"' in nothing.text
    assert "12 Lê Lợi, phường Trung tâm" in nothing.text


def test_stored_and_typed_markup_is_escaped(site: Site) -> None:
    html = site.get("/hoi-dap/cau-hoi/chung-thuc-ban-sao-dien-tu").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;trong ngày&lt;/b&gt; &amp;" in html
    assert "<b>" not in html and "<i>" not in html and 'href="javascript:' not in html
    # The only script element is the JSON-LD, and the stored "</script>" cannot close it early.
    assert html.count("<script") == 1 and html.count("</script>") == 1
    data = structured_data(html)
    assert SCRIPT in data["mainEntity"][0]["acceptedAnswer"]["text"]
    typed = site.get("/hoi-dap/tim-kiem", q='"><script>alert(3)</script>').text
    assert "<script>alert(3)" not in typed and "&#34;&gt;&lt;script&gt;alert(3)" in typed


def _tab_to(page: Page, element_id: str, presses: int = 10) -> bool:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return True
    return False


def test_browser_search_by_keyboard_without_diacritics(site: Site, browser: Browser) -> None:
    with visit(browser, site.base, DESKTOP) as v:
        page = v.page("/hoi-dap")
        screenshot(page, "public-desktop")
        assert page.get_by_label("Tìm câu hỏi").get_attribute("id") == "q"  # the input is labelled
        assert _tab_to(page, "q"), "the search box is not reachable with Tab"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # visible focus
        page.keyboard.type(NO_DIACRITICS_QUERY)
        page.keyboard.press("Enter")
        page.wait_for_url("**/hoi-dap/tim-kiem?q=*")
        first = page.locator("ol.results h2 a").first
        assert first.inner_text() == "Xin phiếu lý lịch tư pháp ở đâu?"
        first.click()
        page.wait_for_url("**/hoi-dap/cau-hoi/lltp")
        assert v.foreign_hosts() == set() and v.console_errors == []


def test_browser_shows_stored_script_as_text(site: Site, browser: Browser) -> None:
    dialogs: list[str] = []
    with visit(browser, site.base, DESKTOP) as v:
        page = v.page()

        def dismiss(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.goto(site.base + "/hoi-dap/cau-hoi/chung-thuc-ban-sao-dien-tu")
        text = page.inner_text("main")
        assert SCRIPT in text and "<b>trong ngày</b> & qua e-mail" in text
        assert "Chứng thực bản sao <b>điện tử</b> từ bản chính làm thế nào?" in page.inner_text("h1")
        assert page.locator("script").count() == 1 and page.locator("main b, main i").count() == 0
        page.goto(site.base + "/hoi-dap/tim-kiem?q=" + "<img src=x onerror=alert(4)>")
        assert "<img src=x onerror=alert(4)>" in page.inner_text("main")
        assert dialogs == [] and v.foreign_hosts() == set() and v.console_errors == []


def test_browser_mobile_layout(site: Site, browser: Browser) -> None:
    with visit(browser, site.base, MOBILE) as v:
        for path, name in (
            ("/hoi-dap", "public-mobile"),
            ("/hoi-dap/cau-hoi/khai-sinh", "public-entry-mobile"),
        ):
            page = v.page(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways on a phone"
            assert screenshot(page, name).startswith(b"\x89PNG")
        assert v.foreign_hosts() == set() and v.console_errors == []
