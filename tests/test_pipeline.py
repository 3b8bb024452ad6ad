"""The whole run on the seed articles against the local Crossref server, with every fault switch."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refkit.cli import main
from refkit.extract import extract
from refkit.pipeline import run
from refkit.registry import CrossrefClient
from refkit.testing import CrossrefServer

DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"
OUTPUTS = ("references.bib", "references.json", "references.ris", "audit.json", "audit.md", "audit.html")


def _seed_raws(seed_articles: Path) -> list[str]:
    return [c.raw for path in sorted(seed_articles.glob("*.txt")) for c in extract(path)]


def _client(url: str, cache: Path, **kwargs: Any) -> CrossrefClient:
    options: dict[str, Any] = dict(
        timeout=2.0, retries=3, backoff=0.01, max_wait=3.0, search_rate=200.0, single_rate=200.0
    )
    options.update(kwargs)
    return CrossrefClient(url, "tests@example.org", cache=cache, **options)


def _assert_every_citation_kept(out: Path, raws: list[str]) -> dict[str, Any]:
    assert len(raws) == 13
    bib = (out / "references.json").read_text(encoding="utf-8")
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    cited = [c["raw"] for w in doc["works"] for c in w["citations"]]
    assert sorted(cited) == sorted(raws)
    for raw in raws:
        assert raw in bib  # each exported entry notes the citations it stands for
    return doc


def _matched(doc: dict[str, Any]) -> dict[str, str]:
    return {c["raw"].split()[0]: w["DOI"] for w in doc["works"] if w["status"] == "matched" for c in w["citations"]}


def _run_cli(server_url: str, out: Path, cache: Path, *extra: str) -> int:
    return main(
        [
            "run",
            *(str(p) for p in sorted((Path(__file__).parent.parent / "data" / "articles").glob("*.txt"))),
            "-o",
            str(out),
            "--crossref-url",
            server_url,
            "--cache",
            str(cache),
            "--mailto",
            "tests@example.org",
            "--no-progress",
            "--search-rate",
            "200",
            "--single-rate",
            "200",
            *extra,
        ]
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- clean run --


def test_run_on_the_seeds(crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path) -> None:
    client = _client(crossref_server.url, tmp_path / "c.sqlite")
    result = run([seed_articles], tmp_path / "out", registry=client)
    client.close()
    assert sorted(p.name for p in result.outputs) == sorted(OUTPUTS)
    summary = result.summary()
    assert (summary["inputs"], summary["references"], summary["works"]) == (2, 13, 12)
    assert (summary["matched"], summary["unverified"]) == (3, 0)
    assert result.registry_note is None
    assert result.requests == crossref_server.count() > 0
    doc = _assert_every_citation_kept(tmp_path / "out", _seed_raws(seed_articles))
    assert _matched(doc) == {"Deza": DEZA, "Poormoghim": POORMOGHIM}
    [deza] = [w for w in doc["works"] if w["DOI"] == DEZA]
    assert [(Path(c["file"]).name, c["position"]) for c in deza["citations"]] == [
        ("000_61b568b1287262a0.txt", 2),
        ("001_d7fe02c7fd916c22.txt", 3),
    ]
    assert deza["canonical"]["volume"] == "96" and deza["canonical"]["page"] == "418-419"


# -- faults: the run survives each one and keeps every citation --

FAULTS: dict[str, Callable[[CrossrefServer], None]] = {
    "latency": lambda s: setattr(s, "latency", 0.05),
    "500-then-ok": lambda s: s.fail(500, times=3, routes="list"),
    "503-on-doi-batch": lambda s: s.fail(503, times=2, routes="list"),
    "hang-past-timeout": lambda s: s.hang(5.0, times=1, routes="list"),
    "malformed-json": lambda s: s.malformed(times=2),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_run_survives_fault(fault: str, crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path) -> None:
    FAULTS[fault](crossref_server)
    client = _client(crossref_server.url, tmp_path / "c.sqlite", timeout=0.5)
    result = run([seed_articles], tmp_path / "out", registry=client)
    client.close()
    doc = _assert_every_citation_kept(tmp_path / "out", _seed_raws(seed_articles))
    # the fault was survived without loss: the same works matched as on a clean run
    assert _matched(doc) == {"Deza": DEZA, "Poormoghim": POORMOGHIM}
    assert result.summary()["unverified"] == 0 and result.registry_note is None
    statuses = [e.status for e in crossref_server.log]
    if fault != "latency":
        assert client.stats.retries >= 1, statuses
    else:
        assert min(e.duration for e in crossref_server.log) >= 0.05


def test_cli_run_waits_for_retry_after_on_429(
    crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crossref_server.fail(429, times=1, retry_after=1, routes="list")
    start = time.monotonic()
    code = _run_cli(crossref_server.url, tmp_path / "out", tmp_path / "c.sqlite")
    elapsed = time.monotonic() - start
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert elapsed >= 1.0
    log = crossref_server.log
    first_429 = next(i for i, e in enumerate(log) if e.status == 429)
    later = [e for e in log[first_429 + 1 :] if e.route == "list"]
    assert later and all(e.time - log[first_429].time >= 0.95 for e in later)
    doc = _assert_every_citation_kept(tmp_path / "out", _seed_raws(seed_articles))
    assert _matched(doc) == {"Deza": DEZA, "Poormoghim": POORMOGHIM}


def test_cli_run_with_crossref_down(seed_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    start = time.monotonic()
    code = _run_cli(url, tmp_path / "out", tmp_path / "c.sqlite", "--timeout", "1", "--retries", "1")
    captured = capsys.readouterr()
    assert time.monotonic() - start < 10
    assert code == 5
    lines = captured.err.splitlines()
    assert len([line for line in lines if "could not be reached" in line]) == 1, lines
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert "13 unverified" in captured.out
    doc = _assert_every_citation_kept(tmp_path / "out", _seed_raws(seed_articles))
    assert {w["status"] for w in doc["works"]} == {"unverified"}
    assert doc["summary"]["unverified"] == 13 and "could not be reached" in doc["registry"]
    assert all((tmp_path / "out" / name).exists() for name in OUTPUTS)


# -- cache: warm reruns and offline --


def test_warm_rerun_sends_nothing_and_gives_the_same_outputs(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "c.sqlite"
    assert _run_cli(crossref_server.url, tmp_path / "cold", cache) == 0
    assert crossref_server.count() > 0
    crossref_server.clear_log()
    assert _run_cli(crossref_server.url, tmp_path / "warm", cache) == 0
    assert crossref_server.count() == 0
    for name in OUTPUTS:
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes(), name
    capsys.readouterr()


def test_offline_with_warm_cache_gives_the_same_matches(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "c.sqlite"
    assert _run_cli(crossref_server.url, tmp_path / "online", cache) == 0
    crossref_server.clear_log()
    assert _run_cli(crossref_server.url, tmp_path / "offline", cache, "--offline") == 0
    assert crossref_server.count() == 0
    online = json.loads((tmp_path / "online" / "audit.json").read_text(encoding="utf-8"))
    offline = json.loads((tmp_path / "offline" / "audit.json").read_text(encoding="utf-8"))
    assert offline["works"] == online["works"]
    assert _matched(offline) == {"Deza": DEZA, "Poormoghim": POORMOGHIM}
    capsys.readouterr()


def test_offline_with_empty_cache_marks_everything_unverified(
    crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run_cli(crossref_server.url, tmp_path / "out", tmp_path / "empty.sqlite", "--offline")
    captured = capsys.readouterr()
    assert code == 0
    assert crossref_server.count() == 0
    assert "13 unverified" in captured.out
    assert captured.err.count("\n") == 1 and "offline" in captured.err
    doc = _assert_every_citation_kept(tmp_path / "out", _seed_raws(seed_articles))
    assert doc["summary"]["unverified"] == 13 and doc["summary"]["works"] == 12


def test_the_model_pickles_every_field_as_a_cluster_hands_it_over() -> None:
    import pickle
    from types import MappingProxyType

    from refkit.dedupe import comparison_keys
    from refkit.distributed.packed import pack, unpack
    from refkit.match.batch import OpenWork
    from refkit.model import Citation, Cluster, Finding, Match, Person, Reference, Source

    printed = Reference(raw="Deza G (2016) Morphea. Acta 96:418", author=(Person("Deza", "G"),), issued=(2016,))
    source = Source(file="a.pdf", position=3, line=12, label="3", page=2)
    ref = Reference(
        raw="Deza G et al (2016) Solitary Plaque-type Morphea. Acta Derm Venereol 96:418-419",
        author=(Person("Deza", "G"), Person(literal="The Morphea Group")),
        et_al=True,
        issued=(2016, 5),
        title="Solitary Plaque-type Morphea",
        container_title="Acta Derm Venereol",
        volume="96",
        page="418-419",
        doi="10.2340/00015555-2271",
        source=source,
        confidence=MappingProxyType({"title": 0.93}),
        fields_from="zotero",
        printed=printed,
    )
    match = Match(
        status="matched",
        doi=ref.doi,
        confidence=0.97,
        record=printed,
        evidence={"title": 1.0},
        message={"DOI": ref.doi, "title": ["Solitary"]},
        written_doi=ref.doi,
        written_doi_status="ok",
    )
    cluster = Cluster("w1", (ref,), printed, (match, None), MappingProxyType({"year": ("2015", "2016")}), "deza2016")
    finding = Finding(
        "year-mismatch",
        "warning",
        "The year differs.",
        (Citation("x", source),),
        MappingProxyType({"cited": 2015}),
        "2016",
        "w1",
    )
    items = [ref, match, cluster, finding, comparison_keys(ref), OpenWork((1, 2), (), "Deza 2016 Morphea")]
    back = unpack(pickle.loads(pickle.dumps(pack(items))))
    assert back == items
    # the fields left out of equality come back too
    assert back[0].printed == printed and dict(back[0].confidence) == {"title": 0.93} and back[0].source == source
    assert dict(back[2].disagreements) == {"year": ("2015", "2016")} and dict(back[3].evidence) == {"cited": 2015}
    assert [type(x) for x in back] == [type(x) for x in items]
