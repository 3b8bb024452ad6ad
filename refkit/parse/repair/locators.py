"""Locators read as the wrong part: a Vancouver locator the parser left empty (:func:`find_locator`), and the
numbers of layouts outside biomedicine (ACS, physics, "Vol. 34, No. 369-370", "106, 439 (November 1996): 1493-1514").

Example:
    >>> find_locator("Sagong HY. Crystal structure. PLoS ONE. 2016;11(11):e0166667.")["volume"]
    '11'
"""

from __future__ import annotations

import re
from typing import Any

from refkit.model import Reference

# year [month [day]] ; volume [(issue)] : pages   -- the NLM/Vancouver locator
_LOCATOR = re.compile(
    r"(?<![\w/.])(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
    r"(?:\s+[A-Z][a-z]{2,8}\.?(?:\s*\d{1,2})?(?:\s*[-–]\s*(?:[A-Z][a-z]{2,8}\.?\s*)?\d{1,2})?)?"
    r"\s*;\s*(?P<volume>\d{1,4}[A-Za-z]?|[IVXLC]{1,8})"
    r"(?:\s*\((?P<issue>[^()]{1,24})\))?"
    r"\s*:\s*(?P<page>[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?)(?![\w/])"
)


def find_locator(raw: str) -> dict[str, str] | None:
    """The year, volume, issue and pages of the first Vancouver locator in ``raw``, or None.

    Example:
        >>> find_locator("Sagong HY. Crystal structure. PLoS ONE. 2016;11(11):e0166667.")
        {'year': '2016', 'volume': '11', 'issue': '11', 'page': 'e0166667'}
        >>> find_locator("Hobbs AG. Nasal reflex. JAMA. 1897;XXVIII(18):789.")["volume"]
        'XXVIII'
        >>> find_locator("Smith J (2001) A title. J Foo 10: 1-2") is None
        True
    """
    found = _LOCATOR.search(raw)
    if found is None:
        return None
    out = {k: v.strip() for k, v in found.groupdict().items() if v}
    if "page" in out:
        out["page"] = re.sub(r"\s*[-–]\s*", "-", out["page"])
    return out


_JOURNAL_THEN_VOLUME = re.compile(r"(?P<journal>[A-Z][A-Za-z.&' ]{3,}[A-Za-z.])\s+(?P<volume>\d{1,4})")

_PAGE_RANGE = re.compile(r"[A-Za-z]{0,2}\d+(?:-[A-Za-z]{0,2}\d+)?")

# Locators outside the biomedical layouts, where the parser read one number as another field:
# "Int. J. Mol. Sci. 2016, 17, 1497" (ACS: year, volume, page; volume and page read as one page)
_VOLUME_COMMA_PAGE = re.compile(r"(?P<volume>\d{1,4}),\s*(?P<page>[A-Za-z]{0,2}\d+[A-Za-z]?(?:-[A-Za-z]{0,2}\d+)?)")

# the pages after an issue number, past a date ("No. 369-370, 1973, 38-39", "No. 5, pp. 1-9")
_PAGES_AFTER = re.compile(
    r"[\s,;:.)]*(?:\(?[A-Za-z]{0,9}\.?\s*(?:1[5-9]|20)\d\d\)?[\s,;:.]*)?(?:pp?\.|pages|S\.|pg\.?)?\s*"
    r"(?P<page>\d+(?:\s*[-–]\s*\d+)?)(?![\w/])"
)

# "Volume 3", "Vol. II", "Bd. 4" read as a journal or a book's title: the volume of a book in several
_VOLUME_ONLY = re.compile(r"(?:Vol(?:ume)?|Bd|Band|Tome|Tomo)\.?\s*(?P<volume>\d{1,4}|[IVXLC]{1,8})")

# "Nucl. Instrum. Methods Phys. Res. A556 616-23": a lettered volume and the pages read as one page
_VOLUME_SPACE_PAGE = re.compile(r"(?P<volume>[A-Z]?\d{1,4})\s+(?P<page>[A-Z]?\d+(?:-\d+)?)")

_TITLE_VOLUME = re.compile(r"(?P<title>.{4,}?)[.,]\s+" + _VOLUME_ONLY.pattern)

_VOLUME_WORD = re.compile(r"\b(?:Vol|Bd|Band|Tom)")

_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")

