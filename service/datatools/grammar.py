"""Data questions in French, offline: a small grammar over the reference vocabularies (kinds,
population bands, régions and départements, dimensions and pillars, statistics, campaigns,
« territoires publics ») that turns « Quelle est la médiane de l'indice des communautés
d'agglomération en Nouvelle-Aquitaine ? » into a call of the aggregates (or of the public
ranking), and says plainly what it cannot answer.

`parse` is pure (the vocabularies in, a `DataQuery` or None out: None when the question is not
a data question, which then goes to the literature); `service.datatools.answers` runs it."""

from __future__ import annotations

import re
from typing import Final, Literal

import msgspec

from maturity.model import INDEX
from maturity.territories import POPULATION_BANDS, fold
from service.datatools.vocabulary import Vocabulary

__all__ = ["DataQuery", "parse", "wants_data"]

Statistic = Literal["median", "mean", "p25", "p75", "p90"]

KINDS: Final[tuple[tuple[str, str], ...]] = (
    (r"communautes? d agglomeration|agglomerations?|\bca\b", "ca"),
    (r"communautes? de communes|\bcc\b", "cc"),
    (r"communautes? urbaines?|\bcu\b", "cu"),
    (r"metropoles?", "metropole"),
    (r"intercommunalites?|\bepci\b", "epci"),
    (r"\bcommunes?\b|\bvilles?\b", "commune"),
)
"""Longest first: « communautés de communes » must not count as « communes »."""
EPCI_KINDS: Final = ("cc", "ca", "cu", "metropole")
METRICS: Final[tuple[tuple[str, str], ...]] = (
    (r"politique publique centree sur les usages|pilier usages", "pillar:usages"),
    (r"gouvernance proactive et ouverte|pilier gouvernance", "pillar:gouvernance"),
    (r"gouvernance proactive", "proactive_governance"),
    (r"gouvernance ouverte|co creation", "open_governance"),
    (r"strategie|portage politique", "strategy"),
    (r"usages|valeur publique|cas d usage", "use_cases"),
    (r"socle technologique|socle|technologi", "foundations"),
    (r"co evaluation|evaluation", "evaluation"),
    (r"organisation|competences|conduite du changement", "organisation"),
    (r"partenariats?|contrats", "partnerships"),
    (r"indice|index|maturite", INDEX),
)
STATISTICS: Final[tuple[tuple[str, tuple[Statistic, ...]], ...]] = (
    (r"\bmedian(?:e)?s?\b", ("median",)),
    (r"\bmoyen(?:ne)?s?\b", ("mean",)),
    (r"(premier|1er|1e) quartile|\bp25\b", ("p25",)),
    (r"(troisieme|3e|3eme) quartile|\bp75\b", ("p75",)),
    (r"quartiles", ("p25", "p75")),
    (r"(neuvieme|9e|9eme) decile|\bp90\b", ("p90",)),
)
UNPUBLISHED: Final = r"ecart type|variance|\bminimum\b|\bmaximum\b|\bmin\b|\bmax\b|\bplus bas\b"
RANKING: Final = (
    r"progresse\w* le plus|plus progresse\w*|le mieux|meilleurs?|classement|en tete|"
    r"le plus avance\w*|les plus avance\w*"
)
PROGRESS: Final = r"progress\w*|evolu\w*|depuis l an dernier|depuis l annee derniere|par rapport a"
SITUATION: Final = r"\bou en (?:sont|est)\b|\bniveau\b|\bscores?\b|\bresultats?\b|\bstatistiques?\b"
OWN: Final = r"\b(nous|notre|nos|mon|ma|mes)\b"
PUBLIC: Final = r"territoires? publics?|profils? publics?"
NUMBER: Final = r"(\d{1,3}(?: \d{3})+|\d+(?: ?k)?)"


class DataQuery(msgspec.Struct, kw_only=True):
    """A data question as the grammar understood it."""

    metric: str = INDEX
    kinds: list[str] = msgspec.field(default_factory=list)
    band: str | None = None
    region: str | None = None
    departement: str | None = None
    statistics: list[Statistic] = msgspec.field(default_factory=list)
    campaign: int | None = None
    compare: bool = False
    ranking: bool = False
    order: Literal["score", "progress"] = "score"
    cannot: list[str] = msgspec.field(default_factory=list)
    """What was asked that the data cannot answer, said in French."""


def _number(text: str) -> int:
    text = text.replace(" ", "")
    return int(text[:-1]) * 1000 if text.endswith("k") else int(text)


