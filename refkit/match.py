"""Reference -> registry record, validated field by field.

A DOI written in the reference is looked up and checked against the reference (it can point to another work).
Otherwise the reference string is searched with ``query.bibliographic`` and each candidate is scored on what the
reference states: title similarity, first author, year (within one: online-first and print years differ), volume,
first page, journal. Crossref's own ``score`` is never used to accept: it is unnormalised and grows with the length
of the query. A candidate is accepted only when the agreement is strong and nothing contradicts it; a wrong DOI
is worse than none, so doubtful candidates come back ``ambiguous`` and weak ones ``unmatched``.

Example:
    >>> from refkit.model import Reference, Person
    >>> ref = Reference(title="Calcinosis cutis universalis", author=(Person("Ogretmen", "Z"),), issued=(2002,))
    >>> rec = {"DOI": "10.1/x", "title": ["Calcinosis cutis universalis"], "author": [{"family": "Ogretmen"}],
    ...        "issued": {"date-parts": [[2002]]}}
    >>> score_candidate(ref, rec)[0] > 0.9
    True
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rapidfuzz import fuzz

from refkit.errors import RegistryError
from refkit.model import Match, Reference
from refkit.parse.fields import page_range
from refkit.registry import Registry, to_reference
from refkit.registry.convert import date_parts

__all__ = ["ACCEPT", "REVIEW", "match", "match_many", "query_for", "score_candidate"]

#: Confidence at or above which a candidate is accepted.
ACCEPT = 0.90
#: Confidence at or above which a rejected candidate is reported as ``ambiguous`` rather than ``unmatched``.
REVIEW = 0.50

# Weights of the logistic model over field agreements (log-odds per field). Hand-set on the shared real records:
# the title carries most weight, a contradiction costs more than an agreement earns.
_BIAS = -1.0
_WEIGHTS = {
    "title": 12.0,  # times (similarity - 0.75)
    "author": (2.0, -2.5),
    "year": (1.5, 0.5, -3.0),  # same year, one year apart, further apart
    "volume": (1.5, -2.0),
    "page": (2.0, -2.5),
    "journal": (1.0, -1.0),
}


def _fold(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"[^\w]+", " ", text).strip()


def title_similarity(cited: str | None, registered: str | None) -> float | None:
    """0..1 similarity of two titles; a cited title cut short with "..." is compared with the record's start."""
    if not cited or not registered:
        return None
    a, b = _fold(cited), _fold(registered)
    if not a or not b:
        return None
    score = fuzz.ratio(a, b) / 100
    if "..." in cited or "…" in cited:
        pieces = [_fold(p) for p in re.split(r"\.\.\.|…", cited) if _fold(p)]
        if pieces and all(p in b for p in pieces):
            score = max(score, 0.95)
    # a subtitle dropped on one side: compare the shorter with the start of the longer
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 25 and long_.startswith(short):
        score = max(score, 0.93)
    return score


def _journal_agrees(ref: Reference, record: Mapping[str, Any]) -> bool | None:
    cited = ref.container_title
    names = [n for key in ("container-title", "short-container-title") for n in (record.get(key) or [])]
    if not cited or not names:
        return None
    try:
        from refkit import journals

        verdicts = [journals.same_journal(cited, n) for n in names]
        if any(v is True for v in verdicts):
            return True
    except (ImportError, AttributeError):
        pass
    folded = _fold(cited).replace(" ", "")
    for name in names:
        target = _fold(name)
        if folded == target.replace(" ", ""):
            return True
        # an abbreviation: each cited word is the start of a word of the full title, in order
        words = iter(target.split())
        if all(any(w.startswith(part) for w in words) for part in _fold(cited).split()):
            return True
    return False


