"""Checks that every sentence of an extractive answer is labelled with the section it really
comes from: the sentence is looked up in its document's Markdown file, and the nearest heading
above it (a Markdown heading, or a bold paragraph ending with a colon) must be the last part of
its citation's section (or, for a citation without section, the document's opening, before any
sub-heading)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from knowledge.assistant.intent import fold
from knowledge.assistant.types import AssistantAnswer, Citation
from knowledge.retrieval import KnowledgeBase

__all__ = ["label_problems", "sentence_citations"]

_CITED = re.compile(r"(?P<text>[^\[\]\n]+?)\s*\[(?P<n>\d+)\]")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BOLD_LEAD = re.compile(r"^\*\*([^*]+)\*\*\s*:\s*$")
"""A bold paragraph ending with a colon: the document's own heading of what follows (the
extraction drops the bold, so that it reads like a heading the chunker kept)."""
_TAIL_WORDS = 7


def _letters(text: str) -> str:
    text = re.sub(r"\]\([^)]*\)", "", text)  # Markdown links keep their text
    return "".join(c for c in fold(text) if c.isalnum())


@cache
def _sections(path: Path) -> list[tuple[set[str | None], int, str]]:
    """For each heading of `path`: the headings its text may be labelled with (itself, and the
    Markdown heading above a bold lead), its depth, and the letters of the text under it."""
    out: list[tuple[set[str | None], int, list[str]]] = [({None}, 0, [])]
    markdown: str | None = None
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("\n---", 1)[-1]
    for line in text.splitlines():
        match = _HEADING.match(line.strip())
        bold = _BOLD_LEAD.match(line.strip())
        if match:
            markdown = re.sub(r"[*_`]", "", match.group(2)).strip()
            out.append(({markdown}, len(match.group(1)), []))
        elif bold:
            out.append(({bold.group(1).strip(), markdown}, 7, []))
        else:
            out[-1][2].append(line)
    return [(names, d, _letters(" ".join(body))) for names, d, body in out]


def sentence_citations(answer: AssistantAnswer) -> list[tuple[str, Citation]]:
    """Each cited sentence of the answer with the citation it carries."""
    by_number = {c.number: c for c in answer.citations}
    found: list[tuple[str, Citation]] = []
    for paragraph in answer.answer.split("\n"):
        for match in _CITED.finditer(paragraph):
            citation = by_number.get(int(match.group("n")))
            if citation is not None and citation.kind == "passage":
                found.append((match.group("text").strip(), citation))
    return found


def _paths(kb: KnowledgeBase) -> dict[str, Path]:
    return {
        str(meta["document_id"]): Path(str(meta["path"]))
        for _, _, meta in kb.store.records(text=False)
        if meta.get("path")
    }


def label_problems(kb: KnowledgeBase, answers: list[AssistantAnswer]) -> list[str]:
    """Sentences whose citation names another section than the one they come from."""
    paths = _paths(kb)
    problems: list[str] = []
    for answer in answers:
        for sentence, citation in sentence_citations(answer):
            path = paths.get(citation.document_id or "")
            if path is None or path.suffix.lower() not in {".md", ".markdown"}:
                continue
            words = sentence.rstrip(" .").split()
            tail = _letters(" ".join(words[-_TAIL_WORDS:]))
            homes = [(h, d) for h, d, body in _sections(path) if tail and tail in body]
            if not homes:
                problems.append(f"{answer.question!r}: introuvable dans {path.name}: {sentence!r}")
                continue
            leaf = citation.section.rsplit(" > ", 1)[-1] if citation.section else None
            if leaf is None and any(d <= 1 for _, d in homes):
                continue
            names = {fold(n) for h, _ in homes for n in h if n}
            if leaf is not None and fold(leaf) in names:
                continue
            problems.append(
                f"{answer.question!r}: [{citation.number}] « {leaf} » mais la phrase est sous "
                f"« {sorted(names)} » : {sentence[:80]!r}"
            )
    return problems
