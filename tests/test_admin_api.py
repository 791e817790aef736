"""The staff API over real HTTP, on SQLite and on PostgreSQL: roles on every route, login
throttling, edits with versions and conflicts, publishing into the bot, the audit log."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlmodel import Session, select

from admin_api.deps import ROLE_KEY
from admin_api.roles import Role
from bot.web.app import create_app
from core.db.models import AuditEvent, FaqEntryVersion
from core.settings import Settings
from tests.staff_api import API, PASSWORD, Admin, wait_for_build


def _staff_routes() -> list[tuple[str, str, str | None]]:
    """(path, method, required role) of every staff operation, from the app's OpenAPI schema."""
    schema = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    return [
        (path, method.upper(), operation.get(ROLE_KEY))
        for path, operations in schema["paths"].items()
        if path.startswith(API)
        for method, operation in operations.items()
    ]


def test_every_staff_route_declares_a_role() -> None:
    routes = _staff_routes()
    assert len(routes) >= 16
    assert [(path, method) for path, method, role in routes if role is None] == [(f"{API}/login", "POST")]


def test_role_matrix(admin: Admin) -> None:
    """Each role gets exactly the routes of its rank and above; no token gets 401."""
    for route_path, method, required in _staff_routes():
        if required is None:
            continue
        path = route_path.removeprefix(API).replace("{entry_id}", "cccd-cap-lai")
        path = re.sub(r"\{[a-z_]+_id\}", "999999", path.replace("{category_id}", "nope"))
        assert admin.call(method, path, json={}).status_code == 401, (method, path)
        for role in Role:
            got = admin.call(method, path, role, json={}).status_code
            if role.includes(Role(required)):
                assert got not in (401, 403), (method, path, role, got)
            else:
                assert got == 403, (method, path, role, got)


def test_login_throttle_and_audit(admin: Admin) -> None:
    for _ in range(3):
        assert admin.login("editor01", "wrong-password-xx").status_code == 401
    locked = admin.login("editor01")  # even the right password waits now
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert admin.login("nobody", "x").status_code == 429  # the address is throttled too
    events = admin.call("GET", "/audit?action=login_failed", Role.ADMIN).json()
    assert len(events) == 3 and {e["actor"] for e in events} == {"editor01"}
    assert PASSWORD not in str(events)


def test_a_stale_update_gets_409_and_history_diff_revert(admin: Admin) -> None:
    entry = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()
    base = entry["version"]
    first = admin.call(
        "PATCH",
        "/entries/cccd-cap-lai",
        Role.EDITOR,
        json={"base_version": base, "answer": "Câu trả lời mới số một."},
    )
    assert first.status_code == 200 and first.json()["version"] == base + 1
    assert first.json()["updated_by"] == "editor01"
    second = admin.call(  # a second editor who started from the same version
        "PATCH",
        "/entries/cccd-cap-lai",
        Role.PUBLISHER,
        json={"base_version": base, "answer": "Ghi đè mất rồi."},
    )
    assert second.status_code == 409
    assert second.json()["detail"]["current_version"] == base + 1
    assert (
        admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()["answer"] == "Câu trả lời mới số một."
    )
    versions = admin.call("GET", "/entries/cccd-cap-lai/versions", Role.VIEWER).json()
    assert [v["version"] for v in versions][-2:] == [base, base + 1] and versions[-1][
        "changed_by"
    ] == "editor01"
    diff = admin.call("GET", f"/entries/cccd-cap-lai/diff?from={base}&to={base + 1}", Role.VIEWER).json()
    assert (
        list(diff["changes"]) == ["answer"] and diff["changes"]["answer"]["to"] == "Câu trả lời mới số một."
    )
    reverted = admin.call(
        "POST", "/entries/cccd-cap-lai/revert", Role.EDITOR, json={"version": base, "base_version": base + 1}
    )
    assert reverted.status_code == 200 and reverted.json()["version"] == base + 2
    assert reverted.json()["answer"] == entry["answer"]


