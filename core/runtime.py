"""Wiring: settings → database, encoder, index, AnswerService. Every edge starts from here."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import faq_store
from core.answering import AnswerService
from core.catalog import Procedure, as_entries
from core.db.engine import make_engine, migrate
from core.db.models import ProcedureRecord
from core.decision import Thresholds
from core.faq import FaqEntry, default_content_dir, load_content_dir, published
from core.interaction_log import InteractionLog
from core.memory import release_free_memory
from core.settings import Settings
from core.spool import Spool
from retrieval.encoder import EmbeddingCache, Encoder, load_encoder
from retrieval.index import (
    ALL_FIELDS,
    IndexMismatchError,
    IndexNotFoundError,
    IndexStore,
    Progress,
    SearchIndex,
    build_index,
    content_hash,
)
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from retrieval.types import RowKind

CATALOG_FIELDS = (RowKind.QUESTION, RowKind.PARAPHRASE)  # names and key fields; the card is not searched


def search_config(settings: Settings) -> SearchConfig:
    return SearchConfig(
        mode="hybrid",
        fusion=settings.fusion,
        lexical_weight=settings.lexical_weight,
        candidates=settings.candidates,
    )


def open_database(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    return engine


@contextmanager
def database(settings: Settings) -> Iterator[Engine]:
    """An engine on the migrated database for one command, closed afterwards."""
    engine = open_database(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def content_entries(settings: Settings) -> list[FaqEntry]:
    """The published entries of the content folder (the packaged faq_data unless configured)."""
    _, entries = load_content_dir(settings.faq_dir or default_content_dir())
    return published(entries)


def served_entries(settings: Settings, engine: Engine) -> list[FaqEntry]:
    """The published entries of the database, seeded from the content folder on first use."""
    faq_store.seed_if_empty(engine, settings.faq_dir or default_content_dir())
    return faq_store.load_served(engine)


def embedding_cache_path(settings: Settings) -> Path:
    return embedding_cache_file(settings.data_dir)


def embedding_cache_file(data_dir: Path) -> Path:
    """Where an instance keeps its embedding cache, given its data folder."""
    return data_dir / "cache" / "embeddings.sqlite"


def embedding_cache(settings: Settings) -> EmbeddingCache:
    return EmbeddingCache(embedding_cache_path(settings))


def _build_and_store(
    settings: Settings,
    store: IndexStore,
    encoder: Encoder,
    entries: Sequence[FaqEntry],
    fields: Sequence[RowKind],
    progress: Progress,
) -> SearchIndex:
    """Build with the shared embedding cache, save as the store's new CURRENT version."""
    cache = embedding_cache(settings)
    try:
        index = build_index(entries, encoder, fields=fields, cache=cache, progress=progress)
    finally:
        cache.close()
    store.save(index)
    return index


# One FAQ index build at a time in a process: the publisher's and the index watcher's builds would
# compete for the same cores and produce the same index.
BUILD_LOCK = threading.Lock()


def rebuild_index(
    settings: Settings,
    encoder: Encoder,
    entries: Sequence[FaqEntry],
    progress: Progress = lambda _s, _d, _t: None,
) -> SearchIndex:
    """Build the FAQ index from the given entries and make it current."""
    return _build_and_store(settings, IndexStore(settings.index_dir), encoder, entries, ALL_FIELDS, progress)


def load_or_build_index(settings: Settings, encoder: Encoder, entries: Sequence[FaqEntry]) -> SearchIndex:
    """The current index, rebuilt first when missing, built by another model, or older than the content."""
    store = IndexStore(settings.index_dir)
    try:
        index = store.load(model=encoder.name, dim=encoder.dim)
    except (IndexNotFoundError, IndexMismatchError):
        return rebuild_index(settings, encoder, entries)
    if index.meta.content_hash != content_hash(entries, ALL_FIELDS):
        return rebuild_index(settings, encoder, entries)
    return index


def catalog_store(settings: Settings) -> IndexStore:
    return IndexStore(settings.data_dir / "catalog-index")


def import_catalog(
    settings: Settings,
    engine: Engine,
    encoder: Encoder,
    procedures: Sequence[Procedure],
    progress: Progress = lambda _s, _d, _t: None,
) -> SearchIndex:
    """Store the records (one transaction) and make them the current catalog index."""
    with Session(engine) as session, session.begin():
        for p in procedures:
            session.merge(ProcedureRecord(**p.model_dump()))
    entries = as_entries(procedures)
    return _build_and_store(settings, catalog_store(settings), encoder, entries, CATALOG_FIELDS, progress)


def rebuild_catalog(settings: Settings, engine: Engine, encoder: Encoder) -> SearchIndex | None:
    """The catalog index from the records the database holds (after a restore); None if none."""
    with Session(engine) as session:
        records = session.exec(select(ProcedureRecord).order_by(col(ProcedureRecord.code))).all()
        procedures = [Procedure.model_validate(r.model_dump(exclude={"imported_at"})) for r in records]
    if not procedures:
        return None
    entries = as_entries(procedures)
    return _build_and_store(
        settings, catalog_store(settings), encoder, entries, CATALOG_FIELDS, lambda *_: None
    )


def load_catalog(settings: Settings, encoder: Encoder) -> LiveIndex | None:
    """The imported catalog's index, if one was imported with this model."""
    live = LiveIndex(catalog_store(settings), encoder, search_config(settings))
    try:
        live.refresh()
    except IndexMismatchError:
        return None  # imported with another model: `hoidap import catalog` again
    return live if live.searcher is not None else None


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    encoder: Encoder
    live: LiveIndex
    service: AnswerService


def prepare(settings: Settings | None = None) -> None:
    """Migrate and seed the database and make its index current, then let go of everything:
    run once before starting several workers on the same data."""
    settings = settings or Settings()
    with database(settings) as engine:
        entries = served_entries(settings, engine)
    load_or_build_index(settings, load_encoder(settings), entries)


def start_runtime(settings: Settings, encoder: Encoder | None = None) -> Runtime:
    engine = open_database(settings)
    encoder = encoder or load_encoder(settings)
    live = LiveIndex(IndexStore(settings.index_dir), encoder, search_config(settings))
    index = load_or_build_index(settings, encoder, served_entries(settings, engine))
    index.pipeline  # noqa: B018  (learn the restorer now, not during the first citizen's question)
    live.install(index)
    service = AnswerService(
        settings,
        live,
        InteractionLog(engine, Spool(settings.data_dir / "spool")),
        Thresholds.from_settings(settings),
        catalog=load_catalog(settings, encoder),
    )
    release_free_memory()
    return Runtime(settings, engine, encoder, live, service)
