"""Which catalog record a card shows among near matches (model-free: hits are given their scores).

The real model's part, that these rules turn its real rankings right, is in tests/test_catalog.py.
"""

import pytest

from core.card_choice import Bands, CardChoice, pick_card
from core.faq import FaqEntry
from core.settings import Settings
from core.text.pipeline import PreparedQuery, TextPipeline
from core.text.restore import DiacriticsRestorer, common_phrases
from retrieval.types import Hit

Ranked = tuple[list[Hit], dict[str, FaqEntry]]


BANDS = Bands(Settings().catalog_local_band, Settings().catalog_case_band)


def _pick(ranked: Ranked, question: PreparedQuery) -> CardChoice | None:
    return pick_card(*ranked, question, BANDS)


def _hit(entry_id: str, score: float) -> Hit:
    return Hit(entry_id, score, score, 10.0, "", dense_question=score)


def _ranked(*records: tuple[str, str, float, list[str]]) -> Ranked:
    """(id, name, score, levels) records as the catalog's search returns them, best first."""
    entries = {
        ref: FaqEntry(id=ref, category="x", question=name, answer="a", level=levels)
        for ref, name, _, levels in records
    }
    hits = sorted((_hit(ref, score) for ref, _, score, _ in records), key=lambda h: -h.score)
    return hits, entries


USE = "Gia hạn giấy phép khai thác nước dưới đất đối với công trình có quy mô"
SMALL_USE, LARGE_USE = f"{USE} dưới 5.000 m3/ngày đêm", f"{USE} từ 5.000 m3/ngày đêm trở lên"


def _namesakes(large: float, small: float, small_name: str = SMALL_USE) -> Ranked:
    """The ministry's record for large works and the province's for small ones, with these scores."""
    return _ranked(("tthc-large", LARGE_USE, large, []), ("tthc-small", small_name, small, ["tinh"]))


VESSEL = "Đăng ký lại phương tiện trong trường hợp"
TRANSFER = "chuyển quyền sở hữu phương tiện"
VESSEL_CASES = {
    "tthc-1.004036": f"{VESSEL} chuyển từ cơ quan đăng ký khác sang cơ quan đăng ký phương tiện thủy nội địa",
    "tthc-1.006391": f"{VESSEL} chủ phương tiện thay đổi trụ sở hoặc nơi đăng ký hộ khẩu thường trú của chủ "
    "phương tiện sang đơn vị hành chính cấp tỉnh khác",
    "tthc-1.003970": f"{VESSEL} {TRANSFER} đồng thời thay đổi cơ quan đăng ký phương tiện",
    "tthc-2.001711": f"{VESSEL} phương tiện thay đổi tên, tính năng kỹ thuật",
    "tthc-1.004002": f"{VESSEL} {TRANSFER} nhưng không thay đổi cơ quan đăng ký phương tiện",
}
FIRST_REGISTRATION = (
    "tthc-1.004047",
    "Đăng ký phương tiện lần đầu đối với phương tiện đang khai thác",
    0.9403,
)


def _vessels(*scores: float) -> Ranked:
    """The five cases, with the real model's scores for "mua lại phương tiện…" unless given."""
    scores = scores or (0.9776, 0.9437, 0.9424, 0.9411, 0.9407)
    cases = [
        (ref, name, score, ["tinh", "xa"])
        for (ref, name), score in zip(VESSEL_CASES.items(), scores, strict=True)
    ]
    return _ranked(*cases, (*FIRST_REGISTRATION, ["tinh", "xa"]))


@pytest.fixture(scope="module")
def pipeline() -> TextPipeline:
    return TextPipeline(DiacriticsRestorer([*VESSEL_CASES.values(), *common_phrases()]))


