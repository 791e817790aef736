"""Core replies as Telegram HTML: escaped, with a bold title, split under the 4,096-character limit."""

from __future__ import annotations

from html import escape

from core.chunking import split_message as split_chunks
from core.messages import Decision, Reply

MAX_CHARS = 4096


def reply_html(reply: Reply) -> str:
    body = escape(reply.text)
    if reply.decision is Decision.ANSWER and reply.question:
        return f"<b>{escape(reply.question)}</b>\n\n{body}"
    if reply.decision is Decision.CATALOG:
        return f"<b>Thông tin từ Cơ sở dữ liệu quốc gia về thủ tục hành chính</b>\n\n{body}"
    return body


def split_message(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Telegram-sized chunks (the only markup, a bold title, sits at the very start)."""
    return split_chunks(text, limit)
