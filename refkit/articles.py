"""Articles in: the files given (and the article files of the folders given), each read into its citations.

What cannot be used is kept as a :class:`~refkit.result.Problem` with the reason; nothing stops the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from refkit.errors import InputError
from refkit.extract import extract
from refkit.model import Citation
from refkit.result import Problem

__all__ = ["ARTICLE_SUFFIXES", "collect_inputs", "read_article"]

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


def read_article(path: str | Path, *, cwd: str | Path | None = None) -> tuple[list[Citation], list[Problem]]:
    """The citations of one article, and what went wrong or is worth a warning (never raises for bad input).

    ``cwd``: the folder a relative ``path`` is relative to, when not this process's (a worker of a cluster reads
    the files the driver named); citations and problems still name the file as given.
    """
    given = str(path)
    actual = Path(cwd, path) if cwd is not None and not Path(path).is_absolute() else Path(path)
    notes: list[str] = []
    citations: list[Citation] = []
    problems: list[Problem] = []
    try:
        citations = extract(actual, warnings=notes)
    except InputError as exc:
        kind = "no-references" if "no reference list" in str(exc) else "unreadable"
        problems.append(Problem(given, str(exc), kind))
    problems.extend(Problem(given, note, "warning") for note in notes)
    if str(actual) != given:
        citations = [
            replace(c, source=replace(c.source, file=given)) if c.source.file == str(actual) else c for c in citations
        ]
        problems = [replace(p, message=p.message.replace(str(actual), given)) for p in problems]
    return citations, problems
