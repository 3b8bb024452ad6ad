"""What a citation is compared by: :class:`Keys`, computed once per citation by :func:`comparison_keys`."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, TypeVar

from refkit.model import Match, Reference, pickled_by_fields
from refkit.parse.fields import page_range
from refkit.text import fold, strip_accents

_PART_RE = re.compile(r"\b(?:part|teil|partie|parte)\s+([ivxlc]+|\d+|[a-z])\b", re.IGNORECASE)
# The kind of notice a title announces; compared as a kind so "Correction of hallux valgus" vs itself is equal.
_NOTICE_RE = re.compile(
    r"\b(erratum|corrigendum|correction|retraction|retracted|expression of concern)\b"
    # a reply or comment names itself at the start ("Response to ..."); "immune response to" is a finding
    r"|^\W*(reply|response to|comment on|in reply)\b",
    re.IGNORECASE,
)
_NOTICE_KIND = {
    "erratum": "correction",
    "corrigendum": "correction",
    "correction": "correction",
    "retraction": "retraction",
    "retracted": "retraction",
    "reply": "comment",
    "response to": "comment",
    "comment on": "comment",
    "in reply": "comment",
    "expression of concern": "concern",
}
_NOTICE_WORDS = re.compile(r"\b(?:" + "|".join(_NOTICE_KIND) + r"|to|of|on|for|notice)\b")
_TITLE_SIMILAR = 90.0
_RAW_SIMILAR = 90.0
#: A title this short needs the raw texts or the locator to agree as well.
_SHORT_TITLE = 12
_MIN_WORD = 4
T = TypeVar("T")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Keys:
    """What a citation is compared by, computed once (:func:`comparison_keys`): its identifiers, folded parsed
    fields, and the words, numbers and years of its raw text that back up a field the parser misread.

    Example:
        >>> from refkit.model import Person
        >>> k = comparison_keys(Reference(raw="Deza G (2016) Solitary morphea. Acta 96:418", author=(Person("Deza"),),
        ...                               issued=(2016,), title="Solitary morphea", volume="96", page="418-9"))
        >>> (k.surname, k.year, k.title, k.volume, k.first_page)
        ('deza', 2016, 'solitary morphea', '96', '418')
    """

    doi: str | None
    pmid: str | None
    surname: str
    year: int | None
    title: str
    words: tuple[str, ...]
    parts: tuple[str, ...]
    notice: str | None
    volume: str
    first_page: str
    journal: str
    raw: str
    head: tuple[str, ...]
    years: frozenset[int]
    volumes: frozenset[str]
    lead: str
    body: tuple[str, ...]
    breaks: tuple[int, ...]
    numbers: frozenset[str]


def _doi(ref: Reference, match: Match | None) -> str | None:
    if match is not None and match.status == "matched" and match.doi:
        return match.doi.lower()
    if ref.doi and (match is None or match.written_doi_status not in ("unresolved", "other-work", "invalid")):
        return ref.doi.lower()
    return None


def _surname(ref: Reference) -> str:
    if not ref.author:
        return ""
    first = ref.author[0]
    return (fold(first.family or first.literal).split() or [""])[-1]


_RAW_NOTICE_RE = re.compile(
    r"\b(erratum|corrigendum|correction|retraction|retracted)(?:\s+(?:to|notice|of|for))?\s*:", re.IGNORECASE
)
# "... Sylow 2-subgroups. II. J. Algebra": a numbered paper of a series, the number after the title (searched only
# from where the title ends: before the title, "Branov V. Genetic" is an initial)
_SERIES_RE = re.compile(r"[a-z0-9)]\.?\s+(I{1,3}|IV)\.\s")
_TITLE_SERIES_RE = re.compile(r"[a-z0-9)]\.?\s+(I{1,3}|IV)\.?\s*$")
_RAW_PART_RE = re.compile(r"\bpart\s+([ivx]+|\d+)\b", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d+")
# a year standing alone, not an end of a page range ("354:1896-1900")
_RAW_YEAR_RE = re.compile(r"(?<![\d:\-\u2013])(1[89]\d\d|20\d\d)(?![\d\-\u2013])")
# a journal named with its part ("Deep-Sea Research Part I"), not a "Part II" the parser put in the journal field
_JOURNAL_PART_RE = re.compile(r"\w{3,}\W+part\s+([ivx]+|\d+|[a-d])\b", re.IGNORECASE)
_PAGE_RE = re.compile(r"[a-z]{0,2}\d{1,8}[a-z]?")
_WORD_RE = re.compile(r"[a-z]{3,}")


@lru_cache(maxsize=4096)
def _journal_with_part(journal: str | None) -> bool:
    """A known journal named with its part ("Deep-Sea Research Part I"), not a title's "Part II" the parser put
    in the journal field."""
    if not journal or not _JOURNAL_PART_RE.search(journal):
        return False
    try:
        from refkit import journals

        return journals.lookup(journal) is not None
    except (ImportError, AttributeError):
        return False


def _series(raw: str, title: str) -> set[str]:
    """Series numbers written after the title ("Title. II. Journal"); none when the title is not in the raw text.
    The search starts near the title's end: "Chapitre II. De nouvelles ..." numbers a chapter inside the title."""
    probe = title.casefold()[:20]
    at = raw.casefold().find(probe) if len(probe) >= 8 else -1
    found = {p.lower() for p in _SERIES_RE.findall(raw[at + max(len(title) - 3, 0) :])} if at >= 0 else set()
    ending = _TITLE_SERIES_RE.search(title)  # the parser kept the number in the title: "... 2-subgroups. II"
    return found | {ending.group(1).lower()} if ending else found


