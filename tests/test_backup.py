"""`hoidap backup` / `hoidap restore`: every row survives a move between SQLite and PostgreSQL,
the restored instance answers exactly as the original, and a bad file or a database holding data
changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from admin_api.audit import audit
from admin_api.entry_status import publish_entry
from admin_api.suggestions import record_decisions
from admin_api.unanswered import remember_ignored, set_status
from admin_api.users import create_user
from admin_api.users_model import UserCreate
from bot.zalo.outbox import Outbox
from bot.zalo.tokens import DatabaseTokenStore, TokenPair
from core import faq_store
from core.answering import AnswerService
from core.backup import (
    MANIFEST,
    BackupError,
    CorruptBackupError,
    NotABackupError,
    RevisionMismatchError,
    TargetNotEmptyError,
    UnsupportedBackupError,
    restore_backup,
    tables,
    write_backup,
)
from core.catalog import Procedure
from core.consent import ConsentRegistry
from core.db.engine import make_engine, migrate
from core.db.models import (
    AuditEvent,
    ConversationState,
    FaqEntryRecord,
    FaqEntryVersion,
    StaffUser,
)
from core.decision import Thresholds
from core.faq_versions import save_version
from core.handoff import hand_off
from core.interaction_log import InteractionLog
from core.messages import Decision, IncomingMessage, Reply
from core.runtime import catalog_store, import_catalog, search_config, served_entries
from core.settings import Settings
from core.update_ledger import UpdateLedger
from retrieval.encoder import EmbeddingCache, SentenceTransformerEncoder
from retrieval.index import IndexStore, SearchIndex, build_index
from retrieval.live import LiveIndex
from tests.conftest import ROOT, temporary_postgres, write_content_dir

GOLDEN = ROOT / "faq_data" / "eval" / "golden.jsonl"
# Every 16th golden question: 20 citizens' questions across the categories and typing styles.
QUESTIONS = [json.loads(line)["query"] for line in GOLDEN.read_text("utf-8").splitlines()[::16]][:20]
PUBLISHED_EDIT = "Từ năm 2027, người dân có thể đặt lịch chứng thực chữ ký trên Cổng dịch vụ công."
DRAFT_EDIT = "BẢN NHÁP CHƯA DUYỆT — không được trả lời cho người dân."
EDITOR = "bientap01"
BIG_UPDATE_ID = 2**40 + 7  # beyond a 32-bit integer: the column is BIGINT
PROCEDURES = [
    Procedure(
        code="1.004194",
        name="Đăng ký tạm trú",
        field="Đăng ký, quản lý cư trú",
        level="Cấp xã",
        agency="Công an xã, phường, đặc khu",
        channels=(
            "Trực tuyến 3 Ngày làm việc 7,000 Việt Nam Đồng Trực tiếp 3 Ngày làm việc 10,000 Việt Nam Đồng"
        ),
        documents="Tờ khai thay đổi thông tin cư trú (Mẫu CT01) 1 bản chính",
        legal_basis="Luật Cư trú 2020",
        url="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.004194",
    ),
    Procedure(
        code="2.000460",
        name="Cấp lại thẻ thường trú cho người nước ngoài",
        field="Quản lý xuất nhập cảnh",
        level="Cấp tỉnh",
        agency="Phòng Quản lý xuất nhập cảnh Công an tỉnh",
        channels="Trực tiếp 7 Ngày làm việc 100 USD",
        documents="Tờ khai đề nghị cấp thẻ thường trú (NA12) 1 bản chính",
        legal_basis="Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam",
        url="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=2.000460",
    ),
]


@dataclass
class Instance:
    settings: Settings
    engine: Engine


@dataclass
class Source:
    instance: Instance
    index: SearchIndex
    backup: Path


def open_instance(data_dir: Path, database_url: str | None = None) -> Instance:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=data_dir, database_url=database_url, environment="test", _env_file=None
    )
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    return Instance(settings, engine)


def served_index(
    instance: Instance, encoder: SentenceTransformerEncoder, cache: EmbeddingCache
) -> SearchIndex:
    """The FAQ index of this instance's own served entries (vectors of unchanged texts come from
    the shared cache, as across rebuilds in production)."""
    return build_index(served_entries(instance.settings, instance.engine), encoder, cache=cache)


def service_over(
    instance: Instance, index: SearchIndex, encoder: SentenceTransformerEncoder
) -> AnswerService:
    s = instance.settings
    live = LiveIndex(None, encoder, search_config(s))
    live.install(index)
    return AnswerService(s, live, InteractionLog(instance.engine), Thresholds.from_settings(s))


# A realistic instance -------------------------------------------------------------------------


def edit_content(engine: Engine) -> None:
    """Two staff edits: one published (citizens get it), one left as a draft (they must not)."""
    with Session(engine) as session:
        published = session.get(FaqEntryRecord, "chung-thuc-chu-ky")
        draft = session.get(FaqEntryRecord, "cu-tru-xac-nhan-thong-tin-cu-tru")
        assert published is not None and draft is not None
        published.answer = f"{published.answer}\n\n{PUBLISHED_EDIT}"
        save_version(session, published, EDITOR, "edited: answer")
        audit(session, EDITOR, "entry_update", published.id, fields=["answer"])
        publish_entry(session, published, "duyet01")
        draft.answer = DRAFT_EDIT
        save_version(session, draft, EDITOR, "edited: answer")
        audit(session, EDITOR, "entry_update", draft.id, fields=["answer"])
        session.commit()


def record_traffic(instance: Instance, service: AnswerService) -> None:
    """Citizens' questions on three channels and everything staff and channels store about them."""
    engine = instance.engine
    channels = ("web", "zalo", "telegram")
    replies = [
        service.handle(IncomingMessage(channels[i % 3], f"citizen-{i % 7}", question))
        for i, question in enumerate([*QUESTIONS, "Messi thuận chân nào", "cảm ơn nhé"])
    ]
    answered = [r for r in replies if r.decision is Decision.ANSWER]
    unanswered = [r for r in replies if r.decision in (Decision.FALLBACK, Decision.SUGGEST)]
    assert len(answered) >= 10 and unanswered
    service.log.record_feedback(answered[0].interaction_id, True)
    service.log.record_feedback(answered[1].interaction_id, False, "missing_info", "gọi tôi 0912345678 nhé")
    hand_off(engine, unanswered[0].interaction_id)
    first_user = service.user_hash("web", "citizen-0")
    ConsentRegistry(engine).agree(first_user, "web")
    UpdateLedger(engine).claim("telegram", BIG_UPDATE_ID)
    DatabaseTokenStore(engine).save(TokenPair("truy-cập-1", "làm-mới-1"))
    outbox = Outbox(engine)
    outbox.put("84123456789", service.user_hash("zalo", "84123456789"), [{"text": "Xin chào 👋"}], "timeout")
    outbox.claim_oldest(1)  # this row now has a claimed_until; the next one has none
    outbox.put("84987654321", service.user_hash("zalo", "84987654321"), [{"text": "Cảm ơn"}], "HTTP 503")
    with Session(engine) as session:
        set_status(session, [unanswered[0].interaction_id], "in_progress", EDITOR)
        remember_ignored(session, ["Messi thuận chân nào"], EDITOR)
        record_decisions(session, "chung-thuc-chu-ky", ["ký trước mặt cán bộ"], True, EDITOR)
        session.add(
            ConversationState(
                user_hash=first_user,
                channel="web",
                held_question=None,
                comment_for=answered[1].interaction_id,
            )
        )
        session.commit()


def filled_source(instance: Instance, encoder: SentenceTransformerEncoder, cache: EmbeddingCache) -> Source:
    """The curated content, edited by staff, with accounts, a catalog and citizens' traffic."""
    served_entries(instance.settings, instance.engine)  # seeds faq_data/content
    create_user(
        instance.engine,
        UserCreate(
            username=EDITOR, role="editor", full_name="Nguyễn Thị Bích", password="mật-khẩu-đủ-dài-123"
        ),
    )
    create_user(
        instance.engine, UserCreate(username="duyet01", role="publisher", password="mật-khẩu-đủ-dài-456")
    )
    edit_content(instance.engine)
    import_catalog(instance.settings, instance.engine, encoder, PROCEDURES)
    index = served_index(instance, encoder, cache)
    record_traffic(instance, service_over(instance, index, encoder))
    backup = instance.settings.data_dir / "hoidap-backup.zip"
    write_backup(instance.engine, backup)
    return Source(instance, index, backup)


@pytest.fixture(scope="module")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddingCache]:
    cache = EmbeddingCache(tmp_path_factory.mktemp("cache") / "embeddings.sqlite")
    yield cache
    cache.close()


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory: pytest.TempPathFactory, encoder, vectors) -> Iterator[Source]:
    instance = open_instance(tmp_path_factory.mktemp("sqlite-source"))
    yield filled_source(instance, encoder, vectors)
    instance.engine.dispose()


@pytest.fixture(scope="module")
def postgres_source(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str, encoder, vectors
) -> Iterator[Source]:
    with temporary_postgres(postgres_server) as url:
        instance = open_instance(tmp_path_factory.mktemp("postgres-source"), url)
        yield filled_source(instance, encoder, vectors)
        instance.engine.dispose()


@dataclass
class RoundTrip:
    source: Source
    target: Instance


@pytest.fixture(scope="module", params=["sqlite-to-postgres", "postgres-to-sqlite"])
def round_trip(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RoundTrip]:
    """A backup of each engine restored into an empty instance of the other."""
    source_engine, target_engine = request.param.split("-to-")
    source: Source = request.getfixturevalue(f"{source_engine}_source")
    data_dir = tmp_path_factory.mktemp(f"{target_engine}-target")
    if target_engine == "sqlite":
        target = open_instance(data_dir)
        restore_backup(target.engine, source.backup)
        yield RoundTrip(source, target)
        target.engine.dispose()
        return
    with temporary_postgres(postgres_server) as url:
        target = open_instance(data_dir, url)
        restore_backup(target.engine, source.backup)
        yield RoundTrip(source, target)
        target.engine.dispose()


# Comparing databases --------------------------------------------------------------------------


def _comparable(value: Any) -> Any:
    # SQLite returns timezone-aware columns naive (the application writes UTC), PostgreSQL aware.
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def table_rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """Every row with every column, by primary key (sorted here: the engines collate differently)."""
    keys = [c.name for c in table.primary_key.columns]
    with engine.connect() as connection:
        rows = connection.execute(select(table)).mappings().all()
    ordered = sorted(rows, key=lambda row: tuple(row[k] for k in keys))
    return [tuple(_comparable(row[c.name]) for c in table.columns) for row in ordered]


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()
        }


def contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return {t.name: table_rows(engine, t) for t in tables()}


# Round trip -----------------------------------------------------------------------------------


def test_every_row_of_every_table_survives_the_other_engine(round_trip: RoundTrip) -> None:
    source, target = round_trip.source.instance.engine, round_trip.target.engine
    counts = row_counts(source)
    assert all(counts.values()), f"the source should fill every table: {counts}"
    with zipfile.ZipFile(round_trip.source.backup) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    assert manifest["tables"] == counts
    assert manifest["source_dialect"] == round_trip.source.instance.engine.dialect.name
    assert round_trip.source.backup.stat().st_mode & 0o077 == 0  # password hashes: owner only
    for table in tables():
        assert table_rows(target, table) == table_rows(source, table), table.name


def test_tricky_values_keep_their_types(round_trip: RoundTrip) -> None:
    engine = round_trip.target.engine
    assert column_values(engine, "processed_update", "update_id") == [BIG_UPDATE_ID]
    reviewed = column_values(engine, "faq_entry", "reviewed")
    assert any(reviewed) and all(r is None or type(r) is date for r in reviewed)
    claimed = column_values(engine, "zalo_outbox", "claimed_until")
    assert claimed[0] is not None and claimed[0] > datetime(2000, 1, 1, tzinfo=UTC) and claimed[1] is None
    with Session(engine) as session:
        editor = session.execute(select(StaffUser).where(col(StaffUser.username) == EDITOR)).scalar_one()
        assert editor.full_name == "Nguyễn Thị Bích" and editor.active is True
        assert editor.password_hash.startswith("$argon2")  # the account can still sign in
        event = (
            session.execute(select(AuditEvent).where(col(AuditEvent.action) == "entry_update"))
            .scalars()
            .first()
        )
        assert event is not None and event.detail == {"fields": ["answer"]}


def column_values(engine: Engine, table_name: str, column: str) -> list[Any]:
    table = next(t for t in tables() if t.name == table_name)
    position = list(table.columns.keys()).index(column)
    return [row[position] for row in table_rows(engine, table)]


def test_restored_instance_serves_the_published_content_not_drafts(round_trip: RoundTrip) -> None:
    source = round_trip.source.instance
    target = round_trip.target
    served = faq_store.load_served(target.engine)
    assert served == faq_store.load_served(source.engine)
    by_id = {e.id: e for e in served}
    assert PUBLISHED_EDIT in by_id["chung-thuc-chu-ky"].answer
    assert DRAFT_EDIT not in by_id["cu-tru-xac-nhan-thong-tin-cu-tru"].answer


def test_restored_instance_gives_identical_answers(
    round_trip: RoundTrip, encoder: SentenceTransformerEncoder, vectors: EmbeddingCache
) -> None:
    original = service_over(round_trip.source.instance, round_trip.source.index, encoder)
    restored_index = served_index(round_trip.target, encoder, vectors)
    restored = service_over(round_trip.target, restored_index, encoder)

    def outcome(reply: Reply) -> tuple[str, str | None, str, tuple[str, ...]]:
        return (str(reply.decision), reply.entry_id, reply.text, tuple(s.entry_id for s in reply.suggestions))

    before = [outcome(original.answer(q)) for q in QUESTIONS]
    after = [outcome(restored.answer(q)) for q in QUESTIONS]
    assert after == before
    assert sum(d == "answer" for d, *_ in after) >= 10  # real answers, not twenty fallbacks


def test_inserts_continue_after_the_restored_ids(any_engine: Engine, sqlite_source: Source) -> None:
    """PostgreSQL's id sequences are moved past the restored rows (SQLite does this by itself)."""
    restore_backup(any_engine, sqlite_source.backup)
    highest = {t: _max_id(any_engine, t) for t in (StaffUser, AuditEvent, FaqEntryVersion)}
    user = create_user(
        any_engine, UserCreate(username="moi01", role="viewer", password="mật-khẩu-đủ-dài-789")
    )
    with Session(any_engine) as session:
        record = session.get(FaqEntryRecord, "chung-thuc-chu-ky")
        assert record is not None
        record.question = f"{record.question} (sửa sau khôi phục)"
        version = save_version(session, record, "moi01", "edited: question")
        session.commit()
        session.refresh(version)
        assert version.id == highest[FaqEntryVersion] + 1
    assert user.id == highest[StaffUser] + 1
    assert _max_id(any_engine, AuditEvent) == highest[AuditEvent] + 1


def _max_id(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.max(model.id))).scalar_one())


# Refusals -------------------------------------------------------------------------------------


def _rewritten(backup: Path, target: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the backup whose manifest went through ``change``."""
    with zipfile.ZipFile(backup) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            copy.writestr(item, data)
    return target


def _damaged(backup: Path, target: Path) -> Path:
    """The backup with bytes inside the interactions' compressed data flipped (the archive's
    directory is intact, so the damage shows only when that table is read)."""
    data = bytearray(backup.read_bytes())
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo("tables/interaction.jsonl")
    header = info.header_offset
    name_length, extra_length = (
        int.from_bytes(data[i : i + 2], "little") for i in (header + 26, header + 28)
    )
    middle = header + 30 + name_length + extra_length + info.compress_size // 2
    for i in range(middle, middle + 16):
        data[i] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest.__setitem__(key, value)


BAD_FILES: dict[str, tuple[Callable[[Path, Path], Path], type[BackupError], str]] = {
    "text file": (
        lambda _b, t: (t.write_text("không phải bản sao lưu\n", "utf-8"), t)[1],
        NotABackupError,
        "is not a hoidap backup",
    ),
    "zip without manifest": (
        lambda _b, t: _zip_of(t, {"ghi-chu.txt": "xin chào"}),
        NotABackupError,
        "no manifest.json",
    ),
    "another format": (
        lambda b, t: _rewritten(b, t, _set("format", "other-tool")),
        NotABackupError,
        "another format",
    ),
    "unknown format version": (
        lambda b, t: _rewritten(b, t, _set("format_version", 99)),
        UnsupportedBackupError,
        "format version 99",
    ),
    "other revision": (
        lambda b, t: _rewritten(b, t, _set("alembic_revision", "0005")),
        RevisionMismatchError,
        "schema revision 0005",
    ),
    "wrong row count": (
        lambda b, t: _rewritten(b, t, lambda m: m["tables"].__setitem__("feedback", 3)),
        CorruptBackupError,
        "table feedback has 2 rows, the manifest says 3",
    ),
    "truncated": (
        lambda b, t: (t.write_bytes(b.read_bytes()[: b.stat().st_size // 2]), t)[1],
        NotABackupError,
        "not a complete zip archive",
    ),
    "damaged data": (_damaged, CorruptBackupError, "tables/interaction.jsonl is damaged"),
}


def _zip_of(target: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return target


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_and_restores_nothing(
    case: str, any_engine: Engine, sqlite_source: Source, tmp_path: Path
) -> None:
    make, error, message = BAD_FILES[case]
    bad = make(sqlite_source.backup, tmp_path / "bad.zip")
    with pytest.raises(error, match=message) as raised:
        restore_backup(any_engine, bad)
    assert "\n" not in str(raised.value)
    assert not any(row_counts(any_engine).values())


def test_a_database_with_data_is_refused_unless_replaced(any_engine: Engine, sqlite_source: Source) -> None:
    create_user(any_engine, UserCreate(username="cu01", role="admin", password="mật-khẩu-đủ-dài-000"))
    before = contents(any_engine)
    with pytest.raises(TargetNotEmptyError, match=r"already holds data \(table audit_event\).*--replace"):
        restore_backup(any_engine, sqlite_source.backup)
    assert contents(any_engine) == before

    restore_backup(any_engine, sqlite_source.backup, replace=True)
    assert contents(any_engine) == contents(sqlite_source.instance.engine)


def test_a_damaged_file_leaves_replaced_data_in_place(
    any_engine: Engine, sqlite_source: Source, tmp_path: Path
) -> None:
    """All or nothing: rows deleted for --replace come back when the restore fails half-way."""
    create_user(any_engine, UserCreate(username="cu01", role="admin", password="mật-khẩu-đủ-dài-000"))
    before = contents(any_engine)
    with pytest.raises(CorruptBackupError):
        restore_backup(any_engine, _damaged(sqlite_source.backup, tmp_path / "bad.zip"), replace=True)
    assert contents(any_engine) == before


def test_a_failed_backup_keeps_the_previous_file(tmp_path: Path) -> None:
    instance = open_instance(tmp_path / "broken")
    served_entries(instance.settings, instance.engine)
    with instance.engine.begin() as connection:  # a table lost behind hoidap's back
        connection.exec_driver_sql("DROP TABLE zalo_outbox")
    target = tmp_path / "sao-luu.zip"
    target.write_bytes(b"the previous backup")
    with pytest.raises(BackupError, match="cannot read table zalo_outbox"):
        write_backup(instance.engine, target)
    assert target.read_bytes() == b"the previous backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "sao-luu.zip"]  # no temporary left
    instance.engine.dispose()


def test_a_database_at_another_revision_is_not_backed_up(tmp_path: Path) -> None:
    instance = open_instance(tmp_path / "old")
    with instance.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0008'")
    with pytest.raises(BackupError, match="schema revision 0008"):
        write_backup(instance.engine, tmp_path / "sao-luu.zip")
    assert not (tmp_path / "sao-luu.zip").exists()
    instance.engine.dispose()


# The command ----------------------------------------------------------------------------------

MODEL = ROOT / "var" / "models" / "multilingual-e5-small"
HOIDAP = [sys.executable, "-c", "from cli.main import app; app()"]
FAQ_QUESTION = "lam lai cccd bi mat o dau"
CATALOG_QUESTION = "Người nước ngoài bị mất thẻ thường trú thì xin cấp lại ở đâu?"


def hoidap(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HOIDAP, *args], env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)


def command_env(data_dir: Path, faq_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "HOIDAP_DATA_DIR": str(data_dir),
        "HOIDAP_FAQ_DIR": str(faq_dir),
        "HOIDAP_EMBEDDING_MODEL": str(MODEL),
        "HOIDAP_ENVIRONMENT": "test",
    }
    env.pop("HOIDAP_DATABASE_URL", None)
    if database_url:
        env["HOIDAP_DATABASE_URL"] = database_url
    return env


def catalog_file(path: Path) -> Path:
    """The two procedures in the national portal's export format."""
    lines = [
        {
            "ma_thu_tuc": p.code,
            "ten_thu_tuc": p.name,
            "linh_vuc": p.field,
            "cap_thuc_hien": p.level,
            "co_quan_thuc_hien": p.agency,
            "cach_thuc_thuc_hien": p.channels,
            "thanh_phan_ho_so": p.documents,
            "can_cu_phap_ly": p.legal_basis,
            "detail_url": p.url,
        }
        for p in PROCEDURES
    ]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), "utf-8")
    return path


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@dataclass
class CommandSource:
    data_dir: Path
    backup: Path


@pytest.fixture(scope="module")
def command_source(tmp_path_factory: pytest.TempPathFactory, sample_entries) -> CommandSource:
    """An instance run only through the command: sample content, a catalog, one question, a backup."""
    folder = tmp_path_factory.mktemp("command-source")
    env = command_env(folder / "var", write_content_dir(folder / "content", sample_entries))
    imported = hoidap(env, "import", "catalog", str(catalog_file(folder / "catalog.jsonl")))
    assert imported.returncode == 0, imported.stderr
    asked = hoidap(env, "ask", FAQ_QUESTION)
    assert asked.returncode == 0, asked.stderr
    file = folder / "sao-luu" / "hoidap.zip"
    file.parent.mkdir()
    backed_up = hoidap(env, "backup", str(file))
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.count("\n") == 1, backed_up.stdout
    assert backed_up.stdout.startswith(f"backed up {len(tables())} tables, ")
    assert backed_up.stdout.strip().endswith(f" bytes to {file}")
    return CommandSource(folder / "var", file)


def stored_service(
    data_dir: Path, database_url: str | None, encoder: SentenceTransformerEncoder
) -> AnswerService:
    """A service over the FAQ and catalog indexes the command left in the data folder (loaded
    as stored: no rebuild)."""
    settings = Settings(  # type: ignore[call-arg]
        data_dir=data_dir, database_url=database_url, environment="test", _env_file=None
    )
    live, catalog = (LiveIndex(None, encoder, search_config(settings)) for _ in range(2))
    live.install(IndexStore(settings.index_dir).load(model=str(MODEL)))
    catalog.install(catalog_store(settings).load(model=str(MODEL)))
    engine = make_engine(settings.resolved_database_url)
    return AnswerService(
        settings, live, InteractionLog(engine), Thresholds.from_settings(settings), catalog=catalog
    )


@pytest.mark.parametrize("target_engine", ["sqlite", "postgres"])
def test_restore_into_a_fresh_instance_and_rebuild_its_indexes(
    target_engine: str,
    command_source: CommandSource,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    encoder: SentenceTransformerEncoder,
) -> None:
    url = request.getfixturevalue("postgres_url") if target_engine == "postgres" else None
    # Nothing to seed from here: what the fresh instance serves can only come from the backup.
    (tmp_path / "no-content").mkdir()
    target = command_env(tmp_path / "var", tmp_path / "no-content", url)
    file = command_source.backup

    restored = hoidap(target, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    lines = restored.stdout.splitlines()
    assert (
        lines[0].startswith("restored ")
        and f"in {len(tables())} tables from {file} (a sqlite backup of" in lines[0]
    )
    assert lines[1].startswith("FAQ index ") and lines[1].endswith("rebuilt: 12 published entries")
    assert lines[2].startswith("catalog index ") and lines[2].endswith("rebuilt: 2 procedures")

    original = stored_service(command_source.data_dir, None, encoder)
    copy = stored_service(tmp_path / "var", url, encoder)
    for question in (FAQ_QUESTION, CATALOG_QUESTION):
        before, after = original.answer(question), copy.answer(question)
        assert (after.decision, after.entry_id, after.text) == (before.decision, before.entry_id, before.text)
    assert original.answer(CATALOG_QUESTION).decision is Decision.CATALOG
    for service in (original, copy):
        service.log.engine.dispose()

    refused = one_error_line(hoidap(target, "restore", str(file)))
    assert "already holds data (table " in refused and "--replace" in refused
    replaced = hoidap(target, "restore", str(file), "--replace")
    assert replaced.returncode == 0, replaced.stderr


def test_command_errors_are_one_line(tmp_path: Path) -> None:
    env = command_env(tmp_path / "var", tmp_path / "no-content")
    missing = one_error_line(hoidap(env, "restore", str(tmp_path / "khong-co.zip")))
    assert missing == f"error: FILE: no such file: {tmp_path / 'khong-co.zip'}"
    text = tmp_path / "ghi-chu.zip"
    text.write_text("không phải bản sao lưu", "utf-8")
    assert "is not a hoidap backup" in one_error_line(hoidap(env, "restore", str(text)))
    folder = tmp_path / "khong-co-thu-muc"
    nowhere = one_error_line(hoidap(env, "backup", str(folder / "hoidap.zip")))
    assert nowhere == f"error: cannot write {folder / 'hoidap.zip'}: there is no folder {folder}"
