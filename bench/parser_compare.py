"""Compare the reference parsers field by field on the held-out labelled strings.

Scores what users see: the Reference each parser returns (title, container-title, volume, issue, page, year, DOI,
first author's family name), against the labelled spans of the held-out test sets (the same splits the CRF never
trains on). Prints per source and parser: accuracy per field over the fields the gold states, and whole-reference
exact rate on those fields.

Needs ``../shared/data`` (``--data``): the labelled corpora (see its README).

    python bench/parser_compare.py [--data ../shared/data] [--parsers rules,crf]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from refkit.parse import get_parser
from refkit.parse.corpus import field_strings, load_all
from refkit.parse.fields import clean_field, parse_authors, parse_issued

FIELDS = ("title", "container_title", "volume", "issue", "page", "year", "doi", "first_author")


def norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    text = text.replace("–", "-").replace("—", "-")
    return re.sub(r"[\s.,;:()\[\]\"'“”]+", " ", text).strip()


def gold_fields(example) -> dict[str, str]:
    spans = field_strings(example.text, list(example.tokens), list(example.labels))
    out: dict[str, str] = {}
    for label, attr in (
        ("title", "title"),
        ("container-title", "container_title"),
        ("volume", "volume"),
        ("issue", "issue"),
        ("page", "page"),
        ("DOI", "doi"),
    ):
        if spans.get(label):
            out[attr] = clean_field(spans[label][0])
    if spans.get("issued"):
        year = parse_issued(spans["issued"][0])
        if year:
            out["year"] = str(year[0])
    if spans.get("author"):
        people, _ = parse_authors(spans["author"][0])
        if people:
            out["first_author"] = people[0].family or people[0].literal or ""
    return out


def predicted(ref) -> dict[str, str]:
    return {
        "title": ref.title,
        "container_title": ref.container_title,
        "volume": ref.volume,
        "issue": ref.issue,
        "page": ref.page,
        "doi": ref.doi,
        "year": str(ref.year) if ref.year else None,
        "first_author": (ref.author[0].family or ref.author[0].literal) if ref.author else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--parsers", default="rules,crf")
    args = ap.parse_args(argv)
    if not (args.data / "parse").is_dir():
        print(f"needs the labelled corpora in {args.data}/parse (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    tests = [e for e in load_all(args.data, springer_fraction=0) if e.split == "test"]
    by_source: dict[str, list] = defaultdict(list)
    for ex in tests:
        by_source[ex.source].append(ex)
    for name in args.parsers.split(","):
        parser = get_parser(name)
        print(f"\nparser: {name}")
        print(f"  {'source':<12} {'refs':>5} {'refs/s':>8} " + " ".join(f"{f[:9]:>9}" for f in FIELDS) + "   exact")
        for source, examples in sorted(by_source.items()):
            start = time.perf_counter()
            refs = parser.parse_many([e.text for e in examples])
            speed = len(examples) / (time.perf_counter() - start)
            right: dict[str, int] = defaultdict(int)
            total: dict[str, int] = defaultdict(int)
            exact = 0
            for ex, ref in zip(examples, refs, strict=True):
                gold, pred = gold_fields(ex), predicted(ref)
                ok = True
                for f, value in gold.items():
                    total[f] += 1
                    if norm(pred.get(f)) == norm(value):
                        right[f] += 1
                    else:
                        ok = False
                exact += ok
            cells = " ".join(f"{right[f] / total[f]:>9.3f}" if total[f] else f"{'-':>9}" for f in FIELDS)
            print(f"  {source:<12} {len(examples):>5} {speed:>8.0f} {cells}   {exact / len(examples):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
