"""Reference extraction from PDF articles: refkit against refextract, on real PDFs with printed gold strings.

For each set of ``DATA/<set>/`` (``gold.jsonl`` and the PDFs it names) and each extractor it prints:

- recall and precision of the reference strings: a leading label ("[12]", "12.") is stripped, the strings are
  normalised (NFKC, accents folded, lower case, letters and digits only), and a predicted string counts as found
  when its rapidfuzz ``fuzz.ratio`` with a not yet matched gold string of the same PDF is >= 90, best pairs first;
- whole-string exact rate: found strings equal to their gold string after label stripping, NFKC and white space
  collapsed (the quotes that wrap some SSOAR gold strings removed), over the gold count;
- field F1 of refkit's parser (:func:`refkit.parse.parse_citations`) on the extracted strings against the gold
  ``fields`` (authors' family names, year, title, container title, volume, issue, first and last page, DOI, each
  compared letters and digits only; a gold reference that was not found counts as missed fields), and the same
  parser on the gold strings themselves ("F1 gold"), so the loss due to extraction shows;
- pages per second (wall time of the extraction calls, one process per set and extractor) and peak memory (the
  process's maximum resident set).

refextract (``pip install refextract==1.1.7``; it calls poppler's ``pdftotext``) is scored on its
``extract_references_from_file`` output, its consecutive items with the same line marker merged into one (an
item repeated word for word is kept once).

Usage::

    python bench/pdf_extract.py [--data ../shared/data/pdf] [--sets hindawi,bmc] [--no-refextract] [--misses 5]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "pdf"
SETS = ("hindawi", "bmc", "oa_misc", "ssoar_en", "ssoar_de")
TARGETS = {
    "hindawi": {"recall": 0.98, "precision": 0.98, "exact": 0.90},
    "bmc": {"recall": 0.98, "precision": 0.98, "exact": 0.90},
    "ssoar_en": {"recall": 0.95, "precision": 0.95},
    "ssoar_de": {"recall": 0.95, "precision": 0.95},
}
FIELDS = ("author", "year", "title", "container", "volume", "issue", "fpage", "lpage", "doi")
_LABEL = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)]?)\s+")


def norm(text: str) -> str:
    """Letters and digits only, lower case, accents folded (the matching key)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "".join(c for c in text if c.isalnum())


