"""Top-1 and MRR of the golden and held-out sets for each fusion setting (docs/DECISIONS.md §4).

Run: `python -m benchmarks.fusion_sweep`. Prints one line per setting and set.
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

EVAL = Path(__file__).resolve().parent.parent / "faq_data" / "eval"
# (fusion, lexical weight, agreeing phrasings)
SETTINGS: list[tuple[Fusion, float, int]] = [
    ("score", 0.0, 1),
    ("score", 0.05, 1),
    ("score", 0.15, 1),
    ("score", 0.0, 2),
    ("score", 0.05, 2),
    ("score", 0.1, 2),
    ("score", 0.15, 2),
    ("score", 0.05, 3),
    ("rrf", 0.0, 2),
]


def main() -> None:
    settings = Settings()
    encoder = load_encoder(settings)
    cache = embedding_cache(settings)
    index = build_index(published(load_content_dir(default_content_dir())[1]), encoder, cache=cache)
    cache.close()
    for name in ("golden", "holdout"):
        queries = [(index.pipeline.prepare_query(q.text), q) for q in read_queries(EVAL / f"{name}.jsonl")]
        vectors = [encoder.encode_queries([p.dense_text])[0] for p, _ in queries]
        for fusion, weight, agreeing in SETTINGS:
            config = SearchConfig("hybrid", fusion, weight, 20, agreeing)
            searcher = HybridSearcher(index, encoder, config)
            top1 = top3 = mrr = 0.0
            for (prepared, query), vector in zip(queries, vectors, strict=True):
                hits = searcher.search(prepared, k=10, vector=vector)
                ranks = [i for i, h in enumerate(hits, 1) if h.id in query.gold]
                if ranks:
                    mrr += 1 / ranks[0]
                    top1 += ranks[0] == 1
                    top3 += ranks[0] <= 3
            n = len(queries)
            print(
                f"{name}: fusion={fusion} lexical_weight={weight} agreeing_phrasings={agreeing}: "
                f"top1 {top1 / n:.4f} top3 {top3 / n:.4f} mrr {mrr / n:.4f}"
            )


if __name__ == "__main__":
    main()
