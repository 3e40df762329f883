"""Scores of stored assessments, through the engine: one assessment, a territory's results per
campaign, public profiles, and a campaign's submitted answers as a long frame (benchmarking).

Confidentiality (DESIGN §4): a territory's scores are shown to its members and to admins;
anyone else sees them only when the territory opted in to a public profile, and then only its
submitted scores, without next steps (they would reveal individual answers) nor comments."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any, Literal

import msgspec
import polars as pl
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.editions import Trend, compare
from maturity.model import Model
from maturity.results import ScoreResult, results_from
from maturity.scoring import AnswerValue, answers_frame
from maturity.territories import population_band
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.workflow import latest_snapshot, load_assessment, notice
from service.platform.db.tables import Assessment, Revision, Territory
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page, paginate
from service.territories.directory import TerritoryRef

__all__ = [
    "AssessmentScore",
    "CampaignResult",
    "ProfileSummary",
    "TargetGap",
    "TerritoryResults",
    "public_profiles",
    "score_assessment",
    "score_many",
    "submitted_answers",
    "submitted_answers_frame",
    "territory_results",
]


class TargetGap(msgspec.Struct):
    """A dimension's target level for the next campaign and the gap from its current level."""

    dimension: str
    target_level: int
    current_level: int | None
    gap: int | None


class AssessmentScore(msgspec.Struct):
    """The engine's result for an assessment's latest revision."""

    assessment_id: uuid.UUID
    territory: TerritoryRef
    campaign: int
    status: Literal["draft", "submitted"]
    revision: int
    synthetic: bool
    notice: str | None
    result: ScoreResult
    targets: list[TargetGap]


class CampaignResult(msgspec.Struct):
    """A territory's scores in one campaign."""

    campaign: int
    status: Literal["draft", "submitted"]
    submitted_at: datetime | None
    revision: int
    synthetic: bool
    notice: str | None
    result: ScoreResult
    trend: Trend | None = None
    """Against the campaign listed after it (the one before), when that one answered another
    edition of the model: each score's change on what the two editions have in common, with
    ``status`` saying whether it is the whole score (``full``), recomputed on the comparable
    questions only (``partial``) or not comparable (``none``). None for the same edition:
    the two results compare as they are."""


class TerritoryResults(msgspec.Struct):
    """A territory's scores per campaign; ``visibility`` says whether the caller sees them as
    one of its own (``own``, drafts included) or as its public profile (``public``)."""

    territory: TerritoryRef
    visibility: Literal["own", "public"]
    public_profile: bool
    campaigns: list[CampaignResult]


class ProfileSummary(msgspec.Struct):
    """A public profile in a list: the territory and its latest submitted index and level."""

    territory: TerritoryRef
    population_band: str | None
    campaign: int | None
    index: float | None
    level: int | None
    level_label: str | None
    synthetic: bool
    notice: str | None


def score_many(
    model: Model, answer_sets: Mapping[str, Mapping[str, AnswerValue]], lang: str = "fr"
) -> dict[str, ScoreResult]:
    """Engine results for stored answer sets, in one vectorised pass."""
    return results_from(model, answer_sets, lang) if answer_sets else {}


def _public(result: ScoreResult) -> ScoreResult:
    return msgspec.structs.replace(result, next_steps=[])


def _ref(territory: Territory) -> TerritoryRef:
    return TerritoryRef(territory.code, territory.name, territory.kind)


async def score_assessment(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    lang: str = "fr",
) -> AssessmentScore:
    """Score an assessment's latest revision (draft or submitted), with its target gaps."""
    assessment, territory = await load_assessment(session, principal, assessment_id)
    model = editions_for(model).get(assessment.model_version)  # the assessment's own edition
    snapshot = await latest_snapshot(session, assessment)
    result = score_many(model, {"_": snapshot.answers}, lang)["_"]
    levels = {d.id: d.level for d in result.dimensions}
    targets = [
        TargetGap(
            dimension=dim,
            target_level=target,
            current_level=levels.get(dim),
            gap=None if levels.get(dim) is None else target - (levels[dim] or 0),
        )
        for dim, target in snapshot.targets.items()
    ]
    return AssessmentScore(
        assessment_id=assessment.id,
        territory=_ref(territory),
        campaign=assessment.campaign_year,
        status=assessment.status,  # type: ignore[arg-type]
        revision=assessment.revision,
        synthetic=assessment.synthetic,
        notice=notice(assessment.synthetic),
        result=result,
        targets=targets,
    )


async def territory_results(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    code: str,
    campaign: int | None = None,
    lang: str = "fr",
) -> TerritoryResults:
    """A territory's scores per campaign, newest first: its members and admins see every
    assessment's latest revision; others see submitted scores of public profiles, else 404."""
    territory = await session.get(Territory, code)
    if territory is None:
        raise NotFoundError(N_("Territoire inconnu « %(code)s »."), code=code)
    own = principal is not None and principal.owns(code)
    if not own and not territory.public_profile:
        raise NotFoundError(
            N_("Aucun résultat visible pour ce territoire : ses résultats ne sont pas publics.")
        )
    number = Assessment.revision if own else Assessment.submitted_revision
    statement = (
        select(Assessment, Revision.answers)
        .join(Revision, and_(Revision.assessment_id == Assessment.id, Revision.number == number))
        .where(Assessment.territory_code == code)
        .order_by(Assessment.campaign_year.desc())
    )
    if not own:
        statement = statement.where(Assessment.status == "submitted")
    if campaign is not None:
        statement = statement.where(Assessment.campaign_year == campaign)
    rows = (await session.execute(statement)).all()
    results = _by_edition(model, [(a, answers) for a, answers in rows], lang)
    trends = _trends(model, [(a, answers) for a, answers in rows])
    if not own:
        results = {key: _public(result) for key, result in results.items()}
    return TerritoryResults(
        territory=_ref(territory),
        visibility="own" if own else "public",
        public_profile=territory.public_profile,
        campaigns=[
            CampaignResult(
                campaign=a.campaign_year,
                status=a.status,
                submitted_at=a.submitted_at,
                revision=a.revision if own else a.submitted_revision,
                synthetic=a.synthetic,
                notice=notice(a.synthetic),
                result=results[str(a.campaign_year)],
                trend=trends.get(a.campaign_year),
            )
            for a, _ in rows
        ],
    )


