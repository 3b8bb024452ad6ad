"""RIS: the tagged format every reference manager imports.

What is written, and why (checked against Zotero's RIS import):

- ``TY`` from the CSL type (``JOUR``, ``BOOK``, ``CHAP``, ``CPAPER``, ``RPRT``, ``THES``, ``ELEC``,
  ``DATA``, ...); a CSL type with no RIS counterpart (``review``, ``standard``, ...) is written ``GEN`` with
  the CSL type in ``M3`` (type of work), unless ``M3`` is taken by the reference's ``genre``; then it
  reads back as ``document``.
- ``ID`` is the citation key of :func:`refkit.export.citation_keys`.
- Names: ``AU  - Family, Given`` (``Family, Given, Suffix`` with a suffix; a family name alone keeps its
  comma: ``Family,``); initials run together are written apart (``JM`` as ``J. M.``). Organisations are
  written without a comma, which is how Zotero recognises them (an organisation whose name holds commas is
  written as it is: Zotero splits it at the first comma, and refkit reads it back whole when its parts cannot
  be "Family, Given, Suffix", the suffix being one of Jr, Sr, II, III, IV...). Spacing inside a value (a thin
  space between initials) is kept; only line breaks become spaces. Editors: ``ED``.
- Journal title in ``T2`` and ``JF``, abbreviation in ``J2``. ``JO`` is not written: Zotero reads it as the
  abbreviation. Other containers (book, proceedings) go in ``T2`` only.
- Pages: ``SP``/``EP`` for a single range ``418-419`` (an en dash counts as a hyphen); any other page
  string goes whole into ``SP``.
- ``PY`` holds the year; ``DA`` (``2015/11/03/``) the full date when there is more than a year.
- PMID and PMCID go into their own ``N1`` notes (``PMID: 26667314``): there is no RIS tag for them and
  ``AN`` becomes an archive location in Zotero.
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
from collections.abc import Sequence

from refkit.errors import FormatError
from refkit.export import citation_keys, parse_provenance, provenance_note, spaced_initials
from refkit.model import Cluster, Person, Reference, Source
from refkit.parse.fields import is_name_suffix
from refkit.text import clean_text, small_int

__all__ = ["FORMAT", "RisFormat"]

_CSL_TO_RIS = {
    "article-journal": "JOUR",
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
_RIS_TO_CSL = {v: k for k, v in _CSL_TO_RIS.items()}
_RIS_TO_CSL.update({"CONF": "paper-conference", "EBOOK": "book", "ECHAP": "chapter", "WEB": "webpage"})

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
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\x85\u2028\u2029]+[ \t]*")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_RANGE = re.compile(r"^\s*([^\s\-\u2013]+)\s*[-\u2013]+\s*([^\s\-\u2013]+)\s*$")
_ID_NOTE = re.compile(r"^(PMID|PMCID):\s*(\S+)$")


def _name(person: Person) -> str:
    if person.literal:
        return person.literal
    family = person.family or ""
    parts = [family, spaced_initials(person.given) or ""]
    if person.suffix:
        parts.append(person.suffix)
    if not person.given and not person.suffix:
        return f"{family},"
    return ", ".join(parts)


def _one_line(text: str) -> str:
    # A tag's value is one line; other spacing (a thin space between initials) is kept as written.
    return _LINE_BREAKS.sub(" ", clean_text(text)).strip()


def _record(cluster: Cluster, key: str) -> list[str]:
    ref = cluster.canonical
    ty = _CSL_TO_RIS.get(ref.type, "GEN")
    out = [f"TY  - {ty}", f"ID  - {key}"]

    def add(tag: str, value: str | None) -> None:
        if value:
            out.append(f"{tag}  - {_one_line(value)}")

    for person in ref.author:
        add("AU", _name(person))
    for person in ref.editor:
        add("ED", _name(person))
    add("TI", ref.title)
    if ref.container_title:
        add("T2", ref.container_title)
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
    # RIS has no type for some CSL types (review, standard, ...): M3 ("type of work") names it then.
    add("M3", ref.genre or (ref.type if ty == "GEN" and ref.type != "document" else None))
    add("DO", ref.doi)
    add("UR", ref.url)
    if ref.pmid:
        add("N1", f"PMID: {ref.pmid}")
    if ref.pmcid:
        add("N1", f"PMCID: {ref.pmcid}")
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
    pmid = pmcid = None
    notes: list[str] = []
    et_al = False
    for note in values.get("N1", ()):
        own, _, flag = parse_provenance(note)
        et_al = et_al or flag
        match = _ID_NOTE.match(own)
        if match and match.group(1) == "PMID":
            pmid = match.group(2)
        elif match:
            pmcid = match.group(2)
        elif own:
            notes.append(own)
    sp, ep = first("SP"), first("EP")
    page = f"{sp}-{ep}" if sp and ep else sp or ep
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
    if ty == "GEN" and genre in _CSL_TYPES:
        csl_type, genre = genre, None
    return Reference(
        raw=raw,
        type=csl_type,
        author=tuple(_person(a) for a in authors if a),
        editor=tuple(_person(e) for e in editors if e),
        et_al=et_al,
        issued=issued,
        title=first("TI", "T1"),
        container_title=first("T2", "JF", "BT"),
        container_title_short=first("J2", "JO", "JA"),
        collection_title=first("T3"),
        volume=first("VL"),
        issue=first("IS"),
        page=page,
        edition=first("ET"),
        publisher=first("PB"),
        publisher_place=first("CY"),
        doi=first("DO"),
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
