"""Reference strings rendered in citation styles from structured records, as labelled pieces (training data).

The labelled corpora are thin where some of the commonest layouts are: books and chapters with editors and
editions ("In: Ross A (ed) Wound healing, 2nd edn. Springer, Berlin, pp 12–20"), one-word titles in Vancouver
strings ("Smith J. Calciphylaxis. Lancet. 2020;395:10–12"), titles with a full stop inside ("Studies of mites. IV.
Acarologia"), the physics, chemistry and mathematics locators ("Physica A 387, 2025, 2008", "Biochemistry 2011,
50, 110–118", "Ann. of Math. (2) 173 (2011), pp. 1185–1239"), names written in full or with dotted initials,
organisations as authors, supplements and issues without a volume. This module renders the PLOS training
articles' own citations (never the held-out ones) in those layouts, labelled in the corpora's conventions
(``refkit.parse.corpus``): separators and cues ("In:", "(eds)", "pp", "vol.") are ``other``, an edition keeps its
word ("2nd edn"), a supplement is the issue ("Suppl 30").

Each renderer takes a :class:`Record` and a seeded :class:`random.Random` and returns ``(text, label)`` pieces
(``None`` = separator); :func:`examples_from_pieces <refkit.parse.corpus.examples_from_pieces>` turns them into
tokens and labels. The same records and seed give the same strings.

Example:
    >>> rec = Record((("Deza", "G"), ("Roé", "E")), False, "2016", "Solitary morphea", "Acta Derm Venereol",
    ...              "96", "", "418", "419", "")
    >>> "".join(text for text, _ in render_springer(rec, 0))
    'Deza G, Roé E (2016) Solitary morphea. Acta Derm Venereol 96: 418–419'
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "BOOK_STYLES",
    "JOURNAL_STYLES",
    "Pools",
    "Record",
    "render_springer",
    "render_vancouver",
]

Pieces = list[tuple[str, str | None]]


@dataclass(frozen=True, slots=True)
class Record:
    """A journal article cited in a PLOS article (from its JATS tags)."""

    names: tuple[tuple[str, str], ...]  # (surname, given names as JATS has them: "GN", "G N" or "Anna M")
    etal: bool
    year: str
    title: str
    source: str
    volume: str
    issue: str
    fpage: str
    lpage: str
    doi: str


@dataclass(frozen=True, slots=True)
class Pools:
    """What a book needs that a journal record lacks, read from the labelled training strings."""

    publishers: tuple[tuple[str, str], ...]  # (publisher, place) printed together
    organisations: tuple[str, ...]  # authors that are organisations


def _pages(rec: Record, dash: str) -> str:
    return f"{rec.fpage}{dash}{rec.lpage}" if rec.lpage else rec.fpage


_WORD = re.compile(r"[^\W\d_]+")


def _initials(given: str) -> list[str]:
    """Initials of JATS given names: "GN" and "G N" give G, N; "Anna M" gives A, M."""
    words = _WORD.findall(given)
    if words and all(w.isupper() and len(w) <= 3 for w in words):
        return [c for w in words for c in w]
    return [w[0].upper() for w in words]


def full_names(given: str) -> bool:
    """Whether the given names are written out ("Anna M"), not only initials."""
    return any(len(w) > 2 and not w.isupper() for w in _WORD.findall(given))


def _vancouver_name(surname: str, given: str) -> str:
    return f"{surname} {''.join(_initials(given))}".strip()


def _dotted(given: str) -> str:
    return " ".join(f"{c}." for c in _initials(given))


def _apa_name(surname: str, given: str) -> str:
    return f"{surname}, {_dotted(given)}" if given else surname


def _physics_name(surname: str, given: str) -> str:
    return f"{_dotted(given)} {surname}".strip()


def _list(names: Sequence[str], sep: str, last: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return sep.join(names[:-1]) + last + names[-1]


_FUNCTION_WORDS = frozenset(
    {
        *("a", "an", "the", "of", "on", "in", "is", "are", "and", "or", "for", "to", "how", "what", "why", "do"),
        *("does", "can", "with", "from", "by", "at", "as", "its", "their", "our"),
    }
)


def _short_title(title: str, rng: random.Random) -> str:
    """The first one to three words of a title ("Calciphylaxis"): one-word titles are common in medicine."""
    words = [w.strip(",:;()[]") for w in title.rstrip(".").split()]
    k = rng.choice((1, 1, 2, 3))
    while k < len(words) and (words[k - 1].lower() in _FUNCTION_WORDS or not words[k - 1]):
        k += 1
    short = " ".join(w for w in words[:k] if w)
    return short[:1].upper() + short[1:] if short else title


def _title(title: str, label: str = "title") -> Pieces:
    """A title and the full stop after it (none after a title that ends with "?" or "!")."""
    title = title.rstrip(". ")
    return [(title, label), (" " if title.endswith(("?", "!")) else ". ", None)]


_SERIES = ("II", "III", "IV", "V", "VI", "Part 2", "Part II", "A review", "A case report", "Results of a survey")


def _inner_stop(title: str, rng: random.Random) -> str:
    """A title with a full stop inside: a series numeral, a second sentence, or a closing span of years."""
    title = title.rstrip(".")
    kind = rng.randrange(3)
    if kind == 0:
        return f"{title}. {rng.choice(_SERIES)}"
    if kind == 1:
        start = rng.randrange(1960, 2015)
        return f"{title}, {start}\u2013{start + rng.randrange(2, 12)}"
    return f"{title}. {rng.choice(_SERIES[6:])}"


def _author_year_names(rec: Record) -> str:
    if len(rec.names) > 2 or rec.etal:
        return f"{_vancouver_name(*rec.names[0])} et al"
    return ", ".join(_vancouver_name(s, g) for s, g in rec.names)


# --------------------------------------------------------------------------- journal articles


def render_vancouver(rec: Record, *, doi: bool = False) -> Pieces:
    """Pieces of "Surname GN, Surname GN. Title. Source. Year;Vol(Issue):pages." (synthetic)."""
    names = ", ".join(_vancouver_name(s, g) for s, g in rec.names[:6])
    if rec.etal or len(rec.names) > 6:
        names += ", et al"
    pieces: Pieces = [(names, "author"), (". ", None), (rec.title.rstrip("."), "title")]
    pieces += [(". ", None), (rec.source, "container-title"), (". ", None), (rec.year, "issued"), (";", None)]
    pieces.append((rec.volume, "volume"))
    if rec.issue:
        pieces += [("(", None), (rec.issue, "issue"), (")", None)]
    if rec.fpage:
        pieces += [(":", None), (_pages(rec, "-"), "page")]
    pieces.append((".", None))
    if rec.doi and doi:
        pieces += [(" doi: ", None), (rec.doi, "DOI")]
    return pieces


def render_springer(rec: Record, variant: int) -> Pieces:
    """Pieces of "Surname GN et al (Year) Title. Source Vol: pages" (synthetic; the seeds' style)."""
    pieces: Pieces = [(_author_year_names(rec), "author"), (" (", None), (rec.year, "issued"), (") ", None)]
    pieces += [*_title(rec.title), (rec.source, "container-title"), (" ", None)]
    if variant == 2 and rec.doi:
        pieces += [("doi: ", None), (rec.doi, "DOI")]
        return pieces
    pieces.append((rec.volume, "volume"))
    if rec.fpage:
        pieces += [(":" if variant else ": ", None), (_pages(rec, "-" if variant else "\u2013"), "page")]
    return pieces


def vancouver_short(rec: Record, rng: random.Random) -> Pieces:
    """Vancouver with a one- to three-word title; sometimes an issue without a volume ("2019;(4):CD013144")."""
    names = ", ".join(_vancouver_name(s, g) for s, g in rec.names[:6])
    if rec.etal or len(rec.names) > 6:
        names += ", et al"
    pieces: Pieces = [(names, "author"), (". ", None), *_title(_short_title(rec.title, rng))]
    pieces += [(rec.source, "container-title"), (". ", None), (rec.year, "issued")]
    if rec.issue and rng.random() < 0.3:
        pieces += [(";(", None), (rec.issue, "issue"), ("):", None), (_pages(rec, "-"), "page"), (".", None)]
        return pieces
    pieces += [(";", None), (rec.volume, "volume")]
    if rec.issue:
        pieces += [("(", None), (rec.issue, "issue"), (")", None)]
    pieces += [(":", None), (_pages(rec, "\u2013"), "page"), (".", None)]
    return pieces


def springer_variants(rec: Record, rng: random.Random) -> Pieces:
    """The author-year style with a full stop, a bracket or guillemets in the title, or a supplement issue."""
    title = rec.title.rstrip(".")
    kind = rng.randrange(4)
    pieces: Pieces = [(_author_year_names(rec), "author"), (" (", None), (rec.year, "issued"), (") ", None)]
    if kind == 0:
        pieces += _title(_inner_stop(title, rng))
    elif kind == 1:
        pieces += [("\u00ab", None), (title, "title"), ("\u00bb. ", None)]
    elif kind == 2:
        pieces += [(f"{title} {rng.choice(('[review]', '[Article in German]', '(review)', '[letter]'))}", "title")]
        pieces.append((". ", None))
    else:
        pieces += _title(title)
    pieces += [(rec.source, "container-title"), (" ", None), (rec.volume, "volume")]
    if kind == 3:
        pieces += [(" (", None), (f"Suppl {rng.randrange(1, 40)}", "issue"), (")", None)]
    elif rec.issue and rng.random() < 0.5:
        pieces += [("(", None), (rec.issue, "issue"), (")", None)]
    pieces += [(":", None), (_pages(rec, "\u2013"), "page")]
    return pieces


def ieee(rec: Record, rng: random.Random) -> Pieces:
    """'G. N. Surname, G. Surname, and G. Surname, “Title,” Source, vol. 3, no. 2, pp. 10–20, 1990.'"""
    names = [_physics_name(s, g) for s, g in rec.names[:6]]
    pieces: Pieces = [(_list(names, ", ", ", and " if len(names) > 2 else " and "), "author"), (", \u201c", None)]
    pieces += [(rec.title.rstrip("."), "title"), (",\u201d ", None), (rec.source, "container-title")]
    pieces += [(", vol. ", None), (rec.volume, "volume")]
    if rec.issue:
        pieces += [(", no. ", None), (rec.issue, "issue")]
    pieces += [(", pp. " if rec.lpage else ", p. ", None), (_pages(rec, "\u2013"), "page"), (", ", None)]
    pieces += [(rec.year, "issued"), (".", None)]
    return pieces


def physics(rec: Record, rng: random.Random) -> Pieces:
    """No title: 'G. N. Surname and G. Surname, Source Vol, page (Year).' or 'Source Vol, page, Year.'"""
    names = [_physics_name(s, g) for s, g in rec.names[:4]]
    pieces: Pieces = [(_list(names, ", ", " and "), "author")]
    if len(rec.names) > 4 or rec.etal:
        pieces.append((" et al.", "author"))
    pieces += [(", ", None), (rec.source, "container-title"), (" ", None), (rec.volume, "volume"), (", ", None)]
    pieces.append((rec.fpage, "page"))
    if rng.random() < 0.5:
        pieces += [(" (", None), (rec.year, "issued"), (").", None)]
    else:
        pieces += [(", ", None), (rec.year, "issued"), (".", None)]
    return pieces


def acs(rec: Record, rng: random.Random) -> Pieces:
    """'Surname, G. N.; Surname, G. Title. Source Year, Vol, 110–118.' (the title is sometimes left out)."""
    names = "; ".join(_apa_name(s, g) for s, g in rec.names[:6])
    pieces: Pieces = [(names, "author"), (" ", None)]
    if rng.random() < 0.6:
        pieces += [*_title(rec.title)]
    pieces += [(rec.source, "container-title"), (" ", None), (rec.year, "issued"), (", ", None)]
    pieces += [(rec.volume, "volume"), (", ", None)]
    if rec.issue and rng.random() < 0.3:
        pieces = [*pieces[:-1], (" (", None), (rec.issue, "issue"), ("), ", None)]
    pieces += [(_pages(rec, "\u2013"), "page"), (".", None)]
    return pieces


def mathematics(rec: Record, rng: random.Random) -> Pieces:
    """'G. N. Surname, Title, Source (2) 173 (2011), pp. 1185–1239.' (a series numeral after the journal)."""
    names = [_physics_name(s, g) for s, g in rec.names[:4]]
    pieces: Pieces = [(_list(names, ", ", " and "), "author"), (", ", None), (rec.title.rstrip("."), "title")]
    pieces += [(", ", None), (rec.source, "container-title")]
    if rng.random() < 0.5:
        pieces.append((f" ({rng.randrange(2, 4)}),", None))
    pieces += [(" ", None), (rec.volume, "volume"), (" (", None), (rec.year, "issued"), ("), ", None)]
    if rec.issue and rng.random() < 0.3:
        pieces += [("no. ", None), (rec.issue, "issue"), (", ", None)]
    pieces += [("pp. " if rec.lpage else "p. ", None), (_pages(rec, "\u2013"), "page"), (".", None)]
    return pieces


def apa(rec: Record, rng: random.Random) -> Pieces:
    """'Surname, G. N., & Surname, G. (Year). Title. Source, Vol(Issue), f–l.'"""
    names = [_apa_name(s, g) for s, g in rec.names[:7]]
    pieces: Pieces = [(_list(names, ", ", ", & "), "author"), (" (", None), (rec.year, "issued"), ("). ", None)]
    pieces += [*_title(rec.title), (rec.source, "container-title")]
    if rec.doi and rng.random() < 0.2:  # published online, not yet in an issue
        return [*pieces, (". ", None), (f"https://doi.org/{rec.doi}", "DOI")]
    pieces += [(", ", None), (rec.volume, "volume")]
    if rec.issue:
        pieces += [("(", None), (rec.issue, "issue"), (")", None)]
    pieces += [(", ", None), (_pages(rec, "\u2013"), "page"), (".", None)]
    return pieces


def chicago(rec: Record, rng: random.Random) -> Pieces:
    """'Surname, Given, and Given Surname. Year. “Title.” Source Vol (Issue): f–l.' (written-out names)."""
    people = [f"{s}, {g}" if k == 0 else f"{g} {s}" for k, (s, g) in enumerate(rec.names[:4])]
    pieces: Pieces = [(_list(people, ", ", ", and "), "author"), (". ", None)]
    pieces += [(rec.year, "issued"), (". \u201c", None), (rec.title.rstrip("."), "title"), (".\u201d ", None)]
    pieces += [(rec.source, "container-title"), (" ", None), (rec.volume, "volume")]
    if rec.issue:
        pieces += [(" (", None), (rec.issue, "issue"), (")", None)]
    pieces += [(": ", None), (_pages(rec, "\u2013"), "page"), (".", None)]
    return pieces


def volume_number(rec: Record, rng: random.Random) -> Pieces:
    """'Surname, G. Title. Source, Vol. 3, No. 2, pp. 10-20, 1990.' with dotted initials, no commas between."""
    dotted = rng.random() < 0.5
    names = [f"{s} {_dotted(g)}" if dotted else _apa_name(s, g) for s, g in rec.names[:3]]
    pieces: Pieces = [(_list(names, ", ", " and "), "author"), (" ", None), *_title(rec.title)]
    pieces += [(rec.source, "container-title"), (", Vol. ", None), (rec.volume, "volume")]
    if rec.issue:
        pieces += [(", No. ", None), (rec.issue, "issue")]
    pieces += [(", pp. ", None), (_pages(rec, "-"), "page"), (", ", None), (rec.year, "issued"), (".", None)]
    return pieces


JOURNAL_STYLES: tuple[Callable[[Record, random.Random], Pieces], ...] = (
    vancouver_short,
    springer_variants,
    ieee,
    physics,
    acs,
    mathematics,
    apa,
    volume_number,
)


# --------------------------------------------------------------------------- books and chapters

_EDITIONS_EN = ("2nd edn", "3rd edn", "4th edn", "2nd ed.", "3rd ed.", "5th ed", "2nd edition", "Second edition")
_EDITIONS_DE = ("2. Aufl.", "5. Aufl.", "3. Auflage")
_EDITIONS_FR = ("2e éd.", "3e éd.", "2e édition")


def _book_title(rec: Record) -> str:
    return rec.title.split(":")[0].rstrip(".").strip()


def springer_chapter(rec: Record, book: Record, pools: Pools, rng: random.Random) -> Pieces:
    """'Surname GN (Year) Chapter. In: Ed GN, Ed GN (eds) Book, 2nd edn. Publisher, Place, pp 12–20'."""
    german = rng.random() < 0.25
    publisher, place = rng.choice(pools.publishers)
    editors = [_vancouver_name(s, g) for s, g in book.names[: rng.randrange(1, 4)]]
    cue = "(Hrsg)" if german else "(ed)" if len(editors) == 1 else "(eds)"
    pieces: Pieces = [(_author_year_names(rec), "author"), (" (", None), (rec.year, "issued"), (") ", None)]
    pieces += [(rec.title.rstrip("."), "title"), (". In: ", None), (", ".join(editors), "editor")]
    pieces += [(f" {cue} ", None), (_book_title(book), "container-title")]
    if rng.random() < 0.4:
        pieces += [(", ", None), (rng.choice(_EDITIONS_DE if german else _EDITIONS_EN), "edition")]
    pieces += [(". ", None), (publisher, "publisher"), (", ", None), (place, "publisher-place")]
    if rec.fpage:
        pieces += [(", S " if german else ", pp ", None), (_pages(rec, "\u2013"), "page")]
    return pieces


def springer_book(rec: Record, book: Record, pools: Pools, rng: random.Random) -> Pieces:
    """'Surname GN (Year) Book, 7th edn. Publisher, Place' or 'Ed GN, Ed GN (eds) (Year) Book. Publisher, Place'."""
    publisher, place = rng.choice(pools.publishers)
    edited = rng.random() < 0.4
    label = "editor" if edited else "author"
    names = ", ".join(_vancouver_name(s, g) for s, g in book.names[:3])
    pieces: Pieces = [(names, label)]
    if edited:
        pieces.append((" (eds)" if len(book.names) > 1 else " (ed)", None))
    pieces += [(" (", None), (rec.year, "issued"), (") ", None), (_book_title(book), "title")]
    if rng.random() < 0.6:
        editions = rng.choice((_EDITIONS_EN, _EDITIONS_EN, _EDITIONS_DE, _EDITIONS_FR))
        pieces += [(", ", None), (rng.choice(editions), "edition")]
    pieces += [(". ", None), (publisher, "publisher"), (", ", None), (place, "publisher-place")]
    return pieces


def vancouver_chapter(rec: Record, book: Record, pools: Pools, rng: random.Random) -> Pieces:
    """'Surname GN. Chapter. In: Ed GN, editor. Book. 2nd ed. Place: Publisher; Year. p. 12–20.'"""
    publisher, place = rng.choice(pools.publishers)
    editors = [_vancouver_name(s, g) for s, g in book.names[: rng.randrange(1, 3)]]
    names = ", ".join(_vancouver_name(s, g) for s, g in rec.names[:6])
    pieces: Pieces = [(names, "author"), (". ", None), (rec.title.rstrip("."), "title"), (". In: ", None)]
    pieces += [(", ".join(editors), "editor"), (", editors. " if len(editors) > 1 else ", editor. ", None)]
    pieces += [(_book_title(book), "container-title"), (". ", None)]
    if rng.random() < 0.4:
        pieces += [(rng.choice(("2nd ed", "3rd ed", "4th ed")), "edition"), (". ", None)]
    pieces += [(place, "publisher-place"), (": ", None), (publisher, "publisher"), ("; ", None)]
    pieces += [(rec.year, "issued"), (". p. ", None), (_pages(rec, "\u2013"), "page"), (".", None)]
    return pieces


def vancouver_book(rec: Record, book: Record, pools: Pools, rng: random.Random) -> Pieces:
    """'Surname GN. Book. 3rd ed. Place: Publisher; Year.', the author sometimes an organisation."""
    publisher, place = rng.choice(pools.publishers)
    if pools.organisations and rng.random() < 0.4:
        author = rng.choice(pools.organisations)
    else:
        author = ", ".join(_vancouver_name(s, g) for s, g in book.names[:6])
    pieces: Pieces = [(author, "author"), (". ", None), (_book_title(book), "title"), (". ", None)]
    if rng.random() < 0.3:
        pieces += [(rng.choice(("2nd ed", "3rd ed", "4th ed")), "edition"), (". ", None)]
    pieces += [(place, "publisher-place"), (": ", None), (publisher, "publisher"), ("; ", None)]
    pieces += [(rec.year, "issued"), (".", None)]
    return pieces


def short_book(rec: Record, book: Record, pools: Pools, rng: random.Random) -> Pieces:
    """'R. Lee, Book, Publisher, 2004.' or 'R. Lee, Book (Publisher, Place, 2004).'"""
    publisher, place = rng.choice(pools.publishers)
    names = [_physics_name(s, g) for s, g in book.names[:3]]
    pieces: Pieces = [(_list(names, ", ", " and "), "author"), (", ", None), (_book_title(book), "title")]
    if rng.random() < 0.5:
        pieces += [(", ", None), (publisher, "publisher"), (", ", None), (rec.year, "issued"), (".", None)]
    else:
        pieces += [(" (", None), (publisher, "publisher"), (", ", None), (place, "publisher-place"), (", ", None)]
        pieces += [(rec.year, "issued"), (").", None)]
    return pieces


BOOK_STYLES: tuple[Callable[[Record, Record, Pools, random.Random], Pieces], ...] = (
    springer_chapter,
    springer_book,
    vancouver_chapter,
    vancouver_book,
    short_book,
)
