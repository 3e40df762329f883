"""The synthesis of an assessment for élus: what an elected official reads in two minutes.

One use case for the page, its PDF, the JSON API and the share links: the level named and
explained, the position among comparable territories as a share ("better than 63 % of
comparable communes"), three strengths and three weaknesses, the diagnostics (naming the
weaker side of an imbalance), three next steps ranked by `maturity.priorities`, the change
since the last campaign, the peer group in one sentence and the public peers to learn from in
the two lowest-scoring dimensions (`service.reports.learning`), and the « Voix » part when
voices answered (`service.voices.brief`: counts by role under the same small-group rule as
the lead's page, never an individual answer)."""

from __future__ import annotations

import re
import uuid
from typing import Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.imbalance import side_sentence, weaker_side
from maturity.model import INDEX, GapRule, Model
from maturity.priorities import rank_next_steps
from maturity.results import DimensionResult, ScoreResult
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.scores import AssessmentScore, score_assessment, territory_results
from service.assessments.workflow import SYNTHETIC_NOTICE
from service.peers.cache import Benchmark, BenchmarkCache, territory_benchmark
from service.platform.db import Sessions
from service.platform.errors import NotFoundError
from service.platform.i18n import N_, MessageId, translate
from service.reports.learning import PeersToLearn, peers_to_learn
from service.territories.directory import TerritoryRef
from service.voices.brief import VoicesBrief, synthesis_voices

__all__ = [
    "Change",
    "DimensionPoint",
    "LevelView",
    "PeerSummary",
    "Priority",
    "Synthesis",
    "Vigilance",
    "benchmark_of",
    "build_synthesis",
    "synthesis_of",
]


class LevelView(msgspec.Struct):
    """The maturity level, named and explained; ``capped_from`` is the level the index alone
    would reach when the weakest dimension holds it down."""

    level: int | None
    of: int
    label: str | None
    description: str | None
    capped_from: int | None
    capped_by: list[str]


class DimensionPoint(msgspec.Struct):
    """A dimension's score, with the peers' median when published."""

    id: str
    label: str
    score: float | None
    peer_median: float | None


class Priority(msgspec.Struct):
    """One of the three next steps, with the factors that ranked it (`maturity.priorities`)."""

    rank: int
    dimension: str
    dimension_label: str
    question: str
    question_label: str
    current: int
    next_level: int
    descriptor: str
    priority: float
    weight: float
    gap: float
    unblocks_level: bool


class Vigilance(msgspec.Struct):
    """A triggered diagnostic: its first sentence (and, for an imbalance, which side is the
    weaker) as ``summary``, and the model's whole explanation as ``message``."""

    id: str
    label: str
    summary: str
    message: str


class Change(msgspec.Struct):
    """The index against the last campaign the territory answered (signed change)."""

    previous_campaign: int
    before: float | None
    after: float | None
    change: float | None
    previous_level: int | None


class PeerSummary(msgspec.Struct):
    """The peer group in one sentence and the territory's place in it."""

    sentence: str
    n: int | None
    better_than: float | None
    """Share (0–100) of the group's other territories scoring lower on the index."""
    withheld: bool


class Synthesis(msgspec.Struct):
    """Everything the synthesis shows. ``answers_shown`` is false on a share link made without
    the answers: the next steps, which reveal answers, are then left out."""

    assessment_id: uuid.UUID
    territory: TerritoryRef
    campaign: int
    status: Literal["draft", "submitted"]
    model_version: str
    index: float | None
    level: LevelView
    peers: PeerSummary | None
    strengths: list[DimensionPoint]
    weaknesses: list[DimensionPoint]
    dimensions: list[DimensionPoint]
    diagnostics: list[Vigilance]
    priorities: list[Priority]
    change: Change | None
    answers_shown: bool
    notice: str | None
    learn_from: PeersToLearn | None = None
    """Public peers doing better in the two weakest dimensions, or why none is named."""
    voices: VoicesBrief | None = None
    """The « Voix » part: voices counted by role (groups under the model's threshold only in
    the total) and the sharpest gap; null without co-évaluation or without a voice sent."""


