"""E-mail through the API: asking for a password reset and using its link, importing a file
of invitations (checked first, or created and sent), and the admins' log of sends. Thin
translations of `service.mail.use_cases`, `service.accounts.password_reset` and
`service.mail.outbox`, as the pages are."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import QueryParameter

from service.accounts.auth import client_address, require_role
from service.accounts.invitation_import import ImportReport, check_invitations, parse_invitations
from service.accounts.members import InvitationCreated
from service.accounts.password_reset import reset_password
from service.api.docs import body, responses
from service.deps import AppSettings, CurrentPrincipal, DbSession, Mail
from service.mail.outbox import MessageStatus, OutboxView, list_outbox
from service.mail.use_cases import import_and_send, request_password_reset
from service.platform.pagination import Page, PageParam, PerPageParam
from service.platform.throttle import LoginThrottle

__all__ = ["InvitationImportController", "MailLogController", "PasswordResetController"]


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The address of the account whose password is forgotten."""

    email: Annotated[str, msgspec.Meta(max_length=254)]


class ResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    """The token of the e-mailed link and the new password (10 characters at least)."""

    token: Annotated[str, msgspec.Meta(max_length=200)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class Accepted(msgspec.Struct):
    """The request is taken (said alike whether or not the address has an account)."""

    status: str = "accepted"


class ImportRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A CSV file's text (territory code, e-mail, role[, name]); ``send`` creates and sends
    the valid rows' invitations, otherwise the file is only checked."""

    csv: Annotated[str, msgspec.Meta(max_length=900_000)]
    send: bool = False


class ImportResult(msgspec.Struct):
    """The validation report, and the invitations created (empty when only checked)."""

    report: ImportReport
    created: list[InvitationCreated]


REPORT = {
    "rows": [
        {
            "line": 2,
            "territory_code": "64024",
            "territory_name": "Anglet",
            "email": "referente@example.org",
            "role": "member",
            "name": "",
            "problems": [],
        },
        {
            "line": 3,
            "territory_code": "99999",
            "territory_name": None,
            "email": "inconnu@example.org",
            "role": "member",
            "name": "",
            "problems": ["unknown_territory"],
        },
    ],
    "valid": 1,
    "rejected": 1,
    "by_problem": {"unknown_territory": 1},
}
MESSAGE = {
    "id": "3b0e8a52-7c1d-4e2f-9a3b-1c2d3e4f5a6b",
    "kind": "invitation",
    "recipient": "referente@example.org",
    "subject": "Invitation à Territoires connectés : Anglet",
    "status": "sent",
    "attempts": 2,
    "last_error": "SMTPResponseException: (451, '4.3.0 Try again later')",
    "campaign_year": None,
    "created_at": "2026-12-06T08:00:00Z",
    "sent_at": "2026-12-06T08:00:31Z",
}


class PasswordResetController(Controller):
    """Forgotten passwords."""

    path = "/api/v1/password-reset"
    tags = ("Comptes",)

    @post(
        "/",
        summary="Demander un lien de nouveau mot de passe",
        status_code=202,
        responses=responses(Accepted, {"status": "accepted"}, status=202, errors=(429,)),
    )
    async def ask(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        postman: Mail,
        data: Annotated[ResetRequest, body({"email": "cheffe.projet@biarritz.fr"})],
    ) -> Accepted:
        """E-mail a reset link if the address has an active account; the answer is the same
        either way. Throttled like logins (5 per address and account, 20 per address, in 15
        minutes)."""
        throttle: LoginThrottle = request.app.state["reset_throttle"]
        email = data.email.strip().lower()
        await throttle.check(client_address(request), email)
        await throttle.failed(client_address(request), email)
        await request_password_reset(db_session, postman, email, str(request.base_url))
        return Accepted()

    @post(
        "/confirm",
        summary="Choisir le nouveau mot de passe",
        status_code=200,
        responses=responses(Accepted, {"status": "accepted"}, errors=(404, 422)),
    )
    async def confirm(
        self,
        db_session: DbSession,
        settings: AppSettings,
        data: Annotated[
            ResetConfirm, body({"token": "mdp_…", "password": "une phrase de passe assez longue"})
        ],
    ) -> Accepted:
        """Set the new password with the e-mailed token (single use, valid one hour)."""
        await reset_password(db_session, settings.secret_key, data.token, data.password)
        return Accepted()


class InvitationImportController(Controller):
    """Invitations by the hundred."""

    path = "/api/v1/invitations/import"
    tags = ("Comptes",)

    @post(
        "/",
        summary="Importer des invitations depuis un fichier CSV (admin)",
        status_code=200,
        responses=responses(
            ImportResult, {"report": REPORT, "created": []}, errors=(401, 403, 422)
        ),
    )
    async def run(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        postman: Mail,
        data: Annotated[
            ImportRequest,
            body({"csv": "code,courriel,role\n64024,referente@example.org,member", "send": False}),
        ],
    ) -> ImportResult:
        """Check every row (unknown codes, malformed or repeated addresses, accounts and
        territories already there); with ``send``, invite the valid rows in one transaction
        and queue their e-mails."""
        admin = require_role(principal, "admin")
        if not data.send:
            report = await check_invitations(db_session, parse_invitations(data.csv))
            return ImportResult(report, [])
        base = str(request.base_url)
        report, created = await import_and_send(db_session, admin, postman, data.csv, base)
        return ImportResult(report, created)


class MailLogController(Controller):
    """The log of every e-mail and its outcome."""

    path = "/api/v1/mail"
    tags = ("Comptes",)

    @get(
        "/outbox",
        summary="Journal des courriels (admin)",
        responses=responses(
            Page[OutboxView],
            {"items": [MESSAGE], "page": 1, "per_page": 50, "total": 1, "pages": 1},
            errors=(401, 403),
        ),
    )
    async def outbox(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
        status: Annotated[MessageStatus | None, QueryParameter()] = None,
    ) -> Page[OutboxView]:
        """Messages, newest first, with their status, attempts and last error."""
        return await list_outbox(db_session, principal, page, per_page, status)
