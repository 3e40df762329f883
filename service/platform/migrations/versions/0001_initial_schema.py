"""Initial schema: territories, campaigns, accounts, API keys, invitations, assessments
and their revisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 23:44:31.979484
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "campaign",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("closed_at", DateTimeUTC(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_campaign_status")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_campaign")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "territory",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column("departement_code", sa.String(length=3), nullable=True),
        sa.Column("departement_name", sa.String(length=100), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=True),
        sa.Column("region_name", sa.String(length=100), nullable=True),
        sa.Column("epci_code", sa.String(length=9), nullable=True),
        sa.Column("second_home_pct", sa.Float(), nullable=True),
        sa.Column("public_profile", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_territory")),
    )
    with op.batch_alter_table("territory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_territory_epci_code"), ["epci_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_territory_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_territory_region_code"), ["region_code"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("territory_code", sa.String(length=9), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role <> 'member' OR territory_code IS NOT NULL",
            name=op.f("ck_app_user_member_territory"),
        ),
        sa.CheckConstraint("role IN ('admin', 'member', 'analyst')", name=op.f("ck_app_user_role")),
        sa.ForeignKeyConstraint(
            ["territory_code"],
            ["territory.code"],
            name=op.f("fk_app_user_territory_code_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_user_territory_code"), ["territory_code"], unique=False
        )

    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("last_used_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_key_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_key_secret_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("territory_code", sa.String(length=9), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submitted_revision", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("submitted_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_assessment_status")),
        sa.ForeignKeyConstraint(
            ["campaign_year"], ["campaign.year"], name=op.f("fk_assessment_campaign_year_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_assessment_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["territory_code"],
            ["territory.code"],
            name=op.f("fk_assessment_territory_code_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint(
            "territory_code",
            "campaign_year",
            name=op.f("uq_assessment_territory_code_campaign_year"),
        ),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_campaign_year_status"),
            ["campaign_year", "status"],
            unique=False,
        )

    op.create_table(
        "invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("accepted_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_invitation_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_invitation_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessment_revision",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_email", sa.String(length=254), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "comments",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "evidence",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "targets",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('draft', 'submission', 'reopening')", name=op.f("ck_assessment_revision_kind")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_revision_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_assessment_revision_author_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_revision")),
        sa.UniqueConstraint(
            "assessment_id", "number", name=op.f("uq_assessment_revision_assessment_id_number")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("assessment_revision")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_user_id"))

    op.drop_table("invitation")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_campaign_year_status"))

    op.drop_table("assessment")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_user_id"))

    op.drop_table("api_key")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_territory_code"))

    op.drop_table("app_user")
    with op.batch_alter_table("territory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territory_region_code"))
        batch_op.drop_index(batch_op.f("ix_territory_kind"))
        batch_op.drop_index(batch_op.f("ix_territory_epci_code"))

    op.drop_table("territory")
    op.drop_table("meta")
    op.drop_table("campaign")
