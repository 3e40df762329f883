"""Peers to learn from, as the synthesis names them: in the territory's two weakest dimensions,
the territories with a public profile that do better there (`service.peers.comparison`'s
`choose_peers` with the automatic group, the results page's own use case), each with what the
élus need to place it (kind, population, score), or the sentence saying why nobody is named."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from maturity.territories import KIND_LABELS
from service.assessments.scores import AssessmentScore
from service.peers.cache import BenchmarkCache
from service.peers.comparison import DRAFT, PublicPeer, choose_peers
from service.platform.db import Sessions
from service.platform.i18n import translate

__all__ = ["LearnIn", "PeerToLearn", "PeersToLearn", "peers_to_learn"]


class PeerToLearn(msgspec.Struct):
    """A public territory doing better in a dimension; its page is ``/territoires/{code}``."""

    code: str
    name: str
    kind: str
    population: int | None
    score: float | None
    in_group: bool


class LearnIn(msgspec.Struct):
    """One of the two weakest dimensions and who does better there (``reason`` when nobody)."""

    dimension: str
    label: str
    own: float | None
    peers: list[PeerToLearn]
    reason: str | None


class PeersToLearn(msgspec.Struct):
    """The dimensions and their peers, or why none can be looked for (``reason``)."""

    dimensions: list[LearnIn]
    reason: str | None


def _peer(p: PublicPeer, lang: str) -> PeerToLearn:
    kind = KIND_LABELS.get(p.kind, {}).get(lang, p.kind)
    return PeerToLearn(p.code, p.name, kind, p.population, p.value, p.in_group)


async def peers_to_learn(
    session: AsyncSession,
    sessions: Sessions,
    cache: BenchmarkCache,
    model: Model,
    score: AssessmentScore,
    lang: str,
) -> PeersToLearn:
    """Whom the territory of `score` can learn from in its two weakest dimensions."""
    if score.status != "submitted":
        return PeersToLearn([], translate(lang, DRAFT))
    choice = await choose_peers(
        session, sessions, cache, model, score.territory.code, score.campaign, "auto", (), lang
    )
    if choice.reason is not None:
        return PeersToLearn([], translate(lang, choice.reason))
    labels = {d.id: d.label for d in score.result.dimensions}
    return PeersToLearn(
        [
            LearnIn(
                lf.dimension,
                labels.get(lf.dimension, lf.dimension),
                lf.own,
                [_peer(p, lang) for p in lf.peers],
                translate(lang, lf.reason) if lf.reason else None,
            )
            for lf in choice.learning
        ],
        None,
    )
