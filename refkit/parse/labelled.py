"""Labelled reference strings: the label set, the example type, and labelled pieces -> tokens and labels.

Every corpus reader of :mod:`refkit.parse.corpus` and every rendered string of :mod:`refkit.parse.styles` comes
through :func:`examples_from_pieces`, so that the label conventions are one: punctuation tokens at the edge of a
field are ``other`` (AnyStyle keeps "Smith, J." with its trailing dot, GROBID leaves it out), the gaps between two
names of the same list or between first and last page join the field, a DOI/URL field keeps only the identifier
token ("doi:" is a separator), a URL that is a doi.org link is a DOI, cue words ("In:", "pp.", "Vol.", "(eds.)")
are separators, and an edition a corpus has no tag for ("2nd edn" as a GROBID note) is the edition.

Example:
    >>> ex = examples_from_pieces([("Smith J", "author"), (". ", None), ("Title", "title"), (".", None)])
    >>> list(zip(ex[0], ex[1]))
    [('Smith', 'author'), ('J', 'author'), ('.', 'other'), ('Title', 'title'), ('.', 'other')]
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from refkit.parse.features import tokenize

__all__ = ["LABELS", "LEADING_CUES", "Example", "bucket", "clean_labels", "examples_from_pieces", "field_strings"]

LABELS = (
    "author",
    "editor",
    "issued",
    "title",
    "container-title",
    "volume",
    "issue",
    "page",
    "publisher",
    "publisher-place",
    "edition",
    "DOI",
    "PMID",
    "URL",
    "citation-number",
    "note",
    "other",
)

#: PLOS articles held out for testing: 25 of the 98 (those whose file name's sha1 falls in bucket 0 of 5),


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled reference string.

    Attributes:
        text: the printed string.
        tokens: token texts (see :func:`refkit.parse.features.tokenize`).
        labels: one label per token.
        source: ``plos``, ``anystyle``, ``grobid``, ``grobid-eval`` or ``synthetic``.
        group: file (and for AnyStyle, sequence) it came from.
        split: ``train``, ``dev`` or ``test``.
    """

    text: str
    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    source: str
    group: str
    split: str


def bucket(key: str, n: int) -> int:
    """A stable hash bucket of ``key`` among ``n`` (the same on every machine and run)."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % n


_WS_RE = re.compile(r"\s+")
_GAP_RE = re.compile(r"^[\s,;.&\u2013\u2014-]*(?:and|&|et|und)?[\s,;.]*$")
_GAP_LABELS = frozenset({"author", "editor", "page"})
_AUTO_DOI_RE = re.compile(r"doi\.org/10\.|^10\.\d{4,9}/", re.I)


def examples_from_pieces(pieces: list[tuple[str, str | None]]) -> tuple[list[str], list[str], str]:
    """Tokens, labels and text of a string given as labelled pieces (``None`` = separator).

    Whitespace runs become one space; see the module docstring for the label clean-up.
    """
    chars: list[str] = []
    char_labels: list[str | None] = []
    for text, label in pieces:
        for ch in _WS_RE.sub(" ", text):
            if ch == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(ch)
            char_labels.append(label)
    while chars and chars[-1] == " ":
        chars.pop()
        char_labels.pop()
    text = "".join(chars)
    # Fill separator gaps between two spans of the same name list or page range.
    runs: list[tuple[int, int, str | None]] = []
    for i, lab in enumerate(char_labels):
        if runs and runs[-1][2] == lab:
            runs[-1] = (runs[-1][0], i + 1, lab)
        else:
            runs.append((i, i + 1, lab))
    for k in range(1, len(runs) - 1):
        start, end, lab = runs[k]
        left, right = runs[k - 1][2], runs[k + 1][2]
        if lab is None and left == right and left in _GAP_LABELS and _GAP_RE.match(text[start:end]):
            for i in range(start, end):
                char_labels[i] = left
    tokens = tokenize(text)
    labels = [char_labels[t.start] or "other" for t in tokens]
    words = [t.text for t in tokens]
    clean_labels(words, labels)
    return words, labels, text


LEADING_CUES = {
    "container-title": frozenset({"in", "dans", "en"}),
    "editor": frozenset({"in", "dans", "en"}),
    "page": frozenset({"p", "pp", "pages", "page", "s", "pág", "págs", "str"}),
    "volume": frozenset({"vol", "vols", "volume", "v", "bd", "band", "tome", "t", "jg", "volº"}),
    "issue": frozenset({"no", "nos", "nr", "n", "issue", "num", "nomor", "heft", "h", "iss", "°", "º"}),
}
_EDITOR_TRAIL = frozenset({"eds", "ed", "editor", "editors", "hrsg", "hg", "dir", "dirs", "coord", "éd", "éds"})
_TRAILING_CUES = {"editor": _EDITOR_TRAIL, "author": _EDITOR_TRAIL, "page": frozenset({"p", "pp", "s"})}


_ORDINAL_RE = re.compile(
    r"^(?:\d{1,2}(?:st|nd|rd|th|e|er|ème)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"revised|new|erste|zweite|dritte)$",
    re.I,
)
_EDITION_WORDS = frozenset({"edn", "ed", "edition", "éd", "édition", "aufl", "auflage", "ausg", "ausgabe"})


def _edition_labels(words: list[str], labels: list[str]) -> None:
    """An edition the corpus has no tag for is the edition: GROBID labels "2nd edn" a note, or leaves it at the end
    of the book's title ("Title, 2nd edn"), where AnyStyle and JATS label it ``edition``."""
    n = len(words)
    for k in range(1, n):
        if words[k].lower() not in _EDITION_WORDS:
            continue
        j = k - 2 if words[k - 1] == "." and k >= 2 else k - 1  # "5. Aufl"
        lab = labels[k]
        if lab not in ("note", "title", "container-title") or labels[j] != lab or not _ORDINAL_RE.match(words[j]):
            continue
        end = k + 1
        while end < n and labels[end] == lab and not words[end].isalnum():
            end += 1
        if lab == "note":
            start = j
            while start > 0 and labels[start - 1] == "note":
                start -= 1
            rest = [w for m in (*range(start, j), *range(end, n)) if labels[m] == "note" for w in (words[m],)]
            if any(w.isalnum() for w in rest[: j - start]) or (end < n and labels[end] == "note"):
                continue
        elif (end < n and labels[end] == lab) or j == 0 or labels[j - 1] != lab or words[j - 1] not in ",.;(":
            continue
        for m in range(j, k + 1):
            labels[m] = "edition"


