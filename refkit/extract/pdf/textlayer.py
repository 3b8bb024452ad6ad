"""The text layer, page by page: characters with their boxes, cleaned, in line fragments."""

from __future__ import annotations

import ctypes
import unicodedata
from pathlib import Path

from refkit.errors import InputError
from refkit.extract.pdf.common import _ACCENTS, _LIGATURES, _SURROGATE_RE, MAX_PDF_PAGES, _Fragment, _Line
from refkit.extract.pdf.layout import _order


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
    # Text drawn off the page is not printed; a damaged file can place it millions of points away, which would
    # make the column search's histogram as wide.
    width = page.get_width()  # type: ignore[attr-defined]
    fragments = [f for f in fragments if f.x1 >= 0 and f.x0 <= width and f.bottom >= 0 and f.top <= height]
    for f in fragments:
        f.x0, f.x1 = max(0.0, f.x0), min(width, f.x1)
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
