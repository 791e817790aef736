"""Q&A entries and the loaders for the curated YAML set and for JSONL evaluation files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

Level = Literal["xa", "tinh", "trung-uong"]


# Ids of national catalog records as the index holds them; a curated entry may not use the prefix,
# or a tap on it would be taken for a catalog card.
CATALOG_ID_PREFIX = "tthc-"
RESERVED_ID = f"ids starting {CATALOG_ID_PREFIX!r} are reserved for national catalog records"


def is_catalog_id(entry_id: str) -> bool:
    return entry_id.startswith(CATALOG_ID_PREFIX)


class FaqFormatError(ValueError):
    """A content file does not follow the documented format; the message names file and line."""


class FaqEntry(BaseModel):
    id: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    category: str = ""
    # Evaluation sets may leave one of these empty; curated content requires both (see below).
    question: str = ""
    answer: str = ""
    paraphrases: list[str] = Field(default_factory=list)
    legal_basis: list[str] = Field(default_factory=list)
    level: list[Level] = Field(default_factory=list)
    procedure_codes: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    reviewed: date | None = None
    status: Literal["draft", "published", "archived"] = "published"

    @field_validator("paraphrases", "legal_basis", "procedure_codes", "links")
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v and v.strip()]


class Category(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    description: str = ""


class CategoryFile(BaseModel):
    category: Category
    entries: list[dict[str, Any]]


def default_content_dir() -> Path:
    return Path(str(resources.files("faq_data").joinpath("content")))


def _entry_lines(text: str) -> list[int]:
    """1-based line of each item under ``entries:`` (for error messages)."""
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "entries" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}"


def load_category_file(path: Path) -> tuple[Category, list[FaqEntry]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise FaqFormatError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise FaqFormatError(f"{path}{line}: invalid YAML: {exc}") from exc
    try:
        parsed = CategoryFile.model_validate(data)
    except ValidationError as exc:
        raise FaqFormatError(f"{path}:1: {_describe(exc)}") from exc
    if parsed.category.id != path.stem:
        raise FaqFormatError(f"{path}:1: category.id {parsed.category.id!r} must equal the file name")
    lines = _entry_lines(text)
    entries = []
    for i, raw in enumerate(parsed.entries):
        lineno = lines[i] if i < len(lines) else 1
        try:
            entry = FaqEntry.model_validate({**raw, "category": parsed.category.id})
        except ValidationError as exc:
            raise FaqFormatError(f"{path}:{lineno}: entry {i + 1}: {_describe(exc)}") from exc
        for name in ("question", "answer"):
            if not getattr(entry, name).strip():
                raise FaqFormatError(f"{path}:{lineno}: entry {entry.id}: {name} is empty")
        if is_catalog_id(entry.id):
            raise FaqFormatError(f"{path}:{lineno}: entry {entry.id}: {RESERVED_ID}")
        entries.append(entry)
    return parsed.category, entries


def load_content_dir(folder: Path) -> tuple[list[Category], list[FaqEntry]]:
    categories: list[Category] = []
    entries: list[FaqEntry] = []
    for path in sorted(folder.glob("*.yaml")):
        category, items = load_category_file(path)
        categories.append(category)
        entries.extend(items)
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise FaqFormatError(f"{folder}: duplicate entry id {entry.id!r}")
        seen.add(entry.id)
    return categories, entries


def load_jsonl_entries(path: Path) -> list[FaqEntry]:
    """Read ``{"id","question","answer","paraphrases","category"}`` lines (extra keys ignored)."""
    entries = []
    for lineno, data in read_jsonl(path):
        try:
            entries.append(
                FaqEntry.model_validate(
                    {k: data[k] for k in ("id", "question", "answer", "paraphrases", "category") if k in data}
                )
            )
        except ValidationError as exc:
            raise FaqFormatError(f"{path}:{lineno}: {_describe(exc)}") from exc
    return entries


def read_jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise FaqFormatError(f"{path}: cannot read: {exc.strerror}") from exc
    with handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FaqFormatError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(data, dict):
                raise FaqFormatError(f"{path}:{lineno}: expected a JSON object")
            yield lineno, data


def published(entries: Iterable[FaqEntry]) -> list[FaqEntry]:
    return [e for e in entries if e.status == "published"]
