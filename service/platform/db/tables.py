"""Database tables (SQLAlchemy 2 declarative). The Alembic migrations under
``service/migrations`` create exactly these; a test compares the two."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiKey",
    "Assessment",
    "AssistantFeedback",
    "Base",
    "Campaign",
    "Invitation",
    "Meta",
    "Revision",
    "Territory",
    "User",
    "metadata",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Json = JSON().with_variant(JSONB(), "postgresql")
"""JSON on SQLite, JSONB on PostgreSQL (advanced-alchemy's JsonB fails on SQLAlchemy 2.1)."""
Id = BigInteger().with_variant(Integer(), "sqlite")
"""Auto-increment integer key (SQLite only auto-increments INTEGER PRIMARY KEY)."""


class Base(DeclarativeBase):
    """Declarative base bound to the project's metadata."""

    metadata = metadata


class Meta(Base):
    """Key/value facts about the database content (loaded file digest, demo data seed…)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Territory(Base):
    """A reference commune or EPCI (loaded from the shipped file) and its public-profile opt-in."""

    __tablename__ = "territory"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    departement_code: Mapped[str | None] = mapped_column(String(3))
    departement_name: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(String(2), index=True)
    region_name: Mapped[str | None] = mapped_column(String(100))
    epci_code: Mapped[str | None] = mapped_column(String(9), index=True)
    second_home_pct: Mapped[float | None] = mapped_column(Float)
    public_profile: Mapped[bool] = mapped_column(Boolean, default=False)


class Campaign(Base):
    """A yearly campaign: assessments are created and saved only while it is open."""

    __tablename__ = "campaign"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    model_version: Mapped[str] = mapped_column(String(32))
    """The edition of the model its assessments answer (``maturity/models/<version>.toml``)."""


class User(Base):
    """An account: ``admin``, ``member`` (of one territory) or ``analyst``."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'member', 'analyst')", name="role"),
        CheckConstraint("role <> 'member' OR territory_code IS NOT NULL", name="member_territory"),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(10))
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territory.code"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; the secret is shown once at creation."""

    __tablename__ = "api_key"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class Invitation(Base):
    """A single-use token letting an invited user set a password (stored as its SHA-256)."""

    __tablename__ = "invitation"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class Assessment(Base):
    """One territory's self-assessment in one campaign. Its content lives in its revisions;
    ``revision`` is the number of the latest one (a compare-and-set guard on saves)."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("territory_code", "campaign_year"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        Index(None, "campaign_year", "status"),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"))
    campaign_year: Mapped[int] = mapped_column(ForeignKey("campaign.year"))
    status: Mapped[str] = mapped_column(String(10))
    model_version: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    submitted_revision: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Revision(Base):
    """An immutable snapshot of an assessment: every save, submission and reopening adds one."""

    __tablename__ = "assessment_revision"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number"),
        CheckConstraint("kind IN ('draft', 'submission', 'reopening')", name="kind"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    author_email: Mapped[str | None] = mapped_column(String(254))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    model_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(Json)
    comments: Mapped[dict[str, Any]] = mapped_column(Json)
    evidence: Mapped[dict[str, Any]] = mapped_column(Json)
    targets: Mapped[dict[str, Any]] = mapped_column(Json)
    to_confirm: Mapped[list[str]] = mapped_column(Json, default=list)
    """Questions whose answer was carried over from a previous campaign and not yet confirmed."""
    note: Mapped[str | None] = mapped_column(Text)


class AssistantFeedback(Base):
    """A reader's verdict on one answer of the assistant (useful or not), for the network to
    review: the question, the answer and its sources as the reader saw them."""

    __tablename__ = "assistant_feedback"
    __table_args__ = (CheckConstraint("mode IN ('extractive', 'generative')", name="mode"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    useful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(12))
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    sources: Mapped[list[Any]] = mapped_column(Json)
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
