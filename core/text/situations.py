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

Words are matched whole and in accented form: unaccented, "ban" may be "bán" or "bạn", "bi mat" "bị
mất" or "bí mật". A question typed without diacritics is read in the form the diacritics restorer gave
it, the form the model read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from core.text.normalize import fold_case, strip_diacritics


@dataclass(frozen=True)
class Situation:
    name: str
    case_words: tuple[str, ...]  # how the portal's case names put it
    citizen_words: tuple[str, ...]  # how citizens put it (the case words are added)


# Buying and receiving as a gift or inheritance are both transfers of ownership; a case that names
# one kind ("chuyển nhượng vốn góp", "nhận thừa kế, quà tặng") does not fit a citizen of the other.
_SALE = ("chuyển nhượng", "mua bán", "bán")
_SALE_SAID = ("mua", "mua lại", "bán lại", "sang nhượng", "nhượng lại")
_GIFT = ("thừa kế", "quà tặng", "tặng cho")
_GIFT_SAID = ("tặng", "cho tặng", "biếu", "để lại cho")  # not "được cho": "được cho phép"

SITUATIONS = (
    Situation(
        "transfer",
        ("chuyển quyền sở hữu", "nhận chuyển quyền", "chuyển quyền sử dụng", "sang tên", *_SALE, *_GIFT),
        ("chuyển quyền", "đổi chủ", *_SALE_SAID, *_GIFT_SAID),
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
    Situation("expiry", ("hết hạn", "ký lại hợp đồng"), ("sắp hết hạn", "gia hạn hợp đồng")),
    Situation("imported", ("nhập khẩu",), ("xe nhập", "hàng nhập")),
    Situation("domestic", ("trong nước", "lắp ráp"), ("sản xuất trong nước",)),
    Situation("first_time", ("lần đầu",), ("lần đầu tiên",)),
    Situation("repeated", ("tiếp tục bị",), ("lần thứ hai", "thêm lần nữa", "lại bị tai nạn", "lại bị bệnh")),
)

# Phrases holding a situation's word that name no such situation; they are read as blank.
_FALSE_FRIENDS = (
    "bán kính", "bán hàng", "bán lẻ", "bán buôn", "bán trú", "thuê mua", "mua bảo hiểm", "mua hàng",
    "mất bao lâu", "mất bao nhiêu", "mất mấy", "mất thời gian", "mất phí", "mất tiền",
    "thu hồi đất", "hết hạn nộp", "hết hạn giải quyết", "truy tặng", "tặng thưởng", "tặng bằng khen",
    "tặng giấy khen", "tặng danh hiệu", "tặng huân chương", "tặng huy chương", "tặng kỷ niệm chương",
)  # fmt: skip
# An exclusion in a case name names what the case is not: "(trừ trường hợp … nước nhập khẩu)".
_EXCEPTIONS = re.compile(r"\(\s*trừ [^)]*\)?|\btrừ trường hợp\b.*")
# "không thay đổi cơ quan đăng ký", "chưa có", "ko bán", "không phải đánh giá": the situation is
# excluded; "hàng không" is an airline. Tested without diacritics, so that "ko" and "k" count too.
_NEGATION = re.compile(r"(?<!hang )\b(?:khong|ko|k|chua)(?:\s+phai)?$")


@dataclass(frozen=True)
class Described:
    """The situations a text states, and those it states are not the case."""

    present: frozenset[str]
    absent: frozenset[str]


_Patterns = tuple[tuple[str, re.Pattern[str]], ...]


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=len, reverse=True)
    assert ordered, "a situation needs words"  # an empty alternation would match everywhere
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in ordered)})(?!\w)")


class _Lexicon(NamedTuple):
    case: _Patterns  # the case names' words
    citizen: _Patterns  # the citizens' words and the case names'
    false_friends: re.Pattern[str]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    return _Lexicon(
        case=tuple((s.name, _pattern(s.case_words)) for s in SITUATIONS),
        citizen=tuple((s.name, _pattern(s.case_words + s.citizen_words)) for s in SITUATIONS),
        false_friends=_pattern(_FALSE_FRIENDS),
    )


def _read(text: str, patterns: _Patterns) -> Described:
    """What a text states; stated once is stated, even if denied elsewhere ("mua xe nhưng chưa
    sang tên" is a transfer)."""
    text = _lexicon().false_friends.sub(" ", text)
    present: set[str] = set()
    absent: set[str] = set()
    for name, pattern in patterns:
        for match in pattern.finditer(text):
            before = strip_diacritics(text[: match.start()]).rstrip()
            (absent if _NEGATION.search(before) else present).add(name)
    return Described(frozenset(present), frozenset(absent - present))


def described_by_case(case: str) -> Described:
    """The situations a catalog case names ("chuyển quyền sở hữu phương tiện nhưng không thay đổi
    cơ quan đăng ký" has a transfer and excludes a change of registry)."""
    return _read(_EXCEPTIONS.sub(" ", fold_case(case)), _lexicon().case)


def described_by_citizen(text: str) -> Described:
    """The situations a question describes. ``text`` is accented: the question as typed, or as the
    diacritics restorer gave it when it was typed without."""
    return _read(fold_case(text), _lexicon().citizen)


def fit(case: Described, citizen: Described) -> int:
    """How well a case fits the citizen's situation: a point for each situation both state or both
    exclude; a point off for each the case requires and the citizen did not describe, and for each
    the case excludes and the citizen described."""
    agreed = (case.present & citizen.present) | (case.absent & citizen.absent)
    return len(agreed) - len(case.present - citizen.present) - len(case.absent & citizen.present)
