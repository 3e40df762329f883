"""Good-practice cards (retours d'expérience) and their moderation (issue 16).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "practice_card",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("territory_code", sa.String(length=9), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("links", _JSON, nullable=False),
        sa.Column("dimensions", _JSON, nullable=False),
        sa.Column("questions", _JSON, nullable=False),
        sa.Column("moderation_comment", sa.Text(), nullable=True),
        sa.Column("moderated_by", sa.Uuid(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("submitted_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("published_at", DateTimeUTC(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'published')",
            name=op.f("ck_practice_card_status"),
        ),
        sa.ForeignKeyConstraint(
            ["territory_code"],
            ["territory.code"],
            name=op.f("fk_practice_card_territory_code_territory"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_practice_card_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by"],
            ["app_user.id"],
            name=op.f("fk_practice_card_moderated_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_card")),
    )
    op.create_index(
        op.f("ix_practice_card_territory_code"), "practice_card", ["territory_code"], unique=False
    )
    op.create_index(op.f("ix_practice_card_status"), "practice_card", ["status"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index(op.f("ix_practice_card_status"), table_name="practice_card")
    op.drop_index(op.f("ix_practice_card_territory_code"), table_name="practice_card")
    op.drop_table("practice_card")
