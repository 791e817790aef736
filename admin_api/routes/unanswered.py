"""The unanswered queue: list, grouped by meaning, and the actions that close a gap (a new
draft entry, phrasings of an existing entry, ignore, or a plain status change)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, delete, select

from admin_api.audit import audit
from admin_api.deps import CurrentUser, Offset, SessionDep, Version, requires, row_id
from admin_api.entries_model import ANSWER_EXAMPLE, EntryBase, EntryPublic
from admin_api.entry_checks import add_phrasings, check_category, checked, validated
from admin_api.question_groups import QuestionEmbedder
from admin_api.roles import Role
from admin_api.unanswered import (
    Group,
    QueueGrouper,
    QueueItem,
    questions_of,
    queue_items,
    remember_ignored,
    set_status,
)
from core.db.models import FaqEntryRecord, IgnoredQuestion
from core.faq_versions import save_version
from core.runtime import Runtime

router = APIRouter(prefix="/unanswered", tags=["unanswered"])
Status = Literal["new", "in_progress", "resolved", "ignored"]
Reason = Literal["fallback", "handoff", "unhelpful"]
IID_1, IID_2 = "5b1f0e9c2a7d4c38b6e4f1a09d3c7e25", "c0d7a4e18f2b4b6a9e3d5f7a1c2b8e90"
IdList = Annotated[list[str], Field(min_length=1, max_length=1000, examples=[[IID_1, IID_2]])]
Since = Annotated[
    datetime | None,
    Query(description="asked at or after this instant", examples=["2026-07-01T00:00:00+07:00"]),
]
Until = Annotated[
    datetime | None, Query(description="asked before this instant", examples=["2026-08-01T00:00:00+07:00"])
]
ITEM_EXAMPLE: dict[str, Any] = {  # (FastAPI drops nulls from examples: none here)
    "interaction_id": IID_1,
    "created_at": "2026-07-11T14:02:37Z",
    "channel": "zalo",
    "question": "lam lai cccd bi mat o dau, goi [SĐT]",
    "decision": "answer",
    "entry_id": "can-cuoc-cap-doi",
    "reasons": ["unhelpful"],
    "status": "new",
    "feedback_reason": "wrong_question",
    "comment": "Tôi hỏi cấp lại khi bị mất, không phải cấp đổi",
}


class ItemPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_EXAMPLE]})

    interaction_id: str
    created_at: datetime
    channel: str
    question: str = Field(description="as logged: personal data masked")
    decision: str
    entry_id: str | None
    reasons: list[Reason]
    status: Status
    feedback_reason: str | None
    comment: str | None


class ItemPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [ITEM_EXAMPLE], "total": 1, "offset": 0, "limit": 50}]}
    )

    items: list[ItemPublic]
    total: int
    offset: int
    limit: int


class GroupPublic(BaseModel):
    label: str = Field(description="the group's most typical question")
    count: int
    reasons: dict[str, int]
    first_seen: datetime
    last_seen: datetime
    examples: list[str]
    interaction_ids: list[str] = Field(description="what the actions below take")
    nearest_entry: dict[str, Any] | None = Field(
        description="the served entry closest to the label: a candidate for 'add as phrasings'"
    )


class GroupList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "groups": [
                        {
                            "label": "lam lai cccd bi mat o dau",
                            "count": 2,
                            "reasons": {"fallback": 1, "unhelpful": 1},
                            "first_seen": "2026-07-09T02:11:05Z",
                            "last_seen": "2026-07-11T14:02:37Z",
                            "examples": ["lam lai cccd bi mat o dau", "mất căn cước làm lại ở đâu"],
                            "interaction_ids": [IID_1, IID_2],
                            "nearest_entry": {
                                "id": "can-cuoc-cap-doi",
                                "question": "Cấp đổi thẻ căn cước ở đâu?",
                                "dense_question": 0.8731,
                            },
                        }
                    ],
                    "questions": 37,
                    "hidden_as_ignored": 4,
                }
            ]
        }
    )

    groups: list[GroupPublic]
    questions: int = Field(description="open questions considered")
    hidden_as_ignored: int = Field(description="left out as close to a question staff ignored")


def get_grouper(request: Request) -> QueueGrouper:
    return QueueGrouper(QuestionEmbedder(request.app.state.runtime))


def _nearest(runtime: Runtime, group: Group) -> dict[str, Any] | None:
    searcher = runtime.live.searcher
    if searcher is None:
        return None
    prepared = searcher.index.pipeline.prepare_query(group.label, runtime.settings.restore_diacritics)
    hits = searcher.search(prepared, k=1, vector=group.label_vector)  # encoded once, when grouping
    if not hits:
        return None
    entry = searcher.index.entries[hits[0].id]
    return {"id": entry.id, "question": entry.question, "dense_question": round(hits[0].dense_question, 4)}


def _public_group(group: Group, runtime: Runtime) -> GroupPublic:
    return GroupPublic(
        label=group.label,
        count=group.count,
        reasons=group.reasons,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        examples=group.examples,
        interaction_ids=[i.interaction_id for i in group.items],
        nearest_entry=_nearest(runtime, group),
    )


@router.get("", response_model=ItemPage, **requires(Role.VIEWER))
def list_items(
    session: SessionDep,
    item_status: Annotated[
        list[Status] | None,
        Query(alias="status", description="repeat for several; default: new, in_progress"),
    ] = None,
    reason: Annotated[
        Reason | None,
        Query(
            description="fallback: no answer; handoff: the citizen asked for a person; unhelpful: rated 👎"
        ),
    ] = None,
    since: Since = None,
    until: Until = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="rows returned")] = 50,
) -> ItemPage:
    """Questions we could not answer well, newest first (default: new and in progress)."""
    items, total = queue_items(
        session, item_status or ["new", "in_progress"], reason, since, until, limit=limit, offset=offset
    )
    return ItemPage(items=[_public(i) for i in items], total=total, offset=offset, limit=limit)


def _public(item: QueueItem) -> ItemPublic:
    return ItemPublic.model_validate(item, from_attributes=True)


@router.get("/groups", response_model=GroupList, **requires(Role.VIEWER))
def groups(
    session: SessionDep,
    request: Request,
    grouper: Annotated[QueueGrouper, Depends(get_grouper)],
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, Query(ge=1, le=100, description="groups returned, most frequent first")] = 10,
) -> GroupList:
    """Open questions (new) grouped by meaning, most frequent first."""
    items, _ = queue_items(session, ["new"], None, since, until)
    ignored = session.exec(select(IgnoredQuestion.text)).all()
    found, hidden = grouper.groups(items, list(ignored))
    runtime = request.app.state.runtime
    return GroupList(
        groups=[_public_group(g, runtime) for g in found[:limit]],
        questions=len(items),
        hidden_as_ignored=hidden,
    )


class StatusChange(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"interaction_ids": [IID_1], "status": "in_progress"}]}
    )

    interaction_ids: IdList
    status: Literal["new", "in_progress", "resolved"]


class Changed(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"changed": 2}]})

    changed: int = Field(description="queue items whose status was set")


@router.post("/status", response_model=Changed, **requires(Role.EDITOR))
def change_status(body: StatusChange, session: SessionDep, user: CurrentUser) -> Changed:
    """Set the queue status of questions, e.g. in_progress while someone writes the answer."""
    changed = set_status(session, body.interaction_ids, body.status, user.username)
    audit(session, user.username, "unanswered_status", body.status, count=changed)
    session.commit()
    return Changed(changed=changed)


class IgnoreRequest(BaseModel):
    interaction_ids: IdList


@router.post("/ignore", response_model=Changed, **requires(Role.EDITOR))
def ignore(body: IgnoreRequest, session: SessionDep, user: CurrentUser) -> Changed:
    """Mark the questions as noise and remember them: later questions close to one of them stay
    out of the groups."""
    changed = set_status(session, body.interaction_ids, "ignored", user.username)
    remember_ignored(session, questions_of(session, body.interaction_ids), user.username)
    audit(session, user.username, "unanswered_ignore", "", count=changed)
    session.commit()
    return Changed(changed=changed)


class IgnoredPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 31,
                    "text": "alo alo có ai không",
                    "created_by": "bientap01",
                    "created_at": "2026-07-10T03:45:00Z",
                }
            ]
        }
    )

    id: int
    text: str
    created_by: str
    created_at: datetime


@router.get("/ignored", response_model=list[IgnoredPublic], **requires(Role.VIEWER))
def list_ignored(session: SessionDep) -> list[IgnoredQuestion]:
    """Questions staff marked as noise, newest first: questions close to them stay out of the groups."""
    return list(session.exec(select(IgnoredQuestion).order_by(col(IgnoredQuestion.id).desc())).all())


@router.delete("/ignored/{ignored_id}", status_code=204, **requires(Role.EDITOR))
def forget_ignored(
    ignored_id: Annotated[int, row_id("the ignored question's id, as GET /unanswered/ignored shows it")],
    session: SessionDep,
    user: CurrentUser,
) -> None:
    """Stop hiding questions close to this one."""
    if session.get(IgnoredQuestion, ignored_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ignored_id: no such ignored question")
    session.exec(delete(IgnoredQuestion).where(col(IgnoredQuestion.id) == ignored_id))
    audit(session, user.username, "unanswered_unignore", str(ignored_id))
    session.commit()


class ToEntry(EntryBase):
    """A new draft entry from a group: its questions become the phrasings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "interaction_ids": [IID_1, IID_2],
                    "id": "can-cuoc-cap-lai-khi-mat",
                    "category": "can-cuoc",
                    "question": "Làm lại thẻ căn cước bị mất ở đâu?",
                    "answer": ANSWER_EXAMPLE,
                    "legal_basis": ["Luật Căn cước 2023, Điều 24"],
                }
            ]
        }
    )

    interaction_ids: IdList
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{2,119}$", examples=["giao-thong-dang-ky-xe-may"])
    question: str | None = Field(  # type: ignore[assignment]
        default=None, min_length=5, max_length=500, description="default: the group's first question"
    )