def score_candidate(ref: Reference, record: Mapping[str, Any]) -> tuple[float, dict[str, Any]]:
    """The probability that ``record`` is the work ``ref`` cites, and the per-field evidence."""
    cand = to_reference(record)
    evidence: dict[str, Any] = {}
    z = _BIAS
    sim = title_similarity(ref.title, cand.title)
    if sim is not None:
        evidence["title"] = round(sim, 3)
        z += _WEIGHTS["title"] * (sim - 0.75)
    else:
        evidence["title"] = None
    if ref.author and cand.author:
        cited = _fold(ref.author[0].family or ref.author[0].literal)
        families = [_fold(p.family or p.literal) for p in cand.author]
        agree = bool(cited) and (
            cited == families[0]
            or fuzz.ratio(cited, families[0]) >= 85
            or cited in families[:3]
            or any(cited.split()[-1:] == f.split()[-1:] for f in families[:1] if f)
        )
        evidence["author"] = "agree" if agree else "disagree"
        z += _WEIGHTS["author"][0 if agree else 1]
    years = {
        d[0] for d in (cand.issued, date_parts(record, "published-print"), date_parts(record, "published-online")) if d
    }
    if ref.year and years:
        diff = min(abs(ref.year - y) for y in years)
        evidence["year"] = diff
        z += _WEIGHTS["year"][min(diff, 2)]
    if ref.volume and cand.volume:
        agree = _fold(ref.volume) == _fold(cand.volume)
        evidence["volume"] = "agree" if agree else "disagree"
        z += _WEIGHTS["volume"][0 if agree else 1]
    cited_pages, record_pages = page_range(ref.page), page_range(cand.page)
    if cited_pages and record_pages:
        agree = cited_pages[0].lstrip("0").lower() == record_pages[0].lstrip("0").lower()
        evidence["page"] = "agree" if agree else "disagree"
        z += _WEIGHTS["page"][0 if agree else 1]
    journal = _journal_agrees(ref, record)
    if journal is not None:
        evidence["journal"] = "agree" if journal else "disagree"
        z += _WEIGHTS["journal"][0 if journal else 1]
    probability = 1 / (1 + math.exp(-z))
    # without a title the record cannot be confirmed from the locator alone unless nearly everything agrees
    if sim is None and sum(1 for k in ("author", "volume", "page", "journal") if evidence.get(k) == "agree") < 3:
        probability = min(probability, 0.6)
    if sim is not None and sim < 0.6:
        probability = min(probability, 0.3)
    return probability, evidence


