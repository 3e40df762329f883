"""Explicitly named dependencies of the handlers, the one way pages and API alike receive what
`service.app.create_app` provides (a handler parameter of that name and type)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.retrieval import KnowledgeBase
from maturity.model import Model
from service.accounts.auth import Principal
from service.assistant.provider import AssistantProvider
from service.assistant.use_cases import AssistantService
from service.documents.jobs import IngestJobs
from service.mail.postman import Postman
from service.peers.cache import BenchmarkCache
from service.platform.db import Sessions
from service.platform.settings import Settings
from service.practices.corpus import PracticeCorpus

__all__ = [
    "AppSettings",
    "AssistantFactory",
    "CallerAssistant",
    "CurrentModel",
    "CurrentPrincipal",
    "DbSession",
    "DbSessions",
    "IngestQueue",
    "Knowledge",
    "Mail",
    "PeerCache",
    "Practices",
]

DbSession: TypeAlias = NamedDependency[AsyncSession]
"""``db_session``: the request's database session (committed when the handler succeeds)."""
DbSessions: TypeAlias = NamedDependency[Sessions]
"""``db_sessions``: the application's session factory, for code that opens a session only when
it must."""
CurrentPrincipal: TypeAlias = NamedDependency[Principal | None]
"""``principal``: the authenticated caller, or None when anonymous."""
CurrentModel: TypeAlias = NamedDependency[Model]
"""``model``: the maturity model in force."""
AppSettings: TypeAlias = NamedDependency[Settings]
"""``settings``: the application's settings."""
Mail: TypeAlias = NamedDependency[Postman]
"""``postman``: the application's outbox and mail queue (messages go out after commit)."""
PeerCache: TypeAlias = NamedDependency[BenchmarkCache]
"""``benchmarks``: the application's cache of peer statistics."""
Knowledge: TypeAlias = NamedDependency[KnowledgeBase]
"""``knowledge``: the knowledge base, opened on first use (503 while it cannot be)."""
IngestQueue: TypeAlias = NamedDependency[IngestJobs]
"""``ingest_jobs``: the application's background indexing of uploaded documents."""
AssistantFactory: TypeAlias = NamedDependency[AssistantProvider]
"""``assistant_provider``: the application's assistant and its conversations."""
CallerAssistant: TypeAlias = NamedDependency[AssistantService]
"""``assistant``: the assistant's use cases for the request's caller."""
Practices: TypeAlias = NamedDependency[PracticeCorpus]
"""``practice_corpus``: published good-practice cards kept in the knowledge base."""
