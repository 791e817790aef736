"""Charts of the statistics as SVG images (viewers), for the staff console's dashboard: drawn by
the application, so the console needs no chart library and nothing from a CDN."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlmodel import Session

from admin_api import charts
from admin_api import stats as figures
from admin_api.deps import SessionDep, requires
from admin_api.roles import Role
from admin_api.routes.stats import (
    DEFAULT_DAYS,
    SINCE_DOC,
    SINCE_EXAMPLES,
    UNTIL_DOC,
    UNTIL_EXAMPLES,
    Moment,
    invalid,
    period_of,
)
from admin_api.stats import Period

router = APIRouter(tags=["statistics and reports"])
SVG_MEDIA_TYPE = "image/svg+xml"
# Ten years drawn by year is still a small chart; a longer period is a typo (0206 for 2026), and
# its every day would be counted in memory before being summed into years.
MAX_PERIOD = timedelta(days=3660)

Renderer = Callable[[Session, Period], bytes]
RENDERERS: dict[charts.ChartName, Renderer] = {
    "daily": lambda session, period: charts.daily_chart(figures.daily(session, period), period),
    "satisfaction": lambda session, period: charts.satisfaction_chart(
        figures.daily_ratings(session, period), period
    ),
    "channels": lambda session, period: charts.channels_chart(figures.by_channel(session, period), period),
    "categories": lambda session, period: charts.categories_chart(
        figures.by_category(session, period), period
    ),
}
CHART_DOC = (
    "daily: questions per day by decision (answer, suggest, catalog, fallback), stacked bars; "
    "satisfaction: share of 👍 among rated replies, a line; channels: questions and satisfaction "
    "per channel; categories: questions per category (lĩnh vực). Long periods are drawn per week, "
    "month or year instead of per day."
)
SVG_EXAMPLE = (
    '<svg role="img" aria-labelledby="chart-title chart-desc" width="648pt" height="304pt" '
    'viewBox="0 0 648 304" xmlns="http://www.w3.org/2000/svg" version="1.1">'
    '<title id="chart-title">Số câu hỏi theo ngày – từ ngày 01/07/2026 đến ngày 30/09/2026</title>'
    '<desc id="chart-desc">Tổng số 1.200 câu hỏi: trả lời trực tiếp 840, …</desc>…</svg>'
)
SVG_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "the chart as an SVG image (text kept as text; a <title>, a <desc> summing up the "
            "figures, a tooltip per bar or point); an empty period gives a chart saying "
            f"“{charts.NO_DATA}”. Cacheable privately for 60 s."
        ),
        "content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}, "example": SVG_EXAMPLE}},
    }
}


def chart_period(since: date | datetime | None, until: date | datetime | None) -> Period:
    """The period as GET /stats takes it, at most ten years long (a 422 naming the field
    otherwise)."""
    period = period_of(since, until, DEFAULT_DAYS)
    if period.until - period.since > MAX_PERIOD:
        raise invalid("since", "a chart covers at most ten years", str(since))
    return period


@router.get(
    "/stats/charts/{chart}.svg",
    response_class=Response,
    responses=SVG_RESPONSES,
    summary="Chart of the statistics (SVG)",
    **requires(Role.VIEWER),
)
def get_chart(
    session: SessionDep,
    chart: Annotated[charts.ChartName, Path(description=CHART_DOC, examples=["daily"])],
    since: Annotated[Moment | None, Query(description=SINCE_DOC, examples=SINCE_EXAMPLES)] = None,
    until: Annotated[Moment | None, Query(description=UNTIL_DOC, examples=UNTIL_EXAMPLES)] = None,
) -> Response:
    """One chart of the statistics over a period (default: the last 30 days), as an SVG image
    in Vietnamese, with the figures of GET /stats: questions exclude greetings and blank
    messages, satisfaction is 👍 / rated, days are Vietnam's (UTC+7). A sync route: drawing is
    CPU work, done in the thread pool."""
    svg = RENDERERS[chart](session, chart_period(since, until))
    return Response(svg, media_type=SVG_MEDIA_TYPE, headers={"Cache-Control": "private, max-age=60"})
