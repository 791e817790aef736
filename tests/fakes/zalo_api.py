"""A fake Zalo OA OpenAPI and OAuth server on 127.0.0.1: records messages, expires and rotates
tokens the way Zalo does (refresh tokens are single-use), and can fail on demand."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.polling import until
from tests.serving import serving

APP_SECRET = "fake-app-secret-0123456789"


@dataclass
class FakeZalo:
    access_token: str = "access-0"
    refresh_token: str = "refresh-0"
    sent: list[dict[str, Any]] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # time.perf_counter() of each delivery
    refreshes: int = 0
    refuse_refresh: bool = False
    fail_next: int = 0  # answer this many message calls with HTTP 502
    message_calls: int = 0
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, user_id: str) -> list[dict[str, Any]]:
        """The messages delivered to one follower so far (the ``message`` part of each call)."""
        with self._lock:
            return [m["message"] for m in self.sent if m["recipient"]["user_id"] == user_id]

    def arrivals(self, user_id: str) -> list[float]:
        """When each message to one follower arrived (``time.perf_counter()``)."""
        with self._lock:
            return [
                t
                for m, t in zip(self.sent, self.sent_at, strict=True)
                if m["recipient"]["user_id"] == user_id
            ]

    def wait_to(self, user_id: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until ``count`` messages reached the follower; returns them all."""
        arrived = until(lambda: len(self.to(user_id)) >= count, timeout, every=0.02)
        messages = self.to(user_id)
        assert arrived, f"expected {count} messages to {user_id}, got {len(messages)}: {messages}"
        return messages

    def expire(self) -> None:
        """The access token stops working (Zalo answers -216) until a refresh."""
        with self._lock:
            self.access_token = f"{self.access_token}-expired-by-server"

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.post("/v3.0/oa/message/cs")
        async def message(request: Request) -> JSONResponse:
            body = await request.json()
            with self._lock:
                self.message_calls += 1
                if self.fail_next > 0:
                    self.fail_next -= 1
                    return JSONResponse({"error": -1}, status_code=502)
                if request.headers.get("access_token") != self.access_token:
                    return JSONResponse({"error": -216, "message": "Access token is invalid"})
                self.sent.append(body)
                self.sent_at.append(time.perf_counter())
                message_id = f"m{len(self.sent)}"
            return JSONResponse({"error": 0, "message": "Success", "data": {"message_id": message_id}})

        @api.post("/v4/oa/access_token")
        async def refresh(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            with self._lock:
                valid = (
                    not self.refuse_refresh
                    and request.headers.get("secret_key") == APP_SECRET
                    and form.get("grant_type") == "refresh_token"
                    and form.get("refresh_token") == self.refresh_token
                )
                if not valid:
                    return JSONResponse({"error": -14014, "error_name": "Invalid refresh token"})
                self.refreshes += 1
                self.access_token = f"access-{self.refreshes}"
                self.refresh_token = f"refresh-{self.refreshes}"  # the old one is spent
                pair = {"access_token": self.access_token, "refresh_token": self.refresh_token}
            return JSONResponse({**pair, "expires_in": "90000"})

        return api


@contextmanager
def running_fake_zalo() -> Iterator[FakeZalo]:
    fake = FakeZalo()
    with serving(fake.app()) as base:
        fake.base_url = base
        yield fake
