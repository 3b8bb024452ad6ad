"""The whole run on a Dask cluster, each stage on the workers that hold its records.

The driver holds what it must decide over the whole run, in compact form (the groups of citation indices, a hash
per citation, the works' DOIs), and never the citations, references, matches, works or findings themselves: those
stay in parts on the workers and are read back a part at a time (:class:`~refkit.distributed.parted.Parted`).

1. **read**: articles, in parts of a few files, are extracted and parsed, and their written DOIs checked
   (:func:`refkit.match.check_written`); each part keeps its references and comparison keys;
2. **plan**: the citations are grouped by work by shuffling their blocking keys
   (:mod:`refkit.distributed.grouping`); the references move to work partitions (:mod:`refkit.distributed.shuffle`),
   where each group is planned (:func:`refkit.match.plan`);
3. **search**: each work partition searches its open works (:func:`refkit.match.search_works`), knowing every
   query of the run (as hashes), and the matches move back to the parts they were read in;
4. **dedupe**: the works are grouped again with the matched DOIs, the references and matches move to work
   partitions of consecutive works, and each builds its works (canonical record, disagreements); the relations
   between works are joined on the driver;
5. **audit**: each partition audits its works; the findings are read in the order of one process (by severity,
   then by work).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from refkit.articles import read_article
from refkit.audit import SEVERITY_ORDER, audit
from refkit.dedupe import comparison_keys
from refkit.dedupe.canonical import _canonical, _disagreements
from refkit.dedupe.keys import _all_keys, _doi
from refkit.dedupe.related import _links, _stated
from refkit.distributed.grouping import SpreadKeys, stable_hash
from refkit.distributed.packed import pack, unpack
from refkit.distributed.parted import Parted
from refkit.distributed.recipe import RegistryRecipe, forget, recipe_for, registry_from, requests_sent
from refkit.distributed.shuffle import shuffle, targets_for
from refkit.match import ROWS, check_written, plan, search_works
from refkit.match.works import _numbers_in, _rendering
from refkit.model import Cluster, Match, Reference
from refkit.parse import parse_citations
from refkit.registry import Registry
from refkit.result import RunResult

__all__ = ["run_on_cluster"]

#: Parts per worker thread: enough that a slow part does not hold up the end, few enough to keep tasks cheap.
PARTS_PER_THREAD = 4
#: Bounds on a part, so that a large run is cut into parts a worker holds with ease.
MAX_FILES_PER_PART = 200


def run_on_cluster(
    result: RunResult,
    files: Sequence[Path],
    *,
    client: Any,
    registry: Registry | None,
    parser: str | None = None,
    rows: int = ROWS,
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
) -> str | None:
    """Fill ``result`` (inputs, problems, citations, references, matches, works, findings, tallies) on ``client``'s
    cluster; returns why the registry stopped answering (as :attr:`CrossrefClient.unreachable`), or None."""
    from refkit.distributed import _check_workers
    from refkit.distributed.collector import FewerCollections

    _check_workers(client)
    threads = max(1, sum(client.nthreads().values()))
    client.register_plugin(FewerCollections())
    recipe = recipe_for(registry, client) if registry is not None else None
    unreachable: list[str] = []
    spread: SpreadKeys | None = None
    try:
        # ------------------------------------------------------------------------------------------- read
        clock = time.perf_counter()
        parts = _split(list(files), max(threads * PARTS_PER_THREAD, math.ceil(len(files) / MAX_FILES_PER_PART)))
        cwd = os.getcwd()  # relative paths are the driver's: a worker may run elsewhere
        read = client.map(_read_part, parts, parser=parser, recipe=recipe, cwd=cwd, pure=False)
        citations, references, written, keys, words, heads = (
            client.map(_item, read, name=name, pure=False)
            for name in ("citations", "references", "written", "keys", "renderings", "head")
        )
        _release(read)
        shown = _each_result(client, heads)
        sizes = [h["size"] for h in shown]
        starts = [sum(sizes[:n]) for n in range(len(sizes))]
        count = sum(sizes)
        numbers: list[int] = []
        for part, head in zip(parts, shown, strict=True):
            result.inputs.extend(str(p) for p in part)
            result.problems.extend(head["problems"])
            numbers.extend(head["numbers"])
            if head["unreachable"]:
                unreachable.append(head["unreachable"])
        result.citations = Parted(citations, sizes)  # type: ignore[assignment]
        result.references = Parted(references, sizes)  # type: ignore[assignment]
        result.tallies["parsed"] = sum(h["parsed"] for h in shown)
        spread = SpreadKeys(client, keys, words, sizes)
        result.timings["read"] = time.perf_counter() - clock

        # ------------------------------------------------------------------------------------------ match
        clock = time.perf_counter()
        if on_total:
            on_total(count)
        if recipe is None:
            spread.drop_renderings()
            ordered = client.map(_offline, references, pure=False)
            _release(written)
        else:
            ordered = _match(
                result, client, spread, numbers, references, written, sizes, starts, recipe, rows, progress, unreachable
            )
            result.timings["match"] = time.perf_counter() - clock  # plan and search
        del numbers
        # each part's matches, the DOIs de-duplication groups by, and the tally of its statuses
        matches, dois = (client.map(_item, ordered, name=name, pure=False) for name in ("matches", "dois"))
        tallies = client.gather(client.map(_item, ordered, name="tally", pure=False))
        _release(ordered)
        result.matches = Parted(matches, sizes)  # type: ignore[assignment]
        result.tallies["statuses"] = dict(sum((Counter(t["statuses"]) for t in tallies), Counter()))
        result.tallies["failures"] = sum(t["failures"] for t in tallies)
        result.tallies["unchecked"] = sum(t["unchecked"] for t in tallies)
        reasons = [t["reason"] for t in tallies if t["reason"] is not None]
        result.tallies["reason"] = reasons[0] if reasons else None

        # ----------------------------------------------------------------------------------------- dedupe
        clock = time.perf_counter()
        groups, hints = spread.dedupe_groups(dois)
        _release(dois)
        spread.release()
        spread = None
        _works(result, client, groups, hints, references, matches, sizes, starts, clock)
        return unreachable[0] if unreachable else None
    except BaseException:
        if spread is not None:
            spread.release()
        raise
    finally:
        with contextlib.suppress(Exception):
            client.unregister_worker_plugin(FewerCollections.name)
        if recipe is not None:
            with contextlib.suppress(Exception):
                client.run(forget, recipe.token)
            recipe.release(client)


def _match(
    result: RunResult,
    client: Any,
    spread: SpreadKeys,
    numbers: list[int],
    references: list[Any],
    written: list[Any],
    sizes: list[int],
    starts: list[int],
    recipe: RegistryRecipe,
    rows: int,
    progress: Callable[[int], Any] | None,
    unreachable: list[str],
) -> list[Any]:
    """Plan and search on the work partitions; returns, for each read part, a future of its matches, their DOIs
    and their tally (see :func:`_in_order`)."""
    import numpy as np
    from distributed import as_completed, wait

    clock = time.perf_counter()
    groups = spread.plan_groups(numbers)
    targets = targets_for(len(sizes))
    target_of, per_target = _assign(groups, sum(sizes), targets)
    del groups
    shards = _to_work_partitions(client, references, written, starts, sizes, target_of)
    _release(written)
    planned = client.map(_plan_part, shards, per_target, pure=False)
    _release(shards)
    del per_target, target_of
    states = client.map(_item, planned, name="state", pure=False)
    heads = _each_result(client, client.map(_item, planned, name="head", pure=False))
    _release(planned)
    settled = sum(h["settled"] for h in heads)
    if progress and settled:
        progress(settled)
    queries = np.unique(np.concatenate([h["queries"] for h in heads] or [np.zeros(0, np.int64)]))
    del heads
    searched = client.submit(_array, queries, pure=False)  # every query of the run, as hashes, for each part
    del queries
    result.timings["plan"] = time.perf_counter() - clock

    clock = time.perf_counter()
    found = client.map(_search_part, states, searched=searched, recipe=recipe, rows=rows, pure=False)
    by_part = client.map(_item, found, name="matches", pure=False)
    for future in as_completed(client.map(_item, found, name="head", pure=False)):
        head = future.result()
        future.release()
        if head["unreachable"]:
            unreachable.append(head["unreachable"])
        if progress and head["found"]:
            progress(head["found"])
    _release(found)
    _release(states)
    searched.release()
    back = shuffle(client, by_part, _to_parts, [(starts,)] * len(by_part))
    ordered = client.map(_in_order, back[: len(sizes)], starts, sizes, pure=False)
    wait(ordered)  # here (not fetched: they stay on the workers), so that the search's time is the search's
    _release(by_part)
    _release(back)
    result.timings["search"] = time.perf_counter() - clock
    result.requests = sum(client.run(requests_sent, recipe.token).values())
    return ordered


def _works(
    result: RunResult,
    client: Any,
    groups: list[list[int]],
    hints: list[tuple[int, int, str]],
    references: list[Any],
    matches: list[Any],
    sizes: list[int],
    starts: list[int],
    clock: float,
) -> None:
    """Build the works and audit them on partitions of consecutive works; fill ``result``'s works and findings."""
    import numpy as np

    count = sum(sizes)
    targets = targets_for(len(sizes))
    target_of, per_target = _assign(groups, count, targets)
    work_of = np.empty(count, dtype=np.int64)
    firsts: list[int] = []
    n = 0
    for members in per_target:
        firsts.append(n)
        for group in members:
            work_of[group] = n
            n += 1
    del groups
    shards = _to_work_partitions(client, references, matches, starts, sizes, target_of)
    built = client.map(_build_part, shards, per_target, firsts, pure=False)
    _release(shards)
    del per_target, target_of
    states = client.map(_item, built, name="state", pure=False)
    heads = client.gather(client.map(_item, built, name="head", pure=False))
    _release(built)
    dois: dict[int, str] = {}
    stated: dict[int, list[tuple[str, str]]] = {}
    for head in heads:
        dois.update(head["dois"])
        stated.update(head["stated"])
    hinted = [(int(work_of[i]), relation, int(work_of[j])) for i, j, relation in hints]
    related = _links(hinted, stated, dois)
    del dois, stated, hinted, work_of
    works = [h["works"] for h in heads]
    ranges = [(first, first + k) for first, k in zip(firsts, works, strict=True)]
    result.timings["dedupe"] = time.perf_counter() - clock

    clock = time.perf_counter()
    audited = client.map(
        _audit_part, states, [{n: related[n] for n in range(a, b) if n in related} for a, b in ranges], pure=False
    )
    _release(states)
    del related
    tallies = client.gather(client.map(_item, audited, name="head", pure=False))
    result.clusters = Parted(client.map(_item, audited, name="works", pure=False), works)  # type: ignore[assignment]
    severities = {s: [t["findings"].get(s, 0) for t in tallies] for s in SEVERITY_ORDER}
    result.findings = Parted(  # type: ignore[assignment]
        [f for s in SEVERITY_ORDER for f in client.map(_findings_of, audited, severity=s, pure=False)],
        [k for s in SEVERITY_ORDER for k in severities[s]],
    )
    result.tallies["findings"] = {s: sum(severities[s]) for s in SEVERITY_ORDER}
    _release(audited)
    result.timings["audit"] = time.perf_counter() - clock


