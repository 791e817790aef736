"""The index that serves right now, swapped atomically while queries keep running."""

from __future__ import annotations

import threading

from retrieval.encoder import Encoder
from retrieval.index import IndexStore, SearchIndex
from retrieval.searcher import HybridSearcher, SearchConfig


class LiveIndex:
    """Holds the current searcher. Readers take a reference once per query, so a swap never
    disturbs a query in flight: it simply finishes on the index it started with."""

    def __init__(self, store: IndexStore | None, encoder: Encoder, config: SearchConfig) -> None:
        self.store = store
        self.encoder = encoder
        self.config = config
        self._searcher: HybridSearcher | None = None
        self._lock = threading.Lock()

    @property
    def searcher(self) -> HybridSearcher | None:
        return self._searcher

    @property
    def version(self) -> str | None:
        searcher = self._searcher
        return searcher.index.meta.version if searcher else None

    def install(self, index: SearchIndex) -> None:
        self._searcher = HybridSearcher(index, self.encoder, self.config)

    def refresh(self) -> bool:
        """Load the stored CURRENT version if it differs from the one serving; True if swapped."""
        if self.store is None:
            return False
        with self._lock:
            current = self.store.current_version()
            if current is None or current == self.version:
                return False
            index = self.store.load(current, model=self.encoder.name, dim=self.encoder.dim)
            self.install(index)
            return True
