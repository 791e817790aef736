"""Vietnamese normalisation: NFC, one tone-mark placement, case/space folding, diacritics folding.

Citizens type the same syllable several ways: composed or decomposed Unicode
(NFD Vietnamese tokenises badly), tone marks in the old or new place ("hoà" vs
"hòa"), with or without diacritics.  Everything that indexes or matches text goes
through these functions so both sides meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks that carry the tone (as opposed to vowel quality: breve, circumflex, horn).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_QUALITY_VOWELS = set("ăâêôơư")
_VOWELS = set("aăâeêioôơuưy")
_TOKEN_RE = re.compile(r"\w+(?:[-./]\w+)*")
_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000e-\u001f\u007f]")
_INVISIBLE_SPACE_RE = re.compile(r"[\u200b-\u200f\u2028\u2029\ufeff]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def collapse_spaces(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def clean(text: str) -> str:
    """NFC; control characters dropped, invisible separators made spaces; tone marks unified;
    spaces collapsed. Case is kept."""
    text = _INVISIBLE_SPACE_RE.sub(" ", _CONTROL_RE.sub("", nfc(text)))
    return collapse_spaces(unify_tone_marks(text))


@lru_cache(maxsize=16384)  # an index build folds each row text several times
def fold_case(text: str) -> str:
    return clean(text).lower()


def _strip_table() -> dict[int, int | None]:
    table: dict[int, int | None] = {ord("đ"): ord("d"), ord("Đ"): ord("D")}
    for cp in range(0xC0, 0x2000):
        decomposed = unicodedata.normalize("NFD", chr(cp))
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if len(base) == 1 and base != chr(cp):
            table[cp] = ord(base)
    for cp in range(0x300, 0x370):  # combining marks left by decomposed input
        table[cp] = None
    return table


_STRIP = _strip_table()


def strip_diacritics(text: str) -> str:
    """Remove every diacritic (and đ→d): the form citizens type without a Vietnamese keyboard."""
    return text.translate(_STRIP)


def has_diacritics(token: str) -> bool:
    return strip_diacritics(token) != token


def tokens(text: str) -> list[str]:
    """Word tokens of already folded text; codes such as ``ct01``, ``tk1-ts``, ``1.000178`` stay whole."""
    return _TOKEN_RE.findall(text)


def _tone_position(base: str) -> int | None:
    """Index in ``base`` (a lowercase syllable without tone) where the tone mark belongs."""
    start = 0
    if base.startswith("qu") or (base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS):
        start = 2
    first = next((i for i in range(start, len(base)) if base[i] in _VOWELS), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(base) and base[last + 1] in _VOWELS:
        last += 1
    cluster = range(first, last + 1)
    quality = [i for i in cluster if base[i] in _QUALITY_VOWELS]
    if quality:
        return quality[-1]
    if last + 1 < len(base):  # a final consonant follows: the mark sits on the last vowel
        return last
    size = last - first + 1
    if size == 1:
        return first
    if size == 2:
        return first  # traditional placement: hòa, thủy, khỏe
    return first + 1


@lru_cache(maxsize=65536)  # the same few thousand syllables recur in every text
def _retone_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tone_marks = [ch for ch in decomposed if ch in _TONES]
    if len(tone_marks) != 1:
        return word
    bare = nfc("".join(ch for ch in decomposed if ch not in _TONES))
    position = _tone_position(bare.lower())
    if position is None:
        return word
    return nfc(bare[: position + 1] + tone_marks[0] + bare[position + 1 :])


# Letter pairs whose tone mark may sit in the other place (hoà, thuý, uỷ, qúy).
_RETONE_PAIR = r"(?:[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ]|[qQ][ùúủũụÙÚỦŨỤ])"
_RETONE_PAIR_RE = re.compile(_RETONE_PAIR)
_RETONE_WORD_RE = re.compile(rf"[^\W\d_]*{_RETONE_PAIR}[^\W\d_]*")


def unify_tone_marks(text: str) -> str:
    """Put every tone mark in one canonical (traditional) place: hoà→hòa, thuý→thúy."""
    if not _RETONE_PAIR_RE.search(text):  # most texts: nothing to move, skip the word scan
        return text
    return _RETONE_WORD_RE.sub(lambda m: _retone_word(m.group(0)), text)
