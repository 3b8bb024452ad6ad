"""Extraction of reference lists from articles in text, Markdown, HTML and JATS."""

from __future__ import annotations

import pytest

from refkit.errors import InputError, NoReferencesError
from refkit.extract import extract, extract_text


def test_seed_articles(seed_articles):
    first = extract(seed_articles / "000_61b568b1287262a0.txt")
    second = extract(seed_articles / "001_d7fe02c7fd916c22.txt")
    assert len(first) == 10 and len(second) == 3
    assert first[0].raw == "Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467"
    assert (first[0].source.position, first[0].source.line, first[0].source.label) == (1, 41, "1")
    assert second[2].raw.endswith("Acta Derm Venereol doi: 10.2340/00015555-2271")
    furniture = ("Last updated", "Please ask your physician", "Dieser Artikel", "This section")
    assert not any(c.raw.startswith(furniture) for c in first + second)


def test_heading_and_wrapped_lines():
    text = (
        "Body text mentions 2019.\n\nReferences\n\n1. Smith J, Doe A. A long title that wraps\n"
        "   onto the next line. J Foo. 2019;3(2):10-20.\n2. Roe B (2018) Other. Bar 4: 5-6\n\n"
        "Acknowledgements\nWe thank 2020 people.\n"
    )
    cits = extract_text(text, file="a.txt")
    assert [c.raw for c in cits] == [
        "Smith J, Doe A. A long title that wraps onto the next line. J Foo. 2019;3(2):10-20.",
        "Roe B (2018) Other. Bar 4: 5-6",
    ]
    assert [c.source.line for c in cits] == [5, 7]


def test_unnumbered_list_under_heading():
    text = (
        "Literatur\nSmith J (2001) One title. J Foo 1: 1-2\nRoe B (2002) Two title. J Bar 2: 3-4\n"
        "Last updated on: 29.10.2020\n"
    )
    assert [c.raw[:7] for c in extract_text(text)] == ["Smith J", "Roe B ("]


def test_markdown_and_html():
    md = "# Paper\n\n## References\n\n1. **Smith J** (2001) [One title](https://x.org/a). *J Foo* 1: 1-2\n"
    assert extract_text(md, kind="markdown")[0].raw == "Smith J (2001) One title https://x.org/a. J Foo 1: 1-2"
    html = (
        "<html><body><p>Text</p><h2>References</h2><ol><li>Smith J (2001) One &amp; two. J Foo 1: 1-2</li>"
        "<li>Roe B (2002) Three. J Bar 2: 3-4</li></ol><script>var x = 2001;</script></body></html>"
    )
    cits = extract_text(html, kind="html")
    assert [c.raw for c in cits] == ["Smith J (2001) One & two. J Foo 1: 1-2", "Roe B (2002) Three. J Bar 2: 3-4"]
    assert [c.source.label for c in cits] == ["1", "2"]


def test_jats():
    xml = (
        "<?xml version='1.0'?><article><back><ref-list><ref id='r1'><label>1</label><mixed-citation>"
        "<person-group><name><surname>Deza</surname><given-names>G</given-names></name><name><surname>Pujol"
        "</surname><given-names>RM</given-names></name></person-group> (<year>2016</year>) <article-title>Solitary"
        "</article-title>. <source>Acta Derm Venereol</source> <volume>96</volume>:<fpage>418</fpage>-"
        "<lpage>419</lpage></mixed-citation></ref></ref-list></back></article>"
    )
    cits = extract_text(xml, kind="jats", file="a.xml")
    assert cits[0].raw == "Deza G, Pujol RM (2016) Solitary. Acta Derm Venereol 96:418-419"
    assert cits[0].source.label == "1"


def test_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        extract(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="empty file"):
        extract(empty)
    binary = tmp_path / "b.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(InputError, match="binary file"):
        extract(binary)
    prose = tmp_path / "prose.txt"
    prose.write_text("Just some text without any list.\n")
    with pytest.raises(NoReferencesError):
        extract(prose)


def test_latin1_is_read_with_a_warning(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Literatur\n1. Müller K (1999) Über Haut. Hautarzt 50: 1-2\n".encode("latin-1"))
    notes: list[str] = []
    cits = extract(path, warnings=notes)
    assert cits[0].raw == "Müller K (1999) Über Haut. Hautarzt 50: 1-2"
    assert notes and "not valid UTF-8" in notes[0]


def test_huge_line_is_skipped(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("x" * 10_000_000 + "\nReferences\n1. Smith J (2001) One. J Foo 1: 1-2\n")
    notes: list[str] = []
    cits = extract(path, warnings=notes)
    assert [c.raw for c in cits] == ["Smith J (2001) One. J Foo 1: 1-2"]
    assert "10,000,000 characters" in notes[0]


@pytest.mark.parametrize(
    "heading",
    [
        "Quellen",
        "Quellenverzeichnis:",
        "Literaturangaben",
        "Bibliographie",
        "Reference list",
        "R E F E R E N C E S",
        "VII. Quellen und Literatur",
        "W O R K S  C I T E D",
        "Zitierte und verwendete Quellen:",
    ],
)
def test_more_reference_list_headings(heading):
    text = f"Body text of 2019.\n{heading}\nSmith J (2001) One title. J Foo 1: 1-2\nRoe B (2002) Two. J Bar 2: 3-4\n"
    assert [c.raw[:7] for c in extract_text(text)] == ["Smith J", "Roe B ("]


def test_stop_headings_are_short_heading_like_lines():
    text = (
        "References\nGoodman LA (1970) The multivariate analysis of qualitative data. J Am Stat Assoc 65: 226-256\n"
        "Haberman SJ (1974) Log-linear models for frequency tables derived by indirect observation: Maximum\n"
        "Table when Expected Marginal Totals are known. The Annals of Statistics 2: 911-924\n"
        "Table 2\nRoe B (2002) A row of a table. J Bar 2: 3-4\n"
    )
    cits = extract_text(text)
    assert [c.raw[:7] for c in cits] == ["Goodman", "Haberma"]
    assert cits[1].raw.endswith(
        "Maximum Table when Expected Marginal Totals are known. The Annals of Statistics 2: 911-924"
    )
    for stop in ("Acknowledgements", "Appendix A: Items", "Funding: The work was funded by a grant of 2019."):
        assert len(extract_text(f"References\nRoe B (2002) Two. J Bar 2: 3-4\n{stop}\nSmith J (2001) X. J 1: 1\n")) == 1
