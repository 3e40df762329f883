"""Model editions: each campaign records the edition of the model it answers, and each revision
the questions carried over from a previous campaign that are still to confirm.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_EDITION = "2026.1"
"""The only edition that existed before this revision: campaigns without assessments get it."""


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("model_version", sa.String(length=32), nullable=True))
    # a campaign answers the edition its assessments were recorded against
    op.execute(
        sa.text(
            "UPDATE campaign SET model_version = COALESCE("
            "(SELECT MAX(assessment.model_version) FROM assessment "
            "WHERE assessment.campaign_year = campaign.year), :first)"
        ).bindparams(first=FIRST_EDITION)
    )
    with op.batch_alter_table("campaign") as batch:
        batch.alter_column("model_version", existing_type=sa.String(length=32), nullable=False)
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table("assessment_revision") as batch:
        batch.add_column(
            sa.Column("to_confirm", json, nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("assessment_revision") as batch:
        batch.drop_column("to_confirm")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("model_version")
