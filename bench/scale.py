"""Scale: a generated Crossref snapshot of N records and M citations, matched and de-duplicated on this machine.

What it builds (in ``--out``, default a temporary folder), from the real Crossref records of the shared data
(``<data>/crossref``, 1,304 distinct works):

* **a snapshot** of ``--records`` work records laid out as Crossref's public data file (``.json.gz`` parts of
  5,000 records, each ``{"items": [...]}``). Record ``i`` is a variant of real record ``i mod 1304``: a new DOI
  (``10.5555/scale.i``), its type, its number of authors (with their given names) and its title's length; the
  title's words drawn from all real titles' words, the family names from all real authors', and the journal,
  volume and issue, pages and year each from a random real record. Every field keeps its real distribution, and
  no two records share title, journal, locator and year by construction (a snapshot made by copying those would
  hold hundreds of records a citation cannot tell apart, which no real registry does).
* **articles** holding ``--citations`` reference strings: 90 % cite snapshot records, 10 % cite records that are
  not in the snapshot (they must stay unmatched). Works are cited a Zipf-like number of times across articles (so
  duplicates across articles are realistic), each citation in one of four styles (Vancouver, APA, the author-year
  style of the seed articles, Harvard) and a third of them degraded (a typo in the title, the title cut short with
  "...", the year off by one as for online-first papers, the page range shortened, the DOI written or not).
  40 references per article, in a plain-text file with a "References" heading.

What it prints (the machine's cores and memory first):

* index build: records/s, index bytes per record, peak memory of the build; and the same build with the files
  converted on a local Dask cluster (``--build-workers``), whether it made the same index;
* queries: searches/s on one thread, latency median and 95th percentile;
* end-to-end (``refkit.run`` with the snapshot): citations/s, the time of each stage, peak memory of the driver
  and of each worker, for one process and for Dask clusters of each ``--workers`` count; precision and recall of
  the DOIs against the truth, and works found against true works;
* the speed-up from the first to the last worker count on reading and searching, and on every stage;
* a plan for the full public data file (160 million records) and for 10^8 citations on K machines, computed from
  the measured figures (the formulas are printed with the table).

Run:  python bench/scale.py [--records 200000] [--citations 20000] [--workers 1 2] [--data /work/shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import multiprocessing
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DATA = Path("/work/shared/data")
SEED = 2026
PART = 5_000
PER_ARTICLE = 40
FULL_DATA_FILE = 160_000_000


# ------------------------------------------------------------------------------------------------ generation


def base_records(data: Path) -> list[dict[str, Any]]:
    from refkit.testing.crossref_server import load_records

    folder = data / "crossref"
    if not folder.is_dir():
        raise SystemExit(f"needs the shared Crossref records in {folder} (see the shared data README); --data DIR")
    return [dict(r) for r in load_records(folder) if r.get("title") and r.get("DOI")]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'-]*", text)


def variant(base: dict[str, Any], i: int, rng: random.Random, pool: dict[str, list[Any]]) -> dict:
    """Record ``i``: the type and the title's length of ``base``; every other field drawn on its own from the real
    records (title words from all real titles, family names from all real authors, journal, volume and issue, pages
    and year each from a random real record), so that each field keeps its real distribution and no two generated
    records share a journal, volume, pages and year by construction."""
    length = len(str(base["title"][0]).split())
    words = [rng.choice(pool["words"]) for _ in range(max(1, length))]
    words[0] = words[0][:1].upper() + words[0][1:]
    authors = [
        {**person, "family": rng.choice(pool["families"])} if "family" in person else person
        for person in base.get("author") or []
    ]
    record = {k: v for k, v in base.items() if k not in ("reference", "relation", "update-to", "score", "URL")}
    record.update({"DOI": f"10.5555/scale.{i}", "title": [" ".join(words)], "author": authors})
    for group in (("container-title", "short-container-title", "ISSN", "publisher"), ("volume", "issue"), ("page",)):
        source = rng.choice(pool["records"])
        for key in group:
            record.pop(key, None)
            if key in source:
                record[key] = source[key]
    year = rng.choice(pool["years"])
    for key in ("issued", "published", "published-print", "published-online", "created", "deposited", "indexed"):
        record.pop(key, None)
    record["issued"] = {"date-parts": [[year]]}
    return record


def field_pool(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The real values each generated field is drawn from."""
    return {
        "words": [w for r in records for w in str(r["title"][0]).split() if _words(w)],
        "families": [p["family"] for r in records for p in r.get("author") or [] if p.get("family")],
        "records": records,
        "years": [y for r in records if (y := (r.get("issued", {}).get("date-parts") or [[None]])[0][0])],
    }


