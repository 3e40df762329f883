"""Offline answers to data questions: the grammar's query run through the data tools, then a
small table, its source (campaign, link to the full table) and what could not be answered."""

from __future__ import annotations

import msgspec

from knowledge.assistant import Citation
from maturity.peers import K_MIN
from service.datatools import tools
from service.datatools.context import DataContext
from service.datatools.grammar import DataQuery, parse
from service.datatools.render import STATISTICS, aggregates_table, ranking_table
from service.datatools.tools import Grouping
from service.datatools.vocabulary import Vocabulary, load_vocabulary
from service.platform.errors import DomainError

__all__ = ["DataAnswer", "answer_data_question", "data_question"]


class DataAnswer(msgspec.Struct, frozen=True):
    """An answer made of figures: its text (citing ``[1]``) and that one source."""

    text: str
    source: Citation


async def data_question(ctx: DataContext, question: str) -> tuple[DataQuery, Vocabulary] | None:
    """The data question in `question` and the vocabularies it was read with, or None."""
    vocabulary = await load_vocabulary(ctx.sessions, ctx.model)
    query = parse(question, vocabulary)
    return None if query is None else (query, vocabulary)


def _group(query: DataQuery, vocabulary: Vocabulary) -> str:
    parts = [", ".join(vocabulary.kinds[k] for k in query.kinds)] if query.kinds else []
    if query.band:
        parts.append(vocabulary.bands[query.band])
    if query.region:
        parts.append(vocabulary.regions.get(query.region, query.region))
    return ", ".join(parts) or "tout le réseau"


def _closing(query: DataQuery, notice: str | None) -> str:
    lines = []
    if notice:
        lines.append(notice)
    lines += [f"Je ne peux pas répondre à tout : {c}." for c in query.cannot]
    return "\n\n".join(lines)


async def answer_data_question(
    ctx: DataContext, query: DataQuery, vocabulary: Vocabulary
) -> DataAnswer:
    """Run `query` with the caller's rights and write the answer."""
    metric = vocabulary.metrics.get(query.metric, query.metric)
    if query.ranking:
        ranked = await tools.public_profile(
            ctx, tools.ProfileArgs(rank_by=query.metric, order=query.order, campaign=query.campaign)
        )
        assert isinstance(ranked, tools.Ranking)
        what = "progression" if query.order == "progress" else "score"
        title = f"Profils publics classés par {what} en {metric} — campagne {ranked.campaign}"
        table = ranking_table(ranked, metric)
        source = "/api/v1/profiles"
        intro = (
            f"Parmi les {ranked.public_profiles} territoires qui ont choisi un profil public, "
            f"classés par {what} en {metric} (campagne {ranked.campaign}) [1] :"
        )
        if not ranked.rows:
            intro = f"Aucun profil public n'a de {what} en {metric} pour cette campagne [1]."
        text = "\n\n".join(
            p for p in (intro, table if ranked.rows else "", _closing(query, ranked.notice)) if p
        )
        return DataAnswer(text, _citation(title, table, source))
    # the aggregates come in a fixed hierarchy: type and size cross, a région stands alone
    crossed = bool(query.region and (query.kinds or query.band))
    if crossed:
        query.cannot.append(
            "les agrégats ne croisent pas la région avec le type ou la taille des territoires "
            "(une hiérarchie fixe de regroupements, pour qu'aucun recoupement ne révèle un "
            "territoire) : voici le groupe au niveau national, puis la région tous territoires "
            "confondus"
        )
    national = msgspec.structs.replace(query, region=None) if crossed else query
    tables = [await _aggregates(ctx, national)]
    if crossed:
        regional = msgspec.structs.replace(query, kinds=[], band=None)
        tables.append(await _aggregates(ctx, regional))
    if isinstance(tables[0], str):
        return DataAnswer(tables[0], _citation("Agrégats du réseau", tables[0], _AGGREGATES))
    found = tables[0]
    rows = list(found.rows)
    if len(tables) > 1 and not isinstance(tables[1], str):
        rows += tables[1].rows
    found = msgspec.structs.replace(found, rows=rows)
    table = aggregates_table(found, query.statistics)
    statistics = " et ".join(STATISTICS[s] for s in query.statistics)
    group = _group(query, vocabulary)
    since = f" et son évolution depuis {found.previous_campaign}" if found.previous_campaign else ""
    of = f"de l'{metric}" if query.metric == "index" else f"en {metric}"
    intro = f"{statistics.capitalize()} {of}{since}, {group}, campagne {found.campaign} [1] :"
    masked = [r for r in found.rows if r.withheld is not None or r.median is None]
    notes = []
    if not found.rows:
        notes.append("Aucune évaluation soumise ne correspond à ce groupe pour cette campagne.")
    elif masked:
        notes.append(
            "Une case « masquée » n'est pas diffusée (secret statistique : moins de "
            f"{K_MIN} territoires, ou une case qui permettrait d'en déduire une) : ni ses "
            "statistiques ni son effectif ne sont publiés."
        )
    if query.compare and found.previous_campaign is None:
        notes.append("Il n'y a pas de campagne précédente à laquelle comparer.")
    links = " ; ".join(t.link for t in tables if not isinstance(t, str))
    notes.append(f"Statistiques sur 0 à 100, évaluations soumises. Tableau complet : {links}")
    closing = _closing(query, found.notice)
    text = "\n\n".join(p for p in (intro, table, *notes, closing) if p)
    title = f"Agrégats du réseau — {group}, campagne {found.campaign}"
    return DataAnswer(text, _citation(title, table, found.link))


_AGGREGATES = "/api/v1/benchmarks/aggregates"


async def _aggregates(ctx: DataContext, query: DataQuery) -> tools.Aggregates | str:
    """The aggregates the query asks for (its kinds, band or région), or why there are none."""
    kinds = query.kinds
    groups: list[Grouping] = []
    if kinds:
        groups.append("kind")
    if query.band:
        groups.append("population_band")
    if query.region:
        groups.append("region")
    args = tools.AggregatesArgs(
        group_by=groups,
        campaign=query.campaign,
        metric=query.metric,
        kind=kinds[0] if len(kinds) == 1 else None,
        population_band=query.band,
        region=query.region,
        compare_previous=query.compare,
    )
    try:
        found = await tools.aggregates(ctx, args)
    except DomainError as exc:
        return f"Je ne peux pas répondre : {exc.translate('fr')}"
    if len(kinds) > 1:
        found.rows = [r for r in found.rows if r.kind in kinds]
    return found


def _citation(title: str, table: str, source: str) -> Citation:
    return Citation(number=1, text=table, title=title, source=source, kind="data")
