"""The matching model (fitted weights, calibrated confidence) and frugal look-ups (one search per work, resumable)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from refkit.match import ACCEPT, FEATURES, REVIEW, WEIGHTS, features, match_many, score_candidate
from refkit.model import Person, Reference
from refkit.parse import parse
from refkit.registry import CrossrefClient
from refkit.testing import CrossrefServer

DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"


@pytest.fixture(scope="module")
def seed_records(crossref_records_dir: Path) -> dict[str, dict[str, Any]]:
    lines = (crossref_records_dir / "seed-works.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["DOI"]: r for r in (json.loads(line) for line in lines if line.strip())}


def _poormoghim(**changes: Any) -> Reference:
    ref = Reference(
        raw="",
        author=(Person("Poormoghim", "H"),),
        issued=(2016,),
        title="Systemic sclerosis and calcinosis cutis: response to rituximab",
        container_title="J Clin Pharm Ther",
        volume="41",
        issue="1",
        page="94-96",
    )
    return ref.replace(**changes)


def _client(server: CrossrefServer, cache: Path) -> CrossrefClient:
    return CrossrefClient(server.url, "tests@example.org", cache=cache, search_rate=200.0, single_rate=200.0)


# -- the model


def test_weights_cover_the_features_and_agreement_never_counts_against() -> None:
    assert list(WEIGHTS) == list(FEATURES)
    for name, weight in WEIGHTS.items():
        if name.endswith("_agree") or name in ("title", "title_exact", "year_same"):
            assert weight >= 0, name
        if name.endswith("_disagree") or name in ("title_gap", "year_far"):
            assert weight <= 0, name


def test_the_right_record_is_confident_and_each_contradiction_lowers_the_confidence(
    seed_records: dict[str, dict[str, Any]],
) -> None:
    record = seed_records[POORMOGHIM]
    p_all, evidence = score_candidate(_poormoghim(), record)
    assert p_all > 0.99
    assert evidence == {
        "title": 1.0,
        "author": "agree",
        "year": 0,
        "volume": "agree",
        "issue": "agree",
        "page": "agree",
        "journal": "agree",
    }
    previous = p_all
    ref = _poormoghim()
    # contradictions one after another: each one lowers the probability, and together they reject the record
    for change in ({"page": "194-196"}, {"volume": "14"}, {"issued": (2009,)}, {"author": (Person("Smith", "J"),)}):
        ref = ref.replace(**change)
        p, _ = score_candidate(ref, record)
        assert p < previous, change
        previous = p
    assert previous < REVIEW


def test_degraded_citations_of_the_right_record_are_still_accepted(seed_records: dict[str, dict[str, Any]]) -> None:
    record = seed_records[POORMOGHIM]
    typo = _poormoghim(title="Systemic sclerosis and calcinosis cutis: resonse to rituximab")
    cut = _poormoghim(title="Systemic sclerosis and calcinosis cutis...")
    online_year = _poormoghim(issued=(2015,))  # the online-first year
    no_locator = _poormoghim(volume=None, issue=None, page=None)
    full_title = _poormoghim(container_title="Journal of Clinical Pharmacy and Therapeutics")
    for ref in (typo, cut, online_year, no_locator, full_title):
        assert score_candidate(ref, record)[0] >= ACCEPT, ref


def test_a_look_alike_is_not_confident(seed_records: dict[str, dict[str, Any]]) -> None:
    # the same title in the same journal, but another author, year and pages: the calibrated answer is "no"
    record = seed_records[POORMOGHIM]
    look_alike = {**record, "DOI": "10.5555/other", "author": [{"family": "Okafor"}], "volume": "38", "page": "5-9"}
    look_alike["issued"] = look_alike["published-print"] = look_alike["published-online"] = {"date-parts": [[2013]]}
    p, evidence = score_candidate(_poormoghim(), look_alike)
    assert evidence["author"] == "disagree" and evidence["page"] == "disagree" and evidence["year"] == 3
    assert p < 0.05


def test_a_title_alone_is_not_enough_to_accept(seed_records: dict[str, dict[str, Any]]) -> None:
    ref = Reference(title="Systemic sclerosis and calcinosis cutis: response to rituximab")
    p, _ = score_candidate(ref, seed_records[POORMOGHIM])
    assert 0.1 < p < ACCEPT  # plausible, but a title is shared by look-alikes (notes, editorials): not accepted


def test_fields_the_parser_missed_are_read_from_the_string(seed_records: dict[str, dict[str, Any]]) -> None:
    raw = (
        "Poormoghim H. Systemic sclerosis and calcinosis cutis: response to rituximab. J Clin Pharm Ther 41, 94 (2016)"
    )
    # as if the parser had found nothing but the year
    x, evidence = features(Reference(raw=raw, issued=(2016,)), seed_records[POORMOGHIM])
    assert evidence["title"] == 1.0 and x["title_exact"] == 1.0
    assert evidence["author"] == evidence["volume"] == evidence["page"] == evidence["journal"] == "agree"
    assert "issue" not in evidence  # neither parsed nor printed: no evidence either way


# -- look-ups


def _citations() -> list[Reference]:
    raws = [
        "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther 41: 94-96",
        "Poormoghim H, Andalib E, Jalali A, et al. Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther. 2016;41(1):94-96.",
        "Poormoghim, H. (2016). Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "Journal of Clinical Pharmacy and Therapeutics, 41(1), 94-96.",
        "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. "
        "Acta Derm Venereol 96:418-419",
        "Deza G, Sanchez-Schmidt JM, Pujol RM. Solitary plaque-type morphea with dystrophic calcinosis cutis. "
        "Acta Derm Venereol. 2016;96(3):418-9.",
        "Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467",
    ]
    return [parse(raw) for raw in raws]


def test_one_search_per_distinct_work(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    refs = _citations()
    client = _client(crossref_server, tmp_path / "cache.sqlite")
    matches = match_many(refs, client)
    client.close()
    assert [(m.status, m.doi) for m in matches] == [("matched", POORMOGHIM)] * 3 + [("matched", DEZA)] * 2 + [
        ("unmatched", None)
    ]
    searches = [e for e in crossref_server.log if e.route == "list"]
    assert len(searches) == 3  # six citations, three works
    assert all(e.status == 200 for e in searches)


def test_a_verified_doi_answers_for_the_other_citations_of_its_work(
    crossref_server: CrossrefServer, tmp_path: Path
) -> None:
    refs = [
        parse("Deza G et al (2015) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. doi: " + DEZA),
        parse("Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol"),
    ]
    client = _client(crossref_server, tmp_path / "cache.sqlite")
    matches = match_many(refs, client)
    client.close()
    assert [(m.status, m.doi) for m in matches] == [("matched", DEZA), ("matched", DEZA)]
    assert matches[0].written_doi_status == "ok"
    log = crossref_server.log
    assert len(log) == 1 and log[0].params["filter"] == [f"doi:{DEZA}"]  # one batch fetch, no search


def test_an_interrupted_run_resumes_from_the_cache(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    refs = _citations()
    cache = tmp_path / "cache.sqlite"
    # the first run got through the first three citations (one work) before it stopped
    client = _client(crossref_server, cache)
    match_many(refs[:3], client)
    client.close()
    assert crossref_server.count("list") == 1
    crossref_server.clear_log()
    client = _client(crossref_server, cache)
    resumed = match_many(refs, client)
    client.close()
    assert crossref_server.count("list") == 2  # only the two works not looked up before
    assert [m.doi for m in resumed[:5]] == [POORMOGHIM] * 3 + [DEZA] * 2
    crossref_server.clear_log()
    client = _client(crossref_server, cache)
    again = match_many(refs, client)
    client.close()
    assert crossref_server.count() == 0  # a warm rerun sends nothing
    assert [(m.status, m.doi, m.confidence) for m in again] == [(m.status, m.doi, m.confidence) for m in resumed]


def test_two_records_that_fit_equally_are_not_picked_blindly(seed_records: dict[str, dict[str, Any]]) -> None:
    from refkit.registry.snapshot import SnapshotRegistry

    english = seed_records[POORMOGHIM]
    other_edition = {**english, "DOI": "10.5555/jcpt.12340.es"}
    ref = parse(
        "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther 41: 94-96"
    )
    [alone] = match_many([ref], SnapshotRegistry.from_records([english]))
    [twice] = match_many([ref], SnapshotRegistry.from_records([english, other_edition]))
    assert alone.status == "matched" and alone.confidence >= ACCEPT
    assert twice.status == "ambiguous" and twice.doi is None
    assert "fit equally well" in twice.reason
    assert twice.confidence < alone.confidence  # no lead over the runner-up: less sure it is the one


def test_offline_written_dois_in_the_cache_are_still_checked(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    warm = _client(crossref_server, cache)
    assert warm.work(DEZA) is not None
    warm.close()
    crossref_server.clear_log()
    refs = [
        parse("Deza G et al (2015) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. doi: " + DEZA),
        parse("Smith J (2001) A work nobody has looked up. doi: 10.5555/never-fetched"),
    ]
    offline = CrossrefClient(crossref_server.url, None, cache=cache, offline=True)
    first, second = match_many(refs, offline)
    offline.close()
    assert (first.status, first.doi, first.written_doi_status) == ("matched", DEZA, "ok")
    assert (second.status, second.written_doi_status) == ("unverified", "unchecked")
    assert crossref_server.count() == 0


def test_the_same_citation_twice_in_the_list_is_answered_twice(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    ref = _citations()[0]
    client = _client(crossref_server, tmp_path / "cache.sqlite")
    matches = match_many([ref, ref, _citations()[5], ref], client)
    client.close()
    assert [(m.status, m.doi) for m in matches] == [
        ("matched", POORMOGHIM),
        ("matched", POORMOGHIM),
        ("unmatched", None),
        ("matched", POORMOGHIM),
    ]
    assert crossref_server.count("list") == 2
