"""The periodic report (quarter, half year, year) laid out as a provincial office files it:
figures of the period against the previous one, by field (lĩnh vực), the main unanswered
topics and what staff changed in the Q&A set. Rendered as an .xlsx workbook or a printable
standalone HTML page; both are built from the same ``PeriodicReport`` and the same rows."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from admin_api import stats
from admin_api.stats import LOCAL_TZ, Actions, Period, Summary, Tally, Topic
from admin_api.unanswered import QueueGrouper

PeriodKind = Literal["quarter", "half", "year"]
TITLE = "BÁO CÁO KẾT QUẢ TRẢ LỜI HỎI ĐÁP THỦ TỤC HÀNH CHÍNH"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS_IN = {"quarter": 3, "half": 6, "year": 12}
NUMBERS = {"quarter": 4, "half": 2, "year": 1}
TOPIC_LIMIT = 15


class PeriodError(ValueError):
    """A report period that does not exist; ``field`` names the offending query parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar quarter (number 1–4), half year (1–2) or year (number None)."""

    kind: PeriodKind
    year: int
    number: int | None = None

    def __post_init__(self) -> None:
        if self.kind == "year":
            if self.number is not None:
                raise PeriodError("number", "must be absent for period=year")
        elif self.number is None or not 1 <= self.number <= NUMBERS[self.kind]:
            raise PeriodError("number", f"must be 1 to {NUMBERS[self.kind]} for period={self.kind}")

    @property
    def _first_month(self) -> int:
        return (self._index - 1) * MONTHS_IN[self.kind] + 1

    @property
    def _index(self) -> int:
        return self.number or 1

    @property
    def period(self) -> Period:
        start = date(self.year, self._first_month, 1)
        after = self._first_month + MONTHS_IN[self.kind]
        end = date(self.year + 1, 1, 1) if after > 12 else date(self.year, after, 1)
        return Period(stats.local_midnight(start), stats.local_midnight(end))

    def previous(self) -> ReportPeriod:
        """The period of the same length just before (Q1 → Q4 of the year before, and so on)."""
        if self.kind == "year" or self._index == 1:
            last = None if self.kind == "year" else NUMBERS[self.kind]
            return ReportPeriod(self.kind, self.year - 1, last)
        return ReportPeriod(self.kind, self.year, self._index - 1)

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"Quý {ROMAN[self._index]} năm {self.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self._index == 1 else 'cuối'} năm {self.year}"
        return f"Năm {self.year}"

    @property
    def dates(self) -> str:
        period = self.period
        return f"Từ ngày {_dmy(period.first_day)} đến ngày {_dmy(period.last_day)}"

    @property
    def slug(self) -> str:
        """An ASCII file name stem."""
        if self.kind == "quarter":
            return f"bao-cao-quy-{self._index}-{self.year}"
        if self.kind == "half":
            return f"bao-cao-6-thang-{'dau' if self._index == 1 else 'cuoi'}-{self.year}"
        return f"bao-cao-nam-{self.year}"


def last_complete(kind: PeriodKind, today: date) -> ReportPeriod:
    """The latest period of this kind that has ended by ``today`` (the usual thing to report)."""
    if kind == "year":
        return ReportPeriod("year", today.year - 1)
    current = (today.month - 1) // MONTHS_IN[kind] + 1
    return ReportPeriod(kind, today.year, current).previous()


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Line:
    """One row of the summary tables: this period, the previous one and the change (percentage
    points for rates, plain difference for counts)."""

    label: str
    current: float | None
    previous: float | None
    unit: Literal["count", "rate", "ms"]

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        if self.unit == "rate":
            return round((self.current - self.previous) * 100, 2)
        return round(self.current - self.previous, 2)


_COUNTS: list[tuple[str, Callable[[Summary], float | None], Literal["count", "ms"]]] = [
    ("Tổng số câu hỏi", lambda s: s.questions, "count"),
    ("Trả lời trực tiếp từ bộ hỏi đáp", lambda s: s.answered, "count"),
    ("Gợi ý câu hỏi tương tự", lambda s: s.suggested, "count"),
    ("Trả lời bằng thẻ thủ tục (CSDL quốc gia)", lambda s: s.catalog, "count"),
    ("Chưa có câu trả lời (hướng dẫn liên hệ)", lambda s: s.fallback, "count"),
    ("Số lượt đánh giá", lambda s: s.rated, "count"),
    ("Số lượt đánh giá hài lòng", lambda s: s.helpful, "count"),
    ("Lời chào, tin nhắn trống (không tính là câu hỏi)", lambda s: s.smalltalk + s.empty, "count"),
    ("Thời gian phản hồi trung vị (mili giây)", lambda s: s.median_latency_ms, "ms"),
]
_RATES: list[tuple[str, Callable[[Summary], float | None]]] = [
    ("Tỷ lệ trả lời trực tiếp", lambda s: s.answered_rate),
    ("Tỷ lệ gợi ý câu hỏi tương tự", lambda s: s.suggested_rate),
    ("Tỷ lệ trả lời bằng thẻ thủ tục", lambda s: s.catalog_rate),
    ("Tỷ lệ chưa có câu trả lời", lambda s: s.fallback_rate),
    ("Tỷ lệ hài lòng (trên số lượt đánh giá)", lambda s: s.satisfaction_rate),
]


@dataclass(frozen=True)
class PeriodicReport:
    office: str  # e.g. "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"
    period: ReportPeriod
    current: Summary
    previous: Summary
    fields: list[Tally]
    topics: list[Topic]
    actions: Actions
    generated_at: datetime

    @property
    def previous_period(self) -> ReportPeriod:
        return self.period.previous()

    @property
    def counts(self) -> list[Line]:
        return [Line(label, get(self.current), get(self.previous), unit) for label, get, unit in _COUNTS]

    @property
    def rates(self) -> list[Line]:
        return [Line(label, get(self.current), get(self.previous), "rate") for label, get in _RATES]

    @property
    def partial(self) -> bool:
        """The period has not ended yet: the figures run to the generation date."""
        return self.generated_at < self.period.period.until

    @property
    def action_counts(self) -> list[tuple[str, int]]:
        a = self.actions
        return [
            ("Số câu hỏi bổ sung mới", len(a.added)),
            ("Số câu hỏi được cập nhật, chỉnh sửa", len(a.changed)),
            ("Số lượt công bố", a.published),
            ("Số lượt ngừng sử dụng (lưu trữ)", a.archived),
        ]

    @property
    def action_rows(self) -> list[tuple[str, str, str, int, str]]:
        """(entry id, question, kind, versions in the period, last change dd/mm/yyyy)."""
        kinds = [("Bổ sung mới", self.actions.added), ("Cập nhật", self.actions.changed)]
        return [
            (c.entry_id, c.question or "", kind, c.versions, _dmy(c.last_changed_at.date()))
            for kind, changes in kinds
            for c in changes
        ]


def build_report(
    session: Session, grouper: QueueGrouper, period: ReportPeriod, province_name: str, now: datetime
) -> PeriodicReport:
    current = period.period
    return PeriodicReport(
        office=f"ỦY BAN NHÂN DÂN {province_name}".upper(),
        period=period,
        current=stats.summary(session, current),
        previous=stats.summary(session, period.previous().period),
        fields=stats.by_category(session, current),
        topics=stats.unanswered_topics(session, grouper, current.since, current.until, TOPIC_LIMIT),
        actions=stats.actions(session, current),
        generated_at=now.astimezone(LOCAL_TZ),
    )


def _signed_date(moment: datetime) -> str:
    return f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"


# -- XLSX -------------------------------------------------------------------------------------

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.00%"
POINTS = "+0.00;-0.00;0.00"
COUNT = "#,##0"
SIGNED = "+#,##0;-#,##0;0"
BOLD = Font(bold=True)


def put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """Writes one cell. Text always stays text: openpyxl would store a citizen's "=…" as a
    formula, which a spreadsheet program then runs."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format and value is not None:
        cell.number_format = number_format


