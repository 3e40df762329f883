"""The assistant's question rules, shared by the API, the page and the CLI, and the events of
a streamed answer as Server-Sent Events carry them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import anyio
import msgspec
import pytest

from knowledge.assistant import AssistantAnswer, AssistantEvent, Done, Sources, Token
from service.accounts.auth import Principal
from service.assistant.asking import (
    MAX_QUESTION,
    checked_question,
    conversation_key,
    issue_conversation,
    verified_conversation,
)
from service.assistant.use_cases import AnswerStream
from service.platform.errors import InvalidInputError


def test_a_question_has_its_spaces_collapsed() -> None:
    assert checked_question("  Où en   sommes-nous ?\n") == "Où en sommes-nous ?"
    assert len(checked_question("x" * MAX_QUESTION)) == MAX_QUESTION
    spaced = "x   " * 1000  # 4,000 characters typed, 1,999 once the spaces are collapsed
    assert checked_question(spaced) == " ".join(["x"] * 1000)


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("", "La question est vide."),
        (" \n\t ", "La question est vide."),
        ("x" * (MAX_QUESTION + 1), "La question dépasse 2000 caractères."),
        ("mot " * 500 + "de trop", "La question dépasse 2000 caractères."),
    ],
)
def test_an_empty_or_too_long_question_is_invalid_input(question: str, detail: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        checked_question(question)
    assert raised.value.detail == detail


def test_conversation_ids_are_issued_to_their_owner_only() -> None:
    made = issue_conversation("clé", "anonyme")
    assert made != issue_conversation("clé", "anonyme")  # 128 random bits each time
    assert verified_conversation(made, "clé", "anonyme") == made
    assert verified_conversation(made, "clé", "un-compte") is None  # another owner
    assert verified_conversation(made, "autre clé", "anonyme") is None  # not ours
    token, signature = made.split(".")
    assert verified_conversation(f"{token}.{signature[::-1]}", "clé", "anonyme") is None
    for chosen in (None, "", "abc", "test", "x" * 100, "a.b.c"):  # nobody picks an id
        assert verified_conversation(chosen, "clé", "anonyme") is None


def test_conversations_are_kept_per_caller() -> None:
    who = Principal(uuid.uuid4(), "a@exemple.fr", "A", "member", "64122", "api_key")
    assert conversation_key(who, "c") == f"{who.user_id}:c"
    assert conversation_key(None, "c") == "anonyme:c"


def test_a_stream_names_its_events_for_server_sent_events() -> None:
    answer = AssistantAnswer(
        question="q", query="q", answer="Réponse [1].", citations=[], refused=False,
        mode="extractive", conversation_id="c1",
    )  # fmt: skip
    events: list[AssistantEvent] = [
        Sources(sources=[], refused=False, mode="extractive", query="q"),
        Token("Réponse "),
        Token("[1]."),
        Done(answer),
    ]

    async def given() -> AsyncIterator[AssistantEvent]:
        for event in events:
            yield event

    async def collect() -> list[tuple[str, object]]:
        return [m async for m in AnswerStream("c1", given()).messages()]

    messages = anyio.run(collect)
    assert [name for name, _ in messages] == ["sources", "token", "token", "done"]
    sources = msgspec.json.decode(msgspec.json.encode(messages[0][1]))
    assert sources == {"sources": [], "refused": False, "mode": "extractive", "query": "q",
                       "conversation_id": "c1"}  # fmt: skip
    assert msgspec.json.decode(msgspec.json.encode(messages[1][1]))["text"] == "Réponse "
    assert messages[3][1] is answer
