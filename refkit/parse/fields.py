"""Turning the text of one field into CSL values: names, dates, locators, identifiers.

These helpers are shared by every parser, so a name or a page range is read one way across refkit. They state
what the string says; they never look anything up.

Example:
    >>> parse_locator("2016;96(3):418-9")
    {'volume': '96', 'issue': '3', 'page': '418-9'}
    >>> parse_authors("Deza G, Sánchez-Schmidt JM, Pujol RM")[0][1]
    Person(family='Sánchez-Schmidt', given='JM', literal=None, suffix=None)
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from refkit.model import Person
from refkit.text import strip_accents

__all__ = [
    "DOI_RE",
    "clean_field",
    "find_doi",
    "find_doi_link",
    "find_pmid",
    "find_url",
    "is_name_suffix",
    "normalize_doi",
    "page_range",
    "parse_authors",
    "parse_issued",
    "parse_locator",
    "parse_person",
]

#: A DOI as Crossref recommends matching it (10.NNNN/suffix), up to white space.
DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"]+)", re.IGNORECASE)
_DOI_PREFIX_RE = re.compile(r"^\s*(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/|doi\.org/)", re.IGNORECASE)
# a resolver link: "https://doi.org/10...", "http://dx.doi.org/10...", "doi.org/10..."
_DOI_LINK_RE = re.compile(r"(?<![\w.])(?:https?://)?(?:www\.|dx\.)?doi\.org/10\.\d{4,9}(?:/|%2F)\S+", re.IGNORECASE)
_PMID_RE = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b", re.IGNORECASE)
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january", "januar", "janvier", "enero"),
            ("feb", "february", "februar", "fevrier", "febrero"),
            ("mar", "march", "marz", "mars", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juni", "juin", "junio"),
            ("jul", "july", "juli", "juillet", "julio"),
            ("aug", "august", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "oktober", "octobre", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "dezember", "decembre", "diciembre"),
        ),
        start=1,
    )
    for m in names
}
_ET_AL_RE = re.compile(r"[,;]?\s*(?:\bet\.?\s*al\b\.?|\bu\.\s*a\.|\bet\s+coll\.?|\.\.\.|…)\s*$", re.IGNORECASE)
_ORG_WORDS = re.compile(
    r"\b(?:group|committee|society|association|organi[sz]ation|institute|council|consortium|collaboration|"
    r"collaborators|agency|department|ministry|foundation|university|board|network|centre|center|"
    r"investigators|commission|office|service|federation|who|academy|panel|task force|working party|clinic|"
    r"staff|hospital|authority|initiative|programme|program|alliance|coalition|registry|union|bureau|"
    r"administration|corporation|company|inc|ltd)\b",
    re.IGNORECASE,
)
_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "das",
    "du",
    "la",
    "le",
    "ter",
    "ten",
    "zu",
    "zur",
    "af",
    "al",
    "el",
    "bin",
    "ibn",
    "st",
    "saint",
    "y",
}
_INITIALS_RE = re.compile(r"^(?:[A-Z\u00c0-\u00de][a-z]?\.?-?){1,4}$")
# Generational suffixes of personal names, compared without their full stop.
_SUFFIX_KEYS = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd"})
# What a name holding one of them must contain (a cheap test before cutting the name into words).
_MAY_HOLD_SUFFIX_RE = re.compile(r"jr|sr|ii|iv|2nd|3rd", re.IGNORECASE)
_ABBREV_END_RE = re.compile(r"\b[A-Z]\.$")
_INITIAL_END_RE = re.compile(r"(?:^|[\s.-])[A-Z\u00c0-\u00de]\.$")
# given names written out, with initials after them or not: "Anna", "Anna M.", "Jean-Paul"
_GIVEN_NAMES_RE = re.compile(
    r"^[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:[- ][A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+)?(?: [A-Z]\.)*$"
)
_INVERTED_FIRST_RE = re.compile(
    r"^[A-Z\u00c0-\u00de][\w'-]+, [A-Z\u00c0-\u00de][^\W\d_A-Z]+(?: [A-Z]\.)*"
    r"(?:,? (?:and|&) |, (?=[A-Z\u00c0-\u00de][^\W\d_A-Z]+(?: [A-Z\u00c0-\u00de][\w.'-]*)+(?:,|$)))"
    r"[A-Z\u00c0-\u00de][^\W\d_A-Z]+ "
)
_AND_RE = re.compile(r"\s*(?:&|\band\b|\bund\b|\bet\b|\by\b)\s*")


def clean_field(text: str | None) -> str:
    """Strip white space and the punctuation or quotes that enclose a field.

    >>> clean_field(' "Calcinosis cutis." ')
    'Calcinosis cutis'
    """
    if not text:
        return ""
    text = " ".join(text.split()).strip(" ,;:\"'“”‘’«»")
    # a final full stop ends the field, unless it ends an abbreviation such as "Dermatol." (kept for journals)
    while text.endswith((".", ",", ";", ":")) and not _ABBREV_END_RE.search(text, len(text) - 2):
        text = text[:-1].rstrip()
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()
    return text


def normalize_doi(text: str | None) -> str | None:
    """The bare DOI in ``text`` (prefixes such as ``doi:`` or ``https://doi.org/`` removed), or None.

    >>> normalize_doi("doi: 10.2340/00015555-2271.")
    '10.2340/00015555-2271'
    """
    if not text:
        return None
    text = text.strip()
    link = "doi.org/" in text.lower()
    text = _DOI_PREFIX_RE.sub("", text)
    if link and "%" in text:
        # a link's path may be percent-encoded: ".../10.1038%2Fnature09999" is 10.1038/nature09999
        text = unquote(text)
    match = DOI_RE.search(text)
    if not match:
        return None
    return _without_sentence_end(match.group(1)) or None


def _without_sentence_end(identifier: str) -> str:
    """Trailing punctuation belongs to the sentence, not the identifier; a closing bracket only if unbalanced."""
    while identifier and identifier[-1] in ".,;:'\"]}>":
        identifier = identifier[:-1]
    while identifier.endswith(")") and identifier.count(")") > identifier.count("("):
        identifier = identifier[:-1]
    return identifier


def find_doi(text: str) -> str | None:
    """The first DOI written anywhere in ``text``."""
    if "10." not in text:
        return None
    match = DOI_RE.search(text)
    return normalize_doi(match.group(1)) if match else None


def find_doi_link(text: str) -> str | None:
    """The first DOI written as a resolver link (``https://doi.org/10...``, ``http://dx.doi.org/10...``,
    ``doi.org/10...``), as written, without the punctuation that closes the sentence around it.

    >>> find_doi_link("Acta Derm Venereol. 2016;96:418-9. (https://doi.org/10.2340/00015555-2271).")
    'https://doi.org/10.2340/00015555-2271'
    """
    if "doi.org/" not in text.lower():
        return None
    match = _DOI_LINK_RE.search(text)
    if not match:
        return None
    link = _without_sentence_end(match.group(0))
    return link if normalize_doi(link) else None


def find_pmid(text: str) -> str | None:
    """A PubMed id written as ``PMID: 123``."""
    if "pm" not in text.lower():
        return None
    match = _PMID_RE.search(text)
    return match.group(1) if match else None


def find_url(text: str) -> str | None:
    """The first URL that is not a DOI link."""
    if "://" not in text and "www." not in text.lower():
        return None
    for match in _URL_RE.finditer(text):
        url = match.group(0).rstrip(".,;:)]'\"")
        if not re.search(r"doi\.org/", url, re.IGNORECASE):
            return url
    return None


def parse_issued(text: str | None) -> tuple[int, ...]:
    """CSL date-parts from a date as written: ``(2016)``, ``2016 Feb``, ``2015 Nov 3``, ``2016a``.

    >>> parse_issued("2016 Feb;")
    (2016, 2)
    """
    if not text:
        return ()
    match = _YEAR_RE.search(text)
    if not match:
        return ()
    year = int(match.group(1))
    rest = text[match.end() :]
    month_match = re.match(r"[a-z]?\s*[,.]?\s*([A-Za-zéû]{3,9})\.?(?:\s+(\d{1,2})\b)?", rest)
    if month_match:
        key = strip_accents(month_match.group(1)).lower()
        if key in _MONTHS:
            day = month_match.group(2)
            return (year, _MONTHS[key], int(day)) if day and 1 <= int(day) <= 31 else (year, _MONTHS[key])
    return (year,)


_LOCATOR_RE = re.compile(
    r"""^\s*
    (?:(?P<year>(?:1[5-9]|20)\d\d)[a-z]?(?:\s+[A-Za-z]{3,9}\.?(?:\s+\d{1,2})?)?\s*[;,.]\s*)?   # 2016 Feb;
    (?:vol(?:ume)?\.?\s*)?
    (?P<volume>[A-Za-z]?\d+[A-Za-z]?(?:[-/]\d+)?)?                       # 96
    \s*
    (?:\(\s*(?P<issue>[^)]*?)\s*\))?                                       # (3) / (Suppl 30)
    \s*
    (?:(?:[:,.]\s*|\s+)(?:pp?\.?\s*)?(?P<page>[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-–—]+\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?))?
    # :418-9 above
    \s*[.;,]?\s*$""",
    re.VERBOSE,
)


def parse_locator(text: str | None) -> dict[str, str]:
    """Volume, issue (or supplement) and pages from a locator as journals print it.

    Recognises ``96:418-419``, ``2016;96(3):418-9``, ``96 (Suppl 30):47``, ``53:e542-544``, ``41: 94-96``,
    ``12(4), 100-110`` and ``vol 3, pp 5-9``. Pages are kept as written (``418-9``); see :func:`page_range`.
    A supplement is reported as ``supplement`` with the issue text kept in ``issue``.

    >>> parse_locator("96 (Suppl 30):47")
    {'volume': '96', 'issue': 'Suppl 30', 'page': '47', 'supplement': '30'}
    """
    out: dict[str, str] = {}
    if not text:
        return out
    text = re.sub(r"\s+", " ", text.replace("\u2009", " ")).strip()
    text = re.sub(r"^(?:vol(?:ume)?\.?|v\.)\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:no|nr|issue)\.?\s*(\d+)", r"(\1)", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*,\s*pp?\.?\s*", ":", text)
    match = _LOCATOR_RE.match(text)
    if not match:
        return out
    if match.group("volume"):
        out["volume"] = match.group("volume")
    if match.group("issue"):
        out["issue"] = match.group("issue")
    if match.group("page"):
        out["page"] = re.sub(r"\s*[-–—]+\s*", "-", match.group("page"))
    supplement = re.search(r"\bsuppl?(?:ement)?\.?\s*(\w*)", out.get("issue", ""), re.IGNORECASE)
    if supplement:
        out["supplement"] = supplement.group(1) or "1"
    if "volume" not in out and "page" not in out:
        return {}
    return out


def is_name_suffix(word: str, *, placed: bool = False) -> bool:
    """Whether ``word`` is a generational suffix of a personal name (Jr, Sr, II, III, IV, 2nd, 3rd).

    ``V`` and ``VI`` are also initials, so they count only where the text puts a suffix (``placed``: the third
    part of "Family, Given, Suffix", the part after a comma in a deposited family name).

    >>> is_name_suffix("Jr."), is_name_suffix("III"), is_name_suffix("Iran"), is_name_suffix("V")
    (True, True, False, False)
    >>> is_name_suffix("V", placed=True)
    True
    """
    key = word.strip().lower().strip(".")
    return key in _SUFFIX_KEYS or (placed and key in ("v", "vi"))


def page_range(page: str | None) -> tuple[str, str] | None:
    """First and last page with abbreviated ends expanded: ``418-9`` -> (``418``, ``419``), ``e542-544`` -> (``e542``,
    ``e544``), ``C82-97`` -> (``C82``, ``C97``).

    >>> page_range("1101-4")
    ('1101', '1104')
    """
    if not page:
        return None
    parts = re.split(r"\s*[-–—]+\s*", page.strip(), maxsplit=1)
    first = parts[0].strip()
    if not first:
        return None
    if len(parts) == 1 or not parts[1].strip():
        return first, first
    last = parts[1].strip()
    prefix_match = re.match(r"^([A-Za-z]*)(\d+)(.*)$", first)
    last_match = re.match(r"^([A-Za-z]*)(\d+)(.*)$", last)
    if prefix_match and last_match:
        prefix, digits, _ = prefix_match.groups()
        last_prefix, last_digits, last_rest = last_match.groups()
        if len(last_digits) < len(digits):
            last_digits = digits[: len(digits) - len(last_digits)] + last_digits
        last = (last_prefix or prefix) + last_digits + last_rest
    return first, last


def _initials_like_suffix(word: str, words: list[str]) -> bool:
    """ "Ehleringer JR": capitals that spell "Jr" or "Sr", the only letters after the family name, are initials."""
    return word.isupper() and word.lower() in ("jr", "sr") and len([w for w in words if w != ","]) == 2


def parse_person(text: str) -> Person:
    """One name, in any of the orders reference lists use.

    ``Deza G``, ``Deza, G.``, ``G. Deza``, ``Gustavo Deza``, ``van der Berg JH``, ``Smith JA Jr``, ``WHO Study Group``.

    >>> parse_person("van der Berg JH")
    Person(family='van der Berg', given='JH', literal=None, suffix=None)
    """
    text = clean_field(text)
    if text.endswith(".") and not _INITIAL_END_RE.search(text, max(0, len(text) - 3)):
        text = text[:-1]
    if not text:
        return Person(literal="")
    if _ORG_WORDS.search(text) or len(text.split()) > 6:
        return Person(literal=text)
    suffix = None
    if "," in text or _MAY_HOLD_SUFFIX_RE.search(text):
        words = text.replace(",", " , ").split()
        for i, word in enumerate(words):
            if is_name_suffix(word) and i > 0 and not _initials_like_suffix(word, words):
                suffix = word.rstrip(",")
                del words[i]
                break
        text = " ".join(words).replace(" , ", ", ")
    text = text.strip(" ,")
    if "," in text:
        family, _, given = text.partition(",")
        # "Gates, Jr, W": the suffix's own comma goes with it
        return Person(family=family.strip() or None, given=given.strip(" ,") or None, suffix=suffix)
    words = text.split()
    if len(words) == 1:
        return Person(family=words[0], suffix=suffix)
    # "Deza G", "Sánchez-Schmidt JM", "van der Berg JH", "Berg M. L.": family first, initials last (Vancouver)
    k = len(words)
    while k > 1 and _INITIALS_RE.match(words[k - 1]) and (words[k - 1].isupper() or "." in words[k - 1]):
        k -= 1
    if k < len(words) and (k == len(words) - 1 or all("." in w or len(w) == 1 for w in words[k:])):
        return Person(family=" ".join(words[:k]), given=" ".join(words[k:]), suffix=suffix)
    # "G. Deza", "J. H. van der Berg", "Gustavo Deza": given first
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    return Person(family=" ".join(words[i:]), given=" ".join(words[:i]), suffix=suffix)


def _with_particles(family: str) -> bool:
    """ "de la Cruz", "van der Berg", "VAN DE WALLE": a family name whose words before the last are all particles."""
    words = family.split()
    return len(words) > 1 and all(w.lower() in _PARTICLES for w in words[:-1])


_EDITOR_CUE_RE = re.compile(
    r"^(?:edited\s+by\s|eds?\.\s*(?:by\s)?|editors?[.:]?\s|hrsg\.\s*(?:v(?:on)?\.?\s)?|hg\.\s*v\.\s|"
    r"herausgegeben\s+von\s|sous\s+la\s+dir(?:ection)?\.?\s*de\s|dir\.\s)\s*(?=(?-i:[A-Z\u00c0-\u00de]))",
    re.I,
)
_EDITOR_CUE_INITIALS = frozenset("eEhHsSdD")


def parse_authors(text: str | None) -> tuple[tuple[Person, ...], bool]:
    """A list of names and whether it was cut short with "et al".

    Handles ``Deza G, Sánchez-Schmidt JM, Pujol RM``, ``Deza G et al``, ``Deza, G., Pujol, R. M., & Smith, J.``,
    ``G. Deza and R. M. Pujol``.

    >>> parse_authors("Deza G et al")
    ((Person(family='Deza', given='G', literal=None, suffix=None),), True)
    """
    if not text:
        return (), False
    text = " ".join(text.split()).rstrip(" .,:;")
    if text[:1] in _EDITOR_CUE_INITIALS:
        # "edited by J. K. Johnson", "Hrsg. Scott Mainwaring", "eds. Feretti L.": the cue is no part of a name
        text = _EDITOR_CUE_RE.sub("", text, count=1)
    et_al = False
    # "et al" and the like end the list: with single spaces the mark is at most a dozen characters long.
    mark = _ET_AL_RE.search(text, max(0, len(text) - 16))
    if mark:
        et_al = True
        text = text[: mark.start()].strip(" ,;")
    if ";" in text and any(c.count(",") >= 2 for c in text.split(";")):
        # "Assa A, Amitai M, Greer ML, et al.; ImageKids Study Group": a list, then a group
        people: list[Person] = []
        for chunk in filter(str.strip, text.split(";")):
            found, cut = parse_authors(chunk) if chunk.count(",") >= 2 else ((parse_person(chunk),), False)
            people.extend(p for p in found if p.family or p.literal)
            et_al = et_al or cut
        return tuple(people), et_al
    # "Hale, Anna M., and Tom Berg": a comma after the first given names, then "and" and a name in natural order
    inverted_first = bool(_INVERTED_FIRST_RE.match(text))
    text = _AND_RE.sub(", ", text)
    if ";" in text:
        chunks = [c for c in text.split(";") if c.strip()]
    else:
        pieces = [p.strip() for p in text.split(",") if p.strip()]
        chunks = []
        if (
            len(pieces) == 2
            and (" " not in pieces[0] or _with_particles(pieces[0]))
            and _GIVEN_NAMES_RE.match(pieces[1])
            and not _INITIALS_RE.match(pieces[1])
        ):
            pieces = [f"{pieces[0]}, {pieces[1]}"]  # "Barthes, Roland": one name, inverted
        # "Deza, G., Pujol, R. M." alternates family, initials: join such pairs
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and i + 2 < len(pieces) and is_name_suffix(nxt, placed=True):
                chunks.append(f"{piece}, {nxt}, {pieces[i + 2]}")  # "Gates, Jr., William H."
                i += 3
                continue
            if (
                nxt is not None
                and (" " not in piece.strip() or _with_particles(piece))
                and not _INITIALS_RE.match(piece)
                and (
                    _INITIALS_RE.match(nxt.replace(" ", ""))
                    # "Hale, Anna M., and Tom Berg": the first author inverted, the others not (MLA, Chicago)
                    or (i == 0 and inverted_first and _GIVEN_NAMES_RE.match(nxt))
                )
            ):
                if i + 2 < len(pieces) and is_name_suffix(pieces[i + 2], placed=True):  # "Smith, J., Jr."
                    chunks.append(f"{piece}, {nxt} {pieces[i + 2]}")
                    i += 3
                else:
                    chunks.append(f"{piece}, {nxt}")
                    i += 2
                continue
            chunks.append(piece)
            i += 1
    people = [parse_person(c) for c in chunks]
    return tuple(p for p in people if p.family or p.literal), et_al
