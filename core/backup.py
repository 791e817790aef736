"""Logical backup and restore of the whole database, independent of the engine.

A backup is one zip file: ``manifest.json`` (format, revision, row counts) and one JSON Lines
file per table, written in primary-key order. Values are plain JSON (datetimes as ISO 8601 in
UTC with the offset, dates as ISO dates), so a backup taken on SQLite restores into PostgreSQL
and the other way round. The FAQ content (categories, entries, their versions) lives in the
database, so this is also the content backup; search indexes are derived and rebuilt after a
restore by the caller.

Zip rather than tar: a zip member can be written as a stream without knowing its size first
(the interactions table can be large), each member carries a CRC that reading checks, and a
truncated file has no central directory, so damage is detected instead of restored.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import sqltypes
from sqlmodel import SQLModel

import core.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from core.db.engine import alembic_config, migrate

FORMAT = "hoidap-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 500  # rows per INSERT and per fetch: bounded memory, few round trips


class BackupError(Exception):
    """A backup could not be written or restored; the message is one line for the operator."""


class NotABackupError(BackupError):
    """The file is not a hoidap backup."""


class UnsupportedBackupError(BackupError):
    """A hoidap backup in a format version this code does not read."""


class RevisionMismatchError(BackupError):
    """The backup's schema revision is not the one this code migrates to."""


class CorruptBackupError(BackupError):
    """The archive is damaged or does not hold what its manifest says."""


class TargetNotEmptyError(BackupError):
    """The target database holds data and replacing it was not asked for."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    hoidap_version: str | None
    alembic_revision: str
    source_dialect: str
    tables: dict[str, int]  # table → rows, in restore (foreign-key) order

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **self.__dict__}


@dataclass(frozen=True)
class BackupReport:
    path: Path
    tables: dict[str, int]
    bytes: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    tables: dict[str, int]
    source_dialect: str
    created_at: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def tables() -> list[Table]:
    """Every table of the models, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def member_name(table: Table) -> str:
    return f"tables/{table.name}.jsonl"


def code_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None  # the package always ships its migrations
    return head


def _hoidap_version() -> str | None:
    try:
        return metadata.version("hoidap")
    except metadata.PackageNotFoundError:
        return None


# Values ---------------------------------------------------------------------------------------


def _encode(column: Column[Any], value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            # SQLite hands timezone-aware columns back naive; the application writes them in UTC.
            return value.replace(tzinfo=UTC).isoformat() if _has_timezone(column) else value.isoformat()
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sqltypes.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, sqltypes.Date):
        return date.fromisoformat(value)
    return value


def _has_timezone(column: Column[Any]) -> bool:
    return isinstance(column.type, sqltypes.DateTime) and bool(column.type.timezone)


def encode_row(table: Table, row: Mapping[Any, Any]) -> dict[str, Any]:
    return {c.name: _encode(c, row[c.name]) for c in table.columns}


def decode_row(table: Table, raw: Mapping[str, Any]) -> dict[str, Any]:
    return {c.name: _decode(c, raw[c.name]) for c in table.columns}


# Writing --------------------------------------------------------------------------------------


