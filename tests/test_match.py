"""Matching and de-duplication of the seed articles' references against the local Crossref server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from refkit.dedupe import dedupe
from refkit.extract import extract
from refkit.match import ACCEPT, match_many, query_for, score_candidate
from refkit.model import Match, Person, Reference
from refkit.parse import parse, parse_citations
from refkit.registry import CrossrefClient
from refkit.testing import CrossrefServer

DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"


@pytest.fixture(scope="module")
def seed_refs(seed_articles: Path) -> list[Reference]:
    citations = [c for path in sorted(seed_articles.glob("*.txt")) for c in extract(path)]
    return parse_citations(citations)


@pytest.fixture
def client(crossref_server: CrossrefServer, tmp_path: Path) -> Iterator[CrossrefClient]:
    client = CrossrefClient(
        crossref_server.url,
        "tests@example.org",
        cache=tmp_path / "cache.sqlite",
        timeout=2.0,
        retries=1,
        backoff=0.01,
        search_rate=200.0,
        single_rate=200.0,
    )
    yield client
    client.close()


def _by_author(refs: list[Reference], matches: list[Match]) -> dict[str, list[Match]]:
    out: dict[str, list[Match]] = {}
    for ref, m in zip(refs, matches, strict=True):
        out.setdefault(ref.author[0].family or "", []).append(m)
    return out


def test_seed_references_match_the_right_works(seed_refs: list[Reference], client: CrossrefClient) -> None:
    assert len(seed_refs) == 13
    matches = match_many(seed_refs, client)
    found = _by_author(seed_refs, matches)
    assert [(m.status, m.doi) for m in found["Deza"]] == [("matched", DEZA), ("matched", DEZA)]
    assert [(m.status, m.doi) for m in found["Poormoghim"]] == [("matched", POORMOGHIM)]
    assert all(m.confidence >= ACCEPT for m in found["Deza"] + found["Poormoghim"])
    # the 2015 citation carries the DOI itself: it is checked against the record, not searched
    deza_2015 = next(m for r, m in zip(seed_refs, matches, strict=True) if r.doi)
    assert deza_2015.written_doi == DEZA and deza_2015.written_doi_status == "ok"
    poor = found["Poormoghim"][0]
    assert poor.evidence["title"] >= 0.95
    assert poor.evidence["author"] == "agree" and poor.evidence["volume"] == "agree"
    assert poor.evidence["page"] == "agree" and poor.evidence["year"] == 0


def test_look_alike_decoys_are_not_accepted(
    seed_refs: list[Reference], client: CrossrefClient, crossref_records_dir: Path
) -> None:
    decoys = {
        json.loads(line)["DOI"]
        for line in (crossref_records_dir / "decoys.jsonl").read_text().splitlines()
        if line.strip()
    }
    assert decoys and all(d.startswith("10.5555/") for d in decoys)
    matches = match_many(seed_refs, client)
    found = _by_author(seed_refs, matches)
    for name in ("Cambiaghi", "Niederauer"):
        [m] = found[name]
        assert m.status == "unmatched", (name, m)
        assert m.doi is None
    assert not [m.doi for m in matches if m.doi and m.doi.startswith("10.5555/")]


def test_decoys_are_among_the_candidates_the_server_offers(crossref_server: CrossrefServer) -> None:
    # guards the test above: the decoys are really offered for these references, and still refused
    cambiaghi = crossref_server.search("Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467", rows=5)
    niederauer = crossref_server.search(
        "Niederauer HH et al (1992) Calcinosis cutis in Coxsackie virus infection. Z Skinkr 67: 1101-1104",
        rows=5,
    )
    assert any(c["DOI"].startswith("10.5555/") for c in cambiaghi)
    assert any(c["DOI"].startswith("10.5555/") for c in niederauer)


def test_deza_citations_form_one_cluster_and_thirteen_citations_twelve_works(
    seed_refs: list[Reference], client: CrossrefClient
) -> None:
    matches = match_many(seed_refs, client)
    clusters = dedupe(seed_refs, matches)
    assert len(clusters) == 12
    assert sum(len(c.citations) for c in clusters) == 13
    [deza] = [c for c in clusters if len(c.citations) > 1]
    assert deza.doi == DEZA
    kept = [(Path(r.source.file).name, r.source.position, r.raw) for r in deza.citations if r.source]
    assert kept == [
        (
            "000_61b568b1287262a0.txt",
            2,
            "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic "
            "Calcinosis Cutis. Acta Derm Venereol 96:418-419",
        ),
        (
            "001_d7fe02c7fd916c22.txt",
            3,
            "Deza G et al (2015) Solitary Plaque-type Morphea with Dystrophic "
            "Calcinosis Cutis. Acta Derm Venereol doi: 10.2340/00015555-2271",
        ),
    ]
    assert (deza.canonical.volume, deza.canonical.page, deza.canonical.doi) == ("96", "418-419", DEZA)
    assert "issued" in deza.disagreements  # 2016 vs 2015 is reported, not hidden


def test_deza_cluster_without_registry_takes_the_best_field_of_each(seed_refs: list[Reference]) -> None:
    clusters = dedupe(seed_refs)
    assert len(clusters) == 12
    [deza] = [c for c in clusters if len(c.citations) > 1]
    first, second = deza.citations
    assert first.doi is None and second.doi == DEZA  # the DOI is only in the second citation ...
    assert (second.volume, second.page) == (None, None)  # ... volume and pages only in the first
    assert (deza.canonical.doi, deza.canonical.volume, deza.canonical.page) == (DEZA, "96", "418-419")
    assert deza.canonical.title == "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis"


def test_score_candidate_rejects_a_look_alike_with_other_authors_and_year() -> None:
    ref = Reference(
        title="Fingertip calcinosis cutis",
        author=(Person("Cambiaghi", "S"),),
        issued=(2000,),
        container_title="Cutis",
        volume="66",
        page="465-467",
    )
    decoy = {
        "DOI": "10.5555/d",
        "title": ["Calcinosis cutis of the fingertips in a child: a case report"],
        "author": [{"family": "Fallowfield"}],
        "issued": {"date-parts": [[2007]]},
        "container-title": ["Cutis"],
        "volume": "79",
        "page": "131-133",
    }
    p, evidence = score_candidate(ref, decoy)
    assert p < 0.5
    assert evidence["author"] == "disagree" and evidence["volume"] == "disagree" and evidence["page"] == "disagree"
    assert evidence["year"] == 7 and evidence["journal"] == "agree"


def test_query_leaves_out_the_number_and_the_doi() -> None:
    ref = Reference(raw="3. Deza G et al (2015) Solitary Morphea. Acta Derm Venereol doi: 10.2340/00015555-2271")
    assert query_for(ref) == "Deza G et al (2015) Solitary Morphea. Acta Derm Venereol"


def test_registry_failure_comes_back_unverified_not_raised(tmp_path: Path, seed_refs: list[Reference]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = CrossrefClient(
        f"http://127.0.0.1:{port}",
        None,
        cache=tmp_path / "c.sqlite",
        timeout=1.0,
        retries=1,
        backoff=0.01,
        search_rate=200.0,
    )
    matches = match_many(seed_refs, client)
    client.close()
    assert [m.status for m in matches] == ["unverified"] * 13
    assert all("could not be reached" in m.reason for m in matches)


@pytest.mark.parametrize(
    ("written", "status", "doi"),
    [
        # a DOI the registry does not know, far from the record found: the record is not taken for it
        ("10.5281/zenodo.1234567", "ambiguous", None),
        ("10.2340/00015555-9999", "ambiguous", None),
        # the DOI found, mistyped (a character off) or cut short: the record found is the work
        ("10.2340/00015555-2217", "matched", DEZA),
        ("10.2340/00015555-22", "matched", DEZA),
    ],
)
def test_a_written_doi_the_registry_does_not_know_keeps_a_found_record_unconfirmed(
    client: CrossrefClient, written: str, status: str, doi: str | None
) -> None:
    ref = parse(
        "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. "
        f"Acta Derm Venereol 96:418-419. doi: {written}"
    )
    assert ref.doi == written
    (m,) = match_many([ref], client)
    assert (m.status, m.doi, m.written_doi_status) == (status, doi, "unresolved")
    assert m.record is not None and m.record.doi == DEZA
    if status == "ambiguous":
        assert written in m.reason and DEZA in m.reason


def test_matches_keep_the_record_without_what_no_stage_reads_one_copy_per_work() -> None:
    from refkit.registry.snapshot import SnapshotRegistry

    record = {
        "DOI": "10.5555/kept",
        "type": "journal-article",
        "title": ["Dystrophic calcinosis of the fingertips in systemic sclerosis"],
        "author": [{"family": "Fallowfield", "given": "Anna"}],
        "container-title": ["Acta Dermato-Venereologica"],
        "short-container-title": ["Acta Derm Venereol"],
        "volume": "79",
        "page": "131-133",
        "issued": {"date-parts": [[2007]]},
        "reference": [{"key": f"r{n}", "unstructured": "A cited work " * 20} for n in range(40)],
        "abstract": "<jats:p>Calcinosis of the fingertips in " + "a long abstract " * 50 + "</jats:p>",
        "link": [{"URL": "https://example.org/fulltext.pdf", "content-type": "application/pdf"}],
        "license": [{"URL": "https://creativecommons.org/licenses/by/4.0/", "content-version": "vor"}],
        "indexed": {"date-parts": [[2024, 1, 2]], "timestamp": 1704153600000},
        "updated-by": [{"DOI": "10.5555/kept-erratum", "type": "correction", "source": "publisher"}],
    }
    registry = SnapshotRegistry.from_records([record])
    text = "Fallowfield A (2007) Dystrophic calcinosis of the fingertips in systemic sclerosis. Acta Derm Venereol "
    refs = [parse(text + "79:131-133"), parse(text + "79:131-3")]
    first, second = match_many(refs, registry)
    assert (first.status, first.doi, second.status) == ("matched", "10.5555/kept", "matched")
    assert "reference" not in first.message and first.message["page"] == "131-133"
    assert not {"abstract", "link", "license", "indexed"} & set(first.message)
    # what the audit, the exports and de-duplication read stays
    assert first.message["updated-by"][0]["DOI"] == "10.5555/kept-erratum"
    assert first.message["author"] == record["author"] and first.message["title"] == record["title"]
    assert first.message is second.message  # the citations of one work share the record
    assert {"reference", "abstract"} <= set(registry.work("10.5555/kept"))  # the registry's own answer is whole
    registry.close()
