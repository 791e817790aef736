"""Import and export of the Q&A set for staff tools: CSV and Excel with one row per entry, and
JSON in the shape of `hoidap export faq`. Pure: bytes in and out, the database state passed in.

docs/IMPORT_FORMAT.md documents the layout. An import is checked as a whole before anything is
saved: every problem is collected with the row and column the user sees in Excel (header = row 1),
with the same rules as the editor form (EntryCreate) and the content files (FaqEntry); the plan
then says which entries would be created, which changed (and in which fields), which not.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, Field, ValidationError

from admin_api.entries_model import EntryCreate
from admin_api.routes.categories import CategoryCreate
from core.faq import Category, FaqEntry
from core.faq_versions import changed_fields

Format = Literal["csv", "xlsx", "json"]
FORMAT_BY_SUFFIX: dict[str, Format] = {"csv": "csv", "xlsx": "xlsx", "json": "json"}
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

COLUMNS = (
    "id",
    "category",
    "question",
    "answer",
    "paraphrases",
    "legal_basis",
    "level",
    "procedure_codes",
    "links",
    "reviewed",
    "status",
    "version",
)
# The content of an entry: a file must have all of these columns, so that an absent column can
# never be mistaken for "clear this field". status (read-only) and version (base version) may be left out.
CONTENT_COLUMNS = COLUMNS[:10]
LIST_COLUMNS = frozenset({"paraphrases", "legal_basis", "level", "procedure_codes", "links"})
REQUIRED_CELLS = ("id", "category", "question", "answer")
# Identifiers are stripped: a trailing space is invisible in Excel and would only confuse.
STRIPPED_COLUMNS = frozenset({"id", "category"})
LIST_SEPARATOR = "\n"  # one item per line inside the cell (Alt+Enter in Excel)
CATEGORY_COLUMNS = ("id", "name", "description")
ENTRIES_SHEET, CATEGORIES_SHEET = "entries", "categories"
MAX_ROWS = 10_000
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ID_RULE = "3 to 120 characters: a-z, 0-9, '.' and '-', starting with a letter or a digit"


class UnreadableFile(ValueError):
    """The upload is not a CSV, XLSX or JSON file of the expected shape (the message says why)."""


class Problem(BaseModel):
    row: int | None = Field(
        description="row as the spreadsheet shows it (header = 1); in JSON the position in the "
        "list (first = 1); null for the whole file"
    )
    column: str | None = Field(description="column (JSON: field) name; null for the whole row")
    message: str
    sheet: str = Field(default=ENTRIES_SHEET, description="entries or categories")


class UpdatedEntry(BaseModel):
    id: str
    fields: list[str] = Field(description="the fields the import changes")


class Plan(BaseModel):
    created: list[str] = Field(description="entries that do not exist yet (new drafts)")
    updated: list[UpdatedEntry]
    unchanged: int
    categories_created: list[str]


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class Exported:
    """A working copy and the version it is at (the base version of a later import)."""

    entry: FaqEntry
    version: int


def export(fmt: Format, entries: Sequence[Exported], categories: Sequence[Category]) -> bytes:
    if fmt == "csv":
        return write_csv(entries)
    if fmt == "xlsx":
        return write_xlsx(entries, categories)
    return write_json(entries, categories)


def _cells(item: Exported) -> list[Any]:
    data = item.entry.model_dump()
    data["version"] = item.version
    return [LIST_SEPARATOR.join(data[name]) if name in LIST_COLUMNS else data[name] for name in COLUMNS]


def write_csv(entries: Sequence[Exported]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Vietnamese text correctly; RFC 4180 quoting (CRLF between
    records; line breaks inside quoted cells are the list separator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(_cells(item) for item in entries)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


WIDTHS = {"id": 28, "category": 14, "question": 48, "answer": 80, "paraphrases": 48, "legal_basis": 36}
WRAP = Alignment(wrap_text=True, vertical="top")


def write_xlsx(entries: Sequence[Exported], categories: Sequence[Category]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = ENTRIES_SHEET
    _fill(sheet, COLUMNS, (_cells(item) for item in entries))
    rows = ([c.id, c.name, c.description] for c in categories)
    _fill(book.create_sheet(CATEGORIES_SHEET), CATEGORY_COLUMNS, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append(list(header))
    for index, name in enumerate(header, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 16)
    sheet.freeze_panes = "A2"
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet.cell(row=row, column=column), value)


def _put(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        # XML cannot carry most control characters (openpyxl refuses them).
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # text stays text: an answer starting with '=' is not a formula
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    cell.alignment = WRAP


def write_json(entries: Sequence[Exported], categories: Sequence[Category]) -> bytes:
    """The shape of `hoidap export faq`, plus each entry's version (the CLI ignores it)."""
    payload = {
        "categories": [c.model_dump() for c in categories],
        "entries": [{**item.entry.model_dump(mode="json"), "version": item.version} for item in entries],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Layout:
    sheet: str
    columns: tuple[str, ...]  # every column it knows
    required: tuple[str, ...]  # the columns a header must have


ENTRY_LAYOUT = Layout(ENTRIES_SHEET, COLUMNS, CONTENT_COLUMNS)
CATEGORY_LAYOUT = Layout(CATEGORIES_SHEET, CATEGORY_COLUMNS, ("id", "name"))


@dataclass
class Row:
    number: int
    values: dict[str, Any]


@dataclass
class Table:
    sheet: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # False when the header is wrong: what the cells mean is unknown, so rows are not checked.
    readable: bool = True

    def refuse(self, row: int | None, column: str | None, message: str) -> Table:
        self.problems.append(Problem(row=row, column=column, message=message, sheet=self.sheet))
        self.readable = False
        return self


@dataclass
class Upload:
    tabular: bool  # cells to parse (CSV, XLSX), not typed JSON values
    entries: Table
    categories: Table | None = None


def read(fmt: Format, data: bytes) -> Upload:
    if fmt == "csv":
        return read_csv(data)
    if fmt == "xlsx":
        return read_xlsx(data)
    return read_json(data)


def read_csv(data: bytes) -> Upload:
    try:
        text = data.decode("utf-8-sig")  # with or without the BOM
    except UnicodeDecodeError as exc:
        raise UnreadableFile("not UTF-8 text (in Excel, save as 'CSV UTF-8')") from exc
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
        records: list[Sequence[Any]] = list(reader)
    except csv.Error as exc:
        raise UnreadableFile(f"not valid CSV: {exc}") from exc
    return Upload(tabular=True, entries=_table(ENTRY_LAYOUT, records, complete_rows=True))


def _delimiter(text: str) -> str:
    """',' as written; ';' when the header uses it, as Excel does under Vietnamese regional settings
    (where ',' is the decimal separator)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_xlsx(data: bytes) -> Upload:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a damaged file
        raise UnreadableFile("not an Excel workbook (.xlsx)") from exc
    try:
        sheets = {sheet.title: sheet for sheet in book.worksheets}
        entries = _entries_sheet(sheets)
        categories = sheets.get(CATEGORIES_SHEET)
        return Upload(
            tabular=True,
            entries=_table(ENTRY_LAYOUT, _rows(entries)) if entries else _no_entries_sheet(),
            categories=_table(CATEGORY_LAYOUT, _rows(categories)) if categories else None,
        )
    finally:
        book.close()


def _entries_sheet(sheets: dict[str, Any]) -> Any:
    """The sheet "entries"; a workbook with a single sheet may call it anything (Sheet1)."""
    if ENTRIES_SHEET in sheets:
        return sheets[ENTRIES_SHEET]
    return next(iter(sheets.values())) if len(sheets) == 1 else None


def _rows(sheet: Any) -> Iterable[Sequence[Any]]:
    rows: Iterable[Sequence[Any]] = sheet.iter_rows(values_only=True)
    return rows


def _no_entries_sheet() -> Table:
    return Table(ENTRIES_SHEET).refuse(None, None, f"no sheet named {ENTRIES_SHEET!r}")


def read_json(data: bytes) -> Upload:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError alike
        raise UnreadableFile(f"not valid JSON: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        raise UnreadableFile('expected an object {"categories": [...], "entries": [...]}')
    categories = payload.get("categories", [])
    if not isinstance(categories, list):
        raise UnreadableFile('"categories" must be a list')
    return Upload(
        tabular=False,
        entries=_json_table(ENTRY_LAYOUT, payload["entries"]),
        categories=_json_table(CATEGORY_LAYOUT, categories),
    )


def _json_table(layout: Layout, items: list[Any]) -> Table:
    table = Table(layout.sheet)
    if len(items) > MAX_ROWS:
        return table.refuse(None, None, f"more than {MAX_ROWS} items: split the file")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            table.problems.append(
                Problem(row=number, column=None, message="expected an object", sheet=table.sheet)
            )
            continue
        for name in sorted(set(item) - set(layout.columns)):
            message = f"unknown field; the fields are: {', '.join(layout.columns)}"
            table.problems.append(Problem(row=number, column=str(name), message=message, sheet=table.sheet))
        table.rows.append(Row(number, {k: v for k, v in item.items() if k in layout.columns}))
    return table


def _table(layout: Layout, records: Iterable[Sequence[Any]], complete_rows: bool = False) -> Table:
    """Rows of a sheet by column name, numbered as the spreadsheet shows them; blank rows are
    skipped. ``complete_rows``: a row must have a cell for every column (CSV, where a short row
    means a broken line; Excel rows simply end at their last value)."""
    table = Table(layout.sheet)
    lines = iter(records)
    header = next(lines, None)
    if header is None or _blank_row(header):
        return table.refuse(1, None, "the header row is missing (row 1 names the columns)")
    names = [_header_name(value) for value in header]
    for problem in _header_problems(layout, names):
        table.refuse(problem.row, problem.column, problem.message)
    if not table.readable:
        return table
    unnamed: set[int] = set()
    for number, cells in enumerate(lines, start=2):
        if _blank_row(cells):
            continue  # a formatted sheet may report a million of these: nothing is kept
        if len(table.rows) == MAX_ROWS:
            return table.refuse(None, None, f"more than {MAX_ROWS} rows: split the file")
        if complete_rows and len(cells) != len(names):
            message = f"{len(cells)} cells where the header has {len(names)}"
            table.problems.append(Problem(row=number, column=None, message=message, sheet=table.sheet))
            continue
        unnamed |= {i for i, v in enumerate(cells) if not _blank(v) and (i >= len(names) or not names[i])}
        values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(names) if name}
        table.rows.append(Row(number, values))
    for index in sorted(unnamed):
        table.refuse(1, _column_label(index), "values under an empty header cell")
    return table


def _column_label(index: int) -> str:
    """Excel's letter for a column (its last is XFD); a wider CSV gets the number."""
    return f"column {get_column_letter(index + 1) if index < 16384 else index + 1}"


def _header_problems(layout: Layout, names: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in names:
        if not name:
            continue  # harmless unless values stand under it (checked with the rows)
        if name not in layout.columns:
            message = f"unknown column; the columns are: {', '.join(layout.columns)}"
            problems.append(Problem(row=1, column=name, message=message))
        elif name in seen:
            problems.append(Problem(row=1, column=name, message="this column appears twice"))
        seen.add(name)
    for name in layout.required:
        if name not in seen:
            problems.append(Problem(row=1, column=name, message="missing column"))
    return problems


def _header_name(value: Any) -> str:
    return "" if value is None else str(value).strip().lower()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(cells: Sequence[Any]) -> bool:
    return all(_blank(value) for value in cells)


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class Stored:
    """An entry's working copy in the database: its version and faq_versions.snapshot."""

    version: int
    snapshot: dict[str, Any]


@dataclass
class Current:
    entries: dict[str, Stored]
    categories: set[str]


@dataclass(frozen=True)
class Incoming:
    row: int
    entry: FaqEntry  # with the status the entry has (new entries: draft); imports never change it
    base_version: int | None


@dataclass
class Checked:
    entries: list[Incoming]
    categories: list[Category]  # categories of the file that do not exist yet
    problems: list[Problem]


def check(upload: Upload, current: Current) -> Checked:
    """Every problem of the upload; the entries and new categories are only usable without any."""
    tables = [upload.entries, *([upload.categories] if upload.categories else [])]
    problems = [p for table in tables for p in table.problems]
    if not all(table.readable for table in tables):
        return Checked([], [], problems)
    categories, file_category_ids, category_problems = _check_categories(upload, current)
    known = current.categories | file_category_ids
    entries, entry_problems = _check_entries(upload, known, current)
    problems += category_problems + entry_problems
    problems.sort(key=_reading_order)
    return Checked(entries, categories, problems)


def _reading_order(problem: Problem) -> tuple[bool, int, int]:
    """Entries first, then categories; by row, and left to right within a row."""
    columns = COLUMNS if problem.sheet == ENTRIES_SHEET else CATEGORY_COLUMNS
    position = columns.index(problem.column) if problem.column in columns else len(columns)
    return problem.sheet != ENTRIES_SHEET, problem.row or 0, position


def _check_categories(upload: Upload, current: Current) -> tuple[list[Category], set[str], list[Problem]]:
    """Categories the file defines: new ones are created; existing ones are left as they are
    (they have no versions, so a stale file must not rename them back)."""
    created: list[Category] = []
    ids: set[str] = set()
    problems: list[Problem] = []
    table = upload.categories
    for row in table.rows if table else []:
        values, cell_problems = (
            _cell_values(row, _category_cell, CATEGORIES_SHEET) if upload.tabular else (row.values, [])
        )
        try:
            category = Category.model_validate(CategoryCreate.model_validate(values).model_dump())
        except ValidationError as exc:
            reported = {p.column for p in cell_problems}
            problems += cell_problems
            problems += [p for p in _problems(exc, row.number, CATEGORIES_SHEET) if p.column not in reported]
            continue
        if category.id in ids:
            problems.append(_problem(row.number, "id", "this category appears twice", CATEGORIES_SHEET))
        elif category.id not in current.categories:
            created.append(category)
        ids.add(category.id)
    return created, ids, problems


def _check_entries(upload: Upload, known: set[str], current: Current) -> tuple[list[Incoming], list[Problem]]:
    entries: list[Incoming] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for row in upload.entries.rows:
        raw_id = _raw_id(row)
        if raw_id in first_row:
            problems.append(_problem(row.number, "id", f"this id appears already in row {first_row[raw_id]}"))
            continue
        if raw_id:
            first_row[raw_id] = row.number
        incoming, row_problems = _check_entry(row, upload.tabular, known, current)
        problems += row_problems
        if incoming is not None:
            entries.append(incoming)
    return entries, problems


def _raw_id(row: Row) -> str:
    value = row.values.get("id")
    return str(value).strip() if isinstance(value, str | int) else ""


def _check_entry(
    row: Row, tabular: bool, known: set[str], current: Current
) -> tuple[Incoming | None, list[Problem]]:
    values, problems = _cell_values(row) if tabular else _json_values(row)
    unreadable = {p.column for p in problems}
    for name in REQUIRED_CELLS:
        if _blank(values.get(name)) and name not in unreadable:
            problems.append(_problem(row.number, name, "required: the cell is empty"))
    try:
        form: EntryCreate | None = EntryCreate.model_validate(values)  # the editor form's limits
    except ValidationError as exc:
        form = None
        reported = {p.column for p in problems}
        problems += [p for p in _problems(exc, row.number) if p.column not in reported]
    problems += _reference_problems(row.number, values, known, current, {p.column for p in problems})
    if problems or form is None:
        return None, problems
    stored = current.entries.get(form.id)
    status = stored.snapshot.get("status", "draft") if stored else "draft"
    try:
        entry = FaqEntry.model_validate({**form.model_dump(), "status": status})  # the content rules
    except ValidationError as exc:
        return None, _problems(exc, row.number)
    return Incoming(row.number, entry, values.get("version")), []


def _reference_problems(
    row: int, values: dict[str, Any], known: set[str], current: Current, reported: set[str | None]
) -> list[Problem]:
    """What the row refers to: its category, and the version it was exported at. Checked even when
    other cells are wrong, so that one upload reports every problem; not for cells already reported."""
    problems = []
    category = values.get("category")
    if "category" not in reported and category not in known:
        message = f"no category {category!r}: create it first or add it to the categories"
        problems.append(_problem(row, "category", message))
    if not reported & {"id", "version"}:
        entry_id = str(values.get("id"))
        problems += _conflicts(row, entry_id, values.get("version"), current.entries.get(entry_id))
    return problems


def _conflicts(row: int, entry_id: str, base_version: int | None, stored: Stored | None) -> list[Problem]:
    """A row that names the version it was exported at must still find the entry at it: otherwise
    someone changed the entry since, and saving the row would silently undo their change."""
    if base_version is None:
        return []
    if stored is None:
        message = f"no entry {entry_id!r} exists: empty the version cell to create it (was the id changed?)"
        return [_problem(row, "version", message)]
    if stored.version != base_version:
        message = (
            f"the entry changed since version {base_version} (it is at version {stored.version}): "
            "export again and redo this row"
        )
        return [_problem(row, "version", message)]
    return []


def _cell_values(
    row: Row, parse: Callable[[str, Any], Any] | None = None, sheet: str = ENTRIES_SHEET
) -> tuple[dict[str, Any], list[Problem]]:
    """Cells as field values (by default an entry's: lists split into lines, dates and versions
    parsed); a cell that cannot be read is a problem of its column."""
    parse = parse or _parse_cell
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, cell in row.values.items():
        try:
            values[name] = parse(name, cell)
        except ValueError as exc:
            problems.append(_problem(row.number, name, str(exc), sheet))
    return values, problems


def _category_cell(name: str, cell: Any) -> str:
    return _text(cell).strip()


def _parse_cell(name: str, cell: Any) -> Any:
    if name in LIST_COLUMNS:
        return [line.strip() for line in _text(cell).split(LIST_SEPARATOR) if line.strip()]
    if name == "reviewed":
        return _date(cell)
    if name == "version":
        return _version(cell)
    return _text(cell).strip() if name in STRIPPED_COLUMNS else _text(cell)


def _json_values(row: Row) -> tuple[dict[str, Any], list[Problem]]:
    values = dict(row.values)
    try:
        values["version"] = _version(values.get("version"))
    except ValueError as exc:
        return values, [_problem(row.number, "version", str(exc))]
    return values, []


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):  # datetime too
        raise ValueError("Excel turned this cell into a date: format the cell as Text and type it again")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    # Windows line ends inside a cell would read as a change of every multi-line answer.
    return str(cell).replace("\r\n", "\n").replace("\r", "\n")


def _date(cell: Any) -> date | None:
    if _blank(cell):
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell).strip()
    if DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"expected a date as YYYY-MM-DD, found {text!r}")


