"""``territoires ask "QUESTION"``: the assistant on the terminal (extractive offline, generative
when ``TERRITOIRES_LLM_BASE_URL`` is set); the answer is printed as it is written."""

from __future__ import annotations

import argparse
import sys

import msgspec

from knowledge.errors import KnowledgeError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ask`` to the ``territoires`` parser."""
    ask = sub.add_parser("ask", help="poser une question à l'assistant documentaire")
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument("--k", type=int, default=5, help="passages donnés à la réponse (défaut 5)")
    ask.add_argument("--json", action="store_true", help="sortie JSON (réponse, citations, durées)")
    ask.set_defaults(func=_ask)


def _ask(args: argparse.Namespace) -> int:
    from knowledge.assistant.chain import Assistant, AssistantRequest
    from knowledge.assistant.llm import LLMConfig, make_chat_model
    from knowledge.assistant.types import Done, Sources, Token
    from knowledge.config import KnowledgeConfig
    from knowledge.retrieval import KnowledgeBase
    from service.platform.settings import load_settings

    settings = load_settings()
    try:
        kb = KnowledgeBase.open(KnowledgeConfig.from_settings(settings))
    except KnowledgeError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    config = LLMConfig.from_settings(settings)
    assistant = Assistant(kb, make_chat_model(config) if config else None, k=args.k)
    request = AssistantRequest(question=args.question)
    if args.json:
        answer = assistant.ask(request)
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(answer).decode()) + "\n")
        return 1 if answer.refused else 0
    refused = False
    streamed = ""
    for event in assistant.stream(request):
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
