"""Versions of curated entries: every save is a numbered snapshot (who, when, what changed).

Edits are optimistic: an update names the version it was based on, and a save on top of a
newer version is refused (``StaleVersionError``) so two editors never overwrite each other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, update
from sqlmodel import Session, col, select

from core.db.models import FaqEntryRecord, FaqEntryVersion, utcnow
from core.db.statements import affected_rows
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
    """Stamp the record with the next version and store its snapshot (caller commits).

    An entry already stored moves on only from the version this session read: if another save
    got in first, ``StaleVersionError`` (the check the route made earlier may have read a
    version that was just being replaced)."""
    latest = session.exec(
        select(FaqEntryVersion.version)
        .where(FaqEntryVersion.entry_id == record.id)
        .order_by(col(FaqEntryVersion.version).desc())
    ).first()
    new_version = (latest or 0) + 1
    if inspect(record).persistent:
        _move_on(session, record, new_version)
    record.version = new_version
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


def _move_on(session: Session, record: FaqEntryRecord, new_version: int) -> None:
    """Compare and set: the row's version changes only if it is still the one read. The UPDATE
    waits for a concurrent writer of the row and then sees its version (both databases)."""
    statement = (
        update(FaqEntryRecord)
        .where(col(FaqEntryRecord.id) == record.id, col(FaqEntryRecord.version) == record.version)
        .values(version=new_version)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(session, statement) != 1:
        current = session.exec(select(FaqEntryRecord.version).where(FaqEntryRecord.id == record.id)).one()
        raise StaleVersionError(record.id, current)


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
