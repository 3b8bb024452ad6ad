"""Train the CRF reference-string tagger.

Usage::

    python -m refkit.parse.train --data /work/shared/data --out refkit/data/parser/model.crfsuite
    python -m refkit.parse.train --data /work/shared/data --out /tmp/m.crfsuite --tune   # pick c1/c2 on dev

Training reads the ``train`` (and, for the final model, ``dev``) splits of :func:`refkit.parse.corpus.load_all`
and never the held-out test sets. L-BFGS in CRFsuite is deterministic (no random state), and the corpus order
is fixed, so the same data and options give the same model. CRFsuite runs on one thread.

Example:
    >>> scores = field_scores([({"title": ["A"]}, {"title": ["A."]})])
    >>> scores["overall"]["f1"]
    1.0
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from refkit.parse.corpus import LABELS, Example, field_strings, load_all
from refkit.parse.features import sequence_features, tokenize

__all__ = ["evaluate_labels", "field_scores", "main", "normalize_value", "place_names_from", "train"]

_EDGE_TEXT = " \t\n.,;:\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _balanced(value: str) -> str:
    """``value`` less the brackets at its edges that close or open nothing inside it: "(Madagascar)" keeps both,
    a title cut to "(Madagascar" does not match one that ends "(Madagascar)", and "(2016)" or "[review]." around a
    whole field lose theirs."""
    while True:
        before = value
        if value and value[0] in "([{" and value[-1] == {"(": ")", "[": "]", "{": "}"}[value[0]]:
            inner = value[1:-1]
            if inner.count(value[0]) == inner.count(value[-1]):
                value = inner
        if value and value[-1] in _PAIRS and value.count(value[-1]) > value.count(_PAIRS[value[-1]]):
            value = value[:-1]
        if (
            value
            and value[0] in "([{"
            and value.count(value[0]) > value.count({"(": ")", "[": "]", "{": "}"}[value[0]])
        ):
            value = value[1:]
        value = value.strip(_EDGE_TEXT)
        if value == before:
            return value


_WS = re.compile(r"\s+")
_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/)?", re.I)

#: How many times each source's training examples count by default. PLOS references (biomedical, from journal
#: articles' own markup) count three times: the target material, and the cleanest gold of the corpora. On the dev
#: split this raised field F1 on PLOS from 0.9800 to 0.9827 and on GROBID from 0.9061 to 0.9116, AnyStyle unchanged
#: (0.8569, 0.8570); twice gave 0.9818 and 0.9100.
REPEAT = {"plos": 3}

#: About one training PLOS reference in this many is also rendered in a layout of :mod:`refkit.parse.styles`
#: (see :func:`refkit.parse.corpus.load_all`).
STYLES_FRACTION = 4

#: Fields scored by the benchmarks (``other`` is a separator, ``note`` free text).
SCORED = tuple(label for label in LABELS if label not in ("note", "other"))


def normalize_value(label: str, value: str) -> str:
    """Light normalisation before two field strings are compared: outer punctuation and spaces go.

    Example:
        >>> normalize_value("title", " (Solitary  morphea.) ")
        'Solitary morphea'
        >>> normalize_value("title", "Scabies (Madagascar).")
        'Scabies (Madagascar)'
    """
    value = _balanced(_WS.sub(" ", value).strip(_EDGE_TEXT))
    if label == "DOI":
        value = _DOI_PREFIX.sub("", value).lower()
    return value


def field_scores(
    pairs: Iterable[tuple[Mapping[str, Sequence[str]], Mapping[str, Sequence[str]]]],
) -> dict[str, Any]:
    """Field-level precision, recall and F1 (per field and overall) and whole-reference exact match.

    Args:
        pairs: ``(gold, predicted)`` field dicts (label -> list of strings) per reference.

    Returns:
        ``{label: {"tp", "fp", "fn", "p", "r", "f1"}, "overall": {...}, "exact": float, "n": int}``.
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = n = 0
    for gold, pred in pairs:
        n += 1
        ok = True
        for label in SCORED:
            g = Counter(normalize_value(label, v) for v in gold.get(label, ()))
            p = Counter(normalize_value(label, v) for v in pred.get(label, ()))
            common = sum((g & p).values())
            tp[label] += common
            fp[label] += sum(p.values()) - common
            fn[label] += sum(g.values()) - common
            if g != p:
                ok = False
        exact += ok
    out: dict[str, Any] = {}
    for label in (*SCORED, "overall"):
        if label == "overall":
            t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        else:
            t, f_p, f_n = tp[label], fp[label], fn[label]
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[label] = {"tp": t, "fp": f_p, "fn": f_n, "p": p, "r": r, "f1": f1}
    out["exact"] = exact / n if n else 0.0
    out["n"] = n
    return out


