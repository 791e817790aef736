"""Plays a Zalo follower against our webhook: signed events over real HTTP, as Zalo sends them,
and reads what the bot sent back through the fake OpenAPI server."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.zalo.signature import signature_header
from tests.fakes.zalo_api import FakeZalo

APP_ID = "4310000000000000001"
OA_ID = "2910000000000000002"
OA_SECRET_KEY = "fake-oa-secret-key-abcdef"
_ids = itertools.count(1)

Message = dict[str, Any]


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(
    user_id: str, text: str, msg_id: str | None = None, timestamp: str | None = None
) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_text",
        "timestamp": timestamp or now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
        "message": {"msg_id": msg_id or f"msg-{next(_ids)}", "text": text},
    }


def event(user_id: str, name: str, **extra: Any) -> dict[str, Any]:
    """Any other event: follow (with ``follower``), user_send_image, user_send_sticker…"""
    body: dict[str, Any] = {"app_id": APP_ID, "event_name": name, "timestamp": now_ms(), **extra}
    if name in ("follow", "unfollow"):
        body["follower"] = {"id": user_id}
    else:
        body |= {
            "sender": {"id": user_id},
            "recipient": {"id": OA_ID},
            "message": {"msg_id": f"msg-{next(_ids)}"},
        }
    return body


def sign(raw: bytes, timestamp: str, identifier: str = APP_ID) -> str:
    return signature_header(identifier, raw, timestamp, OA_SECRET_KEY)


def text_of(message: Message) -> str:
    if "text" in message:
        return str(message["text"])
    return str(message["attachment"]["payload"]["text"])


def buttons(message: Message) -> list[dict[str, Any]]:
    if "attachment" not in message:
        return []
    return list(message["attachment"]["payload"]["buttons"])


def payload_for(message: Message, title_part: str) -> str:
    for button in buttons(message):
        if title_part in button["title"]:
            return str(button["payload"])
    raise AssertionError(f"no button with {title_part!r} in {buttons(message)}")


@dataclass
class Follower:
    fake: FakeZalo
    base_url: str
    user_id: str = "8800000000000000123"
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def post(self, body: dict[str, Any], signature: str | None = "sign") -> httpx.Response:
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = sign(raw, str(body.get("timestamp", "")))
        if signature is not None:
            headers["X-ZEvent-Signature"] = signature
        return self.http.post(f"{self.base_url}/webhooks/zalo", content=raw, headers=headers)

    def say(self, text: str, msg_id: str | None = None) -> httpx.Response:
        response = self.post(text_event(self.user_id, text, msg_id))
        assert response.status_code == 200, response.text
        return response

    def tap(self, message: Message, title_part: str) -> None:
        """A tap on an ``oa.query.hide`` button: Zalo sends its payload as the user's text."""
        self.say(payload_for(message, title_part))

    def sent(self, count: int) -> list[Message]:
        return self.fake.wait_to(self.user_id, count)

    def agree(self) -> list[Message]:
        """Follow, then tap "Tôi đồng ý"; returns the bot's messages so far."""
        assert self.post(event(self.user_id, "follow")).status_code == 200
        welcome = self.sent(1)[0]
        self.tap(welcome, "Tôi đồng ý")
        return self.sent(2)
