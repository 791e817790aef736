"""Core replies as Telegram HTML: escaped, with a bold title, split under the 4,096-character limit."""

from __future__ import annotations

from html import escape

from core.chunking import split_message as split_chunks
from core.conversation import reply_title
from core.messages import Reply

MAX_CHARS = 4096


def reply_html(reply: Reply) -> str:
    body = escape(reply.text)
    title = reply_title(reply)
    return f"<b>{escape(title)}</b>\n\n{body}" if title else body


def split_message(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Telegram-sized chunks (the only markup, a bold title, sits at the very start)."""
    return split_chunks(text, limit, html=True)