def put_header(sheet: Worksheet, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        put(sheet, row, column, header)
        cell = sheet.cell(row=row, column=column)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = width


def _centered(sheet: Worksheet, row: int, text: str, bold: bool = False, italic: bool = False) -> None:
    put(sheet, row, 1, text)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    cell = sheet.cell(row=row, column=1)
    cell.font = Font(bold=bold, italic=italic)
    cell.alignment = Alignment(horizontal="center")


def _summary_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    sheet.title = "Tổng hợp"
    put(sheet, 1, 1, report.office)
    put(sheet, 2, 1, "VĂN PHÒNG")
    put(sheet, 1, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    put(sheet, 2, 3, "Độc lập - Tự do - Hạnh phúc")
    put(sheet, 3, 3, _signed_date(report.generated_at))
    for row, column in ((1, 1), (2, 1), (1, 3), (2, 3)):
        sheet.cell(row=row, column=column).font = BOLD
    _centered(sheet, 5, TITLE, bold=True)
    _centered(sheet, 6, report.period.label, bold=True)
    _centered(sheet, 7, f"({report.period.dates})", italic=True)
    compared = report.previous_period
    _centered(sheet, 8, f"So sánh với kỳ trước: {compared.label} ({compared.dates.lower()})", italic=True)
    row = 10
    if report.partial:
        put(sheet, row - 1, 1, f"Số liệu tính đến {_signed_date(report.generated_at)}.")
    put(sheet, row, 1, "I. KẾT QUẢ CHUNG")
    sheet.cell(row=row, column=1).font = BOLD
    widths = (52, 20, 20, 20)
    put_header(
        sheet, row + 1, ("Chỉ tiêu", report.period.label, compared.label, "Tăng (+), giảm (-)"), widths
    )
    row += 2
    for line in report.counts:
        fmt = COUNT if line.unit == "count" else "#,##0.0"
        put(sheet, row, 1, line.label)
        put(sheet, row, 2, line.current, fmt)
        put(sheet, row, 3, line.previous, fmt)
        put(sheet, row, 4, line.change, SIGNED if line.unit == "count" else "+#,##0.0;-#,##0.0;0")
        row += 1
    row += 1
    put(sheet, row, 1, "II. TỶ LỆ VÀ XU HƯỚNG SO VỚI KỲ TRƯỚC")
    sheet.cell(row=row, column=1).font = BOLD
    put_header(
        sheet, row + 1, ("Chỉ tiêu", report.period.label, compared.label, "Chênh lệch (điểm %)"), widths
    )
    row += 2
    for line in report.rates:
        put(sheet, row, 1, line.label)
        put(sheet, row, 2, line.current, PERCENT)
        put(sheet, row, 3, line.previous, PERCENT)
        put(sheet, row, 4, line.change, POINTS)
        row += 1


def _fields_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    headers = (
        "STT",
        "Lĩnh vực",
        "Số câu hỏi",
        "Trả lời trực tiếp",
        "Tỷ lệ trả lời trực tiếp",
        "Số lượt đánh giá",
        "Tỷ lệ hài lòng",
    )
    put_header(sheet, 1, headers, (6, 40, 12, 14, 14, 14, 14))
    for row, tally in enumerate(report.fields, start=2):
        values = (row - 1, tally.label, tally.questions, tally.answered, tally.answered_rate)
        formats = (None, None, COUNT, COUNT, PERCENT, COUNT, PERCENT)
        for column, value in enumerate((*values, tally.rated, tally.satisfaction_rate), start=1):
            put(sheet, row, column, value, formats[column - 1])
    total = len(report.fields) + 2
    put(sheet, total, 2, "Tổng cộng")
    sheet.cell(row=total, column=2).font = BOLD
    put(sheet, total, 3, report.current.questions, COUNT)
    put(sheet, total, 4, report.current.answered, COUNT)
    put(sheet, total, 5, report.current.answered_rate, PERCENT)
    put(sheet, total, 6, report.current.rated, COUNT)
    put(sheet, total, 7, report.current.satisfaction_rate, PERCENT)


def _topics_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    put_header(sheet, 1, ("STT", "Nội dung câu hỏi", "Số lượt", "Một số cách hỏi"), (6, 60, 10, 80))
    for row, topic in enumerate(report.topics, start=2):
        put(sheet, row, 1, row - 1)
        put(sheet, row, 2, topic.label)
        put(sheet, row, 3, topic.count, COUNT)
        put(sheet, row, 4, "; ".join(topic.examples))


def _actions_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    """The counts first, then the entries added or changed, one row each."""
    put_header(sheet, 1, ("STT", "Công việc", "Số lượng"), (6, 36, 60))
    for row, (label, count) in enumerate(report.action_counts, start=2):
        put(sheet, row, 1, row - 1)
        put(sheet, row, 2, label)
        put(sheet, row, 3, count, COUNT)
    first = len(report.action_counts) + 3
    headers = (
        "STT",
        "Mã câu hỏi",
        "Nội dung câu hỏi",
        "Hình thức",
        "Số phiên bản trong kỳ",
        "Cập nhật lần cuối",
    )
    put_header(sheet, first, headers, (6, 36, 60, 14, 14, 16))
    for row, values in enumerate(report.action_rows, start=first + 1):
        for column, value in enumerate((row - first, *values), start=1):
            put(sheet, row, column, value)


def render_xlsx(report: PeriodicReport) -> bytes:
    """Sheets: Tổng hợp (summary and trend), Theo lĩnh vực, Chưa trả lời được, Việc đã thực hiện."""
    book = Workbook()
    _summary_sheet(book.active, report)
    for title, fill in (
        ("Theo lĩnh vực", _fields_sheet),
        ("Chưa trả lời được", _topics_sheet),
        ("Việc đã thực hiện", _actions_sheet),
    ):
        fill(book.create_sheet(title), report)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- HTML -------------------------------------------------------------------------------------

_STYLE = """
@page { size: A4; margin: 2cm 1.5cm 2cm 3cm; }
body { font-family: "Times New Roman", Times, serif; font-size: 13pt; line-height: 1.35; margin: 1.5em; }
.top { width: 100%; border: none; margin-bottom: 1.5em; }
.top td { border: none; text-align: center; vertical-align: top; width: 50%; padding: 0; }
.date { font-style: italic; }
h1 { font-size: 14pt; text-align: center; margin: 0.5em 0 0.2em; }
.sub { text-align: center; margin: 0.1em 0; }
h2 { font-size: 13pt; margin: 1.2em 0 0.4em; }
table.data { border-collapse: collapse; width: 100%; page-break-inside: auto; }
table.data th, table.data td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top; }
table.data th { font-weight: bold; text-align: center; }
td.n { text-align: right; white-space: nowrap; }
tr { page-break-inside: avoid; }
"""


def _number(value: float | None, decimals: int = 0, signed: bool = False) -> str:
    """Vietnamese number format: '.' between thousands, ',' before decimals."""
    if value is None:
        return "—"
    text = f"{value:{'+' if signed and value else ''},.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _percent(value: float | None) -> str:
    return "—" if value is None else _number(value * 100, 2) + "%"


def _cell(value: object, numeric: bool = False) -> str:
    return f"<td{' class=n' if numeric else ''}>{html.escape(str(value))}</td>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[tuple[object, bool]]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v, n) for v, n in row) + "</tr>" for row in rows)
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _line_cells(line: Line) -> list[tuple[object, bool]]:
    if line.unit == "rate":
        shown = [_percent(line.current), _percent(line.previous), _number(line.change, 2, signed=True)]
    else:
        decimals = 0 if line.unit == "count" else 1
        shown = [_number(v, decimals) for v in (line.current, line.previous)]
        shown.append(_number(line.change, decimals, signed=True))
    return [(line.label, False), *((s, True) for s in shown)]


def _html_sections(report: PeriodicReport) -> list[str]:
    this, before = report.period.label, report.previous_period.label
    fields = [
        [
            (i, True),
            (t.label, False),
            (_number(t.questions), True),
            (_number(t.answered), True),
            (_percent(t.answered_rate), True),
            (_number(t.rated), True),
            (_percent(t.satisfaction_rate), True),
        ]
        for i, t in enumerate(report.fields, start=1)
    ]
    c = report.current
    fields.append(
        [
            ("", False),
            ("Tổng cộng", False),
            *((_number(v), True) for v in (c.questions, c.answered)),
            (_percent(c.answered_rate), True),
            (_number(c.rated), True),
            (_percent(c.satisfaction_rate), True),
        ]
    )
    topics = [
        [(i, True), (t.label, False), (_number(t.count), True), ("; ".join(t.examples), False)]
        for i, t in enumerate(report.topics, start=1)
    ]
    changes = [
        [(i, True), *((v, isinstance(v, int)) for v in row)]
        for i, row in enumerate(report.action_rows, start=1)
    ]
    done = "; ".join(f"{label}: {_number(count)}" for label, count in report.action_counts)
    return [
        "<h2>I. KẾT QUẢ CHUNG</h2>",
        _table(("Chỉ tiêu", this, before, "Tăng (+), giảm (-)"), [_line_cells(x) for x in report.counts]),
        "<h2>II. TỶ LỆ VÀ XU HƯỚNG SO VỚI KỲ TRƯỚC</h2>",
        _table(("Chỉ tiêu", this, before, "Chênh lệch (điểm %)"), [_line_cells(x) for x in report.rates]),
        "<h2>III. KẾT QUẢ THEO LĨNH VỰC</h2>",
        _table(
            (
                "STT",
                "Lĩnh vực",
                "Số câu hỏi",
                "Trả lời trực tiếp",
                "Tỷ lệ trả lời",
                "Lượt đánh giá",
                "Hài lòng",
            ),
            fields,
        ),
        "<h2>IV. CÁC NỘI DUNG CHƯA TRẢ LỜI ĐƯỢC HOẶC CHƯA HÀI LÒNG</h2>",
        _table(("STT", "Nội dung câu hỏi", "Số lượt", "Một số cách hỏi"), topics)
        if topics
        else "<p>Không có.</p>",
        "<h2>V. CÁC VIỆC ĐÃ THỰC HIỆN</h2>",
        f"<p>{html.escape(done)}.</p>",
        _table(
            ("STT", "Mã câu hỏi", "Nội dung câu hỏi", "Hình thức", "Số phiên bản", "Cập nhật lần cuối"),
            changes,
        )
        if changes
        else "",
    ]


def render_html(report: PeriodicReport) -> str:
    """A standalone page (inline style, no external assets) that prints on A4; every value is
    escaped, including citizens' questions."""
    e = html.escape
    compared = report.previous_period
    partial = (
        f"<p class=sub>Số liệu tính đến {e(_signed_date(report.generated_at))}.</p>" if report.partial else ""
    )
    header = (
        '<table class="top"><tr>'
        f"<td><b>{e(report.office)}</b><br><b>VĂN PHÒNG</b><br>Số: &nbsp;&nbsp;&nbsp;&nbsp;/BC-VP</td>"
        "<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b><br>"
        f'<span class="date">{e(_signed_date(report.generated_at))}</span></td>'
        "</tr></table>"
        f"<h1>{e(TITLE)}</h1>"
        f"<p class=sub><b>{e(report.period.label)}</b></p>"
        f"<p class=sub><i>({e(report.period.dates)})</i></p>"
        f"<p class=sub><i>So sánh với kỳ trước: {e(compared.label)} ({e(compared.dates.lower())})</i></p>"
        f"{partial}"
    )
    body = header + "\n".join(_html_sections(report))
    return (
        '<!doctype html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{e(TITLE)} – {e(report.period.label)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
