"""Amounts in a question ("300 khối mỗi ngày") and the size limits procedure names set ("quy mô
dưới 5.000 m3/ngày đêm"), so that the citizen's own figure can pick between namesakes that differ
only in that limit: the model cannot tell "dưới 5.000" from "từ 5.000 trở lên" for 8.000 m3.

Only like is compared with like, an amount and a limit in the same unit per the same period:
"bể chứa 6.000 m3" or "30.000 m3 một tháng" say nothing against a daily limit. A figure whose
reading is ambiguous ("8,000": eight thousand in English writing, eight in Vietnamese) is not
read at all.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.text.normalize import fold_case, has_diacritics

# Spellings without diacritics count only in text typed without any: in an accented question
# "tan" or "ha" would be "Tân" or "Hà" (names), not "tấn" or "ha".
_UNITS = {
    "m3": "m3",
    "m³": "m3",
    "khối": "m3",
    "mét khối": "m3",
    "m2": "m2",
    "m²": "m2",
    "mét vuông": "m2",
    "ha": "ha",
    "héc-ta": "ha",
    "tấn": "tấn",
    "kw": "kw",
    "mw": "mw",
}
_PLAIN_UNITS = {"khoi": "m3", "met khoi": "m3", "met vuong": "m2", "hecta": "ha", "tan": "tấn"}
_PERIODS = {"ngày đêm": "ngày", "ngày": "ngày", "giờ": "giờ", "tháng": "tháng", "năm": "năm", "giây": "giây"}
_PLAIN_PERIODS = {"ngay dem": "ngày", "ngay": "ngày", "gio": "giờ", "thang": "tháng", "nam": "năm"}
_BOUNDS: dict[str, Callable[[float, float], bool]] = {
    "dưới": operator.lt,
    "trên": operator.gt,
    "không quá": operator.le,
    "đến": operator.le,
    "từ": operator.ge,
    "từ … trở xuống": operator.le,
}
_PLAIN_BOUNDS = {"duoi": "dưới", "tren": "trên", "khong qua": "không quá", "den": "đến", "tu": "từ"}

# 5.000 or 5 000 is five thousand, 1,5 one and a half; 8,000 is ambiguous (matched, then dropped).
_NUMBER = (
    r"(?<![\d.,])(?:(?P<grouped>\d{1,3}(?:[. ]\d{3})+)|(?P<ambiguous>\d+,\d{3})|(?P<plain>\d+(?:,\d+)?))"
    r"(?![.,]?\d)(?P<thousand>\s*(?:nghìn|ngàn|nghin|ngan))?"
)


def _either(words: Mapping[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class _Grammar:
    """The patterns for accented text, or for text typed without diacritics."""

    def __init__(
        self, units: Mapping[str, str], periods: Mapping[str, str], bounds: Mapping[str, str]
    ) -> None:
        self.units, self.periods, self.bounds = units, periods, bounds
        per = rf"(?:\s*(?:/|một|mỗi|trên|mot|moi|tren)\s*(?P<period>{_either(periods)}))?"
        amount = rf"{_NUMBER}\s*(?P<unit>{_either(units)})(?!\w){per}"
        tail = r"(?:[^,;()\d]*?\b(?P<tail>trở xuống|tro xuong)\b)?"
        self.amount = re.compile(amount)
        self.limit = re.compile(rf"(?<!\w)(?P<bound>{_either(bounds)})\s+{amount}{tail}")


_ACCENTED = _Grammar(_UNITS, _PERIODS, {b: b for b in _BOUNDS if "…" not in b})
_PLAIN = _Grammar(
    {**_UNITS, **_PLAIN_UNITS}, {**_PERIODS, **_PLAIN_PERIODS}, {**_ACCENTED.bounds, **_PLAIN_BOUNDS}
)


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str
    period: str | None = None  # "ngày" for "m3 mỗi ngày"; None when no period is given


@dataclass(frozen=True)
class Limit:
    """A bound a procedure name sets ("dưới 5.000 m3/ngày đêm": below 5,000 m3 a day)."""

    bound: str
    amount: Amount

    def admits(self, amount: Amount) -> bool:
        if (amount.unit, amount.period) != (self.amount.unit, self.amount.period):
            return True  # another measure: no judgement
        return _BOUNDS[self.bound](amount.value, self.amount.value)


def _grammar(folded: str) -> _Grammar:
    return _ACCENTED if has_diacritics(folded) else _PLAIN


def _amount(match: re.Match[str], grammar: _Grammar) -> Amount | None:
    if match.group("ambiguous"):
        return None
    digits = match.group("grouped") or match.group("plain")
    value = float(re.sub(r"[. ]", "", digits).replace(",", "."))
    if match.group("thousand"):
        value *= 1000
    period = match.group("period")
    return Amount(value, grammar.units[match.group("unit")], grammar.periods[period] if period else None)


def amounts_in(text: str) -> list[Amount]:
    """The amounts a question states with a unit: "8.000 m3 một ngày đêm", "300 khối"."""
    folded = fold_case(text)
    grammar = _grammar(folded)
    found = (_amount(m, grammar) for m in grammar.amount.finditer(folded))
    return [a for a in found if a is not None]


def limits_in(name: str) -> list[Limit]:
    """The size limits a procedure name sets: "từ 5.000 m3/ngày đêm trở lên" is at least 5,000."""
    folded = fold_case(name)
    grammar = _grammar(folded)
    limits = []
    for match in grammar.limit.finditer(folded):
        amount = _amount(match, grammar)
        bound = grammar.bounds[match.group("bound")]
        if bound == "từ" and match.group("tail"):
            bound = "từ … trở xuống"
        if amount is not None:
            limits.append(Limit(bound, amount))
    return limits


def contradicts(name: str, amounts: list[Amount]) -> bool:
    """Whether the question's own figures fall outside a limit the name sets."""
    if not amounts:
        return False  # most questions give none: the name need not be read
    return any(not limit.admits(amount) for limit in limits_in(name) for amount in amounts)
