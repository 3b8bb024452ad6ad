"""Matching accuracy and calibration on real Crossref records, through the local server and through a snapshot.

Registry: the distinct real Crossref records of the shared data, served twice: by the local Crossref server
(``refkit.testing.CrossrefServer``, a fast client) and as a local snapshot (``refkit.registry.snapshot``). The
evaluation set (see ``bench/matchdata.py``): rendered and degraded reference strings for those records
(positives) and real reference strings of works that are not among them (negatives), split by work into a training
and a held-out part.

Prints, on the held-out part, for each path: precision and recall of the accepted matches, F1, the expected
calibration error of the confidence (10 equal-width bins; the confidence is the probability that the best
candidate is the cited work) and the searches sent; then whether the two paths agree, citation by citation.

``--fit`` first refits the model's weights (logistic regression with an L2 penalty and sign constraints, Newton
steps) on the training part's candidates and prints them as the ``WEIGHTS`` constant of ``refkit/match/score.py``;
``--write`` also replaces the constant in that file.

Run:  python bench/match_accuracy.py [--fit [--write]] [--data /work/shared/data]
"""

from __future__ import annotations

import argparse
import importlib
import math
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matchdata

from refkit.model import Match
from refkit.registry import CrossrefClient, Registry
from refkit.registry.snapshot import open_snapshot
from refkit.testing import CrossrefServer

matching = importlib.import_module("refkit.match")
scoring = importlib.import_module("refkit.match.score")  # the model's private steps

TARGETS = {"precision": 0.99, "recall": 0.95, "ece": 0.05}


# ------------------------------------------------------------------------------------------------ fitting


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gauss-Jordan elimination with partial pivoting (the system is small and positive definite)."""
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _sign(name: str) -> int:
    """The sign a feature's weight must have: agreement cannot count against a candidate, nor disagreement for it."""
    if name in ("title", "title_exact", "year_same", "best", "margin") or name.endswith("_agree"):
        return 1
    if name in ("title_gap", "year_far") or name.endswith("_disagree"):
        return -1
    return 0


def fit(rows: Sequence[tuple[list[float], int]], names: Sequence[str], l2: float = 0.5) -> list[float]:
    """Logistic regression with sign constraints (active set: a weight of the wrong sign is held at 0, then refit)."""
    fixed: set[int] = set()
    while True:
        w = _newton(rows, fixed, l2)
        wrong = [j for j, name in enumerate(names) if j not in fixed and _sign(name) * w[j] < 0]
        if not wrong:
            return w
        fixed.add(max(wrong, key=lambda j: abs(w[j])))


def _newton(rows: Sequence[tuple[list[float], int]], fixed: set[int], l2: float, steps: int = 30) -> list[float]:
    """Logistic regression weights by Newton's method; the bias (first feature) is not penalised."""
    d = len(rows[0][0])
    w = [0.0] * d
    free = [j for j in range(d) if j not in fixed]
    for _ in range(steps):
        grad = [l2 * w[j] if j else 0.0 for j in range(d)]
        hess = [[(l2 if i == j and i else 0.0) for j in range(d)] for i in range(d)]
        for x, y in rows:
            z = max(-40.0, min(40.0, sum(a * b for a, b in zip(w, x, strict=True))))
            p = 1 / (1 + math.exp(-z))
            r = p * (1 - p)
            nz = [j for j in range(d) if x[j]]
            for j in nz:
                grad[j] += (p - y) * x[j]
                for k in nz:
                    hess[j][k] += r * x[j] * x[k]
        sub = _solve([[hess[i][j] for j in free] for i in free], [grad[i] for i in free])
        step = [0.0] * d
        for i, v in zip(free, sub, strict=True):
            step[i] = v
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def training_rows(cases: list[matchdata.Case], registry: Registry, rows: int) -> list[tuple[list[float], int]]:
    """One row per (citation, candidate) of the training part: the features and whether it is the cited work."""
    out = []
    for case in cases:
        assert case.ref is not None
        for record in registry.search(matching.query_for(case.ref), rows):
            x, _ = matching.features(case.ref, record)
            label = int(case.gold is not None and str(record.get("DOI", "")).lower() == case.gold.lower())
            out.append(([x[name] for name in matching.FEATURES], label))
    return out


def top_rows(cases: list[matchdata.Case], registry: Registry, rows: int) -> list[tuple[list[float], int]]:
    """One row per training search: [1, logit of the best candidate, its lead over the next], best is right."""
    out = []
    for case in cases:
        assert case.ref is not None
        scored = sorted(
            (
                (matching.score_candidate(case.ref, r)[0], r)
                for r in registry.search(matching.query_for(case.ref), rows)
            ),
            key=lambda t: -t[0],
        )
        if not scored:
            continue
        z = scoring._logit(scored[0][0])
        margin = matching.lead(scored[0][0], scored[1][0] if len(scored) > 1 else None)
        right = int(case.gold is not None and str(scored[0][1].get("DOI", "")).lower() == case.gold.lower())
        out.append(([1.0, z, margin], right))
    return out


