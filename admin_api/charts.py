"""Charts of the statistics for the staff console's dashboard: pure functions from the figures of
``admin_api.stats`` to SVG bytes.

Drawn with matplotlib's object API (``Figure``, never pyplot): pyplot keeps global figure state,
and requests render in parallel threads. Every chart is Vietnamese, uses the Okabe-Ito
colour-blind-safe palette (only its members with at least 3:1 contrast on white, the WCAG minimum
for graphics), and carries a ``<title>``, a ``<desc>`` summing up its figures for screen readers,
and a tooltip (``<title>``) on every bar and point."""

from __future__ import annotations

import io
import math
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from typing import Any, Literal, Protocol, TypeVar
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from admin_api.stats import QUESTION_DECISIONS, DayCount, DayRating, Period, Tally

# The SVG writer reads these from the global rcParams at save time, so they are set once here and
# never changed: rc_context() would restore the old values under a thread still saving.
# Text stays text (small, selectable, translatable); ids are stable, so the same figures give
# the same bytes; the font list names DejaVu Sans (matplotlib's own, which covers Vietnamese and
# gives the layout's metrics) first, then common fonts for a browser without it.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "hoidap-charts",
        "font.family": ["sans-serif"],
        "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans"],
    }
)

ChartName = Literal["daily", "satisfaction", "channels", "categories"]
NO_DATA = "Chưa có dữ liệu trong kỳ này"

INK, MUTED, GRID = "#222222", "#555555", "#DDDDDD"
BLUE, GREEN, PURPLE, VERMILLION, GREY = "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#666666"
DECISION_STYLE: dict[str, tuple[str, str]] = {  # decision: legend label, colour
    "answer": ("Trả lời trực tiếp", BLUE),
    "suggest": ("Gợi ý câu hỏi tương tự", GREEN),
    "catalog": ("Thẻ thủ tục (CSDL quốc gia)", PURPLE),
    "fallback": ("Chưa có câu trả lời", VERMILLION),
}
CHANNEL_NAMES = {"web": "Trang web", "telegram": "Telegram", "zalo": "Zalo"}

WIDTH = 9.0  # inches (648 pt): the console scales the SVG to its column by its viewBox
HEADER = 0.62  # inches above the plots for the title and the period
MAX_BARS = 92  # a quarter of days; longer periods are drawn by week, month or year
MAX_POINTS = 31  # a month of days; daily satisfaction rests on too few ratings beyond that
MAX_TICKS = 12
FEW_RATINGS = 5  # a rate from fewer ratings is drawn hollow: one 👎 more would swing it
MAX_ROWS = 24  # categories drawn; the smallest beyond are summed into one row
LABEL_WIDTH = 30  # characters per line of a category or channel name (two lines at most)


# -- time buckets ------------------------------------------------------------------------------

Unit = Literal["day", "week", "month", "year"]
UNIT_WORDS: dict[Unit, str] = {"day": "ngày", "week": "tuần", "month": "tháng", "year": "năm"}
AXIS_LABELS: dict[Unit, str] = {
    "day": "Ngày",
    "week": "Tuần (ngày đầu tuần)",
    "month": "Tháng",
    "year": "Năm",
}


class Dated(Protocol):
    @property
    def day(self) -> date: ...


D = TypeVar("D", bound=Dated)


def bucket_of(day: date, unit: Unit) -> date:
    """The first day of the bucket holding ``day`` (weeks start on Monday, as in Vietnam)."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def bucket_count(first: date, last: date, unit: Unit) -> int:
    if unit == "day":
        return (last - first).days + 1
    if unit == "week":
        return (bucket_of(last, "week") - bucket_of(first, "week")).days // 7 + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def unit_for(first: date, last: date, max_points: int) -> Unit:
    """The finest unit drawing the period in at most ``max_points`` bars or points (years
    whatever their number: the route bounds the period)."""
    units: tuple[Unit, ...] = ("day", "week", "month")
    return next((u for u in units if bucket_count(first, last, u) <= max_points), "year")


def buckets(days: Sequence[D], unit: Unit) -> list[tuple[date, list[D]]]:
    """Consecutive days (as the stats give them, one per day in order) grouped by bucket; the
    first bucket starts on the period's first day, not before (a week from Wednesday 1 July is
    labelled 01/07, not 29/06)."""
    if not days:
        return []
    first = days[0].day
    return [
        (max(start, first), list(group))
        for start, group in groupby(days, key=lambda d: bucket_of(d.day, unit))
    ]


def bucket_label(start: date, unit: Unit, multi_year: bool) -> str:
    """A tick label: dd/mm (with the year when the period spans more than one), mm/yyyy, yyyy."""
    if unit == "year":
        return f"{start:%Y}"
    if unit == "month":
        return f"{start:%m/%Y}"
    return f"{start:%d/%m/%y}" if multi_year else f"{start:%d/%m}"


def bucket_name(start: date, unit: Unit) -> str:
    """The bucket in words, for tooltips."""
    if unit == "week":
        return f"Tuần từ {start:%d/%m/%Y}"
    if unit == "month":
        return f"Tháng {start:%m/%Y}"
    if unit == "year":
        return f"Năm {start:%Y}"
    return f"{start:%d/%m/%Y}"


# -- text ----------------------------------------------------------------------------------------


def number(n: int) -> str:
    """1.200: the Vietnamese thousands separator is a dot."""
    return f"{n:,}".replace(",", ".")


def percent(rate: float) -> str:
    return f"{round(rate * 100)}%"


def clean_label(text: str) -> str:
    """Text from the database made fit for XML and one line: control characters (which XML 1.0
    forbids) and runs of spaces become one space."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    return " ".join(kept.split()) or "—"


