"""Browsing the published FAQ by category, in pages, with short references for buttons.

Chat buttons carry at most 64 bytes, so entries and categories travel as short stable
references (a hash prefix of their id) instead of ids that may be 120 characters long.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine

from core import faq_store
from core.faq import FaqEntry
from retrieval.live import LiveIndex

T = TypeVar("T")
REF_CHARS = 10


def short_ref(identifier: str) -> str:
    return hashlib.sha1(identifier.encode()).hexdigest()[:REF_CHARS]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class CategoryItem:
    ref: str
    name: str
    count: int


@dataclass(frozen=True)
class QuestionItem:
    ref: str
    question: str


def _page(items: list[T], page: int, size: int) -> Page[T]:
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return Page(tuple(items[page * size : (page + 1) * size]), page, pages)


class FaqBrowser:
    """Categories and questions of the entries the bot currently serves."""

    def __init__(self, engine: Engine, live: LiveIndex, page_size: int = 6) -> None:
        self.engine = engine
        self.live = live
        self.page_size = page_size

    def _entries(self) -> list[FaqEntry]:
        searcher = self.live.searcher
        return list(searcher.index.entries.values()) if searcher is not None else []

    def categories(self, page: int = 0) -> Page[CategoryItem]:
        counts: dict[str, int] = {}
        for entry in self._entries():
            counts[entry.category] = counts.get(entry.category, 0) + 1
        names = {c.id: c.name for c in faq_store.load_categories(self.engine)}
        items = [
            CategoryItem(short_ref(cid), names.get(cid, cid), n)
            for cid, n in sorted(counts.items(), key=lambda kv: names.get(kv[0], kv[0]))
            if cid
        ]
        return _page(items, page, self.page_size)

    def category_name(self, ref: str) -> str | None:
        names = {short_ref(c.id): c.name for c in faq_store.load_categories(self.engine)}
        return names.get(ref)

    def questions(self, category_ref: str, page: int = 0) -> Page[QuestionItem]:
        entries = [e for e in self._entries() if short_ref(e.category) == category_ref]
        items = [QuestionItem(short_ref(e.id), e.question) for e in sorted(entries, key=lambda e: e.id)]
        return _page(items, page, self.page_size)

    def entry(self, ref: str) -> FaqEntry | None:
        return next((e for e in self._entries() if short_ref(e.id) == ref), None)
