"""Application factory: all wiring (settings, model, controllers, errors, OpenAPI) in one place."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from maturity.model import Model, load_model
from service.accounts.auth import DEFAULT_RESOLVERS, provide_principal
from service.accounts.key_cache import VerifiedKeys
from service.api.accounts import (
    AccountController,
    ApiKeyController,
    InvitationController,
    UserController,
)
from service.api.assessments import AssessmentController
from service.api.assistant import RATE_LIMIT_STORE, assistant_router, rate_limit_store
from service.api.knowledge import KnowledgeController, KnowledgeProvider
from service.api.model import ScoringController
from service.api.peers import BenchmarkController, provide_benchmark_cache
from service.api.territories import (
    CampaignController,
    ProfileController,
    TerritoryController,
)
from service.assistant.core import AssistantProvider
from service.platform.db import (
    check_database,
    lifespan,
    provide_db_session,
    provide_db_sessions,
)
from service.platform.errors import exception_handlers
from service.platform.operations import metrics, ready, request_id_middleware
from service.platform.security import security_headers
from service.platform.settings import Settings, load_settings
from service.platform.throttle import LoginThrottle, login_store
from service.web import web_interface
from service.web.assistant_pages import AssistantPages

__all__ = ["create_app"]


@get("/health", tags=["Exploitation"], summary="Vivacité", include_in_schema=True)
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def create_app(
    settings: Settings | None = None, model: Model | None = None, *, check_db: bool = True
) -> Litestar:
    """Build the Litestar application; refuses to start on an invalid model file or on a
    database that is unreachable or not migrated (`DatabaseNotReadyError`)."""
    settings = settings or load_settings()
    model = model or load_model(settings.effective_model_file)
    if check_db:
        check_database(settings)

    def provide_model() -> Model:
        return model

    def provide_settings() -> Settings:
        return settings

    benchmark_cache = provide_benchmark_cache(model)
    knowledge = KnowledgeProvider(settings)
    assistant = AssistantProvider(settings, knowledge)

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
        ApiKeyController,
        KnowledgeController,
        BenchmarkController,
        *web.route_handlers,
        assistant_router(settings, AssistantPages),
    ]
    return Litestar(
        route_handlers=route_handlers,
        dependencies={
            "model": Provide(provide_model, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "db_sessions": Provide(provide_db_sessions, sync_to_thread=False),
            "principal": Provide(provide_principal),
            "benchmarks": Provide(lambda: benchmark_cache, sync_to_thread=False),
            "knowledge": Provide(knowledge.__call__, sync_to_thread=True),
            "assistant_provider": Provide(lambda: assistant, sync_to_thread=False),
        },
        lifespan=[lifespan],
        before_send=[security_headers],
        logging_config=None,  # `territoires serve` configures JSON logs (platform.operations)
        exception_handlers=web.exception_handlers(exception_handlers()),
        template_config=web.template_config,
        middleware=[request_id_middleware, *web.middleware],
        csrf_config=web.csrf_config,
        stores={**web.stores, RATE_LIMIT_STORE: rate_limit_store(settings)},
        openapi_config=OpenAPIConfig(
            title="Territoires connectés",
            version="0.1.0",
            description=(
                "API d'auto-évaluation et de parangonnage des territoires connectés : "
                "modèle de maturité, score, évaluations, comparaison entre pairs, assistant."
            ),
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=settings.max_body_bytes,
        state=State(
            {
                "settings": settings,
                "model": model,
                "benchmark_cache": benchmark_cache,
                "login_throttle": LoginThrottle(login_store(settings)),
                "verified_keys": VerifiedKeys(settings.api_key_cache_seconds),
                # API keys first, then the pages' session cookie (never on /api)
                "principal_resolvers": [*DEFAULT_RESOLVERS, *web.principal_resolvers],
            }
        ),
        debug=False,
    )
