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
        # one author, inverted, with a written-out given name (MLA, Chicago)
        ("Barthes, Roland", [Person("Barthes", "Roland")]),
        ("VAN DE WALLE, Etienne", [Person("VAN DE WALLE", "Etienne")]),
        # the first author inverted, the others not, with or without a comma before "and", in any script
        ("Modráková, Renáta and Zdeněk Uhlíř", [Person("Modráková", "Renáta"), Person("Uhlíř", "Zdeněk")]),
        (
            "Adamson, Joni, Mei Mei Evans, and Rachel Stein",
            [Person("Adamson", "Joni"), Person("Evans", "Mei Mei"), Person("Stein", "Rachel")],
        ),
        # a list cut with "et al", then a group after a semicolon
        (
            "Assa A, Amitai M, Greer ML, et al.; ImageKids Study Group",
            [
                Person("Assa", "A"),
                Person("Amitai", "M"),
                Person("Greer", "ML"),
                Person(literal="ImageKids Study Group"),
            ],
        ),
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
        # ACS: year, volume, page (the volume and the page are not one page)
        ("Hu X, Lee K. Silk fibroin hydrogels. Int. J. Mol. Sci. 2016, 17, 1497.", "17", None, "1497"),
        # the number after "No." is the issue, the pages come after the date
        (
            "Roy A. Le Centre Beaubourg. Architecture française, Vol. 34, No. 369-370, 1973, 38-39",
            "34",
            "369-370",
            "38-39",
        ),
        # volume, issue, the date in brackets, then the pages
        (
            "De Vany A, Walls D. Bose-Einstein dynamics. Economic Journal 106, 439 (November 1996): 1493–1514.",
            "106",
            "439",
            "1493-1514",
        ),
        # a supplement after the volume without brackets
        ("Bruggeman LA (2007) Viral subversion. Clin J Am Soc Nephrol 2 Suppl 1: S13-S19.", "2", "Suppl 1", "S13-S19"),
        # an issue range in brackets is not the page
        ("Yeung AS (2012) A pilot study. J Affect Disord 141 (2–3): 469–473.", "141", "2–3", "469-473"),
        # the volume after the journal's comma, the issue in brackets
        (
            "Pillars of an institution. (1993, September). Wake Forest University magazine, 41, (1), p. 3",
            "41",
            "1",
            "3",
        ),
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


# -- 1. the title/journal boundary at a full stop inside the title --


@pytest.mark.parametrize(
    ("raw", "title", "journal"),
    [
        (
            "Okafor N (2012) Outcomes of burns in Ohio, 2001–2009. Burns 38: 12–18",
            "Outcomes of burns in Ohio, 2001–2009",
            "Burns",
        ),
        ("Evans D (1970) Studies of mites. IV. Acarologia 12: 1–9", "Studies of mites. IV", "Acarologia"),
        # a one-word title after names that end with initials
        ("Moss J. Calciphylaxis. Lancet. 2020;395:10–12", "Calciphylaxis", "Lancet"),
        ("Lee K, Park J. Folding. Biochemistry 2011, 50, 110–118.", "Folding", "Biochemistry"),
        (
            "Smith, J. Insects. Journal of Entomology, Vol. 3, No. 2, pp. 10-20, 1990.",
            "Insects",
            "Journal of Entomology",
        ),
        # a one-word title and no names at all
        ("Calciphylaxis. Lancet. 2020;395:10–12", "Calciphylaxis", "Lancet"),
        # an online source after the title is the container
        ("Nguyen T. Pruritus. StatPearls. 2023.", "Pruritus", "StatPearls"),
        # a sentence of the title read as the start of a known journal goes back to the title
        (
            "Dupont J (2001) Le prurit. Une revue. Ann Dermatol Venereol 128: 1-5",
            "Le prurit. Une revue",
            "Ann Dermatol Venereol",
        ),
    ],
)
def test_title_journal_boundary_at_a_full_stop_inside_the_title(raw: str, title: str, journal: str) -> None:
    ref = parse(raw)
    assert (ref.title, ref.container_title) == (title, journal)


