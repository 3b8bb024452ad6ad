"""Throughput and peak memory of the CRF reference parser on one core.

Parses 10,000 strings (the held-out test strings, repeated) with ``CRFParser.parse_many`` and prints
references per second, the peak resident set size of the process (``resource.getrusage``, which includes
the Python interpreter, the loaded model and the results; the test strings are read in a
child process) and the model file's size.

Usage::

    taskset -c 0 python bench/parse_speed.py --data /work/shared/data [--n 10000] [--model PATH]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
from pathlib import Path

from refkit.parse.corpus import load_all
from refkit.parse.crf import CRFParser, default_model_path

GOALS = {"refs_per_s": 2000, "peak_mb": 500, "model_mb": 20}


def _test_texts(data: Path) -> list[str]:
    return [e.text for e in load_all(data, springer_fraction=0) if e.split == "test"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        # One core, as the goal states (the machine is shared).
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    # The corpus is read in a child process so that its memory does not count in this one's peak.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        texts = pool.apply(_test_texts, (args.data,))
    strings = (texts * (args.n // len(texts) + 1))[: args.n]
    parser = CRFParser.load(args.model)
    parser.parse(strings[0])  # open the model before timing
    t0 = time.perf_counter()
    refs = parser.parse_many(strings)
    elapsed = time.perf_counter() - t0
    assert len(refs) == len(strings)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model_mb = (args.model or default_model_path()).stat().st_size / 1e6
    rate = len(strings) / elapsed
    chars = sum(len(s) for s in strings) / len(strings)
    print(f"parsed {len(strings)} strings (mean {chars:.0f} chars) in {elapsed:.2f} s on one core")
    print(f"references/s: {rate:.0f} (goal >= {GOALS['refs_per_s']})")
    print(f"peak RSS: {peak_mb:.0f} MB (interpreter + model + 10,000 results) (goal <= {GOALS['peak_mb']})")
    print(f"model file: {model_mb:.1f} MB (goal <= {GOALS['model_mb']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
