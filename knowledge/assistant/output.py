"""A language model's answer as it streams: citations repaired (`citations`), instructions and
injected text refused (`guard`), and, when the data tools' figures are among the sources, no
number that no source gives (`figures`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from knowledge.assistant.citations import CitationFilter
from knowledge.assistant.figures import FigureCheck
from knowledge.assistant.guard import AnswerCheck, Problem, StreamCheck
from knowledge.assistant.llm import instruction_texts
from knowledge.assistant.types import Citation

__all__ = ["AnswerOutput"]


class AnswerOutput:
    """A model's stream through the citation repair, then the answer check."""

    def __init__(self, sources: Sequence[Citation], question: str, data: bool) -> None:
        self.citations = CitationFilter({s.number for s in sources})
        self.check = StreamCheck(AnswerCheck(instruction_texts(), sources, question))
        # with the data tools' figures among the sources, no number but theirs (or the question's)
        given = [s.text for s in sources] + [question]
        self.figures = FigureCheck(given) if data else None
        self.parts: list[str] = []

    def _checked(self, text: str, end: bool = False) -> str:
        if self.figures is None:
            return text
        return self.figures.feed(text) + (self.figures.flush() if end else "")

    def feed(self, content: object) -> str:
        """What can be shown of the model's next piece."""
        piece = self._checked(self.check.feed(self.citations.feed(str(content))))
        if piece:
            self.parts.append(piece)
        return piece

    @property
    def problem(self) -> Problem | Literal["chiffres"] | None:
        """The rule the answer broke, if any."""
        if self.check.problem is not None:
            return self.check.problem
        return "chiffres" if self.figures is not None and self.figures.problem else None

    @property
    def stopped(self) -> bool:
        """Whether the answer broke a rule (nothing more is shown)."""
        return self.problem is not None

    def text(self, failed: bool) -> str:
        """The whole text shown (none when the model failed), with what was held back."""
        if failed:
            self.parts = []
        rest = self.check.feed(self.citations.flush()) + self.check.flush()
        self.parts.append(self._checked(rest, end=True))
        return "".join(self.parts)