@pytest.mark.parametrize(
    ("raw", "title", "journal"),
    [
        # a known journal's first word left at the end of the title (no full stop between them, as PDFs print it)
        (
            "Punturo M et al 2010 The Einstein telescope: a third-generation gravitational wave observatory "
            "Class.Quantum Grav .27 194002",
            "The Einstein telescope: a third-generation gravitational wave observatory",
            "Class.Quantum Grav",
        ),
        (
            "Matichard F and Evans M 2015 Review: tilt-free low-noise seismometry Bull. Seismol. Soc. Am. 105 497-510",
            "Review: tilt-free low-noise seismometry",
            "Bull. Seismol. Soc. Am",
        ),
        # the title's last word read as the journal's first
        (
            "Losurdo G et al 1999 An inverted pendulum preisolator stage for the virgo suspension system "
            "Rev.Sci .Instrum .70 2507 -15",
            "An inverted pendulum preisolator stage for the virgo suspension system",
            "Rev.Sci .Instrum",
        ),
    ],
)
def test_title_journal_boundary_without_a_full_stop_between_them(raw: str, title: str, journal: str) -> None:
    ref = parse(raw)
    assert (ref.title, ref.container_title) == (title, journal)


@pytest.mark.parametrize(
    ("raw", "title", "journal"),
    [
        # the journal read as the title's last sentence, its volume right after it
        (
            "島義史. (2009). イチゴ作新規参入者の成長プロセス. 農業経営研究, 47(3), 1-10.",
            "イチゴ作新規参入者の成長プロセス",
            "農業経営研究",
        ),
        (
            "Stata, R. (1989). Organizational learning. The key to management innovation. Sloan Management Review, "
            "30(3), 63-74.",
            "Organizational learning. The key to management innovation",
            "Sloan Management Review",
        ),
        # after the quotation that holds the title
        (
            "O. Ronneberger, P. Fischer, and T. Brox, "
            "'U-Net: Convolutional networks for biomedical image segmentation' "
            "Medical Image Computing and Computer-Assisted Intervention, Vol.9351. pp.234-241, November 2015.",
            "U-Net: Convolutional networks for biomedical image segmentation",
            "Medical Image Computing and Computer-Assisted Intervention",
        ),
    ],
)
def test_title_journal_boundary_a_journal_read_as_the_titles_end(raw: str, title: str, journal: str) -> None:
    ref = parse(raw)
    assert (ref.title, ref.container_title) == (title, journal)


def test_title_journal_boundary_leaves_an_unknown_journal_whole() -> None:
    """Only a known journal moves the boundary: "NPL Acoustics Report" is not cut to "Report"."""
    ref = parse("Bazley EN (1976) Sound absorption in air at frequencies up to 100 khz. NPL Acoustics Report 74: 1–43.")
    assert (ref.title, ref.container_title) == (
        "Sound absorption in air at frequencies up to 100 khz",
        "NPL Acoustics Report",
    )


def test_title_journal_boundary_leaves_initials_first_names_and_dotted_journals_alone() -> None:
    ref = parse("S. Eliezer and A. R. Swift, Nucl. Phys. B 105, 45 (1976).")
    assert [p.family for p in ref.author] == ["Eliezer", "Swift"]
    ref = parse("J. G. Taylor, Math. Proc. Camb. Philos. Soc. 52, 119 (1956).")
    assert ref.container_title == "Math. Proc. Camb. Philos. Soc"
    assert ref.title is None


# -- 4. books, chapters and edited volumes --


def test_books_chapters_editors_a_chapter_in_an_edited_book() -> None:
    ref = parse("Smith B (2010) Dressings. In: Ross A (ed) Wound healing. Springer, Berlin, pp 12–20")
    assert ref.type == "chapter"
    assert (ref.title, ref.container_title) == ("Dressings", "Wound healing")
    assert [p.family for p in ref.author] == ["Smith"] and [p.family for p in ref.editor] == ["Ross"]
    assert (ref.publisher, ref.publisher_place, ref.page) == ("Springer", "Berlin", "12-20")


