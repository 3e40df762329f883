"""Whom a member compares the territory with, and whom it can learn from: the use case of the
results page's comparison chooser.

Every group but the automatic one is a list of public territories (same département, same
région, same kind, same population band, or codes the member typed) handed to the API's own
use case, `service.peers.cache.territory_benchmark` with custom peers (``GET
/api/v1/territories/{code}/benchmark?peers=…``): the same k ≥ 5 rule and the same wording.
"Last year's self" compares with the territory's own previous results and needs no peers.
Peers to learn from and the nearest profiles come from `maturity.neighbours`, among public
profiles only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal, get_args

import msgspec
import polars as pl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from maturity.neighbours import learn_from_public, similar_public
from maturity.territories import population_band
from service.peers.cache import Benchmark, BenchmarkCache, CampaignFrames, territory_benchmark
from service.platform.db import Sessions
from service.platform.db.tables import Territory
from service.platform.errors import NotFoundError
from service.platform.i18n import N_, MessageId

__all__ = [
    "COMPARISONS",
    "ComparisonKey",
    "Learning",
    "PeerChoice",
    "PublicPeer",
    "choose_peers",
    "comparison_key",
    "listed_codes",
]

ComparisonKey = Literal["auto", "departement", "region", "type", "taille", "liste", "annee"]
COMPARISONS: Final[tuple[ComparisonKey, ...]] = get_args(ComparisonKey)
"""The comparisons offered, as they appear in the page's address (``?comparer=…``)."""
MAX_LISTED: Final = 200
"""Codes a typed list may hold at most."""
_CODE = re.compile(r"^[0-9A-Za-z]{1,9}$")

NO_PUBLIC: Final = N_(
    "Aucun autre territoire n'a encore choisi un profil public : il n'y a personne à nommer."
)
NONE_BETTER: Final = N_(
    "Aucun territoire au profil public ne fait mieux que le vôtre dans cette dimension."
)
DRAFT: Final = N_("Les pairs dont s'inspirer apparaissent une fois l'auto-évaluation soumise.")
NOT_COMPARED: Final = N_(
    "Ce territoire ne figure pas parmi les évaluations soumises de cette campagne : il n'y a "
    "pas de pairs à chercher."
)


class PublicPeer(msgspec.Struct):
    """A territory with a public profile, as the page names it."""

    code: str
    name: str
    kind: str
    population: int | None
    value: float | None = None
    """Its score in the dimension (learn from) or its distance (nearest)."""
    in_group: bool = False


class Learning(msgspec.Struct):
    """One of the territory's weakest dimensions and the public peers doing better there."""

    dimension: str
    own: float | None
    peers: list[PublicPeer]
    reason: MessageId | None
    """Why nobody is named (None when someone is)."""


class PeerChoice(msgspec.Struct):
    """The comparison chosen and what it gives."""

    comparison: ComparisonKey
    listed: list[str]
    benchmark: Benchmark | None
    peers_asked: int
    """How many public territories the choice listed (0 for the automatic group)."""
    learning: list[Learning]
    nearest: list[PublicPeer]
    reason: MessageId | None
    """Why no peer to learn from is named at all (None when the lists below say it)."""


def comparison_key(value: str | None) -> ComparisonKey:
    """The comparison named in the address, ``auto`` when missing or unknown."""
    return next((c for c in COMPARISONS if c == value), "auto")


def listed_codes(value: str | None) -> list[str]:
    """The codes of a typed list (commas, spaces or semicolons), valid ones only, once each."""
    words = re.split(r"[\s,;]+", (value or "").strip())
    return list(dict.fromkeys(w.upper() for w in words if _CODE.match(w)))[:MAX_LISTED]


async def _public(session: AsyncSession) -> pl.DataFrame:
    """Territories with a public profile: territory, name, kind, population, departement,
    region (a few hundred rows, read on each call: opting in shows at once)."""
    rows = await session.execute(
        select(
            Territory.code,
            Territory.name,
            Territory.kind,
            Territory.population,
            Territory.departement_code,
            Territory.region_code,
        ).where(Territory.public_profile.is_(True))
    )
    return pl.DataFrame(
        rows.all(),
        schema={
            "territory": pl.String,
            "name": pl.String,
            "kind": pl.String,
            "population": pl.Int64,
            "departement": pl.String,
            "region": pl.String,
        },
        orient="row",
    )


