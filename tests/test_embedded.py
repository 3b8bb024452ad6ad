"""Citation managers' data stored in a document: it becomes the reference's fields, and the audit compares it
with the printed string."""

from __future__ import annotations

from refkit.audit import audit
from refkit.dedupe import dedupe
from refkit.export import provenance_note
from refkit.model import Citation, Source
from refkit.parse import parse_citations

PRINTED = (
    "1. Deza G, Sánchez-Schmidt JM, Pujol RM (2016) Solitary plaque-type morphea with dystrophic calcinosis cutis. "
    "Acta Derm Venereol 96:418-419"
)
ZOTERO = {
    "type": "article-journal",
    "title": "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
    "author": [{"family": "Deza", "given": "Gustavo"}, {"family": "Sánchez-Schmidt", "given": "Joan M."}],
    "issued": {"date-parts": [[2016, 3]]},
    "container-title": "Acta Dermato-Venereologica",
    "volume": "96",
    "issue": "3",
    "page": "418-419",
    "DOI": "10.2340/00015555-2271",
}


def _cit(raw: str, data: dict[str, object], manager: str = "zotero") -> Citation:
    return Citation(raw, Source("m.docx", 1, 12, "1", part="bibliography-field"), data, manager)


def test_embedded_data_are_the_fields_and_the_printed_parse_is_kept() -> None:
    [ref] = parse_citations([_cit(PRINTED, ZOTERO)])
    assert ref.raw == PRINTED and ref.source is not None and ref.source.part == "bibliography-field"
    assert ref.fields_from == "zotero"
    assert ref.doi == "10.2340/00015555-2271" and ref.issue == "3"
    assert ref.author[0].given == "Gustavo" and ref.container_title == "Acta Dermato-Venereologica"
    assert ref.printed is not None and ref.printed.volume == "96" and ref.printed.doi is None


def test_agreeing_print_and_data_give_no_mismatch() -> None:
    refs = parse_citations([_cit(PRINTED, ZOTERO)])
    assert not [f for f in audit(dedupe(refs)) if f.code == "embedded-mismatch"]


def test_drifted_print_is_an_embedded_mismatch() -> None:
    drifted = PRINTED.replace("(2016)", "(2015)").replace("96:418-419", "95:418-420")
    refs = parse_citations([_cit(drifted, ZOTERO, "mendeley")])
    [finding] = [f for f in audit(dedupe(refs)) if f.code == "embedded-mismatch"]
    assert finding.severity == "warning"
    assert finding.evidence["fields"] == ["year", "volume"]
    assert finding.evidence["cited"] == {"year": 2015, "volume": "95"}
    assert finding.evidence["registry"] == {"year": 2016, "volume": "96"}
    assert "Mendeley" in finding.message and finding.citations[0].raw == drifted


def test_other_title_and_first_author_are_mismatches() -> None:
    other = "1. Pujol RM (2016) Calcinosis cutis in systemic sclerosis. Acta Derm Venereol 96:418-419"
    [finding] = [
        f for f in audit(dedupe(parse_citations([_cit(other, ZOTERO, "endnote")]))) if f.code == "embedded-mismatch"
    ]
    assert finding.evidence["fields"] == ["title", "author"]
    assert "EndNote" in finding.message


def test_provenance_says_where_the_fields_come_from() -> None:
    [cluster] = dedupe(parse_citations([_cit(PRINTED, ZOTERO)]))
    note = provenance_note(cluster)
    assert "m.docx, reference 1, line 12, bibliography-field, label 1: " in note
    assert note.endswith("[fields from the zotero data in the document]")


def test_pdf_page_and_column_round_trip_through_provenance() -> None:
    from refkit.format import _provenance

    cit = Citation(PRINTED, Source("a.pdf", 4, 33, "4", page=7, column=2))
    [cluster] = dedupe(parse_citations([cit]))
    note = provenance_note(cluster)
    assert "a.pdf, reference 4, line 33, page 7, column 2, label 4: " in note
    [ref] = parse_citations([Citation(note)])
    assert _provenance(ref) == [Source("a.pdf", 4, 33, "4", 7, 2, None)]
