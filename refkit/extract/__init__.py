"""Article -> reference strings, each with where it stands.

Reads plain text, Markdown, HTML, JATS XML, PDF (text layer) and Word (.docx) files, chosen by content first and
by suffix where the content does not tell. In text it looks for a heading such as "References" or "Literatur" and,
failing that, for a numbered list whose items look like references; lines that wrap are joined; page furniture
("Last updated on ...", "Please ask your physician ...") is left out.

Example:
    >>> cits = extract_text("Intro.\\n\\nReferences\\n1. Lai CH (2003) Ear. J Am Acad Dermatol 49: 122-124\\n")
    >>> cits[0].raw, cits[0].source.position, cits[0].source.line
    ('Lai CH (2003) Ear. J Am Acad Dermatol 49: 122-124', 1, 4)
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from refkit.errors import InputError, NoReferencesError
from refkit.extract.markup import extract_jats, html_to_text, markdown_to_text
from refkit.extract.text import MAX_REFERENCE_CHARS, extract_lines
from refkit.model import Citation

__all__ = ["MAX_FILE_BYTES", "MAX_REFERENCE_CHARS", "extract", "extract_text", "file_kind", "read_text"]

#: Inputs larger than this are refused (a reference list is never this big).
MAX_FILE_BYTES = 50 * 1024 * 1024


def read_text(path: str | Path) -> tuple[str, list[str]]:
    """Read a file as text: UTF-8 (with or without BOM), else UTF-16 with a BOM, else Windows-1252/Latin-1.

    Returns:
        The text and a list of warnings (e.g. that a fallback encoding was used).

    Raises:
        InputError: the file is missing, unreadable, empty, binary or too large.
    """
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(f"{name}: no such file", name)
    if p.is_dir():
        raise InputError(f"{name}: is a directory", name)
    if not p.is_file():
        # a FIFO, socket or device would block or never end
        raise InputError(f"{name}: not a regular file (a pipe, socket or device); give a file", name)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{name}: {size:,} bytes is larger than the {MAX_FILE_BYTES:,}-byte limit", name)
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from exc
    return decode(data, name)


def decode(data: bytes, name: str = "-", *, lines: bool = False) -> tuple[str, list[str]]:
    """Decode bytes as :func:`read_text` does.

    With ``lines=True`` (one reference a line, as ``refkit parse`` reads) blank lines are lines like any other, and
    control bytes are cleaned out later rather than taken for a binary file; only data that is a tenth NULs (a
    picture, UTF-16 without its byte-order mark) is refused. Empty data is still an empty file.
    """
    if not data if lines else not data.strip():
        raise InputError(f"{name}: empty file", name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    sample = data[:65536]
    # a stray NUL or escape does not make a text binary (it is cleaned out later); one byte in a hundred does
    controls = sample.count(0) if lines else sum(b < 9 or 13 < b < 32 for b in sample)
    if controls > (len(sample) // 10 if lines else len(sample) // 100 + 1):
        raise InputError(
            f"{name}: binary file, not text (expected plain text, Markdown, HTML, JATS XML, PDF or Word .docx)", name
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        return text, [f"{name}: not valid UTF-8 (byte {exc.start}); read as Windows-1252/Latin-1"]


def extract(path: str | Path, *, warnings: list[str] | None = None) -> list[Citation]:
    """The reference strings of one article file.

    Args:
        path: a plain-text, Markdown, HTML, JATS XML, PDF or Word (.docx) file.
        warnings: if given, messages about recoverable problems are appended to it.

    Raises:
        InputError: the file cannot be read (missing, empty, binary, damaged, encrypted, no text layer).
        NoReferencesError: the file holds no reference list.
    """
    kind = file_kind(path)
    if kind == "pdf":
        from refkit.extract.pdf import extract_pdf

        return extract_pdf(path, warnings=warnings)
    if kind == "docx":
        from refkit.extract.docx import extract_docx

        return extract_docx(path, warnings=warnings)
    text, notes = read_text(path)
    if warnings is not None:
        warnings.extend(notes)
    return extract_text(text, file=str(path), kind=_kind(str(path), text), warnings=warnings)


def file_kind(path: str | Path) -> str:
    """``"pdf"``, ``"docx"`` or ``"text"`` (text, Markdown, HTML, XML), by the file's first bytes, whatever its suffix.

    A file that cannot be opened is ``"text"``: :func:`read_text` then says why.
    """
    if not Path(path).is_file():
        return "text"  # read_text says what it is instead (opening a FIFO would block)
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError:
        return "text"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
            names = set()  # an unsupported zip version (NotImplementedError) is no Word file refkit can read
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names and "mimetype" in names:
            raise InputError(
                f"{path}: an OpenDocument file (.odt), which refkit does not read: save it as .docx or PDF", str(path)
            )
        suffix = Path(path).suffix.lower()
        what = "a Word file" if suffix in (".docx", ".docm", ".dotx") else "a zip archive"
        raise InputError(f"{path}: {what} without a Word document inside (word/document.xml is missing)", str(path))
    return "text"


def _kind(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    head = text.lstrip()[:2000].lower()
    if suffix in (".xml", ".nxml", ".jats") or (head.startswith("<?xml") and "<article" in head):
        return "jats"
    if suffix in (".html", ".htm", ".xhtml") or head.startswith(("<!doctype html", "<html")):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


def extract_text(
    text: str, *, file: str = "-", kind: str = "text", warnings: list[str] | None = None
) -> list[Citation]:
    """The reference strings in ``text``; ``kind`` is ``text``, ``markdown``, ``html`` or ``jats``."""
    if kind == "jats":
        citations = extract_jats(text, file)
    else:
        if kind == "html":
            text = html_to_text(text)
        elif kind == "markdown":
            text = markdown_to_text(text)
        citations = extract_lines(text.splitlines(), file, warnings)
    if not citations:
        raise NoReferencesError(f"{file}: no reference list found", file)
    return citations
