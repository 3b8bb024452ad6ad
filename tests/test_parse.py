"""Parsing: every stated field of the 13 seed references, and the common biomedical styles."""

from __future__ import annotations

import pytest

from refkit.model import Person
from refkit.parse import get_parser, parse, parsers
from refkit.parse.fields import (
    find_doi,
    find_pmid,
    find_url,
    normalize_doi,
    page_range,
    parse_authors,
    parse_issued,
    parse_locator,
    parse_person,
)

# (string, first author, et al, year, title, journal, volume, page, DOI): checked by hand against the articles
SEEDS = [
    (
        "Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467",
        ("Cambiaghi", "S"),
        False,
        2000,
        "Fingertip calcinosis cutis",
        "Cutis",
        "66",
        "465-467",
        None,
    ),
    (
        "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol 96:418-419",  # noqa: E501
        ("Deza", "G"),
        True,
        2016,
        "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
        "Acta Derm Venereol",
        "96",
        "418-419",
        None,
    ),
    (
        "Lai CH et al (2003) Congenital calcinosis cutis of the ear. J Am Acad Dermatol 49: 122-124",
        ("Lai", "CH"),
        True,
        2003,
        "Congenital calcinosis cutis of the ear",
        "J Am Acad Dermatol",
        "49",
        "122-124",
        None,
    ),
    (
        "Larralde M et al (2003) Calcinosis cutis following liver transplantation in a pediatric patient. "
        "Pediatric Dermatol 20: 225-228",
        ("Larralde", "M"),
        True,
        2003,
        "Calcinosis cutis following liver transplantation in a pediatric patient",
        "Pediatric Dermatol",
        "20",
        "225-228",
        None,
    ),
    (
        "Marzano AV et al (1999) Dystrophic calcinosis cutis in subacute lupus. Dermatology 198: 90-92",
        ("Marzano", "AV"),
        True,
        1999,
        "Dystrophic calcinosis cutis in subacute lupus",
        "Dermatology",
        "198",
        "90-92",
        None,
    ),
    (
        "Niederauer HH et al (1992) Calcinosis cutis in Coxsackie virus infection. Z Skinkr 67: 1101-1104",
        ("Niederauer", "HH"),
        True,
        1992,
        "Calcinosis cutis in Coxsackie virus infection",
        "Z Skinkr",
        "67",
        "1101-1104",
        None,
    ),
    (
        "Ogretmen Z et al (2002) Calcinosis cutis universalis. J Eur Acad Dermatol Venereol 16: 621-624",
        ("Ogretmen", "Z"),
        True,
        2002,
        "Calcinosis cutis universalis",
        "J Eur Acad Dermatol Venereol",
        "16",
        "621-624",
        None,
    ),
    (
        "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. J Clin Pharm Ther 41: "  # noqa: E501
        "94-96",
        ("Poormoghim", "H"),
        True,
        2016,
        "Systemic sclerosis and calcinosis cutis: response to rituximab",
        "J Clin Pharm Ther",
        "41",
        "94-96",
        None,
    ),
    (
        "Salmhofer W et al (1995) Cutaneous calciphylaxis in chronic renal failure. Dermatologist 46: 726-731",
        ("Salmhofer", "W"),
        True,
        1995,
        "Cutaneous calciphylaxis in chronic renal failure",
        "Dermatologist",
        "46",
        "726-731",
        None,
    ),
    (
        "Zouboulis CC et al (1990) Calcinosis cutis: Cutaneous manifestations of generalized calcinosis in renal "
        "hyperparathyroidism. dermatologist 41: 212-217",
        ("Zouboulis", "CC"),
        True,
        1990,
        "Calcinosis cutis: Cutaneous manifestations of generalized calcinosis in renal hyperparathyroidism",
        "dermatologist",
        "41",
        "212-217",
        None,
    ),
    (
        "Bégon E et al (2014) Symptomatic dystrophic cutaneous calcification as a late complication of radiotherapy for "  # noqa: E501
        "breast cancer. Int J Dermatol 53:e542-544",
        ("Bégon", "E"),
        True,
        2014,
        "Symptomatic dystrophic cutaneous calcification as a late complication of radiotherapy for breast cancer",
        "Int J Dermatol",
        "53",
        "e542-544",
        None,
    ),
    (
        "Delgado-Márquez AM et al (2015) Effectiveness of extracorporeal shock wave lithotripsy to treat dystrophic "
        "calcinosis cutis ulcers. Actas Dermosifiliogr 106:140-143",
        ("Delgado-Márquez", "AM"),
        True,
        2015,
        "Effectiveness of extracorporeal shock wave lithotripsy to treat dystrophic calcinosis cutis ulcers",
        "Actas Dermosifiliogr",
        "106",
        "140-143",
        None,
    ),
    (
        "Deza G et al (2015) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol doi: "
        "10.2340/00015555-2271",
        ("Deza", "G"),
        True,
        2015,
        "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
        "Acta Derm Venereol",
        None,
        None,
        "10.2340/00015555-2271",
    ),
]


@pytest.mark.parametrize(("raw", "author", "et_al", "year", "title", "journal", "volume", "page", "doi"), SEEDS)
def test_seed_references_every_field(raw, author, et_al, year, title, journal, volume, page, doi):
    ref = parse(raw, parser="rules")
    assert ref.raw == raw
    assert ref.type == "article-journal"
    assert ref.author == (Person(family=author[0], given=author[1]),)
    assert ref.et_al is et_al
    assert ref.year == year
    assert ref.title == title
    assert ref.container_title == journal
    assert ref.volume == volume
    assert ref.page == page
    assert ref.doi == doi
    assert ref.issue is None