def _version(cell: Any) -> int | None:
    if _blank(cell):
        return None
    text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell).strip()
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise ValueError(f"expected the version the row was exported at (1, 2, …) or nothing: {text!r}")
    return int(text)


def _problem(row: int, column: str | None, message: str, sheet: str = ENTRIES_SHEET) -> Problem:
    return Problem(row=row, column=column, message=message, sheet=sheet)


def _problems(exc: ValidationError, row: int, sheet: str = ENTRIES_SHEET) -> list[Problem]:
    """Pydantic errors as problems of a row: the column is the field, 'item n' the list item."""
    problems = []
    for error in exc.errors(include_url=False):
        location = error["loc"]
        message = error["msg"]
        if len(location) > 1 and isinstance(location[1], int):
            message = f"item {location[1] + 1}: {message}"
        if location and location[0] == "id" and error["type"] == "string_pattern_mismatch":
            message = f"an id is {ID_RULE}"
        problems.append(_problem(row, str(location[0]) if location else None, message, sheet))
    return problems


# ---------------------------------------------------------------- the plan


def _content(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "status"}


def make_plan(checked: Checked, current: Current) -> Plan:
    """What saving the checked entries would do to the working copies."""
    created: list[str] = []
    updated: list[UpdatedEntry] = []
    unchanged = 0
    for item in checked.entries:
        stored = current.entries.get(item.entry.id)
        if stored is None:
            created.append(item.entry.id)
            continue
        changes = changed_fields(_content(stored.snapshot), _content(item.entry.model_dump(mode="json")))
        if changes:
            updated.append(UpdatedEntry(id=item.entry.id, fields=sorted(changes)))
        else:
            unchanged += 1
    return Plan(
        created=created,
        updated=updated,
        unchanged=unchanged,
        categories_created=[c.id for c in checked.categories],
    )


def to_save(checked: Checked, plan: Plan) -> list[FaqEntry]:
    """The entries the plan creates or changes (unchanged ones get no new version)."""
    wanted = {*plan.created, *(u.id for u in plan.updated)}
    return [item.entry for item in checked.entries if item.entry.id in wanted]
