"""One map from domain errors to RFC 9457 problem-details responses, in the caller's language.

Domain code raises its own exceptions (`service.platform.domain_errors`, re-exported here) with
a catalogue message id (the French text, marked with ``N_``) and named parameters; only this
module turns them into HTTP responses, and it renders the texts at the edge: in the page's
language for a page, else ``?lang=``, then ``Accept-Language``, then the service default
(French) for the API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, IntegrityError

from maturity.scoring import AnswerError
from service.platform.domain_errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    FieldError,
    InvalidInputError,
    MalformedRequestError,
    NotFoundError,
    PermissionDeniedError,
    TooManyRequestsError,
    UnsupportedMediaTypeError,
)
from service.platform.i18n import (
    N_,
    SOURCE_LANG,
    Lang,
    MessageId,
    accept_language,
    as_lang,
    translate,
)
from service.platform.validation_messages import validation_message

__all__ = [
    "PAGE_LANG",
    "AuthenticationError",
    "ConflictError",
    "DomainError",
    "FieldError",
    "InvalidInputError",
    "MalformedRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "TooManyRequestsError",
    "UnsupportedMediaTypeError",
    "exception_handlers",
    "problem_lang",
    "problem_response",
    "validation_message",
]

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
PAGE_LANG: Final = "page_lang"
"""Key of ``request.state`` where the pages put their language before an error is rendered."""


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every 4xx/5xx body."""

    title: str
    status: int
    detail: str
    type: str = "about:blank"
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


_STATUS_TITLES: Final[dict[int, MessageId]] = {
    400: N_("Requête invalide"),
    401: N_("Authentification requise"),
    403: N_("Accès refusé"),
    404: N_("Introuvable"),
    405: N_("Méthode non permise"),
    409: N_("Conflit"),
    413: N_("Requête trop volumineuse"),
    415: N_("Type de contenu non pris en charge"),
    422: N_("Données invalides"),
    429: N_("Trop de requêtes"),
    500: N_("Erreur interne"),
    503: N_("Service indisponible"),
}
_OTHER_TITLE: Final = N_("Erreur")

_STATUS_DETAILS: Final[dict[int, MessageId]] = {
    401: N_("Identifiez-vous (clé d'API « Authorization: Bearer … » ou session)."),
    403: N_("Vous n'avez pas les droits nécessaires pour cette action."),
    404: N_("La ressource demandée n'existe pas."),
    405: N_("Cette méthode HTTP n'est pas acceptée à cette adresse."),
    413: N_("Le corps de la requête dépasse la taille permise."),
    429: N_("Trop de requêtes : réessayez dans un moment."),
}


def problem_lang(request: Request[Any, Any, Any]) -> Lang:
    """The language of a problem's texts: the page's when a page shows it, else ``?lang=``,
    then ``Accept-Language``, then the service's default language (French unless set)."""
    settings = request.app.state.get("settings")
    return (
        as_lang(request.state.get(PAGE_LANG))
        or as_lang(request.query_params.get("lang"))
        or accept_language(request.headers.get("accept-language"))
        or as_lang(getattr(settings, "default_lang", None))
        or SOURCE_LANG
    )


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """A problem-details response for `status` (its title in the request's language)."""
    body = Problem(
        title=translate(problem_lang(request), _STATUS_TITLES.get(status, _OTHER_TITLE)),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    headers = {**(headers or {}), "Content-Language": problem_lang(request)}
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _answer_error(request: Request[Any, Any, Any], exc: AnswerError) -> Response[Problem]:
    errors = [{"question": p.question, "message": p.message} for p in exc.problems]
    return problem_response(request, 422, str(exc), errors)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    lang = problem_lang(request)
    headers = {"WWW-Authenticate": 'Bearer realm="territoires"'} if exc.status_code == 401 else {}
    if exc.retry_after is not None:
        headers = {"Retry-After": str(exc.retry_after)}
    return problem_response(
        request, exc.status_code, exc.translate(lang), exc.field_errors(lang) or None, headers
    )


def _data_error(request: Request[Any, Any, Any], exc: DataError) -> Response[Problem]:
    """A value the database refuses (e.g. a NUL character for PostgreSQL): the input's fault."""
    log.info("Valeur refusée par la base sur %s : %s", request.url.path, exc.orig)
    message = N_("Requête invalide : une des valeurs envoyées ne peut pas être enregistrée.")
    return problem_response(request, 400, translate(problem_lang(request), message))


def _integrity_error(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[Problem]:
    """A constraint broken by a concurrent change (the domain checks the rest beforehand)."""
    log.info("Conflit d'intégrité sur %s : %s", request.url.path, exc.orig)
    message = N_("La donnée a été modifiée en même temps par une autre requête : réessayez.")
    return problem_response(request, 409, translate(problem_lang(request), message))


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Problem]:
    lang = problem_lang(request)
    extra = exc.extra if isinstance(exc.extra, list) else None
    errors = [
        {
            "champ": e.get("key"),
            "source": e.get("source"),
            "message": validation_message(str(e.get("message")), lang),
        }
        for e in (extra or [])
        if isinstance(e, dict)
    ] or None
    raw = str(exc.detail or "")
    malformed = "decode" in raw.lower() or "malformed" in raw.lower() or "JSON" in raw
    if errors:
        listed = "; ".join(f"{e['champ'] or ''} {e['message'] or ''}".strip() for e in errors)
        message = (
            N_(
                "Le corps de la requête n'est pas un JSON valide ou ne respecte pas le schéma : "
                "%(errors)s."
            )
            if malformed
            else N_("Les données envoyées sont invalides : %(errors)s.")
        )
        detail = translate(lang, message, errors=listed)
    else:
        message = (
            N_("Le corps de la requête n'est pas un JSON valide ou ne respecte pas le schéma.")
            if malformed
            else N_("Les données envoyées sont invalides.")
        )
        detail = translate(lang, message)
    return problem_response(request, 400, detail, errors)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    """Litestar's own refusals (unknown route, wrong method, body too large, CSRF…): the
    status says it all, so the detail is ours, in the caller's language."""
    lang = problem_lang(request)
    status = exc.status_code
    raw = str(exc.detail or "")
    if status == 500 and raw == "client disconnected prematurely":
        # the client left in the middle of its body: its fault, and nobody reads the answer
        log.info("Requête interrompue par le client sur %s", request.url.path)
        message = N_("La requête a été interrompue avant la fin de son envoi.")
        return problem_response(request, 400, translate(lang, message))
    if status in _STATUS_DETAILS:
        detail = translate(lang, _STATUS_DETAILS[status])
    elif status == 400:
        detail = translate(lang, N_("Requête invalide : %(detail)s"), detail=raw)
    else:
        title = translate(lang, _STATUS_TITLES.get(status, _OTHER_TITLE))
        known = raw in ("", _reason(status))  # nothing more than the status's own name
        detail = (
            title
            if known
            else translate(lang, N_("%(title)s : %(detail)s"), title=title, detail=raw)
        )
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        # the rate limiter says when its window resets; clients are told in the standard header
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    return problem_response(request, status, validation_message(detail, lang), headers=headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("Erreur non gérée sur %s", request.url.path, exc_info=exc)
    message = N_("Une erreur interne est survenue ; elle a été journalisée.")
    return problem_response(
        request, HTTP_500_INTERNAL_SERVER_ERROR, translate(problem_lang(request), message)
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
