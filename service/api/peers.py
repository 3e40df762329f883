"""Peer comparison (parangonnage) and network aggregates: thin HTTP translations of
`service.peers.cache`."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

import polars as pl
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from maturity.model import Model
from maturity.peers import K_MIN, Scope
from service.api.docs import responses
from service.api.model import Lang
from service.deps import DbSessions, PeerCache
from service.peers.cache import (
    Benchmark,
    BenchmarkCache,
    Encoded,
    PeerReader,
    aggregate_groups,
    aggregates_table,
    data_notice,
)
from service.peers.views import AggregateRow, AggregatesView, group_stats
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_
from service.platform.text import CODE_PATTERN

__all__ = ["BenchmarkController", "provide_benchmark_cache"]

Reader = NamedDependency[PeerReader]
"""``peer_reader``: the peer comparison for the request's caller (`BenchmarkCache.reader`)."""
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
        description="Regroupement, dans une hiérarchie fixe (jamais de combinaison libre, pour "
        "qu'aucun recoupement ne révèle un territoire) : vide (national), `kind`, "
        "`population_band`, `kind,population_band` ou `region`. Tout autre regroupement est "
        "refusé (400).",
        # the schema lists the offered groupings; the handler's refusal names them in French
        schema_extra={"enum": ["", "kind", "population_band", "kind,population_band", "region"]},
    ),
]
FormatParam = Annotated[
    Literal["json", "csv", "xlsx", "parquet"],
    QueryParameter(description="Format de sortie."),
]


def provide_benchmark_cache(model: Model) -> BenchmarkCache:
    """One cache per application (made in `create_app`)."""
    return BenchmarkCache(model)


def _send(request: Request[Any, Any, Any], encoded: Encoded) -> Response[bytes]:
    """The encoded body, or a 304 when the client already holds it (``If-None-Match``)."""
    headers = {"etag": encoded.etag, "cache-control": "private, no-cache"}
    if encoded.matches(request.headers.get("if-none-match")):
        return Response(b"", status_code=304, headers=headers)
    return Response(encoded.body, media_type=MediaType.JSON, headers=headers)


class BenchmarkController(Controller):
    """Where a territory stands among its peers, and network aggregates."""

    path = "/api/v1"
    tags = ("Parangonnage",)

    @get(
        "/territories/{code:str}/benchmark",
        summary="Parangonnage d'un territoire",
        responses=responses(Benchmark, None, errors=(404,)),
    )
    async def benchmark(
        self,
        code: Code,
        request: Request[Any, Any, Any],
        peer_reader: Reader,
        campaign: CampaignParam = None,
        perimeter: ScopeParam = "national",
        peers: PeersParam = None,
        lang: Lang = None,
    ) -> Response[bytes]:
        """The territory against its peer group, metric by metric: n, mean, median, p25, p75,
        p90, percentile rank, gaps, evolution; nearest public peers and whom to learn from.
        Visible to the territory's members, to admins, or to anyone when its profile is public;
        otherwise 404. The body carries an ETag: ``If-None-Match`` gets a 304."""
        chosen = [p.strip() for p in peers.split(",") if p.strip()] if peers else []
        view = await peer_reader.benchmark(
            code, campaign, perimeter, chosen, lang or "fr", "benchmark"
        )
        return _send(request, view)

    @get(
        "/territories/{code:str}/peers",
        summary="Groupe de pairs et pairs dont s'inspirer",
        responses=responses(Benchmark, None, errors=(404,)),
    )
    async def peers(
        self,
        code: Code,
        request: Request[Any, Any, Any],
        peer_reader: Reader,
        campaign: CampaignParam = None,
        perimeter: ScopeParam = "national",
        lang: Lang = None,
    ) -> Response[bytes]:
        """The peer group used (and how it was widened), the nearest public peers and, for
        the two weakest dimensions, the public peers that score highest; no statistics."""
        view = await peer_reader.benchmark(code, campaign, perimeter, (), lang or "fr", "peers")
        return _send(request, view)

    @get(
        "/benchmarks/aggregates",
        summary="Agrégats du réseau (secret statistique)",
        responses=responses(
            AggregatesView,
            None,
            errors=(404, 422),
            alternatives={
                "text/csv": {"type": "string"},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "type": "string",
                    "format": "binary",
                },
                "application/vnd.apache.parquet": {"type": "string", "format": "binary"},
            },
        ),
    )
    async def aggregates(
        self,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        campaign: CampaignParam = None,
        group_by: GroupByParam = "kind,population_band",
        format: FormatParam = "json",
    ) -> Response[AggregatesView] | Response[bytes]:
        """Statistics per cell (type, population band, région) for analysts and the public,
        under statistical disclosure control (README): a cell is published only with at
        least 5 territories without a public profile, quantiles from 20; cells that would
        reveal a score or a participation once crossed with every other publication are
        masked too, and a masked cell states neither statistics nor count.
        ``format=csv|xlsx|parquet`` downloads the same table."""
        names = aggregate_groups(group_by)
        frames = await benchmarks.latest(db_sessions, campaign, "national")
        table = aggregates_table(frames, names)
        if format != "json":
            return _download(table, frames.campaign, format)
        rows = [
            AggregateRow(
                metric=r["metric"],
                kind=r.get("kind"),
                population_band=r.get("population_band"),
                region=r.get("region"),
                **group_stats(r),
            )
            for r in table.iter_rows(named=True)
        ]
        view = AggregatesView(frames.campaign, names, K_MIN, rows, data_notice(frames.synthetic))
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
            raise InvalidInputError(
                N_("Format inconnu : %(format)s (json, csv, xlsx, parquet)."), format=format
            )
    return Response(
        buffer.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="agregats-{year}.{format}"'},
    )
