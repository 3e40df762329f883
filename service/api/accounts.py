"""Accounts: who am I, users and invitations (admins), API keys. Thin translations of
`service.accounts.members` and `service.accounts.api_keys`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import PathParameter, QueryParameter

from service.accounts.api_keys import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyView,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from service.accounts.auth import Role, basic_principal, require_principal
from service.accounts.members import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationView,
    UserUpdate,
    UserView,
    accept_invitation,
    list_invitations,
    list_users,
    revoke_invitation,
    update_user,
    user_view,
)
from service.api.docs import body, responses
from service.deps import CurrentPrincipal, DbSession, Mail
from service.mail.use_cases import invite_and_send
from service.platform.db.tables import User
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page, PageParam, PerPageParam
from service.platform.text import CODE_PATTERN

__all__ = ["AccountController", "ApiKeyController", "InvitationController", "UserController"]

USER_ID = "5f1c2a9e-8a9b-4a43-9d4e-0c1b2a3d4e5f"
USER = {
    "id": USER_ID,
    "email": "cheffe.projet@biarritz.fr",
    "name": "Cheffe de projet",
    "role": "member",
    "territory_code": "64122",
    "active": True,
    "has_password": True,
    "synthetic": False,
    "created_at": "2026-01-10T10:00:00Z",
}
KEY = {
    "id": "9a7d0c52-3e4b-4f1a-8c7d-6e5f4a3b2c1d",
    "name": "Intégration SIG",
    "prefix": "tc_Xy3kP9q",
    "role": "member",
    "user_id": USER_ID,
    "user_email": "cheffe.projet@biarritz.fr",
    "territory_code": "64122",
    "created_at": "2026-03-01T08:00:00Z",
    "expires_at": "2027-03-01T00:00:00Z",
    "revoked_at": None,
    "last_used_at": None,
    "active": True,
}
INVITATION = {
    "id": "3c2b1a09-8f7e-4d6c-9b5a-4a3b2c1d0e9f",
    "user": USER | {"has_password": False},
    "status": "pending",
    "created_at": "2026-01-10T10:00:00Z",
    "expires_at": "2026-01-24T10:00:00Z",
    "accepted_at": None,
}
Id = Annotated[uuid.UUID, PathParameter(description="Identifiant")]


def _page(item: Any) -> dict[str, Any]:
    return {"items": [item], "page": 1, "per_page": 20, "total": 1, "pages": 1}


class AccountController(Controller):
    """The caller's own account."""

    path = "/api/v1/me"
    tags = ("Comptes",)

    @get("/", summary="Mon compte", responses=responses(UserView, USER, errors=(401,)))
    async def me(self, db_session: DbSession, principal: CurrentPrincipal) -> UserView:
        """The authenticated caller's account."""
        caller = require_principal(principal)
        user = await db_session.get(User, caller.user_id)
        if user is None:  # pragma: no cover - a principal always has a user
            raise NotFoundError(N_("Compte introuvable."))
        return user_view(user)


class UserController(Controller):
    """Accounts (admins only)."""

    path = "/api/v1/users"
    tags = ("Comptes",)

    @get(
        "/",
        summary="Comptes (admin)",
        responses=responses(Page[UserView], _page(USER), errors=(401, 403)),
    )
    async def list_all(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        role: Annotated[Role | None, QueryParameter()] = None,
        territory: Annotated[str | None, QueryParameter(pattern=CODE_PATTERN)] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
    ) -> Page[UserView]:
        """Accounts by email, optionally of one role or territory."""
        return await list_users(db_session, principal, page, per_page, role, territory)

    @patch(
        "/{user_id:uuid}",
        summary="Modifier un compte (admin)",
        responses=responses(UserView, USER | {"active": False}, errors=(401, 403, 404, 409, 422)),
    )
    async def update(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        user_id: Id,
        data: Annotated[UserUpdate, body({"active": False}, "Désactiver un compte")],
    ) -> UserView:
        """Change an account's name, role, territory or active flag."""
        return await update_user(db_session, principal, user_id, data)


