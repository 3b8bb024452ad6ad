"""Pair scoring: the same work (1.0), different works (0.0) or "probably" (accepted at >= 0.5), and the relation
of two distinct but related works."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz

from refkit.dedupe.keys import (
    _NOTICE_WORDS,
    _PART_RE,
    _RAW_SIMILAR,
    _SHORT_TITLE,
    _STYLE_WORDS,
    _TITLE_SIMILAR,
    Keys,
    comparison_keys,
)
from refkit.dedupe.related import _inverse
from refkit.model import Match, Reference
from refkit.text import fold


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
