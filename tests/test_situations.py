"""Situations in questions and in the cases catalog names set apart."""

import pytest

from core.text.situations import Described, described_by_case, described_by_citizen, fit


def _described(present: set[str], absent: set[str] | None = None) -> Described:
    return Described(frozenset(present), frozenset(absent or set()))


@pytest.mark.parametrize(
    ("case", "described"),
    [
        (
            "Chuyển quyền sở hữu phương tiện đồng thời thay đổi cơ quan đăng ký phương tiện",
            _described({"transfer", "registry_change"}),
        ),
        (  # a case that excludes a situation says so: "nhưng không"
            "Chuyển quyền sở hữu phương tiện nhưng không thay đổi cơ quan đăng ký phương tiện",
            _described({"transfer"}, {"registry_change"}),
        ),
        (
            "Chủ phương tiện thay đổi trụ sở hoặc nơi đăng ký hộ khẩu thường trú của chủ phương tiện "
            "sang đơn vị hành chính cấp tỉnh khác",
            _described({"relocation", "other_province"}),
        ),
        ("Phương tiện thay đổi tên, tính năng kỹ thuật", _described({"rename", "modification"})),
        ("Bị mất, bị rách, bị cháy hoặc vì lý do khác không cố ý", _described({"lost_or_damaged"})),
        ("Nhận chuyển quyền thuê nhà ở", _described({"transfer"})),
        ("Cá nhân chuyển nhượng chứng khoán", _described({"transfer", "sale"})),
        ("Cá nhân có thu nhập từ nhận thừa kế, quà tặng", _described({"transfer", "gift_or_inheritance"})),
        ("Xe nhập khẩu thực hiện tại cấp tỉnh, cấp xã", _described({"imported"})),
        ("Trường hợp không phải đánh giá rủi ro", _described(set())),  # not a situation we know
    ],
)
def test_the_situations_a_case_names(case: str, described: Described) -> None:
    assert described_by_case(case) == described


@pytest.mark.parametrize(
    ("typed", "restored", "present"),
    [
        ("mua lại phương tiện thủy nội địa của người khác", None, {"transfer", "sale"}),
        (
            "Tôi bán xà lan cho người ở tỉnh khác",
            None,
            {"transfer", "sale", "registry_change", "other_province"},
        ),
        ("chủ ghe chuyển hộ khẩu sang tỉnh khác", None, {"relocation", "registry_change", "other_province"}),
        ("Tàu của tôi đổi tên và thay máy mới", None, {"rename", "modification"}),
        ("Tôi làm mất chứng chỉ hành nghề", None, {"lost_or_damaged"}),
        ("hợp đồng thuê nhà đã hết hạn", None, {"expiry"}),
        # read through the restored form, and two-syllable words in the form typed
        ("toi ban xa lan", "tôi bán xà lan", {"transfer", "sale"}),
        ("toi muon sang ten ghe", "tôi muốn sang tên ghe", {"transfer"}),
        ("sang ten ghe", "sang tên ghe", {"transfer"}),
        ("ban oi sang ten xe", "bạn ơi sang tên xe", {"transfer"}),  # a transfer, of no kind said
        ("ông ngoại để lại cho tôi chiếc ghe", None, {"transfer", "gift_or_inheritance"}),
        ("được cho phép đăng ký", None, set()),
        ("ban oi", "bạn ơi", set()),  # "ban" alone might be "bán" or "bạn": only the restored form says
        # words inside other words or with another meaning are not situations
        ("đăng ký lại phương tiện thế nào", None, set()),  # "ký lại" of "đăng ký lại"
        ("làm giấy tờ mất bao lâu", None, set()),
        ("xin giấy phép phòng cháy chữa cháy", None, set()),
        ("tôi không bán tàu, chỉ đổi tên", None, {"rename"}),  # what the citizen says did not happen
        ("mua xe cũ nhưng chưa sang tên", None, {"transfer", "sale"}),  # stated once is stated
    ],
)
def test_the_situations_a_citizen_describes(typed: str, restored: str | None, present: set[str]) -> None:
    assert described_by_citizen(typed, restored or typed).present == present


def test_a_situation_the_citizen_rules_out() -> None:
    assert described_by_citizen("tôi không bán tàu", "tôi không bán tàu") == _described(
        set(), {"transfer", "sale"}
    )


BOUGHT = _described({"transfer", "sale"})
GIVEN = _described({"transfer", "gift_or_inheritance"})


@pytest.mark.parametrize(
    ("case", "citizen", "points"),
    [
        ("chuyển quyền sở hữu phương tiện nhưng không thay đổi cơ quan đăng ký", BOUGHT, 1),
        ("chuyển quyền sở hữu phương tiện đồng thời thay đổi cơ quan đăng ký", BOUGHT, 0),  # one unsaid
        ("chuyển từ cơ quan đăng ký khác sang cơ quan đăng ký phương tiện thủy nội địa", BOUGHT, -1),
        ("cá nhân chuyển nhượng vốn góp", GIVEN, 0),  # a sale, not the gift the citizen had
        ("cá nhân có thu nhập từ nhận thừa kế, quà tặng", GIVEN, 2),
        (
            "chuyển quyền sở hữu phương tiện nhưng không thay đổi cơ quan đăng ký",
            _described({"transfer", "registry_change"}),
            0,  # the case excludes what the citizen described
        ),
        (
            "chuyển quyền sở hữu phương tiện đồng thời thay đổi cơ quan đăng ký",
            _described({"transfer", "registry_change"}),
            2,
        ),
    ],
)
def test_how_well_a_case_fits(case: str, citizen: Described, points: int) -> None:
    assert fit(described_by_case(case), citizen) == points
