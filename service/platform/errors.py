"""One map from domain errors to RFC 9457 problem-details responses, with French messages.

Domain code raises its own exceptions; only this module knows about HTTP status codes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, IntegrityError

from maturity.scoring import AnswerError

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "DomainError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "TooManyRequestsError",
    "exception_handlers",
    "problem_response",
]

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """Base of the service's own errors: a French message and the HTTP status it maps to."""

    status_code = 400
    title = "Requête invalide"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFoundError(DomainError):
    """The resource does not exist, or the caller may not know that it does."""

    status_code = 404
    title = "Introuvable"


class ConflictError(DomainError):
    """The request contradicts the resource's current state."""

    status_code = 409
    title = "Conflit"


class AuthenticationError(DomainError):
    """No valid credentials: missing, unknown, revoked or expired."""

    status_code = 401
    title = "Authentification requise"


class PermissionDeniedError(DomainError):
    """Valid credentials whose role does not allow the action."""

    status_code = 403
    title = "Accès refusé"


class InvalidInputError(DomainError):
    """Well-formed input that breaks a rule of the domain (pass ``errors=[...]`` to list them)."""

    status_code = 422
    title = "Données invalides"


class TooManyRequestsError(DomainError):
    """Too many attempts: retry after ``retry_after`` seconds (sent as ``Retry-After``)."""

    status_code = 429
    title = "Trop de requêtes"


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every 4xx/5xx body."""

    title: str
    status: int
    detail: str
    type: str = "about:blank"
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


_STATUS_TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non permise",
    409: "Conflit",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service indisponible",
}

_STATUS_DETAILS = {
    401: "Identifiez-vous (clé d'API « Authorization: Bearer … » ou session).",
    403: "Vous n'avez pas les droits nécessaires pour cette action.",
    404: "La ressource demandée n'existe pas.",
    405: "Cette méthode HTTP n'est pas acceptée à cette adresse.",
    413: "Le corps de la requête dépasse la taille permise.",
    429: "Trop de requêtes : réessayez dans un moment.",
}


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """A problem-details response for `status`."""
    body = Problem(
        title=_STATUS_TITLES.get(status, "Erreur"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _answer_error(request: Request[Any, Any, Any], exc: AnswerError) -> Response[Problem]:
    errors = [{"question": p.question, "message": p.message} for p in exc.problems]
    return problem_response(request, 422, str(exc), errors)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    errors = exc.extra.get("errors")
    headers = {"WWW-Authenticate": 'Bearer realm="territoires"'} if exc.status_code == 401 else None
    if "retry_after" in exc.extra:
        headers = {"Retry-After": str(exc.extra["retry_after"])}
    return problem_response(request, exc.status_code, exc.detail, errors, headers)


def _data_error(request: Request[Any, Any, Any], exc: DataError) -> Response[Problem]:
    """A value the database refuses (e.g. a NUL character for PostgreSQL): the input's fault."""
    log.info("Valeur refusée par la base sur %s : %s", request.url.path, exc.orig)
    return problem_response(
        request, 400, "Requête invalide : une des valeurs envoyées ne peut pas être enregistrée."
    )


def _integrity_error(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[Problem]:
    """A constraint broken by a concurrent change (the domain checks the rest beforehand)."""
    log.info("Conflit d'intégrité sur %s : %s", request.url.path, exc.orig)
    return problem_response(
        request, 409, "La donnée a été modifiée en même temps par une autre requête : réessayez."
    )


_MSGSPEC_FR = [
    (re.compile(r"Object contains unknown field `([^`]*)`"), r"champ inconnu « \1 »"),
    (re.compile(r"Object missing required field `([^`]*)`"), r"champ obligatoire « \1 » manquant"),
    (re.compile(r"Expected `([^`]*)`, got `([^`]*)`"), r"type attendu \1, reçu \2"),
    (re.compile(r"JSON is malformed: (.*)"), r"JSON mal formé (\1)"),
    (re.compile(r"Input data was truncated"), r"JSON tronqué"),
    (re.compile(r"Expected `str` matching regex '[^']*'"), r"texte au format invalide"),
    (re.compile(r"Expected `str` of length <= (\d+)"), r"texte de \1 caractères au plus"),
]


def _french(message: str) -> str:
    """Translate msgspec's usual validation messages; leave anything else as it is."""
    for pattern, replacement in _MSGSPEC_FR:
        message = pattern.sub(replacement, message)
    return message


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Problem]:
    extra = exc.extra if isinstance(exc.extra, list) else None
    errors = [
        {
            "champ": e.get("key"),
            "source": e.get("source"),
            "message": _french(str(e.get("message"))),
        }
        for e in (extra or [])
        if isinstance(e, dict)
    ] or None
    detail = "Les données envoyées sont invalides"
    raw = str(exc.detail or "")
    if "decode" in raw.lower() or "malformed" in raw.lower() or "JSON" in raw:
        detail = "Le corps de la requête n'est pas un JSON valide ou ne respecte pas le schéma"
    if errors:
        detail += " : " + "; ".join(
            f"{e['champ'] or ''} {e['message'] or ''}".strip() for e in errors
        )
    return problem_response(request, 400, detail + ".", errors)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    detail = _STATUS_DETAILS.get(status) or _french(str(exc.detail or _STATUS_TITLES.get(status)))
    if status == 400 and not _is_french(detail):
        detail = f"Requête invalide : {detail}"
    if isinstance(exc, NotAuthorizedException | PermissionDeniedException | NotFoundException):
        detail = _STATUS_DETAILS[status] if not _is_french(exc.detail) else str(exc.detail)
    elif _is_french(exc.detail):
        detail = str(exc.detail)
    return problem_response(request, status, detail, headers=exc.headers)


def _is_french(text: object) -> bool:
    """Our own HTTP exceptions carry French details; Litestar's built-in ones are English."""
    return isinstance(text, str) and any(c in text for c in "éèàêçôû«")


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("Erreur non gérée sur %s", request.url.path, exc_info=exc)
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Une erreur interne est survenue ; elle a été journalisée.",
    )


def exception_handlers() -> dict[type[Exception] | int, Callable[..., Response[Any]]]:
    """Handlers to pass to `Litestar(exception_handlers=...)`."""
    return {
        AnswerError: _answer_error,
        DomainError: _domain_error,
        IntegrityError: _integrity_error,
        DataError: _data_error,
        ValidationException: _validation_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
