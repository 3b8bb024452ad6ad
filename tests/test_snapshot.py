"""The local snapshot registry: building the FTS5 index once, searching, DOI look-ups, formats, rebuilds."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from refkit.errors import InputError
from refkit.extract import extract
from refkit.match import match_many
from refkit.model import Reference
from refkit.parse import parse_citations
from refkit.registry import CrossrefClient, Registry
from refkit.registry.snapshot import INDEX_SUFFIX, SnapshotRegistry, index_path_for, open_snapshot
from refkit.testing import CrossrefServer
from refkit.testing.crossref_server import load_records

DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"


def _work(doi: str, title: str, family: str, year: int, **extra: object) -> dict[str, object]:
    return {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [{"family": family, "given": "A"}],
        "issued": {"date-parts": [[year]]},
        **extra,
    }


A = _work("10.5555/Alpha", "Dystrophic calcinosis of the fingertips", "Fallowfield", 2007, volume="79", page="131-3")
B = _work(
    "10.5555/beta", "Calciphylaxis in chronic renal failure", "Salmhofer", 1995, **{"container-title": ["Hautarzt"]}
)
C = _work("10.5555/gamma", "Milia-like idiopathic calcinosis cutis", "Houschyar", 2012)


@pytest.fixture(scope="module")
def seed_snapshot(crossref_records_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnapshotRegistry]:
    registry = open_snapshot(crossref_records_dir, tmp_path_factory.mktemp("index") / "seed.sqlite")
    yield registry
    registry.close()


def test_folder_of_responses_is_indexed_once_per_distinct_doi(
    seed_snapshot: SnapshotRegistry, crossref_records_dir: Path
) -> None:
    expected = {str(r["DOI"]).lower() for r in load_records(crossref_records_dir)}
    assert len(seed_snapshot) == len(expected) > 150
    assert isinstance(seed_snapshot, Registry)


def test_search_ranks_the_cited_work_first_and_reports_a_score(seed_snapshot: SnapshotRegistry) -> None:
    found = seed_snapshot.search(
        "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther 41: 94-96",
        rows=3,
    )
    assert len(found) == 3
    assert found[0]["DOI"] == POORMOGHIM
    assert found[0]["title"] == ["Systemic sclerosis and calcinosis cutis: response to rituximab"]
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1] > 0
    assert seed_snapshot.search("", rows=3) == [] and seed_snapshot.search("the of and", rows=3) == []


def test_work_and_works_ignore_case_and_resolver_prefixes(seed_snapshot: SnapshotRegistry) -> None:
    assert seed_snapshot.work(DEZA.upper())["DOI"] == DEZA  # type: ignore[index]
    assert seed_snapshot.work("https://doi.org/" + DEZA)["DOI"] == DEZA  # type: ignore[index]
    assert seed_snapshot.work("10.5555/no-such-work") is None
    found = seed_snapshot.works([DEZA, POORMOGHIM.upper(), "10.5555/nothing"])
    assert [found[k]["DOI"] if found[k] else None for k in found] == [DEZA, POORMOGHIM, None]  # type: ignore[index]
    assert "score" not in found[DEZA]  # type: ignore[operator]


def test_gzip_json_lines_index_is_written_next_to_the_snapshot(tmp_path: Path) -> None:
    source = tmp_path / "works.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        for record in (A, B):
            handle.write(json.dumps(record) + "\n")
    registry = open_snapshot(source)
    assert index_path_for(source) == tmp_path / ("works.jsonl.gz" + INDEX_SUFFIX)
    assert (tmp_path / ("works.jsonl.gz" + INDEX_SUFFIX)).is_file()
    assert len(registry) == 2
    assert registry.search("Salmhofer 1995 calciphylaxis renal failure Hautarzt", rows=1)[0]["DOI"] == "10.5555/beta"
    registry.close()


def test_api_responses_items_lists_single_works_and_arrays(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    (folder / "lists").mkdir(parents=True)
    (folder / "lists" / "page1.json").write_text(
        json.dumps({"status": "ok", "message-type": "work-list", "message": {"items": [A, {**B, "score": 12.5}]}})
    )
    (folder / "one.json").write_text(json.dumps({"status": "ok", "message-type": "work", "message": C}))
    # a cut-down copy of A (as a select= answer holds) must not replace the full record
    (folder / "zz-array.json").write_text(json.dumps([{"DOI": "10.5555/ALPHA", "title": ["Dystrophic"]}]))
    (folder / "notes.txt").write_text("not a snapshot file")
    registry = open_snapshot(folder, tmp_path / "index.sqlite")
    assert len(registry) == 3
    assert registry.work("10.5555/alpha")["volume"] == "79"  # type: ignore[index]
    assert "score" not in registry.work("10.5555/beta")  # type: ignore[operator]
    assert registry.search("Houschyar milia-like calcinosis 2012", rows=1)[0]["DOI"] == "10.5555/gamma"
    registry.close()


def test_index_is_reused_while_the_source_is_unchanged_and_rebuilt_when_it_changes(tmp_path: Path) -> None:
    source = tmp_path / "works.jsonl"
    source.write_text(json.dumps(A) + "\n")
    index = tmp_path / "works.sqlite"
    open_snapshot(source, index).close()
    built = index.stat().st_mtime_ns
    registry = open_snapshot(source, index)
    assert index.stat().st_mtime_ns == built  # reused, not rebuilt
    assert registry.work("10.5555/gamma") is None
    registry.close()

    source.write_text(json.dumps(A) + "\n" + json.dumps(C) + "\n")
    os.utime(source, ns=(built + 10**9, built + 10**9))
    registry = open_snapshot(source, index)
    assert registry.work("10.5555/gamma") is not None and len(registry) == 2
    registry.close()


def test_missing_and_broken_snapshots_are_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such snapshot"):
        open_snapshot(tmp_path / "nothing-here")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match=r"broken\.json: not Crossref JSON"):
        open_snapshot(broken, tmp_path / "i.sqlite")
    assert not (tmp_path / "i.sqlite").exists()  # no half-built index left behind


def test_matching_offline_gives_the_seed_matches_the_server_gives(
    seed_snapshot: SnapshotRegistry, crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path
) -> None:
    citations = [c for path in sorted(seed_articles.glob("*.txt")) for c in extract(path)]
    refs: list[Reference] = parse_citations(citations)
    client = CrossrefClient(
        crossref_server.url, "tests@example.org", cache=tmp_path / "c.sqlite", search_rate=200.0, single_rate=200.0
    )
    online = match_many(refs, client)
    client.close()
    offline = match_many(refs, seed_snapshot)
    assert [(m.status, m.doi) for m in offline] == [(m.status, m.doi) for m in online]
    matched = sorted({m.doi for m in offline if m.status == "matched"})
    assert matched == sorted([DEZA, POORMOGHIM])
    # Accepted matches have the same confidence; the weak candidates of unmatched citations may differ with how
    # each registry ranks what it holds, but stay far below acceptance.
    assert [m.confidence for m in offline if m.doi] == [m.confidence for m in online if m.doi]
    assert all(m.confidence < 0.1 for m in offline + online if m.status == "unmatched")
    assert seed_snapshot.searches > 0


def test_a_long_query_can_be_cut_to_its_rarest_words(crossref_records_dir: Path, tmp_path: Path) -> None:
    query = (
        "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther 41: 94-96"
    )
    registry = SnapshotRegistry(open_snapshot(crossref_records_dir, tmp_path / "i.sqlite").index_path, max_terms=3)
    rarest = registry._rarest(["calcinosis", "cutis", "poormoghim", "rituximab", "nosuchword"], 3)
    assert rarest[:2] == ["poormoghim", "rituximab"] and "nosuchword" not in rarest
    assert registry.search(query, rows=1)[0]["DOI"] == POORMOGHIM
    assert registry.search("nosuchword anotherone thirdone fourthone", rows=1) == []
    registry.close()


def test_word_counts_are_stored_and_an_index_without_them_is_still_read(
    crossref_records_dir: Path, tmp_path: Path
) -> None:
    import sqlite3

    index = open_snapshot(crossref_records_dir, tmp_path / "i.sqlite").index_path
    db = sqlite3.connect(index)
    db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, works_fts, row)")
    assert dict(db.execute("SELECT term, doc FROM word_counts")) == dict(db.execute("SELECT term, doc FROM temp.v"))
    db.close()
    words = ["calcinosis", "cutis", "poormoghim", "rituximab", "nosuchword"]
    query = "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis. J Clin Pharm Ther 41: 94-96"
    stored = SnapshotRegistry(index, max_terms=3, read_only=True)
    counts, found = stored._counts(words), stored.search(query, rows=3)
    stored.close()
    assert counts["calcinosis"] > counts["poormoghim"] >= 1 and "nosuchword" not in counts
    # an index built before the counts were stored: read through the full-text index's vocabulary, the same way
    db = sqlite3.connect(index)
    db.execute("DROP TABLE word_counts")
    db.commit()
    db.close()
    older = SnapshotRegistry(index, max_terms=3, read_only=True)
    assert older._counts(words) == counts
    assert older.search(query, rows=3) == found and found[0]["DOI"] == POORMOGHIM
    older.close()


def test_records_are_stored_in_what_the_stages_read_and_the_rest_and_read_whole(
    crossref_records_dir: Path, tmp_path: Path
) -> None:
    import sqlite3

    index = open_snapshot(crossref_records_dir, tmp_path / "i.sqlite").index_path
    records = {r["DOI"].lower(): r for r in load_records(crossref_records_dir)}
    db = sqlite3.connect(index)
    rows = db.execute("SELECT doi, body, rest FROM works").fetchall()
    db.close()
    # a search decodes the part the stages read; references, abstracts and links are apart
    assert any(rest and "reference" in json.loads(rest) for _, _, rest in rows)
    assert not any({"reference", "abstract", "link"} & set(json.loads(body)) for _, body, _ in rows)
    registry = SnapshotRegistry(index, read_only=True)
    whole = registry.works(list(records))
    query = "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis. J Clin Pharm Ther 41: 94-96"
    found = registry.search(query, rows=3)
    registry.close()
    for doi, record in records.items():
        assert whole[doi] == {k: v for k, v in record.items() if k != "score"}
    assert found[0]["DOI"] == POORMOGHIM and "reference" not in found[0]
    # an index whose records are whole in one column (built before the two parts) is read the same way
    db = sqlite3.connect(index)
    db.execute("UPDATE works SET body = json_patch(body, rest) WHERE rest IS NOT NULL")
    db.execute("ALTER TABLE works DROP COLUMN rest")
    db.commit()
    db.close()
    older = SnapshotRegistry(index, read_only=True)
    assert older.works(list(records)) == whole
    assert older.search(query, rows=3)[0]["DOI"] == POORMOGHIM
    older.close()


def _crowd(n: int) -> list[dict[str, object]]:
    """``n`` records that share their journal, year and author, each with a title word of its own."""
    return [
        _work(f"10.5555/crowd.{i}", f"Cream {word}", "Smith", 2020, **{"container-title": ["PLoS ONE"]})
        for i, word in enumerate(f"{a}{b}x" for a in "bcdfghjklm" for b in "aeiou")
    ][:n]


def test_a_large_snapshot_finds_the_cited_work_by_its_rarest_words_within_a_budget() -> None:
    target = _work("10.5555/target", "Cream dermatitis in Quokkas", "Ngarrindjeri", 2020, volume="12")
    registry = SnapshotRegistry.from_records([*_crowd(50), target], max_terms=8)
    registry.postings = 3  # the two rarest words ("quokkas", "ngarrindjeri") are read, the common ones are not
    query = "Ngarrindjeri A (2020) Cream dermatitis in Quokkas. PLoS ONE 12"
    # the candidates are the records that hold the rare words: the fifty that share the rest are never read
    assert [r["DOI"] for r in registry.search(query, rows=3)] == ["10.5555/target"]
    registry.postings = 1_000
    found = registry.search(query, rows=3)
    assert found[0]["DOI"] == "10.5555/target" and found[0]["score"] > found[1]["score"] and len(found) == 3
    assert registry.search("unheardof wordsonly", rows=3) == []
    registry.close()


def test_a_reference_with_no_rare_words_is_found_among_records_that_hold_the_same_ones() -> None:
    # no names and a title of one word that thirty records hold: the record found is the one whose title has no
    # other word, wherever it lies in the index (it is stored last)
    target = _work("10.5555/target", "Cream", "Smith", 2020, **{"container-title": ["PLoS ONE"]})
    registry = SnapshotRegistry.from_records([*_crowd(30), target], max_terms=8)
    registry.postings = 10  # no word fits: the records that hold two of the words are the candidates
    assert registry.search("Cream. PLoS ONE, 3(1), pp. .", rows=5)[0]["DOI"] == "10.5555/target"
    registry.close()


def _part(path: Path, works: list[dict[str, object]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        json.dump({"items": works}, out)


def test_an_interrupted_index_build_resumes_where_it_stopped(tmp_path: Path) -> None:
    # a data file in parts, as Crossref's public data file is; the build stops at a damaged third part
    folder = tmp_path / "snapshot"
    folder.mkdir()
    _part(folder / "0.json.gz", [A])
    _part(folder / "1.json.gz", [B])
    (folder / "2.json.gz").write_bytes(gzip.compress(b'{"items": [{"DOI": "10.5555/cut'))
    index = tmp_path / "index.sqlite"
    with pytest.raises(InputError, match=r"2\.json\.gz: not Crossref JSON"):
        open_snapshot(folder, index)
    assert not index.exists()  # readers never see half an index
    assert (tmp_path / "index.sqlite.partial").exists()

    # the damaged part is replaced; a stored part is overwritten in place with the same size and time, so that a
    # build that read it again would fail: the resumed build must skip it
    _part(folder / "2.json.gz", [C])
    stored = folder / "0.json.gz"
    stamp = stored.stat()
    stored.write_bytes(b"x" * stamp.st_size)
    os.utime(stored, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    with open_snapshot(folder, index) as registry:
        assert len(registry) == 3
        assert registry.search("Fallowfield Dystrophic calcinosis of the fingertips", 1)[0]["DOI"] == "10.5555/Alpha"
        assert registry.work("10.5555/gamma") is not None
    assert not (tmp_path / "index.sqlite.partial").exists()


def test_an_index_build_starts_again_when_a_stored_part_changed(tmp_path: Path) -> None:
    folder = tmp_path / "snapshot"
    folder.mkdir()
    _part(folder / "0.json.gz", [A])
    (folder / "1.json.gz").write_bytes(b"not gzip, not json")
    index = tmp_path / "index.sqlite"
    with pytest.raises(InputError):
        open_snapshot(folder, index)
    _part(folder / "0.json.gz", [B, C])  # the stored part changed: what it gave before must not stay
    _part(folder / "1.json.gz", [])
    with open_snapshot(folder, index) as registry:
        assert len(registry) == 2
        assert registry.work("10.5555/alpha") is None


def test_an_index_build_in_progress_of_the_earlier_layout_is_started_again(tmp_path: Path) -> None:
    import sqlite3

    folder = tmp_path / "snapshot"
    folder.mkdir()
    _part(folder / "0.json.gz", [A])
    _part(folder / "1.json.gz", [B])
    index = tmp_path / "index.sqlite"
    # a build interrupted before records were stored in two parts: its works table has no `rest`
    old = sqlite3.connect(tmp_path / "index.sqlite.partial")
    old.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE works (id INTEGER PRIMARY KEY, doi TEXT NOT NULL UNIQUE, size INTEGER, body TEXT NOT NULL);
        CREATE TABLE built_files (name TEXT PRIMARY KEY, size INTEGER, mtime INTEGER);
        """
    )
    old.close()
    with open_snapshot(folder, index) as registry:
        assert len(registry) == 2
        assert registry.work("10.5555/alpha") is not None
