"""What a chat button does, as typed actions with a short text form shared by every channel.

Telegram carries the text as callback data (at most 64 bytes, a Bot API limit); Zalo sends it
back as a hidden user message (an ``oa.query.hide`` payload), so there it travels behind a
prefix that tells a tap from a question the citizen typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.interaction_log import FEEDBACK_REASONS

MAX_BYTES = 64
SEP = ":"
NOOP = "-"  # a button that only shows a state


class ActionDataError(ValueError):
    """Button data we did not produce (or produced by an older version of the bot)."""


@dataclass(frozen=True)
class Feedback:
    interaction_id: str
    helpful: bool


@dataclass(frozen=True)
class Reason:
    interaction_id: str
    reason: str


@dataclass(frozen=True)
class Choose:  # the citizen picked a suggested or browsed question
    entry_ref: str


@dataclass(frozen=True)
class Categories:
    page: int


@dataclass(frozen=True)
class Questions:
    category_ref: str
    page: int


@dataclass(frozen=True)
class Handoff:
    interaction_id: str


@dataclass(frozen=True)
class Consent:
    pass


@dataclass(frozen=True)
class Erase:
    confirmed: bool


Action = Feedback | Reason | Choose | Categories | Questions | Handoff | Consent | Erase


def _join(*parts: str | int) -> str:
    data = SEP.join(str(p) for p in parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def encode(action: Action) -> str:
    match action:
        case Feedback(iid, helpful):
            return _join("fb", iid, "u" if helpful else "d")
        case Reason(iid, reason):
            return _join("fr", iid, FEEDBACK_REASONS.index(reason))
        case Choose(ref):
            return _join("q", ref)
        case Categories(page):
            return _join("c", page)
        case Questions(ref, page):
            return _join("cq", ref, page)
        case Handoff(iid):
            return _join("ho", iid)
        case Consent():
            return "ok"
        case Erase(confirmed):
            return _join("del", "y" if confirmed else "n")
    raise TypeError(action)  # pragma: no cover - exhaustive


def decode(data: str) -> Action:
    parts = data.split(SEP)
    try:
        match parts:
            case ["fb", iid, "u" | "d" as verdict]:
                return Feedback(iid, verdict == "u")
            case ["fr", iid, index]:
                return Reason(iid, FEEDBACK_REASONS[int(index)])
            case ["q", ref]:
                return Choose(ref)
            case ["c", page]:
                return Categories(int(page))
            case ["cq", ref, page]:
                return Questions(ref, int(page))
            case ["ho", iid]:
                return Handoff(iid)
            case ["ok"]:
                return Consent()
            case ["del", "y" | "n" as answer]:
                return Erase(answer == "y")
    except (ValueError, IndexError) as exc:
        raise ActionDataError(data) from exc
    raise ActionDataError(data)
