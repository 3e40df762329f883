"""Synthetic demonstration data (``territoires demo-data``), deterministic for a given seed.

Real territories, made-up answers: a few thousand communes and EPCI answer the 2025 campaign
(closed) and the 2026 one (open). Each territory has a latent maturity that grows with its
size, dimension offsets drawn from the literature's picture (technology ahead of evaluation,
seasonal territories stronger on fitting their population), and most make some progress
between campaigns, a fifth of them clearly. Every row is flagged ``synthetic`` and the API
shows a notice wherever it serves them. Also three demo accounts (README)."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import utcnow
from service.accounts.members import create_user
from service.platform.db.tables import (
    ApiKey,
    Assessment,
    Campaign,
    Invitation,
    Meta,
    Revision,
    Territory,
    User,
)
from service.territories.directory import territories_frame

__all__ = ["DEMO_ACCOUNTS", "DEMO_TERRITORY", "DemoReport", "load_demo_data", "remove_demo_data"]

META_KEY: Final = "demo_data"
DEMO_TERRITORY: Final = "64122"
"""Biarritz: the demo member's territory. It answered 2025 and has not started 2026 yet."""
DEMO_ACCOUNTS: Final = (
    ("admin.demo@territoires-connectes.example", "demo-admin-2026", "admin", None),
    ("biarritz.demo@territoires-connectes.example", "demo-biarritz-2026", "member", "64122"),
    ("analyste.demo@territoires-connectes.example", "demo-analyste-2026", "analyst", None),
)
"""(email, password, role, territory) of the demo accounts, also given in the README."""
ALWAYS: Final = ("49007", "68224", "244900015", "200066009")
"""The reference article's cases (Angers, Mulhouse and their EPCI): always in, and public."""
CAMPAIGNS: Final = ((2025, "closed"), (2026, "open"))
NOTE: Final = "Données synthétiques (territoires demo-data)"
OFFSETS: Final = {
    "strategy": 0.1,
    "use_cases": 0.0,
    "foundations": -0.1,
    "evaluation": -0.45,
    "proactive_governance": 0.15,
    "organisation": -0.15,
    "partnerships": -0.25,
    "open_governance": -0.05,
}


class DemoReport(msgspec.Struct):
    """What `load_demo_data` did."""

    skipped: bool
    assessments: dict[int, int]
    submitted: dict[int, int]
    revisions: int
    public_profiles: int
    accounts: list[str]


def _participation(kind: str, population: int) -> float:
    """Probability of taking part in 2025, by kind and size."""
    if kind == "commune":
        return 0.85 if population >= 20_000 else 0.35 if population >= 3_500 else 0.03
    return 0.4 if kind == "cc" else 0.8


