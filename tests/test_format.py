"""Formatted bibliographies: golden files per style, and each citeproc-py gap closed with exact strings.

Golden files live in tests/data/golden/. ``seeds.json`` is the CSL-JSON that an offline run
(``refkit.pipeline.run(["data/articles"], out, registry=None)``) wrote; it is frozen here so that the golden
bibliographies depend only on formatting. ``crossref.*`` are the two seed works with a DOI as Crossref describes
them (tests/data/crossref/seed-works.jsonl: all authors, issue, DOI). To rewrite the golden files after a
deliberate change, run ``REFKIT_UPDATE_GOLDEN=1 pytest tests/test_format.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from refkit.format import (
    format_bibliography,
    format_inputs,
    format_page_range,
    load_library,
    resolve_style,
    styles,
)
from refkit.model import Person, Reference
from refkit.registry import to_reference

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
ROOT = Path(__file__).parent.parent
CSL_STYLES = ["vancouver-nlm", "american-medical-association", "apa", "nature"]
UPDATE = os.environ.get("REFKIT_UPDATE_GOLDEN") == "1"


def crossref_seed_works() -> list[Reference]:
    lines = (DATA / "crossref" / "seed-works.jsonl").read_text(encoding="utf-8").splitlines()
    return [to_reference(json.loads(line)) for line in lines if line.strip()]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


# ----------------------------------------------------------------------------------------------------
# Golden files


@pytest.mark.parametrize("style", [*CSL_STYLES, "plain", "unsrt"])
def test_seed_library_matches_golden(style: str) -> None:
    result = format_inputs([GOLDEN / "seeds.json"], style)
    assert result.problems == []
    check_golden(f"seeds.{style}.txt", result.render())


@pytest.mark.parametrize("output,suffix", [("html", "html"), ("markdown", "md")])
def test_seed_library_markup_matches_golden(output: str, suffix: str) -> None:
    for style in ("nature", "apa"):
        check_golden(f"seeds.{style}.{suffix}", format_inputs([GOLDEN / "seeds.json"], style, output=output).render())


def test_seed_articles_in_citation_order_match_golden() -> None:
    result = format_inputs([GOLDEN / "seeds.json"], "vancouver", per_article=True)
    check_golden("seeds.per-article.vancouver-nlm.txt", result.render())


@pytest.mark.parametrize("style", CSL_STYLES)
def test_crossref_records_match_golden(style: str) -> None:
    entries = format_bibliography(crossref_seed_works(), style)
    check_golden(f"crossref.{style}.txt", "\n".join(entries) + "\n")


def test_golden_entries_read_as_each_style_prints_them() -> None:
    """The Deza entry in each style, against the style's published pattern (checked by eye once, kept here)."""
    deza = crossref_seed_works()[0].replace(issued=(2016,))  # the print year, as the styles' examples cite it
    doi = "10.2340/00015555-2271"
    title = "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis"
    assert format_bibliography([deza], "vancouver") == [
        f"1. Deza G, Sánchez-Schmidt JM, Pujol RM. {title}. Acta Derm Venereol. 2016;96(3):418–9. doi:{doi}"
    ]
    assert format_bibliography([deza], "american-medical-association") == [
        f"1. Deza G, Sánchez-Schmidt JM, Pujol RM. {title}. Acta Derm Venereol. 2016;96(3):418-419. doi:{doi}"
    ]
    assert format_bibliography([deza], "apa") == [
        f"Deza, G., Sánchez-Schmidt, J. M., & Pujol, R. M. (2016). {title}. Acta Dermato-Venereologica, "
        f"96(3), 418–419. https://doi.org/{doi}"
    ]
    assert format_bibliography([deza], "nature") == [
        f"1. Deza, G., Sánchez-Schmidt, J. M. & Pujol, R. M. {title}. Acta Derm Venereol 96, 418–419 (2016)."
    ]


def test_a_run_on_the_articles_formats_like_its_references_json() -> None:
    """Articles run offline through extract and parse give the same bibliography as the run's CSL-JSON."""
    from_articles = format_inputs([ROOT / "data" / "articles"], "vancouver", per_article=True)
    assert from_articles.problems == []
    titles = [Path(b.title or "").name for b in from_articles.bibliographies]
    assert titles == [
        "000_61b568b1287262a0.txt",
        "001_d7fe02c7fd916c22.txt",
        "002_calcinosis_review.pdf",
        "003_calcinosis_manuscript.docx",
    ]
    assert [len(b.entries) for b in from_articles.bibliographies] == [10, 3, 8, 4]
    assert from_articles.bibliographies[1].entries[0] == (
        "1. Bégon E, et al. Symptomatic dystrophic cutaneous calcification as a late complication of radiotherapy "
        "for breast cancer. Int J Dermatol. 2014;53:e542-544."
    )


