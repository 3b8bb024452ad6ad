"""Crossref work records (JSON) -> :class:`~refkit.model.Reference`.

Titles come with markup: HTML-like tags (``<i>``, ``<sub>``, ``<scp>``), JATS and MathML elements
(``<mml:math>``), sometimes escaped once more (``&lt;scp&gt;``). The text is kept and every tag is dropped, since a
Reference holds plain text; a ``<`` that does not open a tag ("p < 0.05") stays.

A book's ``page`` that is one number is its page count, not a page range: it goes to ``note`` as
``number-of-pages: N``, the line Zotero's Extra field and citeproc-js read as that CSL variable.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from refkit.model import Person, Reference
from refkit.parse.fields import is_name_suffix

__all__ = ["date_parts", "to_reference"]

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


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if value in (None, ""):
        return None
    # Tags are removed before and after unescaping: "&lt;scp&gt;" is a tag escaped once more, "&amp;" a character.
    text = html.unescape(_TAG.sub("", str(value)))
    text = _TAG.sub("", text)
    return re.sub(r"\s+", " ", text).strip() or None


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


def to_reference(record: Mapping[str, Any]) -> Reference:
    """The Reference a Crossref work record describes.

    Example:
        >>> to_reference({"DOI": "10.1/x", "title": ["A"], "issued": {"date-parts": [[2016, 2]]}}).issued
        (2016, 2)
    """
    title = _first(record.get("title"))
    subtitle = _first(record.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    page = _first(record.get("page")) or _first(record.get("article-number"))
    note = None
    if page and str(record.get("type", "")) in _BOOK_TYPES and page.isdigit():
        note, page = f"number-of-pages: {page}", None
    return Reference(
        raw="",
        type=_TYPES.get(
            str(record.get("type", "")), "article-journal" if record.get("container-title") else "document"
        ),
        author=tuple(_person(a) for a in record.get("author") or () if isinstance(a, Mapping)),
        editor=tuple(_person(a) for a in record.get("editor") or () if isinstance(a, Mapping)),
        issued=date_parts(record, "issued")
        or date_parts(record, "published-print")
        or date_parts(record, "published-online"),
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
