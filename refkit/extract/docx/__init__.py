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

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from refkit.errors import InputError, NoReferencesError
from refkit.extract.docx.common import _LABEL_RE, MAX_PART_BYTES
from refkit.extract.docx.managers import _attach, _embedded, _merge, endnote_to_csl, render_item
from refkit.extract.docx.numbering import _format_number, _Numbering
from refkit.extract.docx.package import _attr, _child, _int, _parse_xml, _read_parts, _w
from refkit.extract.docx.walk import _Field, _Para, _Reader
from refkit.extract.text import MAX_REFERENCE_CHARS, extract_lines, looks_like_reference
from refkit.model import Citation, Source

__all__ = ["MAX_PART_BYTES", "endnote_to_csl", "extract_docx", "render_item"]


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
