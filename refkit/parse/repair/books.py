"""Books and chapters: the edition left at the end of a title or read as the publisher or the volume, place and
publisher read as one field, and a chapter's book read with its title."""

from __future__ import annotations

import re
from typing import Any

from refkit.model import Reference
from refkit.parse.features import place_names, tokenize

# "Dermatologie und Venerologie, 5. Aufl." / "Dermatology in general medicine, 7th edn": the edition ends the title
_EDITION_TAIL = re.compile(
    r"(?:,|\.)?\s+(?P<edition>(?:\d{1,2}(?:st|nd|rd|th|e|\.)?|first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth|tenth|revised|rev\.)\s*(?:edn|ed|edition|éd|édition|Aufl|Auflage|Ausg|Ausgabe)\.?)\s*$",
    re.I,
)

_EDITION_WORD = re.compile(r"\b(?:edn|ed|edition|éd|édition|Aufl|Auflage)\b", re.I)

_PUBLISHER_WORD = re.compile(
    r"\b(?:Press|Verlag|Publish\w*|Books|Inc|Ltd|Co|GmbH|University|Editions?|Éditions|Editora|Editorial|Wiley|"
    r"Springer|Elsevier)\b"
)

_PLACE_PUBLISHER = re.compile(r"(?P<place>[^:;,()]{2,40}?)\s*:\s*(?P<publisher>[^:;]{2,80})")


def _edition(ref: Reference) -> dict[str, Any]:
    """An edition printed at the end of a book's title (or a chapter's book) is the edition."""
    for attr in ("title", "container_title") if ref.type in ("book", "chapter") else ("title",):
        value = getattr(ref, attr)
        found = _EDITION_TAIL.search(value or "")
        if found and found.start() > 0:
            return {attr: value[: found.start()].rstrip(" ,."), "edition": found["edition"].rstrip(".")}
    return {}


_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th|e)", re.I)

# "Second Edition ed: Chapman & Hall", "2nd edn. Springer": the edition read as the start of the publisher
_EDITION_HEAD = re.compile(
    r"(?P<edition>(?:\d{1,2}(?:st|nd|rd|th)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"[IVX]{1,4})\s+(?:edition\s+ed|edn|ed|edition))\.?\s*[:.,]\s*(?P<publisher>[A-Z].+)",
    re.I,
)

_EDITION_VOLUME = re.compile(r"(?:\d{1,2}(?:st|nd|rd|th|e)?|[IVX]{1,4})\s+(?:edn|ed|edition)\.?", re.I)

_EDITION_THEN_VOLUME = re.compile(r"(?P<edition>.+?\b(?:edn|ed|edition))\.?\s+(?P<volume>\d{1,4})", re.I)


def _edition_read_as_volume(volume: str, raw: str) -> dict[str, Any]:
    """ "II ed": an edition read as the volume; "1st" read as the volume before "ed" ("1st ed: Sinauer")."""
    if _EDITION_VOLUME.fullmatch(volume):
        return {"volume": None, "edition": volume.rstrip(".")}
    if _ORDINAL.fullmatch(volume):
        found = re.search(re.escape(volume) + r"\s+(?:edn|ed|edition)\b\.?", raw, re.I)
        if found:
            return {"volume": None, "edition": found.group().rstrip(".")}
    return {}


def _edition_before_publisher(publisher: str) -> dict[str, Any]:
    found = _EDITION_HEAD.fullmatch(publisher)
    return {"edition": found["edition"], "publisher": found["publisher"]} if found else {}


def _volume_read_with_edition(ref: Reference) -> dict[str, Any]:
    """ "2nd ed. 14": the volume read with the edition."""
    found = _EDITION_THEN_VOLUME.fullmatch(ref.edition or "")
    if found and ref.volume in (None, found["volume"]):
        return {"edition": found["edition"], "volume": found["volume"]}
    return {}


