"""Citations grouped by the work they cite, offline, so that each work is searched once."""

from __future__ import annotations

import re
from collections.abc import Sequence
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

    groups: list[list[int]] = []
    for members in _groups(_all_keys(refs, known, keys))[0]:
        split: dict[tuple[str, ...], list[int]] = {}
        for i in members:
            split.setdefault(_numbers_in(refs[i].title), []).append(i)
        groups.extend(split.values())
    return _join_renderings(refs, groups)


_NUMBER = re.compile(r"\d+")


def _join_renderings(refs: Sequence[Reference], groups: list[list[int]]) -> list[list[int]]:
    """Join groups whose citations are the same string in other words: one work printed in two styles.

    Parsing differs between styles ("Title. In: Book" taken whole as the title, a missed author), so groups that
    :func:`~refkit.dedupe.dedupe` keeps apart are compared again on the words of the strings themselves: most words
    shared, and most numbers (year, volume, pages) too. A wrong join costs one more search, not a wrong match: a
    citation its work's candidates do not confirm is searched on its own.
    """
    words = [set(fold(r.raw).split()) - _MINOR for r in refs]
    numbers = [{w for w in ws if _NUMBER.fullmatch(w)} for ws in words]
    owner = {i: g for g, members in enumerate(groups) for i in members}
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    blocks: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in sorted(ws, key=lambda w: (-len(w), w))[:3]:  # long words are the distinctive ones
            blocks.setdefault(w, []).append(i)
    for members in blocks.values():
        if len(members) > 50:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                gi, gj = find(owner[i]), find(owner[j])
                if gi == gj or not words[i] or not words[j]:
                    continue
                shared = len(words[i] & words[j]) / len(words[i] | words[j])
                digits = numbers[i] | numbers[j]
                if shared >= 0.5 and (not digits or len(numbers[i] & numbers[j]) / len(digits) >= 0.5):
                    parent[max(gi, gj)] = min(gi, gj)
    joined: dict[int, list[int]] = {}
    for g, members in enumerate(groups):
        joined.setdefault(find(g), []).extend(members)
    return [sorted(m) for m in joined.values()]
