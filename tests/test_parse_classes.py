"""Error classes of the parser's span-to-field step, one test each, named after the class.

The tagger reads these strings right up to punctuation it leaves outside a field; the fields are completed from the
string itself, where it leaves no doubt.
"""

from __future__ import annotations

import pytest

from refkit.model import Person
from refkit.parse import parse
from refkit.parse.fields import parse_authors
from refkit.parse.train import normalize_value

# -- 2. a closing bracket dropped at the end of a title or journal --


@pytest.mark.parametrize(
    ("raw", "field", "value"),
    [
        (
            "Rakoto P (2001) Scabies in children (Madagascar). Trop Med 12: 3–9",
            "title",
            "Scabies in children (Madagascar)",
        ),
        (
            "Doe J (2003) Topical steroids [review]. Proc Natl Acad Sci (USA) 100: 1-5",
            "title",
            "Topical steroids [review]",
        ),
        (
            "Doe J (2003) Topical steroids [review]. Proc Natl Acad Sci (USA) 100: 1-5",
            "container_title",
            "Proc Natl Acad Sci (USA)",
        ),
        # an abbreviation's full stop before the bracket
        (
            "Luria AR (1970) Traumatic aphasia: its syndromes, psychology and treatment (D. Bowden, Trans.). "
            "The Hague: Mouton.",
            "title",
            "Traumatic aphasia: its syndromes, psychology and treatment (D. Bowden, Trans.)",
        ),
    ],
)
def test_closing_bracket_kept_at_end_of_title_or_journal(raw: str, field: str, value: str) -> None:
    assert getattr(parse(raw), field) == value


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        # the field began inside a group that opened before it
        (
            "Sarma, S. (2004, July 14). RFID technology: what the future holds for commerce. "
            "Retrieved from http://www.example.org/rfid",
            "RFID technology: what the future holds for commerce",
        ),
        # the field ended inside a group that the string closes further on, past other fields
        ("G. Boilat, La Propagation des Ondes (Gauthier-Villars, Paris, 1965).", "La Propagation des Ondes"),
        (
            "M. Spivak, A Comprehensive Introduction to Differential Geometry (Publish or Perish, Houston, 1979).",
            "A Comprehensive Introduction to Differential Geometry",
        ),
        (
            "Barnes, Frank C. (1972) Cartridges of the World (Revised 3rd edition). DBI Books, Northfield, IL.",
            "Cartridges of the World",
        ),
        # groups the field holds whole stay
        (
            "Ito K. Sweat glands of the axilla (eccrine vs. apocrine gland types). Arch Dermatol Res. 2000;292:1-9.",
            "Sweat glands of the axilla (eccrine vs. apocrine gland types)",
        ),
    ],
)
def test_closing_bracket_no_half_group_in_title(raw: str, title: str) -> None:
    ref = parse(raw)
    assert ref.title == title
    for text in (ref.title, ref.container_title or ""):
        assert text.count("(") == text.count(")") and text.count("[") == text.count("]")


def test_scoring_tells_a_dropped_bracket_from_an_enclosing_one() -> None:
    assert normalize_value("title", "Scabies (Madagascar") != normalize_value("title", "Scabies (Madagascar).")
    assert normalize_value("title", "(Solitary morphea.)") == normalize_value("title", "Solitary morphea")
    assert normalize_value("title", "[review].") == "review"


# -- 3. a title's "?" or "!" removed --


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Roe M (2019) Is it lupus? Lupus 28: 1-2", "Is it lupus?"),
        ("Smith J. Should we screen for melanoma? BMJ. 2011;342:d1234.", "Should we screen for melanoma?"),
        ("Hart S. Publish or perish! Nature 2010;467:1-2.", "Publish or perish!"),
        # a run of marks is the title's, all of it
        ("Fox L (2010) Why scratch?! Itch 1: 1-3", "Why scratch?!"),
        # a Spanish question keeps the mark that opens it as well as the one that closes it
        ("Diaz R. ¿Es lupus? Rev Esp Reumatol. 2003;30:1-2.", "¿Es lupus?"),
        ("Ortega L (2015) Calcinosis: ¿qué hacer? Piel 30: 5-9", "Calcinosis: ¿qué hacer?"),
    ],
)
def test_question_mark_kept_in_title(raw: str, title: str) -> None:
    assert parse(raw).title == title


