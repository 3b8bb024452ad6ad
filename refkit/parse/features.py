"""Tokenizer and CRF features for reference strings.

A reference string is cut into tokens whose character offsets are kept, so that a run of tagged tokens maps
back to the exact substring of the input. Punctuation is its own token; a DOI or a URL is one token (cutting
them at every dot would make the tagger relearn their shape each time).

Each token gets a list of binary features, as UTF-8 ``bytes`` (python-crfsuite's fastest input form: it takes
them as they are, where it would encode a ``str`` each time): its own form and shape, dictionary membership,
cues, position, and the same facts about its neighbours. A run of words set off
by punctuation that spells a journal name known to :mod:`refkit.journals` ("Global Change Biology. 17:276",
"J. Biol. Chem. 2010") is marked as a whole, which a window of single words cannot see.

Example:
    >>> [t.text for t in tokenize("Deza G (2016) Acta Derm Venereol 96:418-419")]
    ['Deza', 'G', '(', '2016', ')', 'Acta', 'Derm', 'Venereol', '96', ':', '418', '-', '419']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from refkit import journals

__all__ = ["Token", "journal_words", "place_names", "sequence_features", "tokenize"]

# Order matters: identifiers first so that their dots and slashes are not split off.
_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|ftp://|www\.)\S+)"
    r"|(?P<doi>10\.\d{4,9}/\S+)"
    r"|(?P<word>[^\W_]+)"
    r"|(?P<punct>\S)",
    re.UNICODE,
)
# The same without the identifiers, for strings that hold none.
_WORD_PUNCT_RE = re.compile(r"[^\W_]+|\S", re.UNICODE)
# Punctuation that closes a sentence around an identifier rather than belonging to it.
_TRAILING = ".,;:)]}>\"'\u201d\u2019"


class Token(NamedTuple):
    """A token with its character offsets in the input string.

    A named tuple rather than a frozen dataclass: tokens are made by the tens of thousands per second, and a
    tuple is several times cheaper to build.

    Example:
        >>> tokenize("Nature 440")[1]
        Token(text='440', start=7, end=10)
    """

    text: str
    start: int
    end: int


_new_token = tuple.__new__  # Token(...) without the named tuple's Python-level __new__


def tokenize(text: str) -> list[Token]:
    """Cut ``text`` into word, number, punctuation, DOI and URL tokens.

    Args:
        text: a reference string.

    Returns:
        The tokens in order, with offsets into ``text``.

    Example:
        >>> [t.text for t in tokenize("doi: 10.2340/00015555-2271.")]
        ['doi', ':', '10.2340/00015555-2271', '.']
    """
    if "10." not in text and "://" not in text and "www." not in text:
        # Nothing that could start a DOI or a URL: words and single marks only (the common case, and the cheap one).
        return [_new_token(Token, (m.group(), m.start(), m.end())) for m in _WORD_PUNCT_RE.finditer(text)]
    return _tokenize_identifiers(text)


def _tokenize_identifiers(text: str) -> list[Token]:
    """:func:`tokenize` for a string that may hold DOIs or URLs."""
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        start, end = m.span()
        if m.lastgroup in ("url", "doi"):
            # A closing bracket that has its opening bracket inside the identifier stays (DOIs like
            # 10.1016/0006-2952(91)90001-A).
            while end > start + 1 and text[end - 1] in _TRAILING:
                if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
                    break
                end -= 1
            tokens.append(Token(text[start:end], start, end))
            rest = m.end()
            for i in range(end, rest):
                tokens.append(Token(text[i], i, i + 1))
        else:
            tokens.append(Token(m.group(), start, end))
    return tokens


@lru_cache(maxsize=1)
def journal_words() -> frozenset[str]:
    """Lower-case words of MEDLINE journal abbreviations (vendored list, see ``data/parser/SOURCE.md``)."""
    path = resources.files("refkit") / "data" / "parser" / "journal-words.txt"
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if w)


@lru_cache(maxsize=1)
def place_names() -> tuple[frozenset[str], frozenset[str]]:
    """Known places of publication (lower case, tokens joined by one space: "new york", "rueil - malmaison") and
    their first tokens (vendored list, see ``data/parser/SOURCE.md``)."""
    path = resources.files("refkit") / "data" / "parser" / "places.txt"
    names = frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return names, frozenset(name.split()[0] for name in names)


def _place_tokens(lows: Sequence[str]) -> set[int]:
    """Indexes of the tokens that spell a known place of publication ("New York", "Paris"), three tokens at most."""
    names, firsts = place_names()
    if firsts.isdisjoint(lows):  # the common case: no place at all
        return set()
    n = len(lows)
    out: set[int] = set()
    for i, low in enumerate(lows):
        if low in firsts:
            for k in (3, 2, 1):
                if i + k <= n and " ".join(lows[i : i + k]) in names:
                    out.update(range(i, i + k))
                    break
    return out


_WORD_CLASSES = frozenset({"cap", "caps", "init", "low", "mix"})
# Classes that may sit inside a journal name ("J. Biol. Chem.", "Current biology: CB", "Sensors (Basel)").
_INNER_CLASSES = frozenset({"dot", "colon", "lpar", "rpar", "dash", "amp", "apos", "slash", "sym"})
# What a journal name follows: the end of the field before it.
_START_AFTER = frozenset({"dot", "comma", "colon", "semi", "rpar", "rbr", "quote", "sym"})
_MAX_SEGMENT_WORDS = 14
_PREFIX = 8


@lru_cache(maxsize=1)
def _journal_keys() -> tuple[frozenset[str], frozenset[str]]:
    """The compact keys of known journal names (:func:`refkit.journals.compact_keys`) of four characters or more,
    and their first :data:`_PREFIX` characters (to stop extending a run that can no longer match)."""
    keys = frozenset(k for k in journals.compact_keys() if len(k) >= 4)
    return keys, frozenset(k[:_PREFIX] for k in keys if len(k) >= _PREFIX)


def _key_piece(text: str, cls: str) -> str:
    """What a token adds to a compact journal key: "&" is spelt "and", other punctuation adds nothing."""
    if cls == "amp":
        return "and"
    return journals.compact_key(text) if cls in _WORD_CLASSES else ""


def _journal_segments(pieces: Sequence[str], classes: Sequence[str]) -> dict[int, bytes]:
    """Tokens of a run that spells a known journal name and is set off by punctuation or a number on both sides.

    A run starts after the punctuation that ends a field and ends before punctuation, a number or the end, so that a
    journal name inside a title ("... in Plant Science research") does not count: ``jsB`` marks the first token of a
    run of several words, ``jsI`` the rest, ``js1`` a one-word run ("Nature.", "Oecologia 56").
    """
    keys, prefixes = _journal_keys()
    n = len(classes)
    marks: dict[int, bytes] = {}
    s = 1
    while s < n:
        if classes[s] not in _WORD_CLASSES or classes[s - 1] not in _START_AFTER:
            s += 1
            continue
        key = ""
        words = 0
        best = -1
        e = s
        while e < n and words < _MAX_SEGMENT_WORDS:
            cls = classes[e]
            if cls in _WORD_CLASSES:
                piece = pieces[e]
                if piece != "the" or key:
                    key += piece
                if len(key) >= _PREFIX and key[:_PREFIX] not in prefixes:
                    break
                words += 1
                if (e + 1 == n or classes[e + 1] not in _WORD_CLASSES) and key in keys:
                    best = e
            elif cls in _INNER_CLASSES:
                key += pieces[e]
            else:
                break
            e += 1
        if best < 0:
            s += 1
            continue
        if best == s:
            marks[s] = b"js1"
        else:
            marks[s] = b"jsB"
            for k in range(s + 1, best + 1):
                marks[k] = b"jsI"
        s = best + 1
    return marks


_PUNCT_CLASS = {
    ".": "dot",
    ",": "comma",
    ":": "colon",
    ";": "semi",
    "(": "lpar",
    ")": "rpar",
    "[": "lbr",
    "]": "rbr",
    "-": "dash",
    "\u2013": "dash",
    "\u2014": "dash",
    "\u2010": "dash",
    "\u2011": "dash",
    "\u2212": "dash",
    '"': "quote",
    "\u201c": "quote",
    "\u201d": "quote",
    "'": "apos",
    "\u2018": "apos",
    "\u2019": "apos",
    "&": "amp",
    "/": "slash",
}
_CUES = {
    "et": "et",
    "al": "al",
    "in": "in",
    "eds": "eds",
    "ed": "eds",
    "editor": "eds",
    "editors": "eds",
    "hrsg": "eds",
    "pp": "pp",
    "p": "pp",
    "pages": "pp",
    "vol": "vol",
    "volume": "vol",
    "no": "no",
    "issue": "no",
    "suppl": "suppl",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmid",
    "available": "url",
    "accessed": "url",
    "retrieved": "url",
    "press": "press",
    "university": "press",
    "publishers": "press",
    "publishing": "press",
    "edn": "edn",
    "edition": "edn",
    "thesis": "thesis",
    "report": "report",
    "proceedings": "proc",
    "proc": "proc",
    "conference": "proc",
    "and": "and",
}
_SHAPE_TABLE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
_COLLAPSE_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def _token_features(text: str) -> tuple[tuple[str, ...], str]:
    """Features of a token on its own (cached: reference strings repeat words a lot).

    Returns the feature strings and a short class used by the neighbour features.
    """
    low = text.lower()
    n = len(text)
    feats: list[str] = []
    if n > 1 and (text.startswith("10.") and "/" in text):
        return ("doi",), "DOI"
    if n > 4 and ("://" in text or low.startswith("www.")):
        return ("url",), "URL"
    if n == 1 and not text.isalnum():
        cls = _PUNCT_CLASS.get(text, "sym")
        return (f"p={cls}",), cls
    shape = text.translate(_SHAPE_TABLE)
    if not shape.isascii():
        shape = "".join(c if c in "Xxd" else ("X" if c.isupper() else "x" if c.isalpha() else "d") for c in shape)
    short = _COLLAPSE_RE.sub(r"\1", shape)
    feats.append("w=" + (low if n <= 20 else low[:20]))
    feats.append("sh=" + (shape if n <= 6 else short))
    feats.append("ss=" + short)
    if n >= 3:
        feats.append("p3=" + low[:3])
        feats.append("s3=" + low[-3:])
    if n >= 2:
        feats.append("s2=" + low[-2:])
    # isdecimal, not isdigit: "²", "①" and "➈" are digits that int() refuses; only short runs are read as numbers
    # (int() refuses more than 4,300 digits).
    if text.isdecimal():
        cls = "num"
        if n == 4 and 1500 <= int(text) <= 2039:
            feats.append("year")
            cls = "year"
        feats.append(f"nlen={min(n, 6)}")
        if n <= 2 and int(text) <= 12:
            feats.append("small")
    elif text.isalpha():
        if text.isupper():
            cls = "init" if n == 1 else "caps"
        elif text[0].isupper():
            cls = "cap"
        else:
            cls = "low"
        if low in journal_words():
            feats.append("jw")
        cue = _CUES.get(low)
        if cue:
            feats.append("cue=" + cue)
    else:
        cls = "mix"
        if text[0].isalpha() and text[1:].isdigit():
            feats.append("alnum=ld")
    return tuple(feats), cls


class _Info(NamedTuple):
    """What the sequence features need to know about one token, worked out once per distinct token text."""

    own: tuple[bytes, ...]  # the bias feature and the token's own features
    cls: str  # its class, used by the neighbour features
    low: str  # lower-case form (first 20 characters)
    low_bytes: bytes  # the same, encoded (for the bigram feature)
    prev1: bytes  # the features a token's neighbours use for it: -1w=, +1w=, -2w=, +2w=
    next1: bytes
    prev2: bytes
    next2: bytes
    prev1c: bytes  # the same for its class: -1c=, +1c=, -2c=, +2c=
    next1c: bytes
    prev2c: bytes
    next2c: bytes
    piece: str  # its piece of a compact journal key


@lru_cache(maxsize=65536)
def _token_info(text: str) -> _Info:
    """A token's features, class and the strings its neighbours use for it (cached per token text)."""
    feats, cls = _token_features(text)
    low = text.lower() if len(text) <= 20 else text[:20].lower()
    low_bytes = low.encode()
    cls_bytes = cls.encode()
    return _Info(
        (b"b", *(f.encode() for f in feats)),
        cls,
        low,
        low_bytes,
        b"-1w=" + low_bytes,
        b"+1w=" + low_bytes,
        b"-2w=" + low_bytes,
        b"+2w=" + low_bytes,
        b"-1c=" + cls_bytes,
        b"+1c=" + cls_bytes,
        b"-2c=" + cls_bytes,
        b"+2c=" + cls_bytes,
        _key_piece(text, cls),
    )


