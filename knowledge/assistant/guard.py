"""Output check of the generative answer: no copy of the assistant's instructions, and nothing
whose only support is an instruction-like passage (`knowledge.injection`).

- *Prompt copy*: eight consecutive words of the system prompt or of the answer template's
  instructions (words folded to lowercase ASCII) are a leak, unless a source given to the
  model contains them too.
- *Injected text*: when a passage given to the model holds instruction-like sentences (flagged
  at ingestion, or found now), the answer may not contain four consecutive words, a number or a
  word of five letters or more that appears in such a sentence and nowhere else (not in the
  rest of the sources, the question or the instructions): an obedient model repeating an
  injected payload is caught even when it rephrases around it.

`AnswerCheck.problem` judges a whole text; `StreamCheck` releases a stream word by word and
stops at the first word that breaks a rule, so that a reader never sees it. Either way the
chain then falls back to the extractive answer and logs why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final, Literal

from knowledge.assistant.types import Citation
from knowledge.injection import fold, instruction_sentences

__all__ = [
    "FLAGGED_NGRAM",
    "PROMPT_NGRAM",
    "AnswerCheck",
    "Problem",
    "StreamCheck",
    "flagged_sentences",
    "flagged_source",
    "words",
]

PROMPT_NGRAM: Final = 8
"""Consecutive words of the instructions that make a copy."""
FLAGGED_NGRAM: Final = 4
"""Consecutive words of an instruction-like passage that make a repetition."""
_CONTENT_LETTERS: Final = 5
_WORD: Final = re.compile(r"[a-z0-9]+")
_HELD_MAX: Final = 200
"""Characters held back while waiting for the end of a word; longer, it is checked as is."""

Problem = Literal["consignes", "injection"]
"""Why an answer was refused: it copies the instructions, or repeats injected text."""


def words(text: str) -> list[str]:
    """The words of `text`, folded to lowercase ASCII (punctuation dropped)."""
    return _WORD.findall(fold(text))


def _ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def flagged_sentences(source: Citation) -> list[str]:
    """A source's instruction-like sentences: flagged at ingestion, or found now (an index
    written before the flags, or patterns added since)."""
    if source.kind != "passage":
        return []
    found = instruction_sentences(source.title, source.section, source.text)
    return list(dict.fromkeys([*source.flagged, *found]))


def flagged_source(source: Citation) -> bool:
    """Whether a source holds instruction-like sentences."""
    return bool(flagged_sentences(source))


def _without(text: str, sentences: Sequence[str]) -> str:
    for sentence in sentences:
        text = text.replace(sentence, " ")
    return text


def _content(word: str) -> bool:
    return any(c.isdigit() for c in word) or len(word) >= _CONTENT_LETTERS


class AnswerCheck:
    """The rules for one answer, from the instructions, the sources and the question."""

    def __init__(
        self, instructions: Iterable[str], sources: Sequence[Citation], question: str
    ) -> None:
        flagged = {s.number: flagged_sentences(s) for s in sources}
        clean_words = [words(_without(s.text, flagged[s.number])) for s in sources]
        # a source may quote the instructions' words; the question may not excuse a copy
        source_ngrams = set().union(*(_ngrams(w, PROMPT_NGRAM) for w in clean_words))
        told = [words(t) for t in instructions]
        self._prompt = set().union(*(_ngrams(w, PROMPT_NGRAM) for w in told)) - source_ngrams
        clean_words.append(words(question))
        known = set().union(*clean_words, *told)
        bad_words = [words(sentence) for found in flagged.values() for sentence in found]
        self._flagged_words = {w for w in set().union(*bad_words) if _content(w)} - known
        clean_ngrams = set().union(*(_ngrams(w, FLAGGED_NGRAM) for w in clean_words))
        self._flagged_ngrams = (
            set().union(*(_ngrams(w, FLAGGED_NGRAM) for w in bad_words)) - clean_ngrams
        )

    def problem_in(self, tokens: Sequence[str], start: int = 0) -> Problem | None:
        """The first rule broken by a word of `tokens` from position `start` on (the words
        before it only complete the n-grams that end there)."""
        for end in range(max(start, 0), len(tokens)):
            if end + 1 >= PROMPT_NGRAM and tuple(tokens[end + 1 - PROMPT_NGRAM : end + 1]) in (
                self._prompt
            ):
                return "consignes"
            if tokens[end] in self._flagged_words or (
                end + 1 >= FLAGGED_NGRAM
                and tuple(tokens[end + 1 - FLAGGED_NGRAM : end + 1]) in self._flagged_ngrams
            ):
                return "injection"
        return None

    def problem(self, text: str) -> Problem | None:
        """The rule `text` breaks, if any."""
        return self.problem_in(words(text))


class StreamCheck:
    """Releases a streamed answer whole words at a time, and nothing from the first word that
    breaks a rule (`problem` then says which)."""

    def __init__(self, check: AnswerCheck) -> None:
        self._check = check
        self._held = ""
        self._tokens: list[str] = []
        self.problem: Problem | None = None

    def feed(self, piece: str) -> str:
        """The text that can be shown now."""
        if self.problem is not None:
            return ""
        text = self._held + piece
        cut = max(text.rfind(" "), text.rfind("\n"))
        if cut < 0 and len(text) <= _HELD_MAX:
            self._held = text
            return ""
        ready, self._held = (text, "") if cut < 0 else (text[: cut + 1], text[cut + 1 :])
        return self._release(ready)

    def flush(self) -> str:
        """Whatever is still held back, if it passes."""
        if self.problem is not None:
            return ""
        ready, self._held = self._held, ""
        return self._release(ready)

    def _release(self, ready: str) -> str:
        start = len(self._tokens)
        self._tokens.extend(words(ready))
        self.problem = self._check.problem_in(self._tokens, start)
        return "" if self.problem is not None else ready
