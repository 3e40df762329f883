"""Synthetic demonstration data (``territoires demo-data``), deterministic for a given seed.

Real territories, made-up answers: a few thousand communes and EPCI answer the 2025 campaign
(closed) and the 2026 one, on the first edition of the model (2026.1). With a later edition in
force (2027.1 by default; ``TERRITOIRES_MODEL_FILE`` chooses another), 2026 is closed too and a
2027 campaign on that edition is open (with 2026.1 in force, 2026 is the open one):
Biarritz then answered 2025 and 2026 and has not started 2027, so its 2026 answers carry
over through the mapping and its trends compare the two editions. Each territory has a
latent maturity that grows with its size, dimension offsets drawn from the literature's
picture (technology ahead of evaluation, seasonal territories stronger on fitting their
population), and most make some progress between campaigns, a fifth of them clearly. Every
row is flagged ``synthetic`` and the API shows a notice wherever it serves them. Also three
demo accounts (README)."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import utcnow
from service.accounts.members import create_user
from service.assessments.editions import editions_for
from service.demo.practices import load_demo_practices, remove_demo_practices
from service.demo.voices import load_demo_voices, remove_demo_voices
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

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_TERRITORY",
    "DemoReport",
    "campaign_plan",
    "load_demo_data",
    "remove_demo_data",
]

META_KEY: Final = "demo_data"
DEMO_TERRITORY: Final = "64122"
"""Biarritz: the demo member's territory. It answered the closed campaigns and has not
started the open one yet."""
DEMO_ACCOUNTS: Final = (
    ("admin.demo@territoires-connectes.example", "demo-admin-2026", "admin", None),
    ("biarritz.demo@territoires-connectes.example", "demo-biarritz-2026", "member", "64122"),
    ("analyste.demo@territoires-connectes.example", "demo-analyste-2026", "analyst", None),
)
"""(email, password, role, territory) of the demo accounts, also given in the README."""
ALWAYS: Final = ("49007", "68224", "244900015", "200066009")
"""The reference article's cases (Angers, Mulhouse and their EPCI): always in, and public."""
FIRST_EDITION: Final = "2026.1"
"""The edition of the demo's first campaigns (2025, 2026)."""
MEASURED: Final = {
    "use_cases.resource_results": ("use_cases", "evaluation"),
    "use_cases.decision_support_use": ("use_cases", "evaluation"),
    "use_cases.proximity_use": ("use_cases", "evaluation"),
}
"""Questions of the 2027.1 edition on the actual use and value of deployed tools, and the
dimensions whose maturity their answers follow. The demo's assumption, not a finding: a
territory can only claim measured use and gains as far as it measures, so these answers
follow its evaluation as much as its work on uses; and small territories often have no tool
of a family (« non concerné »)."""
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
            follows = MEASURED.get(question.id, (dim.id,))
            theta = sum(self.theta[d] for d in follows) / len(follows)
            none = 0.1 + 0.3 * (1 - self.size) if question.id in MEASURED else 0.1
            if question.allows_na and draw < none:
                out[question.id] = "na"
            elif draw > 1 - unknown:
                out[question.id] = "unknown"
            else:
                latent = (theta + self.quirk[question.id]) / 4 * question.top
                out[question.id] = min(question.top, max(0, round(latent)))
        return out

    def adopt(self, rng: random.Random, model: Model) -> None:
        """Quirks for the questions of `model` (a new edition) the profile has none for."""
        for _, question in model.iter_questions():
            if question.id not in self.quirk:
                self.quirk[question.id] = rng.gauss(0, 0.55)

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


Planned = tuple[tuple[int, str, Model], ...]
"""The demo's campaigns: (year, status, edition of the model), oldest first."""


def campaign_plan(model: Model) -> Planned:
    """2025 (closed) and 2026 (open) on the first edition; with a later edition in force,
    2026 closed too and 2027 open on that edition."""
    if model.version == FIRST_EDITION:
        return ((2025, "closed", model), (2026, "open", model))
    first = editions_for(model).get(FIRST_EDITION)
    return ((2025, "closed", first), (2026, "closed", first), (2027, "open", model))


