"""Precision against answer rate as the answer threshold moves, so staff can choose where to sit.

Each point re-decides every evaluated query (in scope and out of scope) with one answer threshold,
the passage threshold moved by the same step and the configured margin, from the hits the
evaluation already ranked: no re-encoding. The configured thresholds are marked on the plot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.decision import Thresholds
from core.evaluation import EvalRun, would_answer

STEPS = (
    np.round(np.arange(-0.06, 0.0601, 0.005), 4) + 0.0
)  # + 0.0: no "-0.0" in the table  # offsets from the configured answer threshold


@dataclass(frozen=True)
class CurvePoint:
    answer_threshold: float
    answer_rate: float
    answer_precision: float | None
    oos_false_answer_rate: float | None


def point(run: EvalRun, t: Thresholds) -> CurvePoint:
    answered = [r for r in run.in_scope if would_answer(r, t)]
    precision = sum(r.rank == 1 for r in answered) / len(answered) if answered else None
    oos = run.out_of_scope
    far = sum(would_answer(r, t) for r in oos) / len(oos) if oos else None
    return CurvePoint(
        round(t.answer_threshold, 4),
        round(len(answered) / max(len(run.in_scope), 1), 4),
        None if precision is None else round(precision, 4),
        None if far is None else round(far, 4),
    )


def curve(run: EvalRun, configured: Thresholds) -> list[dict[str, Any]]:
    """One point per threshold offset, lowest threshold (most answers) first."""
    points = []
    for step in STEPS:
        t = replace(
            configured,
            answer_threshold=configured.answer_threshold + float(step),
            passage_answer_threshold=configured.passage_answer_threshold + float(step),
        )
        points.append({**point(run, t).__dict__, "offset": float(step)})
    return points


def plot(curves: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Precision (and out-of-scope false answers) against answer rate, one line per configuration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in curves.items():
        usable = [p for p in points if p["answer_precision"] is not None]
        rates = [p["answer_rate"] for p in usable]
        line = ax.plot(rates, [p["answer_precision"] for p in usable], "o-", ms=3, label=f"{name}: precision")
        with_oos = [p for p in usable if p["oos_false_answer_rate"] is not None]
        ax.plot(
            [p["answer_rate"] for p in with_oos],
            [p["oos_false_answer_rate"] for p in with_oos],
            "x:",
            ms=3,
            color=line[0].get_color(),
            label=f"{name}: out-of-scope false answers",
        )
        chosen = [p for p in usable if p["offset"] == 0.0]
        if chosen:
            ax.plot(chosen[0]["answer_rate"], chosen[0]["answer_precision"], "k*", ms=12)
    ax.axhline(0.97, color="grey", lw=0.8, ls="--")
    ax.axvline(0.85, color="grey", lw=0.8, ls="--")
    ax.set(
        xlabel="answer rate (share of in-scope questions answered outright)",
        ylabel="share",
        title="Moving the answer threshold (★ = configured; dashed = targets)",
        ylim=(0, 1.02),
    )
    ax.legend(fontsize=7, loc="center left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def best_at_precision(points: list[dict[str, Any]], precision: float) -> dict[str, Any] | None:
    """The point that answers most while keeping precision at or above the bar."""
    ok = [p for p in points if p["answer_precision"] is not None and p["answer_precision"] >= precision]
    return max(ok, key=lambda p: p["answer_rate"], default=None)
