"""The national procedure catalog: import, cleaning, procedure cards, FAQ precedence."""

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.answering import AnswerService
from core.catalog import channel_terms, document_list, read_catalog
from core.db.models import ProcedureRecord
from core.decision import Outcome, Thresholds
from core.faq import FaqEntry, FaqFormatError
from core.interaction_log import InteractionLog
from core.messages import Decision, IncomingMessage
from core.runtime import import_catalog, load_catalog
from core.settings import Settings
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from retrieval.types import Hit
from tests.conftest import SHARED

CATALOG = SHARED / "data" / "tthc_catalog.jsonl"
pytestmark = pytest.mark.skipif(not CATALOG.is_file(), reason="needs ../shared/data/tthc_catalog.jsonl")
WANTED = {"1.004194", "2.000460", "1.013807", "1.003727"}  # tạm trú, thẻ thường trú NN, công chứng, làng nghề
# groundwater exploration permits, namesakes: the ministry's (large works) and the province's (small)
GROUNDWATER = {"1.000657", "1.004232"}


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wanted records plus 300 others, as a smaller catalog file."""
    lines = CATALOG.read_text("utf-8").splitlines()
    chosen = [line for line in lines if json.loads(line)["ma_thu_tuc"] in WANTED | GROUNDWATER]
    chosen += [line for line in lines[:300] if line not in chosen]
    path = tmp_path_factory.mktemp("catalog") / "catalog.jsonl"
    path.write_text("\n".join(chosen) + "\n", "utf-8")
    return path


def test_reads_and_filters_the_full_catalog() -> None:
    everything, total = read_catalog(CATALOG)
    assert total == 2642
    local, _ = read_catalog(CATALOG, levels=["Cấp tỉnh", "Cấp xã"])
    assert 0 < len(local) < len(everything)
    assert all({"Cấp tỉnh", "Cấp xã"} & set(p.levels) for p in local)
    assert all("  " not in p.channels for p in local)  # whitespace cleaned


def test_card_fields_of_a_real_record() -> None:
    record = next(p for p in read_catalog(CATALOG)[0] if p.code == "1.004194")
    terms = {t.channel: t for t in channel_terms(record.channels)}
    assert terms["Trực tuyến"].time_limit == "3 ngày làm việc" and terms["Trực tuyến"].fee == "7.000 đồng"
    assert terms["Trực tiếp"].fee == "10.000 đồng"
    documents = document_list(record.documents)
    assert any("CT01" in d for d in documents)
    assert not any(".doc" in d for d in documents)


def test_malformed_line_imports_nothing(tmp_path: Path, subset: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = subset.read_text("utf-8").splitlines()[:5]
    bad.write_text(
        "\n".join([*lines[:3], '{"ma_thu_tuc": "1.2", "ten_thu_tuc": ""}', *lines[3:]]) + "\n", "utf-8"
    )
    with pytest.raises(FaqFormatError, match=rf"{bad}:4: .*empty procedure name"):
        read_catalog(bad)


@pytest.fixture
def service(settings: Settings, any_engine: Engine, sample_index, encoder, subset: Path) -> AnswerService:
    procedures, _ = read_catalog(subset)
    import_catalog(settings, any_engine, encoder, procedures)
    live = LiveIndex(None, encoder, SearchConfig())
    live.install(sample_index)
    catalog = load_catalog(settings, encoder)
    assert catalog is not None
    return AnswerService(
        settings, live, InteractionLog(any_engine), Thresholds.from_settings(settings), catalog
    )


def test_import_stores_records(service: AnswerService, subset: Path) -> None:
    with Session(service.log.engine) as session:
        codes = set(session.exec(select(ProcedureRecord.code)).all())
    assert codes >= WANTED | GROUNDWATER
    assert len(codes) == len(read_catalog(subset)[0])


def test_catalog_card_when_the_faq_has_no_answer(service: AnswerService) -> None:
    reply = service.handle(
        IncomingMessage("web", "u1", "Người nước ngoài bị mất thẻ thường trú thì xin cấp lại ở đâu?")
    )
    assert reply.decision is Decision.CATALOG
    assert reply.entry_id == "tthc-2.000460"
    assert "Cơ sở dữ liệu quốc gia về thủ tục hành chính" in reply.text
    assert reply.links and reply.links[0].startswith("https://dichvucong.gov.vn/")


def test_curated_answer_outranks_the_catalog(service: AnswerService) -> None:
    reply = service.handle(IncomingMessage("web", "u1", "Đăng ký tạm trú khi thuê trọ cần gì?"))
    assert reply.decision is Decision.ANSWER
    assert reply.entry_id == "tam-tru"  # not the catalog's "Đăng ký tạm trú"


def test_out_of_scope_still_falls_back(service: AnswerService) -> None:
    assert service.handle(IncomingMessage("web", "u1", "Messi thuận chân nào")).decision is Decision.FALLBACK


def test_the_province_s_record_among_namesakes(service: AnswerService) -> None:
    """The ministry's record matches a shade better than its provincial namesake; a province
    deployment shows the procedure its own offices handle."""
    reply = service.handle(
        IncomingMessage("web", "u1", "xin giấy phép thăm dò nước dưới đất để khoan giếng cho nhà máy")
    )
    assert reply.decision is Decision.CATALOG
    assert reply.entry_id == "tthc-1.004232"
    assert "Cấp tỉnh" in reply.text


def _hit(entry_id: str, score: float, dense_question: float) -> Hit:
    return Hit(entry_id, score, dense_question, 10.0, "", dense_question=dense_question)


def test_a_curated_answer_keeps_the_procedures_it_covers(service: AnswerService) -> None:
    """The card that matches better overall replaces an answer about another need, never the
    answer whose entry names the card's procedure."""
    answer = FaqEntry(id="tam-tru", category="cu-tru", question="q", answer="a")
    covering = answer.model_copy(update={"procedure_codes": ["1.004194"]})
    card = FaqEntry(id="tthc-1.004194", category="x", question="q", answer="a", procedure_codes=["1.004194"])
    faq_top = _hit("tam-tru", 0.94, 0.90)
    outcome = Outcome(Decision.ANSWER, faq_top, ())
    better = _hit(card.id, 0.95, 0.89)
    assert service._card_beats(card, better, outcome, {"tam-tru": answer})
    assert not service._card_beats(card, better, outcome, {"tam-tru": covering})
    worse = _hit(card.id, 0.93, 0.91)
    assert not service._card_beats(card, worse, outcome, {"tam-tru": answer})
    clearly_named = _hit(card.id, 0.93, 0.925)  # the name matches by more than the margin
    assert service._card_beats(card, clearly_named, outcome, {"tam-tru": answer})
    suggested = Outcome(Decision.SUGGEST, faq_top, (faq_top,))
    assert not service._card_beats(card, better, suggested, {})  # better overall, not by name
    assert service._card_beats(card, _hit(card.id, 0.95, 0.91), suggested, {})
