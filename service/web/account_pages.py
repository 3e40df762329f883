"""Log in, log out, and set a password from an invitation link."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from service.accounts.auth import (
    authenticate_password,
    client_address,
    login_throttle,
    principal_for_user,
)
from service.accounts.members import InvitationAccept, accept_invitation, invitation_for_token
from service.deps import CurrentPrincipal, DbSession
from service.platform.errors import AuthenticationError, InvalidInputError, TooManyRequestsError
from service.platform.i18n import N_, translate
from service.territories.directory import territory_names
from service.web.forms import field_errors, read_form
from service.web.rendering import page, request_lang, safe_next
from service.web.session import end_session, start_session

__all__ = ["AccountPages"]

Token = Annotated[str, PathParameter(max_length=200)]
NO_REFERRER = {"Referrer-Policy": "no-referrer"}
"""The invitation token is in the address: never pass it on to another site."""


class AccountPages(Controller):
    """Sessions of the members' pages."""

    path = "/"
    include_in_schema = False

    @get("/connexion", name="login")
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        next_: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
    ) -> Template | Redirect:
        """The login form (signed-in users go straight on)."""
        if principal is not None:
            return Redirect(path=safe_next(next_, "/espace"), status_code=303)
        return page(request, "account/login.html", None, next=safe_next(next_, ""), values={})

    @post("/connexion", name="login-post", status_code=303)
    async def login(
        self, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template | Redirect:
        """Check the email and password; open a new session on success."""
        form = await read_form(request)
        email, password = form.get("email", "").strip(), form.get("password", "")
        target = safe_next(form.get("next"), "")
        lang = request_lang(request)
        errors = {}
        status, headers = 422, {}
        if not email:
            errors["email"] = translate(lang, N_("Saisissez votre adresse électronique."))
        if not password:
            errors["password"] = translate(lang, N_("Saisissez votre mot de passe."))
        if not errors:
            try:
                who = await authenticate_password(
                    db_session, email, password, login_throttle(request), client_address(request)
                )
            except AuthenticationError:
                errors["form"] = translate(
                    lang, N_("Adresse électronique ou mot de passe incorrect.")
                )
            except TooManyRequestsError as exc:
                errors["form"] = exc.translate(lang)
                status = 429
                headers["Retry-After"] = str(exc.retry_after or 60)
            else:
                start_session(request, who)
                return Redirect(path=target or "/espace", status_code=303)
        return page(
            request,
            "account/login.html",
            None,
            status_code=status,
            headers=headers,
            next=target,
            values={"email": email},
            errors=errors,
        )

    @post("/deconnexion", name="logout", status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """Close the session (deleted from the store) and go back home."""
        end_session(request)
        return Redirect(path="/", query_params={"message": "logged_out"}, status_code=303)

    @get("/invitation/{token:str}", name="invitation")
    async def invitation_form(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: Token
    ) -> Template:
        """Welcome page of an invitation: choose a password (404 if the link is used up)."""
        invitation = await invitation_for_token(db_session, token)
        return page(
            request,
            "account/invitation.html",
            None,
            headers=NO_REFERRER,
            invitation=invitation,
            territory=await _territory_name(db_session, invitation.user.territory_code),
            token=token,
            values={},
        )

    @post("/invitation/{token:str}", name="invitation-post", status_code=303)
    async def accept(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: Token
    ) -> Template | Redirect:
        """Set the password (twice, to avoid typos), then sign the new member in."""
        invitation = await invitation_for_token(db_session, token)
        form = await read_form(request)
        lang = request_lang(request)
        name = form.get("name", "").strip()
        password, confirm = form.get("password", ""), form.get("confirm", "")
        errors: dict[str, str] = {}
        if password != confirm:
            errors["confirm"] = translate(
                lang, N_("Les deux mots de passe ne sont pas identiques.")
            )
        else:
            try:
                user = await accept_invitation(
                    db_session, InvitationAccept(token=token, password=password, name=name or None)
                )
            except InvalidInputError as exc:
                errors = field_errors(exc.field_errors(lang), "password") or {
                    "password": exc.translate(lang)
                }
            else:
                who = await principal_for_user(db_session, user.id)
                if who is not None:
                    start_session(request, who)
                return Redirect(
                    path="/espace", query_params={"message": "welcome"}, status_code=303
                )
        return page(
            request,
            "account/invitation.html",
            None,
            status_code=422,
            headers=NO_REFERRER,
            invitation=invitation,
            territory=await _territory_name(db_session, invitation.user.territory_code),
            token=token,
            values={"name": name},
            errors=errors,
        )


async def _territory_name(session: Any, code: str | None) -> str | None:
    """The name of the invited member's territory (never shown as a bare code)."""
    return (await territory_names(session, [code])).get(code or "")
