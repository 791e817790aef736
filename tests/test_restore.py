import pytest

from core.text.normalize import tokens
from core.text.restore import DiacriticsRestorer, common_phrases, needs_restoration

CORPUS = [
    "Làm lại thẻ căn cước bị mất ở đâu?",
    "Đăng ký khai sinh cho con mới sinh cần giấy tờ gì?",
    "Sang tên sổ đỏ khi mua bán đất",
    "Lệ phí đăng ký kết hôn là bao nhiêu?",
    "Đăng ký tạm trú cho người thuê nhà trọ",
]


@pytest.fixture(scope="module")
def restorer() -> DiacriticsRestorer:
    return DiacriticsRestorer([*CORPUS, *common_phrases()])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lam lai the can cuoc bi mat o dau", "làm lại thẻ căn cước bị mất ở đâu"),
        ("dang ky khai sinh cho con", "đăng ký khai sinh cho con"),
        ("sang ten so do", "sang tên sổ đỏ"),
        ("le phi dang ky ket hon bao nhieu", "lệ phí đăng ký kết hôn bao nhiêu"),
        ("dang ky tam tru nha tro", "đăng ký tạm trú nhà trọ"),
        ("xyz 123", "xyz 123"),  # unknown words stay as typed
    ],
)
def test_restores_unaccented_queries(restorer: DiacriticsRestorer, query: str, expected: str) -> None:
    assert " ".join(restorer.restore_tokens(tokens(query))) == expected


def test_fixed_tokens_are_kept_and_give_context(restorer: DiacriticsRestorer) -> None:
    out = restorer.restore_tokens(
        ["lam", "lai", "căn", "cước", "bi", "mat"], [False, False, True, True, False, False]
    )
    assert out == ["làm", "lại", "căn", "cước", "bị", "mất"]


def test_accented_tokens_are_never_changed(restorer: DiacriticsRestorer) -> None:
    assert restorer.restore_tokens(["làm", "lai"]) == ["làm", "lại"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lam lai cccd bi mat o dau", True),
        ("làm lại căn cước bị mất ở đâu", False),
        ("lam lai căn cước", False),  # mostly typed with accents: leave it alone
        ("123 456", False),
    ],
)
def test_needs_restoration(query: str, expected: bool) -> None:
    assert needs_restoration(tokens(query)) is expected


def test_empty_input(restorer: DiacriticsRestorer) -> None:
    assert restorer.restore_tokens([]) == []
