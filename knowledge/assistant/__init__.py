"""The assistant: grounded answers with citations, extractive offline, generative with any
OpenAI-compatible model. LangChain stays inside this package; callers get msgspec Structs."""

from knowledge.assistant.chain import Assistant, AssistantRequest, about_own_territory
from knowledge.assistant.gate import (
    GATE_MAX_UNKNOWN,
    GATE_MIN_COVERAGE,
    GATE_MIN_SIMILARITY,
    CorpusStats,
    Relevance,
    relevance,
)
from knowledge.assistant.history import ConversationStore, MemoryConversations
from knowledge.assistant.llm import LLMConfig, make_chat_model
from knowledge.assistant.types import (
    AnswerMode,
    AssistantAnswer,
    AssistantEvent,
    Citation,
    Done,
    Sources,
    TerritorySource,
    Token,
    ToolCaller,
    ToolResult,
    ToolSpec,
    Turn,
)

__all__ = [
    "GATE_MAX_UNKNOWN",
    "GATE_MIN_COVERAGE",
    "GATE_MIN_SIMILARITY",
    "AnswerMode",
    "Assistant",
    "AssistantAnswer",
    "AssistantEvent",
    "AssistantRequest",
    "Citation",
    "ConversationStore",
    "CorpusStats",
    "Done",
    "LLMConfig",
    "MemoryConversations",
    "Relevance",
    "Sources",
    "TerritorySource",
    "Token",
    "ToolCaller",
    "ToolResult",
    "ToolSpec",
    "Turn",
    "about_own_territory",
    "make_chat_model",
    "relevance",
]
