"""The whole run, composed of the public stage functions: extract -> parse -> match -> dedupe -> export -> audit.

Nothing the user gives is dropped: an input that cannot be read is reported with the reason, a reference that
cannot be parsed or matched is still exported and audited with its raw text, and a registry that cannot be reached
leaves the references ``unverified`` (the run completes and says so).

Example:
    >>> result = run(["data/articles"], "out", registry=None)  # doctest: +SKIP
    >>> result.summary()["works"]  # doctest: +SKIP
    12
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from refkit.articles import ARTICLE_SUFFIXES, collect_inputs, read_article
from refkit.audit import audit
from refkit.dedupe import comparison_keys, dedupe
from refkit.errors import OutputError
from refkit.match import match_many
from refkit.model import Cluster, Finding, Match, Reference
from refkit.parse import Parser, parse_citations
from refkit.registry import Registry
from refkit.result import Problem, RunResult

__all__ = ["ARTICLE_SUFFIXES", "Problem", "RunResult", "collect_inputs", "run"]


def run(
    paths: Sequence[str | Path],
    outdir: str | Path | None,
    *,
    registry: Registry | None,
    parser: str | Parser | None = None,
    formats: Sequence[str] = ("bibtex", "csljson", "ris"),
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
    library: Sequence[Reference] | None = None,
    client: Any = None,
) -> RunResult:
    """Run every stage on ``paths`` and write the outputs to ``outdir`` (when given).

    Args:
        paths: article files or folders of them.
        outdir: where ``references.bib``, ``references.json``, ``references.ris``, ``audit.json`` and ``audit.md``
            go; ``None`` writes nothing.
        registry: a Crossref client (or another registry); ``None`` skips matching (all ``unverified``).
        parser: the parser's name or object (default: ``rules``).
        progress: called with the number of references looked up so far, as they complete.
        on_total: called once with the number of references to look up.
        library: the user's existing library (e.g. from :func:`refkit.library.load`): works already in it are linked
            to their item (``Cluster.library_key``), reported, and left out of the exports.
        client: a Dask client: every stage then runs on its cluster (see :mod:`refkit.distributed`; the parser is
            given by name), with the same result. The result's citations, matches, works and findings stay on the
            workers and are read a part at a time: read them while the client is open.
    """
    result = RunResult()
    clock = time.perf_counter()
    files, problems = collect_inputs(paths)
    result.problems.extend(problems)
    if client is not None:
        from refkit.distributed import run_on_cluster

        unreachable = run_on_cluster(
            result,
            files,
            client=client,
            registry=registry,
            parser=parser,  # type: ignore[arg-type]
            progress=progress,
            on_total=on_total,
        )
        if registry is not None:
            t = result.tallies
            result.registry_note = _note(
                t["failures"], t["unchecked"], t["reason"], unreachable, getattr(registry, "offline", False)
            )
        if library is not None:
            # linking compares every work with the library's items: here the works are read to the driver
            from refkit import library as _library

            clock = time.perf_counter()
            result.clusters = _library.link(list(result.clusters), library)
            result.findings = audit_with_library(list(result.findings), result.clusters)
            result.tallies.pop("findings", None)
            result.timings["library"] = time.perf_counter() - clock
    else:
        for path in files:
            result.inputs.append(str(path))
            citations, problems = read_article(path)
            result.citations.extend(citations)
            result.problems.extend(problems)
        result.timings["extract"] = time.perf_counter() - clock

        clock = time.perf_counter()
        result.references = parse_citations(result.citations, parser=parser)
        # what de-duplication compares, made once: matching groups the citations by work with the same steps
        keys = [comparison_keys(r) for r in result.references]
        result.timings["parse"] = time.perf_counter() - clock

        clock = time.perf_counter()
        if on_total:
            on_total(len(result.references))
        unreachable = None
        if registry is None:
            result.matches = [Match(status="unverified", reason="not looked up (offline)") for _ in result.references]
        else:
            before = getattr(getattr(registry, "stats", None), "sent", 0)
            result.matches = match_many(result.references, registry, progress=progress, keys=keys)
            result.requests = getattr(getattr(registry, "stats", None), "sent", 0) - before
            unreachable = getattr(registry, "unreachable", None)
        result.timings["match"] = time.perf_counter() - clock
        if registry is not None:
            result.registry_note = _registry_note(result.matches, unreachable, getattr(registry, "offline", False))

        clock = time.perf_counter()
        result.clusters = dedupe(result.references, result.matches, keys=keys)
        del keys
        if library is not None:
            from refkit import library as _library

            result.clusters = _library.link(result.clusters, library)
        result.timings["dedupe"] = time.perf_counter() - clock
        clock = time.perf_counter()
        result.findings = audit(result.clusters)
        if library is not None:
            result.findings = audit_with_library(result.findings, result.clusters)
        result.timings["audit"] = time.perf_counter() - clock

    if outdir is not None:
        clock = time.perf_counter()
        out = Path(outdir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc})", str(out)) from exc
        from refkit.export import dump_pieces, get_format
        from refkit.files import Content, write_all
        from refkit.report import audit_files

        # each output is rendered when it is written (one in memory at a time), and all are replaced together
        # (or none is)
        new = result.clusters if library is None else [c for c in result.clusters if c.library_key is None]
        files: dict[Path, Content] = {}
        for name in formats:
            plugin = get_format(name)
            files[out / f"references{plugin.suffixes[0]}"] = functools.partial(dump_pieces, new, plugin)
        files.update(audit_files(result, out, with_html=True))
        result.outputs.extend(write_all(files))
        result.timings["write"] = time.perf_counter() - clock
    return result


def audit_with_library(findings: list[Finding], clusters: Sequence[Cluster]) -> list[Finding]:
    """The findings plus one ``in-library`` note per work already in the user's library."""
    from refkit import library as _library

    return findings + list(_library.findings(clusters))


def _registry_note(matches: Sequence[Match], unreachable: str | None, offline: bool) -> str | None:
    """What the run could not check, in one sentence (None when everything was looked up)."""
    failures = [m for m in matches if m.status == "unverified"]
    unchecked = [m for m in matches if m.written_doi_status == "unchecked" and m.status != "unverified"]
    first = (failures or unchecked or [None])[0]
    return _note(len(failures), len(unchecked), first.reason if first else None, unreachable, offline)


def _note(failures: int, unchecked: int, reason: str | None, unreachable: str | None, offline: bool) -> str | None:
    """The registry note from counts: references unverified, written DOIs unchecked, the first one's reason."""
    if not (unreachable or failures or unchecked):
        return None
    if offline:
        note = f"offline: {failures} reference(s) not in the cache are unverified"
    else:
        note = f"{unreachable or reason}; {failures} reference(s) marked unverified"
    if unchecked:
        note += f", {unchecked} written DOI(s) unchecked"
    return note
