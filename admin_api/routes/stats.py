"""Statistics over any period and the periodic report (viewers)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

from admin_api import report as reports
from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, SettingsDep, requires
from admin_api.roles import Role
from admin_api.routes.unanswered import get_grouper
from admin_api.stats import LOCAL_TZ, Period, Stats, local_midnight, statistics
from admin_api.unanswered import QueueGrouper
from core.db.models import utcnow

router = APIRouter(tags=["statistics and reports"])
DEFAULT_DAYS = 30
FIRST_YEAR, LAST_YEAR = 2000, 2100
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _moment(value: Any) -> Any:
    """'2026-07-01' is a day, anything longer an ISO datetime (a bare date must not become
    midnight: ``until=2026-09-30`` means to the end of that day). Years outside 2000–2100 are
    refused: year 1 or 9999 overflows once moved between time zones, and no log is that old."""
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if _DATE_ONLY.fullmatch(text) else datetime.fromisoformat(text)
    if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must fall between {FIRST_YEAR} and {LAST_YEAR}")
    return value


Moment = Annotated[datetime | date, BeforeValidator(_moment)]
SINCE_DOC = "start, included: a local date (that whole day) or an ISO datetime (without offset: UTC+7)"
UNTIL_DOC = "end: a local date (included, to the end of that day) or an ISO datetime (excluded)"
SINCE_EXAMPLES = ["2026-07-01", "2026-07-01T08:00:00+07:00"]
UNTIL_EXAMPLES = ["2026-09-30", "2026-10-01T00:00:00+07:00"]


def invalid(field: str, message: str, value: Any = None) -> RequestValidationError:
    """A 422 shaped like FastAPI's own, naming the query parameter."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", field), "msg": message, "input": value}]
    )


def bound(value: date | datetime, end: bool) -> datetime:
    """An aware instant: dates are local days (an end date includes its day), naive datetimes
    are local time."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=LOCAL_TZ)
    return local_midnight(value + timedelta(days=1) if end else value)


def period_of(since: date | datetime | None, until: date | datetime | None, default_days: int) -> Period:
    """The period asked for; a missing end is now, a missing start ``default_days`` before the end."""
    end = bound(until, end=True) if until is not None else utcnow()
    start = bound(since, end=False) if since is not None else end - timedelta(days=default_days)
    if start >= end:
        raise invalid("until", "until must be after since", str(until))
    return Period(start, end)


@router.get("/stats", response_model=Stats, **requires(Role.VIEWER))
def get_stats(
    session: SessionDep,
    since: Annotated[Moment | None, Query(description=SINCE_DOC, examples=SINCE_EXAMPLES)] = None,
    until: Annotated[Moment | None, Query(description=UNTIL_DOC, examples=UNTIL_EXAMPLES)] = None,
    top: Annotated[int, Query(ge=1, le=100, description="length of the by-entry and worst-rated lists")] = 10,
    min_rated: Annotated[
        int, Query(ge=1, le=1000, description="ratings an entry needs to be listed as worst rated")
    ] = 3,
) -> Stats:
    """Usage and satisfaction over a period (default: the last 30 days). Questions exclude
    greetings (smalltalk) and blank messages, which are counted apart; rates are fractions
    (0.25 = 25 %); satisfaction is 👍 / rated; days and dates are Vietnam's (UTC+7)."""
    return statistics(session, period_of(since, until, DEFAULT_DAYS), top=top, min_rated=min_rated)


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the report as an XLSX workbook (attachment) or a printable HTML page",
        "content": {reports.XLSX_MEDIA_TYPE: {}, "text/html": {}},
    }
}


def report_period(kind: reports.PeriodKind, year: int | None, number: int | None) -> reports.ReportPeriod:
    if year is None and number is None:
        return reports.last_complete(kind, utcnow().astimezone(LOCAL_TZ).date())
    if year is None:
        raise invalid("year", "year is required when number is given", None)
    try:
        return reports.ReportPeriod(kind, year, number)
    except reports.PeriodError as exc:
        raise invalid(exc.field, str(exc), number) from exc


@router.get("/reports/periodic", response_class=Response, responses=FILE_RESPONSES, **requires(Role.VIEWER))
def periodic_report(
    session: SessionDep,
    grouper: Annotated[QueueGrouper, Depends(get_grouper)],
    settings: SettingsDep,
    user: CurrentUser,
    period: Annotated[
        Literal["quarter", "half", "year"], Query(description="quarter, half year or calendar year")
    ] = "quarter",
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="absent (with number): the last complete period")
    ] = None,
    number: Annotated[
        int | None, Query(ge=1, le=4, description="quarter 1–4 or half 1–2; absent for period=year")
    ] = None,
    file_format: Annotated[
        Literal["xlsx", "html"], Query(alias="format", description="workbook or page")
    ] = "xlsx",
) -> Response:
    """The periodic report (Vietnamese, as the office files it): figures of the period and of the
    period just before (Q3 against Q2, H1 against H2 of the year before, a year against the one
    before) with the change in percentage points, results by field (lĩnh vực), the main
    unanswered topics and the entries added or changed. The download is audited."""
    chosen = report_period(period, year, number)
    report = reports.build_report(session, grouper, chosen, settings.province_name, utcnow())
    audit(
        session,
        user.username,
        "report",
        chosen.slug,
        period=chosen.kind,
        year=chosen.year,
        number=chosen.number,
        format=file_format,
    )
    session.commit()
    if file_format == "html":
        return Response(
            reports.render_html(report),
            media_type="text/html; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{chosen.slug}.html"'},
        )
    return Response(
        reports.render_xlsx(report),
        media_type=reports.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{chosen.slug}.xlsx"'},
    )