def test_bad_input_names_the_field(admin: Admin) -> None:
    bad = admin.call("POST", "/entries", Role.EDITOR, json={"id": "Bad Id", "category": "can-cuoc"})
    assert bad.status_code == 422
    fields = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert ("body", "id") in fields and ("body", "question") in fields
    unknown = admin.call(
        "POST",
        "/entries",
        Role.EDITOR,
        json={"id": "moi-1", "category": "khong-co", "question": "Hỏi gì đó?", "answer": "Trả lời đủ dài."},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("category")
    reserved = admin.call(
        "POST",
        "/entries",
        Role.EDITOR,
        json={
            "id": "tthc-1.004002",
            "category": "can-cuoc",
            "question": "Hỏi gì đó?",
            "answer": "Trả lời đủ dài.",
        },
    )
    assert reserved.status_code == 422 and reserved.json()["detail"][0]["loc"] == ["body", "id"]
    assert "reserved for national catalog records" in reserved.json()["detail"][0]["msg"]
    assert admin.call("GET", "/entries/khong-co-entry", Role.VIEWER).status_code == 404
    taken = admin.call(
        "POST", "/users", Role.ADMIN, json={"username": "editor01", "role": "editor", "password": PASSWORD}
    )
    assert taken.status_code == 409
    short = admin.call(
        "POST", "/users", Role.ADMIN, json={"username": "moi01", "role": "editor", "password": "ngan"}
    )
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["body", "password"]


def test_publish_reaches_the_bot_within_seconds(admin: Admin) -> None:
    question = "Nuôi ong mật trong khu dân cư có phải đăng ký với xã không?"
    created = admin.call(
        "POST",
        "/entries",
        Role.EDITOR,
        json={
            "id": "nuoi-ong-mat-dang-ky",
            "category": "ho-tich",
            "question": question,
            "answer": "Đây là câu trả lời thử nghiệm về việc nuôi ong mật trong khu dân cư.",
            "paraphrases": ["nuoi ong mat co phai dang ky khong", "nuôi ong trong xóm có cần báo xã ko"],
            "legal_basis": ["Văn bản thử nghiệm, Điều 1"],
        },
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    before = admin.call("GET", "/index/status", Role.VIEWER).json()["index_version"]
    assert (
        admin.call(
            "POST", "/entries/nuoi-ong-mat-dang-ky/publish", Role.EDITOR, json={"base_version": 1}
        ).status_code
        == 403
    )
    published = admin.call(
        "POST", "/entries/nuoi-ong-mat-dang-ky/publish", Role.PUBLISHER, json={"base_version": 1}
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    status = wait_for_build(admin, before)
    reply = httpx.post(
        f"{admin.base}/api/chat",
        json={"message": "nuoi ong mat co phai dang ky khong", "session_id": "staff-test-1"},
    )
    assert reply.json()["entry_id"] == "nuoi-ong-mat-dang-ky"
    archived = admin.call(
        "POST", "/entries/nuoi-ong-mat-dang-ky/archive", Role.PUBLISHER, json={"base_version": 2}
    )
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    wait_for_build(admin, status["index_version"])
    gone = httpx.post(
        f"{admin.base}/api/chat",
        json={"message": "nuoi ong mat co phai dang ky khong", "session_id": "staff-test-1"},
    )
    assert gone.json()["entry_id"] != "nuoi-ong-mat-dang-ky"
    with Session(admin.runtime.engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        assert {"entry_create", "entry_published", "entry_archived"} <= set(actions)
        versions = session.exec(
            select(FaqEntryVersion).where(FaqEntryVersion.entry_id == "nuoi-ong-mat-dang-ky")
        )
        assert [v.summary for v in versions] == ["created", "published", "archived"]


def test_admin_cannot_lock_themselves_out_and_accounts_can_be_disabled(admin: Admin) -> None:
    me = admin.call("GET", "/me", Role.ADMIN).json()
    assert admin.call("PATCH", f"/users/{me['id']}", Role.ADMIN, json={"active": False}).status_code == 409
    users = {u["username"]: u for u in admin.call("GET", "/users", Role.ADMIN).json()}
    disabled = admin.call("PATCH", f"/users/{users['viewer01']['id']}", Role.ADMIN, json={"active": False})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert admin.call("GET", "/me", Role.VIEWER).status_code == 401  # its token stops working at once


def _chat(admin: Admin, message: str) -> dict[str, Any]:
    response = httpx.post(f"{admin.base}/api/chat", json={"message": message, "session_id": "staff-draft-1"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_edits_wait_as_drafts_test_shows_them_and_a_batch_publishes_them(admin: Admin) -> None:
    entry = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()
    served_text = _chat(admin, entry["question"])["text"]
    assert entry["pending"] is False and entry["published_version"] == entry["version"]
    new_answer = "Bản nháp: nộp hồ sơ cấp lại thẻ căn cước tại Công an xã nơi cư trú."
    edited = admin.call(
        "PATCH",
        "/entries/cccd-cap-lai",
        Role.EDITOR,
        json={
            "base_version": entry["version"],
            "answer": new_answer,
            "legal_basis": ["Luật Căn cước 2023, Điều 24"],  # nothing is published without one
        },
    ).json()
    assert edited["pending"] is True and edited["published_version"] == entry["version"]
    pending = admin.call("GET", "/entries?pending=true", Role.VIEWER).json()
    assert [e["id"] for e in pending["items"]] == ["cccd-cap-lai"]

    tested = admin.call("POST", "/test", Role.EDITOR, json={"question": entry["question"]})
    assert tested.status_code == 200, tested.text
    draft, live = tested.json()["draft"], tested.json()["published"]
    assert draft["entry_id"] == live["entry_id"] == "cccd-cap-lai"
    assert new_answer in draft["text"] and new_answer not in live["text"]
    top = draft["candidates"][0]
    assert top["id"] == "cccd-cap-lai" and top["dense_question"] > 0.9 and top["status"] == "published"
    assert len(draft["candidates"]) >= 3 and draft["candidates"][1]["score"] <= top["score"]
    assert admin.call("POST", "/test", Role.VIEWER, json={"question": "x"}).status_code == 403

    # Another entry's publication rebuilds the index: the pending draft must still not be served.
    other = admin.call("GET", "/entries?status=published", Role.VIEWER).json()["items"]
    other = next(e for e in other if e["id"] != "cccd-cap-lai" and e["legal_basis"])
    touched = admin.call(
        "PATCH",
        f"/entries/{other['id']}",
        Role.EDITOR,
        json={"base_version": other["version"], "paraphrases": [*other["paraphrases"], "câu hỏi thêm"]},
    ).json()
    before = admin.call("GET", "/index/status", Role.VIEWER).json()["index_version"]
    stale = admin.call(
        "POST",
        "/publish",
        Role.PUBLISHER,
        json={
            "items": [
                {"id": other["id"], "base_version": touched["version"]},
                {"id": "cccd-cap-lai", "base_version": entry["version"]},  # stale: nothing applies
            ]
        },
    )
    assert stale.status_code == 409
    assert stale.json()["detail"]["current_versions"] == {"cccd-cap-lai": edited["version"]}
    assert admin.call("GET", f"/entries/{other['id']}", Role.VIEWER).json()["pending"] is True
    one = admin.call(
        "POST",
        "/publish",
        Role.PUBLISHER,
        json={"items": [{"id": other["id"], "base_version": touched["version"]}]},
    )
    assert one.status_code == 200 and one.json()["published"] == [other["id"]]
    status = wait_for_build(admin, before)
    assert _chat(admin, entry["question"])["text"] == served_text  # the draft waits

    both = admin.call(
        "POST",
        "/publish",
        Role.PUBLISHER,
        json={
            "items": [
                {"id": "cccd-cap-lai", "base_version": edited["version"]},
                {"id": other["id"], "base_version": touched["version"] + 1},
            ]
        },
    )
    assert both.status_code == 200, both.text
    assert both.json()["published"] == ["cccd-cap-lai"] and both.json()["unchanged"] == [other["id"]]
    wait_for_build(admin, status["index_version"])
    assert new_answer in _chat(admin, entry["question"])["text"]
    assert admin.call("GET", "/entries?pending=true", Role.VIEWER).json()["total"] == 0
    missing = admin.call(
        "POST", "/publish", Role.PUBLISHER, json={"items": [{"id": "khong-co", "base_version": 1}]}
    )
    assert missing.status_code == 404 and missing.json()["detail"]["missing"] == ["khong-co"]


def test_simultaneous_edits_of_one_version_let_one_through_and_refuse_the_rest(admin: Admin) -> None:
    base = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()["version"]

    def edit(n: int) -> int:
        body = {"base_version": base, "answer": f"Bản sửa số {n} của cùng một phiên bản."}
        return admin.call("PATCH", "/entries/cccd-cap-lai", Role.EDITOR, json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(edit, range(6)))
    assert codes == [200] + [409] * 5, codes
    after = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()
    assert after["version"] == base + 1
    versions = admin.call("GET", "/entries/cccd-cap-lai/versions", Role.VIEWER).json()
    assert [v["version"] for v in versions][-1] == base + 1
