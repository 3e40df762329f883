"""One assistant per application: made on first use over the same knowledge base as the search
(and the chat model when ``TERRITOIRES_LLM_BASE_URL`` is set), with the conversation store."""

from __future__ import annotations

import threading
from collections.abc import Callable

from knowledge.assistant import (
    Assistant,
    ConversationStore,
    LLMConfig,
    MemoryConversations,
    make_chat_model,
)
from knowledge.assistant.chain import DEFAULT_K
from knowledge.retrieval import KnowledgeBase
from maturity.model import Model
from service.platform.settings import Settings

__all__ = ["AssistantProvider"]


class AssistantProvider:
    """Makes the assistant once per application, on first use, over the shared knowledge base
    (the chat model too, when `TERRITOIRES_LLM_BASE_URL` is set); `k`: passages given to an
    answer (the assistant's default when None); `model`: the maturity model questions about
    the model are answered from."""

    def __init__(
        self,
        settings: Settings,
        knowledge: Callable[[], KnowledgeBase],
        conversations: ConversationStore | None = None,
        *,
        k: int | None = None,
        model: Model | None = None,
    ) -> None:
        self._knowledge = knowledge
        self.knowledge = knowledge
        """The knowledge base the assistant answers from (the data tools' search too)."""
        self._k = k
        self._model = model
        """The maturity model questions about the model are answered from."""
        self._llm = LLMConfig.from_settings(settings)
        self.secret = settings.secret_key
        """Signs the conversation ids the assistant issues."""
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        self.conversations: ConversationStore = conversations or MemoryConversations()

    @property
    def generative(self) -> bool:
        """Whether a language model is configured (else the answers are extractive)."""
        return self._llm is not None

    def __call__(self) -> Assistant:
        """The application's assistant."""
        with self._lock:
            if self._assistant is None:
                llm = make_chat_model(self._llm) if self._llm is not None else None
                kb = self._knowledge()
                k = DEFAULT_K if self._k is None else self._k
                self._assistant = Assistant(kb, llm, k=k, model=self._model)
            return self._assistant
