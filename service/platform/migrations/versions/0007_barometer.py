"""The network's barometer: published editions (frozen aggregates) and members' flags
(issue 18).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "barometer_edition",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("prepared_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("prepared_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('review', 'published')", name=op.f("ck_barometer_edition_status")
        ),
        sa.ForeignKeyConstraint(
            ["year"], ["campaign.year"], name=op.f("fk_barometer_edition_year_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by"],
            ["app_user.id"],
            name=op.f("fk_barometer_edition_prepared_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_barometer_edition")),
    )
    op.create_table(
        "barometer_flag",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("territory_code", sa.String(length=9), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resolved_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["year"],
            ["barometer_edition.year"],
            name=op.f("fk_barometer_flag_year_barometer_edition"),
        ),
        sa.ForeignKeyConstraint(
            ["territory_code"],
            ["territory.code"],
            name=op.f("fk_barometer_flag_territory_code_territory"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_barometer_flag_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barometer_flag")),
    )
    with op.batch_alter_table("barometer_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_barometer_flag_year"), ["year"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("barometer_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_barometer_flag_year"))
    op.drop_table("barometer_flag")
    op.drop_table("barometer_edition")
