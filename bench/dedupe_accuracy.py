"""De-duplication accuracy on a labelled set of real citation strings (see bench/dedupedata.py).

The strings are parsed offline with the default parser (``refkit.parse.parse_citations``), clustered with
``refkit.dedupe.dedupe`` and compared with the labels, separately for the ``dev`` part (tuned on) and the
``held-out`` part (not tuned on). Printed per part: pair precision, recall and F1 (a pair is two citations in one
cluster), B-cubed precision, recall and F1, the share of works whose cluster is exactly right, and the seconds
taken. Targets: pair precision >= 0.995, recall >= 0.98.

Needs /work/shared/data (parse/plos/*.xml and crossref/**/*.json); ``--items`` reads a set written by
``bench/dedupedata.py --out`` instead of building it again.

Usage::

    python bench/dedupe_accuracy.py [--data /work/shared/data] [--items items.jsonl] [--errors 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupedata import DATA, Item, build

from refkit.dedupe import candidate_pairs, dedupe, score
from refkit.model import Citation, Source
from refkit.parse import parse_citations


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def evaluate(gold: list[str], predicted: list[int]) -> dict[str, float]:
    """Pair and B-cubed precision/recall/F1 and the exact-cluster rate of one clustering."""
    cells = Counter(zip(gold, predicted, strict=True))
    gold_sizes, pred_sizes = Counter(gold), Counter(predicted)
    tp = sum(_pairs(n) for n in cells.values())
    pred_pairs = sum(_pairs(n) for n in pred_sizes.values())
    gold_pairs = sum(_pairs(n) for n in gold_sizes.values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    # B-cubed: per citation, the share of its predicted cluster that is its work, and vice versa
    bp = sum(n * n / pred_sizes[c] for (_, c), n in cells.items()) / len(gold)
    br = sum(n * n / gold_sizes[g] for (g, _), n in cells.items()) / len(gold)
    members: dict[str, set[int]] = defaultdict(set)
    for g, c in zip(gold, predicted, strict=True):
        members[g].add(c)
    exact = sum(1 for g, cs in members.items() if len(cs) == 1 and pred_sizes[next(iter(cs))] == gold_sizes[g])

    def f1(a: float, b: float) -> float:
        return 2 * a * b / (a + b) if a + b else 0.0

    return {
        "pairs": gold_pairs,
        "P": p,
        "R": r,
        "F1": f1(p, r),
        "B3-P": bp,
        "B3-R": br,
        "B3-F1": f1(bp, br),
        "exact": exact / len(members),
    }


def run(items: list[Item], errors: int) -> dict[str, float]:
    citations = [Citation(i.raw, Source(i.origin, n + 1)) for n, i in enumerate(items)]
    start = time.perf_counter()
    refs = parse_citations(citations)
    parsed = time.perf_counter() - start
    start = time.perf_counter()
    clusters = dedupe(refs)
    seconds = time.perf_counter() - start
    predicted = [0] * len(items)
    for n, c in enumerate(clusters):
        for r in c.citations:
            predicted[r.source.position - 1] = n  # type: ignore[union-attr]
    gold = [i.work for i in items]
    scores = evaluate(gold, predicted)
    scores.update({"parse s": parsed, "dedupe s": seconds})
    if errors:
        _show_errors(items, gold, predicted, refs, errors)
    return scores


def _show_errors(items: list[Item], gold: list[str], predicted: list[int], refs: list, limit: int) -> None:
    by_pred: dict[int, list[int]] = defaultdict(list)
    by_gold: dict[str, list[int]] = defaultdict(list)
    for n, (g, c) in enumerate(zip(gold, predicted, strict=True)):
        by_pred[c].append(n)
        by_gold[g].append(n)
    merged = [m for m in by_pred.values() if len({gold[i] for i in m}) > 1]
    split = [m for m in by_gold.values() if len({predicted[i] for i in m}) > 1]
    print(f"  wrong merges: {len(merged)} clusters; missed: {len(split)} works")
    # why each missed pair was missed: never proposed by blocking, scored apart, or scored together but kept
    # apart by clustering (an identifier conflict in the clusters)
    proposed = candidate_pairs(refs)
    causes: Counter[str] = Counter()
    for m in split:
        for x, i in enumerate(m):
            for j in m[x + 1 :]:
                if predicted[i] == predicted[j]:
                    continue
                if (i, j) not in proposed:
                    causes["not blocked"] += 1
                elif score(refs[i], refs[j]) < 0.5:
                    causes["scored apart"] += 1
                else:
                    causes["cluster veto"] += 1
    print(f"  missed pairs by cause: {dict(causes.most_common())}")
    for title, groups in (("wrong merge", merged), ("missed", split)):
        for m in groups[:limit]:
            print(f"  -- {title}")
            for i in m:
                r = refs[i]
                fields = (
                    f"{r.author[0].family if r.author else '-'}|{r.year}|{(r.title or '')[:50]}|{r.container_title}"
                )
                print(f"     {gold[i][:40]:40s} c{predicted[i]:<6d} {items[i].raw[:110]}\n{'':53s}{fields}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--items", type=Path, help="a set written by bench/dedupedata.py --out")
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong merges and misses per part")
    parser.add_argument("--part", choices=("dev", "held-out", "both"), default="both")
    args = parser.parse_args()
    if args.items:
        items = [Item(**json.loads(line)) for line in args.items.read_text(encoding="utf-8").splitlines()]
    elif (args.data / "parse" / "plos").is_dir():
        items = build(args.data)
    else:
        print(f"needs {args.data}/parse/plos/*.xml and {args.data}/crossref/**/*.json (or --items)", file=sys.stderr)
        return 1
    print(
        f"{len(items)} citations, {len({i.work for i in items})} works; "
        f"sources {dict(Counter(i.source for i in items))}"
    )
    names = ("cites", "pairs", "P", "R", "F1", "B3-P", "B3-R", "B3-F1", "exact", "parse s", "dedupe s")
    header = f"{'part':9s} " + " ".join(f"{n:>6s}" for n in names)
    rows = []
    for part in ("dev", "held-out"):
        if args.part not in (part, "both"):
            continue
        chosen = [i for i in items if i.split == part]
        if args.errors:
            print(f"[{part}]")
        s = run(chosen, args.errors)
        rows.append(
            f"{part:9s} {len(chosen):6d} {s['pairs']:6d} {s['P']:6.4f} {s['R']:6.4f} {s['F1']:6.4f} {s['B3-P']:6.4f} "
            f"{s['B3-R']:6.4f} {s['B3-F1']:6.4f} {s['exact']:6.4f} {s['parse s']:7.1f} {s['dedupe s']:8.2f}"
        )
    print(header)
    print("\n".join(rows))
    print("targets: pair P >= 0.995, R >= 0.98")
    return 0


if __name__ == "__main__":
    sys.exit(main())