@pytest.mark.parametrize(
    ("raw", "title", "edition", "publisher"),
    [
        ("R. Lee, Skin Biology, Academic Press, 2004.", "Skin Biology", None, "Academic Press"),
        (
            "Fitzpatrick T (2008) Dermatology in general medicine, 7th edn. McGraw-Hill, New York",
            "Dermatology in general medicine",
            "7th edn",
            "McGraw-Hill",
        ),
        (
            "Braun-Falco O, Plewig G (eds) (2005) Dermatologie und Venerologie, 5. Aufl. Springer, Berlin",
            "Dermatologie und Venerologie",
            "5. Aufl",
            "Springer",
        ),
        (
            "Saurat JH (2009) Dermatologie et infections sexuellement transmissibles, 3e éd. Masson, Paris",
            "Dermatologie et infections sexuellement transmissibles",
            "3e éd",
            "Masson",
        ),
    ],
)
def test_books_chapters_editors_title_edition_publisher(
    raw: str, title: str, edition: str | None, publisher: str
) -> None:
    ref = parse(raw)
    assert (ref.title, ref.edition, ref.publisher) == (title, edition, publisher)
    assert ref.type == "book"


def test_books_chapters_editors_eds_marks_editors_not_authors() -> None:
    ref = parse("Braun-Falco O, Plewig G (eds) (2005) Dermatologie und Venerologie, 5. Aufl. Springer, Berlin")
    assert not ref.author
    assert [p.family for p in ref.editor] == ["Braun-Falco", "Plewig"]


def test_books_chapters_editors_place_and_publisher_read_as_one_field_are_cut() -> None:
    ref = parse("Mandela Nelson. Long walk to freedom : the autobiography of Nelson Mandela. London : Abacus, 1995.")
    assert (ref.publisher_place, ref.publisher) == ("London", "Abacus")


# -- 5. names: organisations as authors in a whole reference --


def test_names_an_organisation_is_the_author() -> None:
    ref = parse("World Health Organization. Global report on psoriasis. Geneva: WHO; 2016.")
    assert [p.literal for p in ref.author] == ["World Health Organization"]
    assert ref.title == "Global report on psoriasis"


# -- 6. locators of physics, chemistry and mathematics --


@pytest.mark.parametrize(
    ("raw", "journal", "volume", "page", "year"),
    [
        ("A. Jones, Physica A 387, 2025, 2008.", "Physica A", "387", "2025", 2008),
        ("Lee K, Park J. Folding. Biochemistry 2011, 50, 110–118.", "Biochemistry", "50", "110-118", 2011),
        ("J. Smith, Ann. of Math. (2), 173 (2011), pp. 1185–1239.", "Ann. of Math", "173", "1185-1239", 2011),
        ("K. Gross and J. A. Rosenheim, Phys. Rev. Lett. 21, 2770 (2011).", "Phys. Rev. Lett", "21", "2770", 2011),
        ("Kim H et al (2012) Mites. PLoS One 7(5):e36439", "PLoS One", "7", "e36439", 2012),
    ],
)
def test_locators_of_physics_chemistry_mathematics(raw: str, journal: str, volume: str, page: str, year: int) -> None:
    ref = parse(raw)
    assert (ref.container_title, ref.volume, ref.page, ref.year) == (journal, volume, page, year)


@pytest.mark.parametrize(
    ("raw", "volume", "page", "year"),
    [
        # a volume numbered by year and month (JHEP) is not the year
        ("CMS Collaboration, JHEP 1703, 101 (2017).", "1703", "101", 2017),
        # volume, the year in brackets, then the page
        (
            "L.-Y. Chiang and P. Coles, Phase information and density, Mon. Not. R. Astron. Soc. 311 (2000) 809.",
            "311",
            "809",
            2000,
        ),
        (
            "ATLAS Collaboration, Trigger performance, Eur. Phys. J. C 72 (2012) 1849, arXiv:1110.1530.",
            "72",
            "1849",
            2012,
        ),
        # IOP: year first, then journal, volume and article number
        ("Frauendorf S and Dönau F 2014 Phys. Rev. C 89 014322", "89", "014322", 2014),
        # the page after the date read as the volume
        (
            "P. Berglund, T. Hübsch, Mirror manifolds, Nucl. Phys. B393 (1993) 377, arXiv:hep-th/9201014",
            "B393",
            "377",
            1993,
        ),
        # a lettered volume and the pages read as one page
        (
            "Stochino A et al 2007 Seismic filters. Nucl. Instrum. Methods Phys. Res. A580 1559-64",
            "A580",
            "1559-64",
            2007,
        ),
    ],
)
def test_locators_of_physics_volume_year_page(raw: str, volume: str, page: str, year: int) -> None:
    ref = parse(raw)
    assert (ref.volume, ref.page, ref.year) == (volume, page, year)


