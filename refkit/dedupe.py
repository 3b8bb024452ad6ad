"""Citations -> works: the same work cited several times, in one article or across many, becomes one cluster.

Three composable steps, composed by :func:`dedupe`:

1. :func:`candidate_pairs` blocks citations by DOI, by first-author surname and year, and by the start of the
   title, so only plausible pairs are compared and the cost grows about linearly.
2. :func:`score` decides a pair: the same DOI (written or matched) is the same work; two different DOIs never
   are; otherwise the first author's surname, a near-identical title, years within one (online-first vs print)
   and a compatible journal must all agree. Part I / Part II, errata and "reply" notes stay apart.
3. :func:`cluster` joins accepted pairs (union-find), never joining two different DOIs.

Each cluster keeps every citation with its source and raw text, a canonical record (the registry's when matched,
else the best-of fields: the value most citations state, ties to the most complete), and the fields where the
citations disagree.

Example:
    >>> from refkit.model import Reference, Person
    >>> a = Reference(raw="a", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea", volume="96")
    >>> b = Reference(raw="b", author=(Person("Deza", "G"),), issued=(2015,), title="Solitary morphea", doi="10.1/x")
    >>> [len(c.citations) for c in dedupe([a, b])]
    [2]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rapidfuzz import fuzz

from refkit.match import _fold
from refkit.model import Cluster, Match, Reference
from refkit.parse.fields import page_range
from refkit.registry import to_reference
from refkit.registry.convert import date_parts

__all__ = ["candidate_pairs", "cluster", "dedupe", "score"]

_PART_RE = re.compile(r"\b(?:part|teil|partie|parte)\s+([ivxlc]+|\d+|[a-z])\b", re.IGNORECASE)
_NOTICE_RE = re.compile(
    r"\b(?:erratum|corrigendum|correction|retraction|reply|response to|comment on|in reply)\b", re.IGNORECASE
)
_TITLE_SIMILAR = 90.0


def _doi(ref: Reference, match: Match | None) -> str | None:
    if match is not None and match.status == "matched" and match.doi:
        return match.doi.lower()
    if ref.doi and (match is None or match.written_doi_status not in ("unresolved", "other-work", "invalid")):
        return ref.doi.lower()
    return None


def _surname(ref: Reference) -> str:
    if not ref.author:
        return ""
    first = ref.author[0]
    return (_fold(first.family or first.literal).split() or [""])[-1]


def _title_key(ref: Reference) -> str:
    words = [w for w in _fold(ref.title).split() if len(w) > 3]
    return " ".join(words[:3])


def candidate_pairs(refs: Sequence[Reference], matches: Sequence[Match | None] | None = None) -> set[tuple[int, int]]:
    """Index pairs worth comparing: sharing a DOI, a surname and year (±1), or a title start."""
    matches = matches or [None] * len(refs)
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, ref in enumerate(refs):
        doi = _doi(ref, matches[i])
        if doi:
            blocks[("doi", doi)].append(i)
        surname = _surname(ref)
        if surname and ref.year:
            for year in (ref.year - 1, ref.year, ref.year + 1):
                blocks[("ay", f"{surname}|{year}")].append(i)
        key = _title_key(ref)
        if key:
            blocks[("t", key)].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        unique = sorted(set(members))
        if len(unique) > 200:  # a block this big is not specific (e.g. "World Health Organization 2020")
            continue
        for x, i in enumerate(unique):
            for j in unique[x + 1 :]:
                pairs.add((i, j))
    return pairs


def score(a: Reference, b: Reference, match_a: Match | None = None, match_b: Match | None = None) -> float:
    """1.0 for the same work, 0.0 for different works, in between for "probably" (accepted at >= 0.5)."""
    doi_a, doi_b = _doi(a, match_a), _doi(b, match_b)
    if doi_a and doi_b:
        return 1.0 if doi_a == doi_b else 0.0
    parts_a, parts_b = _PART_RE.findall(a.title or ""), _PART_RE.findall(b.title or "")
    if [p.lower() for p in parts_a] != [p.lower() for p in parts_b]:
        return 0.0
    if bool(_NOTICE_RE.search(a.title or "")) != bool(_NOTICE_RE.search(b.title or "")):
        return 0.0
    if _surname(a) and _surname(b) and _surname(a) != _surname(b) and fuzz.ratio(_surname(a), _surname(b)) < 85:
        return 0.0
    if a.year and b.year and abs(a.year - b.year) > 1:
        return 0.0
    ta, tb = _fold(a.title), _fold(b.title)
    if not ta or not tb:
        return 0.0
    similarity = fuzz.ratio(ta, tb)
    if similarity < _TITLE_SIMILAR:
        return 0.0
    if a.volume and b.volume and _fold(a.volume) != _fold(b.volume) and a.year == b.year:
        return 0.0
    pa, pb = page_range(a.page), page_range(b.page)
    if pa and pb and pa[0].lower() != pb[0].lower():
        return 0.0
    if a.container_title and b.container_title and not _journals_compatible(a.container_title, b.container_title):
        return 0.0
    return similarity / 100


def _journals_compatible(a: str, b: str) -> bool:
    fa, fb = _fold(a), _fold(b)
    if fa == fb:
        return True
    try:
        from refkit import journals

        verdict = journals.same_journal(a, b)
        if verdict is not None:
            return verdict
    except (ImportError, AttributeError):
        pass
    short, long_ = sorted((fa.split(), fb.split()), key=len)
    words = iter(long_)
    return all(any(w.startswith(s) for w in words) for s in short)


def cluster(
    refs: Sequence[Reference], pairs: Iterable[tuple[int, int, float]], matches: Sequence[Match | None] | None = None
) -> list[list[int]]:
    """Groups of indices (in order of first citation) from accepted pairs, never joining two DOIs."""
    matches = matches or [None] * len(refs)
    parent = list(range(len(refs)))
    dois: dict[int, set[str]] = {i: ({d} if (d := _doi(r, matches[i])) else set()) for i, r in enumerate(refs)}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, s in sorted(pairs, key=lambda t: -t[2]):
        if s < 0.5:
            continue
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        if dois[ri] and dois[rj] and dois[ri] != dois[rj]:
            continue
        root, other = min(ri, rj), max(ri, rj)
        parent[other] = root
        dois[root] |= dois[other]
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(refs)):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


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


def _disagreements(refs: Sequence[Reference]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if len(refs) < 2:
        return out
    for name in _COMPARED:
        values = [_value(r, name) for r in refs]
        if name == "author":
            values = [_fold(refs[i].author[0].family) if refs[i].author else "" for i in range(len(refs))]
            shown = {_fold(r.author[0].family) if r.author else "": _value(r, name) for r in refs}
            if len({v for v in values if v}) > 1:
                out[name] = tuple(dict.fromkeys(shown[v] for v in values))
            continue
        normalised = {_fold(v) if name not in ("page",) else v.replace("\u2013", "-") for v in values}
        if len(normalised) > 1:
            out[name] = tuple(dict.fromkeys(values))
    return out


def dedupe(refs: Sequence[Reference], matches: Sequence[Match | None] | None = None) -> list[Cluster]:
    """Cluster citations of the same work; returns clusters ``w1``, ``w2``... in order of first citation."""
    matches = list(matches) if matches is not None else [None] * len(refs)
    if len(matches) != len(refs):
        raise ValueError("matches must be as long as refs")
    scored = [(i, j, score(refs[i], refs[j], matches[i], matches[j])) for i, j in candidate_pairs(refs, matches)]
    clusters = []
    for n, members in enumerate(cluster(refs, scored, matches), 1):
        citations = tuple(refs[i] for i in members)
        cluster_matches = tuple(matches[i] for i in members)
        best = next(
            (
                m
                for m in sorted(
                    (m for m in cluster_matches if m and m.status == "matched"), key=lambda m: -m.confidence
                )
            ),
            None,
        )
        if best is not None and best.message is not None:
            canonical = replace(to_reference(best.message), raw=citations[0].raw, source=citations[0].source)
            # a bibliography cites the issue a work appeared in: prefer the print date to Crossref's `issued`
            printed = date_parts(best.message, "published-print")
            if printed and canonical.volume:
                canonical = replace(canonical, issued=printed)
            fallback = _best_of(citations)
            canonical = replace(canonical, pmid=canonical.pmid or fallback.pmid)
        else:
            canonical = _best_of(citations)
        clusters.append(
            Cluster(
                id=f"w{n}",
                citations=citations,
                canonical=canonical,
                matches=cluster_matches,
                disagreements=_disagreements(citations),
            )
        )
    return clusters