async def benchmark_of(
    sessions: Sessions, cache: BenchmarkCache, model: Model, score: AssessmentScore, lang: str
) -> tuple[Benchmark | None, bool]:
    """The territory's benchmark once submitted (a draft is in no statistics), and whether its
    peers are synthetic demo data."""
    if score.status != "submitted":
        return None, False
    frames = await cache.get(sessions, score.campaign, "national")
    try:
        return territory_benchmark(model, frames, score.territory.code, (), lang), frames.synthetic
    except NotFoundError:
        return None, False


def _level(model: Model, result: ScoreResult, lang: str) -> LevelView:
    found = next((lv for lv in model.levels if lv.level == result.level), None)
    uncapped = model.level_for(result.index) if result.index is not None else None
    capped = uncapped is not None and result.level is not None and uncapped.level > result.level
    lowest = min((d.level for d in result.dimensions if d.level is not None), default=None)
    return LevelView(
        level=result.level,
        of=len(model.levels),
        label=result.level_label,
        description=found.description.get(lang) if found and found.description else None,
        capped_from=uncapped.level if capped and uncapped else None,
        capped_by=[d.label for d in result.dimensions if capped and d.level == lowest],
    )


def _points(result: ScoreResult, benchmark: Benchmark | None) -> list[DimensionPoint]:
    stats = {m.id: m for m in benchmark.metrics} if benchmark else {}

    def median(d: DimensionResult) -> float | None:
        s = stats.get(d.id)
        return s.median if s is not None and s.withheld is None else None

    return [DimensionPoint(d.id, d.label, d.score, median(d)) for d in result.dimensions]


def strengths_and_weaknesses(
    points: list[DimensionPoint], count: int = 3
) -> tuple[list[DimensionPoint], list[DimensionPoint]]:
    """The `count` strongest and weakest dimensions: against the peers' median when every
    dimension has one, else by score; ties in model order."""
    scored = [p for p in points if p.score is not None]
    against_peers = bool(scored) and all(p.peer_median is not None for p in scored)

    def standing(p: DimensionPoint) -> float:
        assert p.score is not None
        return p.score - (p.peer_median or 0.0) if against_peers else p.score

    order = {p.id: k for k, p in enumerate(points)}
    best = sorted(scored, key=lambda p: (-standing(p), order[p.id]))[:count]
    taken = {p.id for p in best}
    worst = [
        p for p in sorted(scored, key=lambda p: (standing(p), order[p.id])) if p.id not in taken
    ]
    return best, worst[:count]


def _peers(benchmark: Benchmark | None, kind: str, lang: str) -> PeerSummary | None:
    if benchmark is None:
        return None
    group = benchmark.group
    description = translate(lang, MessageId(group.description))  # a catalogue id (peers)
    if group.withheld is not None or group.n is None:
        return PeerSummary(
            translate(
                lang,
                N_("Groupe de pairs : %(description)s ; ses statistiques ne sont pas publiées."),
                description=description,
            ),
            None,
            None,
            True,
        )
    index = next((m for m in benchmark.metrics if m.id == INDEX), None)
    sentence = translate(
        lang,
        N_("Comparée à %(n)s autres %(kind)s ayant répondu : %(description)s."),
        n=group.n,
        kind=translate(lang, _PLURAL_KIND.get(kind, N_("territoires"))),
        description=description,
    )
    return PeerSummary(sentence, group.n, index.percentile if index else None, False)


_PLURAL_KIND = {"commune": N_("communes")}
"""How the synthesis names comparable territories (any other kind: intercommunalities)."""


def comparable(kind: str) -> MessageId:
    """The catalogue id naming comparable territories of `kind` (« communes comparables »)."""
    return N_("communes comparables") if kind == "commune" else N_("territoires comparables")