def wrapped(text: str) -> str:
    """At most two lines of ``LABEL_WIDTH`` characters, cut with an ellipsis beyond."""
    lines = textwrap.wrap(text, LABEL_WIDTH, max_lines=2, placeholder=" …")
    return "\n".join(lines) or text


def channel_name(tally: Tally) -> str:
    """The channel's display name; an id not known here, capitalised (zalo_oa → Zalo_oa)."""
    name = clean_label(tally.label)
    return CHANNEL_NAMES.get(name, name[:1].upper() + name[1:])


def period_text(period: Period) -> str:
    return f"Từ ngày {period.first_day:%d/%m/%Y} đến ngày {period.last_day:%d/%m/%Y}"


# -- figure and SVG --------------------------------------------------------------------------


@dataclass
class Chart:
    """A figure being drawn, with what its SVG carries beyond the picture: a title, a summary of
    the figures for screen readers, and a tooltip per bar or point keyed by the element's gid."""

    figure: Figure
    title: str
    summary: str = ""
    tooltips: dict[str, str] = field(default_factory=dict)

    def tip(self, artist: Any, text: str) -> None:
        gid = f"tip-{len(self.tooltips)}"
        artist.set_gid(gid)
        self.tooltips[gid] = text


def new_chart(title: str, period: Period, plot_height: float, wspace: float = 0.02) -> Chart:
    """A figure with the title and the period above a plot area ``plot_height`` inches high.

    The header is placed by hand and the plots by constrained layout below it: the layout's
    own suptitle cannot mix a bold title with a plain second line."""
    height = plot_height + HEADER
    figure = Figure(figsize=(WIDTH, height), facecolor="white")
    figure.set_layout_engine(ConstrainedLayoutEngine(rect=(0, 0, 1, 1 - HEADER / height), wspace=wspace))
    top = 1 - 0.1 / height
    figure.text(0.012, top, title, ha="left", va="top", fontsize=13, weight="bold", color=INK)
    subtitle = period_text(period)
    figure.text(0.012, top - 0.27 / height, subtitle, ha="left", va="top", fontsize=9.5, color=MUTED)
    return Chart(figure, f"{title} – {period_text(period).lower()}")


def style_axes(ax: Axes, value_axis: Literal["x", "y"]) -> None:
    """Light grid along the values only, no box: the data carries the ink."""
    ax.set_axisbelow(True)
    ax.grid(axis=value_axis, color=GRID, linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left" if value_axis == "x" else "bottom"].set_color(MUTED)
    ax.spines["bottom" if value_axis == "x" else "left"].set_visible(False)
    ax.tick_params(colors=INK, labelsize=9, length=3)
    ax.tick_params(axis=value_axis, length=0)


_TIP = re.compile(r'<g id="(tip-\d+)">')


def to_svg(chart: Chart) -> bytes:
    """The SVG, with a title and description on the root (role="img") and the tooltips added.

    matplotlib escapes the text it writes (a name "<script>" becomes text, not markup); what is
    added here is escaped the same way. Drawn text never holds `<g id="`, being escaped."""
    buffer = io.StringIO()
    chart.figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    open_end = svg.index(">", svg.index("<svg ")) + 1
    root = svg[:open_end].replace("<svg ", '<svg role="img" aria-labelledby="chart-title chart-desc" ', 1)
    head = (
        f'\n <title id="chart-title">{escape(chart.title)}</title>'
        f'\n <desc id="chart-desc">{escape(chart.summary)}</desc>'
    )
    body = _TIP.sub(
        lambda m: f"{m.group(0)}<title>{escape(chart.tooltips[m.group(1)])}</title>", svg[open_end:]
    )
    return (root + head + body).encode("utf-8")


def empty_chart(title: str, period: Period) -> bytes:
    chart = new_chart(title, period, 2.4)
    ax = chart.figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=13, color=MUTED, transform=ax.transAxes)
    chart.summary = NO_DATA
    return to_svg(chart)


