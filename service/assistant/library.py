"""What the knowledge base covers, for the public: every document and its passages in order,
each anchored, so that an answer's citation opens the very passage it quotes."""

from __future__ import annotations

import msgspec

from knowledge.assistant.sources import source_page
from knowledge.builtin import is_web_url
from knowledge.retrieval import KnowledgeBase, passage_from_record
from knowledge.types import DocumentInfo
from service.assistant.reflow import Block, blocks
from service.platform.errors import NotFoundError
from service.platform.i18n import N_

__all__ = ["Coverage", "DocumentPage", "PagePassage", "coverage", "document_page"]


class PagePassage(msgspec.Struct, frozen=True):
    """One passage of a document page: its anchor, section and text, and that text as a
    person reads it (wrapped lines joined into paragraphs, lists and headings kept)."""

    anchor: str
    section: str | None
    page: int | None
    text: str
    blocks: list[Block]


class DocumentPage(msgspec.Struct, frozen=True):
    """A document as the public reads it: title, where it comes from, passages in order."""

    document_id: str
    title: str
    language: str
    source: str
    origin: str | None
    """The document's own web address, when it has one."""
    passages: list[PagePassage]


class CoveredDocument(msgspec.Struct, frozen=True):
    """One line of what the base covers."""

    title: str
    language: str
    passages: int
    href: str
    dimensions: list[str]


class Coverage(msgspec.Struct, frozen=True):
    """What the knowledge base covers: its documents, built-in cards first."""

    documents: list[CoveredDocument]
    passages: int


def coverage(kb: KnowledgeBase) -> Coverage:
    """Every indexed document with its public page."""
    docs: list[DocumentInfo] = sorted(
        kb.documents(), key=lambda d: (d.provenance != "builtin", d.language, d.title)
    )
    return Coverage(
        documents=[
            CoveredDocument(
                title=d.title,
                language=d.language,
                passages=d.passages,
                href=source_page(d.id),
                dimensions=list(d.dimensions),
            )
            for d in docs
        ],
        passages=sum(d.passages for d in docs),
    )


def document_page(kb: KnowledgeBase, document_id: str) -> DocumentPage:
    """The document `document_id`, passage by passage; `NotFoundError` when unknown."""
    records = list(kb.store.records(where={"document_id": document_id}))
    if not records:
        raise NotFoundError(
            N_("Aucun document « %(id)s » dans la base de connaissances."), id=document_id
        )
    passages = sorted((passage_from_record(r) for r in records), key=lambda p: p.position)
    first = passages[0]
    return DocumentPage(
        document_id=document_id,
        title=first.title,
        language=first.language,
        source=first.source,
        origin=first.source if is_web_url(first.source) else None,
        passages=[
            PagePassage(f"passage-{p.position}", p.section, p.page, p.text, blocks(p.text))
            for p in passages
        ],
    )
