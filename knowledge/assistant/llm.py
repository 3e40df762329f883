"""The optional language model: any OpenAI-compatible chat endpoint through langchain-openai.

Albert (the French state's API), Mistral, vLLM and Ollama all speak this protocol; the model
is chosen by settings, made once per application and shared by its requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Protocol

import msgspec
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

import prompts
from knowledge.assistant.guard import flagged_source
from knowledge.assistant.types import Citation, Turn

__all__ = [
    "LLMConfig",
    "LLMSettingsLike",
    "answer_messages",
    "instruction_texts",
    "make_chat_model",
    "rewrite_messages",
]


class LLMSettingsLike(Protocol):
    """The part of `service.platform.settings.Settings` the assistant's model reads."""

    @property
    def llm_base_url(self) -> str | None: ...
    @property
    def llm_model(self) -> str | None: ...
    @property
    def llm_api_key(self) -> str | None: ...


class LLMConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where the chat model is and how to call it."""

    base_url: str
    model: str
    api_key: str | None = None
    temperature: float = 0.1
    timeout: float = 60.0
    max_retries: int = 1
    max_tokens: int = 800

    @classmethod
    def from_settings(cls, settings: LLMSettingsLike) -> LLMConfig | None:
        """The configured endpoint, or None for the offline (extractive) assistant."""
        if not settings.llm_base_url:
            return None
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model or "default",
            api_key=settings.llm_api_key,
        )


def make_chat_model(config: LLMConfig) -> BaseChatModel:
    """A streaming `ChatOpenAI` on `config.base_url` (imported here: only when configured)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=config.base_url,
        model=config.model,
        # local servers (vLLM, Ollama) take no key, but the client insists on one
        api_key=SecretStr(config.api_key or "sans-cle"),
        temperature=config.temperature,
        timeout=config.timeout,
        max_retries=config.max_retries,
        max_completion_tokens=config.max_tokens,
        streaming=True,
    )


def _source_view(source: Citation) -> dict[str, object]:
    label = f"{source.title} — {source.section}" if source.section else source.title
    return {
        "number": source.number,
        "label": label.replace('"', "'"),
        "text": source.text,
        "flagged": flagged_source(source),
    }


@cache
def instruction_texts() -> tuple[str, ...]:
    """The instructions the model is given, without sources nor question: the system prompt
    and the answer template's own sentences (what an answer must never copy)."""
    answer = prompts.render("answer", question="", sources=[], territory="Territoire")
    return (prompts.render("system"), answer)


def answer_messages(
    question: str,
    sources: Sequence[Citation],
    territory: str | None,
    *,
    data: bool = False,
    said: str = "",
) -> list[BaseMessage]:
    """System rules, then the numbered sources and the question; `said` is the answer's
    beginning, already written from the model file or the member's results, that the model
    must complete without repeating it."""
    return [
        SystemMessage(prompts.render("system")),
        HumanMessage(
            prompts.render(
                "answer",
                question=question,
                sources=[_source_view(s) for s in sources],
                territory=territory,
                data=data,
                said=said.strip(),
            )
        ),
    ]


def rewrite_messages(question: str, history: Sequence[Turn]) -> list[BaseMessage]:
    """The request to turn a follow-up into a standalone question."""
    return [HumanMessage(prompts.render("rewrite", question=question, history=list(history)))]
