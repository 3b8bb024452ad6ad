"""The demo PDF and Word articles in data/articles/: what the README's main command reads, rebuilt by the same
builders the tests use (tests/demo_articles.py)."""

from __future__ import annotations

from pathlib import Path

from demo_articles import DOCX_NAME, PDF_NAME, PDF_REFERENCES, build_docx, build_pdf

from refkit.extract import extract
from refkit.parse import parse_citations

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


def test_demo_pdf_is_the_builders_and_reads_back(tmp_path: Path) -> None:
    assert build_pdf(tmp_path / PDF_NAME).read_bytes() == (ARTICLES / PDF_NAME).read_bytes()
    citations = extract(ARTICLES / PDF_NAME)
    assert [c.raw for c in citations] == PDF_REFERENCES
    assert {(c.source.page, c.source.column) for c in citations if c.source} == {(2, 1)}
    assert [c.source.label for c in citations if c.source] == [str(n) for n in range(1, 9)]


def test_demo_docx_reads_back_with_its_zotero_data(tmp_path: Path) -> None:
    for path in (ARTICLES / DOCX_NAME, build_docx(tmp_path / DOCX_NAME)):
        warnings: list[str] = []
        citations = extract(path, warnings=warnings)
        assert [c.source.part for c in citations if c.source] == ["bibliography-field"] * 3 + ["citation-field"]
        assert [c.embedded_from for c in citations] == ["zotero"] * 4
        assert [c.embedded["DOI"] for c in citations if c.embedded] == [
            "10.2340/00015555-2271",
            "10.1111/jcpt.12340",
            "10.1001/jama.287.24.3210",
            "10.1155/2012/690598",
        ]
        assert len(warnings) == 1 and "not in the printed reference list" in warnings[0]
        refs = parse_citations(citations)
        # the drifted page of the third entry: printed 3201-1, 3210-3211 in Zotero
        assert refs[2].page == "3210-3211" and refs[2].printed is not None and refs[2].printed.page == "3201-1"
