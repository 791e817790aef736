"""Import and export of the Q&A set over real HTTP, on SQLite and PostgreSQL: CSV, Excel and JSON
round-trip; an edited workbook imports as a pending draft; a bad file is refused as a whole with
every problem's row and column; roles, formats and the size limit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from admin_api.roles import Role
from admin_api.routes.transfer import MAX_UPLOAD_BYTES
from admin_api.transfer import COLUMNS
from core import faq_store
from tests.staff_api import Admin

BOM = b"\xef\xbb\xbf"


def export(admin: Admin, fmt: str, role: Role | None = Role.VIEWER, **params: str) -> httpx.Response:
    return admin.call("GET", "/export", role, params={"format": fmt, **params})


def upload(
    admin: Admin, content: bytes, filename: str, role: Role | None = Role.EDITOR, **params: str
) -> httpx.Response:
    return admin.call("POST", "/import", role, params=params, files={"file": (filename, content)})


def all_entries(admin: Admin) -> list[dict[str, Any]]:
    """Every entry as the API shows it (to compare the whole set before and after)."""
    items: list[dict[str, Any]] = admin.call("GET", "/entries?limit=200", Role.VIEWER).json()["items"]
    return items


def entry(admin: Admin, entry_id: str) -> dict[str, Any]:
    body: dict[str, Any] = admin.call("GET", f"/entries/{entry_id}", Role.VIEWER).json()
    return body


def _dry_run(admin: Admin, content: bytes, filename: str) -> dict[str, Any]:
    response = upload(admin, content, filename, dry_run="true")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["dry_run"] is True and body["applied"] is False
    return body


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return BOM + buffer.getvalue().encode("utf-8")


def _problems(response: httpx.Response) -> set[tuple[int | None, str | None]]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["field"] == "file"
    return {(p["row"], p["column"]) for p in detail["problems"]}


def test_every_format_exports_and_round_trips_unchanged(admin: Admin, tmp_path: Path) -> None:
    total = len(all_entries(admin))
    exported = export(admin, "csv")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith('attachment; filename="hoidap-faq-')
    assert exported.headers["content-disposition"].endswith('.csv"')
    assert exported.content.startswith(BOM)
    rows = _csv_rows(exported.content)
    assert tuple(rows[0]) == COLUMNS and len(rows) == total + 1
    long_row = next(r for r in rows if r[0] == "nuoi-con-nuoi-dai")
    assert long_row[4].split("\n") == [
        "nhận con nuôi trong nước cần điều kiện gì",
        "nhan con nuoi trong nuoc",
    ]

    workbook = export(admin, "xlsx")
    assert workbook.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["entries", "categories"] and book["entries"].max_row == total + 1

    as_json = export(admin, "json")
    assert as_json.headers["content-type"] == "application/json"
    path = tmp_path / "faq.json"  # the CLI reads what the API writes
    path.write_bytes(as_json.content)
    categories, entries = faq_store.read_file(path)
    assert len(entries) == total and {"can-cuoc", "ho-tich"} <= {c.id for c in categories}

    for content, name in (
        (exported.content, "a.csv"),
        (workbook.content, "a.xlsx"),
        (as_json.content, "a.json"),
    ):
        plan = _dry_run(admin, content, name)  # the format comes from the file name
        assert (plan["created"], plan["updated"], plan["unchanged"]) == ([], [], total), name

    filtered = export(admin, "json", category="can-cuoc", status="published").json()["entries"]
    assert filtered and {(e["category"], e["status"]) for e in filtered} == {("can-cuoc", "published")}
    events = admin.call("GET", "/audit?action=export", Role.ADMIN).json()
    assert len(events) == 4 and {e["actor"] for e in events} == {"viewer01"}
    expected = {"format": "json", "category": "can-cuoc", "status": "published", "entries": len(filtered)}
    assert events[0]["detail"] == expected


def test_an_edited_workbook_imports_as_drafts_waiting_for_a_publisher(admin: Admin) -> None:
    total = len(all_entries(admin))
    before = entry(admin, "cccd-cap-lai")
    assert before["pending"] is False and before["status"] == "published"
    book = openpyxl.load_workbook(io.BytesIO(export(admin, "xlsx").content))
    sheet = book["entries"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "cccd-cap-lai")
    new_answer = "Bản nháp từ Excel: nộp hồ sơ cấp lại thẻ căn cước tại Công an cấp xã nơi cư trú."
    row[header.index("answer")].value = new_answer
    sheet.append(
        ["nuoi-ong-dang-ky", "nong-nghiep", "Nuôi ong có phải đăng ký không?", "Câu trả lời thử đủ dài."]
    )
    book["categories"].append(["nong-nghiep", "Nông nghiệp", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    edited = buffer.getvalue()

    plan = _dry_run(admin, edited, "edited.xlsx")
    assert plan["updated"] == [{"id": "cccd-cap-lai", "fields": ["answer"]}]
    assert plan["created"] == ["nuoi-ong-dang-ky"] and plan["categories_created"] == ["nong-nghiep"]
    assert plan["unchanged"] == total - 1 and plan["awaiting_publication"] == []
    assert entry(admin, "cccd-cap-lai") == before  # nothing applied
    assert admin.call("GET", "/entries/nuoi-ong-dang-ky", Role.VIEWER).status_code == 404

    applied = upload(admin, edited, "edited.xlsx", format="xlsx", dry_run="false")
    assert applied.status_code == 200, applied.text
    result = applied.json()
    assert result["applied"] is True and "publisher" in result["message"]
    assert result["awaiting_publication"] == ["cccd-cap-lai", "nuoi-ong-dang-ky"]
    after = entry(admin, "cccd-cap-lai")
    assert after["answer"] == new_answer and after["status"] == "published" and after["pending"] is True
    assert after["published_version"] == before["published_version"] == before["version"]
    assert after["version"] == before["version"] + 1 and after["updated_by"] == "editor01"
    created = entry(admin, "nuoi-ong-dang-ky")
    assert created["status"] == "draft" and created["published_version"] is None
    assert created["category"] == "nong-nghiep" and created["paraphrases"] == []

    again = upload(admin, edited, "edited.xlsx")  # the file's version of cccd-cap-lai is stale now
    assert _problems(again) == {(row[0].row, "version")}
    events = admin.call("GET", "/audit?action=import", Role.ADMIN).json()
    assert [(e["detail"]["dry_run"], e["detail"].get("updated")) for e in events] == [
        (False, None),
        (False, 1),
        (True, 1),
    ]


def test_a_bad_file_lists_every_problem_and_applies_nothing(admin: Admin) -> None:
    rows = _csv_rows(export(admin, "csv").content)
    line = {r[0]: number for number, r in enumerate(rows, start=1)}  # row numbers as Excel shows them
    col = {name: index for index, name in enumerate(rows[0])}
    stale = entry(admin, "khai-sinh")  # someone edits after the export
    assert (
        admin.call(
            "PATCH",
            "/entries/khai-sinh",
            Role.PUBLISHER,
            json={"base_version": stale["version"], "legal_basis": ["Luật Hộ tịch 2014"]},
        ).status_code
        == 200
    )
    before = all_entries(admin)

    rows[line["cccd-cap-lai"] - 1][col["answer"]] = ""
    rows[line["cccd-cap-doi"] - 1][col["category"]] = "khong-co"
    rows[line["ket-hon"] - 1][col["id"]] = "Kết Hôn!"
    rows[line["ket-hon"] - 1][col["version"]] = ""
    rows[line["nuoi-con-nuoi-dai"] - 1][col["reviewed"]] = "2024-13-45"
    rows[line["nuoi-con-nuoi-dai"] - 1][col["level"]] = "xa\nhuyen"
    rows[line["khai-sinh"] - 1][col["question"]] = "Khai sinh cho con cần những giấy tờ gì?"
    rows[line["thuong-tru"] - 1][col["answer"]] += " Một thay đổi hợp lệ."  # valid, yet not applied
    response = upload(admin, _csv_bytes(rows), "sai.csv", dry_run="false")
    assert _problems(response) == {
        (line["cccd-cap-lai"], "answer"),
        (line["cccd-cap-doi"], "category"),
        (line["ket-hon"], "id"),
        (line["nuoi-con-nuoi-dai"], "reviewed"),
        (line["nuoi-con-nuoi-dai"], "level"),
        (line["khai-sinh"], "version"),
    }
    messages = {p["column"]: p["message"] for p in response.json()["detail"]["problems"]}
    assert (
        f"since version {stale['version']} (it is at version {stale['version'] + 1})" in messages["version"]
    )
    assert "khong-co" in messages["category"]
    assert messages["level"].startswith("item 2:")
    assert all_entries(admin) == before

    bad_header = [[*rows[0][:8], "ghi_chu", *rows[0][9:]], *rows[1:]]  # "links" renamed
    assert _problems(upload(admin, _csv_bytes(bad_header), "x.csv")) == {(1, "ghi_chu"), (1, "links")}
    duplicate = [*rows[:2], rows[1]]
    assert (3, "id") in _problems(upload(admin, _csv_bytes(duplicate), "x.csv"))
    as_json = {
        "entries": [
            {
                "id": "moi-mot",
                "category": "ho-tich",
                "question": "Câu hỏi mới?",
                "answer": "Trả lời đủ dài rồi.",
            },
            {"id": "moi-hai", "category": "ho-tich", "anwser": "Sai chính tả tên trường."},
            "not an object",
        ]
    }
    refused = upload(admin, json.dumps(as_json).encode(), "x.json")
    assert _problems(refused) == {(2, "anwser"), (2, "question"), (2, "answer"), (3, None)}
    assert all_entries(admin) == before


def test_roles_formats_and_limits(admin: Admin) -> None:
    csv_file = export(admin, "csv").content
    assert upload(admin, csv_file, "a.csv", Role.VIEWER).status_code == 403
    assert upload(admin, csv_file, "a.csv", None).status_code == 401
    assert export(admin, "csv", None).status_code == 401
    assert export(admin, "pdf").status_code == 422
    assert upload(admin, csv_file, "a.csv", format="pdf").status_code == 422
    unnamed = upload(admin, csv_file, "a.txt")
    assert unnamed.status_code == 422 and unnamed.json()["detail"]["field"] == "format"
    assert upload(admin, csv_file, "a.txt", format="csv", dry_run="true").status_code == 200
    workbook = export(admin, "xlsx").content
    for content, fmt in ((workbook, "csv"), (csv_file, "xlsx"), (b"{not json", "json"), (csv_file, "json")):
        wrong = upload(admin, content, "file", format=fmt)
        assert wrong.status_code == 422 and wrong.json()["detail"]["field"] == "file", (fmt, wrong.text)
        assert "problems" not in wrong.json()["detail"]
    too_big = upload(admin, csv_file + b" " * (MAX_UPLOAD_BYTES - len(csv_file) + 1), "big.csv")
    assert too_big.status_code == 413
