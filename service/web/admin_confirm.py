"""Administration actions that take effect for other people at once (closing a campaign,
deactivating an account), each behind a confirmation page that works without JavaScript.

The list's button is a link to a page (GET) that states the consequences, with the form that
confirms (POST, CSRF token, ``confirm=yes``). A POST without ``confirm=yes`` changes nothing
and leads to that page: the action never happens in one click. Reopening a campaign and
reactivating an account undo nothing and stay one click."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from service.accounts.auth import require_role
from service.accounts.members import UserUpdate, get_user, update_user
from service.assessments.campaigns import (
    CampaignStatus,
    CampaignUpdate,
    get_campaign,
    list_campaigns,
)
from service.assessments.campaigns import update_campaign as change_campaign
from service.assessments.workflow import list_assessments
from service.deps import CurrentPrincipal, DbSession
from service.platform.errors import ConflictError, DomainError
from service.platform.i18n import N_
from service.territories.directory import territory_names
from service.web.admin_pages import Id, Year, back
from service.web.forms import read_form
from service.web.rendering import page, request_lang

__all__ = ["AdminConfirmPages"]


class AdminConfirmPages(Controller):
    """Closing a campaign and deactivating an account, confirmed on a page of their own."""

    path = "/"
    include_in_schema = False

    @get("/admin/campagnes/{year:int}/clore", name="admin-campaign-close")
    async def campaign_close_form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        year: Year,
    ) -> Template | Redirect:
        """What closing the campaign means, and the button that confirms it."""
        admin = require_role(principal, "admin")
        campaign = await get_campaign(db_session, year)
        if campaign.status != "open":
            return Redirect(path="/admin", status_code=303)
        counts = {
            status: (await list_assessments(db_session, admin, year, None, status, 1, 1)).total
            for status in ("submitted", "draft")
        }
        return page(
            request,
            "admin/close_campaign.html",
            admin,
            year=year,
            submitted=counts["submitted"],
            drafts=counts["draft"],
        )

    @post("/admin/campagnes/{year:int}", name="admin-campaign-update", status_code=303)
    async def campaign_update(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        year: Year,
    ) -> Template | Redirect:
        """Reopen a campaign, or close it once confirmed."""
        admin = require_role(principal, "admin")
        form = await read_form(request)
        status: CampaignStatus = "open" if form.get("status") == "open" else "closed"
        if status == "closed" and form.get("confirm") != "yes":
            return Redirect(path=f"/admin/campagnes/{year}/clore", status_code=303)
        try:
            await change_campaign(db_session, admin, year, CampaignUpdate(status))
        except DomainError as exc:  # e.g. another campaign is still open
            campaigns = await list_campaigns(db_session, 1, 100)
            return page(
                request,
                "admin/index.html",
                admin,
                status_code=exc.status_code,
                campaigns=campaigns.items,
                errors={"form": exc.translate(request_lang(request))},
            )
        return back("/admin", "campaign_closed" if status == "closed" else "campaign_opened")

    @get("/admin/membres/{user_id:uuid}/desactiver", name="admin-user-deactivate")
    async def user_deactivate_form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        user_id: Id,
    ) -> Template | Redirect:
        """What deactivating the account means, and the button that confirms it."""
        admin = require_role(principal, "admin")
        account = await get_user(db_session, admin, user_id)
        if account.id == admin.user_id:
            raise ConflictError(N_("Un administrateur ne peut ni se rétrograder ni se désactiver."))
        if not account.active:
            return Redirect(path="/admin/membres", status_code=303)
        names = await territory_names(db_session, [account.territory_code])
        return page(
            request,
            "admin/deactivate_user.html",
            admin,
            account=account,
            territory=names.get(account.territory_code or ""),
        )

    @post("/admin/membres/{user_id:uuid}", name="admin-user-update", status_code=303)
    async def user_update(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        user_id: Id,
    ) -> Redirect:
        """Reactivate an account, or deactivate it once confirmed."""
        admin = require_role(principal, "admin")
        form = await read_form(request)
        active = form.get("active") == "yes"
        if not active and form.get("confirm") != "yes":
            return Redirect(path=f"/admin/membres/{user_id}/desactiver", status_code=303)
        await update_user(db_session, admin, user_id, UserUpdate(active=active))
        return back("/admin/membres", "user_reactivated" if active else "user_deactivated")
