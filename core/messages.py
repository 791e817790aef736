"""What edges hand to the core and what they get back: channel-neutral values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from retrieval.types import Hit


class Decision(StrEnum):
    ANSWER = "answer"  # confident: one entry
    SUGGEST = "suggest"  # close candidates: "Có phải bạn muốn hỏi…"
    FALLBACK = "fallback"  # honest "chưa có thông tin" with where to go
    CATALOG = "catalog"  # no curated answer, but a procedure card from the national catalog
    SMALLTALK = "smalltalk"  # greetings, thanks, goodbyes
    EMPTY = "empty"  # nothing to answer (blank or no words)


@dataclass(frozen=True)
class IncomingMessage:
    channel: str  # "web", "telegram", "zalo", "cli", ...
    user_id: str  # the channel's own id; pseudonymised before storage
    text: str


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    question: str
    score: float


@dataclass(frozen=True)
class Reply:
    interaction_id: str
    decision: Decision
    text: str  # ready-to-send Vietnamese text (plain, line breaks allowed)
    entry_id: str | None = None
    question: str | None = None  # the canonical question of the answered entry
    legal_basis: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    # the text without its numbered list of suggestions or cases, for channels whose buttons
    # already show that list (the web widget's chips); None when the text holds no such list
    lead: str | None = None
    hits: tuple[Hit, ...] = ()
    cached: bool = False
    index_version: str | None = None
    latency_ms: float = 0.0
    stages_ms: dict[str, float] = field(default_factory=dict)
