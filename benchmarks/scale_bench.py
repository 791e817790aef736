"""Scale: index construction, size and query latency for 200 to 20,000 Q&A entries, and where
exact (flat) dense search should give way to an approximate HNSW graph.

Entries are synthetic pairs from the national catalog (`core_bench.catalog_entries`: a name, four
phrasings, a short answer: six rows each). The catalog has 2,642 records; larger sizes repeat them
with a marker ("bản 2", "bản 3", …) appended to every text, so the lexical index sees distinct rows.
Vectors: the 2,642 × 6 real rows are encoded once with the real model (through an embedding cache,
so later runs are quick); a marked copy gets its original's vector with small Gaussian noise
(σ = 0.02 per dimension, renormalised), so neighbours stay as close as real phrasings are. What is
measured is construction (lexical index, dense index) and search on real query vectors; encoding
cost is reported separately as a rate, since it is linear in rows (`core_bench` measures real
builds at 200 and 1,000 entries).

Run: `python -m benchmarks.scale_bench`. Prints JSON; `--plot FILE.png` draws the curves.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.core_bench import bench_queries, catalog_entries
from core.faq import FaqEntry
from core.settings import Settings
from core.text.pipeline import TextPipeline, lexical_terms
from retrieval.dense import DenseIndex
from retrieval.encoder import EmbeddingCache, Encoder, encode_passages_cached, load_encoder
from retrieval.index import ALL_FIELDS, build_index, entry_rows
from retrieval.lexical import LexicalIndex
from retrieval.searcher import HybridSearcher, SearchConfig

ROOT = Path(__file__).resolve().parent.parent
SIZES = (200, 1_000, 5_000, 20_000)
RECORDS = 2_642
NOISE = 0.02
K = 60  # dense candidates per query (SearchConfig.candidates × 3)
_MARK = re.compile(r" bản (\d+)$")


def marked_entries(n: int) -> list[FaqEntry]:
    base = catalog_entries(min(n, RECORDS))
    entries = list(base)
    copy = 2
    while len(entries) < n:
        for e in base[: n - len(entries)]:
            mark = f" bản {copy}"
            entries.append(
                FaqEntry(
                    id=f"{e.id}-{copy}",
                    question=e.question + mark,
                    paraphrases=[p + mark for p in e.paraphrases],
                    answer=e.answer + mark,
                )
            )
        copy += 1
    return entries


class MarkedCopies:
    """An encoder for marked copies: the real vector of the unmarked text, slightly moved."""

    def __init__(self, real: Encoder, cache: EmbeddingCache) -> None:
        self.real, self.cache = real, cache
        self.name, self.dim, self.passage_prompt = real.name, real.dim, real.passage_prompt

    def encode_passages(self, texts: Sequence[str]) -> NDArray[np.float32]:
        bases = [_MARK.sub("", t) for t in texts]
        vectors = self._real_vectors(bases)
        for i, text in enumerate(texts):
            found = _MARK.search(text)
            if found:
                rng = np.random.default_rng(hash(text) & 0xFFFFFFFF)
                moved = vectors[i] + rng.normal(0, NOISE, self.dim).astype(np.float32)
                vectors[i] = moved / np.linalg.norm(moved)
        return vectors

    def encode_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self.real.encode_queries(texts)

    def _real_vectors(self, texts: list[str]) -> NDArray[np.float32]:
        vectors, _ = encode_passages_cached(self.real, self.cache, texts)
        return np.array(vectors, dtype=np.float32)


def _percentiles(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 3),
        "p95_ms": round(float(np.percentile(values, 95)), 3),
    }


def _dense_compare(vectors: NDArray[np.float32], queries: NDArray[np.float32]) -> dict[str, Any]:
    """Flat against HNSW on the same rows: build time, search latency, recall of the top K."""
    out: dict[str, Any] = {}
    results: dict[str, list[set[int]]] = {}
    for kind, above in (("flat", len(vectors) + 1), ("hnsw", 0)):
        started = time.perf_counter()
        dense = DenseIndex.build(vectors, hnsw_above=above)
        build = time.perf_counter() - started
        times, found = [], []
        for q in queries:
            t0 = time.perf_counter()
            _, ids = dense.search(q, K)
            times.append((time.perf_counter() - t0) * 1000)
            found.append(set(ids.tolist()))
        out[kind] = {"build_s": round(build, 2), **_percentiles(times)}
        results[kind] = found
    recall = [len(h & f) / max(len(f), 1) for h, f in zip(results["hnsw"], results["flat"], strict=True)]
    out["hnsw"]["recall_at_k"] = round(float(np.mean(recall)), 4)
    return out


def measure(sizes: Sequence[int] = SIZES) -> dict[str, Any]:
    settings = Settings()
    real = load_encoder(settings)
    cache = EmbeddingCache(ROOT / "var" / "cache" / "scale-bench.sqlite")
    encoder = MarkedCopies(real, cache)
    queries = bench_queries(200)
    query_vectors = real.encode_queries(queries)
    report: dict[str, Any] = {"encode_rows_per_s": _encode_rate(real), "sizes": []}
    encoder.encode_passages(_prepared(catalog_entries(RECORDS)))  # every real vector, before timing
    for n in sizes:
        entries = marked_entries(n)
        index = build_index(entries, encoder, cache=None, hnsw_above=10**9)  # flat; compared below
        dense = _dense_compare(np.asarray(index.dense.vectors), query_vectors)
        searcher = HybridSearcher(index, real, SearchConfig())
        times = []
        for text, vector in zip(queries, query_vectors, strict=True):
            prepared = index.pipeline.prepare_query(text, restore=False)
            t0 = time.perf_counter()
            searcher.search(prepared, k=5, vector=vector)
            times.append((time.perf_counter() - t0) * 1000)
        report["sizes"].append(
            {
                "entries": n,
                "rows": index.meta.rows,
                "construction_s": round(_lexical_seconds(entries) + dense["flat"]["build_s"], 2),
                "vectors_mib": round(index.dense.vectors.nbytes / 2**20, 1),
                "search": _percentiles(times),
                "dense": dense,
            }
        )
    cache.close()
    return report


def _prepared(entries: Sequence[FaqEntry]) -> list[str]:
    pipeline = TextPipeline(None)
    return [pipeline.prepare_document(r.text) for e in entries for r in entry_rows(e, ALL_FIELDS)]


def _lexical_seconds(entries: Sequence[FaqEntry]) -> float:
    """Preparing every row's text and building the BM25 index: construction without vectors."""
    started = time.perf_counter()
    LexicalIndex.build([lexical_terms(t) for t in _prepared(entries)])
    return time.perf_counter() - started


def _encode_rate(real: Encoder, sample: int = 600) -> float:
    """Rows per second the real model encodes (no cache): what a cold build pays per row."""
    texts = _prepared(catalog_entries(sample // 6))[:sample]
    started = time.perf_counter()
    real.encode_passages(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [s["rows"] for s in report["sizes"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(
        rows,
        [s["search"]["p95_ms"] for s in report["sizes"]],
        "o-",
        label="search p95 (dense + lexical + fuse)",
    )
    left.plot(rows, [s["dense"]["flat"]["p50_ms"] for s in report["sizes"]], "s--", label="flat dense p50")
    left.plot(rows, [s["dense"]["hnsw"]["p50_ms"] for s in report["sizes"]], "^--", label="HNSW dense p50")
    left.set(xscale="log", yscale="log", xlabel="rows (6 per entry)", ylabel="ms", title="Query cost")
    left.legend(fontsize=8)
    right.plot(
        rows, [s["construction_s"] for s in report["sizes"]], "o-", label="BM25 + flat index (no encoding)"
    )
    right.set(xscale="log", yscale="log", xlabel="rows", ylabel="s", title="Index construction")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()
    report = measure()
    if args.plot:
        plot(report, args.plot)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
