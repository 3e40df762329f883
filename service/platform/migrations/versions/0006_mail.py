"""E-mail: the outbox of every send, password-reset tokens and reminder opt-outs (issue 18).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("campaign_year", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sent_at", DateTimeUTC(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('invitation', 'reminder', 'notice', 'password_reset')",
            name=op.f("ck_mail_outbox_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed', 'skipped')", name=op.f("ck_mail_outbox_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_mail_outbox_dedupe_key")),
    )
    with op.batch_alter_table("mail_outbox") as batch:
        batch.create_index(batch.f("ix_mail_outbox_created_at"), ["created_at"], unique=False)
        batch.create_index(
            batch.f("ix_mail_outbox_status_created_at"), ["status", "created_at"], unique=False
        )
    op.create_table(
        "mail_opt_out",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_mail_opt_out")),
    )
    op.create_table(
        "mail_schedule",
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("reminder_days", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_year"],
            ["campaign.year"],
            name=op.f("fk_mail_schedule_campaign_year_campaign"),
        ),
        sa.PrimaryKeyConstraint("campaign_year", name=op.f("pk_mail_schedule")),
    )
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("used_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_password_reset_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset") as batch:
        batch.create_index(batch.f("ix_password_reset_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("password_reset") as batch:
        batch.drop_index(batch.f("ix_password_reset_user_id"))
    op.drop_table("password_reset")
    op.drop_table("mail_schedule")
    op.drop_table("mail_opt_out")
    with op.batch_alter_table("mail_outbox") as batch:
        batch.drop_index(batch.f("ix_mail_outbox_status_created_at"))
        batch.drop_index(batch.f("ix_mail_outbox_created_at"))
    op.drop_table("mail_outbox")
