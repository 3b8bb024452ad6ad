"""The canonical record of a cluster and the fields where its citations disagree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from refkit.model import Match, Reference
from refkit.registry import to_reference
from refkit.registry.convert import date_parts
from refkit.text import fold

_COMPARED = ("issued", "title", "container_title", "volume", "issue", "page", "doi", "author")


def _value(ref: Reference, name: str) -> str:
    if name == "issued":
        return str(ref.year or "")
    if name == "author":
        return "; ".join(p.display() for p in ref.author) + (" et al" if ref.et_al else "")
    return getattr(ref, name) or ""


def _best_of(refs: Sequence[Reference]) -> Reference:
    """Per field, the value most citations state; ties go to the longest (most complete) value."""
    base = max(refs, key=lambda r: sum(1 for f in _COMPARED if _value(r, f)))
    changes: dict[str, object] = {}
    for name in (
        "title",
        "container_title",
        "container_title_short",
        "volume",
        "issue",
        "page",
        "doi",
        "pmid",
        "url",
        "publisher",
        "publisher_place",
    ):
        values = [getattr(r, name) for r in refs if getattr(r, name)]
        if values:
            counts = Counter(values)
            changes[name] = max(counts, key=lambda v: (counts[v], len(v)))
    years = Counter(r.issued for r in refs if r.issued)
    if years:
        changes["issued"] = max(years, key=lambda d: (years[d], len(d), d))
    longest = max(refs, key=lambda r: (len(r.author), not r.et_al))
    changes["author"], changes["et_al"] = longest.author, longest.et_al
    return replace(base, **changes)  # type: ignore[arg-type]


def _surnames(ref: Reference) -> tuple[str, ...]:
    return tuple(fold(p.family or p.literal) for p in ref.author)


def _authors_disagree(refs: Sequence[Reference]) -> bool:
    """Author lists disagree when a surname differs where both lists have one, or when two complete lists (no
    "et al") differ in length. A list cut short with "et al" agrees with any longer list it starts."""
    lists = [(_surnames(r), r.et_al) for r in refs if r.author]
    for x, (a, a_cut) in enumerate(lists):
        for b, b_cut in lists[x + 1 :]:
            if any(s != t for s, t in zip(a, b, strict=False)):
                return True
            if len(a) != len(b) and not (a_cut or b_cut):
                return True
    return False


def _disagreements(refs: Sequence[Reference]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if len(refs) < 2:
        return out
    for name in _COMPARED:
        values = [_value(r, name) for r in refs]
        if name == "author":
            if _authors_disagree(refs):
                out[name] = tuple(dict.fromkeys(values))
            continue
        normalised = {fold(v) if name != "page" else v.replace("\u2013", "-") for v in values}
        if len(normalised) > 1:
            out[name] = tuple(dict.fromkeys(values))
    return out


def _canonical(citations: Sequence[Reference], cluster_matches: Sequence[Match | None]) -> Reference:
    matched = sorted((m for m in cluster_matches if m and m.status == "matched"), key=lambda m: -m.confidence)
    best = matched[0] if matched else None
    if best is None or best.message is None:
        return _best_of(citations)
    canonical = replace(to_reference(best.message), raw=citations[0].raw, source=citations[0].source)
    # a bibliography cites the issue a work appeared in: prefer the print date to Crossref's `issued`
    printed = date_parts(best.message, "published-print")
    if printed and canonical.volume:
        canonical = replace(canonical, issued=printed)
    return replace(canonical, pmid=canonical.pmid or _best_of(citations).pmid)
