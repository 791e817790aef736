"""The one text pipeline shared by indexing and querying.

Documents and queries pass through the same cleaning and abbreviation expansion, so
"gks" in a stored phrasing and "gks" in a question both become "giấy khai sinh".
Queries typed without accents are additionally restored against the indexed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from core.text.abbreviations import AbbreviationExpander, default_expander
from core.text.normalize import fold_case, strip_diacritics, tokens
from core.text.restore import DiacriticsRestorer, needs_restoration

MAX_QUERY_TOKENS = 96  # long messages keep their head; restoration cost grows with length
_PLACEHOLDER_RE = re.compile(r"\{\{\s*\w+\s*\}\}")
_CODE_SEPARATOR_RE = re.compile(r"[-./]")
_CODE_RE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]+(?:[-./][a-z0-9]+)*$")


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

    def prepare_query(self, text: str, restore: bool = True) -> PreparedQuery:
        toks = tokens(fold_case(text))[:MAX_QUERY_TOKENS]
        expansion = self._expander.expand(toks)
        expanded = " ".join(expansion.tokens)
        restored = restore and self._restorer is not None and needs_restoration(toks)
        if restored and self._restorer is not None:
            dense_text = " ".join(self._restorer.restore_tokens(expansion.tokens, expansion.fixed))
        else:
            dense_text = expanded
        return PreparedQuery(
            original=text,
            expanded=expanded,
            dense_text=dense_text,
            restored=restored,
            lexical_terms=tuple(lexical_terms(expanded)),
            codes=codes_in(text),
        )
