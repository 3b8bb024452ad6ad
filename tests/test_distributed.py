"""The run on a Dask cluster (a LocalCluster of 2 worker processes) against the local Crossref server: the same
result as in one process, one rate and one concurrency cap for the whole cluster, and a worker killed mid-run."""

from __future__ import annotations

import itertools
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from refkit.articles import read_article
from refkit.dedupe import _groups, comparison_keys
from refkit.distributed.grouping import SpreadKeys, stable_hash
from refkit.distributed.packed import pack, unpack
from refkit.match.works import _numbers_in, _rendering, _works
from refkit.parse import parse_citations
from refkit.pipeline import run
from refkit.registry import CrossrefClient
from refkit.registry.snapshot import SnapshotRegistry
from refkit.result import RunResult
from refkit.testing import CrossrefServer

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed (pip install '.[dask]')")

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "articles"


def _cluster(**kwargs: Any) -> Any:
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", **kwargs)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


def _crossref(url: str, cache: Path | bool = False, **kwargs: Any) -> CrossrefClient:
    options: dict[str, Any] = dict(timeout=5.0, retries=2, backoff=0.01, search_rate=200.0, single_rate=200.0)
    options.update(kwargs)
    return CrossrefClient(url, "tests@example.org", cache=cache, **options)


def _same(single: RunResult, spread: RunResult) -> None:
    assert spread.inputs == single.inputs
    assert [c.raw for c in spread.citations] == [c.raw for c in single.citations]
    assert spread.references == single.references
    assert spread.matches == single.matches
    assert spread.clusters == single.clusters
    assert spread.findings == single.findings
    assert spread.problems == single.problems
    assert spread.summary() == single.summary()


