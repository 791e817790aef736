"""Dense vector search over normalised embeddings (inner product = cosine)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
from numpy.typing import NDArray

# Above this many rows an HNSW graph replaces exact search (see docs/BENCHMARKS.md, scale).
HNSW_ABOVE = 50_000
_HNSW_NEIGHBOURS = 32


class DenseIndex:
    def __init__(self, index: faiss.Index, vectors: NDArray[np.float32]) -> None:
        self._index = index
        self.vectors = vectors  # kept for exact scores of candidates found lexically

    @classmethod
    def build(cls, vectors: NDArray[np.float32], hnsw_above: int = HNSW_ABOVE) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) > hnsw_above:
            index: faiss.Index = faiss.IndexHNSWFlat(dim, _HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index, vectors)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "flat"

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: NDArray[np.float32], k: int) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        k = min(k, len(self))
        if k == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def scores_for(self, query: NDArray[np.float32], rows: NDArray[np.int64]) -> NDArray[np.float32]:
        return np.asarray(self.vectors[rows] @ query, dtype=np.float32)

    def save(self, folder: Path) -> None:
        np.save(folder / "vectors.npy", self.vectors)
        faiss.write_index(self._index, str(folder / "dense.faiss"))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        return cls(faiss.read_index(str(folder / "dense.faiss")), vectors)
