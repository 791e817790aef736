"""Answering a question against the working copies, so staff see the effect of their drafts
before citizens do.

The draft set (every entry that is not archived, as editors left it) gets an index of its own,
built with the shared embedding cache: only rows that changed are encoded. It is kept until
the draft set changes again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from core import faq_store
from core.answering import AnswerService
from core.faq import FaqEntry
from core.messages import Reply
from core.runtime import Runtime, embedding_cache
from retrieval.index import ALL_FIELDS, SearchIndex, build_index, content_hash
from retrieval.live import LiveIndex


def draft_entries(runtime: Runtime) -> list[FaqEntry]:
    """The working copy of every entry not archived, served as if it were published."""
    _, entries = faq_store.load(runtime.engine)
    return [e.model_copy(update={"status": "published"}) for e in entries if e.status != "archived"]


class DraftTester:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.Lock()  # one build at a time; concurrent tests wait for it
        self._index: SearchIndex | None = None

    def answer(self, question: str) -> tuple[Reply, dict[str, FaqEntry]]:
        """The reply the draft set would give (not logged), with the entries it ranked."""
        index = self._index_for(draft_entries(self.runtime))
        live = LiveIndex(None, self.runtime.encoder, self.runtime.live.config)
        live.install(index)
        served = self.runtime.service
        service = AnswerService(served.settings, live, served.log, served.thresholds, catalog=served.catalog)
        return service.answer(question), dict(index.entries)

    def _index_for(self, entries: Sequence[FaqEntry]) -> SearchIndex:
        wanted = content_hash(entries, ALL_FIELDS)
        with self._lock:
            if self._index is None or self._index.meta.content_hash != wanted:
                cache = embedding_cache(self.runtime.settings)
                try:
                    self._index = build_index(entries, self.runtime.encoder, cache=cache)
                finally:
                    cache.close()
            return self._index