def _to_work_partitions(
    client: Any, references: list[Any], extra: list[Any], starts: list[int], sizes: list[int], target_of: Any
) -> list[Any]:
    """Each read part's references, with its ``extra`` list (written DOIs' checks, or matches), shuffled to the
    target partitions ``target_of`` gives each citation."""
    cuts = [target_of[s : s + k] for s, k in zip(starts, sizes, strict=True)]
    return shuffle(client, references, _to_targets, list(zip(extra, starts, cuts, strict=True)))


def _assign(groups: list[list[int]], count: int, targets: int) -> tuple[Any, list[list[list[int]]]]:
    """The groups in order, cut into ``targets`` runs of near-equal citation counts: each citation's target
    partition (an array), and each target's groups."""
    import numpy as np

    target_of = np.zeros(count, dtype=np.int32)
    per_target: list[list[list[int]]] = [[] for _ in range(targets)]
    load = max(1.0, count / targets)
    before = 0
    for members in groups:
        q = min(int(before / load), targets - 1)
        per_target[q].append(members)
        target_of[members] = q
        before += len(members)
    return target_of, per_target


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


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    """``items`` in at most ``parts`` runs of consecutive items, of near-equal length."""
    if not items:
        return []
    size = math.ceil(len(items) / max(1, parts))
    return [items[k : k + size] for k in range(0, len(items), size)]


