"""Expansion of abbreviations and teencode, driven by the documented dictionary in data/."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from core.text.normalize import strip_diacritics


@dataclass(frozen=True)
class Rule:
    expansion: str
    prev: frozenset[str] = frozenset()
    next: frozenset[str] = frozenset()
    at_end: bool | None = None
    add: bool = False  # keep the citizen's words and append the expansion

    def matches(self, prev: str | None, nxt: str | None) -> bool:
        if self.at_end is not None and self.at_end != (nxt is None):
            return False
        if self.prev and (prev is None or strip_diacritics(prev) not in self.prev):
            return False
        return not (self.next and (nxt is None or strip_diacritics(nxt) not in self.next))


@dataclass(frozen=True)
class Entry:
    words: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    default: str | None = None
    add: bool = False  # keep the original words and append the expansion

    def resolve(self, prev: str | None, nxt: str | None) -> tuple[str, bool] | None:
        """The expansion that applies here, and whether it is added to the words or replaces them."""
        for rule in self.rules:
            if rule.matches(prev, nxt):
                return rule.expansion, rule.add
        return None if self.default is None else (self.default, self.add)


@dataclass
class Expansion:
    """Result of expanding a token list; ``fixed[i]`` marks tokens the expander produced."""

    tokens: list[str] = field(default_factory=list)
    fixed: list[bool] = field(default_factory=list)

    def extend(self, words: list[str], fixed: bool) -> None:
        self.tokens.extend(words)
        self.fixed.extend([fixed] * len(words))


def _fold_set(words: list[str]) -> frozenset[str]:
    return frozenset(strip_diacritics(w) for w in words)


def _parse_entry(key: str, spec: dict[str, Any]) -> Entry:
    words = tuple(key.split())
    if "expand" in spec:
        return Entry(words, default=spec["expand"])
    if "add" in spec:
        return Entry(words, default=spec["add"], add=True)
    rules = tuple(
        Rule(
            expansion=r["expand"] if "expand" in r else r["add"],
            add="add" in r,
            prev=_fold_set(r.get("prev", [])),
            next=_fold_set(r.get("next", [])),
            at_end=r.get("end"),
        )
        for r in spec.get("rules", [])
    )
    return Entry(words, rules=rules, default=spec.get("default"))


class AbbreviationExpander:
    """Expands abbreviations in a list of lowercase NFC tokens."""

    def __init__(self, entries: list[Entry]) -> None:
        self._by_first: dict[str, list[Entry]] = {}
        exact = {entry.words for entry in entries}
        for entry in entries:
            self._by_first.setdefault(entry.words[0], []).append(entry)
        for entry in entries:  # accent-free spellings, unless a key of its own says otherwise
            folded = tuple(strip_diacritics(w) for w in entry.words)
            if folded not in exact:
                exact.add(folded)
                self._by_first.setdefault(folded[0], []).append(
                    Entry(folded, entry.rules, entry.default, entry.add)
                )
        for group in self._by_first.values():
            group.sort(key=lambda e: -len(e.words))  # longest phrase first

    @classmethod
    def from_yaml(cls, text: str) -> AbbreviationExpander:
        data = yaml.safe_load(text) or {}
        return cls([_parse_entry(str(k), v) for k, v in data.get("tokens", {}).items()])

    def _match(self, toks: list[str], i: int) -> tuple[Entry, tuple[str, bool]] | None:
        for entry in self._by_first.get(toks[i], []):
            n = len(entry.words)
            if tuple(toks[i : i + n]) != entry.words:
                continue
            prev = toks[i - 1] if i > 0 else None
            nxt = toks[i + n] if i + n < len(toks) else None
            expansion = entry.resolve(prev, nxt)
            if expansion is not None:
                return entry, expansion
        return None

    def expand(self, toks: list[str]) -> Expansion:
        out = Expansion()
        i = 0
        while i < len(toks):
            found = self._match(toks, i)
            if found is None:
                out.extend([toks[i]], fixed=False)
                i += 1
                continue
            entry, (expansion, add) = found
            if add:
                out.extend(toks[i : i + len(entry.words)], fixed=False)
            out.extend(expansion.split(), fixed=True)
            i += len(entry.words)
        return out


@lru_cache(maxsize=1)
def default_expander() -> AbbreviationExpander:
    text = resources.files("core.text").joinpath("data/abbreviations.yaml").read_text("utf-8")
    return AbbreviationExpander.from_yaml(text)
