"""The audit log (admins) and the index build status (viewers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from admin_api.deps import Offset, SessionDep, requires
from admin_api.roles import Role
from admin_api.routes.entries import PublisherDep
from core.db.models import AuditEvent

router = APIRouter(tags=["audit"])


class AuditPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


@router.get("/audit", response_model=list[AuditPublic], **requires(Role.ADMIN))
def audit_log(
    session: SessionDep,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEvent]:
    statement = select(AuditEvent)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action:
        statement = statement.where(AuditEvent.action == action)
    statement = statement.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
    return list(session.exec(statement).all())


@router.get("/index/status", **requires(Role.VIEWER))
def index_status(publisher: PublisherDep) -> dict[str, Any]:
    """The serving index: building or idle, progress, last build, model, counts, last error."""
    return publisher.status()