def test_locators_of_physics_keep_the_number_before_the_date_as_the_page() -> None:
    """ "115, 231301 (2015)": the page, not an issue, whatever follows the date (here an arXiv number)."""
    ref = parse("M. Ackermann et al., Phys. Rev. Lett. 115, 231301 (2015), 1503.02641.")
    assert (ref.volume, ref.issue, ref.page) == ("115", None, "231301")


def test_locators_a_page_range_is_not_a_volume_and_a_page() -> None:
    ref = parse(
        "Schroder P, Sweldens W (1995) Spherical Wavelets. Proceedings of the 22nd annual conference on "
        "Computer graphics and interactive techniques 161–172."
    )
    assert (ref.volume, ref.page) == (None, "161-172")
    # a DOI's numbers are no range: "10: 246 ... 10.1186/1471-2334-10-246"
    ref = parse("Mogensen TH (2010) Chronic hepatitis. BMC Infect Dis 10: 246. doi:10.1186/1471-2334-10-246.")
    assert (ref.volume, ref.page) == ("10", "246")


def test_locators_a_books_volume_is_not_its_container() -> None:
    ref = parse("Milliken, G. A., and D. E. Johnson. 2002. Analysis of messy data. Volume 3. Chapman and Hall, London.")
    assert (ref.title, ref.container_title, ref.volume, ref.type) == ("Analysis of messy data", None, "3", "book")


# -- 7. non-English references --


@pytest.mark.parametrize(
    ("raw", "title", "journal"),
    [
        ("Martin P (2003) «Le psoriasis». Rev Prat 53: 100-104", "Le psoriasis", "Rev Prat"),
        (
            "Dupont J (2001) Le prurit. Une revue. Ann Dermatol Venereol 128: 1-5",
            "Le prurit. Une revue",
            "Ann Dermatol Venereol",
        ),
        (
            "Müller K (1999) Kalzinose der Haut. Ein Überblick. Hautarzt 50: 1-9",
            "Kalzinose der Haut. Ein Überblick",
            "Hautarzt",
        ),
    ],
)
def test_non_english_titles_and_quotation_marks(raw: str, title: str, journal: str) -> None:
    ref = parse(raw)
    assert (ref.title, ref.container_title) == (title, journal)


@pytest.mark.parametrize(
    ("raw", "editors"),
    [
        ("Seward, A. C. (ed.). 1909. Darwin and Modern Science. Cambridge: Cambridge University Press.", ["Seward"]),
        (
            "Crowell, S. and Malpas, J. (eds.), 2007, Transcendental Heidegger, Stanford: Stanford University Press.",
            ["Crowell", "Malpas"],
        ),
        ("Ross A, Lee R (Hrsg) (2004) Wundheilung. Springer, Berlin", ["Ross", "Lee"]),
    ],
)
def test_books_chapters_editors_names_before_an_editor_cue_are_editors(raw: str, editors: list[str]) -> None:
    ref = parse(raw)
    assert [p.family for p in ref.editor] == editors
    assert not ref.author


def test_books_chapters_editors_a_book_title_is_the_title_not_a_container() -> None:
    ref = parse("[86] L. Piegl and W. Tiller, The NURBS Book. Springer, Berlin, 1997.")
    assert (ref.title, ref.container_title, ref.type) == ("The NURBS Book", None, "book")
    # a series with its volume is a container, even with an imprint and no title
    ref = parse("Lee R (2004) Lecture Notes in Dermatology, vol 12. Springer, Berlin")
    assert (ref.title, ref.container_title, ref.volume) == (None, "Lecture Notes in Dermatology", "12")
    # a chapter keeps its book as the container
    ref = parse("Faddeev LD (1998) Integrable models. In: Connes A (ed) Quantum symmetries. North Holland, Amsterdam")
    assert (ref.title, ref.container_title) == ("Integrable models", "Quantum symmetries")