# ----------------------------------------------------------------------------------------------------
# citeproc-py gaps


@pytest.mark.parametrize(
    "page,minimal,expanded",
    [
        ("1-10", "1-10", "1-10"),
        ("100-110", "100-10", "100-110"),
        ("418-419", "418-9", "418-419"),
        # as citeproc-js prints them: a range with a prefix on its first end only as written; a shared prefix
        # once in minimal formats, on both ends when expanded
        ("e542-544", "e542-544", "e542-544"),
        ("e542-e544", "e542-4", "e542-e544"),
        ("418-9", "418-9", "418-419"),
        ("2787-2816", "2787-816", "2787-2816"),
        ("S1-S10", "S1-10", "S1-S10"),
        ("III-318", "III-318", "III-318"),
        ("111-128_1", "111-128_1", "111-128_1"),
        ("297a-298a", "297a-8a", "297a-298a"),
        ("1392b\\-1392", "1392b-1392", "1392b-1392"),
        ("10-8", "10-8", "10-18"),
        ("iii-iv", "iii-iv", "iii-iv"),
        ("418", "418", "418"),
        ("e1000097", "e1000097", "e1000097"),
        ("418–419, 421-422", "418-9, 421-2", "418-419, 421-422"),
        ("419-418", "419-418", "419-418"),
    ],
)
def test_page_ranges(page: str, minimal: str, expanded: str) -> None:
    assert format_page_range(page, "minimal", "-") == minimal
    assert format_page_range(page, "expanded", "-") == expanded


def test_page_range_formats_two_digit_and_chicago() -> None:
    pages = ["321-328", "42-45", "101-108", "1496-1504", "11564-11568"]
    assert [format_page_range(p, "minimal-two", "-") for p in pages] == [
        "321-28",
        "42-45",
        "101-08",
        "1496-504",
        "11564-68",
    ]
    assert [format_page_range(p, "chicago-15", "-") for p in pages] == [
        "321-28",
        "42-45",
        "101-8",
        "1496-1504",
        "11564-68",
    ]
    assert [format_page_range(p, "chicago-16", "-") for p in pages] == [
        "321-28",
        "42-45",
        "101-8",
        "1496-504",
        "11564-68",
    ]
    assert format_page_range("418-419", None) == "418–419"


def article(page: str, **changes: object) -> Reference:
    ref = Reference(
        author=(Person("Smith", "J"),),
        issued=(2001,),
        title="A title",
        container_title="J Test",
        volume="12",
        page=page,
    )
    return ref.replace(**changes)


@pytest.mark.parametrize(
    "page,vancouver,nature",
    [
        ("1-10", "2001;12:1–10.", "J Test 12, 1–10 (2001)."),
        ("100-110", "2001;12:100–10.", "J Test 12, 100–110 (2001)."),
        ("418-419", "2001;12:418–9.", "J Test 12, 418–419 (2001)."),
        # citeproc-js reads "e542-544" as no range and prints it as written, in every style
        ("e542-544", "2001;12:e542-544.", "J Test 12, e542-544 (2001)."),
        # "1392b-1392" is exported as "1392b\\-1392", which citeproc-js cannot expand to "1392b–11392"
        ("1392b-1392", "2001;12:1392b-1392.", "J Test 12, 1392b-1392 (2001)."),
    ],
)
def test_pages_in_styles(page: str, vancouver: str, nature: str) -> None:
    """citeproc-py's own minimal format printed 1-10 as 1–0; NLM and Nature print an en dash as citeproc-js does
    (Citing Medicine has a hyphen, but Zotero prints with citeproc-js)."""
    assert format_bibliography([article(page)], "vancouver") == [f"1. Smith J. A title. J Test. {vancouver}"]
    assert format_bibliography([article(page)], "nature") == [f"1. Smith, J. A title. {nature}"]
    assert format_bibliography([article(page)], "american-medical-association")[0].endswith(f"2001;12:{page}.")


def test_vancouver_is_an_alias_of_the_nlm_style() -> None:
    assert resolve_style("vancouver") == resolve_style("VANCOUVER") == "vancouver-nlm"
    assert resolve_style("ama") == "american-medical-association"
    names = styles()
    assert {"vancouver", "vancouver-nlm", "apa", "nature", "american-medical-association", "plain", "unsrt"} <= set(
        names
    )
    assert names == sorted(names)
    with pytest.raises(ValueError, match="unknown style 'vancover'"):
        format_bibliography([article("1")], "vancover")