def _imprint(ref: Reference) -> dict[str, Any]:
    """ "London : Abacus" read as one place (or one publisher) is the place, then the publisher ("Liturgical Press:
    Collegeville", the other way round, when only the first part names a publisher)."""
    if ref.publisher and ref.publisher_place:
        # "Springer, New York" | "New York, USA": the place that ends the publisher begins the place
        head, comma, tail = ref.publisher.rpartition(", ")
        if comma and head and _is_place(tail) and not _is_place(head):
            return {"publisher": head, "publisher_place": f"{tail}, {ref.publisher_place}"}
        return {}
    text = ref.publisher_place if not ref.publisher else ref.publisher if not ref.publisher_place else None
    place, stop, publisher = (text or "").partition(". ")
    if stop and _is_place(place, initials=False) and publisher[:1].isupper() and not _is_place(publisher):
        return {"publisher_place": place, "publisher": publisher.rstrip(" .")}  # "New York. Springer"
    found = _PLACE_PUBLISHER.fullmatch(text or "")
    if found is None:
        return _publisher_then_place(text or "")
    place, publisher = found["place"].strip(), found["publisher"].strip()
    if not place[:1].isupper() or re.search(r"\d", place) or _EDITION_WORD.search(place):
        return {}
    if _PUBLISHER_WORD.search(place) and not _PUBLISHER_WORD.search(publisher):
        place, publisher = publisher, place
    return {"publisher_place": place, "publisher": publisher}


# countries written as their initials after a publisher ("Oxford University Press, UK")
_COUNTRY_INITIALS = frozenset({"uk", "u . k", "usa", "u . s . a", "us", "u . s"})


def _is_place(text: str, *, initials: bool = True) -> bool:
    """Whether ``text`` is a known place of publication (or, with ``initials``, a country's initials: "UK")."""
    names, _ = place_names()
    key = " ".join(t.text for t in tokenize(text.strip(" .").lower()))
    return key in names or (initials and key in _COUNTRY_INITIALS)


def _publisher_then_place(text: str) -> dict[str, Any]:
    """ "Seuil, Paris" or "Van Nostrand Reinhold, New York" read as one field: from the first part that names a known
    place on, the place; before it, the publisher."""
    parts = re.split(r"\s*,\s*", text.strip())  # "Dover,Mineola ,NY" as PDFs space it too
    if len(parts) < 2 or _is_place(parts[0]):
        return {}
    for j in range(1, len(parts)):
        if _is_place(parts[j]):
            publisher = ", ".join(parts[:j]).strip()
            words = publisher.split()
            # a publisher's name, not a place the list lacks ("Capri, Italy", "at Bologna, Italy")
            named = len(words) >= 2 and all(w[:1].isupper() or w in ("&", "and", "of") for w in words)
            if "." in publisher or not (_PUBLISHER_WORD.search(publisher) or named):
                return {}
            return {"publisher": publisher, "publisher_place": ", ".join(parts[j:]).strip(" .")}
    return {}


# "Magnetometry. In Remote Sensing in Archaeology", "Boethius and logic. In: Boethius: His Life": not "In vitro";
# after a quotation: "« Hommages publics », dans Actes du colloque", "“Plato’s Pharmacy,” in Dissemination"
_BOOK_IN_TITLE = re.compile(
    r"(?P<title>.{8,}?)(?:(?<=[.?!])[\"”’]?\s+In:?|\s*[»”\"’]\s*[.,]?\s*(?:[Ii]n:?|[Dd]ans|[Ee]n:?))\s+"
    r"(?!(?:vitro|vivo|situ|silico|utero|press)\b)(?P<book>[A-Z\u00c0-\u00de].{3,})"
)


def _book_in_title(ref: Reference) -> dict[str, Any]:
    """A chapter's book read with its title ("Magnetometry. In Remote Sensing in Archaeology"): after "In", the
    book is the container."""
    found = _BOOK_IN_TITLE.fullmatch(ref.title or "")
    if found is None:
        return {}
    title = found["title"]
    return {"title": title[:-1] if title.endswith(".") else title, "container_title": found["book"], "type": "chapter"}
