"""The labelled strings rendered in other layouts for training (refkit.parse.styles) say what the record says."""

from __future__ import annotations

import random

import pytest

from refkit.parse.corpus import Example, examples_from_pieces, field_strings, style_pools
from refkit.parse.styles import BOOK_STYLES, JOURNAL_STYLES, Pools, Record, chicago, full_names

REC = Record(
    names=(("de la Cruz", "ML"), ("Berg", "Anna M"), ("Okafor", "N")),
    etal=False,
    year="2011",
    title="Outcomes of burns in Ohio",
    source="Burns",
    volume="38",
    issue="4",
    fpage="12",
    lpage="18",
    doi="10.1016/j.burns.2011.01.001",
)
BOOK = Record((("Ross", "A"), ("Lee", "R")), False, "2004", "Wound healing: a guide", "J Foo", "1", "", "1", "2", "")
POOLS = Pools(publishers=(("Springer", "Berlin"),), organisations=("World Health Organization",))


def _fields(pieces):
    words, labels, text = examples_from_pieces(pieces)
    return text, field_strings(text, words, labels)


@pytest.mark.parametrize("style", JOURNAL_STYLES, ids=lambda s: s.__name__)
def test_every_journal_style_labels_the_record_fields(style) -> None:
    for seed in range(20):
        text, fields = _fields(style(REC, random.Random(seed)))
        assert fields["container-title"] == ["Burns"], text
        assert fields["issued"] == ["2011"], text
        assert fields.get("volume", ["38"]) == ["38"], text
        if "page" in fields:
            assert fields["page"][0].replace("\u2013", "-") in ("12-18", "12"), text
        title = fields.get("title", [""])[0]
        # the whole title, its first words, or more: "Outcomes of burns in Ohio. IV", "... (review"
        assert title == "" or title.startswith("Outcomes"), text
        assert "de la Cruz" in fields["author"][0] or "de la Cruz" in text, text


@pytest.mark.parametrize("style", BOOK_STYLES, ids=lambda s: s.__name__)
def test_every_book_style_labels_book_and_imprint(style) -> None:
    for seed in range(20):
        text, fields = _fields(style(REC, BOOK, POOLS, random.Random(seed)))
        assert fields["publisher"] == ["Springer"], text
        book = fields.get("container-title", fields.get("title"))
        assert "Wound healing" in " ".join(book), text
        if "container-title" in fields:  # a chapter: its own title, the book's editors
            assert fields["title"] == ["Outcomes of burns in Ohio"], text
            assert fields["editor"], text
        if "edition" in fields:
            assert not any(ed in fields.get("title", [""])[0] for ed in ("edn", "Aufl")), text


def test_chicago_writes_names_out_and_only_when_they_are() -> None:
    full = Record(
        (("Hale", "Anna M"), ("Berg", "Tom")), False, "2015", "Sweat glands", "J Skin", "4", "", "20", "30", ""
    )
    text, fields = _fields(chicago(full, random.Random(0)))
    assert text.startswith("Hale, Anna M, and Tom Berg. 2015.")
    assert fields["title"] == ["Sweat glands"]
    assert full_names("Anna M") and not full_names("AM") and not full_names("A M")


def test_a_title_that_asks_keeps_its_mark_and_takes_no_full_stop() -> None:
    asks = Record((("Roe", "M"),), False, "2019", "Is it lupus?", "Lupus", "28", "", "1", "2", "")
    for style in JOURNAL_STYLES:
        text, fields = _fields(style(asks, random.Random(3)))
        assert "?." not in text or style.__name__ in ("ieee", "mathematics"), text
        assert fields.get("title", ["Is it lupus?"])[0] in ("Is it lupus?", "Is it lupus", "Is it"), text


def test_style_pools_read_publishers_and_organisations_from_training_strings() -> None:
    def example(pieces, split="train"):
        words, labels, text = examples_from_pieces(pieces)
        return Example(text, tuple(words), tuple(labels), "anystyle", "g", split)

    book = [("Lee R", "author"), (". ", None), ("Skin", "title"), (". ", None), ("Berlin", "publisher-place")]
    book += [(": ", None), ("Springer", "publisher"), (", 2004.", None)]
    org = [("World Health Organization", "author"), (". ", None), ("Report", "title"), (". 2016.", None)]
    held_out = [("Kim S", "author"), (". ", None), ("T", "title"), (". ", None), ("Paris", "publisher-place")]
    held_out += [(": ", None), ("Masson", "publisher")]
    pools = style_pools([example(book), example(org), example(held_out, split="test")])
    assert pools.publishers == (("Springer", "Berlin"),)
    assert pools.organisations == ("World Health Organization",)


@pytest.mark.parametrize(
    ("pieces", "edition"),
    [
        ([("Wound care, 2nd edn", "title"), (". ", None), ("Springer", "publisher")], "2nd edn"),
        ([("Wound care", "title"), (". ", None), ("5. Aufl.", "note")], "5. Aufl"),
        ([("Wound care (2nd ed)", "title"), (".", None)], "2nd ed"),
        ([("The 2nd edition of the world", "title"), (".", None)], None),
        ([("Wound care", "title"), (". ", None), ("Reprint of the 2nd edn", "note")], None),
    ],
)
def test_an_edition_the_corpus_left_in_a_title_or_note_is_labelled_edition(pieces, edition) -> None:
    _, fields = _fields([("Smith J", "author"), (". ", None), *pieces])
    assert fields.get("edition", [None]) == [edition]


def test_place_names_are_read_from_training_strings_only_and_spelt_as_tokens() -> None:
    from refkit.parse.features import place_names, sequence_features
    from refkit.parse.train import place_names_from

    def example(place: str, split: str = "train") -> Example:
        words, labels, text = examples_from_pieces(
            [("Lee R", "author"), (". ", None), ("Skin", "title"), (". ", None), (place, "publisher-place")]
        )
        return Example(text, tuple(words), tuple(labels), "anystyle", "g", split)

    examples = [example("Aix-en-Provence"), example("Aix-en-Provence"), example("Cambridge, MA"), example("Cambridge")]
    examples += [example("Reykjavik", "test"), example("Reykjavik", "test"), example("Oslo")]
    assert place_names_from(examples) == ["aix - en - provence", "cambridge"]
    names, firsts = place_names()
    assert "new york" in names and "new" in firsts
    feats = sequence_features(["Springer", ",", "New", "York", ",", "2004"])
    assert [b"place" in row for row in feats] == [False, False, True, True, False, False]
