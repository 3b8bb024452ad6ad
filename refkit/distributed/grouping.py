"""Citations grouped by work on the cluster: blocking keys shuffled, pairs scored on the workers, groups joined on
the driver from compact arrays.

The steps of :func:`refkit.dedupe.dedupe`'s grouping (and of the matching plan's, :func:`refkit.match.plan`), spread
over the cluster so that no process holds every citation's comparison keys:

1. each part of the run keeps its citations' comparison keys on the worker that read it (:class:`SpreadKeys`);
2. a part sends each of its citations, once per shuffle bucket, to the buckets its blocking keys fall in (a stable
   hash of the key: every member of a block meets in one bucket), with its keys;
3. Dask shuffles the entries by bucket (``dask.bag``'s task shuffle); each bucket's blocks give their candidate
   pairs (:func:`refkit.dedupe.blocking._block_pairs`), scored with de-duplication's judge on the worker; only the
   accepted pairs (as arrays of indices and scores) and the pairs judged related works come back;
4. the driver keeps each pair once, sorts them strongest first and joins them with the union-find of one process
   (:func:`refkit.dedupe.clustering._components`), the identifiers compared as 64-bit hashes.

The matching plan also splits a group by its titles' numbers and joins groups that are one string in two styles
(:mod:`refkit.match.works`): the numbers come as hashes, and the pairs of renderings come from the same shuffle.
The groups are those of one process, in the same order.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from refkit.dedupe.blocking import _block_keys, _block_pairs
from refkit.dedupe.clustering import _components
from refkit.dedupe.keys import Keys
from refkit.dedupe.scoring import _judge
from refkit.distributed.packed import pack, unpack
from refkit.match.works import _join_renderings, _rendering_blocks, _rendering_pairs, _split_by_numbers

__all__ = ["SpreadKeys", "stable_hash"]

#: Shuffle entries per bucket aimed at: a bucket's keys are held whole by one task.
ENTRIES_PER_BUCKET = 40_000
#: A citation has about this many distinct blocks (a handful of blocking keys, and three words for renderings).
_BLOCKS_PER_CITATION = 8

Groups = list[list[int]]
Hints = list[tuple[int, int, str]]


def stable_hash(text: str) -> int:
    """A 63-bit hash of ``text``, the same in every process (Python's own ``hash`` of a string is not)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()) >> 1


def _bucket(key: tuple[str, ...], buckets: int) -> int:
    """The shuffle bucket of a block: every member of a block meets there. The blocks of one name (its two year
    keys) share the name's bucket, and the blocks of one first title word (``t``, and ``s``: a surname and that
    word) share the word's: a citation's keys travel to 3.6 buckets on average instead of 4.9, a quarter less
    shuffled, with the same blocks whole in each."""
    kind = key[0]
    if kind == "a":  # ("a", name, half of the year)
        key = ("n", key[1])
    elif kind == "t":  # ("t", first, second, third title word)
        key = ("w", key[1])
    elif kind == "s":  # ("s", surname, first title word)
        key = ("w", key[2])
    return zlib.crc32("\x1f".join(key).encode("utf-8", "surrogatepass")) % buckets


class SpreadKeys:
    """Each part's comparison keys (and the words of its strings), kept on the workers as Dask futures.

    Args:
        client: the Dask client.
        keys: one future per part, each a list of :class:`~refkit.dedupe.Keys` (those of the matching plan: a
            written DOI counts only when it resolves to the citation's work).
        renderings: one future per part: each citation's string words and numbers
            (:func:`refkit.match.works._rendering`), for the plan's joining of renderings.
        sizes: the number of citations of each part, in order.
        entries_per_bucket: the shuffle's entries per bucket aimed at (the buckets are at least as many as the
            parts).
    """

    def __init__(
        self,
        client: Any,
        keys: list[Any],
        renderings: list[Any],
        sizes: Sequence[int],
        *,
        entries_per_bucket: int = ENTRIES_PER_BUCKET,
    ) -> None:
        self.client = client
        self.entries_per_bucket = entries_per_bucket
        self.keys = keys
        self.renderings: list[Any] | None = renderings
        self.sizes = list(sizes)
        self.starts = [sum(self.sizes[:n]) for n in range(len(self.sizes))]
        self.count = sum(self.sizes)

    def plan_groups(self, numbers: Sequence[int]) -> Groups:
        """The matching plan's groups (as :func:`refkit.match.works._works` makes them in one process), given each
        citation's hash of its title's numbers; the string words are released after."""
        assert self.renderings is not None, "the plan's groups are made once"
        judged, _ = self._shuffle(None, with_renderings=True)
        groups = _split_by_numbers(self._join(judged, None), numbers)
        rendering_pairs = ((i, j) for part in judged for i, j in part["renderings"])
        groups = _join_renderings(groups, rendering_pairs)
        self.drop_renderings()
        return groups

    def dedupe_groups(self, dois: Sequence[Any]) -> tuple[Groups, Hints]:
        """De-duplication's groups and related-work hints (as :func:`refkit.dedupe._groups` makes them), given each
        part's list of its citations' DOIs after matching (:func:`refkit.dedupe.keys._doi`), or a future of it."""
        if len(dois) != len(self.keys):
            raise ValueError("one list of DOIs per part")
        judged, hints = self._shuffle(list(dois), with_renderings=False)
        return self._join(judged, list(dois)), hints

    def drop_renderings(self) -> None:
        """Release the strings' words (when the plan does not group)."""
        for future in self.renderings or []:
            future.release()
        self.renderings = None

    def release(self) -> None:
        for future in [*self.keys, *(self.renderings or [])]:
            future.release()
        self.keys, self.renderings = [], None

    # ------------------------------------------------------------------------------------------------ steps

    def _shuffle(self, dois: list[Any] | None, *, with_renderings: bool) -> tuple[list[dict[str, Any]], Hints]:
        import dask.bag
        from dask import delayed
        from distributed import as_completed

        buckets = max(len(self.keys), math.ceil(self.count * _BLOCKS_PER_CITATION / self.entries_per_bucket))
        entries = [
            delayed(_entries, pure=True)(
                keys,
                self.renderings[n] if with_renderings and self.renderings is not None else None,
                self.starts[n],
                dois[n] if dois is not None else None,
                buckets,
            )
            for n, keys in enumerate(self.keys)
        ]
        # one bucket to a partition (a bag's groupby would keep the parts' count): a task holds one bucket's keys
        bag = dask.bag.from_delayed(entries).groupby(_first, shuffle="tasks", npartitions=buckets)
        bag = bag.map_partitions(_judge_buckets)
        futures = self.client.compute(bag.to_delayed())
        judged: list[dict[str, Any]] = []
        hints: set[tuple[int, int, str]] = set()
        for future in as_completed(futures):
            part = future.result()
            future.release()
            hints.update(part.pop("hints"))
            judged.append(part)
        futures.clear()
        return judged, sorted(hints)

    def _join(self, judged: list[dict[str, Any]], dois: list[Any] | None) -> Groups:
        """The groups of the accepted pairs, strongest first, never two DOIs or PMIDs in one."""
        import numpy as np

        first = np.concatenate([np.asarray(p["i"], dtype=np.int64) for p in judged] or [np.zeros(0, np.int64)])
        second = np.concatenate([np.asarray(p["j"], dtype=np.int64) for p in judged] or [np.zeros(0, np.int64)])
        value = np.concatenate([np.asarray(p["v"], dtype=np.float64) for p in judged] or [np.zeros(0)])
        # a pair met in two buckets (two shared blocks) is scored alike in both: kept once
        code, once = np.unique(first * self.count + second, return_index=True)
        first, second, value = code // self.count, code % self.count, value[once]
        order = np.lexsort((second, first, -value))
        accepted = zip(first[order].tolist(), second[order].tolist(), strict=True)
        ids = self.client.gather(self.client.map(_identifiers, self.keys, dois or [None] * len(self.keys), pure=False))
        doi = np.concatenate([d for d, _ in ids] or [np.zeros(0, np.int64)])
        pmid = np.concatenate([p for _, p in ids] or [np.zeros(0, np.int64)])
        return _components(self.count, lambda i: int(doi[i]) or None, lambda i: int(pmid[i]) or None, accepted)


# ------------------------------------------------------------------------------------------ tasks (on the workers)


def _first(item: tuple[int, Any]) -> int:
    return item[0]


def _with_dois(keys: list[Keys], dois: list[str | None] | None) -> list[Keys]:
    if dois is None:
        return keys
    return [k if d == k.doi else replace(k, doi=d) for k, d in zip(keys, dois, strict=True)]


def _entries(keys: Any, renderings: Any, start: int, dois: list[str | None] | None, buckets: int) -> list[Any]:
    """A part's shuffle entries: for each bucket, its citations with a block there, as ``(index, keys, words,
    blocking keys, rendering words)`` (keys and words only where the bucket needs them), packed."""
    renderings = unpack(renderings)
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for n, k in enumerate(_with_dois(unpack(keys), dois)):
        per: dict[int, tuple[list[tuple[str, ...]], list[str]]] = {}
        for key in set(_block_keys(k)):
            per.setdefault(_bucket(key, buckets), ([], []))[0].append(key)
        if renderings is not None:
            for word in _rendering_blocks(renderings[n][0]):
                per.setdefault(_bucket(("r", word), buckets), ([], []))[1].append(word)
        for bucket, (blocks, words) in per.items():
            out[bucket].append(
                (start + n, k if blocks else None, renderings[n] if words else None, tuple(blocks), tuple(words))
            )
    return [(bucket, pack(entries)) for bucket, entries in out.items()]


def _judge_buckets(groups: list[tuple[int, list[tuple[int, Any]]]]) -> dict[str, Any]:
    """The accepted pairs (score >= 0.5) of each bucket's blocks, the related-work hints, and the pairs of
    renderings of one string."""
    firsts: list[int] = []
    seconds: list[int] = []
    values: list[float] = []
    hints: list[tuple[int, int, str]] = []
    renderings: list[tuple[int, int]] = []
    for _, items in groups:
        keys: dict[int, Keys] = {}
        words: dict[int, Any] = {}
        blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
        rendering_blocks: dict[str, list[int]] = defaultdict(list)
        for _, entries in items:
            for i, k, w, block_keys, rendering_words in unpack(entries):
                if k is not None:
                    keys[i] = k
                if w is not None:
                    words[i] = w
                for key in block_keys:
                    blocks[key].append(i)
                for word in rendering_words:
                    rendering_blocks[word].append(i)
        for members in (*blocks.values(), *rendering_blocks.values()):
            members.sort()
        for i, j in _block_pairs(blocks.values(), lambda i, keys=keys: keys[i].title):  # type: ignore[misc]
            value, relation = _judge(keys[i], keys[j])
            if value >= 0.5:
                firsts.append(i)
                seconds.append(j)
                values.append(value)
            if relation is not None:
                hints.append((i, j, relation))
        renderings.extend(_rendering_pairs(rendering_blocks.values(), words.__getitem__))
    import numpy as np

    return {
        "i": np.asarray(firsts, dtype=np.int64),
        "j": np.asarray(seconds, dtype=np.int64),
        "v": np.asarray(values, dtype=np.float64),
        "hints": hints,
        "renderings": renderings,
    }


def _identifiers(keys: Any, dois: list[str | None] | None) -> tuple[Any, Any]:
    """Each citation's DOI and PMID as 63-bit hashes (0 for none)."""
    import numpy as np

    keys = unpack(keys)
    doi = np.zeros(len(keys), dtype=np.int64)
    pmid = np.zeros(len(keys), dtype=np.int64)
    for n, k in enumerate(_with_dois(keys, dois)):
        if k.doi:
            doi[n] = stable_hash(k.doi) or 1
        if k.pmid:
            pmid[n] = stable_hash(k.pmid) or 1
    return doi, pmid
