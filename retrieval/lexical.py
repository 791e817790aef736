"""Lexical BM25 over accent-folded syllables and syllable bigrams (bm25s: sparse matrices)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
from numpy.typing import NDArray

# bm25s logs progress bars and notices at INFO; an index load is not news.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self._retriever = retriever
        self._size = size

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        retriever = bm25s.BM25()
        # An empty term list would make bm25s drop the row and shift every id after it.
        corpus = [list(doc) or ["<empty>"] for doc in documents]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, len(corpus))

    def __len__(self) -> int:
        return self._size

    def scores(self, terms: Sequence[str]) -> NDArray[np.float32]:
        if not terms or self._size == 0:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(list(terms)), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder / "bm25"), show_progress=False)
        (folder / "bm25" / "size.txt").write_text(str(self._size))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        retriever = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, mmap=False)
        return cls(retriever, int((folder / "bm25" / "size.txt").read_text()))
