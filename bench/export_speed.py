"""Export speed: 10,000 real Crossref records to BibTeX, CSL-JSON and RIS, with seconds and records/s.

Records come from recorded Crossref responses (``message`` of ``/works/{doi}``, ``message.items`` of work
lists), one per distinct DOI (``export_roundtrip.load``), repeated up to the count asked for.

Usage::

    python bench/export_speed.py [--data /work/shared/data/crossref] [--count 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_roundtrip import load

from refkit.export import as_clusters, get_format


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/crossref"))
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    refs = load(args.data)
    if not refs:
        print(f"no Crossref records under {args.data}", file=sys.stderr)
        return 1
    print(f"{len(refs)} distinct records from {args.data}, repeated to {args.count}")
    clusters = as_clusters((refs * (args.count // len(refs) + 1))[: args.count])
    total = 0.0
    for name in ("bibtex", "csljson", "ris"):
        plugin = get_format(name)
        start = time.perf_counter()
        text = plugin.dumps(clusters)
        seconds = time.perf_counter() - start
        total += seconds
        rate = len(clusters) / seconds
        print(f"{name:8s} {seconds:6.2f} s  {rate:9,.0f} records/s  {len(text) / 1e6:5.1f} MB")
    print(f"{'total':8s} {total:6.2f} s  (target <= 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
