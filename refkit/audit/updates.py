"""Retractions, expressions of concern and corrections, from the registry's update notices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from refkit.audit.common import cit as _cit
from refkit.audit.fields import iso_date
from refkit.model import Cluster, Finding, Severity
from refkit.registry.convert import date_parts

# Crossref update types (https://www.crossref.org/documentation/crossmark/participating-in-crossmark/) by code.
_UPDATE_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("retraction", "withdrawal", "removal"), "retracted"),
    (("concern",), "expression-of-concern"),
    (("correction", "erratum", "corrigendum", "addendum", "clarification"), "corrected"),
)
# Severity when the cited work has the notice (updated-by) and when the cited work is the notice (update-to).
_UPDATE_SEVERITY: Mapping[str, tuple[Severity, Severity]] = {
    "retracted": ("error", "warning"),
    "expression-of-concern": ("warning", "info"),
    "corrected": ("info", "info"),
}


def _update_code(kind: str) -> str | None:
    kind = kind.lower().replace("-", "_").replace(" ", "_")
    for words, code in _UPDATE_KINDS:
        if any(w in kind for w in words):
            return code
    return None


def _notices(entries: object, own_doi: str) -> dict[str, list[dict[str, Any]]]:
    by_code: dict[str, list[dict[str, Any]]] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping):
            continue
        code = _update_code(str(entry.get("type", "")))
        doi = str(entry.get("DOI") or "")
        if code is None or doi.lower() == own_doi.lower():  # a record that "updates" itself is a new version
            continue
        notice = {
            "DOI": doi or None,
            "type": entry.get("type"),
            "label": entry.get("label"),
            "source": entry.get("source", "publisher"),
            "date": iso_date(date_parts(entry, "updated")),
        }
        if entry.get("record-id") is not None:
            notice["record-id"] = entry.get("record-id")
        known = by_code.setdefault(code, [])
        same = next((n for n in known if n["DOI"] and doi and n["DOI"].lower() == doi.lower()), None)
        if same is None:
            known.append(notice)
        elif notice["source"] not in str(same["source"]).split(", "):  # one notice, told by two sources
            same["source"] = f"{same['source']}, {notice['source']}"
    return by_code


def check_updates(cluster: Cluster) -> Iterable[Finding]:
    """``retracted``, ``expression-of-concern``, ``corrected`` from Crossref's update metadata.

    ``updated-by`` lists notices about the cited work (from the publisher or from Retraction Watch); ``update-to``
    means the cited work *is* such a notice (a citation of the notice rather than of the work it concerns).
    """
    seen: set[str] = set()
    for ref, match in zip(cluster.citations, cluster.matches, strict=False):
        if match is None or match.status != "matched" or not match.message or not match.doi:
            continue
        if match.doi.lower() in seen:
            continue
        seen.add(match.doi.lower())
        cits = tuple(
            _cit(r)
            for r, m in zip(cluster.citations, cluster.matches, strict=False)
            if m is not None and m.doi and m.doi.lower() == match.doi.lower()
        ) or (_cit(ref),)
        message = match.message
        for code, notices in _notices(message.get("updated-by"), match.doi).items():
            label = str(notices[0].get("label") or notices[0].get("type") or code).lower().replace("_", " ")
            shown = ", ".join(f"{n['DOI']} ({n['source']}{', ' + n['date'] if n['date'] else ''})" for n in notices)
            yield Finding(
                code,
                _UPDATE_SEVERITY[code][0],
                f"The cited work {match.doi} has a {label} notice: {shown}.",
                cits,
                {"registry": match.doi, "notices": notices, "relation": "updated-by", "source": "Crossref"},
                (
                    f"Read {notices[0]['DOI']}; cite the work only with its retraction noted, or remove it."
                    if code == "retracted"
                    else f"Read {notices[0]['DOI']} before citing this work."
                ),
                cluster.id,
            )
        for code, notices in _notices(message.get("update-to"), match.doi).items():
            label = str(notices[0].get("label") or notices[0].get("type") or code).lower().replace("_", " ")
            targets = ", ".join(str(n["DOI"]) for n in notices)
            yield Finding(
                code,
                _UPDATE_SEVERITY[code][1],
                f"The cited work {match.doi} is a {label} notice for {targets}.",
                cits,
                {"registry": match.doi, "notices": notices, "relation": "update-to", "source": "Crossref"},
                f"Cite the notice only if it is meant; otherwise cite {targets}"
                + (" (and note that it is retracted)." if code == "retracted" else " (with its correction)."),
                cluster.id,
            )
