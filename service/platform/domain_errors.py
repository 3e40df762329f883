"""The service's own errors: what domain code raises, with a catalogue message id (the French
text, marked with ``N_``), its named parameters, the offending fields and the HTTP status each
maps to.

Apart from `service.platform.errors`, which renders them as problem-details responses, because
domain code raises these everywhere and needs nothing of Litestar; `service.platform.errors`
re-exports them, and that is where callers import them from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import msgspec

from service.platform.i18n import SOURCE_LANG, MessageId, translate

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "DomainError",
    "FieldError",
    "InvalidInputError",
    "MalformedRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "TooManyRequestsError",
    "UnsupportedMediaTypeError",
]


class FieldError(msgspec.Struct, frozen=True):
    """A message about one field of the input (a form field, a JSON member)."""

    field: str
    message: MessageId
    params: dict[str, Any] = msgspec.field(default_factory=dict)

    def render(self, lang: str) -> dict[str, str]:
        """The entry of a problem's ``errors`` list, in `lang`."""
        return {"champ": self.field, "message": translate(lang, self.message, **self.params)}


class DomainError(Exception):
    """Base of the service's own errors: a message id with its parameters, and the HTTP status
    it maps to. ``errors`` lists the offending fields; ``retry_after`` (seconds) is sent as
    ``Retry-After``."""

    status_code: ClassVar[int] = 400

    def __init__(
        self,
        message: MessageId,
        /,
        *,
        errors: Sequence[FieldError] = (),
        retry_after: int | None = None,
        **params: Any,
    ) -> None:
        self.message = message
        self.params = params
        self.errors = list(errors)
        self.retry_after = retry_after
        super().__init__(self.detail)

    def translate(self, lang: str) -> str:
        """The message in `lang`."""
        return translate(lang, self.message, **self.params)

    @property
    def detail(self) -> str:
        """The message in French (the source language), for logs and the command line."""
        return self.translate(SOURCE_LANG)

    def field_errors(self, lang: str) -> list[dict[str, str]]:
        """The ``errors`` list of the problem, in `lang`."""
        return [error.render(lang) for error in self.errors]


class NotFoundError(DomainError):
    """The resource does not exist, or the caller may not know that it does."""

    status_code = 404


class ConflictError(DomainError):
    """The request contradicts the resource's current state."""

    status_code = 409


class AuthenticationError(DomainError):
    """No valid credentials: missing, unknown, revoked or expired."""

    status_code = 401


class PermissionDeniedError(DomainError):
    """Valid credentials whose role does not allow the action."""

    status_code = 403


class InvalidInputError(DomainError):
    """Well-formed input that breaks a rule of the domain (``errors`` lists the fields)."""

    status_code = 422


class TooManyRequestsError(DomainError):
    """Too many attempts: retry after ``retry_after`` seconds."""

    status_code = 429


class MalformedRequestError(DomainError):
    """A request that cannot even be read: invalid UTF-8, JSON nested too deep, a NUL."""

    status_code = 400


class UnsupportedMediaTypeError(DomainError):
    """A body sent in a media type the endpoint does not read (a form to a JSON endpoint)."""

    status_code = 415
