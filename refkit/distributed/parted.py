"""A run's per-citation results kept on the cluster's workers: a sequence read a part at a time."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, overload

from refkit.distributed.packed import unpack

__all__ = ["Parted"]

T = TypeVar("T")


class Parted(Sequence[T]):
    """The items of a run (citations, references, matches, works, findings) in parts held by the workers.

    Each part is a Dask future of a list (or of a :class:`~refkit.distributed.packed.Packed` list); iterating
    fetches one part at a time, so that the driver never holds more than one part of a large run. It compares equal
    to any sequence of the same items. The parts live as long as this object (and the Dask client) does.
    """

    def __init__(self, parts: Sequence[Any], sizes: Sequence[int]) -> None:
        if len(parts) != len(sizes):
            raise ValueError("one size per part")
        self._parts = list(parts)
        self._sizes = list(sizes)
        self._ends = list(itertools.accumulate(self._sizes))
        self._held: tuple[int, list[T]] | None = None

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def _part(self, n: int) -> list[T]:
        if self._held is None or self._held[0] != n:
            items = unpack(self._parts[n].result() if hasattr(self._parts[n], "result") else self._parts[n])
            if len(items) != self._sizes[n]:
                raise RuntimeError(f"part {n} holds {len(items)} items, not {self._sizes[n]}")
            self._held = (n, items)
        return self._held[1]

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("index out of range")
        n = bisect.bisect_right(self._ends, index)
        return self._part(n)[index - (self._ends[n] - self._sizes[n])]

    def __iter__(self) -> Iterator[T]:
        for n, size in enumerate(self._sizes):
            if size:
                yield from self._part(n)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Parted: {len(self)} items in {len(self._parts)} parts on the cluster>"

    def release(self) -> None:
        """Let the workers drop the parts (the sequence is empty after)."""
        for part in self._parts:
            if hasattr(part, "release"):
                part.release()
        self._parts, self._sizes, self._ends, self._held = [], [], [], None
