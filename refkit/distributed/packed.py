"""A part's records as the workers hold them between stages: pickled and compressed.

A parsed reference takes about 6 KB as Python objects and its comparison keys about 10 KB (tuples and sets of
short strings), but under 500 bytes each pickled, and a third of that compressed. A worker holds its parts of the
run from one stage to the next (the citations and references from reading to the end, the matches, the works and
the findings to the end), so it holds them packed: a million citations on two workers peaked at 1.9 and 2.1 GB
each (3.3 GB with the earlier code, which held fewer stages on the workers, unpacked). Packing a reference with its
comparison keys costs about 25 microseconds and unpacking it 15, at every hand-over between stages (with the model's
classes pickled as their fields' values and the garbage collector paused: 2 to 5 times as much without).

Dask measures what a worker holds with ``sizeof``, which counts a :class:`Packed` as its bytes: a worker that must
spill to disk spills by the true size.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import io
import pickle
import sys
import types
import zlib
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

__all__ = ["Packed", "pack", "unpack"]

T = TypeVar("T")

#: zlib's fastest level: most of the gain at a fraction of the cost.
_LEVEL = 1


def _read_only(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(mapping)


def _mapping_proxy(proxy: types.MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _read_only, (dict(proxy),)


#: pickle's reducers, and one for the read-only mappings of the model (a reference's field confidences)
_DISPATCH = {**copyreg.dispatch_table, types.MappingProxyType: _mapping_proxy}


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (and on again after, if it was on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Packed(Generic[T]):
    """A list (or another collection) of items pickled and compressed, with its length."""

    __slots__ = ("blob", "count")

    def __init__(self, items: T) -> None:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _DISPATCH
        with _collector_paused():
            pickler.dump(items)
        self.blob = zlib.compress(buffer.getbuffer(), _LEVEL)
        self.count = len(items)  # type: ignore[arg-type]

    def items(self) -> T:
        # Unpickling makes many objects and no garbage, yet each few hundred objects made start a pass of the cyclic
        # garbage collector, some of them over the worker's whole heap: unpacking 10,000 references with their
        # keys took 0.6 to 0.8 s with the collector running, 0.24 s without.
        with _collector_paused():
            return pickle.loads(zlib.decompress(self.blob))  # packed by the run itself, on its workers

    def __len__(self) -> int:
        return self.count

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + sys.getsizeof(self.blob)

    def __getstate__(self) -> tuple[bytes, int]:
        return self.blob, self.count

    def __setstate__(self, state: tuple[bytes, int]) -> None:
        self.blob, self.count = state

    def __repr__(self) -> str:
        return f"<Packed: {self.count} items in {len(self.blob):,} bytes>"


def pack(items: T) -> Packed[T]:
    return Packed(items)


def unpack(value: Any) -> Any:
    """The items of a :class:`Packed` list; anything else as it is."""
    return value.items() if isinstance(value, Packed) else value
