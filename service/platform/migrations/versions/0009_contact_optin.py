"""Territories' public contact, shown on their public profile when they opted in (issue 16).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "territory_contact",
        sa.Column("territory_code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_code"],
            ["territory.code"],
            name=op.f("fk_territory_contact_territory_code_territory"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["app_user.id"], name=op.f("fk_territory_contact_updated_by_app_user")
        ),
        sa.PrimaryKeyConstraint("territory_code", name=op.f("pk_territory_contact")),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("territory_contact")
