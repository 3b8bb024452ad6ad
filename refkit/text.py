"""Text normalisation shared by the stages that compare strings (matching, de-duplication, the audit, indexes).

Example:
    >>> fold("Bégon E: <i>Symptomatic</i> calcification!")
    'begon e symptomatic calcification'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean_text", "fold", "letter_suffix", "small_int", "strip_accents"]


def strip_accents(text: str) -> str:
    """``text`` with combining accents removed ("Márquez" -> "Marquez"); case and punctuation kept."""
    if text.isascii():  # nothing to decompose (NFKD leaves ASCII as it is)
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str | None) -> str:
    """A comparison key: accents removed, case folded, markup dropped, runs of non-word characters one space."""
    if not text:
        return ""
    return _fold(text)


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    # the same titles and journal names are compared again and again (a record against each citation of its work)
    text = re.sub(r"<[^>]+>", " ", strip_accents(text).casefold())
    return re.sub(r"[^\w]+", " ", text).strip()


# C0 and C1 control characters (and DEL) but tab and line ends: terminal escapes, bells and NULs have no place in a
# reference and must not reach the exports, the report or a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")


def clean_text(text: str) -> str:
    """``text`` with control characters (ESC, BEL, NUL, DEL, C1) turned into spaces; tabs and line ends kept.

    Example:
        >>> clean_text("Deza G\x1b[31m (2016)\x07")
        'Deza G [31m (2016) '
    """
    return _CONTROL.sub(" ", text) if _CONTROL.search(text) else text


# str.isdigit() is also true of "²" and "①", which int() refuses, and int() refuses more than 4,300 digits: a number
# read from an input goes through this one check instead.
_SMALL_INT = re.compile(r"\s*([0-9]{1,9})\s*")


def small_int(text: str | None) -> int | None:
    """``text`` as a number when it is one to nine ASCII digits (spaces around them allowed), else None.

    Example:
        >>> small_int(" 12 "), small_int("²"), small_int("1" * 5000), small_int(None)
        (12, None, None, None)
    """
    match = _SMALL_INT.fullmatch(text) if text else None
    return int(match.group(1)) if match else None


def letter_suffix(i: int) -> str:
    """The i-th (0-based) letter suffix, counted as citeproc-js counts year suffixes and as citation keys do.

    Example:
        >>> letter_suffix(0), letter_suffix(25), letter_suffix(26)
        ('a', 'z', 'aa')
    """
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(97 + rem) + out
    return out
