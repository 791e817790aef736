"""staff accounts, audit log, entry versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("faq_entry") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_by", AutoString(length=64), nullable=False, server_default=""))
        batch.create_index("ix_faq_entry_updated_by", ["updated_by"])
    op.create_table(
        "faq_entry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", AutoString(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_by", AutoString(length=64), nullable=False),
        sa.Column("summary", AutoString(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "version", name="uq_faq_entry_version"),
    )
    op.create_index("ix_faq_entry_version_entry_id", "faq_entry_version", ["entry_id"])
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", AutoString(length=64), nullable=False),
        sa.Column("full_name", AutoString(length=120), nullable=False),
        sa.Column("role", AutoString(length=16), nullable=False),
        sa.Column("password_hash", AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_user_username", "staff_user", ["username"], unique=True)
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", AutoString(length=64), nullable=False),
        sa.Column("action", AutoString(length=40), nullable=False),
        sa.Column("target", AutoString(length=160), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("staff_user")
    op.drop_table("faq_entry_version")
    with op.batch_alter_table("faq_entry") as batch:
        batch.drop_index("ix_faq_entry_updated_by")
        batch.drop_column("updated_by")
        batch.drop_column("version")