def _by_edition(
    model: Model, rows: Sequence[tuple[Assessment, Mapping[str, AnswerValue]]], lang: str
) -> dict[str, ScoreResult]:
    """Each campaign's answers scored with the edition of the model its assessment answers."""
    editions = editions_for(model)
    results: dict[str, ScoreResult] = {}
    for version in {a.model_version for a, _ in rows}:
        batch = {str(a.campaign_year): ans for a, ans in rows if a.model_version == version}
        results |= score_many(editions.get(version), batch, lang)
    return results


def _trends(
    model: Model, rows: Sequence[tuple[Assessment, Mapping[str, AnswerValue]]]
) -> dict[int, Trend]:
    """For each campaign (newest first) answered on another edition than the campaign before
    it, the change of its scores on what the two editions have in common."""
    editions = editions_for(model)
    trends: dict[int, Trend] = {}
    for (now, new_answers), (before, old_answers) in pairwise(rows):
        if now.model_version == before.model_version:
            continue  # same edition: the two results compare as they are
        basis = editions.basis(before.model_version, now.model_version)
        mapping = editions.mapping(before.model_version, now.model_version)
        if basis is None or mapping is None:
            continue
        trends[now.campaign_year] = compare(
            basis,
            mapping,
            (editions.get(before.model_version), old_answers),
            (editions.get(now.model_version), new_answers),
        )
    return trends


async def public_profiles(
    session: AsyncSession, model: Model, page: int = 1, per_page: int = 20, lang: str = "fr"
) -> Page[ProfileSummary]:
    """Territories with a public profile, by name, with their latest submitted index (anyone)."""
    statement = select(Territory).where(Territory.public_profile).order_by(Territory.name)
    territories = await paginate(session, statement, page, per_page, lambda t: t)
    codes = [t.code for t in territories.items]
    rows = (
        await session.execute(
            select(Assessment, Revision.answers)
            .join(
                Revision,
                and_(
                    Revision.assessment_id == Assessment.id,
                    Revision.number == Assessment.submitted_revision,
                ),
            )
            .where(Assessment.territory_code.in_(codes), Assessment.status == "submitted")
            .order_by(Assessment.campaign_year)
        )
    ).all()
    latest: dict[str, tuple[Assessment, Any]] = {a.territory_code: (a, ans) for a, ans in rows}
    results: dict[str, ScoreResult] = {}
    for version in {a.model_version for a, _ in latest.values()}:
        batch = {code: ans for code, (a, ans) in latest.items() if a.model_version == version}
        results |= score_many(editions_for(model).get(version), batch, lang)

    def summary(territory: Territory) -> ProfileSummary:
        band = population_band(territory.population)
        found = latest.get(territory.code)
        result = results.get(territory.code)
        return ProfileSummary(
            territory=_ref(territory),
            population_band=band.id if band else None,
            campaign=found[0].campaign_year if found else None,
            index=result.index if result else None,
            level=result.level if result else None,
            level_label=result.level_label if result else None,
            synthetic=bool(found and found[0].synthetic),
            notice=notice(bool(found and found[0].synthetic)),
        )

    return Page(
        items=[summary(t) for t in territories.items],
        page=territories.page,
        per_page=territories.per_page,
        total=territories.total,
        pages=territories.pages,
    )


async def submitted_answers(
    session: AsyncSession,
    campaign: int,
    territories: Sequence[str] | None = None,
    model_version: str | None = None,
) -> dict[str, dict[str, AnswerValue]]:
    """The submitted answers of every submitted assessment of `campaign`, by territory code;
    with `model_version`, only those answered on that edition of the model."""
    statement = (
        select(Assessment.territory_code, Revision.answers)
        .join(
            Revision,
            and_(
                Revision.assessment_id == Assessment.id,
                Revision.number == Assessment.submitted_revision,
            ),
        )
        .where(Assessment.campaign_year == campaign, Assessment.status == "submitted")
    )
    if territories is not None:
        statement = statement.where(Assessment.territory_code.in_(territories))
    if model_version is not None:
        statement = statement.where(Assessment.model_version == model_version)
    return {code: answers for code, answers in (await session.execute(statement)).all()}


async def submitted_answers_frame(
    session: AsyncSession, campaign: int, model: Model | None = None
) -> pl.DataFrame:
    """`submitted_answers` as the engine's long frame, the territory code as ``assessment``;
    with `model`, only the answers on its edition, question ids as its Enum (the engine then
    skips their conversion): another edition's answers would not fit its questions."""
    version = model.version if model is not None else None
    return answers_frame(await submitted_answers(session, campaign, None, version), model)
