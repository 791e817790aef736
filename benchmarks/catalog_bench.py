"""The national catalog as a second source (content issue): import cost, index size, and whether it
takes anything away from the curated FAQ.

Run: `python -m benchmarks.catalog_bench`. Prints one JSON object.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.shared_data import CATALOG
from core.answering import AnswerService
from core.catalog import read_catalog
from core.decision import Thresholds
from core.evaluation import Query, read_queries
from core.faq import default_content_dir, load_content_dir, published
from core.interaction_log import InteractionLog
from core.messages import Decision, Reply
from core.runtime import embedding_cache, import_catalog, load_catalog, open_database, search_config
from core.settings import Settings
from retrieval.encoder import load_encoder
from retrieval.index import build_index
from retrieval.live import LiveIndex

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "faq_data" / "eval"


def _points_to_gold(reply: Reply, query: Query) -> bool:
    """The reply leads the citizen to the right entry: its answer, card or first suggestion."""
    if reply.decision in (Decision.ANSWER, Decision.CATALOG):
        return reply.entry_id in query.gold
    if reply.decision is Decision.SUGGEST:
        return bool(reply.suggestions) and reply.suggestions[0].entry_id in query.gold
    return False


def _cases_listed(reply: Reply) -> list[str]:
    return [c.entry_id for c in reply.suggestions] if reply.decision is Decision.CATALOG else []


def _offers_gold(reply: Reply, query: Query) -> bool:
    """The right card, or the right case listed under the card of another case of its procedure."""
    return _points_to_gold(reply, query) or bool(set(_cases_listed(reply)) & query.gold)


Answered = list[tuple[Query, Reply]]


def _answered(service: AnswerService, queries: list[Query]) -> Answered:
    """Each question answered once; every figure of a set is judged from these replies."""
    return [(q, service.answer(q.text)) for q in queries]


def _share(answered: Answered, judge: Callable[[Reply, Query], bool] = _points_to_gold) -> float:
    return round(sum(judge(r, q) for q, r in answered) / len(answered), 4)


def _misses(answered: Answered) -> list[dict[str, object]]:
    return [
        {"query": q.text, "got": r.entry_id, "decision": str(r.decision), "cases_listed": _cases_listed(r)}
        for q, r in answered
        if not _points_to_gold(r, q)
    ]


def _question_set(service: AnswerService, name: str) -> dict[str, object]:
    answered = _answered(service, read_queries(EVAL / name))
    return {
        "queries": len(answered),
        "right": _share(answered),
        "right_or_case_listed": _share(answered, _offers_gold),
        "misses": _misses(answered),
    }


def _folder_mib(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 2)


def measure() -> dict[str, object]:
    base = Settings()
    encoder = load_encoder(base)
    with tempfile.TemporaryDirectory() as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp), "cache_size": 0})
        engine = open_database(settings)
        cache = embedding_cache(base)
        faq = LiveIndex(None, encoder, search_config(settings))
        faq.install(build_index(published(load_content_dir(default_content_dir())[1]), encoder, cache=cache))
        cache.close()
        thresholds = Thresholds.from_settings(settings)
        golden = read_queries(EVAL / "golden.jsonl")
        catalog_queries = read_queries(EVAL / "catalog_queries.jsonl")
        without = AnswerService(settings, faq, InteractionLog(engine), thresholds)
        report: dict[str, object] = {"golden_without_catalog": _share(_answered(without, golden))}
        started = time.perf_counter()
        procedures, total = read_catalog(CATALOG)
        index = import_catalog(settings, engine, encoder, procedures)
        report["import"] = {
            "records_read": total,
            "records_imported": len(procedures),
            "seconds": round(time.perf_counter() - started, 1),
            "index_rows": index.meta.rows,
            "index_mib": _folder_mib(settings.data_dir / "catalog-index"),
        }
        with_catalog = AnswerService(
            settings, faq, InteractionLog(engine), thresholds, load_catalog(settings, encoder)
        )
        report["golden_with_catalog"] = _share(_answered(with_catalog, golden))
        catalog_answered = _answered(with_catalog, catalog_queries)
        report["catalog_queries_right_card"] = _share(catalog_answered)
        report["catalog_queries_right_card_or_case"] = _share(catalog_answered, _offers_gold)
        report["catalog_queries_misses"] = _misses(catalog_answered)
        # Written after the cases were listed, each naming one case of a procedure with 2-6 cases.
        report["case_queries"] = _question_set(with_catalog, "catalog_case_queries.jsonl")
        # Written by a helper who saw neither the code nor the rules (DECISIONS §7 says how each was used).
        report["situation_queries"] = _question_set(with_catalog, "catalog_situation_queries.jsonl")
        report["namesake_queries"] = _question_set(with_catalog, "catalog_namesake_queries.jsonl")
        engine.dispose()
    return report


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2, ensure_ascii=False))