def write_constant(name: str, values: dict[str, float]) -> None:
    path = matchdata.REPO / "refkit" / "match" / "score.py"
    text = path.read_text(encoding="utf-8")
    body = "".join(f'    "{k}": {v},\n' for k, v in values.items())
    new, n = re.subn(
        name + r": Mapping\[str, float\] = \{\n.*?\n\}\n",
        lambda _: name + ": Mapping[str, float] = {\n" + body + "}\n",
        text,
        count=1,
        flags=re.S,
    )
    if n != 1:
        raise SystemExit(f"could not find the {name} constant in refkit/match/score.py")
    path.write_text(new, encoding="utf-8")
    print(f"wrote {name} into {path}")


# ------------------------------------------------------------------------------------------------ metrics


def correct(case: matchdata.Case, m: Match) -> bool:
    """Whether the best candidate is the cited work (for a negative: never)."""
    return bool(case.gold and m.record is not None and m.record.doi and m.record.doi.lower() == case.gold.lower())


def metrics(cases: list[matchdata.Case], matches: list[Match]) -> dict[str, float]:
    tp = sum(1 for c, m in zip(cases, matches, strict=True) if m.status == "matched" and correct(c, m))
    accepted = sum(1 for m in matches if m.status == "matched")
    positives = sum(1 for c in cases if c.gold)
    precision = tp / accepted if accepted else 1.0
    recall = tp / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(10)]
    for c, m in zip(cases, matches, strict=True):
        bins[min(9, int(m.confidence * 10))].append((m.confidence, correct(c, m)))
    ece = sum(
        len(b) / len(cases) * abs(sum(p for p, _ in b) / len(b) - sum(ok for _, ok in b) / len(b)) for b in bins if b
    )
    return {"precision": precision, "recall": recall, "f1": f1, "ece": ece, "accepted": accepted, "tp": tp}


def thresholds(cases: list[matchdata.Case], matches: list[Match]) -> str:
    """Precision and recall had the acceptance threshold been each of a few values (ties stay refused)."""
    positives = sum(1 for c in cases if c.gold) or 1
    out = []
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        taken = [
            (c, m)
            for c, m in zip(cases, matches, strict=True)
            if m.confidence >= t and m.record is not None and not m.reason.startswith("two records fit")
        ]
        right = sum(1 for c, m in taken if correct(c, m))
        out.append(f"{t:.2f}: P={right / len(taken) if taken else 1.0:.4f} R={right / positives:.4f}")
    return "  if accepted at  " + "   ".join(out)


def best_threshold(cases: list[matchdata.Case], registry: Registry, rows: int, goal: float = 0.995) -> float:
    """The lowest threshold at which the training part's best candidates are right at least ``goal`` of the time."""
    scored = []
    for case in cases:
        assert case.ref is not None
        found = scoring._decide(case.ref, registry.search(matching.query_for(case.ref), rows), "")
        if not found.reason.startswith("two records fit"):
            scored.append((found.confidence, correct(case, found)))
    for t in [x / 100 for x in range(50, 100)]:
        taken = [ok for p, ok in scored if p >= t]
        if taken and sum(taken) / len(taken) >= goal:
            return t
    return 0.99


def reliability(cases: list[matchdata.Case], matches: list[Match]) -> str:
    lines = []
    for lo in range(10):
        pairs = [
            (m.confidence, correct(c, m))
            for c, m in zip(cases, matches, strict=True)
            if min(9, int(m.confidence * 10)) == lo
        ]
        if pairs:
            mean = sum(p for p, _ in pairs) / len(pairs)
            acc = sum(ok for _, ok in pairs) / len(pairs)
            lines.append(
                f"    [{lo / 10:.1f},{(lo + 1) / 10:.1f}) n={len(pairs):5d} confidence={mean:.3f} right={acc:.3f}"
            )
    return "\n".join(lines)


