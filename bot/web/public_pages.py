"""Public FAQ pages under /hoi-dap: server-rendered HTML, working without JavaScript.

/hoi-dap                      introduction, search box, categories with their counts
/hoi-dap/linh-vuc/{id}        one category's questions and answers
/hoi-dap/cau-hoi/{id}         one entry at a stable address
/hoi-dap/tim-kiem?q=…         search with the bot's retrieval (not logged)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.web.public_content import BASE_PATH, CategoryView, EntryView, PublicFaq, PublicFaqCache
from bot.web.public_search import PublicSearch
from bot.web.public_text import safe_href, snippet
from bot.web.templating import json_ld, render
from core.app_state import one_per_app
from core.runtime import Runtime
from core.settings import Settings

router = APIRouter(include_in_schema=False)
GET = ["GET", "HEAD"]  # crawlers and link checkers send HEAD
CACHED = {"Cache-Control": "public, max-age=60"}
# A search page repeats what the citizen typed (maybe personal details): keep it out of caches.
NOT_STORED = {"Cache-Control": "no-store"}
RELATED_ENTRIES = 5
DESCRIPTION_CHARS = 160  # what search engines show under a result
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 .]{2,19}$")


@dataclass(frozen=True)
class PublicState:
    settings: Settings
    faq: PublicFaqCache
    search: PublicSearch


def _state(request: Request) -> PublicState:
    """Built on first use, once per app: the runtime only exists once the lifespan has started."""
    runtime: Runtime = request.app.state.runtime

    def make() -> PublicState:
        s = runtime.settings
        return PublicState(
            s,
            PublicFaqCache(runtime.engine, runtime.live, s.placeholders()),
            PublicSearch(runtime.live, runtime.service.thresholds, s.restore_diacritics),
        )

    return one_per_app(request.app.state, "public_faq", make)


def _site(settings: Settings) -> dict[str, Any]:
    """The office's contact facts for header, footer and the no-result advice."""
    hotline = settings.hotline
    return {
        "hotline": hotline,
        "hotline_href": "tel:" + re.sub(r"[ .]", "", hotline) if _PHONE_RE.match(hotline) else None,
        "center": settings.service_center_name,
        "address": settings.service_center_address,
        "portal": settings.national_portal_url,
        "portal_href": safe_href(settings.national_portal_url),
        "max_chars": settings.max_message_chars,
        "chat_url": "/chat",
        "home_url": BASE_PATH,
        "search_url": f"{BASE_PATH}/tim-kiem",
    }


def _page(
    state: PublicState,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    headers: Mapping[str, str] = CACHED,
) -> HTMLResponse:
    defaults = {
        "site": _site(state.settings),
        "q": "",
        "description": "Câu hỏi thường gặp về thủ tục hành chính",
        "canonical": None,
        "structured": None,
        "noindex": False,
    }
    return render(f"public/{template}", {**defaults, **context}, status_code, headers)


def _faq_page_data(entries: Sequence[EntryView]) -> dict[str, Any]:
    """schema.org FAQPage: what search engines read as the page's questions and answers."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": e.question,
                "acceptedAnswer": {"@type": "Answer", "text": e.answer},
            }
            for e in entries
        ],
    }


def _not_found(state: PublicState) -> HTMLResponse:
    return _page(state, "not_found.html", {"title": "Không tìm thấy trang"}, 404)


@router.api_route(BASE_PATH, methods=GET, response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    state = _state(request)
    faq = state.faq.current()
    context = {
        "title": "Câu hỏi thường gặp về thủ tục hành chính",
        "description": (
            f"Giải đáp {len(faq.entries)} câu hỏi thường gặp về thủ tục hành chính trong "
            f"{len(faq.categories)} lĩnh vực, kèm căn cứ pháp lý và ngày rà soát."
        ),
        "canonical": BASE_PATH,
        "categories": faq.categories,
    }
    return _page(state, "home.html", context)


@router.api_route(BASE_PATH + "/linh-vuc/{category_id}", methods=GET, response_class=HTMLResponse)
def category_page(request: Request, category_id: str) -> HTMLResponse:
    state = _state(request)
    category = state.faq.current().category(category_id)
    if category is None:
        return _not_found(state)
    context = {
        "title": category.name,
        "description": category.description or f"Câu hỏi thường gặp về {category.name}.",
        "category": category,
        "canonical": category.url,
        "structured": json_ld(_faq_page_data(category.entries)),
    }
    return _page(state, "category.html", context)


def _related(faq: PublicFaq, entry: EntryView) -> tuple[CategoryView | None, list[EntryView]]:
    category = faq.category(entry.category_id)
    if category is None:
        return None, []
    others = [e for e in category.entries if e.id != entry.id]
    return category, others[:RELATED_ENTRIES]


@router.api_route(BASE_PATH + "/cau-hoi/{entry_id}", methods=GET, response_class=HTMLResponse)
def entry_page(request: Request, entry_id: str) -> HTMLResponse:
    state = _state(request)
    faq = state.faq.current()
    entry = faq.entries.get(entry_id)
    if entry is None:
        return _not_found(state)
    category, related = _related(faq, entry)
    data = _faq_page_data([entry])
    if entry.reviewed:
        data["dateModified"] = entry.reviewed.isoformat()
    context = {
        "title": entry.question,
        "description": snippet(entry.answer, DESCRIPTION_CHARS),
        "entry": entry,
        "category": category,
        "related": related,
        "canonical": entry.url,
        "structured": json_ld(data),
    }
    return _page(state, "entry.html", context)


def _search_results(state: PublicState, q: str) -> list[tuple[EntryView, CategoryView | None]]:
    faq = state.faq.current()
    found = state.search.search(q)
    # An entry missing from the view (the index was swapped in between) is skipped rather than
    # linked to a page that would say "not found".
    return [(faq.entries[i], faq.category(faq.entries[i].category_id)) for i in found if i in faq.entries]


@router.api_route(BASE_PATH + "/tim-kiem", methods=GET, response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query()] = "") -> HTMLResponse:
    state = _state(request)
    limit = state.settings.max_message_chars
    # Result pages are not for search engines: they would index citizens' queries.
    context: dict[str, Any] = {"title": "Tìm kiếm câu hỏi", "q": q, "results": [], "noindex": True}
    if len(q) > limit:
        return _page(state, "search.html", {**context, "problem": "too_long"}, 422, NOT_STORED)
    if PublicSearch.is_blank(q):
        return _page(state, "search.html", {**context, "problem": "empty"}, 200, NOT_STORED)
    context["results"] = _search_results(state, q)
    context["title"] = f"Tìm kiếm: {snippet(q, 60)}"
    return _page(state, "search.html", {**context, "problem": None}, 200, NOT_STORED)


@router.api_route(BASE_PATH + "/{rest:path}", methods=GET, response_model=None)
def elsewhere(request: Request, rest: str) -> Response:
    """/hoi-dap/{entry id} leads to the entry's page; any other address gets the 404 page."""
    trimmed = rest.strip("/")
    if not trimmed or trimmed != rest:  # a stray slash (this route shadows FastAPI's slash redirect)
        return RedirectResponse(f"{BASE_PATH}/{trimmed}" if trimmed else BASE_PATH, status_code=301)
    state = _state(request)
    entry = state.faq.current().entries.get(rest)
    if entry is not None:
        return RedirectResponse(entry.url, status_code=301)
    return _not_found(state)