@router.post("/to-entry", response_model=EntryPublic, status_code=201, **requires(Role.EDITOR))
def to_entry(body: ToEntry, session: SessionDep, user: CurrentUser) -> FaqEntryRecord:
    """Create a draft entry whose phrasings are the group's questions; the questions are resolved."""
    if session.get(FaqEntryRecord, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"id: entry {body.id!r} exists")
    check_category(session, body.category)
    texts = questions_of(session, body.interaction_ids)
    if not texts:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "interaction_ids: none of them exists")
    fields = body.model_dump(exclude={"interaction_ids", "question"})
    record = FaqEntryRecord(**fields, question=body.question or texts[0], status="draft")
    add_phrasings(record, texts)
    validated(record)
    save_version(session, record, user.username, f"created from {len(texts)} unanswered question(s)")
    set_status(session, body.interaction_ids, "resolved", user.username)
    audit(session, user.username, "entry_create", body.id, from_unanswered=len(body.interaction_ids))
    session.commit()
    session.refresh(record)
    return record


class ToPhrasings(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"interaction_ids": [IID_1, IID_2], "entry_id": "can-cuoc-cap-lai-khi-mat", "base_version": 4}
            ]
        }
    )

    interaction_ids: IdList
    entry_id: str = Field(max_length=120, examples=["can-cuoc-cap-lai"])
    base_version: Version


@router.post("/to-phrasings", response_model=EntryPublic, **requires(Role.EDITOR))
def to_phrasings(body: ToPhrasings, session: SessionDep, user: CurrentUser) -> FaqEntryRecord:
    """Add the group's questions to an entry's phrasings (a draft change, published as usual);
    the questions are resolved."""
    record = checked(session, body.entry_id, body.base_version)
    added = add_phrasings(record, questions_of(session, body.interaction_ids))
    if added:
        validated(record)
        save_version(
            session, record, user.username, f"added {len(added)} phrasing(s) from unanswered questions"
        )
    set_status(session, body.interaction_ids, "resolved", user.username)
    audit(session, user.username, "entry_phrasings", body.entry_id, added=len(added))
    session.commit()
    session.refresh(record)
    return record