def test_numbers_are_followed_by_a_space() -> None:
    for style in ("vancouver", "american-medical-association", "nature"):
        assert format_bibliography([article("5")], style)[0].startswith("1. Smith")


def test_author_date_styles_are_sorted_even_in_citation_order() -> None:
    refs = [article("1", author=(Person("Zeta", "A"),)), article("2", author=(Person("Alpha", "B"),))]
    assert [e.split(",")[0] for e in format_bibliography(refs, "apa", order="cited")] == ["Alpha", "Zeta"]
    assert [e.split(",")[0] for e in format_bibliography(refs, "nature", order="cited")] == ["1. Zeta", "2. Alpha"]
    assert [e.split(",")[0] for e in format_bibliography(refs, "nature", order="sorted")] == ["1. Alpha", "2. Zeta"]
    assert [e[:10] for e in format_bibliography(refs, "unsrt", order="cited")] == ["[1] A Zeta", "[2] B Alph"]
    assert [e[:10] for e in format_bibliography(refs, "plain", order="cited")] == ["[1] B Alph", "[2] A Zeta"]


def test_html_sort_ignores_markup() -> None:
    """citeproc-py sorted on rendered HTML, so a title in <i> came before every author."""
    refs = [article("1", author=(Person("Adams", "J"),)), Reference(title="Only a title", type="book")]
    assert [re.sub("<[^>]+>", "", e) for e in format_bibliography(refs, "apa", output="html")] == (
        format_bibliography(refs, "apa", output="text")
    )


def test_full_dates_keep_the_style_locale_delimiter() -> None:
    ref = article("418-419", issued=(2015, 11, 3))
    assert format_bibliography([ref], "vancouver") == ["1. Smith J. A title. J Test. 2015 Nov 3;12:418–9."]


def test_raw_dates_in_csl_json_become_date_parts(tmp_path: Path) -> None:
    items = [
        {
            "id": "a",
            "type": "article-journal",
            "title": "Raw",
            "author": [{"family": "Smith", "given": "J"}],
            "issued": {"raw": "2001-05"},
            "container-title": "J Test",
            "volume": "12",
            "page": "1-10",
        },
        {
            "id": "b",
            "type": "article-journal",
            "title": "Literal",
            "author": [{"family": "Jones", "given": "K"}],
            "issued": {"literal": "circa 1999"},
            "container-title": "J Test",
        },
    ]
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    library = load_library([path])
    assert [r.issued for r in library.works] == [(2001, 5), (1999,)]
    assert format_inputs([path], "apa").render() == (
        "Jones, K. (1999). Literal. J Test.\nSmith, J. (2001). Raw. J Test, 12, 1–10.\n"
    )


def test_string_volumes_issues_and_pages() -> None:
    ref = article("S1-S10", volume="96 Suppl 2", issue="3 Pt 1")
    assert format_bibliography([ref], "vancouver") == ["1. Smith J. A title. J Test. 2001;96 Suppl 2(3 Pt 1):S1–10."]
    assert format_bibliography([ref], "apa") == ["Smith, J. (2001). A title. J Test, 96 Suppl 2(3 Pt 1), S1–S10."]


def test_a_journal_article_typed_article_is_formatted_as_one() -> None:
    ref = article("418-419", type="article")
    assert format_bibliography([ref], "vancouver") == format_bibliography([article("418-419")], "vancouver")


def test_cut_short_author_lists_print_et_al() -> None:
    one = article("1", et_al=True)
    two = article("1", et_al=True, author=(Person("Smith", "J"), Person("Jones", "KL")))
    assert format_bibliography([one, two], "vancouver", order="cited") == [
        "1. Smith J, et al. A title. J Test. 2001;12:1.",
        "2. Smith J, Jones KL, et al. A title. J Test. 2001;12:1.",
    ]
    assert format_bibliography([two], "apa") == ["Smith, J., Jones, K. L., et al. (2001). A title. J Test, 12, 1."]
    assert format_bibliography([two], "nature") == ["1. Smith, J., Jones, K. L. et al. A title. J Test 12, 1 (2001)."]
    assert format_bibliography([two], "apa", output="html") == [
        "Smith, J., Jones, K. L., et al. (2001). A title. <i>J Test</i>, <i>12</i>, 1."
    ]
    assert format_bibliography([two], "plain") == ["[1] J Smith, K. L. Jones, et al. A title. J Test, 12:1, 2001."]


