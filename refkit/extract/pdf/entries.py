"""The reference list in the ordered lines: where it starts and ends, its entries, and the fallbacks."""

from __future__ import annotations

import itertools
import re
import statistics

from refkit.extract.pdf.common import (
    _AFTER_LIST_RE,
    _AUTHOR_YEAR_START_RE,
    _LABEL_RES,
    _LINK_LABELS_RE,
    _NAME,
    _URLISH_RE,
    _Line,
)
from refkit.extract.text import (
    _FURNITURE_RE,
    _STOP_HEADING_RE,
    MAX_REFERENCE_CHARS,
    _is_heading,
    extract_lines,
    looks_like_reference,
)
from refkit.model import Citation, Source


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
