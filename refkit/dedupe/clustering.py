"""Clustering: accepted pairs joined strongest first, never putting two DOIs or two PMIDs in one cluster."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence

from refkit.dedupe.keys import Keys, _all_keys
from refkit.model import Match, Reference


def cluster(
    refs: Sequence[Reference], pairs: Iterable[tuple[int, int, float]], matches: Sequence[Match | None] | None = None
) -> list[list[int]]:
    """Groups of indices (in order of first citation) from accepted pairs, never joining two DOIs or PMIDs.

    Example:
        >>> a, b, c = Reference(doi="10.1/a"), Reference(doi="10.1/b"), Reference()
        >>> cluster([a, b, c], [(0, 2, 0.9), (1, 2, 0.8)])
        [[0, 2], [1]]
    """
    return _cluster(_all_keys(refs, matches), pairs)


def _cluster(keys: Sequence[Keys], pairs: Iterable[tuple[int, int, float]]) -> list[list[int]]:
    accepted = ((i, j) for i, j, s in sorted(pairs, key=lambda t: (-t[2], t[0], t[1])) if s >= 0.5)
    return _components(len(keys), lambda i: keys[i].doi, lambda i: keys[i].pmid, accepted)


def _components(
    count: int,
    doi: Callable[[int], Hashable | None],
    pmid: Callable[[int], Hashable | None],
    accepted: Iterable[tuple[int, int]],
) -> list[list[int]]:
    """Groups of ``range(count)`` (in order of first index) joined by the ``accepted`` pairs, strongest first,
    skipping a pair that would put two DOIs or two PMIDs in one group. ``doi`` and ``pmid`` give each index's
    identifiers (any values that compare equal when the identifiers are the same)."""
    parent = list(range(count))
    ids: dict[int, tuple[set[Hashable], set[Hashable]]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def idents(root: int) -> tuple[set[Hashable], set[Hashable]]:
        # a group never joined keeps its identifiers where they are: only joined groups hold sets
        found = ids.get(root)
        if found is not None:
            return found
        d, p = doi(root), pmid(root)
        return ({d} if d else set(), {p} if p else set())

    for i, j in accepted:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        di, pi = idents(ri)
        dj, pj = idents(rj)
        if (di and dj and di != dj) or (pi and pj and pi != pj):
            continue
        root, other = min(ri, rj), max(ri, rj)
        parent[other] = root
        ids[root] = (di | dj, pi | pj)
        ids.pop(other, None)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(count):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])
