"""Repairs from unambiguous patterns: they fill what a parser left empty and never overwrite what it read."""

from __future__ import annotations

import pytest

from refkit.model import Reference
from refkit.parse.repair import find_locator, repair


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Raimondo D. Stent. Case Rep Gastrointest Med. 2014;2015:1-5.", ("2014", "2015", None, "1-5")),
        ("Sagong HY. Crystal. PLoS ONE. 2016;11(11):e0166667.", ("2016", "11", "11", "e0166667")),
        ("Hobbs AG. Nasal reflex. JAMA. 1897;XXVIII(18):789.", ("1897", "XXVIII", "18", "789")),
        ("Deza G. Morphea. Acta Derm Venereol. 2016 Mar;96(3):418–419.", ("2016", "96", "3", "418-419")),
        ("Smith J. A. J Foo. 2001 Jan 5;10 (Suppl 2):S12-S19.", ("2001", "10", "Suppl 2", "S12-S19")),
    ],
)
def test_vancouver_locators(raw: str, expected: tuple) -> None:
    found = find_locator(raw)
    assert found is not None
    assert (found["year"], found["volume"], found.get("issue"), found["page"]) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Smith J (2001) A title. J Foo 10: 1-2",
        "Smith J. Gardening. London: Penguin; 2020.",
        "doi:10.1155/2014;2015:1-5",  # inside an identifier
    ],
)
def test_no_locator(raw: str) -> None:
    assert find_locator(raw) is None


def test_fills_what_the_parser_left_empty() -> None:
    raw = "Luo X. Robust scheduling. Math Probl Eng. 2011;2012:1-17."
    ref = Reference(raw=raw, title="Robust scheduling", container_title="Math Probl Eng", issued=(2011,), page="1-17")
    fixed = repair(ref)
    assert (fixed.volume, fixed.issue, fixed.page, fixed.issued) == ("2012", None, "1-17", (2011,))
    assert fixed.confidence["volume"] == 0.95


def test_never_overwrites_and_ignores_a_locator_of_another_year() -> None:
    raw = "Luo X. Robust scheduling. Math Probl Eng. 2011;2012:1-17."
    read = Reference(raw=raw, title="Robust scheduling", container_title="Math Probl Eng", issued=(2011,), volume="7")
    assert repair(read) is read  # the parser's volume differs from the locator's: nothing is filled
    other = Reference(raw=raw, title="Robust scheduling", container_title="Math Probl Eng", issued=(1999,))
    assert repair(other) is other


def test_a_journal_glued_to_the_title_is_cut_off() -> None:
    raw = "Yang HW. Glucose transport in muscle: in vitro study. Oxidative Medicine and Cellular Longevity. 2021."
    ref = Reference(
        raw=raw, title="Glucose transport in muscle: in vitro study. Oxidative Medicine and Cellular Longevity"
    )
    fixed = repair(ref)
    assert (fixed.title, fixed.container_title, fixed.type) == (
        "Glucose transport in muscle: in vitro study",
        "Oxidative Medicine and Cellular Longevity",
        "article-journal",
    )


def test_titles_with_inner_sentences_stay_whole_when_no_year_follows() -> None:
    raw = "Smith J (2020) Part II. Results of the trial. Lancet 395:1-9"
    ref = Reference(raw=raw, title="Part II. Results of the trial", container_title="Lancet", issued=(2020,))
    assert repair(ref) is ref
    book = Reference(raw="Jones A. Gardening. Part one. Penguin; 2020.", title="Gardening. Part one", type="book")
    assert repair(book) is book


def test_a_title_tail_taken_as_the_journal_goes_back_to_the_title() -> None:
    raw = "BURGET GE. THE CLOSED LOOP: II. OBSERVATIONS ON DOGS. Archives Intern Med. 1931;47(4):593."
    ref = Reference(raw=raw, title="THE CLOSED LOOP: II", container_title="OBSERVATIONS ON DOGS. Archives Intern Med")
    fixed = repair(ref)
    assert (fixed.title, fixed.container_title) == ("THE CLOSED LOOP: II. OBSERVATIONS ON DOGS", "Archives Intern Med")