def time_axis(ax: Axes, starts: Sequence[date], unit: Unit) -> None:
    """Ticks on Mondays for days (a week apart), else evenly at most ``MAX_TICKS``."""
    n = len(starts)
    if unit == "day" and n > 16:
        ticks = [i for i, d in enumerate(starts) if d.weekday() == 0]
    else:
        ticks = list(range(0, n, math.ceil(n / MAX_TICKS)))
    multi_year = starts[0].year != starts[-1].year
    ax.set_xticks(ticks, [bucket_label(starts[i], unit, multi_year) for i in ticks])
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_xlabel(AXIS_LABELS[unit], color=MUTED, fontsize=9)


# -- the four charts ---------------------------------------------------------------------------


def daily_chart(days: Sequence[DayCount], period: Period) -> bytes:
    """Questions per day (per week, month or year over long periods), stacked by decision; a
    bucket without questions has no bar."""
    unit = unit_for(period.first_day, period.last_day, MAX_BARS)
    title = f"Số câu hỏi theo {UNIT_WORDS[unit]}"
    if not any(d.total for d in days):
        return empty_chart(title, period)
    chart = new_chart(title, period, 3.6)
    ax = chart.figure.add_subplot()
    groups = buckets(days, unit)
    totals = _stack_decisions(chart, ax, groups, unit)
    style_axes(ax, "y")
    time_axis(ax, [start for start, _ in groups], unit)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Số câu hỏi", color=MUTED, fontsize=9)
    handles = [Patch(color=colour, label=label) for label, colour in DECISION_STYLE.values()]
    chart.figure.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=9)
    chart.summary = _daily_summary(groups, totals, unit)
    return to_svg(chart)


def _stack_decisions(
    chart: Chart, ax: Axes, groups: list[tuple[date, list[DayCount]]], unit: Unit
) -> dict[str, int]:
    """One bar segment per bucket and decision with questions, stacked in DECISION_STYLE order;
    returns the period's count per decision.

    Segments are added as plain artists with the limits set once after: ``Axes.bar`` updates
    the data limits patch by patch, which made it most of a 90-day chart's rendering time."""
    bottoms = [0] * len(groups)
    totals: dict[str, int] = {}
    for decision, (label, colour) in DECISION_STYLE.items():
        values = [sum(getattr(d, decision) for d in days) for _, days in groups]
        for i, value in enumerate(values):
            if value:
                bar = Rectangle((i - 0.4, bottoms[i]), 0.8, value, color=colour, ec="white", lw=0.4)
                ax.add_artist(bar)
                chart.tip(bar, f"{bucket_name(groups[i][0], unit)} – {label}: {number(value)}")
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        totals[decision] = sum(values)
    ax.set_ylim(0, max(bottoms) * 1.05)
    return totals


def _daily_summary(groups: list[tuple[date, list[DayCount]]], totals: dict[str, int], unit: Unit) -> str:
    parts = ", ".join(f"{DECISION_STYLE[d][0].lower()} {number(totals[d])}" for d in QUESTION_DECISIONS)
    busiest_start, busiest = max(groups, key=lambda g: sum(d.total for d in g[1]))
    peak = sum(d.total for d in busiest)
    return (
        f"Tổng số {number(sum(totals.values()))} câu hỏi: {parts}. "
        f"Nhiều nhất: {number(peak)} câu hỏi ({bucket_name(busiest_start, unit).lower()})."
    )


