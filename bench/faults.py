"""Registry faults against a whole ``refkit run``: exit code, time, requests, and how every reference ended.

The local Crossref test server (``refkit.testing.CrossrefServer`` on the recorded records of ``tests/data/crossref``)
answers a realistic run: the demo articles of ``data/articles`` plus a generated list of about 100 references
rendered from the server's records (half with the DOI written, some with a written DOI that is not registered,
some made up). For each fault the CLI runs in a subprocess against the server's URL with a fresh ``--cache``, then
again without the fault on the same cache (the warm rerun), which must complete what the first run left undone.

Printed per fault: exit code (README "Exit codes": 0 done, 5 Crossref could not be reached or kept failing), wall
time, requests the server saw (and how many failed), the references matched, unmatched, ambiguous and unverified,
the written DOIs left unchecked, and for the rerun its exit code, time, requests and unverified count. For the
persistent faults, the time from the first failed request to the last request sent: refkit must give up within
60 s of the first sign.

Usage::

    python bench/faults.py                 # every fault (about 4 minutes)
    python bench/faults.py --fault reset --fault persistent-503

Exit status 1 when a rerun leaves references unverified or a persistent fault is not given up within 60 s.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refkit.testing import CrossrefServer

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 2.0  # seconds per request given to the client: the hang fault holds requests longer
RATE = 20.0  # the client's search and single-record rates (the polite pool's 3/s would make each run a minute)


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    arm: Callable[[CrossrefServer], None]
    persistent: bool = False


FAULTS = [
    Fault("none", "no fault", lambda s: None),
    Fault("429-retry-after", "next 30 requests 429, Retry-After: 1", lambda s: s.fail(429, times=30, retry_after=1)),
    Fault("429-bare", "next 30 requests 429 without Retry-After", lambda s: s.fail(429, times=30)),
    Fault("503", "next 30 requests 503", lambda s: s.fail(503, times=30)),
    Fault("500", "next 30 requests 500", lambda s: s.fail(500, times=30)),
    Fault("hang", f"next 6 requests held 8 s (time-out {TIMEOUT:g} s)", lambda s: s.hang(8.0, times=6)),
    Fault("malformed", "next 20 answers truncated JSON", lambda s: s.malformed(times=20)),
    Fault("reset", "next 20 connections reset, no answer", lambda s: s.connection_reset(times=20)),
    Fault(
        "rate-limit",
        f"server allows 4 searches/s, 8 records/s (client asks {RATE:g}/s)",
        lambda s: s.rate_limit(list=4, single=8, window=1.0),
    ),
    Fault("persistent-503", "every request 503", lambda s: s.fail(503, times=10**9), persistent=True),
    Fault(
        "persistent-429",
        "every request 429, Retry-After: 1",
        lambda s: s.fail(429, times=10**9, retry_after=1),
        persistent=True,
    ),
    Fault("persistent-reset", "every connection reset", lambda s: s.connection_reset(times=10**9), persistent=True),
    Fault("persistent-hang", "every request held 30 s", lambda s: s.hang(30.0, times=10**9), persistent=True),
]


def _initials(given: str) -> str:
    return "".join(part[0] for part in given.replace("-", " ").split() if part[:1].isalpha())


def render(record: dict[str, Any]) -> str | None:
    """A reference string in a common biomedical style from a Crossref record, or None if it lacks the parts."""
    people = [p for p in record.get("author") or [] if p.get("family")]
    title = (record.get("title") or [None])[0]
    journal = (record.get("short-container-title") or record.get("container-title") or [None])[0]
    parts = (record.get("issued") or {}).get("date-parts") or [[None]]
    year = parts[0][0] if parts and parts[0] else None
    if not (people and title and journal and year):
        return None
    names = ", ".join(f"{p['family']} {_initials(p.get('given', ''))}".strip() for p in people[:3])
    if len(people) > 3:
        names += " et al"
    where = f"{record.get('volume', '')}:{record.get('page', '')}".strip(":")
    return f"{names} ({year}) {title}. {journal} {where}".strip()


def generated_article(server: CrossrefServer, n: int = 100, seed: int = 7) -> tuple[str, int, int]:
    """A reference list of ``n`` items: (text, written DOIs that exist, written DOIs that do not)."""
    rng = random.Random(seed)
    rendered = [(doi, render(server.get(doi) or {})) for doi in server.dois]
    usable = [(doi, text) for doi, text in rendered if text]
    rng.shuffle(usable)
    items = []
    written = missing = 0
    for k in range(n):
        if k % 10 == 9:
            # a made-up reference with a DOI nobody registered
            items.append(
                f"Nobody{k} A, Nowhere B ({2000 + k % 20}) An unregistered study number {k} of calcified skin. "
                f"J Imag Derm {k}:{k}-{k + 4}. doi:10.5555/refkit-bench-missing-{k}"
            )
            missing += 1
            continue
        doi, text = usable[k % len(usable)]
        if k % 2 == 0:
            items.append(f"{text}. doi:{doi}")
            written += 1
        else:
            items.append(text)
    body = "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    return f"A generated article\n\nReferences\n{body}\n", written, missing


@dataclass
class Outcome:
    code: int
    seconds: float
    requests: int
    failed_requests: int
    statuses: Counter[str]
    unchecked: int
    give_up: float | None


def run_cli(server: CrossrefServer, inputs: list[Path], out: Path, cache: Path) -> tuple[int, float, str]:
    command = [
        sys.executable,
        "-m",
        "refkit",
        "run",
        *map(str, inputs),
        "-o",
        str(out),
        "--crossref-url",
        server.url,
        "--cache",
        str(cache),
        "--mailto",
        "bench@example.org",
        "--no-progress",
        "--timeout",
        str(TIMEOUT),
        "--search-rate",
        str(RATE),
        "--single-rate",
        str(RATE),
    ]
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=REPO)
    return done.returncode, time.monotonic() - began, done.stderr


def outcome(server: CrossrefServer, out: Path, code: int, seconds: float) -> Outcome:
    server.wait_idle(5.0)
    log = server.log
    failed = [e for e in log if e.fault or e.status not in (200, 404)]
    statuses: Counter[str] = Counter()
    unchecked = 0
    audit = out / "audit.json"
    if audit.exists():
        for work in json.loads(audit.read_text(encoding="utf-8"))["works"]:
            for cit in work["citations"]:
                match = cit.get("match") or {}
                statuses[match.get("status") or "unverified"] += 1
                unchecked += match.get("written_doi_status") == "unchecked"
    give_up = None
    if failed:
        # the first sign of trouble to the last request sent: what a persistent fault costs before refkit stops
        give_up = log[-1].time - failed[0].time
    return Outcome(code, seconds, len(log), len(failed), statuses, unchecked, give_up)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault", action="append", choices=[f.name for f in FAULTS], help="fault to run (repeatable)")
    parser.add_argument("--records", type=Path, default=REPO / "tests" / "data" / "crossref")
    args = parser.parse_args(argv)
    faults = [f for f in FAULTS if not args.fault or f.name in args.fault]
    articles = sorted((REPO / "data" / "articles").glob("*.txt"))
    failed = False
    with CrossrefServer.from_paths(args.records) as server, tempfile.TemporaryDirectory() as tmp:
        text, written, missing = generated_article(server)
        generated = Path(tmp) / "generated.txt"
        generated.write_text(text, encoding="utf-8")
        inputs = [*articles, generated]
        print(
            f"{len(server)} records served; inputs: {len(articles)} demo articles + a generated list of 100 references "
            f"({written} with a registered DOI written, {missing} with an unregistered one); client time-out "
            f"{TIMEOUT:g} s, {RATE:g} requests/s"
        )
        head = (
            f"{'fault':<17} {'exit':>4} {'time s':>7} {'requests':>8} {'failed':>6} {'matched':>7} {'unmatch':>7} "
            f"{'ambig':>5} {'unverif':>7} {'DOI unchecked':>13} {'gave up s':>9} | {'rerun exit':>10} {'time s':>6} "
            f"{'requests':>8} {'unverif':>7}"
        )
        print(head)
        print("-" * len(head))
        for fault in faults:
            case = Path(tmp) / fault.name
            case.mkdir()
            cache = case / "cache.sqlite"
            server.reset()
            server.wait_idle(5.0)
            server.clear_log()
            fault.arm(server)
            code, seconds, err = run_cli(server, inputs, case / "out", cache)
            first = outcome(server, case / "out", code, seconds)
            server.reset()  # the fault ends; a request still held is released
            server.wait_idle(5.0)
            server.clear_log()
            code2, seconds2, err2 = run_cli(server, inputs, case / "out", cache)
            warm = outcome(server, case / "out", code2, seconds2)
            s = first.statuses
            gave_up = f"{first.give_up:.1f}" if fault.persistent and first.give_up is not None else "-"
            print(
                f"{fault.name:<17} {first.code:>4} {first.seconds:>7.1f} {first.requests:>8} "
                f"{first.failed_requests:>6} "
                f"{s['matched']:>7} {s['unmatched']:>7} {s['ambiguous']:>5} {s['unverified']:>7} "
                f"{first.unchecked:>13} {gave_up:>9} | {warm.code:>10} {warm.seconds:>6.1f} {warm.requests:>8} "
                f"{warm.statuses['unverified']:>7}",
                flush=True,
            )
            note = [line for line in err.splitlines() if "Crossref" in line][:1]
            if note:
                print(f"    {note[0][:200]}")
            if first.code not in (0, 3, 5):
                failed = True
                print(f"    exit {first.code} is not a documented outcome of this run: {err.strip()[-600:]}")
            if warm.statuses["unverified"] or warm.code not in (0, 1, 3):
                failed = True
                print(f"    rerun did not complete: exit {warm.code}: {err2.strip()[-300:]}")
            if fault.persistent and (first.give_up is None or first.give_up > 60):
                failed = True
                print(f"    {fault.name}: not given up within 60 s of the first failure")
        print(
            "\nexit: 0 done, 5 Crossref could not be reached or kept failing (outputs written, references unverified); "
            "gave up s: first failed request to the last request sent; DOI unchecked: written DOIs not looked up"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
