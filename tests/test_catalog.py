"""The national procedure catalog: import, cleaning, procedure cards, FAQ precedence."""

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.answering import AnswerService
from core.browse import short_ref
from core.catalog import as_entries, case_family, case_of, channel_terms, document_list, read_catalog
from core.db.models import Interaction, ProcedureRecord
from core.decision import Outcome, Thresholds
from core.evaluation import read_queries
from core.faq import FaqEntry, FaqFormatError, default_content_dir, load_content_dir
from core.interaction_log import InteractionLog
from core.messages import Decision, IncomingMessage
from core.replies import CASES_INTRO
from core.runtime import CATALOG_FIELDS, embedding_cache_path, import_catalog, load_catalog
from core.settings import Settings
from retrieval.encoder import EmbeddingCache
from retrieval.index import build_index
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig
from retrieval.types import Hit
from tests.conftest import ROOT
from tests.shared_data import SHARED_CATALOG as CATALOG

pytestmark = pytest.mark.shared
WANTED = {"1.004194", "2.000460", "1.013807", "1.003727"}  # tạm trú, thẻ thường trú NN, công chứng, làng nghề
# groundwater exploration permits, namesakes: the ministry's (large works) and the province's (small)
GROUNDWATER = {"1.000657", "1.004232"}
# extending a groundwater use permit: the province's record (below 5,000 m3 a day), the ministry's (from)
GROUNDWATER_USE = {"1.004211", "1.000060"}
# the five cases of "Đăng ký lại phương tiện" (inland waterway vessels): ownership transferred with or
# without a change of registry, from another registry, owner moved province, renamed or modified
VESSEL_CASES = {"1.004002", "1.003970", "1.004036", "1.006391", "2.001711"}
VESSEL_BOUGHT = "mua lại phương tiện thủy nội địa của người khác thì đăng ký lại phương tiện thế nào"


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wanted records plus 300 others, as a smaller catalog file."""
    lines = CATALOG.read_text("utf-8").splitlines()
    wanted = WANTED | GROUNDWATER | GROUNDWATER_USE | VESSEL_CASES
    chosen = [line for line in lines if json.loads(line)["ma_thu_tuc"] in wanted]
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


@pytest.mark.parametrize(
    ("listed", "kept"),
    [
        ("Đơn đề nghị theo quy địnhMauon (2).docx", "Đơn đề nghị theo quy định"),
        ("Tờ khai (mẫu NA5) của Bộ Công an.NA5 (1).doc", "Tờ khai (mẫu NA5) của Bộ Công an"),
        (
            "Đơn đề nghị cấp lại thẻ bảo hiểm y tếMau01-ĐN(BHYT) (1).doc",
            "Đơn đề nghị cấp lại thẻ bảo hiểm y tế",
        ),
        (
            "Văn bản theo Mẫu 04 Nghị định số 23/2026/NĐ-CPMau04.docx",
            "Văn bản theo Mẫu 04 Nghị định số 23/2026/NĐ-CP",
        ),
        ("Tờ khai CT01 (Thông tư 66/2023/TT-BCA).1.MuCT01.doc", "Tờ khai CT01 (Thông tư 66/2023/TT-BCA)"),
        ("Bản khai tự khai theo mẫu Mau02.pdf", "Bản khai tự khai theo mẫu"),
    ],
)
def test_form_files_are_cut_from_document_names_and_the_word_before_stays(listed: str, kept: str) -> None:
    """The portal glues the attached form's file name to the document's name."""
    assert document_list(f"Tên giấy tờMẫu đơn, tờ khaiSố lượng{listed}1 bản chính") == [
        f"{kept} (1 bản chính)"
    ]


def test_form_files_in_real_records() -> None:
    records = {p.code: p for p in read_catalog(CATALOG)[0] if p.code in {"1.004002", "1.004036"}}
    for record in records.values():
        documents = document_list(record.documents)
        assert any(d.endswith("theo quy định (1 bản chính)") for d in documents), documents
        assert not any(".doc" in d or "Mauon" in d for d in documents)


def test_malformed_line_imports_nothing(tmp_path: Path, subset: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = subset.read_text("utf-8").splitlines()[:5]
    bad.write_text(
        "\n".join([*lines[:3], '{"ma_thu_tuc": "1.2", "ten_thu_tuc": ""}', *lines[3:]]) + "\n", "utf-8"
    )
    with pytest.raises(FaqFormatError, match=rf"{bad}:4: .*empty procedure name"):
        read_catalog(bad)


@pytest.fixture(scope="module")
def encoded_subset(tmp_path_factory: pytest.TempPathFactory, encoder, subset: Path) -> Path:
    """An embedding cache holding the subset's rows: each test's import then reads its vectors
    instead of encoding 600 rows again (the import itself runs in full every time)."""
    folder = tmp_path_factory.mktemp("encoded")
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    build_index(as_entries(read_catalog(subset)[0]), encoder, fields=CATALOG_FIELDS, cache=cache)
    cache.close()
    return folder / "embeddings.sqlite"


@pytest.fixture
def service(
    settings: Settings, any_engine: Engine, sample_index, encoder, subset: Path, encoded_subset: Path
) -> AnswerService:
    procedures, _ = read_catalog(subset)
    cached = embedding_cache_path(settings)
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(encoded_subset, cached)
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
    assert codes >= WANTED | GROUNDWATER | GROUNDWATER_USE | VESSEL_CASES
    assert len(codes) == len(read_catalog(subset)[0])


def test_catalog_card_when_the_faq_has_no_answer(service: AnswerService) -> None:
    reply = service.handle(
        IncomingMessage("web", "u1", "Người nước ngoài bị mất thẻ thường trú thì xin cấp lại ở đâu?")
    )
    assert reply.decision is Decision.CATALOG
    assert reply.entry_id == "tthc-2.000460"
    assert "Cơ sở dữ liệu quốc gia về thủ tục hành chính" in reply.text
    assert reply.links and reply.links[0].startswith("https://dichvucong.gov.vn/")
    # a procedure with one case: nothing listed under its card
    assert reply.suggestions == () and reply.lead is None and CASES_INTRO not in reply.text


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


@pytest.mark.parametrize(
    ("amount", "code"),
    [("8.000 m3 một ngày đêm", "1.000060"), ("300 khối mỗi ngày", "1.004211"), ("", "1.004211")],
)
def test_the_citizen_s_own_figure_picks_between_namesakes(
    service: AnswerService, amount: str, code: str
) -> None:
    """The two records differ only in their size limit, which the model cannot weigh: a figure the
    question gives decides, even against the province's record; without one the province's wins."""
    question = f"gia hạn giấy phép khai thác nước dưới đất cho nhà máy nước {amount}".strip()
    reply = service.handle(IncomingMessage("web", "u1", question))
    assert reply.decision is Decision.CATALOG
    assert reply.entry_id == f"tthc-{code}"


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
    assert service._card_beats(card.procedure_codes, better, outcome, {"tam-tru": answer})
    assert not service._card_beats(card.procedure_codes, better, outcome, {"tam-tru": covering})
    worse = _hit(card.id, 0.93, 0.91)
    assert not service._card_beats(card.procedure_codes, worse, outcome, {"tam-tru": answer})
    clearly_named = _hit(card.id, 0.93, 0.925)  # the name matches by more than the margin
    assert service._card_beats(card.procedure_codes, clearly_named, outcome, {"tam-tru": answer})
    suggested = Outcome(Decision.SUGGEST, faq_top, (faq_top,))
    assert not service._card_beats(card.procedure_codes, better, suggested, {})  # better overall, not by name
    assert service._card_beats(card.procedure_codes, _hit(card.id, 0.95, 0.91), suggested, {})


@pytest.mark.parametrize(
    ("name", "family"),
    [
        (
            "Đăng ký lại phương tiện trong trường hợp chuyển quyền sở hữu phương tiện nhưng không thay đổi "
            "cơ quan đăng ký phương tiện",
            "đăng ký lại phương tiện",
        ),
        ("Khai thuế đối với hộ kinh doanh, cá nhân kinh doanh", "khai thuế"),
        ("Thủ tục đối với hàng hóa xuất khẩu gửi qua dịch vụ chuyển phát nhanh quốc tế", None),
        ("Cấp lại thẻ thường trú cho người nước ngoài tại Việt Nam", None),
    ],
)
def test_case_family_of_a_procedure_name(name: str, family: str | None) -> None:
    assert case_family(name) == family


def test_case_of_a_procedure_name() -> None:
    name = "Khai thuế đối với hộ kinh doanh, cá nhân kinh doanh"
    assert case_of(name) == "Hộ kinh doanh, cá nhân kinh doanh"
    assert case_of("Công nhận làng nghề truyền thống") == "Công nhận làng nghề truyền thống"


def test_a_card_lists_the_other_cases_of_its_procedure(service: AnswerService) -> None:
    """The question does not say whether the registry changes (nor the model tell ownership from
    registry): every other case of the procedure is one choice away, best match first."""
    reply = service.handle(IncomingMessage("web", "u1", VESSEL_BOUGHT))
    assert reply.decision is Decision.CATALOG
    assert reply.entry_id is not None and reply.entry_id.removeprefix("tthc-") in VESSEL_CASES
    listed = [s.entry_id.removeprefix("tthc-") for s in reply.suggestions]
    assert set(listed) == VESSEL_CASES - {reply.entry_id.removeprefix("tthc-")}
    assert [s.score for s in reply.suggestions] == sorted((s.score for s in reply.suggestions), reverse=True)
    card, _, cases = reply.text.partition(CASES_INTRO)
    assert card.startswith("Đăng ký lại phương tiện trong trường hợp")
    assert reply.lead == card + CASES_INTRO  # the widget shows the cases as chips only
    for i, listed_case in enumerate(reply.suggestions, start=1):  # by its case: the rest is the card's
        assert f"\n{i}. {case_of(listed_case.question)}" in cases


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (VESSEL_BOUGHT, "1.004002"),  # buying is a transfer of ownership; the registry is not said
        ("chủ ghe chuyển hộ khẩu sang tỉnh khác thì có phải đăng ký lại phương tiện không", "1.006391"),
        ("Tàu chở khách của tôi đổi tên và thay máy mới thì đăng ký lại ra sao", "2.001711"),
    ],
)
def test_the_citizen_s_situation_picks_the_case(service: AnswerService, question: str, code: str) -> None:
    reply = service.handle(IncomingMessage("web", "u1", question))
    assert reply.decision is Decision.CATALOG
    assert reply.entry_id == f"tthc-{code}"


def test_the_model_alone_reads_buying_as_a_change_of_registry(service: AnswerService) -> None:
    """Why the situation rule exists: without it the words the names share decide."""
    settings = service.settings.model_copy(update={"catalog_case_band": 0.0})
    alone = AnswerService(settings, service.live, service.log, service.thresholds, service.catalog)
    assert alone.answer(VESSEL_BOUGHT).entry_id == "tthc-1.004036"


def test_a_chosen_case_gets_its_own_card_and_is_logged(service: AnswerService) -> None:
    assert service.catalog_entry(short_ref("tthc-9.999999")) is None
    without = AnswerService(service.settings, service.live, service.log, service.thresholds)
    assert without.catalog_entry(short_ref("tthc-1.004002")) is None  # the catalog was not imported
    entry = service.catalog_entry(short_ref("tthc-1.004002"))
    assert entry is not None
    reply = service.handle_choice(IncomingMessage("telegram", "u1", entry.question), entry)
    assert reply.decision is Decision.CATALOG and reply.entry_id == "tthc-1.004002"
    assert reply.text.startswith(entry.question) and "không thay đổi cơ quan đăng ký" in reply.text
    assert reply.links == tuple(entry.links) and reply.index_version is not None
    with Session(service.log.engine) as session:
        logged = session.exec(select(Interaction).where(Interaction.id == reply.interaction_id)).one()
    assert logged.decision == "catalog" and logged.entry_id == "tthc-1.004002"


@pytest.mark.parametrize(
    "name",
    [
        "catalog_queries.jsonl",
        "catalog_case_queries.jsonl",
        "catalog_situation_queries.jsonl",
        "catalog_namesake_queries.jsonl",
    ],
)
def test_catalog_question_sets_point_at_real_records(name: str) -> None:
    """Every gold id of the benchmark's catalog questions is a catalog record or a curated entry."""
    known = {f"tthc-{p.code}" for p in read_catalog(CATALOG)[0]}
    known |= {e.id for e in load_content_dir(default_content_dir())[1]}
    queries = read_queries(ROOT / "faq_data" / "eval" / name)
    assert queries and all(q.gold and q.gold <= known for q in queries)