class _Pairs(dict[tuple[str, str], bytes]):
    """``name=a|b`` features for pairs of token classes, built once per pair."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, key: tuple[str, str]) -> bytes:
        value = self[key] = f"{self.name}={key[0]}|{key[1]}".encode()
        return value


_PAIR_21, _PAIR_01, _PAIR_11 = _Pairs("-21c"), _Pairs("0+1c"), _Pairs("-1+1c")
_IDX = tuple(f"idx={k}".encode() for k in range(11))
_IDX_RUN = tuple(_IDX[i if i < 6 else (6 if i < 10 else 10)] for i in range(11))
_DOTS = tuple(f"dots={k}".encode() for k in range(7))
_SDOTS = tuple(f"sdots={k}".encode() for k in range(6))
_COMMAS = tuple(f"commas={k}".encode() for k in range(9))
_YEARS = tuple(f"years={k}".encode() for k in range(3))
_EDS_WORDS = frozenset({"eds", "ed", "editor", "editors", "hrsg"})
_BEFORE_IN = frozenset({"dot", "comma", "rpar"})
_AFTER_WORD = frozenset({"low", "num", "year", "mix"})


@lru_cache(maxsize=512)
def _positions(n: int) -> tuple[tuple[bytes, bytes], ...]:
    """The ``pos=`` (tenth of the sequence) and ``idx=`` (index, capped) features of each token of a sequence of
    ``n`` tokens."""
    return tuple((f"pos={(10 * i) // n}".encode(), _IDX_RUN[i if i < 10 else 10]) for i in range(n))


def sequence_features(tokens: Sequence[str]) -> list[list[bytes]]:
    """Feature lists for every token of a sequence (UTF-8 ``bytes``, as python-crfsuite takes them).

    Args:
        tokens: token texts in order.

    Returns:
        One list of features per token.

    Example:
        >>> feats = sequence_features(["Nature", "440"])
        >>> b"w=nature" in feats[0] and b"+1c=num" in feats[0]
        True
    """
    n = len(tokens)
    if n == 0:
        return []
    info = [_token_info(t) for t in tokens]
    classes = [x.cls for x in info]
    journal = _journal_segments([x.piece for x in info], classes)
    places = _place_tokens([x.low for x in info])
    positions = _positions(n)
    out: list[list[bytes]] = []
    dots = commas = years = sdots = quotes = 0
    seen_paren_year = seen_in = seen_eds = False
    prev2 = prev = None
    cur = info[0]
    nxt = info[1] if n > 1 else None
    for i in range(n):
        nxt2 = info[i + 2] if i + 2 < n else None
        cls = cur.cls
        # Counts of separators seen so far say which field of a period-separated style we are in.
        row = [
            *cur.own,
            *positions[i],
            _DOTS[dots if dots < 6 else 6],
            _SDOTS[sdots if sdots < 5 else 5],
            _COMMAS[commas if commas < 8 else 8],
            _YEARS[years if years < 2 else 2],
        ]
        # A journal-name run, and the tokens just before and after it (where the field before it ends).
        if journal:
            if i in journal:
                row.append(journal[i])
            elif i + 1 in journal and journal[i + 1] != b"jsI":
                row.append(b"+1js")
            elif i - 1 in journal:
                row.append(b"-1js")
        if places and i in places:
            row.append(b"place")
        if quotes:
            row.append(b"inquote" if quotes % 2 else b"afterquote")
        if seen_paren_year:
            row.append(b"after(year)")
        if seen_in:
            row.append(b"after(in)")
        if seen_eds:
            row.append(b"after(eds)")
        if prev is not None:
            row += (b"bi=%b|%b" % (prev.low_bytes, cur.low_bytes), prev.prev1c, prev.prev1)
            if prev2 is not None:
                row += (prev2.prev2c, prev2.prev2, _PAIR_21[prev2.cls, prev.cls])
        else:
            row.append(b"BOS")
        if nxt is not None:
            row += (nxt.next1c, nxt.next1, _PAIR_01[cls, nxt.cls])
            if nxt2 is not None:
                row += (nxt2.next2c, nxt2.next2)
            if prev is not None:
                row.append(_PAIR_11[prev.cls, nxt.cls])
        else:
            row.append(b"EOS")
        low = cur.low
        if low == "al" and prev is not None and prev.low == "et":
            row.append(b"etal")
        if cls == "dot":
            dots += 1
            # A dot after a word (not an initial) usually ends a field.
            if prev is not None and (prev.cls in _AFTER_WORD or len(tokens[i - 1]) > 3):
                sdots += 1
        elif cls == "quote":
            quotes += 1
        elif (low == "in" and (prev is None or prev.cls in _BEFORE_IN)) or low == "dans":
            seen_in = True
        elif low in _EDS_WORDS and seen_in:
            seen_eds = True
        elif cls == "comma":
            commas += 1
        elif cls == "year":
            years += 1
            if prev is not None and prev.cls == "lpar":
                seen_paren_year = True
        out.append(row)
        prev2, prev, cur, nxt = prev, cur, nxt, nxt2
    return out
