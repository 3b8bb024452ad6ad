"""refkit.journals against the vendored journal list (no files outside the repository)."""

from __future__ import annotations

import pytest

from refkit import journals
from refkit.journals import (
    Journal,
    check,
    detect_translation,
    is_standard,
    lookup,
    normalize,
    same_journal,
    standard_abbreviation,
    suggest,
)

# The journal names cited in the two seed articles: name -> (status, standard form).
SEEDS = {
    "Cutis": ("standard", "Cutis"),
    "Acta Derm Venereol": ("standard", "Acta Derm Venereol"),
    "J Am Acad Dermatol": ("standard", "J Am Acad Dermatol"),
    "Pediatric Dermatol": ("nonstandard", "Pediatr Dermatol"),
    "Dermatology": ("standard", "Dermatology"),
    "Z Skinkr": ("translation", "Z Hautkr"),
    "J Eur Acad Dermatol Venereol": ("standard", "J Eur Acad Dermatol Venereol"),
    "J Clin Pharm Ther": ("standard", "J Clin Pharm Ther"),
    "Dermatologist": ("translation", "Hautarzt"),
    "dermatologist": ("translation", "Hautarzt"),
    "Int J Dermatol": ("standard", "Int J Dermatol"),
    "Actas Dermosifiliogr": ("standard", "Actas Dermosifiliogr"),
}


@pytest.mark.parametrize(("name", "expected"), SEEDS.items())
def test_seed_journal_names(name: str, expected: tuple[str, str]) -> None:
    verdict = check(name)
    assert verdict.status == expected[0]
    assert verdict.journal is not None
    assert verdict.journal.abbreviation == expected[1]
    if expected[0] == "standard":
        assert verdict.suggestion is None
    else:
        assert verdict.suggestion == expected[1]


def test_normalize() -> None:
    assert normalize("The Journal of Clinical Pharmacy & Therapeutics") == (
        "journal of clinical pharmacy and therapeutics"
    )
    assert normalize("Acta Derm. Venereol.") == "acta derm venereol"
    assert normalize("  Actas Dermo-Sifiliográficas ") == "actas dermo sifiliograficas"
    assert normalize("Der Orthopäde") == "der orthopade"
    assert normalize("Child &amp; Adolescent") == "child and adolescent"
    assert normalize("The") == "the"
    assert normalize("") == ""
    assert normalize(None) == ""
    assert normalize(42) == ""


def test_lookup_by_every_form() -> None:
    expected = Journal(
        title="Acta dermato-venereologica",
        medline="Acta Derm Venereol",
        iso4="Acta Derm. Venereol.",
        issn=journals.lookup("Acta Derm Venereol").issn,  # type: ignore[union-attr]
    )
    for form in (
        "Acta dermato-venereologica",
        "ACTA DERM VENEREOL",
        "Acta Derm. Venereol.",
        "acta derm venereol",
    ):
        assert lookup(form) == expected
    assert lookup("Z Hautkr") == Journal("Zeitschrift für Hautkrankheiten", "Z Hautkr", "Z. Hautkr.", None)
    hautarzt = lookup("Der Hautarzt")
    assert hautarzt is not None and hautarzt.medline == "Hautarzt"
    # Qualifier and subtitle dropped: "Dermatology (Basel, Switzerland)" is cited as "Dermatology".
    assert lookup("Dermatology").title == "Dermatology (Basel, Switzerland)"  # type: ignore[union-attr]
    # German transliteration of an umlaut.
    assert lookup("Der Orthopaede").medline == "Orthopade"  # type: ignore[union-attr]


def test_lookup_unknown_and_bad_input() -> None:
    assert lookup("Dermatologist") is None
    assert lookup("") is None
    assert lookup("   ...  ") is None
    assert lookup(None) is None
    assert lookup("x" * 10_000) is None
    assert lookup("Журнал неизвестных наук") is None


def test_same_journal() -> None:
    assert same_journal("J Clin Pharm Ther", "Journal of Clinical Pharmacy and Therapeutics") is True
    assert same_journal("Acta Derm. Venereol.", "acta dermato-venereologica") is True
    assert same_journal("Pediatric Dermatol", "Pediatr Dermatol") is True
    assert same_journal("Proc Natl Acad Sci USA", "Proc. Natl. Acad. Sci. U.S.A.") is True
    assert same_journal("Dermatology", "Hautarzt") is False
    assert same_journal("J Am Acad Dermatol", "Int J Dermatol") is False
    assert same_journal("Dermatology", "No Such Journal of Anything") is None
    assert same_journal("Unknown Gazette", "unknown gazette") is True
    assert same_journal(None, "Cutis") is None
    assert same_journal("", "") is None


def test_standard_abbreviation() -> None:
    assert standard_abbreviation("Pediatric dermatology") == "Pediatr Dermatol"
    assert standard_abbreviation("Pediatric Dermatol") == "Pediatr Dermatol"
    assert standard_abbreviation("Journal of the European Academy of Dermatology and Venereology") == (
        "J Eur Acad Dermatol Venereol"
    )
    assert standard_abbreviation("Zeitschrift für Hautkrankheiten") == "Z Hautkr"
    assert standard_abbreviation("Dermatologist") is None
    assert standard_abbreviation(None) is None


