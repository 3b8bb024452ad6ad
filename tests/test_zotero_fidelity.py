"""What Zotero and its CSL processor, citeproc-js, make of refkit's exports, checked with the real processor.

citeproc-js from npm (``tests/js/render.js``; ``npm ci --prefix tests/js``, which ``.ci/run`` does) renders the
CSL-JSON export of the offline demo run and of 1,304 real Crossref records (tests/data/golden/
crossref-records.jsonl.gz) in APA, AMA, NLM (Vancouver) and Nature; refkit's own bibliographies (citeproc-py)
are compared with it entry by entry. Those tests are skipped only when Node or citeproc-js is missing. The
Zotero conventions (where a DOI or PMID goes, item types, the BibTeX import's traps) are checked on the
exported text against what Zotero's import translators read, as the module docstrings of refkit.export describe.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from refkit.export import ZOTERO_DOI_TYPES, as_clusters, dumps, get_format, journal_names, loads
from refkit.format import _fix_et_al, format_bibliography
from refkit.model import Person, Reference
from refkit.registry import to_reference
from refkit.testing.citeproc import render_with_citeproc_js, zotero_item

ROOT = Path(__file__).parent.parent
JS = Path(__file__).parent / "js"
DATA = Path(__file__).parent / "data" / "crossref"
RECORDS = Path(__file__).parent / "data" / "golden" / "crossref-records.jsonl.gz"
STYLES = ["apa", "american-medical-association", "vancouver", "nature"]


def citeproc_js(items: list[dict[str, Any]], style: str, output: str = "text") -> list[str]:
    """The bibliography citeproc-js prints for ``items`` (one string per entry, in its order)."""
    if shutil.which("node") is None or not (JS / "node_modules" / "citeproc").is_dir():
        pytest.skip("citeproc-js is not installed: needs Node, then npm ci --prefix tests/js")
    return [row["entry"] for row in render_with_citeproc_js(items, style, JS / "render.js", output=output)]


def rendered_by_both(refs: list[Reference], style: str) -> tuple[list[str], list[str]]:
    items = [zotero_item(ref, f"r{i}") for i, ref in enumerate(refs, 1)]
    return format_bibliography(refs, style, order="cited"), [_fix_et_al(e) for e in citeproc_js(items, style)]


@lru_cache(maxsize=1)
def crossref_records() -> tuple[dict[str, Any], ...]:
    lines = gzip.decompress(RECORDS.read_bytes()).decode("utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def crossref_works() -> list[Reference]:
    """The records as ``refkit export`` reads a saved Crossref answer: each Reference keeps its record as raw."""
    return get_format("csljson").loads(json.dumps(list(crossref_records())))


@lru_cache(maxsize=1)
def demo_works() -> tuple[Reference, ...]:
    from refkit.format import load_library

    return tuple(load_library([ROOT / "data" / "articles"]).works)


def export_text(refs: list[Reference], fmt: str) -> str:
    return dumps(as_clusters(refs), fmt)


def agreement(ours: list[str], theirs: list[str]) -> int:
    left = Counter(theirs)
    same = 0
    for entry in ours:
        if left[entry]:
            left[entry] -= 1
            same += 1
    return same


# ----------------------------------------------------------------------------------------------------
# The real processor: refkit format as right as citeproc-js


@pytest.mark.parametrize("style", STYLES)
def test_refkit_bibliographies_agree_with_citeproc_js_on_1304_crossref_records(style: str) -> None:
    """>= 99 % of entries identical; bench/format_agreement.py lists the differences left by cause."""
    refs = crossref_works()
    assert len(refs) == 1304
    ours, theirs = rendered_by_both(refs, style)
    same = agreement(ours, theirs)
    assert same / len(refs) >= 0.99, f"{same}/{len(refs)} entries agree with citeproc-js in {style}"


@pytest.mark.parametrize("style", STYLES)
def test_the_offline_demo_agrees_with_citeproc_js(style: str) -> None:
    works = list(demo_works())
    assert len(works) == 15
    ours, theirs = rendered_by_both(works, style)
    assert agreement(ours, theirs) == len(works), [o for o in ours if o not in theirs]


def test_citeproc_js_renders_every_export_with_all_initials_no_tags_and_no_glued_words() -> None:
    records = crossref_records()
    refs = [*crossref_works(), *demo_works()]
    items = json.loads(export_text(refs, "csljson"))
    for item in items:
        item.pop("note", None)
    text = citeproc_js(items, "vancouver")
    html = citeproc_js(items, "vancouver", output="html")
    assert len(text) == len(html) == len(refs)
    for entry in text:
        assert not re.search(r"</?(?:i|b|sub|sup|scp|span|italic)\b|&lt;|&amp;lt;", entry), entry
    # every initial: "Couzin ID", never "Couzin I" for a given name written "ID"
    by_id = {item["id"]: item for item in items}
    ids = [item["id"] for item in items]
    for key, entry in zip(ids, text, strict=True):
        for name in by_id[key].get("author", [])[:6]:
            given, family = name.get("given", ""), name.get("family", "")
            if family and re.fullmatch(r"(?:[A-Z]\. )*[A-Z]\.", given or ""):
                initials = given.replace(". ", "").rstrip(".")
                assert f"{family} {initials}".replace("'", "\u2019") in entry.replace("'", "\u2019"), (given, entry)
    # Crossref runs words into markup ("of<i>Burkholderia</i>BS001"); the rendered titles have the spaces
    glued = [r for r in records if re.search(r"\w<i>|</i>\w", (r.get("title") or [""])[0])]
    assert len(glued) >= 5
    rendered = "\n".join(text)
    for record in glued:
        title = to_reference(record).title or ""
        assert title in rendered, title
        assert not re.search(r"[a-z](?:Burkholderia|Mycobacterium|Chlamydia|Melophorus)", rendered)
    # the markup itself is there in HTML: italics as <i>, small caps as a span
    assert sum("<i>" in entry for entry in html) >= 10


def test_initials_run_together_are_written_apart_so_citeproc_js_keeps_them() -> None:
    people = (Person("Couzin", "ID"), Person("Lai", "CH"), Person("Smith", "KW"), Person("Deza", "G"))
    spaced = (Person("Roe", "I D"), Person("Doe", "I.D."))
    ref = Reference(author=people + spaced, issued=(2016,), title="A title", container_title="J", volume="9")
    ours, theirs = rendered_by_both([ref], "vancouver")
    assert theirs == ours == ["1. Couzin ID, Lai CH, Smith KW, Deza G, Roe ID, Doe ID. A title. J. 2016;9."]
    assert '"given": "I. D."' in export_text([ref], "csljson")
    assert "Couzin, I. D. and Lai, C. H. and Smith, K. W. and Deza, G" in export_text([ref], "bibtex")
    assert "AU  - Couzin, I. D." in export_text([ref], "ris")
    assert rendered_by_both([ref], "apa")[1][0].startswith("Couzin, I. D., Lai, C. H., Smith, K. W., Deza, G.")


def test_jr_and_sr_initials_are_not_suffixes() -> None:
    # the parser reads "Stothard JR" as a suffix; Zotero would make a first name ", JR" of it
    ref = Reference(
        author=(Person("Stothard", suffix="JR"), Person("Baral", suffix="SR"), Person("King", "Martin", suffix="Jr")),
        issued=(2010,),
        title="T",
        container_title="J",
    )
    bib, ris = export_text([ref], "bibtex"), export_text([ref], "ris")
    assert "author = {Stothard, J. R. and Baral, S. R. and King, Jr, Martin}" in bib
    assert "AU  - Stothard, J. R.\nAU  - Baral, S. R.\nAU  - King, Martin, Jr" in ris
    for fmt in ("bibtex", "ris", "csljson"):
        back = loads(export_text([ref], fmt), fmt)[0]
        assert back.author[:2] == (Person("Stothard", "J. R."), Person("Baral", "S. R.")), fmt
    assert rendered_by_both([ref], "vancouver")[1] == ["1. Stothard JR, Baral SR, King M Jr. T. J. 2010."]


# ----------------------------------------------------------------------------------------------------
# Zotero: DOI, PMID, proceedings titles, item types, BibTeX traps


ALL_TYPES = [
    "article-journal",
    "paper-conference",
    "article",
    "chapter",
    "book",
    "report",
    "dataset",
    "entry",
    "entry-encyclopedia",
    "review",
    "standard",
    "thesis",
    "webpage",
    "document",
]


@pytest.mark.parametrize("csl_type", ALL_TYPES)
def test_doi_is_reachable_for_every_item_type(csl_type: str) -> None:
    """A DOI field where the Zotero item has one, else a DOI: line in Extra (CSL-JSON note, RIS M2, BibTeX note)."""
    ref = Reference(type=csl_type, title="T", container_title="C", issued=(2020,), doi="10.1/x_1")
    item = json.loads(export_text([ref], "csljson"))[0]
    ris = export_text([ref], "ris").splitlines()
    bib = export_text([ref], "bibtex")
    assert item["DOI"] == "10.1/x_1" and "DO  - 10.1/x_1" in ris and "doi = {10.1/x_1}" in bib
    in_extra = csl_type not in ZOTERO_DOI_TYPES
    assert ("DOI: 10.1/x_1" in item["note"].splitlines()) is in_extra
    assert ("M2  - DOI: 10.1/x_1" in ris) is in_extra
    assert ("note = {DOI: 10.1/x\\_1}" in bib) is in_extra
    for fmt in ("csljson", "ris", "bibtex"):
        back = loads(export_text([ref], fmt), fmt)[0]
        assert (back.doi, back.note) == ("10.1/x_1", None), fmt


def test_pmid_lands_in_extra_in_all_three_formats() -> None:
    ref = Reference(title="T", container_title="J", pmid="26667314", pmcid="PMC4700000")
    item = json.loads(export_text([ref], "csljson"))[0]
    assert item["PMID"] == "26667314" and item["note"].splitlines()[:2] == ["PMID: 26667314", "PMCID: PMC4700000"]
    ris = export_text([ref], "ris")
    assert "M2  - PMID: 26667314" in ris and "M2  - PMCID: PMC4700000" in ris  # M2 is Extra; N1 a child note
    assert "N1  - PMID" not in ris
    bib = export_text([ref], "bibtex")  # Zotero's BibTeX import appends note to Extra and drops a pmid field
    assert "pmid = {26667314}" in bib and "note = {PMID: 26667314\nPMCID: PMC4700000}" in bib
    for fmt in ("csljson", "ris", "bibtex"):
        assert loads(export_text([ref], fmt), fmt)[0].pmid == "26667314", fmt


def test_ris_conference_papers_carry_the_proceedings_title() -> None:
    ref = Reference(type="paper-conference", title="Talk", container_title="Proceedings of X 2020", issued=(2020,))
    ris = export_text([ref], "ris").splitlines()
    assert "TY  - CPAPER" in ris and "C3  - Proceedings of X 2020" in ris  # Zotero: proceedingsTitle
    assert not any(line.startswith("T2  - ") for line in ris)  # T2 would be the conference name
    assert loads("\n".join(ris), "ris")[0].container_title == "Proceedings of X 2020"


# What Zotero's RIS and BibTeX import translators make of each type refkit writes (RIS: GEN becomes a journal
# article and M3 a DOI on types without a type field; BibTeX: @misc is a document).
@pytest.mark.parametrize(
    "csl_type,ris,bibtex",
    [
        ("article-journal", "JOUR", "article"),
        ("review", "JOUR", "article"),
        ("paper-conference", "CPAPER", "inproceedings"),
        ("chapter", "CHAP", "incollection"),
        ("book", "BOOK", "book"),
        ("report", "RPRT", "techreport"),
        ("standard", "STAND", "techreport"),
        ("dataset", "DATA", "dataset"),
        ("entry", "ENCYC", "incollection"),
        ("entry-encyclopedia", "ENCYC", "incollection"),
        ("entry-dictionary", "DICT", "incollection"),
        ("thesis", "THES", "phdthesis"),
        ("webpage", "ELEC", "online"),
        ("article", "UNPB", "article"),
    ],
)
def test_item_types_follow_zotero_translators(csl_type: str, ris: str, bibtex: str) -> None:
    ref = Reference(type=csl_type, title="T", container_title="C", genre="Special", issued=(2020,))
    text = export_text([ref], "ris")
    assert text.startswith(f"TY  - {ris}\n")
    if ris in ("JOUR", "BOOK", "CHAP", "CPAPER", "DATA", "ENCYC", "DICT", "STAND"):
        assert "M3  - " not in text  # Zotero's RIS import reads M3 as the DOI of these
    assert export_text([ref], "bibtex").startswith(f"@{bibtex}{{")
    assert loads(export_text([ref], "bibtex"), "bibtex")[0].type == csl_type


def test_bibtex_writes_what_zoteros_import_keeps() -> None:
    ref = Reference(title="HOTEL costs $5 for (+)-catechin, p <= 0.05", container_title="J", issued=(2020,))
    bib = export_text([ref], "bibtex")
    title = re.search(r"title = \{(.*)\},", bib).group(1)
    assert "\\$" not in title and "{$}5" in title  # Zotero's import turns \$ into \
    assert "{TEL}" in title and "{(+)}" in title and "{<=}" in title  # ℡, ⊕ and ⇐ otherwise
    assert loads(bib, "bibtex")[0].title == ref.title


def test_titles_keep_their_markup_in_every_export() -> None:
    record = {
        "DOI": "10.1/m",
        "type": "journal-article",
        "title": [
            "Population dynamics of<i>Burkholderia terrae</i>BS001 in H<sub>2</sub>O: "
            "&lt;scp&gt;MMC&lt;/scp&gt; at 10<sup>3</sup> and <b>p</b> &amp;lt;scp&amp;gt;x&amp;lt;/scp&amp;gt;"
        ],
        "container-title": ["FEMS Microbiology Ecology"],
    }
    ref = loads(json.dumps({"message-type": "work", "message": record}), "csljson")[0]
    plain = "Population dynamics of Burkholderia terrae BS001 in H2O: MMC at 103 and p x"
    assert ref.title == plain == to_reference(record).title  # every stage compares the plain form
    rich = (
        "Population dynamics of <i>Burkholderia terrae</i> BS001 in H<sub>2</sub>O: "
        '<span style="font-variant:small-caps;">MMC</span> at 10<sup>3</sup> and <b>p</b> '
        '<span style="font-variant:small-caps;">x</span>'
    )
    assert json.loads(export_text([ref], "csljson"))[0]["title"] == rich
    assert f"TI  - {rich}" in export_text([ref], "ris")
    bib = export_text([ref], "bibtex")
    assert "\\textit{Burkholderia terrae} {BS001} in H\\textsubscript{2}O: \\textsc{{MMC}}" in bib
    for fmt in ("csljson", "ris", "bibtex"):
        assert loads(export_text([ref], fmt), fmt)[0].title == plain, fmt
    html = citeproc_js([zotero_item(ref, "r1")], "apa", output="html")[0]
    assert "of <i>Burkholderia terrae</i> BS001 in H<sub>2</sub>O" in html and "scp" not in html
    assert plain in citeproc_js([zotero_item(ref, "r1")], "apa")[0]


def test_book_page_counts_are_number_of_pages() -> None:
    book = to_reference({"DOI": "10.1/b", "type": "monograph", "title": ["B"], "page": "250"})
    assert (book.page, book.note) == (None, "number-of-pages: 250")
    item = json.loads(export_text([book], "csljson"))[0]
    assert item["number-of-pages"] == "250" and "page" not in item
    assert "SP  - 250" in export_text([book], "ris")  # Zotero's number of pages for a book
    assert loads(export_text([book], "ris"), "ris")[0].note == "number-of-pages: 250"
    chapter = to_reference({"DOI": "10.1/c", "type": "book-chapter", "title": ["C"], "page": "25-30"})
    assert (chapter.page, chapter.note) == ("25-30", None)


def test_a_page_range_citeproc_js_would_expand_is_escaped() -> None:
    ref = Reference(author=(Person("Roe", "J"),), title="T", container_title="J", issued=(1997,), volume="277")
    for page in ("1392b-1392", "297a-297"):
        item = json.loads(export_text([ref.replace(page=page)], "csljson"))[0]
        assert item["page"] == page.replace("-", "\\-")
        assert loads(export_text([ref.replace(page=page)], "csljson"), "csljson")[0].page == page
        for style in ("apa", "nature"):
            ours, theirs = rendered_by_both([ref.replace(page=page)], style)
            assert ours == theirs and f", {page}" in theirs[0]  # not "1392b–11392"


# ----------------------------------------------------------------------------------------------------
# Journal names offline: full title and journalAbbreviation


def test_offline_demo_works_carry_a_full_journal_title_and_its_abbreviation() -> None:
    from refkit.format import load_library

    library = load_library([ROOT / "data" / "articles"])
    seeds = {i for file, found in library.cited.items() if Path(file).name[:4] in ("000_", "001_") for i in found}
    items = json.loads(export_text(library.works, "csljson"))
    both = [i for i, item in enumerate(items) if item.get("container-title") and item.get("journalAbbreviation")]
    assert len(seeds) == 12 and len(items) == 15
    assert len(set(both) & seeds) >= 9 and len(both) >= 12
    deza = next(item for item in items if item.get("journalAbbreviation") == "Acta Derm Venereol")
    assert deza["container-title"] == "Acta Dermato-Venereologica"
    ris = export_text(library.works, "ris")
    assert "T2  - Acta Dermato-Venereologica\nJF  - Acta Dermato-Venereologica\nJ2  - Acta Derm Venereol" in ris
    bib = export_text(library.works, "bibtex")
    assert "journal = {Acta Dermato-Venereologica},\n  shortjournal = {Acta Derm Venereol}," in bib


def test_journal_names_the_lists_do_not_know_stay_as_cited() -> None:
    ref = journal_names(Reference(container_title="Dermatologist"))  # a translated name, no list has it
    assert (ref.container_title, ref.container_title_short) == ("Dermatologist", None)
    cited = journal_names(Reference(container_title="Pediatric Dermatol"))  # not a standard form
    assert (cited.container_title, cited.container_title_short) == ("Pediatric Dermatology", "Pediatr Dermatol")


# ----------------------------------------------------------------------------------------------------
# refkit format where it differed from citeproc-js


def test_format_follows_citeproc_js_on_authorless_works_editors_year_suffixes_and_suffixes() -> None:
    refs = [
        Reference(type="book", title="Aquatic Ecology", publisher="P", issued=(2001,)),
        Reference(type="chapter", editor=(Person("Wright", "CA"),), title="Editorial", container_title="B",
                  publisher="P", issued=(1906,)),
        Reference(type="book", editor=(Person("Smith", "J"),), title="A book", issued=(2001,), publisher="P"),
        Reference(author=(Person("Berressem", "H"),), title="Beta", container_title="J", issued=(2006,)),
        Reference(author=(Person("Berressem", "H"),), title="Alpha", container_title="J", issued=(2006,)),
        Reference(author=(Person("Northington", "MC", suffix="V"),), title="S", container_title="J", issued=(2018,)),
        Reference(author=(Person("Raimundo", "IM", suffix="Jr"),), title="R", container_title="J", issued=(2002,)),
    ]  # fmt: skip
    for style in STYLES:
        ours, theirs = rendered_by_both(refs, style)
        assert sorted(ours) == sorted(theirs), style
    apa = format_bibliography(refs, "apa")
    assert "Berressem, H. (2006a). Alpha. J." in apa and "Berressem, H. (2006b). Beta. J." in apa
    assert "Smith, J. (Ed.). (2001). A book. P." in apa
    assert "Aquatic Ecology. (2001). P." in apa
    assert "Northington, M. C., V. (2018). S. J." in apa
    assert format_bibliography(refs[1:2], "vancouver") == ["1. Wright CA, editor. Editorial. In: B. P; 1906."]


# ----------------------------------------------------------------------------------------------------
# Crossref API JSON in


def test_crossref_api_json_is_read_by_refkit_export(tmp_path: Path) -> None:
    response = next(iter(sorted(DATA.glob("work/*.json"))))
    refs = loads(response.read_text(encoding="utf-8"), "csljson")
    message = json.loads(response.read_text(encoding="utf-8"))["message"]
    assert len(refs) == 1 and refs[0].doi == message["DOI"]
    assert refs[0] == to_reference(message).replace(raw=refs[0].raw, source=refs[0].source)
    # a list of records, as a user may have saved them, gives every record
    assert len(loads(json.dumps(list(crossref_records()[:20])), "csljson")) == 20