def _vigilance(model: Model, result: ScoreResult, lang: str) -> list[Vigilance]:
    """The diagnostics in a few words: two A4 pages hold them all."""
    scores: dict[str, float | None] = {d.id: d.score for d in result.dimensions}
    scores |= {p.id: p.score for p in result.pillars} | {INDEX: result.index}
    rules = {d.id: d for d in model.diagnostics}
    found = []
    for d in result.diagnostics:
        rule = rules.get(d.id)
        text = rule.message.get(lang) if rule else d.message
        summary = text.split(". ")[0].rstrip(".") + "."
        side = (
            weaker_side(rule.rule, scores)
            if rule and isinstance(rule.rule, GapRule) and rule.rule.absolute
            else None
        )
        if side is not None:  # the side named replaces the "either … or …" that may follow
            summary = re.split(r"\s*:\s", summary, maxsplit=1)[0].rstrip(".") + "."
            summary = f"{summary} {side_sentence(model, side, lang)}"
        found.append(Vigilance(d.id, d.label, summary, d.message))
    return found


def _priorities(model: Model, result: ScoreResult) -> list[Priority]:
    ranked = rank_next_steps(model, result)
    return [
        Priority(
            rank=k + 1,
            dimension=r.step.dimension,
            dimension_label=r.dimension_label,
            question=r.step.question,
            question_label=r.step.question_label,
            current=r.step.current,
            next_level=r.step.next_level,
            descriptor=r.step.descriptor,
            priority=r.priority,
            weight=r.weight,
            gap=r.gap,
            unblocks_level=r.cap > 1,
        )
        for k, r in enumerate(ranked)
    ]


def build_synthesis(
    model: Model,
    score: AssessmentScore,
    compared: tuple[Benchmark | None, bool],
    change: Change | None,
    lang: str,
    *,
    answers_shown: bool = True,
    learn_from: PeersToLearn | None = None,
    voices: VoicesBrief | None = None,
) -> Synthesis:
    """The synthesis from the scores, the benchmark, the change, the peers to learn from and
    the voices' brief (no I/O)."""
    benchmark, synthetic = compared
    result = score.result
    points = _points(result, benchmark)
    strengths, weaknesses = strengths_and_weaknesses(points)
    notice = score.notice or (SYNTHETIC_NOTICE if benchmark and synthetic else None)
    return Synthesis(
        assessment_id=score.assessment_id,
        territory=score.territory,
        campaign=score.campaign,
        status=score.status,
        model_version=result.model_version,
        index=result.index,
        level=_level(model, result, lang),
        peers=_peers(benchmark, score.territory.kind, lang),
        strengths=strengths,
        weaknesses=weaknesses,
        dimensions=points,
        diagnostics=_vigilance(model, result, lang),
        priorities=_priorities(model, result) if answers_shown else [],
        change=change,
        answers_shown=answers_shown,
        notice=translate(lang, MessageId(notice)) if notice else None,
        learn_from=learn_from,
        voices=voices,
    )


async def _change(
    session: AsyncSession, principal: Principal, model: Model, score: AssessmentScore, lang: str
) -> Change | None:
    history = await territory_results(session, principal, model, score.territory.code, lang=lang)
    before = [c for c in history.campaigns if c.campaign < score.campaign]
    if not before:
        return None
    previous = max(before, key=lambda c: c.campaign)
    now = next((c for c in history.campaigns if c.campaign == score.campaign), None)
    old, new = previous.result.index, score.result.index
    if previous.result.model_version != score.result.model_version:
        trend = now.trend.index if now is not None and now.trend is not None else None
        old, new = (trend.before, trend.after) if trend else (None, None)
    delta = None if old is None or new is None else round(new - old, 1)
    return Change(previous.campaign, old, new, delta, previous.result.level)


async def synthesis_of(
    session: AsyncSession,
    sessions: Sessions,
    cache: BenchmarkCache,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    lang: str = "fr",
    *,
    answers_shown: bool = True,
) -> Synthesis:
    """The synthesis of an assessment the caller may read (404 otherwise)."""
    score = await score_assessment(session, principal, model, assessment_id, lang)
    assert principal is not None  # score_assessment refused anonymous callers
    edition = editions_for(model).get(score.result.model_version)
    compared = await benchmark_of(sessions, cache, model, score, lang)
    change = await _change(session, principal, model, score, lang)
    learn = await peers_to_learn(session, sessions, cache, edition, score, lang)
    voices = await synthesis_voices(session, principal, model, assessment_id, lang)
    return build_synthesis(
        edition,
        score,
        compared,
        change,
        lang,
        answers_shown=answers_shown,
        learn_from=learn,
        voices=voices,
    )
