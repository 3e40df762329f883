"""Forgotten password: ask for a link by e-mail, then choose a new password with it.

The request page answers the same whether or not the address has an account, and counts
every request in a throttle of its own (the login throttle's rules: 5 per address and account,
20 per address, in 15 minutes)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from service.accounts.auth import client_address
from service.accounts.members import is_email
from service.accounts.password_reset import check_reset, reset_password
from service.deps import AppSettings, DbSession, Mail
from service.mail.use_cases import request_password_reset
from service.platform.errors import InvalidInputError, TooManyRequestsError
from service.platform.i18n import N_, translate
from service.platform.throttle import LoginThrottle
from service.web.account_pages import NO_REFERRER, Token
from service.web.forms import field_errors, read_form
from service.web.rendering import page, request_lang

__all__ = ["PasswordPages"]


class PasswordPages(Controller):
    """Password reset by e-mail."""

    path = "/mot-de-passe"
    include_in_schema = False

    @get("/oubli", name="password-forgot")
    async def forgot_form(self, request: Request[Any, Any, Any]) -> Template:
        """The form asking for the account's address."""
        return page(request, "account/password_forgot.html", None, values={}, errors={})

    @post("/oubli", name="password-forgot-post", status_code=200)
    async def forgot(
        self, request: Request[Any, Any, Any], db_session: DbSession, postman: Mail
    ) -> Template:
        """Send a link if the address has an account; say the same thing either way."""
        form = await read_form(request)
        email = form.get("email", "").strip().lower()[:254]
        lang = request_lang(request)
        if not is_email(email):
            errors = {"email": translate(lang, N_("Saisissez une adresse électronique valide."))}
            return page(
                request,
                "account/password_forgot.html",
                None,
                status_code=422,
                values={"email": email},
                errors=errors,
            )
        throttle: LoginThrottle = request.app.state["reset_throttle"]
        address = client_address(request)
        try:
            await throttle.check(address, email)
        except TooManyRequestsError as exc:
            return page(
                request,
                "account/password_forgot.html",
                None,
                status_code=429,
                headers={"Retry-After": str(exc.retry_after or 60)},
                values={"email": email},
                errors={"form": exc.translate(lang)},
            )
        await throttle.failed(address, email)  # every request counts
        await request_password_reset(db_session, postman, email, str(request.base_url))
        return page(request, "account/password_forgot.html", None, sent=email, values={})

    @get("/nouveau/{token:str}", name="password-new")
    async def new_form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        settings: AppSettings,
        token: Token,
    ) -> Template:
        """Choose the new password (404 when the link is unknown, used or expired)."""
        email = await check_reset(db_session, settings.secret_key, token)
        return page(
            request,
            "account/password_new.html",
            None,
            headers=NO_REFERRER,
            email=email,
            token=token,
            errors={},
        )

    @post("/nouveau/{token:str}", name="password-new-post", status_code=303)
    async def set_new(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        settings: AppSettings,
        token: Token,
    ) -> Template | Redirect:
        """Set the password (twice, to avoid typos); the link is then used up."""
        email = await check_reset(db_session, settings.secret_key, token)
        form = await read_form(request)
        lang = request_lang(request)
        password, confirm = form.get("password", ""), form.get("confirm", "")
        errors: dict[str, str] = {}
        if password != confirm:
            errors["confirm"] = translate(
                lang, N_("Les deux mots de passe ne sont pas identiques.")
            )
        else:
            try:
                await reset_password(db_session, settings.secret_key, token, password)
            except InvalidInputError as exc:
                errors = field_errors(exc.field_errors(lang), "password") or {
                    "password": exc.translate(lang)
                }
            else:
                return Redirect(
                    path="/connexion", query_params={"message": "password_changed"}, status_code=303
                )
        return page(
            request,
            "account/password_new.html",
            None,
            status_code=422,
            headers=NO_REFERRER,
            email=email,
            token=token,
            errors=errors,
        )
