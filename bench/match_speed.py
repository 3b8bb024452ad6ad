"""Matching speed against a rate-limited Crossref: request rate, searches per work, 429s, warm rerun.

The local Crossref server (``refkit.testing.CrossrefServer``) holds the real records of the shared data, answers
every request after 200 ms and refuses more than 3 searches a second with 429 (``rate_limit(list=3)``), as the
polite pool does. The client runs with its defaults (3 searches/s, 3 requests in flight) and a fresh cache.
The citations (default 1,000) are rendered from the records with citeproc-py; 30 % of them cite a work already
cited, in another style, so the strings differ and only grouping by work avoids a second search.

Prints: wall time, searches sent, achieved search rate against the limit, searches per distinct work, 429s
received, matches; then the same run again on the warm cache (expected: zero requests).

Run:  python bench/match_speed.py [--citations 1000] [--data /work/shared/data]
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matchdata

from refkit.parse import get_parser
from refkit.registry import CrossrefClient
from refkit.testing import CrossrefServer

matching = importlib.import_module("refkit.match")
LIMIT = 3  # searches per second the server allows


def citations(records: list[dict], total: int, repeat: float) -> tuple[list[str], list[str]]:
    """``total`` reference strings and their DOIs: distinct works in one style, repeats in another."""
    rng = random.Random(matchdata.SEED)
    items = [(matchdata.csl_item(r, f"w{n}"), str(r["DOI"])) for n, r in enumerate(records)]
    usable = [(item, doi) for item, doi in items if item is not None]
    distinct = round(total * (1 - repeat))
    chosen = rng.sample(usable, min(distinct, len(usable)))
    repeats = [rng.choice(chosen) for _ in range(total - len(chosen))]
    first = matchdata.render([item for item, _ in chosen], "american-medical-association")
    again = matchdata.render([{**item, "id": f"{item['id']}-{k}"} for k, (item, _) in enumerate(repeats)], "apa")
    texts = [(first[item["id"]], doi) for item, doi in chosen]
    texts += [(again[f"{item['id']}-{k}"], doi) for k, (item, doi) in enumerate(repeats)]
    rng.shuffle(texts)
    return [t for t, _ in texts], [d for _, d in texts]


def run(server: CrossrefServer, cache: Path, refs: list, dois: list[str], label: str) -> dict[str, float]:
    server.clear_log()
    client = CrossrefClient(server.url, "bench@example.org", cache=cache)
    clock = time.perf_counter()
    found = matching.match_many(refs, client)
    seconds = time.perf_counter() - clock
    client.close()
    log = server.log
    searches = [e for e in log if e.route == "list" and not e.params.get("filter")]
    ok = [e for e in searches if e.status == 200]
    span = (ok[-1].time - ok[0].time) if len(ok) > 1 else 0.0
    rate = (len(ok) - 1) / span if span else 0.0
    print(f"\n{label}: {len(refs)} citations in {seconds:.1f} s")
    print(
        f"  requests: {len(log)} ({len(searches)} searches, {len(log) - len(searches)} other), "
        f"429 received: {sum(1 for e in log if e.status == 429)}, client retries: {client.stats.retries}"
    )
    if ok:
        print(f"  achieved search rate: {rate:.2f}/s against the limit of {LIMIT}/s ({100 * rate / LIMIT:.0f} %)")
    right = sum(
        1 for m, d in zip(found, dois, strict=True) if m.status == "matched" and m.doi and m.doi.lower() == d.lower()
    )
    print(f"  statuses: {dict(Counter(m.status for m in found))}; matched to the cited work: {right}")
    return {"seconds": seconds, "requests": len(log), "searches": len(searches), "rate": rate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=matchdata.DATA, help="the shared data folder")
    parser.add_argument("--citations", type=int, default=1000, help="citations to match (default 1000)")
    parser.add_argument("--repeat", type=float, default=0.3, help="share of citations that repeat a work")
    parser.add_argument("--latency", type=float, default=0.2, help="server latency in seconds (default 0.2)")
    args = parser.parse_args(argv)

    matchdata.need_data(args.data)
    records = matchdata.registry_records(args.data)
    texts, dois = citations(records, args.citations, args.repeat)
    refs = [r.replace(raw=t) for r, t in zip(get_parser().parse_many(texts), texts, strict=True)]
    works = len(set(dois))
    print(
        f"{len(refs)} citations of {works} distinct works; server latency {args.latency * 1000:.0f} ms, "
        f"limit {LIMIT} searches/s; client defaults"
    )
    with (
        CrossrefServer.from_paths(args.data / "crossref", latency=args.latency) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        server.rate_limit(list=LIMIT)
        cold = run(server, Path(tmp) / "cache.sqlite", refs, dois, "cold cache")
        print(f"  searches per distinct work: {cold['searches'] / works:.3f} (target <= 1.05)")
        warm = run(server, Path(tmp) / "cache.sqlite", refs, dois, "warm cache (rerun)")
        print(f"  requests on the warm rerun: {warm['requests']} (target 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
