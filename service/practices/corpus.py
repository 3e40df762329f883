"""Published cards in the knowledge base, through the ordinary ingestion path: each published
card is written as a Markdown document with front matter (id ``pratique-<uuid>``, title,
language, dimensions, and its public page ``<public_url>/pratiques/<id>`` as its source) under
``<data_dir>/knowledge/practices/`` and indexed by `knowledge.ingest.Ingester`, so that the
knowledge search and the assistant cite the card's public page. Unpublishing a card removes its
passages and its file.

The index may be unavailable (no embedding model, Chroma down): moderation still succeeds, the
failure is logged, and `PracticeCorpus.sync` brings the index back in line later."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.builtin import PRACTICE_PREFIX, PRACTICES_FOLDER
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase
from service.practices.cards import PracticeView, published_practices

__all__ = ["DOCUMENT_PREFIX", "PracticeCorpus", "card_document", "document_id"]

log = logging.getLogger(__name__)

DOCUMENT_PREFIX: Final = PRACTICE_PREFIX


def document_id(card_id: uuid.UUID) -> str:
    """The knowledge document id of a card."""
    return f"{DOCUMENT_PREFIX}{card_id}"


def _quoted(value: str) -> str:
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def card_document(card: PracticeView, public_url: str, headings: dict[str, str]) -> str:
    """The Markdown document of a published card; `headings` names its sections (in the
    card's language)."""
    front = [
        "---",
        f"id: {document_id(card.id)}",
        f"title: {_quoted(card.title)}",
        f"language: {card.language}",
        f"source: {public_url.rstrip('/')}{card.path}",
        "dimensions:",
        *(f"  - {d}" for d in card.dimensions),
        "---",
    ]
    body = [f"# {card.title}", "", f"{headings['territory']} : {card.territory_name}.", ""]
    for name in ("context", "action", "partners", "results", "contact"):
        body += [f"## {headings[name]}", "", getattr(card, name), ""]
    if card.links:
        body += [f"## {headings['links']}", "", *(f"- {link}" for link in card.links), ""]
    return "\n".join(front + body)


HEADINGS: Final = {
    "fr": {
        "territory": "Territoire",
        "context": "Contexte",
        "action": "Ce qui a été fait",
        "partners": "Avec qui",
        "results": "Résultats et preuves",
        "contact": "Contact",
        "links": "Liens",
    },
    "en": {
        "territory": "Territory",
        "context": "Context",
        "action": "What was done",
        "partners": "With whom",
        "results": "Results and evidence",
        "contact": "Contact",
        "links": "Links",
    },
}


class PracticeCorpus:
    """Keeps the knowledge base in line with the published cards."""

    def __init__(
        self,
        data_dir: Path,
        public_url: str,
        knowledge: Callable[[], KnowledgeBase],
        *,
        isolate: bool = True,
    ) -> None:
        self.folder = data_dir / "knowledge" / PRACTICES_FOLDER
        self.public_url = public_url
        self._knowledge = knowledge
        self._isolate = isolate

    def _path(self, card_id: uuid.UUID) -> Path:
        return self.folder / f"{document_id(card_id)}.md"

    def _write(self, card: PracticeView) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(card.id)
        headings = HEADINGS.get(card.language, HEADINGS["fr"])
        path.write_text(card_document(card, self.public_url, headings), encoding="utf-8")
        return path

    def _index(self, paths: Sequence[Path]) -> None:
        """Index the card files (unchanged ones are skipped by their content hash)."""
        if not paths:
            return
        report = Ingester(self._knowledge(), isolate=self._isolate).ingest(paths)
        for problem in report.problems:
            log.warning("fiche de pratique non indexée : %s : %s", problem.path, problem.reason)

    def publish_now(self, card: PracticeView) -> None:
        """Write and index one published card (blocking)."""
        self._index([self._write(card)])

    def withdraw_now(self, card_ids: Sequence[uuid.UUID]) -> None:
        """Remove cards from the index and their files (blocking)."""
        kb = self._knowledge()
        with kb.writing():
            kb.remove_documents([document_id(c) for c in card_ids])
            kb.commit()
        for card_id in card_ids:
            self._path(card_id).unlink(missing_ok=True)

    def sync_now(self, published: Sequence[PracticeView]) -> None:
        """Index every published card and remove every card file no longer published."""
        keep = {document_id(c.id) for c in published}
        stale = [
            uuid.UUID(p.stem.removeprefix(DOCUMENT_PREFIX))
            for p in (self.folder.glob(f"{DOCUMENT_PREFIX}*.md") if self.folder.is_dir() else [])
            if p.stem not in keep
        ]
        if stale:
            self.withdraw_now(stale)
        self._index([self._write(card) for card in published])

    async def publish(self, card: PracticeView) -> bool:
        """Index a published card in a thread; False (logged) when the index is unavailable."""
        return await self._safely(lambda: self.publish_now(card))

    async def withdraw(self, card_id: uuid.UUID) -> bool:
        """Remove an unpublished card from the index; False (logged) when unavailable."""
        return await self._safely(lambda: self.withdraw_now([card_id]))

    async def sync(self, published: Sequence[PracticeView]) -> bool:
        """`sync_now` in a thread; False (logged) when the index is unavailable."""
        return await self._safely(lambda: self.sync_now(published))

    async def sync_published(self, session: AsyncSession) -> int | None:
        """Bring the index in line with every published card of the database: how many are
        published, or None (logged) when the index is unavailable. Idempotent."""
        cards = await published_practices(session, limit=None)
        return len(cards) if await self.sync(cards) else None

    async def _safely(self, work: Callable[[], None]) -> bool:
        try:
            await anyio.to_thread.run_sync(work)
        except Exception:  # the index is a convenience: moderation must not fail with it
            log.exception("base de connaissances : fiches de pratique non mises à jour")
            return False
        return True
