"""Reference territories in the database: idempotent loading, search, lookup, public profiles.

Domain functions shared by the API and the pages; `territories_frame` hands the benchmarking
engine a polars frame."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import msgspec
import polars as pl
from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maturity.territories import (
    KIND_LABELS,
    Kind,
    band_by_id,
    fold,
    population_band,
    population_band_expr,
)
from service.accounts.auth import Principal, require_principal
from service.platform.db.tables import Meta, Territory
from service.platform.errors import NotFoundError, PermissionDeniedError
from service.platform.i18n import N_, MessageId
from service.platform.pagination import AnySelect, Page, paginate
from service.territories.reference import REFERENCE_FILE, file_digest, read_reference

__all__ = [
    "Area",
    "LoadReport",
    "TerritoryRef",
    "TerritoryView",
    "get_territory",
    "load_territories",
    "owned_territory",
    "search_territories",
    "set_public_profile",
    "territories_frame",
    "territory_match",
    "territory_names",
]

DIGEST_KEY: Final = "territories_file_sha256"
_CODE: Final = re.compile(r"[0-9A-Z]{1,9}")
_BATCH: Final = 2_000
_REFERENCE_COLUMNS: Final = (
    "name",
    "search_name",
    "kind",
    "population",
    "population_year",
    "departement_code",
    "departement_name",
    "region_code",
    "region_name",
    "epci_code",
    "second_home_pct",
)


class Area(msgspec.Struct):
    """A département or a région."""

    code: str
    name: str


class TerritoryRef(msgspec.Struct):
    """A territory in a few words."""

    code: str
    name: str
    kind: str


class TerritoryView(msgspec.Struct):
    """A reference territory with its population band (DESIGN §4)."""

    code: str
    name: str
    kind: str
    kind_label: str
    population: int | None
    population_year: int | None
    population_band: str | None
    population_band_label: str | None
    departement: Area | None
    region: Area | None
    epci: TerritoryRef | None
    second_home_pct: float | None
    public_profile: bool


class LoadReport(msgspec.Struct):
    """What `load_territories` did."""

    rows: int
    skipped: bool
    digest: str


def _area(code: str | None, name: str | None) -> Area | None:
    return Area(code, name or "") if code else None


def territory_view(
    territory: Territory, epci: TerritoryRef | None = None, lang: str = "fr"
) -> TerritoryView:
    """The API view of a territory row."""
    band = population_band(territory.population)
    return TerritoryView(
        code=territory.code,
        name=territory.name,
        kind=territory.kind,
        kind_label=KIND_LABELS.get(territory.kind, {}).get(lang, territory.kind),
        population=territory.population,
        population_year=territory.population_year,
        population_band=band.id if band else None,
        population_band_label=band.label(lang) if band else None,
        departement=_area(territory.departement_code, territory.departement_name),
        region=_area(territory.region_code, territory.region_name),
        epci=epci,
        second_home_pct=territory.second_home_pct,
        public_profile=territory.public_profile,
    )


async def load_territories(
    session: AsyncSession, path: Path = REFERENCE_FILE, *, force: bool = False
) -> LoadReport:
    """Insert or update every territory of the reference file; skipped when already loaded.

    Public-profile opt-ins are kept; territories absent from the file are left in place
    (assessments may refer to them)."""
    digest = file_digest(path)
    loaded = await session.get(Meta, DIGEST_KEY)
    if loaded is not None and loaded.value == digest and not force:
        return LoadReport(rows=0, skipped=True, digest=digest)
    frame = read_reference(path)
    rows = frame.select("code", *_REFERENCE_COLUMNS).to_dicts()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Territory)
    statement = statement.on_conflict_do_update(
        index_elements=[Territory.code],
        set_={column: statement.excluded[column] for column in _REFERENCE_COLUMNS},
    )
    for start in range(0, len(rows), _BATCH):
        batch = [row | {"public_profile": False} for row in rows[start : start + _BATCH]]
        await session.execute(statement, batch)
    if loaded is None:
        session.add(Meta(key=DIGEST_KEY, value=digest))
    else:
        loaded.value = digest
    await session.flush()
    return LoadReport(rows=len(rows), skipped=False, digest=digest)


def _with_epci() -> AnySelect:
    epci = aliased(Territory)
    return select(Territory, epci.code, epci.name, epci.kind).outerjoin(
        epci, epci.code == Territory.epci_code
    )


def _from_row(row: Any, lang: str = "fr") -> TerritoryView:
    territory, epci_code, epci_name, epci_kind = row
    epci = TerritoryRef(epci_code, epci_name, epci_kind) if epci_code else None
    return territory_view(territory, epci, lang)


def territory_match(q: str) -> ColumnElement[bool] | None:
    """The territories whose name holds every word of `q` (accents, case and punctuation
    folded: ``saint-etienne`` finds Saint-Étienne) or whose code starts with `q`; None for an
    empty `q`. A condition on `Territory`, for any query that joins it."""
    folded = fold(q)
    if not folded:
        return None
    match = and_(*(Territory.search_name.contains(w, autoescape=True) for w in folded.split()))
    code = q.strip().upper()
    return or_(match, Territory.code.startswith(code)) if _CODE.fullmatch(code) else match


async def territory_names(session: AsyncSession, codes: Iterable[str | None]) -> dict[str, str]:
    """The names of the territories of `codes` (unknown and None codes left out), by code."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Territory.code, Territory.name).where(Territory.code.in_(sorted(wanted)))
    )
    return {code: name for code, name in rows}


