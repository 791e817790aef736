"""The audit log (admins) and the index build status (viewers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from admin_api.deps import Offset, SessionDep, requires
from admin_api.roles import Role
from admin_api.routes.entries import PublisherDep
from admin_api.routes.publishing import BUILD_EXAMPLE
from core.db.models import AuditEvent

router = APIRouter(tags=["audit"])


class AuditPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5812,
                    "at": "2026-07-12T01:30:15Z",
                    "actor": "bientap01",
                    "action": "entry_update",
                    "target": "can-cuoc-cap-lai-khi-mat",
                    "detail": {"fields": ["answer", "legal_basis"]},
                }
            ]
        }
    )

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


@router.get("/audit", response_model=list[AuditPublic], **requires(Role.ADMIN))
def audit_log(
    session: SessionDep,
    actor: Annotated[
        str | None, Query(max_length=64, description="username who acted", examples=["bientap01"])
    ] = None,
    action: Annotated[
        str | None,
        Query(max_length=40, description="kind of event", examples=["entry_update", "login_failed"]),
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="rows returned")] = 100,
) -> list[AuditEvent]:
    """Who did what and when (logins, edits, publishing, exports, accounts), newest first."""
    statement = select(AuditEvent)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action:
        statement = statement.where(AuditEvent.action == action)
    statement = statement.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
    return list(session.exec(statement).all())


@router.get(
    "/index/status",
    responses={200: {"content": {"application/json": {"example": BUILD_EXAMPLE}}}},
    **requires(Role.VIEWER),
)
def index_status(publisher: PublisherDep) -> dict[str, Any]:
    """The serving index: building or idle, progress, last build, model, counts, last error."""
    return publisher.status()