# -- 5. names outside "Surname AB" --


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("de la Cruz, M. L.", [Person("de la Cruz", "M. L")]),
        ("van der Berg, P.", [Person("van der Berg", "P")]),
        ("Hale, Anna M., and Tom Berg", [Person("Hale", "Anna M."), Person("Berg", "Tom")]),
        ("Berg M. L.", [Person("Berg", "M. L")]),
        ("Mayo Clinic Staff", [Person(literal="Mayo Clinic Staff")]),
        ("World Health Organization.", [Person(literal="World Health Organization")]),
        ("Gates, Jr., William H.", [Person("Gates", "William H", suffix="Jr.")]),
        ("Smith, J., Jr., Doe, A.", [Person("Smith", "J.", suffix="Jr"), Person("Doe", "A")]),
        # the usual forms are read as before
        (
            "Deza G, Sánchez-Schmidt JM, Pujol RM",
            [Person("Deza", "G"), Person("Sánchez-Schmidt", "JM"), Person("Pujol", "RM")],
        ),
        ("G. Deza and R. M. Pujol", [Person("Deza", "G."), Person("Pujol", "R. M.")]),
    ],
)
def test_names_outside_surname_initials(text: str, people: list[Person]) -> None:
    assert list(parse_authors(text)[0]) == people


# -- 6. locators outside biomedical layouts --


@pytest.mark.parametrize(
    ("raw", "volume", "issue", "page"),
    [
        ("Moe C (1986) Eczema. Br J Dermatol 115 (Suppl 30):47", "115", "Suppl 30", "47"),
        ("Poe D. Steroids for eczema. Cochrane Database Syst Rev. 2019;(4):CD013144.", None, "4", "CD013144"),
        ("Xu F (2010) Title here. J Foo Vol. 3, No. 2, pp. 4-9", "3", "2", "4-9"),
    ],
)
def test_locators_outside_biomedical_layouts(raw: str, volume: str | None, issue: str, page: str) -> None:
    ref = parse(raw)
    assert (ref.volume, ref.issue, ref.page) == (volume, issue, page)


# -- 3. a DOI written as a resolver link is the DOI, and the link as written is the URL --


@pytest.mark.parametrize(
    ("raw", "doi", "url"),
    [
        (
            "Deza G, Pujol RM. Solitary morphea. Acta Derm Venereol. 2016;96(3):418-9. "
            "https://doi.org/10.2340/00015555-2271",
            "10.2340/00015555-2271",
            "https://doi.org/10.2340/00015555-2271",
        ),
        (
            "Loreau M, Naeem S (2001) Biodiversity and ecosystem functioning. Science 294: 804–808. "
            "http://dx.doi.org/10.1126/science.1064088.",
            "10.1126/science.1064088",
            "http://dx.doi.org/10.1126/science.1064088",
        ),
        (
            "Barnes, N. (2010). Publish your computer code: it is good enough. Nature, 467, 753. "
            "DOI: https://doi.org/10.1038/467753a",
            "10.1038/467753a",
            "https://doi.org/10.1038/467753a",
        ),
        (
            "Shao, J. (1998). Road ice forecasts. Expert Systems with Applications, 14(4), 471–482. "
            "(http://doi.org/10.1016/S0957-4174(98)00006-2).",
            "10.1016/S0957-4174(98)00006-2",
            "http://doi.org/10.1016/S0957-4174(98)00006-2",
        ),
        (
            "Hale A (2012) Percent-encoded links. Nature 481: 1-2. https://doi.org/10.1038%2Fnature10001",
            "10.1038/nature10001",
            "https://doi.org/10.1038%2Fnature10001",
        ),
        # another URL written first stays the URL; a bare DOI is no link, so no URL is made up for it
        (
            "Kim H (2019) A title. Cutis 9: 1-2. https://www.cutis.example/a1; https://doi.org/10.1234/cut.5",
            "10.1234/cut.5",
            "https://www.cutis.example/a1",
        ),
        ("Kim H (2019) A title. Cutis 9: 1-2. doi:10.1234/cut.5", "10.1234/cut.5", None),
    ],
)
def test_doi_written_as_link_is_doi_and_url(raw: str, doi: str, url: str | None) -> None:
    ref = parse(raw)
    assert (ref.doi, ref.url) == (doi, url)
