"""Citations grouped by the work they cite, offline, so that each work is searched once."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from refkit.match.score import _MINOR
from refkit.model import Match, Reference
from refkit.text import fold

if TYPE_CHECKING:
    from refkit.dedupe.keys import Keys


def _searchable(ref: Reference) -> bool:
    # A title or an author is enough to search on. Without either (an unsigned item whose title the parser read
    # as the journal: "SMALLPOX TODAY. JAMA. 1959;169(2):152"), a journal with a locator still narrows the
    # search to a few records, which the validation then checks field by field.
    if ref.title or ref.author:
        return True
    return bool(ref.container_title and (ref.volume or ref.page) and ref.issued)


def _completeness(ref: Reference) -> tuple[int, int]:
    fields = (ref.title, ref.author, ref.issued, ref.container_title, ref.volume, ref.issue, ref.page)
    return sum(1 for f in fields if f), len(ref.raw)


def _numbers_in(title: str | None) -> tuple[str, ...]:
    # "Type 1 diabetes" and "Type 2 diabetes", "case 3" and "case 4": near-identical titles, different works
    return tuple(sorted(re.findall(r"\d+", fold(title))))


def _works(
    refs: Sequence[Reference], known: Sequence[Match | None], keys: Sequence[Keys] | None = None
) -> list[list[int]]:
    """Groups of reference indices that cite the same work, as far as can be told without a registry (``keys``:
    each citation's comparison keys, when made already)."""
    # dedupe()'s own steps, on comparison keys made once per citation; imported here because refkit.dedupe imports
    # this module
    from refkit.dedupe import _all_keys, _groups

    groups = _split_by_numbers(_groups(_all_keys(refs, known, keys))[0], [_numbers_in(r.title) for r in refs])
    words = [_rendering(r) for r in refs]
    blocks: dict[str, list[int]] = {}
    for i, (ws, _) in enumerate(words):
        for w in _rendering_blocks(ws):
            blocks.setdefault(w, []).append(i)
    return _join_renderings(groups, _rendering_pairs(blocks.values(), words.__getitem__))


def _split_by_numbers(groups: list[list[int]], numbers: Sequence[Hashable]) -> list[list[int]]:
    """Each group split by the numbers of its citations' titles (``numbers[i]``, :func:`_numbers_in`)."""
    out: list[list[int]] = []
    for members in groups:
        split: dict[Hashable, list[int]] = {}
        for i in members:
            split.setdefault(numbers[i], []).append(i)
        out.extend(split.values())
    return out


_NUMBER = re.compile(r"\d+")
#: A word shared by more citations than this is not distinctive enough to compare them by.
_RENDERING_BLOCK_MAX = 50


def _rendering(ref: Reference) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a citation's string (less minor words), and its numbers (year, volume, pages)."""
    words = frozenset(fold(ref.raw).split()) - _MINOR
    return words, frozenset(w for w in words if _NUMBER.fullmatch(w))


def _rendering_blocks(words: frozenset[str]) -> list[str]:
    return sorted(words, key=lambda w: (-len(w), w))[:3]  # long words are the distinctive ones


def _rendering_pairs(
    blocks: Iterable[Sequence[int]], rendering: Callable[[int], tuple[frozenset[str], frozenset[str]]]
) -> Iterator[tuple[int, int]]:
    """Pairs of citations in one block (of at most ``_RENDERING_BLOCK_MAX``) that are the same string in other
    words: most words shared, and most numbers too."""
    for members in blocks:
        if len(members) > _RENDERING_BLOCK_MAX:
            continue
        for x, i in enumerate(members):
            wi, ni = rendering(i)
            if not wi:
                continue
            for j in members[x + 1 :]:
                wj, nj = rendering(j)
                if not wj:
                    continue
                shared = len(wi & wj) / len(wi | wj)
                digits = ni | nj
                if shared >= 0.5 and (not digits or len(ni & nj) / len(digits) >= 0.5):
                    yield i, j


def _join_renderings(groups: list[list[int]], pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Join groups whose citations are the same string in other words (``pairs``, :func:`_rendering_pairs`): one
    work printed in two styles.

    Parsing differs between styles ("Title. In: Book" taken whole as the title, a missed author), so groups that
    :func:`~refkit.dedupe.dedupe` keeps apart are compared again on the words of the strings themselves. A wrong
    join costs one more search, not a wrong match: a citation its work's candidates do not confirm is searched on
    its own.
    """
    owner = {i: g for g, members in enumerate(groups) for i in members}
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for i, j in pairs:
        gi, gj = find(owner[i]), find(owner[j])
        if gi != gj:
            parent[max(gi, gj)] = min(gi, gj)
    joined: dict[int, list[int]] = {}
    for g, members in enumerate(groups):
        joined.setdefault(find(g), []).extend(members)
    return [sorted(m) for m in joined.values()]