@pytest.mark.parametrize(
    ("raw", "publisher", "place"),
    [
        (
            "Abercrombie, S., (1984), “Architecture As Art: An Aesthetic”, Van Nostrand Reinhold Compony, New York.",
            "Van Nostrand Reinhold Compony",
            "New York",
        ),
        # a place the list lacks before a known one is no publisher
        (
            "DiFrancesco D. Gravity gradiometer systems. EGM 2007 International Workshop. Capri, Italy. April 2007.",
            None,
            None,
        ),
        # a country written as its initials, and a place spaced as PDFs space it
        ("R. Penrose, The Emperor's New Mind (Oxford University Press, UK, 1989).", "Oxford University Press", "UK"),
        (
            "J. von Neumann, Mathematical Foundations of Quantum Mechanics (Princeton UniversityPress ,USA ,1955 ).",
            "Princeton UniversityPress",
            "USA",
        ),
    ],
)
def test_books_chapters_editors_publisher_and_place_read_as_one_place_are_cut(
    raw: str, publisher: str | None, place: str | None
) -> None:
    ref = parse(raw)
    if publisher is None:
        assert ref.publisher is None or "Capri" not in ref.publisher
    else:
        assert (ref.publisher, ref.publisher_place) == (publisher, place)


@pytest.mark.parametrize(
    ("raw", "title", "publisher"),
    [
        ('Bellan, P.M., 2012, "Spheromaks." Imperial College Press.', "Spheromaks", "Imperial College Press"),
        (
            'Binney, J., Merrifield, M. 1998. "Galactic Astronomy" Princeton University Press',
            "Galactic Astronomy",
            "Princeton University Press",
        ),
    ],
)
def test_books_chapters_editors_a_quoted_title_before_the_publisher_is_the_title(
    raw: str, title: str, publisher: str
) -> None:
    ref = parse(raw)
    assert (ref.title, ref.publisher, ref.type) == (title, publisher, "book")


@pytest.mark.parametrize(
    ("raw", "title", "book"),
    [
        (
            "Kvamme, K. 2006 Magnetometry. In Remote Sensing in Archaeology: An Explicitly North American Perspective, "
            "edited by J.K. Johnson, pp. 205-233. The University of Alabama Press, Alabama.",
            "Magnetometry",
            "Remote Sensing in Archaeology: An Explicitly North American Perspective",
        ),
        (
            "Mainwaring, Scott. 1992. Transitions to Democracy: Theoretical and Comparative Issues. In Issues in "
            "Democratic Consolidation, Hrsg. Scott Mainwaring. Notre Dame: University of Notre Dame Press.",
            "Transitions to Democracy: Theoretical and Comparative Issues",
            "Issues in Democratic Consolidation",
        ),
    ],
)
def test_books_chapters_editors_a_chapters_book_read_with_its_title_is_the_container(
    raw: str, title: str, book: str
) -> None:
    ref = parse(raw)
    assert (ref.title, ref.container_title, ref.type) == (title, book, "chapter")


@pytest.mark.parametrize(
    ("raw", "title", "book"),
    [
        (
            "BELKAHIA KAROUI T., « Hommages publics aux empereurs », dans Actes du 5ème colloque international, "
            "Tunis, 2008, p. 59-72.",
            "Hommages publics aux empereurs",
            "Actes du 5ème colloque international",
        ),
        (
            "Derrida, Jacques. “Plato’s Pharmacy.” In Dissemination. Translated by Barbara Johnson. Chicago: "
            "University of Chicago Press, 1981.",
            "Plato’s Pharmacy",
            "Dissemination",
        ),
    ],
)
def test_non_english_a_quoted_chapter_then_its_book(raw: str, title: str, book: str) -> None:
    ref = parse(raw)
    assert (ref.title, ref.container_title, ref.type) == (title, book, "chapter")


def test_books_chapters_editors_in_vitro_is_no_book() -> None:
    ref = parse("Lee K (2001) Keratinocytes. In vitro studies of wound closure. J Invest Dermatol 117: 1-9")
    assert ref.container_title == "J Invest Dermatol"


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("edited by J.K. Johnson", [("Johnson", "J.K.")]),
        ("Hrsg. Scott Mainwaring", [("Mainwaring", "Scott")]),
        ("eds. Feretti L., Gioia I.M.", [("Feretti", "L."), ("Gioia", "I.M")]),
        ("Ed. Margaret Gibson", [("Gibson", "Margaret")]),
        # names that begin like a cue are names
        ("Edwards J, Smith K", [("Edwards", "J"), ("Smith", "K")]),
        ("Edgar Allan Poe", [("Poe", "Edgar Allan")]),
        ("Ed Smith", [("Smith", "Ed")]),
    ],
)
def test_names_an_editor_cue_is_no_part_of_the_names(text: str, people: list[tuple[str, str]]) -> None:
    assert [(p.family, p.given) for p in parse_authors(text)[0]] == people


