"""Reading the knowledge base: search, the indexed documents, a passage among its neighbours.

Blocking calls (embedding the query, reading the index): interfaces run them in a thread."""

from __future__ import annotations

from typing import Literal

import msgspec

from knowledge.errors import KnowledgeError
from knowledge.retrieval import DEFAULT_PER_DOCUMENT, KnowledgeBase
from knowledge.types import DocumentInfo, Passage
from service.documents.provider import KnowledgeUnavailableError
from service.platform.errors import DomainError, NotFoundError
from service.platform.i18n import N_
from service.platform.operations import observe

__all__ = [
    "DocumentList",
    "Method",
    "PassageContext",
    "SearchResults",
    "list_documents",
    "passage_context",
    "search_passages",
]

Method = Literal["hybrid", "dense", "lexical"]


class SearchResults(msgspec.Struct):
    """Passages answering a question, best first, each with its source."""

    query: str
    k: int
    method: str
    passages: list[Passage]


class DocumentList(msgspec.Struct):
    """Indexed documents."""

    count: int
    passages: int
    documents: list[DocumentInfo]


class PassageContext(msgspec.Struct):
    """A passage and its neighbours in the document, in document order."""

    passage: Passage
    context: list[Passage]


def search_passages(
    kb: KnowledgeBase,
    query: str | None,
    k: int = 5,
    method: Method = "hybrid",
    per_document: int | None = DEFAULT_PER_DOCUMENT,
) -> SearchResults:
    """Hybrid search (vectors + French BM25, weighted reciprocal rank fusion): the `k` best
    passages, at most `per_document` from one document."""
    query = " ".join((query or "").split())
    if not query:
        raise DomainError(N_("Le paramètre q (la question à chercher) est vide ou absent."))
    try:
        with observe("retrieval"):
            passages = kb.search(query, k, method=method, max_per_document=per_document)
    except KnowledgeError as exc:
        raise KnowledgeUnavailableError(
            N_("Recherche impossible : %(reason)s"), reason=str(exc)
        ) from exc
    return SearchResults(query=query, k=k, method=method, passages=passages)


def list_documents(kb: KnowledgeBase) -> DocumentList:
    """Every indexed document with its source, language and number of passages."""
    docs = kb.documents()
    return DocumentList(count=len(docs), passages=sum(d.passages for d in docs), documents=docs)


def passage_context(kb: KnowledgeBase, passage_id: str, window: int = 1) -> PassageContext:
    """The passage with this id, and up to `window` passages before and after it."""
    found = kb.passage(passage_id)
    if found is None:
        raise NotFoundError(
            N_("Aucun passage « %(id)s » dans la base de connaissances."), id=passage_id
        )
    return PassageContext(passage=found, context=kb.neighbours(passage_id, window))
