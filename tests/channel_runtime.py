"""A runtime for channel tests: the real encoder and index, a migrated database holding the
entries, and a long entry (about 5,000 characters with < and &) to test message splitting."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from core import faq_store
from core.answering import AnswerService
from core.catalog import Procedure, read_catalog
from core.db.engine import make_engine, migrate
from core.decision import Thresholds
from core.faq import Category, FaqEntry
from core.interaction_log import InteractionLog
from core.runtime import Runtime, import_catalog, load_catalog
from core.settings import Settings
from core.spool import Spool
from retrieval.index import SearchIndex
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from tests.shared_data import SHARED_CATALOG

LONG_PARAGRAPH = (
    "Người nhận nuôi phải hơn con nuôi từ 20 tuổi trở lên & có điều kiện <sức khỏe, kinh tế>. " * 10
)
LONG_ENTRY = FaqEntry(
    id="nuoi-con-nuoi-dai",
    category="ho-tich",
    question="Hướng dẫn đầy đủ thủ tục nhận con nuôi trong nước",
    paraphrases=["nhận con nuôi trong nước cần điều kiện gì", "nhan con nuoi trong nuoc"],
    answer="\n\n".join([LONG_PARAGRAPH] * 6),
    legal_basis=["Luật Nuôi con nuôi 2010, Điều 14"],
    links=["https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html"],
)
CATEGORY_NAMES = {"can-cuoc": "Căn cước", "ho-tich": "Hộ tịch"}
# the five cases of the catalog's "Đăng ký lại phương tiện" (inland waterway vessels)
VESSEL_CASES = frozenset({"1.004002", "1.003970", "1.004036", "1.006391", "2.001711"})


def vessel_cases() -> list[Procedure]:
    """The five records from the shared catalog (tests using them need ../shared)."""
    if not SHARED_CATALOG.is_file():
        return []  # a checkout without ../shared: the tests of the cases skip, the rest still run
    return [p for p in read_catalog(SHARED_CATALOG)[0] if p.code in VESSEL_CASES]


def chat_runtime(
    settings: Settings,
    encoder: Any,
    index: SearchIndex,
    entries: list[FaqEntry],
    procedures: Sequence[Procedure] = (),
) -> Runtime:
    """The runtime serving ``entries``, and the national catalog when ``procedures`` are given."""
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    categories = sorted({e.category for e in entries})
    faq_store.save(engine, [Category(id=c, name=CATEGORY_NAMES.get(c, c)) for c in categories], entries)
    live = LiveIndex(None, encoder, SearchConfig())
    live.install(index)
    log = InteractionLog(engine, Spool(settings.data_dir / "spool"))  # as core.runtime wires it
    catalog = None
    if procedures:  # the national catalog, as `hoidap import catalog` makes it
        import_catalog(settings, engine, encoder, procedures)
        catalog = load_catalog(settings, encoder)
    service = AnswerService(settings, live, log, Thresholds.from_settings(settings), catalog)
    return Runtime(settings, engine, encoder, live, service)


@contextmanager
def served_chat_app(
    settings: Settings,
    encoder: Any,
    index: SearchIndex,
    entries: list[FaqEntry],
    procedures: Sequence[Procedure] = (),
) -> Iterator[tuple[str, Runtime]]:
    """The whole app over real HTTP on a loopback port, serving ``entries`` (and a catalog of
    ``procedures``); yields (base URL, runtime)."""
    from bot.web.app import create_app  # the app imports the channels; tests of the core need not
    from tests.serving import serving

    runtime = chat_runtime(settings, encoder, index, entries, procedures)
    try:
        with serving(create_app(settings, runtime)) as base:
            yield base, runtime
    finally:
        runtime.engine.dispose()
