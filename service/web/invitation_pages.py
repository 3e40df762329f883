"""Invitations by the hundred: upload a CSV file (territory code, e-mail, role), read the
validation report, then create every valid invitation in one transaction and queue its
e-mail. Nothing is created or sent before the admin has seen the report and confirmed."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import File, Template

from service.accounts.auth import Principal, require_role
from service.accounts.invitation_import import PROBLEMS, check_invitations, parse_invitations
from service.demo.invitations import DEMO_INVITATIONS
from service.deps import CurrentPrincipal, DbSession, Mail
from service.mail.use_cases import import_and_send
from service.platform.errors import DomainError
from service.web.rendering import page, request_lang

__all__ = ["InvitationImportPages"]

MAX_CSV_BYTES: Final = 900_000
"""A file of about 15,000 invitations; the request body limit applies beyond."""


class InvitationImportPages(Controller):
    """Importing a file of invitations."""

    path = "/admin/invitations/import"
    include_in_schema = False

    @get("/", name="admin-invitations-import")
    async def form(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        """The upload form and the expected format."""
        admin = require_role(principal, "admin")
        return page(request, "admin/invitations_import.html", admin, errors={})

    @get("/exemple.csv", name="admin-invitations-example")
    async def example(self, principal: CurrentPrincipal) -> File:
        """The demonstration file: 500 fictitious invitations to real territories."""
        require_role(principal, "admin")
        return File(path=DEMO_INVITATIONS, filename="invitations-500.csv", media_type="text/csv")

    @post("/verifier", name="admin-invitations-check", status_code=200)
    async def check(
        self, request: Request[Any, Any, Any], db_session: DbSession, principal: CurrentPrincipal
    ) -> Template:
        """The validation report: every row, its territory's name, and why it is left out."""
        admin = require_role(principal, "admin")
        text = await _csv_text(request)
        try:
            report = await check_invitations(db_session, parse_invitations(text))
        except DomainError as exc:
            return _form_error(request, admin, exc.translate(request_lang(request)))
        return page(
            request, "admin/invitations_report.html", admin, report=report, csv=text, **_labels()
        )

    @post("/envoyer", name="admin-invitations-send", status_code=201)
    async def send(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        postman: Mail,
    ) -> Template:
        """Create the valid rows' invitations and queue their e-mails; show every link."""
        admin = require_role(principal, "admin")
        text = await _csv_text(request)
        base = str(request.base_url).rstrip("/")
        try:
            report, created = await import_and_send(db_session, admin, postman, text, base)
        except DomainError as exc:
            return _form_error(request, admin, exc.translate(request_lang(request)))
        names = {row.email: row.territory_name for row in report.valid_rows}
        return page(
            request,
            "admin/invitations_sent.html",
            admin,
            status_code=201,
            report=report,
            created=created,
            names=names,
            base=base,
            **_labels(),
        )


async def _csv_text(request: Request[Any, Any, Any]) -> str:
    """The uploaded file's text, or the pasted text (the report page sends it back)."""
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        return _decode(raw[:MAX_CSV_BYTES])
    pasted = form.get("csv")
    return pasted[:MAX_CSV_BYTES] if isinstance(pasted, str) else ""


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # a spreadsheet's "CSV (Windows)"


def _form_error(request: Request[Any, Any, Any], admin: Principal, message: str) -> Template:
    return page(
        request,
        "admin/invitations_import.html",
        admin,
        status_code=422,
        errors={"file": message},
    )


def _labels() -> dict[str, Any]:
    return {"problem_labels": PROBLEMS}
