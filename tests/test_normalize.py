import unicodedata

import pytest

from core.text.normalize import (
    clean,
    fold_case,
    has_diacritics,
    strip_diacritics,
    tokens,
    unify_tone_marks,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("xoè", "xòe"),
        ("hoàng", "hoàng"),  # a final consonant keeps the mark on the second vowel
        ("quý", "quý"),  # "qu" is a consonant: the mark stays on y
        ("qúy", "quý"),
        ("uỷ ban", "ủy ban"),
        ("Uỷ ban", "Ủy ban"),
        ("giữa", "giữa"),
        ("người", "người"),
        ("ngoài", "ngoài"),
        ("thuở", "thuở"),
        ("CT01", "CT01"),
    ],
)
def test_tone_marks_have_one_place(raw: str, expected: str) -> None:
    assert unify_tone_marks(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Làm   lại\tcăn cước ", "Làm lại căn cước"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "Đăng ký khai sinh"),
        ("thủ\u200btục\x00", "thủ tục"),  # a zero-width separator still separates words
        ("Hoà giải", "Hòa giải"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected
    assert unicodedata.is_normalized("NFC", clean(raw))


def test_nfd_and_nfc_meet() -> None:
    text = "Thủ tục chuyển nhượng quyền sử dụng đất hoà giải"
    assert fold_case(unicodedata.normalize("NFD", text)) == fold_case(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Đăng ký", "Dang ky"), ("căn cước", "can cuoc"), ("người", "nguoi"), ("abc", "abc")],
)
def test_strip_diacritics(raw: str, expected: str) -> None:
    assert strip_diacritics(raw) == expected
    assert has_diacritics(raw) == (raw != expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mẫu ct01, tk1-ts?", ["mẫu", "ct01", "tk1-ts"]),
        ("mã 1.000178 là gì", ["mã", "1.000178", "là", "gì"]),
        ("", []),
    ],
)
def test_tokens_keep_codes_whole(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected
