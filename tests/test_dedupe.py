"""De-duplication: one cluster per work, every citation kept, related-but-distinct works apart."""

from __future__ import annotations

from refkit.dedupe import candidate_pairs, dedupe, score
from refkit.extract import extract
from refkit.model import Match, Person, Reference
from refkit.parse import parse_citations


def ref(raw="", **kw):
    kw.setdefault("author", (Person("Deza", "G"),))
    kw.setdefault("title", "Solitary plaque-type morphea with dystrophic calcinosis cutis")
    kw.setdefault("container_title", "Acta Derm Venereol")
    return Reference(raw=raw or kw["title"], **kw)


def test_seeds_offline_13_citations_12_works(seed_articles):
    cits = [c for f in sorted(seed_articles.glob("*.txt")) for c in extract(f)]
    refs = parse_citations(cits)
    clusters = dedupe(refs)
    assert len(refs) == 13 and len(clusters) == 12
    deza = [c for c in clusters if len(c.citations) == 2]
    assert len(deza) == 1
    work = deza[0]
    assert all(
        [
            c.source.file.endswith(n)
            for c, n in zip(work.citations, ("000_61b568b1287262a0.txt", "001_d7fe02c7fd916c22.txt"), strict=True)
        ]
    )
    assert [c.source.position for c in work.citations] == [2, 3]
    # best of each: DOI from the 2015 citation, volume and pages from the 2016 one
    assert (work.canonical.doi, work.canonical.volume, work.canonical.page) == (
        "10.2340/00015555-2271",
        "96",
        "418-419",
    )
    assert work.disagreements["issued"] == ("2016", "2015")
    assert work.disagreements["page"] == ("418-419", "")


def test_online_and_print_year_same_work():
    assert score(ref(issued=(2015,), doi="10.1/x"), ref(issued=(2016,), volume="96", page="418-419")) > 0.9


def test_part_one_and_two_stay_apart():
    a = ref(title="Calcinosis cutis: Part I. Diagnostic pathway", issued=(2011,))
    b = ref(title="Calcinosis cutis: Part II. Diagnostic pathway", issued=(2011,))
    assert score(a, b) == 0.0
    assert len(dedupe([a, b])) == 2


def test_erratum_stays_apart_and_different_dois_never_merge():
    a = ref(issued=(2016,))
    b = ref(title="Erratum: Solitary plaque-type morphea with dystrophic calcinosis cutis", issued=(2016,))
    assert score(a, b) == 0.0
    c, d = ref(doi="10.1/es", issued=(2015,)), ref(doi="10.1/en", issued=(2015,))
    assert score(c, d) == 0.0
    assert len(dedupe([c, d, ref(issued=(2015,))])) == 2  # the DOI-less one joins one of them, never bridges both


def test_matched_doi_joins_dissimilar_citations():
    a, b = ref(title="Solitary morphea"), ref(title="Completely different wording", author=(Person("X"),))
    m = Match(status="matched", doi="10.1/same", confidence=0.99)
    assert len(dedupe([a, b], [m, m])) == 1


def test_different_years_far_apart_or_authors_stay_apart():
    assert score(ref(issued=(2010,)), ref(issued=(2016,))) == 0.0
    assert score(ref(issued=(2016,)), ref(issued=(2016,), author=(Person("Smith", "J"),))) == 0.0


def test_blocking_is_sparse():
    refs = [
        ref(
            title=f"Unrelated title number {i} about topic {i * 7}",
            author=(Person(f"Author{i}", "A"),),
            issued=(1990 + i % 30,),
        )
        for i in range(500)
    ]
    pairs = candidate_pairs(refs)
    assert len(pairs) < 2000  # far fewer than the 124,750 of all pairs