def write_snapshot(records: list[dict[str, Any]], count: int, folder: Path, rng: random.Random) -> None:
    pool = field_pool(records)
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, PART):
        items = [variant(records[i % len(records)], i, rng, pool) for i in range(start, min(count, start + PART))]
        with gzip.open(folder / f"{start // PART:05d}.json.gz", "wt", encoding="utf-8", compresslevel=1) as out:
            json.dump({"items": items}, out, ensure_ascii=False)


def read_snapshot_record(folder: Path, i: int) -> dict[str, Any]:
    with gzip.open(folder / f"{i // PART:05d}.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)["items"][i % PART]


def _initials(person: dict[str, Any], dots: bool) -> str:
    given = str(person.get("given") or "")
    letters = [w[0] for w in re.split(r"[\s.-]+", given) if w]
    return ". ".join(letters) + "." if dots and letters else "".join(letters)


def render(record: dict[str, Any], style: str, rng: random.Random, degrade: bool) -> str:
    people = [p for p in record.get("author") or [] if p.get("family")]
    title = str(record["title"][0]).rstrip(".")
    journal = (record.get("short-container-title") or record.get("container-title") or [""])[0]
    year = (record.get("issued", {}).get("date-parts") or [[None]])[0][0] or ""
    volume, issue, page = record.get("volume", ""), record.get("issue", ""), str(record.get("page", ""))
    doi = record["DOI"] if rng.random() < 0.3 else ""
    if degrade:
        how = rng.choice(("typo", "cut", "year", "pages"))
        if how == "typo" and len(title) > 8:
            k = rng.randrange(1, len(title) - 1)
            title = title[:k] + title[k + 1] + title[k] + title[k + 2 :]
        elif how == "cut" and len(title.split()) > 4:
            title = " ".join(title.split()[: len(title.split()) // 2]) + "..."
        elif how == "year" and isinstance(year, int):
            year = year + rng.choice((-1, 1))
        elif how == "pages" and "-" in page:
            first, last = page.split("-", 1)
            if len(first) == len(last):  # 1101-1104 -> 1101-4, as many styles print it
                common = next((k for k, (a, b) in enumerate(zip(first, last, strict=True)) if a != b), len(last))
                page = f"{first}-{last[common:] or last}"
    locator = f"{volume}({issue})" if issue else str(volume)
    if style == "vancouver":
        names = ", ".join(f"{p['family']} {_initials(p, False)}".strip() for p in people[:6])
        names += ", et al" if len(people) > 6 else ""
        text = f"{names}. {title}. {journal}. {year};{locator}:{page}."
        return text + (f" doi:{doi}" if doi else "")
    if style == "apa":
        names = ", ".join(f"{p['family']}, {_initials(p, True)}" for p in people[:7])
        text = f"{names} ({year}). {title}. {journal}, {locator}, {page}."
        return text + (f" https://doi.org/{doi}" if doi else "")
    if style == "seed":  # the encyclopedia's author-year style
        first = f"{people[0]['family']} {_initials(people[0], False)}" if people else ""
        text = f"{first}{' et al' if len(people) > 1 else ''} ({year}) {title}. {journal} {volume}:{page}"
        return text if not doi or rng.random() < 0.5 else f"{first} et al ({year}) {title}. {journal} doi: {doi}"
    names = ", ".join(f"{p['family']}, {_initials(p, True)}" for p in people[:3])
    return f"{names} {year}. {title}. {journal}, {locator}, pp. {page}."


def write_articles(
    snapshot: Path, records: int, citations: int, folder: Path, rng: random.Random, base: list[dict[str, Any]]
) -> dict[tuple[str, str], str | None]:
    """Articles of ``citations`` strings; returns the true DOI of each (file name, string) (None: not in the
    snapshot)."""
    fields = field_pool(base)
    # works and how often each is cited: a Zipf-like spread (most works once, a few many times)
    cited: list[tuple[dict[str, Any], str | None]] = []
    chosen = rng.sample(range(records), min(records, citations))
    by_part: dict[int, list[int]] = {}
    for i in chosen:
        by_part.setdefault(i // PART, []).append(i)
    pool: list[dict[str, Any]] = []
    for part, members in sorted(by_part.items()):
        with gzip.open(snapshot / f"{part:05d}.json.gz", "rt", encoding="utf-8") as handle:
            items = json.load(handle)["items"]
        # only what a citation prints: a million whole records do not fit beside the run
        pool.extend({k: items[i % PART][k] for k in _PRINTED if k in items[i % PART]} for i in members)
    rng.shuffle(pool)
    k = 0
    while len(cited) < citations * 0.9 and k < len(pool):
        times = min(8, int(1 / max(rng.random(), 1e-3) ** 0.5))  # once for 3 works in 4, up to 8 times
        cited.extend([(pool[k], str(pool[k]["DOI"]))] * times)
        k += 1
    n = 0
    while len(cited) < citations:
        outside = variant(base[n % len(base)], records + n, rng, fields)
        outside["DOI"] = f"10.5555/outside.{n}"
        cited.append((outside, None))
        n += 1
    cited = cited[:citations]
    rng.shuffle(cited)
    folder.mkdir(parents=True, exist_ok=True)
    truth: dict[tuple[str, str], str | None] = {}
    styles = ("vancouver", "apa", "seed", "harvard")
    for a in range(0, len(cited), PER_ARTICLE):
        chunk = cited[a : a + PER_ARTICLE]
        style = styles[(a // PER_ARTICLE) % len(styles)]
        lines = [render(rec, style, rng, rng.random() < 0.33) for rec, _ in chunk]
        body = "\n".join(f"{j}. {line}" for j, line in enumerate(lines, 1))
        name = f"a{a // PER_ARTICLE:06d}.txt"
        (folder / name).write_text(
            f"Article {a // PER_ARTICLE}\n\nSome text.\n\nReferences\n\n{body}\n", encoding="utf-8"
        )
        for line, (_, doi) in zip(lines, chunk, strict=True):
            truth[(name, _norm(line))] = doi
    return truth


def generate(data: Path, records: int, citations: int, out: Path) -> dict[str, Any]:
    """The snapshot (kept when one of the same size is there) and the articles in ``out``; returns the truth."""
    rng = random.Random(SEED)
    base = base_records(data)
    snapshot, articles = out / "snapshot", out / "articles"
    if not snapshot.is_dir() or len(list(snapshot.glob("*.json.gz"))) != math.ceil(records / PART):
        shutil.rmtree(snapshot, ignore_errors=True)
        write_snapshot(base, records, snapshot, rng)
    if articles.is_dir():
        shutil.rmtree(articles)
    return {"truth": write_articles(snapshot, records, citations, articles, random.Random(f"{SEED}-articles"), base)}


#: The fields of a record :func:`render` prints.
_PRINTED = ("DOI", "author", "title", "short-container-title", "container-title", "issued", "volume", "issue", "page")


def _norm(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------------ measuring


def _in_child(target: Any, *args: Any) -> Any:
    """Run ``target(*args)`` in a fresh process (so that its peak memory is its own); returns its result."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, target, args))
    proc.start()
    result = queue.get()
    proc.join()
    if isinstance(result, BaseException):
        raise result
    return result


def _child(queue: Any, target: Any, args: tuple[Any, ...]) -> None:
    try:
        value = target(*args)
        value["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put(value)
    except BaseException as exc:  # handed to the parent
        queue.put(exc)


def build(snapshot: Path, index: Path, workers: int = 0) -> dict[str, Any]:
    """Index the snapshot in this process, or with the files converted on a local cluster of ``workers``."""
    from refkit.registry.snapshot import build_index

    if not workers:
        clock = time.perf_counter()
        count = build_index(snapshot, index)
        return {"records": count, "seconds": time.perf_counter() - clock, "digest": index_digest(index)}
    from distributed import Client

    from refkit.distributed import local_cluster

    with local_cluster(workers) as cluster, Client(cluster) as client:
        clock = time.perf_counter()
        count = build_index(snapshot, index, client=client)
        seconds = time.perf_counter() - clock
    return {"records": count, "seconds": seconds, "digest": index_digest(index)}


def index_digest(index: Path) -> str:
    """A digest of what an index holds (records, full-text rows, word counts), to tell two builds apart."""
    import hashlib
    import sqlite3

    digest = hashlib.sha256()
    db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        for sql in (
            "SELECT id, doi, size, body, rest FROM works ORDER BY id",
            "SELECT rowid, * FROM works_fts ORDER BY rowid",
            "SELECT term, doc FROM word_counts ORDER BY term",
        ):
            for row in db.execute(sql):
                digest.update(repr(row).encode())
    finally:
        db.close()
    return digest.hexdigest()


def index_size(index: Path) -> dict[str, Any]:
    with open_snapshot_index(index) as registry:
        return {"records": len(registry), "seconds": math.nan}


def queries(index: Path, texts: list[str]) -> dict[str, Any]:
    from refkit.match import query_for
    from refkit.model import Reference

    registry = open_snapshot_index(index)
    times = []
    for text in texts:
        q = query_for(Reference(raw=text))
        clock = time.perf_counter()
        registry.search(q, 10)
        times.append(time.perf_counter() - clock)
    return {
        "n": len(times),
        "rate": len(times) / sum(times),
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
    }


def open_snapshot_index(index: Path) -> Any:
    from refkit.registry.snapshot import open_index

    return open_index(index, read_only=True)


def end_to_end(
    articles: Path, index: Path, workers: int, truth: dict[tuple[str, str], str | None], memory_limit: str = "auto"
) -> dict[str, Any]:
    import refkit.distributed  # noqa: F401  (imported before the baseline is read)
    from refkit.pipeline import run

    registry = open_snapshot_index(index)
    # what every run loads once (journal lists, the parser's model), loaded before the baseline is read, so that
    # the memory above it is what the citations take
    first = sorted(articles.iterdir())[0]
    run([first], None, registry=registry)
    baseline = _rss_mb()
    clock = time.perf_counter()
    if workers == 0:
        result = run([articles], None, registry=registry)
        seconds = time.perf_counter() - clock
        return {**_scored(result, truth), "seconds": seconds, "worker_peaks_mb": [], "baseline_mb": baseline}
    from distributed import Client

    from refkit.distributed import local_cluster

    with local_cluster(workers, memory_limit=memory_limit) as cluster, Client(cluster) as client:
        clock = time.perf_counter()
        result = run([articles], None, registry=registry, client=client)
        seconds = time.perf_counter() - clock
        # the result's citations and matches are read from the workers, a part at a time
        scored = _scored(result, truth)
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {**scored, "seconds": seconds, "worker_peaks_mb": sorted(peaks.values()), "baseline_mb": baseline}


def _scored(result: Any, truth: dict[tuple[str, str], str | None]) -> dict[str, Any]:
    """DOI precision and recall against the truth, and the works found."""
    tp = accepted = positives = unknown = 0
    wrong: list[dict[str, Any]] = []
    for citation, m in zip(result.citations, result.matches, strict=True):
        key = (Path(citation.source.file).name, _norm(citation.raw))
        if key not in truth:
            unknown += 1  # extraction cut or joined the string: not scored
            continue
        t = truth[key]
        positives += t is not None
        if m.status == "matched":
            accepted += 1
            right = bool(t and (m.doi or "").lower() == t.lower())
            tp += right
            if not right:
                wrong.append(
                    {
                        "raw": citation.raw,
                        "doi": m.doi,
                        "true_doi": t,
                        "confidence": m.confidence,
                        "evidence": dict(m.evidence),
                    }
                )
    return {
        "citations": len(result.citations),
        "timings": dict(result.timings),
        "precision": tp / accepted if accepted else 1.0,
        "recall": tp / positives if positives else 1.0,
        "works": len(result.clusters),
        "true_works": len({t or f"outside-{k}" for k, t in enumerate(truth.values())}),
        "unscored": unknown,
        "wrong": wrong,
    }


def _rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=200_000, help="records in the generated snapshot")
    ap.add_argument("--citations", type=int, default=20_000, help="reference strings in the generated articles")
    ap.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="Dask worker counts to run with (none: no Dask run)"
    )
    ap.add_argument(
        "--wrong", type=Path, default=None, help="write the wrongly accepted DOIs of each run here (JSON lines)"
    )
    ap.add_argument("--no-single", action="store_true", help="skip the run in one process without Dask")
    ap.add_argument("--queries", type=int, default=500, help="searches timed on their own")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=None, help="working folder (kept; default: a temporary one)")
    ap.add_argument(
        "--keep-index", action="store_true", help="use the index an earlier run built in --out (the build is not timed)"
    )
    ap.add_argument(
        "--build-workers",
        type=int,
        nargs="*",
        default=[2],
        help="also build the index with its files converted on a local Dask cluster of each count (none: skip)",
    )
    ap.add_argument(
        "--memory-limit",
        default="auto",
        help="each Dask worker's memory limit (Dask spills to disk above 60 %% of it; default: the machine's memory "
        "shared between the workers)",
    )
    args = ap.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="refkit-scale-"))
    out.mkdir(parents=True, exist_ok=True)
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {os.cpu_count()} cores, {mem:.0f} GiB; working folder {out}")
    # the snapshot and the articles draw from generators of their own: articles drawn from the snapshot's generator
    # after a kept snapshot (--out) replayed its draws, and their works "outside the snapshot" copied records in it
    base_records(args.data)  # says what is missing before anything starts
    snapshot, index, articles = out / "snapshot", out / "index.sqlite", out / "articles"

    clock = time.perf_counter()
    # generated in a process of its own: what generating a million citations takes is not held beside the runs
    truth = _in_child(generate, args.data, args.records, args.citations, out)["truth"]
    repeats = sum(n - 1 for n in Counter(t for t in truth.values() if t).values())
    print(
        f"generated {args.records:,} snapshot records ({sum(p.stat().st_size for p in snapshot.iterdir()) / 2**20:.0f}"
        f" MB gzip) and {len(truth):,} citations in {len(list(articles.iterdir())):,} articles "
        f"({repeats:,} repeat citations of a work) in {time.perf_counter() - clock:.0f} s"
    )

    if args.keep_index and index.is_file():
        built = _in_child(index_size, index)
        size = index.stat().st_size
        print(f"index: kept from an earlier run, {built['records']:,} records; not timed")
    else:
        index.unlink(missing_ok=True)
        built = _in_child(build, snapshot, index)
        size = index.stat().st_size
        print(
            f"index build: {built['records']:,} records in {built['seconds']:.1f} s = "
            f"{built['records'] / built['seconds']:,.0f} records/s; {size / 2**20:.0f} MB = "
            f"{size / built['records']:,.0f} bytes/record; peak {built['peak_mb']:.0f} MB"
        )
        for workers in args.build_workers:
            other = index.with_name(f"index-{workers}-workers.sqlite")
            other.unlink(missing_ok=True)
            spread = _in_child(build, snapshot, other, workers)
            same = "the same index" if spread["digest"] == built["digest"] else "A DIFFERENT INDEX"
            print(
                f"index build, files converted on Dask, {workers} worker(s): {spread['records']:,} records in "
                f"{spread['seconds']:.1f} s = {spread['records'] / spread['seconds']:,.0f} records/s "
                f"({built['seconds'] / spread['seconds']:.2f}x); {same}; this process peak {spread['peak_mb']:.0f} MB"
            )
            other.unlink()

    sample = random.Random(SEED).sample([text for _, text in truth], min(args.queries, len(truth)))
    q = _in_child(queries, index, sample)
    print(
        f"queries: {q['n']} searches, {q['rate']:.0f}/s on one thread, latency median {q['median_ms']:.1f} ms, "
        f"95th percentile {q['p95_ms']:.1f} ms"
    )

    runs: dict[int, dict[str, Any]] = {}
    for workers in ([] if args.no_single else [0]) + list(args.workers):
        r = _in_child(end_to_end, articles, index, workers, truth, args.memory_limit)
        runs[workers] = r
        label = "one process" if workers == 0 else f"Dask, {workers} worker(s)"
        if args.wrong:
            with args.wrong.open("a", encoding="utf-8") as fh:
                for row in r["wrong"]:
                    fh.write(json.dumps({"run": label, **row}, default=str) + "\n")
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["timings"].items())
        peaks = ", ".join(f"{p:.0f}" for p in r["worker_peaks_mb"])
        print(
            f"end-to-end, {label}: {r['citations']:,} citations in {r['seconds']:.1f} s = "
            f"{r['citations'] / r['seconds']:.0f} citations/s (stages, s: {stages}); peak memory: driver "
            f"{r['peak_mb']:.0f} MB ({r['peak_mb'] - r['baseline_mb']:.0f} MB above its start)"
            f"{', workers ' + peaks + ' MB' if peaks else ''}; DOIs precision "
            f"{r['precision']:.4f} recall {r['recall']:.4f} ({r['unscored']} strings not as written); works "
            f"{r['works']:,} (true {r['true_works']:,})"
        )

    dask_runs = [w for w in args.workers if w in runs]
    if len(dask_runs) >= 2:
        lo, hi = runs[dask_runs[0]], runs[dask_runs[-1]]

        def parallel(r: dict[str, Any]) -> float:
            return r["timings"].get("read", 0) + r["timings"].get("search", 0)

        def stages(r: dict[str, Any]) -> float:
            return float(r["seconds"])

        print(
            f"reading and searching: {parallel(lo):.1f} s with {dask_runs[0]} worker(s), {parallel(hi):.1f} s with "
            f"{dask_runs[-1]}: speed-up {parallel(lo) / parallel(hi):.2f}x; the whole run (every stage runs on the "
            f"workers, the driver joins their arrays): {stages(lo):.1f} s, {stages(hi):.1f} s: "
            f"{stages(lo) / stages(hi):.2f}x"
        )
    if dask_runs:
        plan(built, size, runs[dask_runs[-1]], dask_runs[-1])
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


def plan(built: dict[str, Any], size: int, r: dict[str, Any], workers: int) -> None:
    """The planned figures, from the measured ones."""
    rate_build = built["records"] / built["seconds"]
    per_record = size / built["records"]
    seconds = r["seconds"]
    # every stage runs on the workers; what the driver does between them (joining pair arrays, tallies) is in the
    # stage times, so the rate per worker core is a floor for more cores
    per_core = r["citations"] / seconds / workers
    driver_mb = (r["peak_mb"] - r["baseline_mb"]) / r["citations"] * 1e6  # what the citations add, per 10^6
    print("\nplan (from the figures above; formulas beside each line):")
    build = (
        f"{FULL_DATA_FILE / rate_build / 3600:.1f} h on one core (records / build rate)"
        if math.isfinite(rate_build)
        else "not timed in this run (--keep-index)"
    )
    print(
        f"  full public data file, {FULL_DATA_FILE / 1e6:.0f} M records: index build {build}, index "
        f"{FULL_DATA_FILE * per_record / 2**30:.0f} GiB (records x bytes/record)"
    )
    print(
        f"  10^8 citations: citations / ({per_core:.0f} citations/s per worker core x cores); driver memory: "
        f"{driver_mb:,.0f} MB per 10^6 citations x 100"
    )
    print("    | machines x cores | all stages | driver memory |")
    for k in (1, 10, 100):
        cores = k * 2
        hours = 1e8 / (per_core * cores) / 3600
        print(f"    | {k} x 2 | {hours:,.1f} h | {driver_mb * 100 / 1024:,.1f} GiB |")


if __name__ == "__main__":
    sys.exit(main())
