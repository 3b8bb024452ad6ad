"""De-duplication speed: 10,000, 30,000 and 100,000 citations, seconds, pairs compared and peak memory.

Citations are real Crossref records (``crossref/**``) and their deposited references, as parsed References:
each record is cited one to three times with the defects of real lists (year off by one, pages or volume dropped,
journal abbreviated, a typo in the title); each further copy of the set is another set of works (surnames with
shifted letters, titles with a numbered suffix), so that 100,000 citations hold about 50,000 distinct works with
realistic block sizes. Target: 100,000 in
<= 60 s and <= 2 GB, growth close to linear.

Usage::

    python bench/dedupe_speed.py [--data /work/shared/data/crossref] [--sizes 10000 30000 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

from refkit.dedupe import candidate_pairs, dedupe
from refkit.model import Person, Reference
from refkit.registry import to_reference


def load(folder: Path) -> list[Reference]:
    refs: dict[str, Reference] = {}
    for path in sorted(folder.glob("**/*.json")):
        try:
            message = json.loads(path.read_text(encoding="utf-8")).get("message")
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if not isinstance(message, dict):
            continue
        for record in message.get("items", [message]) if "items" in message else [message]:
            if not isinstance(record, dict):
                continue
            ref = to_reference(record)
            if ref.title and ref.author:
                refs[record["DOI"].lower()] = ref.replace(doi=None)
            for cited in record.get("reference") or ():
                title = cited.get("article-title") or cited.get("volume-title")
                if title and cited.get("author") and cited.get("year", "").isdigit():
                    refs[str(cited.get("DOI") or cited.get("key"))] = Reference(
                        raw=cited.get("unstructured") or title,
                        author=(Person(str(cited["author"]).split()[-1]),),
                        issued=(int(cited["year"]),),
                        title=title,
                        container_title=cited.get("journal-title"),
                        volume=cited.get("volume"),
                        page=cited.get("first-page"),
                    )
    return list(refs.values())


def citations(works: list[Reference], count: int, rng: random.Random) -> list[Reference]:
    out: list[Reference] = []
    copy = 0
    while len(out) < count:
        for work in works:
            # each copy of the set is another set of works: same shapes, other names and titles
            base = work if copy == 0 else _copy(work, copy)
            for _ in range(rng.choice((1, 1, 2, 3))):
                ref = base
                if ref.year and rng.random() < 0.15:
                    ref = ref.replace(issued=(ref.year - 1,))
                if rng.random() < 0.2:
                    ref = ref.replace(page=None, volume=None)
                if ref.title and rng.random() < 0.1:
                    at = rng.randrange(len(ref.title))
                    ref = ref.replace(title=ref.title[:at] + ref.title[at + 1 :])
                out.append(ref)
                if len(out) >= count:
                    return out
        copy += 1
    return out


def _copy(work: Reference, copy: int) -> Reference:
    """Another work of the same shape: the first author's surname has its letters shifted (so it neither agrees
    with the original's nor shares its blocks, while blocks keep their sizes) and the title a numbered suffix, in
    the fields and in the raw text alike (the raw text is compared too)."""
    family, title = work.author[0].family or "", work.title or ""
    new_family = "".join(_shift(c, copy) for c in family)
    new_title = f"{title} {copy}"
    raw = work.raw.replace(title, new_title, 1) if title and title in work.raw else f"{work.raw} {copy}"
    return work.replace(
        raw=raw.replace(family, new_family, 1) if family else raw,
        title=new_title,
        author=(Person(new_family), *work.author[1:]),
    )


def _shift(c: str, by: int) -> str:
    if "a" <= c <= "z":
        return chr((ord(c) - 97 + by) % 26 + 97)
    if "A" <= c <= "Z":
        return chr((ord(c) - 65 + by) % 26 + 65)
    return c


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/crossref"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    args = parser.parse_args()
    works = load(args.data)
    if not works:
        print(f"no Crossref records under {args.data}", file=sys.stderr)
        return 1
    print(f"{len(works)} distinct works from {args.data}")
    dedupe(works[:50])  # load the journal index once, outside the timings
    print(f"{'citations':>10s} {'works':>8s} {'pairs':>10s} {'seconds':>8s} {'us/cite':>8s} {'peak RSS MB':>12s}")
    for size in sorted(args.sizes):
        refs = citations(works, size, random.Random(size))
        pairs = len(candidate_pairs(refs))
        start = time.perf_counter()
        clusters = dedupe(refs)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size:10d} {len(clusters):8d} {pairs:10d} {seconds:8.2f} {seconds / size * 1e6:8.1f} {peak:12.0f}")
    print("target: 100,000 in <= 60 s and <= 2 GB (peak RSS of the whole process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
