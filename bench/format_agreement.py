"""Agreement of refkit's formatted bibliographies with citeproc-js, the CSL processor Zotero uses.

refkit formats with citeproc-py (:func:`refkit.format.format_bibliography`). The reference is what a reader gets
from the same works in Zotero: refkit's CSL-JSON export (:func:`refkit.export.csljson.to_item`, the provenance
note left out as refkit leaves it out) rendered by citeproc-js from npm (``tests/js/render.js``) with the same
style file and citeproc-py's en-US locale. Entries are compared as plain text, one line each, character for
character.

Sets:

- ``demo``: the demo articles read offline (``refkit format data/articles``), as parsed;
- ``demo+full``: the same works with the full journal title in ``container-title`` and the printed name as
  ``journalAbbreviation`` (how Zotero holds a journal article), looked up in refkit's journal lists;
- ``demo+abbrev``: the same works with the journal only as Zotero's ``journalAbbreviation`` field;
- ``crossref``: the 1,304 distinct real Crossref records (see ``bench/export_roundtrip.py``).

Prints, per set and style, the entries citeproc-js prints identically (count and share), the share when the
hyphen refkit prints in NLM page ranges (as Citing Medicine does) is not counted as a difference, the share
standing in the same place of the list, and the first differences. Exit status 1
when citeproc-js is not installed (``npm ci --prefix tests/js``).

Usage::

    python bench/format_agreement.py [--data ../shared/data/crossref] [--styles vancouver apa ...] [--show 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from refkit.export.csljson import to_item
from refkit.format import (
    _ET_AL_NAME,
    _PAGE_DELIMITER_OVERRIDES,
    _csl_path,
    _fix_et_al,
    format_bibliography,
    journal_forms,
    resolve_style,
)
from refkit.model import Cluster, Reference

ROOT = Path(__file__).resolve().parent.parent
RENDER = ROOT / "tests" / "js" / "render.js"
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


def locales_dir() -> Path:
    """citeproc-py's CSL locale files, which citeproc-js reads too."""
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


def citeproc_js(items: list[dict[str, Any]], style: str, output: str = "text") -> dict[str, str]:
    """Each item's bibliography entry as citeproc-js renders it, by id."""
    path = _csl_path(resolve_style(style))
    run = subprocess.run(
        ["node", str(RENDER), str(path), str(locales_dir()), "-", "--format", output],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=True,
    )
    return {row["id"]: row["entry"] for row in json.loads(run.stdout)}


def js_item(ref: Reference, key: str) -> dict[str, Any]:
    """The CSL-JSON item refkit exports for ``ref``, with only the reference's own note.

    Both forms of the journal's name are filled as Zotero fills them (:func:`refkit.format.journal_forms`), and
    a cut-short author list gets the same stand-in last author that refkit replaces by "et al." (CSL-JSON has no
    way to say it), so that the rest of the entry is compared.
    """
    ref = journal_forms(ref)
    item = to_item(Cluster(id=key, citations=(ref,), canonical=ref), key)
    item.pop("note", None)
    if ref.note:
        item["note"] = ref.note
    if ref.et_al and item.get("author"):
        item["author"].append({"family": _ET_AL_NAME})
    return item


def compare(refs: list[Reference], style: str) -> tuple[int, int, int, list[tuple[str, str]]]:
    """(entries that agree, entries that agree but for the NLM page hyphen, entries in the same place, diffs).

    An entry agrees when citeproc-js prints the same text for one of the works; the two lists are compared as
    multisets, so a different sort order of anonymous works does not hide agreeing entries (the number in the
    same place is reported apart). ``diffs`` pairs each refkit entry that disagrees with the citeproc-js entry
    closest to it.
    """
    ours = format_bibliography(refs, style, order="cited")
    items = [js_item(ref, f"r{i}") for i, ref in enumerate(refs, 1)]
    theirs = [_fix_et_al(entry) for entry in citeproc_js(items, style).values()]
    placed = sum(1 for a, b in zip(ours, theirs, strict=False) if a == b)
    nlm = _csl_path(resolve_style(style)).stem in _PAGE_DELIMITER_OVERRIDES
    left = Counter(theirs)
    loose = Counter(t.replace("\u2013", "-") if nlm else t for t in theirs)
    same = aside = 0
    missed = []
    for entry in ours:
        if left[entry] > 0:
            left[entry] -= 1
            same += 1
        else:
            missed.append(entry)
    for entry in ours:
        key = entry.replace("\u2013", "-") if nlm else entry
        if loose[key] > 0:
            loose[key] -= 1
            aside += 1
    unmatched = [t for t, n in left.items() for _ in range(n)]
    diffs = []
    for entry in missed[:20]:
        closest = max(unmatched, key=lambda t: SequenceMatcher(None, entry, t).ratio(), default="")
        diffs.append((entry, closest))
    return same, aside, placed, diffs


def demo_sets() -> dict[str, list[Reference]]:
    """The offline demo works as parsed, with full journal titles, and with the journal as an abbreviation only."""
    from refkit import journals
    from refkit.format import load_library

    works = load_library([ROOT / "data" / "articles"]).works
    full, abbrev = [], []
    for ref in works:
        journal = journals.lookup(ref.container_title) if ref.container_title else None
        if ref.type == "article-journal" and journal is not None:
            printed = ref.container_title_short or ref.container_title
            full.append(ref.replace(container_title=journal.title, container_title_short=printed))
        else:
            full.append(ref)
        if ref.type == "article-journal" and ref.container_title:
            abbrev.append(ref.replace(container_title=None, container_title_short=ref.container_title))
        else:
            abbrev.append(ref)
    return {"demo": works, "demo+full": full, "demo+abbrev": abbrev}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "crossref")
    parser.add_argument("--styles", nargs="+", default=STYLES)
    parser.add_argument("--show", type=int, default=3, help="differences to print per set and style")
    parser.add_argument("--sets", nargs="+", default=["demo", "demo+full", "demo+abbrev", "crossref"])
    args = parser.parse_args()
    if shutil.which("node") is None or not (RENDER.parent / "node_modules" / "citeproc").is_dir():
        print("needs Node and citeproc-js: npm ci --prefix tests/js", file=sys.stderr)
        return 1
    wanted = set(args.sets)
    demo = wanted & {"demo", "demo+full", "demo+abbrev"}
    sets = {k: v for k, v in demo_sets().items() if k in wanted} if demo else {}
    if "crossref" in args.sets:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from export_roundtrip import load

        records = load(args.data)
        if not records:
            print(f"no Crossref records under {args.data} (needs ../shared/data/crossref)", file=sys.stderr)
        else:
            sets["crossref"] = records
    total_same = total = 0
    print(f"  {'style':32s} {'agree':>11s} {'share':>7s}  {'NLM hyphen aside':>16s}  {'in place':>8s}")
    for name, refs in sets.items():
        print(f"{name}: {len(refs)} works")
        for style in args.styles:
            start = time.perf_counter()
            same, aside, placed, diffs = compare(refs, style)
            seconds = time.perf_counter() - start
            total_same += same
            total += len(refs)
            print(
                f"  {style:32s} {same:5d}/{len(refs):<5d} {same / len(refs):7.2%}  {aside / len(refs):16.2%}"
                f"  {placed / len(refs):8.2%}  {seconds:5.1f} s"
            )
            for mine, theirs in diffs[: args.show]:
                print(f"      refkit:      {mine}\n      citeproc-js: {theirs}")
    print(f"all: {total_same}/{total} entries agree ({total_same / max(total, 1):.2%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
