"""Audit accuracy on planted defects: detection rate per finding code, false positives on clean references.

The cases come from :mod:`auditdata` (real Crossref records rendered as Vancouver references, one defect injected
per case, plus unmodified references and real DOI-less references deposited with Crossref). They run through the
real stages: parse -> match against the local Crossref server serving the records -> dedupe -> audit.

Run::

    python bench/audit_accuracy.py [--per-code 30] [--clean 120] [--nodoi 300] [--verified 806] [--show-misses]

Prints, per code, how many planted defects were found (target >= 0.95), how often each code is raised on the
unmodified references (false positives; ``doi-missing`` is expected there for references printed without their
DOI and is listed apart), and the share of real references verified to have no DOI (Crossref's matching
evaluation) that get a ``not-found`` warning (target <= 1 %); the same share on references deposited without a DOI
link, many of which do have one, is printed for comparison.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from auditdata import Case, build, write_records

from refkit.audit import CODES, audit
from refkit.dedupe import dedupe
from refkit.match import match_many
from refkit.model import Citation, Source
from refkit.parse import parse_citations
from refkit.registry import CrossrefClient
from refkit.testing import CrossrefServer

PLANTED_CODES = [c for c in CODES if c not in ("doi-missing", "unverified")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-code", type=int, default=30)
    ap.add_argument("--clean", type=int, default=120)
    ap.add_argument("--nodoi", type=int, default=300)
    ap.add_argument("--verified", type=int, default=806)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)

    data = build(args.per_code, args.clean, args.nodoi, verified=args.verified)
    positions: dict[str, int] = defaultdict(int)
    citations = []
    keys: list[tuple[str, int]] = []
    for case in data.cases:
        positions[case.file] += 1
        citations.append(Citation(case.raw, Source(case.file, positions[case.file])))
        keys.append((case.file, positions[case.file]))

    with (
        tempfile.TemporaryDirectory() as tmp,
        CrossrefServer.from_paths(write_records(data.records, Path(tmp) / "records.jsonl")) as server,
    ):
        client = CrossrefClient(
            base_url=server.url, mailto="bench@example.org", cache=Path(tmp) / "cache.sqlite", search_rate=1000
        )
        clock = time.perf_counter()
        refs = parse_citations(citations)
        matches = match_many(refs, client)
        clusters = dedupe(refs, matches)
        findings = audit(clusters)
        elapsed = time.perf_counter() - clock
        client.close()

    raised: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for f in findings:
        for c in f.citations:
            if c.source:
                raised[(c.source.file, c.source.position)].append((f.code, f.severity))

    def codes_on(i: int) -> list[tuple[str, str]]:
        return raised.get(keys[i], [])

    planted: dict[str, list[int]] = defaultdict(list)
    found: dict[str, int] = Counter()
    misses: list[tuple[Case, list[tuple[str, str]]]] = []
    for i, case in enumerate(data.cases):
        if case.kind != "planted" or case.code is None:
            continue
        planted[case.code].append(i)
        if any(code == case.code for code, _ in codes_on(i)):
            found[case.code] += 1
        else:
            misses.append((case, codes_on(i)))
    clean = [i for i, c in enumerate(data.cases) if c.kind == "clean"]
    clean_fp: Counter[str] = Counter()
    for i in clean:
        for code in {code for code, _ in codes_on(i)}:
            clean_fp[code] += 1
    groups = {kind: [i for i, c in enumerate(data.cases) if c.kind == kind] for kind in ("verified", "nodoi")}
    group_codes: dict[str, Counter[tuple[str, str]]] = {}
    for kind, members in groups.items():
        group_codes[kind] = Counter(item for i in members for item in set(codes_on(i)))

    print(
        f"{len(data.cases)} references ({sum(len(v) for v in planted.values())} planted, {len(clean)} clean, "
        f"{len(groups['verified'])} verified to have no DOI, {len(groups['nodoi'])} deposited without a DOI link), "
        f"{len(data.records)} records served; parse+match+dedupe+audit {elapsed:.1f} s"
    )
    print(f"\n{'code':<24} {'planted':>7} {'found':>6} {'rate':>6}   {'clean FP':>8} {'FP rate':>7}")
    worst = 1.0
    for code in PLANTED_CODES:
        n = len(planted.get(code, []))
        rate = found[code] / n if n else float("nan")
        worst = min(worst, rate) if n else worst
        fp = clean_fp.get(code, 0)
        print(f"{code:<24} {n:>7} {found[code]:>6} {rate:>6.2f}   {fp:>8} {fp / max(1, len(clean)):>7.3f}")
    expected = clean_fp.get("doi-missing", 0)
    print(f"\nclean references printed without their DOI that get doi-missing (expected): {expected}")
    for kind, label, target in (
        ("verified", "real references verified to have no DOI", " (target <= 0.01)"),
        ("nodoi", "references deposited without a DOI link (unverified: many have one)", ""),
    ):
        codes, n = group_codes[kind], len(groups[kind])
        if not n:
            continue
        warn = codes.get(("not-found", "warning"), 0)
        print(
            f"{label}: not-found warning {warn}/{n} = {warn / n:.3f}{target}; "
            f"not-found info {codes.get(('not-found', 'info'), 0)}"
        )
        others = ", ".join(f"{c}/{s} {k}" for (c, s), k in sorted(codes.items()) if c != "not-found")
        print(f"  other findings on them: {others or 'none'}")
    print(f"\nlowest detection rate: {worst:.2f} (target >= 0.95)")
    if args.show_misses:
        print("\nmissed planted defects:")
        for case, got in misses:
            print(f"- {case.code} [{case.variant}] {case.raw}\n    raised: {got}")
        print("\nfindings on clean references:")
        for i in clean:
            if codes_on(i) and any(c != "doi-missing" for c, _ in codes_on(i)):
                print(f"- {data.cases[i].raw}\n    raised: {codes_on(i)}")
        for kind in ("verified", "nodoi"):
            print(f"\nnot-found warnings on the {kind} references without DOI:")
            for i in groups[kind]:
                if ("not-found", "warning") in codes_on(i):
                    print(f"- {data.cases[i].raw}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
