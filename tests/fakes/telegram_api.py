"""A small fake of the Telegram Bot API on 127.0.0.1, for end-to-end tests and benchmarks.

The bot talks to it through python-telegram-bot's real networking stack (``base_url`` points
here). It serves getMe and getUpdates from a queue the test fills, and records every call the
bot makes (sendMessage, editMessageReplyMarkup, answerCallbackQuery, setWebhook, ...) with the
time it arrived, so tests can assert what the citizen would have seen.
"""

from __future__ import annotations

import asyncio
import json
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

BOT_ID = 777000111
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Hỏi đáp TTHC", "username": "hoidap_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() when it arrived


@dataclass
class FakeTelegram:
    token: str
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    _next_update: int = 1000
    _next_message: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sent: threading.Condition = field(default_factory=threading.Condition)
    _sent_per_chat: dict[int, list[Call]] = field(default_factory=dict)
    base_url: str = ""

    # --- what tests do ------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an update_id is assigned when missing)."""
        with self._lock:
            if "update_id" not in update:
                update = {"update_id": self._next_update, **update}
                self._next_update += 1
            self.updates.append(update)
        return update

    def next_update_id(self) -> int:
        with self._lock:
            self._next_update += 1
            return self._next_update - 1

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0) -> list[Call]:
        arrived = until(lambda: len(self.calls_to(method)) >= count, timeout, every=0.02)
        found = self.calls_to(method)
        assert arrived, f"expected {count} {method} call(s), got {len(found)}"
        return found

    def wait_sent(self, chat_id: int, count: int, timeout: float = 20.0) -> list[Call]:
        """The messages sent to one chat once there are ``count`` (cheap: no scanning), or fewer when
        ``timeout`` passes first: the webhook benchmark counts a short list as replies lost."""
        with self._sent:
            self._sent.wait_for(lambda: len(self._sent_per_chat.get(chat_id, [])) >= count, timeout)
            return list(self._sent_per_chat.get(chat_id, []))

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            str(c.params["text"])
            for c in self.calls_to("sendMessage")
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    # --- the API --------------------------------------------------------------------------------

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        if message_id is None:
            with self._lock:
                message_id = self._next_message
                self._next_message += 1
        chat_id = int(params["chat_id"])
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # messages carry inline keyboards only
            message["reply_markup"] = markup
        return message

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._message(params, int(params.get("message_id", 0)))
        if method in ("getWebhookInfo",):
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # answerCallbackQuery, sendChatAction, setWebhook, deleteWebhook, ...

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        deadline = time.time() + min(float(params.get("timeout", 0) or 0), 1.0)
        while True:
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = list(self.updates)
            if ready or time.time() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.post("/bot{token}/{method}")
        async def call(token: str, method: str, request: Request) -> JSONResponse:
            if token != self.token:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            params = await _params(request)
            if method == "getUpdates":
                return JSONResponse({"ok": True, "result": await self._get_updates(params)})
            call = Call(method, params, time.perf_counter())
            with self._lock:
                self.calls.append(call)
            if method == "sendMessage":
                with self._sent:
                    self._sent_per_chat.setdefault(int(params["chat_id"]), []).append(call)
                    self._sent.notify_all()
            return JSONResponse({"ok": True, "result": self._result(method, params)})

        return api


async def _params(request: Request) -> dict[str, Any]:
    """python-telegram-bot posts form fields whose non-string values are JSON-encoded."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    params: dict[str, Any] = {}
    for key, text in form:
        try:
            params[key] = json.loads(text) if text[:1] in "[{" or text.lstrip("-").isdigit() else text
        except ValueError:
            params[key] = text
    return params


@contextmanager
def running_fake_telegram(token: str) -> Iterator[FakeTelegram]:
    fake = FakeTelegram(token)
    with serving(fake.app()) as base:
        fake.base_url = f"{base}/bot"
        yield fake


def text_update(fake: FakeTelegram, user_id: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": fake.next_update_id(),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Dân"},
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
    return {"update_id": fake.next_update_id(), "message": message}


def photo_update(fake: FakeTelegram, user_id: int) -> dict[str, Any]:
    return {
        "update_id": fake.next_update_id(),
        "message": {
            "message_id": fake.next_update_id(),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Dân"},
            "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}],
        },
    }


def callback_update(
    fake: FakeTelegram, user_id: int, message_id: int, data: str, markup: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A button tap on one of the bot's messages (``markup``: the keyboard it was sent with)."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": BOT_USER,
        "text": "…",
    }
    if markup is not None:
        message["reply_markup"] = markup
    return {
        "update_id": fake.next_update_id(),
        "callback_query": {
            "id": str(fake.next_update_id()),
            "from": {"id": user_id, "is_bot": False, "first_name": "Dân"},
            "chat_instance": "ci",
            "data": data,
            "message": message,
        },
    }
