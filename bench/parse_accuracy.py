"""Field-level accuracy of the CRF reference parser on the held-out test sets.

Prints, for each test set (PLOS held-out articles, AnyStyle held-out, GROBID corpus held-out, GROBID
evaluation), precision / recall / F1 per field and overall, whole-reference exact match, and the 15 worst
errors; then what the parser returns for the seed references of ``data/articles/*.txt``, field by field,
scored against the fields their (regular, Springer author-year) style states.

Field strings are compared after light normalisation (outer punctuation and white space stripped, DOIs
lower-cased without a resolver prefix): see :func:`refkit.parse.train.normalize_value`.

Usage::

    python bench/parse_accuracy.py --data /work/shared/data [--model PATH] [--worst 15]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from refkit.parse.corpus import Example, field_strings, load_all
from refkit.parse.crf import CRFParser
from refkit.parse.train import SCORED, field_scores, normalize_value

SETS = (
    ("plos", "PLOS held-out articles"),
    ("anystyle", "AnyStyle held-out"),
    ("grobid", "GROBID corpus held-out"),
    ("grobid-eval", "GROBID evaluation"),
)
GOALS = {"overall": 0.95, "plos": 0.97, "plos-exact": 0.80}
REPO = Path(__file__).resolve().parent.parent
_SEED_LINE = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*$")
_SEED_STYLE = re.compile(
    r"^(?P<author>.+?) \((?P<year>\d{4})\) (?P<title>.+?)\. (?P<journal>.+?) "
    r"(?:(?P<volume>\d+): ?(?P<page>\S+)|doi: (?P<doi>\S+))$"
)


def _table(name: str, scores: dict) -> None:
    print(f"\n== {name}: {scores['n']} references")
    print(f"{'field':<18}{'gold':>6}{'P':>8}{'R':>8}{'F1':>8}")
    for label in (*SCORED, "overall"):
        s = scores[label]
        gold = s["tp"] + s["fn"]
        if gold == 0 and s["fp"] == 0:
            continue
        print(f"{label:<18}{gold:>6}{s['p']:>8.3f}{s['r']:>8.3f}{s['f1']:>8.3f}")
    print(f"whole-reference exact match: {scores['exact']:.3f}")


def _errors(gold: dict, pred: dict) -> list[str]:
    out = []
    for label in SCORED:
        g = sorted(normalize_value(label, v) for v in gold.get(label, ()))
        p = sorted(normalize_value(label, v) for v in pred.get(label, ()))
        if g != p:
            out.append(f"{label}: gold {g} got {p}")
    return out


def evaluate(parser: CRFParser, examples: list[Example], worst: int) -> tuple[dict, list[tuple[int, str, list[str]]]]:
    pairs = []
    errors: list[tuple[int, str, list[str]]] = []
    for ex in examples:
        labels = [lab for _, lab, _ in parser.tag(ex.text)]
        gold = field_strings(ex.text, list(ex.tokens), list(ex.labels))
        pred = field_strings(ex.text, list(ex.tokens), labels)
        pairs.append((gold, pred))
        errs = _errors(gold, pred)
        if errs:
            errors.append((len(errs), ex.text, errs))
    errors.sort(key=lambda e: -e[0])
    return field_scores(pairs), errors[:worst]


def seed_references() -> list[str]:
    """The numbered reference lines of the demo articles."""
    refs = []
    for path in sorted((REPO / "data" / "articles").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _SEED_LINE.match(line)
            if m and len(m.group(2)) > 40:
                refs.append(m.group(2))
    return refs


def score_seeds(parser: CRFParser) -> float:
    """Print the parsed seed references field by field; return the share of fields right."""
    right = total = 0
    print("\n== seed references (data/articles/*.txt)")
    for raw in seed_references():
        ref = parser.parse(raw)
        m = _SEED_STYLE.match(raw)
        print(f"\n{raw}\n  type {ref.type}  reference confidence {ref.confidence.get('reference')}")
        got = {
            "author": "; ".join(p.display() for p in ref.author),
            "et_al": str(ref.et_al),
            "issued": str(ref.year or ""),
            "title": ref.title or "",
            "container_title": ref.container_title or "",
            "volume": ref.volume or "",
            "page": ref.page or "",
            "doi": ref.doi or "",
        }
        want = {}
        if m:
            author = m.group("author")
            et_al = author.endswith(" et al")
            want = {
                "author": author.removesuffix(" et al"),
                "et_al": str(et_al),
                "issued": m.group("year"),
                "title": m.group("title"),
                "container_title": m.group("journal"),
                "volume": m.group("volume") or "",
                "page": m.group("page") or "",
                "doi": m.group("doi") or "",
            }
        for key, value in got.items():
            conf = ref.confidence.get(key)
            mark = ""
            if want:
                ok = value == want[key]
                right += ok
                total += 1
                mark = "ok " if ok else f"WRONG (want {want[key]!r})"
            print(f"  {key:<16}{value!r:<60} {'' if conf is None else f'{conf:.2f}':>5} {mark}")
    share = right / total if total else 0.0
    print(f"\nseed fields right: {right}/{total} = {share:.3f}")
    return share


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--worst", type=int, default=15)
    args = ap.parse_args(argv)
    parser = CRFParser.load(args.model)
    examples = [e for e in load_all(args.data, springer_fraction=0) if e.split == "test"]
    t0 = time.perf_counter()
    all_pairs_scores = {}
    worst_all: list[tuple[int, str, list[str]]] = []
    for source, name in SETS:
        subset = [e for e in examples if e.source == source]
        scores, worst = evaluate(parser, subset, args.worst)
        all_pairs_scores[source] = scores
        worst_all.extend(worst)
        _table(name, scores)
    total = {k: sum(all_pairs_scores[s]["overall"][k] for s, _ in SETS) for k in ("tp", "fp", "fn")}
    p = total["tp"] / (total["tp"] + total["fp"])
    r = total["tp"] / (total["tp"] + total["fn"])
    overall = 2 * p * r / (p + r)
    print(f"\n== all held-out sets together: P {p:.3f} R {r:.3f} F1 {overall:.3f}")
    worst_all.sort(key=lambda e: -e[0])
    print(f"\n== {args.worst} worst errors")
    for count, text, errs in worst_all[: args.worst]:
        print(f"\n[{count}] {text}")
        for e in errs:
            print(f"    {e}")
    seeds = score_seeds(parser)
    plos = all_pairs_scores["plos"]
    print("\n== goals")
    print(f"overall field F1 {overall:.4f} (goal >= {GOALS['overall']})")
    print(f"PLOS field F1 {plos['overall']['f1']:.4f} (goal >= {GOALS['plos']})")
    print(f"PLOS exact match {plos['exact']:.3f} (goal >= {GOALS['plos-exact']})")
    print(f"seed fields right {seeds:.3f}")
    print(f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
