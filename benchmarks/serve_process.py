"""`hoidap serve` as a separate process for the channel load benchmarks: a fresh data folder
(reusing the project's model and embedding cache), start, health wait, stop, and what it stored."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.db.engine import make_engine
from core.db.models import Feedback, Interaction
from tests.serving import free_port

ROOT = Path(__file__).resolve().parent.parent


def prepare_data_dir(data_dir: Path) -> None:
    """Model and embedding cache for a data folder; a folder used before is left as it is."""
    cache = ROOT / "var" / "cache" / "embeddings.sqlite"
    if cache.is_file() and not (data_dir / "cache").exists():  # start-up need not re-encode the FAQ
        (data_dir / "cache").mkdir()
        shutil.copy(cache, data_dir / "cache" / "embeddings.sqlite")
    if not (data_dir / "models").exists():
        (data_dir / "models").symlink_to((ROOT / "var" / "models").resolve())


def _wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("hoidap serve exited; see serve.log in its data folder")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("hoidap serve did not become healthy")


@contextmanager
def hoidap_serve(data_dir: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """Run `hoidap serve [args]` with ``HOIDAP_*`` overrides until the block ends; yields its base URL."""
    prepare_data_dir(data_dir)
    port = free_port()
    full_env = {
        **os.environ,
        "HOIDAP_DATA_DIR": str(data_dir),
        "HOIDAP_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", ""),
        **env,
    }
    hoidap = Path(sys.executable).parent / "hoidap"
    log = (data_dir / "serve.log").open("wb")  # a pipe nobody reads would block the server
    server = subprocess.Popen(
        [str(hoidap), "serve", "--port", str(port), *args], env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, server)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)


def server_errors(data_dir: Path) -> int:
    serve_log = (data_dir / "serve.log").read_text("utf-8", errors="replace")
    errors = serve_log.count("Traceback")
    if errors:
        print(serve_log[-4000:], file=sys.stderr)
    return errors


def bench_engine(data_dir: Path) -> Engine:
    """The database the benchmarked server wrote to: BENCH_DATABASE_URL, or its SQLite file."""
    return make_engine(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{data_dir / 'hoidap.db'}")


def stored(data_dir: Path) -> tuple[int, int, list[float]]:
    """Interactions and feedback rows stored, and the answering time of each interaction."""
    engine = bench_engine(data_dir)
    with Session(engine) as session:
        answering = [float(v) for v in session.exec(select(Interaction.latency_ms))]
        feedback = session.exec(select(func.count()).select_from(Feedback)).one()
    engine.dispose()
    return len(answering), int(feedback), answering


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1) if values else 0.0


def latency_figures(
    values: list[float], prefix: str = "", quantiles: tuple[int, ...] = (50, 95, 99), with_max: bool = False
) -> dict[str, float]:
    """``{prefix}p50_ms``… for the given quantiles, and ``{prefix}max_ms`` if asked."""
    figures = {f"{prefix}p{q}_ms": percentile(values, q) for q in quantiles}
    if with_max:
        figures[f"{prefix}max_ms"] = round(max(values, default=0.0), 1)
    return figures
