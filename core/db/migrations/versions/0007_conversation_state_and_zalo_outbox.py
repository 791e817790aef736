"""conversation state shared by workers; Zalo outbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_state",
        sa.Column("user_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("held_question", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("comment_for", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_hash"),
    )
    op.create_index("ix_conversation_state_updated_at", "conversation_state", ["updated_at"])
    op.create_table(
        "zalo_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zalo_outbox_user_hash", "zalo_outbox", ["user_hash"])
    op.create_index("ix_zalo_outbox_created_at", "zalo_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_zalo_outbox_created_at", table_name="zalo_outbox")
    op.drop_index("ix_zalo_outbox_user_hash", table_name="zalo_outbox")
    op.drop_table("zalo_outbox")
    op.drop_index("ix_conversation_state_updated_at", table_name="conversation_state")
    op.drop_table("conversation_state")
