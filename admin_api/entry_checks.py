"""The checks every change of an entry passes, whichever route makes it: the entry exists,
the editor saw its latest version, the category exists, the content follows the file rules."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import HTTPException, status
from pydantic import ValidationError
from sqlmodel import Session

from core.db.models import FaqCategoryRecord, FaqEntryRecord
from core.faq import FaqEntry
from core.faq_versions import StaleVersionError, check_base
from core.text.normalize import fold_case, strip_diacritics


def entry_or_404(session: Session, entry_id: str) -> FaqEntryRecord:
    record = session.get(FaqEntryRecord, entry_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "entry_id: no such entry")
    return record


def conflict(exc: StaleVersionError) -> HTTPException:
    detail = {"field": "base_version", "message": str(exc), "current_version": exc.current}
    return HTTPException(status.HTTP_409_CONFLICT, detail)


def checked(session: Session, entry_id: str, base_version: int) -> FaqEntryRecord:
    record = entry_or_404(session, entry_id)
    try:
        check_base(record, base_version)
    except StaleVersionError as exc:
        raise conflict(exc) from exc
    return record


def check_category(session: Session, category: str) -> None:
    if session.get(FaqCategoryRecord, category) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"category: no category {category!r}")


def validated(record: FaqEntryRecord) -> None:
    """The same rules as the content files (core.faq.FaqEntry)."""
    try:
        FaqEntry.model_validate(record.model_dump(include=set(FaqEntry.model_fields)))
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.errors(include_url=False)) from exc


def folded(text: str) -> str:
    """The form in which two phrasings are the same (case, accents, spacing)."""
    return " ".join(strip_diacritics(fold_case(text)).split())[:500]


def add_phrasings(record: FaqEntryRecord, texts: Sequence[str]) -> list[str]:
    """Append the phrasings the entry does not have yet (its question counts); returns them."""
    known = {folded(t) for t in [record.question, *record.paraphrases]}
    added = []
    for text in texts:
        text = " ".join(text.split())
        if text and folded(text) not in known:
            known.add(folded(text))
            added.append(text)
    record.paraphrases = [*record.paraphrases, *added]
    return added
