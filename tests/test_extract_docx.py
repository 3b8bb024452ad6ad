"""Word (.docx) reading: numbering, notes, fields, citation managers' embedded data, damaged files."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("docx")

import docxbuild as b

from refkit.errors import InputError, NoReferencesError
from refkit.extract import extract
from refkit.extract.docx import endnote_to_csl, extract_docx, render_item

LAI = {
    "id": 11,
    "type": "article-journal",
    "title": "Calcinosis cutis of the ear in a patient with chronic renal failure",
    "container-title": "Journal of the American Academy of Dermatology",
    "container-title-short": "J Am Acad Dermatol",
    "author": [{"family": "Lai", "given": "Chang-Hwa"}, {"family": "Farah", "given": "Ronda S."}],
    "issued": {"date-parts": [[2003]]},
    "volume": "49",
    "page": "122-124",
    "DOI": "10.1067/mjd.2003.301",
}
DEZA = {
    "id": 12,
    "type": "article-journal",
    "title": "Solitary calcified nodule of the ear",
    "container-title": "Acta Dermato-Venereologica",
    "author": [{"family": "Deza", "given": "Gustavo"}, {"family": "Giménez-Arnau", "given": "Ana M."}],
    "issued": {"date-parts": [[2016, 3]]},
    "volume": "96",
    "issue": "3",
    "page": "418-419",
}
REITER = {
    "id": 13,
    "type": "article-journal",
    "title": "Calcinosis cutis: part I. Diagnostic pathway",
    "container-title": "J Am Acad Dermatol",
    "author": [{"family": "Reiter", "given": "Nadine"}, {"family": "El-Shabrawi", "given": "Laila"}],
    "issued": {"date-parts": [[2011]]},
    "volume": "65",
    "page": "1-12",
}
LAI_TEXT = (
    "Lai CH, Farah RS (2003) Calcinosis cutis of the ear in a patient with chronic renal failure. "
    "J Am Acad Dermatol 49:122-124"
)
DEZA_TEXT = "Deza G, Giménez-Arnau AM (2016) Solitary calcified nodule of the ear. Acta Derm Venereol 96:418-419"
REITER_TEXT = "Reiter N, El-Shabrawi L (2011) Calcinosis cutis: part I. Diagnostic pathway. J Am Acad Dermatol 65:1-12"


def labels(cits):
    return [c.source.label for c in cits]


def test_auto_numbered_list_numbers_come_from_numbering_part(tmp_path: Path) -> None:
    doc = b.document("Calcinosis cutis", "Deposits of calcium salts in the skin [1, 2].")
    first = b.list_definition(doc, lvl_text="[%1]")
    for text in ("Systemic form", "Local form"):  # an earlier list on the same definition
        b.numbered(doc.add_paragraph(text), first)
    doc.add_paragraph("References")
    refs = b.another_list(doc, first, restart_at=1)  # restarts, so the references count from 1 again
    for text in (LAI_TEXT, DEZA_TEXT, REITER_TEXT):
        b.numbered(doc.add_paragraph(text), refs)
    path = b.save(doc, tmp_path / "paper.docx")

    cits = extract_docx(path)
    assert [c.raw for c in cits] == [LAI_TEXT, DEZA_TEXT, REITER_TEXT]
    assert labels(cits) == ["1", "2", "3"]
    assert [c.source.line for c in cits] == [6, 7, 8]  # paragraph numbers
    assert [c.source.position for c in cits] == [1, 2, 3]
    assert all(c.source.part is None and c.embedded is None for c in cits)
    assert extract(path) == cits  # the dispatcher sends it here


def test_list_numbered_through_a_style_without_heading(tmp_path: Path) -> None:
    doc = b.document("Intro text without any heading over the list.")
    num = b.list_definition(doc, lvl_text="%1)", start=4)
    style = b.numbered_style(doc, "Ref List", num)
    for text in (LAI_TEXT, DEZA_TEXT):
        doc.add_paragraph(text, style=style)
    cits = extract_docx(b.save(doc, tmp_path / "styled.docx"))
    assert [(c.source.label, c.raw) for c in cits] == [("4", LAI_TEXT), ("5", DEZA_TEXT)]


def test_letter_numbering_and_double_numbers(tmp_path: Path) -> None:
    doc = b.document("References")
    num = b.list_definition(doc, fmt="lowerLetter", lvl_text="%1.")
    for text in (LAI_TEXT, DEZA_TEXT):
        b.numbered(doc.add_paragraph(text), num)
    cits = extract_docx(b.save(doc, tmp_path / "letters.docx"))
    assert [(c.source.label, c.raw) for c in cits] == [("a", LAI_TEXT), ("b", DEZA_TEXT)]

    doc = b.document("References")
    num = b.list_definition(doc)
    for k, text in enumerate((LAI_TEXT, DEZA_TEXT), 1):  # typed numbers under Word's own
        b.numbered(doc.add_paragraph(f"{k}.\t{text}"), num)
    cits = extract_docx(b.save(doc, tmp_path / "double.docx"))
    assert [(c.source.label, c.raw) for c in cits] == [("1", LAI_TEXT), ("2", DEZA_TEXT)]


def test_footnotes_and_endnotes(tmp_path: Path) -> None:
    doc = b.document()
    p = doc.add_paragraph("Ear calcinosis is rare.")
    b.note_reference(p, "footnote", 2)  # cited first, so it is footnote 1
    p = doc.add_paragraph("It is often solitary.")
    b.note_reference(p, "footnote", 1)
    b.note_reference(p, "endnote", 1)
    b.add_notes(doc, "footnote", [DEZA_TEXT, "See the discussion below."])
    b.add_notes(doc, "endnote", [REITER_TEXT])
    b.save(doc, tmp_path / "notes.docx")
    # the footnote with a reference is id 1, cited second
    with zipfile.ZipFile(tmp_path / "notes.docx") as z:
        assert "word/footnotes.xml" in z.namelist()
    cits = extract_docx(tmp_path / "notes.docx")
    assert [(c.raw, c.source.part, c.source.label) for c in cits] == [
        (DEZA_TEXT, "footnote", "2"),
        (REITER_TEXT, "endnote", "i"),  # Word numbers endnotes in lower-case roman by default
    ]
    assert [c.source.position for c in cits] == [1, 2]


def _zotero_doc(tmp_path: Path, *, bib_items=(LAI, DEZA, REITER), bib_num: bool = False):
    doc = b.document("Introduction")
    p = doc.add_paragraph("Calcinosis of the ear ")
    b.add_field(p, b.zotero_citation([LAI]), "[1]", pieces=7)
    add = p.add_run(" is rare ")
    del add
    b.add_field(p, b.zotero_citation([DEZA, LAI]), "[2,1]")
    p = doc.add_paragraph("and mostly dystrophic ")
    b.add_field(p, b.zotero_citation([REITER]), "[3]")
    doc.add_paragraph("References")
    texts = {11: LAI_TEXT, 12: DEZA_TEXT, 13: REITER_TEXT}
    num = b.list_definition(doc) if bib_num else None
    entries = [texts[i["id"]] if bib_num else f"{k}.\t{texts[i['id']]}" for k, i in enumerate(bib_items, 1)]
    b.add_bibliography_field(
        doc, 'ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY', entries, num
    )
    return b.save(doc, tmp_path / "zotero.docx")


def test_zotero_citations_and_bibliography(tmp_path: Path) -> None:
    warnings: list[str] = []
    cits = extract_docx(_zotero_doc(tmp_path), warnings=warnings)
    assert warnings == []
    assert [c.raw for c in cits] == [LAI_TEXT, DEZA_TEXT, REITER_TEXT]
    assert labels(cits) == ["1", "2", "3"]
    assert {c.source.part for c in cits} == {"bibliography-field"}
    assert [c.embedded_from for c in cits] == ["zotero"] * 3
    assert [c.embedded["title"] for c in cits] == [LAI["title"], DEZA["title"], REITER["title"]]
    assert cits[1].embedded["issue"] == "3" and cits[0].embedded["DOI"] == "10.1067/mjd.2003.301"
    assert [c.source.line for c in cits] == [5, 6, 7]


def test_bibliography_field_lines_and_printed_numbers(tmp_path: Path) -> None:
    doc = b.document()
    b.add_field(doc.add_paragraph("Cited "), b.zotero_citation([LAI, DEZA]), "(Lai 2003a; Deza 2016)")
    p = doc.add_paragraph()
    b.begin_field(p, "ADDIN ZOTERO_BIBL {} CSL_BIBLIOGRAPHY")
    # one paragraph, entries split by line breaks; a bare number before a space is part of the reference
    b.add_text(p, "2019 Novel coronavirus outbreak (2020) Editorial. Lancet 395:1")
    p._p.append(b.parse_xml(f"<w:r {b.W}><w:br/></w:r>"))
    b.add_text(p, LAI_TEXT.replace("(2003)", "(2003a)"))
    p._p.append(b.parse_xml(f"<w:r {b.W}><w:br/></w:r>"))
    b.add_text(p, "7\t" + DEZA_TEXT)
    b.end_field(p)
    cits = extract_docx(b.save(doc, tmp_path / "lines.docx"))
    assert [(c.source.label, c.raw, c.source.line) for c in cits] == [
        (None, "2019 Novel coronavirus outbreak (2020) Editorial. Lancet 395:1", 2),
        (None, LAI_TEXT.replace("(2003)", "(2003a)"), 2),
        ("7", DEZA_TEXT, 2),
    ]
    assert [c.embedded and c.embedded["id"] for c in cits] == [None, 11, 12]


def test_word_numbering_and_bibliography_field_together(tmp_path: Path) -> None:
    cits = extract_docx(_zotero_doc(tmp_path, bib_num=True))
    assert [(c.source.label, c.raw, c.embedded["id"]) for c in cits] == [
        ("1", LAI_TEXT, 11),
        ("2", DEZA_TEXT, 12),
        ("3", REITER_TEXT, 13),
    ]


def test_item_missing_from_printed_list_comes_out(tmp_path: Path) -> None:
    warnings: list[str] = []
    cits = extract_docx(_zotero_doc(tmp_path, bib_items=(LAI, DEZA)), warnings=warnings)
    assert [c.source.part for c in cits] == ["bibliography-field", "bibliography-field", "citation-field"]
    extra = cits[2]
    assert extra.raw == (
        "Reiter N, El-Shabrawi L (2011) Calcinosis cutis: part I. Diagnostic pathway. J Am Acad Dermatol 65:1-12"
    )
    assert extra.embedded_from == "zotero" and extra.embedded["id"] == 13
    assert (extra.source.position, extra.source.line, extra.source.label) == (3, 3, None)
    assert warnings == [
        f"{tmp_path / 'zotero.docx'}: 1 item(s) cited through Zotero fields are not in the printed reference list; "
        "added from the field data"
    ]


def test_malformed_field_json_is_a_warning(tmp_path: Path) -> None:
    doc = b.document("Text ")
    b.add_field(doc.paragraphs[0], 'ADDIN ZOTERO_ITEM CSL_CITATION {"citationItems": [{"itemData": ', "[1]")
    doc.add_paragraph("References")
    doc.add_paragraph("1. " + LAI_TEXT)
    warnings: list[str] = []
    cits = extract_docx(b.save(doc, tmp_path / "bad.docx"), warnings=warnings)
    assert [(c.raw, c.embedded) for c in cits] == [(LAI_TEXT, None)]
    assert len(warnings) == 1 and "paragraph 1: Zotero citation field data cannot be read" in warnings[0]


def test_mendeley_fields_attach_by_content(tmp_path: Path) -> None:
    doc = b.document()
    p = doc.add_paragraph("Seen in renal failure ")
    b.add_field(p, b.mendeley_citation([REITER, LAI]), "(Reiter 2011; Lai 2003)")
    p = doc.add_paragraph("and alone ")
    b.add_simple_field(p, b.mendeley_citation([DEZA]), "(Deza 2016)")
    doc.add_paragraph("Bibliography")
    # author-date: alphabetical, not in citation order
    b.add_bibliography_field(doc, "ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY ", [DEZA_TEXT, LAI_TEXT, REITER_TEXT])
    cits = extract_docx(b.save(doc, tmp_path / "mendeley.docx"))
    assert [(c.raw, c.embedded_from, c.embedded["title"]) for c in cits] == [
        (DEZA_TEXT, "mendeley", DEZA["title"]),
        (LAI_TEXT, "mendeley", LAI["title"]),
        (REITER_TEXT, "mendeley", REITER["title"]),
    ]
    assert labels(cits) == [None, None, None]


def _record(rec: int, authors: list[str], title: str, journal: str, year: str, **extra: str) -> str:
    people = "".join(f"<author><style face='normal'>{a}</style></author>" for a in authors)
    more = "".join(f"<{k.replace('_', '-')}>{v}</{k.replace('_', '-')}>" for k, v in extra.items())
    return (
        f"<record><rec-number>{rec}</rec-number><foreign-keys><key app='EN' db-id='db1'>{rec}</key>"
        f"</foreign-keys><ref-type name='Journal Article'>17</ref-type><contributors><authors>{people}</authors>"
        f"</contributors><titles><title>{title}</title><secondary-title>{journal}</secondary-title></titles>"
        f"<dates><year>{year}</year></dates>{more}</record>"
    )


LAI_EN = _record(
    1,
    ["Lai, C. H.", "Farah, R. S."],
    LAI["title"],
    "Journal of the American Academy of Dermatology",
    "2003",
    alt_periodical="<full-title>J Am Acad Dermatol</full-title>",
    pages="122-124",
    volume="49",
    number="1",
    electronic_resource_num="https://doi.org/10.1067/mjd.2003.301",
    accession_num="12833022",
    urls="<related-urls><url>https://example.org/lai</url></related-urls>",
)
DEZA_EN = _record(
    2, ["Deza, G.", "Giménez-Arnau, A. M."], DEZA["title"], "Acta Derm Venereol", "2016", volume="96", pages="418-419"
)
REITER_EN = _record(3, ["Reiter, N."], REITER["title"], "J Am Acad Dermatol", "2011", volume="65", pages="1-12")


def test_endnote_instruction_xml_and_fld_data(tmp_path: Path) -> None:
    doc = b.document()
    p = doc.add_paragraph("Renal failure ")
    b.add_field(p, " ADDIN EN.CITE " + b.endnote_cite([LAI_EN]), "[1]", pieces=9)
    p = doc.add_paragraph("solitary nodules ")
    # long citations: the XML travels base64-encoded in the data of a nested EN.CITE.DATA field
    b.begin_field(p, " ADDIN EN.CITE ", fld_data=b.fld_data(b.endnote_cite([DEZA_EN])))
    b.add_text(p, "[2]")
    b.end_field(p)
    p = doc.add_paragraph("pathway ")
    escaped = b.endnote_cite([REITER_EN]).replace("<", "&lt;").replace(">", "&gt;")
    b.add_field(p, " ADDIN EN.CITE " + escaped, "[3]")
    doc.add_paragraph("References")
    b.add_bibliography_field(
        doc, " ADDIN EN.REFLIST ", [f"{k}.\t{t}" for k, t in enumerate((LAI_TEXT, DEZA_TEXT, REITER_TEXT), 1)]
    )
    cits = extract_docx(b.save(doc, tmp_path / "endnote.docx"))
    assert [(c.source.label, c.raw, c.embedded_from) for c in cits] == [
        ("1", LAI_TEXT, "endnote"),
        ("2", DEZA_TEXT, "endnote"),
        ("3", REITER_TEXT, "endnote"),
    ]
    assert cits[0].embedded == {
        "type": "article-journal",
        "author": [{"family": "Lai", "given": "C. H."}, {"family": "Farah", "given": "R. S."}],
        "title": LAI["title"],
        "container-title": "Journal of the American Academy of Dermatology",
        "container-title-short": "J Am Acad Dermatol",
        "volume": "49",
        "issue": "1",
        "page": "122-124",
        "issued": {"date-parts": [[2003]]},
        "DOI": "10.1067/mjd.2003.301",
        "PMID": "12833022",
        "URL": "https://example.org/lai",
    }
    assert cits[1].embedded["author"][1] == {"family": "Giménez-Arnau", "given": "A. M."}
    assert cits[2].embedded["volume"] == "65"


def test_endnote_record_conversion_types() -> None:
    from xml.etree import ElementTree as ET

    rec = ET.fromstring(
        "<record><ref-type name='Book Section'>5</ref-type><contributors><authors><author>WHO"
        "</author></authors></contributors><accession-num>WOS:0001</accession-num></record>"
    )
    assert endnote_to_csl(rec) == {"type": "chapter", "author": [{"literal": "WHO"}]}


def test_render_item() -> None:
    assert render_item(DEZA) == (
        "Deza G, Giménez-Arnau AM (2016) Solitary calcified nodule of the ear. Acta Dermato-Venereologica 96(3):418-419"
    )


def test_fields_revisions_hyperlinks_and_content_controls(tmp_path: Path) -> None:
    doc = b.document("References")
    p = doc.add_paragraph()
    W = b.W
    p._p.append(
        b.parse_xml(
            f'<w:sdt {W}><w:sdtPr><w:tag w:val="x"/></w:sdtPr><w:sdtContent><w:r><w:t>Lai CH, '
            f"</w:t></w:r></w:sdtContent></w:sdt>"
        )
    )
    p._p.append(b.parse_xml(f'<w:del {W} w:id="1" w:author="a"><w:r><w:delText>Wrong AB, </w:delText></w:r></w:del>'))
    p._p.append(b.parse_xml(f'<w:ins {W} w:id="2" w:author="a"><w:r><w:t>Farah RS (2003) </w:t></w:r></w:ins>'))
    b.add_field(p, 'HYPERLINK "https://doi.org/10.1067/mjd.2003.301"', "Calcinosis of the ear.")
    p._p.append(b.parse_xml(f"<w:r {W}><w:rPr><w:vanish/></w:rPr><w:t>hidden </w:t></w:r>"))
    p._p.append(
        b.parse_xml(f"<w:r {W}><w:tab/><w:t>J Am Acad Dermatol 49:122</w:t><w:noBreakHyphen/><w:t>124</w:t></w:r>")
    )
    doc.add_paragraph(DEZA_TEXT)
    cits = extract_docx(b.save(doc, tmp_path / "fields.docx"))
    assert [c.raw for c in cits] == [
        "Lai CH, Farah RS (2003) Calcinosis of the ear. J Am Acad Dermatol 49:122-124",
        DEZA_TEXT,
    ]


def test_table_rows_are_one_reference_each(tmp_path: Path) -> None:
    doc = b.document("References")
    table = doc.add_table(rows=2, cols=2)
    for row, (n, text) in zip(table.rows, ((1, LAI_TEXT), (2, DEZA_TEXT)), strict=True):
        row.cells[0].text = f"{n}."
        row.cells[1].text = text
    cits = extract_docx(b.save(doc, tmp_path / "table.docx"))
    assert [(c.source.label, c.raw) for c in cits] == [("1", LAI_TEXT), ("2", DEZA_TEXT)]


def test_mendeley_cite_content_control(tmp_path: Path) -> None:
    doc = b.document()
    payload = json.loads(b.mendeley_citation([LAI])[len("ADDIN CSL_CITATION ") :])
    tag = "MENDELEY_CITATION_v3_" + base64.b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    p = doc.add_paragraph("Text ")
    p._p.append(
        b.parse_xml(
            f'<w:sdt {b.W}><w:sdtPr><w:tag w:val="{tag}"/></w:sdtPr><w:sdtContent><w:r>'
            "<w:t>(Lai 2003)</w:t></w:r></w:sdtContent></w:sdt>"
        )
    )
    warnings: list[str] = []
    cits = extract_docx(b.save(doc, tmp_path / "cite.docx"), warnings=warnings)
    assert [(c.raw, c.source.part, c.embedded_from) for c in cits] == [
        (
            "Lai CH, Farah RS (2003) Calcinosis cutis of the ear in a patient with chronic renal failure. "
            "J Am Acad Dermatol 49:122-124. doi:10.1067/mjd.2003.301",
            "citation-field",
            "mendeley",
        )
    ]
    assert len(warnings) == 1


def test_zip_without_word_document(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("content.xml", "<office/>")
    with pytest.raises(InputError, match=r"other\.docx: a Word file without a Word document inside"):
        extract(path)
    with pytest.raises(InputError, match=r"^.*other\.docx: a zip archive without a Word document inside"):
        extract_docx(path)


def test_damaged_zips(tmp_path: Path) -> None:
    good = _zotero_doc(tmp_path)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"truncated\.docx: "):
        extract(truncated)
    with pytest.raises(InputError, match=r"truncated\.docx: damaged Word file"):
        extract_docx(truncated)
    # a member's compressed bytes damaged, the directory intact
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("word/document.xml")
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(data)
    for k in range(offset + 10, offset + 60):
        broken[k] ^= 0x5A
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(bytes(broken))
    with pytest.raises(InputError, match=r"damaged\.docx: damaged Word file, word/document\.xml cannot be unpacked"):
        extract(damaged)


def _patched(tmp_path: Path, name: str, document_xml: bytes) -> Path:
    path = tmp_path / name
    b.save(b.document("x"), path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["word/document.xml"] = document_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return path


def test_dtd_malformed_xml_and_deep_nesting(tmp_path: Path) -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    bomb = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><w:document {w}><w:body/></w:document>'
    with pytest.raises(InputError, match=r"dtd\.docx: word/document\.xml declares a DTD"):
        extract(_patched(tmp_path, "dtd.docx", bomb.encode()))
    with pytest.raises(InputError, match=r"bad\.docx: malformed XML in word/document\.xml"):
        extract(_patched(tmp_path, "bad.docx", b"<w:document><w:body>"))
    depth = 20000
    deep = (
        f"<w:document {w}><w:body>"
        + "<w:p><w:r><w:t>References</w:t></w:r></w:p>"
        + "<w:sdt><w:sdtContent>" * depth
        + f"<w:p><w:r><w:t>1. {LAI_TEXT}</w:t></w:r></w:p>"
        + "</w:sdtContent></w:sdt>" * depth
        + "</w:body></w:document>"
    )
    cits = extract(_patched(tmp_path, "deep.docx", deep.encode()))
    assert [(c.raw, c.source.line) for c in cits] == [(LAI_TEXT, 2)]


def test_txt_suffixed_docx_and_no_references(tmp_path: Path) -> None:
    doc = b.document("References", "1. " + LAI_TEXT, "2. " + DEZA_TEXT)
    path = b.save(doc, tmp_path / "paper.txt")
    assert [c.raw for c in extract(path)] == [LAI_TEXT, DEZA_TEXT]
    empty = b.save(b.document("Only an introduction."), tmp_path / "empty.docx")
    with pytest.raises(NoReferencesError, match=r"empty\.docx: no reference list found"):
        extract(empty)
