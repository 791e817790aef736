"""Dense vector search over normalised embeddings (inner product = cosine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np
from numpy.typing import NDArray

# Above this many rows an HNSW graph replaces exact search (docs/BENCHMARKS.md, "Scale"). Measured
# by benchmarks/scale_bench.py (2026-12-06): exact search of the top 60 costs 1.5 ms at 30,000 rows
# and 6.5 ms at 120,000 (20,000 entries), growing linearly, while HNSW (32 neighbours, efSearch 512)
# finds only 96% and 93% of those 60. Exact search stays below 16 ms up to about 250,000 rows, so
# only beyond that, far past a province's FAQ and catalog together, does speed justify lost recall.
HNSW_ABOVE = 250_000
_HNSW_NEIGHBOURS = 32
_HNSW_EF_SEARCH = 512  # recall first: the default (16) found under half of the top 60


def _one_omp_thread() -> None:
    """One query searches on one thread anyway; faiss's other OpenMP threads would only spin beside
    PyTorch's on the same cores (benchmarks/scale_bench.py: p95 at 20,000 entries). The setting
    belongs to the calling thread (libgomp), and answers run on pool threads, so each sets it."""
    if faiss.omp_get_max_threads() != 1:
        faiss.omp_set_num_threads(1)


class _FaissStorage:
    """Exposes faiss's vector storage to numpy; the array's base, so it keeps the index alive."""

    def __init__(self, index: faiss.Index, flat: Any) -> None:
        self._index = index
        self.__array_interface__ = {
            "shape": (int(flat.ntotal), int(flat.d)),
            "typestr": "<f4",
            "data": (int(flat.get_xb()), True),  # read-only
            "version": 3,
        }


def _stored_vectors(index: faiss.Index) -> NDArray[np.float32]:
    """The vectors faiss holds, as a read-only view: one copy in memory, not two."""
    flat: Any = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSWFlat) else index
    if flat.ntotal == 0:
        return np.zeros((0, flat.d), dtype=np.float32)
    return np.asarray(_FaissStorage(index, flat))


class DenseIndex:
    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        # Exact scores of candidates found lexically, read from faiss's own storage: a copy would
        # double the index's memory. The index is never added to after this.
        self.vectors = _stored_vectors(index)

    @classmethod
    def build(cls, vectors: NDArray[np.float32], hnsw_above: int = HNSW_ABOVE) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) > hnsw_above:
            graph = faiss.IndexHNSWFlat(dim, _HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efSearch = _HNSW_EF_SEARCH
            index: faiss.Index = graph
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "flat"

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: NDArray[np.float32], k: int) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        k = min(k, len(self))
        if k == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        _one_omp_thread()
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def scores_for(self, query: NDArray[np.float32], rows: NDArray[np.int64]) -> NDArray[np.float32]:
        return np.asarray(self.vectors[rows] @ query, dtype=np.float32)

    def save(self, folder: Path) -> None:
        faiss.write_index(self._index, str(folder / "dense.faiss"))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        index = faiss.read_index(str(folder / "dense.faiss"))
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = _HNSW_EF_SEARCH
        return cls(index)
