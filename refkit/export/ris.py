"""RIS: the tagged format every reference manager imports.

What is written, and why (checked against Zotero's RIS import):

- ``TY`` from the CSL type, chosen by the item type Zotero's RIS import makes of it: ``JOUR`` (also for
  reviews, which Zotero holds as journal articles), ``BOOK``, ``CHAP``, ``CPAPER``, ``RPRT``, ``THES``,
  ``ELEC``, ``DATA`` (dataset), ``STAND`` (standard), ``ENCYC`` (encyclopedia and other entries), ``BLOG``,
  ``UNPB`` (preprint)...; ``GEN`` only for what has no better type (Zotero makes a journal article of it).
  ``M3`` holds only a ``genre``, and only for types whose Zotero item has a type field (report, thesis,
  manuscript, web page, map...): for the others Zotero reads ``M3`` as a DOI. RIS cannot tell the CSL types it
  merges apart, so they read back as the first CSL type of their RIS type.
- ``ID`` is the citation key of :func:`refkit.export.citation_keys`.
- Names: ``AU  - Family, Given`` (``Family, Given, Suffix`` with a suffix; a family name alone keeps its
  comma: ``Family,``); initials run together are written apart (``JM`` as ``J. M.``). Organisations are
  written without a comma, which is how Zotero recognises them (an organisation whose name holds commas is
  written as it is: Zotero splits it at the first comma, and refkit reads it back whole when its parts cannot
  be "Family, Given, Suffix", the suffix being one of Jr, Sr, II, III, IV...). Spacing inside a value (a thin
  space between initials) is kept; only line breaks become spaces. Editors: ``ED``.
- Title with the record's markup (``<i>``, ``<sub>``...; :func:`refkit.export.marked_up_title`), which is
  Zotero's rich text.
- Journal: the full title in ``T2`` and ``JF``, the abbreviation in ``J2`` (:func:`refkit.export.journal_names`).
  ``JO`` is not written: Zotero reads it as the abbreviation. A conference paper's proceedings title goes in
  ``C3`` (Zotero's proceedings title; ``T2`` would be the conference name). Other containers (book) go in
  ``T2``.
- Pages: ``SP``/``EP`` for a single range ``418-419`` (an en dash counts as a hyphen); any other page
  string goes whole into ``SP``.
- ``PY`` holds the year; ``DA`` (``2015/11/03/``) the full date when there is more than a year.
- PMID and PMCID go into ``M2`` lines (``M2  - PMID: 26667314``), which Zotero puts in Extra, where it reads
  them as those fields: there is no RIS tag for them, ``AN`` becomes an archive location and ``N1`` a child
  note. A DOI is written in ``DO`` and, for types whose Zotero item has no DOI field (all but journal
  articles, conference papers and preprints), in an ``M2  - DOI: ...`` line as well. A book's page count
  (``number-of-pages`` in its note) goes in ``SP``, Zotero's number of pages for a book or thesis.
- Provenance: one ``N1`` note (a child note in Zotero) with every citation's source and raw text
  (:func:`refkit.export.provenance_note`). The reference's own note, if any, is another ``N1``.
- Each record ends with ``ER  - ``.

Reading accepts ``TY``...``ER`` records, continuation lines, ``JO``/``JA`` as abbreviations when ``J2`` is
absent, ``A1``-``A4``/``AU``, ``Y1``/``PY``/``DA`` dates; unknown tags are ignored. A record that does not
start with ``TY`` or never ends with ``ER`` raises :class:`refkit.errors.FormatError`. Each Reference keeps
the record's text as ``raw`` and its first line as ``source.line``.

Example:
    >>> from refkit.export import as_clusters
    >>> from refkit.model import Person, Reference
    >>> text = FORMAT.dumps(as_clusters([Reference(author=(Person("van der Berg", "J"),), page="1-9")]))
    >>> [line for line in text.splitlines() if line[:2] in ("AU", "SP", "EP")]
    ['AU  - van der Berg, J', 'SP  - 1', 'EP  - 9']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from refkit.errors import FormatError
from refkit.export import (
    ZOTERO_DOI_TYPES,
    chunked_with_keys,
    citation_keys,
    export_name,
    journal_names,
    marked_up_title,
    parse_provenance,
    provenance_note,
    work_keys,
)
from refkit.model import Cluster, Person, Reference, Source
from refkit.parse.fields import is_name_suffix
from refkit.text import clean_text, small_int

__all__ = ["FORMAT", "RisFormat", "ris_type"]

_CSL_TO_RIS = {
    "article-journal": "JOUR",
    "review": "JOUR",
    "review-book": "JOUR",
    "standard": "STAND",
    "entry": "ENCYC",
    "post-weblog": "BLOG",
    "post": "BLOG",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "article": "UNPB",
    "book": "BOOK",
    "chapter": "CHAP",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "thesis": "THES",
    "webpage": "ELEC",
    "dataset": "DATA",
    "entry-encyclopedia": "ENCYC",
    "entry-dictionary": "DICT",
    "software": "COMP",
    "manuscript": "MANSCPT",
    "patent": "PAT",
    "map": "MAP",
    "motion_picture": "MPCT",
    "personal_communication": "PCOMM",
    "legal_case": "CASE",
    "legislation": "STAT",
    "bill": "BILL",
    "song": "SOUND",
    "graphic": "ART",
    "document": "GEN",
}
_RIS_TO_CSL = {v: k for k, v in reversed(_CSL_TO_RIS.items())}
_RIS_TO_CSL.update(
    {"ENCYC": "entry-encyclopedia", "CONF": "paper-conference", "EBOOK": "book", "ECHAP": "chapter", "WEB": "webpage"}
)

#: CSL 1.0.2 item types, for types that RIS can only name in ``M3``.
_CSL_TYPES = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)
# A match is a whole run of spaces and line breaks holding at least one break, and starts only where such a run
# starts: tried from every space of a long run, it took quadratic time; a run of breaks and spaces mixed must be
# taken whole, or a break after spaces after a break stays in the value.
_BREAK = r"\r\n\v\f\x85\u2028\u2029"
_LINE_BREAKS = re.compile(rf"(?<![ \t{_BREAK}])[ \t{_BREAK}]*[{_BREAK}][ \t{_BREAK}]*")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_RANGE = re.compile(r"^\s*([^\s\-\u2013]+)\s*[-\u2013]+\s*([^\s\-\u2013]+)\s*$")
_ID_NOTE = re.compile(r"^(PMID|PMCID|DOI):\s*(\S+)$")
_NUMBER_OF_PAGES = re.compile(r"^number-of-pages:\s*(\S+)\s*$", re.MULTILINE)
# RIS types whose Zotero item has a field that M3 fills (report type, thesis type...); elsewhere M3 is a DOI.
_M3_TYPES = frozenset(["RPRT", "THES", "MANSCPT", "MAP", "ELEC", "BLOG", "PCOMM", "SLIDE", "ART", "UNPB"])


def ris_type(csl_type: str) -> str:
    """The RIS type refkit writes for a CSL type.

    Example:
        >>> ris_type("article-journal"), ris_type("review"), ris_type("paper-conference"), ris_type("event")
        ('JOUR', 'JOUR', 'CPAPER', 'GEN')
    """
    return _CSL_TO_RIS.get(csl_type, "GEN")


def _name(person: Person) -> str:
    if person.literal:
        return person.literal
    person = export_name(person)
    family = person.family or ""
    parts = [family, person.given or ""]
    if person.suffix:
        parts.append(person.suffix)
    if not person.given and not person.suffix:
        return f"{family},"
    return ", ".join(parts)


def _one_line(text: str) -> str:
    # A tag's value is one line; other spacing (a thin space between initials) is kept as written.
    return _LINE_BREAKS.sub(" ", clean_text(text)).strip()


def _record(cluster: Cluster, key: str) -> list[str]:
    ref = journal_names(cluster.canonical)
    ty = ris_type(ref.type)
    out = [f"TY  - {ty}", f"ID  - {key}"]

    def add(tag: str, value: str | None) -> None:
        if value:
            out.append(f"{tag}  - {_one_line(value)}")

    for person in ref.author:
        add("AU", _name(person))
    for person in ref.editor:
        add("ED", _name(person))
    add("TI", marked_up_title(cluster) if ref.title else None)
    if ref.container_title:
        add("C3" if ty == "CPAPER" else "T2", ref.container_title)
        if ty == "JOUR":
            add("JF", ref.container_title)
    add("J2", ref.container_title_short)
    add("T3", ref.collection_title)
    if ref.issued:
        add("PY", str(ref.issued[0]))
        if len(ref.issued) > 1:
            month = f"{ref.issued[1]:02d}"
            day = f"{ref.issued[2]:02d}" if len(ref.issued) > 2 else ""
            add("DA", f"{ref.issued[0]:04d}/{month}/{day}/")
    add("VL", ref.volume)
    add("IS", ref.issue)
    pages = _NUMBER_OF_PAGES.search(ref.note or "")
    if pages and not ref.page and ty in ("BOOK", "THES"):
        add("SP", pages.group(1))
    if ref.page:
        match = _RANGE.match(ref.page)
        if match:
            add("SP", match.group(1))
            add("EP", match.group(2))
        else:
            add("SP", ref.page)
    add("ET", ref.edition)
    add("PB", ref.publisher)
    add("CY", ref.publisher_place)
    add("SN", ref.isbn or ref.issn)
    if ty in _M3_TYPES:
        add("M3", ref.genre)
    add("DO", ref.doi)
    add("UR", ref.url)
    # M2 lands in Zotero's Extra, which reads "PMID: ..." and "DOI: ..." lines as those fields.
    if ref.pmid:
        add("M2", f"PMID: {ref.pmid}")
    if ref.pmcid:
        add("M2", f"PMCID: {ref.pmcid}")
    if ref.doi and ref.type not in ZOTERO_DOI_TYPES:
        add("M2", f"DOI: {ref.doi}")
    add("N1", ref.note)
    # The provenance note keeps its line breaks: an RIS value continues on lines without a tag.
    out.append(f"N1  - {provenance_note(cluster)}")
    out.append("ER  - ")
    return out


class RisFormat:
    """The ``ris`` format plugin (suffix ``.ris``)."""

    name = "ris"
    suffixes: tuple[str, ...] = (".ris",)

    def dumps(self, clusters: Sequence[Cluster]) -> str:
        """One RIS record per cluster, separated by a blank line."""
        keys = citation_keys([c.canonical for c in clusters])
        records = ["\n".join(_record(c, k)) + "\n" for c, k in zip(clusters, keys, strict=True)]
        return "\n".join(records)

    def pieces(self, clusters: Sequence[Cluster], size: int) -> Iterator[str]:
        """The text of :meth:`dumps`, ``size`` records at a time."""
        for n, chunk in enumerate(chunked_with_keys(clusters, work_keys(clusters), size)):
            yield ("\n" if n else "") + "\n".join("\n".join(_record(c, k)) + "\n" for c, k in chunk)

    def loads(self, text: str) -> list[Reference]:
        """The records of an RIS file as References.

        Raises:
            FormatError: text outside a record, a record not starting with ``TY``, or one without ``ER``.
        """
        refs: list[Reference] = []
        tags: list[list[str]] | None = None
        start = 0
        raw_lines: list[str] = []
        for number, line in enumerate(text.splitlines(), 1):
            match = _TAG_LINE.match(line.rstrip())
            if match:
                tag, value = match.group(1), (match.group(2) or "").strip()
                if tag == "TY":
                    if tags is not None:
                        raise FormatError(f"RIS record starting at line {start} has no ER before line {number}")
                    tags, start, raw_lines = [["TY", value]], number, [line]
                    continue
                if tags is None:
                    raise FormatError(f"RIS tag {tag} at line {number} is outside a record (no TY before it)")
                raw_lines.append(line)
                if tag == "ER":
                    refs.append(_from_tags(tags, "\n".join(raw_lines), len(refs) + 1, start))
                    tags = None
                    continue
                tags.append([tag, value])
            elif line.strip():
                if tags is None:
                    raise FormatError(f"RIS line {number} is outside a record: {line.strip()[:60]!r}")
                # A line without a tag continues the previous value (multi-line notes and abstracts).
                raw_lines.append(line)
                joiner = "\n" if tags[-1][0] in ("N1", "AB") else " "
                tags[-1][1] = f"{tags[-1][1]}{joiner}{line.strip()}" if tags[-1][1] else line.strip()
            elif tags is not None:
                raw_lines.append(line)
        if tags is not None:
            raise FormatError(f"RIS record starting at line {start} has no ER")
        return refs


def _person(value: str) -> Person:
    if "," not in value:
        return Person(literal=value)
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > 3 or (len(parts) == 3 and parts[2] and not is_name_suffix(parts[2], placed=True)):
        # "Family, Given, Suffix" has at most three parts and a suffix from a closed set; anything else is
        # an organisation whose name holds commas ("School of Medicine, Tehran University, Iran").
        return Person(literal=value)
    family, given = parts[0], parts[1] if len(parts) > 1 else ""
    suffix = ", ".join(p for p in parts[2:] if p)
    return Person(family=family or None, given=given or None, suffix=suffix or None)


def _plain(title: str | None) -> str | None:
    """A title without its rich-text markup (<i>, <sub>...): the Reference holds the plain form, raw the markup."""
    if not title or "<" not in title:
        return title
    from refkit.registry.convert import strip_rich_text

    return strip_rich_text(title) or None


def _date(value: str) -> tuple[int, ...]:
    parts = [p for p in re.split(r"[/\-]", value.strip())]
    out: list[int] = []
    for part in parts[:3]:
        number = small_int(part)
        if number is None:
            break
        out.append(number)
    return tuple(out)


def _from_tags(tags: list[list[str]], raw: str, position: int, line: int) -> Reference:
    values: dict[str, list[str]] = {}
    for tag, value in tags:
        values.setdefault(tag, []).append(value)

    def first(*names: str) -> str | None:
        for name in names:
            for value in values.get(name, ()):
                if value:
                    return value
        return None

    ty = first("TY") or "GEN"
    issued = _date(first("DA") or "") or _date(first("PY", "Y1") or "")
    ids: dict[str, str] = {}
    notes: list[str] = []
    et_al = False
    for extra in values.get("M2", ()):
        match = _ID_NOTE.match(extra.strip())
        if match:
            ids.setdefault(match.group(1), match.group(2))
    for note in values.get("N1", ()):
        own, _, flag = parse_provenance(note)
        et_al = et_al or flag
        match = _ID_NOTE.match(own)
        if match:  # refkit wrote PMID and PMCID as N1 notes before it wrote them as M2
            ids.setdefault(match.group(1), match.group(2))
        elif own:
            notes.append(own)
    pmid, pmcid = ids.get("PMID"), ids.get("PMCID")
    sp, ep = first("SP"), first("EP")
    page = f"{sp}-{ep}" if sp and ep else sp or ep
    if ty in ("BOOK", "THES") and page and not ep and f"number-of-pages: {page}" in "\n".join(notes).splitlines():
        page = None  # the page count refkit wrote to SP (Zotero's numPages) and keeps in the note
    isbn = issn = None
    sn = first("SN")
    if sn:
        # ISBNs have 10 or 13 digits, ISSNs 8.
        digits = re.sub(r"[^0-9Xx]", "", sn)
        if len(digits) == 8:
            issn = sn
        else:
            isbn = sn
    authors = [*values.get("AU", ()), *values.get("A1", ())]
    editors = [*values.get("ED", ()), *values.get("A2", ())] if ty != "JOUR" else values.get("ED", [])
    csl_type = _RIS_TO_CSL.get(ty, "document")
    genre = first("M3")
    if ty == "GEN" and genre in _CSL_TYPES:  # files refkit wrote before it used better RIS types
        csl_type, genre = genre, None
    return Reference(
        raw=raw,
        type=csl_type,
        author=tuple(_person(a) for a in authors if a),
        editor=tuple(_person(e) for e in editors if e),
        et_al=et_al,
        issued=issued,
        title=_plain(first("TI", "T1")),
        container_title=first("C3", "T2", "JF", "BT") if ty in ("CPAPER", "CONF") else first("T2", "JF", "BT"),
        container_title_short=first("J2", "JO", "JA"),
        collection_title=first("T3"),
        volume=first("VL"),
        issue=first("IS"),
        page=page,
        edition=first("ET"),
        publisher=first("PB"),
        publisher_place=first("CY"),
        doi=first("DO") or ids.get("DOI"),
        pmid=pmid,
        pmcid=pmcid,
        url=first("UR"),
        isbn=isbn,
        issn=issn,
        genre=genre,
        note="\n".join(notes) or None,
        source=Source("", position, line),
    )


#: The plugin instance that :mod:`refkit.export` registers.
FORMAT = RisFormat()
