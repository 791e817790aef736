"""published version of entries, unanswered queue status, ignored questions, phrasing decisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("faq_entry") as batch:
        batch.add_column(sa.Column("published_version", sa.Integer(), nullable=True))
    # What was published before drafts existed is served as it stands.
    op.execute("UPDATE faq_entry SET published_version = version WHERE status = 'published'")
    op.create_table(
        "unanswered_status",
        sa.Column("interaction_id", AutoString(length=32), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("updated_by", AutoString(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.PrimaryKeyConstraint("interaction_id"),
    )
    op.create_index("ix_unanswered_status_status", "unanswered_status", ["status"])
    op.create_table(
        "ignored_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", AutoString(length=500), nullable=False),
        sa.Column("folded", AutoString(length=500), nullable=False),
        sa.Column("created_by", AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("folded"),
    )
    op.create_table(
        "phrasing_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", AutoString(length=120), nullable=False),
        sa.Column("folded", AutoString(length=500), nullable=False),
        sa.Column("text", AutoString(length=500), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("decided_by", AutoString(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "folded", name="uq_phrasing_decision"),
    )
    op.create_index("ix_phrasing_decision_entry_id", "phrasing_decision", ["entry_id"])


def downgrade() -> None:
    op.drop_table("phrasing_decision")
    op.drop_table("ignored_question")
    op.drop_table("unanswered_status")
    with op.batch_alter_table("faq_entry") as batch:
        batch.drop_column("published_version")
