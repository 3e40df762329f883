"""One knowledge base per application: opened on first use, then handed out to every request
(the embedding model, the Chroma client and the BM25 index are too costly to open per call)."""

from __future__ import annotations

import threading

from knowledge.config import KnowledgeConfig, SettingsLike
from knowledge.errors import KnowledgeError
from knowledge.retrieval import KnowledgeBase
from service.platform.errors import DomainError
from service.platform.i18n import N_

__all__ = ["KnowledgeProvider", "KnowledgeUnavailableError"]


class KnowledgeUnavailableError(DomainError):
    """The index cannot be opened (Chroma server unreachable, embedding model mismatch…)."""

    status_code = 503


class KnowledgeProvider:
    """Opens the knowledge base once per application, on first use, and hands it out."""

    def __init__(self, settings: SettingsLike, config: KnowledgeConfig | None = None) -> None:
        self._config = config or KnowledgeConfig.from_settings(settings)
        self._kb: KnowledgeBase | None = None
        self._lock = threading.Lock()

    def __call__(self) -> KnowledgeBase:
        """The knowledge base; a failure to open it is retried on the next request."""
        with self._lock:
            if self._kb is None:
                try:
                    self._kb = KnowledgeBase.open(self._config)
                except KnowledgeError as exc:
                    raise KnowledgeUnavailableError(
                        N_("La base de connaissances est indisponible : %(reason)s"),
                        reason=str(exc),
                    ) from exc
            return self._kb
