"""Works the registry does not know (not-found) or could not be asked about (unverified)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import Any

from refkit.audit.common import cit as _cit
from refkit.model import Cluster, Finding, Reference, Severity

#: A journal article this many years old or newer is "recent": its journal most likely deposits DOIs.
RECENT_YEARS = 15


def check_registry(cluster: Cluster) -> Iterable[Finding]:
    """``unverified`` and ``not-found``: the work could not be checked, or the registry does not know it."""
    matches = [m for m in cluster.matches if m is not None]
    if not matches or any(m.status == "matched" for m in matches):
        return
    ref = cluster.canonical
    cits = tuple(_cit(r) for r in cluster.citations)
    if all(m.status == "unverified" for m in matches):
        yield Finding(
            "unverified",
            "info",
            "Could not be checked: Crossref was not reachable or not asked.",
            cits,
            {"reason": matches[0].reason},
            "Run again with network access to check it.",
            cluster.id,
        )
        return
    checked = ["a bibliographic search of the reference text"]
    if any(r.doi for r in cluster.citations):
        checked.insert(0, "the DOI as written")
    severity, kind = _not_found_severity(ref)
    evidence: dict[str, Any] = {"checked": checked, "source": "Crossref", "kind": kind}
    closest = max(
        (m for m in matches if m.record is not None and m.status == "ambiguous"),
        key=lambda m: m.confidence,
        default=None,
    )
    if closest is not None and closest.record is not None:
        evidence["closest"] = {
            "DOI": closest.record.doi,
            "title": closest.record.title,
            "confidence": closest.confidence,
            "fields": dict(closest.evidence),
        }
        suggestion = f'Check whether this is {closest.record.doi} ("{closest.record.title}"); it agrees only in part.'
    elif severity == "warning":
        suggestion = "Check that the work exists as cited (journal's site, PubMed); correct or replace it."
    else:
        suggestion = "Check it in the journal, a library catalogue or PubMed; nothing to fix if it is right."
    yield Finding(
        "not-found",
        severity,
        f"Not found in Crossref: no record matches (checked {'; '.join(checked)}). {kind[0].upper()}{kind[1:]}.",
        cits,
        evidence,
        suggestion,
        cluster.id,
    )


def _not_found_severity(ref: Reference) -> tuple[Severity, str]:
    recent = bool(ref.year and ref.year >= _dt.date.today().year - RECENT_YEARS)
    if ref.type != "article-journal" or not ref.container_title:
        return "info", "books, chapters, reports and web pages are often not in Crossref"
    if not recent:
        return "info", f"journal articles before {_dt.date.today().year - RECENT_YEARS} often have no DOI"
    from refkit import journals

    verdict = journals.check(ref.container_title, candidates=False)
    if verdict.status == "unknown":
        return "info", "the journal is in no journal list: it may not deposit DOIs"
    if _non_english(ref.title):
        return "info", "articles in national-language journals often have no DOI"
    return "warning", "a recent article in a listed journal should have a DOI: it may not exist as cited"


_ENGLISH = frozenset(
    ["the", "of", "and", "for", "with", "on", "to", "by", "from", "as", "at", "are", "or", "its", "after", "this"]
)  # none is also Dutch, German, French, Spanish or Italian
_OTHER = frozenset(
    [
        "de",
        "van",
        "het",
        "een",
        "en",
        "op",
        "der",
        "die",
        "das",
        "und",
        "mit",
        "bei",
        "zur",
        "für",
        "le",
        "la",
        "les",
        "des",
        "du",
        "et",
        "pour",
        "dans",
        "sur",
        "el",
        "los",
        "las",
        "del",
        "y",
        "con",
        "para",
        "di",
        "il",
        "della",
        "nel",
        "e",
        "och",
        "av",
        "på",
    ]
)


def _non_english(title: str | None) -> bool:
    """Whether a title reads as another language: its function words are foreign and none is English."""
    words = re.findall(r"[^\W\d_]+", (title or "").lower())
    return len(words) >= 4 and not _ENGLISH.intersection(words) and bool(_OTHER.intersection(words))
