"""Versions of curated entries: every save is a numbered snapshot (who, when, what changed).

Edits are optimistic: an update names the version it was based on, and a save on top of a
newer version is refused (``StaleVersionError``) so two editors never overwrite each other.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.db.models import FaqEntryRecord, FaqEntryVersion, utcnow
from core.faq import FaqEntry

ENTRY_FIELDS = tuple(FaqEntry.model_fields)


class StaleVersionError(Exception):
    """The entry changed since the version the update was based on."""

    def __init__(self, entry_id: str, current: int) -> None:
        super().__init__(f"{entry_id} is at version {current}")
        self.entry_id = entry_id
        self.current = current


def snapshot(record: FaqEntryRecord) -> dict[str, Any]:
    return record.model_dump(include=set(ENTRY_FIELDS), mode="json")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Field → {"from", "to"} for every field that differs."""
    names = sorted(set(before) | set(after))
    return {n: {"from": before.get(n), "to": after.get(n)} for n in names if before.get(n) != after.get(n)}


def save_version(session: Session, record: FaqEntryRecord, actor: str, summary: str) -> FaqEntryVersion:
    """Stamp the record with the next version and store its snapshot (caller commits)."""
    latest = session.exec(
        select(FaqEntryVersion.version)
        .where(FaqEntryVersion.entry_id == record.id)
        .order_by(col(FaqEntryVersion.version).desc())
    ).first()
    record.version = (latest or 0) + 1
    record.updated_by = actor
    record.updated_at = utcnow()
    version = FaqEntryVersion(
        entry_id=record.id,
        version=record.version,
        snapshot=snapshot(record),
        changed_by=actor,
        summary=summary[:200],
    )
    session.add(record)
    session.add(version)
    return version


def check_base(record: FaqEntryRecord, base_version: int) -> None:
    if record.version != base_version:
        raise StaleVersionError(record.id, record.version)


def history(session: Session, entry_id: str) -> list[FaqEntryVersion]:
    statement = select(FaqEntryVersion).where(FaqEntryVersion.entry_id == entry_id)
    return list(session.exec(statement.order_by(col(FaqEntryVersion.version))).all())


def get_version(session: Session, entry_id: str, version: int) -> FaqEntryVersion | None:
    statement = select(FaqEntryVersion).where(
        FaqEntryVersion.entry_id == entry_id, FaqEntryVersion.version == version
    )
    return session.exec(statement).first()
