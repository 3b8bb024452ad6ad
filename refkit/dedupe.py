"""Citations -> works: the same work cited several times, in one article or across many, becomes one cluster.

Three composable steps, composed by :func:`dedupe`:

1. :func:`candidate_pairs` (blocking) puts each citation in a few small blocks: its DOI, its PMID, first-author
   surname with the year (a block spans two consecutive years, so online-first and print years meet), the same
   with the raw text's first word (the first author in almost every style, whatever the parser made of it), the
   volume with the first page, the first and the last three significant title words, and the surname with the
   first title word (for a wrong or missing year). Only citations sharing a block are compared. A block too large
   to be specific ("World Health Organization 2020") is sorted by title and only neighbours within a small window
   are compared, so the cost grows about linearly with the number of citations.
2. :func:`score` decides a pair from keys normalised once per citation (:func:`comparison_keys`: folded title,
   surname, year, volume, first page, journal, and the words, numbers and years of the raw text): 1.0 for the same
   work, 0.0 for different works, in between for "probably" (accepted at >= 0.5). Identifiers decide first: the
   same DOI (written or matched) or PMID is the same work; two different DOIs, or two different PMIDs, never are.
   Otherwise the first author's surname, a near-identical title, years within one, and any volume, first page and
   journal both give must agree. The raw text backs up what a parser misreads: a year written anywhere in it
   (not a page range's end) counts, a year left in the volume field is dropped, a volume read as the page is no
   page conflict, and when the parsed titles disagree the raw texts decide (same words up to order and style
   with compatible numbers, or one is the other less a subtitle run). A title under 12 characters ("ex rel")
   needs the raw texts or the locator to agree as well. A citation with no title is joined only when surname,
   year, volume, first page and journal all agree; one with neither author nor title only when year, volume,
   first page agree and the journal is known to be the same.
3. :func:`cluster` joins accepted pairs (union-find, strongest first), never putting two DOIs or two PMIDs in one
   cluster, so a citation without identifiers joins at most one of two works that differ only by DOI.

Related but distinct works (decided here; they are never merged, and each cluster lists the other in
:attr:`~refkit.model.Cluster.related` as ``"relation:target"``, the target being the other work's DOI, or its
cluster id when it has none):

* Online-first and print versions of one DOI are **the same work**: one cluster, and the year (e.g. 2015 vs
  2016) is reported as a disagreement.
* A journal's two language editions (e.g. Actas Dermosifiliogr, Spanish and English, one DOI each, same
  volume and pages) are **two works**: ``other-edition`` both ways. The same relation is drawn for two citations
  with the same first author, year, volume and first page whose titles differ (a translated title).
* Part I / Part II (any "Part N" that differs) are **two works**: ``other-part``.
* An erratum, correction, retraction, reply or comment and the article it concerns are **two works**:
  ``is-correction-of`` / ``has-correction``, ``is-retraction-of`` / ``has-retraction``, ``is-comment-on`` /
  ``has-comment``; and Crossref's ``update-to`` of a matched notice gives ``is-<type>-of`` / ``has-<type>``.
* A preprint and its published version are **two works** linked through the matched Crossref record's
  ``relation`` (``is-preprint-of``, ``has-preprint``, ``is-version-of``, ``is-translation-of``, ...): the relation is
  reported as Crossref names it, on both clusters when both are cited (the other side gets the inverse name).

Each cluster keeps every citation with its source and raw text (provenance), a canonical record, and the
fields where the citations disagree (year, title, journal form, volume, issue, pages, DOI, author list). The
canonical record is the registry's record when a citation was matched (with the print year when the record has
a volume, and a PMID taken from the citations); otherwise it is built field by field from the citations: the
value most citations state, ties going to the longest (most complete) value; the longest author list; the most
stated year, ties going to the most precise and then the latest date (the print year of an online-first work).

Example:
    >>> from refkit.model import Reference, Person
    >>> a = Reference(raw="a", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea", volume="96")
    >>> b = Reference(raw="b", author=(Person("Deza", "G"),), issued=(2015,), title="Solitary morphea", doi="10.1/x")
    >>> [len(c.citations) for c in dedupe([a, b])]
    [2]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from refkit.model import Cluster, Match, Reference
from refkit.parse.fields import page_range
from refkit.registry import to_reference
from refkit.registry.convert import date_parts
from refkit.text import fold, strip_accents

__all__ = ["Keys", "candidate_pairs", "cluster", "comparison_keys", "dedupe", "same_work_pairs", "score"]

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
#: Blocks larger than this are compared only between title-sorted neighbours.
_BLOCK_MAX = 100
_WINDOW = 3
_MIN_WORD = 4

#: Crossref ``relation`` types reported in ``Cluster.related`` (work-to-work relations between versions, not
#: citations, reviews or supplements), with the name the other side gets.
RELATIONS: Mapping[str, str] = {
    "is-preprint-of": "has-preprint",
    "has-preprint": "is-preprint-of",
    "is-version-of": "has-version",
    "has-version": "is-version-of",
    "is-translation-of": "has-translation",
    "has-translation": "is-translation-of",
    "is-variant-form-of": "is-original-form-of",
    "is-original-form-of": "is-variant-form-of",
    "is-identical-to": "is-identical-to",
    "is-manifestation-of": "has-manifestation",
    "has-manifestation": "is-manifestation-of",
    "is-replaced-by": "replaces",
    "replaces": "is-replaced-by",
}


# ----------------------------------------------------------------------------------------------------
# Keys computed once per citation


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
    head: frozenset[str]
    years: frozenset[int]
    volumes: frozenset[str]
    lead: str
    body: tuple[str, ...]
    breaks: frozenset[int]
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


def _raw_body(raw: str, years: set[int]) -> tuple[tuple[str, ...], frozenset[int], frozenset[str]]:
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
        words.append(word)
    return tuple(words), frozenset(breaks), frozenset(numbers)


def _volumes(volume: str, years: set[int]) -> frozenset[str]:
    """The numbers of a volume field, less a year the parser left in it ("2014 9", "PLoS One 2012 7" -> {"9"})."""
    numbers = {n.lstrip("0") or "0" for n in _NUMBER_RE.findall(volume)}
    return frozenset(n for n in numbers if not (len(n) == 4 and int(n) in years))


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
        surname=_surname(ref),
        year=year,
        title=title,
        words=tuple(w for w in title.split() if len(w) >= _MIN_WORD),
        parts=tuple(sorted(parts)),
        notice=_NOTICE_KIND[kind.lower()] if kind else None,
        volume=fold(ref.volume),
        first_page=first_page if _PAGE_RE.fullmatch(first_page) else "",
        journal=ref.container_title or ref.container_title_short or "",
        raw=raw,
        head=frozenset(w for w in raw.split()[:12] if len(w) >= 3),
        years=frozenset(years),
        volumes=_volumes(ref.volume or "", years),
        # the raw text's first word: the first author's surname in almost every style, whatever the parser made
        # of it; nothing when the raw text opens with the title (no authors)
        lead=words[0] if words and not (title and raw.startswith(title[:20])) else "",
        body=body,
        breaks=breaks,
        numbers=numbers,
    )


def _all_keys(refs: Sequence[Reference], matches: Sequence[Match | None] | None) -> list[Keys]:
    if matches is None:
        return [comparison_keys(r) for r in refs]
    if len(matches) != len(refs):
        raise ValueError("matches must be as long as refs")
    return [comparison_keys(r, m) for r, m in zip(refs, matches, strict=True)]


# ----------------------------------------------------------------------------------------------------
# 1. Blocking


def candidate_pairs(refs: Sequence[Reference], matches: Sequence[Match | None] | None = None) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, worth comparing: those sharing a block (see the module docstring).

    Example:
        >>> from refkit.model import Person
        >>> a = Reference(author=(Person("Deza", "G"),), issued=(2015,), title="Solitary morphea")
        >>> b = Reference(author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea")
        >>> c = Reference(author=(Person("Smith", "J"),), issued=(1990,), title="Another subject entirely")
        >>> sorted(candidate_pairs([a, b, c]))
        [(0, 1)]
    """
    return _pairs(_all_keys(refs, matches))


