"""``territoires ask "QUESTION"``: the assistant on the terminal (extractive offline, generative
when ``TERRITOIRES_LLM_BASE_URL`` is set); the answer is printed as it is written. The question
goes through the same use case as the API's and the page's (`service.assistant.use_cases`),
as an anonymous caller: same limits, same errors, no territory."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from service.assistant.asking import AskRequest
    from service.assistant.use_cases import AssistantService

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ask`` to the ``territoires`` parser."""
    ask = sub.add_parser("ask", help="poser une question à l'assistant documentaire")
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument("--k", type=int, default=5, help="passages donnés à la réponse (défaut 5)")
    ask.add_argument("--json", action="store_true", help="sortie JSON (réponse, citations, durées)")
    ask.set_defaults(func=_ask)


def _ask(args: argparse.Namespace) -> int:
    import anyio

    from knowledge.errors import KnowledgeError
    from service.assistant.asking import AskRequest
    from service.assistant.provider import AssistantProvider
    from service.assistant.use_cases import AssistantService
    from service.documents.provider import KnowledgeProvider
    from service.platform.errors import DomainError
    from service.platform.settings import load_settings

    settings = load_settings()
    provider = AssistantProvider(settings, KnowledgeProvider(settings), k=args.k)
    assistant = AssistantService(provider, principal=None)
    request = AskRequest(question=args.question)
    try:
        if args.json:
            answer = anyio.run(assistant.ask, request)
            sys.stdout.write(msgspec.json.format(msgspec.json.encode(answer).decode()) + "\n")
            return 1 if answer.refused else 0
        return anyio.run(_print_stream, assistant, request)
    except DomainError as exc:
        print(f"Erreur : {exc.detail}", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


async def _print_stream(assistant: AssistantService, request: AskRequest) -> int:
    """Print the answer as it is written, then its sources; 1 when the gate refused."""
    from knowledge.assistant import Done, Sources, Token

    refused = False
    streamed = ""
    async for event in await assistant.stream(request):
        match event:
            case Sources():
                refused = event.refused
            case Token():
                streamed += event.text
                print(event.text, end="", flush=True)
            case Done():
                final = event.answer
                if final.answer.strip() != streamed.strip():
                    # the model's text was replaced (no valid citation): show the final one
                    print("\n\n" + final.answer, end="")
                if final.mode == "generative" and final.citations:
                    print("\n\nSources :")
                    for c in final.citations:
                        print(f"[{c.number}] {c.title} ({c.source})")
                print()
    return 1 if refused else 0
