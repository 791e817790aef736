"""Soak: citizens asking and rating for minutes against `hoidap serve` on PostgreSQL, through a
database restart and a killed index rebuild; then a count of what was kept.

The server runs as its own process on a fresh PostgreSQL database. Each simulated citizen asks a
question from the golden set on `POST /api/chat`, rates about half of the replies on
`POST /api/feedback`, and reads for 1–3 s. Two faults are injected while they do:

- at 35% of the run PostgreSQL itself is stopped for 10 s and started again (`pg_ctlcluster …
  stop`, `start`): every connection is cut and new ones are refused; questions keep being answered
  and their logs and ratings wait in the spool;
- at 65% an index rebuild (`hoidap index build`, with no embedding cache so it really encodes) is
  killed with SIGKILL midway: the server keeps serving its index, the current index is untouched.

Afterwards the database is compared with what the citizens were told: every answered question
must be stored once and every acknowledged rating must be there with its value. Finally a new
server is started on the same data folder (recovery after the killed build) and asked once.

Run: `python -m benchmarks.soak [--users 20] [--seconds 600] [--cluster main --admin-url URL]` as
root or the postgres user (it restarts the cluster). Prints one JSON object. Give it a cluster of
its own so the restart hurts nothing else, e.g.
`pg_createcluster 15 soak --port 5433 --start` (trust 127.0.0.1 in its pg_hba.conf) and
`--cluster soak --admin-url postgresql+psycopg://postgres@127.0.0.1:5433/postgres`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, select

from benchmarks.serve_process import hoidap_serve, latency_figures
from core.db.engine import make_engine
from core.db.models import Feedback, Interaction
from core.evaluation import read_queries
from tests.conftest import temporary_postgres

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "faq_data" / "eval" / "golden.jsonl"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
READING_SECONDS = (1.0, 3.0)
RATED_SHARE = 0.5
DB_DOWN_SECONDS = 10.0


@dataclass
class Tally:
    chat_ms: list[float] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    ratings: dict[str, bool] = field(default_factory=dict)  # acknowledged: interaction → helpful
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    faults: dict[str, Any] = field(default_factory=dict)
    degraded_samples: int = 0  # /healthz polled every 0.5 s said "degraded"
    most_spooled: int = 0


async def citizen(client: httpx.AsyncClient, queries: list[str], until: float, tally: Tally) -> None:
    session_id = uuid.uuid4().hex
    while time.monotonic() < until:
        started = time.perf_counter()
        reply = await _post(
            client, "/api/chat", {"message": random.choice(queries), "session_id": session_id}, tally
        )
        if reply is not None:
            tally.chat_ms.append((time.perf_counter() - started) * 1000)
            interaction_id = reply["interaction_id"]
            tally.answered.add(interaction_id)
            if random.random() < RATED_SHARE:
                helpful = random.random() < 0.7
                rated = await _post(
                    client, "/api/feedback", {"interaction_id": interaction_id, "helpful": helpful}, tally
                )
                if rated is not None:
                    tally.ratings[interaction_id] = helpful
        await asyncio.sleep(random.uniform(*READING_SECONDS))


async def _post(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], tally: Tally
) -> dict[str, Any] | None:
    tally.requests += 1
    try:
        response = await client.post(path, json=body)
    except httpx.HTTPError as exc:
        tally.errors.append(f"{path}: {type(exc).__name__}")
        return None
    if response.status_code >= 400:
        tally.errors.append(f"{path}: {response.status_code} {response.text[:120]}")
        return None
    result: dict[str, Any] = response.json()
    return result


def restart_postgres(cluster: str, down_seconds: float) -> float:
    """Stop the cluster, keep it down a while (a plain restart is over before most requests
    notice), start it again; returns how long it refused connections."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster]
    started = time.perf_counter()
    subprocess.run([*command, "stop", "--mode", "fast"], check=True, capture_output=True)
    time.sleep(down_seconds)
    subprocess.run([*command, "start"], check=True, capture_output=True)
    return round(time.perf_counter() - started, 2)


