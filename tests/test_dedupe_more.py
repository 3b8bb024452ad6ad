"""De-duplication: identifiers, blocking, related-but-distinct works, canonical record and disagreements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refkit.dedupe import candidate_pairs, cluster, comparison_keys, dedupe, same_work_pairs, score
from refkit.model import Match, Person, Reference, Source

TITLE = "Effectiveness of extracorporeal shock wave lithotripsy to treat dystrophic calcinosis cutis ulcers"


def ref(raw: str = "", **kw: object) -> Reference:
    kw.setdefault("author", (Person("Delgado-Márquez", "AM"),))
    kw.setdefault("title", TITLE)
    kw.setdefault("issued", (2015,))
    kw.setdefault("container_title", "Actas Dermosifiliogr")
    return Reference(raw=raw or str(kw["title"]), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def records(crossref_records_dir: Path) -> dict[str, dict[str, object]]:
    lines = (crossref_records_dir / "works.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["DOI"].lower(): r for r in map(json.loads, lines)}


def matched(record: dict[str, object]) -> Match:
    return Match(status="matched", doi=str(record["DOI"]), confidence=0.97, message=record)


def test_language_editions_stay_apart_and_name_each_other() -> None:
    spanish = ref(volume="106", page="140-143", doi="10.1016/j.ad.2014.07.009")
    english = ref(
        title="Effectiveness of extracorporeal shock wave lithotripsy to treat dystrophic calcinosis cutis ulcers",
        volume="106",
        page="140-143",
        doi="10.1016/j.adengl.2014.12.007",
    )
    assert score(spanish, english) == 0.0
    es, en = dedupe([spanish, english])
    assert es.related == ("other-edition:10.1016/j.adengl.2014.12.007",)
    assert en.related == ("other-edition:10.1016/j.ad.2014.07.009",)


def test_translated_title_with_the_same_locator_is_related_not_merged() -> None:
    spanish = ref(title="Eficacia de la litotricia extracorpórea por ondas de choque", volume="106", page="140-3")
    english = ref(volume="106", page="140-143")
    a, b = dedupe([spanish, english])
    assert (a.related, b.related) == (("other-edition:w2",), ("other-edition:w1",))


def test_online_first_and_print_are_one_work_with_the_year_reported() -> None:
    online = ref(raw="online", issued=(2014,), doi="10.1016/j.ad.2014.07.009")
    printed = ref(raw="print", issued=(2015,), volume="106", page="140-143")
    [work] = dedupe([online, printed])
    assert work.disagreements["issued"] == ("2014", "2015")
    assert work.disagreements["page"] == ("", "140-143")
    assert (work.canonical.doi, work.canonical.volume, work.canonical.year) == ("10.1016/j.ad.2014.07.009", "106", 2015)
    assert work.related == ()


def test_parts_are_distinct_and_related() -> None:
    one = ref(title="Calcinosis cutis: Part I. Diagnostic pathway", page="1-10")
    two = ref(title="Calcinosis cutis: Part II. Diagnostic pathway", page="11-20")
    a, b = dedupe([one, two])
    assert (a.related, b.related) == (("other-part:w2",), ("other-part:w1",))


def test_erratum_is_distinct_and_points_at_the_article() -> None:
    article = ref(volume="106", page="140-143")
    erratum = ref(title=f"Erratum: {TITLE}", page="500")
    a, b = dedupe([article, erratum])
    assert a.related == ("has-correction:w2",)
    assert b.related == ("is-correction-of:w1",)


def test_preprint_and_published_version_linked_through_crossref_relation(records: dict) -> None:
    preprint = records["10.1002/essoar.10503377.3"]
    published = {"DOI": "10.1029/2020JG005891", "title": preprint["title"], "author": preprint["author"]}
    cite_pre = ref(raw="preprint", title=preprint["title"][0], author=(Person("Ladd", "SN"),), issued=(2020,))
    cite_pub = cite_pre.replace(raw="published", issued=(2021,), container_title="J Geophys Res Biogeosci")
    pre, pub = dedupe([cite_pre, cite_pub], [matched(preprint), matched(published)])
    assert pre.related == ("is-preprint-of:10.1029/2020jg005891",)
    assert pub.related == ("has-preprint:10.1002/essoar.10503377.3",)
    # the relation is reported even when the other version is not cited
    [alone] = dedupe([cite_pre], [matched(preprint)])
    assert alone.related == ("is-preprint-of:10.1029/2020jg005891",)


def test_crossref_update_to_links_a_correction_notice(records: dict) -> None:
    notice = next(r for r in records.values() if r.get("update-to") and r["update-to"][0]["DOI"].lower() != r["DOI"])
    update = notice["update-to"][0]
    [work] = dedupe([Reference(raw="notice", title=notice["title"][0])], [matched(notice)])
    kind = update["type"].lower().replace("_", "-")
    assert work.related == (f"is-{kind}-of:{update['DOI'].lower()}",)


def test_same_pmid_joins_and_different_pmids_veto() -> None:
    a = ref(raw="a", pmid="26667314")
    b = ref(raw="b", title="Something worded quite differently", pmid="26667314", author=(Person("X"),))
    assert score(a, b) == 1.0
    assert score(a, ref(pmid="26667315")) == 0.0
    assert [len(c.citations) for c in dedupe([a, b, ref(pmid="1"), ref(raw="c")])] == [3, 1]


def test_no_title_joins_only_on_the_whole_locator() -> None:
    a = Reference(
        raw="a", author=(Person("Smith", "A"),), issued=(2005,), container_title="Phys Rev B", volume="71", page="345"
    )
    assert score(a, a.replace(raw="b", container_title="Physical Review B")) == 0.9
    assert score(a, a.replace(page="346")) == 0.0
    assert score(a, a.replace(container_title=None)) == 0.0


def test_short_generic_title_alone_does_not_merge() -> None:
    a = Reference(raw="a", title="Editorial", container_title="Lancet")
    assert score(a, a.replace(raw="b")) == 0.0


def test_conflicting_page_volume_or_journal_separate() -> None:
    base = ref(volume="106", page="140-143", container_title="Actas Dermosifiliogr")
    # an identical long title, same author and year: other pages are a page written wrongly, reported
    assert score(base, base.replace(page="150-153")) == 1.0
    near = base.replace(title=TITLE.replace("to treat dystrophic", "for"), page="150-153")
    assert score(base, near.replace(page="140")) >= 0.9 and score(base, near) == 0.0
    assert score(base, base.replace(volume="107")) == 0.0
    assert score(base, base.replace(container_title="J Am Acad Dermatol")) == 0.0
    # an abbreviation of the same journal is no conflict
    assert score(base, base.replace(container_title="Actas Dermo-Sifiliográficas")) > 0.9


def test_cluster_never_joins_two_pmids_through_a_bridge() -> None:
    refs = [Reference(pmid="1"), Reference(pmid="2"), Reference()]
    assert cluster(refs, [(0, 2, 0.9), (1, 2, 0.95)]) == [[0], [1, 2]]


def test_blocking_catches_a_wrong_year_and_a_changed_title_start() -> None:
    a = ref(raw="a", issued=(2015,))
    wrong_year = ref(raw="b", issued=(2019,))
    other_start = ref(raw="c", title="The " + TITLE, issued=(2016,))
    pairs = candidate_pairs([a, wrong_year, other_start])
    assert {(0, 1), (0, 2)} <= pairs


def test_big_blocks_stay_linear() -> None:
    refs = [
        Reference(raw=str(i), author=(Person("Wang", "L"),), issued=(2015,), title=f"Study {i} of topic {i % 97}")
        for i in range(3000)
    ]
    assert len(candidate_pairs(refs)) < 3000 * 10


def test_author_list_disagreement_ignores_et_al_but_not_a_different_name() -> None:
    full = ref(raw="full", author=(Person("Delgado-Márquez", "AM"), Person("Carmona", "M")))
    cut = ref(raw="cut", author=(Person("Delgado-Márquez", "AM"),), et_al=True)
    other = ref(raw="other", author=(Person("Delgado-Márquez", "AM"), Person("Vanaclocha", "F")))
    [work] = dedupe([full, cut])
    assert "author" not in work.disagreements
    [work] = dedupe([full, other])
    assert work.disagreements["author"] == ("Delgado-Márquez AM; Carmona M", "Delgado-Márquez AM; Vanaclocha F")


def test_every_citation_keeps_its_provenance_and_order() -> None:
    refs = [ref(raw=f"r{i}", source=Source(f"f{i % 2}.txt", i + 1, 10 * i)) for i in range(4)]
    [work] = dedupe(refs)
    assert [(r.raw, r.source.file, r.source.position) for r in work.citations] == [
        ("r0", "f0.txt", 1),
        ("r1", "f1.txt", 2),
        ("r2", "f0.txt", 3),
        ("r3", "f1.txt", 4),
    ]


def test_matches_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="as long as"):
        dedupe([ref()], [])


# ----------------------------------------------------------------------------------------------------
# The raw text backs up fields a parser misread


def test_raw_text_joins_a_citation_whose_title_the_parser_misread() -> None:
    # the parser took the title for the surname and dropped the title: blocking and scoring use the raw text
    misread = Reference(
        raw="Lee GM. A Rural Hypertension. AJN, American Journal of Nursing. 1974;74:1450-2.",
        author=(Person("Hypertension"),),
        issued=(1974,),
        container_title="American Journal of Nursing",
        volume="74",
        page="1450-2",
    )
    clean = Reference(
        raw="LEE, G. M. A Rural Hypertension. AJN, American Journal of Nursing 74, 1450-1452 (1974).",
        author=(Person("Lee", "GM"),),
        issued=(1974,),
        title="A Rural Hypertension",
        container_title="AJN, American Journal of Nursing",
        volume="74",
        page="1450-1452",
    )
    assert candidate_pairs([misread, clean]) == {(0, 1)}
    assert score(misread, clean) >= 0.9
    assert [len(c.citations) for c in dedupe([misread, clean])] == [2]


def test_raw_text_alone_never_joins_two_locators_of_one_journal() -> None:
    a = Reference(raw="(1997) Journal of Neurosurgery 87:9.", issued=(1997,), container_title="Journal of Neurosurgery")
    b = a.replace(raw="(1997) Journal of Neurosurgery 87:221.")
    c = a.replace(raw="(1997) Journal of Neurosurgery 87.")
    assert score(a, b) == 0.0
    # nothing but a journal and numbers: not enough even when the numbers agree
    assert score(a, c) == 0.0


def test_a_dropped_subtitle_joins_but_a_longer_title_does_not() -> None:
    full = Reference(
        raw="Honda K, Taniguchi T. IRFs: master regulators of signalling by Toll-like receptors and cytosolic "
        "pattern recognition. Nat Rev Immunol. 2006;6:644-658.",
        author=(Person("Honda", "K"),),
        issued=(2006,),
        title="IRFs: master regulators of signalling by Toll-like receptors and cytosolic pattern recognition",
        container_title="Nat Rev Immunol",
        volume="6",
        page="644-658",
    )
    cut = full.replace(raw="Honda K, Taniguchi T (2005) IRFs. Nat Rev Immunol 6:644-658", title="IRFs", issued=(2005,))
    assert score(full, cut) == 0.9
    # the same words plus one: "Digital Libraries" is not "Automated digital libraries: ..."
    book = Reference(raw="Arms W. Digital Libraries. 2000.", author=(Person("Arms", "W"),), issued=(2000,))
    paper = book.replace(raw="Arms W. Automated digital libraries: how effectively can computers be used. 2000.")
    assert score(book, paper) == 0.0
    # a main title that is the start of another title without a subtitle break is another work
    short = Reference(raw="Smith J. Cancer. 2005.", author=(Person("Smith", "J"),), issued=(2005,))
    assert score(short, short.replace(raw="Smith J. Cancer genetics. 2005.")) == 0.0
    assert score(short, short.replace(raw="Smith J. Cancer: a review. 2005.")) == 0.9


def test_years_written_in_the_raw_text_back_up_a_misread_year() -> None:
    title = "A practical way to estimate retail tobacco sales violation rates more accurately"
    right = ref(raw=f"Levinson A, Patnaik J. {title}. Nicotine Tob Res 2013;15:1952-5.", title=title, issued=(2013,))
    # the parser took the first page for the year; the raw text still says 2012
    wrong = right.replace(raw=f"Levinson A, Patnaik J. {title}. Nicotine Tob Res 15, 1952-5 (2012).", issued=(1952,))
    assert score(right, wrong) == 1.0
    # a page range's end is no year: "354:1896-1900" does not make 1994 and 1999 meet
    moher = ref(raw="Moher D. Improving reports. Lancet. 1999;354:1896-1900.", issued=(1999,), page="1896-1900")
    assert (
        score(moher, moher.replace(raw="Moher D. Improving reports. Lancet. 1994;354:1896-1900.", issued=(1994,)))
        == 0.0
    )


def test_a_year_left_in_the_volume_or_a_volume_read_as_the_page_is_no_conflict() -> None:
    base = ref(volume="9", page="e99174")
    assert score(base, base.replace(volume="2014 9")) == 1.0
    assert score(base, base.replace(volume="2014 10")) == 0.0
    pages = ref(volume="22", page="4-9", issued=(2010,))
    assert score(pages, pages.replace(volume=None, page="22")) == 1.0


def test_series_numbers_parts_and_notices_read_where_they_mean_it() -> None:
    initial = comparison_keys(
        Reference(
            raw="Branov V. Genetic predisposition to pre-eclampsia. Balkan J 2002;5:19.",
            title="Genetic predisposition to pre-eclampsia",
        )
    )
    series = comparison_keys(
        Reference(raw="Smith J. Sylow 2-subgroups. II. J Algebra 1970;4:12.", title="Sylow 2-subgroups")
    )
    assert (initial.parts, series.parts) == ((), ("ii",))
    journal = comparison_keys(
        Reference(
            raw="Karger F. Coastal upwelling. Deep-sea research Part I, Oceanographic research papers. 2004;51.",
            title="Coastal upwelling",
            container_title="Deep-sea research Part I, Oceanographic research papers",
        )
    )
    assert journal.parts == ()
    finding = comparison_keys(Reference(raw="x", title="Humoral response to a carboxyl-terminal region"))
    reply = comparison_keys(Reference(raw="x", title="Response to: Humoral immunity"))
    assert (finding.notice, reply.notice) == (None, "comment")


def test_nearly_identical_titles_with_other_pages_are_two_works() -> None:
    female = ref(title="Female physical attractiveness in Britain and Malaysia: a cross-cultural study", page="115-128")
    male = female.replace(
        title="Male physical attractiveness in Britain and Malaysia: a cross-cultural study", page="383-393"
    )
    assert score(female, male) == 0.0


def test_a_very_short_title_needs_more_than_author_and_year() -> None:
    a = Reference(
        raw="US ex rel. Kruszewski v. Pfizer. Civil Action 2:07-CV-04106. 2009.",
        title="ex rel",
        author=(Person("US"),),
        issued=(2009,),
    )
    b = a.replace(raw="US ex rel. Copeland v. Novartis. Civil Action 2:06-CV-01630. 2010.", issued=(2010,))
    assert score(a, b) == 0.0
    assert score(a, a.replace(raw=a.raw.replace("2009", "2010"), issued=(2010,))) == 1.0


def test_same_work_pairs_links_two_collections_through_blocks() -> None:
    cited = [ref(raw="c1"), ref(raw="c2", title="Something else entirely about skin", author=(Person("Other"),))]
    library = [ref(raw="l1", issued=(2016,)), ref(raw="l2", title="Unrelated", author=(Person("Nobody"),))]
    pairs = same_work_pairs([comparison_keys(r) for r in cited], [comparison_keys(r) for r in library])
    assert pairs == [(0, 0, 1.0)]


def test_journal_abbreviations_drop_letters_as_well_as_endings() -> None:
    base = ref(volume="102", page="16569")
    full = "Proceedings of the National Academy of Sciences of the United States of America"
    assert score(base.replace(container_title="Proc Natl Acad Sci"), base.replace(container_title=full)) == 1.0
    assert score(base.replace(container_title="Ecological Economics"), base.replace(container_title="Ecol Econ")) == 1.0
    assert (
        score(base.replace(container_title="J Clin Invest"), base.replace(container_title="J Clin Endocrinol")) == 0.0
    )


def test_a_citation_without_author_or_title_joins_on_its_whole_locator_in_a_known_journal() -> None:
    bare = Reference(
        raw="(1949) Journal of Bacteriology 57:377.",
        issued=(1949,),
        container_title="Journal of Bacteriology",
        volume="57",
        page="377",
    )
    full = Reference(
        raw="Sobel (1949) J. Bacteriol. 57:377.",
        author=(Person("Sobel"),),
        issued=(1949,),
        container_title="J. Bacteriol",
        volume="57",
        page="377",
    )
    assert candidate_pairs([bare, full]) == {(0, 1)}
    assert score(bare, full) == 0.9
    assert score(bare, full.replace(page="378")) == 0.0
    # "J Hepatol" and "Geological Journal" 38:375 are not known to be one journal
    assert score(bare.replace(container_title="Geological Journal"), full.replace(container_title="J Hepatol")) == 0.0


def test_raw_texts_agree_across_an_abbreviated_journal_and_an_issue_number() -> None:
    # the parser put the title in the journal field of both; one style abbreviates the journal and adds the issue
    a = Reference(
        raw="Barrett AM. 1936. DETROIT SOCIETY OF NEUROLOGY AND PSYCHIATRY. Archives of Neurology And Psychiatry. "
        "35(6):1394",
        author=(Person("Barrett", "AM"),),
        issued=(1936,),
        container_title="DETROIT SOCIETY OF NEUROLOGY AND PSYCHIATRY. Archives of Neurology And Psychiatry",
    )
    b = a.replace(
        raw="Barrett, A.M., 1936. DETROIT SOCIETY OF NEUROLOGY AND PSYCHIATRY. Arch Neurol Psychiatry 35, 1394."
    )
    assert score(a, b) == 0.9
    # another page is another work
    assert score(a, b.replace(raw=b.raw.replace("1394", "1398"))) == 0.0


def test_a_main_title_at_the_same_locator_is_the_work_not_another_edition() -> None:
    full = Reference(
        raw="Godfray HCJ, Beddington JR (2010) Food security: the challenge of feeding 9 billion people. "
        "Science 327: 812-818.",
        author=(Person("Godfray", "HCJ"),),
        issued=(2010,),
        title="Food security: the challenge of feeding 9 billion people",
        container_title="Science",
        volume="327",
        page="812-818",
    )
    cut = full.replace(
        raw="Godfray H, et al. 2010. Food security. Science (New York, N.Y.) 327, 812-818.", title="Food security"
    )
    [work] = dedupe([full, cut])
    assert (len(work.citations), work.related) == (2, ())
    # a title that starts the same without a subtitle break, at the same locator, stays a related edition
    other = cut.replace(
        title="Food security in Europe", raw="Godfray H. 2010. Food security in Europe. Science 327, 812."
    )
    assert score(full, other) == 0.0


def test_a_chapter_number_inside_the_title_is_no_series_number() -> None:
    chapter = comparison_keys(
        Reference(
            raw="Meuret B (1982) Chapitre II. De nouvelles données administratives. Lyon.",
            title="Chapitre II. De nouvelles données administratives",
        )
    )
    kept = comparison_keys(
        Reference(
            raw="Gorenstein (1965) Dihedral Sylow 2-subgroups. II. J. Algebra 2:218.",
            title="Dihedral Sylow 2-subgroups. II",
        )
    )
    assert (chapter.parts, kept.parts) == ((), ("ii",))
