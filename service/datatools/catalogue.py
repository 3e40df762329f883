"""The data tools a language model may call from the assistant (tool calling): their names,
descriptions and JSON Schemas (from the same Structs as the MCP tools' arguments), and the
caller that runs them with the asking caller's rights."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from knowledge.assistant import ToolCaller, ToolResult, ToolSpec
from maturity.scoring import AnswerError
from service.datatools import tools
from service.datatools.context import DataContext
from service.datatools.render import result_text
from service.platform.errors import DomainError

__all__ = ["LLM_TOOLS", "tool_caller", "tool_specs"]


@dataclass(frozen=True)
class _Tool:
    args: type[msgspec.Struct]
    run: Callable[[DataContext, Any], Awaitable[Any]]
    description: str
    source: str


LLM_TOOLS: Final[dict[str, _Tool]] = {
    "aggregates": _Tool(
        tools.AggregatesArgs,
        tools.aggregates,
        "Agrégats k-anonymes du réseau : n, moyenne, médiane, quartiles et 9e décile par type de "
        "territoire, tranche de population et région, pour l'indice, un pilier ou une dimension ; "
        "compare_previous ajoute l'évolution depuis la campagne précédente.",
        "/api/v1/benchmarks/aggregates",
    ),
    "public_profile": _Tool(
        tools.ProfileArgs,
        tools.public_profile,
        "Profils publics (territoires qui montrent leurs scores) : un territoire par son code, "
        "ou le classement des profils publics sur une mesure (rank_by, order=progress pour "
        "l'évolution).",
        "/api/v1/profiles",
    ),
    "my_results": _Tool(
        tools.ResultsArgs,
        tools.my_results,
        "Résultats du territoire de la personne qui pose la question (membres d'un territoire).",
        "/api/v1/territories",
    ),
    "my_benchmark": _Tool(
        tools.BenchmarkArgs,
        tools.my_benchmark,
        "Le territoire de la personne qui pose la question face à son groupe de pairs.",
        "/api/v1/territories",
    ),
}


def tool_specs() -> list[ToolSpec]:
    """The tools as the language model is shown them."""
    schemas, components = msgspec.json.schema_components([t.args for t in LLM_TOOLS.values()])
    return [
        ToolSpec(name, tool.description, components[tool.args.__name__])
        for (name, tool), _ in zip(LLM_TOOLS.items(), schemas, strict=True)
    ]


def _lighter(result: Any) -> Any:
    """A benchmark without its histograms (bins of counts the answer does not need)."""
    if isinstance(result, dict) and "metrics" in result:
        for metric in result["metrics"]:
            metric.pop("histogram", None)
    return result


def _args_text(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in arguments.items() if v not in (None, [], ""))


def tool_caller(ctx: DataContext) -> ToolCaller:
    """Runs a tool of `LLM_TOOLS` for `ctx`'s caller; an error is the tool's answer."""

    async def call(name: str, arguments: dict[str, Any]) -> ToolResult:
        tool = LLM_TOOLS[name]
        title = f"Données : {name} ({_args_text(arguments)})"
        try:
            parsed = msgspec.convert(arguments, tool.args)
            result = _lighter(await tool.run(ctx, parsed))
        except (DomainError, AnswerError, msgspec.ValidationError) as exc:
            message = exc.translate("fr") if isinstance(exc, DomainError) else str(exc)
            return ToolResult(title, f"Erreur de l'outil : {message}", tool.source)
        source = getattr(result, "link", None) or tool.source
        campaign = getattr(result, "campaign", None)
        if campaign is not None:
            title = f"{title}, campagne {campaign}"
        return ToolResult(title, result_text(name, result), source)

    return call
