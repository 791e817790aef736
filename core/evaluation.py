"""The evaluation harness behind `hoidap eval` and `hoidap calibrate`.

It builds a throw-away index from a FAQ file (never the live one), runs every query
through the same pipeline, search and decision the bot uses, and reports ranking
quality, decision quality, out-of-scope separation and latency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.answering import AnswerService
from core.decision import Thresholds, decide
from core.faq import (
    FaqEntry,
    FaqFormatError,
    load_content_dir,
    load_jsonl_entries,
    published,
    read_jsonl,
)
from core.interaction_log import InteractionLog
from core.messages import Decision
from core.settings import Settings
from retrieval.encoder import EmbeddingCache, Encoder
from retrieval.index import build_index
from retrieval.live import LiveIndex
from retrieval.searcher import Mode, SearchConfig
from retrieval.types import Hit, RowKind

RANK_DEPTH = 10


@dataclass(frozen=True)
class Query:
    text: str
    gold: frozenset[str]
    style: str = ""


@dataclass
class QueryResult:
    query: Query
    hits: list[Hit]
    decision: Decision
    latency_ms: float

    @property
    def rank(self) -> int | None:
        for i, hit in enumerate(self.hits, start=1):
            if hit.id in self.query.gold:
                return i
        return None

    @property
    def signal(self) -> float:
        return self.hits[0].dense if self.hits else 0.0


@dataclass
class EvalRun:
    in_scope: list[QueryResult]
    out_of_scope: list[QueryResult] = field(default_factory=list)
    n_faq: int = 0


def read_queries(path: Path) -> list[Query]:
    queries = []
    for lineno, data in read_jsonl(path):
        gold = data.get("gold_ids_any") or ([data["gold_id"]] if data.get("gold_id") else [])
        if not isinstance(data.get("query"), str) or not gold:
            raise FaqFormatError(f'{path}:{lineno}: needs "query" and "gold_id" or "gold_ids_any"')
        queries.append(Query(data["query"], frozenset(str(g) for g in gold), str(data.get("style", ""))))
    return queries


def read_oos(path: Path) -> list[Query]:
    queries = []
    for lineno, data in read_jsonl(path):
        if not isinstance(data.get("query"), str):
            raise FaqFormatError(f'{path}:{lineno}: needs "query"')
        queries.append(Query(data["query"], frozenset(), str(data.get("slice") or data.get("kind") or "")))
    return queries


def parse_fields(text: str) -> tuple[RowKind, ...]:
    names = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [n for n in names if n not in {k.value for k in RowKind}]
    if unknown:
        raise ValueError(f"--fields takes question,paraphrases,answer; unknown: {', '.join(unknown)}")
    fields = tuple(RowKind(n) for n in names)
    if not fields:
        raise ValueError("--fields names no field")
    return fields


class _NullLog(InteractionLog):
    def __init__(self) -> None:  # evaluation never stores interactions
        pass


def evaluation_service(
    settings: Settings,
    encoder: Encoder,
    entries: Sequence[FaqEntry],
    fields: Sequence[RowKind],
    mode: Mode,
    cache: EmbeddingCache | None,
    thresholds: Thresholds | None = None,
) -> AnswerService:
    index = build_index(entries, encoder, fields=fields, cache=cache)
    config = SearchConfig(mode, settings.fusion, settings.lexical_weight, settings.candidates)
    live = LiveIndex(None, encoder, config)
    live.install(index)
    eval_settings = settings.model_copy(update={"cache_size": 0})
    return AnswerService(eval_settings, live, _NullLog(), thresholds or Thresholds.from_settings(settings))


def run_queries(service: AnswerService, queries: Sequence[Query]) -> list[QueryResult]:
    """Every query through the service (no logging), with its hits, decision and latency."""
    results = []
    for query in queries:
        reply = service.answer(query.text)
        results.append(QueryResult(query, list(reply.hits), reply.decision, reply.latency_ms))
    return results


def run_evaluation(
    settings: Settings,
    encoder: Encoder,
    faq: Path,
    queries: Path,
    oos: Path | None = None,
    fields: Sequence[RowKind] = (RowKind.QUESTION, RowKind.PARAPHRASE, RowKind.ANSWER),
    mode: Mode = "hybrid",
    cache: EmbeddingCache | None = None,
) -> tuple[EvalRun, AnswerService]:
    entries = published(load_content_dir(faq)[1]) if faq.is_dir() else load_jsonl_entries(faq)
    service = evaluation_service(settings, encoder, entries, fields, mode, cache)
    run = EvalRun(run_queries(service, read_queries(queries)), n_faq=len(entries))
    if oos is not None:
        run.out_of_scope = run_queries(service, read_oos(oos))
    return run, service


def auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Probability that an in-scope query scores above an out-of-scope one (ties count half)."""
    if not positive or not negative:
        return float("nan")
    pos = np.asarray(positive)[:, None]
    neg = np.asarray(negative)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def summarise(run: EvalRun) -> dict[str, float | int | None]:
    results = run.in_scope
    ranks = [r.rank for r in results]
    answered = [r for r in results if r.decision is Decision.ANSWER]
    n = len(results) or 1
    report: dict[str, float | int | None] = {
        "n_faq": run.n_faq,
        "n_queries": len(results),
        "top1": sum(1 for k in ranks if k == 1) / n,
        "top3": sum(1 for k in ranks if k is not None and k <= 3) / n,
        "mrr": sum(1 / k for k in ranks if k is not None and k <= RANK_DEPTH) / n,
        "answer_rate": len(answered) / n,
        "answer_precision": (sum(1 for r in answered if r.rank == 1) / len(answered) if answered else None),
    }
    if run.out_of_scope:
        oos = run.out_of_scope
        report["n_oos"] = len(oos)
        report["oos_auroc"] = auroc([r.signal for r in results], [r.signal for r in oos])
        report["oos_false_answer_rate"] = sum(1 for r in oos if r.decision is Decision.ANSWER) / len(oos)
    latencies = [r.latency_ms for r in results + run.out_of_scope]
    report["p50_ms"] = _percentile(latencies, 50)
    report["p95_ms"] = _percentile(latencies, 95)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in report.items()}


