"""Tests of the CRF reference parser: exact fields on known strings, non-references, speed, corpus conversion."""

from __future__ import annotations

import time

import pytest

from refkit.model import Person, Reference
from refkit.parse.corpus import LABELS, examples_from_pieces, field_strings
from refkit.parse.crf import MAX_TOKENS, CRFParser, default_model_path
from refkit.parse.features import Token, _tokenize_identifiers, sequence_features, tokenize

pytestmark = pytest.mark.skipif(not default_model_path().is_file(), reason="CRF model not shipped")

DEZA_VANCOUVER = (
    "Deza G, Sánchez-Schmidt JM, Pujol RM. Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. "
    "Acta Derm Venereol. 2016;96(3):418-9."
)
DEZA_SPRINGER = (
    "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol 96:418-419"
)
DEZA_DOI = (
    "Deza G et al (2015) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol "
    "doi: 10.2340/00015555-2271"
)
APA = (
    "Smith, J. A., & Jones, B. (2019). Learning to parse references. Journal of Documentation, 75(2), "
    "123–145. https://doi.org/10.1108/JD-01-2019-0001"
)
TITLE = "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis"


@pytest.fixture(scope="module")
def parser() -> CRFParser:
    return CRFParser.load()


def test_load_is_cached() -> None:
    assert CRFParser.load() is CRFParser.load()
    assert CRFParser.load().name == "crf"


def test_vancouver(parser: CRFParser) -> None:
    ref = parser.parse(DEZA_VANCOUVER)
    assert ref.raw == DEZA_VANCOUVER
    assert ref.type == "article-journal"
    assert ref.author == (
        Person(family="Deza", given="G"),
        Person(family="Sánchez-Schmidt", given="JM"),
        Person(family="Pujol", given="RM"),
    )
    assert ref.et_al is False
    assert ref.title == TITLE
    assert ref.container_title == "Acta Derm Venereol"
    assert ref.issued == (2016,)
    assert (ref.volume, ref.issue, ref.page) == ("96", "3", "418-9")
    assert ref.doi is None


def test_springer_author_year(parser: CRFParser) -> None:
    ref = parser.parse(DEZA_SPRINGER)
    assert ref.author == (Person(family="Deza", given="G"),)
    assert ref.et_al is True
    assert ref.issued == (2016,)
    assert ref.title == TITLE
    assert ref.container_title == "Acta Derm Venereol"
    assert (ref.volume, ref.page) == ("96", "418-419")


def test_doi_instead_of_locator(parser: CRFParser) -> None:
    ref = parser.parse(DEZA_DOI)
    assert ref.doi == "10.2340/00015555-2271"
    assert ref.issued == (2015,)
    assert ref.container_title == "Acta Derm Venereol"
    assert ref.volume is None and ref.page is None


def test_apa(parser: CRFParser) -> None:
    ref = parser.parse(APA)
    assert [p.family for p in ref.author] == ["Smith", "Jones"]
    assert ref.issued == (2019,)
    assert ref.title == "Learning to parse references"
    assert ref.container_title == "Journal of Documentation"
    assert (ref.volume, ref.issue, ref.page) == ("75", "2", "123-145")
    assert ref.doi == "10.1108/JD-01-2019-0001"


def test_confidence_is_per_field_marginal(parser: CRFParser) -> None:
    ref = parser.parse(DEZA_VANCOUVER)
    for key in ("author", "title", "container_title", "issued", "volume", "page", "reference"):
        assert 0.5 < ref.confidence[key] <= 1.0, key
    assert set(ref.confidence) - {"reference"} <= {
        "author",
        "title",
        "container_title",
        "issued",
        "volume",
        "issue",
        "page",
        "doi",
    }


def test_tag_tokens_labels_marginals(parser: CRFParser) -> None:
    tagged = parser.tag("Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467")
    assert [t for t, _, _ in tagged][:4] == ["Cambiaghi", "S", "(", "2000"]
    labels = {t: lab for t, lab, _ in tagged}
    assert labels["Cambiaghi"] == "author"
    assert labels["2000"] == "issued"
    assert labels["Fingertip"] == "title"
    assert labels["66"] == "volume"
    assert labels["465"] == "page"
    assert all(lab in LABELS and 0.0 <= p <= 1.0 for _, lab, p in tagged)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "The patient was treated with topical steroids and improved over the following six months.",
        "1234 5678 9012 3456 7890 1234 5678",
        "#$%&*! " * 700,
        "x" * 5000,
    ],
)
def test_non_references(parser: CRFParser, text: str) -> None:
    ref = parser.parse(text)
    assert isinstance(ref, Reference)
    assert ref.raw == text
    assert ref.type == "document"
    assert ref.title is None and ref.author == () and ref.container_title is None
    assert ref.confidence["reference"] <= 0.2


