"""Publishing rebuilds the serving index in the background and swaps it in at once.

One build at a time; a publish during a build asks for one more build afterwards, so the last
publish is always served. The status (state, progress, last build, model, counts, error) is
what GET /index/status shows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from core.db.models import utcnow
from core.runtime import BUILD_LOCK, Runtime, rebuild_index, served_entries

log = logging.getLogger(__name__)


@dataclass
class BuildStatus:
    state: str = "idle"  # idle | building
    rows_done: int = 0
    rows_total: int = 0
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_error: str | None = None
    entries: int = 0
    rows: int = 0
    index_version: str | None = None
    model: str | None = None


class IndexPublisher:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.Lock()
        self._again = False
        self._status = BuildStatus(index_version=runtime.live.version, model=runtime.encoder.name)
        self._thread: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self._status)

    def request_build(self) -> None:
        """Start a build, or ask the running one to go once more when it ends."""
        with self._lock:
            if self._status.state == "building":
                self._again = True
                return
            self._status.state, self._status.last_started = "building", utcnow()
            self._thread = threading.Thread(target=self._run, name="index-build", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until no build runs (tests, CLI)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _progress(self, _stage: str, done: int, total: int) -> None:
        with self._lock:
            self._status.rows_done, self._status.rows_total = done, total

    def _run(self) -> None:
        while True:
            self._build_once()
            with self._lock:
                if not self._again:
                    self._status.state = "idle"
                    return
                self._again, self._status.last_started = False, utcnow()

    def _build_once(self) -> None:
        runtime = self.runtime
        try:
            with BUILD_LOCK:
                entries = served_entries(runtime.settings, runtime.engine)
                index = rebuild_index(runtime.settings, runtime.encoder, entries, self._progress)
                runtime.live.install(index)  # atomic: the next question uses the new index
            error = None
        except Exception as exc:  # the previous index keeps serving; staff see why
            log.exception("index build after publishing failed")
            entries, index, error = [], None, f"{type(exc).__name__}: {exc}"
        with self._lock:
            status = self._status
            status.last_finished, status.last_error = utcnow(), error
            if index is not None:
                status.entries, status.rows = len(entries), index.meta.rows
                status.index_version = index.meta.version
