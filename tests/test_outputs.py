"""The files `refkit run` writes for the seeds: valid, complete, and readable by the tools users import them into."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pybtex.database
import pytest

from refkit.export import read
from refkit.extract import extract
from refkit.pipeline import run
from refkit.registry import CrossrefClient
from refkit.testing import CrossrefServer

SCHEMA = Path(__file__).resolve().parent / "data" / "csl-data.json"


@pytest.fixture
def outputs(crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path) -> Path:
    client = CrossrefClient(
        base_url=crossref_server.url, mailto="test@example.org", cache=tmp_path / "c.sqlite", search_rate=50
    )
    run([seed_articles], tmp_path / "out", registry=client)
    client.close()
    return tmp_path / "out"


def seed_raws(seed_articles: Path) -> list[str]:
    return [c.raw for f in sorted(seed_articles.glob("*.txt")) for c in extract(f)]


def test_csl_json_validates_and_keeps_every_citation(outputs: Path, seed_articles: Path) -> None:
    items = json.loads((outputs / "references.json").read_text(encoding="utf-8"))
    jsonschema.validate(items, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(items) == 12
    notes = "\n".join(item.get("note", "") for item in items)
    for raw in seed_raws(seed_articles):
        assert raw in notes
    deza = next(i for i in items if i.get("DOI") == "10.2340/00015555-2271")
    assert (deza["volume"], deza["issue"], deza["page"], deza["issued"]["date-parts"][0][0]) == (
        "96",
        "3",
        "418-419",
        2016,
    )
    assert all(isinstance(i.get(k, ""), str) for i in items for k in ("volume", "issue", "page"))


def test_bibtex_reads_back_the_same_with_bibtexparser_and_pybtex(outputs: Path) -> None:
    text = (outputs / "references.bib").read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    pybtex_data = pybtex.database.parse_string(text, "bibtex")
    keys = [e.key for e in library.entries]
    assert keys == list(pybtex_data.entries.keys())
    assert len(keys) == 12 and "deza2016solitary" in keys
    for entry in library.entries:
        pyb = pybtex_data.entries[entry.key]
        for name in ("title", "journal", "volume", "pages", "doi", "year"):
            if name in entry.fields_dict:
                assert pyb.fields[name] == entry.fields_dict[name].value
        assert " and others" not in entry.fields_dict["author"].value


def test_ris_and_round_trip(outputs: Path) -> None:
    refs = read(outputs / "references.ris")
    assert len(refs) == 12
    assert {r.doi for r in refs if r.doi} == {"10.2340/00015555-2271", "10.1111/jcpt.12340"}
    from_json = read(outputs / "references.json")
    assert [(r.title, r.volume, r.page, r.year) for r in refs] == [
        (r.title, r.volume, r.page, r.year) for r in from_json
    ]


def test_audit_json_lists_every_citation_and_the_expected_seed_findings(outputs: Path, seed_articles: Path) -> None:
    doc = json.loads((outputs / "audit.json").read_text(encoding="utf-8"))
    raws = [c["raw"] for w in doc["works"] for c in w["citations"]]
    assert sorted(raws) == sorted(seed_raws(seed_articles))
    assert doc["summary"]["references"] == 13 and doc["summary"]["works"] == 12
    found = {(f["code"], f["severity"], f["citations"][0]["raw"].split(" (")[0]) for f in doc["findings"]}
    assert ("duplicate-inconsistent", "warning", "Deza G et al") in found
    assert ("journal-mismatch", "error", "Niederauer HH et al") in found  # Z Skinkr: Z Hautkr
    assert ("journal-mismatch", "error", "Salmhofer W et al") in found  # Dermatologist: Hautarzt
    assert ("journal-mismatch", "error", "Zouboulis CC et al") in found  # dermatologist
    assert ("journal-nonstandard", "info", "Larralde M et al") in found  # Pediatric Dermatol
    assert ("not-found", "info", "Cambiaghi S") in found  # Cutis 2000: old, likely no DOI
    assert ("year-mismatch", "info", "Deza G et al") in found  # online-first 2015
    deza = next(f for f in doc["findings"] if f["code"] == "duplicate-inconsistent")
    assert deza["evidence"]["disagreements"]["issued"] == ["2016", "2015"]
    md = (outputs / "audit.md").read_text(encoding="utf-8")
    assert "duplicate-inconsistent" in md and "Z Skinkr" in md


# -- outputs are rendered one at a time, as they are written --


def test_outputs_are_rendered_when_written_one_at_a_time(tmp_path: Path) -> None:
    """A run's outputs together take several times the memory of its results: each is rendered only when its
    turn comes, and freed once written, so the peak is one output, not their sum."""
    import tracemalloc

    from refkit.files import write_all

    size = 8_000_000
    seen: list[int] = []

    def render(letter: str):
        def make() -> str:
            seen.append(sum(p.stat().st_size for p in tmp_path.iterdir()))  # what is written when this one renders
            return letter * size

        return make

    files = {tmp_path / name: render(name[0]) for name in ("a.txt", "b.txt", "c.txt")}
    tracemalloc.start()
    try:
        write_all(files)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # one render and its encoded bytes; the three renders held together, then one encoded, were 4 x size
    assert peak < 2.5 * size, peak
    assert seen == [0, size, 2 * size]  # each rendered after the ones before were written (to temporary files)
    assert [(tmp_path / n).stat().st_size for n in ("a.txt", "b.txt", "c.txt")] == [size] * 3


def test_outputs_written_in_pieces_and_a_failing_render_replaces_nothing(tmp_path: Path) -> None:
    from refkit.files import write_all

    (tmp_path / "a.txt").write_text("old\n", encoding="utf-8")
    write_all({tmp_path / "a.txt": lambda: iter(["pie", "ces\n"])})
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "pieces\n"

    def broken() -> str:
        raise ValueError("render failed")

    with pytest.raises(ValueError, match="render failed"):
        write_all({tmp_path / "a.txt": "new\n", tmp_path / "b.txt": broken})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # no temporary file left, nothing replaced
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "pieces\n"


def test_audit_json_written_in_pieces_is_the_document(tmp_path: Path, seed_articles: Path) -> None:
    from refkit.report import audit_document

    result = run([seed_articles], tmp_path / "out", registry=None)
    text = (tmp_path / "out" / "audit.json").read_text(encoding="utf-8")
    assert text == json.dumps(audit_document(result), ensure_ascii=False, indent=2) + "\n"
    # a run with nothing cited: the works and findings lists written empty, as json writes them
    empty = tmp_path / "empty.txt"
    empty.write_text("An article without a reference list.\n", encoding="utf-8")
    result = run([empty], tmp_path / "out-empty", registry=None)
    document = audit_document(result)
    assert document["works"] == [] and document["findings"] == []
    text = (tmp_path / "out-empty" / "audit.json").read_text(encoding="utf-8")
    assert text == json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def test_audit_html_is_written_in_pieces_and_is_the_same_page(tmp_path: Path, seed_articles: Path) -> None:
    from refkit.report import audit_html, audit_html_pieces

    result = run([seed_articles], tmp_path / "out", registry=None)
    pieces = list(audit_html_pieces(result))
    assert len(pieces) > len(result.findings)  # a row at a time, the embedded document in the encoder's pieces
    assert "".join(pieces) == audit_html(result) == (tmp_path / "out" / "audit.html").read_text(encoding="utf-8")