def _runs(labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` of each run of one label, as the labels stand now."""
    out = []
    start = 0
    for label, group in itertools.groupby(labels):
        end = start + sum(1 for _ in group)
        out.append((label, start, end))
        start = end
    return out


def clean_labels(words: list[str], labels: list[str]) -> None:
    """Bring one string's token labels to the shared conventions, in place (see the module's docstring)."""
    _edition_labels(words, labels)
    for i, w in enumerate(words):
        if len(w) > 4 and labels[i] in ("URL", "DOI", "note", "other") and _AUTO_DOI_RE.search(w):
            labels[i] = "DOI"
    for lab, i, j in _runs(labels):
        if lab != "other":
            if lab in ("DOI", "URL"):
                keep = "/" in "".join(words[i:j]) or lab == "URL"
                for k in range(i, j):
                    w = words[k]
                    if not (len(w) > 3 and ("/" in w or "." in w)) and keep:
                        labels[k] = "other"
            elif lab == "PMID":
                for k in range(i, j):
                    if not words[k].isdigit():
                        labels[k] = "other"
            else:
                a, b = i, j
                # Cue words are separators, whichever corpus put them inside the field: "In:" before a
                # container or editors, "pp." before pages, "Vol." / "No." before volume and issue, "(eds.)"
                # after editors.
                lead = LEADING_CUES.get(lab)
                if lead:
                    while (
                        a < b
                        and (words[a].lower() in lead or not words[a].isalnum())
                        and (b - a > 1 and any(w.isalnum() and w.lower() not in lead for w in words[a + 1 : b]))
                    ):
                        labels[a] = "other"
                        a += 1
                trail = _TRAILING_CUES.get(lab)
                if trail:
                    while b > a + 1 and (words[b - 1].lower() in trail or not words[b - 1].isalnum()):
                        labels[b - 1] = "other"
                        b -= 1
                while a < b and not words[a].isalnum() and words[a] not in '(["\u201c':
                    labels[a] = "other"
                    a += 1
                while b > a and not words[b - 1].isalnum():
                    labels[b - 1] = "other"
                    b -= 1
                # Brackets left open or closed at an edge of the field are separators too.
                if a < b and words[a] in '(["\u201c' and not any(w in ')]"\u201d' for w in words[a:b]):
                    labels[a] = "other"


def field_strings(text: str, tokens: list[str], labels: list[str]) -> dict[str, list[str]]:
    """The field values of a labelled sequence: each run of one label, as its substring of ``text``.

    ``tokens`` must be the output of ``tokenize(text)`` (texts only); runs of ``other`` are skipped.
    """
    toks = tokenize(text)
    if [t.text for t in toks] != list(tokens):
        raise ValueError("tokens do not come from tokenize(text)")
    out: dict[str, list[str]] = {}
    for lab, i, j in _runs(labels):
        if lab != "other":
            out.setdefault(lab, []).append(text[toks[i].start : toks[j - 1].end])
    return out