def _release(futures: list[Any]) -> None:
    for future in futures:
        future.release()
    futures.clear()


# ------------------------------------------------------------------------------------------ tasks (on the workers)


def _item(part: dict[str, Any], name: str) -> Any:
    return part[name]


def _array(values: Any) -> Any:
    return values


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
        "citations": pack(citations),
        "references": pack(references),
        "written": pack(written),
        # the plan's keys: a written DOI counts only when it resolves to the citation's work
        "keys": pack(_all_keys(references, written, [comparison_keys(r) for r in references])),
        "renderings": pack([_rendering(r) for r in references]),
        "head": {
            "size": len(references),
            "problems": problems,
            "numbers": [stable_hash("\x1f".join(_numbers_in(r.title))) for r in references],
            "parsed": sum(1 for r in references if r.title or r.author),
            "unreachable": unreachable,
        },
    }


def _to_targets(refs: Any, extra: Any, start: int, targets: Any) -> dict[int, Any]:
    """A part's references (with their written DOIs' or their matches) by target partition, packed."""
    out: dict[int, list[tuple[Any, ...]]] = {}
    for k, (ref, more) in enumerate(zip(unpack(refs), unpack(extra), strict=True)):
        out.setdefault(int(targets[k]), []).append((start + k, ref, more))
    return {q: pack(entries) for q, entries in out.items()}


