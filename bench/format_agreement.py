"""Agreement of refkit's formatted bibliographies with citeproc-js, the CSL processor Zotero uses.

refkit formats with citeproc-py (:func:`refkit.format.format_bibliography`). The reference is what a reader gets
from the same works in Zotero: refkit's CSL-JSON export (:func:`refkit.export.csljson.to_item`, the provenance
note left out as refkit leaves it out) rendered by citeproc-js from npm (``tests/js/render.js``) with the same
style file and citeproc-py's en-US locale. Entries are compared as plain text, one line each, character for
character.

Sets:

- ``demo``: the demo articles read offline (``refkit format data/articles``), as parsed; the export gives a
  journal article both the full journal title and its abbreviation (:func:`refkit.export.journal_names`);
- ``demo+abbrev``: the same works with the journal only as Zotero's ``journalAbbreviation`` field;
- ``crossref``: the 1,304 distinct real Crossref records of ``tests/data/golden/crossref-records.jsonl.gz``
  (or of the recorded responses under ``--data``), read as ``refkit export`` reads a saved Crossref answer.

Prints, per set and style, the entries citeproc-js prints identically (count and share), the share standing
in the same place of the list, any citeproc-js error, and the differences left by cause (quotation marks,
letter case, a dash in a range, year suffixes...; see :func:`cause`) with the first examples of each. Exit
status 1 when citeproc-js is not installed (``npm ci --prefix tests/js``).

Usage::

    python bench/format_agreement.py [--data FOLDER] [--styles vancouver apa ...] [--sets demo crossref] [--show 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from refkit.format import (
    _fix_et_al,
    format_bibliography,
)
from refkit.model import Reference
from refkit.testing.citeproc import render_with_citeproc_js, zotero_item

ROOT = Path(__file__).resolve().parent.parent
RENDER = ROOT / "tests" / "js" / "render.js"
RECORDS = ROOT / "tests" / "data" / "golden" / "crossref-records.jsonl.gz"
STYLES = [
    "vancouver",
    "american-medical-association",
    "apa",
    "nature",
    "ieee",
    "chicago-author-date",
    "harvard-cite-them-right",
    "modern-language-association",
]


def citeproc_js(items: list[dict[str, Any]], style: str, output: str = "text") -> dict[str, str]:
    """Each item's bibliography entry as citeproc-js renders it, by id."""
    return {row["id"]: row["entry"] for row in render_with_citeproc_js(items, style, RENDER, output=output)}


# Causes of a difference, tried in this order: the first change that makes both entries equal names the cause.
# The changes add up (a difference in quotes and case counts as case), so each works on lower case too.
_CAUSES: list[tuple[str, Any]] = [
    ("quotation marks", lambda t: re.sub(r"[\u201c\u201d\u2018\u2019'\"]", '"', t)),
    ("punctuation after ? or !", lambda t: re.sub(r"([?!][\u201d\u2019\"]?)[.,]", r"\1", t)),
    ("dash in a range", lambda t: re.sub(r"[\u2013-]", "-", t)),
    ("letter case (title case, n.d.)", lambda t: t.casefold()),
    ("year suffix (2006a)", lambda t: re.sub(r"(\d{4}|n\.d\.)-?[a-z]\b", r"\1", t, flags=re.IGNORECASE)),
    ("suffix Jr. with or without its period", lambda t: re.sub(r"\bjr\.", "jr", t, flags=re.IGNORECASE)),
    ("given names (Jas., Wm.)", lambda t: re.sub(r"\b[a-z]{2,3}\.", "x.", t, flags=re.IGNORECASE)),
    ("editors (eds.)", lambda t: re.sub(r"\(?eds?\.\)?", "eds", t, flags=re.IGNORECASE)),
    ("comma before an organisation as last name", lambda t: t.replace("., &", ". &")),
    ("initial of a two-letter given name (Si)", lambda t: re.sub(r"\b([a-z])[a-z]\b", r"\1", t, flags=re.I)),
    ("spaces", lambda t: re.sub(r"\s+", "", t)),
    ("periods stripped from a URL as container (strip-periods)", lambda t: t.replace(".", "")),
]


def cause(ours: str, theirs: str) -> str:
    """Why two entries differ: the first normalisation of :data:`_CAUSES` that makes them equal, else "other"."""
    for name, normalise in _CAUSES:
        if normalise(ours) == normalise(theirs):
            return name
        ours, theirs = normalise(ours), normalise(theirs)  # causes add up: "quotes and case" counts as case
    return "other"


