"""Crossref work records (JSON) -> :class:`~refkit.model.Reference`.

Titles come with markup: HTML-like tags (``<i>``, ``<sub>``, ``<scp>``), JATS and MathML elements
(``<mml:math>``), sometimes escaped once more (``&lt;scp&gt;``, even ``&amp;lt;scp&amp;gt;``). :func:`rich_text`
turns it into the rich text CSL-JSON, citeproc-js and Zotero know (``<i>``, ``<b>``, ``<sub>``, ``<sup>`` and
``<span style="font-variant:small-caps;">``; other tags are dropped, their text kept), with a space put back where
Crossref has none between a word and an italic, bold or small-caps run ("of<i>Burkholderia</i>BS001" is "of
*Burkholderia* BS001" on the publisher's page). A Reference holds the plain form (:func:`plain_text`), which every
stage compares and shows; the exporters take the marked-up form from the record again (:func:`rich_title`). A
``<`` that does not open a tag ("p < 0.05") stays.

A book's ``page`` that is one number is its page count, not a page range: it goes to ``note`` as
``number-of-pages: N``, the line Zotero's Extra field and citeproc-js read as that CSL variable.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping
from typing import Any

from refkit.model import Person, Reference
from refkit.parse.fields import is_name_suffix

__all__ = [
    "DROPPED",
    "date_parts",
    "kept",
    "plain_text",
    "record_issued",
    "record_page",
    "record_people",
    "record_text",
    "record_title",
    "rich_text",
    "rich_title",
    "strip_rich_text",
    "to_reference",
]

_TYPES = {
    "journal-article": "article-journal",
    "book": "book",
    "edited-book": "book",
    "monograph": "book",
    "reference-book": "book",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "entry",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "report": "report",
    "dissertation": "thesis",
    "dataset": "dataset",
    "standard": "standard",
    "peer-review": "review",
}


# A tag as deposited: a name right after "<" (with an XML prefix), attributes, maybe self-closing.
_TAG = re.compile(r"</?[A-Za-z][\w.-]*(?::[\w.-]+)?(?:\s[^<>]*)?/?>")
_BOOK_TYPES = frozenset(["book", "edited-book", "monograph", "reference-book"])


# Crossref's and JATS's names for the inline markup CSL rich text has.
_RICH = {
    "i": "i",
    "em": "i",
    "italic": "i",
    "b": "b",
    "strong": "b",
    "bold": "b",
    "sub": "sub",
    "sup": "sup",
    "scp": "sc",
    "sc": "sc",
}
_OPEN = {"i": "<i>", "b": "<b>", "sub": "<sub>", "sup": "<sup>", "sc": '<span style="font-variant:small-caps;">'}
_CLOSE = {"i": "</i>", "b": "</b>", "sub": "</sub>", "sup": "</sup>", "sc": "</span>"}
# Markup escaped once or twice more ("&lt;i&gt;", "&amp;lt;scp&amp;gt;"): a known tag name between the entities.
_ESCAPED_TAG = re.compile(
    r"&(?:amp;)?lt;(/?(?:[a-z]+:)?(?:" + "|".join(_RICH) + r"))(?:\s[^&<>]*)?&(?:amp;)?gt;", re.IGNORECASE
)
_TOKEN = re.compile(r"(</?[A-Za-z][\w.-]*(?::[\w.-]+)?(?:\s[^<>]*)?/?>)")
_RICH_TAG = re.compile(r"</?(?:i|b|sub|sup)>|<span style=\"font-variant:small-caps;\">|</span>")


def rich_text(value: str) -> str:
    """Crossref markup as CSL rich text: known tags mapped, others dropped, entities decoded, glued words spaced.

    Example:
        >>> rich_text("Dynamics of<i>Burkholderia</i>BS001 &amp;lt;scp&amp;gt;MMC&amp;lt;/scp&amp;gt; H<sub>2</sub>O")
        'Dynamics of <i>Burkholderia</i> BS001 <span style="font-variant:small-caps;">MMC</span> H<sub>2</sub>O'
    """
    text = _ESCAPED_TAG.sub(r"<\1>", str(value))
    out: list[str] = []
    stack: list[str] = []
    for i, token in enumerate(_TOKEN.split(text)):
        if i % 2 == 0:
            # CSL rich text is plain text but for its few tags: entities decoded, stray (MathML) tags dropped
            out.append(_TAG.sub("", html.unescape(token)))
            continue
        name = token.strip("</>").split()[0].split(":")[-1].lower() if token.strip("</>") else ""
        kind = _RICH.get(name)
        if name == "span" and ("small-caps" in token or (token.startswith("</") and stack[-1:] == ["sc"])):
            kind = "sc"  # CSL rich text's own small caps, when the text is read back from an export
        if kind is None:
            continue
        closing = token.startswith("</")
        if closing:
            if not stack or stack[-1] != kind:
                return _without_tags(text)  # crossed or unbalanced markup: the text alone is safer
            stack.pop()
            out.append(_CLOSE[kind])
        else:
            stack.append(kind)
            out.append(_OPEN[kind])
    if stack:
        return _without_tags(text)
    joined = "".join(out)
    # A word run into an italic, bold or small-caps run (not a subscript: "H<sub>2</sub>O") gets its space back.
    joined = re.sub(r"(\w)(<(?:i|b|span [^>]*)>)(?=\w)", r"\1 \2", joined)
    joined = re.sub(r"(?<=\w)(</(?:i|b|span)>)(\w)", r"\1 \2", joined)
    return re.sub(r"\s+", " ", joined).strip()


def plain_text(value: str) -> str:
    """The text of marked-up Crossref or CSL rich text, every tag dropped.

    Example:
        >>> plain_text("of<i>Burkholderia</i>BS001, p < 0.05, &lt;scp&gt;MMC&lt;/scp&gt;")
        'of Burkholderia BS001, p < 0.05, MMC'
    """
    if "<" not in value and "&" not in value:
        return " ".join(value.split())  # runs of white space made one space (str.split and \s agree on what is)
    text = rich_text(value) if _TOKEN.search(value) or _ESCAPED_TAG.search(value) else html.unescape(value)
    return _without_tags(text)


def _without_tags(text: str) -> str:
    # Tags are removed before and after unescaping: "&lt;mml:mi&gt;" is a tag escaped once more.
    text = _TAG.sub("", html.unescape(_TAG.sub("", text)))
    return re.sub(r"\s+", " ", text).strip()


def strip_rich_text(value: str) -> str:
    """CSL rich text (what :func:`rich_text` writes) as plain text. Only tags that open and close in pairs are
    markup; anything else (``<script>``, a lone ``<b>``) is text and stays.

    Example:
        >>> strip_rich_text('<i>E. coli</i> and <span style="font-variant:small-caps;">MMC</span> <script> <b>')
        'E. coli and MMC <script> <b>'
    """
    stack: list[str] = []
    pairs: list[tuple[int, int]] = []
    opened: list[tuple[int, int]] = []
    for match in _RICH_TAG.finditer(value):
        tag = match.group(0)
        name = "span" if tag.startswith(("<span", "</span")) else tag.strip("</>")
        if not tag.startswith("</"):
            stack.append(name)
            opened.append(match.span())
        elif stack and stack[-1] == name:
            stack.pop()
            pairs.extend([opened.pop(), match.span()])
        else:
            return value  # crossed tags: not markup refkit wrote
    out, last = [], 0
    for start, end in sorted(pairs):
        out.append(value[last:start])
        last = end
    out.append(value[last:])
    return "".join(out)


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if value in (None, ""):
        return None
    return plain_text(str(value)) or None


def _first_rich(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if value in (None, ""):
        return None
    return rich_text(str(value)) or None


def rich_title(record: Mapping[str, Any]) -> str | None:
    """The title of a Crossref record (or a CSL-JSON item) as CSL rich text; its plain form is the Reference's title.

    Example:
        >>> rich_title({"title": ["Life of<i>E. coli</i>"], "subtitle": ["a study"]})
        'Life of <i>E. coli</i>: a study'
    """
    title = _first_rich(record.get("title"))
    subtitle = _first_rich(record.get("subtitle")) if isinstance(record.get("title"), list) else None
    if title and subtitle and plain_text(subtitle).lower() not in plain_text(title).lower():
        title = f"{title}: {subtitle}"
    return title


def _person(name: Mapping[str, Any]) -> Person:
    person = Person.from_csl(name)
    # a generational suffix some publishers deposit inside the family name ("Raimundo, Jr.")
    family, _, tail = (person.family or "").rpartition(",")
    if family.strip() and is_name_suffix(tail, placed=True) and not person.suffix:
        return Person(family.strip(), person.given, suffix=tail.strip())
    return person


def date_parts(record: Mapping[str, Any], name: str) -> tuple[int, ...]:
    """The date-parts of a Crossref date field (``issued``, ``published-print``...), or ()."""
    value = record.get(name)
    if not isinstance(value, Mapping):
        return ()
    parts = (value.get("date-parts") or [[]])[0] or []
    try:
        return tuple(int(p) for p in parts if p is not None)
    except (TypeError, ValueError):
        return ()


def record_text(record: Mapping[str, Any], key: str) -> str | None:
    """The plain text of a Crossref record's field (the first of a list), or None."""
    return _first(record.get(key))


