"""Greetings, thanks and goodbyes get a short natural reply instead of a search."""

from __future__ import annotations

from enum import StrEnum

from core.text.normalize import fold_case, strip_diacritics, tokens


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    IDENTITY = "identity"  # "who are you", "are you a person": answered with what the bot is and can do


# Folded (accent-free) phrases; a message is small talk when it is made only of these and fillers.
_PHRASES: dict[SmallTalk, tuple[str, ...]] = {
    SmallTalk.GREETING: (
        "xin chao",
        "chao",
        "hello",
        "hi",
        "alo",
        "a lo",
        "helo",
        "chao buoi sang",
        "chao buoi chieu",
        "chao buoi toi",
        "hey",
    ),
    SmallTalk.THANKS: (
        "cam on",
        "cam on nhieu",
        "xin cam on",
        "thanks",
        "thank you",
        "thank",
        "tks",
        "thks",
        "camon",
        "cmon",
        "ok cam on",
    ),
    SmallTalk.GOODBYE: ("tam biet", "bye", "bye bye", "goodbye", "hen gap lai"),
    SmallTalk.IDENTITY: (
        "ban la ai",
        "la ai",
        "ai vay",
        "ai the",
        "co biet minh la ai khong",
        "biet toi la ai khong",
        "biet minh la ai khong",
        "ban ten gi",
        "ten gi",
        "la nguoi hay may",
        "nguoi that khong",
        "la nguoi that khong",
        "la robot a",
        "la bot a",
        "lam duoc gi",
        "ban lam duoc gi",
        "giup duoc gi",
        "ban giup duoc gi",
    ),
}
_FILLERS = {
    "ban",
    "a",
    "ad",
    "admin",
    "nhe",
    "nha",
    "nhieu",
    "rat",
    "em",
    "anh",
    "chi",
    "minh",
    "toi",
    "bot",
    "ok",
    "oke",
    "vang",
    "da",
    "shop",
    "moi",
    "nguoi",
    "ca",
    "nhi",
    "rui",
    "roi",
    "chuc",
    "co",
    "khong",
    "vay",
    "the",
    "day",
    "hay",
    "ha",
    "u",
}


def classify(text: str) -> SmallTalk | None:
    words = tokens(strip_diacritics(fold_case(text)))
    if not words or len(words) > 8:
        return None
    joined = " ".join(words)
    for kind, phrases in _PHRASES.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if f" {phrase} " in f" {joined} ":
                rest = f" {joined} ".replace(f" {phrase} ", " ", 1).split()
                if all(w in _FILLERS for w in rest):
                    return kind
    return None
