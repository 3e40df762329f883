"""The pages every French public service publishes, linked from every page's footer:
déclaration d'accessibilité (RGAA), mentions légales, données personnelles, aide et contact.

The contact address, the publisher and the host come from the settings
(``TERRITOIRES_CONTACT_EMAIL``, ``TERRITOIRES_PUBLISHER``, ``TERRITOIRES_HOST_PROVIDER``); the
personal-data page describes each table of `service.platform.db.tables` that holds data about
a person (`PERSONAL_TABLES`, checked against the tables by a test)."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get
from litestar.response import Template

from service.deps import CurrentPrincipal
from service.web.rendering import page

__all__ = ["PERSONAL_TABLES", "SERVICE_PAGES", "ServicePages"]

SERVICE_PAGES: Final = {
    "accessibility": "/accessibilite",
    "legal": "/mentions-legales",
    "personal_data": "/donnees-personnelles",
    "help": "/aide",
}
"""The footer's pages and their addresses."""

PERSONAL_TABLES: Final = (
    "app_user",
    "api_key",
    "invitation",
    "password_reset",
    "assessment_revision",
    "share_link",
    "practice_card",
    "voice_respondent",
    "voice_consolidation",
    "assistant_feedback",
    "mail_outbox",
    "mail_opt_out",
    "barometer_flag",
    "barometer_edition",
    "assessment",
    "territory_contact",
)
"""The tables described on the personal-data page (each section carries its table's name)."""


TEMPLATES: Final = {
    SERVICE_PAGES["accessibility"]: "service/accessibilite.html",
    SERVICE_PAGES["legal"]: "service/mentions.html",
    SERVICE_PAGES["personal_data"]: "service/donnees.html",
    SERVICE_PAGES["help"]: "service/aide.html",
}


class ServicePages(Controller):
    """Accessibility statement, legal notice, personal data, help and contact."""

    path = "/"
    include_in_schema = False

    @get(list(TEMPLATES), name="service-page")
    async def show(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        """One of the footer's pages: the accessibility statement (RGAA conformity state and
        how it was measured), the legal notice, what is stored about people (why, how long,
        who sees it, how to have it deleted), or help and contact."""
        return page(request, TEMPLATES[request.url.path.rstrip("/")], principal)
