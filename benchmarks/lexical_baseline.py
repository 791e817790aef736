"""The portal's keyword box: BM25 over the raw words, without our text handling.

Rows (question, phrasings, answer) are lowercased and split into words as typed: diacritics
kept, no accent folding, no abbreviation expansion, no bigrams, no restoration. An entry ranks by
its best row. This is the "lexical only, raw text" baseline; the folded one is the lexical mode
of `hoidap eval` (accent-folded syllables and bigrams after abbreviation expansion).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.evaluation import EvalRun, Query, QueryResult, by_style, summarise
from core.faq import FaqEntry
from core.messages import Decision
from core.text.normalize import fold_case, nfc, tokens
from retrieval.index import ALL_FIELDS, entry_rows
from retrieval.lexical import LexicalIndex
from retrieval.types import Hit, RowKind

DEPTH = 10


def raw_terms(text: str) -> list[str]:
    return tokens(fold_case(nfc(text)))


class RawKeywordSearch:
    def __init__(self, entries: Sequence[FaqEntry], fields: Sequence[RowKind] = ALL_FIELDS) -> None:
        rows = [row for e in entries for row in entry_rows(e, fields)]
        self._row_entry = [row.entry_id for row in rows]
        self._index = LexicalIndex.build([raw_terms(row.text) for row in rows])

    def search(self, text: str, k: int = DEPTH) -> list[Hit]:
        scores = self._index.scores(raw_terms(text))
        best: dict[str, float] = {}
        for row in np.argsort(-scores)[: k * 20]:
            if scores[row] <= 0:
                break
            entry = self._row_entry[int(row)]
            best.setdefault(entry, float(scores[row]))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [Hit(entry, score, 0.0, score, "", RowKind.QUESTION, 0.0) for entry, score in ranked]


def evaluate(entries: Sequence[FaqEntry], queries: Sequence[Query]) -> dict[str, Any]:
    """Ranking figures of the raw keyword search; it never answers on its own (no confidence)."""
    search = RawKeywordSearch(entries)
    results = [QueryResult(q, search.search(q.text), Decision.SUGGEST, 0.0) for q in queries]
    run = EvalRun(results, n_faq=len(entries))
    figures = {**summarise(run), "by_style": by_style(run)}
    figures.pop("p50_ms"), figures.pop("p95_ms")  # not timed: the portal's latency is not ours
    return figures