def _shards(shards: list[Any]) -> list[tuple[Any, ...]]:
    """The entries a shuffle brought to a partition, unpacked."""
    return [entry for shard in shards for entry in unpack(shard)]


def _plan_part(shards: list[Any], groups: list[list[int]]) -> dict[str, Any]:
    import numpy as np

    entries = _shards(shards)
    refs: dict[int, Reference] = {i: ref for i, ref, _ in entries}
    written: dict[int, Match | None] = {i: w for i, _, w in entries}
    del entries
    settled, works = plan(refs, written, groups=groups)
    return {
        "state": pack((refs, written, settled, works)),
        "head": {
            "settled": len(settled),
            "queries": np.asarray(sorted({stable_hash(w.query) for w in works}), dtype=np.int64),
        },
    }


class _Hashed:
    """The run's queries as a sorted array of hashes, asked as a set of strings."""

    def __init__(self, hashes: Any) -> None:
        self.hashes = hashes

    def __contains__(self, query: object) -> bool:
        import numpy as np

        if not isinstance(query, str):
            return False
        h = stable_hash(query)
        k = int(np.searchsorted(self.hashes, h))
        return k < len(self.hashes) and int(self.hashes[k]) == h

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Any:
        raise TypeError("the queries are known by their hashes only")


def _search_part(state: Any, searched: Any, recipe: RegistryRecipe, rows: int) -> dict[str, Any]:
    refs, written, settled, works = unpack(state)
    registry = registry_from(recipe)
    # a worker thread is one core: searches of a local snapshot are work for the CPU and run one at a time; those
    # sent to Crossref wait on the network and go three at a time (within the cluster's shared limits)
    threads = 1 if recipe.kind == "snapshot" else 3
    found = search_works(refs, written, works, registry, searched=_Hashed(searched), rows=rows, workers=threads)
    # with each match, the DOI de-duplication groups its citation by (the reference is at hand here)
    return {
        "matches": pack({i: (m, _doi(refs[i], m)) for i, m in {**settled, **found}.items()}),
        "head": {"found": len(found), "unreachable": getattr(registry, "unreachable", None)},
    }