def by_style(run: EvalRun) -> dict[str, dict[str, float | int | None]]:
    styles = sorted({r.query.style for r in run.in_scope if r.query.style})
    return {
        s: summarise(EvalRun([r for r in run.in_scope if r.query.style == s], n_faq=run.n_faq))
        for s in styles
    }


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    answer_rate: float
    answer_precision: float
    oos_false_answer_rate: float


def calibrate(
    run: EvalRun, base: Thresholds, target_precision: float, max_false_answer_rate: float
) -> Calibration:
    """The thresholds that answer the most in-scope queries while meeting both targets."""
    best: Calibration | None = None
    for passage in np.arange(0.90, 0.99, 0.01):
        for margin in (0.0, 0.005, 0.01, 0.02, 0.03):
            for threshold in np.arange(0.80, 0.97, 0.0025):
                t = Thresholds(float(threshold), float(passage), 0.0, margin, base.max_suggestions)
                found = _score(run, t)
                if found is None:
                    continue
                rate, precision, far = found
                if precision >= target_precision and far <= max_false_answer_rate:
                    if best is None or rate > best.answer_rate:
                        best = Calibration(t, rate, precision, far)
                    break  # higher thresholds only answer less
    if best is None:
        raise ValueError("no threshold reaches the targets on this set")
    t = best.thresholds
    chosen = Thresholds(
        round(t.answer_threshold, 4),
        round(t.passage_answer_threshold, 4),
        round(t.answer_threshold - 0.04, 4),  # suggest a little below the answer bar
        t.answer_margin,
        base.max_suggestions,
    )
    return Calibration(chosen, best.answer_rate, best.answer_precision, best.oos_false_answer_rate)


def _score(run: EvalRun, t: Thresholds) -> tuple[float, float, float] | None:
    answered = [r for r in run.in_scope if would_answer(r, t)]
    if not answered:
        return None
    precision = sum(1 for r in answered if r.rank == 1) / len(answered)
    rate = len(answered) / len(run.in_scope)
    false = sum(1 for r in run.out_of_scope if would_answer(r, t))
    far = false / len(run.out_of_scope) if run.out_of_scope else 0.0
    return rate, precision, far


def would_answer(result: QueryResult, t: Thresholds) -> bool:
    """Whether these thresholds answer outright, from the hits already ranked."""
    if result.decision in (Decision.SMALLTALK, Decision.EMPTY):
        return False
    return decide(result.hits, t).decision is Decision.ANSWER
