"""The member's choice of what its territory shows publicly: ``/espace/profil-public`` opts the
territory in to (or out of) a public profile (`service.territories.directory`, as ``PUT
/api/v1/territories/{code}/public-profile``) and records the digital lead's contact, shown on
the profile only when opted in (`service.territories.contact`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from service.accounts.auth import Principal, require_principal
from service.deps import CurrentPrincipal, DbSession
from service.platform.errors import InvalidInputError, PermissionDeniedError
from service.platform.i18n import N_
from service.territories.contact import ContactView, contact_of, save_contact
from service.territories.directory import get_territory, set_public_profile
from service.web.forms import read_form
from service.web.rendering import page, request_lang

__all__ = ["ContactPages"]

PATH = "/espace/profil-public"


def _territory_of(principal: Principal | None) -> str:
    who = require_principal(principal)
    if who.territory_code is None:
        raise PermissionDeniedError(N_("Cette page est celle des membres d'un territoire."))
    return who.territory_code


class ContactPages(Controller):
    """The public profile and contact opt-ins of the member's territory."""

    path = PATH
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        form: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Template:
        code = _territory_of(principal)
        territory = await get_territory(db_session, code, request_lang(request))
        contact = await contact_of(db_session, principal, code)
        if form is None:
            form = {"public": "on" if territory.public_profile else ""}
            if contact is not None:
                form |= {"name": contact.name, "role": contact.role, "email": contact.email}
                form["shown"] = "on" if contact.shown else ""
        return page(
            request,
            "territories/contact.html",
            principal,
            status_code=422 if error else 200,
            territory=territory,
            form=form,
            error=error,
            saved=request.query_params.get("enregistre") is not None,
        )

    @get("/", name="public-profile-settings")
    async def show(
        self, request: Request[Any, Any, Any], db_session: DbSession, principal: CurrentPrincipal
    ) -> Template:
        """The territory's public profile choice and its contact."""
        return await self._page(request, db_session, principal)

    @post("/", name="public-profile-save", status_code=303)
    async def save(
        self, request: Request[Any, Any, Any], db_session: DbSession, principal: CurrentPrincipal
    ) -> Template | Redirect:
        """Record both choices, then show the page again."""
        code = _territory_of(principal)
        form = await read_form(request)
        data = ContactView(
            form.get("name", ""), form.get("role", ""), form.get("email", ""),
            form.get("shown") == "on",
        )  # fmt: skip
        try:
            await save_contact(db_session, principal, code, data)
        except InvalidInputError as exc:
            error = exc.translate(request_lang(request))
            return await self._page(request, db_session, principal, form, error)
        await set_public_profile(db_session, principal, code, form.get("public") == "on")
        return Redirect(path=PATH, query_params={"enregistre": "1"}, status_code=303)
