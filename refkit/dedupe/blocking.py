"""Blocking: the pairs of citations worth comparing (those sharing a block; see :mod:`refkit.dedupe`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from refkit.dedupe.keys import Keys, _all_keys
from refkit.dedupe.scoring import _judge
from refkit.model import Match, Reference

#: Blocks larger than this are compared only between title-sorted neighbours.
_BLOCK_MAX = 100
_WINDOW = 3


def candidate_pairs(refs: Sequence[Reference], matches: Sequence[Match | None] | None = None) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, worth comparing: those sharing a block (see :mod:`refkit.dedupe`).

    Example:
        >>> from refkit.model import Person
        >>> a = Reference(author=(Person("Deza", "G"),), issued=(2015,), title="Solitary morphea")
        >>> b = Reference(author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea")
        >>> c = Reference(author=(Person("Smith", "J"),), issued=(1990,), title="Another subject entirely")
        >>> sorted(candidate_pairs([a, b, c]))
        [(0, 1)]
    """
    return _pairs(_all_keys(refs, matches))


def same_work_pairs(left: Sequence[Keys], right: Sequence[Keys]) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, score)`` of ``left[i]`` and ``right[j]`` judged the same work (score >= 0.5), found with the
    same blocking and scoring as :func:`dedupe`: for linking two collections (citations and a user's library)
    without comparing every pair.

    Example:
        >>> from refkit.dedupe import comparison_keys
        >>> from refkit.model import Person
        >>> a = Reference(raw="a", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary plaque morphea")
        >>> other = Reference(raw="o", author=(Person("Smith", "J"),), issued=(1990,), title="Another subject")
        >>> same_work_pairs([comparison_keys(a)], [comparison_keys(other), comparison_keys(a.replace(raw="b"))])
        [(0, 1, 1.0)]
    """
    combined = [*left, *right]
    found = []
    for i, j in _pairs(combined):
        if (i < len(left)) == (j < len(left)):
            continue  # both on one side
        value = _judge(combined[i], combined[j])[0]
        if value >= 0.5:
            found.append((i, j - len(left), value))
    return sorted(found)


def _block_keys(k: Keys) -> Iterable[tuple[str, ...]]:
    if k.doi:
        yield ("d", k.doi)
    if k.pmid:
        yield ("p", k.pmid)
    if k.year:
        # two keys per year: any two years at most one apart share one of them; the raw text's first word backs
        # up a surname the parser got wrong
        for name in {k.surname, k.lead} - {""}:
            yield ("a", name, str(k.year // 2))
            yield ("a", name, str((k.year + 1) // 2))
    if k.volume and k.first_page:
        yield ("l", k.volume, k.first_page)  # a citation with neither author nor title has its locator
    if k.words:
        yield ("t", *k.words[:3])
        yield ("e", *k.words[-3:])
        if k.surname:
            yield ("s", k.surname, k.words[0])


def _pairs(keys: Sequence[Keys]) -> set[tuple[int, int]]:
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for key in set(_block_keys(k)):
            blocks[key].append(i)
    return _block_pairs(blocks.values(), lambda i: keys[i].title)


def _block_pairs(blocks: Iterable[Sequence[int]], title: Callable[[int], str]) -> set[tuple[int, int]]:
    """The pairs of each block's members (indices in ascending order), a block larger than ``_BLOCK_MAX`` compared
    only between neighbours in ``title`` order: for all citations at once, or for the blocks of one shuffle bucket
    (:mod:`refkit.distributed.grouping`), which holds each of its blocks whole."""
    pairs: set[tuple[int, int]] = set()
    for members in blocks:
        if len(members) < 2:
            continue
        if len(members) > _BLOCK_MAX:
            # not specific: compare only neighbours in title order (sorted neighbourhood), linear in the block
            members = sorted(members, key=lambda i: (title(i), i))
            for x, i in enumerate(members):
                for j in members[x + 1 : x + 1 + _WINDOW]:
                    pairs.add((i, j) if i < j else (j, i))
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((i, j))
    return pairs
