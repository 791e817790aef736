"""`hoidap faq lint`: checks the curated content beyond its schema.

Catches what a schema cannot: near-duplicate questions, placeholders that no
setting fills, answers without a legal basis or whose basis names no article,
phrasings that do not cover how citizens type, and outdated terms (the district
level, the household book presented as current) that the two-tier reform and
Luật Cư trú 2020 retired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path

from core.faq import FaqEntry, FaqFormatError, load_content_dir, read_jsonl
from core.settings import PLACEHOLDER_FIELDS
from core.text.normalize import fold_case, has_diacritics, strip_diacritics, tokens

ALLOWED_PLACEHOLDERS = frozenset(PLACEHOLDER_FIELDS)
MIN_PARAPHRASES = 3
DUPLICATE_SIMILARITY = 0.85
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_BRACES = re.compile(r"\{\{|\}\}")
# Outdated terms and the words that show a sentence speaks of them as past or abolished.
_DISTRICT = re.compile(
    r"\b(cấp huyện|ubnd (huyện|quận)|ủy ban nhân dân (huyện|quận)|công an (huyện|quận)|"
    r"phòng tư pháp (huyện|quận)|chi nhánh văn phòng đăng ký đất đai (huyện|quận))\b"
)
# A citation names the article the rule comes from, not only the law: "Luật Hộ tịch 2014, Điều 16".
_ARTICLE = re.compile(r"\b(điều|khoản|phụ lục)\s+[0-9ivx]", re.IGNORECASE)
_HOUSEHOLD_BOOK = re.compile(r"\bsổ (hộ khẩu|tạm trú)\b")
_PAST_MARKERS = (
    "không còn",
    "đã bỏ",
    "bãi bỏ",
    "hết giá trị",
    "không cần",
    "không phải",
    "không dùng",
    "thay cho",
    "thay thế",
    "trước đây",
    "trước ngày",
    "đã bị",
    "không được yêu cầu",
    "không có giá trị",
)


@dataclass(frozen=True)
class Problem:
    where: str  # "file:line" or "file"
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.entry}: {self.message}"


def _entry_lines(path: Path) -> dict[str, int]:
    """Line of each entry id in a category file (for messages staff can jump to)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        match = re.match(r"\s*-\s*id:\s*(\S+)", line)
        if match:
            lines[match.group(1).strip("'\"")] = number
    return lines


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;\n])\s+", text.lower()) if s]


def _outdated(entry: FaqEntry) -> list[str]:
    found = []
    for text in (entry.question, entry.answer):
        for sentence in _sentences(text):
            district = _DISTRICT.search(sentence)
            if district and not any(m in sentence for m in _PAST_MARKERS):
                found.append(f"names the district level as current: {district.group(0)!r}")
            if _HOUSEHOLD_BOOK.search(sentence) and not any(m in sentence for m in _PAST_MARKERS):
                found.append("presents the household book (sổ hộ khẩu/sổ tạm trú) as current")
    return found


def _placeholders(entry: FaqEntry) -> list[str]:
    found = []
    for text in (entry.question, entry.answer):
        names = _PLACEHOLDER.findall(text)
        found += [f"unknown placeholder {{{{{n}}}}}" for n in names if n not in ALLOWED_PLACEHOLDERS]
        if len(_BRACES.findall(_PLACEHOLDER.sub("", text))):
            found.append("unbalanced placeholder braces")
    return found


def check_entry(entry: FaqEntry) -> list[str]:
    messages = []
    if len(entry.paraphrases) < MIN_PARAPHRASES:
        messages.append(f"needs at least {MIN_PARAPHRASES} paraphrases, has {len(entry.paraphrases)}")
    if entry.paraphrases and all(has_diacritics(p) for p in entry.paraphrases):
        messages.append("no paraphrase without diacritics")
    if not entry.legal_basis:
        messages.append("missing legal basis")
    elif not any(_ARTICLE.search(line) for line in entry.legal_basis):
        messages.append("legal basis names no article (Điều …)")
    if not entry.level:
        messages.append("missing level (xa, tinh, trung-uong)")
    if entry.reviewed is None:
        messages.append("missing reviewed date")
    if not entry.id.startswith(f"{entry.category}-"):
        messages.append(f"id must start with its category {entry.category!r}")
    messages += [f"link is not https: {link}" for link in entry.links if not link.startswith("https://")]
    return messages + _placeholders(entry) + _outdated(entry)


_FILLERS = frozenset({"a", "ah", "oi", "nhe", "nha", "vay", "the", "nhi", "khong", "duoc"})


def _shingles(text: str) -> frozenset[str]:
    """Accent-free words and word pairs, without the fillers that do not change a question."""
    words = [w for w in tokens(strip_diacritics(fold_case(text))) if w not in _FILLERS]
    return frozenset(words) | frozenset(f"{a} {b}" for a, b in pairwise(words))


def near_duplicates(entries: Iterable[FaqEntry]) -> list[tuple[FaqEntry, FaqEntry, float]]:
    shingled = [(e, _shingles(e.question)) for e in entries]
    pairs = []
    for (a, sa), (b, sb) in combinations(shingled, 2):
        if sa and sb:
            similarity = len(sa & sb) / len(sa | sb)
            if similarity >= DUPLICATE_SIMILARITY:
                pairs.append((a, b, similarity))
    return pairs


def check_eval_files(folder: Path, ids: set[str]) -> list[Problem]:
    problems = []
    golden = folder / "golden.jsonl"
    if golden.is_file():
        for lineno, row in read_jsonl(golden):
            if row.get("gold_id") not in ids:
                problems.append(
                    Problem(f"{golden}:{lineno}", str(row.get("gold_id")), "gold id is not an entry")
                )
    return problems


def lint(content_dir: Path, eval_dir: Path | None = None) -> tuple[int, list[Problem]]:
    """Return the number of entries checked and every problem found."""
    try:
        _, entries = load_content_dir(content_dir)
    except FaqFormatError as exc:
        return 0, [Problem(str(exc).split(": ", 1)[0], "-", str(exc).split(": ", 1)[-1])]
    lines = {}
    for path in sorted(content_dir.glob("*.yaml")):
        lines.update({i: f"{path}:{n}" for i, n in _entry_lines(path).items()})
    problems = [
        Problem(lines.get(e.id, str(content_dir)), e.id, message)
        for e in entries
        for message in check_entry(e)
    ]
    for a, b, similarity in near_duplicates(entries):
        problems.append(
            Problem(
                lines.get(b.id, str(content_dir)),
                b.id,
                f"question nearly duplicates {a.id} ({similarity:.2f})",
            )
        )
    if eval_dir is not None:
        problems += check_eval_files(eval_dir, {e.id for e in entries})
    return len(entries), problems
