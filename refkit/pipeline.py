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

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from refkit.audit import audit
from refkit.dedupe import dedupe
from refkit.errors import InputError, OutputError
from refkit.extract import extract
from refkit.match import match_many
from refkit.model import Cluster, Finding, Match, Reference
from refkit.parse import Parser, parse_citations
from refkit.registry import Registry
from refkit.result import Problem, RunResult

__all__ = ["ARTICLE_SUFFIXES", "Problem", "RunResult", "collect_inputs", "run"]

#: Files taken from a folder given as input.
ARTICLE_SUFFIXES = (
    ".txt",
    ".text",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".xhtml",
    ".xml",
    ".nxml",
    ".pdf",
    ".docx",
    ".docm",
)


def collect_inputs(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: each file given, and the article files inside each folder given (sorted)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                problems.append(
                    Problem(
                        str(path),
                        f"{path}: folder holds no article files ({', '.join(ARTICLE_SUFFIXES)})",
                        "no-references",
                    )
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), f"{path}: no such file or folder", "missing"))
    return files, problems


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
    """
    result = RunResult()
    clock = time.perf_counter()
    files, problems = collect_inputs(paths)
    result.problems.extend(problems)
    for path in files:
        result.inputs.append(str(path))
        notes: list[str] = []
        try:
            result.citations.extend(extract(path, warnings=notes))
        except InputError as exc:
            kind = "no-references" if "no reference list" in str(exc) else "unreadable"
            result.problems.append(Problem(str(path), str(exc), kind))
        result.problems.extend(Problem(str(path), note, "warning") for note in notes)
    result.timings["extract"] = time.perf_counter() - clock

    clock = time.perf_counter()
    result.references = parse_citations(result.citations, parser=parser)
    result.timings["parse"] = time.perf_counter() - clock

    clock = time.perf_counter()
    if on_total:
        on_total(len(result.references))
    if registry is None:
        result.matches = [Match(status="unverified", reason="not looked up (offline)") for _ in result.references]
    else:
        before = getattr(getattr(registry, "stats", None), "sent", 0)
        result.matches = match_many(result.references, registry, progress=progress)
        result.requests = getattr(getattr(registry, "stats", None), "sent", 0) - before
        unreachable = getattr(registry, "unreachable", None)
        failures = [m for m in result.matches if m.status == "unverified"]
        unchecked = [m for m in result.matches if m.written_doi_status == "unchecked" and m.status != "unverified"]
        if unreachable or failures or unchecked:
            offline = getattr(registry, "offline", False)
            if offline:
                result.registry_note = f"offline: {len(failures)} reference(s) not in the cache are unverified"
            else:
                reason = unreachable or (failures or unchecked)[0].reason
                result.registry_note = f"{reason}; {len(failures)} reference(s) marked unverified"
            if unchecked:
                result.registry_note += f", {len(unchecked)} written DOI(s) unchecked"
    result.timings["match"] = time.perf_counter() - clock

    clock = time.perf_counter()
    result.clusters = dedupe(result.references, result.matches)
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
        from refkit.export import get_format
        from refkit.files import write_all
        from refkit.report import audit_files

        # every output is rendered before any is written, and all are replaced together (or none is)
        new = result.clusters if library is None else [c for c in result.clusters if c.library_key is None]
        files = {}
        for name in formats:
            plugin = get_format(name)
            files[out / f"references{plugin.suffixes[0]}"] = plugin.dumps(new)
        files.update(audit_files(result, out, with_html=True))
        result.outputs.extend(write_all(files))
        result.timings["write"] = time.perf_counter() - clock
    return result


def audit_with_library(findings: list[Finding], clusters: Sequence[Cluster]) -> list[Finding]:
    """The findings plus one ``in-library`` note per work already in the user's library."""
    from refkit import library as _library

    return findings + list(_library.findings(clusters))