def test_very_long_input_is_capped(parser: CRFParser) -> None:
    text = DEZA_VANCOUVER + " " + "lorem ipsum dolor " * 2000
    assert len(parser.tag(text)) == MAX_TOKENS
    ref = parser.parse(text)
    assert ref.raw == text
    assert ref.container_title == "Acta Derm Venereol"


def test_parse_many_keeps_order_and_count(parser: CRFParser) -> None:
    refs = parser.parse_many([DEZA_VANCOUVER, "", DEZA_DOI])
    assert [r.raw for r in refs] == [DEZA_VANCOUVER, "", DEZA_DOI]
    assert refs[1].type == "document"


def test_wrong_type_is_api_misuse(parser: CRFParser) -> None:
    with pytest.raises(TypeError):
        parser.parse(None)  # type: ignore[arg-type]


def test_speed_sanity(parser: CRFParser) -> None:
    strings = [DEZA_VANCOUVER, DEZA_SPRINGER, DEZA_DOI, APA] * 50
    t0 = time.perf_counter()
    refs = parser.parse_many(strings)
    assert time.perf_counter() - t0 < 1.0
    assert len(refs) == 200


def test_tokenize_keeps_identifiers_whole() -> None:
    tokens = tokenize("see https://example.org/a.b, doi:10.1016/0006-2952(91)90001-A.")
    assert [t.text for t in tokens] == [
        "see",
        "https://example.org/a.b",
        ",",
        "doi",
        ":",
        "10.1016/0006-2952(91)90001-A",
        ".",
    ]
    assert all(tokens[i].start < tokens[i + 1].start for i in range(len(tokens) - 1))


@pytest.mark.parametrize(
    "text",
    [
        "Deza G et al (2016) Solitary Plaque-type Morphea. Acta Derm Venereol 96:418-419",
        "Müller_K, Ødegård  J.\t«Über» das 2.  Jahrhundert; pp. 1–9 [10] ₂ 3½",
        "",
        "   ",
    ],
)
def test_tokenize_without_identifiers_takes_the_same_cut(text: str) -> None:
    # Strings with no DOI or URL take a cheaper path; it must cut exactly as the full tokenizer does.
    assert tokenize(text) == _tokenize_identifiers(text)
    assert all(type(t) is Token and text[t.start : t.end] == t.text for t in tokenize(text))


def test_features_have_window() -> None:
    feats = sequence_features(["Acta", "Derm", "96"])
    assert b"w=derm" in feats[1] and b"-1w=acta" in feats[1] and b"+1c=num" in feats[1]
    assert b"jw" in feats[0]


def test_features_are_utf8_bytes() -> None:
    feats = sequence_features(["Müller", "&", "Ødegård"])
    assert all(type(f) is bytes for row in feats for f in row)
    assert "w=müller".encode() in feats[0] and "bi=&|ødegård".encode() in feats[2]


def _journal_marks(text: str) -> list[tuple[str, str]]:
    words = [t.text for t in tokenize(text)]
    feats = sequence_features(words)
    return [(w, m.decode()) for w, row in zip(words, feats, strict=True) for m in row if m in (b"jsB", b"jsI", b"js1")]


def test_journal_name_set_off_by_punctuation_is_marked() -> None:
    # Full NLM titles, abbreviations with dots and one-word names, each between the end of the title and a number.
    assert _journal_marks("Hill GB. Responses of tundra. Global Change Biology. 17:276-287.") == [
        ("Global", "jsB"),
        ("Change", "jsI"),
        ("Biology", "jsI"),
    ]
    assert [w for w, _ in _journal_marks("Smith J. Kinases. J. Biol. Chem. 2010;12:1-5")] == [
        "J",
        ".",
        "Biol",
        ".",
        "Chem",
    ]
    assert _journal_marks("Kareiva PM (1983) Insect movement. Oecologia 56: 234-238.") == [("Oecologia", "js1")]
    # "&" is spelt "and" in the name list.
    assert len(_journal_marks("Lee CH. Keratin. Nature structural & molecular biology. 2012;19(7):707-15.")) == 5


def test_journal_name_inside_a_title_is_not_marked() -> None:
    # The words of a journal name that run on into more title words are not a journal.
    assert _journal_marks("Smith J. Global change biology of the tundra. Arctic Res 17:276-287.") == []
    # A machine-translated name is no known journal.
    assert _journal_marks("Zouboulis CC et al (1990) Calcinosis cutis. dermatologist 41: 212-217") == []


def test_corpus_label_cleanup() -> None:
    words, labels, text = examples_from_pieces(
        [
            ("Deza G", "author"),
            (", ", None),
            ("Pujol RM", "author"),
            (". ", None),
            ("Title.", "title"),
            (" doi: ", None),
            ("10.2340/00015555-2271", "DOI"),
            (" ", None),
            ("418", "page"),
            ("–", None),
            ("9", "page"),
        ]
    )
    assert text == "Deza G, Pujol RM. Title. doi: 10.2340/00015555-2271 418–9"
    fields = field_strings(text, words, labels)
    assert fields == {
        "author": ["Deza G, Pujol RM"],
        "title": ["Title"],
        "DOI": ["10.2340/00015555-2271"],
        "page": ["418–9"],
    }


