"""Accuracy and speed of refkit.journals.

Prints (a) the verdict on every journal name cited in the seed articles, against the expected verdict;
(b) how often real, correctly written journal names (Crossref ``container-title`` / ``short-container-title``,
PLOS JATS ``<source>`` of journal citations) are wrongly flagged as translations, unknown or nonstandard;
(c) load time, memory and lookups per second.

Usage::

    python bench/journal_accuracy.py [--data /work/shared/data] [--examples 15]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import time
from pathlib import Path

from lxml import etree

# Run from a checkout without installing: the package is next to this folder.
_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))

_LOAD_PROBE = """
import re, time
# Timing without tracemalloc (it slows allocation-heavy code several-fold); memory as resident-set growth
# (ru_maxrss would carry over the parent's peak across fork).
def rss():
    with open("/proc/self/status") as fh:
        return int(re.search(r"VmRSS:\\s+(\\d+)", fh.read()).group(1))
before = rss()
start = time.perf_counter()
from refkit import journals
journals.lookup("Cutis")
load = time.perf_counter() - start
loaded = rss()
start = time.perf_counter()
journals.check("Z Skinkr")
first = time.perf_counter() - start
after = rss()
print(f"load (import + first lookup): {load:.2f} s, +{(loaded - before) / 1024:.0f} MiB RSS; first "
      f"translation check (builds its index): {first:.2f} s, +{(after - loaded) / 1024:.0f} MiB RSS")
"""

# Seed names (the two encyclopedia articles) -> (expected status, expected standard form).
SEEDS: list[tuple[str, str, str]] = [
    ("Cutis", "standard", "Cutis"),
    ("Acta Derm Venereol", "standard", "Acta Derm Venereol"),
    ("J Am Acad Dermatol", "standard", "J Am Acad Dermatol"),
    ("Pediatric Dermatol", "nonstandard", "Pediatr Dermatol"),
    ("Dermatology", "standard", "Dermatology"),
    ("Z Skinkr", "translation", "Z Hautkr"),
    ("J Eur Acad Dermatol Venereol", "standard", "J Eur Acad Dermatol Venereol"),
    ("J Clin Pharm Ther", "standard", "J Clin Pharm Ther"),
    ("Dermatologist", "translation", "Hautarzt"),
    ("dermatologist", "translation", "Hautarzt"),
    ("Int J Dermatol", "standard", "Int J Dermatol"),
    ("Actas Dermosifiliogr", "standard", "Actas Dermosifiliogr"),
]


def crossref_names(folder: Path) -> list[tuple[str, str, str]]:
    """(name, field, work type) for every container title in the recorded Crossref work records."""
    out = []
    for path in sorted(folder.glob("work*/*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message", {})
        items = message.get("items", [message]) if isinstance(message, dict) else []
        for item in items:
            if not isinstance(item, dict):
                continue
            for field in ("container-title", "short-container-title"):
                for name in item.get(field) or []:
                    out.append((name, field, item.get("type", "?")))
    return out


def plos_names(folder: Path) -> list[tuple[str, str, str]]:
    """(name, "source", publication type) for every <source> in the PLOS mixed citations."""
    out = []
    for path in sorted(folder.glob("*.xml")):
        tree = etree.parse(str(path))
        for citation in tree.iter("mixed-citation"):
            kind = citation.get("publication-type", "?")
            for source in citation.iter("source"):
                name = " ".join("".join(source.itertext()).split())
                if name:
                    out.append((name, "source", kind))
    return out


def report_seeds() -> int:
    from refkit import journals

    print("(a) seed journal names")
    wrong = 0
    for name, status, form in SEEDS:
        verdict = journals.check(name)
        got_form = verdict.suggestion if verdict.status != "standard" else verdict.journal.abbreviation
        ok = verdict.status == status and got_form == form
        wrong += not ok
        print(f"  {'ok ' if ok else 'BAD'} {name!r:32} {verdict.status:12} -> {got_form!r}")
    print(f"  {len(SEEDS) - wrong}/{len(SEEDS)} as expected")
    return wrong


def report_false_positives(names: list[tuple[str, str, str]], label: str, examples: int) -> None:
    from refkit import journals

    journal_types = {"journal-article", "journal"}
    print(f"\n(b) {label}: {len(names)} names, {len({n for n, _, _ in names})} distinct")
    for subset, rows in (
        ("journal articles", [r for r in names if r[2] in journal_types]),
        ("all types", names),
    ):
        counts: collections.Counter[str] = collections.Counter()
        shown: dict[str, dict[str, None]] = collections.defaultdict(dict)
        for name, _field, _ in rows:
            verdict = journals.check(name, candidates=False)
            counts[verdict.status] += 1
            if verdict.status != "standard":
                detail = f"{name} -> {verdict.suggestion}" if verdict.journal is not None else name
                shown[verdict.status][detail] = None
        total = len(rows) or 1
        print(f"  {subset} ({len(rows)} names):")
        for status in ("standard", "nonstandard", "translation", "unknown"):
            print(f"    {status:12} {counts[status]:6}  {counts[status] / total:7.2%}")
        if subset == "journal articles":
            for status in ("translation", "nonstandard", "unknown"):
                if shown[status]:
                    print(f"    e.g. {status}: " + "; ".join(list(shown[status])[:examples]))


def report_speed(names: list[str]) -> None:
    import refkit.journals as journals

    print("\n(c) speed and memory")
    # Load in a fresh interpreter: this one has loaded the data already.
    probe = subprocess.run([sys.executable, "-c", _LOAD_PROBE], capture_output=True, text=True, check=True, cwd=_ROOT)
    print("  " + probe.stdout.strip())
    sample = [n for n in names if n]
    random.Random(1).shuffle(sample)
    sample = (sample * (100_000 // max(len(sample), 1) + 1))[:100_000]
    for label, func in (
        ("lookup", journals.lookup),
        ("is_standard", journals.is_standard),
        ("same_journal", lambda n: journals.same_journal(n, "J Am Acad Dermatol")),
    ):
        start = time.perf_counter()
        for name in sample:
            func(name)
        elapsed = time.perf_counter() - start
        print(f"  {label:13} {len(sample) / elapsed:12,.0f} /s")
    few = sample[:300]
    for label, func in (
        ("check", lambda n: journals.check(n, candidates=False)),
        ("suggest", journals.suggest),
    ):
        start = time.perf_counter()
        for name in few:
            func(name)
        elapsed = time.perf_counter() - start
        print(f"  {label:13} {len(few) / elapsed:12,.0f} /s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--examples", type=int, default=15)
    args = parser.parse_args()
    wrong = report_seeds()
    crossref = crossref_names(args.data / "crossref")
    plos = plos_names(args.data / "parse" / "plos")
    report_false_positives(crossref, "Crossref container titles", args.examples)
    report_false_positives(plos, "PLOS JATS <source>", args.examples)
    report_speed([n for n, _, _ in crossref + plos])
    if wrong:
        raise SystemExit(f"{wrong} seed name(s) misclassified")


if __name__ == "__main__":
    main()
