"""Writing output files all or nothing.

Each output is written to a temporary file beside its target, and only when all of them are written are they
renamed over the targets: a full disk or a read-only folder leaves the previous outputs as they were, with no
temporary file behind, and a reader never sees half a file. New files get the mode the user's umask gives
(``0644`` under the usual ``022``), as any other program's would.

An output may be given as its text or as a function that renders it (the text, or its text in pieces): it is then
rendered only when its turn comes and written as it is rendered, so that a large run holds one output in memory at a
time (its audit report and three exports together take several times the memory of the run's own results).

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_all({folder / "a.txt": "A\\n", folder / "b.txt": "B\\n"})]
    ['a.txt', 'b.txt']
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from refkit.errors import OutputError

__all__ = ["Content", "write_all"]

#: An output's text, or a function that renders it (as one text or as pieces of text, in order).
Content = str | Callable[[], str | Iterable[str]]


def _mode() -> int:
    mask = os.umask(0o022)  # read the umask (the only way), then put it back
    os.umask(mask)
    return 0o666 & ~mask


def write_all(files: Mapping[Path, Content]) -> list[Path]:
    """Write each text (UTF-8, ``\\n`` line ends) to its path; all are replaced together or none is.

    A function given for a text is called when its file is written (one at a time, in order), and what it returns
    is written as it comes.

    Raises:
        OutputError: a file could not be written (the message names it and says why); nothing was replaced.
    """
    mode = _mode()
    for path in files:
        if path.is_dir():
            raise OutputError(f"{path}: cannot write (a folder of that name is in the way)", str(path))
    written: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            try:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror or exc})", str(path)) from exc
            written.append((tmp, path))
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    content = text() if callable(text) else text
                    if isinstance(content, str):
                        handle.write(content)
                    else:
                        for piece in content:
                            handle.write(piece)
                    del content
                os.chmod(tmp, mode)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror or exc})", str(path)) from exc
        for tmp, path in written:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror or exc})", str(path)) from exc
    except BaseException:
        for tmp, _ in written:
            Path(tmp).unlink(missing_ok=True)
        raise
    return list(files)
