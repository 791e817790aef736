"""Usage and satisfaction figures over a period: pure queries over a Session, grouped in SQL and
portable between SQLite and PostgreSQL.

Conventions shared by every figure:

- A period is half-open, ``since <= created_at < until``, and the office's calendar is Vietnam's
  (UTC+7 all year, no daylight saving): a date given by staff means that local day, and days of
  the series are local days.
- Questions are the interactions decided ``answer``, ``suggest``, ``catalog`` or ``fallback``;
  greetings (``smalltalk``) and blank messages (``empty``) are counted apart, never as questions.
- Feedback counts for the period of the question it rates (not of the tap).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import Float, Select, case, cast, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from admin_api.unanswered import QueueGrouper, queue_items
from core.db.models import (
    AuditEvent,
    FaqCategoryRecord,
    FaqEntryRecord,
    FaqEntryVersion,
    Feedback,
    IgnoredQuestion,
    Interaction,
)
from core.text.normalize import clean, fold_case

LOCAL_UTC_OFFSET = timedelta(hours=7)
LOCAL_TZ = timezone(LOCAL_UTC_OFFSET, "ICT")
QUESTION_DECISIONS = ("answer", "suggest", "catalog", "fallback")
OTHER_DECISIONS = ("smalltalk", "empty")
DECISIONS = QUESTION_DECISIONS + OTHER_DECISIONS
UNKNOWN_CATEGORY = "(chưa xác định)"  # questions no curated entry answered


@dataclass(frozen=True)
class Period:
    """``since <= t < until``; both aware. Bound values are sent to the database in UTC because
    SQLite stores timestamps as UTC wall-clock text without an offset."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a period needs aware datetimes")

    def contains(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.since.astimezone(UTC), column < self.until.astimezone(UTC)]

    @property
    def first_day(self) -> date:
        return self.since.astimezone(LOCAL_TZ).date()

    @property
    def last_day(self) -> date:
        """The last local day touched (the end is exclusive)."""
        return (self.until.astimezone(LOCAL_TZ) - timedelta(microseconds=1)).date()


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)


