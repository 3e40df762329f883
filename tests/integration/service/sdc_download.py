"""The attacker's first half: download every public output of the peer comparison, as an
outsider and as members would see them, and turn each into an observation over the finest
cells (kind × population band × région) the outputs can separate.

Nothing here reads the database: only HTTP answers, and the widening rules of the default
peer groups, which the README documents."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import polars as pl
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from maturity.territories import KIND_FAMILIES, KIND_LABELS, POPULATION_BANDS

Client = TestClient[Litestar]
Atom = tuple[str, str | None, str | None]
"""A finest cell: (kind, population band, région)."""
QUANTILES = ("p25", "median", "p75", "p90")
BANDS = [b.id for b in POPULATION_BANDS]
FIELDS = ("kind", "population_band", "region")
GROUPINGS = ["", *(",".join(c) for r in (1, 2, 3) for c in combinations(FIELDS, r))]
"""Every grouping the attacker asks for: the allowed ones answer, the others are refused."""


@dataclass
class Observation:
    """What one output says about one metric over a union of finest cells."""

    source: str
    campaign: int
    metric: str
    atoms: frozenset[Atom]
    n: int | None = None
    mean: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)
    withheld: str | None = None
    roundings: int = 1
    """How many rounded figures the values were derived from (two for a difference)."""
    count_only: bool = False
    """A count without statistics (campaign list, home page total, a group's size)."""


@dataclass
class Widening:
    """A default group's widening step as a benchmark shows it: the group of step `step`
    holds at least 5 submitted territories besides this one, each narrower step fewer."""

    campaign: int
    scope: str
    me: Atom
    step: int
    took_part: bool
    """Whether the territory itself submitted (known to whoever sees its benchmark)."""


@dataclass
class Published:
    """Everything downloaded, and what the public territory list says."""

    atoms: dict[Atom, int]
    """Each finest cell's number of reference territories."""
    where: dict[str, Atom]
    """The finest cell of each public territory."""
    public: dict[int, dict[str, dict[str, float]]]
    """campaign → public territory → metric → its published score."""
    observations: list[Observation] = field(default_factory=list)
    widenings: list[tuple[str, Widening]] = field(default_factory=list)
    """(source, widening) of every benchmark downloaded."""
    refused: list[str] = field(default_factory=list)
    """The requests answered with an error (groupings not offered)."""

    def of(self, *sources: str) -> list[Observation]:
        """The observations whose source starts with one of `sources`."""
        return [o for o in self.observations if o.source.startswith(sources)]

    def widened(self, *sources: str) -> list[Widening]:
        """The widenings seen by the outputs whose source starts with one of `sources`."""
        return [w for source, w in self.widenings if source.startswith(sources)]


def _atoms_of(
    atoms: Iterable[Atom],
    kinds: set[str],
    bands: Collection[str | None] | None,
    region: str | None,
) -> frozenset[Atom]:
    return frozenset(
        a
        for a in atoms
        if a[0] in kinds and (bands is None or a[1] in bands) and (region is None or a[2] == region)
    )


def group_atoms(atoms: Iterable[Atom], me: Atom, step: int) -> frozenset[Atom]:
    """The finest cells of a default peer group, from its widening step (README)."""
    kind, band, region = me
    family = {k for k, f in KIND_FAMILIES.items() if f == KIND_FAMILIES[kind]}
    pos = BANDS.index(band) if band in BANDS else None
    window = (
        {BANDS[p] for p in (pos - 1, pos, pos + 1) if 0 <= p < len(BANDS)}
        if pos is not None
        else {band}
    )
    match step:
        case 0:
            return _atoms_of(atoms, {kind}, {band}, region)
        case 1:
            return _atoms_of(atoms, {kind}, {band}, None)
        case 2:
            return _atoms_of(atoms, {kind}, window, None)
        case 3:
            return _atoms_of(atoms, family, window, None)
        case 4:
            return _atoms_of(atoms, family, None, None)
        case _:
            return frozenset(atoms)


REGIONS = ("01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75",
           "76", "84", "93", "94")  # fmt: skip
"""The INSEE codes of the régions (public knowledge)."""


def territory_cells(client: Client) -> dict[Atom, int]:
    """How many reference territories each finest cell holds, from the public territory
    list filtered by kind, band and région (its ``total``)."""
    cells: dict[Atom, int] = {}
    for kind in KIND_FAMILIES:
        for band in BANDS:
            for region in REGIONS:
                params: dict[str, str | int] = {
                    "kind": kind,
                    "band": band,
                    "region": region,
                    "per_page": 1,
                }
                total = client.get("/api/v1/territories/", params=params).json()["total"]
                if total:
                    cells[(kind, band, region)] = total
    return cells


def _public_scores(client: Client) -> tuple[list[str], dict[int, dict[str, dict[str, float]]]]:
    codes: list[str] = []
    page = 1
    while True:
        body = client.get("/api/v1/profiles/", params={"per_page": 100, "page": page}).json()
        codes += [p["territory"]["code"] for p in body["items"]]
        if page >= body["pages"]:
            break
        page += 1
    scores: dict[int, dict[str, dict[str, float]]] = {}
    for code in codes:
        body = client.get(f"/api/v1/territories/{code}/results").json()
        for c in body["campaigns"]:
            if c["status"] != "submitted":
                continue
            r = c["result"]
            values = {"index": r["index"]} | {f"pillar:{p['id']}": p["score"] for p in r["pillars"]}
            values |= {d["id"]: d["score"] for d in r["dimensions"]}
            scores.setdefault(c["campaign"], {})[code] = {
                k: v for k, v in values.items() if v is not None
            }
    return codes, scores


def _xlsx_table(content: bytes) -> pl.DataFrame:
    """The first sheet of an xlsx file (strings and numbers), without a spreadsheet library."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows: list[list[Any]] = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        values: dict[int, Any] = {}
        for c in row.iter(f"{{{ns['m']}}}c"):
            ref = re.match(r"[A-Z]+", c.get("r", "A"))
            col = 0
            for ch in ref.group(0) if ref else "A":
                col = col * 26 + ord(ch) - 64
            v = c.find("m:v", ns)
            inline = c.find("m:is/m:t", ns)
            if c.get("t") == "s" and v is not None:
                values[col - 1] = shared[int(v.text or 0)]
            elif inline is not None:
                values[col - 1] = inline.text
            elif v is not None:
                values[col - 1] = v.text if c.get("t") == "str" else float(v.text or "nan")
        rows.append([values.get(i) for i in range(max(values, default=-1) + 1)])
    header, body = rows[0], rows[1:]
    return pl.DataFrame(
        {h: [r[i] if i < len(r) else None for r in body] for i, h in enumerate(header)},
        strict=False,
    )


def _rows_of(table: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if v != v else v) if isinstance(v, float) else v for k, v in r.items()}
        for r in table.iter_rows(named=True)
    ]


def _aggregate_observations(
    client: Client, published: Published, campaign: int, atoms: list[Atom]
) -> None:
    """Every grouping in every format: each row a cell."""
    for grouping in GROUPINGS:
        for fmt in ("json", "csv", "parquet", "xlsx"):
            params: dict[str, str | int] = {
                "campaign": campaign,
                "group_by": grouping,
                "format": fmt,
            }
            response = client.get("/api/v1/benchmarks/aggregates", params=params)
            if response.status_code != 200:
                published.refused.append(f"{grouping or 'national'} {fmt}: {response.status_code}")
                continue
            if fmt == "json":
                rows = response.json()["rows"]
            elif fmt == "csv":
                csv = io.BytesIO(response.content)
                overrides = {"region": pl.String}
                rows = _rows_of(
                    pl.read_csv(csv, infer_schema_length=None, schema_overrides=overrides)
                )
            elif fmt == "parquet":
                rows = _rows_of(pl.read_parquet(io.BytesIO(response.content)))
            else:
                rows = _rows_of(_xlsx_table(response.content))
            for r in rows:
                kinds = {r["kind"]} if r.get("kind") is not None else set(KIND_FAMILIES)
                bands = {r["population_band"]} if r.get("population_band") is not None else None
                region = str(r["region"]) if r.get("region") is not None else None
                cell = _atoms_of(atoms, kinds, bands, region)
                source = f"aggregates {grouping or 'national'} {fmt}"
                _add(published, source, campaign, r["metric"], cell, r)


def _add(
    published: Published,
    source: str,
    campaign: int,
    metric: str,
    atoms: frozenset[Atom],
    r: dict[str, Any],
    roundings: int = 1,
) -> None:
    n = r.get("n")
    published.observations.append(
        Observation(
            source,
            campaign,
            metric,
            atoms,
            n=int(n) if n is not None else None,
            mean=r.get("mean"),
            quantiles={q: float(r[q]) for q in QUANTILES if r.get(q) is not None},
            withheld=r.get("withheld"),
            roundings=roundings,
        )
    )


def _number(text: str) -> float | None:
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _home(client: Client, published: Published, atoms: list[Atom]) -> None:
    """The home page's national figures: the index by kind, and the total."""
    soup = BeautifulSoup(client.get("/", headers={"Accept-Language": "fr"}).text, "html.parser")
    heading = next((h for h in soup.find_all("h2") if "Le réseau en chiffres" in h.text), None)
    if heading is None:
        return
    campaign = int(re.findall(r"\d{4}", heading.text)[0])
    lead = next(
        (p for p in heading.find_all_next("p") if "territoires ayant soumis" in p.text), None
    )
    if lead is not None:
        total = _number(re.findall(r"de ([\d\s\u202f\xa0]+) territoires", lead.text)[0])
        published.observations.append(
            Observation(
                "home total",
                campaign,
                "index",
                frozenset(atoms),
                n=int(total or 0),
                count_only=True,
            )
        )
    labels = {v["fr"]: k for k, v in KIND_LABELS.items()}
    table = heading.find_next("table")
    body = table.find("tbody") if table is not None else None
    for tr in body.find_all("tr") if body is not None else []:
        header = tr.find("th")
        kind = labels.get(header.text.strip()) if header is not None else None
        cells = [_number(td.text) for td in tr.find_all("td")]
        if kind is None or len(cells) < 5:
            continue
        r = dict(zip(["p25", "median", "p75", "p90", "n"], cells, strict=False))
        _add(published, "home by kind", campaign, "index", _atoms_of(atoms, {kind}, None, None), r)


def _benchmark(
    client: Client,
    published: Published,
    source: str,
    code: str,
    me: Atom,
    campaign: int,
    scope: str,
    headers: dict[str, str],
    atoms: list[Atom],
    took_part: bool,
) -> None:
    """One territory's benchmark: its group's statistics (never its own figures, which only
    its members know), what its gaps and change give away, and how its group was widened."""
    params: dict[str, str | int] = {"campaign": campaign, "scope": scope}
    response = client.get(f"/api/v1/territories/{code}/benchmark", params=params, headers=headers)
    if response.status_code != 200:
        return
    body = response.json()
    step = body["group"]["step"]
    if step is None:
        return  # nothing said about the group
    published.widenings.append((source, Widening(campaign, scope, me, step, took_part)))
    members = group_atoms(atoms, me, step)
    for m in body["metrics"]:
        r = dict(m)
        # whoever sees the benchmark knows the territory's own score: gaps give quantiles away
        for gap, q in (("gap_median", "median"), ("gap_p75", "p75")):
            if r.get(q) is None and r.get(gap) is not None and m.get("own") is not None:
                r[q] = m["own"] - r[gap]
        _add(published, f"{source} {scope}", campaign, m["id"], members, r, roundings=2)
        if m.get("group_change") is not None and m.get("mean") is not None:
            # the change gives the group's mean of the campaign before (two roundings)
            before = {"mean": m["mean"] - m["group_change"]}
            source_before = f"{source} {scope} change"
            _add(published, source_before, campaign - 1, m["id"], members, before, roundings=2)


def download(
    client: Client,
    cells: dict[Atom, int],
    campaigns: list[int],
    admin: dict[str, str],
    members: dict[int, list[tuple[str, Atom, bool]]],
) -> Published:
    """Everything public, then every default group as the members of `members` (campaign →
    representative territories, one per group, and whether each submitted) see it; `cells`
    is `territory_cells`."""
    atoms = sorted(cells, key=lambda a: tuple(x or "" for x in a))
    codes, scores = _public_scores(client)
    where = {}
    for code in codes:
        t = client.get(f"/api/v1/territories/{code}").json()
        where[code] = (t["kind"], t["population_band"], t["region"]["code"])
    published = Published(cells, where, scores)
    for c in client.get("/api/v1/campaigns/").json()["items"]:
        if c["year"] in campaigns:
            published.observations.append(
                Observation(
                    "campaigns",
                    c["year"],
                    "index",
                    frozenset(atoms),
                    n=c["submitted"],
                    count_only=True,
                )
            )
    _home(client, published, atoms)
    for campaign in campaigns:
        _aggregate_observations(client, published, campaign, atoms)
        for code in codes:
            for scope in ("national", "region"):
                me, took_part = where[code], code in scores.get(campaign, {})
                _benchmark(
                    client, published, "public", code, me, campaign, scope, {}, atoms, took_part
                )
                others = [c for c in codes if c != code]
                custom = client.get(
                    f"/api/v1/territories/{code}/benchmark",
                    params={"campaign": campaign, "peers": ",".join(others)},
                )
                # a custom list holds public profiles only: known values, nothing to learn
                group = custom.json()["group"]
                assert group["kind"] == "custom" and set(group["ignored"]) <= set(others)
        for code, me, took_part in members.get(campaign, []):
            for scope in ("national", "region"):
                _benchmark(
                    client, published, "member", code, me, campaign, scope, admin, atoms, took_part
                )
    return published
