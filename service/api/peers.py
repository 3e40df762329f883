"""Peer benchmarking and network aggregates: thin HTTP translations of `service.peers.cache`
and `maturity.aggregates`."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

import msgspec
import polars as pl
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from maturity.aggregates import GROUP_BY, aggregates
from maturity.benchmark import K_MIN, Scope
from maturity.model import Model
from service.accounts.auth import Principal
from service.api.docs import responses
from service.api.model import Lang
from service.assessments.workflow import notice
from service.deps import CurrentPrincipal
from service.peers.cache import (
    Benchmark,
    BenchmarkCache,
    CampaignFrames,
    Encoded,
    Sessions,
    encoded_benchmark,
)
from service.platform.errors import InvalidInputError, NotFoundError
from service.platform.text import CODE_PATTERN

__all__ = ["AggregatesView", "BenchmarkController", "provide_benchmark_cache"]

Benchmarks = NamedDependency[BenchmarkCache]
Code = Annotated[
    str, PathParameter(pattern=CODE_PATTERN, description="Code INSEE (commune) ou SIREN (EPCI).")
]
CampaignParam = Annotated[
    int | None,
    QueryParameter(ge=2000, le=2100, description="Année de campagne (défaut : la plus récente)."),
]
ScopeParam = Annotated[
    Scope,
    QueryParameter(
        name="scope",
        description="`national` (défaut) ou `region` : commencer par la même région.",
    ),
]
PeersParam = Annotated[
    str | None,
    QueryParameter(
        description="Liste de pairs choisie : codes séparés par des virgules (profils publics "
        f"uniquement, au moins {K_MIN})."
    ),
]
GroupByParam = Annotated[
    str,
    QueryParameter(
        description="Regroupement : une partie de `kind,population_band,region` (vide : tout).",
    ),
]
FormatParam = Annotated[
    Literal["json", "csv", "xlsx", "parquet"],
    QueryParameter(description="Format de sortie."),
]

_GROUP_NAMES = {"kind": "kind", "population_band": "band", "region": "region"}


def provide_benchmark_cache(model: Model) -> BenchmarkCache:
    """One cache per application (made in `create_app`)."""
    return BenchmarkCache(model)


def _sessions(request: Request[Any, Any, Any]) -> Sessions:
    """The app's session factory: the cache opens a session only when it must."""
    maker: Sessions = request.app.state["db_sessionmaker"]
    return maker


async def _campaign(sessions: Sessions, cache: BenchmarkCache, year: int | None) -> int:
    """`year`, checked to exist, or the most recent campaign."""
    years = await cache.campaign_years(sessions)
    if year is not None and year not in years:
        raise NotFoundError(f"Campagne {year} introuvable.")
    if not years:
        raise NotFoundError("Aucune campagne n'existe encore.")
    return year if year is not None else years[0]


def _visible(frames: CampaignFrames, code: str, principal: Principal | None) -> None:
    """A territory's own results are shown to its members, to admins, or when it is public;
    anyone else gets the same 404 as for an unknown code (no leak of existence)."""
    if code not in frames.names:
        raise NotFoundError(f"Territoire « {code} » introuvable.")
    if principal is not None and principal.owns(code):
        return
    if code not in frames.public_codes:
        raise NotFoundError(f"Territoire « {code} » introuvable.")


async def _visible_frames(
    request: Request[Any, Any, Any],
    sessions: Sessions,
    campaign: int | None,
    scope: Scope,
    code: str,
    principal: Principal | None,
) -> CampaignFrames:
    """The campaign's frames, once the caller is known to be allowed to see `code`."""
    benchmarks: BenchmarkCache = request.app.state["benchmark_cache"]
    year = await _campaign(sessions, benchmarks, campaign)
    frames = await benchmarks.get(sessions, year, scope)
    _visible(frames, code, principal)
    return frames


def _send(request: Request[Any, Any, Any], encoded: Encoded) -> Response[bytes]:
    """The encoded body, or a 304 when the client already holds it (``If-None-Match``)."""
    headers = {"etag": encoded.etag, "cache-control": "private, no-cache"}
    if encoded.matches(request.headers.get("if-none-match")):
        return Response(b"", status_code=304, headers=headers)
    return Response(encoded.body, media_type=MediaType.JSON, headers=headers)


class AggregateRow(msgspec.Struct):
    """One cell of the network aggregates (statistics null below the minimum size)."""

    metric: str
    n: int
    mean: float | None
    median: float | None
    p25: float | None
    p75: float | None
    p90: float | None
    withheld: str | None
    kind: str | None = None
    population_band: str | None = None
    region: str | None = None


