"""Zalo OA webhook events, parsed and checked: what the channel needs of each, nothing more."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

TEXT = "user_send_text"
FOLLOW = "follow"
ANSWERED = frozenset({TEXT, FOLLOW})  # with MEDIA: the events the bot replies to
# What a citizen can send that is not text: answered with a polite "text only, please".
MEDIA = frozenset(
    {
        "user_send_image",
        "user_send_sticker",
        "user_send_gif",
        "user_send_audio",
        "user_send_video",
        "user_send_file",
        "user_send_location",
        "user_send_link",
        "user_send_business_card",
    }
)


class EventError(ValueError):
    """A webhook body that is not a Zalo event; ``field`` names the part at fault."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True)
class ZaloEvent:
    name: str
    timestamp: str  # as sent: it is part of the signed data
    user_id: str | None  # the follower who acted (sender, or follower for follow events)
    msg_id: str | None = None
    text: str | None = None

    @property
    def dedupe_key(self) -> int:
        """A stable 63-bit id for the processed-update ledger: ``msg_id`` when the event has
        one, else what identifies a follow/unfollow (Zalo redelivers the same body)."""
        key = self.msg_id or f"{self.name}:{self.user_id}:{self.timestamp}"
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1

    @property
    def answered(self) -> bool:
        """An event the bot replies to (receipts, unfollows, the OA's own messages are not)."""
        return self.user_id is not None and (self.name in ANSWERED or self.name in MEDIA)

    def signed_at_ms(self) -> int:
        return int(self.timestamp)


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EventError(key, "an object is required")
    return value


def _optional_str(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise EventError(where, "a string is required")
    return str(value)


def parse_event(data: object) -> ZaloEvent:
    if not isinstance(data, dict):
        raise EventError("body", "a JSON object is required")
    name = data.get("event_name")
    if not isinstance(name, str) or not name:
        raise EventError("event_name", "a non-empty string is required")
    timestamp = _optional_str(data, "timestamp", "timestamp")
    if timestamp is None or not (timestamp.isascii() and timestamp.isdigit()):
        raise EventError("timestamp", "milliseconds since the epoch are required")
    sender, follower, message = _object(data, "sender"), _object(data, "follower"), _object(data, "message")
    user_id = _optional_str(sender, "id", "sender.id") or _optional_str(follower, "id", "follower.id")
    if user_id is None and (name.startswith("user_") or name in (FOLLOW, "unfollow")):
        raise EventError("sender.id", "required for events from a follower")
    text = message.get("text")
    if name == TEXT and not isinstance(text, str):
        raise EventError("message.text", "a string is required for user_send_text")
    return ZaloEvent(
        name=name,
        timestamp=timestamp,
        user_id=user_id,
        msg_id=_optional_str(message, "msg_id", "message.msg_id"),
        text=text if isinstance(text, str) else None,
    )