class InvitationController(Controller):
    """Invitations: admins invite; the invited person sets a password with the token."""

    path = "/api/v1/invitations"
    tags = ("Comptes",)

    @get(
        "/",
        summary="Invitations (admin)",
        responses=responses(Page[InvitationView], _page(INVITATION), errors=(401, 403)),
    )
    async def list_all(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
    ) -> Page[InvitationView]:
        """Invitations, newest first, with their state."""
        return await list_invitations(db_session, principal, page, per_page)

    @post(
        "/",
        summary="Inviter (admin)",
        responses=responses(
            InvitationCreated,
            {"invitation": INVITATION, "token": "inv_…", "accept_path": "/invitation/inv_…"},
            status=201,
            errors=(401, 403, 409, 422),
        ),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        postman: Mail,
        data: Annotated[
            InvitationCreate,
            body(
                {"email": "cheffe.projet@biarritz.fr", "role": "member", "territory_code": "64122"},
                "Inviter un membre",
            ),
        ],
    ) -> InvitationCreated:
        """Invite someone: the token (shown once) lets them choose a password; the invitation
        e-mail is queued (see the admins' e-mail log)."""
        base = str(request.base_url)
        return await invite_and_send(db_session, principal, postman, data, base)

    @post(
        "/accept",
        summary="Accepter une invitation",
        responses=responses(UserView, USER, status=201, errors=(400, 404, 422)),
    )
    async def accept(
        self,
        db_session: DbSession,
        data: Annotated[
            InvitationAccept,
            body({"token": "inv_…", "password": "une phrase de passe assez longue"}),
        ],
    ) -> UserView:
        """Choose a password with an invitation token (no other credentials needed)."""
        return await accept_invitation(db_session, data)

    @delete(
        "/{invitation_id:uuid}",
        summary="Révoquer une invitation (admin)",
        status_code=200,
        responses=responses(
            InvitationView, INVITATION | {"status": "revoked"}, errors=(401, 403, 404, 409)
        ),
    )
    async def revoke(
        self, db_session: DbSession, principal: CurrentPrincipal, invitation_id: Id
    ) -> InvitationView:
        """Revoke a pending invitation."""
        return await revoke_invitation(db_session, principal, invitation_id)


class ApiKeyController(Controller):
    """API keys: sent as ``Authorization: Bearer <clé>``."""

    path = "/api/v1/api-keys"
    tags = ("Comptes",)

    @get(
        "/", summary="Clés d'API", responses=responses(Page[ApiKeyView], _page(KEY), errors=(401,))
    )
    async def list_all(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        user_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
    ) -> Page[ApiKeyView]:
        """One's own keys (admins: everyone's, or one user's)."""
        return await list_api_keys(db_session, principal, page, per_page, user_id)

    @post(
        "/",
        summary="Créer une clé d'API",
        security=[{"cle": []}, {"identifiants": []}],  # a key, or e-mail and password
        responses=responses(
            ApiKeyCreated,
            {"key": KEY, "secret": "tc_…"},
            status=201,
            errors=(401, 403, 404, 422, 429),
        ),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        data: Annotated[
            ApiKeyCreate, body({"name": "Intégration SIG", "expires_at": "2027-03-01T00:00:00Z"})
        ],
    ) -> ApiKeyCreated:
        """Create a key, authenticated by a key or, to get a first one, by email and password
        (``curl -u email:mot-de-passe``). The secret is in the response only: keep it."""
        caller = principal or await basic_principal(request, db_session)
        return await create_api_key(db_session, caller, data)

    @delete(
        "/{key_id:uuid}",
        summary="Révoquer une clé d'API",
        status_code=200,
        responses=responses(ApiKeyView, KEY | {"active": False}, errors=(401, 404)),
    )
    async def revoke(
        self, db_session: DbSession, principal: CurrentPrincipal, key_id: Id
    ) -> ApiKeyView:
        """Revoke a key (one's own; admins: any). It stops working at once."""
        return await revoke_api_key(db_session, principal, key_id)
