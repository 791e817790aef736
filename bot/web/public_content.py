"""What the public FAQ pages show: the entries the bot serves, grouped by category, ready to render.

The source is the live index (the published entries, exactly what the bot answers from), so a
page and the bot never disagree. Category names and descriptions come from the database. The
prepared view is rebuilt only when the index version or the categories change.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import Engine

from bot.web.public_text import Block, Segment, blocks, safe_href, snippet
from core import faq_store
from core.faq import Category, FaqEntry
from core.replies import fill
from core.text.normalize import fold_case, strip_diacritics
from retrieval.live import LiveIndex

BASE_PATH = "/hoi-dap"


def sort_key(text: str) -> tuple[str, str]:
    """Vietnamese-friendly order: "Đất đai" next to "Dân cư", not after "Xây dựng"."""
    folded = fold_case(text)
    return strip_diacritics(folded), folded


@dataclass(frozen=True)
class EntryView:
    id: str
    question: str
    category_id: str
    answer: str  # placeholders filled; plain text
    blocks: tuple[Block, ...]
    legal_basis: tuple[str, ...]
    links: tuple[Segment, ...]
    reviewed: date | None

    @property
    def url(self) -> str:
        return f"{BASE_PATH}/cau-hoi/{quote(self.id, safe=':')}"

    @property
    def reviewed_text(self) -> str:
        return self.reviewed.strftime("%d/%m/%Y") if self.reviewed else ""

    @property
    def snippet(self) -> str:
        return snippet(self.answer)


@dataclass(frozen=True)
class CategoryView:
    id: str
    name: str
    description: str
    entries: tuple[EntryView, ...]

    @property
    def url(self) -> str:
        return f"{BASE_PATH}/linh-vuc/{self.id}"


@dataclass(frozen=True)
class PublicFaq:
    categories: tuple[CategoryView, ...]
    entries: Mapping[str, EntryView]
    version: str | None

    def category(self, category_id: str) -> CategoryView | None:
        return next((c for c in self.categories if c.id == category_id), None)


def entry_view(entry: FaqEntry, values: Mapping[str, str]) -> EntryView:
    answer = fill(entry.answer.strip(), values)
    return EntryView(
        id=entry.id,
        question=entry.question,
        category_id=entry.category,
        answer=answer,
        blocks=blocks(answer),
        legal_basis=tuple(entry.legal_basis),
        links=tuple(Segment(link, safe_href(link)) for link in entry.links),
        reviewed=entry.reviewed,
    )


def build(
    entries: Sequence[FaqEntry],
    categories: Sequence[Category],
    values: Mapping[str, str],
    version: str | None = None,
) -> PublicFaq:
    views = {e.id: entry_view(e, values) for e in entries}
    by_category: dict[str, list[EntryView]] = {}
    for view in views.values():
        if view.category_id:  # an entry without a category still has its own page
            by_category.setdefault(view.category_id, []).append(view)
    known = {c.id: c for c in categories}
    grouped = [
        CategoryView(
            cid,
            known[cid].name if cid in known else cid,
            known[cid].description if cid in known else "",
            tuple(sorted(items, key=lambda v: sort_key(v.question))),
        )
        for cid, items in by_category.items()
    ]
    grouped.sort(key=lambda c: sort_key(c.name))
    return PublicFaq(tuple(grouped), views, version)


class PublicFaqCache:
    """The prepared view of the FAQ, per index version and category list (one kept)."""

    def __init__(self, engine: Engine, live: LiveIndex, values: Mapping[str, str]) -> None:
        self._engine = engine
        self._live = live
        self._values = dict(values)
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._faq = PublicFaq((), {}, None)

    def current(self) -> PublicFaq:
        searcher = self._live.searcher  # one reference: a swap mid-request cannot mix versions
        if searcher is None:
            return PublicFaq((), {}, None)
        # Categories are read each time (one small query): staff may rename one without a re-index.
        categories = faq_store.load_categories(self._engine)
        version = searcher.index.meta.version
        key = (version, tuple((c.id, c.name, c.description) for c in categories))
        with self._lock:
            if key != self._key:
                self._faq = build(list(searcher.index.entries.values()), categories, self._values, version)
                self._key = key
            return self._faq
