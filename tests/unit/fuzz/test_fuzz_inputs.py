"""Fuzzing the two places where outside files enter: the model-file loader and document
parsing. Whatever the bytes, the answer is a result or the module's own error with a French
message, never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.errors import DocumentError
from knowledge.extract import parse_bytes
from maturity.model import ModelError, parse_model

MINI = (Path(__file__).parents[2] / "fixtures" / "mini-model.toml").read_bytes()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few bytes replaced, deleted or duplicated: near-valid inputs reach deep."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        match draw(st.sampled_from(["replace", "delete", "duplicate", "cut"])):
            case "replace":
                data[i] = draw(st.integers(0, 255))
            case "delete":
                del data[i : i + draw(st.integers(1, 40))]
            case "duplicate":
                data[i:i] = data[i : i + draw(st.integers(1, 80))]
            case "cut":
                del data[i:]
    return bytes(data)


@FUZZ
@given(st.one_of(st.binary(max_size=400), mutated(MINI)))
def test_model_loader_answers_or_refuses(data: bytes) -> None:
    try:
        model = parse_model(data, name="fuzz.toml")
    except ModelError as exc:
        assert str(exc).startswith("fuzz.toml : ")
    else:
        assert model.dimensions  # a loaded model is a usable one


DOCUMENTS = {
    "md": b"---\ntitle: Essai\nlanguage: fr\n---\n# Titre\n\nUn paragraphe sur le jumeau "
    b"num\xc3\xa9rique d'Angers.\n\n## Suite\n\n- un point\n- un autre\n",
    "html": b"<html><head><title>T</title><script>x()</script></head><body><nav>menu</nav>"
    b"<h1>Titre</h1><p>Texte <b>gras</b> et&nbsp;suite.</p><table><tr><td>a</td></tr></table>"
    b"</body></html>",
    "txt": b"Titre\n\nPremier paragraphe.\n\nSecond paragraphe, plus long que le premier.\n",
}


@FUZZ
@pytest.mark.parametrize("fmt", ["md", "html", "txt", "pdf"])
@given(data=st.data())
def test_document_parsing_answers_or_refuses(fmt: str, data: st.DataObject) -> None:
    base = DOCUMENTS.get(fmt, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    raw = data.draw(st.one_of(st.binary(max_size=600), mutated(base)))
    try:
        document = parse_bytes(raw, fmt, Path(f"fuzz.{fmt}"))
    except DocumentError as exc:
        assert str(exc)  # a reason to show next to the file's name
    else:
        assert document.blocks and all(b.text.strip() for b in document.blocks)