def test_markup_is_escaped() -> None:
    ref = article("1", title="Cells <b> & *stars* [x]")
    assert format_bibliography([ref], "nature", output="html") == [
        "1. Smith, J. Cells &lt;b&gt; &amp; *stars* [x]. <i>J Test</i> <b>12</b>, 1 (2001)."
    ]
    assert format_bibliography([ref], "nature", output="markdown") == [
        r"1. Smith, J. Cells \<b\> & \*stars\* \[x\]. *J Test* **12**, 1 (2001)."
    ]


def test_references_missing_what_the_type_requires_still_print() -> None:
    bare = Reference(raw="Smith J. Notes on things", author=(Person("Smith", "J"),), title="Notes on things")
    assert format_bibliography([bare], "plain") == ["[1] J Smith. Notes on things."]
    assert format_bibliography([bare], "vancouver") == ["1. Smith J. Notes on things."]
    assert format_bibliography([], "apa") == []
    unparsed = Reference(raw="Personal communication,  2019")
    assert format_bibliography([unparsed], "vancouver") == ["1. Personal communication, 2019."]
    assert format_bibliography([unparsed], "unsrt") == ["[1] Personal communication, 2019."]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown output"):
        format_bibliography([article("1")], "apa", output="rtf")
    with pytest.raises(ValueError, match="unknown order"):
        format_bibliography([article("1")], "apa", order="random")


# ----------------------------------------------------------------------------------------------------
# Inputs


def test_each_output_of_a_run_gives_the_same_per_article_bibliography(tmp_path: Path) -> None:
    """The provenance in references.json, .bib and .ris says where each work was cited."""
    from refkit.pipeline import run

    run([ROOT / "data" / "articles"], tmp_path, registry=None)
    rendered = {
        suffix: format_inputs([tmp_path / f"references.{suffix}"], "nature", per_article=True).render()
        for suffix in ("json", "bib", "ris")
    }
    assert rendered["json"] == rendered["bib"] == rendered["ris"]
    from_articles = format_inputs([ROOT / "data" / "articles"], "nature", per_article=True).render()
    assert rendered["json"] == from_articles
    assert rendered["json"].count("\n1. ") == 4  # the two seed pages, the PDF and the Word manuscript


def test_entries_without_provenance_are_listed_under_their_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.ris"
    path.write_text("TY  - JOUR\nAU  - Zeta, A\nTI  - Z\nER  - \nTY  - JOUR\nAU  - Alpha, B\nTI  - A\nER  - \n")
    result = format_inputs([path], "vancouver", per_article=True)
    assert [(b.title, b.entries) for b in result.bibliographies] == [(str(path), ("1. Zeta A. Z.", "2. Alpha B. A."))]


def test_unusable_inputs_are_reported_and_the_rest_formatted(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = format_inputs([broken, GOLDEN / "seeds.json", tmp_path / "missing.txt"], "vancouver")
    assert len(result.bibliographies) == 1
    assert len(result.bibliographies[0].entries) == 12
    assert len(result.problems) == 2
    assert "broken.json" in result.problems[0] and "not valid JSON" in result.problems[0]
    assert "missing.txt" in result.problems[1]


def test_rendered_documents() -> None:
    result = format_inputs([GOLDEN / "seeds.json"], "nature", output="html", per_article=True)
    text = result.render()
    assert text.startswith('<h2>data/articles/000_61b568b1287262a0.txt</h2>\n<div class="csl-bib-body">\n')
    assert text.count('<div class="csl-entry">') == 13
    markdown = format_inputs([GOLDEN / "seeds.json"], "nature", output="markdown", per_article=True).render()
    assert markdown.startswith("## data/articles/000\\_61b568b1287262a0.txt\n\n1. Cambiaghi, S. Fingertip")


def test_pybtex_styles_print_the_note_without_the_lines_written_for_zoteros_extra() -> None:
    # the BibTeX export puts PMID and DOI lines into note, which Zotero's import appends to Extra
    ref = article("1-10", pmid="123", pmcid="PMC9", doi="10.1/x", note="In Spanish")
    printed = "[1] J Smith. A title. J Test, 12:1–10, 2001. In Spanish. doi:10.1/x."
    assert format_bibliography([ref], "plain") == [printed]
    assert "PMID" not in format_bibliography([ref.replace(note=None)], "unsrt")[0]
