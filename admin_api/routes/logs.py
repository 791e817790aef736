"""Interaction and feedback logs (viewers): a filtered, paged list and the same rows as CSV or
XLSX. The pseudonymous user id is never shown; every export is audited."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO, StringIO
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from openpyxl import Workbook
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, requires
from admin_api.report import XLSX_MEDIA_TYPE, put, put_header
from admin_api.roles import Role
from admin_api.routes.stats import (
    SINCE_DOC,
    SINCE_EXAMPLES,
    UNTIL_DOC,
    UNTIL_EXAMPLES,
    Moment,
    bound,
    invalid,
)
from admin_api.stats import LOCAL_TZ, as_local
from core.db.models import FaqEntryRecord, Feedback, Interaction, utcnow

router = APIRouter(prefix="/logs", tags=["logs"])
EXPORT_MAX_ROWS = 100_000
Decision = Literal["answer", "suggest", "fallback", "catalog", "smalltalk", "empty"]
Rating = Literal["helpful", "unhelpful", "unrated"]
Reason = Literal[
    "wrong_question", "missing_info", "hard_to_understand", "outdated", "other"
]  # FEEDBACK_REASONS


class LogFilter(BaseModel):
    """The filters shared by the list and the export."""

    since: Moment | None = Field(default=None, description=SINCE_DOC, examples=SINCE_EXAMPLES)
    until: Moment | None = Field(default=None, description=UNTIL_DOC, examples=UNTIL_EXAMPLES)
    channel: str | None = Field(default=None, max_length=20, examples=["web", "telegram", "zalo"])
    category: str | None = Field(
        default=None, max_length=80, description="category of the entry answered", examples=["can-cuoc"]
    )
    entry_id: str | None = Field(default=None, max_length=120, examples=["cccd-cap-lai"])
    decision: Decision | None = Field(default=None, description="how the question was handled")
    rating: Rating | None = Field(default=None, description="👍, 👎 or no verdict")
    reason: Reason | None = Field(default=None, description="reason given with a 👎")


INTERACTION_EXAMPLE: dict[str, Any] = {
    "id": "5b1f0e9c2a7d4c38b6e4f1a09d3c7e25",
    "created_at": "2026-07-11T21:02:37+07:00",
    "channel": "web",
    "query_masked": "lam lai cccd bi mat o dau",
    "decision": "answer",
    "entry_id": "can-cuoc-cap-lai-khi-mat",
    "category": "can-cuoc",
    "latency_ms": 182.4,
    "helpful": False,
    "reason": "missing_info",
    "comment_masked": "Chưa nói rõ cần mang giấy tờ gì, gọi [SĐT]",
}


class InteractionRow(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [INTERACTION_EXAMPLE]})

    id: str
    created_at: datetime = Field(description="local time (UTC+7)")
    channel: str
    query_masked: str
    decision: str
    entry_id: str | None
    category: str | None
    latency_ms: float
    helpful: bool | None = Field(description="null: not rated")
    reason: str | None
    comment_masked: str | None


class InteractionPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [INTERACTION_EXAMPLE], "total": 1, "offset": 0, "limit": 100}]
        }
    )

    items: list[InteractionRow]
    total: int
    offset: int
    limit: int


def _statement(filters: LogFilter) -> Select[*tuple[Any, ...]]:
    statement = (
        select(
            col(Interaction.id),
            col(Interaction.created_at),
            col(Interaction.channel),
            col(Interaction.query_masked),
            col(Interaction.decision),
            col(Interaction.entry_id),
            col(FaqEntryRecord.category),
            col(Interaction.latency_ms),
            col(Feedback.helpful),
            col(Feedback.reason),
            col(Feedback.comment_masked),
        )
        .select_from(Interaction)
        .outerjoin(FaqEntryRecord, col(FaqEntryRecord.id) == col(Interaction.entry_id))
        .outerjoin(Feedback, col(Feedback.interaction_id) == col(Interaction.id))
    )
    return statement.where(*_conditions(filters))


def _conditions(f: LogFilter) -> list[Any]:
    # Unlike the statistics, the log has no default window: an end not given stays open.
    where: list[Any] = []
    since = bound(f.since, end=False) if f.since is not None else None
    until = bound(f.until, end=True) if f.until is not None else None
    if since is not None and until is not None and since >= until:
        raise invalid("until", "until must be after since", str(f.until))
    if since is not None:
        where.append(col(Interaction.created_at) >= since.astimezone(UTC))
    if until is not None:
        where.append(col(Interaction.created_at) < until.astimezone(UTC))
    equal = {
        col(Interaction.channel): f.channel,
        col(FaqEntryRecord.category): f.category,
        col(Interaction.entry_id): f.entry_id,
        col(Interaction.decision): f.decision,
        col(Feedback.reason): f.reason,
    }
    where += [column == value for column, value in equal.items() if value is not None]
    if f.rating == "unrated":
        where.append(col(Feedback.id).is_(None))
    elif f.rating is not None:
        where.append(col(Feedback.helpful).is_(f.rating == "helpful"))
    return where


def _rows(session: Session, filters: LogFilter, offset: int, limit: int) -> list[InteractionRow]:
    statement = _statement(filters).order_by(col(Interaction.created_at).desc(), col(Interaction.id).desc())
    rows = session.execute(statement.offset(offset).limit(limit)).all()
    return [
        InteractionRow(
            id=r[0],
            created_at=as_local(r[1]),
            channel=r[2],
            query_masked=r[3],
            decision=r[4],
            entry_id=r[5],
            category=r[6],
            latency_ms=r[7],
            helpful=r[8],
            reason=r[9],
            comment_masked=r[10],
        )
        for r in rows
    ]


def _total(session: Session, filters: LogFilter) -> int:
    return int(session.execute(select(func.count()).select_from(_statement(filters).subquery())).scalar_one())


@router.get("/interactions", response_model=InteractionPage, **requires(Role.VIEWER))
def list_interactions(
    session: SessionDep,
    filters: Annotated[LogFilter, Query()],
    offset: Annotated[int, Query(ge=0, description="rows skipped")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="rows returned")] = 100,
) -> InteractionPage:
    """Questions with the reply's decision, the entry and its category, and the citizen's
    verdict, newest first. Questions and comments are stored masked."""
    items = _rows(session, filters, offset, limit)
    return InteractionPage(items=items, total=_total(session, filters), offset=offset, limit=limit)


# -- export -----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "decision",
    "entry_id",
    "category",
    "query_masked",
    "rating",
    "reason",
    "comment_masked",
    "latency_ms",
)
EXPORT_DOC = f"""The filtered rows (newest first, at most {EXPORT_MAX_ROWS:,}) as a file, columns in this
order: {", ".join(EXPORT_COLUMNS)}. created_at is local time (UTC+7) as YYYY-MM-DD HH:MM:SS
(a date cell in XLSX); rating is helpful, unhelpful or unrated. CSV is UTF-8 with a byte order
mark (so Excel reads Vietnamese correctly); there, text starting with = + - @ is prefixed with '
so spreadsheet programs do not run it as a formula. The export is audited."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _export_values(row: InteractionRow) -> list[Any]:
    rating = "unrated" if row.helpful is None else "helpful" if row.helpful else "unhelpful"
    local = row.created_at.astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0)
    return [
        row.id,
        local,
        row.channel,
        row.decision,
        row.entry_id,
        row.category,
        row.query_masked,
        rating,
        row.reason,
        row.comment_masked,
        row.latency_ms,
    ]


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(rows: Sequence[InteractionRow]) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([_csv_text(v) for v in _export_values(row)] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(rows: Sequence[InteractionRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Nhật ký hỏi đáp"
    put_header(sheet, 1, EXPORT_COLUMNS, (34, 20, 10, 10, 24, 16, 60, 11, 18, 40, 11))
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(_export_values(row), start=1):
            fmt = "yyyy-mm-dd hh:mm:ss" if column == 2 else None
            put(sheet, row_number, column, value, fmt)
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@router.get(
    "/interactions/export",
    response_class=Response,
    responses={
        200: {
            "description": "the rows as a CSV or XLSX file (an attachment)",
            "content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}},
        }
    },
    description=EXPORT_DOC,
    **requires(Role.VIEWER),
)
def export_interactions(
    session: SessionDep,
    user: CurrentUser,
    filters: Annotated[LogFilter, Query()],
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format", description="file type")] = "csv",
) -> Response:
    total = _total(session, filters)
    if total > EXPORT_MAX_ROWS:
        raise invalid("since", f"{total} rows match; narrow the period to at most {EXPORT_MAX_ROWS}", None)
    rows = _rows(session, filters, 0, EXPORT_MAX_ROWS)
    used = filters.model_dump(mode="json", exclude_none=True)
    audit(session, user.username, "export", "interactions", format=file_format, filters=used, rows=len(rows))
    session.commit()
    name = f"nhat-ky-hoi-dap-{utcnow().astimezone(LOCAL_TZ):%Y%m%d-%H%M}.{file_format}"
    content, media_type = (
        (render_csv(rows), "text/csv; charset=utf-8")
        if file_format == "csv"
        else (render_xlsx(rows), XLSX_MEDIA_TYPE)
    )
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
