"""Repairs from unambiguous patterns in the string, after a parser has labelled it.

A sequence tagger reads most strings right but can stumble where the string itself leaves no doubt: a Vancouver
locator whose volume looks like a year (``2014;2015:1-5``, Hindawi journals number volumes by year), a Roman
volume (``1897;XXVIII(18):789``), or an unfamiliar journal name glued to the title because nothing in the
tagger's dictionaries marks it as a journal (``Title. Transactions of the Lowland Society. 2021;7(1):42-45``), a
sentence of the title read as the start of a known journal, an edition left at the end of a book's title ("5. Aufl."),
a place and a publisher read as one field ("London : Abacus"), an organisation read as the start of the title; the
boundary between title and journal where no full stop marks it ("... observatory Class.Quantum Grav"), a journal read
as the title's last sentence before its volume, a quoted title read with the publisher, a chapter's book read with its
title ("Magnetometry. In Remote Sensing in Archaeology"); numbers of locators outside biomedical layouts read as the
wrong part ("Int. J. Mol. Sci. 2016, 17, 1497", "Vol. 34, No. 369-370, 1973, 38-39", "JHEP 1703, 101 (2017)",
"Mon. Not. R. Astron. Soc. 311 (2000) 809").
A Vancouver locator only fills what the parser left empty; the other repairs only move text between the fields the
parser read (title, journal, volume, issue, pages, year, edition, publisher, place, organisation as author), never
drop it.

Example:
    >>> from refkit.model import Reference
    >>> raw = "Luo X. Robust scheduling. Math Probl Eng. 2011;2012:1-17."
    >>> fixed = repair(Reference(raw=raw, title="Robust scheduling", container_title="Math Probl Eng",
    ...                          issued=(2011,), page="1-17"))
    >>> fixed.volume, fixed.issue
    ('2012', None)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from refkit import journals
from refkit.model import Person, Reference
from refkit.parse.features import journal_words, place_names, tokenize

__all__ = ["find_locator", "repair"]


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    """A name's compact journal key (:func:`refkit.journals.compact_key`), cached: journal names repeat through a
    reference list."""
    return journals.compact_key(name)


# year [month [day]] ; volume [(issue)] : pages   -- the NLM/Vancouver locator
_LOCATOR = re.compile(
    r"(?<![\w/.])(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
    r"(?:\s+[A-Z][a-z]{2,8}\.?(?:\s*\d{1,2})?(?:\s*[-–]\s*(?:[A-Z][a-z]{2,8}\.?\s*)?\d{1,2})?)?"
    r"\s*;\s*(?P<volume>\d{1,4}[A-Za-z]?|[IVXLC]{1,8})"
    r"(?:\s*\((?P<issue>[^()]{1,24})\))?"
    r"\s*:\s*(?P<page>[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?)(?![\w/])"
)
# "Journal Name." or "Journal Name" right before a year that opens a locator or ends the reference
# (the spaces around the name are taken whole, possessively: a long run of spaces took minutes of backtracking)
_BEFORE_YEAR = re.compile(
    r"[.?!]\s++(?P<journal>[^.?!;:()\[\]\s][^.?!;:()\[\]]{2,119}?)[.,]?\s++(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
    r"\s*(?:[;:.]|$)"
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


def _journal_tail(text: str, raw: str) -> tuple[str, str] | None:
    """``text`` cut into (head, journal) where its last sentence is a name that a year follows in ``raw``."""
    for found in _BEFORE_YEAR.finditer(raw):
        journal = found["journal"].strip()
        head = text[: len(text) - len(journal)].rstrip()
        if text.endswith(journal) and head.endswith((".", "?", "!")) and len(journal.split()) <= 12:
            return head.rstrip("."), journal
    return None


def _split_journal(raw: str, ref: Reference) -> dict[str, Any]:
    """Title and journal cut apart where the parser put the boundary in the wrong sentence."""
    if ref.publisher or ref.type not in ("article-journal", "document") or not ref.title:
        return {}
    if ref.container_title:
        # the title's tail taken as the start of the journal ("LOOP: II" | "OBSERVATIONS ... BLOOD. Archives
        # Intern Med"): the journal's last sentence is the journal
        cut = _journal_tail(ref.container_title, raw)
        if cut is not None and f"{ref.title}. {cut[0]}" in raw:
            return {"title": f"{ref.title}. {cut[0]}", "container_title": cut[1]}
        return {}
    # an unfamiliar journal glued to the title ("Title. Transactions of the Lowland Society")
    cut = _journal_tail(ref.title, raw)
    if cut is not None and cut[1][:1].isupper() and len(cut[0].split()) >= 2:
        return {"title": cut[0], "container_title": cut[1], "type": "article-journal"}
    return {}


# "Dermatologie und Venerologie, 5. Aufl." / "Dermatology in general medicine, 7th edn": the edition ends the title
_EDITION_TAIL = re.compile(
    r"(?:,|\.)?\s+(?P<edition>(?:\d{1,2}(?:st|nd|rd|th|e|\.)?|first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth|tenth|revised|rev\.)\s*(?:edn|ed|edition|éd|édition|Aufl|Auflage|Ausg|Ausgabe)\.?)\s*$",
    re.I,
)
_EDITION_WORD = re.compile(r"\b(?:edn|ed|edition|éd|édition|Aufl|Auflage)\b", re.I)
_PUBLISHER_WORD = re.compile(
    r"\b(?:Press|Verlag|Publish\w*|Books|Inc|Ltd|Co|GmbH|University|Editions?|Éditions|Editora|Editorial|Wiley|"
    r"Springer|Elsevier)\b"
)
_PLACE_PUBLISHER = re.compile(r"(?P<place>[^:;,()]{2,40}?)\s*:\s*(?P<publisher>[^:;]{2,80})")
_ORGANISATION = re.compile(
    r"\b(?:Organi[sz]ation|Association|Society|Institute|Committee|Agency|Council|Foundation|Ministry|"
    r"Department|Cent(?:er|re)s? for|Consortium|Collaboration|Commission|Bureau|Authority|Staff|Federation)\b"
)


def _edition(ref: Reference) -> dict[str, Any]:
    """An edition printed at the end of a book's title (or a chapter's book) is the edition."""
    for attr in ("title", "container_title") if ref.type in ("book", "chapter") else ("title",):
        value = getattr(ref, attr)
        found = _EDITION_TAIL.search(value or "")
        if found and found.start() > 0:
            return {attr: value[: found.start()].rstrip(" ,."), "edition": found["edition"].rstrip(".")}
    return {}


_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th|e)", re.I)
# "Second Edition ed: Chapman & Hall", "2nd edn. Springer": the edition read as the start of the publisher
_EDITION_HEAD = re.compile(
    r"(?P<edition>(?:\d{1,2}(?:st|nd|rd|th)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"[IVX]{1,4})\s+(?:edition\s+ed|edn|ed|edition))\.?\s*[:.,]\s*(?P<publisher>[A-Z].+)",
    re.I,
)


_EDITION_VOLUME = re.compile(r"(?:\d{1,2}(?:st|nd|rd|th|e)?|[IVX]{1,4})\s+(?:edn|ed|edition)\.?", re.I)
_EDITION_THEN_VOLUME = re.compile(r"(?P<edition>.+?\b(?:edn|ed|edition))\.?\s+(?P<volume>\d{1,4})", re.I)
_JOURNAL_THEN_VOLUME = re.compile(r"(?P<journal>[A-Z][A-Za-z.&' ]{3,}[A-Za-z.])\s+(?P<volume>\d{1,4})")
_PAGE_RANGE = re.compile(r"[A-Za-z]{0,2}\d+(?:-[A-Za-z]{0,2}\d+)?")


def _edition_read_as_volume(volume: str, raw: str) -> dict[str, Any]:
    """ "II ed": an edition read as the volume; "1st" read as the volume before "ed" ("1st ed: Sinauer")."""
    if _EDITION_VOLUME.fullmatch(volume):
        return {"volume": None, "edition": volume.rstrip(".")}
    if _ORDINAL.fullmatch(volume):
        found = re.search(re.escape(volume) + r"\s+(?:edn|ed|edition)\b\.?", raw, re.I)
        if found:
            return {"volume": None, "edition": found.group().rstrip(".")}
    return {}


def _edition_before_publisher(publisher: str) -> dict[str, Any]:
    found = _EDITION_HEAD.fullmatch(publisher)
    return {"edition": found["edition"], "publisher": found["publisher"]} if found else {}


def _imprint(ref: Reference) -> dict[str, Any]:
    """ "London : Abacus" read as one place (or one publisher) is the place, then the publisher ("Liturgical Press:
    Collegeville", the other way round, when only the first part names a publisher)."""
    if ref.publisher and ref.publisher_place:
        # "Springer, New York" | "New York, USA": the place that ends the publisher begins the place
        head, comma, tail = ref.publisher.rpartition(", ")
        if comma and head and _is_place(tail) and not _is_place(head):
            return {"publisher": head, "publisher_place": f"{tail}, {ref.publisher_place}"}
        return {}
    text = ref.publisher_place if not ref.publisher else ref.publisher if not ref.publisher_place else None
    place, stop, publisher = (text or "").partition(". ")
    if stop and _is_place(place, initials=False) and publisher[:1].isupper() and not _is_place(publisher):
        return {"publisher_place": place, "publisher": publisher.rstrip(" .")}  # "New York. Springer"
    found = _PLACE_PUBLISHER.fullmatch(text or "")
    if found is None:
        return _publisher_then_place(text or "")
    place, publisher = found["place"].strip(), found["publisher"].strip()
    if not place[:1].isupper() or re.search(r"\d", place) or _EDITION_WORD.search(place):
        return {}
    if _PUBLISHER_WORD.search(place) and not _PUBLISHER_WORD.search(publisher):
        place, publisher = publisher, place
    return {"publisher_place": place, "publisher": publisher}


# countries written as their initials after a publisher ("Oxford University Press, UK")
_COUNTRY_INITIALS = frozenset({"uk", "u . k", "usa", "u . s . a", "us", "u . s"})


def _is_place(text: str, *, initials: bool = True) -> bool:
    """Whether ``text`` is a known place of publication (or, with ``initials``, a country's initials: "UK")."""
    names, _ = place_names()
    key = " ".join(t.text for t in tokenize(text.strip(" .").lower()))
    return key in names or (initials and key in _COUNTRY_INITIALS)


def _publisher_then_place(text: str) -> dict[str, Any]:
    """ "Seuil, Paris" or "Van Nostrand Reinhold, New York" read as one field: from the first part that names a known
    place on, the place; before it, the publisher."""
    parts = re.split(r"\s*,\s*", text.strip())  # "Dover,Mineola ,NY" as PDFs space it too
    if len(parts) < 2 or _is_place(parts[0]):
        return {}
    for j in range(1, len(parts)):
        if _is_place(parts[j]):
            publisher = ", ".join(parts[:j]).strip()
            words = publisher.split()
            # a publisher's name, not a place the list lacks ("Capri, Italy", "at Bologna, Italy")
            named = len(words) >= 2 and all(w[:1].isupper() or w in ("&", "and", "of") for w in words)
            if "." in publisher or not (_PUBLISHER_WORD.search(publisher) or named):
                return {}
            return {"publisher": publisher, "publisher_place": ", ".join(parts[j:]).strip(" .")}
    return {}


def _journal_after_sentence(ref: Reference) -> dict[str, Any]:
    """A sentence of the title read as the start of the journal ("Le prurit. Une revue. Ann Dermatol Venereol"):
    where the whole name is no known journal but what follows a full stop is, what comes before it belongs to the
    title."""
    container = ref.container_title or ""
    known = journals.compact_keys()  # the parser's features hold them already: no index to load
    if ". " not in container or _key(container) in known:
        return {}
    at = container.find(". ")
    while at > 0:
        head, tail = container[:at], container[at + 2 :]
        last = head.rsplit(maxsplit=1)[-1].lower()
        if (
            len(tail.split()) >= 2
            and re.search(r"[^\W\d_]{4,}", head)
            and last not in journal_words()  # "Math. Proc. Camb. Philos. Soc": an abbreviation, not a sentence
            and _key(tail) in known
        ):
            title = f"{ref.title}. {head}" if ref.title else head
            if title in (ref.raw or ""):
                return {"title": title, "container_title": tail}
            return {}
        at = container.find(". ", at + 2)
    return {}


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


def _journal_boundary_in_words(ref: Reference) -> dict[str, Any]:
    """A known journal whose first words end the title ("... prototype facility Class" | "Quantum Grav"), or a
    title whose last words start the journal ("... suspension system Rev.Sci .Instrum"): the boundary moved to
    where the whole name is a known journal and its parts are not (strings from PDFs often lose the full stop
    between title and journal)."""
    title, container, raw = ref.title or "", ref.container_title or "", ref.raw or ""
    known = journals.compact_keys()
    if not title or not container or _key(container) in known:
        return {}
    at = raw.find(container)
    end_title = raw.find(title)
    if at < 0 or end_title < 0 or end_title + len(title) > at:
        return {}
    words = title.split()
    for k in range(1, min(3, len(words) - 1) + 1):
        if not words[-k].lstrip(".")[:1].isupper():  # a journal's words are capitalised
            break
        start = raw.rfind(words[-k], end_title, at)  # the words as printed, with what separates them
        if start < 0:
            break
        whole = raw[start : at + len(container)]
        key = _key(whole)
        if len(key) >= 8 and key in known and re.search(r"[^\W\d_]{3}", " ".join(words[:-k])):
            return {"title": raw[end_title:start].rstrip(" .,"), "container_title": " ".join(whole.split())}
    parts = container.split()
    for k in range(1, min(2, len(parts) - 2) + 1):
        if not all(w.isalpha() and w.islower() for w in parts[:k]):  # a title's last words, not a journal's first
            break
        rest = " ".join(parts[k:])
        if len(_key(rest)) >= 8 and _key(rest) in known:
            head = raw[at : at + len(" ".join(parts[:k]))]  # the container is as printed at ``at``
            return {"title": " ".join(f"{title} {head}".split()), "container_title": rest}
    return {}


_QUOTED_HEAD = re.compile(r"(?P<title>[^\"“”]{2,}?)[.,]?[\"”][.,]?\s+(?P<rest>\S.*)")


def _opens_quote(raw: str, text: str) -> bool:
    """Whether ``text`` stands in ``raw`` right after an opening quotation mark."""
    at = raw.find(text)
    return at > 0 and raw[:at].rstrip()[-1:] in "\"“'‘"


def _quoted_title(ref: Reference) -> dict[str, Any]:
    """A quoted title read as the start of the publisher or the container ('"Spheromaks." Imperial College Press',
    '"Nuclei in the Cosmos" World Scientific'): the quotation is the title."""
    raw = ref.raw or ""
    for attr in ("publisher", "container_title"):
        value = getattr(ref, attr)
        found = _QUOTED_HEAD.fullmatch(value or "") if value and ('"' in value or "”" in value) else None
        if found and _opens_quote(raw, found["title"]):
            return {"title": found["title"].strip(), attr: found["rest"].rstrip(" .,")}
    return {}


# "Magnetometry. In Remote Sensing in Archaeology", "Boethius and logic. In: Boethius: His Life": not "In vitro";
# after a quotation: "« Hommages publics », dans Actes du colloque", "“Plato’s Pharmacy,” in Dissemination"
_BOOK_IN_TITLE = re.compile(
    r"(?P<title>.{8,}?)(?:(?<=[.?!])[\"”’]?\s+In:?|\s*[»”\"’]\s*[.,]?\s*(?:[Ii]n:?|[Dd]ans|[Ee]n:?))\s+"
    r"(?!(?:vitro|vivo|situ|silico|utero|press)\b)(?P<book>[A-Z\u00c0-\u00de].{3,})"
)


def _book_in_title(ref: Reference) -> dict[str, Any]:
    """A chapter's book read with its title ("Magnetometry. In Remote Sensing in Archaeology"): after "In", the
    book is the container."""
    found = _BOOK_IN_TITLE.fullmatch(ref.title or "")
    if found is None:
        return {}
    title = found["title"]
    return {"title": title[:-1] if title.endswith(".") else title, "container_title": found["book"], "type": "chapter"}


_QUOTED_TITLE_THEN = re.compile(r"(?P<head>.{8,}?)['’\"”]\s+(?P<tail>[A-Z\u00c0-\u00de][^'’\"”]{3,})")
_VOLUME_AFTER = re.compile(r"\W{0,3}\s*(?:vol\.?\s*)?(?=\w)", re.I)


def _journal_at_title_end(ref: Reference) -> dict[str, Any]:
    """A journal read as the title's last sentence, the volume right after it ("Title. 農業経営研究, 47(3), 1-10",
    "Title. Information and Management 12: 1-9"), or after the quotation that holds the title ("'U-Net: ...
    segmentation' Medical Image Computing, Vol.9351"): an article has a journal, and it stands before its volume."""
    title, volume, raw = ref.title or "", ref.volume or "", ref.raw or ""
    quoted = _QUOTED_TITLE_THEN.fullmatch(title) if any(q in title for q in "'’\"”") else None
    if quoted and _opens_quote(raw, quoted["head"]):
        head, tail = quoted["head"], quoted["tail"]
    elif ". " in title:
        head, _, tail = title.rpartition(". ")
    else:
        return {}
    tail = tail.strip()
    if not tail or len(tail.split()) > 12 or not re.search(r"[^\W\d_]{3}", head) or tail[:1].isdigit():
        return {}
    last = head.rsplit(maxsplit=1)[-1].lower() if head.split() else ""
    if last in journal_words() or len(last) <= 2 or "." in last:  # "Proc. Natl", "J. Biol", "B.U. Int'l L.J"
        return {}
    at = raw.find(tail)
    after = _VOLUME_AFTER.match(raw, at + len(tail)) if at >= 0 else None
    end = after.end() + len(volume) if after else 0
    if after is None or not raw.startswith(volume, after.end()) or raw[end : end + 1].isalnum():
        return {}
    return {"title": head.rstrip(" .,"), "container_title": tail, "type": "article-journal"}


_FUNCTION_WORDS = frozenset(
    [
        "of",
        "the",
        "and",
        "in",
        "on",
        "for",
        "at",
        "to",
        "a",
        "an",
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "et",
        "di",
        "del",
        "della",
        "der",
        "die",
        "das",
        "und",
        "für",
        "von",
        "zur",
        "zum",
    ]
)


def _title_before_comma_in_journal(ref: Reference) -> dict[str, Any]:
    """The title (or its end) read as the start of the journal, a comma between them ("Discrete torsion defects,
    Commun. Math. Phys.", "Quantum inverse problem. I, Theor. Math. Phys."): where what follows the last comma is a
    known journal and the whole is not, what precedes it belongs to the title."""
    container, raw = ref.container_title or "", ref.raw or ""
    head, comma, tail = container.rpartition(", ")
    known = journals.compact_keys()
    key = _key(tail) if comma and head else ""
    if len(key) < 8 or key not in known or _key(container) in known:
        return {}
    # a title's words, not a journal's or a proceedings' ("Trans. of the ASME", "Proc. of the Fourth Conference")
    if sum(w.isalpha() and w.islower() and w not in _FUNCTION_WORDS for w in head.split()) < 2:
        return {}
    at = raw.find(container)
    if at < 0:
        return {}
    if not ref.title:
        return {"title": head.strip(), "container_title": tail} if len(head.split()) >= 2 else {}
    start = raw.find(ref.title)
    if start < 0 or start + len(ref.title) > at:
        return {}
    return {"title": raw[start : at + len(head)].strip(" ,"), "container_title": tail}


def _organisation_author(ref: Reference) -> dict[str, Any]:
    """ "World Health Organization. Global report on psoriasis": an organisation that opens the string, read as
    the start of the title of a reference with no authors, is the author."""
    head, dot, rest = (ref.title or "").partition(". ")
    raw = (ref.raw or "").lstrip(" [](0123456789.")
    if not dot or not rest or len(head.split()) > 8 or not _ORGANISATION.search(head) or not raw.startswith(head):
        return {}
    return {"author": (Person(literal=head),), "title": rest}


def repair(ref: Reference) -> Reference:
    """Fill what the parser left empty from unambiguous patterns of ``ref.raw`` (see the module's docstring).

    Example:
        >>> from refkit.model import Reference
        >>> raw = "Fei X. Nonlinear mappings. Transactions of the Lowland Society. 2021;2021:1-13."
        >>> fixed = repair(Reference(raw=raw, title="Nonlinear mappings. Transactions of the Lowland Society",
        ...                          type="article-journal", issued=(2021,), page="1-13"))
        >>> fixed.title, fixed.container_title, fixed.volume
        ('Nonlinear mappings', 'Transactions of the Lowland Society', '2021')
    """
    raw = ref.raw or ""
    changes: dict[str, Any] = {}
    complete = ref.volume is not None and ref.issue is not None and ref.page is not None and bool(ref.issued)
    locator = None if complete or ";" not in raw else find_locator(raw)
    if locator is not None:
        year = int(locator["year"])
        # the locator belongs to this reference when it agrees with what the parser read of it
        agrees = (ref.year in (None, year)) and (ref.volume in (None, locator["volume"]))
        if agrees:
            if ref.volume is None:
                changes["volume"] = locator["volume"]
            if ref.issue is None and locator.get("issue"):
                changes["issue"] = locator["issue"]
            if ref.page is None and locator.get("page"):
                changes["page"] = locator["page"]
            if ref.issued == ():
                changes["issued"] = (year,)
    changes.update(_locator_layouts(ref.replace(**changes) if changes else ref))
    if ref.title is None and (ref.publisher or ref.container_title):
        changes.update(_quoted_title(ref))
    if ref.container_title is None and any(cue in (ref.title or "") for cue in (" In", "»", "”", '"')):
        changes.update(_book_in_title(ref))
    if ref.container_title is None and ref.volume and ref.title and "container_title" not in changes:
        changes.update(_journal_at_title_end(ref))
    if ref.title and ref.container_title and "container_title" not in changes:
        changes.update(_journal_boundary_in_words(ref))
    if ref.container_title and ", " in ref.container_title and "container_title" not in changes:
        changes.update(_title_before_comma_in_journal(ref))
    if ". " in (ref.title or "") or ". " in (ref.container_title or ""):
        changes.update(_split_journal(raw, ref))
        if "container_title" not in changes:
            changes.update(_journal_after_sentence(ref))
        if not ref.author and "title" not in changes:
            changes.update(_organisation_author(ref))
    if ref.edition is None and ref.type in ("book", "chapter", "document"):
        changes.update(_edition(ref.replace(**changes) if changes else ref))
    if ref.publisher or ref.publisher_place:
        changes.update(_imprint(ref))
    if ref.publisher and ref.edition is None:
        changes.update(_edition_before_publisher(ref.publisher))
    if ref.volume and ref.edition is None:
        changes.update(_edition_read_as_volume(ref.volume, raw))
    if ref.edition:
        found = _EDITION_THEN_VOLUME.fullmatch(ref.edition)  # "2nd ed. 14": the volume after the edition
        if found and ref.volume in (None, found["volume"]):
            changes.update({"edition": found["edition"], "volume": found["volume"]})
    if ref.volume and ref.container_title is None and "container_title" not in changes:
        found = _JOURNAL_THEN_VOLUME.fullmatch(ref.volume)  # "Review of Financial Studies 6"
        if found:
            changes.update({"container_title": found["journal"], "volume": found["volume"]})
    if ref.page and "; " in ref.page:
        # "77-86; discussion 86-7": the pages, then a note
        pages, _, rest = ref.page.partition("; ")
        if _PAGE_NUMBERS.fullmatch(pages) or _PAGE_RANGE.fullmatch(pages):
            changes.update({"page": pages, "note": "; ".join(n for n in (ref.note, rest) if n)})
    if not changes:
        return ref
    confidence = dict(ref.confidence)
    for name in changes:
        if name in ("volume", "issue", "page", "issued", "edition", "publisher", "publisher_place", "note") or (
            name == "container_title" and changes[name] is not None
        ):
            # a pattern read, not the tagger's: as sure as the pattern
            confidence.setdefault(name, 0.95)
        elif changes[name] is None:
            confidence.pop(name, None)
    return ref.replace(**changes, confidence=confidence)
