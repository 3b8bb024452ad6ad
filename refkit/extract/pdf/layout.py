"""Reading order (columns, bands, line-number columns) and page furniture (running headers and footers)."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter

from refkit.extract.pdf.common import _END_NUMBERS_RE, _PAGE_NUMBER_RE, _Fragment, _Line
from refkit.extract.text import (
    _is_heading,
)


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
