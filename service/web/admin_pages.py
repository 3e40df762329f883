"""Administration pages: campaigns, members and invitations, reopening submissions, API keys.

Each action calls the domain function behind the matching ``/api/v1`` endpoint with the
signed-in user as principal; those functions refuse anyone but an admin (the API key page is
open to every signed-in user for their own keys, as ``/api/v1/api-keys`` is)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.api_keys import ApiKeyCreate, create_api_key, list_api_keys, revoke_api_key
from service.accounts.auth import Principal, require_principal, require_role
from service.accounts.members import (
    InvitationCreate,
    list_invitations,
    list_users,
    revoke_invitation,
)
from service.assessments.campaigns import (
    CampaignCreate,
    CampaignStatus,
    create_campaign,
    list_campaigns,
)
from service.assessments.editions import editions_for
from service.assessments.workflow import list_assessments, reopen_assessment
from service.deps import CurrentModel, CurrentPrincipal, DbSession, Mail
from service.mail.use_cases import invite_and_send
from service.platform.errors import DomainError, FieldError
from service.platform.i18n import N_, translate
from service.platform.text import CODE_PATTERN
from service.territories.directory import search_territories, territory_names
from service.web.forms import field_errors, read_form
from service.web.rendering import page, request_lang

__all__ = ["AdminPages", "Id", "Year", "back"]

PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000)]
Year = Annotated[int, PathParameter(ge=2000, le=2100)]
Id = Annotated[uuid.UUID, PathParameter()]


def back(path: str, message: str) -> Redirect:
    """Back to an admin page, with a message for it to show."""
    return Redirect(path=path, query_params={"message": message}, status_code=303)


def _errors(exc: DomainError, default: str, lang: str) -> dict[str, str]:
    return field_errors(exc.field_errors(lang), default) or {"form": exc.translate(lang)}


class AdminPages(Controller):
    """Network administration."""

    path = "/"
    include_in_schema = False

    @get("/admin", name="admin")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template:
        """Campaigns at a glance and the way to every admin task."""
        admin = require_role(principal, "admin")
        campaigns = await list_campaigns(db_session, 1, 100)
        return page(
            request,
            "admin/index.html",
            admin,
            campaigns=campaigns.items,
            errors={},
            editions=editions_for(model).versions,
            current_edition=model.version,
        )

    @post("/admin/campagnes", name="admin-campaign-create", status_code=303)
    async def campaign_create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template | Redirect:
        """Create a campaign (open or closed)."""
        admin = require_role(principal, "admin")
        form = await read_form(request)
        year = form.get("year", "").strip()
        status: CampaignStatus = "closed" if form.get("status") == "closed" else "open"
        try:
            if not year.isdigit() or not 2000 <= int(year) <= 2100:
                raise DomainError(N_("Année invalide (2000 à 2100)."))
            edition = form.get("model_version", "").strip() or None
            await create_campaign(
                db_session, admin, CampaignCreate(int(year), status, edition), model
            )
        except DomainError as exc:
            campaigns = await list_campaigns(db_session, 1, 100)
            return page(
                request,
                "admin/index.html",
                admin,
                status_code=exc.status_code,
                campaigns=campaigns.items,
                errors={"year": exc.translate(request_lang(request))},
                values={"year": year},
                editions=editions_for(model).versions,
                current_edition=model.version,
            )
        return back("/admin", "campaign_saved")

    @get("/admin/membres", name="admin-members")
    async def members(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        page_: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        """Accounts and invitations, and the form to invite someone."""
        admin = require_role(principal, "admin")
        return await self._members_page(request, db_session, admin, page_)

    @post("/admin/invitations", name="admin-invite", status_code=303)
    async def invite(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        postman: Mail,
    ) -> Template:
        """Invite a member, analyst or admin: the e-mail is queued, and the link shown once
        (with a copy button) for when it does not arrive."""
        admin = require_role(principal, "admin")
        form = await read_form(request)
        role = form.get("role", "member")
        data = InvitationCreate(
            email=form.get("email", "").strip(),
            role=role if role in ("member", "analyst", "admin") else "member",  # type: ignore[arg-type]
            territory_code=form.get("territory_code", "").strip().upper() or None,
            name=form.get("name", "").strip(),
        )
        try:
            if data.territory_code and not _is_code(data.territory_code):
                raise DomainError(
                    N_("Code de territoire invalide."),
                    errors=[FieldError("territory_code", N_("code INSEE ou SIREN attendu"))],
                )
            base = str(request.base_url)
            created = await invite_and_send(db_session, admin, postman, data, base)
        except DomainError as exc:
            return await self._members_page(
                request,
                db_session,
                admin,
                1,
                form,
                _errors(exc, "email", request_lang(request)),
                exc.status_code,
            )
        link = str(request.base_url).rstrip("/") + created.accept_path
        return await self._members_page(
            request, db_session, admin, 1, created=created, link=link, status_code=201
        )

    @post("/admin/invitations/{invitation_id:uuid}/revoquer", status_code=303)
    async def revoke_invitation(
        self, db_session: DbSession, principal: CurrentPrincipal, invitation_id: Id
    ) -> Redirect:
        """Revoke a pending invitation."""
        await revoke_invitation(db_session, principal, invitation_id)
        return back("/admin/membres", "invitation_revoked")

    @get("/admin/evaluations", name="admin-assessments")
    async def assessments(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        territoire: Annotated[str | None, QueryParameter(max_length=200)] = None,
        campagne: Annotated[str | None, QueryParameter(max_length=20)] = None,
        page_: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Submitted assessments, each with a reopen form, filtered by territory (a name, with
        accents and case folded, or a code) and campaign; an empty field filters nothing."""
        admin = require_role(principal, "admin")
        lang = request_lang(request)
        search = " ".join((territoire or "").split())[:100]
        year, errors = (campagne or "").strip(), {}
        campaign = int(year) if year.isascii() and year.isdecimal() and len(year) == 4 else None
        if year and (campaign is None or not 2000 <= campaign <= 2100):
            message = N_("Campagne invalide : une année de 2000 à 2100, ou laissez le champ vide.")
            errors["campagne"] = translate(lang, message)
        listing, hint = None, None
        if not errors:
            listing = await list_assessments(
                db_session, admin, campaign, None, "submitted", page_, 20, territory_search=search
            )
            if listing.total == 0:
                hint = await _no_result_hint(db_session, lang, search, campaign)
        return page(
            request,
            "admin/assessments.html",
            admin,
            status_code=422 if errors else 200,
            listing=listing,
            territory=search,
            campaign=year if errors else campaign,
            errors=errors,
            hint=hint,
        )

    @post("/admin/evaluations/{assessment_id:uuid}/rouvrir", name="admin-reopen", status_code=303)
    async def reopen(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: Id,
    ) -> Redirect:
        """Reopen a submission so that its territory can change it (a new revision)."""
        form = await read_form(request)
        reason = form.get("reason", "").strip()[:1000] or None
        view = await reopen_assessment(db_session, principal, model, assessment_id, reason)
        return back(f"/evaluations/{view.id}", "reopened")

    @get("/cles", name="api-keys")
    async def api_keys(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        page_: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        """One's API keys (every key for admins), and the form to create one."""
        who = require_principal(principal)
        return await self._keys_page(request, db_session, who, page_)

    @post("/cles", name="api-key-create", status_code=303)
    async def api_key_create(
        self, request: Request[Any, Any, Any], db_session: DbSession, principal: CurrentPrincipal
    ) -> Template:
        """Create a key; its secret is shown on this page once, never again."""
        who = require_principal(principal)
        form = await read_form(request)
        name = form.get("name", "").strip()
        role = form.get("role") or None
        expires = form.get("expires", "").strip()
        try:
            expires_at = (
                datetime.fromisoformat(expires).replace(hour=23, minute=59, tzinfo=UTC)
                if expires
                else None
            )
        except ValueError:
            errors = {
                "expires": translate(request_lang(request), N_("Date invalide (AAAA-MM-JJ)."))
            }
            return await self._keys_page(request, db_session, who, 1, form, errors, 422)
        if not name:
            message = N_("Donnez un nom à la clé (son usage, p. ex. « SIG »).")
            errors = {"name": translate(request_lang(request), message)}
            return await self._keys_page(request, db_session, who, 1, form, errors, 422)
        try:
            created = await create_api_key(
                db_session,
                who,
                ApiKeyCreate(name=name[:100], role=role, expires_at=expires_at),  # type: ignore[arg-type]
            )
        except DomainError as exc:
            errors = _errors(exc, "name", request_lang(request))
            return await self._keys_page(request, db_session, who, 1, form, errors, exc.status_code)
        return await self._keys_page(request, db_session, who, 1, created=created, status_code=201)

    @post("/cles/{key_id:uuid}/revoquer", name="api-key-revoke", status_code=303)
    async def api_key_revoke(
        self, db_session: DbSession, principal: CurrentPrincipal, key_id: Id
    ) -> Redirect:
        """Revoke a key at once."""
        await revoke_api_key(db_session, principal, key_id)
        return back("/cles", "key_revoked")

    async def _members_page(
        self,
        request: Request[Any, Any, Any],
        db_session: Any,
        admin: Principal,
        number: int,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        users = await list_users(db_session, admin, number, 50)
        invitations = await list_invitations(db_session, admin, 1, 20)
        codes = [u.territory_code for u in users.items]
        codes += [i.user.territory_code for i in invitations.items]
        return page(
            request,
            "admin/members.html",
            admin,
            status_code=status_code,
            users=users,
            invitations=invitations.items,
            names=await territory_names(db_session, codes),
            values=values or {},
            errors=errors or {},
            **extra,
        )

    async def _keys_page(
        self,
        request: Request[Any, Any, Any],
        db_session: Any,
        who: Principal,
        number: int,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        keys = await list_api_keys(db_session, who, number, 50)
        return page(
            request,
            "admin/keys.html",
            who,
            status_code=status_code,
            keys=keys,
            values=values or {},
            errors=errors or {},
            **extra,
        )


def _is_code(code: str) -> bool:
    return re.fullmatch(CODE_PATTERN, code) is not None


async def _no_result_hint(
    session: AsyncSession, lang: str, search: str, campaign: int | None
) -> str:
    """Why a filter found no submitted assessment, and what to try instead."""
    if search:
        found = (await search_territories(session, search, per_page=1)).total
        if found == 0:
            message = N_(
                "Aucun territoire ne correspond à « %(q)s ». Vérifiez l'orthographe, ou "
                "saisissez une partie du nom (par exemple « saint etienne ») ou le code INSEE "
                "ou SIREN."
            )
            return translate(lang, message, q=search)
        if campaign is not None:
            message = N_(
                "%(n)s territoire(s) correspondent à « %(q)s », sans évaluation soumise pour "
                "%(year)s. Videz le champ « Campagne » pour chercher dans toutes les campagnes."
            )
            return translate(lang, message, n=found, q=search, year=campaign)
        message = N_("%(n)s territoire(s) correspondent à « %(q)s », sans évaluation soumise.")
        return translate(lang, message, n=found, q=search)
    if campaign is not None:
        message = N_(
            "Aucune évaluation soumise pour %(year)s. Videz le champ « Campagne » pour voir "
            "toutes les campagnes."
        )
        return translate(lang, message, year=campaign)
    return translate(lang, N_("Aucune évaluation soumise pour l'instant."))
