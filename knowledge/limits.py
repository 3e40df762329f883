"""What one document may cost to ingest, and the clock and cancellation that enforce it.

Measured on the 2-core machine the service is sized for, the offline model embeds about 3
passages a second when the machine is busy: a 17 MB HTML page of 9,375 passages would take an
hour, a 6 KB PDF holding 2 MB of text more than ten minutes. The defaults keep one document
under about three minutes of embedding: text beyond `max_chars` is refused while it is being
extracted (before any embedding), a document cut into more than `max_passages` passages is
refused before embedding, and `max_seconds` bounds extraction and embedding together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import msgspec

from knowledge.errors import DocumentError, IngestCancelledError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_MAX_PASSAGES",
    "DEFAULT_MAX_SECONDS",
    "Clock",
    "IngestLimits",
]

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_CHARS: Final = 600_000
"""About 100,000 words, a report of 200 pages: our largest card holds 30,000 characters."""
DEFAULT_MAX_PASSAGES: Final = 600
DEFAULT_MAX_SECONDS: Final = 300.0


class IngestLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Limits on one document (0 for a count or a duration: no limit)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """Size of the file."""
    max_chars: int = DEFAULT_MAX_CHARS
    """Characters of text extracted from it."""
    max_passages: int = DEFAULT_MAX_PASSAGES
    """Passages it is cut into."""
    max_seconds: float = DEFAULT_MAX_SECONDS
    """Seconds of extraction and embedding (waiting for the index's write lock not counted)."""

    def check_chars(self, count: int) -> None:
        """Refuse a document once its extracted text passes `max_chars`."""
        if self.max_chars and count > self.max_chars:
            limit = f"{self.max_chars:,}".replace(",", "\u202f")
            raise DocumentError(
                f"texte trop long : plus de {limit} caractères extraits (limite "
                f"TERRITOIRES_KNOWLEDGE_MAX_CHARS) ; découpez le document en plusieurs fichiers"
            )

    def check_passages(self, count: int) -> None:
        """Refuse a document cut into more than `max_passages` passages."""
        if self.max_passages and count > self.max_passages:
            raise DocumentError(
                f"document trop long : {count} passages pour {self.max_passages} au plus (limite "
                f"TERRITOIRES_KNOWLEDGE_MAX_PASSAGES) ; découpez-le en plusieurs fichiers"
            )


class Clock:
    """The deadline and the cancellation of one document's ingestion, checked between steps
    (and, for the extraction, by the parent of the worker process, which kills it)."""

    def __init__(
        self, max_seconds: float = 0.0, cancelled: Callable[[], bool] | None = None
    ) -> None:
        self.max_seconds = max_seconds
        self.started = time.monotonic()
        self._cancelled = cancelled or (lambda: False)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        if not self.max_seconds:
            return None
        return self.max_seconds - (time.monotonic() - self.started)

    def cancelled(self) -> bool:
        """Whether the ingestion was asked to stop."""
        return self._cancelled()

    def check(self) -> None:
        """Raise when the ingestion was cancelled or is past its deadline."""
        if self._cancelled():
            raise IngestCancelledError("indexation annulée")
        left = self.remaining()
        if left is not None and left <= 0:
            raise DocumentError(
                f"indexation trop longue : plus de {self.max_seconds:g} s pour ce document "
                f"(limite TERRITOIRES_KNOWLEDGE_MAX_SECONDS) ; découpez-le en plusieurs fichiers"
            )