def _to_parts(matches: Any, starts: list[int]) -> dict[int, Any]:
    """A work partition's matches (with their DOIs) by the part their citations were read in, packed."""
    import bisect

    out: dict[int, list[tuple[int, tuple[Match, str | None]]]] = {}
    for i, found in unpack(matches).items():
        out.setdefault(bisect.bisect_right(starts, i) - 1, []).append((i, found))
    return {q: pack(entries) for q, entries in out.items()}


def _in_order(shards: list[Any], start: int, size: int) -> dict[str, Any]:
    """A read part's matches in its order (packed), their DOIs, and their tally."""
    matches: list[Match | None] = [None] * size
    dois: list[str | None] = [None] * size
    for i, (m, doi) in _shards(shards):
        matches[i - start] = m
        dois[i - start] = doi
    missing = [start + k for k, m in enumerate(matches) if m is None]
    if missing:
        raise RuntimeError(f"no match came back for citation {missing[0]} (of {len(missing)})")
    return {"matches": pack(matches), "dois": dois, "tally": _match_tally(matches)}  # type: ignore[arg-type]


def _offline(refs: Any) -> dict[str, Any]:
    """A read part's matches when nothing is looked up (as :func:`_in_order` gives them)."""
    refs = unpack(refs)
    matches = [Match(status="unverified", reason="not looked up (offline)") for _ in refs]
    dois = [_doi(r, m) for r, m in zip(refs, matches, strict=True)]
    return {"matches": pack(matches), "dois": dois, "tally": _match_tally(matches)}


def _match_tally(matches: list[Match]) -> dict[str, Any]:
    """A part's match statuses, and what its registry note needs (see :func:`refkit.pipeline._registry_note`)."""
    failures = [m for m in matches if m.status == "unverified"]
    unchecked = [m for m in matches if m.written_doi_status == "unchecked" and m.status != "unverified"]
    first = (failures or unchecked or [None])[0]
    return {
        "statuses": Counter(m.status for m in matches),
        "failures": len(failures),
        "unchecked": len(unchecked),
        "reason": first.reason if first is not None else None,
    }


def _build_part(shards: list[Any], groups: list[list[int]], first: int) -> dict[str, Any]:
    """The works of consecutive numbers from ``first``: canonical records and disagreements; the DOIs and the
    relations their records state go to the driver, which joins the relations of the whole run."""
    entries = _shards(shards)
    refs: dict[int, Reference] = {i: ref for i, ref, _ in entries}
    matches: dict[int, Match] = {i: m for i, _, m in entries}
    del entries
    works = []
    dois: dict[int, str] = {}
    stated: dict[int, list[tuple[str, str]]] = {}
    for n, members in enumerate(groups, first):
        cited = [refs[i] for i in members]
        found = [matches[i] for i in members]
        canonical = _canonical(cited, found)
        works.append((n, tuple(cited), canonical, tuple(found), _disagreements(cited)))
        if doi := (canonical.doi or "").lower():
            dois[n] = doi
        if relations := _stated(found):
            stated[n] = relations
    return {"state": pack(works), "head": {"works": len(works), "dois": dois, "stated": stated}}


def _audit_part(works: Any, related: dict[int, tuple[str, ...]]) -> dict[str, Any]:
    clusters = [
        Cluster(
            id=f"w{n + 1}",
            citations=cited,
            canonical=canonical,
            matches=found,
            disagreements=disagreements,
            related=related.get(n, ()),
        )
        for n, cited, canonical, found, disagreements in unpack(works)
    ]
    findings = audit(clusters)
    by_severity: dict[str, list[Any]] = {s: [] for s in SEVERITY_ORDER}
    for finding in findings:
        by_severity[finding.severity].append(finding)
    return {
        "works": pack(clusters),
        "findings": {s: pack(f) for s, f in by_severity.items()},
        "head": {"findings": {s: len(f) for s, f in by_severity.items()}},
    }


def _findings_of(part: dict[str, Any], severity: str) -> Any:
    return part["findings"][severity]