_URL_RE = re.compile(r"https?://\S+|\bdoi\s*:?\s*10\.\S+|\b10\.\d{4,9}/\S+|<[^>]+>", re.IGNORECASE)
_TOKEN_RE = re.compile(r"(\w+)(\s*[:?.,])?")
_ISSUE_RE = re.compile(r"(?<=\d)\s*\(\s*\d+(?:\s*[-/]\s*\d+)?\s*\)|\b(?:no|issue)\b\.?\s*\d+")
_LOCATOR_RE = re.compile(r"[a-z]{1,2}\d+|\d+[a-z]")
_RANGE_END_RE = re.compile(r"(?<=\d)\s*[-\u2013\u2014]\s*[a-z]{0,2}\d+")
#: Words of a reference's style, not of the work: left out of the raw-text comparison.
_STYLE_WORDS = frozenset(
    re.findall(
        r"\w+",
        "vol no pp p doi https http www org dx available at et al and in published online accessed edn"
        " ed eds editor editors",
    )
)


def _raw_body(raw: str, years: set[int]) -> tuple[tuple[str, ...], tuple[int, ...], frozenset[str]]:
    """The raw text as compared when the parsed fields fail: its words (less initials and other words of one or two
    letters, style words and numbers), the positions of the words a ":", "?", "." or "," follows (where a subtitle
    may start), and its numbers (less the years)."""
    # the end of a page range is written in full or cut short ("1450-1452", "1450-2"): only its start counts
    # and an issue number is given by some styles only ("35(6):1394", "vol. 64, no. 3")
    text = _RANGE_END_RE.sub(" ", _URL_RE.sub(" ", strip_accents(raw).casefold()))
    text = _ISSUE_RE.sub(" ", text)
    words: list[str] = []
    breaks: set[int] = set()
    numbers: set[str] = set()
    for found in _TOKEN_RE.finditer(text):
        word = found.group(1)
        if word.isdigit():
            if not (len(word) == 4 and int(word) in years):
                numbers.add(word.lstrip("0") or "0")
            continue
        if _LOCATOR_RE.fullmatch(word):
            numbers.add(word)  # a page or article number with letters: "F463", "S123", "e0145569"
            continue
        if len(word) < 3 or word in _STYLE_WORDS:
            # initials ("JF" or "J"), "of", "vol": written one way or another by each style; a separator after
            # them still marks where a subtitle may start
            if found.group(2) and words:
                breaks.add(len(words) - 1)
            continue
        if found.group(2):
            breaks.add(len(words))  # a separator follows this word
        words.append(_word(word))
    return tuple(words), tuple(sorted(breaks)), _set(_word(n) for n in numbers)


def _volumes(volume: str, years: set[int]) -> frozenset[str]:
    """The numbers of a volume field, less a year the parser left in it ("2014 9", "PLoS One 2012 7" -> {"9"})."""
    numbers = {n.lstrip("0") or "0" for n in _NUMBER_RE.findall(volume)}
    return _set(_word(n) for n in numbers if not (len(n) == 4 and int(n) in years))


