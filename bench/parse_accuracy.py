"""Field-level accuracy of the CRF reference parser on the held-out test sets.

Prints, for each test set (PLOS held-out articles, AnyStyle held-out, GROBID corpus held-out, GROBID
evaluation), precision / recall / F1 per field and overall of the tagger's spans, whole-reference exact match, and
the 15 worst errors; the same for what ``parse()`` returns (the span-to-field step included: brackets, names,
locators), and the errors of ``parse()`` counted by class (title/journal boundary, closing bracket, a title's ?/!,
books and chapters, names, locators, non-English, DOI/URL, other) on every set; then what the parser returns for
the seed references of ``data/articles/*.txt``, field by field, scored against the fields their (regular,
Springer author-year) style states.

Field strings are compared after light normalisation (outer punctuation and white space stripped, DOIs
lower-cased without a resolver prefix): see :func:`refkit.parse.train.normalize_value`.

Usage::

    python bench/parse_accuracy.py --data /work/shared/data [--model PATH] [--worst 15]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

from refkit.model import Reference
from refkit.parse.corpus import Example, field_strings, load_all
from refkit.parse.crf import CRFParser
from refkit.parse.fields import find_doi_link, normalize_doi, parse_authors
from refkit.parse.train import SCORED, field_scores, normalize_value
from refkit.text import fold

SETS = (
    ("plos", "PLOS held-out articles"),
    ("anystyle", "AnyStyle held-out"),
    ("grobid", "GROBID corpus held-out"),
    ("grobid-eval", "GROBID evaluation"),
)
# What parse() must reach on each held-out set: field F1 and whole-reference exact match.
GOALS = {
    "plos": (0.99, 0.90),
    "anystyle": (0.97, 0.85),
    "grobid": (0.97, 0.85),
    "grobid-eval": (0.97, 0.85),
}
REPO = Path(__file__).resolve().parent.parent
_SEED_LINE = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*$")
_SEED_STYLE = re.compile(
    r"^(?P<author>.+?) \((?P<year>\d{4})\) (?P<title>.+?)\. (?P<journal>.+?) "
    r"(?:(?P<volume>\d+): ?(?P<page>\S+)|doi: (?P<doi>\S+))$"
)


def _table(name: str, scores: dict) -> None:
    print(f"\n== {name}: {scores['n']} references")
    print(f"{'field':<18}{'gold':>6}{'P':>8}{'R':>8}{'F1':>8}")
    for label in (*SCORED, "overall"):
        s = scores[label]
        gold = s["tp"] + s["fn"]
        if gold == 0 and s["fp"] == 0:
            continue
        print(f"{label:<18}{gold:>6}{s['p']:>8.3f}{s['r']:>8.3f}{s['f1']:>8.3f}")
    print(f"whole-reference exact match: {scores['exact']:.3f}")


def _errors(gold: dict, pred: dict) -> list[str]:
    out = []
    for label in SCORED:
        g = sorted(normalize_value(label, v) for v in gold.get(label, ()))
        p = sorted(normalize_value(label, v) for v in pred.get(label, ()))
        if g != p:
            out.append(f"{label}: gold {g} got {p}")
    return out


# The parsed Reference's fields, as strings comparable with the gold spans (authors by their family names).
_REFERENCE_FIELDS = {
    "title": "title",
    "container-title": "container_title",
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "edition": "edition",
    "DOI": "doi",
    "PMID": "pmid",
    "URL": "url",
    "citation-number": "citation_number",
}


def _families(spans: list[str]) -> list[str]:
    people = [p for span in spans for p in parse_authors(span)[0]]
    return [fold(p.family or p.literal or "") for p in people]


_OPENS = {")": "(", "]": "["}


def _as_printed(raw: str, value: str, *, title: bool) -> str:
    """A gold title or journal with what the corpora's token labels leave outside it, as the string prints it: the
    bracket that closes one it opened ("(Madagascar)", "Sensors (Basel)") and, for a title, its own "?" or "!"
    ("Is it lupus?"). Token labels make edge punctuation a separator; the field, as a user reads it, keeps them."""
    start = raw.find(value)
    if start < 0:
        return value
    end = start + len(value)
    while end < len(raw):
        ch = raw[end]
        closes = ch in _OPENS and value.count(_OPENS[ch]) > value.count(ch)
        asks = title and ch in "?!" and (value[-1:].isalnum() or value[-1:] in ")]?!")
        if not (closes or asks):
            break
        value += ch
        end += 1
    return value


def end_to_end(gold: dict, ref: Reference) -> tuple[dict, dict]:
    """Gold and parsed fields as comparable strings: what a user of ``parse()`` gets, span-to-field step included.

    Text fields compare the Reference's value with the gold span (a title or journal as printed: see
    :func:`_as_printed`); the year with the gold date's year; authors and editors by their family names read from
    the gold span; a gold DOI written as a doi.org link is also the URL.
    """
    g: dict[str, list[str]] = {}
    p: dict[str, list[str]] = {}
    raw = ref.raw or ""
    for label, attr in _REFERENCE_FIELDS.items():
        if gold.get(label):
            values = gold[label]
            if label in ("title", "container-title"):
                values = [_as_printed(raw, v, title=label == "title") for v in values]
            g[label] = [" ".join(values)]
        value = getattr(ref, attr)
        if value:
            p[label] = [str(value)]
    for label in ("page",):  # pages as written in the gold: "418-9", "418–9" and "418‑9" are one range
        if label in g:
            g[label] = [re.sub(r"\s*[-\u2010-\u2014\u2212]+\s*", "-", g[label][0])]
    years = [m for span in gold.get("issued", ()) for m in re.findall(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", span)]
    if years:
        g["issued"] = [years[0]]
    if ref.year:
        p["issued"] = [str(ref.year)]
    # The corpora label a doi.org link as the DOI only; refkit's convention is that a DOI written as its resolver
    # link is the DOI and, as written, the URL too, so that link is the URL expected of parse().
    link = find_doi_link(ref.raw or "") if gold.get("DOI") and not gold.get("URL") else None
    if link and normalize_value("DOI", normalize_doi(link) or "") == normalize_value("DOI", g["DOI"][0]):
        g["URL"] = [link]
    for label, attr in (("author", "author"), ("editor", "editor")):
        if gold.get(label):
            g[label] = [" | ".join(_families(gold[label]))]
        people = getattr(ref, attr)
        if people:
            p[label] = [" | ".join(fold(x.family or x.literal or "") for x in people)]
    return g, p


# Error classes, tried in order; each wrong field of a reference counts once, in the first class it fits.
CLASSES = (
    "title/journal boundary",
    "closing bracket",
    "title ?/!",
    "books, chapters, editors",
    "names",
    "locators",
    "non-English",
    "DOI/URL",
    "other",
)
_NON_ENGLISH = re.compile(
    r"[«»]|\b(?:der|die|das|und|des|les|la|le|et|pour|dans|del|los|las|della|di|il|für|über|zur|zum|im|sur|une)\b"
)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", fold(text))


def classify(raw: str, gold: dict, pred: dict) -> list[tuple[str, str]]:
    """``(class, field)`` for each field the parse got wrong."""
    wrong = [
        label
        for label in sorted(set(gold) | set(pred))
        if sorted(normalize_value(label, v) for v in gold.get(label, ()))
        != sorted(normalize_value(label, v) for v in pred.get(label, ()))
    ]
    out = []
    book = any(gold.get(k) for k in ("publisher", "editor", "edition")) or bool(re.search(r"\b(?:In|in):? ", raw))
    for label in wrong:
        g = " ".join(gold.get(label, ()))
        q = " ".join(pred.get(label, ()))
        both = "".join(gold.get("title", []) + gold.get("container-title", []))
        both_pred = "".join(pred.get("title", []) + pred.get("container-title", []))
        if label in ("title", "container-title") and both and _squash(both) == _squash(both_pred):
            out.append(("title/journal boundary", label))
        elif g.rstrip(". ").endswith((")", "]")) and q and g.rstrip(". ").startswith(q.rstrip(". ")):
            out.append(("closing bracket", label))
        elif label == "title" and g.rstrip(" .").endswith(("?", "!")) and _squash(g) == _squash(q):
            out.append(("title ?/!", label))
        elif label in ("title", "container-title", "publisher", "publisher-place", "edition", "editor") and book:
            out.append(("books, chapters, editors", label))
        elif label in ("author", "editor"):
            out.append(("names", label))
        elif label in ("volume", "issue", "page", "issued"):
            out.append(("locators", label))
        elif label in ("title", "container-title") and (_NON_ENGLISH.search(raw) or not raw.isascii()):
            out.append(("non-English", label))
        elif label in ("DOI", "URL"):
            out.append(("DOI/URL", label))
        else:
            out.append(("other", label))
    return out


#: Examples of each class of the set evaluated last (for --show).
EXAMPLES: dict[str, list[str]] = {}


def evaluate(
    parser: CRFParser, examples: list[Example], worst: int
) -> tuple[dict, list[tuple[int, str, list[str]]], dict, Counter[str]]:
    """Tagger scores (spans), worst errors, end-to-end scores (parse() output) and end-to-end errors by class."""
    pairs = []
    parsed_pairs = []
    classes: Counter[str] = Counter()
    errors: list[tuple[int, str, list[str]]] = []
    EXAMPLES.clear()
    refs = parser.parse_many([ex.text for ex in examples])
    for ex, ref in zip(examples, refs, strict=True):
        labels = [lab for _, lab, _ in parser.tag(ex.text)]
        gold = field_strings(ex.text, list(ex.tokens), list(ex.labels))
        pred = field_strings(ex.text, list(ex.tokens), labels)
        pairs.append((gold, pred))
        errs = _errors(gold, pred)
        if errs:
            errors.append((len(errs), ex.text, errs))
        g, q = end_to_end(gold, ref)
        parsed_pairs.append((g, q))
        for cls, label in classify(ex.text, g, q):
            classes[cls] += 1
            EXAMPLES.setdefault(cls, []).append(f"{ex.text}\n    {label}: gold {g.get(label)} got {q.get(label)}")
    errors.sort(key=lambda e: -e[0])
    return field_scores(pairs), errors[:worst], field_scores(parsed_pairs), classes


def seed_references() -> list[str]:
    """The numbered reference lines of the demo articles."""
    refs = []
    for path in sorted((REPO / "data" / "articles").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _SEED_LINE.match(line)
            if m and len(m.group(2)) > 40:
                refs.append(m.group(2))
    return refs


def score_seeds(parser: CRFParser) -> float:
    """Print the parsed seed references field by field; return the share of fields right."""
    right = total = 0
    print("\n== seed references (data/articles/*.txt)")
    for raw in seed_references():
        ref = parser.parse(raw)
        m = _SEED_STYLE.match(raw)
        print(f"\n{raw}\n  type {ref.type}  reference confidence {ref.confidence.get('reference')}")
        got = {
            "author": "; ".join(p.display() for p in ref.author),
            "et_al": str(ref.et_al),
            "issued": str(ref.year or ""),
            "title": ref.title or "",
            "container_title": ref.container_title or "",
            "volume": ref.volume or "",
            "page": ref.page or "",
            "doi": ref.doi or "",
        }
        want = {}
        if m:
            author = m.group("author")
            et_al = author.endswith(" et al")
            want = {
                "author": author.removesuffix(" et al"),
                "et_al": str(et_al),
                "issued": m.group("year"),
                "title": m.group("title"),
                "container_title": m.group("journal"),
                "volume": m.group("volume") or "",
                "page": m.group("page") or "",
                "doi": m.group("doi") or "",
            }
        for key, value in got.items():
            conf = ref.confidence.get(key)
            mark = ""
            if want:
                ok = value == want[key]
                right += ok
                total += 1
                mark = "ok " if ok else f"WRONG (want {want[key]!r})"
            print(f"  {key:<16}{value!r:<60} {'' if conf is None else f'{conf:.2f}':>5} {mark}")
    share = right / total if total else 0.0
    print(f"\nseed fields right: {right}/{total} = {share:.3f}")
    return share


#: Words whose label says a convention: cues of editors, containers, locators and editions, words of publishers.
CONVENTION_WORDS = (
    "in",
    "eds",
    "ed",
    "editor",
    "editors",
    "hrsg",
    "edn",
    "edition",
    "pp",
    "vol",
    "no",
    "et",
    "al",
    "press",
    "university",
    "doi",
    "suppl",
    "available",
    "accessed",
    "retrieved",
)


def conventions(examples: list[Example]) -> list[str]:
    """Where the corpora label the same word differently: for each word of :data:`CONVENTION_WORDS`, the share of
    each label per corpus, printed when the corpora's commonest labels disagree."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for ex in examples:
        if ex.source == "synthetic":
            continue
        source = "grobid" if ex.source == "grobid-eval" else ex.source
        for token, label in zip(ex.tokens, ex.labels, strict=True):
            low = token.lower()
            if low in CONVENTION_WORDS:
                counts.setdefault((low, source), Counter())[label] += 1
    lines = []
    for word in CONVENTION_WORDS:
        per_source = {s: c for (w, s), c in counts.items() if w == word and sum(c.values()) >= 5}
        tops = {s: c.most_common(1)[0][0] for s, c in per_source.items()}
        if len(set(tops.values())) > 1:
            cells = []
            for source, c in sorted(per_source.items()):
                total = sum(c.values())
                cells.append(f"{source}: " + ", ".join(f"{lab} {n / total:.0%}" for lab, n in c.most_common(3)))
            lines.append(f"{word:<12}" + "; ".join(cells))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--worst", type=int, default=15)
    ap.add_argument("--show", metavar="CLASS", help="print every parse() error of this class (e.g. locators)")
    args = ap.parse_args(argv)
    parser = CRFParser.load(args.model)
    everything = load_all(args.data, springer_fraction=0)
    examples = [e for e in everything if e.split == "test"]
    t0 = time.perf_counter()
    all_pairs_scores = {}
    worst_all: list[tuple[int, str, list[str]]] = []
    by_class: dict[str, Counter[str]] = {}
    parsed_scores: dict[str, dict] = {}
    for source, name in SETS:
        subset = [e for e in examples if e.source == source]
        scores, worst, parsed, classes = evaluate(parser, subset, args.worst)
        all_pairs_scores[source] = scores
        parsed_scores[source] = parsed
        by_class[source] = classes
        if args.show:
            print(f"\n== {args.show} errors in {name}")
            print("\n".join(EXAMPLES.get(args.show, [])))
        worst_all.extend(worst)
        _table(name, scores)
    print("\n== what parse() returns (span-to-field step included): field F1 and whole-reference exact match")
    print(f"{'set':<24}{'F1':>8}{'exact':>8}   " + "".join(f"{label[:8]:>9}" for label in SCORED))
    for source, name in SETS:
        sc = parsed_scores[source]
        cells = "".join(
            f"{sc[label]['f1']:>9.3f}" if sc[label]["tp"] + sc[label]["fn"] + sc[label]["fp"] else f"{'-':>9}"
            for label in SCORED
        )
        print(f"{name:<24}{sc['overall']['f1']:>8.3f}{sc['exact']:>8.3f}   {cells}")
    print("\n== errors of parse() by class (wrong fields), per held-out set")
    print(f"{'class':<28}" + "".join(f"{s:>12}" for s, _ in SETS))
    for cls in CLASSES:
        print(f"{cls:<28}" + "".join(f"{by_class[s][cls]:>12}" for s, _ in SETS))
    total = {k: sum(all_pairs_scores[s]["overall"][k] for s, _ in SETS) for k in ("tp", "fp", "fn")}
    p = total["tp"] / (total["tp"] + total["fp"])
    r = total["tp"] / (total["tp"] + total["fn"])
    overall = 2 * p * r / (p + r)
    print(f"\n== all held-out sets together: P {p:.3f} R {r:.3f} F1 {overall:.3f}")
    worst_all.sort(key=lambda e: -e[0])
    print(f"\n== {args.worst} worst errors")
    for count, text, errs in worst_all[: args.worst]:
        print(f"\n[{count}] {text}")
        for e in errs:
            print(f"    {e}")
    print("\n== label conventions: words the corpora label differently (all splits; share of each label)")
    print("\n".join(conventions(everything)) or "none")
    seeds = score_seeds(parser)
    print("\n== goals (what parse() returns)")
    for source, name in SETS:
        sc = parsed_scores[source]
        f1_goal, exact_goal = GOALS[source]
        f1, exact = sc["overall"]["f1"], sc["exact"]
        print(
            f"{name:<24} field F1 {f1:.3f} (goal >= {f1_goal}: {'met' if f1 >= f1_goal else 'not met'})  "
            f"exact {exact:.3f} (goal >= {exact_goal}: {'met' if exact >= exact_goal else 'not met'})"
        )
    print(f"seed fields right {seeds:.3f}")
    print(f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
