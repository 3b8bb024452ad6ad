"""Word (.docx) manuscripts -> reference strings, with the data citation managers stored in them.

The reader works on the package's XML parts with the standard library (no Word library is needed):

- ``word/document.xml``: paragraphs in document order, table cells included (a table row is read as one line, so
  that a reference list laid out as "number | reference" rows stays one reference per row). Word's automatic list
  numbers are not in the text; they are computed from ``word/numbering.xml`` and ``word/styles.xml`` (numbering
  set directly or through a paragraph style, start values, number formats, level texts such as ``[%1]``,
  restarts) and put in front of the paragraph, so that a numbered reference list reads as one.
- fields: the displayed result is the text, the instruction is data. Tracked insertions are kept and deletions
  dropped; hyperlinks, smart tags and content controls are read through; hidden text is left out.
- ``word/footnotes.xml`` and ``word/endnotes.xml``: when the body holds no reference list, references standing in
  notes are read (``part="footnote"`` / ``"endnote"``, labelled with the note's number).
- citation managers' fields: Zotero (``ADDIN ZOTERO_ITEM CSL_CITATION {json}``, bibliography ``ADDIN ZOTERO_BIBL``),
  Mendeley (``ADDIN CSL_CITATION {json}``, content controls tagged ``MENDELEY_CITATION_v3_...``, bibliography
  ``ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY``) and EndNote (``ADDIN EN.CITE`` with the record XML in the
  instruction, entity-escaped, or base64 in ``w:fldData``; bibliography ``ADDIN EN.REFLIST``). EndNote records
  are converted to CSL-JSON.

When a bibliography field is present, its paragraphs are the reference list (``part="bibliography-field"``).
Each printed reference gets the embedded item that is the same work (``Citation.embedded``): in a numbered list
the n-th distinct item cited is the first candidate, and every candidate must agree with the printed text
(first author, year, title, volume or page, or DOI) before it is attached. Items cited in the text that the
printed list lacks come out as extra citations after the list, with ``part="citation-field"`` and a plain
rendering of the item as raw text, and a warning says how many there are.

For Word files ``Source.line`` is the 1-based paragraph number in the document (in a notes part: in that part),
and ``Source.label`` the printed or Word-generated number.

Example:
    >>> cits = extract_docx("paper.docx")  # doctest: +SKIP
    >>> cits[0].raw, cits[0].source.label, cits[0].embedded_from  # doctest: +SKIP
    ('Deza G, March-Rodríguez A, ... (2016) ...', '1', 'zotero')
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from refkit.errors import InputError, NoReferencesError
from refkit.extract.text import MAX_REFERENCE_CHARS, extract_lines, looks_like_reference
from refkit.model import Citation, Source
from refkit.text import small_int

__all__ = ["MAX_PART_BYTES", "endnote_to_csl", "extract_docx", "render_item"]

#: An XML part larger than this (uncompressed) is refused; the parts read together may not exceed twice this.
MAX_PART_BYTES = 50 * 1024 * 1024

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO "strict" documents
)
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PARTS = ("word/numbering.xml", "word/styles.xml", "word/footnotes.xml", "word/endnotes.xml", "word/settings.xml")

# Elements whose content is never displayed text (properties, deleted text, the fallback copy of a drawing).
_SKIP = frozenset(
    {
        "rPr",
        "sectPr",
        "tblPr",
        "tblGrid",
        "trPr",
        "tcPr",
        "sdtEndPr",
        "del",
        "moveFrom",
        "delText",
        "delInstrText",
        "footnoteRef",
        "endnoteRef",
        "annotationRef",
        "separator",
        "continuationSeparator",
        "commentReference",
        "fldData",
    }
)

# a printed number before a reference: "[3]", "3." or "3)", or a bare "3" before a tab (numbered styles' layout);
# a bare number before a space is not taken, it may begin the reference ("2019 Novel coronavirus ...")
_LABEL_RE = re.compile(r"^[ \t]*(?:\[(\d{1,4})\]|(\d{1,4})[.)]|(\d{1,4})(?=\t))\s*")
_DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")


# --------------------------------------------------------------------------------------------------- reading parts


def _read_parts(path: str | Path) -> dict[str, bytes]:
    """The XML parts the reader needs, each checked against the size limits before and while reading."""
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise InputError(f"{name}: damaged Word file, not a readable zip archive ({exc})", name) from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from exc
    parts: dict[str, bytes] = {}
    total = 0
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if "word/document.xml" not in members:
            raise InputError(f"{name}: a zip archive without a Word document inside (word/document.xml)", name)
        for part in ("word/document.xml", *_PARTS):
            info = members.get(part)
            if info is None:
                continue
            # the declared size can lie, so the read itself is capped as well
            if info.file_size > MAX_PART_BYTES:
                raise InputError(f"{name}: {part} unpacks to {info.file_size:,} bytes, over the limit", name)
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_PART_BYTES + 1)
            except RuntimeError as exc:  # an encrypted member
                raise InputError(f"{name}: {part} is encrypted ({exc})", name) from exc
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
                raise InputError(f"{name}: damaged Word file, {part} cannot be unpacked ({exc})", name) from exc
            total += len(data)
            if len(data) > MAX_PART_BYTES or total > 2 * MAX_PART_BYTES:
                raise InputError(f"{name}: {part} unpacks to more than the size limit", name)
            parts[part] = data
    return parts


def _parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse one XML document; a DTD (and so any entity definition) is refused.

    Raises:
        ValueError: the XML is malformed or declares a DTD (the message says which).
    """
    text = data.decode("utf-16", errors="replace").encode() if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data
    if b"<!DOCTYPE" in text:
        raise ValueError(f"{what} declares a DTD (<!DOCTYPE), which is refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"malformed XML in {what} ({exc})") from exc


def _split(tag: Any) -> tuple[str, str]:
    """(namespace, local name) of an element tag; comments and processing instructions give ("", "")."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _w(elem: ET.Element) -> str:
    """The local name of a WordprocessingML element, else ""."""
    ns, local = _split(elem.tag)
    return local if ns in _W_NAMESPACES else ""


def _attr(elem: ET.Element | None, name: str) -> str | None:
    """A w:-namespaced attribute (or an unqualified one, as some writers produce)."""
    if elem is None:
        return None
    for ns in _W_NAMESPACES:
        value = elem.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return elem.get(name)


def _child(elem: ET.Element | None, local: str) -> ET.Element | None:
    if elem is None:
        return None
    return next((c for c in elem if _w(c) == local), None)


def _on(elem: ET.Element | None) -> bool:
    """A Word on/off property that is present and not switched off."""
    return elem is not None and (_attr(elem, "val") or "true").lower() not in ("0", "false", "off")


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# --------------------------------------------------------------------------------------------------- numbering


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


class _Numbering:
    """Word's automatic list numbers, computed in document order as Word does."""

    def __init__(self, numbering: ET.Element | None, styles: ET.Element | None) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.style_link: dict[str, str] = {}  # abstractNum id -> the numbering style it takes its levels from
        self.nums: dict[str, str] = {}  # numId -> abstractNumId
        self.overrides: dict[str, dict[int, int]] = {}  # numId -> level -> start value
        self.level_overrides: dict[str, dict[int, _Level]] = {}
        self.styles: dict[str, tuple[str | None, int | None, str | None]] = {}  # styleId -> numId, ilvl, basedOn
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        if styles is not None:
            for style in styles:
                if _w(style) != "style":
                    continue
                ppr = _child(style, "pPr")
                numpr = _child(ppr, "numPr")
                num_id = _attr(_child(numpr, "numId"), "val")
                ilvl = _attr(_child(numpr, "ilvl"), "val")
                based = _attr(_child(style, "basedOn"), "val")
                self.styles[_attr(style, "styleId") or ""] = (num_id, _int(ilvl) if ilvl else None, based)
        if numbering is None:
            return
        for elem in numbering:
            kind = _w(elem)
            if kind == "abstractNum":
                levels = {}
                for lvl in elem:
                    if _w(lvl) == "lvl":
                        levels[_int(_attr(lvl, "ilvl"))] = self._level(lvl)
                    elif _w(lvl) == "numStyleLink":
                        self.style_link[_attr(elem, "abstractNumId") or ""] = _attr(lvl, "val") or ""
                self.abstract[_attr(elem, "abstractNumId") or ""] = levels
            elif kind == "num":
                num_id = _attr(elem, "numId") or ""
                self.nums[num_id] = _attr(_child(elem, "abstractNumId"), "val") or ""
                for override in elem:
                    if _w(override) != "lvlOverride":
                        continue
                    index = _int(_attr(override, "ilvl"))
                    start = _child(override, "startOverride")
                    if start is not None:
                        self.overrides.setdefault(num_id, {})[index] = _int(_attr(start, "val"), 1)
                    redefined = _child(override, "lvl")
                    if redefined is not None:
                        self.level_overrides.setdefault(num_id, {})[index] = self._level(redefined)

    @staticmethod
    def _level(lvl: ET.Element) -> _Level:
        return _Level(
            start=_int(_attr(_child(lvl, "start"), "val"), 1),
            fmt=_attr(_child(lvl, "numFmt"), "val") or "decimal",
            text=_attr(_child(lvl, "lvlText"), "val") or "",
        )

    def _style_numbering(self, style: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style and style not in seen:
            seen.add(style)
            num_id, ilvl, based = self.styles.get(style, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            style = based
        return None, None

    def _abstract_id(self, num_id: str) -> str:
        abstract = self.nums.get(num_id, "")
        # a list defined by a numbering style: the levels are those of the abstractNum the style points to
        link = self.style_link.get(abstract)
        if link:
            linked_num, _ = self._style_numbering(link)
            if linked_num is not None and self.nums.get(linked_num, "") != abstract:
                return self.nums.get(linked_num, abstract)
        return abstract

    def label(self, ppr: ET.Element | None) -> tuple[str, str] | None:
        """The number Word shows before a paragraph: (text as printed, e.g. "[3]"; the bare number, e.g. "3")."""
        numpr = _child(ppr, "numPr")
        style = _attr(_child(ppr, "pStyle"), "val")
        num_id = _attr(_child(numpr, "numId"), "val")
        ilvl_value = _attr(_child(numpr, "ilvl"), "val")
        style_num, style_ilvl = self._style_numbering(style)
        if num_id is None:
            num_id = style_num
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        ilvl = _int(ilvl_value) if ilvl_value is not None else (style_ilvl or 0)
        abstract = self._abstract_id(num_id)
        levels = dict(self.abstract.get(abstract, {}))
        levels.update(self.level_overrides.get(num_id, {}))
        counters = self.counters.setdefault(abstract, [None] * 9)
        ilvl = max(0, min(ilvl, 8))
        if num_id not in self.started:
            self.started.add(num_id)
            # a num with a start override restarts the list it shares with other nums
            for index, start in self.overrides.get(num_id, {}).items():
                if 0 <= index < 9:
                    counters[index] = start - 1
        level = levels.get(ilvl, _Level())
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if level.fmt in ("bullet", "none") or not level.text:
            return None

        def render(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            lvl = levels.get(index, _Level())
            value = counters[index] if 0 <= index < 9 and counters[index] is not None else lvl.start
            return _format_number(int(value or 0), lvl.fmt)

        printed = re.sub(r"%([1-9])", render, level.text).strip()
        bare = _format_number(int(counters[ilvl] or 0), level.fmt)
        return printed, bare


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else str(value)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = ""
        for number, digits in (
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ):
            while value >= number:
                roman += digits
                value -= number
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


# --------------------------------------------------------------------------------------------------- the walk


@dataclass
class _Para:
    number: int
    text: list[str] = field(default_factory=list)
    label: tuple[str, str] | None = None  # Word's list number: (as printed, bare)
    row: int | None = None  # the table row it stands in
    note: str | None = None  # the note id, in a notes part


@dataclass
class _Field:
    instr: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    result: bool = False
    para: int = 0
    bibliography: bool = False
    paras: set[int] = field(default_factory=set)
    payload: Any = None  # content-control data (already decoded JSON)

    @property
    def instruction(self) -> str:
        return "".join(self.instr).strip()


def _is_bibliography(instruction: str) -> bool:
    return bool(re.match(r"ADDIN\s+(?:ZOTERO_BIBL|EN\.REFLIST|Mendeley\s+Bibliography)\b", instruction)) or (
        instruction.startswith("ADDIN") and "CSL_BIBLIOGRAPHY" in instruction
    )


class _Reader:
    """One walk over a part (body or notes), without recursion: paragraphs, fields, note numbers."""

    def __init__(self, numbering: _Numbering | None) -> None:
        self.numbering = numbering
        self.paragraphs: list[_Para] = []
        self.fields: list[_Field] = []
        self.note_refs: dict[str, list[str]] = {"footnote": [], "endnote": []}
        self._paras: list[_Para] = []
        self._fields: list[_Field] = []
        self._rows: list[int] = []
        self._row_count = 0
        self._hidden: list[bool] = []
        self._sdts: list[_Field | None] = []
        self._note: str | None = None
        self._count = 0

    def read(self, root: ET.Element) -> _Reader:
        stack: list[tuple[ET.Element, Iterator[ET.Element]]] = [(root, iter(root) if self._start(root) else iter(()))]
        while stack:
            elem, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                self._end(elem)
            else:
                stack.append((child, iter(child) if self._start(child) else iter(())))
        while self._fields:  # fields left open by a damaged document
            self._finish(self._fields.pop())
        self.paragraphs.sort(key=lambda p: p.number)
        return self

    # text goes to the instruction of the innermost field still in its instruction, else to the paragraph
    def _text(self, text: str) -> None:
        for f in reversed(self._fields):
            if not f.result:
                f.instr.append(text)
                return
        if self._paras and not (self._hidden and self._hidden[-1]):
            self._paras[-1].text.append(text)

    def _start(self, elem: ET.Element) -> bool:
        local = _w(elem)
        if not local:
            ns, name = _split(elem.tag)
            # markup compatibility: read the preferred choice only, never both copies of a drawing
            return not (ns == _MC_NS and name == "Fallback")
        if local in _SKIP:
            return False
        if local == "p":
            self._count += 1
            ppr = _child(elem, "pPr")
            label = self.numbering.label(ppr) if self.numbering else None
            para = _Para(self._count, label=label, row=self._rows[-1] if self._rows else None, note=self._note)
            self._paras.append(para)
            return True
        if local == "pPr":
            return False
        if local == "t":
            self._text(elem.text or "")
        elif local == "instrText":
            if self._fields and not self._fields[-1].result:
                self._fields[-1].instr.append(elem.text or "")
        elif local in ("tab", "ptab"):
            self._text("\t")
        elif local in ("br", "cr"):
            self._text("\n")
        elif local == "noBreakHyphen":
            self._text("-")
        elif local == "r":
            rpr = _child(elem, "rPr")
            hidden = _on(_child(rpr, "vanish")) or _on(_child(rpr, "webHidden"))
            self._hidden.append(hidden or bool(self._hidden and self._hidden[-1]))
        elif local == "fldChar":
            kind = _attr(elem, "fldCharType")
            if kind == "begin":
                data = _child(elem, "fldData")
                self._fields.append(
                    _Field(data=[data.text or ""] if data is not None else [], para=self._current_para())
                )
            elif kind == "separate" and self._fields:
                self._to_result(self._fields[-1])
            elif kind == "end" and self._fields:
                self._finish(self._fields.pop())
        elif local == "fldSimple":
            f = _Field(instr=[_attr(elem, "instr") or ""], para=self._current_para())
            self._fields.append(f)
            self._to_result(f)
        elif local == "sdt":
            self._sdts.append(self._content_control(elem))
        elif local == "sdtPr":
            return False
        elif local == "tr":
            self._row_count += 1
            self._rows.append(self._row_count)
        elif local in ("footnote", "endnote"):
            if (_attr(elem, "type") or "normal") != "normal":
                return False  # separator and continuation notes
            self._note = _attr(elem, "id")
        elif local in ("footnoteReference", "endnoteReference"):
            self.note_refs[local[:-9]].append(_attr(elem, "id") or "")
            return False
        return True

    def _end(self, elem: ET.Element) -> None:
        local = _w(elem)
        if local == "p" and self._paras:
            para = self._paras.pop()
            for f in self._fields:
                if f.bibliography and f.result:
                    f.paras.add(para.number)
            for sdt in self._sdts:
                if sdt is not None and sdt.bibliography:
                    sdt.paras.add(para.number)
            self.paragraphs.append(para)
        elif local == "r" and self._hidden:
            self._hidden.pop()
        elif local == "fldSimple":
            if self._fields:
                self._finish(self._fields.pop())
        elif local == "sdt" and self._sdts:
            sdt = self._sdts.pop()
            if sdt is not None:
                if sdt.bibliography and self._paras:
                    sdt.paras.add(self._paras[-1].number)
                self.fields.append(sdt)
        elif local == "tr" and self._rows:
            self._rows.pop()
        elif local in ("footnote", "endnote"):
            self._note = None

    def _current_para(self) -> int:
        return self._paras[-1].number if self._paras else self._count

    def _to_result(self, f: _Field) -> None:
        f.result = True
        f.bibliography = _is_bibliography(f.instruction)
        if f.bibliography and self._paras:
            f.paras.add(self._paras[-1].number)

    def _finish(self, f: _Field) -> None:
        if not f.result:
            self._to_result(f)
        elif f.bibliography and self._paras:
            f.paras.add(self._paras[-1].number)
        self.fields.append(f)

    def _content_control(self, elem: ET.Element) -> _Field | None:
        """Mendeley Cite keeps its citation data in the content control's tag (base64 JSON)."""
        tag = _attr(_child(_child(elem, "sdtPr"), "tag"), "val") or ""
        if tag.startswith("MENDELEY_BIBLIOGRAPHY"):
            return _Field(instr=["ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY"], result=True, bibliography=True)
        if tag.startswith("MENDELEY_CITATION_v3_"):
            f = _Field(instr=["ADDIN CSL_CITATION"], result=True, para=self._current_para())
            try:
                f.payload = json.loads(base64.b64decode(tag[len("MENDELEY_CITATION_v3_") :] + "=="))
            except (ValueError, RecursionError):
                f.payload = ValueError("the content control's data is not base64-encoded JSON")
            return f
        return None


# --------------------------------------------------------------------------------------------------- embedded data


@dataclass
class _Item:
    csl: dict[str, Any]
    manager: str
    keys: set[str]
    para: int
    part: str | None


def _fold(text: str) -> str:
    """Lowercase, accents and markup removed, punctuation as spaces: for comparing names and titles."""
    text = re.sub(r"<[^>]{0,200}>", "", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _year(item: dict[str, Any]) -> int | None:
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                pass
        found = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(issued.get("raw") or issued.get("literal") or ""))
        if found:
            return int(found.group(1))
    return None


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _keys(csl: dict[str, Any], extra: list[str]) -> set[str]:
    keys = {k for k in extra if k}
    doi = _first(csl.get("DOI")).lower()
    if doi:
        keys.add("doi:" + doi)
    title = _fold(_first(csl.get("title")))
    if len(title) > 10:
        keys.add(f"title:{title}:{_year(csl)}")
    return keys


def _csl_items(payload: Any, manager: str) -> list[tuple[dict[str, Any], list[str]]]:
    """(CSL item, identity keys) for each item of a Zotero or Mendeley citation object."""
    if not isinstance(payload, dict) or not isinstance(payload.get("citationItems"), list):
        raise ValueError("no citationItems list")
    out = []
    for entry in payload["citationItems"]:
        if not isinstance(entry, dict):
            continue
        data = entry.get("itemData")
        if not isinstance(data, dict):
            continue
        uris = entry.get("uris") or entry.get("uri") or []  # "uri" in fields written by older Zotero versions
        keys = [f"uri:{u}" for u in ([uris] if isinstance(uris, str) else uris) if isinstance(u, str)]
        # Mendeley numbers its items per citation ("ITEM-1"), so only Zotero's ids identify a work
        if manager == "zotero" and entry.get("id") is not None:
            keys.append(f"zotero:{entry['id']}")
        out.append((dict(data), keys))
    return out


_ENDNOTE_TYPES = {
    "journal article": "article-journal",
    "electronic article": "article-journal",
    "book": "book",
    "edited book": "book",
    "electronic book": "book",
    "book section": "chapter",
    "electronic book section": "chapter",
    "conference proceedings": "paper-conference",
    "conference paper": "paper-conference",
    "thesis": "thesis",
    "report": "report",
    "government document": "report",
    "web page": "webpage",
    "newspaper article": "article-newspaper",
    "magazine article": "article-magazine",
    "patent": "patent",
    "dataset": "dataset",
    "manuscript": "manuscript",
    "unpublished work": "manuscript",
    "statute": "legislation",
    "case": "legal_case",
    "dictionary": "entry-dictionary",
    "encyclopedia": "entry-encyclopedia",
    "film or broadcast": "motion_picture",
    "map": "map",
    "personal communication": "personal_communication",
    "generic": "article",
}


def _text_of(elem: ET.Element | None) -> str:
    """All text below an element (EndNote wraps values in <style> runs), spaces normalised."""
    if elem is None:
        return ""
    return " ".join("".join(elem.itertext()).split())  # the C iterator walks without recursion


def _find(elem: ET.Element, *path: str) -> ET.Element | None:
    """The first descendant along ``path``, tag names compared case-insensitively."""
    current: ET.Element | None = elem
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if isinstance(c.tag, str) and c.tag.lower() == name), None)
    return current


def _endnote_person(name: str) -> dict[str, str]:
    family, comma, given = name.partition(",")
    if comma:
        return {"family": family.strip(), "given": given.strip()} if given.strip() else {"family": family.strip()}
    words = name.split()
    if len(words) > 1 and re.fullmatch(r"[A-Z][A-Z.\-]{0,5}", words[-1]):  # "Deza G"
        return {"family": " ".join(words[:-1]), "given": words[-1]}
    return {"literal": name}


def endnote_to_csl(record: ET.Element) -> dict[str, Any]:
    """Convert one EndNote XML ``<record>`` to a CSL-JSON item.

    Example:
        >>> rec = ET.fromstring("<record><ref-type name='Journal Article'>17</ref-type><titles><title>Ear"
        ...     "</title></titles><dates><year>2003</year></dates></record>")
        >>> endnote_to_csl(rec)
        {'type': 'article-journal', 'title': 'Ear', 'issued': {'date-parts': [[2003]]}}
    """
    ref_type = _find(record, "ref-type")
    type_name = (ref_type.get("name") if ref_type is not None else "") or ""
    csl: dict[str, Any] = {"type": _ENDNOTE_TYPES.get(type_name.strip().lower(), "article")}
    contributors = _find(record, "contributors")
    for role, csl_role in (("authors", "author"), ("secondary-authors", "editor")):
        group = _find(contributors, role) if contributors is not None else None
        names = [_text_of(a) for a in group or () if isinstance(a.tag, str)] if group is not None else []
        if any(names):
            csl[csl_role] = [_endnote_person(n) for n in names if n]
    titles = _find(record, "titles")
    if titles is not None:
        for name, variable in (("title", "title"), ("secondary-title", "container-title")):
            value = _text_of(_find(titles, name))
            if value:
                csl[variable] = value
        short = _text_of(_find(titles, "alt-title")) or _text_of(_find(titles, "short-title"))
        if short and csl.get("type") == "article-journal":
            csl.setdefault("container-title-short", short)
    periodical = _find(record, "periodical")
    if periodical is not None:
        full = _text_of(_find(periodical, "full-title"))
        if full and "container-title" not in csl:
            csl["container-title"] = full
        abbr = _text_of(_find(periodical, "abbr-1"))
        if abbr:
            csl["container-title-short"] = abbr
    alt = _find(record, "alt-periodical")
    if alt is not None:
        abbr = _text_of(_find(alt, "abbr-1")) or _text_of(_find(alt, "full-title"))
        if abbr:
            csl.setdefault("container-title-short", abbr)
    for name, variable in (("volume", "volume"), ("number", "issue"), ("pages", "page"), ("publisher", "publisher")):
        value = _text_of(_find(record, name))
        if value:
            csl[variable] = value
    place = _text_of(_find(record, "pub-location"))
    if place:
        csl["publisher-place"] = place
    year = re.search(r"\d{4}", _text_of(_find(record, "dates", "year")))
    if year:
        csl["issued"] = {"date-parts": [[int(year.group())]]}
    doi = _DOI_RE.search(_text_of(_find(record, "electronic-resource-num")))
    if doi:
        csl["DOI"] = doi.group().rstrip(".,;")
    accession = _text_of(_find(record, "accession-num"))
    if re.fullmatch(r"(?:PMID:?\s*)?\d{1,8}", accession):
        csl["PMID"] = re.sub(r"\D", "", accession)
    url = _text_of(_find(record, "urls", "related-urls", "url")) or _text_of(_find(record, "urls", "web-urls", "url"))
    if url:
        csl["URL"] = url
    return csl


def _endnote_xml(f: _Field) -> str:
    """The EndNote XML of an EN.CITE field: in the instruction (maybe entity-escaped) or base64 in fldData."""
    text = f.instruction
    if "<EndNote" not in text and "&lt;EndNote" in text:
        text = html.unescape(text)
    if "<EndNote" not in text and f.data:
        raw = base64.b64decode("".join("".join(f.data).split()), validate=False)
        text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")
    start, end = text.find("<EndNote"), text.rfind("</EndNote>")
    if start < 0 or end < 0:
        return ""
    return text[start : end + len("</EndNote>")]


def _endnote_items(f: _Field) -> list[tuple[dict[str, Any], list[str]]]:
    xml = _endnote_xml(f)
    if not xml:
        return []
    root = _parse_xml(xml.encode("utf-8"), "the EndNote field")
    out = []
    for cite in root:
        if not isinstance(cite.tag, str) or cite.tag.lower() != "cite":
            continue
        record = _find(cite, "record")
        if record is None:
            continue
        csl = endnote_to_csl(record)
        number = _text_of(_find(record, "rec-number")) or _text_of(_find(cite, "recnum"))
        keys = _find(record, "foreign-keys")
        key = _find(keys, "key") if keys is not None else None
        database = (key.get("db-id") if key is not None else None) or ""
        out.append((csl, [f"endnote:{database}:{number}"] if number else []))
    return out


def _embedded(fields: list[_Field], part: str | None, file: str, warnings: list[str] | None) -> list[_Item]:
    """The citation managers' items of the fields, in citation order (duplicates kept; merged later)."""
    items: list[_Item] = []
    for f in fields:
        instruction = f.instruction
        if not instruction.startswith("ADDIN") or f.bibliography:
            continue
        if re.match(r"ADDIN\s+ZOTERO_ITEM\b", instruction):
            manager = "zotero"
        elif re.match(r"ADDIN\s+CSL_CITATION\b", instruction):
            manager = "mendeley"
        elif re.match(r"ADDIN\s+EN\.CITE\b", instruction):
            manager = "endnote"
        else:
            continue
        try:
            if manager == "endnote":
                found = _endnote_items(f)
            else:
                payload = f.payload
                if payload is None:
                    start = instruction.find("{")
                    if start < 0:
                        raise ValueError("no JSON data in the field")
                    payload, _ = json.JSONDecoder().raw_decode(instruction, start)
                elif isinstance(payload, Exception):
                    raise payload
                found = _csl_items(payload, manager)
        except (ValueError, RecursionError, binascii.Error) as exc:
            if warnings is not None:
                where = f"{part} " if part else ""
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                warnings.append(
                    f"{file}: {where}paragraph {f.para}: {manager.capitalize()} citation field data cannot be read "
                    f"({reason}); field ignored"
                )
            continue
        for csl, keys in found:
            items.append(_Item(csl, manager, _keys(csl, keys), f.para, part))
    return items


def _merge(items: list[_Item]) -> list[_Item]:
    """Distinct items in order of first citation: items sharing an id, URI, DOI or title and year are one."""
    out: list[_Item] = []
    owner: dict[str, int] = {}
    for item in items:
        index = next((owner[k] for k in item.keys if k in owner), None)
        if index is None:
            index = len(out)
            out.append(item)
        for key in item.keys:
            owner.setdefault(key, index)
    return out


def _initials(given: str) -> str:
    return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)


def render_item(item: dict[str, Any]) -> str:
    """A plain reference string for a CSL item: "Family AB, Family CD (2016) Title. Journal 96:418-419".

    Example:
        >>> render_item({"author": [{"family": "Deza", "given": "Gustavo"}], "issued": {"date-parts": [[2016]]},
        ...     "title": "Solitary calcified nodule", "container-title": "Acta Derm Venereol", "volume": "96"})
        'Deza G (2016) Solitary calcified nodule. Acta Derm Venereol 96'
    """
    names = []
    for person in item.get("author") or item.get("editor") or []:
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            names.append(str(person["literal"]))
        elif person.get("family"):
            given = _initials(str(person.get("given") or ""))
            names.append(f"{person['family']} {given}".strip())
    text = ", ".join(names[:6]) + (" et al." if len(names) > 6 else "")
    year = _year(item)
    text += f" ({year})" if year else ""
    title = re.sub(r"<[^>]{0,200}>", "", _first(item.get("title"))).rstrip(".")
    if title:
        text += f" {title}."
    container = _first(item.get("container-title-short")) or _first(item.get("container-title"))
    details = ""
    if item.get("volume"):
        details += str(item["volume"])
    if item.get("issue"):
        details += f"({item['issue']})"
    if item.get("page"):
        details += f":{item['page']}" if details else str(item["page"])
    tail = " ".join(p for p in (container, details) if p)
    if tail:
        text += f" {tail}"
    if item.get("DOI"):
        text += f". doi:{item['DOI']}"
    return " ".join(text.split()).strip()


@dataclass(frozen=True)
class _Facts:
    """What a printed string is checked against, prepared once per embedded item."""

    doi: str
    family: str
    year: int | None
    title: str
    volume: str
    page: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> _Facts:
        authors = [p for p in item.get("author") or item.get("editor") or [] if isinstance(p, dict)]
        family = _fold(str(authors[0].get("family") or authors[0].get("literal") or "")) if authors else ""
        return cls(
            doi=_first(item.get("DOI")).lower(),
            family=family.split()[-1] if family else "",
            year=_year(item),
            title=_fold(_first(item.get("title"))),
            volume=_fold(str(item.get("volume") or "")),
            page=(_fold(str(item.get("page") or "")).split(" ") or [""])[0],
        )


def _similarity(raw: str, folded: str, facts: _Facts, hinted: bool) -> float | None:
    """How surely the printed string is the embedded item (None: not sure enough to attach)."""
    from rapidfuzz import fuzz

    if facts.doi and facts.doi in raw.lower():
        return 2.0
    words = set(folded.split())
    author_ok = bool(facts.family) and all(w in words for w in facts.family.split())
    year_ok = facts.year is not None and re.search(rf"(?<!\d){facts.year}(?!\d)", folded) is not None  # 2016a
    if not (author_ok or year_ok):  # every way to be sure below needs one of them; spares the fuzzy match
        return None
    title_score = fuzz.partial_ratio(facts.title, folded) / 100 if facts.title else 0.0
    detail_ok = bool(facts.volume and facts.volume in words) or bool(facts.page and facts.page in words)
    score = 0.5 * title_score + 0.2 * author_ok + 0.15 * year_ok + 0.15 * detail_ok + 0.05 * hinted
    long_title = len(facts.title) >= 12
    if (title_score >= 0.9 and long_title and (author_ok or year_ok)) or (
        author_ok and year_ok and (title_score >= 0.75 or detail_ok or (hinted and not long_title))
    ):
        return score
    return None


def _attach(printed: list[Citation], items: list[_Item]) -> tuple[list[Citation], list[_Item]]:
    """Give each printed reference the embedded item it is, one to one; returns the items left over."""
    facts = [_Facts.of(item.csl) for item in items]
    pairs = []
    for i, cit in enumerate(printed):
        label = cit.source.label if cit.source else None
        number = small_int(label)
        hint = number - 1 if number is not None else None
        folded = _fold(cit.raw)
        for j, fact in enumerate(facts):
            score = _similarity(cit.raw, folded, fact, hint == j)
            if score is not None:
                pairs.append((score, -abs((hint if hint is not None else j) - j), i, j))
    pairs.sort(reverse=True)
    taken: dict[int, int] = {}
    used: set[int] = set()
    for _, _, i, j in pairs:
        if i not in taken and j not in used:
            taken[i] = j
            used.add(j)
    out = [
        Citation(c.raw, c.source, dict(items[taken[i]].csl), items[taken[i]].manager) if i in taken else c
        for i, c in enumerate(printed)
    ]
    return out, [item for j, item in enumerate(items) if j not in used]


# --------------------------------------------------------------------------------------------------- layout


def _para_text(para: _Para) -> str:
    return "".join(para.text)


def _strip_label(text: str) -> tuple[str, str | None]:
    match = _LABEL_RE.match(text)
    if not match:
        return text, None
    return text[match.end() :], match.group(1) or match.group(2) or match.group(3)


def _body_lines(paragraphs: list[_Para]) -> tuple[list[str], list[int], list[str | None]]:
    """The body as lines for the list reader, with each line's paragraph number and Word-generated label."""
    lines: list[str] = []
    numbers: list[int] = []
    labels: list[str | None] = []
    rows: dict[int, int] = {}  # row -> index of its line
    for para in paragraphs:
        text = _para_text(para)
        if para.row is not None and para.row in rows:
            index = rows[para.row]
            lines[index] = f"{lines[index]} {' '.join(text.split())}".strip()
            continue
        pieces = text.split("\n")
        prefix = ""
        if para.label:
            printed, bare = para.label
            pieces[0], _ = _strip_label(pieces[0])  # a number typed under Word's own
            # the list reader knows "1." and "[1]"; other formats ("a)", "iv.") are given back as labels after
            prefix = (f"[{bare}] " if "[" in printed else f"{bare}. ") if bare.isdigit() else ""
        if para.row is not None:
            rows[para.row] = len(lines)
            pieces = [" ".join(pieces)]
        for k, piece in enumerate(pieces):
            lines.append((prefix if k == 0 else "") + piece.replace("\t", " ").strip())
            numbers.append(para.number)
            labels.append(para.label[1] if para.label and k == 0 else None)
    return lines, numbers, labels


def _from_lines(paragraphs: list[_Para], file: str, warnings: list[str] | None, part: str | None) -> list[Citation]:
    lines, numbers, labels = _body_lines(paragraphs)
    out = []
    for cit in extract_lines(lines, file, warnings):
        assert cit.source is not None
        index = cit.source.line - 1
        label = cit.source.label or labels[index]
        source = Source(file, cit.source.position, numbers[index], label, part=part)
        out.append(Citation(cit.raw, source))
    return out


def _bibliography(fields: list[_Field], paragraphs: list[_Para], file: str) -> list[Citation]:
    """The entries of the citation managers' bibliography fields, one per paragraph (or line)."""
    by_number = {p.number: p for p in paragraphs}
    wanted = sorted({n for f in fields if f.bibliography for n in f.paras})
    out: list[Citation] = []
    for number in wanted:
        para = by_number.get(number)
        if para is None:
            continue
        for k, line in enumerate(_para_text(para).split("\n")):
            line, printed_label = _strip_label(line)  # under Word's own number, the style's is dropped too
            text = " ".join(line.split())
            if len(text) > MAX_REFERENCE_CHARS or not re.search(r"[^\W\d_]{3}", text):
                continue
            label = para.label[1] if para.label and k == 0 else printed_label
            out.append(Citation(text, Source(file, len(out) + 1, number, label, part="bibliography-field")))
    return out


def _note_format(kind: str, roots: dict[str, ET.Element]) -> tuple[str, int]:
    """How notes of ``kind`` are numbered: the document's last section, else settings, else Word's default."""
    places = []
    body = _child(roots["word/document.xml"], "body")
    section = next((c for c in reversed(body) if _w(c) == "sectPr"), None) if body is not None else None
    places.append(_child(section, f"{kind}Pr"))
    places.append(_child(roots.get("word/settings.xml"), f"{kind}Pr"))
    fmt = next((v for p in places if (v := _attr(_child(p, "numFmt"), "val"))), None)
    start = next((v for p in places if (v := _attr(_child(p, "numStart"), "val"))), None)
    # Word numbers endnotes i, ii, iii unless told otherwise
    return fmt or ("lowerRoman" if kind == "endnote" else "decimal"), _int(start, 1)


def _notes(reader: _Reader, refs: list[str], file: str, part: str, numbering: tuple[str, int]) -> list[Citation]:
    """References standing in footnotes or endnotes, labelled with the note's number as printed."""
    fmt, start = numbering
    numbers = {note_id: _format_number(k, fmt) for k, note_id in enumerate(dict.fromkeys(refs), start)}
    out: list[Citation] = []
    for para in reader.paragraphs:
        text = " ".join(_para_text(para).split())
        if not looks_like_reference(text):
            continue
        text, _ = _strip_label(text)
        label = numbers.get(para.note or "")
        out.append(Citation(text, Source(file, len(out) + 1, para.number, label, part=part)))
    return out


# --------------------------------------------------------------------------------------------------- entry point


def extract_docx(path: str | Path, *, warnings: list[str] | None = None) -> list[Citation]:
    """The reference strings of a Word (.docx) document, with the citation managers' data attached.

    The reference list is, in order of preference: the paragraphs of a citation manager's bibliography field
    (``part="bibliography-field"``), the body's reference list (after a "References" heading, else its longest
    numbered list, Word's automatic numbers included), else references standing in footnotes and endnotes
    (``part="footnote"``/``"endnote"``). ``Source.line`` is the 1-based paragraph number in the document (for
    notes: in the notes part) and ``Source.label`` the printed or Word-generated number.

    Each reference carries the embedded CSL-JSON item that is the same work when a citation manager (Zotero,
    Mendeley, EndNote) stored one (``embedded``, ``embedded_from``). Items cited in the text but missing from the
    printed list are added after it as citations whose raw text is a plain rendering of the item
    ("Family AB (2016) Title. Journal 96:418-419"), with ``part="citation-field"``; a warning says how many.

    Args:
        path: the Word file (any suffix).
        warnings: if given, messages about recoverable problems (unreadable field data, added items) go here.

    Raises:
        InputError: the file is not a readable Word document (damaged zip, malformed XML, a DTD in a part).
        NoReferencesError: no reference list and no citation manager data was found.

    Example:
        >>> cits = extract_docx("tests/data/paper.docx")  # doctest: +SKIP
        >>> [(c.source.label, c.source.part) for c in cits][:2]  # doctest: +SKIP
        [('1', None), ('2', None)]
    """
    name = str(path)
    parts = _read_parts(path)
    roots: dict[str, ET.Element] = {}
    for part, data in parts.items():
        try:
            roots[part] = _parse_xml(data, part)
        except ValueError as exc:
            raise InputError(f"{name}: {exc}", name) from exc
    numbering = _Numbering(roots.get("word/numbering.xml"), roots.get("word/styles.xml"))
    body = _Reader(numbering).read(roots["word/document.xml"])
    notes = {
        kind: _Reader(None).read(roots[f"word/{kind}s.xml"])
        for kind in ("footnote", "endnote")
        if f"word/{kind}s.xml" in roots
    }

    found = _embedded(body.fields, None, name, warnings)
    for kind, reader in notes.items():
        found += _embedded(reader.fields, kind, name, warnings)
    items = _merge(found)

    printed = _bibliography(body.fields, body.paragraphs, name) or _from_lines(body.paragraphs, name, warnings, None)
    if not printed:
        for kind, reader in notes.items():
            for cit in _notes(reader, body.note_refs[kind], name, kind, _note_format(kind, roots)):
                assert cit.source is not None
                printed.append(
                    Citation(cit.raw, Source(name, len(printed) + 1, cit.source.line, cit.source.label, part=kind))
                )
    printed, missing = _attach(printed, items)
    for item in missing:
        source = Source(name, len(printed) + 1, item.para, None, part="citation-field")
        printed.append(Citation(render_item(item.csl), source, dict(item.csl), item.manager))
    if missing and warnings is not None:
        managers = ", ".join(sorted({i.manager.capitalize() for i in missing}))
        warnings.append(
            f"{name}: {len(missing)} item(s) cited through {managers} fields are not in the printed reference "
            "list; added from the field data"
        )
    if not printed:
        raise NoReferencesError(f"{name}: no reference list found", name)
    return printed
