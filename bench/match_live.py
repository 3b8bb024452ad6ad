"""Opt-in live evaluation of matching on 2,000 real reference strings with verified answers (needs the internet).

The set (``<data>/matching/crossref-real-2000.json``, from Crossref's reference-matching-evaluation) holds real
unstructured references deposited with Crossref and the DOI each one cites, or null when the cited work has no
Crossref DOI (806 of 2,000). Each string is parsed with refkit's parser and matched against the real Crossref API
(or against a local snapshot that holds the targets, with ``--snapshot``); a null target is right only when nothing
is accepted.

Prints precision, recall, F1, the expected calibration error (10 bins) and the requests sent.

Never runs by accident (not in CI): it needs ``REFKIT_LIVE=1`` in the environment, and a contact address for
Crossref's polite pool (``--mailto`` or ``REFKIT_MAILTO``). Responses are cached (``--cache``), so a rerun is free
and an interrupted run resumes.

Run:  REFKIT_LIVE=1 python bench/match_live.py --mailto you@example.org [--limit 200] [--cache PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matchdata
from match_accuracy import TARGETS, errors, metrics, reliability

from refkit.match import match_many
from refkit.parse import get_parser
from refkit.registry import CrossrefClient, Registry


def load(path: Path, limit: int | None) -> list[matchdata.Case]:
    """The evaluation strings and their verified DOIs (None: no Crossref DOI)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["dataset"] if isinstance(data, dict) else data
    cases = []
    for item in items[:limit]:
        gold = (item.get("target_gt") or {}).get("DOI")
        cases.append(matchdata.Case(str(item["ref_string"]), str(gold) if gold else None, "live", "test"))
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=matchdata.DATA, help="the shared data folder")
    parser.add_argument("--limit", type=int, help="only the first N strings")
    parser.add_argument("--mailto", help="contact address for the polite pool (default: $REFKIT_MAILTO)")
    parser.add_argument("--cache", type=Path, help="response cache (default: refkit's cache)")
    parser.add_argument("--snapshot", type=Path, help="match against a local Crossref snapshot instead of the API")
    parser.add_argument("--examples", type=int, default=5, help="failures to print")
    args = parser.parse_args(argv)

    source = args.data / "matching" / "crossref-real-2000.json"
    if not source.is_file():
        raise SystemExit(f"this benchmark needs {source} (the shared data folder; pass --data DIR)")
    if args.snapshot is None and os.environ.get("REFKIT_LIVE") != "1":
        print("skipped: this evaluation queries the live Crossref API; set REFKIT_LIVE=1 to run it", file=sys.stderr)
        return 0
    cases = load(source, args.limit)
    clock = time.perf_counter()
    refs = get_parser().parse_many([c.raw for c in cases])
    refs = [r.replace(raw=c.raw) for r, c in zip(refs, cases, strict=True)]
    print(
        f"{len(cases)} strings ({sum(1 for c in cases if c.gold)} with a DOI), parsed in "
        f"{time.perf_counter() - clock:.1f} s"
    )

    registry: Registry
    if args.snapshot is not None:
        from refkit.registry.snapshot import open_snapshot

        registry = open_snapshot(args.snapshot)
    else:
        mailto = args.mailto or os.environ.get("REFKIT_MAILTO")
        if not mailto:
            raise SystemExit("give a contact address for Crossref's polite pool: --mailto or REFKIT_MAILTO")
        registry = CrossrefClient(mailto=mailto, cache=args.cache)  # api.crossref.org, polite-pool defaults
    clock = time.perf_counter()
    found = match_many(refs, registry)
    seconds = time.perf_counter() - clock
    stats = getattr(registry, "stats", None)
    sent = f"{stats.sent} requests ({stats.requests}), {stats.cache_hits} cache hits" if stats else "local snapshot"
    registry.close()  # type: ignore[attr-defined]

    m = metrics(cases, found)
    print(f"matched in {seconds:.1f} s; {sent}")
    print(
        f"precision {m['precision']:.4f} (target >= {TARGETS['precision']})   recall {m['recall']:.4f} "
        f"(target >= {TARGETS['recall']})   F1 {m['f1']:.4f}   ECE {m['ece']:.4f} (target <= {TARGETS['ece']})"
    )
    print(f"statuses: {dict(Counter(x.status for x in found))}")
    print(reliability(cases, found))
    errors(cases, found, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
