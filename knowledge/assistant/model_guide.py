"""Questions about the maturity model itself, answered from the model file and the scoring
engine's rules, exactly: how a score, the index or the level is computed, what level N of a
dimension means, how to go from level N to N+1 on a dimension, why a level is capped.

The answer is a source of its own (``kind = "model"``), linked to the model's public page
(``/modele`` or ``/modele/<dimension>``); the literature's passages come after it. It is
written in the question's language: the model file gives every label and descriptor in French
and English (`maturity.texts.Text`), the sentences around them are in `_WORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from knowledge.assistant.intent import Language, fold
from maturity.model import Dimension, Level, Model
from maturity.texts import Text

__all__ = ["ModelAnswer", "ModelGuide"]

_STEP = re.compile(
    r"\b(?:niveau|level)\s*(\d)\s*(?:au|à|a|vers|to|->|→)\s*(?:(?:niveau|level)\s*)?(\d)"
)
_MEANING = re.compile(
    r"\b(?:signifie|veut dire|correspond|c'est quoi|qu'est-ce que|mean|means|meaning)\b.*?"
    r"\b(?:niveau|level)\s*(\d)|\b(?:niveau|level)\s*(\d)\b.*?\b(?:signifie|veut dire|"
    r"correspond|mean|means)\b"
)
_COMPUTE = re.compile(
    r"\b(?:calcul\w*|comput\w*|obtenu|obtient|determin\w*|d[ée]termin\w*|worked out)\b"
)
_COMPUTED = re.compile(r"\b(?:indice|index|score|niveau|level)s?\b")
_CAP = re.compile(r"\b(?:plafonn\w*|plafond|capped|cap|limit[ée]e?|limited|bloqu\w*)\b")
_LEVEL_WORD = re.compile(r"\b(?:niveau|level)\b")
_MODEL_PAGE: Final = "/modele"
_WORDS: Final[dict[Language, dict[str, str]]] = {
    "fr": {
        "title": "Modèle de maturité, édition {edition}",
        "at_least": "un score d'au moins {min} sur 100",
        "below": " et moins de {max}",
        "quoted": "« {text} » : {descriptor}",
        "step": "Dans le modèle (édition {edition}), la dimension « {dimension} » est au niveau "
        "{target}{name} avec {target_range} ; le niveau {start} correspond à {start_range}.",
        "average": "Le score de la dimension est la moyenne pondérée de ses {count} réponses "
        "ramenées à leur maximum : passer du niveau {start} au niveau {target}, c'est en élever "
        "la moyenne jusqu'à ce seuil.",
        "questionnaire": "Dans le questionnaire, la réponse de niveau {level} décrit, question "
        "par question :",
        "meaning": "Dans le modèle (édition {edition}), le niveau {number} ({label}) correspond "
        "à {range}{text}",
        "in_dimension": "En « {dimension} », la réponse de niveau {number} décrit, question par "
        "question :",
        "scale_item": "{level} {label} (dès {min})",
        "same_weight": "toutes du même poids",
        "weighted": "pondérées : ",
        "score": "Dans le modèle (édition {edition}), le score d'une dimension est la moyenne "
        "pondérée de ses réponses ramenées à leur maximum, de 0 à 100 ; « non concerné » retire "
        "la question du calcul, « je ne sais pas » compte comme une réponse manquante.",
        "index": "L'indice global est la moyenne des {count} dimensions, {weighting}.",
        "scale": "Le niveau se lit sur l'indice : {scale}.",
        "cap_rule": "Ce niveau est plafonné à un cran au-dessus du niveau de la dimension la plus "
        "faible : un territoire ne peut pas être « Intégré » avec une dimension restée "
        "« Initiale ».",
        "no_cap": "Dans le modèle (édition {edition}), le niveau n'est pas plafonné.",
        "cap_scale": "Dans le modèle (édition {edition}), le niveau se lit d'abord sur l'indice : "
        "{scale}.",
        "lift": "Pour lever le plafond, c'est la dimension la plus faible qu'il faut faire "
        "progresser, pas l'indice.",
    },
    "en": {
        "title": "Maturity model, edition {edition}",
        "at_least": "a score of at least {min} out of 100",
        "below": " and below {max}",
        "quoted": "“{text}”: {descriptor}",
        "step": "In the model (edition {edition}), the “{dimension}” dimension is at level "
        "{target}{name} with {target_range}; level {start} means {start_range}.",
        "average": "The dimension's score is the weighted average of its {count} answers, each "
        "relative to its maximum: going from level {start} to level {target} means raising that "
        "average up to the threshold.",
        "questionnaire": "In the questionnaire, the level {level} answer reads, question by "
        "question:",
        "meaning": "In the model (edition {edition}), level {number} ({label}) means {range}{text}",
        "in_dimension": "In “{dimension}”, the level {number} answer reads, question by question:",
        "scale_item": "{level} {label} (from {min})",
        "same_weight": "all with the same weight",
        "weighted": "weighted: ",
        "score": "In the model (edition {edition}), a dimension's score is the weighted average "
        "of its answers, each relative to its maximum, from 0 to 100; “not applicable” removes "
        "the question from the computation, “I don't know” counts as a missing answer.",
        "index": "The overall index is the average of the {count} dimensions, {weighting}.",
        "scale": "The level is read from the index: {scale}.",
        "cap_rule": "That level is capped at one step above the level of the weakest dimension: "
        "a territory cannot be “Integrated” with a dimension still “Initial”.",
        "no_cap": "In the model (edition {edition}), the level is not capped.",
        "cap_scale": "In the model (edition {edition}), the level is first read from the index: "
        "{scale}.",
        "lift": "To lift the cap, it is the weakest dimension that must progress, not the index.",
    },
}
"""The sentences around the model's own texts, in each answer language."""
_SKIP: Final = frozenset({"et", "des", "de", "du", "la", "le", "les", "and", "of", "the"})


