"""Core replies as Telegram HTML: escaped, with a bold title, split under the 4,096-character limit."""

from __future__ import annotations

from html import escape

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
    """Chunks of at most ``limit`` characters, cut at paragraph, then line, then word boundaries.

    Cuts never fall inside an HTML tag or entity because the only markup we emit is a short
    bold title at the very start, and escaped entities contain no spaces or line breaks.
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0)
        cut = cut or limit
        amp = rest.rfind("&", max(cut - 10, 0), cut)
        if amp > 0 and ";" not in rest[amp:cut]:
            cut = amp  # never split an entity such as &amp;
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    chunks.append(rest)
    return [c for c in chunks if c]
