"""Quality of every configuration in one run: raw keyword search, folded BM25, dense only, and the
full pipeline, on our golden and held-out sets and on the shared ViCoV19QA set, with out-of-scope
separation on our set and on the shared general one, and the precision/answer-rate curve.

Part of `hoidap bench`; nothing is asserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import lexical_baseline, shared_data, threshold_curve
from benchmarks.markdown import row
from core.decision import Thresholds
from core.evaluation import (
    EvalRun,
    QueryResult,
    auroc,
    by_style,
    read_oos,
    read_queries,
    run_evaluation,
    run_queries,
    summarise,
)
from core.faq import load_content_dir, published
from core.messages import Decision
from core.settings import Settings
from retrieval.encoder import EmbeddingCache, Encoder
from retrieval.searcher import Mode
from retrieval.types import RowKind

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "faq_data" / "eval"
CONTENT = ROOT / "faq_data" / "content"
SHARED_OOS = shared_data.EVAL / "oos_general.jsonl"
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
ALL_ROWS = (RowKind.QUESTION, RowKind.PARAPHRASE, RowKind.ANSWER)
PLOT_NAME = "precision_answer_rate.png"


@dataclass(frozen=True)
class EvalSet:
    name: str
    faq: Path
    queries: Path
    oos: Path
    fields: tuple[RowKind, ...] = ALL_ROWS
    ours: bool = True  # our FAQ: also raw keyword search, the shared OOS set and the curve


def eval_sets(quick: bool) -> list[EvalSet]:
    sets = [
        EvalSet(name, CONTENT, EVAL / f"{name}.jsonl", EVAL / "oos.jsonl")
        for name in (("golden",) if quick else ("golden", "holdout"))
        if (EVAL / f"{name}.jsonl").is_file()
    ]
    if not quick and shared_data.EVAL.is_dir():
        sets.append(
            EvalSet(
                "vicov19qa",
                shared_data.EVAL / "vicov19qa_faq.jsonl",
                shared_data.EVAL / "vicov19qa_test_queries.jsonl",
                SHARED_OOS,
                (RowKind.ANSWER,),
                ours=False,
            )
        )
    return sets


def _general_oos(run: EvalRun, results: list[QueryResult]) -> dict[str, float]:
    """False answers and separation on the shared general out-of-scope set (written by others)."""
    answered = sum(1 for r in results if r.decision is Decision.ANSWER)
    return {
        "oos_general_n": len(results),
        "oos_general_false_answer_rate": round(answered / max(len(results), 1), 4),
        "oos_general_auroc": round(auroc([r.signal for r in run.in_scope], [r.signal for r in results]), 4),
    }


def _measure_set(
    s: EvalSet, settings: Settings, encoder: Encoder, cache: EmbeddingCache, quick: bool
) -> tuple[dict[str, Any], dict[str, EvalRun]]:
    figures: dict[str, Any] = {}
    runs: dict[str, EvalRun] = {}
    for mode in MODES:
        oos = s.oos if s.oos.is_file() else None
        run, service = run_evaluation(settings, encoder, s.faq, s.queries, oos, s.fields, mode, cache)
        figures[f"{s.name}/{mode}"] = {**summarise(run), "by_style": by_style(run)}
        if s.ours and mode != "lexical" and not quick and SHARED_OOS.is_file():
            general = run_queries(service, read_oos(SHARED_OOS))
            figures[f"{s.name}/{mode}"].update(_general_oos(run, general))
        runs[mode] = run
    if s.ours:
        entries = published(load_content_dir(s.faq)[1])
        figures[f"{s.name}/lexical-raw"] = lexical_baseline.evaluate(entries, read_queries(s.queries))
    return figures, runs


def measure(
    settings: Settings, encoder: Encoder, cache: EmbeddingCache, quick: bool, plot_path: Path | None
) -> dict[str, Any]:
    quality: dict[str, Any] = {}
    curves: dict[str, list[dict[str, Any]]] = {}
    for s in eval_sets(quick):
        figures, runs = _measure_set(s, settings, encoder, cache, quick)
        quality.update(figures)
        if s.name == "golden":
            configured = Thresholds.from_settings(settings)
            curves = {m: threshold_curve.curve(runs[m], configured) for m in ("hybrid", "dense")}
    if curves and plot_path is not None:
        threshold_curve.plot({f"golden/{m}": c for m, c in curves.items()}, plot_path)
    return {"sets": quality, "curves": curves, "plot": plot_path.name if plot_path and curves else None}


def _curve_cell(p: dict[str, Any]) -> str:
    return f"{p['answer_rate']} / {_cell(p['answer_precision'])} / {_cell(p['oos_false_answer_rate'])}"


def _cell(value: object) -> object:
    return "-" if value is None else value


def _oos_rate(rate: object, n: object) -> str:
    return "-" if rate is None else f"{rate} ({n})"


def section(q: dict[str, Any]) -> list[str]:
    sets = q["sets"]
    lines = [
        "",
        "## Quality (`hoidap eval`; raw keyword search from `benchmarks/lexical_baseline.py`)",
        "",
        "Configurations: **hybrid** is the full pipeline (normalisation, restoration, dense + BM25, "
        "decision); **dense** the default model alone; **lexical** BM25 on folded text (accents "
        "folded, abbreviations expanded, bigrams); **lexical-raw** BM25 on the words as typed (the "
        "portal's keyword box). OOS: the set's own out-of-scope questions (for golden and holdout "
        "`faq_data/eval/oos.jsonl`, for ViCoV19QA `../shared/eval/oos_general.jsonl`), their number "
        "in brackets; general OOS: `../shared/eval/oos_general.jsonl`, written by others, against our "
        "FAQ. Empty cells: not measured for that configuration.",
        "",
        row(
            [
                "set/mode",
                "queries",
                "top1",
                "top3",
                "MRR",
                "answer rate",
                "answer precision",
                "OOS AUROC",
                "OOS false answers",
                "general OOS AUROC",
                "general OOS false answers",
                "p50 ms",
            ]
        ),
        row(["---"] * 12),
    ]
    for name, v in sets.items():
        lines.append(
            row(
                [
                    name,
                    v["n_queries"],
                    v["top1"],
                    v["top3"],
                    v["mrr"],
                    v["answer_rate"],
                    _cell(v["answer_precision"]),
                    _cell(v.get("oos_auroc")),
                    _oos_rate(v.get("oos_false_answer_rate"), v.get("n_oos")),
                    _cell(v.get("oos_general_auroc")),
                    _oos_rate(v.get("oos_general_false_answer_rate"), v.get("oos_general_n")),
                    _cell(v.get("p50_ms")),
                ]
            )
        )
    lines += [
        "",
        "Lexical search has no calibrated confidence, so it never answers on its own (answer rate 0): "
        "it ranks, as a keyword search box would.",
    ]
    lines += _style_comparison(sets)
    lines += _curve_section(q)
    return lines


def _style_comparison(sets: dict[str, Any]) -> list[str]:
    """Top-1 per query style, every configuration side by side."""
    lines: list[str] = []
    for set_name in ("golden", "holdout"):
        configs = [m for m in ("hybrid", "dense", "lexical", "lexical-raw") if f"{set_name}/{m}" in sets]
        if not configs:
            continue
        styles = list(sets[f"{set_name}/{configs[0]}"].get("by_style", {}))
        lines += ["", f"### {set_name}: top-1 (top-3) by query style", ""]
        lines += [row(["style", *configs]), row(["---"] * (len(configs) + 1))]
        for style in styles:
            cells = []
            for m in configs:
                v = sets[f"{set_name}/{m}"]["by_style"].get(style, {})
                cells.append(f"{v.get('top1', '-')} ({v.get('top3', '-')})")
            n = sets[f"{set_name}/{configs[0]}"]["by_style"][style]["n_queries"]
            lines.append(row([f"{style} ({n})", *cells]))
        hybrid = sets[f"{set_name}/hybrid"]["by_style"]
        behind = [
            f"{style} ({m})"
            for style in styles
            for m in configs[1:]
            if sets[f"{set_name}/{m}"]["by_style"][style]["top1"] >= hybrid[style]["top1"]
        ]
        verdict = ", ".join(behind) if behind else "none"
        lines += [
            "",
            f"Styles where another configuration equals or beats the full pipeline at top-1: {verdict}.",
        ]
    return lines


def _curve_section(q: dict[str, Any]) -> list[str]:
    curves = q.get("curves") or {}
    if not curves:
        return []
    lines = [
        "",
        "### Precision against answer rate (golden set)",
        "",
        "Each point re-decides the golden questions and our out-of-scope set with the answer threshold "
        "(and the passage threshold) moved by the offset; the margin stays as configured. Offset 0 is "
        "the configured setting.",
        "",
    ]
    if q.get("plot"):
        lines += [f"![Precision against answer rate]({q['plot']})", ""]
    lines += [
        row(["offset", "answer threshold", *[f"{m}: rate / precision / OOS false" for m in curves]]),
        row(["---"] * (2 + len(curves))),
    ]
    first = next(iter(curves.values()))
    for i, p in enumerate(first):
        if i % 2:
            continue  # every other step keeps the table short; the plot has them all
        cells = [_curve_cell(c[i]) for c in curves.values()]
        lines.append(row([p["offset"], p["answer_threshold"], *cells]))
    best = threshold_curve.best_at_precision(curves["hybrid"], 0.97)
    if best is not None:
        lines += [
            "",
            f"Highest answer rate of the full pipeline at precision ≥ 0.97: {best['answer_rate']} "
            f"(answer threshold {best['answer_threshold']}, out-of-scope false answers "
            f"{_cell(best['oos_false_answer_rate'])}).",
        ]
    return lines