def test_is_standard() -> None:
    assert is_standard("Pediatr Dermatol") is True
    assert is_standard("Pediatr. Dermatol.") is True
    assert is_standard("Pediatric dermatology") is True
    assert is_standard("Pediatric Dermatol") is False
    assert is_standard("Dermatologist") is False
    assert is_standard("") is False
    assert is_standard(None) is False


def test_suggest() -> None:
    ranked = suggest("Pediatric Dermatol", limit=3)
    assert ranked[0] == (lookup("Pediatr Dermatol"), 0.95)
    assert len(ranked) == 3
    assert all(0 < score <= 0.95 for _, score in ranked)
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    assert suggest("Cutis", limit=1) == [(lookup("Cutis"), 1.0)]
    assert suggest("Dermatologist", limit=1)[0][0].medline == "Hautarzt"
    # A misspelling found by similarity alone scores below an exact form.
    misspelt = suggest("Jounral of the American Academy of Dermatology", limit=1)
    assert misspelt[0][0].medline == "J Am Acad Dermatol"
    assert 0.9 < misspelt[0][1] < 0.95
    assert suggest("") == []
    assert suggest(None) == []
    assert suggest("x" * 10_000) == []
    with pytest.raises(ValueError):
        suggest("Cutis", limit=0)


def test_detect_translation() -> None:
    assert detect_translation("Z Skinkr") == lookup("Z Hautkr")
    assert detect_translation("Dermatologist") == lookup("Hautarzt")
    assert detect_translation("The Trauma Surgeon").medline == "Unfallchirurg"  # type: ignore[union-attr]
    assert detect_translation("The Neurologist") is None  # a real English journal
    assert detect_translation("Dermatology") is None  # a real journal: never flagged
    assert detect_translation("Hautarzt") is None
    assert detect_translation("Journal of Completely Unknown Things") is None
    assert detect_translation("") is None
    assert detect_translation(None) is None
    assert detect_translation("skin " * 2_000) is None


def test_check_bad_input() -> None:
    assert check(None).status == "unknown"
    assert check("").name == ""
    unknown = check("Journal of Completely Unknown Things", candidates=False)
    assert (unknown.status, unknown.journal, unknown.candidates) == ("unknown", None, ())
    assert check("Ærztliche Zeitschrift für Dinge").status == "unknown"


def test_translation_file_is_vendored_and_learned() -> None:
    learned = dict(
        line.split("\t")[:2]
        for line in (journals.DATA_DIR / "translations.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and line.startswith("dermatology\t")
    )
    assert learned["dermatology"] in {"dermatologia", "dermatologie"}


def test_shipped_compact_keys_are_those_of_the_index(tmp_path) -> None:
    # The key file is generated from the journal list; rewriting it from the shipped list must give the same keys.
    import shutil

    for name in ("journals.tsv.gz", "words.tsv.gz", "translations.tsv"):
        shutil.copy(journals.DATA_DIR / name, tmp_path / name)
    assert journals.write_compact_keys(tmp_path) == len(journals.compact_keys())
    assert (tmp_path / "keys.txt.gz").read_bytes() == (journals.DATA_DIR / "keys.txt.gz").read_bytes()
    assert journals.compact_key("J. Biol. Chem.") in journals.compact_keys()
    assert journals.compact_key("Current biology : CB") == "currentbiologycb"


def test_guesses_ranked_for_many_names_at_once_are_those_ranked_one_by_one() -> None:
    names = [
        "Pediatric Dermatolgy",
        "Jounral of Clinical Pharmacy and Therapeutics",
        "Actas Dermosifiliog",
        "Intl J Dermatolgy",
        "Brit J Dermatolog",
        "Acta Dermato Venerologica",
        "J Clin Pharm Ther",  # known: nothing to rank
    ]
    journals._suggest.cache_clear()
    journals._NEAREST.clear()
    one_by_one = [journals.suggest(n) for n in names]
    journals._suggest.cache_clear()
    journals.prefetch(names)
    assert len(journals._NEAREST) >= 6  # the unknown names (and their abbreviated forms) were ranked together
    assert [journals.suggest(n) for n in names] == one_by_one
    assert one_by_one[0][0][0].medline == "Pediatr Dermatol"


def test_ranking_many_names_by_their_lengths_reach_leaves_out_no_key_that_one_by_one_finds() -> None:
    # short, long and glued names (a parser's run-on journal), ranked together: each batch is compared only with
    # the keys whose lengths a ratio of 60 allows; the guesses and their order must be those of the full pass
    names = [
        "Nat",
        "JAMA XXXVIII",
        "Mon Wea Rev",
        "Acta Dermato Venerologica",
        "Human (PHB) Weighted. Rev Bras de Sementes",
        "Proceedings of the Fifth International Workshop on Network-Aware Data Management - NDM '15",
        "FROM Shock SRF-PLL Surviving Escherichia on PRODUCTS and a much longer run of title words. JAMA",
    ]
    index = journals._index()
    journals._NEAREST.clear()
    journals.prefetch(names)
    prefetched = dict(journals._NEAREST)
    journals._NEAREST.clear()
    assert prefetched
    for (query, limit), ranked in prefetched.items():
        assert ranked == journals._nearest(index, query, limit), query
    assert any(len(q) > 60 and ranked for (q, _), ranked in prefetched.items())