def exact_key(text: str) -> str:
    text = _LABEL.sub("", unicodedata.normalize("NFKC", text))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def load_gold(folder: Path) -> dict[str, list[dict]]:
    gold: dict[str, list[dict]] = defaultdict(list)
    with open(folder / "gold.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            gold[item["doc"]].append(item)
    return gold


# --------------------------------------------------------------------------- the worker (one process per run)


def run_worker(tool: str, folder: Path, docs: list[str]) -> dict:
    """Extract every PDF of a set with one tool; strings, pages and time per document, peak memory at the end."""
    import resource

    import pypdfium2 as pdfium

    out: dict = {"docs": {}, "seconds": 0.0, "pages": 0, "errors": []}
    if tool == "refkit":
        from refkit.errors import InputError
        from refkit.extract import extract

        def strings(path: Path) -> list[str]:
            try:
                return [c.raw for c in extract(path)]
            except InputError as exc:
                out["errors"].append(str(exc))
                return []
    else:
        from refextract import extract_references_from_file

        def strings(path: Path) -> list[str]:
            merged: list[tuple[str, str]] = []
            for item in extract_references_from_file(str(path)):
                raw = " ".join(item.get("raw_ref") or [])
                marker = " ".join(item.get("linemarker") or [])
                if merged and marker and merged[-1][0] == marker:
                    # refextract repeats an item once per identifier it found in it; parts are joined
                    if raw not in merged[-1][1]:
                        merged[-1] = (marker, merged[-1][1] + " " + raw)
                else:
                    merged.append((marker, raw))
            return [raw for _, raw in merged]

    for doc in docs:
        path = folder / f"{doc}.pdf"
        pdf = pdfium.PdfDocument(str(path))
        out["pages"] += len(pdf)
        pdf.close()
        start = time.perf_counter()
        out["docs"][doc] = strings(path)
        out["seconds"] += time.perf_counter() - start
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


# --------------------------------------------------------------------------- scoring


def pair(gold: list[str], predicted: list[str]) -> list[tuple[int, int]]:
    """Best pairs first, each string used once, similarity >= 90."""
    from rapidfuzz import fuzz

    g = [norm(_LABEL.sub("", s)) for s in gold]
    p = [norm(_LABEL.sub("", s)) for s in predicted]
    scored = []
    for i, gs in enumerate(g):
        for j, ps in enumerate(p):
            score = fuzz.ratio(gs, ps, score_cutoff=90)
            if score:
                scored.append((score, i, j))
    scored.sort(key=lambda t: -t[0])
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, i, j in scored:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            out.append((i, j))
    return out


def gold_fields(fields: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    names = [a.get("surname") or a.get("text") or "" for a in fields.get("authors") or [] if isinstance(a, dict)]
    if names:
        out["author"] = [n for n in (norm(x) for x in names) if n]
    year = fields.get("year")
    if isinstance(year, list):
        year = year[0] if year else None
    simple = {
        "year": year,
        "title": fields.get("title"),
        "container": fields.get("source"),
        "volume": fields.get("volume"),
        "issue": fields.get("issue"),
        "fpage": fields.get("fpage"),
        "lpage": fields.get("lpage"),
        "doi": fields.get("doi"),
    }
    for key, value in simple.items():
        if isinstance(value, str) and norm(value):
            out[key] = [norm(value)]
    return out


def ref_fields(ref) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    names = [p.family or p.literal or "" for p in ref.author]
    if names:
        out["author"] = [n for n in (norm(x) for x in names) if n]
    first = last = None
    if ref.page:
        bits = re.split(r"\s*[-\u2013\u2014]\s*", ref.page)
        first, last = bits[0], (bits[1] if len(bits) > 1 else None)
    simple = {
        "year": str(ref.year) if ref.year else None,
        "title": ref.title,
        "container": ref.container_title,
        "volume": ref.volume,
        "issue": ref.issue,
        "fpage": first,
        "lpage": last,
        "doi": ref.doi,
    }
    for key, value in simple.items():
        if value and norm(value):
            out[key] = [norm(value)]
    return out


def f1(pairs: list[tuple[dict, dict | None]]) -> float:
    """Micro F1 over FIELDS; ``None`` predictions (reference not found) miss every gold field."""
    from collections import Counter

    tp = fp = fn = 0
    for gold, pred in pairs:
        for key in FIELDS:
            g = Counter(gold.get(key, ()))
            p = Counter((pred or {}).get(key, ()))
            if not g:
                continue  # fields the gold does not state are not scored
            common = sum((g & p).values())
            tp += common
            fp += sum(p.values()) - common
            fn += sum(g.values()) - common
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(gold: dict[str, list[dict]], result: dict, misses: int, label: str) -> dict:
    from refkit.model import Citation
    from refkit.parse import parse_citations

    n_gold = n_pred = found = exact = 0
    field_pairs: list[tuple[dict, str | None]] = []
    shown = 0
    for doc, items in gold.items():
        g = [item["raw"] for item in items]
        p = result["docs"].get(doc, [])
        pairs = pair(g, p)
        n_gold += len(g)
        n_pred += len(p)
        found += len(pairs)
        by_gold = dict(pairs)
        for i, j in pairs:
            exact += exact_key(g[i]) == exact_key(p[j])
        for i, item in enumerate(items):
            if item.get("fields"):
                field_pairs.append((item, p[by_gold[i]] if i in by_gold else None))
        if misses and shown < misses:
            matched_p = {j for _, j in pairs}
            for i, s in enumerate(g):
                if i not in by_gold and shown < misses:
                    print(f"   [{label}] missed {doc}: {s[:150]}")
                    shown += 1
            for j, s in enumerate(p):
                if j not in matched_p and shown < misses:
                    print(f"   [{label}] extra  {doc}: {s[:150]}")
                    shown += 1
    strings = [s for _, s in field_pairs if s is not None]
    parsed = iter(parse_citations([Citation(s) for s in strings]))
    ours = [
        (gold_fields(item["fields"]), ref_fields(next(parsed)) if s is not None else None) for item, s in field_pairs
    ]
    gold_parsed = parse_citations([Citation(exact_key(item["raw"])) for item, _ in field_pairs])
    theirs = [
        (gold_fields(item["fields"]), ref_fields(ref)) for (item, _), ref in zip(field_pairs, gold_parsed, strict=True)
    ]
    return {
        "gold": n_gold,
        "pred": n_pred,
        "recall": found / n_gold if n_gold else 0.0,
        "precision": found / n_pred if n_pred else 0.0,
        "exact": exact / n_gold if n_gold else 0.0,
        "f1": f1(ours) if field_pairs else float("nan"),
        "f1_gold": f1(theirs) if field_pairs else float("nan"),
        "pps": result["pages"] / result["seconds"] if result["seconds"] else 0.0,
        "pages": result["pages"],
        "peak_mb": result["peak_mb"],
        "errors": result["errors"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with one sub-folder per set")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-refextract", action="store_true", help="score refkit only")
    ap.add_argument("--misses", type=int, default=0, help="print up to N missed/extra strings per set and tool")
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "SET"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(
            f"{args.data}: not found. This bench needs the PDF sets (one folder per set with gold.jsonl and the PDFs "
            "it names: hindawi, bmc, oa_misc, ssoar_en, ssoar_de); pass --data FOLDER.",
            file=sys.stderr,
        )
        return 2
    if args.worker:
        tool, name = args.worker
        folder = args.data / name
        json.dump(run_worker(tool, folder, sorted(load_gold(folder))), sys.stdout)
        return 0
    tools = ["refkit"]
    if not args.no_refextract:
        try:
            import refextract  # noqa: F401
        except ImportError:
            print(
                "refextract is not installed: pip install refextract==1.1.7 (or pass --no-refextract)", file=sys.stderr
            )
            return 2
        tools.append("refextract")
    rows = []
    failed = False
    for name in args.sets.split(","):
        folder = args.data / name
        if not (folder / "gold.jsonl").is_file():
            print(f"{folder}: no gold.jsonl; skipped", file=sys.stderr)
            continue
        gold = load_gold(folder)
        for tool in tools:
            cmd = [sys.executable, __file__, "--data", str(args.data), "--worker", tool, name]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode:
                print(f"{tool} on {name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                failed = True
                continue
            result = json.loads(proc.stdout)
            s = score(gold, result, args.misses, f"{name}/{tool}")
            rows.append((name, tool, s))
            for error in s["errors"]:
                print(f"   [{name}/{tool}] {error}", file=sys.stderr)
    print(
        f"\n{'set':<9} {'tool':<10} {'gold':>5} {'pred':>5} {'recall':>7} {'prec':>6} {'exact':>6} {'F1':>6} "
        f"{'F1 gold':>7} {'pages/s':>8} {'peak MB':>8}"
    )
    for name, tool, s in rows:
        print(
            f"{name:<9} {tool:<10} {s['gold']:>5} {s['pred']:>5} {s['recall']:>7.3f} {s['precision']:>6.3f} "
            f"{s['exact']:>6.3f} {s['f1']:>6.3f} {s['f1_gold']:>7.3f} {s['pps']:>8.1f} {s['peak_mb']:>8.0f}"
        )
    misses = []
    by = {(name, tool): s for name, tool, s in rows}
    for (name, tool), s in by.items():
        if tool != "refkit":
            continue
        for key, goal in TARGETS.get(name, {}).items():
            if s[key] < goal:
                misses.append(f"{name} {key} {s[key]:.3f} < {goal}")
        if name in ("hindawi", "bmc") and s["f1_gold"] - s["f1"] > 0.02:
            misses.append(f"{name} field F1 {s['f1']:.3f} more than 0.02 below the gold strings' {s['f1_gold']:.3f}")
        other = by.get((name, "refextract"))
        if other and (s["recall"] < other["recall"] or s["precision"] < other["precision"]):
            misses.append(f"{name}: not ahead of refextract")
    print("\nbelow target: " + ("; ".join(misses) if misses else "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
