"""Database tables (SQLModel). Schema changes go through Alembic migrations in migrations/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Interaction(SQLModel, table=True):
    """One question and the core's reply. The query is stored masked; the user id is pseudonymous."""

    id: str = Field(primary_key=True, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True),
    )
    channel: str = Field(max_length=20, index=True)
    user_hash: str = Field(max_length=64, index=True)
    query_masked: str
    decision: str = Field(max_length=16, index=True)
    entry_id: str | None = Field(default=None, max_length=120, index=True)
    top_hits: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    latency_ms: float
    cached: bool = False
    index_version: str | None = Field(default=None, max_length=40)


class Feedback(SQLModel, table=True):
    """A citizen's verdict on one reply."""

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(
        foreign_key="interaction.id", max_length=32, unique=True
    )  # one verdict per reply
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    helpful: bool
    reason: str | None = Field(default=None, max_length=40)
    comment_masked: str | None = Field(default=None, max_length=2000)


class ProcedureRecord(SQLModel, table=True):
    """A procedure of the national catalog, as imported (cleaned text)."""

    __tablename__ = "procedure"

    code: str = Field(primary_key=True, max_length=40)
    name: str
    field: str = Field(default="", index=True)
    level: str = Field(default="", max_length=120)
    agency: str = ""
    channels: str = ""
    documents: str = ""
    legal_basis: str = ""
    url: str = Field(default="", max_length=500)
    imported_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class FaqCategoryRecord(SQLModel, table=True):
    __tablename__ = "faq_category"

    id: str = Field(primary_key=True, max_length=80)
    name: str
    description: str = ""


class FaqEntryRecord(SQLModel, table=True):
    """A curated Q&A pair (the fields of core.faq.FaqEntry)."""

    __tablename__ = "faq_entry"

    id: str = Field(primary_key=True, max_length=120)
    category: str = Field(max_length=80, index=True)
    question: str
    answer: str
    paraphrases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    legal_basis: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    level: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    procedure_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviewed: date | None = None
    status: str = Field(default="published", max_length=16, index=True)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # Optimistic concurrency: an update names the version it was based on (see faq_versions).
    version: int = Field(default=1)
    updated_by: str = Field(default="", max_length=64, index=True)
    # The version citizens are served. The row itself is the working copy editors change; an
    # edit of a published entry waits here as a draft until a publisher publishes it.
    published_version: int | None = None


class FaqEntryVersion(SQLModel, table=True):
    """Every saved state of an entry: who, when, what; history, diff and revert read these."""

    __tablename__ = "faq_entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_faq_entry_version"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=120, index=True)
    version: int
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed_by: str = Field(max_length=64)
    summary: str = Field(default="", max_length=200)
    changed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class StaffUser(SQLModel, table=True):
    """A staff account of the admin API (password stored as an Argon2 hash)."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(default="", max_length=120)
    role: str = Field(max_length=16)
    password_hash: str
    active: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class AuditEvent(SQLModel, table=True):
    """One staff action (login, edit, publish, import, export, user change), kept for admins."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=160)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class UnansweredStatus(SQLModel, table=True):
    """Where staff stand on one question of the unanswered queue (no row: new). The queue itself
    is read from the logs: fallbacks, questions handed off to staff, replies rated 👎."""

    __tablename__ = "unanswered_status"

    interaction_id: str = Field(primary_key=True, foreign_key="interaction.id", max_length=32)
    status: str = Field(max_length=16, index=True)  # in_progress | resolved | ignored
    updated_by: str = Field(max_length=64)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class IgnoredQuestion(SQLModel, table=True):
    """A question staff called noise: later questions close to it stay out of the queue."""

    __tablename__ = "ignored_question"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=500)  # masked, as logged
    folded: str = Field(max_length=500, unique=True)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class PhrasingDecision(SQLModel, table=True):
    """Staff's verdict on a phrasing learned from the logs for an entry, so a rejected one is
    not proposed again (pending suggestions are read from the logs, not stored)."""

    __tablename__ = "phrasing_decision"
    __table_args__ = (UniqueConstraint("entry_id", "folded", name="uq_phrasing_decision"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=120, index=True)
    folded: str = Field(max_length=500)
    text: str = Field(max_length=500)
    accepted: bool
    decided_by: str = Field(max_length=64)
    decided_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Consent(SQLModel, table=True):
    """A citizen agreed to the privacy notice on one channel (before anything of theirs is logged)."""

    user_hash: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=20)
    agreed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class HandoffRequest(SQLModel, table=True):
    """A question the citizen asked us to pass to staff: the unanswered queue of the admin console."""

    __tablename__ = "handoff_request"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(foreign_key="interaction.id", max_length=32, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    status: str = Field(default="open", max_length=16, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """Channel updates already taken by some worker, so a redelivered one is answered once."""

    __tablename__ = "processed_update"

    channel: str = Field(primary_key=True, max_length=20)
    update_id: int = Field(primary_key=True, sa_type=BigInteger)
    received_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )


class ZaloToken(SQLModel, table=True):
    """The Zalo OA token pair. Refresh tokens are single-use, so the rotated pair is stored
    here before the new access token is used; one row (id 1)."""

    __tablename__ = "zalo_token"

    id: int = Field(default=1, primary_key=True)
    access_token: str
    refresh_token: str
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ConversationState(SQLModel, table=True):
    """Where a chat conversation stands, shared by every worker: a question held until the
    citizen agrees to the privacy notice, and the answer a follow-up comment belongs to."""

    __tablename__ = "conversation_state"

    user_hash: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=20)
    held_question: str | None = None  # masked like every logged question
    comment_for: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )


class ZaloOutbox(SQLModel, table=True):
    """Replies Zalo did not accept yet (token refresh refused, API unreachable): retried later,
    so a failure is reported and queued instead of silently dropping the answer."""

    __tablename__ = "zalo_outbox"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=64)  # Zalo's id of the follower: needed to deliver
    user_hash: str = Field(max_length=64, index=True)  # so erasure finds it
    messages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    last_error: str = Field(default="", max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    # A worker retrying the row holds it until then; a worker that dies lets it go by itself.
    claimed_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
