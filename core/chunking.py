"""Splitting long replies for channels with a message-length limit (Telegram 4,096, Zalo 2,000)."""

from __future__ import annotations


def split_message(text: str, limit: int, html: bool = False) -> list[str]:
    """Chunks of at most ``limit`` characters, cut at paragraph, then line, then word boundaries.

    With ``html``, a cut never falls inside an entity such as ``&amp;`` (Telegram sends escaped HTML).
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0)
        cut = cut or limit
        amp = rest.rfind("&", max(cut - 10, 0), cut) if html else -1
        if amp > 0 and ";" not in rest[amp:cut]:
            cut = amp
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    chunks.append(rest)
    return [c for c in chunks if c]
