"""The dashboard's SVG charts over real HTTP, on SQLite and PostgreSQL, against a small
hand-counted week of interactions: each chart parses as SVG and shows the expected labels and
values; a name from the database stays text; an empty period says so; roles and bad input.

Times are Vietnam's (UTC+7); a3 sits where the UTC date (1 July) and the local date (2 July)
differ, so a chart by UTC day would draw it on the wrong day."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from admin_api.charts import NO_DATA, capped, clean_label, unit_for
from admin_api.roles import Role
from admin_api.stats import Tally
from core.db.models import FaqCategoryRecord, Feedback, Interaction
from core.settings import Settings
from tests.conftest import temporary_postgres
from tests.staff_api import Admin, staff_api

VN = timezone(timedelta(hours=7))
SVG = "{http://www.w3.org/2000/svg}"
NAME = "<script>alert(1)</script> $a$"  # a category name: markup and mathtext, kept as text
WEEK = {"since": "2026-07-01", "until": "2026-07-07"}
# id, local time, channel, decision, entry answered (its category), 👍 True / 👎 False / unrated
SEED: list[tuple[str, str, str, str, str | None, bool | None]] = [
    ("a1", "2026-07-01 08:00", "web", "answer", "cccd-cap-lai", True),  # can-cuoc
    ("a2", "2026-07-01 09:00", "zalo", "fallback", None, None),
    ("a3", "2026-07-02 06:30", "telegram", "answer", "khai-sinh", False),  # ho-tich; 1 July in UTC
    ("a4", "2026-07-03 10:00", "web", "suggest", None, True),
    ("a5", "2026-07-03 11:00", "web", "answer", "ket-hon", True),  # ho-tich
    ("a6", "2026-07-03 12:00", "web", "catalog", "1.004222", None),
    ("a7", "2026-07-03 12:30", "web", "smalltalk", None, None),  # a greeting, not a question
    ("a8", "2026-07-05 15:00", "zalo", "answer", "cccd-cap-lai", True),
    ("z1", "2026-06-30 23:30", "web", "answer", "ket-hon", False),  # before the period (local)
]


def seed(session: Session) -> None:
    for iid, local, channel, decision, entry, verdict in SEED:
        created = datetime.fromisoformat(local).replace(tzinfo=VN).astimezone(UTC)
        session.add(
            Interaction(
                id=iid,
                created_at=created,
                channel=channel,
                user_hash=f"hash-{iid}",
                query_masked=f"câu hỏi {iid}",
                decision=decision,
                entry_id=entry,
                latency_ms=100,
            )
        )
        session.flush()  # the interaction before its feedback (PostgreSQL checks at once)
        if verdict is not None:
            session.add(Feedback(interaction_id=iid, helpful=verdict, created_at=created))
    category = session.get(FaqCategoryRecord, "can-cuoc")
    assert category is not None
    category.name = NAME
    session.commit()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def staff(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    encoder: Any,
    chat_index: Any,
    chat_entries: Any,
) -> Iterator[Admin]:
    """One app per database for the module (the charts only read)."""
    folder = tmp_path_factory.mktemp(f"charts-{request.param}")
    settings = Settings(_env_file=None, environment="test", data_dir=folder, retention_days=3650)  # type: ignore[call-arg]
    if request.param == "sqlite":
        with staff_api(settings, encoder, chat_index, chat_entries, seed) as admin:
            yield admin
        return
    with temporary_postgres(request.getfixturevalue("postgres_server")) as url:
        settings = settings.model_copy(update={"database_url": url})
        with staff_api(settings, encoder, chat_index, chat_entries, seed) as admin:
            yield admin


def chart(staff: Admin, name: str, role: Role | None = Role.VIEWER, **params: str) -> httpx.Response:
    return staff.call("GET", f"/stats/charts/{name}.svg", role, params=params or WEEK)


def svg_of(response: httpx.Response) -> ET.Element:
    """The parsed SVG of a successful chart response, checked to be an SVG image."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "private, max-age=60"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox")
    return root


def texts(root: ET.Element) -> list[str]:
    """The drawn text, in document order."""
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    """The tooltips of the bars and points (a <title> in each element with one)."""
    return [
        title.text or ""
        for group in root.iter(f"{SVG}g")
        if (group.get("id") or "").startswith("tip-")
        for title in group.findall(f"{SVG}title")
    ]


def described(root: ET.Element) -> tuple[str, str]:
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    return title.text or "", desc.text or ""


def test_daily_chart_stacks_decisions_by_local_day(staff: Admin) -> None:
    root = svg_of(chart(staff, "daily"))
    title, desc = described(root)
    assert title == "Số câu hỏi theo ngày – từ ngày 01/07/2026 đến ngày 07/07/2026"
    assert desc.startswith(
        "Tổng số 7 câu hỏi: trả lời trực tiếp 4, gợi ý câu hỏi tương tự 1,"
    )  # a7 is no question
    assert "Nhiều nhất: 3 câu hỏi (03/07/2026)" in desc  # a4 a5 a6
    assert sorted(tooltips(root)) == [
        "01/07/2026 – Chưa có câu trả lời: 1",  # a2
        "01/07/2026 – Trả lời trực tiếp: 1",  # a1
        "02/07/2026 – Trả lời trực tiếp: 1",  # a3, 23:30 UTC on 1 July
        "03/07/2026 – Gợi ý câu hỏi tương tự: 1",
        "03/07/2026 – Thẻ thủ tục (CSDL quốc gia): 1",
        "03/07/2026 – Trả lời trực tiếp: 1",
        "05/07/2026 – Trả lời trực tiếp: 1",  # a8; z1 (30 June local) is out
    ]
    days_with_bars = {tip.split(" – ")[0] for tip in tooltips(root)}
    assert len(days_with_bars) == 4  # 1, 2, 3 and 5 July: one bar each, none for empty days
    drawn = texts(root)
    assert [f"0{d}/07" for d in range(1, 8)] == [t for t in drawn if t.endswith("/07")]  # every day ticked
    assert {"Trả lời trực tiếp", "Chưa có câu trả lời", "Ngày", "Số câu hỏi"} <= set(drawn)


