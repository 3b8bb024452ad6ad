"""De-duplication: identifiers, blocking, related-but-distinct works, canonical record and disagreements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refkit.dedupe import candidate_pairs, cluster, dedupe, score
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
