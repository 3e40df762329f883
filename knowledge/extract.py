"""Clean text out of Markdown, plain text, HTML and PDF files, as blocks under their headings.

`read_document` checks the file (size, emptiness, binary content, encoding, YAML header, length
of the extracted text) and raises `DocumentError` with a French reason; it never returns a
half-read document. Text past the limit stops the extraction as soon as it is read, so a page
holding megabytes of text is refused in the time it takes to read the limit, not the whole.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from knowledge.builtin import document_id_for, provenance_of, public_source
from knowledge.errors import DocumentError
from knowledge.frontmatter import read_front_matter
from knowledge.html_text import html_blocks
from knowledge.limits import DEFAULT_MAX_BYTES, IngestLimits
from knowledge.types import Block, ParsedDocument

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "detect_language",
    "document_id_for",
    "parse_bytes",
    "read_document",
]

FORMATS: Mapping[str, str] = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
"""Supported file suffixes and the format each is read as."""
_MAX_TITLE = 300


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FR_MARKERS = _set("le la les des du une est et pour dans sur avec qui que pas sont")
_EN_MARKERS = _set("the of and to is are for with that this on by be from as")


class _Budget:
    """Counts the characters of text extracted and refuses past the limit."""

    def __init__(self, limits: IngestLimits) -> None:
        self._limits = limits
        self.used = 0

    def __call__(self, count: int) -> None:
        self.used += count
        self._limits.check_chars(self.used)

    def foresee(self, at_least: int) -> None:
        """Refuse now when text still to be extracted will, at the least, pass the limit."""
        self._limits.check_chars(self.used + at_least)


def detect_language(text: str) -> str:
    """``fr`` or ``en``, by counting frequent function words (French when in doubt)."""
    words = re.findall(r"[a-zà-ÿ]+", text[:20_000].lower())
    fr = sum(w in _FR_MARKERS for w in words)
    en = sum(w in _EN_MARKERS for w in words)
    return "en" if en > 1.5 * fr else "fr"


def read_document(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    limits: IngestLimits | None = None,
    stored_as: Path | None = None,
) -> tuple[ParsedDocument, bytes]:
    """Read and parse `path`; returns the document and the raw bytes it was parsed from.

    `stored_as` is where the file will be kept when it is not `path` (an upload read from its
    staging file): the document's id, format, source and provenance come from it."""
    limits = limits or IngestLimits(max_bytes=max_bytes)
    logical = stored_as or path
    fmt = FORMATS.get(logical.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise DocumentError(
            f"format non pris en charge ({logical.suffix or 'sans extension'}) ; "
            f"extensions acceptées : {known}"
        )
    try:
        size = path.stat().st_size
        if limits.max_bytes and size > limits.max_bytes:
            raise DocumentError(
                f"fichier trop volumineux ({size / 1e6:.1f} Mo, "
                f"limite {limits.max_bytes / 1e6:.1f} Mo)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"fichier illisible ({exc.strerror or exc})") from exc
    return parse_bytes(data, fmt, logical, limits), data


def parse_bytes(
    data: bytes, fmt: str, path: Path, limits: IngestLimits | None = None
) -> ParsedDocument:
    """Parse raw bytes of a file of format `fmt` (``md``, ``txt``, ``html``, ``pdf``) kept as
    `path`, within `limits` (no limit on the text when None)."""
    if not data.strip():
        raise DocumentError("fichier vide")
    budget = _Budget(limits or IngestLimits(max_chars=0))
    match fmt:
        case "pdf":
            meta, blocks = _pdf(data, budget)
        case "md":
            meta, blocks = _markdown(_decode(data), budget)
        case "html":
            meta, blocks = html_blocks(_decode(data), budget)
        case "txt":
            meta, blocks = _text(_decode(data), budget)
        case _:
            raise DocumentError(f"format inconnu « {fmt} » (md, txt, html ou pdf)")
    blocks = [b for b in blocks if re.search(r"\w", b.text)]
    if not blocks:
        raise DocumentError("aucun texte exploitable dans le fichier")
    body = " ".join(b.text for b in blocks[:50])
    title = str(meta.get("title") or "").strip() or _first_heading(blocks) or path.stem
    references = meta.get("sources") or meta.get("references") or []
    if isinstance(references, str):
        references = [references]
    return ParsedDocument(
        id=str(meta.get("id") or document_id_for(path)),
        title=_clean_inline(title)[:_MAX_TITLE],
        source=str(meta.get("source") or meta.get("url") or public_source(path)),
        language=str(meta.get("language") or meta.get("lang") or detect_language(body))[:2],
        format=fmt,
        blocks=blocks,
        path=str(path.resolve()),
        provenance=provenance_of(path),
        references=[str(r).strip() for r in references if str(r).strip()],
        dimensions=[str(d) for d in meta.get("dimensions") or []],
    )


def _first_heading(blocks: list[Block]) -> str | None:
    return next((b.headings[0] for b in blocks if b.headings), None)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("fichier binaire : ce n'est pas du texte")
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"encodage illisible : le texte n'est pas en UTF-8 (octet invalide en position "
            f"{exc.start})"
        ) from exc


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _clean_inline(text: str) -> str:
    """Markdown inline markup to plain text: links keep their label, no emphasis markers."""
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub(r"(?<!\w)\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)", r"\1", text)
    text = text.replace("\\*", "*").replace("\\_", "_")
    return re.sub(r"[ \t]+", " ", text).strip()


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def _markdown(text: str, budget: _Budget) -> tuple[dict[str, Any], list[Block]]:
    meta, body = read_front_matter(text)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    para: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if para:
            joined = "\n".join(para) if fence is not None else _join_lines(para)
            budget(len(joined))
            blocks.append(Block(joined, tuple(h for _, h in stack)))
            para.clear()

    for line in body.splitlines():
        if fence is not None:
            if line.strip().startswith(fence):
                flush()
                fence = None
            else:
                para.append(line)
            continue
        if m := _FENCE.match(line):
            flush()
            fence = m.group(1)
            continue
        if m := _HEADING.match(line):
            flush()
            level = len(m.group(1))
            stack = [(lv, h) for lv, h in stack if lv < level]
            stack.append((level, _clean_inline(m.group(2))[:_MAX_TITLE]))
            continue
        stripped = line.strip()
        if not stripped or (_TABLE_RULE.match(stripped) and set(stripped) <= set("|:- ")):
            if not stripped:
                flush()
            continue
        stripped = re.sub(r"^(>\s?)+", "", stripped)
        if stripped.startswith("|"):
            stripped = " ; ".join(c.strip() for c in stripped.strip("|").split("|") if c.strip())
        if not stripped:
            flush()
            continue
        para.append(_clean_inline(stripped))
    flush()
    return meta, blocks


def _join_lines(lines: list[str]) -> str:
    """Join a paragraph's lines; list items and table rows stay on their own line."""
    out: list[str] = []
    for line in lines:
        starts_item = bool(re.match(r"([-*+•]|\d+[.)])\s", line)) or " ; " in line
        if out and not starts_item:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def _text(text: str, budget: _Budget) -> tuple[dict[str, Any], list[Block]]:
    budget(len(text.strip()))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    meta: dict[str, Any] = {}
    if len(paragraphs) > 1 and "\n" not in paragraphs[0] and len(paragraphs[0]) <= 150:
        meta["title"] = paragraphs[0]
        paragraphs = paragraphs[1:]
    return meta, [Block(_join_lines([ln.strip() for ln in p.splitlines()])) for p in paragraphs]


def _pdf(data: bytes, budget: _Budget) -> tuple[dict[str, Any], list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5] == b"%PDF-":
        raise DocumentError("ce n'est pas un PDF valide (en-tête %PDF- absent)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF protégé par un mot de passe")
        meta: dict[str, Any] = {}
        info = reader.metadata
        if info is not None and info.title and len(info.title.strip()) > 3:
            meta["title"] = info.title.strip()
        outline = dict(_outline_pages(reader))
        blocks: list[Block] = []
        section: tuple[str, ...] = ()
        for number, page in enumerate(reader.pages, start=1):
            section = outline.get(number, section)
            budget.foresee(_least_text(page))  # a megabyte page is refused before extraction
            text = page.extract_text() or ""
            budget(len(text))
            for paragraph in _pdf_paragraphs(text):
                blocks.append(Block(paragraph, section, number))
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"PDF illisible ou corrompu ({type(exc).__name__} : {exc})") from exc
    if not blocks:
        raise DocumentError("aucun texte extractible du PDF (document numérisé sans OCR ?)")
    return meta, blocks