# the static patterns below are matched, then their numbers compared with the parser's (a pattern made for each
# string's numbers would be compiled anew for every reference)
_DASH = re.compile(r"\s*[-–]\s*")

# "311 (2000) 809": a number, a year in brackets, the page
_DATED_PAGE = re.compile(
    r"(?<!\d\.)(?<![\w])(?P<number>[A-Z]?\d+)\s*\(\s*(?:1[5-9]|20)\d\d\s*\)\s*(?P<page>\d+(?:\s*[-–]\s*\d+)?)(?!\w|\.\d)"
)

# "1703, 101 (2017)": a year-like volume, the page, the year in brackets
_YEAR_VOLUME = re.compile(
    r"(?<![\w.])(?P<volume>(?:1[5-9]|20)\d\d)\s*,\s*(?P<page>\d{1,6})\s*\(\s*(?P<year>(?:1[5-9]|20)\d\d)\s*\)"
)

# "No. 369-370": the number after an issue cue
_ISSUE_CUE = re.compile(r"(?:\b(?:No|no|Nr|nr|Num|num)\.?|n°)\s*(?P<number>\d+(?:\s*[-–]\s*\d+)?)\b")

# "106, 439 (November 1996): 1493-1514": volume, issue, the date in brackets, a colon, the pages
_VOLUME_ISSUE_DATED = re.compile(
    r"(?<![\w.])(?P<volume>\w+)\s*,\s*(?P<number>\d+(?:\s*[-–]\s*\d+)?)\s*\([^()]*\b(?:1[5-9]|20)\d\d\)\s*:\s*"
    r"(?:pp?\.\s*)?(?P<page>\d+(?:\s*[-–]\s*\d+)?)(?![\w/])"
)

_BRACKETED_NUMBER = re.compile(r"\s*,?\s*\(\s*(?P<number>\d+)\s*\)")

_JOURNAL_COMMA_VOLUME = re.compile(r"(?P<journal>.*[^\d\s,]),\s*(?P<volume>\d{1,4})")

_PAGE_NUMBERS = re.compile(r"\d+(?:-\d+)?")

_VOLUME_THEN_ISSUE = re.compile(r"(?P<volume>\d{1,4})\s+(?P<issue>(?:Suppl(?:ement)?\.?|Pt\.?|Part)\s*\w{0,4})")

_RANGE = re.compile(r"(?<![\w./-])(?P<first>\d+)\s*[-–]\s*(?P<last>\d+)(?![\w/-])")

_ISSUE_THEN_PAGES = re.compile(
    r"\(\s*(?P<issue>\d+(?:\s*[-–]\s*\d+)?)\s*\)\s*:\s*(?P<page>[A-Za-z]?\d+(?:\s*[-–]\s*[A-Za-z]?\d+)?)"
)


def _after_dated(raw: str, number: str) -> str | None:
    """The page after ``number`` and a year in brackets ("311 (2000) 809" -> "809"), or None."""
    if "(" not in raw:
        return None
    for found in _DATED_PAGE.finditer(raw):
        if found["number"] == number:
            return _DASH.sub("-", found["page"])
    return None


def _journal_read_with_volume(volume: str) -> dict[str, Any]:
    """ "Review of Financial Studies 6": the journal read with the volume."""
    found = _JOURNAL_THEN_VOLUME.fullmatch(volume)
    return {"container_title": found["journal"], "volume": found["volume"]} if found else {}


def _note_after_pages(ref: Reference) -> dict[str, Any]:
    """ "77-86; discussion 86-7": the pages, then a note."""
    pages, _, rest = (ref.page or "").partition("; ")
    if _PAGE_RANGE.fullmatch(pages):  # pages, lettered or not ("S13-S19")
        return {"page": pages, "note": "; ".join(n for n in (ref.note, rest) if n)}
    return {}