def errors(cases: list[matchdata.Case], matches: list[Match], limit: int) -> None:
    wrong = [(c, m) for c, m in zip(cases, matches, strict=True) if m.status == "matched" and not correct(c, m)]
    missed = [
        (c, m) for c, m in zip(cases, matches, strict=True) if c.gold and not (m.status == "matched" and correct(c, m))
    ]
    print(f"  wrong accepts by kind: {dict(Counter(c.kind for c, _ in wrong))}")
    print(f"  misses by kind: {dict(Counter(c.kind.rsplit(':', 1)[-1] for c, _ in missed))}")
    for c, m in wrong[:limit]:
        print(f"    WRONG {c.kind} {m.doi} p={m.confidence} {dict(m.evidence)}\n      {c.raw[:150]}")
    for c, m in missed[:limit]:
        print(
            f"    MISS {c.kind} {m.status} p={m.confidence} best={m.record.doi if m.record else None} "
            f"{dict(m.evidence)}\n      {c.raw[:150]}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=matchdata.DATA, help="the shared data folder")
    parser.add_argument("--fit", action="store_true", help="refit the weights on the training part first")
    parser.add_argument("--write", action="store_true", help="with --fit: write the weights into refkit/match/score.py")
    parser.add_argument("--fit-only", action="store_true", help="with --fit: stop after fitting")
    parser.add_argument("--rows", type=int, default=matching.ROWS, help="candidates per search (default: refkit's)")
    parser.add_argument("--plos-limit", type=int, default=1500, help="PLOS negative strings to use (default 1500)")
    parser.add_argument("--examples", type=int, default=5, help="failures to print per path")
    parser.add_argument("--parser", default=None, help="refkit parser for the strings (default: refkit's default)")
    args = parser.parse_args(argv)

    matchdata.need_data(args.data)
    clock = time.perf_counter()
    records, cases = matchdata.build(args.data, plos_limit=args.plos_limit, parser=args.parser)
    train = [c for c in cases if c.split == "train"]
    test = [c for c in cases if c.split == "test"]
    print(
        f"registry: {len(records)} Crossref records; cases: {len(train)} training, {len(test)} held-out "
        f"({sum(1 for c in test if c.gold)} positives, {sum(1 for c in test if not c.gold)} negatives); "
        f"built in {time.perf_counter() - clock:.1f} s"
    )

    with CrossrefServer.from_paths(args.data / "crossref") as server, tempfile.TemporaryDirectory() as tmp:
        client = CrossrefClient(
            server.url,
            "bench@example.org",
            cache=False,
            search_rate=1000.0,
            single_rate=1000.0,
            concurrency=4,
            timeout=30.0,
        )
        clock = time.perf_counter()
        snapshot = open_snapshot(args.data / "crossref", index_path=Path(tmp) / "crossref.refkit-index.sqlite")
        print(f"snapshot indexed in {time.perf_counter() - clock:.1f} s ({len(snapshot)} works)")
        if args.fit:
            # the candidates come from the snapshot (the same records; it answers ten times faster than the server)
            rows = training_rows(train, snapshot, args.rows)
            w = fit(rows, matching.FEATURES)
            weights = {name: round(v, 3) for name, v in zip(matching.FEATURES, w, strict=True)}
            print(f"fitted on {len(rows)} (citation, candidate) pairs, {sum(y for _, y in rows)} right:")
            print("WEIGHTS: Mapping[str, float] = {")
            for k, v in weights.items():
                print(f'    "{k}": {v},')
            print("}")
            matching.WEIGHTS = weights  # what follows uses what was just fitted
            top = top_rows(train, snapshot, args.rows)
            calibration = dict(
                zip(("bias", "best", "margin"), (round(v, 3) for v in fit(top, ("", "best", "margin"))), strict=True)
            )
            matching.CALIBRATION = calibration
            print(f"calibration of the best candidate, on {len(top)} training searches: CALIBRATION = {calibration}")
            if args.write:
                write_constant("WEIGHTS", weights)
                write_constant("CALIBRATION", calibration)
            print(
                f"lowest threshold with precision >= 0.995 on the training part: "
                f"{best_threshold(train, snapshot, args.rows):.2f} (ACCEPT is {matching.ACCEPT})"
            )
            if args.fit_only:
                return 0
        refs = [c.ref for c in test]
        outcomes = {}
        for name, registry in (("server", client), ("snapshot", snapshot)):
            clock = time.perf_counter()
            before = client.stats.requests["search"] if name == "server" else snapshot.searches
            found = matching.match_many(refs, registry, rows=args.rows, workers=4)  # type: ignore[arg-type]
            sent = (client.stats.requests["search"] if name == "server" else snapshot.searches) - before
            seconds = time.perf_counter() - clock
            outcomes[name] = found
            m = metrics(test, found)
            print(f"\n{name} path (held-out, {len(test)} citations, {sent} searches, {seconds:.1f} s):")
            print(
                f"  precision {m['precision']:.4f} (target >= {TARGETS['precision']})   "
                f"recall {m['recall']:.4f} (target >= {TARGETS['recall']})   F1 {m['f1']:.4f}   "
                f"ECE {m['ece']:.4f} (target <= {TARGETS['ece']})   accepted {m['accepted']}"
            )
            print(f"  statuses: {dict(Counter(x.status for x in found))}")
            print(thresholds(test, found))
            print(reliability(test, found))
            errors(test, found, args.examples)
        client.close()
        snapshot.close()
    same = sum(
        1
        for a, b in zip(outcomes["server"], outcomes["snapshot"], strict=True)
        if (a.status, a.doi) == (b.status, b.doi)
    )
    print(f"\nserver and snapshot agree on {same}/{len(test)} citations (status and DOI)")
    for case, a, b in zip(test, outcomes["server"], outcomes["snapshot"], strict=True):
        if (a.status, a.doi) != (b.status, b.doi):
            print(
                f"  differ ({case.kind}): server {a.status} {a.doi} {a.confidence:.3f} / "
                f"snapshot {b.status} {b.doi} {b.confidence:.3f}"
            )
            print(f"    {case.ref.raw[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
