"""What the PDF reader's steps share: the size limit, character tables, patterns, fragments and lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    # possessive (++): the run of names never gives back what it took, so a long line cannot backtrack for ever
    rf"(?:(?:{_NAME}|and|und|u\.|&|et al\.?|/|,|;|\((?i:hrsg|eds?|coord|red)\.?\)|\s)++)?"
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