def compare(refs: list[Reference], style: str) -> tuple[int, int, list[tuple[str, str]], list[str]]:
    """(entries that agree, entries in the same place, every difference as (refkit, citeproc-js), errors).

    An entry agrees when citeproc-js prints the same text for one of the works; the two lists are compared as
    multisets, so a different sort order of works the styles sort alike does not hide agreeing entries (the
    number in the same place is reported apart). Each refkit entry that disagrees is paired with the citeproc-js
    entry closest to it.
    """
    ours = format_bibliography(refs, style, order="cited")
    items = [zotero_item(ref, f"r{i}") for i, ref in enumerate(refs, 1)]
    errors: list[str] = []
    try:
        theirs = [_fix_et_al(entry) for entry in citeproc_js(items, style).values()]
    except subprocess.CalledProcessError as exc:
        errors.append(exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else str(exc))
        return 0, 0, [], errors
    placed = sum(1 for a, b in zip(ours, theirs, strict=False) if a == b)
    left = Counter(theirs)
    same = 0
    missed = []
    for entry in ours:
        if left[entry] > 0:
            left[entry] -= 1
            same += 1
        else:
            missed.append(entry)
    unmatched = [t for t, n in left.items() for _ in range(n)]
    diffs = []
    for entry in missed:
        closest = max(unmatched, key=lambda t: SequenceMatcher(None, entry, t).quick_ratio(), default="")
        if closest:
            unmatched.remove(closest)
        diffs.append((entry, closest))
    return same, placed, diffs, errors


def demo_sets() -> dict[str, list[Reference]]:
    """The offline demo works as parsed, and with the journal as Zotero's abbreviation field only."""
    from refkit.format import load_library

    works = load_library([ROOT / "data" / "articles"]).works
    abbrev = [
        ref.replace(container_title=None, container_title_short=ref.container_title)
        if ref.type == "article-journal" and ref.container_title
        else ref
        for ref in works
    ]
    return {"demo": works, "demo+abbrev": abbrev}


def crossref_set(folder: Path | None) -> list[Reference]:
    """The Crossref records (of the recorded responses in ``folder``, else of the test data), as References."""
    import gzip

    from refkit.export import get_format

    if folder is None:
        lines = gzip.decompress(RECORDS.read_bytes()).decode("utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
    else:
        seen: set[str] = set()
        records = []
        for path in sorted(folder.glob("*/*.json")):
            message = json.loads(path.read_text(encoding="utf-8")).get("message")
            items = (message.get("items") or []) if isinstance(message, dict) and "items" in message else [message]
            for item in items:
                if isinstance(item, dict) and item.get("DOI") and str(item["DOI"]).lower() not in seen:
                    seen.add(str(item["DOI"]).lower())
                    records.append(item)
    # read as `refkit export` reads a saved answer: each Reference keeps its record (and the title's markup)
    return get_format("csljson").loads(json.dumps(records))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a folder of recorded Crossref responses")
    parser.add_argument("--styles", nargs="+", default=STYLES)
    parser.add_argument("--show", type=int, default=3, help="differences to print per set and style")
    parser.add_argument("--sets", nargs="+", default=["demo", "demo+abbrev", "crossref"])
    args = parser.parse_args()
    if shutil.which("node") is None or not (RENDER.parent / "node_modules" / "citeproc").is_dir():
        print("needs Node and citeproc-js: npm ci --prefix tests/js", file=sys.stderr)
        return 1
    wanted = set(args.sets)
    demo = wanted & {"demo", "demo+abbrev"}
    sets = {k: v for k, v in demo_sets().items() if k in wanted} if demo else {}
    if "crossref" in args.sets:
        refs = crossref_set(args.data)
        if refs:
            sets["crossref"] = refs
        else:
            print(f"no Crossref records under {args.data}", file=sys.stderr)
    total_same = total = 0
    print(f"  {'style':32s} {'agree':>11s} {'share':>7s}  {'in place':>8s}")
    for name, refs in sets.items():
        print(f"{name}: {len(refs)} works")
        for style in args.styles:
            start = time.perf_counter()
            same, placed, diffs, errors = compare(refs, style)
            seconds = time.perf_counter() - start
            total_same += same
            total += len(refs)
            print(
                f"  {style:32s} {same:5d}/{len(refs):<5d} {same / len(refs):7.2%}  {placed / len(refs):8.2%}"
                f"  {seconds:5.1f} s"
            )
            for error in errors:
                print(f"      citeproc-js error: {error}")
            by_cause: dict[str, list[tuple[str, str]]] = {}
            for mine, theirs in diffs:
                by_cause.setdefault(cause(mine, theirs), []).append((mine, theirs))
            for reason, pairs in sorted(by_cause.items(), key=lambda kv: -len(kv[1])):
                print(f"      {len(pairs):4d}  {reason}")
                for mine, theirs in pairs[: args.show]:
                    print(f"              refkit:      {mine}\n              citeproc-js: {theirs}")
    print(f"all: {total_same}/{total} entries agree ({total_same / max(total, 1):.2%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
