"""The demo PDF and Word articles in data/articles/, drawn with the tests' own PDF and .docx builders.

``python tests/demo_articles.py`` writes ``data/articles/002_calcinosis_review.pdf`` and
``data/articles/003_calcinosis_manuscript.docx``. The prose is written for the demo; every reference names a real
work, printed from its Crossref record (``tests/data/crossref``) or from the seed articles, in a common biomedical
style. The Word manuscript carries Zotero citation fields with each item's data (built from the same Crossref
records) and a Zotero bibliography field, with one printed entry that has drifted from its Zotero data and one
cited item missing from the printed list, as happens in real manuscripts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import docxbuild as b  # noqa: E402
from pdfbuild import PAGE_W, Flow, Text, wrap, write_pdf  # noqa: E402

REPO = TESTS.parent
PDF_NAME = "002_calcinosis_review.pdf"
DOCX_NAME = "003_calcinosis_manuscript.docx"

#: The PDF's reference list as printed (numbered, Vancouver style).
PDF_REFERENCES = [
    "Deza G, Sánchez-Schmidt JM, Pujol RM. Solitary plaque-type morphea with dystrophic calcinosis cutis. "
    "Acta Derm Venereol. 2016;96(3):418-9.",
    "Poormoghim H, et al. Systemic sclerosis and calcinosis cutis: response to rituximab. J Clin Pharm Ther. "
    "2016;41(1):94-6. doi:10.1111/jcpt.12340",
    "Cambiaghi S. Fingertip calcinosis cutis. Cutis. 2000;66:465-7.",
    "Ogretmen Z, et al. Calcinosis cutis universalis. J Eur Acad Dermatol Venereol. 2002;16:621-4.",
    "Watanabe S. Infantile syphilis accompanied by anticomplementary effect of cryoglobulin. Arch Dermatol. "
    "1974;109(6):889.",
    "Marzano AV, et al. Dystrophic calcinosis cutis in subacute lupus. Dermatology. 1999;198:90-2.",
    "Danby FW. Depression in an elderly man. JAMA. 2002;287(24):3210-1.",
    "Zouboulis CC, et al. Calcinosis cutis: cutaneous manifestations of generalized calcinosis in renal "
    "hyperparathyroidism. Hautarzt. 1990;41:212-7.",
]

_BODY = [
    "Calcinosis cutis is the deposition of insoluble calcium salts in the skin. Four forms are told apart: "
    "dystrophic, metastatic, idiopathic and iatrogenic calcinosis [1-3].",
    "Dystrophic calcinosis arises in damaged tissue with normal serum calcium and phosphate, as in morphea, "
    "systemic sclerosis and lupus [1, 2, 6]. Metastatic calcinosis follows a raised calcium-phosphate product, "
    "most often in chronic renal failure with secondary hyperparathyroidism [8].",
    "Idiopathic forms occur without tissue damage or metabolic cause; the fingertips and the ear are typical "
    "sites in children [3, 4]. Rituximab has been reported to help calcinosis in systemic sclerosis [2].",
    "The differential diagnosis includes gout, osteoma cutis and foreign-body granulomas. Older reports describe "
    "cryoglobulins in infantile syphilis [5], and skin signs may accompany depression in the elderly [7].",
]


def build_pdf(path: Path) -> Path:
    """A two-column, two-page review: running header, page numbers, numbered references with hanging indents."""
    flow = Flow(columns=(56.0, 312.0), top=90.0, bottom=770.0, leading=11.0, size=9.0)
    column_width = 227.0
    flow.line("Calcinosis cutis: a short review", size=13)
    flow.line("A. Demo, B. Example", size=9, gap=4)
    for paragraph in _BODY:
        flow.y += 6
        for line in wrap(paragraph, column_width):
            flow.line(line)
    # the reference list starts on a new page, in the left column
    flow.column = len(flow.columns) - 1
    flow.y = flow.bottom + 1
    flow.line("References", size=10)
    for number, reference in enumerate(PDF_REFERENCES, 1):
        label = f"{number}."
        lines = wrap(reference, column_width - 14, size=8.5)
        flow.y += 3
        for k, text in enumerate(lines):
            if k == 0:
                flow.line(f"{label} {text}", size=8.5)
            else:
                flow.line(text, indent=14, size=8.5)
    pages = flow.furniture("Demo Journal of Dermatology 2024; 1: 1-2")
    pages[0].append(Text(PAGE_W - 200, 40, "Made for refkit's demo", 8))
    return write_pdf(path, pages)


def _records() -> dict[str, dict[str, object]]:
    """CSL-JSON items (as Zotero stores them) built from the recorded Crossref records, by DOI."""
    from refkit.registry.convert import to_reference

    items = {}
    for name in ("seed-works.jsonl", "works.jsonl"):
        for line in (TESTS / "data" / "crossref" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            item = to_reference(record).to_csl()
            printed = (record.get("published-print") or {}).get("date-parts")
            if printed:  # Zotero's item has the date, not the online-first one
                item["issued"] = {"date-parts": printed}
            items[record["DOI"].lower()] = item
    return items


#: The manuscript's cited works (DOI, Zotero item id) in the order first cited.
DOCX_CITED = [
    ("10.2340/00015555-2271", "DEZA2016"),
    ("10.1111/jcpt.12340", "POORMOGHIM2016"),
    ("10.1001/jama.287.24.3210", "DANBY2002"),
    ("10.1155/2012/690598", "WESTAFER2012"),
]

#: The printed bibliography: Danby's pages drifted from the Zotero data ("3201" for 3210), and Westafer's case
#: report, cited in the text, is missing from it.
DOCX_BIBLIOGRAPHY = [
    "1.\tDeza G, Sánchez-Schmidt JM, Pujol RM. Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. "
    "Acta Derm Venereol. 2016;96(3):418–9.",
    "2.\tPoormoghim H. Systemic sclerosis and calcinosis cutis: response to rituximab. J Clin Pharm Ther. "
    "2016;41(1):94–6.",
    "3.\tDanby FW. Depression in an Elderly Man. JAMA. 2002;287(24):3201–1.",
]


def build_docx(path: Path) -> Path:
    """A manuscript with Zotero citation fields and a Zotero bibliography field."""
    items = _records()
    data = {key: {**items[doi], "id": key} for doi, key in DOCX_CITED}
    doc = b.document()
    doc.add_heading("Calcinosis cutis in systemic sclerosis: a case report", level=1)
    p = doc.add_paragraph("Dystrophic calcinosis cutis may complicate morphea ")
    b.add_field(p, b.zotero_citation([data["DEZA2016"]]), "[1]")
    b.add_text(p, " and systemic sclerosis, where rituximab has been tried ")
    b.add_field(p, b.zotero_citation([data["POORMOGHIM2016"]]), "[2]")
    b.add_text(p, ".")
    p = doc.add_paragraph("Our patient also reported low mood, which can accompany chronic skin disease ")
    b.add_field(p, b.zotero_citation([data["DANBY2002"]]), "[3]")
    b.add_text(p, ", and bedside ultrasound was used as in other settings ")
    b.add_field(p, b.zotero_citation([data["WESTAFER2012"]]), "[4]")
    b.add_text(p, ".")
    doc.add_heading("References", level=2)
    b.add_bibliography_field(
        doc, 'ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY', DOCX_BIBLIOGRAPHY
    )
    return b.save(doc, path)


def main() -> int:
    out = REPO / "data" / "articles"
    print(build_pdf(out / PDF_NAME))
    print(build_docx(out / DOCX_NAME))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
