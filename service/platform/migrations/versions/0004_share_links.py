"""Read-only share links to an assessment's synthesis or results (issue 16).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "share_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("include_answers", sa.Boolean(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("revoked_at", DateTimeUTC(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('synthesis', 'results')", name=op.f("ck_share_link_scope")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_share_link_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_share_link_created_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
    )
    op.create_index(
        op.f("ix_share_link_assessment_id"), "share_link", ["assessment_id"], unique=False
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index(op.f("ix_share_link_assessment_id"), table_name="share_link")
    op.drop_table("share_link")