class ModelAnswer:
    """What the model says on a question: a title, its sentences, the page to read."""

    def __init__(
        self, title: str, sentences: list[str], link: str, topic: str | None = None
    ) -> None:
        self.title = title
        self.sentences = sentences
        self.link = link
        self.topic = topic
        """The dimension's label when the answer is about one."""

    @property
    def text(self) -> str:
        """The sentences, one per line."""
        return "\n".join(self.sentences)


def _num(value: float, lang: Language = "fr") -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "fr" else text


class ModelGuide:
    """Answers questions about `model` from the model itself, in the question's language."""

    def __init__(self, model: Model, link: str = _MODEL_PAGE) -> None:
        self.model = model
        self.link = link

    def answer(self, question: str, language: Language = "fr") -> ModelAnswer | None:
        """The model's answer to `question`, in `language`, or None when it is not about
        the model."""
        return _Reading(self.model, self.link, language).answer(question)


class _Reading:
    """One answer's reading of the model, in one language."""

    def __init__(self, model: Model, link: str, lang: Language) -> None:
        self.model = model
        self.link = link
        self.lang = lang

    def _say(self, key: str, **values: object) -> str:
        return _WORDS[self.lang][key].format(**values)

    def _t(self, text: Text | None) -> str:
        return text.get(self.lang) if text is not None else ""

    def _dimension(self, question: str) -> Dimension | None:
        """The dimension the question names (most of its label's words, or its id)."""
        folded = fold(question)
        best: tuple[int, Dimension | None] = (0, None)
        for d in self.model.dimensions:
            words = {w for w in re.findall(r"[a-z]{4,}", fold(d.label.fr)) if w not in _SKIP}
            words |= {w for w in re.findall(r"[a-z]{4,}", fold(d.label.en or "")) if w}
            found = sum(1 for w in words if re.search(rf"\b{w}", folded))
            found += 2 if fold(d.id.replace("_", " ")) in folded else 0
            if found > best[0]:
                best = (found, d)
        return best[1]

    def _level(self, number: int) -> Level | None:
        return next((lv for lv in self.model.levels if lv.level == number), None)

    def answer(self, question: str) -> ModelAnswer | None:
        folded = fold(question)
        edition = self.model.model.version
        if step := _STEP.search(folded):
            dimension = self._dimension(question)
            if dimension is not None:
                return self._step(dimension, int(step.group(1)), int(step.group(2)), edition)
        if meaning := _MEANING.search(folded):
            number = int(meaning.group(1) or meaning.group(2))
            return self._meaning(self._dimension(question), number, edition)
        if _CAP.search(folded) and _LEVEL_WORD.search(folded):
            return self._cap(edition)
        if _COMPUTE.search(folded) and _COMPUTED.search(folded):
            return self._computation(edition)
        return None

    def _title(self, edition: str, dimension: Dimension | None = None) -> str:
        head = self._say("title", edition=edition)
        return f"{head} — {self._t(dimension.label)}" if dimension else head

    def _page(self, dimension: Dimension | None = None) -> str:
        return f"{self.link}/{dimension.id}" if dimension else self.link

    def _thresholds(self, number: int) -> str:
        level = self._level(number)
        if level is None:
            return ""
        following = self._level(number + 1)
        upper = self._say("below", max=_num(following.min, self.lang)) if following else ""
        return self._say("at_least", min=_num(level.min, self.lang)) + upper

    def _descriptors(self, dimension: Dimension, answer_level: int) -> Iterable[str]:
        for q in dimension.questions:
            if answer_level < len(q.levels):
                yield self._say(
                    "quoted", text=self._t(q.label), descriptor=self._t(q.levels[answer_level])
                )

    def _answer(
        self, sentences: list[str], edition: str, dimension: Dimension | None
    ) -> ModelAnswer:
        topic = dimension.label.fr if dimension else None
        return ModelAnswer(self._title(edition, dimension), sentences, self._page(dimension), topic)

    def _step(self, dimension: Dimension, start: int, target: int, edition: str) -> ModelAnswer:
        level = self._level(target)
        name = f" ({self._t(level.label)})" if level else ""
        label, count = self._t(dimension.label), len(dimension.questions)
        sentences = [
            self._say(
                "step",
                edition=edition,
                dimension=label,
                target=target,
                name=name,
                target_range=self._thresholds(target),
                start=start,
                start_range=self._thresholds(start),
            ),
            self._say("average", count=count, start=start, target=target),
            self._say("questionnaire", level=min(target, 4)),
            *self._descriptors(dimension, min(target, 4)),
        ]
        return self._answer(sentences, edition, dimension)

    def _meaning(self, dimension: Dimension | None, number: int, edition: str) -> ModelAnswer:
        level = self._level(number)
        sentences: list[str] = []
        if level is not None:
            text = f" : {self._t(level.description)}" if level.description else "."
            text = text.replace(" : ", ": ") if self.lang == "en" else text
            sentences.append(
                self._say(
                    "meaning",
                    edition=edition,
                    number=number,
                    label=self._t(level.label),
                    range=self._thresholds(number),
                    text=text,
                )
            )
        if dimension is not None and number <= 4:
            sentences.append(
                self._say("in_dimension", dimension=self._t(dimension.label), number=number)
            )
            sentences.extend(self._descriptors(dimension, number))
        if not sentences:
            return self._computation(edition)
        return self._answer(sentences, edition, dimension)

    def _scale(self) -> str:
        return ", ".join(
            self._say(
                "scale_item", level=lv.level, label=self._t(lv.label), min=_num(lv.min, self.lang)
            )
            for lv in self.model.levels
        )

    def _computation(self, edition: str) -> ModelAnswer:
        weights = {d.weight for d in self.model.dimensions}
        weighting = (
            self._say("same_weight")
            if len(weights) == 1
            else self._say("weighted")
            + ", ".join(
                f"{self._t(d.label)} {_num(d.weight, self.lang)}" for d in self.model.dimensions
            )
        )
        sentences = [
            self._say("score", edition=edition),
            self._say("index", count=len(self.model.dimensions), weighting=weighting),
            self._say("scale", scale=self._scale()),
        ]
        if self.model.cap_levels:
            sentences.append(self._say("cap_rule"))
        return ModelAnswer(self._title(edition), sentences, self.link)

    def _cap(self, edition: str) -> ModelAnswer:
        if not self.model.cap_levels:
            sentences = [self._say("no_cap", edition=edition)]
        else:
            sentences = [
                self._say("cap_scale", edition=edition, scale=self._scale()),
                self._say("cap_rule"),
                self._say("lift"),
            ]
        return ModelAnswer(self._title(edition), sentences, self.link)
