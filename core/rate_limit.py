"""Per-citizen rate limit on questions (moving window, `limits` syntax such as "12/minute")."""

from __future__ import annotations

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class UserRateLimiter:
    def __init__(self, spec: str) -> None:
        self._limit = parse(spec)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, user_hash: str) -> bool:
        return self._limiter.hit(self._limit, user_hash)
