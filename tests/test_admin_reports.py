"""Logs, exports, statistics and the periodic report of the staff API, over real HTTP on SQLite
and PostgreSQL, against a hand-counted set of interactions spanning two quarters of 2026.

Every expected figure below is a literal counted by hand from SEED (the comment shows how), not
recomputed by the code under test. Times are Vietnam's (UTC+7); two rows sit where the UTC date
and the local date differ, so a period or a day taken in UTC would miscount them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, get_args

import httpx
import openpyxl
import pytest
from sqlmodel import Session

from admin_api.roles import Role
from admin_api.routes.logs import Reason
from core.db.models import AuditEvent, FaqEntryRecord, FaqEntryVersion, Feedback, HandoffRequest, Interaction
from core.faq import FaqEntry
from core.interaction_log import FEEDBACK_REASONS
from core.settings import Settings
from retrieval.index import SearchIndex
from tests.staff_api import API, Admin, staff_api

VN = timezone(timedelta(hours=7))
XSS = "=1+1 mức phạt vượt đèn đỏ <script>alert(1)</script>"  # a formula and markup, from a citizen


def at(local: str) -> datetime:
    """A local (UTC+7) time, stored as UTC like the application stores it."""
    return datetime.fromisoformat(local).replace(tzinfo=VN).astimezone(UTC)


# id, local time, channel, decision, entry answered, masked question, latency in ms
SEED: list[tuple[str, str, str, str, str | None, str, float]] = [
    # Q2 2026 (the previous quarter): 6 questions, latencies 100..600
    ("p-01", "2026-04-10 09:00", "web", "answer", "cccd-cap-doi", "Đến 25 tuổi có đổi căn cước không", 100),
    ("p-02", "2026-05-05 09:00", "web", "answer", "thuong-tru", "đăng ký thường trú", 200),
    ("p-03", "2026-05-20 09:00", "telegram", "answer", "tam-tru", "tạm trú", 300),
    ("p-04", "2026-06-01 09:00", "zalo", "answer", "khai-sinh", "khai sinh", 400),
    ("p-05", "2026-06-15 09:00", "web", "fallback", None, "đổi bằng lái xe", 500),
    ("p-06", "2026-06-30 23:59", "web", "suggest", None, "hỏi về đất", 600),  # still Q2 locally
    # Q3 2026: 12 questions (latencies 100..1200) plus one greeting and one blank message
    ("q3-01", "2026-07-01 08:00", "web", "answer", "cccd-cap-lai", "Làm lại CCCD bị mất ở đâu?", 100),
    ("q3-02", "2026-07-01 09:30", "web", "answer", "cccd-cap-lai", "làm lại  cccd bị mất ở đâu?", 200),
    ("q3-03", "2026-07-02 10:00", "telegram", "answer", "cccd-cap-lai", "Làm lại CCCD bị mất ở đâu?", 300),
    ("q3-04", "2026-07-15 10:00", "telegram", "answer", "khai-sinh", "Đăng ký khai sinh cần gì", 400),
    ("q3-05", "2026-08-03 10:00", "zalo", "answer", "khai-sinh", "khai sinh cho con", 500),
    ("q3-06", "2026-08-03 11:00", "zalo", "answer", "khai-sinh", "khai sinh ở đâu", 600),
    ("q3-07", "2026-08-10 10:00", "web", "suggest", None, "đăng ký xe máy", 700),
    ("q3-08", "2026-08-20 10:00", "web", "catalog", "1.004222", "thủ tục cấp giấy phép xây dựng", 800),
    # 06:00 local on 5 September is 23:00 UTC on 4 September
    ("q3-09", "2026-09-05 06:00", "web", "fallback", None, "Nuôi chó có phải đăng ký không", 900),
    ("q3-10", "2026-09-06 10:00", "telegram", "fallback", None, "nuôi chó có phải  đăng ký không", 1000),
    ("q3-11", "2026-09-07 10:00", "zalo", "fallback", None, XSS, 1100),
    ("q3-12", "2026-09-30 23:30", "web", "answer", "ket-hon", "Đăng ký kết hôn ở đâu", 1200),
    ("q3-13", "2026-07-03 08:00", "web", "smalltalk", None, "xin chào", 5),
    ("q3-14", "2026-07-03 08:01", "telegram", "empty", None, "", 1),
    # 00:30 local on 1 October (17:30 UTC on 30 September): Q4, not Q3
    ("q4-01", "2026-10-01 00:30", "web", "answer", "ket-hon", "kết hôn", 50),
]
# 👍 (True) or 👎 (False) with the reason and comment; the other interactions are unrated
VERDICTS: dict[str, tuple[bool, str | None, str | None]] = {
    "p-01": (True, None, None),
    "p-02": (True, None, None),
    "p-03": (False, "missing_info", None),
    "q3-01": (True, None, None),
    "q3-02": (True, None, None),
    "q3-03": (False, "wrong_question", "Tôi hỏi về thẻ của con"),
    "q3-04": (False, "missing_info", None),
    "q3-05": (False, "outdated", None),
    "q3-06": (False, "other", None),
    "q3-08": (True, None, None),
    "q3-12": (True, None, None),
    "q4-01": (True, None, None),
}
HANDED_OFF = ("q3-07", "q3-09", "q3-11")  # passed to staff
NEW_ENTRIES = {
    "nuoi-cho-dang-ky": "Nuôi chó có phải đăng ký không?",
    "xe-may-dang-ky": "Đăng ký xe máy ở đâu?",
}
VERSIONS = [  # entry, version, local time (the seeded entries' version 1 is dated today)
    ("nuoi-cho-dang-ky", 1, "2026-09-10 09:00"),
    ("nuoi-cho-dang-ky", 2, "2026-09-12 10:00"),
    ("xe-may-dang-ky", 1, "2026-08-15 14:00"),
    ("cccd-cap-lai", 2, "2026-07-20 08:00"),
    ("cccd-cap-lai", 3, "2026-08-01 08:00"),
    ("khai-sinh", 2, "2026-09-01 08:00"),
    ("ket-hon", 2, "2026-06-20 08:00"),  # Q2
]
STATUS_EVENTS = [  # action, entry, local time
    ("entry_published", "xe-may-dang-ky", "2026-08-16 09:00"),
    ("entry_published", "nuoi-cho-dang-ky", "2026-09-11 10:00"),
    ("entry_archived", "tam-tru", "2026-09-20 15:00"),
    ("entry_published", "ket-hon", "2026-06-21 09:00"),  # Q2
]
Q3 = {"since": "2026-07-01", "until": "2026-09-30"}


def seed(session: Session) -> None:
    for iid, local, channel, decision, entry, text, latency in SEED:
        created = at(local)
        session.add(
            Interaction(
                id=iid,
                created_at=created,
                channel=channel,
                user_hash=f"hash-{iid}",
                query_masked=text,
                decision=decision,
                entry_id=entry,
                latency_ms=latency,
            )
        )
        session.flush()  # the interaction before rows that refer to it (PostgreSQL checks at once)
        if iid in VERDICTS:
            helpful, reason, comment = VERDICTS[iid]
            session.add(
                Feedback(
                    interaction_id=iid,
                    helpful=helpful,
                    reason=reason,
                    comment_masked=comment,
                    created_at=created + timedelta(minutes=1),
                )
            )
        if iid in HANDED_OFF:
            session.add(HandoffRequest(interaction_id=iid, created_at=created + timedelta(minutes=2)))
    for entry_id, question in NEW_ENTRIES.items():
        session.add(
            FaqEntryRecord(
                id=entry_id, category="ho-tich", question=question, answer="Câu trả lời thử.", status="draft"
            )
        )
    for entry_id, version, local in VERSIONS:
        session.add(
            FaqEntryVersion(
                entry_id=entry_id,
                version=version,
                changed_by="editor01",
                summary="seed",
                changed_at=at(local),
            )
        )
    for action, target, local in STATUS_EVENTS:
        session.add(AuditEvent(actor="publisher01", action=action, target=target, at=at(local)))
    session.commit()


@pytest.fixture(params=["sqlite", "postgres"])
def staff(
    request: pytest.FixtureRequest,
    settings: Settings,
    encoder: Any,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
) -> Iterator[Admin]:
    # The seeded months must survive the retention purge the app runs at start-up.
    update: dict[str, Any] = {"retention_days": 3650}
    if request.param == "postgres":
        update["database_url"] = request.getfixturevalue("postgres_url")
    with staff_api(settings.model_copy(update=update), encoder, chat_index, chat_entries, seed) as running:
        yield running


def get(staff: Admin, path: str, **params: Any) -> httpx.Response:
    return staff.call("GET", path, Role.VIEWER, params=params)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json() if "json" in response.headers["content-type"] else response.content


def test_statistics_of_a_quarter(staff: Admin) -> None:
    s = ok(get(staff, "/stats", **Q3))
    assert s["since"] == "2026-07-01T00:00:00+07:00" and s["until"] == "2026-10-01T00:00:00+07:00"
    summary = s["summary"]
    assert {k: summary[k] for k in ("questions", "answered", "suggested", "catalog", "fallback")} == {
        "questions": 12,  # q3-01..q3-12; q4-01 (1 October local) is out
        "answered": 7,  # q3-01..06 and q3-12
        "suggested": 1,  # q3-07
        "catalog": 1,  # q3-08
        "fallback": 3,  # q3-09..11
    }
    assert (summary["smalltalk"], summary["empty"]) == (1, 1)  # q3-13, q3-14, not questions
    assert summary["answered_rate"] == pytest.approx(0.5833, abs=1e-4)  # 7 / 12
    assert summary["fallback_rate"] == pytest.approx(0.25)  # 3 / 12
    assert summary["catalog_rate"] == pytest.approx(0.0833, abs=1e-4)  # 1 / 12
    assert (summary["rated"], summary["helpful"]) == (8, 4)  # 👍 01 02 08 12, 👎 03 04 05 06
    assert summary["satisfaction_rate"] == pytest.approx(0.5)  # 4 / 8
    assert summary["median_latency_ms"] == pytest.approx(650)  # 100..1200: (600 + 700) / 2

    channels = {c["key"]: (c["questions"], c["answered"], c["rated"], c["helpful"]) for c in s["by_channel"]}
    assert channels == {
        "web": (6, 3, 4, 4),  # 01 02 07 08 09 12; answered 01 02 12; 👍 01 02 08 12
        "telegram": (3, 2, 2, 0),  # 03 04 10; 👎 03 04
        "zalo": (3, 2, 2, 0),  # 05 06 11; 👎 05 06
    }
    assert [c["key"] for c in s["by_channel"]] == ["web", "telegram", "zalo"]  # most questions first

    categories = [
        (c["key"], c["label"], c["questions"], c["answered"], c["rated"], c["helpful"])
        for c in s["by_category"]
    ]
    assert categories == [
        ("ho-tich", "Hộ tịch", 4, 4, 4, 1),  # khai-sinh 04 05 06 + ket-hon 12; only 12 is 👍
        ("can-cuoc", "Căn cước", 3, 3, 3, 2),  # cccd-cap-lai 01 02 03
        (None, "(chưa xác định)", 5, 0, 1, 1),  # 07 suggest, 08 catalog, 09-11 fallback; 08 is 👍
    ]  # fmt: skip
    entries = [(e["entry_id"], e["count"]) for e in s["by_entry"]]
    assert entries == [("cccd-cap-lai", 3), ("khai-sinh", 3), ("1.004222", 1), ("ket-hon", 1)]
    assert s["by_entry"][0]["question"] == "Làm lại thẻ căn cước bị mất ở đâu, cần giấy tờ gì?"
    worst = [(e["entry_id"], e["rated"], e["satisfaction_rate"]) for e in s["worst_rated"]]
    assert worst == [("khai-sinh", 3, 0.0), ("cccd-cap-lai", 3, pytest.approx(0.6667, abs=1e-4))]  # 0/3, 2/3
    assert ok(get(staff, "/stats", **Q3, min_rated=4))["worst_rated"] == []  # nobody has 4 ratings

    top = [(q["text"], q["count"]) for q in s["top_questions"]]
    assert top[:2] == [("Làm lại CCCD bị mất ở đâu?", 3), ("Nuôi chó có phải đăng ký không", 2)]
    assert len(top) == 9 and sum(n for _, n in top) == 12  # 12 questions fold into 9 texts

    days = {d["day"]: d for d in s["daily"]}
    assert len(days) == 92  # 31 + 31 + 30 days, zeros included
    assert days["2026-07-01"]["answer"] == 2  # q3-01, q3-02
    assert (days["2026-09-04"]["total"], days["2026-09-05"]["fallback"]) == (0, 1)  # q3-09 is local 5 Sept
    assert days["2026-09-30"]["answer"] == 1  # q3-12 at 23:30
    assert sum(d["total"] for d in s["daily"]) == 12


def test_statistics_bounds_and_default_window(staff: Admin) -> None:
    both = ok(get(staff, "/stats", since="2026-04-01", until="2026-10-01T00:30:00+07:00"))["summary"]
    assert both["questions"] == 18  # Q2 6 + Q3 12; q4-01 sits exactly on the excluded end
    after = ok(get(staff, "/stats", since="2026-04-01", until="2026-10-01T00:31:00+07:00"))["summary"]
    assert after["questions"] == 19
    naive = ok(get(staff, "/stats", since="2026-09-30T23:00:00", until="2026-10-01T01:00:00"))["summary"]
    assert naive["questions"] == 2  # naive times are local: q3-12 (23:30) and q4-01 (00:30)
    default = ok(get(staff, "/stats"))
    since, until = datetime.fromisoformat(default["since"]), datetime.fromisoformat(default["until"])
    assert until - since == timedelta(days=30) and abs(datetime.now(UTC) - until) < timedelta(minutes=5)


def test_interaction_log_filters_and_paging(staff: Admin) -> None:
    page = ok(get(staff, "/logs/interactions", **Q3))
    assert page["total"] == 14 and len(page["items"]) == 14  # 12 questions + greeting + blank
    assert page["items"][0]["id"] == "q3-12"  # newest first
    assert all("user_hash" not in item for item in page["items"])
    item = next(i for i in page["items"] if i["id"] == "q3-03")
    assert item == {
        "id": "q3-03",
        "created_at": "2026-07-02T10:00:00+07:00",
        "channel": "telegram",
        "query_masked": "Làm lại CCCD bị mất ở đâu?",
        "decision": "answer",
        "entry_id": "cccd-cap-lai",
        "category": "can-cuoc",
        "latency_ms": 300.0,
        "helpful": False,
        "reason": "wrong_question",
        "comment_masked": "Tôi hỏi về thẻ của con",
    }

    def total(**params: Any) -> int:
        return int(ok(get(staff, "/logs/interactions", **params))["total"])

    assert total() == 21  # every seeded row
    assert total(**Q3, decision="fallback") == 3  # q3-09..11
    assert total(**Q3, rating="helpful") == 4  # 01 02 08 12
    assert total(**Q3, rating="unhelpful") == 4  # 03 04 05 06
    assert total(**Q3, rating="unrated") == 6  # 14 - 8 rated
    assert total(reason="missing_info") == 2  # q3-04 and p-03
    assert total(**Q3, category="can-cuoc") == 3 and total(category="can-cuoc") == 4  # + p-01
    assert total(**Q3, channel="zalo") == 3  # 05 06 11
    assert total(entry_id="khai-sinh") == 4  # q3-04..06 and p-04
    assert total(since="2026-10-01") == 1  # q4-01 only: no end means no end
    assert total(until="2026-06-30") == 6  # Q2 only

    paged = ok(get(staff, "/logs/interactions", **Q3, offset=10, limit=5))
    assert (paged["total"], len(paged["items"]), paged["offset"], paged["limit"]) == (14, 4, 10, 5)
    assert set(FEEDBACK_REASONS) == set(get_args(Reason))  # the filter offers every stored reason


def test_exports_open_in_a_spreadsheet_and_are_audited(staff: Admin) -> None:
    response = get(staff, "/logs/interactions/export", format="csv", decision="fallback", **Q3)
    body = ok(response)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="nhat-ky-hoi-dap-') and disposition.endswith('.csv"')
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "id", "created_at", "channel", "decision", "entry_id", "category", "query_masked", "rating", "reason",
        "comment_masked", "latency_ms",
    ]  # fmt: skip
    by_id = {r[0]: r for r in rows[1:]}
    assert sorted(by_id) == ["q3-09", "q3-10", "q3-11"]
    assert (
        by_id["q3-09"][1] == "2026-09-05 06:00:00" and by_id["q3-09"][6] == "Nuôi chó có phải đăng ký không"
    )
    assert by_id["q3-09"][7] == "unrated"
    assert by_id["q3-11"][6] == "'" + XSS  # a leading = is defused for spreadsheet programs

    response = get(staff, "/logs/interactions/export", format="xlsx", decision="fallback", **Q3)
    sheet = openpyxl.load_workbook(io.BytesIO(ok(response))).active
    assert response.headers["content-disposition"].endswith('.xlsx"')
    assert [c.value for c in sheet[1]][:3] == ["id", "created_at", "channel"] and sheet["A1"].font.b
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert sorted(cells) == ["q3-09", "q3-10", "q3-11"]
    assert cells["q3-09"][1].value == datetime(2026, 9, 5, 6, 0)  # a real date cell, local time
    assert cells["q3-11"][6].value == XSS and cells["q3-11"][6].data_type == "s"  # text, not a formula

    events = staff.call("GET", "/audit?action=export", Role.ADMIN).json()
    assert [(e["actor"], e["detail"]["format"], e["detail"]["rows"]) for e in events] == [
        ("viewer01", "xlsx", 3),
        ("viewer01", "csv", 3),
    ]
    assert events[0]["detail"]["filters"] == {
        "since": "2026-07-01",
        "until": "2026-09-30",
        "decision": "fallback",
    }


def _summary_rows(sheet: Any) -> dict[str, tuple[Any, ...]]:
    return {row[0]: row[1:4] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], str)}


def test_quarter_report_workbook(staff: Admin) -> None:
    response = get(staff, "/reports/periodic", period="quarter", year=2026, number=3, format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(ok(response)))
    assert response.headers["content-disposition"] == 'attachment; filename="bao-cao-quy-3-2026.xlsx"'
    assert book.sheetnames == ["Tổng hợp", "Theo lĩnh vực", "Chưa trả lời được", "Việc đã thực hiện"]
    summary = book["Tổng hợp"]
    assert summary["A5"].value == "BÁO CÁO KẾT QUẢ TRẢ LỜI HỎI ĐÁP THỦ TỤC HÀNH CHÍNH"
    assert summary["A6"].value == "Quý III năm 2026"
    assert summary["A7"].value == "(Từ ngày 01/07/2026 đến ngày 30/09/2026)"
    assert "Quý II năm 2026 (từ ngày 01/04/2026 đến ngày 30/06/2026)" in summary["A8"].value
    rows = _summary_rows(summary)
    assert rows["Tổng số câu hỏi"] == (12, 6, 6)  # Q3 12, Q2 6 (p-01..06)
    assert rows["Trả lời trực tiếp từ bộ hỏi đáp"] == (7, 4, 3)  # Q2: p-01..04
    assert rows["Chưa có câu trả lời (hướng dẫn liên hệ)"] == (3, 1, 2)  # Q2: p-05
    assert rows["Số lượt đánh giá"] == (8, 3, 5)  # Q2: p-01 👍 p-02 👍 p-03 👎
    assert rows["Số lượt đánh giá hài lòng"] == (4, 2, 2)
    assert rows["Lời chào, tin nhắn trống (không tính là câu hỏi)"] == (2, 0, 2)
    assert rows["Thời gian phản hồi trung vị (mili giây)"] == (650, 350, 300)  # Q2: (300 + 400) / 2
    answered = rows["Tỷ lệ trả lời trực tiếp"]
    assert answered == pytest.approx((0.5833, 0.6667, -8.33), abs=1e-4)  # 7/12, 4/6, 58.33 - 66.67 points
    assert rows["Tỷ lệ chưa có câu trả lời"] == pytest.approx((0.25, 0.1667, 8.33), abs=1e-4)  # 3/12, 1/6
    assert rows["Tỷ lệ trả lời bằng thẻ thủ tục"] == pytest.approx((0.0833, 0.0, 8.33), abs=1e-4)  # 1/12, 0/6
    satisfaction = rows["Tỷ lệ hài lòng (trên số lượt đánh giá)"]
    assert satisfaction == pytest.approx((0.5, 0.6667, -16.67), abs=1e-4)  # 4/8, 2/3
    rate_cell = next(r for r in summary.iter_rows() if r[0].value == "Tỷ lệ trả lời trực tiếp")[1]
    assert rate_cell.number_format == "0.00%"
    header = next(r for r in summary.iter_rows() if r[0].value == "Chỉ tiêu")
    assert header[0].font.b and header[1].value == "Quý III năm 2026" and header[2].value == "Quý II năm 2026"

    fields = [r[1:7] for r in book["Theo lĩnh vực"].iter_rows(min_row=2, values_only=True)]
    assert fields == [
        ("Hộ tịch", 4, 4, 1.0, 4, 0.25),  # 1 👍 of 4 rated
        ("Căn cước", 3, 3, 1.0, 3, pytest.approx(0.6667, abs=1e-4)),  # 2 of 3
        ("(chưa xác định)", 5, 0, 0.0, 1, 1.0),
        ("Tổng cộng", 12, 7, pytest.approx(0.5833, abs=1e-4), 8, 0.5),
    ]

    topics = list(book["Chưa trả lời được"].iter_rows(min_row=2))
    # fallback 09 10 11, handed off 07 (09 11 already counted), 👎 03 04 05 06: 8 questions,
    # grouped by meaning with the real model (the queue's grouping), most frequent first
    topic_counts = [r[2].value for r in topics]
    assert sum(topic_counts) == 8 and topic_counts == sorted(topic_counts, reverse=True)
    assert len(topics) < 8
    labels = [r[1].value for r in topics]
    assert "Làm lại CCCD bị mất ở đâu?" in labels  # nothing else is about an ID card
    xss = next(r for r in topics if r[1].value == XSS)
    assert xss[1].data_type == "s"

    actions = book["Việc đã thực hiện"]
    counts = {r[1]: r[2] for r in actions.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert counts == {
        "Số câu hỏi bổ sung mới": 2,  # nuoi-cho-dang-ky, xe-may-dang-ky (version 1 in Q3)
        "Số câu hỏi được cập nhật, chỉnh sửa": 2,  # cccd-cap-lai v2 v3, khai-sinh v2 (ket-hon v2 is Q2)
        "Số lượt công bố": 2,  # 16 Aug and 11 Sep (21 Jun is Q2)
        "Số lượt ngừng sử dụng (lưu trữ)": 1,
    }
    listed = [r[1:6] for r in actions.iter_rows(min_row=8, values_only=True)]
    assert listed == [
        ("nuoi-cho-dang-ky", "Nuôi chó có phải đăng ký không?", "Bổ sung mới", 2, "12/09/2026"),
        ("xe-may-dang-ky", "Đăng ký xe máy ở đâu?", "Bổ sung mới", 1, "15/08/2026"),
        ("cccd-cap-lai", "Làm lại thẻ căn cước bị mất ở đâu, cần giấy tờ gì?", "Cập nhật", 2, "01/08/2026"),
        ("khai-sinh", "Đăng ký khai sinh cho con cần giấy tờ gì?", "Cập nhật", 1, "01/09/2026"),
    ]


def test_quarter_report_page_and_audit(staff: Admin) -> None:
    response = get(staff, "/reports/periodic", period="quarter", year=2026, number=3, format="html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for text in (
        "BÁO CÁO KẾT QUẢ TRẢ LỜI HỎI ĐÁP THỦ TỤC HÀNH CHÍNH",
        "Quý III năm 2026",
        "Từ ngày 01/07/2026 đến ngày 30/09/2026",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "<td class=n>58,33%</td>",  # 7 / 12 answered
        "<td class=n>-8,33</td>",  # 58.33 - 66.67 percentage points
        "<td class=n>-16,67</td>",  # satisfaction 50 % - 66.67 %
        "Hộ tịch",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ):
        assert text in page, text
    assert "<script>" not in page and "<link" not in page and "src=" not in page  # standalone, escaped
    events = staff.call("GET", "/audit?action=report", Role.ADMIN).json()
    assert [(e["actor"], e["target"], e["detail"]) for e in events] == [
        ("viewer01", "bao-cao-quy-3-2026", {"period": "quarter", "year": 2026, "number": 3, "format": "html"})
    ]


def _previous_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def test_half_year_year_and_default_reports(staff: Admin) -> None:
    def workbook(**params: Any) -> Any:
        return openpyxl.load_workbook(io.BytesIO(ok(get(staff, "/reports/periodic", **params))))["Tổng hợp"]

    half = workbook(period="half", year=2026, number=1)
    assert (half["A6"].value, half["A7"].value) == (
        "6 tháng đầu năm 2026",
        "(Từ ngày 01/01/2026 đến ngày 30/06/2026)",
    )
    assert "6 tháng cuối năm 2025" in half["A8"].value
    rows = _summary_rows(half)
    assert rows["Tổng số câu hỏi"] == (6, 0, 6)  # H1 2026 = Q2 only; nothing in H2 2025
    assert rows["Tỷ lệ trả lời trực tiếp"] == (pytest.approx(0.6667, abs=1e-4), None, None)  # no rate before
    year = workbook(period="year", year=2026)
    assert year["A6"].value == "Năm 2026" and "Năm 2025" in year["A8"].value
    assert _summary_rows(year)["Tổng số câu hỏi"] == (19, 0, 19)  # 6 + 12 + q4-01

    default = workbook()  # no parameters: the last complete quarter
    y, q = _previous_quarter(datetime.now(VN).date())
    assert default["A6"].value == f"Quý {['I', 'II', 'III', 'IV'][q - 1]} năm {y}"


def test_bad_parameters_name_the_field(staff: Admin) -> None:
    def field_of(path: str, **params: Any) -> list[Any]:
        response = get(staff, path, **params)
        assert response.status_code == 422, (path, params, response.text)
        return [e["loc"] for e in response.json()["detail"]]

    report = "/reports/periodic"
    assert field_of(report, period="half", year=2026, number=3) == [["query", "number"]]
    message = get(staff, report, period="half", year=2026, number=3).json()["detail"][0]["msg"]
    assert message == "number: must be 1 to 2 for period=half"
    assert field_of(report, period="year", year=2026, number=1) == [["query", "number"]]
    assert field_of(report, period="quarter", year=2026) == [["query", "number"]]
    assert field_of(report, period="quarter", number=2) == [["query", "year"]]
    assert field_of(report, period="month") == [["query", "period"]]
    assert field_of(report, format="pdf") == [["query", "format"]]
    assert field_of(report, period="quarter", year=1999, number=1) == [["query", "year"]]
    assert field_of("/stats", since="2026-09-30", until="2026-07-01") == [["query", "until"]]
    assert field_of("/stats", since="hôm qua") == [["query", "since"]]
    # Years that overflow when moved between time zones (found by fuzzing): 422, not 500.
    assert field_of("/stats", since="0001-01-01", until="0001-01-05") == [
        ["query", "since"],
        ["query", "until"],
    ]
    assert field_of("/logs/interactions", until="9999-12-31") == [["query", "until"]]
    assert field_of("/logs/interactions", rating="meh") == [["query", "rating"]]
    assert field_of("/logs/interactions", limit=501) == [["query", "limit"]]
    assert field_of("/logs/interactions/export", format="pdf") == [["query", "format"]]


def test_viewers_read_and_anonymous_requests_are_refused(staff: Admin) -> None:
    paths = ["/stats", "/logs/interactions", "/logs/interactions/export", "/reports/periodic"]
    for path in paths:
        assert httpx.get(f"{staff.base}{API}{path}", timeout=30).status_code == 401, path
        assert get(staff, path).status_code == 200, path
