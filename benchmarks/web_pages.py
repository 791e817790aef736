"""Page weight and time to interactive of the citizens' pages, for `hoidap bench`.

Runs the public FAQ and widget benchmarks (each starts the real `hoidap serve` and loads pages in
headless Chromium on loopback) and renders their section of docs/BENCHMARKS.md. The section keeps
its own date and commit: `python -m benchmarks.core_bench --web` re-measures only this part.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from benchmarks.markdown import row

RUNS = 5
PAGE_NAMES = {"home": "`/hoi-dap`", "category": "category page", "entry": "entry page", "search": "search"}


def measure(git_commit: str) -> dict[str, Any]:
    from benchmarks import public_pages_bench, widget_bench

    return {
        "public": public_pages_bench.measure(RUNS),
        "widget": widget_bench.measure(RUNS),
        "meta": {"date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": git_commit},
    }


def section(web: dict[str, Any]) -> list[str]:
    meta, public, widget = web["meta"], web["public"], web["widget"]
    lines = [
        "## Web pages (headless Chromium on loopback, phone viewport, empty cache)",
        "",
        f"Measured {meta['date']} at commit `{meta['commit']}`; medians of {public['runs']} loads; "
        "`python -m benchmarks.public_pages_bench` and `python -m benchmarks.widget_bench` against "
        "`hoidap serve` with the curated content. Bytes are uncompressed; every request goes to the app.",
        "",
        row(["page", "transferred", "requests", "first byte ms", "interactive ms", "loaded ms"]),
        row(["---"] * 6),
    ]
    for name, p in public["pages"].items():
        cells = [PAGE_NAMES.get(name, name), f"{p['transfer_bytes']:,} B", p["requests"], p["ttfb_ms"]]
        lines.append(row([*cells, p["dom_interactive_ms"], p["load_ms"]]))
    for state in ("cold", "warm"):
        w = widget[state]
        cells = [f"`/chat` widget, {state}", f"{w['transferred_bytes']:,} B", w["requests"], "-"]
        lines.append(row([*cells, w["interactive_median_ms"], "-"]))
    lines += [
        "",
        "Interactive: `domInteractive` for the FAQ pages; for the widget, the greeting shown and the "
        "question box ready (its script has run). Search is measured with a different question each "
        f"load, so never from the cache. Server errors: {public['server_errors'] + widget['server_errors']}.",
    ]
    return lines