def evaluate_labels(examples: Sequence[Example], predicted: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Field scores of predicted token labels against the examples' gold labels."""
    pairs = []
    for ex, labels in zip(examples, predicted, strict=True):
        gold = field_strings(ex.text, list(ex.tokens), list(ex.labels))
        pred = field_strings(ex.text, list(ex.tokens), list(labels))
        pairs.append((gold, pred))
    return field_scores(pairs)


_PLACE_PARTS = re.compile(r"\s*[,;:/]\s*|\s+and\s+|\s*&\s*")


def place_names_from(examples: Iterable[Example], *, least: int = 2) -> list[str]:
    """The places of publication labelled in the training strings of the corpora, each part of "Cambridge, MA" or
    "Berlin/New York" on its own, seen at least ``least`` times, four characters or more, without digits: lower
    case, tokens joined by one space (the form :func:`refkit.parse.features.place_names` reads)."""
    counts: Counter[str] = Counter()
    for ex in examples:
        if ex.split != "train" or ex.source not in ("anystyle", "grobid", "plos"):
            continue
        for place in field_strings(ex.text, list(ex.tokens), list(ex.labels)).get("publisher-place", ()):
            for part in _PLACE_PARTS.split(place):
                part = part.strip(" .()[]")
                if len(part) >= 4 and len(part.split()) <= 3 and not re.search(r"\d", part):
                    counts[" ".join(t.text for t in tokenize(part.lower()))] += 1
    return sorted(name for name, n in counts.items() if n >= least)


def train(
    examples: Sequence[Example],
    out: Path,
    *,
    c1: float = 0.1,
    c2: float = 0.005,
    max_iterations: int = 250,
    min_freq: float = 0.0,
    verbose: bool = False,
) -> Path:
    """Fit a CRF on ``examples`` and write it to ``out``.

    Args:
        examples: labelled training sequences.
        out: model file to write.
        c1: L1 weight (drives unused features to zero: a smaller model).
        c2: L2 weight.
        max_iterations: L-BFGS iterations.
        min_freq: drop features seen fewer times than this.
        verbose: print CRFsuite's progress.

    Returns:
        ``out``.
    """
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=verbose)
    for ex in examples:
        trainer.append(sequence_features(ex.tokens), list(ex.labels))
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": max_iterations,
            "feature.possible_transitions": True,
            "feature.minfreq": min_freq,
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    return out


def predict(model: Path, examples: Sequence[Example]) -> list[list[str]]:
    """Token labels that the model at ``model`` gives ``examples``."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    try:
        return [tagger.tag(sequence_features(ex.tokens)) for ex in examples]
    finally:
        tagger.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m refkit.parse.train", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="data root holding parse/anystyle, grobid, plos")
    ap.add_argument("--out", type=Path, required=True, help="model file to write")
    ap.add_argument("--c1", type=float, default=0.1)
    ap.add_argument("--c2", type=float, default=0.005)
    ap.add_argument("--max-iterations", type=int, default=250)
    ap.add_argument("--min-freq", type=float, default=0.0)
    ap.add_argument(
        "--repeat",
        action="append",
        default=[],
        metavar="SOURCE=K",
        help=f"give the training examples of one source K times their weight (repeatable; default {REPEAT})",
    )
    ap.add_argument(
        "--styles-fraction",
        type=int,
        default=STYLES_FRACTION,
        metavar="K",
        help=f"render about 2 in 2K training PLOS references in other layouts (0 = none; default {STYLES_FRACTION})",
    )
    ap.add_argument(
        "--write-places",
        type=Path,
        metavar="PATH",
        help="write the places of publication of the training strings (refkit/data/parser/places.txt) and stop",
    )
    ap.add_argument("--tune", action="store_true", help="grid-search c1/c2 on the dev split, then train")
    ap.add_argument("--dev-only", action="store_true", help="train on train only and report dev scores")
    args = ap.parse_args(argv)

    repeat = dict(REPEAT)
    for item in args.repeat:
        source, _, k = item.partition("=")
        if not source or not k.isdigit() or int(k) < 1:
            ap.error(f"--repeat wants SOURCE=K with K a positive whole number, not {item!r}")
        repeat[source] = int(k)
    examples = load_all(args.data, styles_fraction=args.styles_fraction)
    if args.write_places:
        names = place_names_from(examples)
        args.write_places.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
        print(f"{len(names)} places: {args.write_places}", file=sys.stderr)
        return 0
    trainset = [e for e in examples if e.split == "train" for _ in range(repeat.get(e.source, 1))]
    dev = [e for e in examples if e.split == "dev"]
    print(f"train {len(trainset)}  dev {len(dev)}", file=sys.stderr)
    c1, c2 = args.c1, args.c2
    if args.tune or args.dev_only:
        grid = [(0.02, 0.005), (0.05, 0.01), (0.1, 0.01), (0.2, 0.02)] if args.tune else [(c1, c2)]
        best = (-1.0, c1, c2)
        for g1, g2 in grid:
            t0 = time.perf_counter()
            tmp = args.out.with_suffix(".dev.crfsuite")
            train(trainset, tmp, c1=g1, c2=g2, max_iterations=args.max_iterations, min_freq=args.min_freq)
            labels = predict(tmp, dev)
            scores = evaluate_labels(dev, labels)
            f1 = scores["overall"]["f1"]
            by_source = {}
            for source in sorted({e.source for e in dev}):
                part = [k for k, e in enumerate(dev) if e.source == source]
                by_source[source] = evaluate_labels([dev[k] for k in part], [labels[k] for k in part])
            print(
                f"c1={g1} c2={g2}: dev field F1 {f1:.4f} exact {scores['exact']:.3f} "
                + " ".join(f"{s} {v['overall']['f1']:.4f}/{v['exact']:.3f}" for s, v in by_source.items())
                + f" size {tmp.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
            tmp.unlink()
            if f1 > best[0]:
                best = (f1, g1, g2)
        _, c1, c2 = best
        if args.dev_only:
            return 0
    t0 = time.perf_counter()
    dev_weighted = [e for e in dev for _ in range(repeat.get(e.source, 1))]
    train(trainset + dev_weighted, args.out, c1=c1, c2=c2, max_iterations=args.max_iterations, min_freq=args.min_freq)
    print(
        f"trained c1={c1} c2={c2} on {len(trainset) + len(dev_weighted)} sequences "
        f"in {time.perf_counter() - t0:.0f} s: {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