def _locator_layouts(ref: Reference) -> dict[str, Any]:
    """Volume, issue and pages of the layouts the tagger reads one number too far off: "2016, 17, 1497" (the
    volume and the page read as one page), "Vol. 34, No. 369-370, 1973, 38-39" (the issue read as the page),
    "106, 439 (November 1996): 1493-1514" (the issue read as the page, the pages after the date), "magazine, 41,
    (1), p. 3" (the volume read with the journal, the issue as the volume), "Analysis of messy data. Volume 3.
    Chapman and Hall" (a book's volume read as its container or with its title), "JHEP 1703, 101 (2017)" (a
    volume numbered by year and month read as the year), "311 (2000) 809" (volume, year, page)."""
    raw, page, volume, container = ref.raw or "", ref.page, ref.volume, ref.container_title
    if volume and ref.issue is None:
        split = _VOLUME_THEN_ISSUE.fullmatch(volume)  # "2 Suppl 1": a supplement or part follows without brackets
        if split:
            return {"volume": split["volume"], "issue": split["issue"]}
    if volume and page and volume.isdigit() and page.isdigit():
        # a page range read as the volume and the page ("... techniques 161–172")
        for found in _RANGE.finditer(raw):
            if (found["first"], found["last"]) == (volume, page):
                return {"volume": None, "page": f"{volume}-{page}"}
    if page and ref.issue is None and "(" in raw:
        # "141 (2–3): 469–473": the issue in brackets read as the page
        for found in _ISSUE_THEN_PAGES.finditer(raw):
            if _DASH.sub("-", found["issue"]) == page:  # the issue as written, as a bracketed issue is kept
                return {"issue": found["issue"], "page": _DASH.sub("-", found["page"])}
    if ref.year and page is None and "(" in raw:
        year = str(ref.year)
        for found in _YEAR_VOLUME.finditer(raw):
            if found["volume"] == year and found["year"] != year and volume in (None, found["page"]):
                return {"volume": year, "page": found["page"], "issued": (int(found["year"]),)}
    if page and not page[:1].isalnum() and page[1:2].isalnum():
        return {"page": page[1:]}  # "$288": a stray mark from the PDF's text
    if page and volume is None and ref.issue is None:
        found = _VOLUME_COMMA_PAGE.fullmatch(page) or _VOLUME_SPACE_PAGE.fullmatch(page)
        if found and not _YEAR.fullmatch(found["volume"]):
            return {"volume": found["volume"], "page": found["page"]}
        # "Mon. Not. R. Astron. Soc. 311 (2000) 809": volume, year in brackets, page
        after = _after_dated(raw, page) if page.isdigit() else None
        if after:
            return {"volume": page, "page": after}
    if volume and page is None and volume.isdigit():
        after = _after_dated(raw, volume)  # "Eur. Phys. J. C 72 (2012) 1849"
        if after:
            return {"page": after}
        if "(" in raw:  # "Nucl. Phys. B393 (1993) 377": the page read as the volume
            for found in _DATED_PAGE.finditer(raw):
                if found["page"] == volume and found["number"] != volume:
                    return {"volume": found["number"], "page": volume}
    if page and volume and ref.issue is None and _PAGE_NUMBERS.fullmatch(page):
        # the page is the number after a "No." cue, or the number between the volume and a date in brackets;
        # not in the physics layout "115, 231301 (2015)", where the number after the volume is the page (nothing
        # but an arXiv number or another citation follows the date)
        later = None
        for cued in _ISSUE_CUE.finditer(raw):
            if _DASH.sub("-", cued["number"]) == page:
                later = _PAGES_AFTER.match(raw, cued.end())
                break
        else:
            for dated in _VOLUME_ISSUE_DATED.finditer(raw):
                if dated["volume"] == volume and _DASH.sub("-", dated["number"]) == page:
                    later = dated
                    break
        if later and later["page"] != page and not _YEAR.fullmatch(later["page"]):
            return {"issue": page, "page": _DASH.sub("-", later["page"])}
    if container and volume and ref.issue is None and container[-1:].isdigit():
        found = _JOURNAL_COMMA_VOLUME.fullmatch(container)
        at = raw.find(container)
        bracketed = _BRACKETED_NUMBER.match(raw, at + len(container)) if found and at >= 0 else None
        if bracketed and bracketed["number"] == volume:
            return {"container_title": found["journal"], "volume": found["volume"], "issue": volume}
    if volume is None and ref.title and not container and _VOLUME_WORD.search(ref.title):
        found = _TITLE_VOLUME.fullmatch(ref.title)  # "Analysis of messy data. Volume 3"
        if found:
            return {"title": found["title"], "volume": found["volume"]}
    if container and volume is None and ref.title:
        found = _VOLUME_ONLY.fullmatch(container)
        if found:
            changes: dict[str, Any] = {"container_title": None, "volume": found["volume"]}
            if ref.type == "chapter" and not ref.editor:
                changes["type"] = "book"
            return changes
    return {}
