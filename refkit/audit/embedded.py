"""A printed reference against the data a citation manager stored for it in the same document.

Manuscripts written with Zotero, Mendeley or EndNote carry each cited item's data next to the printed list, and
the two drift apart when an author edits the printed text by hand or the manager's record is corrected later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from refkit.audit.common import cit
from refkit.model import Cluster, Finding, Reference
from refkit.parse.fields import page_range
from refkit.text import fold

__all__ = ["check_embedded"]

_MANAGERS = {"zotero": "Zotero", "mendeley": "Mendeley", "endnote": "EndNote"}


def check_embedded(cluster: Cluster) -> Iterable[Finding]:
    """``embedded-mismatch``: the printed reference says otherwise than its citation manager's data.

    The printed string is read for each value the manager holds (so a misparse of the printed string does not
    count as a disagreement): the title must stand in it (90 % alike), the first author's family name, the year,
    the volume, the issue and the first page must be printed as such, and a printed DOI must be the manager's.
    A value the printed string does not give at all is not a disagreement (styles leave fields out).

    Example:
        >>> from refkit.model import Person
        >>> printed = Reference(raw="Deza G (2015) Solitary plaque-type morphea. Acta Derm Venereol 96:418-419",
        ...                     issued=(2015,))
        >>> ref = Reference(raw=printed.raw, title="Solitary plaque-type morphea", author=(Person("Deza", "G"),),
        ...                 issued=(2016,), volume="96", page="418-419", fields_from="zotero", printed=printed)
        >>> [(f.code, f.evidence["fields"]) for f in check_embedded(Cluster("w1", (ref,), ref, (None,)))]
        [('embedded-mismatch', ['year'])]
    """
    for ref in cluster.citations:
        if not ref.fields_from or ref.printed is None:
            continue
        differences = _differences(ref, ref.printed)
        if not differences:
            continue
        manager = _MANAGERS.get(ref.fields_from, ref.fields_from)
        text = "; ".join(
            f"{name} {printed!r} printed, {stored!r} in {manager}" for name, (printed, stored) in differences.items()
        )
        yield Finding(
            "embedded-mismatch",
            "warning",
            f"The printed reference differs from its {manager} data: {text}.",
            (cit(ref),),
            {
                "cited": {name: printed for name, (printed, _) in differences.items()},
                "registry": {name: stored for name, (_, stored) in differences.items()},
                "fields": list(differences),
                "source": f"{manager} data in the document",
            },
            f"Refresh the bibliography from {manager} (or correct the {manager} item, if the printed text is right).",
            cluster.id,
        )


def _differences(ref: Reference, printed: Reference) -> dict[str, tuple[object, object]]:
    raw = printed.raw or ref.raw
    words = fold(raw)
    numbers = re.findall(r"\d+", raw)
    out: dict[str, tuple[object, object]] = {}
    if ref.title and printed.title:
        title = fold(ref.title)
        if title and fuzz.partial_ratio(title, words) < 90:
            out["title"] = (printed.title, ref.title)
    if ref.author and ref.author[0].family and printed.author:
        family = fold(ref.author[0].family)
        if family and family not in words:
            out["author"] = (printed.author[0].family or printed.author[0].literal, ref.author[0].family)
    if ref.year and printed.year and str(ref.year) not in numbers:
        out["year"] = (printed.year, ref.year)
    for name in ("volume", "issue"):
        stored, cited = getattr(ref, name), getattr(printed, name)
        if stored and cited and stored.isdigit() and stored.lstrip("0") not in {n.lstrip("0") for n in numbers}:
            out[name] = (cited, stored)
    first = page_range(ref.page)[0] if ref.page and page_range(ref.page) else None
    if first and printed.page and not re.search(rf"(?<![\w]){re.escape(first)}(?![\w])", raw, re.IGNORECASE):
        out["page"] = (printed.page, ref.page)
    if ref.doi and printed.doi and ref.doi.lower() != printed.doi.lower():
        out["DOI"] = (printed.doi, ref.doi)
    return out
