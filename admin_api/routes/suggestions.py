"""Phrasings learned from the logs, for staff to accept (into the entry, as a draft change)
or reject (remembered) in bulk."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, requires
from admin_api.entry_checks import add_phrasings, validated
from admin_api.roles import Role
from admin_api.suggestions import helpful_answers, picked_suggestions, record_decisions, suggestions
from core.db.models import FaqEntryRecord, utcnow
from core.faq_versions import save_version

router = APIRouter(prefix="/suggestions", tags=["suggestions"])


class SuggestionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entry_id": "can-cuoc-cap-lai-khi-mat",
                    "text": "lam lai cccd bi mat o dau",
                    "count": 6,
                    "sources": {"helpful": 4, "picked": 2},
                    "last_seen": "2026-07-11T14:02:37Z",
                }
            ]
        }
    )

    entry_id: str
    text: str = Field(description="the citizens' phrasing (personal data masked)")
    count: int = Field(description="times it led to this entry")
    sources: dict[str, int] = Field(description="helpful: rated 👍; picked: chosen from suggestions")
    last_seen: datetime | None


@router.get("", response_model=list[SuggestionPublic], **requires(Role.VIEWER))
def list_suggestions(
    session: SessionDep,
    entry_id: Annotated[
        str | None,
        Query(
            max_length=120, description="only this entry's phrasings", examples=["can-cuoc-cap-lai-khi-mat"]
        ),
    ] = None,
    days: Annotated[int, Query(ge=1, le=3650, description="how far back the logs are read")] = 90,
    limit: Annotated[int, Query(ge=1, le=500, description="phrasings returned")] = 100,
) -> list[SuggestionPublic]:
    """Phrasings citizens used for an entry they were glad to get, most frequent first."""
    since = utcnow() - timedelta(days=days)
    evidence = [*helpful_answers(session, since), *picked_suggestions(session, since)]
    found = suggestions(session, evidence, entry_id)[:limit]
    return [SuggestionPublic.model_validate(s, from_attributes=True) for s in found]


class Phrasing(BaseModel):
    entry_id: str = Field(max_length=120, examples=["can-cuoc-cap-lai"])
    text: str = Field(min_length=1, max_length=500, examples=["lam lai cccd bi mat o dau"])


class Decisions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "accept": [{"entry_id": "can-cuoc-cap-lai-khi-mat", "text": "lam lai cccd bi mat o dau"}],
                    "reject": [{"entry_id": "can-cuoc-cap-lai-khi-mat", "text": "cccd"}],
                }
            ]
        }
    )

    accept: list[Phrasing] = Field(default_factory=list, max_length=1000)
    reject: list[Phrasing] = Field(default_factory=list, max_length=1000)


class DecisionResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"accepted": 1, "rejected": 1, "entries": ["can-cuoc-cap-lai-khi-mat"]}]
        }
    )

    accepted: int = Field(description="phrasings added to their entries (as draft changes)")
    rejected: int
    entries: list[str] = Field(description="entries changed, each with one new version to publish")


def _by_entry(items: list[Phrasing]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for item in items:
        grouped[item.entry_id].append(item.text)
    return grouped


@router.post("/decide", response_model=DecisionResult, **requires(Role.EDITOR))
def decide(body: Decisions, session: SessionDep, user: CurrentUser) -> DecisionResult:
    """Accept (added to the entry's phrasings: one new version per entry, published as usual)
    and reject (not proposed again) in one go; nothing applies if an entry does not exist."""
    accept, reject = _by_entry(body.accept), _by_entry(body.reject)
    named = set(accept) | set(reject)
    records = {r.id: r for r in session.exec(select(FaqEntryRecord).where(col(FaqEntryRecord.id).in_(named)))}
    missing = sorted(named - set(records))
    if missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"field": "entry_id", "missing": missing})
    changed, accepted = [], 0
    for entry_id, texts in accept.items():
        added = add_phrasings(records[entry_id], texts)
        if added:
            validated(records[entry_id])
            save_version(
                session, records[entry_id], user.username, f"accepted {len(added)} learned phrasing(s)"
            )
            changed.append(entry_id)
            accepted += len(added)
        record_decisions(session, entry_id, texts, True, user.username)
    for entry_id, texts in reject.items():
        record_decisions(session, entry_id, texts, False, user.username)
    rejected = sum(len(t) for t in reject.values())
    audit(session, user.username, "suggestions_decided", "", accepted=accepted, rejected=rejected)
    session.commit()
    return DecisionResult(accepted=accepted, rejected=rejected, entries=changed)
