"""Plain-text reference lists: find the list, split it into references, join wrapped lines.

The line reader is shared by every format that ends up as lines of text (plain text, Markdown, HTML, and the
lines that the PDF and Word readers lay out).
"""

from __future__ import annotations

import re

from refkit.model import Citation, Source
from refkit.text import clean_text

__all__ = ["MAX_REFERENCE_CHARS", "extract_lines", "looks_like_reference"]

#: A "reference" longer than this is not one (it is a run-on line or binary noise).
MAX_REFERENCE_CHARS = 5000

#: Headings of reference lists, with an optional section number ("7.", "VII"); letter-spaced capitals
#: ("R E F E R E N C E S") are read by :func:`_is_heading`.
_HEADING_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:(?:\d+|[IVX]+)\.?\s+)?(?:references?(?: and notes| cited| list)?|notes and references|"
    r"bibliography|literature(?: cited)?|works cited|cited literature|literaturverzeichnis|literaturliste|"
    r"literaturangaben|(?:(?:zitierte|verwendete|benutzte|angeführte|ausgewählte)\s+(?:und\s+)?)+(?:literatur|quellen)|"
    r"literatur|"
    r"(?:literatur|quellen)[\w-]*\s+und\s+(?:literatur|quellen)\w*|quellen(?:verzeichnis|angaben)?|bibliographie|"
    r"références(?: bibliographiques)?|referencias(?: bibliográficas)?|bibliografía|bibliografia|"
    r"riferimenti bibliografici|sources)\s*:?\s*$",
    re.IGNORECASE,
)
_NUMBERED_RE = re.compile(r"^\s*(?:\[(\d{1,6})\]|(\d{1,6})[.)])\s+(\S.*)$")
_BULLET_RE = re.compile(r"^\s*(?:[-*•·]|\d{1,6}[.)])\s+")
_FURNITURE_RE = re.compile(
    r"^\s*(?:last updated|please ask your|this website is|this section has been|dieser artikel|all authors of|"
    r"author:|copyright|©|download|share|print this|cite this|back to top|advertisement|see also|"
    r"(?:\w+\s+)?(?:figures?|tables?)\s+\d)",
    re.IGNORECASE,
)
#: Headings of what follows a reference list. Only a short, heading-like line is one: the word alone, or with a
#: label or a colon ("Table 2", "Appendix A: Items", "Acknowledgements"), or a run-in heading ("Funding: ..."),
#: not a reference's wrapped line that starts with the word ("Table when Expected Marginal Totals are known.").
_STOP_HEADING_RE = re.compile(
    r"^(?=\s*.{1,60}$|[^:]{1,40}:)\s*(?:#{1,6}\s*)?(?:(?:\d+|[IVX]+)\.?\s+)?"
    r"(?:appendix|appendices|anhang|supplementary(?: materials?| information| data| files?)?|supporting information|"
    r"acknowledge?ments?|danksagung|figure legends|tables?|footnotes|endnotes|fußnoten|endnoten|anmerkungen|"
    r"author contributions|"
    r"conflicts? of interests?|competing interests|funding(?: information)?|abbreviations|about the authors?)"
    r"(?:\s*[:.]?\s*$|\s*[:.\u2013-]\s|\s+(?-i:\d+|[A-Z]|[IVX]+)\b)",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?<!\d)(?:1[6-9]\d\d|20\d\d)(?!\d)")


# three letters of any script: Cyrillic, Greek and CJK references are references too
_WORD_RE = re.compile(r"[^\W\d_]{3}")


def _is_heading(line: str) -> bool:
    """Whether ``line`` is the heading of a reference list, also when set in letter-spaced capitals."""
    if _HEADING_RE.match(line):
        return True
    # "R E F E R E N C E S", "W O R K S  C I T E D": single letters, words set two or more spaces apart
    words = re.split(r"\s{2,}", line.strip().rstrip(":").strip())
    letters = [word.split() for word in words]
    if sum(len(w) for w in letters) >= 5 and all(len(c) == 1 and c.isalpha() for w in letters for c in w):
        return bool(_HEADING_RE.match(" ".join("".join(w) for w in letters)))
    return False


def looks_like_reference(text: str) -> bool:
    """Long enough, not page furniture, with a year or a DOI and a word."""
    if len(text) < 20 or len(text) > MAX_REFERENCE_CHARS or _FURNITURE_RE.match(text):
        return False
    return bool(_YEAR_RE.search(text) or re.search(r"\b10\.\d{4,9}/", text)) and bool(_WORD_RE.search(text))


