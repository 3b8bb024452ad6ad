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

import ctypes
import itertools
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from refkit.errors import InputError, NoReferencesError
from refkit.extract.text import (
    _FURNITURE_RE,
    _STOP_HEADING_RE,
    MAX_REFERENCE_CHARS,
    _is_heading,
    extract_lines,
    looks_like_reference,
)
from refkit.model import Citation, Source

__all__ = ["MAX_PDF_PAGES", "extract_pdf"]

#: PDFs with more pages than this are refused before any page is read (pages are read at 50 to 100 a second).
MAX_PDF_PAGES = 5000

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
#: Spacing accents (set as glyphs of their own by some typesetters) and the combining marks they stand for.
_ACCENTS = {
    0x00A8: "\u0308",
    0x00B4: "\u0301",
    0x0060: "\u0300",
    0x02C6: "\u0302",
    0x02DC: "\u0303",
    0x00B8: "\u0327",
    0x02C7: "\u030c",
    0x02D8: "\u0306",
    0x02D9: "\u0307",
    0x02DA: "\u030a",
    0x02DB: "\u0328",
    0x02DD: "\u030b",
    0x00AF: "\u0304",
    0x02C9: "\u0304",
    0x02CA: "\u0301",
    0x02CB: "\u0300",
}
#: The start of an author-year entry: a family name with a comma or initials after it, more names (given names,
#: initials, particles, "and", "/", "(Hrsg.)", "et al.") and the year, which stands at most a line into the
#: entry: "Roller, Edeltraud, 1992:", "Smith, J. and Doe, A. (2003).", "van Dijk, T. A. 1998.", "Lai CH (2003)".
_NAME = r"(?:(?:van|von|de|der|den|da|di|du|del|le|la|ten|ter|zu)\s+)*[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u024f-]*\.?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)[a-z]?(?:\s*[/-]\s*\d{2,4})?"
_AUTHOR_YEAR_START_RE = re.compile(
    rf"^{_NAME}(?:\s+[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u024f-]+)?(?:,\s*|\s+(?=[A-Z]{{1,3}}\b|[A-Z]\.))"
    rf"(?:(?:{_NAME}|and|und|u\.|&|et al\.?|/|,|;|\((?i:hrsg|eds?|coord|red)\.?\)|\s)+)?"
    rf"\s*(?:\(\s*{_YEAR}\s*\)|{_YEAR}\s*[:.,;])"
)
#: Lines that follow a reference list at the end of an article: the editorial dates, a licence.
_AFTER_LIST_RE = re.compile(r"^\W{0,3}(?:(?:received|submitted|accepted)\b\W|©|copyright\b)", re.IGNORECASE)
_END_NUMBERS_RE = re.compile(r"^\d+|\d+$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_PAGE_NUMBER_RE = re.compile(r"^\W*(?:page|seite|p\.)?\s*\d{1,4}(?:\s*(?:of|/|von)\s*\d{1,4})?\W*$", re.IGNORECASE)
_LABEL_RES = (
    ("bracket", re.compile(r"^\[(\d{1,4})\]\s*")),
    ("dot", re.compile(r"^(\d{1,4})\.\s+(?=\S)")),
    ("paren", re.compile(r"^\(?(\d{1,4})\)\s+(?=\S)")),
    ("bare", re.compile(r"^(\d{1,4})\s+(?=[^\d\s])")),
)
_URLISH_RE = re.compile(r"(?:\b10\.\d{4,9}/|https?://|www\.|doi\.org/|\bdoi:)\S*$", re.IGNORECASE)
_LINK_LABELS_RE = re.compile(
    r"(?:\s*(?:\[(?:CrossRef|PubMed|PubMed Central|Google Scholar|Green Version|CAS|Web of Science)\]|"
    r"PubMed Abstract|Publisher Full Text|Free Full Text|CrossRef Full Text|Full Text|Google Scholar|"
    r"Reference Source|PubMed Central)\s*\|?)+\s*$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Fragment:
    """A run of characters on one line, with no wide gap inside."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    first_size: float


@dataclass(slots=True)
class _Line:
    """One printed line of one column, in page coordinates (top-down)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    first_size: float
    page: int
    column: int
    index: int = 0
    spanning: bool = False


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


# --------------------------------------------------------------------------- reading the text layer


def _read_pages(name: str, warnings: list[str] | None) -> list[list[_Line]]:
    """Every page's lines in reading order."""
    import pypdfium2 as pdfium

    if not Path(name).is_file():
        raise InputError(f"{name}: no such file", name)
    try:
        doc = pdfium.PdfDocument(name)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise InputError(f"{name}: encrypted PDF that needs a password; save an unprotected copy", name) from exc
        if "security" in message:
            raise InputError(f"{name}: PDF protected by an unsupported security handler", name) from exc
        raise InputError(f"{name}: damaged or unreadable PDF ({exc})", name) from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from exc
    try:
        count = len(doc)
        if count == 0:
            raise InputError(f"{name}: damaged PDF: no pages", name)
        if count > MAX_PDF_PAGES:
            raise InputError(
                f"{name}: {count:,} pages is more than the {MAX_PDF_PAGES:,}-page limit; split it first", name
            )
        pages: list[list[_Line]] = []
        chars = 0
        bad: list[int] = []
        for number in range(1, count + 1):
            try:
                page = doc[number - 1]
            except pdfium.PdfiumError:
                bad.append(number)
                pages.append([])
                continue
            try:
                fragments, height, n = _page_fragments(page)
            finally:
                page.close()
            chars += n
            pages.append(_order(fragments, number, height))
    finally:
        doc.close()
    if bad and len(bad) == count:
        raise InputError(f"{name}: damaged PDF: no page can be read", name)
    if bad and warnings is not None:
        warnings.append(f"{name}: {len(bad)} page(s) could not be read (first: page {bad[0]})")
    if chars < 20 * count and not any(pages):
        raise InputError(f"{name}: no text layer: run OCR first, e.g. ocrmypdf", name)
    return pages


def _page_fragments(page: object) -> tuple[list[_Fragment], float, int]:
    """The page's line fragments (split at PDFium's line breaks and at wide gaps), its height, its char count."""
    import pypdfium2.raw as raw

    height = page.get_height()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        handle = textpage.raw
        n = raw.FPDFText_CountChars(handle)
        codes, generated, boxes = _page_chars(handle, n)
        marks = _place_accents(codes, boxes)
        fragments: list[_Fragment] = []
        chars: list[str] = []
        kept: list[tuple[float, float, float, float]] = []
        last_x1 = last_mid = last_h = 0.0
        pending_space = False
        start_index = 0

        def flush() -> None:
            if kept:
                _add_fragment(fragments, chars, kept, height, textpage, start_index)
            chars.clear()
            kept.clear()

        for i in range(n):
            code = codes[i]
            if generated[i]:
                if code in (10, 13):
                    flush()
                    pending_space = False
                elif code == 32 and (i + 1) not in marks and (i - 1) not in marks:
                    # (PDFium puts spaces around an accent drawn apart from its letter)
                    pending_space = True
                elif code in (2, 0x2D) and kept:
                    # PDFium marks a line-end hyphen it found as generated; keep it as a hyphen
                    chars.append("-")
                    kept.append(kept[-1])
                continue
            if code in (10, 13):
                flush()
                pending_space = False
                continue
            box = boxes[i]
            if code == 32:
                pending_space = True
                continue
            if box is None or i in marks or code < 32 or code in (0xFFFE, 0xFFFF):
                continue
            x0, x1, top, bottom = box
            h = top - bottom
            mid = (top + bottom) / 2
            if kept:
                gap = x0 - last_x1
                size = max(h, last_h, 1.0)
                if abs(mid - last_mid) > 0.6 * size or gap > 1.2 * size or gap < -2.0 * size:
                    flush()
                    pending_space = False
                elif pending_space or gap > 0.11 * size:
                    chars.append(" ")
                    kept.append((last_x1, last_x1, kept[-1][2], kept[-1][3]))
            if not kept:
                start_index = i
            pending_space = False
            chars.append(chr(code))
            kept.append(box)
            for mark in marks.get(-i - 1, ()):
                chars.append(mark)
                kept.append(box)
            last_x1, last_mid, last_h = x1, mid, h
        flush()
    finally:
        textpage.close()
    return fragments, height, n


def _page_chars(handle: object, n: int) -> tuple[list[int], list[bool], list[tuple[float, float, float, float] | None]]:
    """Each character's code (a line-end hyphen as ``-``), whether PDFium made it up, and its loose box."""
    import pypdfium2.raw as raw

    get_unicode = raw.FPDFText_GetUnicode
    is_generated = raw.FPDFText_IsGenerated
    loose_box = raw.FPDFText_GetLooseCharBox
    rect = raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    codes: list[int] = []
    generated: list[bool] = []
    boxes: list[tuple[float, float, float, float] | None] = []
    for i in range(n):
        code = get_unicode(handle, i)
        if code == 2 or (code == 0xAD and raw.FPDFText_IsHyphen(handle, i)):
            code = 0x2D
        codes.append(code)
        made_up = bool(is_generated(handle, i))
        generated.append(made_up)
        if made_up or code in (10, 13, 32) or not loose_box(handle, i, rect_ref):
            boxes.append(None)
        else:
            boxes.append((rect.left, rect.right, rect.top, rect.bottom))
    return codes, generated, boxes


def _place_accents(codes: list[int], boxes: list[tuple[float, float, float, float] | None]) -> dict[int, list[str]]:
    """Accents set as glyphs of their own, each put after the letter under it as a combining mark.

    Typesetters (TeX among them) draw "ü" as "u" and a separate "¨", sometimes far away in the content stream.
    Returns: the accent glyphs' indexes (to skip) as keys, and ``-(letter index) - 1`` -> marks to add after it.
    """
    out: dict[int, list[str]] = {}
    for i, code in enumerate(codes):
        mark = _ACCENTS.get(code) or (chr(code) if 0x300 <= code <= 0x36F else None)
        box = boxes[i]
        if mark is None or box is None:
            continue
        centre = (box[0] + box[1]) / 2
        mid = (box[2] + box[3]) / 2
        size = max(box[2] - box[3], 1.0)
        best = None
        # near the accent in the stream first; else anywhere on the page
        for window in (range(max(0, i - 40), min(len(codes), i + 40)), range(len(codes))):
            distance = 0.4 * size
            for j in window:
                other = boxes[j]
                if j == i or other is None or not (other[0] - 0.5 <= centre <= other[1] + 0.5):
                    continue
                off = abs((other[2] + other[3]) / 2 - mid)
                if off < distance and chr(codes[j]).isalpha():
                    best, distance = j, off
            if best is not None:
                break
        if best is None:
            continue
        out[i] = []
        marks = out.setdefault(-best - 1, [])
        if mark not in marks:
            marks.append(mark)
    return out


def _add_fragment(
    fragments: list[_Fragment],
    chars: list[str],
    boxes: list[tuple[float, float, float, float]],
    height: float,
    textpage: object,
    start_index: int,
) -> None:
    import pypdfium2.raw as raw

    text = _clean("".join(chars)).strip()
    if not text:
        return
    # rotated text (a side banner such as "Downloaded from ...") is not part of the page's lines
    angle = raw.FPDFText_GetCharAngle(textpage.raw, start_index)  # type: ignore[attr-defined]
    if 0.05 < angle < 6.23:
        return
    heights = sorted(b[2] - b[3] for b in boxes if b[1] > b[0])
    size = heights[len(heights) // 2] if heights else 1.0
    top = max(b[2] for b in boxes)
    bottom = min(b[3] for b in boxes)
    first = boxes[0][2] - boxes[0][3]
    fragments.append(
        _Fragment(text, min(b[0] for b in boxes), max(b[1] for b in boxes), height - top, height - bottom, size, first)
    )


def _clean(text: str) -> str:
    """Ligatures expanded, odd spaces made plain, soft hyphens and zero-width characters dropped, NFC."""
    if _SURROGATE_RE.search(text):
        # PDFium gives UTF-16 code units: a character beyond the BMP comes as a surrogate pair
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return unicodedata.normalize("NFC", text.translate(_LIGATURES))


# --------------------------------------------------------------------------- reading order


def _order(fragments: list[_Fragment], page: int, height: float) -> list[_Line]:
    """The page's lines in reading order: columns left to right within bands separated by spanning lines."""
    if not fragments:
        return []
    fragments = _drop_line_numbers(fragments)
    gutters = _gutters(fragments)
    blocks = [] if gutters else _blocks(fragments)
    if len(blocks) > 1:
        # no columns across the whole page: a block of them may still stand above or below full-width text
        lines = [line for block in blocks for line in _order_block(block, page, _gutters(block))]
    else:
        lines = _order_block(fragments, page, gutters)
    for index, line in enumerate(lines, 1):
        line.index = index
    return lines


def _blocks(fragments: list[_Fragment]) -> list[list[_Fragment]]:
    """The page cut at white space across its whole width (higher than two lines), top to bottom."""
    ordered = sorted(fragments, key=lambda f: f.top)
    size = statistics.median(f.size for f in ordered)
    blocks: list[list[_Fragment]] = [[]]
    bottom = ordered[0].bottom
    for frag in ordered:
        if blocks[-1] and frag.top - bottom > 2.0 * size:
            blocks.append([])
        blocks[-1].append(frag)
        bottom = max(bottom, frag.bottom)
    return blocks


def _order_block(fragments: list[_Fragment], page: int, gutters: list[tuple[float, float]]) -> list[_Line]:
    """Lines of a block in reading order, given its column gutters."""
    placed: list[tuple[int, _Fragment]] = []  # column (0 = spanning)
    for frag in fragments:
        column = 1
        spanning = False
        for g0, g1 in gutters:
            if frag.x0 <= g0 + 1 and frag.x1 >= g1 - 1:
                spanning = True
                break
            if frag.x0 + frag.x1 > g0 + g1:
                column += 1
        placed.append((0 if spanning else column, frag))
    if gutters:
        placed = [(_heading_band(column, frag, placed), frag) for column, frag in placed]
    placed.sort(key=lambda item: item[1].top)
    lines: list[_Line] = []
    band: list[tuple[int, _Fragment]] = []

    def flush_band() -> None:
        for column in sorted({c for c, _ in band}):
            lines.extend(_assemble([f for c, f in band if c == column], page, column))
        band.clear()

    for column, frag in placed:
        if column == 0:
            flush_band()
            lines.extend(_assemble([frag], page, 1, spanning=True))
        else:
            band.append((column, frag))
    flush_band()
    return lines


def _heading_band(column: int, frag: _Fragment, placed: list[tuple[int, _Fragment]]) -> int:
    """A "References" heading with nothing beside it, and text below it, in the other columns opens a new band.

    Then the list below it is read column by column, after all of the text above it (column 0 = spanning).
    """
    if column == 0 or not _is_heading(frag.text):
        return column
    reach = frag.size
    # the list's type: the first line below the heading in its own column
    under = [other for c, other in placed if c == column and other.top > frag.bottom]
    size = min(under, key=lambda f: f.top).size if under else 0.0
    firsts: dict[int, _Fragment] = {}
    for other_column, other in placed:
        if other_column in (0, column):
            continue
        if other.top < frag.bottom + reach and other.bottom > frag.top - reach:
            return column
        if other.top > frag.bottom and (other_column not in firsts or other.top < firsts[other_column].top):
            firsts[other_column] = other
    # below it in the other columns: the list going on, in the list's type; a box in another type (a book's
    # details beside a review's list) is not, and the list goes on at the top of the next column instead
    below = any(not size or abs(first.size - size) <= 0.15 * size for first in firsts.values())
    return 0 if below else column


def _gutters(fragments: list[_Fragment]) -> list[tuple[float, float]]:
    """Vertical white gutters between columns: up to two x ranges crossed by few fragments."""
    # short pieces (figure labels, table cells, numbers) do not show where the text columns are
    fragments = [f for f in fragments if len(f.text) >= 12]
    if len(fragments) < 4:
        return []
    left = min(f.x0 for f in fragments)
    right = max(f.x1 for f in fragments)
    width = right - left
    if width < 100:
        return []
    bins = int(width // 2) + 1
    cover = [0] * bins
    for frag in fragments:
        for b in range(int((frag.x0 - left) // 2), min(bins, int((frag.x1 - left) // 2) + 1)):
            cover[b] += 1
    # a gutter is a valley: crossed by few fragments (full-width titles, captions) compared with the columns
    # on either side of it
    before = list(itertools.accumulate(cover, max))
    after = list(itertools.accumulate(reversed(cover), max))[::-1]
    low = [c <= max(1.0, 0.35 * min(a, z)) for c, a, z in zip(cover, before, after, strict=True)]
    runs: list[tuple[int, int]] = []
    start = None
    for b, is_low in enumerate([*low, False]):
        if is_low:
            if start is None:
                start = b
        elif start is not None:
            runs.append((start, b))
            start = None
    gutters: list[tuple[float, float]] = []
    for b0, b1 in runs:
        # the gutter proper is the emptiest part of the run: labels may hang into its edges
        least = min(cover[b0:b1])
        while b0 < b1 and cover[b0] > least:
            b0 += 1
        while b1 > b0 and cover[b1 - 1] > least:
            b1 -= 1
        g0, g1 = left + b0 * 2, left + b1 * 2
        if g1 - g0 < 6 or g0 - left < 0.15 * width or right - g1 < 0.15 * width:
            continue
        gutters.append((g0, g1))
    if not gutters:
        return []
    # a gutter must have real text on both sides: wide fragments, not only labels or numbers
    edges = [left, *[x for g in gutters for x in g], right]
    keep: list[tuple[float, float]] = []
    columns = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
    good = []
    for c0, c1 in columns:
        inside = [f for f in fragments if f.x0 >= c0 - 1 and f.x1 <= c1 + 1]
        widths = sorted(f.x1 - f.x0 for f in inside)
        good.append(len(inside) >= 2 and widths[len(widths) * 3 // 4] >= max(40.0, 0.4 * (c1 - c0)))
    for i, gutter in enumerate(gutters):
        if good[i] and good[i + 1]:
            keep.append(gutter)
    return keep[:2]


def _drop_line_numbers(fragments: list[_Fragment]) -> list[_Fragment]:
    """Leave out a margin column of line numbers (preprints): bare numbers at one x, counting up line by line."""
    numbers = [f for f in fragments if f.text.isdigit() and len(f.text) <= 5]
    if len(numbers) < 6:
        return fragments
    drop: set[int] = set()
    by_x: dict[tuple[str, int], list[_Fragment]] = {}
    for f in numbers:
        # left- or right-aligned
        by_x.setdefault(("left", round(f.x0 / 4)), []).append(f)
        by_x.setdefault(("right", round(f.x1 / 4)), []).append(f)
    for group in by_x.values():
        if len(group) < 6:
            continue
        group.sort(key=lambda f: f.top)
        steps = sum(1 for a, b in itertools.pairwise(group) if int(b.text) == int(a.text) + 1)
        # line numbers stand beside every line; printed reference numbers only beside an entry's first line
        top, bottom = group[0].top, group[-1].bottom
        rows = {round(f.top / 3) for f in fragments if top <= f.top <= bottom and not f.text.isdigit()}
        if steps >= 0.8 * (len(group) - 1) and len(group) >= 0.7 * len(rows):
            drop.update(id(f) for f in group)
    return [f for f in fragments if id(f) not in drop] if drop else fragments


def _assemble(fragments: list[_Fragment], page: int, column: int, *, spanning: bool = False) -> list[_Line]:
    """Fragments of one column band grouped into lines (by vertical overlap), top to bottom."""
    fragments = sorted(fragments, key=lambda f: (f.top, f.x0))
    rows: list[list[_Fragment]] = []
    for frag in fragments:
        mid = (frag.top + frag.bottom) / 2
        if rows:
            row = rows[-1]
            top = min(f.top for f in row)
            bottom = max(f.bottom for f in row)
            if top - 0.1 * frag.size <= mid <= bottom + 0.1 * frag.size:
                row.append(frag)
                continue
        rows.append([frag])
    lines = []
    for row in rows:
        row.sort(key=lambda f: f.x0)
        text = row[0].text
        for prev, frag in itertools.pairwise(row):
            text += ("" if frag.x0 - prev.x1 < 0.12 * frag.size else " ") + frag.text
        sizes = sorted(f.size for f in row)
        lines.append(
            _Line(
                text=text,
                x0=row[0].x0,
                x1=max(f.x1 for f in row),
                top=min(f.top for f in row),
                bottom=max(f.bottom for f in row),
                size=sizes[-1],
                first_size=row[0].first_size,
                page=page,
                column=column,
                spanning=spanning,
            )
        )
    return lines


# --------------------------------------------------------------------------- page furniture


def _furniture_key(text: str) -> str:
    """The line without spaces and without a number at either end: a running header keeps its words while its
    page number moves ("4 Journal of X" / "Journal of X 5")."""
    return _END_NUMBERS_RE.sub("", "".join(text.lower().split()))


def _drop_furniture(pages: list[list[_Line]]) -> list[_Line]:
    """All pages' lines in order, without running headers and footers, page numbers and banners.

    A line near the top or bottom edge of its page (the first or last three lines) is furniture when the same
    text (digits aside) stands near an edge of other pages too, or when it is only a page number.
    """
    edges = [_edge_lines(lines) for lines in pages]
    edge_keys: Counter[str] = Counter()
    for lines in edges:
        edge_keys.update({_furniture_key(line.text) for line in lines})
    repeats = 2 if len(pages) <= 4 else 3
    out: list[_Line] = []
    for lines, edge_lines in zip(pages, edges, strict=True):
        edge = {id(line) for line in edge_lines}
        kept = []
        for line in lines:
            if id(line) in edge:
                key = _furniture_key(line.text)
                if sum(c.isalpha() for c in key) >= 3 and edge_keys[key] >= repeats:
                    continue
                if _PAGE_NUMBER_RE.match(line.text) and _stands_apart(line, lines):
                    continue
            kept.append(line)
        for index, line in enumerate(kept, 1):
            line.index = index
        out.extend(kept)
    return out


def _edge_lines(lines: list[_Line]) -> list[_Line]:
    """The lines of the three top-most and three bottom-most rows of a page."""
    rows = sorted({round(line.top) for line in lines})
    if len(rows) <= 6:
        return list(lines)
    low, high = rows[2], rows[-3]
    return [line for line in lines if round(line.top) <= low or round(line.top) >= high]


def _stands_apart(line: _Line, lines: list[_Line]) -> bool:
    """A page number stands above or below everything else, or apart from the lines next to it ("1996." does not)."""
    others = [other for other in lines if other is not line]
    if not others or line.top <= min(o.top for o in others) or line.bottom >= max(o.bottom for o in others):
        return True
    above = [line.top - o.bottom for o in others if o.bottom <= line.top + 1 and o.x1 > line.x0 and o.x0 < line.x1]
    below = [o.top - line.bottom for o in others if o.top >= line.bottom - 1 and o.x1 > line.x0 and o.x0 < line.x1]
    return min(above, default=1e9) > 1.5 * line.size and min(below, default=1e9) > 1.5 * line.size


# --------------------------------------------------------------------------- the reference list


def _reference_list(lines: list[_Line], name: str) -> list[Citation]:
    """The references after the heading that gives the most of them."""
    best: list[Citation] = []
    for i, line in enumerate(lines):
        if not _is_heading(line.text):
            continue
        found = _split(_list_lines(lines, i + 1), name)
        if len(found) >= len(best) and found:
            best = found
    return best


def _list_lines(lines: list[_Line], start: int) -> list[_Line]:
    """The lines of the list that starts at ``start``: up to the next heading or a stop heading.

    A stop heading at the foot of a column ("About the Authors" set as a box below the list) does not end the
    list when the next column of the same page opens with what looks like the list going on.
    """
    sizes = [line.size for line in lines[start : start + 40]]
    body = statistics.median(sizes) if sizes else 0.0
    out: list[_Line] = []
    j = start
    while j < len(lines):
        line = lines[j]
        text = line.text
        ends = j > start and (_is_heading(text) or _STOP_HEADING_RE.match(text) or _AFTER_LIST_RE.match(text))
        ends = ends or (j > start + 1 and line.size > 1.3 * body and len(text) < 80 and not looks_like_reference(text))
        # a wide gap in the same column after the list: an address, a note, a caption
        previous = out[-1] if out else None
        ends = ends or bool(
            previous is not None
            and (previous.page, previous.column) == (line.page, line.column)
            and line.top - previous.bottom > 2 * body
            and (abs(line.size - body) > 0.1 * body or not _reads_on(lines, j))
        )
        # full-width text below a list set in columns (the authors' notes at the end of the article), unless it
        # opens an entry
        ends = ends or bool(
            previous is not None
            and previous.page == line.page
            and line.spanning
            and not previous.spanning
            and line.top > previous.bottom
            and not _AUTHOR_YEAR_START_RE.match(text)
            and not any(regex.match(text) for _, regex in _LABEL_RES)
        )
        if ends:
            resume = _list_resumes(lines, j, body)
            if resume is None:
                break
            j = resume
            continue
        out.append(line)
        j += 1
    return out


def _reads_on(lines: list[_Line], k: int) -> bool:
    """Whether the list goes on at line ``k``: it starts with a printed number, or a reference follows."""
    if any(regex.match(lines[k].text) for kind, regex in _LABEL_RES if kind != "bare"):
        return True
    return looks_like_reference(" ".join(other.text for other in lines[k : k + 6])[:MAX_REFERENCE_CHARS])


def _list_resumes(lines: list[_Line], j: int, body: float) -> int | None:
    """Where the list goes on in the next column of the same page after a box at ``j``, if it does."""
    stop = lines[j]
    for k in range(j + 1, len(lines)):
        line = lines[k]
        if line.page != stop.page:
            return None
        if line.column > stop.column and not line.spanning:
            same_type = abs(line.size - body) < 0.1 * body
            return k if same_type and _reads_on(lines, k) and line.top < stop.top else None
    return None


def _label(line: _Line, body: float) -> tuple[str, str, int] | None:
    """(kind, number, characters to strip) of a printed label at the start of ``line``, if any."""
    text = line.text
    for kind, regex in _LABEL_RES:
        match = regex.match(text)
        if match:
            return kind, match.group(1), match.end()
    digits = re.match(r"^(\d{1,4})\s*(?=\D)", text)
    if digits and line.first_size < 0.8 * body:
        return "superscript", digits.group(1), digits.end()
    return None


def _numbered_starts(lines: list[_Line], body: float) -> tuple[dict[int, tuple[str, int]], str]:
    """Lines that start a numbered entry (index -> (label, characters to strip)), when the labels form a sequence."""
    labels = [_label(line, body) for line in lines]
    best: dict[int, tuple[str, int]] = {}
    best_kind = ""
    for kind in ("bracket", "dot", "paren", "bare", "superscript"):
        chain: dict[int, tuple[str, int]] = {}
        last = None
        for i, found in enumerate(labels):
            if not found or (found[0] != kind and not (kind == "bare" and found[0] == "superscript")):
                continue
            number = int(found[1])
            if last is None or number == last + 1:
                chain[i] = (found[1], found[2])
                last = number
        if len(chain) > len(best):
            best, best_kind = chain, kind
    return best, best_kind


def _split(lines: list[_Line], name: str) -> list[Citation]:
    """The list's lines cut into entries, by numbering, indentation, gaps or author-year starts."""
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return []
    body = statistics.median(line.size for line in lines)
    numbered, _ = _numbered_starts(lines, body)
    starts: dict[int, tuple[str | None, int]] = {}
    first = min(numbered, default=None)
    if (
        len(numbered) >= 3
        or (len(numbered) == 2 and first is not None and numbered[first][0] == "1")
        or (numbered and len(lines) <= 3 * len(numbered))
    ):
        starts = {i: (label, strip) for i, (label, strip) in numbered.items()}
        # lines before the first label are not part of the list
        lines_used = lines
    else:
        lines_used = lines
        for i in _layout_starts(lines):
            starts[i] = (None, 0)
    entries: list[tuple[int, str | None, list[str]]] = []
    for i, line in enumerate(lines_used):
        if i in starts:
            label, strip = starts[i]
            entries.append((i, label, [line.text[strip:].strip()]))
        elif entries:
            entries[-1][2].append(line.text.strip())
    raws = [_LINK_LABELS_RE.sub("", _join(parts)).strip() for _, _, parts in entries]
    # a numbered entry is a reference by its place in the list, with or without a year ("IUCN Red List. [url]")
    keep = [
        looks_like_reference(raw) or (label is not None and _plausible_entry(raw))
        for raw, (_, label, _) in zip(raws, entries, strict=True)
    ]
    _keep_yearless(raws, keep)
    citations: list[Citation] = []
    for (i, label, _), raw, kept in zip(entries, raws, keep, strict=True):
        if not kept:
            continue
        line = lines_used[i]
        source = Source(name, len(citations) + 1, line.index, label, page=line.page, column=line.column)
        citations.append(Citation(raw=raw, source=source))
    return citations


def _keep_yearless(raws: list[str], keep: list[bool]) -> None:
    """Marks as kept the entries with no year or DOI that sit between references and have the shape of one.

    The shape: a finished sentence of words that opens with a capital, a quote or a bracket ("Menu „Adriatic“
    Berlin.", "Interview mit dem Besitzer."); at most three such entries in a row.
    """
    i = 0
    while i < len(raws):
        if keep[i]:
            i += 1
            continue
        j = i
        while j < len(raws) and not keep[j]:
            j += 1
        if i > 0 and j < len(raws) and j - i <= 3 and all(_reference_shape(raw) for raw in raws[i:j]):
            keep[i:j] = [True] * (j - i)
        i = j


def _reference_shape(text: str) -> bool:
    return (
        _plausible_entry(text)
        and len(text) <= 300
        and bool(re.match(r"[\[(\"\u201e\u201c\u00ab\u2018']?[A-Z\u00c0-\u00de]", text))
        and text.endswith((".", ")", "]"))
        and not _FURNITURE_RE.match(text)
    )


def _plausible_entry(text: str) -> bool:
    return 12 <= len(text) <= MAX_REFERENCE_CHARS and bool(re.search(r"[^\W\d_]{3}", text))


def _layout_starts(lines: list[_Line]) -> list[int]:
    """Unnumbered entries: hanging or first-line indents, else vertical gaps, else author-year starts."""
    # left edge of each column of each page
    lefts: dict[tuple[int, int], float] = {}
    for line in lines:
        key = (line.page, line.column)
        lefts[key] = min(lefts.get(key, line.x0), line.x0)
    indent = [line.x0 - lefts[(line.page, line.column)] > max(2.5, 0.4 * line.size) for line in lines]
    n_indented = sum(indent)
    starts: list[int] = []
    if 0.1 * len(lines) <= n_indented <= 0.9 * len(lines) and len(lines) >= 3:
        # hanging indent (entries flush, continuations indented) unless the list opens with an indented line
        first_line_indent = indent[0] and n_indented < len(lines) / 2
        for i in range(len(lines)):
            if indent[i] == first_line_indent and not (
                i and not first_line_indent and _carries_on(lines[i - 1].text, lines[i].text)
            ):
                starts.append(i)
        return starts
    pitches = []
    for a, b in itertools.pairwise(lines):
        if (a.page, a.column) == (b.page, b.column) and b.top > a.top:
            pitches.append(b.top - a.top)
    pitch = statistics.median(pitches) if pitches else 0.0
    big = [p for p in pitches if p > 1.2 * pitch]
    gaps = bool(pitch) and len(big) >= 2 and len(big) <= 0.7 * len(pitches)
    starts = [0]
    for i in range(1, len(lines)):
        a, b = lines[i - 1], lines[i]
        same_block = (a.page, a.column) == (b.page, b.column)
        if gaps and same_block:
            if b.top - a.top > 1.2 * pitch:
                starts.append(i)
        elif _starts_author_year(b.text, a.text):
            starts.append(i)
    return starts


def _carries_on(previous: str, line: str) -> bool:
    """Whether a flush line in a hanging-indent list still belongs to the entry above.

    So it does when the line above stops mid-sentence and this one does not open an entry (a line set flush by
    mistake, a column's first line).
    """
    last = previous.rstrip()
    if not re.search(r"[^\W\d_,]$|[,&\u201c\u201e]$", last) or _URLISH_RE.search(last.split(" ")[-1]):
        return False
    opens = _AUTHOR_YEAR_START_RE.match(line) or re.match(rf"{_NAME}(?:\s+{_NAME})?,\s+[A-Z]", line)
    return not opens and not re.search(r"\(?(?:1[6-9]|20)\d\d[a-z]?\)?[.:,]", line[:60])


def _starts_author_year(line: str, previous: str) -> bool:
    """After a finished reference, a line starting with a name ("Smith, J." / "Smith J" / "SMITH, J.") starts one."""
    last = previous.rstrip()
    finished = last.endswith((".", ")")) or bool(re.search(r"\d\s*$", last))
    name = r"[A-Z\u00c0-\u00de][\w'\u00c0-\u024f-]+"
    return finished and bool(re.match(rf"\s*(?:{name}\s+)?{name},?\s+(?:[A-Z]|\w+,|&|and\b|\()", line))


def _join(parts: list[str]) -> str:
    """Wrapped lines joined into one string: hyphen-split words rejoined, DOIs and URLs kept whole."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
            continue
        tail = out.split(" ")[-1]
        if _URLISH_RE.search(tail) and _continues_url(tail, part):
            out += part
        elif out.endswith("-") and len(out) > 1 and not out[-2].isspace():
            if out[-2].isalpha() and part[0].islower():
                out = out[:-1] + part  # a word split at the line end: the hyphen was the typesetter's
            else:
                out += part  # "Sánchez-" + "Schmidt", "2016-" + "2019", "Q.-" + "Y.": the hyphen is the text's
        elif out.endswith("\u2013") and len(out) > 1 and out[-2].isdigit() and part[0].isdigit():
            out += part  # a page or year range: "1801–" + "1808"
        else:
            out += " " + part
    out = re.sub(r"\s+", " ", out).strip()
    return out[: MAX_REFERENCE_CHARS + 1]


def _continues_url(tail: str, part: str) -> bool:
    """Whether ``part`` carries on the DOI or URL that ends the previous line."""
    head = part.split(" ")[0]
    # a finished DOI ends the reference's sentence; what follows is a new word
    if (
        tail.endswith((".", ",", ";"))
        and not re.search(r"[/\-_.]\w", head[:2])
        and (not re.match(r"^[\w\-./]*\d", head) or tail.endswith((",", ";")))
    ):
        return False
    if tail.endswith(("/", "-", "_", ".", "=", "?", "&", ":")):
        return True
    # the next line's first word has the look of an identifier's rest: digits, dots, slashes, no plain word
    return bool(re.match(r"^[\w\-./()<>;:]*[\d./\-_][\w\-./()<>;:]*$", head)) and not re.match(r"^\d{4}\b", head)


# --------------------------------------------------------------------------- fallbacks


def _numbered_fallback(lines: list[_Line], name: str) -> list[Citation]:
    """No heading: the longest numbered list whose items look like references (the text reader's rule)."""
    found = extract_lines([line.text for line in lines], name, None)
    out = []
    for cit in found:
        src = cit.source
        line = lines[src.line - 1] if src and 0 < src.line <= len(lines) else None
        if line is not None and src is not None:
            src = Source(name, src.position, line.index, src.label, page=line.page, column=line.column)
        out.append(Citation(raw=cit.raw, source=src))
    return out


def _author_year_run(lines: list[_Line], name: str) -> list[Citation]:
    """No heading: the longest run of entries that each start with names and a year ("Roller, Edeltraud, 1992:").

    A run is five or more such starts, each within a few lines of the one before, in one type size; after the
    last start the entry goes on while its lines follow in the same type without a wider gap.
    """
    if not lines:
        return []
    starts = [
        _AUTHOR_YEAR_START_RE.match(line.text + " " + (lines[i + 1].text if i + 1 < len(lines) else "")) is not None
        for i, line in enumerate(lines)
    ]
    best: list[Citation] = []
    i = 0
    while i < len(lines):
        if not starts[i]:
            i += 1
            continue
        size = lines[i].size
        run = [i]
        j = i + 1
        while j < len(lines) and j - run[-1] <= 8 and abs(lines[j].size - size) <= 0.1 * size:
            if starts[j]:
                run.append(j)
            j += 1
        if len(run) >= 5:
            pitches = [
                b.top - a.top
                for a, b in itertools.pairwise(lines[i : run[-1] + 1])
                if (a.page, a.column) == (b.page, b.column) and b.top > a.top
            ]
            end = _entry_end(lines, run[-1], size, statistics.median(pitches) if pitches else 1.2 * size)
            found = _split(lines[i:end], name)
            if len(found) > len(best):
                best = found
        i = run[-1] + 1
    return best


def _entry_end(lines: list[_Line], k: int, size: float, pitch: float) -> int:
    """The index after the last line of the entry that starts at ``k``: same type, no wider gap, at most 8 lines."""
    end = k + 1
    while end < len(lines) and end - k < 8:
        prev, line = lines[end - 1], lines[end]
        same_block = (prev.page, prev.column) == (line.page, line.column)
        if abs(line.size - size) > 0.05 * size or (same_block and line.top - prev.top > 1.4 * pitch):
            break
        end += 1
    return end


def _footnotes(lines: list[_Line], name: str) -> list[Citation]:
    """References in footnotes: numbered lines in a smaller type than the body, below it on the page."""
    if not lines:
        return []
    body = statistics.median(line.size for line in lines)
    citations: list[Citation] = []
    notes: list[tuple[_Line, str, list[str]]] = []
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    for page_lines in by_page.values():
        small = [line for line in page_lines if line.size < 0.92 * body]
        body_lines = [line for line in page_lines if line.size >= 0.92 * body]
        floor = max((line.bottom for line in body_lines), default=0.0)
        current: tuple[_Line, str, list[str]] | None = None
        for line in small:
            if line.top < floor - 1:
                continue
            match = re.match(r"^(\d{1,3})\s*(?=\S)", line.text)
            if match and (line.first_size < line.size * 0.85 or re.match(r"^\d{1,3}\s", line.text)):
                current = (line, match.group(1), [line.text[match.end() :].strip()])
                notes.append(current)
            elif current is not None:
                current[2].append(line.text.strip())
    for line, label, parts in notes:
        raw = _join(parts)
        if looks_like_reference(raw):
            source = Source(
                name, len(citations) + 1, line.index, label, page=line.page, column=line.column, part="footnote"
            )
            citations.append(Citation(raw=raw, source=source))
    return citations
