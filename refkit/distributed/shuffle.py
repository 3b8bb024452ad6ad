"""Moving a run's records between partitions on the cluster: Dask's task shuffle, with chosen targets.

The run re-partitions its citations three times: by article (as read), by the work they cite (to plan and search
it), and by the de-duplicated work (to build the works and audit them), and back by article for the matches.
:func:`shuffle` does it with ``dask.bag``'s task-based shuffle (:func:`dask.bag.core.groupby_tasks`), keyed by the
target partition's number: a hash that is the number itself puts target ``q`` in output partition ``q``, so each
output is one chosen target, held by one worker, without anything passing through the driver.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["shuffle", "targets_for"]

#: Dask's default number of partitions a shuffle stage splits into.
_BRANCH = 32


def targets_for(sources: int) -> int:
    """The number of target partitions a shuffle from ``sources`` partitions has (Dask's task shuffle rounds it up
    to a power of its branching factor's root: ``sources`` or a little more)."""
    sources = max(1, sources)
    stages = math.ceil(math.log(sources) / math.log(_BRANCH)) or 1
    k = math.ceil(sources ** (1 / stages)) if stages > 1 else sources
    return int(k**stages)


def shuffle(
    client: Any,
    sources: Sequence[Any],
    split: Callable[..., dict[int, Any]],
    args: Sequence[tuple[Any, ...]],
) -> list[Any]:
    """Futures of the ``targets_for(len(sources))`` target partitions: target ``q`` holds the list of the payloads
    ``split(source, *args[n])[q]`` of every source ``n`` (in source order) that has one.

    ``sources`` are futures (or values); ``split`` runs on the worker that holds its source.
    """
    import dask.bag
    from dask import delayed
    from dask.bag.core import groupby_tasks

    targets = targets_for(len(sources))
    pieces = [
        delayed(_tagged, pure=True)(split, n, source, *a)
        for n, (source, a) in enumerate(zip(sources, args, strict=True))
    ]
    grouped = groupby_tasks(dask.bag.from_delayed(pieces), _first, hash=_itself, max_branch=_BRANCH)
    if grouped.npartitions != targets:
        raise RuntimeError(f"Dask's shuffle made {grouped.npartitions} partitions where {targets} were planned")
    return list(client.compute([delayed(_joined, pure=True)(part, n) for n, part in enumerate(grouped.to_delayed())]))


def _tagged(split: Callable[..., dict[int, Any]], n: int, source: Any, *args: Any) -> list[tuple[int, tuple[int, Any]]]:
    return [(q, (n, payload)) for q, payload in split(source, *args).items()]


def _first(item: tuple[int, Any]) -> int:
    return item[0]


def _itself(q: int) -> int:
    return q


def _joined(groups: list[tuple[int, list[tuple[int, tuple[int, Any]]]]], target: int) -> list[Any]:
    """Target ``target``'s payloads, in source order (its output partition holds that target's group only)."""
    out: list[tuple[int, Any]] = []
    for q, items in groups:
        if q != target:
            raise RuntimeError(f"Dask's shuffle put target {q} in partition {target}")
        out.extend(entry for _, entry in items)
    out.sort(key=_first)
    return [payload for _, payload in out]
