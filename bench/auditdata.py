"""The planted-defect set for ``bench/audit_accuracy.py``, built from real Crossref records.

Every case is a reference string rendered (Vancouver style, by :func:`render`) from a real Crossref work record
of ``/work/shared/data/crossref`` (or ``tests/data/crossref``), either unmodified or with exactly one defect
injected, plus the registry records the local Crossref server serves:

- ``planted``: one defect per case, for every audit code (``doi-invalid`` ... ``incomplete``), each case naming
  the code it must raise.
- ``clean``: unmodified references of served records, with and without their DOI (the latter also old ones).
- ``verified``: the real reference strings of Crossref's matching evaluation
  (``/work/shared/data/matching/crossref-real-2000.json``) whose verified answer is "no DOI" (806 of 2,000): the
  references that simply have no DOI.
- ``nodoi``: the real unstructured reference strings deposited with Crossref that carry no DOI link and whose work
  is not among the served records. Unverified: many of these works do have a DOI the depositor did not give.

Records with update notices. The recorded responses hold real ``update-to`` records (PLOS correction notices);
they are served unchanged and cited as they are. No recorded record carries ``updated-by``, and none is a
retraction or expression-of-concern notice, so those are BUILT to Crossref's documented schema
(``updated-by`` / ``update-to`` entries with ``DOI``, ``type``, ``label``, ``source`` = ``publisher`` or
``retraction-watch``, ``updated`` date-parts and, for Retraction Watch, ``record-id``): copies of real records get
an ``updated-by`` entry pointing to an invented notice DOI under Crossref's test prefix ``10.5555``, and invented
notice records (``10.5555/refkit-notice-*``, title "Retraction: <title of a real record>") carry ``update-to``.
They describe no real retraction.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refkit import journals
from refkit.match import title_similarity
from refkit.registry import to_reference
from refkit.testing.crossref_server import load_records

SHARED = Path("/work/shared/data/crossref")
REPO_RECORDS = Path(__file__).resolve().parent.parent / "tests" / "data" / "crossref"

#: Machine translations of German journal titles that the journal lists can back-translate.
TRANSLATIONS = (
    "Dermatologist",
    "dermatologist",
    "Z Skinkr",
    "German Medical Weekly",
    "Ophthalmologist",
    "Orthopedist",
    "Radiologist",
    "Anesthesiologist",
    "Urologist",
    "Gynecologist",
)

#: Journal names no list knows (invented), biomedical and not.
UNKNOWN_JOURNALS = (
    "Bull Northern Soc Cutan Calcif",
    "Transactions of the Lowland Society for Granular Matter",
    "Rev Iberoam Calcinosis Cutis",
    "Quarterly Notes in Applied Tessellation",
    "Ann Rural Dermatosurg Assoc",
    "Proceedings of the Meadow Institute of Graph Colouring",
)


@dataclass
class Case:
    """One reference string and what the audit must say about it.

    Attributes:
        raw: the reference as printed.
        kind: ``planted``, ``clean``, ``verified`` or ``nodoi``.
        code: the finding code that must be raised (planted cases), else None.
        variant: how the defect was made (e.g. ``space``, ``prefix`` for ``doi-invalid``).
        file: the article file the reference is listed in.
        doi: the DOI of the record it was rendered from, if any.
        group: cases that must be reported together (duplicates) share a group.
    """

    raw: str
    kind: str
    code: str | None = None
    variant: str = ""
    file: str = "bench.txt"
    doi: str | None = None
    group: str | None = None


@dataclass
class Dataset:
    records: list[dict[str, Any]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def _initials(given: str | None) -> str:
    return "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given or "") if p and p[0].isalpha())


def _names(record: Mapping[str, Any]) -> list[str]:
    out = []
    for a in record.get("author") or []:
        if a.get("family"):
            out.append(f"{a['family']} {_initials(a.get('given'))}".strip())
        elif a.get("name"):
            out.append(str(a["name"]))
    return out


def render(
    record: Mapping[str, Any],
    *,
    with_doi: bool = True,
    authors: list[str] | None = None,
    et_al: bool | None = None,
    year: int | None = None,
    journal: str | None = None,
    **fields: str | None,
) -> str:
    """A Vancouver reference string for a Crossref record; keyword arguments override a field as printed.

    Example:
        >>> render({"author": [{"family": "Deza", "given": "G"}], "title": ["Morphea"], "volume": "96",
        ...         "container-title": ["Acta Derm Venereol"], "issued": {"date-parts": [[2016]]}, "page": "418-419"},
        ...        with_doi=False)
        'Deza G. Morphea. Acta Derm Venereol. 2016;96:418-419.'
    """
    ref = to_reference(record)
    names = authors if authors is not None else _names(record)
    cut = len(names) > 6 if et_al is None else et_al
    shown = names[:6] if et_al is None else names
    author_text = ", ".join(shown) + (", et al" if cut else "")
    title = fields.get("title", ref.title) or ""
    name = journal if journal is not None else (ref.container_title_short or ref.container_title or "")
    volume, issue, page = (fields.get(k, getattr(ref, k)) for k in ("volume", "issue", "page"))
    printed = (record.get("published-print") or {}).get("date-parts") or [[None]]
    y = year if year is not None else (printed[0][0] or ref.year)  # reference lists cite the print year
    locator = (volume or "") + (f"({issue})" if issue else "") + (f":{page}" if page else "")
    parts = [author_text, title.rstrip("."), name, f"{y};{locator}" if locator else str(y or "")]
    text = ". ".join(p for p in parts if p) + "."
    doi = fields.get("doi", ref.doi)
    if with_doi and doi:
        text += f" doi: {doi}"
    return text


def _eligible(record: Mapping[str, Any]) -> bool:
    ref = to_reference(record)
    return bool(
        record.get("type") == "journal-article"
        and ref.title
        and len(ref.title) >= 25
        and _names(record)
        and all(a.get("family") and a.get("given") for a in record.get("author") or [])
        and ref.container_title
        and ref.volume
        and ref.page
        and ref.year
        and not record.get("update-to")
    )


def _altered_title(title: str, rng: random.Random) -> str | None:
    """A title that is recognisably the same work but reads differently (similarity 0.62 to 0.8)."""
    words = title.split()
    if len(words) < 5:
        return None
    for _ in range(40):
        w = list(words)
        for _ in range(max(2, len(w) // 3)):
            i = rng.randrange(len(w))
            w[i] = rng.choice(["novel", "analysis", "evidence", "study", "effects", "model", "approach", "review"])
        candidate = " ".join(w)
        sim = title_similarity(candidate, title)
        if sim is not None and 0.62 <= sim < 0.8:
            return candidate
    return None


def _nonstandard(name: str) -> str | None:
    """A half-abbreviated form of a listed journal ("Journal Clin Pharm Ther"), if the lists call it nonstandard."""
    known = journals.lookup(name)
    if known is None or not known.medline or " " not in known.medline:
        return None
    abbreviated = known.medline.split()
    full = [w for w in re.split(r"[\s:.,]+", known.title) if w and w.lower() not in {"of", "and", "the", "&", "for"}]
    if len(full) != len(abbreviated):
        return None
    for k in range(1, len(full)):
        form = " ".join([full[i].capitalize() if i < k else abbreviated[i] for i in range(len(full))])
        verdict = journals.check(form, candidates=False)
        if verdict.status == "nonstandard" and form != verdict.suggestion:
            return form
    return None


def _notice(original: Mapping[str, Any], kind: str, label: str, number: int, source: str) -> dict[str, Any]:
    """An invented notice record that ``update-to``s a real record (Crossref's schema; test prefix 10.5555)."""
    ref = to_reference(original)
    year = (ref.year or 2015) + 2
    return {
        "DOI": f"10.5555/refkit-notice-{number}",
        "type": "journal-article",
        "title": [f"{label}: {ref.title}"],
        "container-title": [ref.container_title],
        "short-container-title": [ref.container_title_short] if ref.container_title_short else [],
        "publisher": "Synthetic test records (not a real publisher)",
        "issued": {"date-parts": [[year]]},
        "volume": str(int(re.sub(r"\D", "", ref.volume or "1") or 1) + 2),
        "page": str(900 + number),
        "author": [],
        "update-to": [
            {
                "DOI": ref.doi,
                "type": kind,
                "label": label,
                "source": source,
                "updated": {"date-parts": [[year, 1, 1]]},
            }
        ],
    }


def _updated_by(kind: str, label: str, source: str, number: int, year: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "DOI": f"10.5555/refkit-update-{number}",
        "type": kind,
        "label": label,
        "source": source,
        "updated": {"date-parts": [[year, 6, 1]], "date-time": f"{year}-06-01T00:00:00Z"},
    }
    if source == "retraction-watch":
        entry["record-id"] = str(40000 + number)
    return entry


def build(per_code: int = 12, clean: int = 120, nodoi: int = 300, seed: int = 7, verified: int = 806) -> Dataset:
    """The cases and the records to serve (one record is never the source of two unrelated cases)."""
    rng = random.Random(seed)
    records = load_records(SHARED, REPO_RECORDS / "works.jsonl", REPO_RECORDS / "seed-works.jsonl")
    by_doi = {r["DOI"].lower(): dict(r) for r in records}
    pool = [r for r in by_doi.values() if _eligible(r)]
    rng.shuffle(pool)
    data = Dataset()
    used: set[str] = set()
    held_out: set[str] = set()

    def take(pred: Any = lambda r: True) -> dict[str, Any] | None:
        for r in pool:
            if r["DOI"].lower() not in used and pred(r):
                used.add(r["DOI"].lower())
                return r
        return None

    def add(raw: str, code: str | None, record: Mapping[str, Any] | None, variant: str = "", **kw: Any) -> None:
        kind = "planted" if code else "clean"
        data.cases.append(Case(raw, kind, code, variant, doi=record["DOI"] if record else None, **kw))

    numbers = iter(range(1, 10_000))

    for n in range(per_code):
        # doi-invalid: cut after the prefix, broken by a space, an impossible prefix, a label with nothing after it
        r = take()
        if r:
            doi = r["DOI"]
            prefix, _, suffix = doi.partition("/")
            variant = ("cut", "space", "prefix", "empty")[n % 4]
            written = {
                "cut": f"{prefix}/",
                "space": f"{prefix}/{suffix[: len(suffix) // 2]} {suffix[len(suffix) // 2 :]}",
                "prefix": f"10.{prefix[3:5]}/{suffix}",
                "empty": "",
            }[variant]
            add(render(r, with_doi=False) + f" doi: {written}".rstrip(), "doi-invalid", r, variant)
        r = take()
        if r:  # doi-unresolved: the last character of the suffix changed, and one added
            doi = r["DOI"]
            add(render(r, doi=doi[:-1] + ("7" if doi[-1] != "7" else "3") + "x"), "doi-unresolved", r)
        r, donor = take(), take()
        if r and donor:  # doi-other-work: another served record's DOI
            add(render(r, doi=donor["DOI"]), "doi-other-work", r)
        r = take()
        if r:  # not-found: the record is not served
            held_out.add(r["DOI"].lower())
            add(render(r, with_doi=False), "not-found", r)
        r = take()
        if r:
            ref = to_reference(r)
            add(
                render(r, with_doi=n % 2 == 0, year=(ref.year or 2000) + rng.choice((-2, -1, 1, 2))),
                "year-mismatch",
                r,
                "year",
            )
        r = take(
            lambda x: bool(
                x.get("published-online")
                and x.get("published-print")
                and x["published-online"]["date-parts"][0][0] != x["published-print"]["date-parts"][0][0]
            )
        )
        if r:
            add(render(r, year=r["published-online"]["date-parts"][0][0]), "year-mismatch", r, "online-first")
        r = take(lambda x: str(to_reference(x).volume or "").isdigit())
        if r:
            add(
                render(r, with_doi=n % 2 == 0, volume=str(int(to_reference(r).volume or 0) + rng.choice((1, 3, 10)))),
                "volume-mismatch",
                r,
            )
        r = take(lambda x: str(to_reference(x).issue or "").isdigit())
        if r:
            add(render(r, with_doi=n % 2 == 0, issue=str(int(to_reference(r).issue or 0) + 1)), "issue-mismatch", r)
        r = take(lambda x: re.fullmatch(r"\d+-\d+", to_reference(x).page or "") is not None)
        if r:
            first, last = (int(p) for p in (to_reference(r).page or "0-0").split("-"))
            shift = rng.choice((10, 100))
            add(render(r, page=f"{first + shift}-{last + shift}"), "pages-mismatch", r)
        r = take()
        if r:
            title = _altered_title(to_reference(r).title or "", rng)
            if title:
                add(render(r, title=title), "title-mismatch", r)
        r = take(lambda x: len(_names(x)) >= 3)
        if r:
            names = _names(r)
            if n % 2 == 0:  # first author replaced
                stranger = _names(take() or r)[0]
                add(render(r, authors=[stranger, *names[1:]]), "author-mismatch", r, "first author")
            else:  # authors left out without "et al"
                add(render(r, authors=names[:2], et_al=False), "author-mismatch", r, "count")
        r = take()
        if r:  # journal-mismatch: a machine translation (error) or another listed journal (warning)
            if n % 2 == 0:
                add(render(r, journal=TRANSLATIONS[n % len(TRANSLATIONS)]), "journal-mismatch", r, "translation")
            else:
                mine = to_reference(r).container_title or ""
                others = [
                    to_reference(x).container_title
                    for x in pool[:200]
                    if journals.same_journal(to_reference(x).container_title, mine) is False
                ]
                other_j = rng.choice(others) if others else "Lancet"
                add(render(r, journal=other_j), "journal-mismatch", r, "other journal")
        r = take(lambda x: _nonstandard(to_reference(x).container_title or "") is not None)
        if r:
            add(render(r, journal=_nonstandard(to_reference(r).container_title or "")), "journal-nonstandard", r)
        r = take()
        if r:  # journal-unknown: an invented journal, the record not served (nothing to compare with)
            held_out.add(r["DOI"].lower())
            add(render(r, with_doi=False, journal=UNKNOWN_JOURNALS[n % len(UNKNOWN_JOURNALS)]), "journal-unknown", r)
        r = take()
        if r:
            add(render(r, with_doi=False, volume=None, page=None, issue=None), "incomplete", r)
        r = take()
        if r:  # the same work twice in one list, with the same details
            group = f"dup-list-{n}"
            add(render(r), "duplicate-in-list", r, group=group)
            add(render(r), "duplicate-in-list", r, group=group)
        r = take()
        if r:  # the same work in two files, once with the print year and pages, once with only the DOI
            group = f"dup-inc-{n}"
            ref = to_reference(r)
            add(render(r, with_doi=False), "duplicate-inconsistent", r, group=group, file="a.txt")
            add(render(r, volume=None, page=None, issue=None), "duplicate-inconsistent", r, group=group, file="b.txt")

    # updates: updated-by on copies of real records (built), update-to notices (real PLOS ones, and built)
    for n in range(per_code):
        for code, kind, label in (
            ("retracted", "retraction", "Retraction"),
            ("expression-of-concern", "expression_of_concern", "Expression of concern"),
            ("corrected", "correction", "Correction"),
        ):
            r = take()
            if r is None:
                continue
            source = "retraction-watch" if n % 2 else "publisher"
            year = (to_reference(r).year or 2015) + 1
            by_doi[r["DOI"].lower()] = {**r, "updated-by": [_updated_by(kind, label, source, next(numbers), year)]}
            add(render(r, with_doi=n % 3 != 0), code, r, f"updated-by/{source}")
            if code == "corrected":
                continue
            r = take()
            if r is None:
                continue
            notice = _notice(r, kind, label, next(numbers), "publisher")
            by_doi[notice["DOI"].lower()] = notice
            data.cases.append(Case(render(notice), "planted", code, "update-to (built)", doi=notice["DOI"]))
    for r in by_doi.values():
        if r.get("update-to") and str(r["DOI"]).startswith("10.1371/") and r["DOI"].lower() not in used:
            used.add(r["DOI"].lower())
            data.cases.append(Case(render(r), "planted", "corrected", "update-to (real)", doi=r["DOI"]))

    # clean references: a third without DOI, some of them old
    for n in range(clean):
        r = take(lambda x: (to_reference(x).year or 0) < 2005) if n % 6 == 0 else take()
        if r is None:
            break
        add(render(r, with_doi=n % 3 != 0), None, r, "old" if (to_reference(r).year or 0) < 2005 else "")

    # real unstructured references deposited without a DOI
    served = set(by_doi) - held_out
    unstructured = [
        x["unstructured"].strip()
        for rec in records
        for x in rec.get("reference") or []
        if x.get("unstructured") and not x.get("DOI") and len(x["unstructured"]) > 30
    ]
    rng.shuffle(unstructured)
    for raw in list(dict.fromkeys(unstructured))[:nodoi]:
        data.cases.append(Case(re.sub(r"\s+", " ", raw), "nodoi", file="nodoi.txt"))
    evaluation = SHARED.parent / "matching" / "crossref-real-2000.json"
    if evaluation.exists() and verified:
        items = json.loads(evaluation.read_text(encoding="utf-8"))["dataset"]
        none = [x["ref_string"] for x in items if x.get("target_gt", {}).get("DOI") is None and x.get("ref_string")]
        for raw in none[:verified]:
            data.cases.append(Case(re.sub(r"\s+", " ", raw), "verified", file="verified.txt"))
    data.records = [r for k, r in by_doi.items() if k in served]
    return data


def write_records(records: Iterable[Mapping[str, Any]], path: Path) -> Path:
    """Write records as JSON lines for ``CrossrefServer.from_paths``."""
    with path.open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path
