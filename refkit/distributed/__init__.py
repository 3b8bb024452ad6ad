"""The run on a Dask cluster: every stage on the workers, the driver deciding over compact arrays.

``refkit run PATH... -o OUT --scheduler ADDRESS`` (or ``--workers N`` for a cluster started for the run), or
``refkit.run(paths, out, registry=..., client=dask_client)``; needs the ``dask`` extra
(``pip install 'refkit-biblio[dask]'``). The stages (:mod:`refkit.distributed.run`) give the result of one
process: the articles are read, parsed and their written DOIs checked in parts on the workers; the citations are
grouped by work by shuffling their blocking keys, scored on the workers (:mod:`refkit.distributed.grouping`);
their references move to partitions by work (:mod:`refkit.distributed.shuffle`), where the works are planned and
searched; the works are built and audited on partitions of consecutive works. The driver keeps the groups of
citation indices and a few hashes; the citations, references, matches, works and findings stay on the workers, and
the run's result reads them a part at a time (:class:`~refkit.distributed.parted.Parted`) while the client is
open.

The registry reaches the workers as a recipe (:mod:`refkit.distributed.recipe`): a snapshot's index is opened
read-only by each worker at the same path; a Crossref client is made again on each worker with the same settings
and cache file, under ONE rate limit and ONE cap on requests in flight for the whole cluster, kept on the scheduler
(:mod:`refkit.distributed.limits`). A worker that dies costs time, not data: Dask runs its tasks again elsewhere,
and what the registry already answered is in the cache.

Example:
    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     result = refkit.run(["data/articles"], "out", registry=CrossrefClient(), client=client)
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

from refkit.distributed.run import run_on_cluster
from refkit.errors import RefkitError

__all__ = ["ClusterUnavailable", "DaskMissing", "connect", "local_cluster", "run_on_cluster"]


class DaskMissing(ImportError):
    """Dask's distributed scheduler is not installed."""


class ClusterUnavailable(RefkitError):
    """The Dask scheduler given cannot be reached."""


def _require_dask() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise DaskMissing(
            "running on a Dask cluster needs Dask's distributed scheduler: pip install 'refkit-biblio[dask]'"
        ) from exc
    return distributed


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: of the scheduler at ``scheduler`` (``tcp://host:8786``), or of a local cluster of ``workers``
    processes (one thread each) started for the duration of the block."""
    distributed = _require_dask()
    if scheduler:
        _probe(scheduler)
        try:
            client = distributed.Client(scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from exc
        with client:
            yield client
        return
    with local_cluster(max(1, workers or 1)) as cluster, distributed.Client(cluster) as client:
        yield client


def local_cluster(workers: int, **options: Any) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` processes of one thread each, for one run (``options`` go to
    ``LocalCluster``, e.g. ``memory_limit``).

    Its workers do not run Dask's statistical profiler: it samples the task's thread every 10 ms, which made the
    CPU-bound searches about a tenth slower (a cluster started outside refkit can be set alike with
    ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``)."""
    import dask

    distributed = _require_dask()
    # the workers' processes take the configuration the cluster is started with
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", **options
        )


def _probe(scheduler: str, timeout: float = 5.0) -> None:
    """Fail at once when nothing listens at a TCP scheduler address (Dask's client would retry for its whole
    time-out): a refused connection in milliseconds, an unanswered one in ``timeout`` seconds."""
    scheme, _, rest = scheduler.rpartition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("", "tcp") or not host or not port.isdigit():
        return  # another transport (tls, ucx, inproc) or no port: Dask's client says what is wrong
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from exc


def _check_workers(client: Any) -> None:
    """Every worker runs this refkit, or the run stops before it starts with a message that says which does not."""
    from refkit import __version__

    if not client.nthreads():
        raise ClusterUnavailable("the Dask cluster has no workers")
    try:
        versions = client.run(_refkit_version)
    except Exception as exc:  # the function cannot even be unpickled where refkit is missing
        raise ClusterUnavailable(f"the Dask workers cannot run refkit ({exc}): install it on every worker") from exc
    wrong = {worker: v for worker, v in versions.items() if v != __version__}
    if wrong:
        worker, version = sorted(wrong.items())[0]
        raise ClusterUnavailable(f"Dask worker {worker} runs refkit {version}, this process refkit {__version__}")


def _refkit_version() -> str:
    from refkit import __version__

    return __version__