def kill_a_rebuild(data_dir: Path, env: dict[str, str], after_seconds: float = 8.0) -> dict[str, Any]:
    """Start a full rebuild (no embedding cache: it must encode) and SIGKILL it while it works."""
    current = data_dir / "index" / "CURRENT"
    before = current.read_text() if current.exists() else None
    (data_dir / "cache" / "embeddings.sqlite").unlink(missing_ok=True)
    hoidap = Path(sys.executable).parent / "hoidap"
    build = subprocess.Popen(
        [str(hoidap), "index", "build"],
        env={**os.environ, "HOIDAP_DATA_DIR": str(data_dir), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after_seconds)
    still_running = build.poll() is None
    build.send_signal(signal.SIGKILL)
    build.wait()
    return {
        "killed_while_running": still_running,
        "current_index_unchanged": (current.read_text() if current.exists() else None) == before,
    }


async def inject_faults(
    run_seconds: float, cluster: str, data_dir: Path, env: dict[str, str], tally: Tally
) -> None:
    await asyncio.sleep(run_seconds * 0.35)
    tally.faults["postgres_down_seconds"] = await asyncio.to_thread(
        restart_postgres, cluster, DB_DOWN_SECONDS
    )
    tally.faults["postgres_restarted_at_s"] = round(run_seconds * 0.35, 1)
    await asyncio.sleep(run_seconds * 0.30)
    tally.faults["rebuild"] = await asyncio.to_thread(kill_a_rebuild, data_dir, env)


async def monitor(client: httpx.AsyncClient, until: float, tally: Tally) -> None:
    """What monitoring would see: how long the service said "degraded", how much it spooled."""
    while time.monotonic() < until:
        try:
            health = (await client.get("/healthz")).json()
        except httpx.HTTPError:
            health = {"status": "unreachable", "spooled": 0}
        tally.degraded_samples += health["status"] != "ok"
        tally.most_spooled = max(tally.most_spooled, int(health.get("spooled", 0)))
        await asyncio.sleep(0.5)


async def drive(
    base: str, users: int, seconds: float, cluster: str, data_dir: Path, env: dict[str, str]
) -> Tally:
    queries = [q.text for q in read_queries(GOLDEN)]
    tally = Tally()
    until = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        faults = asyncio.create_task(inject_faults(seconds, cluster, data_dir, env, tally))
        await asyncio.gather(
            monitor(client, until, tally), *(citizen(client, queries, until, tally) for _ in range(users))
        )
        await faults
    return tally


def wait_drained(base: str, timeout: float = 120) -> float:
    """Seconds until /healthz is "ok" again (database back, spool empty)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if httpx.get(f"{base}/healthz", timeout=5).json()["status"] == "ok":
            return round(time.perf_counter() - started, 1)
        time.sleep(0.5)
    raise RuntimeError("the spool did not drain")


def compare(database_url: str, tally: Tally) -> dict[str, int]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        stored = set(session.exec(select(Interaction.id)))
        feedback = {f.interaction_id: f.helpful for f in session.exec(select(Feedback))}
    engine.dispose()
    return {
        "questions_answered": len(tally.answered),
        "interactions_stored": len(stored),
        "answered_not_stored": len(tally.answered - stored),
        "stored_not_answered": len(stored - tally.answered),
        "ratings_acknowledged": len(tally.ratings),
        "rating_rows": len(feedback),
        "ratings_lost": sum(1 for i, h in tally.ratings.items() if feedback.get(i) is not h),
    }


def recovery(data_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """A new server on the data folder the killed build left behind: start time, one answer."""
    started = time.perf_counter()
    with hoidap_serve(data_dir, env) as base:
        ready = round(time.perf_counter() - started, 1)
        question = {"message": "làm lại cccd bị mất ở đâu", "session_id": uuid.uuid4().hex}
        reply = httpx.post(f"{base}/api/chat", json=question, timeout=30)
    body = reply.json()
    return {"start_to_healthy_s": ready, "status": reply.status_code, "entry_id": body.get("entry_id")}


def measure(
    users: int, seconds: float, cluster: str, admin_url: str, keep_log: Path | None = None
) -> dict[str, Any]:
    with temporary_postgres(admin_url) as url, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        env = {"HOIDAP_DATABASE_URL": url, "HOIDAP_SPOOL_RETRY_SECONDS": "2"}
        with hoidap_serve(data_dir, env) as base:
            tally = asyncio.run(drive(base, users, seconds, cluster, data_dir, env))
            drained = wait_drained(base)
            spool_log = (data_dir / "serve.log").read_text("utf-8", errors="replace")
            if keep_log is not None:
                keep_log.write_text(spool_log, "utf-8")
        counts = compare(url, tally)
        return {
            "users": users,
            "seconds": seconds,
            "requests": tally.requests,
            "errors": len(tally.errors),
            "error_rate": round(len(tally.errors) / max(tally.requests, 1), 5),
            "error_samples": tally.errors[:10],
            **latency_figures(tally.chat_ms, "chat_", with_max=True),
            **counts,
            "faults": tally.faults,
            "degraded_seconds": tally.degraded_samples / 2,
            "most_spooled": tally.most_spooled,
            "spool_drained_after_run_s": drained,
            "spooled_records_logged": spool_log.count(" spooled"),
            "tracebacks_in_server_log": spool_log.count("Traceback"),
            "recovery": recovery(data_dir, env),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--cluster", default="main", help="the PostgreSQL cluster to restart")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_POSTGRES_ADMIN_URL", ADMIN_URL))
    parser.add_argument("--keep-log", type=Path, help="copy the server's log here")
    args = parser.parse_args()
    report = measure(args.users, args.seconds, args.cluster, args.admin_url, args.keep_log)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