def test_satisfaction_chart_per_day_with_the_period_rate(staff: Admin) -> None:
    root = svg_of(chart(staff, "satisfaction"))
    assert tooltips(root) == [
        "01/07/2026: 100% hài lòng (1/1 lượt đánh giá)",  # a1 👍
        "02/07/2026: 0% hài lòng (0/1 lượt đánh giá)",  # a3 👎
        "03/07/2026: 100% hài lòng (2/2 lượt đánh giá)",  # a4 a5 👍
        "05/07/2026: 100% hài lòng (1/1 lượt đánh giá)",  # a8 👍; no point on unrated days
    ]
    drawn = texts(root)
    assert "Cả kỳ: 80% (4/5 lượt đánh giá)" in drawn and "Dưới 5 lượt đánh giá" in drawn
    assert {"0%", "50%", "100%"} <= set(drawn)
    assert described(root)[1].startswith("Tỷ lệ hài lòng cả kỳ 80% (4/5 lượt đánh giá).")


def test_channels_chart_counts_and_rates(staff: Admin) -> None:
    drawn = texts(svg_of(chart(staff, "channels")))
    assert [t for t in drawn if t in ("Trang web", "Zalo", "Telegram")] == ["Trang web", "Zalo", "Telegram"]
    # web a1 a4 a5 a6 (👍 a1 a4 a5), zalo a2 a8 (👍 a8), telegram a3 (👎)
    assert {"4", "2", "1", "100% (3 lượt)", "100% (1 lượt)", "0% (1 lượt)"} <= set(drawn)


def test_categories_chart_keeps_a_name_from_the_database_as_text(staff: Admin) -> None:
    response = chart(staff, "categories")
    assert b"<script" not in response.content and b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
    root = svg_of(response)
    assert not list(root.iter(f"{SVG}script"))
    drawn = texts(root)
    assert [t for t in drawn if t in (NAME, "Hộ tịch", "(chưa xác định)")] == [
        NAME,
        "Hộ tịch",
        "(chưa xác định)",
    ]
    # can-cuoc a1 a8 (👍 both), ho-tich a3 👎 a5 👍, no entry a2 a4 (👍) a6
    assert {"2 · hài lòng 100%", "2 · hài lòng 50%", "3 · hài lòng 100%"} <= set(drawn)
    assert f"{NAME}: 2 câu hỏi, trả lời trực tiếp 2, hài lòng 100% (2/2 lượt đánh giá)" in tooltips(root)


@pytest.mark.parametrize("name", ["daily", "satisfaction", "channels", "categories"])
def test_an_empty_period_says_so(staff: Admin, name: str) -> None:
    root = svg_of(chart(staff, name, since="2026-01-01", until="2026-01-31"))
    assert NO_DATA in texts(root) and described(root)[1] == NO_DATA


def test_roles_and_bad_input(staff: Admin) -> None:
    assert chart(staff, "daily", role=None).status_code == 401
    assert chart(staff, "daily", role=Role.ADMIN).status_code == 200

    def refused(name: str, **params: str) -> list[Any]:
        response = chart(staff, name, Role.VIEWER, **params)
        assert response.status_code == 422, response.text
        return [e["loc"] for e in response.json()["detail"]]

    assert refused("daily", since="2026-13-45") == [["query", "since"]]
    assert refused("pie") == [["path", "chart"]]
    assert refused("daily", since="2026-07-07", until="2026-07-01") == [["query", "until"]]
    assert refused("daily", since="0001-01-01", until="0001-01-05") == [
        ["query", "since"],
        ["query", "until"],
    ]  # UTC overflow
    assert refused("daily", since="2010-01-01", until="2026-07-01") == [["query", "since"]]  # over ten years


def test_long_periods_are_drawn_by_week_month_or_year() -> None:
    def unit(days: int) -> str:
        return unit_for(date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=days - 1), 92)

    assert (unit(92), unit(93), unit(365), unit(3 * 365), unit(10 * 365)) == (
        "day",
        "week",
        "week",
        "month",
        "year",
    )


def test_many_categories_are_capped_and_names_cleaned() -> None:
    def tally(key: str | None, questions: int) -> Tally:
        return Tally(
            key=key, label=key or "?", questions=questions, answered=0, suggested=0, catalog=0, fallback=0,
            rated=2, helpful=1,
        )  # fmt: skip

    rows = capped([*(tally(f"c{i}", 100 - i) for i in range(30)), tally(None, 5)])
    assert len(rows) == 24 and rows[-1].key is None  # the unknown category stays last
    assert rows[-2].label == "Các lĩnh vực khác (8)" and rows[-2].questions == sum(
        100 - i for i in range(22, 30)
    )
    assert clean_label("Hộ\x00 tịch\x1b\n") == "Hộ tịch"  # XML 1.0 allows no control characters
