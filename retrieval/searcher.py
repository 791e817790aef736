"""Hybrid search: dense cosine and BM25 candidates, fused, one hit per Q&A entry."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from core.text.pipeline import PreparedQuery
from retrieval.encoder import Encoder
from retrieval.index import SearchIndex
from retrieval.types import Hit

T = TypeVar("T")
Mode = Literal["hybrid", "dense", "lexical"]
Fusion = Literal["score", "rrf"]
RRF_K = 60
CODE_BONUS = 1.0  # an entry that names the exact form/procedure code the citizen typed must win


@dataclass(frozen=True)
class SearchConfig:
    mode: Mode = "hybrid"
    fusion: Fusion = "score"
    lexical_weight: float = 0.05
    candidates: int = 20
    # An entry ranks by the mean cosine of its best N questions/phrasings (or its answer passage if
    # higher): two agreeing phrasings beat one lucky match (docs/DECISIONS.md §4). 1 = best row only.
    agreeing_phrasings: int = 2


@dataclass
class StageTimer:
    """Milliseconds spent per stage of one query (for benchmarks and logs)."""

    stages: dict[str, float] = field(default_factory=dict)

    def run(self, name: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + (time.perf_counter() - start) * 1000


def _per_entry_max(
    index: SearchIndex, rows: NDArray[np.int64], scores: NDArray[np.float32]
) -> dict[int, float]:
    best: dict[int, float] = {}
    for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
        entry = int(index.row_entry[row])
        if score > best.get(entry, -np.inf):
            best[entry] = score
    return best


@dataclass(frozen=True)
class _EntryScores:
    """One entry's scores against a query, each from its best rows."""

    dense: float  # best cosine over all rows
    dense_question: float  # best cosine over its questions and phrasings
    ranking: float  # mean of its best phrasings, or its answer passage if higher
    lexical: float
    best_row: int


class HybridSearcher:
    def __init__(self, index: SearchIndex, encoder: Encoder, config: SearchConfig) -> None:
        self.index = index
        self.encoder = encoder
        self.config = config

    def encode(self, query: PreparedQuery, timer: StageTimer | None = None) -> NDArray[np.float32]:
        timer = timer or StageTimer()
        return timer.run("encode", lambda: self.encoder.encode_queries([query.dense_text])[0])

    def search(
        self,
        query: PreparedQuery,
        k: int = 5,
        timer: StageTimer | None = None,
        vector: NDArray[np.float32] | None = None,
    ) -> list[Hit]:
        """Top ``k`` entries; pass ``vector`` to reuse an encoding made for another index."""
        timer = timer or StageTimer()
        if len(self.index.rows) == 0:
            return []
        mode, n_rows = self.config.mode, self.config.candidates * 3
        dense_best: dict[int, float] = {}
        lexical_all = np.zeros(len(self.index.rows), dtype=np.float32)
        if mode == "lexical":
            vector = None
        else:
            encoded = vector if vector is not None else self.encode(query, timer)
            scores, rows = timer.run("dense", lambda: self.index.dense.search(encoded, n_rows))
            dense_best = _per_entry_max(self.index, rows, scores)
            vector = encoded
        lexical_best: dict[int, float] = {}
        if mode != "dense":
            lexical_all = timer.run("lexical", lambda: self.index.lexical.scores(query.lexical_terms))
            top = np.argsort(-lexical_all)[:n_rows]
            top = top[lexical_all[top] > 0]
            lexical_best = _per_entry_max(self.index, top.astype(np.int64), lexical_all[top])
        hits = timer.run("fuse", lambda: self._fuse(query, vector, dense_best, lexical_best, lexical_all))
        return hits[:k]

    def _entry_scores(
        self, vector: NDArray[np.float32] | None, entry: int, lexical_all: NDArray[np.float32]
    ) -> _EntryScores:
        rows = self.index.rows_of[entry]
        lexical = float(lexical_all[rows].max()) if len(rows) else 0.0
        if vector is None:
            best_row = int(rows[int(np.argmax(lexical_all[rows]))])
            return _EntryScores(0.0, 0.0, 0.0, lexical, best_row)
        dense = self.index.dense.scores_for(vector, rows)
        is_answer = self.index.row_is_answer[rows]
        asked = np.sort(dense[~is_answer])[::-1]
        dense_question = float(asked[0]) if len(asked) else 0.0
        agreeing = float(asked[: self.config.agreeing_phrasings].mean()) if len(asked) else 0.0
        passage = float(dense[is_answer].max()) if is_answer.any() else 0.0
        best_row = int(rows[int(np.argmax(dense))])
        return _EntryScores(float(dense.max()), dense_question, max(agreeing, passage), lexical, best_row)

    def _fuse(
        self,
        query: PreparedQuery,
        vector: NDArray[np.float32] | None,
        dense_best: dict[int, float],
        lexical_best: dict[int, float],
        lexical_all: NDArray[np.float32],
    ) -> list[Hit]:
        candidates = set(dense_best) | set(lexical_best)
        max_lexical = max(lexical_best.values(), default=0.0) or 1.0
        dense_rank = {e: r for r, e in enumerate(sorted(dense_best, key=lambda e: -dense_best[e]))}
        lexical_rank = {e: r for r, e in enumerate(sorted(lexical_best, key=lambda e: -lexical_best[e]))}
        coded = set().union(*(self.index.code_entries.get(c, set()) for c in query.codes))
        hits = []
        for entry in candidates:
            scores = self._entry_scores(vector, entry, lexical_all)
            entry_id = self.index.entry_ids[entry]
            if self.config.mode == "dense":
                fused = scores.ranking
            elif self.config.mode == "lexical":
                fused = scores.lexical
            elif self.config.fusion == "rrf":
                fused = 1 / (RRF_K + dense_rank.get(entry, len(dense_rank) + 1)) + 1 / (
                    RRF_K + lexical_rank.get(entry, len(lexical_rank) + 1)
                )
            else:
                fused = scores.ranking + self.config.lexical_weight * scores.lexical / max_lexical
            if entry_id in coded:
                fused += CODE_BONUS
            matched = self.index.rows[scores.best_row]
            hits.append(
                Hit(
                    entry_id,
                    float(fused),
                    scores.dense,
                    scores.lexical,
                    matched.text,
                    matched.kind,
                    scores.dense_question,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits
