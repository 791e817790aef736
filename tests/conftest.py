"""Shared fixtures: real model, real databases (SQLite and PostgreSQL), a small content set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from core.db.engine import make_engine, migrate
from core.faq import FaqEntry, load_jsonl_entries
from core.settings import Settings
from retrieval.encoder import SentenceTransformerEncoder, load_encoder
from retrieval.index import SearchIndex, build_index
from tests import browser as browser_support
from tests.channel_runtime import LONG_ENTRY
from tests.missing import report, skip_or_fail
from tests.shared_data import require_shared
from tests.staff_api import Admin, staff_api

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "HOIDAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
pytest_plugins = ["pytester", "tests.node_ids"]


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        # Each worker encodes on its share of the cores (and so do the servers and commands it
        # starts): two workers on two threads each would make both wait for the cores.
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ.setdefault("HOIDAP_EMBEDDING_THREADS", str(threads))


# The longest test files, longest first (per-file times from `python -m tests.run --junitxml=…`,
# December 2026). Workers take whole files in collection order, so starting with these lets the
# two workers finish together; in alphabetical order one ran the last long file alone.
LONGEST_FIRST = (
    "test_cli.py",
    "test_index_watch.py",
    "test_bench_quick.py",
    "test_scale_bench.py",
    "test_backup.py",
    "test_admin_api.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: keeps each file's order


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report(terminalreporter)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared"):
        require_shared()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the browser tests (skipped, or failed under CI, without it).

    Per module, not per session: Playwright's sync API runs an event loop in the main thread
    while it is started, and later tests that call ``asyncio.run`` must not find one."""
    browser_support.require_chromium()
    with browser_support.chromium() as running:
        yield running


@pytest.fixture(scope="session")
def model_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose models_dir is the project's var/models, so the model converts only once."""
    data = tmp_path_factory.mktemp("data")
    return Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def encoder(model_settings: Settings) -> SentenceTransformerEncoder:
    shared_models = ROOT / "var" / "models"
    settings = model_settings.model_copy(update={"data_dir": shared_models.parent})
    return load_encoder(settings)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, environment="test", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def sqlite_engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of a reachable PostgreSQL admin database; skip (or fail under CI) when there is none."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any connection failure means the same thing here
        skip_or_fail(
            "PostgreSQL tests", f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {type(exc).__name__}"
        )
    return POSTGRES_ADMIN_URL


@contextmanager
def temporary_postgres(server: str) -> Iterator[str]:
    """A fresh, empty database, dropped afterwards (also after the server restarted meanwhile,
    as in the soak benchmark)."""
    name = f"hoidap_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test."""
    with temporary_postgres(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Engine]:
    """The same test against the embedded default and the production database."""
    if request.param == "sqlite":
        url = settings.resolved_database_url
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


SAMPLE_FAQ = ROOT / "tests" / "data" / "sample_faq.jsonl"
SAMPLE_QUERIES = ROOT / "tests" / "data" / "sample_queries.jsonl"
SAMPLE_OOS = ROOT / "tests" / "data" / "sample_oos.jsonl"


@pytest.fixture(scope="session")
def sample_entries() -> list[FaqEntry]:
    return load_jsonl_entries(SAMPLE_FAQ)


@pytest.fixture(scope="session")
def sample_index(sample_entries: list[FaqEntry], encoder: SentenceTransformerEncoder) -> SearchIndex:
    return build_index(sample_entries, encoder)


def write_content_dir(folder: Path, entries: list[FaqEntry]) -> Path:
    """The YAML layout of faq_data/content for the given entries (one category file each)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_category: dict[str, list[dict[str, object]]] = {}
    for entry in entries:
        data = entry.model_dump(mode="json", exclude={"category"})
        by_category.setdefault(entry.category, []).append(data)
    for category, items in by_category.items():
        doc = {"category": {"id": category, "name": category}, "entries": items}
        (folder / f"{category}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    return folder


@pytest.fixture(scope="session")
def chat_entries(sample_entries: list[FaqEntry]) -> list[FaqEntry]:
    """The sample entries plus one long answer (for message splitting on every channel)."""
    return [*sample_entries, LONG_ENTRY]


@pytest.fixture(scope="session")
def chat_index(chat_entries: list[FaqEntry], encoder: SentenceTransformerEncoder) -> SearchIndex:
    return build_index(chat_entries, encoder)


@pytest.fixture(params=["sqlite", "postgres"])
def admin(
    request: pytest.FixtureRequest,
    settings: Settings,
    encoder: SentenceTransformerEncoder,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
) -> Iterator[Admin]:
    """The staff API over real HTTP on each database, one signed-in account per role."""
    if request.param == "postgres":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("postgres_url")})
    with staff_api(settings, encoder, chat_index, chat_entries) as running:
        yield running
