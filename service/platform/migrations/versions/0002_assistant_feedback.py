"""Assistant feedback: readers' verdicts on answers, for the network to review.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "assistant_feedback",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("useful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column(
            "sources",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "mode IN ('extractive', 'generative')", name=op.f("ck_assistant_feedback_mode")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_assistant_feedback_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_feedback")),
    )
    with op.batch_alter_table("assistant_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistant_feedback_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("assistant_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistant_feedback_created_at"))

    op.drop_table("assistant_feedback")