def satisfaction_chart(days: Sequence[DayRating], period: Period) -> bytes:
    """Share of 👍 among rated replies per day (per week, month or year over long periods);
    buckets without ratings leave a gap, rates from few ratings are drawn hollow, and the dashed
    line is the whole period's rate."""
    unit = unit_for(period.first_day, period.last_day, MAX_POINTS)
    title = f"Tỷ lệ hài lòng theo {UNIT_WORDS[unit]}"
    rated, helpful = sum(d.rated for d in days), sum(d.helpful for d in days)
    if not rated:
        return empty_chart(title, period)
    chart = new_chart(title, period, 3.6)
    ax = chart.figure.add_subplot()
    groups = buckets(days, unit)
    counts = [(sum(d.rated for d in g), sum(d.helpful for d in g)) for _, g in groups]
    rates = _rate_line(chart, ax, [start for start, _ in groups], counts, unit)
    overall = f"Cả kỳ: {percent(helpful / rated)} ({number(helpful)}/{number(rated)} lượt đánh giá)"
    ax.axhline(helpful / rated, color=MUTED, linestyle="--", linewidth=1)
    style_axes(ax, "y")
    time_axis(ax, [start for start, _ in groups], unit)
    ax.set_ylim(0, 1.04)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("Tỷ lệ hài lòng", color=MUTED, fontsize=9)
    few = any(0 < r < FEW_RATINGS for r, _ in counts)
    handles = _rate_legend(overall, few)
    chart.figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    chart.summary = (
        f"Tỷ lệ hài lòng cả kỳ {overall.removeprefix('Cả kỳ: ')}. {_extremes(groups, rates, unit)}"
    )
    return to_svg(chart)


def _rate_line(
    chart: Chart, ax: Axes, starts: Sequence[date], counts: Sequence[tuple[int, int]], unit: Unit
) -> list[float]:
    """The line of rates (NaN, a gap, where nothing was rated) and a point with a tooltip per
    rated bucket; returns the rates."""
    rates = [helpful / rated if rated else math.nan for rated, helpful in counts]
    ax.plot(range(len(rates)), rates, color=BLUE, linewidth=2)
    for i, (rated, helpful) in enumerate(counts):
        if rated:
            fill = "white" if rated < FEW_RATINGS else BLUE
            (point,) = ax.plot([i], [rates[i]], "o", ms=6, color=BLUE, mfc=fill, zorder=3)
            chart.tip(
                point,
                f"{bucket_name(starts[i], unit)}: {percent(rates[i])} hài lòng "
                f"({number(helpful)}/{number(rated)} lượt đánh giá)",
            )
    return rates


def _rate_legend(overall: str, few: bool) -> list[Any]:
    """The line, the hollow point when some are drawn, and the period's rate."""

    def point(fill: str, line: Literal["-", "none"], label: str) -> Line2D:
        return Line2D([], [], color=BLUE, linewidth=2, marker="o", mfc=fill, linestyle=line, label=label)

    hollow = [point("white", "none", f"Dưới {FEW_RATINGS} lượt đánh giá")] if few else []
    return [
        point(BLUE, "-", "Tỷ lệ hài lòng"),
        *hollow,
        Line2D([], [], color=MUTED, linestyle="--", linewidth=1, label=overall),
    ]


def _extremes(groups: list[tuple[date, list[DayRating]]], rates: list[float], unit: Unit) -> str:
    known = [(rate, start) for rate, (start, _) in zip(rates, groups, strict=True) if not math.isnan(rate)]
    low, high = min(known), max(known)
    return (
        f"Thấp nhất {percent(low[0])} ({bucket_name(low[1], unit).lower()}), "
        f"cao nhất {percent(high[0])} ({bucket_name(high[1], unit).lower()})."
    )


def channels_chart(tallies: Sequence[Tally], period: Period) -> bytes:
    """Two panels sharing the channels: questions, and the satisfaction rate (with how many
    ratings it rests on)."""
    title = "Câu hỏi và mức độ hài lòng theo kênh"
    if not tallies:
        return empty_chart(title, period)
    chart = new_chart(title, period, 0.9 + 0.42 * len(tallies), wspace=0.08)  # "1.600" apart from "0%"
    ax_q, ax_s = chart.figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    names = [channel_name(t) for t in tallies]
    rows = list(range(len(tallies)))
    _count_bars(chart, ax_q, list(zip(names, tallies, strict=True)), [BLUE] * len(tallies), False)
    ax_q.set_yticks(rows, [wrapped(n) for n in names], parse_math=False)
    ax_q.invert_yaxis()  # the busiest channel on top (shared with the second panel)
    ax_q.set_xlabel("Số câu hỏi", color=MUTED, fontsize=9)
    _rate_bars(chart, ax_s, tallies, names)
    chart.summary = "; ".join(_tally_sentence(name, t) for name, t in zip(names, tallies, strict=True)) + "."
    return to_svg(chart)


