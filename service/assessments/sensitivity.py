"""How a campaign's results move under other weights and thresholds (`maturity.sensitivity`),
on the submitted answers recorded against the model edition at hand.

For the network's analysts and administrators (the page) and its operators (the CLI): only
campaign-wide figures (correlations, shares, counts), never a territory's value, and nothing
at all for fewer than `K_MIN` territories."""

from __future__ import annotations

import msgspec
from anyio import to_thread
from sqlalchemy import Integer, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from maturity.peer_groups import K_MIN
from maturity.scoring import answers_frame
from maturity.sensitivity import SensitivityReport, sensitivity
from service.accounts.auth import Principal, require_role
from service.assessments.editions import editions_for
from service.platform.db.tables import Assessment, Campaign, Revision
from service.platform.errors import NotFoundError
from service.platform.i18n import N_, MessageId

__all__ = [
    "SYNTHETIC_CAMPAIGN",
    "TOO_FEW",
    "CampaignSensitivity",
    "campaign_sensitivity",
    "sensitivity_campaigns",
    "sensitivity_for",
]

SYNTHETIC_CAMPAIGN = N_(
    "Cette campagne contient des données synthétiques de démonstration : les chiffres "
    "illustrent la méthode, ils ne décrivent aucun territoire réel."
)
TOO_FEW = N_(
    "Moins de %(k)s territoires ont soumis une évaluation sur cette version du modèle : "
    "l'analyse n'est pas publiée."
)


class CampaignSensitivity(msgspec.Struct):
    """The sensitivity report of one campaign, or why there is none (``withheld``).

    ``model_version`` is the edition it is scored with (the campaign's own unless another was
    asked for); ``submitted`` counts the campaign's submitted assessments recorded against it,
    ``other_editions`` those recorded against another edition, left out."""

    campaign: int
    model_version: str
    submitted: int
    other_editions: int
    synthetic: bool
    notice: MessageId | None
    withheld: MessageId | None
    report: SensitivityReport | None


async def sensitivity_campaigns(session: AsyncSession) -> list[int]:
    """Campaigns with submitted assessments, newest first."""
    rows = await session.execute(
        select(Assessment.campaign_year)
        .where(Assessment.status == "submitted")
        .group_by(Assessment.campaign_year)
        .order_by(Assessment.campaign_year.desc())
    )
    return list(rows.scalars())


async def campaign_sensitivity(
    session: AsyncSession,
    model: Model,
    campaign: int | None = None,
    *,
    edition: Model | None = None,
) -> CampaignSensitivity:
    """The report of `campaign` (default: the latest with submitted assessments), scored with
    the campaign's own edition (found through `model`, the model in force) or with `edition`
    when given (a model file to try). For trusted callers (the CLI): `sensitivity_for` checks
    the caller's role."""
    if campaign is None:
        years = await sensitivity_campaigns(session)
        if not years:
            raise NotFoundError(N_("Aucune évaluation n'a encore été soumise."))
        campaign = years[0]
    found = await session.get(Campaign, campaign)
    if found is None:
        raise NotFoundError(N_("Aucune campagne %(year)s."), year=campaign)
    model = edition or editions_for(model).get(found.model_version)
    counts = await session.execute(
        select(
            Assessment.model_version,
            func.count(),
            func.max(cast(Assessment.synthetic, Integer)),  # PostgreSQL has no max(bool)
        )
        .where(Assessment.campaign_year == campaign, Assessment.status == "submitted")
        .group_by(Assessment.model_version)
    )
    same, other, synthetic = 0, 0, False
    for version, n, fake in counts.all():
        if version == model.version:
            same, synthetic = n, bool(fake)
        else:
            other += n
    result = CampaignSensitivity(
        campaign=campaign,
        model_version=model.version,
        submitted=same,
        other_editions=other,
        synthetic=synthetic,
        notice=SYNTHETIC_CAMPAIGN if synthetic else None,
        withheld=None,
        report=None,
    )
    if same < K_MIN:
        return msgspec.structs.replace(result, withheld=TOO_FEW)
    answers = await session.execute(
        select(Assessment.territory_code, Revision.answers)
        .join(
            Revision,
            and_(
                Revision.assessment_id == Assessment.id,
                Revision.number == Assessment.submitted_revision,
            ),
        )
        .where(
            Assessment.campaign_year == campaign,
            Assessment.status == "submitted",
            Assessment.model_version == model.version,
        )
    )
    frame = answers_frame({code: given for code, given in answers.all()}, model)
    report = await to_thread.run_sync(sensitivity, model, frame)
    return msgspec.structs.replace(result, report=report)


async def sensitivity_for(
    session: AsyncSession, principal: Principal | None, model: Model, campaign: int | None = None
) -> CampaignSensitivity:
    """`campaign_sensitivity` (with the campaign's own edition) for the network's analysts and
    administrators only."""
    require_role(principal, "admin", "analyst")
    return await campaign_sensitivity(session, model, campaign)
