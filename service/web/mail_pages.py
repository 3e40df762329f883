"""E-mail pages: the admins' log of every send with its outcome, each campaign's reminder
schedule, the campaign notice and the reminders sent now; and the public opt-out page that
the reminders and notices link to."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from service.accounts.auth import Principal, require_role
from service.assessments.campaigns import list_campaigns
from service.deps import AppSettings, CurrentPrincipal, DbSession, Mail
from service.mail.optout import email_for_token, opt_out
from service.mail.outbox import MessageStatus, list_outbox, outbox_counts
from service.mail.reminders import announce_campaign, queue_due_reminders, schedules, set_schedule
from service.platform.errors import DomainError, NotFoundError
from service.platform.i18n import N_
from service.web.admin_pages import back
from service.web.forms import read_form
from service.web.rendering import page, request_lang

__all__ = ["MailPages"]

STATUSES: tuple[MessageStatus, ...] = ("queued", "sent", "failed", "skipped")
OptOutToken = Annotated[str, PathParameter(max_length=600)]


class MailPages(Controller):
    """The outbox, reminders and notices; the opt-out."""

    path = "/"
    include_in_schema = False

    @get("/admin/courriels", name="admin-mail")
    async def outbox(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        statut: Annotated[str | None, QueryParameter(max_length=10)] = None,
        page_: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Every message sent or to send, newest first, with its outcome."""
        admin = require_role(principal, "admin")
        return await self._page(request, db_session, admin, settings, statut, page_)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db_session: Any,
        admin: Principal,
        settings: Any,
        statut: str | None = None,
        number: int = 1,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        status = next((s for s in STATUSES if s == statut), None)
        return page(
            request,
            "admin/mail.html",
            admin,
            status_code=status_code,
            messages=await list_outbox(db_session, admin, number, 50, status),
            counts=await outbox_counts(db_session, admin),
            status=status,
            statuses=STATUSES,
            campaigns=(await list_campaigns(db_session, 1, 100)).items,
            schedules=await schedules(db_session),
            default_days=settings.mail_reminder_days,
            smtp=settings.smtp_host,
            errors=errors or {},
        )

    @post("/admin/courriels/calendrier/{year:int}", name="admin-mail-schedule", status_code=303)
    async def schedule(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        year: Annotated[int, PathParameter(ge=2000, le=2100)],
    ) -> Template | Redirect:
        """Set a campaign's closing date and reminder days."""
        admin = require_role(principal, "admin")
        form = await read_form(request)
        lang = request_lang(request)
        try:
            closes = _date(form.get("closes_on", ""))
            await set_schedule(db_session, admin, year, closes, form.get("days", ""))
        except DomainError as exc:
            errors = {f"schedule-{year}": exc.translate(lang)}
            return await self._page(
                request, db_session, admin, settings, errors=errors, status_code=422
            )
        return back("/admin/courriels", "schedule_saved")

    @post("/admin/courriels/rappels", name="admin-mail-reminders", status_code=303)
    async def reminders(
        self, db_session: DbSession, principal: CurrentPrincipal, postman: Mail
    ) -> Redirect:
        """Queue the reminders due today now, rather than at the next hourly look."""
        require_role(principal, "admin")
        await queue_due_reminders(db_session, postman, datetime.now(UTC).date())
        return back("/admin/courriels", "reminders_queued")

    @post("/admin/courriels/annonce/{year:int}", name="admin-mail-notice", status_code=303)
    async def notice(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        postman: Mail,
        year: Annotated[int, PathParameter(ge=2000, le=2100)],
    ) -> Redirect:
        """Announce a campaign to every member and analyst (who did not opt out)."""
        form = await read_form(request)
        await announce_campaign(db_session, principal, postman, year, form.get("text", ""))
        return back("/admin/courriels", "notice_queued")

    @get("/courriels/desinscription/{token:str}", name="mail-opt-out")
    async def opt_out_form(
        self, request: Request[Any, Any, Any], settings: AppSettings, token: OptOutToken
    ) -> Template:
        """What opting out means, and the button that confirms it."""
        email = _address(settings.secret_key, token)
        return page(request, "mail/opt_out.html", None, email=email, token=token, done=False)

    @post("/courriels/desinscription/{token:str}", name="mail-opt-out-post", status_code=200)
    async def opt_out(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        settings: AppSettings,
        token: OptOutToken,
    ) -> Template:
        """Record the opt-out (also the target of the one-click ``List-Unsubscribe-Post``)."""
        email = _address(settings.secret_key, token)
        await opt_out(db_session, email)
        return page(request, "mail/opt_out.html", None, email=email, token=token, done=True)


def _address(secret_key: str, token: str) -> str:
    email = email_for_token(secret_key, token)
    if email is None:
        raise NotFoundError(N_("Lien de désinscription inconnu."))
    return email


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(N_("Date de clôture invalide (AAAA-MM-JJ).")) from None