def _count_bars(
    chart: Chart, ax: Axes, rows: Sequence[tuple[str, Tally]], colours: list[str], with_rate: bool
) -> None:
    """Horizontal bars of questions, the count written at each bar's end, with the rate of 👍
    when ``with_rate`` (the categories' chart, which has no panel of rates)."""
    tallies = [t for _, t in rows]
    counts = [t.questions for t in tallies]
    bars = ax.barh(range(len(rows)), counts, height=0.65, color=colours)
    for bar, (name, tally) in zip(bars, rows, strict=True):
        chart.tip(bar, _tally_sentence(name, tally))
    ax.bar_label(bars, [_bar_text(t, with_rate) for t in tallies], padding=3, fontsize=9, color=INK)
    ax.set_xlim(0, max(counts) * (1.35 if with_rate else 1.15))  # room for the labels
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: number(round(value))))
    style_axes(ax, "x")


def _rate_bars(chart: Chart, ax: Axes, tallies: Sequence[Tally], names: Sequence[str]) -> None:
    """Horizontal bars of the satisfaction rate, 0–100 %, labelled with the rate and ratings."""
    rates = [t.satisfaction_rate or 0.0 for t in tallies]
    bars = ax.barh(range(len(tallies)), rates, height=0.65, color=GREEN)
    for bar, name, tally in zip(bars, names, tallies, strict=True):
        chart.tip(bar, _tally_sentence(name, tally))
    labels = [
        f"{percent(t.satisfaction_rate)} ({number(t.rated)} lượt)"
        if t.satisfaction_rate is not None
        else "chưa có đánh giá"
        for t in tallies
    ]
    ax.bar_label(bars, labels, padding=3, fontsize=9, color=INK)
    ax.set_xlim(0, 1.45)  # room for the labels right of a full bar
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Tỷ lệ hài lòng (trên số lượt đánh giá)", color=MUTED, fontsize=9)
    style_axes(ax, "x")
    ax.tick_params(axis="y", left=False)


def _bar_text(tally: Tally, with_rate: bool) -> str:
    rate = tally.satisfaction_rate
    count = number(tally.questions)
    return f"{count} · hài lòng {percent(rate)}" if with_rate and rate is not None else count


def _tally_sentence(name: str, tally: Tally) -> str:
    rate = tally.satisfaction_rate
    rating = (
        f"hài lòng {percent(rate)} ({number(tally.helpful)}/{number(tally.rated)} lượt đánh giá)"
        if rate is not None
        else "chưa có đánh giá"
    )
    return f"{name}: {number(tally.questions)} câu hỏi, trả lời trực tiếp {number(tally.answered)}, {rating}"


def categories_chart(tallies: Sequence[Tally], period: Period) -> bytes:
    """Questions by category, most asked on top; questions no curated entry answered last, in
    grey (they are the remainder, not a category); the rate of 👍 beside each bar."""
    title = "Số câu hỏi theo lĩnh vực"
    if not tallies:
        return empty_chart(title, period)
    rows = capped(list(tallies))
    names = [clean_label(t.label) for t in rows]
    two_lines = sum(len(n) > LABEL_WIDTH for n in names)
    chart = new_chart(title, period, 0.8 + 0.3 * len(rows) + 0.14 * two_lines)
    ax = chart.figure.add_subplot()
    colours = [BLUE if t.key is not None else GREY for t in rows]
    _count_bars(chart, ax, list(zip(names, rows, strict=True)), colours, True)
    ax.set_yticks(range(len(rows)), [wrapped(n) for n in names], parse_math=False)
    ax.invert_yaxis()
    ax.set_xlabel("Số câu hỏi", color=MUTED, fontsize=9)
    chart.summary = "; ".join(_tally_sentence(n, t) for n, t in zip(names, rows, strict=True)) + "."
    return to_svg(chart)


def capped(tallies: list[Tally]) -> list[Tally]:
    """At most ``MAX_ROWS`` rows: the smallest categories summed into one row before the
    unknown one (which always stays, last)."""
    known = [t for t in tallies if t.key is not None]
    unknown = [t for t in tallies if t.key is None]
    if len(known) + len(unknown) <= MAX_ROWS:
        return tallies
    keep = MAX_ROWS - 1 - len(unknown)
    rest = known[keep:]
    other = summed(rest, f"Các lĩnh vực khác ({len(rest)})")
    return [*known[:keep], other, *unknown]


def summed(tallies: Sequence[Tally], label: str) -> Tally:
    return Tally(
        key="",  # not None: None is the unknown category
        label=label,
        questions=sum(t.questions for t in tallies),
        answered=sum(t.answered for t in tallies),
        suggested=sum(t.suggested for t in tallies),
        catalog=sum(t.catalog for t in tallies),
        fallback=sum(t.fallback for t in tallies),
        rated=sum(t.rated for t in tallies),
        helpful=sum(t.helpful for t in tallies),
    )
