"""Amounts in questions and size limits in procedure names."""

import pytest

from core.text.quantities import Amount, Limit, amounts_in, contradicts, limits_in

DAILY = "ngày"


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("nhà máy nước công suất 8.000 m3 một ngày đêm", [Amount(8000, "m3", DAILY)]),
        ("xưởng dùng khoảng 300 khối mỗi ngày", [Amount(300, "m3", DAILY)]),
        ("khai thac 2 nghin khoi/ngay", [Amount(2000, "m3", DAILY)]),  # typed without diacritics
        ("dùng 6000m3 mỗi ngày đêm", [Amount(6000, "m3", DAILY)]),
        ("giếng khoan 8 000 m3/ngày", [Amount(8000, "m3", DAILY)]),  # thousands grouped by a space
        ("30.000 m3 một tháng", [Amount(30000, "m3", "tháng")]),
        ("bể chứa 6.000 m3", [Amount(6000, "m3")]),  # a volume, not a flow: no period
        ("trang trại rộng 1,5 ha và 200 m²", [Amount(1.5, "ha"), Amount(200, "m2")]),
        ("8,000 m3 mỗi ngày", []),  # eight thousand, or eight: not read
        ("năm 2025 tôi xin giấy phép 2 lần", []),  # figures without a unit say nothing of size
        ("mã thủ tục 1.004211 m3", []),  # a procedure code is no amount
        ("phường 12 Tân Bình, số 5 Hà Nội", []),  # "Tân", "Hà" are not "tấn", "ha"
    ],
)
def test_amounts_in_a_question(text: str, amounts: list[Amount]) -> None:
    assert amounts_in(text) == amounts


FIVE_THOUSAND_A_DAY = Amount(5000, "m3", DAILY)


@pytest.mark.parametrize(
    ("name", "limits"),
    [
        (
            "Cấp giấy phép khai thác nước dưới đất đối với công trình có quy mô dưới 5.000 m3/ngày đêm",
            [Limit("dưới", FIVE_THOUSAND_A_DAY)],
        ),
        (
            "Gia hạn, điều chỉnh giấy phép khai thác nước dưới đất đối với công trình có quy mô từ 5.000 "
            "m3/ngày đêm trở lên",
            [Limit("từ", FIVE_THOUSAND_A_DAY)],
        ),
        (
            "Tàu thuyền có trọng tải từ 200 tấn trở xuống nhập cảnh",
            [Limit("từ … trở xuống", Amount(200, "tấn"))],
        ),
        (  # the tail of one limit does not reach into the next
            "Giấy phép nước dưới đất dưới 5.000 m3/ngày đêm, nước mặt từ 2 m3/giây trở lên",
            [Limit("dưới", FIVE_THOUSAND_A_DAY), Limit("từ", Amount(2, "m3", "giây"))],
        ),
        ("Cấp giấy phép thăm dò nước dưới đất", []),  # "dưới đất" is no limit
    ],
)
def test_limits_in_a_procedure_name(name: str, limits: list[Limit]) -> None:
    assert limits_in(name) == limits


SMALL = "Gia hạn giấy phép khai thác nước dưới đất đối với công trình có quy mô dưới 5.000 m3/ngày đêm"
LARGE = "Gia hạn giấy phép khai thác nước dưới đất đối với công trình có quy mô từ 5.000 m3/ngày đêm trở lên"


def test_a_figure_outside_the_limit_contradicts_the_name() -> None:
    assert contradicts(SMALL, amounts_in("8.000 m3 mỗi ngày")) and not contradicts(
        LARGE, amounts_in("8.000 m3/ngày")
    )
    assert contradicts(LARGE, amounts_in("300 khối một ngày")) and not contradicts(
        SMALL, amounts_in("300 khối/ngày")
    )
    assert not contradicts(LARGE, amounts_in("5.000 m3/ngày"))  # "từ" includes the bound


@pytest.mark.parametrize("other", ["3 ha", "30.000 m3 một tháng", "bể chứa 6.000 m3", ""])
def test_another_measure_is_no_judgement(other: str) -> None:
    assert not contradicts(SMALL, amounts_in(other)) and not contradicts(LARGE, amounts_in(other))