async def search_territories(
    session: AsyncSession,
    q: str | None = None,
    kind: Kind | None = None,
    region: str | None = None,
    departement: str | None = None,
    band: str | None = None,
    page: int = 1,
    per_page: int = 20,
    lang: str = "fr",
) -> Page[TerritoryView]:
    """Territories whose name holds every word of `q` (accents and case ignored), or whose
    code starts with `q`; exact names first, then names starting with `q`, then by population."""
    statement = _with_epci()
    folded = fold(q or "")
    match = territory_match(q or "")
    if match is not None:
        statement = statement.where(match)
    if kind:
        statement = statement.where(Territory.kind == kind)
    if region:
        statement = statement.where(Territory.region_code == region)
    if departement:
        statement = statement.where(Territory.departement_code == departement.upper())
    if band:
        limits = band_by_id(band)
        statement = statement.where(Territory.population >= limits.min)
        if limits.max is not None:
            statement = statement.where(Territory.population < limits.max)
    rank = case(
        (Territory.search_name == folded, 0),
        (Territory.search_name.startswith(folded, autoescape=True), 1),
        else_=2,
    )
    statement = statement.order_by(rank, Territory.population.desc().nulls_last(), Territory.code)
    return await paginate(
        session, statement, page, per_page, lambda row: _from_row(row, lang), scalars=False
    )


async def get_territory(session: AsyncSession, code: str, lang: str = "fr") -> TerritoryView:
    """One territory by its code (INSEE for communes, SIREN for EPCI); 404 when unknown."""
    row = (await session.execute(_with_epci().where(Territory.code == code.upper()))).first()
    if row is None:
        raise NotFoundError(
            N_("Territoire inconnu « %(code)s » (code INSEE ou SIREN attendu)."), code=code
        )
    return _from_row(row, lang)


async def owned_territory(
    session: AsyncSession, principal: Principal | None, code: str, refusal: MessageId
) -> Territory:
    """The territory `code` when the caller is one of its members or an admin (404 for an
    unknown code, `refusal` for anyone else)."""
    caller = require_principal(principal)
    territory = await session.get(Territory, code)
    if territory is None:
        raise NotFoundError(N_("Territoire inconnu « %(code)s »."), code=code)
    if not caller.owns(code):
        raise PermissionDeniedError(refusal)
    return territory


async def set_public_profile(
    session: AsyncSession, principal: Principal | None, code: str, public: bool
) -> TerritoryView:
    """Opt a territory in to (or out of) a public profile: its members or an admin."""
    territory = await owned_territory(
        session,
        principal,
        code,
        N_("Seuls les membres du territoire (ou un administrateur) choisissent son profil public."),
    )
    territory.public_profile = public
    await session.flush()
    return await get_territory(session, code)


async def territories_frame(session: AsyncSession) -> pl.DataFrame:
    """All territories as a frame: code, kind, population, population_band, region_code,
    departement_code, second_home_pct, public_profile."""
    result = await session.execute(
        select(
            Territory.code,
            Territory.name,
            Territory.kind,
            Territory.population,
            Territory.region_code,
            Territory.departement_code,
            Territory.second_home_pct,
            Territory.public_profile,
        )
    )
    frame = pl.DataFrame(
        result.all(),
        schema={
            "code": pl.String,
            "name": pl.String,
            "kind": pl.String,
            "population": pl.Int64,
            "region_code": pl.String,
            "departement_code": pl.String,
            "second_home_pct": pl.Float64,
            "public_profile": pl.Boolean,
        },
        orient="row",
    )
    return frame.with_columns(population_band=population_band_expr(pl.col("population")))