@pytest.mark.parametrize(
    ("raw", "edition", "publisher", "place"),
    [
        (
            "Murray JD (2002) Mathematical Biology. 2nd Edition. New York. Springer.",
            "2nd Edition",
            "Springer",
            "New York",
        ),
        ("Farlow SJ (1982) Partial differential equations. New York. Dover.", None, "Dover", "New York"),
        (
            "Gelman A, Rubin DB. Bayesian Data Analysis. Second Edition ed: Chapman & Hall; 2003.",
            "Second Edition ed",
            "Chapman & Hall",
            None,
        ),
        (
            "Evert IW, Weir BS. Interpreting DNA Evidence. 1st ed: Sinauer Associates; 1998.",
            "1st ed",
            "Sinauer Associates",
            None,
        ),
        (
            "Körner C (1999) Alpine Plant Life. Springer, New York, New York, USA.",
            None,
            "Springer",
            "New York, New York, USA",
        ),
    ],
)
def test_books_chapters_editors_edition_publisher_and_place_apart(
    raw: str, edition: str | None, publisher: str, place: str | None
) -> None:
    ref = parse(raw)
    assert (ref.edition, ref.publisher, ref.publisher_place, ref.volume) == (edition, publisher, place, None)


def test_title_journal_boundary_a_titles_first_word_read_as_a_note() -> None:
    ref = parse("Burks C, Tomlinson LJ (1989) Submission of data to GenBank. Proc Natl Acad Sci U S A 86: 408.")
    assert (ref.title, ref.note) == ("Submission of data to GenBank", None)


@pytest.mark.parametrize(
    ("raw", "journal", "volume", "edition", "page"),
    [
        # the journal read with the volume
        (
            "Heston SL (1993) A closed-form solution for options. Review of Financial Studies 6: 327–43.",
            "Review of Financial Studies",
            "6",
            None,
            "327-43",
        ),
        # an edition read as the volume, a volume read with the edition
        (
            "Weir BS. Genetic Data Analysis 2: Methods for Discrete Population Genetic Data. II ed: Sinauer "
            "Associates, Inc.; 1996.",
            None,
            None,
            "II ed",
            None,
        ),
        (
            "Thompson AH, Wilson AS. Hair as a Geochemical Recorder. In: Cerling TE, editor. Treatise on Geochemistry "
            "(volume 14): Archaeology & Anthropology 2nd ed. 14. Cambridge: Elsevier; 2014. p. 371–93.",
            "Treatise on Geochemistry",
            "14",
            "2nd ed",
            "371-93",
        ),
        # the pages, then a note
        (
            "Bada JL, Wang XS. Preservation of key biomolecules. Philos Trans R Soc Lond B Biol Sci. "
            "1999;354(1379):77–86; discussion -7.",
            "Philos Trans R Soc Lond B Biol Sci",
            "354",
            None,
            "77-86",
        ),
    ],
)
def test_locators_read_with_the_field_beside_them(
    raw: str, journal: str | None, volume: str | None, edition: str | None, page: str | None
) -> None:
    ref = parse(raw)
    assert (ref.container_title, ref.volume, ref.edition, ref.page) == (journal, volume, edition, page)


def test_names_capitals_that_spell_jr_are_initials() -> None:
    assert parse_authors("Ehleringer JR")[0] == (Person("Ehleringer", "JR"),)
    assert parse_authors("Smith JA Jr")[0] == (Person("Smith", "JA", suffix="Jr"),)


def test_title_journal_boundary_a_title_read_before_a_comma_in_the_journal() -> None:
    ref = parse("I. Brunner, N. Carqueville, D. Plencner, Discrete torsion defects, Commun. Math. Phys. 337 (2015) 429")
    assert (ref.title, ref.container_title) == ("Discrete torsion defects", "Commun. Math. Phys")
    # a journal whose name holds a comma stays whole
    ref = parse(
        "Sparrow, E. M., 1966, 'Experiments on Turbulent Heat Transfer,' Trans. of the ASME, J. Heat Transfer, "
        "Vol. 88, pp. 170-174."
    )
    assert ref.container_title != "J. Heat Transfer"
