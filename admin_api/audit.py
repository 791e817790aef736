"""The audit log: one row per staff action, written in the same transaction as the action."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.db.models import AuditEvent


def audit(session: Session, actor: str, action: str, target: str = "", **detail: Any) -> None:
    session.add(AuditEvent(actor=actor, action=action, target=target[:160], detail=detail))
