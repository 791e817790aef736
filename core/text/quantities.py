"""Amounts in a question ("300 khối mỗi ngày") and the size limits procedure names set ("quy mô
dưới 5.000 m3/ngày đêm"), so that the citizen's own figure can pick between namesakes that differ
only in that limit: the model cannot tell "dưới 5.000" from "từ 5.000 trở lên" for 8.000 m3.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.text.normalize import fold_case, strip_diacritics

# Units as folded text (no diacritics, lower case), colloquial names first mapped to the official.
_UNITS = {
    "m3": "m3",
    "m³": "m3",
    "met khoi": "m3",
    "khoi": "m3",
    "m2": "m2",
    "m²": "m2",
    "met vuong": "m2",
    "ha": "ha",
    "hecta": "ha",
    "hec ta": "ha",
    "tan": "tan",
    "kw": "kw",
    "mw": "mw",
}
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
# Vietnamese writes 5.000 for five thousand and 1,5 for one and a half.
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_THOUSAND = r"(?:\s*(?:nghin|ngan))?"
_AMOUNT = re.compile(rf"(?<![\w.,])({_NUMBER}){_THOUSAND}\s*({_UNIT})(?!\w)")
_LIMIT = re.compile(
    rf"(?<!\w)(duoi|tren|khong qua|den|tu)\s+({_NUMBER})\s*({_UNIT})(?!\w)(?:[^,;()]*?\btro (len|xuong)\b)?"
)

Compare = Callable[[float, float], bool]
_BOUNDS: dict[str, Compare] = {
    "duoi": operator.lt,
    "tren": operator.gt,
    "khong qua": operator.le,
    "den": operator.le,
    "tu": operator.ge,
    "tu xuong": operator.le,
}


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str


@dataclass(frozen=True)
class Limit:
    """A bound a procedure name sets on one unit ("dưới 5.000 m3": below 5,000 m3)."""

    bound: str
    value: float
    unit: str

    def admits(self, amount: Amount) -> bool:
        return amount.unit != self.unit or _BOUNDS[self.bound](amount.value, self.value)


def _folded(text: str) -> str:
    return strip_diacritics(fold_case(text))


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def amounts_in(text: str) -> list[Amount]:
    """The amounts a question states with a unit: "8.000 m3", "300 khối", "2 nghìn khối"."""
    found = []
    for match in _AMOUNT.finditer(_folded(text)):
        thousands = 1000 if re.search(r"nghin|ngan", match.group(0)) else 1
        found.append(Amount(_number(match.group(1)) * thousands, _UNITS[match.group(2)]))
    return found


def limits_in(name: str) -> list[Limit]:
    """The size limits a procedure name sets: "từ 5.000 m3/ngày đêm trở lên" is at least 5,000."""
    limits = []
    for match in _LIMIT.finditer(_folded(name)):
        bound = match.group(1)
        if bound == "tu" and match.group(4) == "xuong":
            bound = "tu xuong"
        limits.append(Limit(bound, _number(match.group(2)), _UNITS[match.group(3)]))
    return limits


def contradicts(name: str, amounts: list[Amount]) -> bool:
    """Whether the question's own figures fall outside a limit the name sets."""
    return any(not limit.admits(amount) for limit in limits_in(name) for amount in amounts)
