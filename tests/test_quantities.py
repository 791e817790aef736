"""Amounts in questions and size limits in procedure names."""

import pytest

from core.text.quantities import Amount, Limit, amounts_in, contradicts, limits_in


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("nhà máy nước công suất 8.000 m3 một ngày đêm", [Amount(8000, "m3")]),
        ("xưởng dùng khoảng 300 khối mỗi ngày", [Amount(300, "m3")]),
        ("khai thac 2 nghin khoi/ngay", [Amount(2000, "m3")]),  # typed without diacritics
        ("dùng 6000m3 mỗi ngày đêm", [Amount(6000, "m3")]),
        ("trang trại rộng 1,5 ha và 200 m²", [Amount(1.5, "ha"), Amount(200, "m2")]),
        ("năm 2025 tôi xin giấy phép 2 lần", []),  # figures without a unit say nothing of size
        ("mã thủ tục 1.004211", []),
    ],
)
def test_amounts_in_a_question(text: str, amounts: list[Amount]) -> None:
    assert amounts_in(text) == amounts


@pytest.mark.parametrize(
    ("name", "limits"),
    [
        (
            "Cấp giấy phép khai thác nước dưới đất đối với công trình có quy mô dưới 5.000 m3/ngày đêm",
            [Limit("duoi", 5000, "m3")],
        ),
        (
            "Gia hạn, điều chỉnh giấy phép khai thác nước dưới đất đối với công trình có quy mô từ 5.000 "
            "m3/ngày đêm trở lên",
            [Limit("tu", 5000, "m3")],
        ),
        ("Tàu thuyền có trọng tải từ 200 tấn trở xuống nhập cảnh", [Limit("tu xuong", 200, "tan")]),
        ("Cấp giấy phép thăm dò nước dưới đất", []),  # "dưới đất" is no limit
    ],
)
def test_limits_in_a_procedure_name(name: str, limits: list[Limit]) -> None:
    assert limits_in(name) == limits


def test_a_figure_outside_the_limit_contradicts_the_name() -> None:
    small = "Gia hạn giấy phép khai thác nước dưới đất đối với công trình có quy mô dưới 5.000 m3/ngày đêm"
    large = (
        "Gia hạn giấy phép khai thác nước dưới đất đối với công trình có quy mô từ 5.000 m3/ngày đêm trở lên"
    )
    assert contradicts(small, [Amount(8000, "m3")]) and not contradicts(large, [Amount(8000, "m3")])
    assert contradicts(large, [Amount(300, "m3")]) and not contradicts(small, [Amount(300, "m3")])
    assert not contradicts(large, [Amount(5000, "m3")])  # "từ" includes the bound
    assert not contradicts(small, [Amount(3, "ha")])  # another unit: no judgement
    assert not contradicts(small, [])