_PDF_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>")


def _least_text(page: Any) -> int:
    """A lower bound of the characters a page's own content stream shows: half the bytes of
    its strings (a glyph takes one or two bytes), from the stream alone, without the layout
    work of `extract_text` (seconds for a page holding megabytes)."""
    contents = page.get_contents()
    if contents is None:
        return 0
    total = 0
    for match in _PDF_STRING.finditer(contents.get_data()):
        token = match.group()
        total += len(token) - 2 if token.startswith(b"(") else (len(token) - 2) // 2
    return total // 2


def _outline_pages(reader: Any) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(first page, heading path) for each bookmark of the PDF outline, when it has one."""

    def walk(items: list[Any], path: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
        last: tuple[str, ...] = path
        for item in items:
            if isinstance(item, list):
                yield from walk(item, last)
                continue
            try:
                title = str(item.title).strip()
                page = reader.get_destination_page_number(item) + 1
            except Exception:  # a malformed bookmark only loses its heading
                continue
            last = (*path, title)
            yield page, last

    try:
        yield from walk(list(reader.outline), ())
    except Exception:  # no usable outline: passages simply have no section
        return


def _pdf_paragraphs(text: str) -> list[str]:
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    chunks = re.split(r"\n\s*\n", text)
    if len(chunks) == 1:
        # Many PDFs give no blank lines: start a paragraph after a line ending a sentence.
        chunks = re.split(r"(?<=[.!?:»])\s*\n(?=[A-ZÀ-Ý0-9•\-])", text)
    return [" ".join(c.split()) for c in chunks if c.strip()]
