"""Personal data in citizens' messages: masked before anything is stored or logged.

Under Luật Bảo vệ dữ liệu cá nhân 2025 we keep only what we need: the question with
ID numbers, phone numbers, e-mail addresses and account-like numbers replaced by
labels, and a keyed hash instead of the channel's user id.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_MONEY_AFTER = r"(?!\s*(?:đ\b|đồng|dong\b|vnđ|vnd|usd|triệu|trieu|nghìn|nghin|ngàn|ngan|k\b|%))"
_SEP = r"[ .\-]?"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), "[email]"),
    # Vietnamese phones: 0 or +84 / 84, then 9 digits (grouped freely)
    (
        re.compile(rf"(?<![\w.])(?:\+84|84|0)(?:{_SEP}\d){{9}}(?![\d])" + _MONEY_AFTER),
        "[số điện thoại]",
    ),
    # 12-digit personal identification numbers (căn cước), then 9-digit old ID cards
    (
        re.compile(rf"(?<![\w.])\d{{3}}(?:{_SEP}\d{{3}}){{3}}(?![\d])" + _MONEY_AFTER),
        "[số định danh]",
    ),
    (re.compile(r"(?<![\w.])\d{12}(?![\d])" + _MONEY_AFTER), "[số định danh]"),
    (
        re.compile(rf"(?<![\w.])\d{{3}}(?:{_SEP}\d{{3}}){{2}}(?![\d])" + _MONEY_AFTER),
        "[số định danh]",
    ),
    (re.compile(r"(?<![\w.])\d{9}(?![\d])" + _MONEY_AFTER), "[số định danh]"),
    # long digit runs that remain look like bank accounts or card numbers
    (re.compile(rf"(?<![\w.])\d(?:{_SEP}\d){{9,18}}(?![\d])" + _MONEY_AFTER), "[số tài khoản]"),
)


def mask_personal_data(text: str) -> str:
    for pattern, label in _PATTERNS:
        text = pattern.sub(label, text)
    return text


def pseudonymise(channel: str, user_id: str, salt: str) -> str:
    """Stable, non-reversible id for one citizen on one channel (keyed with a secret salt)."""
    mac = hmac.new(salt.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