def same_work_pairs(left: Sequence[Keys], right: Sequence[Keys]) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, score)`` of ``left[i]`` and ``right[j]`` judged the same work (score >= 0.5), found with the
    same blocking and scoring as :func:`dedupe`: for linking two collections (citations and a user's library)
    without comparing every pair.

    Example:
        >>> from refkit.model import Person
        >>> a = Reference(raw="a", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary plaque morphea")
        >>> other = Reference(raw="o", author=(Person("Smith", "J"),), issued=(1990,), title="Another subject")
        >>> same_work_pairs([comparison_keys(a)], [comparison_keys(other), comparison_keys(a.replace(raw="b"))])
        [(0, 1, 1.0)]
    """
    combined = [*left, *right]
    found = []
    for i, j in _pairs(combined):
        if (i < len(left)) == (j < len(left)):
            continue  # both on one side
        value = _judge(combined[i], combined[j])[0]
        if value >= 0.5:
            found.append((i, j - len(left), value))
    return sorted(found)


def _block_keys(k: Keys) -> Iterable[tuple[str, ...]]:
    if k.doi:
        yield ("d", k.doi)
    if k.pmid:
        yield ("p", k.pmid)
    if k.year:
        # two keys per year: any two years at most one apart share one of them; the raw text's first word backs
        # up a surname the parser got wrong
        for name in {k.surname, k.lead} - {""}:
            yield ("a", name, str(k.year // 2))
            yield ("a", name, str((k.year + 1) // 2))
    if k.volume and k.first_page:
        yield ("l", k.volume, k.first_page)  # a citation with neither author nor title has its locator
    if k.words:
        yield ("t", *k.words[:3])
        yield ("e", *k.words[-3:])
        if k.surname:
            yield ("s", k.surname, k.words[0])


def _pairs(keys: Sequence[Keys]) -> set[tuple[int, int]]:
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for key in set(_block_keys(k)):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) > _BLOCK_MAX:
            # not specific: compare only neighbours in title order (sorted neighbourhood), linear in the block
            members = sorted(members, key=lambda i: (keys[i].title, i))
            for x, i in enumerate(members):
                for j in members[x + 1 : x + 1 + _WINDOW]:
                    pairs.add((i, j) if i < j else (j, i))
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((i, j))
    return pairs


# ----------------------------------------------------------------------------------------------------
# 2. Pair scoring


def score(a: Reference, b: Reference, match_a: Match | None = None, match_b: Match | None = None) -> float:
    """1.0 for the same work, 0.0 for different works, in between for "probably" (accepted at >= 0.5).

    Example:
        >>> from refkit.model import Person
        >>> a = Reference(author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea", page="418-9")
        >>> score(a, a.replace(issued=(2015,), page=None))
        1.0
        >>> score(a, a.replace(title="Solitary morphea: Part II"))
        0.0
    """
    return _judge(comparison_keys(a, match_a), comparison_keys(b, match_b))[0]


def _surnames_agree(a: str, b: str) -> bool:
    return a == b or fuzz.ratio(a, b, score_cutoff=85) > 0


def _first_authors_agree(a: Keys, b: Keys) -> bool:
    """Parsed surnames agree, or one citation's surname stands among the first words of the other's raw text
    (a parser that read "N. Metropolis" as family name "N")."""
    if not a.surname or not b.surname or _surnames_agree(a.surname, b.surname):
        return True
    return (len(a.surname) >= 3 and a.surname in b.head) or (len(b.surname) >= 3 and b.surname in a.head)


def _title_similarity(a: Keys, b: Keys) -> float:
    sim = fuzz.ratio(a.title, b.title) if a.title and b.title else 0.0
    if sim >= _TITLE_SIMILAR:
        return sim
    short, long_ = (a, b) if len(a.title) <= len(b.title) else (b, a)
    if not short.title:
        short, long_ = long_, short
    if len(short.title) < 15:
        return sim
    if len(short.title) >= 25 and long_.title.startswith(short.title):
        return 92.0  # a subtitle dropped on one side
    # the title found whole in the other citation's raw text: its parser put authors or the year in the title;
    # a short title counts only when the first author is found there too
    if short.raw.startswith(short.title[:20]):
        return sim  # the "title" opens its raw text: the parser took the authors ("Intergovernmental Panel ...")
    if (len(short.title) >= 25 or (len(short.words) >= 2 and short.surname in long_.head)) and fuzz.partial_ratio(
        short.title, long_.raw, score_cutoff=95
    ) > 0:
        return 91.0
    return sim


def _years_close(a: Keys, b: Keys) -> bool:
    """Some year written in one raw text is within one of some year in the other: the parser took a page
    ("15, 1952-5 (2012)") or a reviewed book's year for the year of the work."""
    return any(abs(x - y) <= 1 for x in a.years for y in b.years)


def _raw_agreement(a: Keys, b: Keys) -> bool:
    """The raw texts say the same thing where the parsed fields fail (a title read as the journal or the author,
    a subtitle dropped): the numbers of one are among the other's (volume, pages; years aside), and either the
    words are the same up to order and style, or the shorter's words are the longer's less one run that starts
    after a ":", "?", "." or "," (a dropped subtitle, "IRFs. Nat Rev Immunol" for "IRFs: master regulators ...
    Nat Rev Immunol")."""
    short, long_ = (a, b) if len(a.body) <= len(b.body) else (b, a)
    if len(short.body) < 2 or not a.surname or not b.surname:
        return False  # no author: "(1997) J Neurosurg 87" is a journal and numbers, whatever else agrees
    few, many = sorted((a.numbers, b.numbers), key=len)
    if not few <= many:
        return False
    # three distinct words at least: "(1997) J Neurosurg 87:9" has only its journal and numbers to offer
    if len(set(short.body)) >= 3 and fuzz.token_sort_ratio(" ".join(a.body), " ".join(b.body)) >= _RAW_SIMILAR:
        return True
    n, m = len(short.body), len(long_.body)
    head = 0
    while head < n and short.body[head] == long_.body[head]:
        head += 1
    # the first author and a title word at least, then the rest of the shorter text ends the longer one, its words
    # the same or abbreviated (a journal's name) and either nothing dropped before it or a run that follows a break
    for cut in range(head, 1, -1):
        rest = n - cut
        if m - rest != cut and cut - 1 not in long_.breaks:
            continue
        if all(x == y or _abbreviates(x, y) for x, y in zip(short.body[cut:], long_.body[m - rest :], strict=True)):
            return True
    return False


def _main_title(short: Keys, long_: Keys) -> bool:
    """``short``'s title is the start of ``long_``'s, and a ":", "?", "." or "," follows it in ``long_``'s raw text."""
    if not short.title or not long_.title.startswith(short.title + " "):
        return False
    words = tuple(w for w in short.title.split() if len(w) >= 3 and w not in _STYLE_WORDS and not w.isdigit())
    if not words:
        return False
    body, size = long_.body, len(words)
    return any(body[p : p + size] == words and p + size - 1 in long_.breaks for p in range(len(body) - size + 1))


def _same_locator(a: Keys, b: Keys, *, anonymous: bool = False) -> bool:
    """Same year, volume and first page, and the same first author (or, with ``anonymous``, no author on one
    side: a deposited "(1949) J Bacteriol 57:377")."""
    if not (a.year and a.volume and a.first_page):
        return False
    if (a.year, a.volume, a.first_page) != (b.year, b.volume, b.first_page):
        return False
    if a.surname and b.surname:
        return _surnames_agree(a.surname, b.surname)
    return anonymous


def _notice_relation(a: Keys, b: Keys) -> str | None:
    """``is-<kind>-of`` seen from ``a`` when ``a`` is a notice about ``b`` (its title, less the notice words)."""
    if not a.notice or b.notice or not b.title:
        return None
    rest = _NOTICE_WORDS.sub(" ", a.title).split()
    if rest and fuzz.ratio(" ".join(rest), b.title) >= _TITLE_SIMILAR:
        return f"is-{a.notice}-of" if a.notice != "comment" else "is-comment-on"
    return None


def _judge(a: Keys, b: Keys) -> tuple[float, str | None]:
    """The pair's score and, for distinct but related works, the relation of ``a`` to ``b``."""
    if a.doi and b.doi:
        if a.doi == b.doi:
            return 1.0, None
        return 0.0, "other-edition" if _same_locator(a, b) and a.parts == b.parts else None
    if a.pmid and b.pmid:
        return (1.0, None) if a.pmid == b.pmid else (0.0, None)
    if not _first_authors_agree(a, b):
        return 0.0, None
    if a.year and b.year and abs(a.year - b.year) > 1 and not _years_close(a, b):
        return 0.0, None
    if a.parts != b.parts:
        same_rest = fuzz.ratio(_PART_RE.sub("", a.title), _PART_RE.sub("", b.title)) >= _TITLE_SIMILAR
        return 0.0, "other-part" if same_rest and a.parts and b.parts else None
    if a.notice != b.notice:
        reverse = _notice_relation(b, a)
        return 0.0, _notice_relation(a, b) or (_inverse(reverse) if reverse else None)
    similarity = _title_similarity(a, b)
    if similarity < _TITLE_SIMILAR:
        if _raw_agreement(a, b):
            return 0.9, None
        if not a.title or not b.title:
            # no title to compare: the full locator must agree (physics-style "Phys Rev B 12, 345 (2005)")
            if (
                a.journal
                and b.journal
                and (
                    (_same_locator(a, b) and _journals_compatible(a.journal, b.journal))
                    # no author on one side either: the journal must be known to be the same
                    or (_same_locator(a, b, anonymous=True) and _journals_same(a.journal, b.journal))
                )
            ):
                return 0.9, None
            return 0.0, None
        if _same_locator(a, b):
            # one title is the other's main title, the subtitle dropped ("Food security" and "Food security: the
            # challenge of feeding 9 billion people" at Science 327:812): the same work; otherwise a translation
            return (0.9, None) if _main_title(a, b) or _main_title(b, a) else (0.0, "other-edition")
        return 0.0, None
    if min(len(a.title), len(b.title)) < 30 and not (a.surname and b.surname and a.year and b.year):
        return 0.0, None  # a short title ("Editorial", "Introduction") alone says little
    if min(len(a.title), len(b.title)) < _SHORT_TITLE and not (_raw_agreement(a, b) or _same_locator(a, b)):
        return 0.0, None  # "ex rel", "Reply": the same few words head many works of one author
    if a.volumes and b.volumes and not a.volumes & b.volumes and a.year == b.year:
        return 0.0, None
    if (
        a.first_page
        and b.first_page
        and a.first_page != b.first_page
        # a parser that read the volume as the page ("Curr Opin Immunol 2010, 22.") has no page to compare
        and a.first_page not in b.volumes
        and b.first_page not in a.volumes
        # an identical title by the same author in the same year with other pages is a page written wrongly (or
        # an article number for a page range) far more often than another work; "Female ..." and "Male
        # physical attractiveness ..." are two works though 98 % alike
        and (similarity < 97 or len(a.title) < 40 or set(a.words) != set(b.words))
    ):
        return 0.0, None
    if a.journal and b.journal and not _journals_compatible(a.journal, b.journal):
        return 0.0, None
    return similarity / 100, None


def _abbreviates(short: str, word: str) -> bool:
    """``short`` is ``word`` or an abbreviation of it: same first letter, its letters in order ("natl", "national")."""
    if short[0] != word[0] or len(short) > len(word):
        return False
    letters = iter(word)
    return all(c in letters for c in short)


def _journals_compatible(a: str, b: str) -> bool:
    """Not known to be two journals: the same name or an abbreviation of it, or a name the index does not know."""
    return _journal_verdict(a, b) is not False


def _journals_same(a: str, b: str) -> bool:
    """Known to be one journal: the same name, an abbreviation of it, or one journal for the index."""
    return _journal_verdict(a, b) is True


@lru_cache(maxsize=65536)
def _journal_verdict(a: str, b: str) -> bool | None:
    fa, fb = fold(a), fold(b)
    if fa == fb or fa.replace(" ", "") == fb.replace(" ", ""):
        return True
    # an abbreviation is compatible when each of its words abbreviates a word of the other, in order ("Proc Natl
    # Acad Sci" and "Proceedings of the National Academy of Sciences"); numbers are a parser's spill-over of volume
    # and pages, not the name
    wa, wb = [w for w in fa.split() if not w.isdigit()], [w for w in fb.split() if not w.isdigit()]
    if not wa or not wb:
        return None
    for short, long_ in ((wa, wb), (wb, wa)):
        words = iter(long_)
        if all(any(_abbreviates(s, w) for w in words) for s in short):
            return True
    try:
        from refkit import journals

        return journals.same_journal(a, b)
    except (ImportError, AttributeError):
        return None


# ----------------------------------------------------------------------------------------------------
# 3. Clustering


def cluster(
    refs: Sequence[Reference], pairs: Iterable[tuple[int, int, float]], matches: Sequence[Match | None] | None = None
) -> list[list[int]]:
    """Groups of indices (in order of first citation) from accepted pairs, never joining two DOIs or PMIDs.

    Example:
        >>> a, b, c = Reference(doi="10.1/a"), Reference(doi="10.1/b"), Reference()
        >>> cluster([a, b, c], [(0, 2, 0.9), (1, 2, 0.8)])
        [[0, 2], [1]]
    """
    return _cluster(_all_keys(refs, matches), pairs)


def _cluster(keys: Sequence[Keys], pairs: Iterable[tuple[int, int, float]]) -> list[list[int]]:
    parent = list(range(len(keys)))
    ids: dict[int, tuple[set[str], set[str]]] = {}
    for i, k in enumerate(keys):
        if k.doi or k.pmid:
            ids[i] = ({k.doi} if k.doi else set(), {k.pmid} if k.pmid else set())

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, s in sorted(pairs, key=lambda t: (-t[2], t[0], t[1])):
        if s < 0.5:
            continue
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        di, pi = ids.get(ri, (set(), set()))
        dj, pj = ids.get(rj, (set(), set()))
        if (di and dj and di != dj) or (pi and pj and pi != pj):
            continue
        root, other = min(ri, rj), max(ri, rj)
        parent[other] = root
        if other in ids or root in ids:
            ids[root] = (di | dj, pi | pj)
            ids.pop(other, None)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


# ----------------------------------------------------------------------------------------------------
# Canonical record and disagreements

_COMPARED = ("issued", "title", "container_title", "volume", "issue", "page", "doi", "author")


def _value(ref: Reference, name: str) -> str:
    if name == "issued":
        return str(ref.year or "")
    if name == "author":
        return "; ".join(p.display() for p in ref.author) + (" et al" if ref.et_al else "")
    return getattr(ref, name) or ""


def _best_of(refs: Sequence[Reference]) -> Reference:
    """Per field, the value most citations state; ties go to the longest (most complete) value."""
    base = max(refs, key=lambda r: sum(1 for f in _COMPARED if _value(r, f)))
    changes: dict[str, object] = {}
    for name in (
        "title",
        "container_title",
        "container_title_short",
        "volume",
        "issue",
        "page",
        "doi",
        "pmid",
        "url",
        "publisher",
        "publisher_place",
    ):
        values = [getattr(r, name) for r in refs if getattr(r, name)]
        if values:
            counts = Counter(values)
            changes[name] = max(counts, key=lambda v: (counts[v], len(v)))
    years = Counter(r.issued for r in refs if r.issued)
    if years:
        changes["issued"] = max(years, key=lambda d: (years[d], len(d), d))
    longest = max(refs, key=lambda r: (len(r.author), not r.et_al))
    changes["author"], changes["et_al"] = longest.author, longest.et_al
    return replace(base, **changes)  # type: ignore[arg-type]


def _surnames(ref: Reference) -> tuple[str, ...]:
    return tuple(fold(p.family or p.literal) for p in ref.author)


def _authors_disagree(refs: Sequence[Reference]) -> bool:
    """Author lists disagree when a surname differs where both lists have one, or when two complete lists (no
    "et al") differ in length. A list cut short with "et al" agrees with any longer list it starts."""
    lists = [(_surnames(r), r.et_al) for r in refs if r.author]
    for x, (a, a_cut) in enumerate(lists):
        for b, b_cut in lists[x + 1 :]:
            if any(s != t for s, t in zip(a, b, strict=False)):
                return True
            if len(a) != len(b) and not (a_cut or b_cut):
                return True
    return False


def _disagreements(refs: Sequence[Reference]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if len(refs) < 2:
        return out
    for name in _COMPARED:
        values = [_value(r, name) for r in refs]
        if name == "author":
            if _authors_disagree(refs):
                out[name] = tuple(dict.fromkeys(values))
            continue
        normalised = {fold(v) if name != "page" else v.replace("\u2013", "-") for v in values}
        if len(normalised) > 1:
            out[name] = tuple(dict.fromkeys(values))
    return out


def _canonical(citations: Sequence[Reference], cluster_matches: Sequence[Match | None]) -> Reference:
    matched = sorted((m for m in cluster_matches if m and m.status == "matched"), key=lambda m: -m.confidence)
    best = matched[0] if matched else None
    if best is None or best.message is None:
        return _best_of(citations)
    canonical = replace(to_reference(best.message), raw=citations[0].raw, source=citations[0].source)
    # a bibliography cites the issue a work appeared in: prefer the print date to Crossref's `issued`
    printed = date_parts(best.message, "published-print")
    if printed and canonical.volume:
        canonical = replace(canonical, issued=printed)
    return replace(canonical, pmid=canonical.pmid or _best_of(citations).pmid)


# ----------------------------------------------------------------------------------------------------
# Related works


def _message_relations(message: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(relation, DOI) pairs a Crossref record states: its ``relation`` entries and the notices it is."""
    if not message:
        return []
    out: list[tuple[str, str]] = []
    relation = message.get("relation")
    if isinstance(relation, Mapping):
        for name, targets in relation.items():
            if name not in RELATIONS or not isinstance(targets, list):
                continue
            for target in targets:
                if (
                    isinstance(target, Mapping)
                    and str(target.get("id-type", "doi")).lower() == "doi"
                    and target.get("id")
                ):
                    out.append((name, str(target["id"]).lower()))
    for update in message.get("update-to") or ():
        if isinstance(update, Mapping) and update.get("DOI") and update.get("type"):
            kind = re.sub(r"[^a-z]+", "-", str(update["type"]).lower()).strip("-")
            out.append((f"is-{kind}-of", str(update["DOI"]).lower()))
    return out


def _inverse(relation: str) -> str:
    if relation in RELATIONS:
        return RELATIONS[relation]
    if relation == "is-comment-on":
        return "has-comment"
    if relation == "has-comment":
        return "is-comment-on"
    if relation.startswith("is-") and relation.endswith("-of"):
        return "has-" + relation[3:-3]
    if relation.startswith("has-"):
        return "is-" + relation[4:] + "-of"
    return relation  # other-edition, other-part: symmetric


def _related(
    groups: Sequence[Sequence[int]],
    keys: Sequence[Keys],
    hints: Iterable[tuple[int, int, str]],
    matches: Sequence[Match | None],
    dois: Sequence[str | None],
) -> list[tuple[str, ...]]:
    where = {i: n for n, members in enumerate(groups) for i in members}
    by_doi = {d: n for n, d in enumerate(dois) if d}
    found: list[dict[str, None]] = [{} for _ in groups]

    def target(n: int) -> str:
        return dois[n] or f"w{n + 1}"

    def link(x: int, relation: str, y: int) -> None:
        if x != y:
            found[x][f"{relation}:{target(y)}"] = None
            found[y][f"{_inverse(relation)}:{target(x)}"] = None

    for i, j, relation in hints:
        link(where[i], relation, where[j])
    for n, members in enumerate(groups):
        seen: set[tuple[str, str]] = set()
        for i in members:
            m = matches[i]
            for relation, doi in _message_relations(m.message if m is not None and m.status == "matched" else None):
                if (relation, doi) in seen:
                    continue
                seen.add((relation, doi))
                other = by_doi.get(doi)
                if other is not None:
                    link(n, relation, other)
                else:
                    found[n][f"{relation}:{doi}"] = None
    return [tuple(sorted(f)) for f in found]


# ----------------------------------------------------------------------------------------------------
# Composition


def dedupe(refs: Sequence[Reference], matches: Sequence[Match | None] | None = None) -> list[Cluster]:
    """Cluster citations of the same work; returns clusters ``w1``, ``w2``... in order of first citation.

    Args:
        refs: parsed citations, each with its raw text and source.
        matches: the registry outcome for each citation (same order), or None when nothing was looked up.

    Raises:
        ValueError: ``matches`` is not as long as ``refs``.

    Example:
        >>> from refkit.model import Person
        >>> a = Reference(raw="Deza 2016", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea")
        >>> [c.disagreements["issued"] for c in dedupe([a, a.replace(raw="Deza 2015", issued=(2015,))])]
        [('2016', '2015')]
    """
    match_list: list[Match | None] = list(matches) if matches is not None else [None] * len(refs)
    keys = _all_keys(refs, match_list)
    hints: list[tuple[int, int, str]] = []
    scored: list[tuple[int, int, float]] = []
    for i, j in _pairs(keys):
        value, relation = _judge(keys[i], keys[j])
        scored.append((i, j, value))
        if relation is not None:
            hints.append((i, j, relation))
    groups = _cluster(keys, scored)
    canonicals: list[Reference] = []
    for members in groups:
        canonicals.append(_canonical([refs[i] for i in members], [match_list[i] for i in members]))
    dois = [(c.doi or "").lower() or None for c in canonicals]
    related = _related(groups, keys, hints, match_list, dois)
    return [
        Cluster(
            id=f"w{n}",
            citations=tuple(refs[i] for i in members),
            canonical=canonical,
            matches=tuple(match_list[i] for i in members),
            disagreements=_disagreements([refs[i] for i in members]),
            related=rel,
        )
        for n, (members, canonical, rel) in enumerate(zip(groups, canonicals, related, strict=True), 1)
    ]
