"""The data tools in the assistant (tool calling, LangChain's ``bind_tools``): before the
answer, the language model may call the data tools the service offers for this caller; their
results become numbered sources (``kind: "data"``) that the answer cites like the passages.

The tools run in the service, with the caller's rights (`AssistantRequest.call_tool`): the
model only chooses them and their arguments. A tool's error is handed back to the model as the
tool's answer; a model that fails leaves the answer to the literature alone."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

import prompts
from knowledge.assistant.types import ToolCaller, ToolResult, ToolSpec

__all__ = ["MAX_CALLS", "MAX_ROUNDS", "call_tools", "openai_tools"]

log = logging.getLogger(__name__)

MAX_ROUNDS: Final = 1
"""Rounds of tool calls: one (a second would cost a model call on every data question, to
learn most often that the model has nothing more to ask)."""
MAX_CALLS: Final = 4
"""Tool calls in all, whatever the model asks."""


def openai_tools(specs: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """The tools in OpenAI's format, which ``bind_tools`` passes on as they are."""
    return [
        {
            "type": "function",
            "function": {"name": s.name, "description": s.description, "parameters": s.parameters},
        }
        for s in specs
    ]


async def call_tools(
    llm: BaseChatModel, question: str, specs: Sequence[ToolSpec], call: ToolCaller
) -> list[ToolResult]:
    """Let the model call the tools for `question`; the results, in the order called."""
    known = {s.name for s in specs}
    model = llm.bind_tools(openai_tools(specs))
    messages: list[BaseMessage] = [HumanMessage(prompts.render("tools", question=question))]
    results: list[ToolResult] = []
    for _ in range(MAX_ROUNDS):
        try:
            reply = await model.ainvoke(messages)
        except Exception:  # the literature still answers
            log.exception("appel d'outils impossible ; réponse à partir des documents seuls")
            return results
        calls = reply.tool_calls if isinstance(reply, AIMessage) else []
        if not calls or len(results) >= MAX_CALLS:
            break
        messages.append(reply)
        for tool_call in calls:
            name = tool_call["name"]
            ident = tool_call.get("id") or name
            if len(results) >= MAX_CALLS or name not in known:
                messages.append(
                    ToolMessage(f"Outil inconnu ou refusé : {name}", tool_call_id=ident)
                )
                continue
            result = await call(name, dict(tool_call.get("args") or {}))
            results.append(result)
            messages.append(ToolMessage(f"{result.title}\n\n{result.text}", tool_call_id=ident))
    return results
