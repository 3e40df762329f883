"""Database tables (SQLAlchemy 2 declarative). The Alembic migrations under
``service/migrations`` create exactly these; a test compares the two."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
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
    "BarometerEdition",
    "BarometerFlag",
    "Base",
    "Campaign",
    "Invitation",
    "MailOptOut",
    "MailSchedule",
    "Meta",
    "OutboxMessage",
    "PasswordReset",
    "PracticeCard",
    "Revision",
    "ShareLink",
    "Territory",
    "TerritoryContact",
    "User",
    "VoiceConsolidation",
    "VoicePanel",
    "VoiceRespondent",
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


class TerritoryContact(Base):
    """The territory's digital lead, shown on its public profile only when ``shown`` (opt-in)."""

    __tablename__ = "territory_contact"
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    shown: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)


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


class ShareLink(Base):
    """A signed, expiring, revocable read-only link to an assessment's synthesis (``synthesis``)
    or to its synthesis and full results (``results``); answers and comments only when the
    member who made it chose ``include_answers``."""

    __tablename__ = "share_link"
    __table_args__ = (CheckConstraint("scope IN ('synthesis', 'results')", name="scope"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment.id"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    label: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(10))
    include_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class PracticeCard(Base):
    """A member's good-practice card (retour d'expérience) tied to dimensions or questions of
    the model in force: ``draft`` → ``submitted`` → ``published`` or ``returned`` (with the
    moderator's comment) → ``submitted`` again."""

    __tablename__ = "practice_card"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'returned', 'published')", name="status"),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(10), index=True)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    model_version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    context: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    partners: Mapped[str] = mapped_column(Text)
    results: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(300))
    links: Mapped[list[str]] = mapped_column(Json, default=list)
    dimensions: Mapped[list[str]] = mapped_column(Json, default=list)
    questions: Mapped[list[str]] = mapped_column(Json, default=list)
    moderation_comment: Mapped[str | None] = mapped_column(Text)
    moderated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


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


class BarometerEdition(Base):
    """The national barometer of a closed campaign: its aggregates frozen when the admin
    prepared it (``review``: members may flag an error), then ``published`` at a stable URL."""

    __tablename__ = "barometer_edition"
    __table_args__ = (CheckConstraint("status IN ('review', 'published')", name="status"),)
    year: Mapped[int] = mapped_column(ForeignKey("campaign.year"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    prepared_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    prepared_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    content: Mapped[dict[str, Any]] = mapped_column(Json)


class BarometerFlag(Base):
    """A member's report of an error in the draft of a barometer edition, for the admin."""

    __tablename__ = "barometer_flag"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("barometer_edition.year"), index=True)
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territory.code"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    message: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class OutboxMessage(Base):
    """One e-mail to send, and what became of it: every send is logged here (issue 18)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('invitation', 'reminder', 'notice', 'password_reset')", name="kind"
        ),
        CheckConstraint("status IN ('queued', 'sent', 'failed', 'skipped')", name="status"),
        Index(None, "status", "created_at"),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    """Emptied once a message carrying a secret link (password reset) is sent or abandoned."""
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """Set on reminders (campaign, days before closing, account): never sent twice."""
    campaign_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class MailOptOut(Base):
    """An address that asked for no more reminders nor campaign notices."""

    __tablename__ = "mail_opt_out"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class MailSchedule(Base):
    """A campaign's closing date and the days before it when reminders go out."""

    __tablename__ = "mail_schedule"
    campaign_year: Mapped[int] = mapped_column(ForeignKey("campaign.year"), primary_key=True)
    closes_on: Mapped[date] = mapped_column(Date)
    reminder_days: Mapped[str] = mapped_column(String(50))
    """Comma-separated days before closing, e.g. ``14,3``."""


class PasswordReset(Base):
    """A single-use, short-lived password reset token (stored as its keyed SHA-256)."""

    __tablename__ = "password_reset"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class VoiceRespondent(Base):
    """A voice of a territory's co-évaluation (issue 17): someone the lead invited with a role
    (``kind`` "invited") or a resident who answered the citizens' panel ("panel"). They answer
    through a personal link whose token is stored as its SHA-256; their answers stay theirs."""

    __tablename__ = "voice_respondent"
    __table_args__ = (CheckConstraint("kind IN ('invited', 'panel')", name="kind"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    postcode: Mapped[str | None] = mapped_column(String(5))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    answers: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class VoicePanel(Base):
    """The citizens' panel link of an assessment (its token as SHA-256), open until closed."""

    __tablename__ = "voice_panel"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class VoiceConsolidation(Base):
    """One official answer the lead decided from the voices: the assessment revision it made
    and the distribution of the voices it was decided from (kept, never overwritten)."""

    __tablename__ = "voice_consolidation"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(100))
    answer: Mapped[Any] = mapped_column(Json)
    distribution: Mapped[dict[str, Any]] = mapped_column(Json)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTimeUTC)