class _Profile:
    """One territory's latent maturity per dimension (0–4 scale) and per-question quirks."""

    def __init__(self, rng: random.Random, model: Model, row: dict[str, Any]) -> None:
        size = min(1.0, max(0.0, (math.log10(max(row["population"] or 50, 50)) - 2.5) / 3.5))
        base = 0.5 + 2.2 * size + rng.gauss(0, 0.55) + (0.15 if row["kind"] != "commune" else 0)
        seasonal = (row["second_home_pct"] or 0) >= 25
        extra = {"foundations": 0.35 * size, "partnerships": 0.3 * size}
        extra["open_governance"] = 0.3 if seasonal else 0.0
        self.size = size
        self.theta = {
            d.id: base + OFFSETS.get(d.id, 0) + extra.get(d.id, 0) + rng.gauss(0, 0.35)
            for d in model.dimensions
        }
        self.quirk = {q.id: rng.gauss(0, 0.55) for _, q in model.iter_questions()}

    def progress(self, rng: random.Random) -> None:
        """Move on one campaign: a little for most, clearly on two dimensions for a fifth."""
        step = rng.gauss(0.15, 0.15)
        boosted = set(rng.sample(sorted(self.theta), 2)) if rng.random() < 0.2 else set()
        for dim in self.theta:
            self.theta[dim] += step + (rng.uniform(0.5, 1.0) if dim in boosted else 0)
        self.quirk = {q: 0.7 * v + rng.gauss(0, 0.3) for q, v in self.quirk.items()}

    def answers(self, rng: random.Random, model: Model) -> dict[str, int | str]:
        """A full answer set drawn from the profile."""
        unknown = 0.02 + 0.06 * (1 - self.size)
        out: dict[str, int | str] = {}
        for dim, question in model.iter_questions():
            draw = rng.random()
            if question.allows_na and draw < 0.1:
                out[question.id] = "na"
            elif draw > 1 - unknown:
                out[question.id] = "unknown"
            else:
                latent = (self.theta[dim.id] + self.quirk[question.id]) / 4 * question.top
                out[question.id] = min(question.top, max(0, round(latent)))
        return out

    def targets(self, rng: random.Random, model: Model) -> dict[str, int]:
        """Target levels for two or three dimensions, one level above the current one."""
        top = len(model.levels)
        if not top or rng.random() < 0.5:
            return {}
        chosen = rng.sample(sorted(self.theta), rng.choice((2, 3)))
        return {d: min(top, max(1, int(self.theta[d] * 25 // 20) + 2)) for d in chosen}


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _moment(rng: random.Random, year: int, day: int) -> datetime:
    start = datetime(year, 1, 15, 8, tzinfo=UTC)
    return start + timedelta(days=day, minutes=rng.randrange(10 * 60))


def _rows(
    rng: random.Random, model: Model, territories: list[dict[str, Any]], taken: set[tuple[str, int]]
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(assessment row, its revision rows) for every synthetic assessment, 2025 then 2026."""
    first = {
        t["code"]
        for t in territories
        if t["code"] in ALWAYS
        or t["code"] == DEMO_TERRITORY
        or rng.random() < _participation(t["kind"], t["population"] or 0)
    }
    newcomers = {
        t["code"]
        for t in territories
        if t["code"] not in first
        and rng.random() < 0.15 * _participation(t["kind"], t["population"] or 0)
    }
    back = {
        c for c in sorted(first) if c in ALWAYS or (c != DEMO_TERRITORY and rng.random() >= 0.15)
    }
    by_code = {t["code"]: t for t in territories}
    profiles = {code: _Profile(rng, model, by_code[code]) for code in sorted(first | newcomers)}
    for year, participants in ((2025, first), (2026, back | newcomers)):
        for code in sorted(participants):
            if year == 2026 and code in first:
                profiles[code].progress(rng)
            if (code, year) not in taken:
                yield _assessment(rng, model, code, year, profiles[code])


def _assessment(
    rng: random.Random, model: Model, code: str, year: int, profile: _Profile
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created = _moment(rng, year, rng.randrange(60))
    saved = created + timedelta(days=rng.randrange(1, 40))
    submitted = saved + timedelta(days=rng.randrange(1, 30))
    draft_only = year == 2026 and code not in ALWAYS and rng.random() < 0.1
    snapshot = {
        "answers": profile.answers(rng, model),
        "comments": {},
        "evidence": {},
        "targets": profile.targets(rng, model),
    }
    assessment_id = _uuid(rng)
    common = {
        "assessment_id": assessment_id,
        "author_id": None,
        "author_email": None,
        "api_key_id": None,
        "model_version": model.version,
        "note": NOTE,
    }
    revisions = [common | snapshot | {"number": 1, "kind": "draft", "created_at": saved}]
    if not draft_only:
        revisions.append(
            common | snapshot | {"number": 2, "kind": "submission", "created_at": submitted}
        )
    row = {
        "id": assessment_id,
        "territory_code": code,
        "campaign_year": year,
        "status": "draft" if draft_only else "submitted",
        "model_version": model.version,
        "revision": len(revisions),
        "submitted_revision": None if draft_only else 2,
        "created_at": created,
        "created_by": None,
        "updated_at": revisions[-1]["created_at"],
        "submitted_at": None if draft_only else submitted,
        "synthetic": True,
    }
    return row, revisions


async def _ensure_campaigns(session: AsyncSession) -> None:
    open_year = (
        await session.execute(select(Campaign.year).where(Campaign.status == "open"))
    ).scalar()
    for year, status in CAMPAIGNS:
        if await session.get(Campaign, year) is None:
            opened = status == "open" and open_year in (None, year)
            session.add(
                Campaign(
                    year=year,
                    status="open" if opened else "closed",
                    created_at=datetime(year, 1, 5, 8, tzinfo=UTC),
                    closed_at=None if opened else datetime(year, 7, 1, 18, tzinfo=UTC),
                )
            )
    await session.flush()


async def load_demo_data(
    session: AsyncSession, model: Model, seed: int = 2026, *, reset: bool = False
) -> DemoReport:
    """Create the demo population and accounts; skipped when already there (unless `reset`)."""
    if reset:
        await remove_demo_data(session, accounts=False)
    elif await session.get(Meta, META_KEY) is not None:
        return DemoReport(True, {}, {}, 0, 0, [])
    rng = random.Random(seed)
    await _ensure_campaigns(session)
    frame = await territories_frame(session)
    if frame.is_empty():
        raise RuntimeError(
            "Aucun territoire en base : lancez d'abord « territoires db load-territories »."
        )
    territories = frame.sort("code").to_dicts()
    existing = await session.execute(select(Assessment.territory_code, Assessment.campaign_year))
    taken = {(code, year) for code, year in existing.all()}
    assessments: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    for row, revs in _rows(rng, model, territories, taken):
        assessments.append(row)
        revisions.extend(revs)
    connection = await session.connection()  # Core inserts: no ORM bookkeeping for bulk rows
    for table, rows in ((Assessment.__table__, assessments), (Revision.__table__, revisions)):
        for start in range(0, len(rows), 5_000):
            await connection.execute(insert(table), rows[start : start + 5_000])
    public = sorted(
        {r["territory_code"] for r in assessments if r["territory_code"] in ALWAYS}
        | {
            r["territory_code"]
            for r in assessments
            if r["status"] == "submitted" and r["territory_code"] != DEMO_TERRITORY
            if rng.random() < 0.01
        }
    )
    await session.execute(
        update(Territory).where(Territory.code.in_(public)).values(public_profile=True)
    )
    accounts = []
    for email, password, role, territory in DEMO_ACCOUNTS:
        if (await session.execute(select(User.id).where(User.email == email))).first() is None:
            await create_user(
                session,
                email,
                role,  # type: ignore[arg-type]
                password=password,
                name=f"Compte de démonstration ({role})",
                territory_code=territory,
                synthetic=True,
            )
            accounts.append(email)
    info = {"seed": seed, "public_profiles": public, "loaded_at": utcnow().isoformat()}
    session.add(Meta(key=META_KEY, value=msgspec.json.encode(info).decode()))
    await session.flush()
    by_year = {year: 0 for year, _ in CAMPAIGNS}
    submitted = dict(by_year)
    for row in assessments:
        by_year[row["campaign_year"]] += 1
        submitted[row["campaign_year"]] += row["status"] == "submitted"
    return DemoReport(False, by_year, submitted, len(revisions), len(public), accounts)


async def remove_demo_data(session: AsyncSession, *, accounts: bool = True) -> None:
    """Delete every synthetic assessment and revision, the demo opt-ins and (with
    `accounts`) the demo accounts with their keys and invitations."""
    meta = await session.get(Meta, META_KEY)
    if meta is not None:
        public = msgspec.json.decode(meta.value).get("public_profiles", [])
        await session.execute(
            update(Territory).where(Territory.code.in_(public)).values(public_profile=False)
        )
        await session.delete(meta)
    synthetic = select(Assessment.id).where(Assessment.synthetic)
    await session.execute(delete(Revision).where(Revision.assessment_id.in_(synthetic)))
    await session.execute(delete(Assessment).where(Assessment.synthetic))
    if accounts:
        await _remove_demo_accounts(session)
    await session.flush()


async def _remove_demo_accounts(session: AsyncSession) -> None:
    users = select(User.id).where(User.synthetic)
    await session.execute(
        update(Assessment).where(Assessment.created_by.in_(users)).values(created_by=None)
    )
    await session.execute(
        update(Revision).where(Revision.author_id.in_(users)).values(author_id=None)
    )
    await session.execute(delete(ApiKey).where(ApiKey.user_id.in_(users)))
    await session.execute(delete(Invitation).where(Invitation.user_id.in_(users)))
    await session.execute(
        update(Invitation).where(Invitation.created_by.in_(users)).values(created_by=None)
    )
    await session.execute(delete(User).where(User.synthetic))
