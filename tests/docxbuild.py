"""Build real Word documents for the tests: python-docx for the document, raw WordprocessingML for what it lacks.

python-docx writes paragraphs, runs, styles and the package; list numbering definitions, fields, content controls,
tracked changes and notes are added as the XML Word itself writes.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

W = nsdecls("w")
_ids = itertools.count(900)  # clear of the ids the default template's numbering uses


def document(*paragraphs: str) -> docx.document.Document:
    """A new document holding ``paragraphs`` as plain paragraphs."""
    doc = docx.Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    return doc


def list_definition(doc: Any, *, fmt: str = "decimal", lvl_text: str = "%1.", start: int = 1) -> str:
    """Add an abstract list and a list using it to numbering.xml; returns the list's numId."""
    numbering = doc.part.numbering_part.element
    abstract_id, num_id = next(_ids), next(_ids)
    abstract = parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="hybridMultilevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{lvl_text}"/>'
        '<w:lvlJc w:val="left"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>'
        "</w:abstractNum>"
    )
    # the schema wants every abstractNum before the first num
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {W} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return str(num_id)


def another_list(doc: Any, num_id: str, *, restart_at: int | None = None) -> str:
    """A second list on the same abstract list as ``num_id`` (continuing it, or restarting at ``restart_at``)."""
    numbering = doc.part.numbering_part.element
    abstract = next(
        n.find(qn("w:abstractNumId")).get(qn("w:val"))
        for n in numbering.findall(qn("w:num"))
        if n.get(qn("w:numId")) == num_id
    )
    new_id = next(_ids)
    override = (
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{restart_at}"/></w:lvlOverride>'
        if restart_at is not None
        else ""
    )
    numbering.append(
        parse_xml(f'<w:num {W} w:numId="{new_id}"><w:abstractNumId w:val="{abstract}"/>{override}</w:num>')
    )
    return str(new_id)


def numbered(paragraph: Paragraph, num_id: str, level: int = 0) -> Paragraph:
    """Number ``paragraph`` with Word's automatic numbering (the number is not in its text)."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def numbered_style(doc: Any, name: str, num_id: str) -> str:
    """A paragraph style that numbers its paragraphs through ``num_id``; returns the style name."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:numId w:val="{num_id}"/></w:numPr>'))
    return name


def _run(inner: str) -> Any:
    return parse_xml(f"<w:r {W}>{inner}</w:r>")


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def add_text(paragraph: Paragraph, text: str) -> None:
    paragraph._p.append(_run(_t(text)))


def begin_field(paragraph: Paragraph, instruction: str, *, pieces: int = 3, fld_data: str | None = None) -> None:
    """The start of a complex field: begin, the instruction split over ``pieces`` runs, separate."""
    data = f"<w:fldData>{fld_data}</w:fldData>" if fld_data else ""
    paragraph._p.append(_run(f'<w:fldChar w:fldCharType="begin">{data}</w:fldChar>'))
    size = max(1, -(-len(instruction) // pieces))
    for k in range(0, len(instruction), size):
        piece = instruction[k : k + size]
        paragraph._p.append(_run(f'<w:instrText xml:space="preserve">{escape(piece)}</w:instrText>'))
    paragraph._p.append(_run('<w:fldChar w:fldCharType="separate"/>'))


def end_field(paragraph: Paragraph) -> None:
    paragraph._p.append(_run('<w:fldChar w:fldCharType="end"/>'))


def add_field(paragraph: Paragraph, instruction: str, result: str, **kwargs: Any) -> None:
    """A complex field shown as ``result`` (its runs in the paragraph)."""
    begin_field(paragraph, instruction, **kwargs)
    add_text(paragraph, result)
    end_field(paragraph)


def add_simple_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {W} w:instr="{escape(instruction, {chr(34): "&quot;"})}">'
            f"<w:r>{_t(result)}</w:r></w:fldSimple>"
        )
    )


def add_bibliography_field(doc: Any, instruction: str, entries: Sequence[str], num_id: str | None = None) -> None:
    """A citation manager's bibliography: one field whose result is one paragraph per entry."""
    for k, entry in enumerate(entries):
        paragraph = doc.add_paragraph()
        if num_id:
            numbered(paragraph, num_id)
        if k == 0:
            begin_field(paragraph, instruction)
        add_text(paragraph, entry)
        if k == len(entries) - 1:
            end_field(paragraph)


def zotero_citation(items: Iterable[dict[str, Any]]) -> str:
    """The instruction of a Zotero citation field for ``items`` (CSL-JSON with an ``id``)."""
    payload = {
        "citationID": "a1b2c3",
        "properties": {"formattedCitation": "[1]", "plainCitation": "[1]", "noteIndex": 0},
        "citationItems": [
            {"id": item["id"], "uris": [f"http://zotero.org/users/local/abc/items/{item['id']}"], "itemData": item}
            for item in items
        ],
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    return f"ADDIN ZOTERO_ITEM CSL_CITATION {json.dumps(payload)}"


def mendeley_citation(items: Iterable[dict[str, Any]]) -> str:
    """The instruction of a Mendeley Desktop citation field (ids are per citation, "ITEM-1", as Mendeley writes)."""
    payload = {
        "citationItems": [
            {
                "id": f"ITEM-{k}",
                "itemData": {**item, "id": f"ITEM-{k}"},
                "uris": [f"http://www.mendeley.com/documents/?uuid={item['id']}"],
            }
            for k, item in enumerate(items, 1)
        ],
        "mendeley": {"formattedCitation": "(Lai 2003)", "previouslyFormattedCitation": "(Lai 2003)"},
        "properties": {"noteIndex": 0},
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    return f"ADDIN CSL_CITATION {json.dumps(payload)}"


def endnote_cite(records: Iterable[str]) -> str:
    """EndNote's citation XML for record XML strings."""
    return "<EndNote>" + "".join(f"<Cite><Author>x</Author><Year>2000</Year>{r}</Cite>" for r in records) + "</EndNote>"


def fld_data(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def add_notes(doc: Any, kind: str, notes: Sequence[str]) -> list[Paragraph]:
    """Add a footnotes or endnotes part holding ``notes`` (after Word's two separator notes); python-docx has no
    notes API, so the part is added through the package. Returns nothing useful to write in; reference the notes
    with :func:`note_reference` (ids 1, 2, ...)."""
    tag = kind  # "footnote" or "endnote"
    body = (
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{tag}>'
    )
    for k, text in enumerate(notes, 1):
        body += (
            f'<w:{tag} w:id="{k}"><w:p><w:r><w:{tag}Ref/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
            f"<w:r>{_t(text)}</w:r></w:p></w:{tag}>"
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{tag}s {W}>{body}</w:{tag}s>'
    content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
    relationship = RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, relationship)
    return []


def note_reference(paragraph: Paragraph, kind: str, note_id: int) -> None:
    paragraph._p.append(_run(f'<w:{kind}Reference w:id="{note_id}"/>'))


def save(doc: Any, path: Path) -> Path:
    doc.save(str(path))
    return path
