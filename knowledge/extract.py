"""Clean text out of Markdown, plain text, HTML and PDF files, as blocks under their headings.

`read_document` checks the file (size, emptiness, binary content, encoding) and raises
`DocumentError` with a French reason; it never returns a half-read document.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import DocumentError
from knowledge.types import Block, ParsedDocument

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "detect_language",
    "document_id_for",
    "parse_bytes",
    "read_document",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
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


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FR_MARKERS = _set("le la les des du une est et pour dans sur avec qui que pas sont")
_EN_MARKERS = _set("the of and to is are for with that this on by be from as")


def document_id_for(path: Path) -> str:
    """A stable id from the file name: lowercase ASCII words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", path.stem)
    ascii_name = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or "document"


def detect_language(text: str) -> str:
    """``fr`` or ``en``, by counting frequent function words (French when in doubt)."""
    words = re.findall(r"[a-zà-ÿ]+", text[:20_000].lower())
    fr = sum(w in _FR_MARKERS for w in words)
    en = sum(w in _EN_MARKERS for w in words)
    return "en" if en > 1.5 * fr else "fr"


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[ParsedDocument, bytes]:
    """Read and parse `path`; returns the document and the raw bytes it was parsed from."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise DocumentError(
            f"format non pris en charge ({path.suffix or 'sans extension'}) ; "
            f"extensions acceptées : {known}"
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(
                f"fichier trop volumineux ({size / 1e6:.1f} Mo, limite {max_bytes / 1e6:.1f} Mo)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"fichier illisible ({exc.strerror or exc})") from exc
    return parse_bytes(data, fmt, path), data


def parse_bytes(data: bytes, fmt: str, path: Path) -> ParsedDocument:
    """Parse raw bytes of a file of format `fmt` (``md``, ``txt``, ``html``, ``pdf``)."""
    if not data.strip():
        raise DocumentError("fichier vide")
    match fmt:
        case "pdf":
            meta, blocks = _pdf(data)
        case "md":
            meta, blocks = _markdown(_decode(data))
        case "html":
            meta, blocks = _html(_decode(data))
        case "txt":
            meta, blocks = _text(_decode(data))
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
        title=_clean_inline(title),
        source=str(meta.get("source") or meta.get("url") or _display_path(path)),
        language=str(meta.get("language") or meta.get("lang") or detect_language(body))[:2],
        format=fmt,
        blocks=blocks,
        path=str(path.resolve()),
        references=[str(r).strip() for r in references if str(r).strip()],
        dimensions=[str(d) for d in meta.get("dimensions") or []],
    )


def _display_path(path: Path) -> str:
    """The path relative to the working directory when it is inside it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


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


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.DOTALL)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(f"en-tête YAML (front matter) invalide : {exc}") from exc
    if not isinstance(meta, dict):
        raise DocumentError("en-tête YAML (front matter) invalide : un dictionnaire est attendu")
    return meta, text[match.end() :]


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def _markdown(text: str) -> tuple[dict[str, Any], list[Block]]:
    meta, body = _front_matter(text)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    para: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if para:
            joined = "\n".join(para) if fence is not None else _join_lines(para)
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
            stack.append((level, _clean_inline(m.group(2))))
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


def _text(text: str) -> tuple[dict[str, Any], list[Block]]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    meta: dict[str, Any] = {}
    if len(paragraphs) > 1 and "\n" not in paragraphs[0] and len(paragraphs[0]) <= 150:
        meta["title"] = paragraphs[0]
        paragraphs = paragraphs[1:]
    return meta, [Block(_join_lines([ln.strip() for ln in p.splitlines()])) for p in paragraphs]


_SKIP = _set(
    "script style nav header footer aside noscript template svg form iframe button select "
    "object canvas menu dialog"
)
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})
_BREAKS = _set(
    "p div li ul ol dd dt tr table section article main pre blockquote figcaption caption br "
    "h1 h2 h3 h4 h5 h6 hr address details summary"
)
_VOID = _set("area base br col embed hr img input link meta source track wbr")


class _HtmlText(HTMLParser):
    """Collects visible text as blocks; drops scripts, styles, navigation and page chrome."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, Any] = {}
        self.blocks: list[tuple[Block, bool]] = []
        self.saw_main = False
        self._skip: list[str] = []
        self._main_depth = 0
        self._headings: list[tuple[int, str]] = []
        self._heading_level: int | None = None
        self._in_title = False
        self._buffer: list[str] = []
        self._cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html" and attributes.get("lang"):
            self.meta["lang"] = str(attributes["lang"])
        if self._skip or tag in _SKIP or attributes.get("role") in _SKIP_ROLES:
            if tag not in _VOID:
                self._skip.append(tag)
            return
        if tag == "title":
            self._in_title = True
        if tag == "main" or attributes.get("role") == "main":
            self.saw_main = True
            self._main_depth += 1
        if tag in _BREAKS:
            self._flush()
        if tag in {"td", "th"}:
            self._flush_cell()
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._heading_level = int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            elif tag in self._skip:
                del self._skip[self._skip.index(tag) :]
            return
        if tag == "title":
            self.meta.setdefault("title", " ".join("".join(self._buffer).split()))
            self._buffer.clear()
            self._in_title = False
            return
        if tag in {"td", "th"}:
            self._flush_cell()
        elif tag == "tr" and self._cells:
            self._buffer = [" ; ".join(self._cells)]
            self._cells = []
            self._flush()
        if self._heading_level is not None and tag == f"h{self._heading_level}":
            text = " ".join("".join(self._buffer).split())
            self._buffer.clear()
            if text:
                level = self._heading_level
                self._headings = [(lv, h) for lv, h in self._headings if lv < level]
                self._headings.append((level, text))
            self._heading_level = None
        elif tag in _BREAKS:
            self._flush()
        if tag == "main" and self._main_depth:
            self._flush()
            self._main_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def _flush_cell(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if text:
            self._cells.append(text)

    def _flush(self) -> None:
        if self._in_title or self._heading_level is not None:
            return
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if text:
            headings = tuple(h for _, h in self._headings)
            self.blocks.append((Block(text, headings), self._main_depth > 0))


def _html(text: str) -> tuple[dict[str, Any], list[Block]]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    parser._flush()
    blocks = [b for b, in_main in parser.blocks if in_main or not parser.saw_main]
    return parser.meta, blocks


def _pdf(data: bytes) -> tuple[dict[str, Any], list[Block]]:
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
            for paragraph in _pdf_paragraphs(page.extract_text() or ""):
                blocks.append(Block(paragraph, section, number))
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"PDF illisible ou corrompu ({type(exc).__name__} : {exc})") from exc
    if not blocks:
        raise DocumentError("aucun texte extractible du PDF (document numérisé sans OCR ?)")
    return meta, blocks


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
