"""The members' web interface: server-rendered pages (Jinja2), French first, English available.

`WebInterface` gathers everything `service.app.create_app` wires for the pages: templates,
static files, sessions and their store, CSRF, the page controllers, the session principal
resolver and the HTML rendering of errors. Pages call the same domain functions as the JSON
API (``service.assessments.workflow``, ``service.assessments.scores``,
``service.accounts.members``…) and only render their Structs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig

from service.accounts.auth import PrincipalResolver
from service.platform.settings import Settings
from service.web.account_pages import AccountPages
from service.web.admin_confirm import AdminConfirmPages
from service.web.admin_pages import AdminPages
from service.web.analysis_pages import AnalysisPages
from service.web.assessment_pages import AssessmentPages
from service.web.barometer_pages import BarometerPages
from service.web.carryover_pages import CarryOverPages
from service.web.contact_pages import ContactPages
from service.web.dashboard_pages import DashboardPages
from service.web.errors import html_aware
from service.web.invitation_pages import InvitationImportPages
from service.web.mail_pages import MailPages
from service.web.panel_pages import PanelPages
from service.web.password_pages import PasswordPages
from service.web.practice_pages import PracticePages
from service.web.profile_pages import ProfilePages
from service.web.public import PublicPages
from service.web.rendering import STATIC_DIR, template_config
from service.web.results_pages import ResultsPages
from service.web.service_pages import ServicePages
from service.web.session import (
    SESSION_STORE,
    csrf_config,
    session_config,
    session_principal,
    session_store,
)
from service.web.share_pages import SharePages
from service.web.source_pages import SourcePages
from service.web.synthesis_pages import SynthesisPages
from service.web.voices_account_pages import AccountVoicesPages
from service.web.voices_pages import VoicesPages

__all__ = ["WebInterface", "web_interface"]


@dataclass(frozen=True)
class WebInterface:
    """What the pages add to the application."""

    route_handlers: list[Any]
    template_config: TemplateConfig[Any]
    session: ServerSideSessionConfig
    csrf_config: CSRFConfig
    stores: dict[str, Store]
    principal_resolvers: list[PrincipalResolver] = field(default_factory=list)
    exception_handlers: Callable[[dict[Any, Any]], dict[Any, Any]] = html_aware

    @property
    def middleware(self) -> list[Any]:
        """Middleware of the pages (the session)."""
        return [self.session.middleware]


def web_interface(settings: Settings) -> WebInterface:
    """The web interface for `settings`."""
    static = create_static_files_router(
        path="/static", directories=[STATIC_DIR], name="static", include_in_schema=False
    )
    return WebInterface(
        route_handlers=[
            static,
            PublicPages,
            SourcePages,
            AccountPages,
            AssessmentPages,
            CarryOverPages,
            ResultsPages,
            SynthesisPages,
            SharePages,
            PracticePages,
            AdminPages,
            AdminConfirmPages,
            InvitationImportPages,
            MailPages,
            PasswordPages,
            AnalysisPages,
            VoicesPages,
            AccountVoicesPages,
            PanelPages,
            DashboardPages,
            BarometerPages,
            ServicePages,
            ProfilePages,
            ContactPages,
        ],
        template_config=template_config(),
        session=session_config(settings),
        csrf_config=csrf_config(settings),
        stores={SESSION_STORE: session_store(settings)},
        principal_resolvers=[session_principal],
    )