@pytest.mark.parametrize(
    ("ranked", "question", "card"),
    [
        (_namesakes(0.990, 0.988), "gia hạn giấy phép", "tthc-small"),  # no figure: the province's
        (_namesakes(0.988, 0.990), "gia hạn cho 8.000 m3 mỗi ngày", "tthc-large"),  # even ranked second
        (_namesakes(0.990, 0.988), "gia hạn cho 300 khối mỗi ngày", "tthc-small"),
        (_namesakes(0.990, 0.970), "gia hạn cho 300 khối mỗi ngày", "tthc-large"),  # only within the band
        (_namesakes(0.990, 0.988), "bể chứa 300 khối", "tthc-small"),  # a volume: the province's, as without
        (_namesakes(0.990, 0.988, LARGE_USE), "gia hạn cho 300 khối mỗi ngày", "tthc-small"),  # none fits
        # buying is a transfer of ownership, and nothing is said of the registry
        (
            _vessels(),
            "mua lại phương tiện thủy nội địa của người khác thì đăng ký lại thế nào",
            "tthc-1.004002",
        ),
        (_vessels(), "mua lai ghe cua nguoi khac thi dang ky lai the nao", "tthc-1.004002"),  # restored
        (
            _vessels(),
            "mua lai ghe thi dk lai the nao",
            "tthc-1.004002",
        ),  # an abbreviation expanded with accents
        (_vessels(), "toi ko ban ghe, chi doi ten ghe", "tthc-2.001711"),
        (_vessels(), "tôi bán xà lan cho người ở tỉnh khác", "tthc-1.003970"),  # and the registry changes
        (_vessels(), "tàu của tôi đổi tên và thay máy", "tthc-2.001711"),
        (
            _vessels(),
            "đăng ký lại phương tiện thủy nội địa",
            "tthc-1.004036",
        ),  # nothing described: the model's
        (
            _vessels(),
            "tàu bị mất giấy đăng ký thì đăng ký lại thế nào",
            "tthc-1.004036",
        ),  # no case speaks to it
        # only within the band: the case that fits best is too far behind, the next best within it
        (
            _vessels(0.9776, 0.9437, 0.9424, 0.9411, 0.9207),
            "mua lại ghe thì đăng ký lại thế nào",
            "tthc-1.003970",
        ),
        (
            _vessels(0.9776, 0.9437, 0.9224, 0.9411, 0.9207),
            "mua lại ghe thì đăng ký lại thế nào",
            "tthc-1.004036",
        ),
    ],
)
def test_picking_a_card_among_near_matches(
    pipeline: TextPipeline, ranked: Ranked, question: str, card: str
) -> None:
    picked = _pick(ranked, pipeline.prepare_query(question))
    assert picked is not None and picked.hit.id == card


def test_a_case_that_fits_less_is_set_aside_even_for_the_province_first_rule(pipeline: TextPipeline) -> None:
    """The province-first rule looks only at the cases that fit best: the ministry's record of the
    same case stays above a provincial record of a case the citizen did not describe."""
    ranked = _ranked(
        ("tthc-prov-registry", VESSEL_CASES["tthc-1.004036"], 0.970, ["tinh"]),
        ("tthc-ministry-transfer", VESSEL_CASES["tthc-1.004002"], 0.968, []),
    )
    picked = _pick(ranked, pipeline.prepare_query("mua lại tàu của người khác"))
    assert picked is not None and picked.hit.id == "tthc-ministry-transfer"


def test_after_a_swap_the_province_first_rule_stays_within_its_band(pipeline: TextPipeline) -> None:
    """A provincial record of another procedure ranked between the model's case and the chosen one
    is not a namesake of the chosen case: it is not picked for being provincial."""
    ranked = _ranked(
        ("tthc-ministry-registry", VESSEL_CASES["tthc-1.004036"], 0.970, []),
        ("tthc-other-procedure", "Cấp lại Giấy chứng nhận đăng ký phương tiện", 0.960, ["tinh"]),
        ("tthc-ministry-transfer", VESSEL_CASES["tthc-1.004002"], 0.940, []),
    )
    picked = _pick(ranked, pipeline.prepare_query("mua lại tàu của người khác"))
    assert picked is not None and picked.hit.id == "tthc-ministry-transfer"


def test_the_procedure_is_weighed_by_the_model_s_case_only_after_a_swap(pipeline: TextPipeline) -> None:
    swapped = _pick(_vessels(), pipeline.prepare_query("mua lại tàu của người khác"))
    assert swapped is not None and swapped.hit.id == "tthc-1.004002"
    assert swapped.procedure.id == "tthc-1.004036" and swapped.procedure.score == 0.9776
    kept = _pick(_vessels(), pipeline.prepare_query("đăng ký lại phương tiện thủy nội địa"))
    assert kept is not None and kept.procedure == kept.hit
    provincial = _pick(_namesakes(0.990, 0.988), pipeline.prepare_query("gia hạn giấy phép"))
    assert (
        provincial is not None
        and provincial.hit.id == "tthc-small"
        and provincial.procedure == provincial.hit
    )


def test_the_card_stands_for_the_case_it_is_weighed_by(pipeline: TextPipeline) -> None:
    hits, entries = _vessels()
    entries = {
        ref: e.model_copy(update={"procedure_codes": [ref.removeprefix("tthc-")]})
        for ref, e in entries.items()
    }
    swapped = _pick((hits, entries), pipeline.prepare_query("mua lại tàu của người khác"))
    assert swapped is not None and swapped.codes(entries) == {"1.004002", "1.004036"}
    kept = _pick((hits, entries), pipeline.prepare_query("đăng ký lại phương tiện thủy nội địa"))
    assert kept is not None and kept.codes(entries) == {"1.004036"}


def test_no_match_no_card(pipeline: TextPipeline) -> None:
    assert pick_card([], {}, pipeline.prepare_query("mua lại tàu"), BANDS) is None
    hits, _ = _vessels()
    assert pick_card(hits, {}, pipeline.prepare_query("mua lại tàu"), BANDS) is None  # ids not in this index
