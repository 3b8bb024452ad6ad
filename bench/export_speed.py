"""Export speed: 10,000 real Crossref records to BibTeX, CSL-JSON and RIS, with seconds and records/s.

Records come from recorded Crossref responses (``message`` of ``/works/{doi}``, ``message.items`` of work
lists), converted to References by a small converter here and repeated up to the count asked for.

Usage::

    python bench/export_speed.py [--data /work/shared/data/crossref] [--count 10000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from refkit.export import as_clusters, get_format
from refkit.model import Person, Reference

CROSSREF_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "peer-review": "review",
    "monograph": "book",
    "book": "book",
    "edited-book": "book",
    "dataset": "dataset",
    "report": "report",
    "dissertation": "thesis",
    "standard": "standard",
}


def first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(str(value).split()) or None if value else None


def to_reference(msg: dict[str, Any]) -> Reference:
    people = []
    for a in msg.get("author", []):
        if a.get("family"):
            people.append(Person(family=first(a["family"]), given=first(a.get("given"))))
        elif a.get("name"):
            people.append(Person(literal=first(a["name"])))
    parts = ((msg.get("issued") or {}).get("date-parts") or [[]])[0] or []
    return Reference(
        raw=first(msg.get("title")) or "",
        type=CROSSREF_TYPES.get(msg.get("type", ""), "document"),
        author=tuple(people),
        issued=tuple(int(p) for p in parts if p is not None),
        title=first(msg.get("title")),
        container_title=first(msg.get("container-title")),
        container_title_short=first(msg.get("short-container-title")),
        volume=first(msg.get("volume")),
        issue=first(msg.get("issue")),
        page=first(msg.get("page")),
        doi=first(msg.get("DOI")),
        url=first(msg.get("URL")),
        publisher=first(msg.get("publisher")),
    )


def load(folder: Path) -> list[Reference]:
    refs = []
    for path in sorted(folder.glob("*/*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        if not isinstance(message, dict):
            continue
        items = message.get("items") if "items" in message else [message]
        refs += [to_reference(m) for m in items or [] if isinstance(m, dict)]
    return refs


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
