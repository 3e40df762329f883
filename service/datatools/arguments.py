"""The data tools' arguments: one msgspec Struct per tool, checked (bounds included) before a
tool runs; their JSON Schemas are what the language model is shown (`catalogue`)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from maturity.peers import K_MIN, Scope

__all__ = [
    "AggregatesArgs",
    "BenchmarkArgs",
    "Grouping",
    "ModelArgs",
    "PeersArgs",
    "ProfileArgs",
    "ResultsArgs",
    "ScoreArgs",
    "SearchArgs",
]

Lang = Literal["fr", "en"]
Campaign = (
    Annotated[
        int,
        msgspec.Meta(ge=2000, le=2100, description="Année de campagne (défaut : la plus récente)."),
    ]
    | None
)
Grouping = Literal["kind", "population_band", "region"]
LangField = Annotated[Lang, msgspec.Meta(description="Langue des libellés (fr ou en).")]


class SearchArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Chercher des passages dans la base de connaissances (littérature, fiches)."""

    query: Annotated[str, msgspec.Meta(max_length=1000, description="Question ou mots-clés.")]
    k: Annotated[int, msgspec.Meta(ge=1, le=20, description="Nombre de passages.")] = 5


class ModelArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Le modèle de maturité (ou une de ses dimensions)."""

    dimension: Annotated[
        str | None, msgspec.Meta(description="Identifiant d'une dimension (défaut : tout).")
    ] = None
    lang: LangField = "fr"


class ScoreArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Calculer le score d'un jeu de réponses, sans l'enregistrer."""

    answers: Annotated[
        dict[str, int | str],
        msgspec.Meta(
            description='Réponses par identifiant de question : niveau 0..max, "na" (non '
            'concerné) ou "unknown".'
        ),
    ]
    lang: LangField = "fr"


class ResultsArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Les résultats du territoire de l'appelant."""

    campaign: Campaign = None
    lang: LangField = "fr"


class BenchmarkArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Le territoire de l'appelant face à ses pairs."""

    campaign: Campaign = None
    scope: Annotated[
        Scope, msgspec.Meta(description="national, ou region : commencer par la même région.")
    ] = "national"
    peers: Annotated[
        list[str],
        msgspec.Meta(description=f"Liste de pairs choisie (profils publics, au moins {K_MIN})."),
    ] = msgspec.field(default_factory=list)
    lang: LangField = "fr"


class PeersArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Le groupe de pairs d'un territoire et les pairs publics dont s'inspirer."""

    code: Annotated[
        str | None,
        msgspec.Meta(description="Code INSEE ou SIREN (défaut : le territoire de l'appelant)."),
    ] = None
    campaign: Campaign = None
    scope: Scope = "national"
    lang: LangField = "fr"


class AggregatesArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Statistiques du réseau par case (type, tranche de population, région), k-anonymes."""

    group_by: Annotated[
        list[Grouping] | None,
        msgspec.Meta(
            description="Regroupement ([] : tout le réseau ; absent : celui des filtres, ou "
            "kind et population_band sans filtre)."
        ),
    ] = None
    campaign: Campaign = None
    metric: Annotated[
        str | None,
        msgspec.Meta(description='Mesure : "index", "pillar:<id>" ou un identifiant de dimension.'),
    ] = None
    kind: Annotated[
        str | None, msgspec.Meta(description="Filtre : commune, cc, ca, cu ou metropole.")
    ] = None
    population_band: Annotated[
        str | None,
        msgspec.Meta(description="Filtre : 0-3.5k, 3.5k-20k, 20k-50k, 50k-100k, 100k-250k, 250k+."),
    ] = None
    region: Annotated[str | None, msgspec.Meta(description="Filtre : code région INSEE.")] = None
    compare_previous: Annotated[
        bool, msgspec.Meta(description="Ajouter la campagne précédente et l'évolution.")
    ] = False


class ProfileArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Profils publics : un territoire, la liste, ou un classement des territoires publics."""

    code: Annotated[str | None, msgspec.Meta(description="Code INSEE ou SIREN.")] = None
    campaign: Campaign = None
    rank_by: Annotated[
        str | None,
        msgspec.Meta(description='Classer les profils publics sur une mesure ("index", …).'),
    ] = None
    order: Annotated[
        Literal["score", "progress"],
        msgspec.Meta(description="score, ou progress : l'évolution depuis la campagne d'avant."),
    ] = "score"
    page: Annotated[int, msgspec.Meta(ge=1)] = 1
    lang: LangField = "fr"
