"""Co-évaluation: respondents, their answers, the citizens' panel and the consolidated record
(issue 17).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _moment(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, DateTimeUTC(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}")
    )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "voice_respondent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("postcode", sa.String(length=5), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        _moment("created_at", nullable=False),
        _moment("expires_at", nullable=False),
        _moment("updated_at"),
        _moment("submitted_at"),
        _moment("reminded_at"),
        _moment("revoked_at"),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('invited', 'panel')", name=op.f("ck_voice_respondent_kind")),
        _fk("voice_respondent", "assessment_id", "assessment.id"),
        _fk("voice_respondent", "user_id", "app_user.id"),
        _fk("voice_respondent", "created_by", "app_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_respondent")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_voice_respondent_token_hash")),
    )
    op.create_index(
        op.f("ix_voice_respondent_assessment_id"), "voice_respondent", ["assessment_id"]
    )
    op.create_table(
        "voice_panel",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _moment("opened_at", nullable=False),
        _moment("closed_at"),
        _fk("voice_panel", "assessment_id", "assessment.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_panel")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_voice_panel_assessment_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_voice_panel_token_hash")),
    )
    op.create_table(
        "voice_consolidation",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=100), nullable=False),
        sa.Column("answer", JSON, nullable=False),
        sa.Column("distribution", JSON, nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        _moment("decided_at", nullable=False),
        _fk("voice_consolidation", "assessment_id", "assessment.id"),
        _fk("voice_consolidation", "decided_by", "app_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_consolidation")),
    )
    op.create_index(
        op.f("ix_voice_consolidation_assessment_id"), "voice_consolidation", ["assessment_id"]
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index(op.f("ix_voice_consolidation_assessment_id"), table_name="voice_consolidation")
    op.drop_table("voice_consolidation")
    op.drop_table("voice_panel")
    op.drop_index(op.f("ix_voice_respondent_assessment_id"), table_name="voice_respondent")
    op.drop_table("voice_respondent")
