"""One Crossref rate and one cap on requests in flight for a whole Dask cluster.

Crossref's limits are per client, not per process: ten workers that each keep to 3 searches a second send 30. The
state of each limit is therefore kept on the Dask scheduler, which every worker reaches:

* :class:`SharedRateGate` hands out request slots at ``rate`` a second in all. Its state (the next free slot, the
  rate in force, a pause) is a ``distributed.Variable`` changed under a ``distributed.Lock``; a process reserves
  the next slot and sleeps until it comes, so the requests of all processes are spaced ``1/rate`` apart. It has
  :class:`~refkit.registry.TokenBucket`'s methods, so that a 429 seen by one worker slows down (or pauses) every
  worker.
* a ``distributed.Semaphore`` with ``concurrency`` leases caps the requests in flight; the scheduler frees the
  leases of a worker that dies.

Slots are wall-clock times (``time.time()``): processes on one machine share its clock, machines of a cluster keep
theirs in step with NTP (an offset between two machines shifts their slots by as much).
"""

from __future__ import annotations

import math
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClusterLimits", "SharedRateGate", "shared_limits"]


class SharedRateGate:
    """At most ``rate`` acquisitions a second over every process of a Dask cluster (spaced evenly, no burst).

    ``client`` is the Dask client of the process that uses the gate (on a worker, the worker's client: see
    :class:`ClusterLimits`); the gate may then be used from any thread of that process.
    """

    def __init__(self, name: str, rate: float, client: Any) -> None:
        from distributed import Lock, Variable

        if not rate > 0 or not math.isfinite(rate):
            raise ValueError(f"rate must be a finite number above 0, not {rate!r}")
        self.name = name
        self.base_rate = float(rate)
        self.rate = self.base_rate  # as last seen by this process
        self._lock = Lock(f"{name}/lock", scheduler_rpc=client.scheduler, loop=client.loop)
        self._state = Variable(f"{name}/state", client=client)

    def __repr__(self) -> str:
        return f"SharedRateGate({self.name!r}, rate={self.base_rate:g})"

    def _change(self, change: Callable[[dict[str, float], float], float]) -> float:
        with self._lock:
            current = dict(self._state.get(timeout=60))
            answer = change(current, time.time())
            self._state.set(current)
        self.rate = current["rate"]
        return answer

    def acquire(self) -> None:
        """Wait for this process's slot."""

        def reserve(state: dict[str, float], now: float) -> float:
            slot = max(now, state["next"], state["paused"])
            state["next"] = slot + 1.0 / state["rate"]
            return slot

        wait = self._change(reserve) - time.time()
        if wait > 0:
            time.sleep(wait)

    def slow_down(self) -> None:
        """Halve the cluster's rate after a 429 (not below a tenth of the rate set)."""

        def halve(state: dict[str, float], now: float) -> float:
            state["rate"] = max(state["rate"] / 2, self.base_rate / 10)
            return 0.0

        self._change(halve)

    def recover(self) -> None:
        """After an answer, win back a fiftieth of the rate set (a no-op while the rate is the rate set)."""
        if self.rate >= self.base_rate:
            return

        def gain(state: dict[str, float], now: float) -> float:
            state["rate"] = min(self.base_rate, state["rate"] + self.base_rate / 50)
            return 0.0

        self._change(gain)

    def pause(self, seconds: float) -> None:
        """Hand out no slot for ``seconds``, to any process (after a 429 with ``Retry-After``)."""

        def hold(state: dict[str, float], now: float) -> float:
            state["paused"] = max(state["paused"], now + seconds)
            return 0.0

        self._change(hold)


@dataclass(frozen=True)
class ClusterLimits:
    """The names and settings of a run's shared limits: plain data, sent to the workers with the tasks.

    The driver calls :meth:`start` (writes the gates' state on the scheduler) and :meth:`release` at the end; each
    worker calls :meth:`for_client` with its own Dask client.
    """

    single_rate: float
    search_rate: float
    concurrency: int
    run: str = field(default_factory=lambda: uuid.uuid4().hex)

    def _name(self, what: str) -> str:
        return f"refkit-{self.run}-{what}"

    def start(self, client: Any) -> ClusterLimits:
        from distributed import Variable

        for route, rate in (("single", self.single_rate), ("search", self.search_rate)):
            if not rate > 0 or not math.isfinite(rate):
                raise ValueError(f"rate must be a finite number above 0, not {rate!r}")
            Variable(f"{self._name(route)}/state", client=client).set({"next": 0.0, "rate": rate, "paused": 0.0})
        return self

    def for_client(self, client: Any) -> dict[str, Any]:
        """The keyword arguments ``buckets`` and ``in_flight`` of :class:`~refkit.registry.CrossrefClient`."""
        from distributed import Semaphore

        return {
            "buckets": {
                "single": SharedRateGate(self._name("single"), self.single_rate, client),
                "search": SharedRateGate(self._name("search"), self.search_rate, client),
            },
            "in_flight": Semaphore(
                max_leases=self.concurrency,
                name=self._name("in-flight"),
                scheduler_rpc=client.scheduler,
                loop=client.loop,
            ),
        }

    def release(self, client: Any) -> None:
        """Remove the run's limits from the scheduler."""
        from distributed import Semaphore, Variable

        for route in ("single", "search"):
            Variable(f"{self._name(route)}/state", client=client).delete()
        semaphore = Semaphore(
            max_leases=self.concurrency, name=self._name("in-flight"), scheduler_rpc=client.scheduler, loop=client.loop
        )
        with warnings.catch_warnings():
            # the leases of a worker that died are still counted until they time out: nothing to keep them for
            warnings.filterwarnings("ignore", "Closing semaphore", RuntimeWarning)
            semaphore.close()


def shared_limits(settings: dict[str, Any], client: Any) -> ClusterLimits:
    """Cluster-wide limits for Crossref clients made from ``settings`` (:meth:`CrossrefClient.settings`), started
    on ``client``'s scheduler."""
    return ClusterLimits(
        float(settings["single_rate"]), float(settings["search_rate"]), int(settings["concurrency"])
    ).start(client)