def extract_lines(lines: list[str], file: str, warnings: list[str] | None) -> list[Citation]:
    """The references of a document given as lines: after a "References" heading, else its longest numbered list."""
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_REFERENCE_CHARS and warnings is not None:
            warnings.append(f"{file}: line {number} has {len(line):,} characters; not read as a reference")
    skipped: list[str] = []
    start = next((i + 1 for i, line in enumerate(lines) if _is_heading(line)), None)
    if start is not None:
        found = _read_list(lines, start, file, numbered_only=False, skipped=skipped)
        if found:
            if warnings is not None:
                warnings.extend(skipped)
            return found
    # no heading: the longest run of numbered items that look like references
    best: list[Citation] = []
    i = 0
    while i < len(lines):
        match = _NUMBERED_RE.match(lines[i])
        if match and looks_like_reference(match.group(3)):
            run_skipped: list[str] = []
            run = _read_list(lines, i, file, numbered_only=True, skipped=run_skipped)
            if len(run) > len(best):
                best, skipped = run, run_skipped
            i += max(1, len(run))
        else:
            i += 1
    if not (len(best) >= 2 or (best and best[0].source and best[0].source.label == "1")):
        return []
    if warnings is not None:
        warnings.extend(skipped)
    return best


def _read_list(
    lines: list[str], start: int, file: str, *, numbered_only: bool, skipped: list[str] | None = None
) -> list[Citation]:
    """Read list items from ``start`` until the list ends; joins wrapped lines.

    Items that do not look like references are left out; ``skipped`` (if given) gets one message for each
    numbered or overlong one, with its text, so that nothing numbered in a list is lost without a word.
    """
    items: list[tuple[int, str | None, list[str]]] = []  # (line number, label, text parts)
    blank_run = 0
    for index in range(start, len(lines)):
        line = lines[index].rstrip()
        if len(line) > MAX_REFERENCE_CHARS:
            continue
        if not line.strip():
            blank_run += 1
            if items and blank_run >= 3:
                break
            continue
        if _is_heading(line) and items:
            break
        if _STOP_HEADING_RE.match(line) or _FURNITURE_RE.match(line):
            if items:
                break
            continue
        match = _NUMBERED_RE.match(line)
        if match:
            label = match.group(1) or match.group(2)
            items.append((index + 1, label, [match.group(3).strip()]))
        elif numbered_only:
            # a wrapped line continues the item above, if nothing separated them
            if items and blank_run == 0 and not _BULLET_RE.match(line):
                items[-1][2].append(line.strip())
            else:
                break
        elif (items and blank_run == 0 and items[-1][1] is None and not _starts_new_reference(line, items[-1][2])) or (
            items and blank_run == 0 and items[-1][1] is not None and not _BULLET_RE.match(line)
        ):
            items[-1][2].append(line.strip())
        else:
            items.append((index + 1, None, [_BULLET_RE.sub("", line).strip()]))
        blank_run = 0
    citations = []
    for line_no, label, parts in items:
        raw = clean_text(re.sub(r"\s+", " ", " ".join(parts)).strip())
        raw = re.sub(r"(\w)- (\w)", r"\1-\2", raw) if re.search(r"\w- \w", raw) else raw
        if looks_like_reference(raw):
            citations.append(Citation(raw=raw, source=Source(file, len(citations) + 1, line_no, label)))
        elif skipped is not None and (label is not None or len(raw) > MAX_REFERENCE_CHARS):
            why = (
                f"{len(raw):,} characters, longer than a reference"
                if len(raw) > MAX_REFERENCE_CHARS
                else "no year or DOI, or too short"
            )
            shown = raw if len(raw) <= 120 else raw[:117] + "..."
            skipped.append(f"{file}: list item {label or ''} (line {line_no}) not read as a reference ({why}): {shown}")
    return citations


def _starts_new_reference(line: str, previous: list[str]) -> bool:
    """In an unnumbered list, a line starting with a name after a finished reference starts a new one."""
    last = previous[-1].rstrip()
    finished = last.endswith((".", ")")) or bool(re.search(r"\d\s*$", last))
    return finished and bool(re.match(r"\s*[A-Z\u00c0-\u00de][\w'\u00c0-\u024f-]+,?\s+(?:[A-Z]|\w+,)", line))