def test_vancouver_nlm():
    ref = parse(
        "Deza G, Sánchez-Schmidt JM, Pujol RM. Solitary plaque-type morphea with dystrophic calcinosis cutis. "
        "Acta Derm Venereol. 2016;96(3):418-9. doi: 10.2340/00015555-2271. PMID: 26551528."
    )
    assert [p.family for p in ref.author] == ["Deza", "Sánchez-Schmidt", "Pujol"]
    assert [p.given for p in ref.author] == ["G", "JM", "RM"]
    assert (ref.year, ref.volume, ref.issue, ref.page) == (2016, "96", "3", "418-9")
    assert ref.container_title == "Acta Derm Venereol"
    assert ref.title == "Solitary plaque-type morphea with dystrophic calcinosis cutis"
    assert (ref.doi, ref.pmid) == ("10.2340/00015555-2271", "26551528")


def test_vancouver_with_month_and_numbered_label():
    ref = parse(
        "8. Poormoghim H, Andalib E, Jalali A. Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther. 2016 Feb;41(1):94-6."
    )
    assert ref.citation_number == "8"
    assert ref.issued == (2016, 2)
    assert (ref.volume, ref.issue, ref.page) == ("41", "1", "94-6")
    assert len(ref.author) == 3 and not ref.et_al


def test_ama():
    ref = parse(
        "Deza G, Sánchez-Schmidt JM, Pujol RM. Solitary plaque-type morphea with dystrophic calcinosis cutis. "
        "Acta Derm Venereol. 2016;96(3):418-419. doi:10.2340/00015555-2271"
    )
    assert (ref.year, ref.volume, ref.issue, ref.page, ref.doi) == (2016, "96", "3", "418-419", "10.2340/00015555-2271")


def test_apa():
    ref = parse(
        "Deza, G., Sánchez-Schmidt, J. M., & Pujol, R. M. (2016). Solitary plaque-type morphea with dystrophic "
        "calcinosis cutis. Acta Dermato-Venereologica, 96(3), 418–419. https://doi.org/10.2340/00015555-2271"
    )
    assert [p.family for p in ref.author] == ["Deza", "Sánchez-Schmidt", "Pujol"]
    assert ref.author[1].given == "J. M."
    assert ref.container_title == "Acta Dermato-Venereologica"
    assert (ref.year, ref.volume, ref.issue, ref.page) == (2016, "96", "3", "418-419")
    assert ref.doi == "10.2340/00015555-2271"
    assert ref.url == "https://doi.org/10.2340/00015555-2271"  # the DOI as written is also the URL


@pytest.mark.parametrize("text", ["", "   ", "1234567890", "x" * 5000, "This is a sentence about the weather."])
def test_non_references_do_not_crash(text):
    ref = parse(text)
    assert ref.raw == text
    assert ref.confidence.get("reference", 0.0) <= 0.5


def test_fields_helpers():
    assert parse_locator("96 (Suppl 30):47") == {"volume": "96", "issue": "Suppl 30", "page": "47", "supplement": "30"}
    assert parse_locator("53:e542-544") == {"volume": "53", "page": "e542-544"}
    assert parse_locator("not a locator") == {}
    assert page_range("418-9") == ("418", "419")
    assert page_range("C82-97") == ("C82", "C97")
    assert parse_issued("2015 Nov 3") == (2015, 11, 3)
    assert normalize_doi("https://doi.org/10.1111/jcpt.12340.") == "10.1111/jcpt.12340"
    assert normalize_doi("no doi here") is None
    assert parse_person("van der Berg JH") == Person(family="van der Berg", given="JH")
    assert parse_person("Smith JA Jr") == Person(family="Smith", given="JA", suffix="Jr")
    assert parse_person("Gates, Jr., William H.") == Person(family="Gates", given="William H.", suffix="Jr.")
    assert parse_person("Gates, William H., Jr.") == Person(family="Gates", given="William H.", suffix="Jr")
    assert parse_person("WHO Study Group") == Person(literal="WHO Study Group")
    people, et_al = parse_authors("Deza G, Pujol RM et al.")
    assert [p.family for p in people] == ["Deza", "Pujol"] and et_al


def test_identifier_finders_any_case():
    assert find_doi("Nature 2009; DOI:10.1038/nature08050.") == "10.1038/nature08050"
    assert find_pmid("J Biol Chem 2010;285:1. pmid: 20123456") == "20123456"
    assert find_pmid("Pmid 123") == "123" and find_pmid("PM 2:30") is None
    assert find_url("See WWW.who.int/x.") == "WWW.who.int/x"
    assert find_url("HTTPS://example.org/a, https://doi.org/10.1/x") == "HTTPS://example.org/a"
    assert find_url("Available at https://doi.org/10.1/x") is None
    assert find_doi("Vol 10 no 3") is None and find_url("World Wide Web") is None


def test_parser_registry():
    assert "rules" in parsers()
    with pytest.raises(ValueError, match="unknown parser"):
        get_parser("nope")
    with pytest.raises(TypeError):
        parse(42)  # type: ignore[arg-type]