def record_title(record: Mapping[str, Any]) -> str | None:
    """The plain title of a Crossref record, its subtitle joined after a colon (the Reference's ``title``)."""
    title = _first(record.get("title"))
    subtitle = _first(record.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    return title


def record_page(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The pages of a Crossref record (or its article number), and a note of a book's page count given as its
    ``page`` instead (then the pages are None)."""
    page = _first(record.get("page")) or _first(record.get("article-number"))
    if page and str(record.get("type", "")) in _BOOK_TYPES and page.isdigit():
        return None, f"number-of-pages: {page}"
    return page, None


def record_people(record: Mapping[str, Any], role: str = "author", limit: int | None = None) -> tuple[Person, ...]:
    """The people of a Crossref record in ``role`` (``author``, ``editor``), the first ``limit`` of them."""
    people = (_person(a) for a in record.get(role) or () if isinstance(a, Mapping))
    return tuple(itertools.islice(people, limit))


def record_issued(record: Mapping[str, Any]) -> tuple[int, ...]:
    """The date-parts of a Crossref record's date of issue (else of print, else of online publication)."""
    return (
        date_parts(record, "issued") or date_parts(record, "published-print") or date_parts(record, "published-online")
    )


def to_reference(record: Mapping[str, Any]) -> Reference:
    """The Reference a Crossref work record describes.

    Example:
        >>> to_reference({"DOI": "10.1/x", "title": ["A"], "issued": {"date-parts": [[2016, 2]]}}).issued
        (2016, 2)
    """
    title = record_title(record)
    page, note = record_page(record)
    return Reference(
        raw="",
        type=_TYPES.get(
            str(record.get("type", "")), "article-journal" if record.get("container-title") else "document"
        ),
        author=record_people(record, "author"),
        editor=record_people(record, "editor"),
        issued=record_issued(record),
        title=title,
        container_title=_first(record.get("container-title")),
        container_title_short=_first(record.get("short-container-title")),
        volume=_first(record.get("volume")),
        issue=_first(record.get("issue")),
        page=page,
        publisher=_first(record.get("publisher")),
        publisher_place=_first(record.get("publisher-location")),
        doi=_first(record.get("DOI")),
        url=_first(record.get("URL")),
        issn=_first(record.get("ISSN")),
        note=note,
    )


#: Parts of a registry's record a match does not keep. The work's own list of references, half of an average
#: Crossref record, is of no use to a citation of it; nor are the abstract, links, licences, funders, subjects,
#: the registry's own time stamps and the like, which no stage reads and which are two thirds of the rest. A run
#: keeps a record for each work it matched: what it keeps of one is what a million citations multiply.
DROPPED = frozenset(
    [
        "reference",
        "abstract",
        "alternative-id",
        "assertion",
        "content-domain",
        "created",
        "deposited",
        "funder",
        "indexed",
        "issn-type",
        "journal-issue",
        "license",
        "link",
        "resource",
        "subject",
    ]
)


def kept(record: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a registry's record a :class:`Match` keeps as its ``message`` (``record`` itself when that is
    all of it, so that the citations of one work share one copy).

    Example:
        >>> sorted(kept({"DOI": "10.1/x", "reference": [{"key": "r1"}]}))
        ['DOI']
    """
    if isinstance(record, dict) and DROPPED.isdisjoint(record):
        return record
    return {k: v for k, v in record.items() if k not in DROPPED}
