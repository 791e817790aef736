"""Plain-text FAQ answers as structure the templates can escape: paragraphs, lists, links.

Answers are plain text that staff write with line breaks, "- " bullets and URLs. They are never
treated as HTML: every piece stays a string the template escapes, and only http(s) URLs become
links (a stored "javascript:" or "data:" link stays text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

_URL_RE = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?"
_BULLET_RE = re.compile(r"^[-•*+]\s+")
SNIPPET_CHARS = 200


@dataclass(frozen=True)
class Segment:
    """A run of text, a link when ``href`` is set."""

    text: str
    href: str | None = None


Line = tuple[Segment, ...]


@dataclass(frozen=True)
class Block:
    kind: Literal["p", "ul"]
    lines: tuple[Line, ...]


def safe_href(url: str) -> str | None:
    """The URL if a citizen may be sent there (http or https with a host), else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def segments(text: str) -> Line:
    """Text with its http(s) URLs as links; punctuation closing a sentence stays outside the link."""
    out: list[Segment] = []
    position = 0
    for match in _URL_RE.finditer(text):
        url = match.group().rstrip(_TRAILING_PUNCTUATION)
        start, end = match.start(), match.start() + len(url)
        if start > position:
            out.append(Segment(text[position:start]))
        out.append(Segment(url, safe_href(url)))
        position = end
    if position < len(text):
        out.append(Segment(text[position:]))
    return tuple(out)


def blocks(text: str) -> tuple[Block, ...]:
    """One paragraph per line; consecutive bullet lines make one list."""
    out: list[Block] = []
    items: list[Line] = []
    for raw in text.splitlines():
        line = raw.strip()
        bullet = _BULLET_RE.match(line)
        if bullet:
            items.append(segments(line[bullet.end() :]))
            continue
        if items:
            out.append(Block("ul", tuple(items)))
            items = []
        if line:
            out.append(Block("p", (segments(line),)))
    if items:
        out.append(Block("ul", tuple(items)))
    return tuple(out)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of an answer on one line, cut at a word boundary."""
    flat = " ".join(_BULLET_RE.sub("", line.strip()) for line in text.splitlines() if line.strip())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–")
    return cut + "…"
