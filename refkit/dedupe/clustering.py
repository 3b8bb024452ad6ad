"""Clustering: accepted pairs joined strongest first, never putting two DOIs or two PMIDs in one cluster."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

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
    parent = list(range(len(keys)))
    ids: dict[int, tuple[set[str], set[str]]] = {}
    for i, k in enumerate(keys):
        if k.doi or k.pmid:
            ids[i] = ({k.doi} if k.doi else set(), {k.pmid} if k.pmid else set())

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, s in sorted(pairs, key=lambda t: (-t[2], t[0], t[1])):
        if s < 0.5:
            continue
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        di, pi = ids.get(ri, (set(), set()))
        dj, pj = ids.get(rj, (set(), set()))
        if (di and dj and di != dj) or (pi and pj and pi != pj):
            continue
        root, other = min(ri, rj), max(ri, rj)
        parent[other] = root
        if other in ids or root in ids:
            ids[root] = (di | dj, pi | pj)
            ids.pop(other, None)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])
