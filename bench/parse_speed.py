"""Throughput and peak memory of the CRF reference parser on one core.

Parses 10,000 strings (the held-out test strings, repeated) with ``CRFParser.parse_many`` and prints
references per second, the peak resident set size of the parsing process (``resource.getrusage``, which
includes the Python interpreter, the loaded model, the input strings and the results) and the model file's
size.

Each run is a fresh process pinned to one core, so it starts cold as a user's process does (model not yet
opened, no cached token features). A shared machine's speed drifts from one minute to the next, so the script
makes several runs one after the other, prints each, and compares their median with the goal.

Usage::

    python bench/parse_speed.py [--data ../shared/data] [--n 10000] [--runs 5] [--model PATH]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from refkit.parse.corpus import load_all
from refkit.parse.crf import CRFParser, default_model_path

GOALS = {"refs_per_s": 2000, "peak_mb": 500, "model_mb": 20}
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _test_texts(data: Path) -> list[str]:
    return [e.text for e in load_all(data, springer_fraction=0) if e.split == "test"]


def _run(strings: list[str], model: Path | None) -> tuple[float, float]:
    """One timed run (in a fresh process): seconds to parse ``strings`` and the process's peak RSS in MB."""
    if hasattr(os, "sched_setaffinity"):
        # One core, as the goal states (the machine is shared).
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    parser = CRFParser.load(model)
    parser.parse(strings[0])  # open the model before timing
    t0 = time.perf_counter()
    refs = parser.parse_many(strings)
    elapsed = time.perf_counter() - t0
    assert len(refs) == len(strings)
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data root holding parse/ (default ../shared/data)")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5, help="timed runs, each in a fresh process (default 5)")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.n < 1:
        ap.error("--runs and --n must be positive")
    if not (args.data / "parse").is_dir():
        print(f"needs the labelled reference corpora under {args.data / 'parse'} (see --data)", file=sys.stderr)
        return 2
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        texts = pool.apply(_test_texts, (args.data,))
    strings = (texts * (args.n // len(texts) + 1))[: args.n]
    rates: list[float] = []
    peak_mb = 0.0
    for k in range(args.runs):
        # maxtasksperchild=1: every run starts in a new interpreter.
        with context.Pool(1, maxtasksperchild=1) as pool:
            elapsed, peak = pool.apply(_run, (strings, args.model))
        rates.append(len(strings) / elapsed)
        peak_mb = max(peak_mb, peak)
        print(f"run {k + 1}: {len(strings)} strings in {elapsed:.2f} s = {rates[-1]:.0f} references/s", flush=True)
    model_mb = (args.model or default_model_path()).stat().st_size / 1e6
    chars = sum(len(s) for s in strings) / len(strings)
    print(f"strings: {len(strings)} (mean {chars:.0f} chars), one core per run, {args.runs} runs")
    print(
        f"references/s: median {statistics.median(rates):.0f} (runs {min(rates):.0f} to {max(rates):.0f}) "
        f"(goal >= {GOALS['refs_per_s']})"
    )
    print(f"peak RSS: {peak_mb:.0f} MB (interpreter + model + strings + results) (goal <= {GOALS['peak_mb']})")
    print(f"model file: {model_mb:.1f} MB (goal <= {GOALS['model_mb']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
