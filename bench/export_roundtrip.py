"""Export round trip on real Crossref records: validate, read back, compare field for field.

Every distinct record under ``--data`` (the ``message`` of recorded ``/works/{doi}`` responses and the
``message.items`` of work lists) is exported to BibTeX, CSL-JSON and RIS, then:

- the CSL-JSON is validated against the CSL-JSON schema;
- the BibTeX is read back by refkit (bibtexparser 2) and parsed by pybtex (keys, entry types);
- each file is read back by refkit and every field of ``refkit.export.ROUND_TRIP_FIELDS`` is compared with the original.

Prints, per format, how many records came back identical and the first differences. Exit status 1 when a
record is lost or differs, so the script can guard a release.

Usage::

    python bench/export_roundtrip.py [--data /work/shared/data/crossref] [--schema /work/shared/data/csl/csl-data.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jsonschema
import pybtex.database

from refkit.export import as_clusters, citation_keys, get_format, round_trip_differences
from refkit.model import Reference
from refkit.registry import to_reference


def load(folder: Path) -> list[Reference]:
    """One Reference per distinct DOI among the recorded responses, in file order."""
    seen: set[str] = set()
    refs = []
    for path in sorted(folder.glob("*/*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        if not isinstance(message, dict):
            continue
        items = message.get("items") if "items" in message else [message]
        for item in items or []:
            if not isinstance(item, dict) or not item.get("DOI"):
                continue
            doi = str(item["DOI"]).lower()
            if doi in seen:
                continue
            seen.add(doi)
            ref = to_reference(item)
            refs.append(ref.replace(raw=ref.title or doi))
    return refs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/crossref"))
    parser.add_argument("--schema", type=Path, default=Path("/work/shared/data/csl/csl-data.json"))
    parser.add_argument("--show", type=int, default=5, help="differences to print per format")
    args = parser.parse_args()
    refs = load(args.data)
    if not refs:
        print(f"no Crossref records under {args.data} (needs ../shared/data/crossref)", file=sys.stderr)
        return 2
    clusters = as_clusters(refs)
    print(f"{len(refs)} distinct real Crossref records from {args.data}")
    failed = False
    for name in ("bibtex", "csljson", "ris"):
        plugin = get_format(name)
        start = time.perf_counter()
        text = plugin.dumps(clusters)
        back = plugin.loads(text)
        seconds = time.perf_counter() - start
        checks = []
        if name == "csljson":
            if args.schema.exists():
                jsonschema.validate(json.loads(text), json.loads(args.schema.read_text(encoding="utf-8")))
                checks.append("schema valid")
            else:
                checks.append(f"schema not checked ({args.schema} missing)")
        if name == "bibtex":
            pyb = pybtex.database.parse_string(text, "bibtex")
            ok = list(pyb.entries) == citation_keys(refs)
            checks.append(f"pybtex read {len(pyb.entries)} entries" + (", keys as written" if ok else " (KEYS DIFFER)"))
            failed |= not ok
        diffs = [round_trip_differences(a, b, name) for a, b in zip(refs, back, strict=False)]
        same = sum(1 for d in diffs if not d)
        lost = len(refs) - len(back)
        failed |= lost != 0 or same != len(refs)
        print(
            f"{name:8s} read back {len(back):5d}/{len(refs)}  identical {same:5d} ({same / len(refs):.4f})"
            f"  {seconds:5.2f} s  {'; '.join(checks)}"
        )
        shown = 0
        for ref, d in zip(refs, diffs, strict=False):
            if d and shown < args.show:
                shown += 1
                print(f"    {ref.doi}: {d}")
    print("all records round-trip field for field" if not failed else "ROUND TRIP FAILURES (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
