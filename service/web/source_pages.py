"""``/sources``: what the knowledge base covers, and each document passage by passage, every
passage anchored (``/sources/<document>#passage-<n>``): the assistant's citations link there,
never to a file of the server. The use cases are `service.assistant.library`'s."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import PathParameter
from litestar.response import Template

from service.assistant.library import coverage, document_page
from service.deps import CurrentPrincipal, Knowledge
from service.web.rendering import page

__all__ = ["SourcePages"]


class SourcePages(Controller):
    """The knowledge base's documents, for anyone."""

    path = "/sources"
    include_in_schema = False

    @get("/", name="sources", sync_to_thread=True)
    def index(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, knowledge: Knowledge
    ) -> Template:
        """What the knowledge base covers."""
        return page(request, "assistant/sources.html", principal, covered=coverage(knowledge))

    @get("/{document_id:str}", name="source", sync_to_thread=True)
    def document(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        knowledge: Knowledge,
        document_id: Annotated[str, PathParameter(max_length=200)],
    ) -> Template:
        """One document, passage by passage, each anchored."""
        found = document_page(knowledge, document_id)
        return page(request, "assistant/source.html", principal, document=found)
