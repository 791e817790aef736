"""A durable local queue for the records the database could not take.

While the database is unreachable (restarted, failed over, network cut) citizens are still
answered from the in-memory index. Their questions and ratings must not be lost, so each one the
database refuses is appended here as one JSON line, flushed to disk before the citizen is thanked,
and replayed in order once the database answers again.

Each process writes its own file (``active-<pid>.jsonl``), so several workers sharing a data
folder never interleave lines. Replaying first turns the active file into a numbered batch, then
claims batches by renaming them (atomic on one file system, so two workers never replay the same
batch). Replay is idempotent: a batch interrupted by a new outage is simply replayed again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class SpoolError(OSError):
    """The spool could not be written (disk full, folder not writable)."""


class Applied(Enum):
    """What replaying one record did."""

    DONE = "done"  # stored (or already stored)
    LATER = "later"  # not yet possible (its question sits in another worker's spool): keep it
    REJECTED = "rejected"  # never possible (a rating for a question that does not exist)


@dataclass(frozen=True)
class Record:
    kind: str
    data: dict[str, Any]
    spooled_at: float


Apply = Callable[[Record], Applied]


@dataclass
class ReplayReport:
    done: int = 0
    kept: int = 0
    rejected: int = 0


class Spool:
    def __init__(self, folder: Path, keep_seconds: float = 86400.0) -> None:
        self.folder = folder
        self.keep_seconds = keep_seconds  # how long a record waiting on another one is kept
        self._lock = threading.Lock()
        self._active = folder / f"active-{os.getpid()}.jsonl"

    def append(self, kind: str, data: dict[str, Any]) -> None:
        """Write one record durably; raises SpoolError when the disk refuses it."""
        line = json.dumps({"kind": kind, "data": data, "at": time.time()}, ensure_ascii=False)
        with self._lock:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with self._active.open("a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise SpoolError(exc.errno, f"cannot write the spool {self._active}: {exc.strerror}") from exc

    def pending(self) -> int:
        """Records waiting, in every worker's files (lines counted, not parsed: health checks
        ask this often and a long outage makes the files large)."""
        total = 0
        for path in self._files():
            try:
                total += path.read_bytes().count(b"\n")
            except FileNotFoundError:
                continue  # replayed and removed meanwhile
        return total

    def holds_interaction(self, interaction_id: str) -> bool:
        """Whether a question waiting here has this id (a rating for it may be spooled too)."""
        return any(
            r.kind == "interaction" and r.data.get("id") == interaction_id
            for r in self._records(self._files())
        )

    def replay(self, apply: Apply) -> ReplayReport:
        """Apply every waiting record in order; stop at the first failure, keeping the rest."""
        report = ReplayReport()
        self._seal_active()
        for batch in sorted(self.folder.glob("batch-*.jsonl")):
            claimed = batch.with_name(f"claimed-{os.getpid()}-{batch.name}")
            try:
                batch.rename(claimed)
            except FileNotFoundError:
                continue  # another worker claimed it first
            try:
                self._replay_file(claimed, apply, report)
            except BaseException:
                claimed.rename(batch)  # replayed again next time; records are idempotent
                raise
            claimed.unlink()
        return report

    def _replay_file(self, path: Path, apply: Apply, report: ReplayReport) -> None:
        for record in self._records([path]):
            outcome = apply(record)
            if outcome is Applied.LATER and time.time() - record.spooled_at < self.keep_seconds:
                self.append(record.kind, record.data)  # after its question, which is replayed first
                report.kept += 1
            elif outcome is Applied.DONE:
                report.done += 1
            else:
                log.warning("spooled %s rejected on replay: %s", record.kind, record.data.get("id"))
                report.rejected += 1

    def _seal_active(self) -> None:
        """Make this worker's file, and those of workers that died, into batches to replay."""
        with self._lock:
            for active in self.folder.glob("active-*.jsonl"):
                if active == self._active or not _running(active):
                    stamp = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
                    active.rename(self.folder / f"batch-{stamp}.jsonl")

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.jsonl"))

    @staticmethod
    def _records(paths: list[Path]) -> Iterator[Record]:
        for path in paths:
            try:
                lines = path.read_text("utf-8").splitlines()
            except FileNotFoundError:
                continue  # replayed and removed meanwhile
            for line in lines:
                try:
                    raw = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash mid-write: never acknowledged
                yield Record(raw["kind"], raw["data"], float(raw.get("at", 0.0)))


def _running(active: Path) -> bool:
    """Whether the worker that writes this file is alive (its pid is in the name)."""
    try:
        os.kill(int(active.stem.removeprefix("active-")), 0)
    except ProcessLookupError:
        return False
    except (ValueError, PermissionError):
        return True  # not ours to judge: leave it to its writer
    return True
