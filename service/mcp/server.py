"""The MCP server (Model Context Protocol, the official ``mcp`` SDK): the data tools, the
assistant and the reference resources for any AI client (desktop assistants, Open WebUI,
LibreChat, agents).

Each tool translates its arguments into the data tools' Structs (`service.datatools.tools`) or
an `AskRequest`, and runs them with the caller found by the HTTP mount (`service.mcp.mount`),
so that the rights are the JSON API's. Tool errors come back as the tool's text, in French
(or in English when asked), the way the API's problem details say them."""

# no `from __future__ import annotations`: the SDK reads the tools' annotations at run time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from anyio import to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from knowledge.builtin import CORPUS_DIR
from maturity.model import Model
from maturity.scoring import AnswerError
from service.assessments.model_view import model_view
from service.assistant.asking import AskRequest
from service.assistant.provider import AssistantProvider
from service.assistant.use_cases import AssistantService, TerritoryReader
from service.datatools import tools
from service.datatools.context import DataContext
from service.documents.library import list_documents
from service.documents.provider import KnowledgeProvider
from service.platform.errors import DomainError

__all__ = ["CALLER_KEY", "build_server"]

CALLER_KEY = "territoires.caller"
"""Key of the ASGI scope where the mount leaves the caller's `DataContext`."""
INSTRUCTIONS = (
    "Outils du réseau des territoires connectés : base de connaissances citée (search_knowledge, "
    "ask), modèle de maturité (get_model, score_answers), résultats et parangonnage du "
    "territoire de l'appelant (my_results, my_benchmark, peers), agrégats k-anonymes du réseau "
    "(aggregates) et profils publics (public_profile). Authentification : la clé d'API du "
    "service en « Authorization: Bearer » ; sans clé, seules les données publiques sont servies."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
T = TypeVar("T")

Campaign = Annotated[
    int | None, Field(ge=2000, le=2100, description="Année de campagne (défaut : la plus récente).")
]
LangParam = Annotated[Literal["fr", "en"], Field(description="Langue des libellés (fr ou en).")]
Scope = Annotated[
    Literal["national", "region"],
    Field(description="national, ou region : le groupe de pairs commence par la même région."),
]


@dataclass(frozen=True, slots=True)
class McpServices:
    """The application's shared objects the tools need (made once in `create_app`)."""

    model: Model
    knowledge: KnowledgeProvider
    assistant: AssistantProvider


def _caller(ctx: Context) -> DataContext:
    """The caller's context, left in the request's scope by the mount."""
    request = ctx.request_context.request
    scope = getattr(request, "scope", None) or {}
    caller = scope.get(CALLER_KEY)
    if not isinstance(caller, DataContext):  # pragma: no cover - the mount always sets it
        raise ToolError("appel hors du point d'accès /mcp du service")
    return caller


def _plain(value: Any) -> dict[str, Any]:
    """A Struct as the JSON object the client receives."""
    out = msgspec.to_builtins(value)
    return out if isinstance(out, dict) else {"result": out}


async def _run(lang: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, with the service's errors as tool errors (their text in `lang`)."""
    try:
        return await call()
    except DomainError as exc:
        raise ToolError(exc.translate(lang)) from exc
    except AnswerError as exc:
        raise ToolError(str(exc)) from exc
    except msgspec.ValidationError as exc:
        raise ToolError(f"Arguments invalides : {exc}") from exc


def _args(struct: type[T], /, **values: Any) -> T:
    """The data tool's arguments, checked against its Struct (bounds included)."""
    return msgspec.convert({k: v for k, v in values.items() if v is not None}, struct)


def build_server(services: McpServices) -> MCPServer:
    """The MCP server with its tools and resources."""
    server: MCPServer = MCPServer(
        "territoires-connectes",
        title="Territoires connectés",
        instructions=INSTRUCTIONS,
        version="0.1.0",
    )

    @server.tool(annotations=READ_ONLY)
    async def search_knowledge(
        query: Annotated[str, Field(description="Question ou mots-clés, en français.")],
        ctx: Context,
        k: Annotated[int, Field(ge=1, le=20, description="Nombre de passages.")] = 5,
    ) -> dict[str, Any]:
        """Chercher dans la base de connaissances (littérature sur les politiques de territoires
        connectés, fiches du réseau) : les meilleurs passages, chacun avec sa source."""
        args = _args(tools.SearchArgs, query=query, k=k)
        return _plain(await _run("fr", lambda: tools.search_knowledge(_caller(ctx), args)))

    @server.tool(annotations=READ_ONLY)
    async def ask(
        question: Annotated[str, Field(description="La question, en français de préférence.")],
        ctx: Context,
        conversation_id: Annotated[
            str | None, Field(description="Identifiant rendu par une réponse précédente.")
        ] = None,
    ) -> dict[str, Any]:
        """Poser une question à l'assistant documentaire : une réponse rédigée à partir de la
        base de connaissances, chaque affirmation citée ([n] renvoie à `citations`). Pour un
        membre, « où en sommes-nous… ? » ajoute les résultats de son territoire comme source."""
        caller = _caller(ctx)

        async def answer() -> dict[str, Any]:
            async with caller.sessions() as session:
                reader = TerritoryReader(session, caller.sessions, caller.model, caller.peers)
                service = AssistantService(services.assistant, caller.principal, reader)
                found = await service.ask(AskRequest(question, conversation_id))
            return _plain(found)

        return await _run("fr", answer)

    @server.tool(annotations=READ_ONLY)
    async def get_model(
        ctx: Context,
        dimension: Annotated[
            str | None, Field(description="Identifiant d'une dimension (défaut : tout le modèle).")
        ] = None,
        lang: LangParam = "fr",
    ) -> dict[str, Any]:
        """Le modèle de maturité : niveaux, piliers, dimensions, questions et descripteurs des
        niveaux de réponse (ou une seule dimension)."""
        args = _args(tools.ModelArgs, dimension=dimension, lang=lang)

        async def view() -> Any:
            return tools.get_model(_caller(ctx), args)

        return _plain(await _run(lang, view))

    @server.tool(annotations=READ_ONLY)
    async def score_answers(
        answers: Annotated[
            dict[str, int | str],
            Field(
                description='Réponses par identifiant de question : niveau 0..max, "na" (non '
                'concerné) ou "unknown" ; une question absente compte comme inconnue.'
            ),
        ],
        ctx: Context,
        lang: LangParam = "fr",
    ) -> dict[str, Any]:
        """Calculer le score d'un jeu de réponses sans l'enregistrer : indice, niveau, piliers,
        dimensions, diagnostics et prochaines étapes."""
        args = _args(tools.ScoreArgs, answers=answers, lang=lang)

        async def scored() -> Any:
            return tools.score(_caller(ctx), args)

        return _plain(await _run(lang, scored))

    @server.tool(annotations=READ_ONLY)
    async def my_results(
        ctx: Context, campaign: Campaign = None, lang: LangParam = "fr"
    ) -> dict[str, Any]:
        """Les résultats du territoire de l'appelant par campagne (membres d'un territoire,
        brouillons compris) : indice, niveau, dimensions, diagnostics, prochaines étapes."""
        args = _args(tools.ResultsArgs, campaign=campaign, lang=lang)
        return _plain(await _run(lang, lambda: tools.my_results(_caller(ctx), args)))

    @server.tool(annotations=READ_ONLY)
    async def my_benchmark(
        ctx: Context,
        campaign: Campaign = None,
        scope: Scope = "national",
        peers: Annotated[
            list[str] | None,
            Field(description="Liste de pairs choisie : codes de profils publics (au moins 5)."),
        ] = None,
        lang: LangParam = "fr",
    ) -> dict[str, Any]:
        """Le territoire de l'appelant face à son groupe de pairs, mesure par mesure : n,
        moyenne, médiane, quartiles, p90, rang centile, écarts, évolution (statistiques
        masquées sous 5 territoires)."""
        args = _args(tools.BenchmarkArgs, campaign=campaign, scope=scope, peers=peers, lang=lang)
        return await _run(lang, lambda: tools.my_benchmark(_caller(ctx), args))

    @server.tool(annotations=READ_ONLY)
    async def peers(
        ctx: Context,
        code: Annotated[
            str | None,
            Field(description="Code INSEE ou SIREN (défaut : le territoire de l'appelant)."),
        ] = None,
        campaign: Campaign = None,
        scope: Scope = "national",
        lang: LangParam = "fr",
    ) -> dict[str, Any]:
        """Le groupe de pairs d'un territoire (et comment il a été élargi), ses pairs publics
        les plus proches et ceux dont s'inspirer : le territoire de l'appelant, ou un
        territoire à profil public."""
        args = _args(tools.PeersArgs, code=code, campaign=campaign, scope=scope, lang=lang)
        return await _run(lang, lambda: tools.peers(_caller(ctx), args))

    @server.tool(annotations=READ_ONLY)
    async def aggregates(
        ctx: Context,
        group_by: Annotated[
            list[Literal["kind", "population_band", "region"]] | None,
            Field(
                description="Regroupement ([] : tout le réseau ; absent : celui des filtres, ou "
                "kind et population_band sans filtre)."
            ),
        ] = None,
        campaign: Campaign = None,
        metric: Annotated[
            str | None,
            Field(description='Mesure : "index", "pillar:<id>" ou un identifiant de dimension.'),
        ] = None,
        kind: Annotated[
            Literal["commune", "cc", "ca", "cu", "metropole"] | None,
            Field(description="Filtre sur le type de territoire."),
        ] = None,
        population_band: Annotated[
            Literal["0-3.5k", "3.5k-20k", "20k-50k", "50k-100k", "100k-250k", "250k+"] | None,
            Field(description="Filtre sur la tranche de population."),
        ] = None,
        region: Annotated[str | None, Field(description="Filtre : code région INSEE.")] = None,
        compare_previous: Annotated[
            bool, Field(description="Ajouter la campagne précédente et l'évolution.")
        ] = False,
    ) -> dict[str, Any]:
        """Agrégats du réseau (k-anonymes) : n, moyenne, médiane, quartiles et p90 par case
        (type, tranche de population, région) et par mesure ; une case de moins de 5
        territoires, ou qui permettrait d'en déduire une, est masquée sans dire son effectif."""
        args = _args(
            tools.AggregatesArgs,
            group_by=group_by,
            campaign=campaign,
            metric=metric,
            kind=kind,
            population_band=population_band,
            region=region,
            compare_previous=compare_previous,
        )
        return _plain(await _run("fr", lambda: tools.aggregates(_caller(ctx), args)))

    @server.tool(annotations=READ_ONLY)
    async def public_profile(
        ctx: Context,
        code: Annotated[str | None, Field(description="Code INSEE ou SIREN.")] = None,
        campaign: Campaign = None,
        rank_by: Annotated[
            str | None,
            Field(description='Classer les profils publics sur une mesure ("index", …).'),
        ] = None,
        order: Annotated[
            Literal["score", "progress"],
            Field(description="score, ou progress : l'évolution depuis la campagne d'avant."),
        ] = "score",
        page: Annotated[int, Field(ge=1)] = 1,
        lang: LangParam = "fr",
    ) -> dict[str, Any]:
        """Profils publics (territoires qui ont choisi de montrer leurs scores) : un territoire
        et ses scores soumis, la liste des profils, ou leur classement sur une mesure."""
        args = _args(
            tools.ProfileArgs,
            code=code,
            campaign=campaign,
            rank_by=rank_by,
            order=order,
            page=page,
            lang=lang,
        )
        return _plain(await _run(lang, lambda: tools.public_profile(_caller(ctx), args)))

    _resources(server, services)
    return server


def _resources(server: MCPServer, services: McpServices) -> None:
    """The model and the knowledge cards as resources (public, like the API's)."""

    @server.resource(
        "territoires://modele",
        name="modele",
        title="Modèle de maturité",
        mime_type="application/json",
    )
    def model_resource() -> str:
        """Le modèle de maturité complet (français)."""
        return msgspec.json.encode(model_view(services.model, "fr")).decode()

    @server.resource(
        "territoires://fiches",
        name="fiches",
        title="Fiches de connaissances",
        mime_type="application/json",
    )
    async def cards_resource() -> str:
        """Les fiches de connaissances du réseau : identifiant, titre, langue, dimensions."""
        cards = await _cards(services)
        return msgspec.json.encode(
            [
                {
                    "id": d.id,
                    "title": d.title,
                    "language": d.language,
                    "dimensions": d.dimensions,
                    "uri": f"territoires://fiches/{d.id}",
                }
                for d in cards.values()
            ]
        ).decode()

    @server.resource(
        "territoires://fiches/{card_id}",
        name="fiche",
        title="Fiche de connaissances",
        mime_type="text/markdown",
    )
    async def card_resource(card_id: str) -> str:
        """Le texte d'une fiche de connaissances (Markdown, avec ses métadonnées)."""
        found = (await _cards(services)).get(card_id)
        if found is None:
            raise ResourceError(f"Fiche inconnue : {card_id}")
        path = (CORPUS_DIR / found.source.removeprefix("corpus/")).resolve()
        if not path.is_relative_to(CORPUS_DIR.resolve()) or not path.is_file():
            raise ResourceError(f"Fiche illisible : {card_id}")
        return await to_thread.run_sync(Path.read_text, path, "utf-8")


async def _cards(services: McpServices) -> dict[str, Any]:
    """The built-in knowledge cards indexed, by id."""
    try:
        kb = await to_thread.run_sync(services.knowledge)
    except DomainError as exc:
        raise ResourceError(exc.translate("fr")) from exc
    docs = await to_thread.run_sync(list_documents, kb)
    return {d.id: d for d in docs.documents if d.provenance == "builtin"}
