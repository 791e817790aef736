"""The unanswered queue and learned phrasings over real HTTP, on SQLite and PostgreSQL: a
realistic sample of questions the bot could not answer is grouped by meaning with the real
model; the actions turn groups into drafts or phrasings, and ignored noise stays away."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from admin_api.roles import Role
from core.db.models import Feedback, Interaction, UnansweredStatus, utcnow
from core.erasure import erase_user
from core.handoff import hand_off
from tests.staff_api import Admin

SAMPLE = Path(__file__).parent / "data" / "unanswered_sample.jsonl"
# Topics the small model cannot tell apart at any useful threshold (docs/DECISIONS.md §11):
# a group may hold both topics of one theme, never two themes.
THEME = {"bang-lai": "xe", "dang-ky-xe": "xe", "karaoke": "giay-phep", "ruou": "giay-phep"}


def _log(admin: Admin, text: str, decision: str = "fallback", **fields: Any) -> str:
    interaction = Interaction(
        id=uuid.uuid4().hex,
        channel=fields.pop("channel", "web"),
        user_hash=fields.pop("user_hash", uuid.uuid4().hex),
        query_masked=text,
        decision=decision,
        top_hits=fields.pop("top_hits", []),
        latency_ms=20.0,
        **fields,
    )
    with Session(admin.runtime.engine, expire_on_commit=False) as session:
        session.add(interaction)
        session.commit()
    return interaction.id


def _seed_sample(admin: Admin) -> dict[str, str]:
    """The sample as logged fallbacks (one handed off to staff); interaction id → topic."""
    topics = {}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        topics[_log(admin, row["text"])] = row["topic"]
    hand_off(admin.runtime.engine, next(iter(topics)))
    return topics


def _theme(topic: str) -> str:
    return THEME.get(topic, topic)


def test_the_queue_groups_a_realistic_sample_and_its_actions_close_the_gaps(admin: Admin) -> None:
    topics = _seed_sample(admin)
    chat = httpx.post(
        f"{admin.base}/api/chat", json={"message": "làm lại căn cước bị mất", "session_id": "queue-test-1"}
    ).json()
    rated = httpx.post(
        f"{admin.base}/api/feedback",
        json={"interaction_id": chat["interaction_id"], "helpful": False, "reason": "missing_info"},
    )
    assert rated.status_code == 201, rated.text
    unhelpful = admin.call("GET", "/unanswered?reason=unhelpful", Role.VIEWER).json()
    assert [i["interaction_id"] for i in unhelpful["items"]] == [chat["interaction_id"]]
    assert unhelpful["items"][0]["reasons"] == ["unhelpful"]
    assert unhelpful["items"][0]["feedback_reason"] == "missing_info"
    assert admin.call("GET", "/unanswered", Role.VIEWER).json()["total"] == len(topics) + 1

    found = admin.call("GET", "/unanswered/groups?limit=100", Role.VIEWER).json()
    groups = found["groups"]
    assert found["questions"] == len(topics) + 1 and found["hidden_as_ignored"] == 0
    counts = [g["count"] for g in found["groups"]]
    assert counts == sorted(counts, reverse=True)
    for group in groups:  # no group mixes two themes
        themes = {_theme(topics.get(i, "single")) for i in group["interaction_ids"]} - {"single"}
        assert len(themes) <= 1, group["examples"]
        assert group["label"] in {q for q in group["examples"]} or group["count"] > 5
    by_topic = Counter(topics.values())
    for topic, size in by_topic.items():  # each topic mostly in one group
        if topic in ("single", "dien-nuoc"):
            continue
        best = max(sum(1 for i in g["interaction_ids"] if topics.get(i) == topic) for g in groups)
        assert best >= 0.6 * size, (topic, best, size)
    top = groups[0]
    assert {_theme(topics.get(i, "single")) for i in top["interaction_ids"]} - {"single"} == {"xe"}
    assert top["count"] >= 8 and top["reasons"]["fallback"] >= top["count"] - 1

    # Ignore the electricity questions: a later one close to them stays out of the groups.
    power = [i for i, t in topics.items() if t == "dien-nuoc"]
    ignored = admin.call("POST", "/unanswered/ignore", Role.EDITOR, json={"interaction_ids": power})
    assert ignored.status_code == 200 and ignored.json()["changed"] == len(power)
    again = _log(admin, "nhà tôi bị cắt điện thì báo cho ai")
    after = admin.call("GET", "/unanswered/groups?limit=100", Role.VIEWER).json()
    assert after["hidden_as_ignored"] == 1
    assert all(again not in g["interaction_ids"] for g in after["groups"])
    assert [i["text"] for i in admin.call("GET", "/unanswered/ignored", Role.VIEWER).json()]
    assert (
        admin.call("POST", "/unanswered/ignore", Role.VIEWER, json={"interaction_ids": power}).status_code
        == 403
    )

    # One group becomes a draft entry; its questions are its phrasings and leave the queue.
    service = [i for i, t in topics.items() if t == "nghia-vu-quan-su"]
    draft = admin.call(
        "POST",
        "/unanswered/to-entry",
        Role.EDITOR,
        json={
            "interaction_ids": service,
            "id": "ho-tich-nghia-vu-quan-su",
            "category": "ho-tich",
            "answer": "Bản nháp: công dân nam đủ 17 tuổi đăng ký nghĩa vụ quân sự lần đầu.",
        },
    )
    assert draft.status_code == 201, draft.text
    body = draft.json()
    assert body["status"] == "draft" and body["pending"] is True
    assert body["question"] == "đăng ký nghĩa vụ quân sự lần đầu ở đâu"
    assert len(body["paraphrases"]) == len(service) - 1
    refused = admin.call(
        "POST", "/entries/ho-tich-nghia-vu-quan-su/publish", Role.PUBLISHER, json={"base_version": 1}
    )
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "legal_basis"
    open_ids = {
        i["interaction_id"] for i in admin.call("GET", "/unanswered?limit=500", Role.VIEWER).json()["items"]
    }
    assert not open_ids & set(service) and not open_ids & set(power)
    resolved = admin.call("GET", "/unanswered?status=resolved", Role.VIEWER).json()
    assert {i["interaction_id"] for i in resolved["items"]} == set(service)

    # Another group becomes phrasings of an existing entry (a pending change).
    entry = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()
    karaoke = [i for i, t in topics.items() if t == "karaoke"]
    merged = admin.call(
        "POST",
        "/unanswered/to-phrasings",
        Role.EDITOR,
        json={"interaction_ids": karaoke, "entry_id": "cccd-cap-lai", "base_version": entry["version"]},
    )
    assert merged.status_code == 200, merged.text
    assert len(merged.json()["paraphrases"]) == len(entry["paraphrases"]) + len(karaoke)
    assert merged.json()["pending"] is True
    stale = admin.call(
        "POST",
        "/unanswered/to-phrasings",
        Role.EDITOR,
        json={"interaction_ids": karaoke, "entry_id": "cccd-cap-lai", "base_version": entry["version"]},
    )
    assert stale.status_code == 409

    # Erasing a citizen removes their questions from the queue with staff's marks on them.
    with Session(admin.runtime.engine) as session:
        asker = session.get(Interaction, service[0])
        assert asker is not None and session.get(UnansweredStatus, service[0]) is not None
        user_hash = asker.user_hash
    assert erase_user(admin.runtime.engine, user_hash).interactions == 1
    with Session(admin.runtime.engine) as session:
        assert session.get(UnansweredStatus, service[0]) is None


def _rated(admin: Admin, text: str, entry_id: str, helpful: bool = True) -> str:
    interaction_id = _log(admin, text, "answer", entry_id=entry_id)
    with Session(admin.runtime.engine) as session:
        session.add(Feedback(interaction_id=interaction_id, helpful=helpful))
        session.commit()
    return interaction_id


def test_phrasings_learned_from_the_logs_are_accepted_or_rejected_in_bulk(admin: Admin) -> None:
    _rated(admin, "mat the can cuoc thi lam sao", "cccd-cap-lai")
    _rated(admin, "Mất thẻ căn cước thì làm sao", "cccd-cap-lai")  # the same phrasing, accented
    _rated(admin, "thẻ căn cước bị rách có đổi được không", "cccd-cap-lai", helpful=False)  # 👎: no
    _rated(admin, "cccd của tôi số [số định danh] bị mất", "cccd-cap-lai")  # personal data: no
    question = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()["question"]
    _rated(admin, question.upper(), "cccd-cap-lai")  # the entry's own question: nothing to learn
    # "Có phải bạn muốn hỏi…" then a pick: the phrasing that led there is learned.
    citizen, start = uuid.uuid4().hex, utcnow() - timedelta(minutes=5)
    offered = [{"id": "cccd-cap-lai"}, {"id": "nuoi-con-nuoi-dai"}]
    _log(
        admin, "đi làm lại giấy tờ tùy thân", "suggest", user_hash=citizen, top_hits=offered, created_at=start
    )
    _log(
        admin,
        question,
        "answer",
        user_hash=citizen,
        entry_id="cccd-cap-lai",
        created_at=start + timedelta(minutes=1),
    )
    late = uuid.uuid4().hex  # a pick an hour later belongs to another conversation
    _log(admin, "giấy tờ tùy thân mất hết", "suggest", user_hash=late, top_hits=offered, created_at=start)
    _log(
        admin,
        question,
        "answer",
        user_hash=late,
        entry_id="cccd-cap-lai",
        created_at=start + timedelta(hours=1),
    )

    found = admin.call("GET", "/suggestions", Role.VIEWER).json()
    assert [(s["entry_id"], s["count"], s["sources"]) for s in found] == [
        ("cccd-cap-lai", 2, {"helpful": 2}),
        ("cccd-cap-lai", 1, {"picked": 1}),
    ]
    assert found[1]["text"] == "đi làm lại giấy tờ tùy thân"

    entry = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()
    decided = admin.call(
        "POST",
        "/suggestions/decide",
        Role.EDITOR,
        json={
            "accept": [{"entry_id": "cccd-cap-lai", "text": found[0]["text"]}],
            "reject": [{"entry_id": "cccd-cap-lai", "text": found[1]["text"]}],
        },
    )
    assert decided.status_code == 200, decided.text
    assert decided.json() == {"accepted": 1, "rejected": 1, "entries": ["cccd-cap-lai"]}
    changed = admin.call("GET", "/entries/cccd-cap-lai", Role.VIEWER).json()
    assert changed["paraphrases"] == [*entry["paraphrases"], found[0]["text"]]
    assert changed["version"] == entry["version"] + 1 and changed["pending"] is True
    assert admin.call("GET", "/suggestions", Role.VIEWER).json() == []  # neither comes back
    missing = admin.call(
        "POST", "/suggestions/decide", Role.EDITOR, json={"accept": [{"entry_id": "khong-co", "text": "abc"}]}
    )
    assert missing.status_code == 404 and missing.json()["detail"]["missing"] == ["khong-co"]
    assert admin.call("POST", "/suggestions/decide", Role.VIEWER, json={}).status_code == 403
