"""The one text pipeline shared by indexing and querying.

Documents and queries pass through the same cleaning and abbreviation expansion, so
"gks" in a stored phrasing and "gks" in a question both become "giấy khai sinh".
Queries typed without accents are additionally restored against the indexed text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol, TypeVar

from core.text.abbreviations import AbbreviationExpander, Expansion, default_expander
from core.text.normalize import fold_case, strip_diacritics, tokens
from core.text.restore import DiacriticsRestorer, needs_restoration

MAX_QUERY_TOKENS = 96  # long messages keep their head; restoration cost grows with length
_PLACEHOLDER_RE = re.compile(r"\{\{\s*\w+\s*\}\}")
_CODE_SEPARATOR_RE = re.compile(r"[-./]")
_CODE_RE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]+(?:[-./][a-z0-9]+)*$")
T = TypeVar("T")


class Stages(Protocol):
    """Times named stages of one query (retrieval.searcher.StageTimer); benchmarks read them."""

    def run(self, name: str, fn: Callable[[], T]) -> T: ...


class _Untimed:
    def run(self, name: str, fn: Callable[[], T]) -> T:
        return fn()


@dataclass(frozen=True)
class PreparedQuery:
    original: str
    expanded: str  # cleaned, lowercased, abbreviations expanded
    dense_text: str  # what the encoder sees (restored when the query had no accents)
    restored: bool
    lexical_terms: tuple[str, ...]
    codes: tuple[str, ...]  # form or procedure codes the query names (ct01, tk1-ts)


def lexical_terms(text: str) -> list[str]:
    """BM25 terms: accent-folded syllables plus syllable bigrams (and parts of codes)."""
    syllables = tokens(strip_diacritics(fold_case(text)))
    terms = list(syllables)
    terms.extend(f"{a}_{b}" for a, b in pairwise(syllables))
    for syl in syllables:
        if _CODE_SEPARATOR_RE.search(syl):
            terms.extend(p for p in _CODE_SEPARATOR_RE.split(syl) if p)
    return terms


def codes_in(text: str) -> tuple[str, ...]:
    return tuple(t for t in tokens(strip_diacritics(fold_case(text))) if _CODE_RE.match(t))


def strip_placeholders(text: str) -> str:
    return _PLACEHOLDER_RE.sub(" ", text)


class TextPipeline:
    def __init__(
        self,
        restorer: DiacriticsRestorer | None,
        expander: AbbreviationExpander | None = None,
    ) -> None:
        self._expander = expander or default_expander()
        self._restorer = restorer

    def prepare_document(self, text: str) -> str:
        toks = tokens(fold_case(strip_placeholders(text)))
        return " ".join(self._expander.expand(toks).tokens)

    def prepare_query(self, text: str, restore: bool = True, stages: Stages | None = None) -> PreparedQuery:
        """Clean, expand and (for text typed without accents) restore one query.

        ``stages`` times "normalise" and "restore" apart: restoration is the costly part.
        """
        stages = stages or _Untimed()
        toks, expansion = stages.run("normalise", lambda: self._expand(text))
        restored = restore and self._restorer is not None and needs_restoration(toks)
        expanded = " ".join(expansion.tokens)
        dense_text = expanded
        if restored and self._restorer is not None:
            restorer = self._restorer
            dense_text = stages.run(
                "restore", lambda: " ".join(restorer.restore_tokens(expansion.tokens, expansion.fixed))
            )
        return PreparedQuery(
            original=text,
            expanded=expanded,
            dense_text=dense_text,
            restored=restored,
            lexical_terms=tuple(stages.run("normalise", lambda: lexical_terms(expanded))),
            codes=codes_in(text),
        )

    def _expand(self, text: str) -> tuple[list[str], Expansion]:
        toks = tokens(fold_case(text))[:MAX_QUERY_TOKENS]
        return toks, self._expander.expand(toks)
