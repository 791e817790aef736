"""Login throttling: failed attempts per account and per client address in a moving window
(the `limits` library); a successful login does not count."""

from __future__ import annotations

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, rate: str) -> None:
        self._limit = parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"user:{username.lower()}", f"addr:{address}"

    def locked(self, username: str, address: str) -> bool:
        return any(not self._limiter.test(self._limit, key) for key in self._keys(username, address))

    def failed(self, username: str, address: str) -> None:
        for key in self._keys(username, address):
            self._limiter.hit(self._limit, key)

    def retry_after_seconds(self) -> int:
        return int(self._limit.get_expiry())
