"""one feedback row per interaction

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:41:23.366506
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keep the latest verdict where earlier versions stored several for one reply.
    op.execute("DELETE FROM feedback WHERE id NOT IN (SELECT MAX(id) FROM feedback GROUP BY interaction_id)")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_interaction_id"))
        batch_op.create_unique_constraint("uq_feedback_interaction_id", ["interaction_id"])


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint("uq_feedback_interaction_id", type_="unique")
        batch_op.create_index(batch_op.f("ix_feedback_interaction_id"), ["interaction_id"], unique=False)
