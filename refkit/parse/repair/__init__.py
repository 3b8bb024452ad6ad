"""Repairs from unambiguous patterns in the string, after a parser has labelled it.

A sequence tagger reads most strings right but can stumble where the string itself leaves no doubt: a Vancouver
locator whose volume looks like a year (``2014;2015:1-5``, Hindawi journals number volumes by year), a Roman
volume (``1897;XXVIII(18):789``), or an unfamiliar journal name glued to the title because nothing in the
tagger's dictionaries marks it as a journal (``Title. Transactions of the Lowland Society. 2021;7(1):42-45``), a
sentence of the title read as the start of a known journal, an edition left at the end of a book's title ("5. Aufl."),
a place and a publisher read as one field ("London : Abacus"), an organisation read as the start of the title; the
boundary between title and journal where no full stop marks it ("... observatory Class.Quantum Grav"), a journal read
as the title's last sentence before its volume, a quoted title read with the publisher, a chapter's book read with its
title ("Magnetometry. In Remote Sensing in Archaeology"); numbers of locators outside biomedical layouts read as the
wrong part ("Int. J. Mol. Sci. 2016, 17, 1497", "Vol. 34, No. 369-370, 1973, 38-39", "JHEP 1703, 101 (2017)",
"Mon. Not. R. Astron. Soc. 311 (2000) 809").
A Vancouver locator only fills what the parser left empty; the other repairs only move text between the fields the
parser read (title, journal, volume, issue, pages, year, edition, publisher, place, organisation as author), never
drop it.

Example:
    >>> from refkit.model import Reference
    >>> raw = "Luo X. Robust scheduling. Math Probl Eng. 2011;2012:1-17."
    >>> fixed = repair(Reference(raw=raw, title="Robust scheduling", container_title="Math Probl Eng",
    ...                          issued=(2011,), page="1-17"))
    >>> fixed.volume, fixed.issue
    ('2012', None)
"""

from __future__ import annotations

from typing import Any

from refkit.model import Reference
from refkit.parse.repair.books import (
    _book_in_title,
    _edition,
    _edition_before_publisher,
    _edition_read_as_volume,
    _imprint,
    _volume_read_with_edition,
)
from refkit.parse.repair.boundary import (
    _journal_after_sentence,
    _journal_at_title_end,
    _journal_boundary_in_words,
    _organisation_author,
    _quoted_title,
    _split_journal,
    _title_before_comma_in_journal,
)
from refkit.parse.repair.locators import _journal_read_with_volume, _locator_layouts, _note_after_pages, find_locator

__all__ = ["find_locator", "repair"]


def repair(ref: Reference) -> Reference:
    """Fill what the parser left empty from unambiguous patterns of ``ref.raw`` (see the module's docstring).

    Example:
        >>> from refkit.model import Reference
        >>> raw = "Fei X. Nonlinear mappings. Transactions of the Lowland Society. 2021;2021:1-13."
        >>> fixed = repair(Reference(raw=raw, title="Nonlinear mappings. Transactions of the Lowland Society",
        ...                          type="article-journal", issued=(2021,), page="1-13"))
        >>> fixed.title, fixed.container_title, fixed.volume
        ('Nonlinear mappings', 'Transactions of the Lowland Society', '2021')
    """
    raw = ref.raw or ""
    changes: dict[str, Any] = {}
    complete = ref.volume is not None and ref.issue is not None and ref.page is not None and bool(ref.issued)
    locator = None if complete or ";" not in raw else find_locator(raw)
    if locator is not None:
        year = int(locator["year"])
        # the locator belongs to this reference when it agrees with what the parser read of it
        agrees = (ref.year in (None, year)) and (ref.volume in (None, locator["volume"]))
        if agrees:
            if ref.volume is None:
                changes["volume"] = locator["volume"]
            if ref.issue is None and locator.get("issue"):
                changes["issue"] = locator["issue"]
            if ref.page is None and locator.get("page"):
                changes["page"] = locator["page"]
            if ref.issued == ():
                changes["issued"] = (year,)
    changes.update(_locator_layouts(ref.replace(**changes) if changes else ref))
    if ref.title is None and (ref.publisher or ref.container_title):
        changes.update(_quoted_title(ref))
    if ref.container_title is None and any(cue in (ref.title or "") for cue in (" In", "»", "”", '"')):
        changes.update(_book_in_title(ref))
    if ref.container_title is None and ref.volume and ref.title and "container_title" not in changes:
        changes.update(_journal_at_title_end(ref))
    if ref.title and ref.container_title and "container_title" not in changes:
        changes.update(_journal_boundary_in_words(ref))
    if ref.container_title and ", " in ref.container_title and "container_title" not in changes:
        changes.update(_title_before_comma_in_journal(ref))
    if ". " in (ref.title or "") or ". " in (ref.container_title or ""):
        changes.update(_split_journal(raw, ref))
        if "container_title" not in changes:
            changes.update(_journal_after_sentence(ref))
        if not ref.author and "title" not in changes:
            changes.update(_organisation_author(ref))
    if ref.edition is None and ref.type in ("book", "chapter", "document"):
        changes.update(_edition(ref.replace(**changes) if changes else ref))
    if ref.publisher or ref.publisher_place:
        changes.update(_imprint(ref))
    if ref.publisher and ref.edition is None:
        changes.update(_edition_before_publisher(ref.publisher))
    if ref.volume and ref.edition is None:
        changes.update(_edition_read_as_volume(ref.volume, raw))
    if ref.edition:
        changes.update(_volume_read_with_edition(ref))
    if ref.volume and ref.container_title is None and "container_title" not in changes:
        changes.update(_journal_read_with_volume(ref.volume))
    if ref.page and "; " in ref.page:
        changes.update(_note_after_pages(ref))
    if not changes:
        return ref
    confidence = dict(ref.confidence)
    for name in changes:
        if name in ("volume", "issue", "page", "issued", "edition", "publisher", "publisher_place", "note") or (
            name == "container_title" and changes[name] is not None
        ):
            # a pattern read, not the tagger's: as sure as the pattern
            confidence.setdefault(name, 0.95)
        elif changes[name] is None:
            confidence.pop(name, None)
    return ref.replace(**changes, confidence=confidence)