def _band(text: str, query: DataQuery) -> str:
    """The population band named in `text` (removed from it), or a note when none fits."""
    bounds: tuple[int | None, int | None] | None = None
    if found := re.search(rf"(?:de|entre) {NUMBER} (?:a|et) {NUMBER}", text):
        low, high = _number(found.group(1)), _number(found.group(2))
        if not (2000 <= low <= 2100 and 2000 <= high <= 2100):  # years, not inhabitants
            bounds = (low, high)
    elif found := re.search(rf"moins de {NUMBER}", text):
        bounds = (None, _number(found.group(1)))
    elif found := re.search(rf"plus de {NUMBER}", text):
        bounds = (_number(found.group(1)), None)
    if bounds is None or found is None:
        return text
    for band in POPULATION_BANDS:
        if (bounds[0] is None and band.min == 0 and band.max == bounds[1]) or (
            bounds[0] is not None and band.min == bounds[0] and band.max == bounds[1]
        ):
            query.band = band.id
            break
    else:
        labels = ", ".join(b.label("fr") for b in POPULATION_BANDS)
        query.cannot.append(
            f"la tranche de population demandée n'est pas une des tranches du réseau ({labels})"
        )
    return text[: found.start()] + " " + text[found.end() :]


def _areas(text: str, vocabulary: Vocabulary, query: DataQuery) -> str:
    """The région (or the département, whose région is used instead) named in `text`."""
    names = {fold(name): code for code, name in vocabulary.regions.items()}
    names |= {"paca": "93", "idf": "11"} if "93" in vocabulary.regions else {}
    for name in sorted(names, key=len, reverse=True):
        if found := re.search(rf"\b{re.escape(name)}\b", text):
            query.region = names[name]
            return text[: found.start()] + " " + text[found.end() :]
    departements = {fold(name): code for code, name in vocabulary.departements.items()}
    for name in sorted(departements, key=len, reverse=True):
        if len(name) >= 4 and re.search(rf"\b{re.escape(name)}\b", text):
            code = departements[name]
            query.departement = code
            region = vocabulary.departement_regions.get(code)
            where = vocabulary.departements[code]
            if region:
                query.region = region
                query.cannot.append(
                    f"les agrégats ne descendent pas au département ({where}) : trop peu de "
                    f"territoires par case ; voici la région {vocabulary.regions[region]}"
                )
            else:
                query.cannot.append(f"les agrégats ne descendent pas au département ({where})")
            break
    return text


def parse(question: str, vocabulary: Vocabulary) -> DataQuery | None:
    """The data question in `question`, or None when it asks something else (the literature,
    or « our » territory, which the assistant answers from the member's own results)."""
    text = f" {fold(question)} "
    if re.search(OWN, text):
        return None
    query = DataQuery()
    statistics: list[Statistic] = []
    for pattern, names in STATISTICS:
        if re.search(pattern, text):
            statistics.extend(n for n in names if n not in statistics)
    unpublished = re.search(UNPUBLISHED, text)
    ranking = bool(re.search(RANKING, text))
    public = bool(re.search(PUBLIC, text))
    progress = bool(re.search(PROGRESS, text))
    situation = bool(re.search(SITUATION, text))
    text = _band(text, query)
    text = _areas(text, vocabulary, query)
    for pattern, kind in KINDS:
        if found := re.search(pattern, text):
            kinds = list(EPCI_KINDS) if kind == "epci" else [kind]
            query.kinds.extend(k for k in kinds if k not in query.kinds)
            text = text[: found.start()] + " " + text[found.end() :]
    named_metric = False
    for pattern, metric in METRICS:
        if re.search(pattern, text):
            query.metric, named_metric = metric, True
            break
    for year in re.findall(r"\b(20\d\d)\b", text):
        query.campaign = int(year)
    grouped = bool(query.kinds or query.band or query.region)
    asks = bool(statistics or unpublished or ranking or progress or situation)
    if not asks or not (grouped or public or named_metric):
        return None
    if ranking and (public or re.search(r"\bqui\b|\bquels? territoires\b", text)):
        query.ranking = True
        query.order = "progress" if progress else "score"
        if grouped:
            query.cannot.append(
                "le classement ne porte que sur les territoires à profil public, tous types et "
                "régions confondus"
            )
    elif ranking:
        query.cannot.append(
            "seuls les territoires qui ont choisi un profil public peuvent être nommés et "
            "classés ; les autres n'apparaissent que dans des agrégats d'au moins 5 territoires"
        )
    query.statistics = statistics or ["median", "mean"]
    query.compare = progress
    if unpublished:
        query.cannot.append(
            "le réseau ne publie ni minimum, ni maximum, ni écart type : seulement l'effectif, "
            "la moyenne, la médiane, les quartiles et le 9e décile"
        )
    return query


DATA_WORDS: Final = re.compile(
    r"\b(combien|chiffres?|statistiques?|agregats?|medianes?|moyennes?|quartiles?|classement|"
    r"progress\w*|evolution|parangonnage|benchmark|pairs|centile|percentile)\b"
)


def wants_data(question: str, vocabulary: Vocabulary) -> bool:
    """Whether `question` may need the data tools (a language model then chooses which): a
    question the grammar reads, or one that speaks of figures, peers or rankings."""
    return parse(question, vocabulary) is not None or bool(DATA_WORDS.search(fold(question)))