def test_training_is_reproducible(tmp_path) -> None:
    from refkit.parse.corpus import Example
    from refkit.parse.train import train

    rows = [
        [
            ("Deza G", "author"),
            (" (", None),
            ("2016", "issued"),
            (") ", None),
            ("Solitary morphea", "title"),
            (". ", None),
            ("Acta Derm Venereol", "container-title"),
            (" ", None),
            ("96", "volume"),
            (":", None),
            ("418-419", "page"),
        ],
        [
            ("Lai CH et al", "author"),
            (" (", None),
            ("2003", "issued"),
            (") ", None),
            ("Calcinosis of the ear", "title"),
            (". ", None),
            ("J Am Acad Dermatol", "container-title"),
            (" ", None),
            ("49", "volume"),
            (": ", None),
            ("122-124", "page"),
        ],
    ]
    examples = []
    for pieces in rows:
        words, labels, text = examples_from_pieces(pieces)
        examples.append(Example(text, tuple(words), tuple(labels), "synthetic", "test", "train"))
    a = train(examples, tmp_path / "a.crfsuite", max_iterations=30)
    b = train(examples, tmp_path / "b.crfsuite", max_iterations=30)
    assert a.read_bytes() == b.read_bytes()
    tagged = CRFParser(a).tag("Cambiaghi S (2000) Fingertip calcinosis. Cutis 66: 465-467")
    assert tagged[3][:2] == ("2000", "issued")


def test_doi_shaped_token_is_a_doi(parser: CRFParser) -> None:
    text = "Yap RJ (2018) Financial literacy. Bisnis Birokrasi J. https://doi.org/10.20476/jbb.v23i3.9175."
    tagged = parser.tag(text)
    assert ("https://doi.org/10.20476/jbb.v23i3.9175", "DOI") in [(t, lab) for t, lab, _ in tagged]
    assert parser.parse(text).doi == "10.20476/jbb.v23i3.9175"


def test_plos_editors_without_person_group(tmp_path) -> None:
    from refkit.parse.corpus import read_plos

    xml = (
        '<article xmlns:xlink="http://www.w3.org/1999/xlink"><back><ref-list><ref id="r1">'
        '<mixed-citation publication-type="book"><name><surname>Rice</surname><given-names>SO</given-names>'
        "</name> (<year>1954</year>) <chapter-title>Mathematical analysis of random noise</chapter-title>. In: "
        "<name><surname>Wax</surname><given-names>N</given-names></name>, editor, <source>Selected papers on "
        "noise</source>, <publisher-name>Dover</publisher-name>. pp. <fpage>133</fpage>–<lpage>294</lpage>."
        "</mixed-citation></ref></ref-list></back></article>"
    )
    path = tmp_path / "a.xml"
    path.write_text(xml, encoding="utf-8")
    [(words, labels, text, _, synthetic)] = list(read_plos(path))
    assert not synthetic
    fields = field_strings(text, words, labels)
    assert fields["author"] == ["Rice SO"]
    assert fields["editor"] == ["Wax N"]
    assert fields["container-title"] == ["Selected papers on noise"]


def test_grobid_untitled_contribution_is_in_its_book(tmp_path) -> None:
    from refkit.parse.corpus import read_grobid

    tei = (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><back><listBibl>'
        "<bibl><author>L.D. Faddeev</author>, in: <editor>A. Connes, et al.</editor> (Eds.), "
        '<title level="m">Les Houches Lectures Quantum Symmetries</title>, <publisher>North Holland</publisher>, '
        '<date>1998</date>, p.<biblScope unit="page">149</biblScope>.</bibl>'
        '<bibl><editor>H. Schmied</editor> (ed.), <title level="m">A study of CERN contracts</title>, '
        "<date>1975</date>.</bibl>"
        "</listBibl></back></text></TEI>"
    )
    path = tmp_path / "b.xml"
    path.write_text(tei, encoding="utf-8")
    (w1, l1, t1, _), (w2, l2, t2, _) = list(read_grobid(path))
    first = field_strings(t1, w1, l1)
    assert first["container-title"] == ["Les Houches Lectures Quantum Symmetries"]
    assert "title" not in first
    # An edited book cited as a whole keeps its title.
    assert field_strings(t2, w2, l2)["title"] == ["A study of CERN contracts"]


@pytest.mark.parametrize("bad", ["plos", "plos=0", "plos=two", "=2"])
def test_train_rejects_a_malformed_repeat(bad: str, tmp_path, capsys) -> None:
    from refkit.parse.train import main

    with pytest.raises(SystemExit) as err:
        main(["--data", str(tmp_path), "--out", str(tmp_path / "m.crfsuite"), "--repeat", bad])
    assert err.value.code == 2
    assert "--repeat wants SOURCE=K" in capsys.readouterr().err
