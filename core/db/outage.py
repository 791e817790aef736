"""What "the database is unreachable" looks like, and a memory that stands in for it meanwhile.

A stopped, restarting or cut-off database raises OperationalError (connection refused, server
closed the connection) or InterfaceError (a connection that died mid-use). Other database errors
(a constraint, a bug in a query) are not outages and are never treated as one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from sqlalchemy.exc import InterfaceError, OperationalError

UNREACHABLE = (OperationalError, InterfaceError)


class RecentMemory:
    """Keys seen recently, for a bounded time and number: a worker's stand-in for a table."""

    def __init__(self, keep_seconds: float, most: int = 100_000) -> None:
        self.keep_seconds = keep_seconds
        self.most = most
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """Remember ``key``; False if it was already remembered (and still is)."""
        with self._lock:
            fresh = key not in self
            self._seen[key] = time.monotonic()
            self._seen.move_to_end(key)
            while len(self._seen) > self.most:
                self._seen.popitem(last=False)
            return fresh

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)

    def __contains__(self, key: object) -> bool:
        seen = self._seen.get(key) if isinstance(key, str) else None
        return seen is not None and time.monotonic() - seen < self.keep_seconds
