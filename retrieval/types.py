"""Typed values passed between retrieval and the answering core."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RowKind(StrEnum):
    QUESTION = "question"
    PARAPHRASE = "paraphrase"
    ANSWER = "answer"


@dataclass(frozen=True)
class Row:
    """One indexed text, mapped back to the Q&A entry it belongs to."""

    entry_id: str
    kind: RowKind
    text: str


@dataclass(frozen=True)
class Hit:
    """A candidate entry: fused score, dense cosine, lexical score, and the row that matched best."""

    id: str
    score: float
    dense: float
    lexical: float
    matched_text: str
    matched_kind: RowKind = RowKind.QUESTION
    dense_question: float = 0.0  # best dense cosine over the entry's own questions and phrasings