def _peers_of(
    comparison: ComparisonKey, own: Territory, public: pl.DataFrame, listed: Sequence[str]
) -> list[str]:
    """The public territories a comparison lists (empty for ``auto`` and ``annee``)."""
    others = public.filter(pl.col("territory") != own.code)
    band = population_band(own.population)
    match comparison:
        case "departement":
            chosen = others.filter(pl.col("departement") == own.departement_code)
        case "region":
            chosen = others.filter(pl.col("region") == own.region_code)
        case "type":
            chosen = others.filter(pl.col("kind") == own.kind)
        case "taille":
            same = [band is not None and population_band(p) == band for p in others["population"]]
            chosen = others.filter(pl.Series(same, dtype=pl.Boolean))
        case "liste":
            return [c for c in listed if c != own.code]
        case _:
            return []
    return sorted(chosen["territory"].to_list())


def _people(frame: pl.DataFrame, public: pl.DataFrame, value: str) -> list[PublicPeer]:
    named = frame.join(public, on="territory", how="left")
    return [
        PublicPeer(
            row["territory"],
            row["name"] or "",
            row["kind"] or "",
            row["population"],
            None if row[value] is None else round(float(row[value]), 2),
            bool(row.get("in_group", False)),
        )
        for row in named.iter_rows(named=True)
    ]


def _group_members(
    frames: CampaignFrames, code: str, benchmark: Benchmark | None, peers: Sequence[str]
) -> Sequence[str]:
    """The comparison group's members, when the group is shown (a withheld group's members
    would tell its extent)."""
    if benchmark is None or benchmark.group.withheld is not None:
        return ()
    if peers:
        return peers
    return frames.group_of(code, frames.statistics_of(code))[0].members


async def choose_peers(
    session: AsyncSession,
    sessions: Sessions,
    cache: BenchmarkCache,
    model: Model,
    code: str,
    campaign: int,
    comparison: ComparisonKey,
    listed: Sequence[str],
    lang: str,
) -> PeerChoice:
    """`code`'s submitted results of `campaign` against the chosen comparison, its peers to
    learn from and its nearest public profiles. The caller has already been allowed to see
    the territory's results."""
    own = await session.get(Territory, code)
    if own is None:
        raise NotFoundError(N_("Territoire inconnu « %(code)s »."), code=code)
    frames = await cache.get(sessions, campaign, "national")
    public = await _public(session)
    peers = _peers_of(comparison, own, public, listed)
    # an empty list is still a list: the asker alone, whom the custom group leaves out
    asked = peers or ([code] if comparison in ("departement", "region", "type", "taille",
                                                "liste") else [])  # fmt: skip
    try:
        benchmark = territory_benchmark(model, frames, code, asked, lang)
    except NotFoundError:
        benchmark = None
    dims = [d.id for d in model.dimensions]
    group = _group_members(frames, code, benchmark, peers)
    candidates = public.select("territory", "kind", "population")
    targets, found = learn_from_public(
        frames.scores, candidates, code, own.kind, own.population, dims, group
    )
    found = found.with_columns(value=pl.col("score"))
    own_scores = dict(
        frames.scores.filter(pl.col("territory") == code).select("metric", "score").iter_rows()
    )
    learning = []
    for dimension in targets:
        named = _people(found.filter(pl.col("dimension") == dimension), public, "value")
        learning.append(
            Learning(dimension, own_scores.get(dimension), named, None if named else NONE_BETTER)
        )
    near = similar_public(frames.scores, candidates, code, own.kind, own.population, dims)
    return PeerChoice(
        comparison=comparison,
        listed=list(listed),
        benchmark=benchmark,
        peers_asked=len(peers),
        learning=learning if benchmark is not None else [],
        nearest=_people(near, public, "distance") if benchmark is not None else [],
        reason=NOT_COMPARED if benchmark is None else None if public.height > 1 else NO_PUBLIC,
    )
