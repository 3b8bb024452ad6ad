"""The title/journal boundary: a journal glued to the title or a title's sentence read as the journal, where no full
stop marks the boundary or a comma or a quotation does, and an organisation read as the start of the title."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from refkit import journals
from refkit.model import Person, Reference
from refkit.parse.features import journal_words


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    """A name's compact journal key (:func:`refkit.journals.compact_key`), cached: journal names repeat through a
    reference list."""
    return journals.compact_key(name)


# "Journal Name." or "Journal Name" right before a year that opens a locator or ends the reference
# (the spaces around the name are taken whole, possessively: a long run of spaces took minutes of backtracking)
_BEFORE_YEAR = re.compile(
    r"[.?!]\s++(?P<journal>[^.?!;:()\[\]\s][^.?!;:()\[\]]{2,119}?)[.,]?\s++(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
    r"\s*(?:[;:.]|$)"
)


def _journal_tail(text: str, raw: str) -> tuple[str, str] | None:
    """``text`` cut into (head, journal) where its last sentence is a name that a year follows in ``raw``."""
    for found in _BEFORE_YEAR.finditer(raw):
        journal = found["journal"].strip()
        head = text[: len(text) - len(journal)].rstrip()
        if text.endswith(journal) and head.endswith((".", "?", "!")) and len(journal.split()) <= 12:
            return head.rstrip("."), journal
    return None


def _split_journal(raw: str, ref: Reference) -> dict[str, Any]:
    """Title and journal cut apart where the parser put the boundary in the wrong sentence."""
    if ref.publisher or ref.type not in ("article-journal", "document") or not ref.title:
        return {}
    if ref.container_title:
        # the title's tail taken as the start of the journal ("LOOP: II" | "OBSERVATIONS ... BLOOD. Archives
        # Intern Med"): the journal's last sentence is the journal
        cut = _journal_tail(ref.container_title, raw)
        if cut is not None and f"{ref.title}. {cut[0]}" in raw:
            return {"title": f"{ref.title}. {cut[0]}", "container_title": cut[1]}
        return {}
    # an unfamiliar journal glued to the title ("Title. Transactions of the Lowland Society")
    cut = _journal_tail(ref.title, raw)
    if cut is not None and cut[1][:1].isupper() and len(cut[0].split()) >= 2:
        return {"title": cut[0], "container_title": cut[1], "type": "article-journal"}
    return {}


_ORGANISATION = re.compile(
    r"\b(?:Organi[sz]ation|Association|Society|Institute|Committee|Agency|Council|Foundation|Ministry|"
    r"Department|Cent(?:er|re)s? for|Consortium|Collaboration|Commission|Bureau|Authority|Staff|Federation)\b"
)


def _journal_after_sentence(ref: Reference) -> dict[str, Any]:
    """A sentence of the title read as the start of the journal ("Le prurit. Une revue. Ann Dermatol Venereol"):
    where the whole name is no known journal but what follows a full stop is, what comes before it belongs to the
    title."""
    container = ref.container_title or ""
    known = journals.compact_keys()  # the parser's features hold them already: no index to load
    if ". " not in container or _key(container) in known:
        return {}
    at = container.find(". ")
    while at > 0:
        head, tail = container[:at], container[at + 2 :]
        last = head.rsplit(maxsplit=1)[-1].lower()
        if (
            len(tail.split()) >= 2
            and re.search(r"[^\W\d_]{4,}", head)
            and last not in journal_words()  # "Math. Proc. Camb. Philos. Soc": an abbreviation, not a sentence
            and _key(tail) in known
        ):
            title = f"{ref.title}. {head}" if ref.title else head
            if title in (ref.raw or ""):
                return {"title": title, "container_title": tail}
            return {}
        at = container.find(". ", at + 2)
    return {}


def _journal_boundary_in_words(ref: Reference) -> dict[str, Any]:
    """A known journal whose first words end the title ("... prototype facility Class" | "Quantum Grav"), or a
    title whose last words start the journal ("... suspension system Rev.Sci .Instrum"): the boundary moved to
    where the whole name is a known journal and its parts are not (strings from PDFs often lose the full stop
    between title and journal)."""
    title, container, raw = ref.title or "", ref.container_title or "", ref.raw or ""
    known = journals.compact_keys()
    if not title or not container or _key(container) in known:
        return {}
    at = raw.find(container)
    end_title = raw.find(title)
    if at < 0 or end_title < 0 or end_title + len(title) > at:
        return {}
    words = title.split()
    for k in range(1, min(3, len(words) - 1) + 1):
        if not words[-k].lstrip(".")[:1].isupper():  # a journal's words are capitalised
            break
        start = raw.rfind(words[-k], end_title, at)  # the words as printed, with what separates them
        if start < 0:
            break
        whole = raw[start : at + len(container)]
        key = _key(whole)
        if len(key) >= 8 and key in known and re.search(r"[^\W\d_]{3}", " ".join(words[:-k])):
            return {"title": raw[end_title:start].rstrip(" .,"), "container_title": " ".join(whole.split())}
    parts = container.split()
    for k in range(1, min(2, len(parts) - 2) + 1):
        if not all(w.isalpha() and w.islower() for w in parts[:k]):  # a title's last words, not a journal's first
            break
        rest = " ".join(parts[k:])
        if len(_key(rest)) >= 8 and _key(rest) in known:
            head = raw[at : at + len(" ".join(parts[:k]))]  # the container is as printed at ``at``
            return {"title": " ".join(f"{title} {head}".split()), "container_title": rest}
    return {}


_QUOTED_HEAD = re.compile(r"(?P<title>[^\"“”]{2,}?)[.,]?[\"”][.,]?\s+(?P<rest>\S.*)")


def _opens_quote(raw: str, text: str) -> bool:
    """Whether ``text`` stands in ``raw`` right after an opening quotation mark."""
    at = raw.find(text)
    return at > 0 and raw[:at].rstrip()[-1:] in "\"“'‘"


def _quoted_title(ref: Reference) -> dict[str, Any]:
    """A quoted title read as the start of the publisher or the container ('"Spheromaks." Imperial College Press',
    '"Nuclei in the Cosmos" World Scientific'): the quotation is the title."""
    raw = ref.raw or ""
    for attr in ("publisher", "container_title"):
        value = getattr(ref, attr)
        found = _QUOTED_HEAD.fullmatch(value or "") if value and ('"' in value or "”" in value) else None
        if found and _opens_quote(raw, found["title"]):
            return {"title": found["title"].strip(), attr: found["rest"].rstrip(" .,")}
    return {}


_QUOTED_TITLE_THEN = re.compile(r"(?P<head>.{8,}?)['’\"”]\s+(?P<tail>[A-Z\u00c0-\u00de][^'’\"”]{3,})")

_VOLUME_AFTER = re.compile(r"\W{0,3}\s*(?:vol\.?\s*)?(?=\w)", re.I)


def _journal_at_title_end(ref: Reference) -> dict[str, Any]:
    """A journal read as the title's last sentence, the volume right after it ("Title. 農業経営研究, 47(3), 1-10",
    "Title. Information and Management 12: 1-9"), or after the quotation that holds the title ("'U-Net: ...
    segmentation' Medical Image Computing, Vol.9351"): an article has a journal, and it stands before its volume."""
    title, volume, raw = ref.title or "", ref.volume or "", ref.raw or ""
    quoted = _QUOTED_TITLE_THEN.fullmatch(title) if any(q in title for q in "'’\"”") else None
    if quoted and _opens_quote(raw, quoted["head"]):
        head, tail = quoted["head"], quoted["tail"]
    elif ". " in title:
        head, _, tail = title.rpartition(". ")
    else:
        return {}
    tail = tail.strip()
    if not tail or len(tail.split()) > 12 or not re.search(r"[^\W\d_]{3}", head) or tail[:1].isdigit():
        return {}
    last = head.rsplit(maxsplit=1)[-1].lower() if head.split() else ""
    if last in journal_words() or len(last) <= 2 or "." in last:  # "Proc. Natl", "J. Biol", "B.U. Int'l L.J"
        return {}
    at = raw.find(tail)
    after = _VOLUME_AFTER.match(raw, at + len(tail)) if at >= 0 else None
    end = after.end() + len(volume) if after else 0
    if after is None or not raw.startswith(volume, after.end()) or raw[end : end + 1].isalnum():
        return {}
    return {"title": head.rstrip(" .,"), "container_title": tail, "type": "article-journal"}


_FUNCTION_WORDS = frozenset(
    [
        "of",
        "the",
        "and",
        "in",
        "on",
        "for",
        "at",
        "to",
        "a",
        "an",
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "et",
        "di",
        "del",
        "della",
        "der",
        "die",
        "das",
        "und",
        "für",
        "von",
        "zur",
        "zum",
    ]
)


def _title_before_comma_in_journal(ref: Reference) -> dict[str, Any]:
    """The title (or its end) read as the start of the journal, a comma between them ("Discrete torsion defects,
    Commun. Math. Phys.", "Quantum inverse problem. I, Theor. Math. Phys."): where what follows the last comma is a
    known journal and the whole is not, what precedes it belongs to the title."""
    container, raw = ref.container_title or "", ref.raw or ""
    head, comma, tail = container.rpartition(", ")
    known = journals.compact_keys()
    key = _key(tail) if comma and head else ""
    if len(key) < 8 or key not in known or _key(container) in known:
        return {}
    # a title's words, not a journal's or a proceedings' ("Trans. of the ASME", "Proc. of the Fourth Conference")
    if sum(w.isalpha() and w.islower() and w not in _FUNCTION_WORDS for w in head.split()) < 2:
        return {}
    at = raw.find(container)
    if at < 0:
        return {}
    if not ref.title:
        return {"title": head.strip(), "container_title": tail} if len(head.split()) >= 2 else {}
    start = raw.find(ref.title)
    if start < 0 or start + len(ref.title) > at:
        return {}
    return {"title": raw[start : at + len(head)].strip(" ,"), "container_title": tail}


def _organisation_author(ref: Reference) -> dict[str, Any]:
    """ "World Health Organization. Global report on psoriasis": an organisation that opens the string, read as
    the start of the title of a reference with no authors, is the author."""
    head, dot, rest = (ref.title or "").partition(". ")
    raw = (ref.raw or "").lstrip(" [](0123456789.")
    if not dot or not rest or len(head.split()) > 8 or not _ORGANISATION.search(head) or not raw.startswith(head):
        return {}
    return {"author": (Person(literal=head),), "title": rest}