def query_for(ref: Reference) -> str:
    """The string sent as ``query.bibliographic``: the reference as printed, less its number and identifiers."""
    text = ref.raw or " ".join(
        filter(
            None,
            [
                ref.author[0].display() if ref.author else "",
                str(ref.year or ""),
                ref.title or "",
                ref.container_title or "",
                ref.volume or "",
                ref.page or "",
            ],
        )
    )
    text = re.sub(r"^\s*(?:\[\d+\]|\d+[.)])\s+", "", text)
    text = re.sub(r"(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)?\b10\.\d{4,9}/\S+", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"https?://\S+|\bPMID\s*:?\s*\d+", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def _decide(ref: Reference, candidates: Sequence[Mapping[str, Any]], reason_none: str) -> Match:
    scored = sorted(
        ((*score_candidate(ref, c), c) for c in candidates if c.get("DOI")), key=lambda t: t[0], reverse=True
    )
    if not scored:
        return Match(status="unmatched", reason=reason_none)
    best_p, evidence, record = scored[0]
    # two strong candidates that disagree with each other (e.g. two language editions): do not pick one blindly
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    status = "matched" if best_p >= ACCEPT else "ambiguous" if best_p >= REVIEW else "unmatched"
    reason = ""
    if (
        status == "matched"
        and runner_up >= ACCEPT
        and str(scored[1][2].get("DOI", "")).lower() != str(record["DOI"]).lower()
    ):
        ev_top, ev_next = evidence, scored[1][1]
        if ev_top == ev_next:
            status, reason = "ambiguous", f"two records fit equally well: {record['DOI']} and {scored[1][2]['DOI']}"
    if status == "unmatched":
        reason = reason or "no candidate agrees with the reference"
    elif status == "ambiguous" and not reason:
        reason = "the best candidate agrees only in part"
    return Match(
        status=status,
        doi=str(record["DOI"]) if status == "matched" else None,
        confidence=round(best_p, 4),
        record=to_reference(record),
        evidence=evidence,
        message=dict(record),
        reason=reason,
    )


def match(ref: Reference, registry: Registry, *, rows: int = 5) -> Match:
    """Match one reference (see :func:`match_many` for many: it batches and shares look-ups)."""
    return match_many([ref], registry, rows=rows)[0]


def match_many(
    refs: Sequence[Reference],
    registry: Registry,
    *,
    rows: int = 5,
    workers: int = 3,
    progress: Callable[[int], None] | None = None,
) -> list[Match]:
    """Match references in order; never raises for a registry failure (those come back ``unverified``).

    Written DOIs are fetched in batches first; only references still unmatched are searched, and each distinct
    query is sent once.
    """
    results: list[Match | None] = [None] * len(refs)
    written = [r.doi for r in refs if r.doi]
    records: dict[str, Any] = {}
    batch_error: RegistryError | None = None
    if written:
        try:
            records = {k.lower(): v for k, v in registry.works(written).items()}
        except RegistryError as exc:
            batch_error = exc
    to_search: dict[str, list[int]] = {}
    for i, ref in enumerate(refs):
        if ref.doi:
            if batch_error is not None:
                results[i] = Match(
                    status="unverified", reason=str(batch_error), written_doi=ref.doi, written_doi_status="unchecked"
                )
                if progress:
                    progress(1)
                continue
            record = records.get(ref.doi.lower())
            outcome = _check_written_doi(ref, record)
            if outcome.status == "matched":
                results[i] = outcome
                if progress:
                    progress(1)
                continue
            results[i] = outcome  # kept as the fallback if the search finds nothing better
        if not (ref.title or ref.author):
            if results[i] is None:
                results[i] = Match(status="unmatched", reason="too little to search on")
            if progress:
                progress(1)
            continue
        to_search.setdefault(query_for(ref), []).append(i)

    def run(query: str) -> tuple[str, list[dict[str, Any]] | RegistryError]:
        try:
            return query, registry.search(query, rows)
        except RegistryError as exc:
            return query, exc

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for query, found in pool.map(run, list(to_search)):
            for i in to_search[query]:
                previous = results[i]
                if isinstance(found, RegistryError):
                    outcome = Match(status="unverified", reason=str(found))
                else:
                    outcome = _decide(refs[i], found, "no candidate in the registry")
                if previous is not None:
                    outcome = _merge_written(previous, outcome)
                results[i] = outcome
                if progress:
                    progress(1)
    return [r if r is not None else Match(status="unmatched") for r in results]


def _check_written_doi(ref: Reference, record: Mapping[str, Any] | None) -> Match:
    assert ref.doi
    if record is None:
        return Match(
            status="unmatched",
            reason=f"the DOI {ref.doi} is not registered with Crossref",
            written_doi=ref.doi,
            written_doi_status="unresolved",
        )
    p, evidence = score_candidate(ref, record)
    if ref.title is None and not ref.author:
        p, evidence = 0.95, {**evidence, "doi": "resolves; nothing else to compare"}
    if p >= ACCEPT or (p >= REVIEW and evidence.get("title") is not None and evidence["title"] >= 0.9):
        return Match(
            status="matched",
            doi=str(record["DOI"]),
            confidence=round(max(p, ACCEPT), 4),
            record=to_reference(record),
            evidence=evidence,
            message=dict(record),
            written_doi=ref.doi,
            written_doi_status="ok",
        )
    return Match(
        status="unmatched",
        confidence=round(p, 4),
        record=to_reference(record),
        evidence=evidence,
        message=dict(record),
        reason=f"the DOI {ref.doi} belongs to another work",
        written_doi=ref.doi,
        written_doi_status="other-work",
    )


def _merge_written(written: Match, searched: Match) -> Match:
    """Keep what the written DOI told us (its status) on the search outcome."""
    from dataclasses import replace

    if searched.status in ("unmatched", "unverified") and written.written_doi_status == "other-work":
        return replace(written, status="unmatched" if searched.status == "unmatched" else "unverified")
    return replace(searched, written_doi=written.written_doi, written_doi_status=written.written_doi_status)
