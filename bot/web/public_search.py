"""The search box of the public FAQ: the bot's own retrieval, without its interaction log.

A search goes through the same steps as a chat question in AnswerService (the index's text
pipeline with diacritics restoration, then the hybrid searcher, and the bot's calibrated
thresholds), so a question typed without accents finds what the bot would answer. Unlike a chat
question it is not recorded: a search page is browsing, and citizens did not agree to more.
"""

from __future__ import annotations

from core.answering import HitCache
from core.decision import Thresholds
from core.text.normalize import tokens
from retrieval.live import LiveIndex
from retrieval.types import Hit

MAX_RESULTS = 10
CACHE_SIZE = 512


class PublicSearch:
    def __init__(
        self,
        live: LiveIndex,
        thresholds: Thresholds,
        restore_diacritics: bool,
        limit: int = MAX_RESULTS,
    ) -> None:
        self._live = live
        self._thresholds = thresholds
        self._restore = restore_diacritics
        self._limit = limit
        self._cache = HitCache(CACHE_SIZE)

    @staticmethod
    def is_blank(text: str) -> bool:
        """Nothing to search for: no word at all (spaces or punctuation only)."""
        return not tokens(text.lower())

    def search(self, text: str) -> tuple[str, ...]:
        """Ids of the relevant entries, best first."""
        searcher = self._live.searcher  # one reference: a swap mid-search cannot mix versions
        if searcher is None:
            return ()
        version = searcher.index.meta.version
        prepared = searcher.index.pipeline.prepare_query(text, self._restore)
        key = (version, prepared.dense_text, self._limit)
        hits = self._cache.get(key)
        if hits is None:
            hits = tuple(searcher.search(prepared, k=self._limit))
            self._cache.put(key, hits)
        return tuple(h.id for h in hits if self._relevant(h))

    def _relevant(self, hit: Hit) -> bool:
        """Relevant as the bot judges it: what it would answer or at least suggest."""
        return self._thresholds.confident(hit) or hit.dense >= self._thresholds.suggest_threshold
