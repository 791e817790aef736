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