def write_backup(engine: Engine, path: Path) -> BackupReport:
    """Write every table to one backup file at ``path`` (replaced only once complete)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: there is no folder {path.parent}")
    with _temporary_beside(path) as temporary, _snapshot(engine) as connection:
        revision = _source_revision(connection, code_revision(engine))
        counts: dict[str, int] = {}
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables():
                counts[table.name] = _write_table(connection, archive, table)
            manifest = Manifest(
                format_version=FORMAT_VERSION,
                created_at=datetime.now(UTC).isoformat(),
                hoidap_version=_hoidap_version(),
                alembic_revision=revision,
                source_dialect=connection.dialect.name,
                tables=counts,
            )
            archive.writestr(MANIFEST, json.dumps(manifest.as_json(), ensure_ascii=False, indent=2))
    return BackupReport(path, counts, path.stat().st_size)


@contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A temporary file in the target's folder, renamed onto the target when the block succeeds
    (same file system, so the rename is atomic) and removed when it fails."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one consistent state of every table, so a feedback row written
    while the backup runs cannot point at an interaction the backup does not hold."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        elif connection.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads; in WAL mode this one is a read snapshot.
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _source_revision(connection: Connection, expected: str) -> str:
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision != expected:
        raise BackupError(
            f"the database is at schema revision {revision or 'none'}, this hoidap expects {expected}: "
            "start hoidap once to migrate it"
        )
    return revision


def _write_table(connection: Connection, archive: zipfile.ZipFile, table: Table) -> int:
    count = 0
    statement = select(table).order_by(*table.primary_key.columns)
    try:
        result = connection.execute(statement.execution_options(yield_per=BATCH))
        with archive.open(member_name(table), "w", force_zip64=True) as member:
            for row in result.mappings():
                line = json.dumps(encode_row(table, row), ensure_ascii=False, separators=(",", ":"))
                member.write(line.encode("utf-8") + b"\n")
                count += 1
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot read table {table.name}: {_first_line(exc)}") from exc
    return count


# Reading and restoring ------------------------------------------------------------------------


@contextmanager
def _open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise NotABackupError(f"{path} is not a hoidap backup (not a complete zip archive)") from exc
    with archive:
        yield archive


def _checked_manifest(path: Path, archive: zipfile.ZipFile, expected_revision: str) -> Manifest:
    try:
        data = json.loads(archive.read(MANIFEST))
    except KeyError as exc:
        raise NotABackupError(f"{path} is not a hoidap backup (no {MANIFEST})") from exc
    except (ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise CorruptBackupError(f"{path}: {MANIFEST} is damaged: {_first_line(exc)}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotABackupError(f"{path} is not a hoidap backup ({MANIFEST} of another format)")
    if data.get("format_version") != FORMAT_VERSION:
        raise UnsupportedBackupError(
            f"{path}: backup format version {data.get('format_version')!r} is not supported "
            f"(this hoidap reads version {FORMAT_VERSION})"
        )
    manifest = _manifest(path, data)
    if manifest.alembic_revision != expected_revision:
        raise RevisionMismatchError(
            f"{path}: the backup has schema revision {manifest.alembic_revision}, this hoidap has "
            f"{expected_revision}: restore it with the hoidap version that wrote it"
        )
    if list(manifest.tables) != [t.name for t in tables()]:
        raise CorruptBackupError(f"{path}: the manifest does not list the tables of this schema")
    return manifest


def _manifest(path: Path, data: dict[str, Any]) -> Manifest:
    try:
        manifest = Manifest(
            format_version=int(data["format_version"]),
            created_at=str(data["created_at"]),
            hoidap_version=data.get("hoidap_version"),
            alembic_revision=str(data["alembic_revision"]),
            source_dialect=str(data["source_dialect"]),
            tables={str(name): int(rows) for name, rows in dict(data["tables"]).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptBackupError(f"{path}: {MANIFEST} is incomplete: {_first_line(exc)}") from exc
    return manifest


def restore_backup(engine: Engine, path: Path, *, replace: bool = False) -> RestoreReport:
    """Load a backup into the database in one transaction: everything or nothing.

    The file is checked before the database is touched. A database that holds data is refused
    unless ``replace``, which deletes its rows in the same transaction."""
    path = Path(path)
    with _open_archive(path) as archive:
        manifest = _checked_manifest(path, archive, code_revision(engine))
        migrate(engine)
        try:
            with engine.begin() as connection:
                _clear(connection, replace)
                for table in tables():
                    _restore_table(connection, archive, table, manifest.tables[table.name], path)
                _reset_sequences(connection)
        except SQLAlchemyError as exc:
            raise BackupError(f"restore failed, nothing was restored: {_first_line(exc)}") from exc
    return RestoreReport(path, manifest.tables, manifest.source_dialect, manifest.created_at)


def _clear(connection: Connection, replace: bool) -> None:
    if replace:
        for table in reversed(tables()):  # children before the rows they point at
            connection.execute(delete(table))
        return
    for table in tables():
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise TargetNotEmptyError(
                f"the database already holds data (table {table.name}): "
                "restore into an empty database, or replace its data with --replace"
            )


def _restore_table(
    connection: Connection, archive: zipfile.ZipFile, table: Table, expected: int, path: Path
) -> None:
    count = 0
    batch: list[dict[str, Any]] = []
    for row in _read_rows(archive, table, path):
        batch.append(row)
        count += 1
        if len(batch) == BATCH:
            connection.execute(insert(table), batch)
            batch = []
    if batch:
        connection.execute(insert(table), batch)
    if count != expected:
        raise CorruptBackupError(f"{path}: table {table.name} has {count} rows, the manifest says {expected}")


def _read_rows(archive: zipfile.ZipFile, table: Table, path: Path) -> Iterator[dict[str, Any]]:
    name = member_name(table)
    columns = set(table.columns.keys())
    try:
        with archive.open(name) as member:
            for number, line in enumerate(_lines(member), start=1):
                raw = json.loads(line)
                if not isinstance(raw, dict) or raw.keys() != columns:
                    raise CorruptBackupError(
                        f"{path}: {name} is damaged: line {number} is not a row of table {table.name}"
                    )
                yield decode_row(table, raw)
    except KeyError as exc:
        raise CorruptBackupError(f"{path}: {name} is missing") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise CorruptBackupError(f"{path}: {name} is damaged: {_first_line(exc)}") from exc


def _lines(member: IO[bytes]) -> Iterator[str]:
    # Only "\n" ends a row: JSON escapes newlines inside strings, but not U+2028 and the like.
    yield from io.TextIOWrapper(member, encoding="utf-8", newline="\n")


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, move each id sequence past the restored ids, or the next insert collides.
    SQLite takes max(rowid) + 1 by itself."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        column = _integer_key(table)
        if column is None:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        ).scalar_one()
        if sequence is None:
            continue
        highest = connection.execute(select(func.max(column))).scalar_one()
        # setval(…, 1, false) makes an empty table start at 1 again.
        connection.execute(
            text("SELECT setval(:sequence, :value, :called)"),
            {"sequence": sequence, "value": highest or 1, "called": highest is not None},
        )


def _integer_key(table: Table) -> Column[Any] | None:
    """The single integer primary key column, the only kind a sequence can feed."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        return keys[0]
    return None


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