def test_distributed_run_on_the_demo_gives_the_single_process_result(
    dask_client: Any, crossref_server: CrossrefServer, tmp_path: Path
) -> None:
    single = run([DEMO], tmp_path / "one", registry=_crossref(crossref_server.url))
    spread = run([DEMO], tmp_path / "two", registry=_crossref(crossref_server.url), client=dask_client)
    _same(single, spread)
    assert spread.summary()["references"] == 25 and spread.summary()["matched"] > 0
    for name in ("references.bib", "references.json", "references.ris", "audit.json", "audit.md"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


def test_workers_collect_garbage_less_often_during_a_run_and_as_before_after(
    dask_client: Any, crossref_server: CrossrefServer, tmp_path: Path
) -> None:
    import gc

    from refkit.distributed.collector import THRESHOLDS

    before = dask_client.run(gc.get_threshold)
    assert set(before.values()) != {THRESHOLDS}
    seen: list[dict[str, Any]] = []
    run(
        [DEMO],
        None,
        registry=_crossref(crossref_server.url),
        client=dask_client,
        progress=lambda _: seen.append(dask_client.run(gc.get_threshold)),
    )
    assert seen and all(set(s.values()) == {THRESHOLDS} for s in seen)  # while the references are searched
    assert dask_client.run(gc.get_threshold) == before


def _articles_from_reference_lists(folder: Path) -> int:
    """Articles made of the reference lists deposited with the vendored Crossref records (one article per record
    with a list: its strings, or its structured items written out), and a second printing of every other article in
    another style, so that works recur across articles with disagreeing details. Returns the citations written."""
    folder.mkdir()
    written = 0
    lines = (REPO / "tests/data/crossref/works.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    for n, record in enumerate(r for r in records if r.get("reference")):
        lines = [_citation(item) for item in record["reference"]]
        lines = [line for line in lines if line]
        text = "Article\n\nReferences\n\n" + "\n".join(f"{k}. {line}" for k, line in enumerate(lines, 1)) + "\n"
        (folder / f"a{n:03d}.txt").write_text(text, encoding="utf-8")
        written += len(lines)
        if n % 2 == 0:
            other = [_citation(item, other_style=True) for item in record["reference"]]
            other = [line for line in other if line]
            text = "Review\n\nReferences\n\n" + "\n".join(f"[{k}] {line}" for k, line in enumerate(other, 1)) + "\n"
            (folder / f"b{n:03d}.txt").write_text(text, encoding="utf-8")
            written += len(other)
    return written


def _citation(item: dict[str, Any], *, other_style: bool = False) -> str:
    if item.get("unstructured"):
        return " ".join(str(item["unstructured"]).split())
    author = item.get("author")
    title = item.get("article-title") or item.get("volume-title")
    journal = item.get("journal-title") or item.get("series-title")
    if not (author and (title or journal)):
        return ""
    year, volume, page = item.get("year", ""), item.get("volume", ""), item.get("first-page", "")
    if other_style:  # Vancouver-like, no DOI
        return " ".join(f"{author}. {title or ''}. {journal or ''}. {year};{volume}:{page}.".split())
    doi = f" doi:{item['DOI']}" if item.get("DOI") else ""
    return " ".join(f"{author} ({year}) {title or ''}. {journal or ''} {volume}:{page}{doi}".split())


def test_distributed_run_on_two_thousand_citations_against_a_snapshot_gives_the_single_process_result(
    dask_client: Any, tmp_path: Path
) -> None:
    count = _articles_from_reference_lists(tmp_path / "articles")
    assert count > 2000
    lines = (REPO / "tests/data/crossref/works.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    # every work a reference list cites with a DOI is in the snapshot, as its citation describes it
    for line in lines:
        for item in json.loads(line).get("reference") or []:
            if item.get("DOI") and item.get("article-title") and item.get("author"):
                records.append(
                    {
                        "DOI": item["DOI"],
                        "title": [item["article-title"]],
                        "author": [{"family": str(item["author"]).split()[0].strip(",")}],
                        "container-title": [item.get("journal-title") or ""],
                        "volume": item.get("volume"),
                        "page": item.get("first-page"),
                        "issued": {"date-parts": [[int(item["year"][:4])]]}
                        if item.get("year", "")[:4].isdigit()
                        else {},
                    }
                )
    with SnapshotRegistry.from_records(records, tmp_path / "index.sqlite") as snapshot:
        single = run([tmp_path / "articles"], None, registry=snapshot)
        spread = run([tmp_path / "articles"], None, registry=snapshot, client=dask_client)
    assert len(single.citations) >= count * 0.95
    assert len(single.clusters) < len(single.citations)  # works recur across articles
    assert single.summary()["matched"] > 300
    _same(single, spread)


def test_groups_made_by_shuffling_the_blocking_keys_are_those_of_one_process(dask_client: Any, tmp_path: Path) -> None:
    _articles_from_reference_lists(tmp_path / "articles")
    citations = [c for path in sorted((tmp_path / "articles").iterdir()) for c in read_article(path)[0]]
    refs = parse_citations(citations)
    keys = [comparison_keys(r) for r in refs]
    cuts = [0, 300, 301, 900, 1500, len(refs)]  # parts of uneven sizes, one of a single citation
    spans = list(itertools.pairwise(cuts))
    spread = SpreadKeys(
        dask_client,
        [dask_client.scatter([pack(keys[a:b])])[0] for a, b in spans],  # as the run holds them
        [dask_client.scatter([[_rendering(r) for r in refs[a:b]]])[0] for a, b in spans],
        [b - a for a, b in spans],
        entries_per_bucket=400,  # many more buckets than parts: a pair is met in several buckets
    )
    try:
        numbers = [stable_hash("\x1f".join(_numbers_in(r.title))) for r in refs]
        plan_groups = spread.plan_groups(numbers)
        assert plan_groups == _works(refs, [None] * len(refs), keys)
        assert len(plan_groups) < len(refs)  # works recur
        groups, hints = _groups(keys)
        assert spread.dedupe_groups([[k.doi for k in keys[a:b]] for a, b in spans]) == (groups, sorted(set(hints)))
        # a DOI found by matching joins, or keeps apart, what the written ones did not
        dois = [k.doi or (f"10.9/{n % 7}" if n % 3 == 0 else None) for n, k in enumerate(keys)]
        moved = [replace(k, doi=d) for k, d in zip(keys, dois, strict=True)]
        groups, hints = _groups(moved)
        assert spread.dedupe_groups([dois[a:b] for a, b in spans]) == (groups, sorted(set(hints)))
    finally:
        spread.release()


def test_a_packed_part_is_its_items_and_dask_counts_its_bytes() -> None:
    import cloudpickle
    from dask.sizeof import sizeof

    citations = [c for path in sorted(DEMO.iterdir()) for c in read_article(path)[0]]
    refs = parse_citations(citations)
    keys = [comparison_keys(r) for r in refs]
    for items in (citations, refs, keys):
        packed = pack(items)
        assert len(packed) == len(items)
        assert unpack(packed) == items
        assert unpack(cloudpickle.loads(cloudpickle.dumps(packed))) == items  # as Dask moves it between workers
        # what a worker holds is counted by its bytes, so that it spills by the true size
        assert len(packed.blob) <= sizeof(packed) <= len(packed.blob) + 200
        assert len(packed.blob) < len(cloudpickle.dumps(items))
    assert unpack(refs) is refs  # what is not packed is passed as it is


def _name(key: str | tuple[Any, ...]) -> str:
    """A Dask task's name: its key, or a collection's name for a key like ``("shuffle-...", 3)``."""
    return key if isinstance(key, str) else str(key[0])


def _most_in_a_window(times: list[float], window: float) -> int:
    most = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_one_rate_and_one_concurrency_cap_for_the_whole_cluster(
    dask_client: Any, crossref_server: CrossrefServer, tmp_path: Path
) -> None:
    rate = 4.0
    crossref_server.max_concurrency = 1
    crossref_server.latency = 0.05
    registry = _crossref(crossref_server.url, search_rate=rate, single_rate=rate, concurrency=1)
    with distributed.get_task_stream(dask_client) as stream:
        result = run([DEMO], None, registry=registry, client=dask_client)
    assert result.summary()["matched"] > 0
    # both workers looked works up ...
    searching = {task["worker"] for task in stream.data if _name(task["key"]).startswith("_search_part")}
    assert len(searching) == 2
    # ... and together they kept to one client's limits
    log = crossref_server.log
    assert len(log) >= 10
    assert _most_in_a_window([e.time for e in log], 1.0) <= rate + 1
    gaps = [b.time - a.time for a, b in itertools.pairwise(log)]
    assert sorted(gaps)[len(gaps) // 2] >= 0.9 / rate  # spaced, not bursts of two
    assert crossref_server.peak_concurrency == 1
    assert not crossref_server.concurrency_violations


def test_a_worker_killed_mid_run_costs_time_not_data(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    import dask

    with (
        dask.config.set({"distributed.scheduler.locks.lease-timeout": "3s"}),
        _cluster() as cluster,
        distributed.Client(cluster) as client,
    ):
        single = run([DEMO], None, registry=_crossref(crossref_server.url))
        crossref_server.latency = 0.3
        crossref_server.clear_log()
        run([DEMO], None, registry=_crossref(crossref_server.url, cache=tmp_path / "cold.sqlite"), client=client)
        cold = crossref_server.count()

        crossref_server.clear_log()
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_when_busy() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and crossref_server.count() < 3:
                time.sleep(0.02)
            os.kill(sorted(pids.values())[0], signal.SIGKILL)
            killed.append(crossref_server.count())

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        warm = _crossref(crossref_server.url, cache=tmp_path / "cache.sqlite")
        spread = run([DEMO], None, registry=warm, client=client)
        killer.join()
        assert killed and killed[0] < crossref_server.count()  # the worker died while the run was still asking
        _same(single, spread)  # read from the workers, while the client is open
    # what was answered before the kill came from the cache when the tasks ran again: at most the requests in
    # flight at the kill (3) were paid twice
    assert crossref_server.count() <= cold + 3


def test_cli_run_with_workers_writes_what_a_single_process_writes(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from refkit.cli import main

    common = ["--crossref-url", crossref_server.url, "--no-cache", "--no-progress", "--search-rate", "50"]
    assert main(["run", str(DEMO), "-o", str(tmp_path / "one"), *common]) == 0
    assert main(["run", str(DEMO), "-o", str(tmp_path / "two"), "--workers", "2", *common]) == 0
    assert "25 references" in capsys.readouterr().out
    for one in sorted((tmp_path / "one").iterdir()):
        assert (tmp_path / "two" / one.name).read_bytes() == one.read_bytes(), one.name


def test_cli_run_with_an_unreachable_scheduler_fails_at_once_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from refkit.cli import main

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = time.monotonic()
    code = main(["run", str(DEMO), "-o", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{port}", "--no-cache"])
    assert code == 2
    assert time.monotonic() - clock < 5  # not Dask's 30 s time-out
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _index_content(path: Path) -> tuple[Any, ...]:
    import sqlite3

    db = sqlite3.connect(path)
    try:
        return tuple(
            db.execute(sql).fetchall()
            for sql in (
                "SELECT id, doi, size, body, rest FROM works ORDER BY id",
                "SELECT rowid, * FROM works_fts ORDER BY rowid",
                "SELECT term, doc FROM word_counts ORDER BY term",
                "SELECT name FROM sqlite_master ORDER BY name",
            )
        )
    finally:
        db.close()


def test_a_snapshot_indexed_on_the_cluster_is_the_index_built_in_one_process(dask_client: Any, tmp_path: Path) -> None:
    import gzip

    from refkit.errors import InputError
    from refkit.registry.snapshot import build_index

    lines = (REPO / "tests/data/crossref/works.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    folder = tmp_path / "snapshot"
    folder.mkdir()
    for n in range(7):  # parts of the public data file's shape; later parts repeat DOIs, fuller and cut down
        items = records[n * 40 : (n + 1) * 40] + [
            {k: v for k, v in r.items() if k in ("DOI", "title")} if n % 2 else r for r in records[: 3 * n]
        ]
        with gzip.open(folder / f"{n}.json.gz", "wt", encoding="utf-8") as handle:
            json.dump({"items": items}, handle)
    stored_here: list[int] = []
    stored_there: list[int] = []
    assert build_index(folder, tmp_path / "here.sqlite", progress=stored_here.append) == len(records)
    assert build_index(folder, tmp_path / "there.sqlite", progress=stored_there.append, client=dask_client) == len(
        records
    )
    assert stored_there == stored_here
    assert _index_content(tmp_path / "there.sqlite") == _index_content(tmp_path / "here.sqlite")

    # a damaged part stops the build with its name; the build resumes when it is mended
    (folder / "3.json.gz").write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(InputError, match=r"3\.json\.gz: not Crossref JSON"):
        build_index(folder, tmp_path / "mended.sqlite", client=dask_client)
    assert (tmp_path / "mended.sqlite.partial").exists()
    os.replace(folder / "3.json.gz", tmp_path / "damaged")
    with gzip.open(folder / "3.json.gz", "wt", encoding="utf-8") as handle:
        json.dump({"items": records[120:160]}, handle)
    built = build_index(folder, tmp_path / "mended.sqlite", client=dask_client)
    assert built == len(records) and not (tmp_path / "mended.sqlite.partial").exists()
