"""Formatting speed: 1,000 real Crossref records in each style, with seconds and entries/s.

Records come from the Crossref records kept for the tests (tests/data/crossref: ``*.jsonl`` work records and
``work/*.json`` responses), converted with :func:`refkit.registry.to_reference` and repeated up to the count
asked for. Each style is formatted once as text (the first call also parses the style file).

Usage::

    python bench/format_speed.py [--count 1000] [--output text|html|markdown] [--styles vancouver apa ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from refkit.format import format_bibliography
from refkit.model import Reference
from refkit.registry import to_reference

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "crossref"
STYLES = ["vancouver", "american-medical-association", "apa", "nature", "plain", "unsrt"]


def load(folder: Path) -> list[Reference]:
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted(folder.glob("work/*.json")):
        records.append(json.loads(path.read_text(encoding="utf-8"))["message"])
    return [to_reference(r) for r in records if isinstance(r, dict)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--output", default="text", choices=["text", "html", "markdown"])
    parser.add_argument("--styles", nargs="+", default=STYLES)
    args = parser.parse_args()
    refs = load(args.data)
    if not refs:
        print(f"no Crossref records under {args.data}", file=sys.stderr)
        return 1
    print(f"{len(refs)} distinct records from {args.data}, repeated to {args.count}; output {args.output}")
    works = (refs * (args.count // len(refs) + 1))[: args.count]
    total = 0.0
    for style in args.styles:
        start = time.perf_counter()
        entries = format_bibliography(works, style, output=args.output)
        seconds = time.perf_counter() - start
        total += seconds
        print(f"{style:30s} {seconds:6.2f} s  {len(entries) / seconds:7,.0f} entries/s")
    print(f"{'total':30s} {total:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
