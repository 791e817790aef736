"""Keeps every worker's index in step with what is published, whichever worker published it.

Several `hoidap serve` processes (on one host or several) share one database. Publishing
rebuilds the index in the worker that took the request; the others notice here. Each polls a
cheap fingerprint of the served set — the (id, published version) pairs of the published
entries, which pin the served content exactly — and when it moves:

1. if the index already serving matches the new content, nothing to do;
2. if the shared index folder holds a matching index (workers on one host share ``data_dir``),
   it is loaded: a swap in well under a second;
3. otherwise, after a grace period in which another worker may still be saving it, the worker
   builds it itself from the database, with the embedding cache (only new texts are encoded).

Polling, not LISTEN/NOTIFY: it works the same on SQLite and PostgreSQL, needs no dedicated
connection, and a missed notification cannot leave a worker stale.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from core import faq_store
from core.db.models import FaqEntryRecord
from core.runtime import BUILD_LOCK, Runtime, rebuild_index
from retrieval.index import ALL_FIELDS, content_hash

log = logging.getLogger(__name__)


def served_fingerprint(engine: Engine) -> str:
    """A digest of what is published: changes whenever the served set or a served version does."""
    with Session(engine) as session:
        rows = session.exec(
            select(FaqEntryRecord.id, FaqEntryRecord.published_version)
            .where(FaqEntryRecord.status == "published", col(FaqEntryRecord.published_version).is_not(None))
            .order_by(col(FaqEntryRecord.id))
        ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class IndexWatcher:
    """One worker's side: ``check`` once per poll (blocking; run it in a thread)."""

    def __init__(self, runtime: Runtime, grace_seconds: float) -> None:
        self.runtime = runtime
        self.grace_seconds = grace_seconds
        self._seen: str | None = None
        self._missing_since: float | None = None

    def check(self) -> bool:
        """Bring the index in step with the database; True when a new index was installed."""
        fingerprint = served_fingerprint(self.runtime.engine)
        if fingerprint == self._seen:
            return False
        entries = faq_store.load_served(self.runtime.engine)
        wanted = content_hash(entries, ALL_FIELDS)
        if self._serving() == wanted:
            return self._caught_up(fingerprint, swapped=False)
        if self.runtime.live.refresh() and self._serving() == wanted:
            return self._caught_up(fingerprint, swapped=True)
        now = time.monotonic()
        if self._missing_since is None:  # another worker may be building it right now
            self._missing_since = now
        if now - self._missing_since < self.grace_seconds:
            return False
        if not BUILD_LOCK.acquire(blocking=False):  # this worker's publisher is building it
            return False
        try:
            self.runtime.live.install(rebuild_index(self.runtime.settings, self.runtime.encoder, entries))
        finally:
            BUILD_LOCK.release()
        log.info("index rebuilt here for content published elsewhere (%d entries)", len(entries))
        return self._caught_up(fingerprint, swapped=True)

    def _serving(self) -> str | None:
        searcher = self.runtime.live.searcher
        return searcher.index.meta.content_hash if searcher is not None else None

    def _caught_up(self, fingerprint: str, swapped: bool) -> bool:
        self._seen, self._missing_since = fingerprint, None
        if swapped:
            log.info("now serving index %s", self.runtime.live.version)
        return swapped


async def watch_published(watcher: IndexWatcher, interval_seconds: float) -> None:
    """Poll for the life of the app; a database outage only delays the next check."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await asyncio.to_thread(watcher.check)
        except SQLAlchemyError as exc:
            log.warning("index watch: database unavailable (%s); will retry", type(exc).__name__)
        except Exception:  # a failed build must not stop the watching: the old index keeps serving
            log.exception("index watch: rebuilding failed; the previous index keeps serving")
