"""Drives our app's Telegram channel like a citizen would: updates in (through the fake Bot API
in polling mode, or posted to our webhook), and what the bot sent back out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from tests.fakes.telegram_api import FakeTelegram, callback_update, text_update

DEFAULT_USER = 424242


@dataclass
class Bot:
    """Our app with Telegram enabled, the fake Bot API it talks to, and the shared database."""

    fake: FakeTelegram
    base_url: str  # our app
    engine: Engine
    webhook: bool
    secret: str = ""

    def deliver(self, update: dict[str, Any]) -> None:
        if self.webhook:
            r = httpx.post(
                f"{self.base_url}/webhooks/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": self.secret},
            )
            assert r.status_code == 200, r.text
        else:
            self.fake.push(update)

    def say(self, text: str, user: int = DEFAULT_USER, reply_to: int | None = None) -> None:
        self.deliver(text_update(self.fake, user, text, reply_to))

    def tap(self, message: dict[str, Any], data: str, user: int = DEFAULT_USER) -> None:
        markup = message.get("reply_markup")
        self.deliver(callback_update(self.fake, user, int(message["message_id"]), data, markup))

    def sent(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` messages the bot sent, as the Bot API returned them."""
        calls = self.fake.wait_for("sendMessage", count)
        return [as_message(i, c.params) for i, c in enumerate(calls[:count], start=1)]


def as_message(message_id: int, params: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": message_id, "text": params["text"], "reply_markup": params.get("reply_markup")}


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def callback_data_for(message: dict[str, Any], label_part: str) -> str:
    return str(next(b["callback_data"] for b in buttons(message) if label_part in b["text"]))