def as_local(moment: datetime) -> datetime:
    """A stored timestamp in the office's time (SQLite returns them naive, in UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Rated(BaseModel):
    """Ratings of a set of questions; satisfaction is 👍 among the rated."""

    rated: int = Field(description="questions with a 👍/👎")
    helpful: int = Field(description="questions rated 👍")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def satisfaction_rate(self) -> float | None:
        """👍 / rated."""
        return ratio(self.helpful, self.rated)


class Summary(Rated):
    questions: int = Field(description="answer + suggest + catalog + fallback")
    answered: int = Field(description="answered from a curated entry (decision answer)")
    suggested: int
    catalog: int = Field(description="answered with a national catalog procedure card")
    fallback: int = Field(description="no answer: hotline and service centre given")
    smalltalk: int = Field(description="greetings and thanks (not questions)")
    empty: int = Field(description="blank messages (not questions)")
    median_latency_ms: float | None = Field(description="median response time of the questions")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def answered_rate(self) -> float | None:
        return ratio(self.answered, self.questions)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def suggested_rate(self) -> float | None:
        return ratio(self.suggested, self.questions)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def catalog_rate(self) -> float | None:
        return ratio(self.catalog, self.questions)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fallback_rate(self) -> float | None:
        return ratio(self.fallback, self.questions)


class Tally(Rated):
    """Questions of one channel or one category, with their outcomes and ratings."""

    key: str | None = Field(description="channel, or category id (null: no curated entry answered)")
    label: str
    questions: int
    answered: int
    suggested: int
    catalog: int
    fallback: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def answered_rate(self) -> float | None:
        return ratio(self.answered, self.questions)


class EntryUsage(Rated):
    entry_id: str
    question: str | None = Field(description="null for a national catalog procedure")
    category: str | None
    count: int


class QuestionCount(BaseModel):
    text: str = Field(description="the most frequent spelling among those folded together")
    count: int


class DayCount(BaseModel):
    day: date = Field(description="local day (UTC+7)")
    answer: int = 0
    suggest: int = 0
    catalog: int = 0
    fallback: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return self.answer + self.suggest + self.catalog + self.fallback


class Topic(BaseModel):
    """A subject citizens asked about and did not get a (good) answer to."""

    label: str
    count: int
    examples: list[str]


class EntryChange(BaseModel):
    entry_id: str
    question: str | None
    versions: int = Field(description="versions saved in the period")
    last_changed_at: datetime


class Actions(BaseModel):
    """What staff did to the Q&A set in the period (from faq_entry_version and audit_event)."""

    added: list[EntryChange] = Field(description="entries whose version 1 was saved in the period")
    changed: list[EntryChange] = Field(description="older entries with later versions in the period")
    published: int = Field(description="publish actions")
    archived: int = Field(description="archive actions")


# -- shared query pieces ---------------------------------------------------------------------


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Rows meeting ``condition`` (SUM of CASE: the same on SQLite and PostgreSQL; 0, not NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rated() -> ColumnElement[int]:
    return func.count(col(Feedback.id))  # NULL (no feedback row) is not counted


def _helpful() -> ColumnElement[int]:
    return _count_if(col(Feedback.helpful).is_(True))


def _tally_columns() -> list[Any]:
    """questions, answered, suggested, catalog, fallback, rated, helpful (in that order)."""
    return [
        func.count().label("questions"),
        *(_count_if(col(Interaction.decision) == d).label(d) for d in QUESTION_DECISIONS),
        _rated().label("rated"),
        _helpful().label("helpful"),
    ]


def _questions(period: Period, *columns: Any) -> Select[Any]:
    """Questions of the period, each with its feedback row if any (one per interaction)."""
    return (
        select(*columns)
        .select_from(Interaction)
        .outerjoin(Feedback, col(Feedback.interaction_id) == col(Interaction.id))
        .where(*period.contains(col(Interaction.created_at)))
        .where(col(Interaction.decision).in_(QUESTION_DECISIONS))
    )


def _with_category(statement: Select[Any]) -> Select[Any]:
    """Adds the entry answered and its category (catalog procedures and non-answers have none)."""
    return statement.outerjoin(FaqEntryRecord, col(FaqEntryRecord.id) == col(Interaction.entry_id)).outerjoin(
        FaqCategoryRecord, col(FaqCategoryRecord.id) == col(FaqEntryRecord.category)
    )


def _tally(key: str | None, label: str, row: Sequence[Any]) -> Tally:
    questions, answered, suggested, catalog, fallback, rated, helpful = (int(v) for v in row)
    return Tally(
        key=key,
        label=label,
        questions=questions,
        answered=answered,
        suggested=suggested,
        catalog=catalog,
        fallback=fallback,
        rated=rated,
        helpful=helpful,
    )


# -- figures ---------------------------------------------------------------------------------


def summary(session: Session, period: Period) -> Summary:
    counts = dict(
        session.execute(
            select(col(Interaction.decision), func.count())
            .where(*period.contains(col(Interaction.created_at)))
            .group_by(col(Interaction.decision))
        ).all()
    )
    rated, helpful = session.execute(_questions(period, _rated(), _helpful())).one()
    return Summary(
        questions=sum(counts.get(d, 0) for d in QUESTION_DECISIONS),
        answered=counts.get("answer", 0),
        suggested=counts.get("suggest", 0),
        catalog=counts.get("catalog", 0),
        fallback=counts.get("fallback", 0),
        smalltalk=counts.get("smalltalk", 0),
        empty=counts.get("empty", 0),
        rated=int(rated),
        helpful=int(helpful),
        median_latency_ms=median_latency(session, period),
    )


def median_latency(session: Session, period: Period) -> float | None:
    """The median of the questions' latency, by ORDER BY/OFFSET: SQLite has no percentile
    function, and this reads at most two rows on either database."""
    base = _questions(period, col(Interaction.latency_ms))
    n = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    if not n:
        return None
    middle = session.execute(
        base.order_by(col(Interaction.latency_ms)).offset((n - 1) // 2).limit(2 - n % 2)
    ).scalars()
    values = [float(v) for v in middle]
    return sum(values) / len(values)


def by_channel(session: Session, period: Period) -> list[Tally]:
    channel = col(Interaction.channel)
    rows = session.execute(
        _questions(period, channel, *_tally_columns())
        .group_by(channel)
        .order_by(func.count().desc(), channel)
    ).all()
    return [_tally(row[0], row[0], row[1:]) for row in rows]


def by_category(session: Session, period: Period) -> list[Tally]:
    """By category (lĩnh vực) of the curated entry answered; the rest under ``UNKNOWN_CATEGORY``."""
    category, name = col(FaqEntryRecord.category), col(FaqCategoryRecord.name)
    statement = _with_category(_questions(period, category, name, *_tally_columns()))
    rows = session.execute(statement.group_by(category, name).order_by(func.count().desc(), category)).all()
    tallies = [_tally(row[0], row[1] or row[0] or UNKNOWN_CATEGORY, row[2:]) for row in rows]
    # Unanswered questions last whatever their number: they are the remainder, not a field.
    return sorted(tallies, key=lambda t: t.key is None)


def _by_entry_statement(period: Period) -> Select[Any]:
    """Per entry (or catalog procedure) given as the answer: entry, question, category, count,
    rated, helpful."""
    entry, question, category = (
        col(Interaction.entry_id),
        col(FaqEntryRecord.question),
        col(FaqEntryRecord.category),
    )
    statement = _with_category(
        _questions(period, entry, question, category, func.count(), _rated(), _helpful())
    )
    return statement.where(entry.is_not(None)).group_by(entry, question, category)


def by_entry(session: Session, period: Period, limit: int = 10) -> list[EntryUsage]:
    """The entries (or catalog procedures) most often given as the answer."""
    statement = _by_entry_statement(period).order_by(func.count().desc(), col(Interaction.entry_id))
    return _entry_usages(session.execute(statement.limit(limit)).all())


def worst_rated(session: Session, period: Period, min_rated: int = 3, limit: int = 10) -> list[EntryUsage]:
    """Entries rated at least ``min_rated`` times, lowest share of 👍 first (fewer ratings would
    make one unlucky 👎 look like a bad entry)."""
    statement = (
        _by_entry_statement(period)
        .having(_rated() >= min_rated)
        .order_by(cast(_helpful(), Float) / _rated(), _rated().desc(), col(Interaction.entry_id))
    )
    return _entry_usages(session.execute(statement.limit(limit)).all())


def _entry_usages(rows: Iterable[Sequence[Any]]) -> list[EntryUsage]:
    return [
        EntryUsage(
            entry_id=row[0],
            question=row[1],
            category=row[2],
            count=int(row[3]),
            rated=int(row[4]),
            helpful=int(row[5]),
        )
        for row in rows
    ]


@dataclass
class _Group:
    count: int
    spellings: Counter[str]

    @property
    def label(self) -> str:
        """The most frequent spelling (ties: the first in code point order, for stable output)."""
        return min(self.spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def _fold_groups(rows: Iterable[Sequence[Any]]) -> list[_Group]:
    """(text, count) rows grouped by case- and space-folded text, most frequent first.

    The folding happens here rather than in SQL: SQLite's lower() ignores Vietnamese capitals,
    and the SQL GROUP BY on the exact text has already reduced the rows to distinct texts."""
    groups: dict[str, _Group] = {}
    for text, count in rows:
        key = fold_case(text)
        if not key:
            continue
        group = groups.setdefault(key, _Group(0, Counter()))
        group.count += int(count)
        group.spellings[clean(text)] += int(count)
    return sorted(groups.values(), key=lambda g: (-g.count, fold_case(g.label)))


def top_questions(session: Session, period: Period, limit: int = 10) -> list[QuestionCount]:
    text = col(Interaction.query_masked)
    rows = session.execute(_questions(period, text, func.count()).group_by(text)).all()
    return [QuestionCount(text=g.label, count=g.count) for g in _fold_groups(rows)[:limit]]


def unanswered_topics(
    session: Session, grouper: QueueGrouper, since: datetime, until: datetime, limit: int = 10
) -> list[Topic]:
    """The main subjects citizens did not get a good answer to between ``since`` (included) and
    ``until`` (excluded), most frequent first: the unanswered queue of the period (fallbacks,
    questions passed to staff, replies rated 👎; whatever staff did with them since, except
    what they ignored as noise) grouped by meaning as the queue is."""
    items, _ = queue_items(session, ("new", "in_progress", "resolved"), None, since, until)
    ignored = session.execute(select(col(IgnoredQuestion.text))).scalars().all()
    groups, _ = grouper.groups(items, list(ignored))
    return [Topic(label=g.label, count=g.count, examples=g.examples[:3]) for g in groups[:limit]]


def _local_day(column: Any, dialect: str) -> ColumnElement[str]:
    """The local day of a timestamp as 'YYYY-MM-DD' text, in each database's own dialect.

    The constants are SQL literals, not bound parameters: PostgreSQL only matches the GROUP BY
    expression with the selected one when both are written identically."""
    hours = int(LOCAL_UTC_OFFSET.total_seconds() // 3600)
    if dialect == "sqlite":  # stored as UTC text
        return func.date(column, literal_column(f"'+{hours} hours'"))
    local = func.timezone(literal_column("'UTC'"), column) + literal_column(f"interval '{hours} hours'")
    return func.to_char(local, literal_column("'YYYY-MM-DD'"))


def daily(session: Session, period: Period) -> list[DayCount]:
    """Questions per local day by decision, every day of the period present (zeros included) so
    a chart can plot the series as it is."""
    day = _local_day(col(Interaction.created_at), session.get_bind().dialect.name).label("day")
    decision = col(Interaction.decision)
    rows = session.execute(_questions(period, day, decision, func.count()).group_by(day, decision)).all()
    days = {
        period.first_day + timedelta(days=i): DayCount(day=period.first_day + timedelta(days=i))
        for i in range((period.last_day - period.first_day).days + 1)
    }
    for day_text, decision_name, count in rows:
        setattr(days[date.fromisoformat(str(day_text))], decision_name, int(count))
    return list(days.values())


class DayRating(BaseModel):
    """Ratings of the questions asked on one local day (a chart of satisfaction over time)."""

    day: date = Field(description="local day (UTC+7)")
    rated: int = 0
    helpful: int = 0


def daily_ratings(session: Session, period: Period) -> list[DayRating]:
    """Rated and 👍 questions per local day of the question (as every figure here counts
    feedback), every day of the period present, zeros included."""
    day = _local_day(col(Interaction.created_at), session.get_bind().dialect.name).label("day")
    rows = session.execute(_questions(period, day, _rated(), _helpful()).group_by(day)).all()
    found: dict[date, DayRating] = {}
    for day_text, rated, helpful in rows:
        rating = DayRating(day=date.fromisoformat(str(day_text)), rated=int(rated), helpful=int(helpful))
        found[rating.day] = rating
    span = (period.last_day - period.first_day).days + 1
    days = (period.first_day + timedelta(days=i) for i in range(span))
    return [found.get(d) or DayRating(day=d) for d in days]


def actions(session: Session, period: Period) -> Actions:
    when = period.contains(col(FaqEntryVersion.changed_at))
    added_ids = select(col(FaqEntryVersion.entry_id)).where(col(FaqEntryVersion.version) == 1, *when)
    added = _entry_changes(session, [*when, col(FaqEntryVersion.entry_id).in_(added_ids)])
    changed = _entry_changes(
        session,
        [*when, col(FaqEntryVersion.version) > 1, col(FaqEntryVersion.entry_id).not_in(added_ids)],
    )
    audit_counts = dict(
        session.execute(
            select(col(AuditEvent.action), func.count())
            .where(*period.contains(col(AuditEvent.at)))
            .where(col(AuditEvent.action).in_(("entry_published", "entry_archived")))
            .group_by(col(AuditEvent.action))
        ).all()
    )
    return Actions(
        added=added,
        changed=changed,
        published=audit_counts.get("entry_published", 0),
        archived=audit_counts.get("entry_archived", 0),
    )


def _entry_changes(session: Session, where: list[Any]) -> list[EntryChange]:
    entry = col(FaqEntryVersion.entry_id)
    rows = session.execute(
        select(entry, col(FaqEntryRecord.question), func.count(), func.max(col(FaqEntryVersion.changed_at)))
        .select_from(FaqEntryVersion)
        .outerjoin(FaqEntryRecord, col(FaqEntryRecord.id) == entry)
        .where(*where)
        .group_by(entry, col(FaqEntryRecord.question))
        .order_by(entry)
    ).all()
    return [
        EntryChange(entry_id=row[0], question=row[1], versions=int(row[2]), last_changed_at=as_local(row[3]))
        for row in rows
    ]


STATS_EXAMPLE: dict[str, Any] = {
    "since": "2026-07-01T00:00:00+07:00",
    "until": "2026-08-01T00:00:00+07:00",
    "summary": {
        "questions": 1200,
        "answered": 840,
        "suggested": 180,
        "catalog": 60,
        "fallback": 120,
        "smalltalk": 95,
        "empty": 4,
        "rated": 300,
        "helpful": 246,
        "median_latency_ms": 164.0,
        "answered_rate": 0.7,
        "suggested_rate": 0.15,
        "catalog_rate": 0.05,
        "fallback_rate": 0.1,
        "satisfaction_rate": 0.82,
    },
    "by_channel": [
        {
            "key": "zalo",
            "label": "Zalo",
            "questions": 700,
            "answered": 504,
            "suggested": 98,
            "catalog": 28,
            "fallback": 70,
            "rated": 150,
            "helpful": 126,
            "answered_rate": 0.72,
            "satisfaction_rate": 0.84,
        }
    ],
    "by_category": [
        {
            "key": "can-cuoc",
            "label": "Căn cước và định danh điện tử",
            "questions": 400,
            "answered": 320,
            "suggested": 40,
            "catalog": 0,
            "fallback": 40,
            "rated": 100,
            "helpful": 85,
            "answered_rate": 0.8,
            "satisfaction_rate": 0.85,
        }
    ],
    "by_entry": [
        {
            "entry_id": "can-cuoc-cap-lai-khi-mat",
            "question": "Làm lại thẻ căn cước bị mất ở đâu?",
            "category": "can-cuoc",
            "count": 95,
            "rated": 20,
            "helpful": 18,
            "satisfaction_rate": 0.9,
        }
    ],
    "top_questions": [{"text": "lam lai cccd bi mat o dau", "count": 41}],
    "worst_rated": [
        {
            "entry_id": "ho-tich-dang-ky-khai-sinh",
            "question": "Đăng ký khai sinh cần giấy tờ gì?",
            "category": "ho-tich",
            "count": 30,
            "rated": 10,
            "helpful": 4,
            "satisfaction_rate": 0.4,
        }
    ],
    "daily": [{"day": "2026-07-01", "answer": 30, "suggest": 6, "catalog": 2, "fallback": 4, "total": 42}],
}


class Stats(BaseModel):
    """Usage and satisfaction over a period (GET /stats)."""

    model_config = ConfigDict(json_schema_extra={"examples": [STATS_EXAMPLE]})

    since: datetime
    until: datetime
    summary: Summary
    by_channel: list[Tally]
    by_category: list[Tally]
    by_entry: list[EntryUsage] = Field(description="entries most often answered with (top N)")
    top_questions: list[QuestionCount] = Field(description="most frequent questions, folded (top 10)")
    worst_rated: list[EntryUsage] = Field(description="entries with enough ratings, lowest 👍 share first")
    daily: list[DayCount]


def statistics(session: Session, period: Period, top: int = 10, min_rated: int = 3) -> Stats:
    return Stats(
        since=period.since.astimezone(LOCAL_TZ),
        until=period.until.astimezone(LOCAL_TZ),
        summary=summary(session, period),
        by_channel=by_channel(session, period),
        by_category=by_category(session, period),
        by_entry=by_entry(session, period, top),
        top_questions=top_questions(session, period),
        worst_rated=worst_rated(session, period, min_rated, top),
        daily=daily(session, period),
    )
