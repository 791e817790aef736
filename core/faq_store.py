"""The Q&A set in the database: seeded once from faq_data/, then edited there; import and export.

The YAML files in faq_data/ are the project's starting content. On first start the
database takes them over (idempotently); from then on the database is the source of
truth that staff edit, and `hoidap export faq` / `hoidap import faq` move the set in
and out as JSON or YAML in the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy import tuple_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from core.db.models import FaqCategoryRecord, FaqEntryRecord, FaqEntryVersion
from core.faq import RESERVED_ID, Category, FaqEntry, FaqFormatError, is_catalog_id, load_content_dir
from core.faq_versions import StaleVersionError, save_version, snapshot

ENTRY_FIELDS = tuple(FaqEntry.model_fields)


def _to_record(entry: FaqEntry) -> FaqEntryRecord:
    return FaqEntryRecord(**entry.model_dump())


def _to_entry(record: FaqEntryRecord) -> FaqEntry:
    return FaqEntry.model_validate(record.model_dump(include=set(ENTRY_FIELDS)))


def count_entries(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(FaqEntryRecord)).one())


def save(
    engine: Engine,
    categories: Sequence[Category],
    entries: Sequence[FaqEntry],
    actor: str = "import",
    publish: bool = True,
    expected_versions: Mapping[str, int | None] | None = None,
) -> int:
    """Insert or update categories and entries in one transaction, each change a new version;
    returns the entries written.

    With ``publish`` (the operator's CLI, the seed) an entry whose status is published is
    served as saved. Without it (staff importing through the API) a change waits as a draft
    for a publisher: new entries are drafts and existing ones keep their status.

    ``expected_versions`` (entry id → version, None for "does not exist yet") are checked in
    the same transaction: an entry someone saved in between raises ``StaleVersionError`` and
    nothing is written.
    """
    with Session(engine) as session, session.begin():
        for category in categories:
            session.merge(FaqCategoryRecord(**category.model_dump()))
        for entry in entries:
            if expected_versions is not None and entry.id in expected_versions:
                _check_version(session, entry.id, expected_versions[entry.id])
            _save_entry(session, entry, actor, publish)
    return len(entries)


def _check_version(session: Session, entry_id: str, expected: int | None) -> None:
    record = session.get(FaqEntryRecord, entry_id)
    current = record.version if record is not None else None
    if current != expected:
        raise StaleVersionError(entry_id, current or 0)


def _save_entry(session: Session, entry: FaqEntry, actor: str, publish: bool) -> None:
    record = session.get(FaqEntryRecord, entry.id)
    if not publish:
        entry = entry.model_copy(update={"status": record.status if record else "draft"})
    if record is None:
        record = FaqEntryRecord(**entry.model_dump())
    elif snapshot(record) == entry.model_dump(mode="json"):
        if publish and record.status == "published" and record.published_version is None:
            record.published_version = record.version
        return  # unchanged: no new version
    for name, value in entry.model_dump().items():
        setattr(record, name, value)
    save_version(session, record, actor, "imported")
    if publish and record.status == "published":
        record.published_version = record.version


def seed_if_empty(engine: Engine, content_dir: Path) -> int:
    """Copy the packaged content into an empty database; a database with content is left alone."""
    if count_entries(engine) > 0:
        return 0
    categories, entries = load_content_dir(content_dir)
    return save(engine, categories, entries, actor="seed")


def load_categories(engine: Engine) -> list[Category]:
    with Session(engine) as session:
        records = session.exec(select(FaqCategoryRecord).order_by(FaqCategoryRecord.id))
        return [Category.model_validate(c.model_dump()) for c in records]


def load(engine: Engine) -> tuple[list[Category], list[FaqEntry]]:
    with Session(engine) as session:
        categories = [
            Category.model_validate(c.model_dump())
            for c in session.exec(select(FaqCategoryRecord).order_by(FaqCategoryRecord.id))
        ]
        entries = [_to_entry(r) for r in session.exec(select(FaqEntryRecord).order_by(FaqEntryRecord.id))]
    return categories, entries


def load_served(engine: Engine) -> list[FaqEntry]:
    """What citizens are served: each published entry as it was published, not as an editor's
    pending draft of it stands."""
    with Session(engine) as session:
        records = session.exec(
            select(FaqEntryRecord)
            .where(FaqEntryRecord.status == "published", col(FaqEntryRecord.published_version).is_not(None))
            .order_by(FaqEntryRecord.id)
        ).all()
        pending = {r.id: r.published_version for r in records if r.version != r.published_version}
        snapshots = _published_snapshots(session, pending)
        entries = [snapshots.get(r.id) or _to_entry(r) for r in records]
    return [e.model_copy(update={"status": "published"}) for e in entries]


def _published_snapshots(session: Session, versions: dict[str, int | None]) -> dict[str, FaqEntry]:
    if not versions:
        return {}
    wanted = tuple_(col(FaqEntryVersion.entry_id), col(FaqEntryVersion.version)).in_(list(versions.items()))
    rows = session.exec(select(FaqEntryVersion).where(wanted)).all()
    return {v.entry_id: FaqEntry.model_validate(v.snapshot) for v in rows}


def export_file(engine: Engine, path: Path) -> int:
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise FaqFormatError(f"{path}: use a .json, .yaml or .yml file")
    categories, entries = load(engine)
    payload = {
        "categories": [c.model_dump() for c in categories],
        "entries": [e.model_dump(mode="json") for e in entries],
    }
    if path.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(payload, allow_unicode=True, sort_keys=False, width=110)
    else:
        text = json.dumps(payload, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    return len(entries)


def read_file(path: Path) -> tuple[list[Category], list[FaqEntry]]:
    """An export file (JSON or YAML), or a folder of category YAML files."""
    if path.is_dir():
        return load_content_dir(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise FaqFormatError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FaqFormatError(f"{path}: expected an object with 'categories' and 'entries'")
    try:
        categories = [Category.model_validate(c) for c in data.get("categories", [])]
    except ValidationError as exc:
        raise FaqFormatError(f"{path}: categories: {exc.errors()[0]['msg']}") from exc
    entries = []
    for i, raw in enumerate(data["entries"], start=1):
        try:
            entries.append(FaqEntry.model_validate(raw))
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0]["loc"])
            raise FaqFormatError(f"{path}: entry {i}: {where}: {exc.errors()[0]['msg']}") from exc
    known = {c.id for c in categories}
    for entry in entries:
        if known and entry.category not in known:
            raise FaqFormatError(f"{path}: entry {entry.id}: unknown category {entry.category!r}")
        if is_catalog_id(entry.id):
            raise FaqFormatError(f"{path}: entry {entry.id}: {RESERVED_ID}")
    return categories, entries
