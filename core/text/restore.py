"""Diacritics restoration for queries typed without Vietnamese accents.

A bigram language model over the indexed content (plus a list of common question
phrases) scores every accented spelling of each unaccented syllable; Viterbi picks
the likeliest sentence.  "lam lai can cuoc bi mat o dau" becomes "làm lại căn cước
bị mất ở đâu" because those syllables follow each other in our own text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from core.text.normalize import fold_case, strip_diacritics, tokens

_BIGRAM_WEIGHT = 0.8  # interpolation weight of the bigram estimate against the unigram one
_MAX_CANDIDATES = 8
_BOUNDARY = "<s>"


@dataclass(frozen=True)
class RestorerStats:
    syllables: int
    bigrams: int


class DiacriticsRestorer:
    def __init__(self, texts: Iterable[str]) -> None:
        self._unigrams: Counter[str] = Counter()
        self._bigrams: Counter[tuple[str, str]] = Counter()
        for text in texts:
            toks = tokens(fold_case(text))
            if not needs_restoration(toks):  # unaccented phrasings would teach it to leave words bare
                self._count(toks)
        self._total = sum(self._unigrams.values()) or 1
        self._vocab = len(self._unigrams) + 1
        candidates: dict[str, list[str]] = {}
        for word, _ in self._unigrams.most_common():
            folded = strip_diacritics(word)
            if folded != word or word.isalpha():
                candidates.setdefault(folded, []).append(word)
        self._candidates = {k: v[:_MAX_CANDIDATES] for k, v in candidates.items()}

    def _count(self, toks: list[str]) -> None:
        prev = _BOUNDARY
        self._unigrams[_BOUNDARY] += 1
        for tok in toks:
            self._unigrams[tok] += 1
            self._bigrams[(prev, tok)] += 1
            prev = tok

    @property
    def stats(self) -> RestorerStats:
        return RestorerStats(len(self._unigrams), len(self._bigrams))

    def _log_prob(self, prev: str, word: str) -> float:
        unigram = (self._unigrams[word] + 1) / (self._total + self._vocab)
        prev_count = self._unigrams[prev]
        bigram = self._bigrams[(prev, word)] / prev_count if prev_count else 0.0
        return math.log(_BIGRAM_WEIGHT * bigram + (1 - _BIGRAM_WEIGHT) * unigram)

    def options(self, token: str, fixed: bool) -> list[str]:
        if fixed or token != strip_diacritics(token):
            return [token]
        return self._candidates.get(token, [token])

    def restore_tokens(self, toks: list[str], fixed: list[bool] | None = None) -> list[str]:
        """Best accented spelling of each token; tokens marked fixed are context only."""
        if not toks:
            return []
        fixed = fixed or [False] * len(toks)
        lattice = [self.options(t, f) for t, f in zip(toks, fixed, strict=True)]
        # best[w] = (score, path) for paths ending in w
        best: dict[str, tuple[float, list[str]]] = {_BOUNDARY: (0.0, [])}
        for options in lattice:
            step: dict[str, tuple[float, list[str]]] = {}
            for word in options:
                score, path = max(
                    ((s + self._log_prob(prev, word), p) for prev, (s, p) in best.items()),
                    key=lambda item: item[0],
                )
                step[word] = (score, [*path, word])
            best = step
        return max(best.values(), key=lambda item: item[0])[1]


def needs_restoration(toks: list[str], max_accented_share: float = 0.25) -> bool:
    """True when the citizen evidently typed without accents (few or no accented syllables)."""
    words = [t for t in toks if t.isalpha()]
    if not words:
        return False
    accented = sum(1 for t in words if strip_diacritics(t) != t)
    return accented / len(words) <= max_accented_share


@lru_cache(maxsize=1)
def common_phrases() -> tuple[str, ...]:
    """Everyday question phrasing that our FAQ answers do not necessarily contain."""
    text = resources.files("core.text").joinpath("data/common_phrases.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))