def _rows(
    rng: random.Random,
    plan: Planned,
    territories: list[dict[str, Any]],
    taken: set[tuple[str, int]],
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(assessment row, its revision rows) for every synthetic assessment, campaign after
    campaign."""
    (_, _, model), third = plan[0], plan[2] if len(plan) > 2 else None
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
    # Biarritz answers 2026 only when 2026 is a closed campaign (a third one is open)
    back = {
        c
        for c in sorted(first)
        if c in ALWAYS
        or (c == DEMO_TERRITORY and third)
        or (c != DEMO_TERRITORY and rng.random() >= 0.15)
    }
    by_code = {t["code"]: t for t in territories}
    profiles = {code: _Profile(rng, model, by_code[code]) for code in sorted(first | newcomers)}
    for (year, status, edition), participants in zip(plan, (first, back | newcomers), strict=False):
        for code in sorted(participants):
            if year != plan[0][0] and code in first:
                profiles[code].progress(rng)
            if (code, year) not in taken:
                yield _assessment(rng, edition, code, year, status, profiles[code])
    if third is None:
        return
    # the third campaign, drawn after the first two so that they stay as with two campaigns
    year, status, edition = third
    earlier = back | newcomers
    later = {
        t["code"]
        for t in territories
        if t["code"] not in first | newcomers
        and rng.random() < 0.1 * _participation(t["kind"], t["population"] or 0)
    }
    again = {
        c for c in sorted(earlier) if c in ALWAYS or (c != DEMO_TERRITORY and rng.random() >= 0.15)
    }
    profiles |= {code: _Profile(rng, model, by_code[code]) for code in sorted(later)}
    for code in sorted(again | later):
        profiles[code].adopt(rng, edition)
        if code in again:
            profiles[code].progress(rng)
        if (code, year) not in taken:
            yield _assessment(rng, edition, code, year, status, profiles[code])


def _assessment(
    rng: random.Random, model: Model, code: str, year: int, status: str, profile: _Profile
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created = _moment(rng, year, rng.randrange(60))
    saved = created + timedelta(days=rng.randrange(1, 40))
    submitted = saved + timedelta(days=rng.randrange(1, 30))
    draft_only = status == "open" and code not in ALWAYS and rng.random() < 0.1
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


async def _ensure_campaigns(session: AsyncSession, plan: Planned) -> None:
    open_year = (
        await session.execute(select(Campaign.year).where(Campaign.status == "open"))
    ).scalar()
    for year, status, edition in plan:
        if await session.get(Campaign, year) is None:
            opened = status == "open" and open_year in (None, year)
            session.add(
                Campaign(
                    year=year,
                    status="open" if opened else "closed",
                    created_at=datetime(year, 1, 5, 8, tzinfo=UTC),
                    closed_at=None if opened else datetime(year, 7, 1, 18, tzinfo=UTC),
                    model_version=edition.version,
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
    plan = campaign_plan(model)
    await _ensure_campaigns(session, plan)
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
    for row, revs in _rows(rng, plan, territories, taken):
        assessments.append(row)
        revisions.extend(revs)
    connection = await session.connection()  # Core inserts: no ORM bookkeeping for bulk rows
    for mapped, rows in ((Assessment, assessments), (Revision, revisions)):
        table = mapped.__table__
        assert isinstance(table, Table)  # declarative classes map a Table
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
                name=email.split("@")[0],  # an identifier, the same in every language
                territory_code=territory,
                synthetic=True,
            )
            accounts.append(email)
    await load_demo_voices(session, model, DEMO_TERRITORY, seed)  # co-évaluation (issue 17)
    await load_demo_practices(session, model, DEMO_TERRITORY)  # retours d'expérience
    info = {"seed": seed, "public_profiles": public, "loaded_at": utcnow().isoformat()}
    session.add(Meta(key=META_KEY, value=msgspec.json.encode(info).decode()))
    await session.flush()
    by_year = {year: 0 for year, _, _ in plan}
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
    await remove_demo_voices(session)
    await remove_demo_practices(session)
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