class AggregatesView(msgspec.Struct):
    """Network-wide aggregates of one campaign, k-anonymous."""

    campaign: int
    group_by: list[str]
    k_min: int
    rows: list[AggregateRow]
    notice: str | None


class BenchmarkController(Controller):
    """Where a territory stands among its peers, and network aggregates."""

    path = "/api/v1"
    tags = ("Parangonnage",)

    @get(
        "/territories/{code:str}/benchmark",
        summary="Parangonnage d'un territoire",
        responses=responses(Benchmark, None, errors=(400, 404)),
    )
    async def benchmark(
        self,
        code: Code,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        campaign: CampaignParam = None,
        perimeter: ScopeParam = "national",
        peers: PeersParam = None,
        lang: Lang = None,
    ) -> Response[bytes]:
        """The territory against its peer group, metric by metric: n, mean, median, p25, p75,
        p90, percentile rank, gaps, evolution; nearest public peers and whom to learn from.
        Visible to the territory's members, to admins, or to anyone when its profile is public;
        otherwise 404. The body carries an ETag: ``If-None-Match`` gets a 304."""
        sessions = _sessions(request)
        frames = await _visible_frames(request, sessions, campaign, perimeter, code, principal)
        chosen = [p.strip() for p in peers.split(",") if p.strip()] if peers else []
        model: Model = request.app.state["model"]
        return _send(request, encoded_benchmark(model, frames, code, chosen, lang or "fr"))

    @get(
        "/territories/{code:str}/peers",
        summary="Groupe de pairs et pairs dont s'inspirer",
        responses=responses(Benchmark, None, errors=(400, 404)),
    )
    async def peers(
        self,
        code: Code,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        campaign: CampaignParam = None,
        perimeter: ScopeParam = "national",
        lang: Lang = None,
    ) -> Response[bytes]:
        """The peer group used (and how it was widened), the nearest public peers and, for
        the two weakest dimensions, the public peers that score highest; no statistics."""
        sessions = _sessions(request)
        frames = await _visible_frames(request, sessions, campaign, perimeter, code, principal)
        model: Model = request.app.state["model"]
        return _send(request, encoded_benchmark(model, frames, code, (), lang or "fr", "peers"))

    @get(
        "/benchmarks/aggregates",
        summary="Agrégats du réseau (k-anonymes)",
        responses=responses(AggregatesView, None, errors=(400, 404)),
    )
    async def aggregates(
        self,
        request: Request[Any, Any, Any],
        benchmarks: Benchmarks,
        campaign: CampaignParam = None,
        group_by: GroupByParam = "kind,population_band",
        format: FormatParam = "json",
    ) -> Response[AggregatesView] | Response[bytes]:
        """Statistics per cell (type, population band, région) for analysts and the public:
        cells under the minimum size, and the cells that would reveal them by difference, are
        masked. ``format=csv|xlsx|parquet`` downloads the same table."""
        names = [g.strip() for g in group_by.split(",") if g.strip()]
        unknown = [g for g in names if g not in _GROUP_NAMES]
        if unknown:
            raise InvalidInputError(
                f"Regroupement inconnu : {', '.join(unknown)} "
                f"(possibles : {', '.join(_GROUP_NAMES)})."
            )
        sessions = _sessions(request)
        year = await _campaign(sessions, benchmarks, campaign)
        frames = await benchmarks.get(sessions, year, "national")
        table = aggregates(
            frames.territories.select(*("territory", *GROUP_BY)),
            frames.scores,
            [_GROUP_NAMES[g] for g in names],
        ).rename({"band": "population_band"}, strict=False)
        stats = ("mean", "median", "p25", "p75", "p90")
        table = table.with_columns(pl.col(*stats).round(2))
        if format != "json":
            return _download(table, year, format)
        rows = [msgspec.convert(r, AggregateRow) for r in table.iter_rows(named=True)]
        view = AggregatesView(year, names, K_MIN, rows, notice(frames.synthetic))
        return Response(view)


def _download(table: pl.DataFrame, year: int, format: str) -> Response[bytes]:
    """The aggregates table as a file."""
    buffer = io.BytesIO()
    match format:
        case "csv":
            table.write_csv(buffer)
            media = "text/csv; charset=utf-8"
        case "xlsx":
            table.write_excel(buffer, worksheet=f"agregats-{year}")
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "parquet":
            table.write_parquet(buffer)
            media = "application/vnd.apache.parquet"
        case _:  # pragma: no cover - the parameter's type lists the formats
            raise InvalidInputError(f"Format inconnu : {format} (json, csv, xlsx, parquet).")
    return Response(
        buffer.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="agregats-{year}.{format}"'},
    )
