"""Top-1 and MRR of the golden set for each fusion setting (docs/DECISIONS.md §4).

Run: `python -m benchmarks.fusion_sweep`. Prints one line per setting.
"""

from __future__ import annotations

from pathlib import Path

from core.evaluation import read_queries
from core.faq import default_content_dir, load_content_dir, published
from core.runtime import embedding_cache
from core.settings import Settings
from retrieval.encoder import load_encoder
from retrieval.index import build_index
from retrieval.searcher import Fusion, HybridSearcher, SearchConfig

GOLDEN = Path(__file__).resolve().parent.parent / "faq_data" / "eval" / "golden.jsonl"
SETTINGS: list[tuple[Fusion, float]] = [
    ("score", 0.0),
    ("score", 0.05),
    ("score", 0.1),
    ("score", 0.15),
    ("score", 0.2),
    ("score", 0.3),
    ("score", 0.5),
    ("rrf", 0.0),
]


def main() -> None:
    settings = Settings()
    encoder = load_encoder(settings)
    cache = embedding_cache(settings)
    index = build_index(published(load_content_dir(default_content_dir())[1]), encoder, cache=cache)
    cache.close()
    queries = [(index.pipeline.prepare_query(q.text), q) for q in read_queries(GOLDEN)]
    for fusion, weight in SETTINGS:
        searcher = HybridSearcher(index, encoder, SearchConfig("hybrid", fusion, weight, 20))
        top1 = mrr = 0.0
        for prepared, query in queries:
            ranks = [i for i, h in enumerate(searcher.search(prepared, k=10), 1) if h.id in query.gold]
            if ranks:
                mrr += 1 / ranks[0]
                top1 += ranks[0] == 1
        n = len(queries)
        print(f"fusion={fusion} lexical_weight={weight}: top1 {top1 / n:.4f} mrr {mrr / n:.4f}")


if __name__ == "__main__":
    main()
