"""Who calls a data tool and what it may reach: the caller's principal, the database, the model,
the peer statistics and the knowledge base, made once per call by the interface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.retrieval import KnowledgeBase
from maturity.model import Model
from service.accounts.auth import Principal, require_principal
from service.peers.cache import BenchmarkCache, PeerReader
from service.platform.db import Sessions
from service.platform.errors import PermissionDeniedError
from service.platform.i18n import N_

__all__ = ["DataContext"]


@dataclass(frozen=True, slots=True)
class DataContext:
    """What a data tool runs with: `principal` (None: anonymous, public data only) and the
    application's shared objects."""

    principal: Principal | None
    sessions: Sessions
    model: Model
    peers: BenchmarkCache
    knowledge: Callable[[], KnowledgeBase]

    @property
    def reader(self) -> PeerReader:
        """The peer comparison as this caller may read it (k ≥ 5, visibility checked)."""
        return PeerReader(self.peers, self.model, self.sessions, self.principal)

    def own_territory(self) -> str:
        """The code of the caller's own territory: 401 when anonymous, 403 for an account
        attached to none (analysts, network administrators)."""
        caller = require_principal(self.principal)
        if not caller.territory_code:
            raise PermissionDeniedError(
                N_(
                    "Ce compte n'est rattaché à aucun territoire : seuls les membres d'un "
                    "territoire ont des résultats propres."
                )
            )
        return caller.territory_code
