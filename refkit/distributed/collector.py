"""The workers' garbage collector, run less often while refkit runs on them.

Python starts a pass of its cyclic garbage collector every 700 container objects made (net), and every tenth and
hundredth pass over older objects too. A refkit run makes millions of objects that are freed by reference counting
(a search's candidate records, unpacked parts), and keeps hundreds of megabytes on each worker (packed parts, the
parser's model, journal lists) that the older passes walk again and again. On 20,000 citations on two workers the
collector took 11.6 to 12.6 s of each worker's 113 to 128 s (about 2,000 young, 190 middle and 17 full passes);
with the young threshold at 50,000 it took 3.1 s (45 young, 4 middle, no full passes), and the run 99 s.

:class:`FewerCollections` is a Dask worker plugin that raises the young threshold on each worker (those that join
later too) for the run, and puts back the worker's own thresholds when the run unregisters it.
"""

from __future__ import annotations

import gc
from typing import Any

from distributed import WorkerPlugin

__all__ = ["THRESHOLDS", "FewerCollections"]

#: Young objects (net) between two passes, and the passes of each generation between passes of the next.
THRESHOLDS = (50_000, 10, 10)


class FewerCollections(WorkerPlugin):
    """Sets ``gc.set_threshold(*THRESHOLDS)`` on each worker; restores the worker's thresholds on teardown."""

    name = "refkit-fewer-collections"

    def __init__(self, thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
        self.thresholds = tuple(thresholds)
        self._saved: tuple[int, ...] | None = None

    def setup(self, worker: Any) -> None:
        self._saved = gc.get_threshold()
        gc.set_threshold(*self.thresholds)

    def teardown(self, worker: Any) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
