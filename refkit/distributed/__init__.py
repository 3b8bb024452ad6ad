"""The run on a Dask cluster: articles read, parsed and matched on the workers.

``refkit run PATH... -o OUT --scheduler ADDRESS`` (or ``--workers N`` for a cluster started for the run), or
``refkit.run(paths, out, registry=..., client=dask_client)``; needs the ``dask`` extra
(``pip install 'refkit-biblio[dask]'``). The stages run as in one process and give the same result:

1. **read**: the articles, in parts of a few files, are extracted and parsed on the workers, and each part's
   written DOIs are looked up and checked there (:func:`refkit.match.check_written`, a per-citation step);
2. **plan**: the citations are grouped by work on the driver (:func:`refkit.match.plan`), on the comparison keys
   the workers made when they parsed them (de-duplication compares the same keys);
3. **search**: the open works, in parts that keep equal queries together, are searched and scored on the workers
   (:func:`refkit.match.search_works`);
4. de-duplication, the audit and the exports follow on the driver, as in one process.

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
import math
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from refkit.articles import read_article
from refkit.dedupe import comparison_keys
from refkit.dedupe.keys import _all_keys
from refkit.distributed.grouping import SpreadKeys, stable_hash
from refkit.distributed.recipe import RegistryRecipe, forget, recipe_for, registry_from, requests_sent
from refkit.errors import RefkitError
from refkit.match import ROWS, OpenWork, check_written, plan, query_for, search_works
from refkit.match.works import _numbers_in, _rendering
from refkit.model import Match, Reference
from refkit.parse import parse_citations
from refkit.registry import Registry
from refkit.result import RunResult

__all__ = ["ClusterUnavailable", "DaskMissing", "connect", "read_and_match"]

#: Parts per worker thread: enough that a slow part does not hold up the end, few enough to keep tasks cheap.
PARTS_PER_THREAD = 4
#: Bounds on a part, so that a large run is cut into parts a worker holds with ease.
MAX_FILES_PER_PART = 200
MAX_CITATIONS_PER_PART = 5_000


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
    with (
        distributed.LocalCluster(
            n_workers=max(1, workers or 1), threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


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


def read_and_match(
    result: RunResult,
    files: Sequence[Path],
    *,
    client: Any,
    registry: Registry | None,
    parser: str | None = None,
    rows: int = ROWS,
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
) -> tuple[str | None, SpreadKeys]:
    """Fill ``result``'s inputs, citations, problems, references and matches on ``client``'s cluster.

    Returns why the registry stopped answering (as :attr:`CrossrefClient.unreachable`), or None; and the
    references' comparison keys, made and kept on the workers (:class:`~refkit.distributed.grouping.SpreadKeys`),
    for de-duplication on the cluster; the caller releases them.
    """
    _require_dask()
    if parser is not None and not isinstance(parser, str):
        raise TypeError("on a cluster the parser is given by name (rules, crf, ...), not as an object")
    _check_workers(client)
    threads = max(1, sum(client.nthreads().values()))
    recipe = recipe_for(registry, client) if registry is not None else None
    unreachable: list[str] = []
    spread: SpreadKeys | None = None
    try:
        clock = time.perf_counter()
        parts = _split(list(files), max(threads * PARTS_PER_THREAD, math.ceil(len(files) / MAX_FILES_PER_PART)))
        cwd = os.getcwd()  # relative paths are the driver's: a worker may run elsewhere
        read_parts = client.map(_read_part, parts, parser=parser, recipe=recipe, cwd=cwd, pure=False)
        # the comparison keys and the strings' words stay on the workers (de-duplication and the plan's grouping
        # shuffle them there); the rest comes to the driver
        kept_keys = client.map(_item, read_parts, name="keys", pure=False)
        kept_words = client.map(_item, read_parts, name="renderings", pure=False)
        shown = client.map(_item, read_parts, name="shown", pure=False)
        for future in read_parts:
            future.release()
        read_parts.clear()
        read = _each_result(client, shown)
        numbers: list[int] = []
        for part, done in zip(parts, read, strict=True):
            result.inputs.extend(str(p) for p in part)
            result.citations.extend(done["citations"])
            result.problems.extend(done["problems"])
            result.references.extend(done["references"])
            numbers.extend(done["numbers"])
            if done["unreachable"]:
                unreachable.append(done["unreachable"])
        spread = SpreadKeys(client, kept_keys, kept_words, [len(done["references"]) for done in read])
        written: list[Match | None] = [m for done in read for m in done["written"]]
        del read
        result.timings["read"] = time.perf_counter() - clock

        clock = time.perf_counter()
        refs = result.references
        if on_total:
            on_total(len(refs))
        if recipe is None:
            result.matches = [Match(status="unverified", reason="not looked up (offline)") for _ in refs]
            return None, spread
        settled, works = plan(refs, written, groups=spread.plan_groups(numbers))
        del numbers
        if progress and settled:
            progress(len(settled))
        result.timings["plan"] = time.perf_counter() - clock
        searching = time.perf_counter()
        searched = {w.query for w in works}
        tasks = []
        todo = sum(len(w.todo) for w in works)
        for group in _split_works(works, max(threads * PARTS_PER_THREAD, math.ceil(todo / MAX_CITATIONS_PER_PART))):
            members = sorted({i for w in group for i in w.todo})
            own = {query_for(refs[i]) for i in members} & searched
            tasks.append(
                client.submit(
                    _search_part,
                    {i: refs[i] for i in members},
                    {i: written[i] for i in members},
                    group,
                    own,
                    recipe,
                    rows,
                    pure=False,
                )
            )
        from distributed import as_completed

        for future in as_completed(tasks):
            found, why = future.result()
            future.release()  # the worker then drops the part's outcomes: it holds only those not fetched yet
            settled.update(found)
            if why:
                unreachable.append(why)
            if progress:
                progress(len(found))
        tasks.clear()
        result.matches = [settled.get(i) or Match(status="unmatched") for i in range(len(refs))]
        result.timings["search"] = time.perf_counter() - searching
        result.requests = sum(client.run(requests_sent, recipe.token).values())
        result.timings["match"] = time.perf_counter() - clock  # plan and search
        return (unreachable[0] if unreachable else None), spread
    except BaseException:
        if spread is not None:
            spread.release()
        raise
    finally:
        if recipe is not None:
            with contextlib.suppress(Exception):
                client.run(forget, recipe.token)
            recipe.release(client)


def _each_result(client: Any, futures: list[Any]) -> list[Any]:
    """The results of ``futures``, in their order, each fetched as soon as it is ready and then released on its
    worker: a worker holds only the results not yet fetched, not every part it has read."""
    from distributed import as_completed

    order = {future.key: n for n, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for future in as_completed(futures):
        results[order[future.key]] = future.result()
        future.release()
    futures.clear()
    return results


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


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    """``items`` in at most ``parts`` runs of consecutive items, of near-equal length."""
    if not items:
        return []
    size = math.ceil(len(items) / max(1, parts))
    return [items[k : k + size] for k in range(0, len(items), size)]


def _split_works(works: list[OpenWork], parts: int) -> list[list[OpenWork]]:
    """The works in at most ``parts`` groups of near-equal citation counts, works of one query in one group."""
    by_query: dict[str, list[OpenWork]] = {}
    for work in works:
        by_query.setdefault(work.query, []).append(work)
    total = sum(len(w.todo) for w in works)
    target = max(1, math.ceil(total / max(1, parts)))
    groups: list[list[OpenWork]] = []
    current: list[OpenWork] = []
    size = 0
    for same in by_query.values():
        current.extend(same)
        size += sum(len(w.todo) for w in same)
        if size >= target:
            groups.append(current)
            current, size = [], 0
    if current:
        groups.append(current)
    return groups


# ------------------------------------------------------------------------------------------ tasks (on the workers)


def _read_part(paths: list[Path], parser: str | None, recipe: RegistryRecipe | None, cwd: str) -> dict[str, Any]:
    citations = []
    problems = []
    for path in paths:
        found, trouble = read_article(path, cwd=cwd)
        citations.extend(found)
        problems.extend(trouble)
    references = parse_citations(citations, parser=parser)
    written: list[Match | None] = [None] * len(references)
    unreachable = None
    if recipe is not None:
        registry = registry_from(recipe)
        written = check_written(references, registry)
        unreachable = getattr(registry, "unreachable", None)
    return {
        "shown": {
            "citations": citations,
            "problems": problems,
            "references": references,
            "written": written,
            "numbers": [stable_hash("\x1f".join(_numbers_in(r.title))) for r in references],
            "unreachable": unreachable,
        },
        # the plan's keys: a written DOI counts only when it resolves to the citation's work
        "keys": _all_keys(references, written, [comparison_keys(r) for r in references]),
        "renderings": [_rendering(r) for r in references],
    }


def _item(part: dict[str, Any], name: str) -> Any:
    return part[name]


def _search_part(
    refs: dict[int, Reference],
    written: dict[int, Match | None],
    works: list[OpenWork],
    searched: set[str],
    recipe: RegistryRecipe,
    rows: int,
) -> tuple[dict[int, Match], str | None]:
    registry = registry_from(recipe)
    # a worker thread is one core: searches of a local snapshot are work for the CPU and run one at a time; those
    # sent to Crossref wait on the network and go three at a time (within the cluster's shared limits)
    threads = 1 if recipe.kind == "snapshot" else 3
    found = search_works(refs, written, works, registry, searched=searched, rows=rows, workers=threads)
    return found, getattr(registry, "unreachable", None)
