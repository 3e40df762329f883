"""Application factory: all wiring (settings, model, controllers, errors, OpenAPI) in one place."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from maturity.model import Model, load_model
from service.accounts.auth import DEFAULT_RESOLVERS, provide_principal
from service.accounts.key_cache import VerifiedKeys, watch_credentials
from service.api.accounts import (
    AccountController,
    ApiKeyController,
    InvitationController,
    UserController,
)
from service.api.assessments import AssessmentController
from service.api.assistant import RATE_LIMIT_STORE, assistant_router, rate_limit_store
from service.api.barometer import BarometerController
from service.api.docs import CompletedJsonPlugin, StructSchemas
from service.api.knowledge import KnowledgeController
from service.api.mail import (
    InvitationImportController,
    MailLogController,
    PasswordResetController,
)
from service.api.model import ScoringController
from service.api.peers import BenchmarkController, provide_benchmark_cache
from service.api.practices import PracticeController
from service.api.reference import LocalSwaggerPlugin
from service.api.reports import SharedController, ShareLinkController, SynthesisController
from service.api.territories import (
    CampaignController,
    ProfileController,
    TerritoryController,
)
from service.api.voices import AccountVoicesController, RespondentController, VoicesController
from service.api.voices_panel import PANEL_STORE, LeadPanelController, PanelController
from service.assessments.editions import editions_for
from service.assistant.conversations import conversation_store
from service.assistant.provider import AssistantProvider
from service.assistant.use_cases import AssistantService, TerritoryReader
from service.deps import (
    AssistantFactory,
    CurrentModel,
    CurrentPrincipal,
    DbSession,
    DbSessions,
    PeerCache,
)
from service.documents.jobs import IngestJobs
from service.documents.provider import KnowledgeProvider
from service.mail.postman import Postman
from service.mcp.mount import mcp_mount
from service.mcp.server import McpServices
from service.openai.chat import OpenAIController
from service.platform.db import (
    check_database,
    lifespan,
    provide_db_session,
    provide_db_sessions,
)
from service.platform.errors import exception_handlers
from service.platform.guard import guard_json_body, refuse_nul_in_path
from service.platform.operations import metrics, ready, request_id_middleware
from service.platform.options import list_every_method
from service.platform.security import security_headers
from service.platform.settings import Settings, load_settings
from service.platform.throttle import LoginThrottle, login_store
from service.practices.corpus import PracticeCorpus
from service.web import web_interface
from service.web.assistant_pages import AssistantPages

__all__ = ["create_app"]


@get("/health", tags=["Exploitation"], summary="Vivacité", include_in_schema=True)
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def provide_assistant(
    assistant_provider: AssistantFactory,
    principal: CurrentPrincipal,
    db_session: DbSession,
    db_sessions: DbSessions,
    model: CurrentModel,
    benchmarks: PeerCache,
) -> AssistantService:
    """``assistant``: the assistant's use cases for the request's caller."""
    territories = TerritoryReader(db_session, db_sessions, model, benchmarks)
    return AssistantService(assistant_provider, principal, territories)


def create_app(
    settings: Settings | None = None, model: Model | None = None, *, check_db: bool = True
) -> Litestar:
    """Build the Litestar application; refuses to start on an invalid model file or on a
    database that is unreachable or not migrated (`DatabaseNotReadyError`)."""
    settings = settings or load_settings()
    model = model or load_model(settings.effective_model_file)
    editions_for(model).check()  # every packaged edition and mapping file, read and validated
    if check_db:
        check_database(settings)
    watch_credentials()  # the API key cache must see revocations committed by this process

    def provide_model() -> Model:
        return model

    def provide_settings() -> Settings:
        return settings

    benchmark_cache = provide_benchmark_cache(model)
    knowledge = KnowledgeProvider(settings)
    ingest_jobs = IngestJobs(settings, knowledge)
    practice_corpus = PracticeCorpus(settings.data_dir, settings.public_url, knowledge)
    assistant = AssistantProvider(settings, knowledge, conversation_store(settings), model=model)
    postman = Postman(settings)  # e-mails: SAQ on Redis, or a queue in this process
    services = McpServices(model, knowledge, assistant)
    mcp = mcp_mount(settings, model, benchmark_cache, services, RATE_LIMIT_STORE)

    web = web_interface(settings)
    route_handlers: list[Any] = [
        health,
        ready,
        metrics,
        ScoringController,
        TerritoryController,
        ProfileController,
        CampaignController,
        AssessmentController,
        AccountController,
        UserController,
        InvitationController,
        InvitationImportController,
        PasswordResetController,
        MailLogController,
        ApiKeyController,
        KnowledgeController,
        BenchmarkController,
        BarometerController,
        PracticeController,
        SynthesisController,
        ShareLinkController,
        SharedController,
        VoicesController,
        RespondentController,
        AccountVoicesController,
        LeadPanelController,
        PanelController,
        *web.route_handlers,
        mcp.handler,
        # the OpenAI-compatible facade asks the assistant: under its rate limit
        assistant_router(settings, AssistantPages, OpenAIController),
    ]
    app = Litestar(
        route_handlers=route_handlers,
        dependencies={
            "model": Provide(provide_model, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "db_sessions": Provide(provide_db_sessions, sync_to_thread=False),
            "principal": Provide(provide_principal),
            "benchmarks": Provide(lambda: benchmark_cache, sync_to_thread=False),
            "peer_reader": Provide(benchmark_cache.reader, sync_to_thread=False),
            "knowledge": Provide(knowledge.__call__, sync_to_thread=True),
            "ingest_jobs": Provide(lambda: ingest_jobs, sync_to_thread=False),
            "assistant_provider": Provide(lambda: assistant, sync_to_thread=False),
            "assistant": Provide(provide_assistant, sync_to_thread=False),
            "postman": Provide(lambda: postman, sync_to_thread=False),
            "practice_corpus": Provide(lambda: practice_corpus, sync_to_thread=False),
        },
        lifespan=[lifespan, mcp.lifespan, postman.lifespan],
        on_startup=[ingest_jobs.start],
        on_shutdown=[ingest_jobs.close],
        before_send=[security_headers],
        before_request=guard_json_body,
        logging_config=None,  # `territoires serve` configures JSON logs (platform.operations)
        exception_handlers=web.exception_handlers(exception_handlers()),
        template_config=web.template_config,
        middleware=[refuse_nul_in_path, request_id_middleware, *web.middleware],
        csrf_config=web.csrf_config,
        stores={
            **web.stores,
            RATE_LIMIT_STORE: rate_limit_store(settings),
            PANEL_STORE: login_store(settings, "territoires_panel"),
        },
        openapi_config=OpenAPIConfig(
            title="Territoires connectés",
            version="0.1.0",
            description=(
                "API d'auto-évaluation et de parangonnage des territoires connectés : "
                "modèle de maturité, score, évaluations, comparaison entre pairs, assistant."
            ),
            path="/schema",
            render_plugins=[
                LocalSwaggerPlugin(path=["/", "/swagger"], title="API Territoires connectés"),
                CompletedJsonPlugin(),  # every operation's problem responses (api.docs)
            ],
        ),
        plugins=[StructSchemas()],
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=settings.max_body_bytes,
        state=State(
            {
                # read where dependency injection does not reach: the lifespan (settings), the
                # principal resolvers and the login throttle (auth), the error pages and the
                # layout's language (settings)
                "settings": settings,
                "login_throttle": LoginThrottle(login_store(settings)),
                "reset_throttle": LoginThrottle(login_store(settings, "territoires_resets")),
                "verified_keys": VerifiedKeys(settings.api_key_cache_seconds),
                # API keys first, then the pages' session cookie (never on /api)
                "principal_resolvers": [*DEFAULT_RESOLVERS, *web.principal_resolvers],
            }
        ),
        debug=False,
    )
    list_every_method(app)  # a Litestar 2 bug: OPTIONS/Allow would omit methods
    return app
