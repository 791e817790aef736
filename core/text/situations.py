"""The situations a citizen describes ("tôi mua lại chiếc ghe") and the ones a catalog case names
("… trong trường hợp chuyển quyền sở hữu phương tiện"), so that the citizen's own circumstances can
pick between the cases of one procedure.

The model reads a case's name as a whole and is swayed by the words it shares with the question: "mua
lại phương tiện thủy nội địa của người khác" is closest to "chuyển từ cơ quan đăng ký khác sang cơ quan
đăng ký phương tiện thủy nội địa", because of "thủy nội địa" and "khác". It cannot know that buying is
a transfer of ownership. This lexicon does: each situation lists the words the portal's case names use
for it and the words citizens use. A case that names a situation the citizen described fits; one that
requires a situation the citizen did not describe, or excludes one they did ("nhưng không thay đổi cơ
quan đăng ký"), fits less.

Words are matched whole and in accented form. A question typed without diacritics is read through its
restored form and, for words of two syllables or more, in its own unaccented form: alone, "ban" might
be "bán" or "bạn", and "mat" "mất" or "mặt".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.text.normalize import fold_case, has_diacritics, strip_diacritics


@dataclass(frozen=True)
class Situation:
    name: str
    case_words: tuple[str, ...]  # how the portal's case names put it
    citizen_words: tuple[str, ...]  # how citizens put it (the case words are added)


# Buying and receiving as a gift or inheritance are both transfers of ownership; a case that names
# one kind ("chuyển nhượng vốn góp", "nhận thừa kế, quà tặng") does not fit a citizen of the other.
_SALE = ("chuyển nhượng", "mua bán")
_SALE_SAID = ("mua", "mua lại", "bán", "bán lại", "sang nhượng", "nhượng lại")
_GIFT = ("thừa kế", "quà tặng", "tặng cho")
_GIFT_SAID = ("tặng", "cho tặng", "biếu", "để lại cho")  # not "được cho": "được cho phép"

SITUATIONS = (
    Situation(
        "transfer",
        ("chuyển quyền sở hữu", "nhận chuyển quyền", *_SALE, *_GIFT),
        ("sang tên", "chuyển quyền", *_SALE_SAID, *_GIFT_SAID),
    ),
    Situation("sale", _SALE, _SALE_SAID),
    Situation("gift_or_inheritance", _GIFT, _GIFT_SAID),
    Situation(
        "registry_change",
        ("thay đổi cơ quan đăng ký", "cơ quan đăng ký khác"),
        ("tỉnh khác", "khác tỉnh", "ngoại tỉnh", "chuyển tỉnh", "nơi đăng ký khác"),
    ),
    Situation("other_province", ("tỉnh khác",), ("khác tỉnh", "ngoại tỉnh", "chuyển tỉnh")),
    Situation(
        "relocation",
        ("thay đổi trụ sở", "nơi đăng ký hộ khẩu", "thay đổi địa chỉ"),
        (
            "chuyển hộ khẩu",
            "chuyển thường trú",
            "chuyển nhà",
            "chuyển chỗ ở",
            "chuyển trụ sở",
            "đổi trụ sở",
            "đổi địa chỉ",
        ),
    ),
    Situation("rename", ("thay đổi tên", "đổi tên"), ("thay tên", "sửa tên")),
    Situation(
        "modification",
        ("tính năng kỹ thuật", "hoán cải"),
        ("thay máy", "cải hoán", "thay đổi kết cấu", "nâng cấp máy"),
    ),
    Situation(
        "lost_or_damaged",
        ("bị mất", "hư hỏng", "bị hỏng", "bị rách", "bị cháy", "bị tiêu hủy", "bị hủy hoại"),
        ("làm mất", "đánh mất", "thất lạc", "đánh rơi", "bị hư", "rách"),
    ),
    Situation("revoked", ("bị thu hồi",), ("thu hồi", "bị tước")),
    # "ký lại" alone would be read in every "đăng ký lại".
    Situation("expiry", ("hết hạn", "ký lại hợp đồng"), ("quá hạn", "sắp hết hạn", "gia hạn hợp đồng")),
    Situation("imported", ("nhập khẩu",), ("xe nhập", "hàng nhập")),
    Situation("domestic", ("trong nước", "lắp ráp"), ("sản xuất trong nước",)),
    Situation("first_time", ("lần đầu",), ("lần đầu tiên",)),
    Situation("repeated", ("tiếp tục bị",), ("lại bị", "lần thứ hai", "thêm lần nữa")),
)

# "không thay đổi cơ quan đăng ký", "chưa có", "không phải đánh giá": the situation is excluded.
_NEGATION = re.compile(r"(?:không|chưa)(?:\s+phải)?$")


@dataclass(frozen=True)
class Described:
    """The situations a text states, and those it states are not the case."""

    present: frozenset[str]
    absent: frozenset[str]


_Patterns = tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class _Lexicon:
    case: _Patterns  # the case names' words
    citizen: _Patterns  # the citizens' words and the case names'
    plain: _Patterns  # the same without diacritics, words of two syllables or more only


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    said = [(s.name, s.case_words + s.citizen_words) for s in SITUATIONS]
    return _Lexicon(
        case=tuple((s.name, _pattern(s.case_words)) for s in SITUATIONS),
        citizen=tuple((name, _pattern(words)) for name, words in said),
        plain=tuple((name, _pattern(strip_diacritics(w) for w in words if " " in w)) for name, words in said),
    )


def _read(*readings: tuple[str, _Patterns]) -> Described:
    """What the texts state, each read with its patterns; stated once is stated, even if denied
    elsewhere ("mua xe nhưng chưa sang tên" is a transfer)."""
    present: set[str] = set()
    absent: set[str] = set()
    for text, patterns in readings:
        for name, pattern in patterns:
            for match in pattern.finditer(text):
                negated = _NEGATION.search(text[: match.start()].rstrip())
                (absent if negated else present).add(name)
    return Described(frozenset(present), frozenset(absent - present))


def described_by_case(case: str) -> Described:
    """The situations a catalog case names ("chuyển quyền sở hữu phương tiện nhưng không thay đổi
    cơ quan đăng ký" has a transfer and excludes a change of registry)."""
    return _read((fold_case(case), _lexicon().case))


def described_by_citizen(typed: str, restored: str) -> Described:
    """The situations a question describes; ``restored`` is its accented form when it was typed
    without diacritics (the pipeline's restoration), else the question itself."""
    folded, lexicon = fold_case(typed), _lexicon()
    if has_diacritics(folded):
        return _read((folded, lexicon.citizen))
    return _read((fold_case(restored), lexicon.citizen), (folded, lexicon.plain))


def fit(case: Described, citizen: Described) -> int:
    """How well a case fits the citizen's situation: one point for each situation both name, one
    off for each the case requires and the citizen did not describe, and one off for each the case
    excludes and the citizen described."""
    return (
        len(case.present & citizen.present)
        - len(case.present - citizen.present)
        - len(case.absent & citizen.present)
    )
