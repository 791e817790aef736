"""Grouping similar questions by meaning, so staff see the few gaps that matter.

Questions are prepared like a citizen's question (abbreviations expanded, diacritics restored)
and embedded with the serving model in its query form (through the embedding cache, so each
text is encoded once). Average-linkage hierarchical clustering (SciPy) then joins groups while
their mean cosine stays above a threshold; largest group first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.cluster.hierarchy import fcluster, linkage

from core.runtime import Runtime, embedding_cache
from retrieval.encoder import encode_queries_cached

# Measured on tests/data/unanswered_sample.jsonl (docs/DECISIONS.md §11): at 0.86 no group mixes
# two themes and the themes are found almost exactly (adjusted Rand index 0.97); above it a theme
# splits into arbitrary halves. The small model cannot separate close neighbours (driving
# licence / vehicle registration) at any threshold, and very short questions sharing a word
# ("đăng ký …") can chain into one group.
GROUP_SIMILARITY = 0.86
# Hiding a question for being like ignored noise must not hide a real question: only near
# repeats count (same sample: a rephrased repeat scores 0.97, unrelated questions up to 0.87).
IGNORE_SIMILARITY = 0.92
Vectors = NDArray[np.float32]


class QuestionEmbedder:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.runtime.encoder.dim), np.float32)
        searcher = self.runtime.live.searcher
        if searcher is not None:
            restore = self.runtime.settings.restore_diacritics
            texts = [searcher.index.pipeline.prepare_query(t, restore).dense_text for t in texts]
        cache = embedding_cache(self.runtime.settings)
        try:
            vectors, _ = encode_queries_cached(self.runtime.encoder, cache, list(texts))
        finally:
            cache.close()
        return vectors


def group_indices(vectors: Vectors, similarity: float = GROUP_SIMILARITY) -> list[list[int]]:
    """Indices of ``vectors`` in groups, largest first; every vector lands in exactly one."""
    if len(vectors) < 2:
        return [[0]] if len(vectors) else []
    tree = linkage(vectors.astype(np.float64), method="average", metric="cosine")
    labels = fcluster(tree, t=1.0 - similarity, criterion="distance")
    groups: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        groups[int(label)].append(index)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def medoid(vectors: Vectors, members: Sequence[int]) -> int:
    """The member closest to all the others: the group's most typical question."""
    block = vectors[list(members)]
    return int(members[int(np.argmax((block @ block.T).sum(axis=1)))])


def near_any(vectors: Vectors, others: Vectors, similarity: float = IGNORE_SIMILARITY) -> NDArray[np.bool_]:
    """For each vector, whether it is within the threshold of one of ``others``."""
    if len(others) == 0 or len(vectors) == 0:
        return np.zeros(len(vectors), dtype=bool)
    return np.asarray((vectors @ others.T).max(axis=1) >= similarity)
