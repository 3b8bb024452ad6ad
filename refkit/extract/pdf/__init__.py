"""PDF (text layer) -> reference strings, read by layout as well as by text.

The text layer is read with pypdfium2 (PDFium), character by character with its box. Characters become line
fragments; each page's fragments are put in reading order (one, two or three columns, found as vertical white
gutters; a line that crosses a gutter, such as a title or a full-width table, separates the column bands above
and below it). Running headers and footers (lines near the top or bottom edge that repeat across pages), page
numbers and preprint line-number columns are left out.

The reference list starts after a heading such as "References", "Literatur", "Quellen" or "R E F E R E N C E S"
and runs across columns and pages. Its entries are told apart by their printed numbers ("1.", "[1]", bare or
superscript numbers) when they form a sequence, else by hanging (or first-line) indents, else by vertical gaps,
else by author-year starts. In a hanging-indent list, a flush line stays in the entry above when that entry stops
mid-sentence and the line does not open an entry (a line set flush by mistake, a column's first line). An entry
with no year that sits between references and has the shape of one ("Menu „Adriatic“ Berlin.") is kept. A list set
in columns ends at full-width text below it (the authors' notes) unless that text opens an entry. Without a
heading, a run of five or more entries that each open with names and a year ("Roller, Edeltraud, 1992:") is read
as the list, else the longest numbered list.
Wrapped lines are joined; a line-end hyphen is dropped only where it split a word (a lower-case letter follows),
and kept where it belongs to the text ("Sánchez-Schmidt", "2016-2019"); a DOI or URL broken over two lines is
rejoined without a space. Ligatures, soft hyphens, non-breaking and zero-width spaces are normalised and the
text is NFC. Without a reference list, the document's footnotes that look like references are returned with
``part="footnote"``.

Each citation's :class:`~refkit.model.Source` holds the page and column where it starts, ``line`` is the line
number within that page (1-based, in reading order, after headers and footers are left out) and ``label`` the
printed number, if any.

Unusable files raise :class:`~refkit.errors.InputError` with one line that starts with the path: a scan without
a text layer ("no text layer: run OCR first, e.g. ocrmypdf"), a PDF that needs a password (one that opens with
the empty password is read), a damaged or truncated file that PDFium cannot open or repair.

Limits: pages are read one at a time, so memory stays flat (about 70 MB for a 300-page PDF) and time grows with
the page count (50 to 100 pages a second on one core). A PDF of more than :data:`MAX_PDF_PAGES` pages is refused
at once, before any page is read (a reference list is read from articles and books, not from archives of
them); such a document can be split first, e.g. with ``qpdf --split-pages``.

Example:
    >>> cits = extract_pdf("article.pdf")  # doctest: +SKIP
    >>> cits[0].raw, cits[0].source.page, cits[0].source.column  # doctest: +SKIP
    ('Lai CH (2003) Congenital calcinosis cutis of the ear. J Am Acad Dermatol 49: 122-124', 7, 2)
"""

from __future__ import annotations

from pathlib import Path

from refkit.errors import NoReferencesError
from refkit.extract.pdf.common import MAX_PDF_PAGES
from refkit.extract.pdf.entries import _author_year_run, _footnotes, _numbered_fallback, _reference_list
from refkit.extract.pdf.layout import _drop_furniture
from refkit.extract.pdf.textlayer import _read_pages
from refkit.model import Citation

__all__ = ["MAX_PDF_PAGES", "extract_pdf"]


def extract_pdf(path: str | Path, *, warnings: list[str] | None = None) -> list[Citation]:
    """The reference strings of a PDF article, read from its text layer.

    Args:
        path: the PDF file (its suffix does not matter).
        warnings: if given, messages about recoverable problems (an unreadable page) are appended to it.

    Returns:
        One :class:`~refkit.model.Citation` per reference, in print order; ``source.page`` and ``source.column``
        are 1-based, ``source.line`` is the line within the page.

    Raises:
        InputError: the file is missing, damaged, encrypted with a password, has no text layer (a scan), or has
            more than :data:`MAX_PDF_PAGES` pages.
        NoReferencesError: the text holds neither a reference list nor footnotes that look like references.
    """
    name = str(path)
    pages = _read_pages(name, warnings)
    lines = _drop_furniture(pages)
    citations = _reference_list(lines, name)
    if not citations:
        citations = max(_numbered_fallback(lines, name), _author_year_run(lines, name), key=len)
    if not citations:
        citations = _footnotes(lines, name)
    if not citations:
        raise NoReferencesError(f"{name}: no reference list found", name)
    return citations
