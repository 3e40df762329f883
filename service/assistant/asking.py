"""What a question to the assistant must be, whatever the interface (API, page, CLI): its
limits, the errors that break them, and the conversation it belongs to."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

import msgspec

from service.accounts.auth import Principal
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_

__all__ = [
    "MAX_CONVERSATION_ID",
    "MAX_QUESTION",
    "AskRequest",
    "checked_question",
    "conversation_key",
    "conversation_owner",
    "issue_conversation",
    "verified_conversation",
]

MAX_QUESTION: Final = 2000
"""Characters of a question at most (after its spaces are collapsed)."""
MAX_CONVERSATION_ID: Final = 64


class AskRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A question, and the conversation it continues (omit it to start one)."""

    question: str
    conversation_id: str | None = None


def checked_question(text: str) -> str:
    """The question with its spaces collapsed; `InvalidInputError` when it is empty or longer
    than `MAX_QUESTION` characters."""
    question = " ".join(text.split())
    if not question:
        raise InvalidInputError(N_("La question est vide."))
    if len(question) > MAX_QUESTION:
        raise InvalidInputError(N_("La question dépasse %(max)s caractères."), max=MAX_QUESTION)
    return question


def conversation_owner(principal: Principal | None) -> str:
    """Whose conversations these are: an account, or every anonymous caller alike (whose
    conversations are then kept apart by their unguessable ids alone)."""
    return str(principal.user_id) if principal is not None else "anonyme"


def _signature(secret: str, owner: str, token: str) -> str:
    digest = hmac.new(secret.encode(), f"{owner}:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def issue_conversation(secret: str, owner: str) -> str:
    """A new conversation id: 128 random bits, signed for `owner` with the service's key, so
    that no caller can choose an id, guess another's, or continue another account's."""
    token = secrets.token_urlsafe(16)
    return f"{token}.{_signature(secret, owner, token)}"


def verified_conversation(given: str | None, secret: str, owner: str) -> str | None:
    """`given` when the service issued it to `owner`, else None (start a new one)."""
    if not given or len(given) > MAX_CONVERSATION_ID or given.count(".") != 1:
        return None
    token, signature = given.split(".")
    expected = _signature(secret, owner, token)
    return given if hmac.compare_digest(signature, expected) else None


def conversation_key(principal: Principal | None, conversation: str) -> str:
    """Conversations are kept per caller: another account cannot continue someone's."""
    return f"{conversation_owner(principal)}:{conversation}"
