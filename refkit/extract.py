"""Article -> reference strings, each with where it stands.

Reads plain text, Markdown, HTML and JATS XML. In text it looks for a heading such as "References" or
"Literatur" and, failing that, for a numbered list whose items look like references; lines that wrap are joined;
page furniture ("Last updated on ...", "Please ask your physician ...") is left out.

Example:
    >>> cits = extract_text("Intro.\\n\\nReferences\\n1. Lai CH (2003) Ear. J Am Acad Dermatol 49: 122-124\\n")
    >>> cits[0].raw, cits[0].source.position, cits[0].source.line
    ('Lai CH (2003) Ear. J Am Acad Dermatol 49: 122-124', 1, 4)
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from refkit.errors import InputError, NoReferencesError
from refkit.model import Citation, Source

__all__ = ["MAX_FILE_BYTES", "MAX_REFERENCE_CHARS", "extract", "extract_text", "read_text"]

#: Inputs larger than this are refused (a reference list is never this big).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: A "reference" longer than this is not one (it is a run-on line or binary noise).
MAX_REFERENCE_CHARS = 5000

_HEADING_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\d+\.?\s+)?(?:references?(?: and notes)?|bibliography|literature(?: cited)?|works cited|"
    r"cited literature|literatur(?:verzeichnis)?|références(?: bibliographiques)?|referencias(?: bibliográficas)?|"
    r"bibliografía|bibliografia|riferimenti bibliografici|sources)\s*:?\s*$",
    re.IGNORECASE,
)
_NUMBERED_RE = re.compile(r"^\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)])\s+(\S.*)$")
_BULLET_RE = re.compile(r"^\s*(?:[-*•·]|\d{1,4}[.)])\s+")
_FURNITURE_RE = re.compile(
    r"^\s*(?:last updated|please ask your|this website is|this section has been|dieser artikel|all authors of|"
    r"author:|copyright|©|download|share|print this|cite this|back to top|advertisement|see also|"
    r"(?:\w+\s+)?(?:figures?|tables?)\s+\d)",
    re.IGNORECASE,
)
_STOP_HEADING_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:appendix|supplementary|acknowledg|figure legends|tables?\b|footnotes|author contributions|"
    r"conflicts? of interest|funding|abbreviations|about the author)",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?<!\d)(?:1[6-9]\d\d|20\d\d)(?!\d)")


def read_text(path: str | Path) -> tuple[str, list[str]]:
    """Read a file as text: UTF-8 (with or without BOM), else UTF-16 with a BOM, else Windows-1252/Latin-1.

    Returns:
        The text and a list of warnings (e.g. that a fallback encoding was used).

    Raises:
        InputError: the file is missing, unreadable, empty, binary or too large.
    """
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(f"{name}: no such file", name)
    if p.is_dir():
        raise InputError(f"{name}: is a directory", name)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{name}: {size:,} bytes is larger than the {MAX_FILE_BYTES:,}-byte limit", name)
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from exc
    return decode(data, name)


def decode(data: bytes, name: str = "-") -> tuple[str, list[str]]:
    """Decode bytes as :func:`read_text` does."""
    if not data.strip():
        raise InputError(f"{name}: empty file", name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    sample = data[:65536]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100 + 1:
        raise InputError(f"{name}: binary file, not text (expected plain text, Markdown, HTML or JATS XML)", name)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        return text, [f"{name}: not valid UTF-8 (byte {exc.start}); read as Windows-1252/Latin-1"]


def extract(path: str | Path, *, warnings: list[str] | None = None) -> list[Citation]:
    """The reference strings of one article file.

    Args:
        path: a plain-text, Markdown, HTML or JATS XML file.
        warnings: if given, messages about recoverable problems are appended to it.

    Raises:
        InputError: the file cannot be read as text.
        NoReferencesError: the file holds no reference list.
    """
    text, notes = read_text(path)
    if warnings is not None:
        warnings.extend(notes)
    return extract_text(text, file=str(path), kind=_kind(str(path), text), warnings=warnings)


def _kind(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    head = text.lstrip()[:2000].lower()
    if suffix in (".xml", ".nxml", ".jats") or (head.startswith("<?xml") and "<article" in head):
        return "jats"
    if suffix in (".html", ".htm", ".xhtml") or head.startswith(("<!doctype html", "<html")):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


def extract_text(
    text: str, *, file: str = "-", kind: str = "text", warnings: list[str] | None = None
) -> list[Citation]:
    """The reference strings in ``text``; ``kind`` is ``text``, ``markdown``, ``html`` or ``jats``."""
    if kind == "jats":
        citations = _extract_jats(text, file)
    else:
        if kind == "html":
            text = _html_to_text(text)
        elif kind == "markdown":
            text = _markdown_to_text(text)
        citations = _extract_lines(text.splitlines(), file, warnings)
    if not citations:
        raise NoReferencesError(f"{file}: no reference list found", file)
    return citations


def _looks_like_reference(text: str) -> bool:
    if len(text) < 20 or len(text) > MAX_REFERENCE_CHARS or _FURNITURE_RE.match(text):
        return False
    return bool(_YEAR_RE.search(text) or re.search(r"\b10\.\d{4,9}/", text)) and bool(re.search(r"[A-Za-z]{3}", text))


def _extract_lines(lines: list[str], file: str, warnings: list[str] | None) -> list[Citation]:
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_REFERENCE_CHARS and warnings is not None:
            warnings.append(f"{file}: line {number} has {len(line):,} characters; not read as a reference")
    start = next((i + 1 for i, line in enumerate(lines) if _HEADING_RE.match(line)), None)
    if start is not None:
        found = _read_list(lines, start, file, numbered_only=False)
        if found:
            return found
    # no heading: the longest run of numbered items that look like references
    best: list[Citation] = []
    i = 0
    while i < len(lines):
        match = _NUMBERED_RE.match(lines[i])
        if match and _looks_like_reference(match.group(3)):
            run = _read_list(lines, i, file, numbered_only=True)
            if len(run) > len(best):
                best = run
            i += max(1, len(run))
        else:
            i += 1
    return best if len(best) >= 2 or (best and best[0].source and best[0].source.label == "1") else []


def _read_list(lines: list[str], start: int, file: str, *, numbered_only: bool) -> list[Citation]:
    """Read list items from ``start`` until the list ends; joins wrapped lines."""
    items: list[tuple[int, str | None, list[str]]] = []  # (line number, label, text parts)
    blank_run = 0
    for index in range(start, len(lines)):
        line = lines[index].rstrip()
        if len(line) > MAX_REFERENCE_CHARS:
            continue
        if not line.strip():
            blank_run += 1
            if items and blank_run >= 3:
                break
            continue
        if _HEADING_RE.match(line) and items:
            break
        if _STOP_HEADING_RE.match(line) or _FURNITURE_RE.match(line):
            if items:
                break
            continue
        match = _NUMBERED_RE.match(line)
        if match:
            label = match.group(1) or match.group(2)
            items.append((index + 1, label, [match.group(3).strip()]))
        elif numbered_only:
            # a wrapped line continues the item above, if nothing separated them
            if items and blank_run == 0 and not _BULLET_RE.match(line):
                items[-1][2].append(line.strip())
            else:
                break
        elif (items and blank_run == 0 and items[-1][1] is None and not _starts_new_reference(line, items[-1][2])) or (
            items and blank_run == 0 and items[-1][1] is not None and not _BULLET_RE.match(line)
        ):
            items[-1][2].append(line.strip())
        else:
            items.append((index + 1, None, [_BULLET_RE.sub("", line).strip()]))
        blank_run = 0
    citations = []
    for line_no, label, parts in items:
        raw = re.sub(r"\s+", " ", " ".join(parts)).strip()
        raw = re.sub(r"(\w)- (\w)", r"\1-\2", raw) if re.search(r"\w- \w", raw) else raw
        if _looks_like_reference(raw):
            citations.append(Citation(raw=raw, source=Source(file, len(citations) + 1, line_no, label)))
    return citations


def _starts_new_reference(line: str, previous: list[str]) -> bool:
    """In an unnumbered list, a line starting with a name after a finished reference starts a new one."""
    last = previous[-1].rstrip()
    finished = last.endswith((".", ")")) or bool(re.search(r"\d\s*$", last))
    return finished and bool(re.match(r"\s*[A-Z\u00c0-\u00de][\w'\u00c0-\u024f-]+,?\s+(?:[A-Z]|\w+,)", line))


class _TextFromHTML(HTMLParser):
    _BLOCKS: frozenset[str] = frozenset(
        {
            "p",
            "div",
            "li",
            "br",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "section",
            "article",
            "ol",
            "ul",
            "dd",
            "dt",
            "blockquote",
            "header",
            "footer",
            "table",
        }
    )
    _SKIP: frozenset[str] = frozenset({"script", "style", "noscript", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.counters: list[int | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag == "ol":
            start = dict(attrs).get("start")
            self.counters.append(int(start) - 1 if start and start.isdigit() else 0)
        elif tag == "ul":
            self.counters.append(None)
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            counter = self.counters[-1] if self.counters else None
            if counter is not None:
                self.counters[-1] = counter + 1
                self.parts.append(f"{counter + 1}. ")
            else:
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("ol", "ul") and self.counters:
            self.counters.pop()
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html_to_text(text: str) -> str:
    parser = _TextFromHTML()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def _markdown_to_text(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)", r"\1 \2", text)  # links: keep text and address
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])[*_](\S[^*_]*?)[*_](?![\w*])", r"\1", text)
    return html.unescape(text)


def _extract_jats(text: str, file: str) -> list[Citation]:
    try:
        root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", text, count=1).encode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"{file}: malformed XML ({exc})", file) from exc
    citations = []
    for ref in root.iter("ref"):
        node = next((n for n in ref if n.tag in ("mixed-citation", "element-citation", "citation")), None)
        if node is None:
            continue
        raw = re.sub(r"\s+", " ", _jats_text(node)).strip()
        label = ref.findtext("label")
        if raw:
            citations.append(
                Citation(raw=raw, source=Source(file, len(citations) + 1, 0, label.strip() if label else None))
            )
    return citations


def _jats_text(node: ET.Element) -> str:
    """Text of a citation, with the spaces and commas the printed form has where JATS leaves them out."""
    parts: list[str] = [node.text or ""]
    children = list(node)
    for i, child in enumerate(children):
        inner = _jats_text(child)
        if child.tag == "surname" and not (child.tail or "").strip():
            inner += " "
        if parts and parts[-1][-1:].isalnum() and inner[:1].isalnum():
            parts.append(" ")
        parts.append(inner)
        tail = child.tail or ""
        following = children[i + 1] if i + 1 < len(children) else None
        if child.tag in ("name", "string-name") and following is not None and following.tag == child.tag:
            tail = tail if tail.strip() else ", "
        elif node.tag == "element-citation" and not tail.strip():
            tail = ". " if following is not None else ""
        parts.append(tail)
    return "".join(parts)
