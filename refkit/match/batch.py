"""Many references at once: written DOIs in batches, then one search per work, every citation scored.

:func:`match_many` runs three phases, each a public step so that a cluster can run them apart (see
:mod:`refkit.distributed`): :func:`check_written` (per citation), :func:`plan` (over all citations: groups them by
work) and :func:`search_works` (per group of works).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import Levenshtein

from refkit.errors import RegistryError
from refkit.match.score import ACCEPT, REVIEW, ROWS, _decide, candidates, kept, query_for, score_candidate
from refkit.match.works import _completeness, _searchable, _works
from refkit.model import Match, Reference, pickled_by_fields
from refkit.registry import Registry, to_reference

if TYPE_CHECKING:
    from refkit.dedupe.keys import Keys


def match(ref: Reference, registry: Registry, *, rows: int = ROWS) -> Match:
    """Match one reference (see :func:`match_many` for many: it batches and shares look-ups).

    Example:
        >>> from refkit.model import Person
        >>> from refkit.registry.snapshot import SnapshotRegistry
        >>> registry = SnapshotRegistry.from_records([{"DOI": "10.1/x", "title": ["Calcinosis cutis universalis"],
        ...     "author": [{"family": "Ogretmen"}], "issued": {"date-parts": [[2002]]}}])
        >>> match(Reference(raw="Ogretmen Z (2002) Calcinosis cutis universalis", title="Calcinosis cutis universalis",
        ...     author=(Person("Ogretmen", "Z"),), issued=(2002,)), registry).doi
        '10.1/x'
    """
    return match_many([ref], registry, rows=rows)[0]


def match_many(
    refs: Sequence[Reference],
    registry: Registry,
    *,
    rows: int = ROWS,
    workers: int = 3,
    progress: Callable[[int], None] | None = None,
    keys: Sequence[Keys] | None = None,
) -> list[Match]:
    """Match references in order; never raises for a registry failure (those come back ``unverified``).

    Written DOIs are fetched in batches first. The other citations are grouped by work (offline, with the steps of
    :func:`refkit.dedupe.dedupe`); a citation is first scored against the records its work's verified DOIs gave,
    then each work still open is searched once, with its most complete citation, and every citation of the work is
    scored against those candidates. A citation the shared candidates do not confirm while another citation of its
    work is confirmed is searched again on its own (it may have been grouped wrongly). Distinct queries are sent
    once.

    Example:
        >>> from refkit.registry.snapshot import SnapshotRegistry
        >>> from refkit.model import Person
        >>> record = {"DOI": "10.1/x", "title": ["Calcinosis cutis universalis"], "author": [{"family": "Ogretmen"}],
        ...           "issued": {"date-parts": [[2002]]}}
        >>> ref = Reference(raw="Ogretmen Z (2002) Calcinosis cutis universalis", title="Calcinosis cutis universalis",
        ...                 author=(Person("Ogretmen", "Z"),), issued=(2002,))
        >>> [m.status for m in match_many([ref, Reference(raw="x")], SnapshotRegistry.from_records([record]))]
        ['matched', 'unmatched']
    """
    written = check_written(refs, registry)
    results, works = plan(refs, written, keys=keys)
    if progress and results:
        progress(len(results))
    found = search_works(
        refs, written, works, registry, searched={w.query for w in works}, rows=rows, workers=workers, progress=progress
    )
    results.update(found)
    return [results.get(i) or Match(status="unmatched") for i in range(len(refs))]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class OpenWork:
    """A work that its citations' written DOIs did not settle: searched once, with ``query``.

    Attributes:
        todo: indices of the citations still to decide (into the run's references).
        pool: records its other citations' verified DOIs gave, scored with the search's candidates.
        query: the query of its most complete citation.
    """

    todo: tuple[int, ...]
    pool: tuple[Mapping[str, Any], ...]
    query: str


def check_written(refs: Sequence[Reference], registry: Registry) -> list[Match | None]:
    """Phase 1: each written DOI looked up (in batches) and checked against its citation; None without a DOI.

    A citation-by-citation step: any partition of ``refs`` gives the same outcomes.
    """
    written: list[Match | None] = [None] * len(refs)
    dois = [r.doi for r in refs if r.doi]
    if not dois:
        return written
    records: dict[str, Any] = {}
    failed: dict[str, str] = {}  # DOI -> why it could not be looked up
    try:
        records = {k.lower(): kept(v) if v is not None else None for k, v in registry.works(dois).items()}
    except RegistryError as exc:
        # A batch that failed (after the client's own retries) is asked again one DOI at a time: a transient
        # fault then costs one DOI at most, and a client that answers from its cache only still answers
        # what it has. What still gets no answer stays "unchecked", which the audit reports.
        records = {k.lower(): kept(v) if v is not None else None for k, v in exc.partial.items()}
        more, failed = _one_by_one(registry, [d for d in dois if d.lower() not in records])
        records.update(more)
    for i, ref in enumerate(refs):
        if not ref.doi:
            continue
        if ref.doi.lower() in failed:
            written[i] = Match(
                status="unverified",
                reason=failed[ref.doi.lower()],
                written_doi=ref.doi,
                written_doi_status="unchecked",
            )
        else:
            written[i] = _check_written_doi(ref, records.get(ref.doi.lower()))
    return written


def plan(
    refs: Sequence[Reference] | Mapping[int, Reference],
    written: Sequence[Match | None] | Mapping[int, Match | None],
    *,
    keys: Sequence[Keys] | None = None,
    groups: Sequence[Sequence[int]] | None = None,
) -> tuple[dict[int, Match], list[OpenWork]]:
    """Phase 2, over all citations: the outcomes settled without a search, and the works left to search.

    Citations are grouped by work (offline, with :func:`refkit.dedupe.dedupe`'s steps, on ``keys`` when the
    citations' comparison keys are made already, or as ``groups`` when a cluster grouped them:
    :mod:`refkit.distributed.grouping`); a work a verified DOI already names is scored against that record first;
    a citation with too little to search on is settled as it is. With ``groups``, ``refs`` and ``written`` may be
    mappings that hold only the citations of those groups (by their index in the run).
    """
    pairs = written.items() if isinstance(written, Mapping) else enumerate(written)
    results: dict[int, Match] = {i: m for i, m in pairs if m is not None and m.status == "matched"}
    works: list[OpenWork] = []
    if groups is None:
        assert not isinstance(refs, Mapping) and not isinstance(written, Mapping), "grouping needs every citation"
        groups = _works(refs, written, keys)
    for group in groups:
        pool = [m.message for i in group if (m := results.get(i)) is not None and m.message is not None]
        shared = candidates(pool)  # derived once for every citation of the work
        todo = []
        for i in group:
            if i in results:
                continue
            if pool:
                outcome = _decide(refs[i], shared, "")
                if outcome.status == "matched":
                    results[i] = _finish(written[i], outcome)
                    continue
            if not _searchable(refs[i]):
                results[i] = _finish(written[i], Match(status="unmatched", reason="too little to search on"))
                continue
            todo.append(i)
        if todo:
            best = max(todo, key=lambda i: _completeness(refs[i]))
            works.append(OpenWork(tuple(todo), tuple(pool), query_for(refs[best])))
    return results, works


def search_works(
    refs: Sequence[Reference] | Mapping[int, Reference],
    written: Sequence[Match | None] | Mapping[int, Match | None],
    works: Sequence[OpenWork],
    registry: Registry,
    *,
    searched: Collection[str],
    rows: int = ROWS,
    workers: int = 3,
    progress: Callable[[int], None] | None = None,
) -> dict[int, Match]:
    """Phase 3, per group of works: one search per distinct query, every citation of a work scored on the answer.

    A citation the shared candidates do not confirm while another citation of its work is confirmed is searched
    again on its own (it may have been grouped wrongly), unless its own query is among ``searched`` (the queries of
    all the run's open works): then its work's answer stands. ``refs`` and ``written`` need hold only the citations
    of ``works`` (by their index in the run), so that any partition of the works that keeps equal queries together
    gives the same outcomes.
    """
    results: dict[int, Match] = {}

    def finish(i: int, outcome: Match) -> None:
        results[i] = _finish(written[i], outcome)
        if progress:
            progress(1)

    by_query: dict[str, list[OpenWork]] = {}
    for work in works:
        by_query.setdefault(work.query, []).append(work)
    retry: dict[str, list[int]] = {}
    # answers are scored as they come and then dropped: a partition of many works never holds them all
    for query, answer in _searches(registry, list(by_query), rows, workers):
        found = candidates(answer) if not isinstance(answer, RegistryError) else []
        for work in by_query[query]:
            if isinstance(answer, RegistryError):
                for i in work.todo:
                    finish(i, written[i] or Match(status="unverified", reason=str(answer)))
                continue
            # the candidates are derived once, for every citation of the work
            shared = candidates([*found, *work.pool])
            outcomes = {i: _decide(refs[i], shared, "no candidate in the registry") for i in work.todo}
            confirmed = any(m.status == "matched" for m in outcomes.values())
            for i, outcome in outcomes.items():
                own = query_for(refs[i])
                if confirmed and outcome.status != "matched" and own != query and own not in searched:
                    retry.setdefault(own, []).append(i)
                else:
                    finish(i, outcome)

    # citations that their work's candidates did not confirm: searched on their own
    if retry:
        for query, answer in _searches(registry, list(retry), rows, workers):
            found = candidates(answer) if not isinstance(answer, RegistryError) else []
            for i in retry[query]:
                if isinstance(answer, RegistryError):
                    finish(i, written[i] or Match(status="unverified", reason=str(answer)))
                else:
                    finish(i, _decide(refs[i], found, "no candidate in the registry"))
    return results


def _finish(written: Match | None, outcome: Match) -> Match:
    return outcome if written is None or outcome is written else _merge_written(written, outcome)


def _mistyped(written: str, found: str) -> bool:
    """Whether ``found`` is ``written`` with a typing or copying error: cut short or run on ("10.1111/jc" for
    "10.1111/jcpt.12340"), or at most two characters apart, under the same prefix."""
    a, b = written.lower().rstrip(".,;"), found.lower()
    if not a or not b or a.split("/", 1)[0] != b.split("/", 1)[0]:
        return False
    return a.startswith(b) or b.startswith(a) or Levenshtein.distance(a, b, score_cutoff=2) <= 2


def _one_by_one(registry: Registry, dois: Sequence[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Records of DOIs asked one at a time (lower-cased DOI -> record), and why the others got no answer."""
    records: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for doi in dict.fromkeys(dois):
        try:
            records[doi.lower()] = registry.work(doi)
        except RegistryError as exc:
            failed[doi.lower()] = str(exc)
    return records, failed


def _searches(
    registry: Registry, queries: list[str], rows: int, workers: int
) -> Iterator[tuple[str, list[dict[str, Any]] | RegistryError]]:
    """Each query with its answer (or the error that stood for it), in order, ``workers`` searches at a time and a
    bounded number of answers ahead of the consumer."""

    def run(query: str) -> tuple[str, list[dict[str, Any]] | RegistryError]:
        try:
            # trimmed once here, so that every citation of the work that asked keeps the same copy of a record
            return query, [kept(r) for r in registry.search(query, rows)]
        except RegistryError as exc:
            return query, exc

    if not queries:
        return
    if workers <= 1:
        # one search at a time: in this thread (a second thread would only hand the GIL back and forth)
        yield from map(run, queries)
        return
    ahead = max(1, workers) * 16
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending = deque(pool.submit(run, q) for q in queries[:ahead])
        rest = iter(queries[ahead:])
        while pending:
            yield pending.popleft().result()
            for query in itertools.islice(rest, 1):
                pending.append(pool.submit(run, query))


def _check_written_doi(ref: Reference, record: Mapping[str, Any] | None) -> Match:
    assert ref.doi
    if record is None:
        return Match(
            status="unmatched",
            reason=f"the DOI {ref.doi} is not registered with Crossref",
            written_doi=ref.doi,
            written_doi_status="unresolved",
        )
    p, evidence = score_candidate(ref, record)
    if ref.title is None and not ref.author:
        p, evidence = 0.95, {**evidence, "doi": "resolves; nothing else to compare"}
    # the DOI itself is strong evidence: a record whose title agrees is accepted even if a locator differs
    if p >= ACCEPT or (p >= REVIEW and evidence.get("title") is not None and evidence["title"] >= 0.9):
        return Match(
            status="matched",
            doi=str(record["DOI"]),
            confidence=round(max(p, ACCEPT), 4),
            record=to_reference(record),
            evidence=evidence,
            message=kept(record),
            written_doi=ref.doi,
            written_doi_status="ok",
        )
    return Match(
        status="unmatched",
        confidence=round(p, 4),
        record=to_reference(record),
        evidence=evidence,
        message=kept(record),
        reason=f"the DOI {ref.doi} belongs to another work",
        written_doi=ref.doi,
        written_doi_status="other-work",
    )


def _merge_written(written: Match, searched: Match) -> Match:
    """Keep what the written DOI told us (its status) on the search outcome.

    A DOI written in the reference that the registry does not know, beside a search that found another DOI, leaves
    the search's record unconfirmed (``ambiguous``) unless that DOI is the written one mistyped: the written DOI may
    be the work's in another registry (DataCite, mEDRA) or in the part of Crossref a snapshot lacks, and the record
    found is then another work of the same title.
    """
    if (
        written.written_doi_status == "unresolved"
        and searched.status == "matched"
        and not _mistyped(written.written_doi or "", searched.doi or "")
    ):
        return replace(
            searched,
            status="ambiguous",
            doi=None,
            reason=f"the reference gives the DOI {written.written_doi}, which the registry does not know; the record "
            f"found, {searched.doi}, has another DOI",
            written_doi=written.written_doi,
            written_doi_status="unresolved",
        )
    if searched.status in ("unmatched", "unverified") and written.written_doi_status == "other-work":
        return replace(written, status="unmatched" if searched.status == "unmatched" else "unverified")
    if written.written_doi_status == "unchecked" and searched.status == "unverified":
        return written
    if (
        written.written_doi_status == "unchecked"
        and searched.status == "matched"
        and (searched.doi or "").lower() == (written.written_doi or "").lower()
    ):
        # the search found the record under the written DOI: the DOI resolves, to this work
        return replace(searched, written_doi=written.written_doi, written_doi_status="ok")
    return replace(searched, written_doi=written.written_doi, written_doi_status=written.written_doi_status)
