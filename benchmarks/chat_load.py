"""HTTP throughput and latency of `POST /api/chat` under 1, 10 and 50 concurrent clients.

`hoidap serve` runs as its own process on a fresh data folder (SQLite, the curated content);
locust (headless, its own process) plays closed-loop clients that ask golden-set questions back
to back. Each level runs for a fixed time after a short warm-up; locust's CSV gives requests per
second, latency percentiles and failures. Twice: with the answer cache on (the default: a
repeated question is not encoded again) and off (every request encodes: the worst case).
The load generator shares the 2 cores with the server, as a portal's proxy would not.

Run: `python -m benchmarks.chat_load [--seconds 30]`. Prints JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.markdown import row
from benchmarks.serve_process import hoidap_serve

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locust" / "chat_locustfile.py"
QUERIES = ROOT / "faq_data" / "eval" / "golden.jsonl"
LEVELS = (1, 10, 50)


def _locust(base: str, users: int, seconds: float, csv_prefix: Path) -> dict[str, Any]:
    locust = Path(sys.executable).parent / "locust"
    subprocess.run(
        [
            str(locust),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            base,
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{int(seconds)}s",
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,  # locust exits 1 when any request failed: the CSV says how many
        env={"CHAT_LOAD_QUERIES": str(QUERIES), "PATH": str(locust.parent)},
        capture_output=True,
    )
    with Path(f"{csv_prefix}_stats.csv").open(encoding="utf-8") as fh:
        stats = next(r for r in csv.DictReader(fh) if r["Name"] == "/api/chat")
    requests = int(stats["Request Count"])
    return {
        "clients": users,
        "requests": requests,
        "failures": int(stats["Failure Count"]),
        "rps": round(float(stats["Requests/s"]), 1),
        "p50_ms": float(stats["50%"]),
        "p95_ms": float(stats["95%"]),
        "p99_ms": float(stats["99%"]),
        "error_rate": round(int(stats["Failure Count"]) / max(requests, 1), 4),
    }


def measure(seconds: float = 30.0) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, cache in (("cache_on", "2048"), ("cache_off", "0")):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            data_dir.mkdir()
            with hoidap_serve(data_dir, {"HOIDAP_CACHE_SIZE": cache}) as base:
                _locust(base, 2, 5, Path(tmp) / "warmup")  # model and pages warm, not measured
                results[label] = [_locust(base, n, seconds, Path(tmp) / f"c{n}") for n in LEVELS]
    return results


def section(results: dict[str, Any]) -> list[str]:
    """The report's section: one table per cache setting."""
    lines = [
        "",
        "## `POST /api/chat` under concurrent clients (`python -m benchmarks.chat_load`)",
        "",
        "`hoidap serve` (SQLite) on loopback; locust, headless in its own process on the same 2 cores, "
        "runs closed-loop clients asking golden-set questions back to back, 30 s per level after a "
        "warm-up. Target: ≥ 60 requests/s at p95 ≤ 150 ms with 10 clients, zero errors.",
    ]
    titles = {
        "cache_on": "Answer cache on (the default; the 330 golden questions repeat, as popular questions do)",
        "cache_off": "Answer cache off (`HOIDAP_CACHE_SIZE=0`: every request encodes; the worst case)",
    }
    for label, levels in results.items():
        lines += ["", f"{titles[label]}:", ""]
        lines += [row(["clients", "requests/s", "p50 ms", "p95 ms", "p99 ms", "requests", "errors"])]
        lines += [row(["---"] * 7)]
        lines += [
            row([x["clients"], x["rps"], x["p50_ms"], x["p95_ms"], x["p99_ms"], x["requests"], x["failures"]])
            for x in levels
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    print(json.dumps(measure(parser.parse_args().seconds), indent=2))


if __name__ == "__main__":
    main()
