"""The quality report's pieces, on hand-made ranked hits (no model): the threshold curve decides as
the service does, and the tables render every figure, missing ones as "-"."""

from typing import Any

from benchmarks import quality_bench, threshold_curve
from core.decision import Thresholds
from core.evaluation import EvalRun, Query, QueryResult, summarise
from core.messages import Decision
from retrieval.types import Hit, RowKind

CONFIGURED = Thresholds(0.9, 0.95, 0.85, 0.0, 3)


def _result(gold: str, top: str, cosine: float, decision: Decision) -> QueryResult:
    hits = [Hit(top, cosine, cosine, 1.0, "", RowKind.QUESTION, cosine), Hit("other", 0.5, 0.5, 0.0, "")]
    return QueryResult(Query("q", frozenset({gold}) if gold else frozenset(), "none"), hits, decision, 10.0)


def _run() -> EvalRun:
    in_scope = [
        _result("a", "a", 0.95, Decision.ANSWER),  # right, confident
        _result("b", "b", 0.91, Decision.ANSWER),  # right, just above the bar
        _result("c", "x", 0.92, Decision.ANSWER),  # wrong, confident
        _result("d", "d", 0.87, Decision.SUGGEST),  # right, below the bar
    ]
    return EvalRun(
        in_scope, [_result("", "a", 0.93, Decision.ANSWER), _result("", "a", 0.6, Decision.FALLBACK)]
    )


def test_the_configured_point_matches_the_evaluation() -> None:
    run = _run()
    points = {p["offset"]: p for p in threshold_curve.curve(run, CONFIGURED)}
    here = points[0.0]
    figures = summarise(run)
    assert here["answer_rate"] == figures["answer_rate"] == 0.75
    assert here["answer_precision"] == round(2 / 3, 4)
    assert here["oos_false_answer_rate"] == 0.5
    assert points[0.04]["answer_rate"] == 0.25  # at 0.94 only the 0.95 question is answered
    assert points[-0.04]["answer_rate"] == 1.0
    best = threshold_curve.best_at_precision(list(points.values()), 0.97)
    assert best is not None and best["answer_precision"] == 1.0


def test_tables_show_every_configuration_and_no_missing_value_as_none() -> None:
    run = _run()
    hybrid: dict[str, Any] = {**summarise(run), "by_style": {"none": summarise(run)}}
    lexical = {**hybrid, "answer_precision": None}
    quality = {
        "sets": {"golden/hybrid": hybrid, "golden/lexical-raw": lexical},
        "curves": {"hybrid": threshold_curve.curve(EvalRun(run.in_scope), CONFIGURED)},
        "plot": "precision_answer_rate.png",
    }
    text = "\n".join(quality_bench.section(quality))
    assert "| golden/hybrid | 4 | 0.75 |" in text and "| golden/lexical-raw | 4 |" in text
    assert "None" not in text
    assert "0.5 (2)" in text  # false answers on our out-of-scope set, with its size
    assert "![Precision against answer rate](precision_answer_rate.png)" in text


def test_targets_are_judged_from_the_figures_and_absent_ones_said_so() -> None:
    from benchmarks import targets

    style = {"none": {"top1": 0.9}, "typo": {"top1": 0.8}}
    results: dict[str, Any] = {
        "quality": {
            "sets": {
                "golden/hybrid": {
                    "top1": 0.93,
                    "top3": 0.97,
                    "answer_rate": 0.86,
                    "answer_precision": 0.975,
                    "oos_false_answer_rate": 0.02,
                    "by_style": style,
                },
                "golden/dense": {"by_style": {"none": {"top1": 0.85}, "typo": {"top1": 0.8}}},
            }
        },
        "answer_service": {"end_to_end_ms": {"p50": 21.0, "p99": 40.0}},
    }
    rows = {line.split(" | ")[0].lstrip("| "): line for line in targets.section(results) if " | " in line}
    assert rows["Golden top-1 (full pipeline)"].endswith("| 0.93 | yes |")
    assert rows["Golden top-3"].endswith("| **no** |")
    assert (
        "precision 0.975 at answer rate 0.86 | yes" in rows["Answer precision at the configured thresholds"]
    )
    assert (
        "typo: dense 0.8 vs 0.8" in rows["Full pipeline against lexical-only and dense-only, top-1 per style"]
    )
    assert rows["AnswerService latency"].endswith("| **no** |")  # p50 21 ms against 20
    assert rows["20,000 entries: query"].endswith("| not measured in this run | - |")
