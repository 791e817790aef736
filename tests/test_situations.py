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
        ("Hãng hàng không nước ngoài nhập khẩu", _described({"imported"})),  # an airline denies nothing
        # an exclusion names what the case is not
        (
            "Cơ sở sản xuất thức ăn chăn nuôi (trừ trường hợp xuất khẩu theo yêu cầu của nước nhập khẩu)",
            _described(set()),
        ),
    ],
)
def test_the_situations_a_case_names(case: str, described: Described) -> None:
    assert described_by_case(case) == described


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("mua lại phương tiện thủy nội địa của người khác", {"transfer", "sale"}),
        ("Tôi bán xà lan cho người ở tỉnh khác", {"transfer", "sale", "registry_change", "other_province"}),
        ("chủ ghe chuyển hộ khẩu sang tỉnh khác", {"relocation", "registry_change", "other_province"}),
        ("Tàu của tôi đổi tên và thay máy", {"rename", "modification"}),
        ("Tôi làm mất chứng chỉ hành nghề", {"lost_or_damaged"}),
        ("hợp đồng thuê nhà đã hết hạn", {"expiry"}),
        ("ông ngoại để lại cho tôi chiếc ghe", {"transfer", "gift_or_inheritance"}),
        ("muốn sang tên xe", {"transfer"}),  # a transfer, of no kind said
        ("mua xe cũ nhưng chưa sang tên", {"transfer", "sale"}),  # stated once is stated
        ("tôi không bán tàu, chỉ đổi tên", {"rename"}),  # what the citizen says did not happen
        # words inside other words, or holding a situation's word with another meaning
        ("đăng ký lại phương tiện thế nào", set()),  # "ký lại" of "đăng ký lại"
        ("làm mất bao lâu, mất bao nhiêu tiền", set()),
        ("được cho phép đăng ký không", set()),
        ("sao lại bị từ chối hồ sơ", set()),
        ("mua bảo hiểm xe máy, thuê mua nhà ở xã hội, bán hàng online, bán kính bao nhiêu", set()),
        ("bị thu hồi đất thì được bồi thường gì", set()),
        ("hết hạn nộp hồ sơ là ngày nào", set()),
        ("được truy tặng danh hiệu, tặng bằng khen", set()),
        ("bí mật nhà nước", set()),
        # a denial belongs to its own clause
        ("có cần đăng ký lại không? tôi mua lại của người khác", {"transfer", "sale"}),
    ],
)
def test_the_situations_a_citizen_describes(text: str, present: set[str]) -> None:
    assert described_by_citizen(text).present == present


@pytest.mark.parametrize(
    "text", ["tôi không bán tàu", "tôi ko bán tàu", "tôi chưa bán tàu", "tôi không phải bán tàu"]
)
def test_a_situation_the_citizen_rules_out(text: str) -> None:
    assert described_by_citizen(text) == _described(set(), {"transfer", "sale"})


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
        (  # both exclude a change of registry
            "chuyển quyền sở hữu phương tiện nhưng không thay đổi cơ quan đăng ký",
            _described({"transfer"}, {"registry_change"}),
            2,
        ),
    ],
)
def test_how_well_a_case_fits(case: str, citizen: Described, points: int) -> None:
    assert fit(described_by_case(case), citizen) == points