# Keys are made for every citation of a run and kept while it groups them: the words they hold are one copy of each
# (interned), word sets are tuples where only membership is asked, and empty sets one object.
_EMPTY: frozenset[Any] = frozenset()
_word = sys.intern


def _set(items: Iterable[T]) -> frozenset[T]:
    found = frozenset(items)
    return found if found else _EMPTY


def comparison_keys(ref: Reference, match: Match | None = None) -> Keys:
    """The keys ``ref`` is compared by (its matched DOI, when ``match`` is a match, stands for a written one).

    Example:
        >>> comparison_keys(Reference(raw="x", doi="10.1/ABC")).doi
        '10.1/abc'
    """
    title = fold(ref.title)
    raw_title = ref.title or ""
    # The raw string backs up the parsed fields: a parser that puts "Part II" or "Erratum" in the wrong field,
    # misses the year or swallows the authors into the title must not hide them from the comparison.
    raw = fold(ref.raw)[:400]
    notice = _NOTICE_RE.search(raw_title) or _RAW_NOTICE_RE.search(ref.raw or "")
    kind = next((g for g in notice.groups() if g), None) if notice else None
    # "Deep-Sea Research Part I" names a journal, not a part of the work
    journal_part = ref.container_title if ref.title and _journal_with_part(ref.container_title) else None
    outside = (ref.raw or "").replace(journal_part, " ") if journal_part else ref.raw
    parts = {p.lower() for p in _PART_RE.findall(raw_title)} | {p.lower() for p in _RAW_PART_RE.findall(outside or "")}
    parts |= _series(ref.raw or "", raw_title)
    pages = page_range(ref.page)
    first_page = pages[0].lstrip("0").lower() if pages else ""
    pmid = (ref.pmid or "").strip().lstrip("0") or None
    # years written anywhere in the raw text, less the first page ("Lancet 354:1896")
    raw_years = {int(y) for y in _RAW_YEAR_RE.findall(ref.raw or "") if y != first_page or int(y) == ref.year}
    year = ref.year
    if year is None:
        found = _RAW_YEAR_RE.search(ref.raw or "")
        year = int(found.group(1)) if found else None
    years = raw_years | ({year} if year else set())
    words = _WORD_RE.findall(raw)
    body, breaks, numbers = _raw_body(ref.raw or "", years)
    return Keys(
        doi=_doi(ref, match),
        pmid=pmid,
        surname=_word(_surname(ref)),
        year=year,
        title=title,
        words=tuple(_word(w) for w in title.split() if len(w) >= _MIN_WORD),
        parts=tuple(sorted(parts)),
        notice=_NOTICE_KIND[kind.lower()] if kind else None,
        volume=_word(fold(ref.volume)),
        first_page=_word(first_page) if _PAGE_RE.fullmatch(first_page) else "",
        journal=_word(ref.container_title or ref.container_title_short or ""),
        raw=raw,
        head=tuple(dict.fromkeys(_word(w) for w in raw.split()[:12] if len(w) >= 3)),
        years=_set(years),
        volumes=_volumes(ref.volume or "", years),
        # the raw text's first word: the first author's surname in almost every style, whatever the parser made
        # of it; nothing when the raw text opens with the title (no authors)
        lead=_word(words[0]) if words and not (title and raw.startswith(title[:20])) else "",
        body=body,
        breaks=breaks,
        numbers=numbers,
    )


def _all_keys(
    refs: Sequence[Reference], matches: Sequence[Match | None] | None, base: Sequence[Keys] | None = None
) -> list[Keys]:
    """The keys of each citation with its match; from ``base`` (each citation's keys without a match, made once
    with :func:`comparison_keys`) when given: a match changes only the DOI."""
    if matches is not None and len(matches) != len(refs):
        raise ValueError("matches must be as long as refs")
    if base is not None and len(base) != len(refs):
        raise ValueError("keys must be as long as refs")
    if base is None:
        if matches is None:
            return [comparison_keys(r) for r in refs]
        return [comparison_keys(r, m) for r, m in zip(refs, matches, strict=True)]
    if matches is None:
        return list(base)
    out = []
    for r, m, k in zip(refs, matches, base, strict=True):
        doi = _doi(r, m)
        out.append(k if doi == k.doi else replace(k, doi=doi))
    return out
