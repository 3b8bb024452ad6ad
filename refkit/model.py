"""The records that flow through refkit, named after CSL-JSON variables.

Every record is a frozen, slotted dataclass: a stage never changes what it was given, it returns new objects
(``dataclasses.replace``). Dicts appear only at the edges (Crossref JSON in :mod:`refkit.registry`, CSL-JSON in
:mod:`refkit.export`).

The flow::

    article file --extract--> Citation (raw text + Source)
                 --parse-->   Reference (fields, raw text, Source)
                 --match-->   Match (status, DOI, confidence, registry record, evidence)
                 --dedupe-->  Cluster (one work, every citation of it)
                 --audit-->   Finding (code, severity, citations, evidence)
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar

__all__ = [
    "Citation",
    "Cluster",
    "Finding",
    "Match",
    "MatchStatus",
    "Person",
    "Reference",
    "Severity",
    "Source",
]

MatchStatus = Literal["matched", "ambiguous", "unmatched", "unverified"]
Severity = Literal["error", "warning", "info"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})

_T = TypeVar("_T")


def pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle a slotted dataclass as its class and its fields' values, remade by its ``__init__``.

    A ``slots=True`` dataclass pickles through methods that look up its fields on every call (``fields()``): on a
    cluster, where parts of a run are pickled at each hand-over, that look-up was half the time of packing them.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    get = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return cls, get(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Person:
    """A name as CSL-JSON holds it.

    Particles stay inside ``family`` ("van der Berg") because Zotero reads only ``family``, ``given`` and
    ``literal``. Organisations are ``literal``.

    Example:
        >>> Person(family="Deza", given="G").display()
        'Deza G'
    """

    family: str | None = None
    given: str | None = None
    literal: str | None = None
    suffix: str | None = None

    def display(self) -> str:
        """The name as a reference list prints it: family, then initials or given names."""
        if self.literal:
            return self.literal
        parts = [p for p in (self.family, self.given, self.suffix) if p]
        return " ".join(parts)

    def to_csl(self) -> dict[str, str]:
        """CSL-JSON name object (suffix folded into ``given`` so that Zotero keeps it)."""
        if self.literal:
            return {"literal": self.literal}
        out: dict[str, str] = {}
        if self.family:
            out["family"] = self.family
        given = ", ".join(p for p in (self.given, self.suffix) if p)
        if given:
            out["given"] = given
        return out

    @classmethod
    def from_csl(cls, data: Mapping[str, Any]) -> Person:
        """Read a CSL-JSON (or Crossref) name object."""
        if data.get("literal") or data.get("name"):
            return cls(literal=str(data.get("literal") or data.get("name")))
        family = data.get("family")
        particle = data.get("non-dropping-particle") or data.get("dropping-particle")
        if particle and family:
            family = f"{particle} {family}"
        return cls(
            family=str(family) if family else None,
            given=str(data["given"]) if data.get("given") else None,
            suffix=str(data["suffix"]) if data.get("suffix") else None,
        )


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Source:
    """Where a reference string was found.

    Attributes:
        file: the input path as the user gave it ("-" for standard input).
        position: 1-based position of the reference in the file's reference list.
        line: 1-based line in the file where the reference starts (0 when unknown).
        label: the number or label printed before it ("1", "[12]"), if any.
        page: 1-based page of a PDF where the reference starts, if known.
        column: 1-based column of that page (1 on a one-column page), if known.
        part: where in the document it stands when that is not the reference list itself: ``"footnote"``,
            ``"endnote"`` or ``"bibliography-field"`` (a citation manager's bibliography), else None.
    """

    file: str
    position: int
    line: int = 0
    label: str | None = None
    page: int | None = None
    column: int | None = None
    part: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "position": self.position, "line": self.line, "label": self.label}
        for name in ("page", "column", "part"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Citation:
    """A reference string as it stands in an article, with where it stands.

    ``embedded`` is the CSL-JSON item a citation manager (Zotero, Mendeley, EndNote) stored in the document for
    this reference, when there is one; ``embedded_from`` names the manager. Parsing takes that data as the
    reference's fields, and the audit compares it with the printed string.
    """

    raw: str
    source: Source | None = None
    embedded: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    embedded_from: str | None = None


#: Reference attributes that hold CSL string variables, with their CSL-JSON names.
CSL_STRING_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "title": "title",
        "container_title": "container-title",
        "container_title_short": "container-title-short",
        "collection_title": "collection-title",
        "volume": "volume",
        "issue": "issue",
        "page": "page",
        "edition": "edition",
        "publisher": "publisher",
        "publisher_place": "publisher-place",
        "doi": "DOI",
        "pmid": "PMID",
        "pmcid": "PMCID",
        "url": "URL",
        "isbn": "ISBN",
        "issn": "ISSN",
        "genre": "genre",
        "note": "note",
        "citation_number": "citation-number",
    }
)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Reference:
    """One bibliographic reference: the fields as a string (or a registry) states them.

    ``issued`` holds CSL date-parts (``(2016,)`` or ``(2015, 11, 3)``). ``et_al`` records that the list of
    authors was cut short; "et al" never becomes an author. ``confidence`` maps field names to the parser's
    probability that the field is right (empty when the parser gives none). ``fields_from`` says where the fields
    come from when it is not the raw string: ``"zotero"``, ``"mendeley"`` or ``"endnote"`` for the data a citation
    manager stored in the document; ``printed`` then holds the fields as the printed string states them.

    Example:
        >>> ref = Reference(raw="Deza G (2016) ...", author=(Person("Deza", "G"),), issued=(2016,))
        >>> ref.year
        2016
    """

    raw: str = ""
    type: str = "article-journal"
    author: tuple[Person, ...] = ()
    editor: tuple[Person, ...] = ()
    et_al: bool = False
    issued: tuple[int, ...] = ()
    title: str | None = None
    container_title: str | None = None
    container_title_short: str | None = None
    collection_title: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    edition: str | None = None
    publisher: str | None = None
    publisher_place: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    isbn: str | None = None
    issn: str | None = None
    genre: str | None = None
    note: str | None = None
    citation_number: str | None = None
    source: Source | None = None
    confidence: Mapping[str, float] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)
    fields_from: str | None = None
    printed: Reference | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def year(self) -> int | None:
        """The year of ``issued``, or None."""
        return self.issued[0] if self.issued else None

    @property
    def first_page(self) -> str | None:
        """The first page (or article number) of ``page``."""
        if not self.page:
            return None
        return self.page.replace("\u2013", "-").split("-")[0].strip() or None

    def replace(self, **changes: Any) -> Reference:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def to_csl(self, *, with_raw: bool = False) -> dict[str, Any]:
        """The fields as a CSL-JSON item (no ``id``); strings stay strings.

        Args:
            with_raw: also include the raw string under ``raw``.
        """
        out: dict[str, Any] = {"type": self.type}
        if self.author:
            out["author"] = [p.to_csl() for p in self.author]
        if self.editor:
            out["editor"] = [p.to_csl() for p in self.editor]
        if self.issued:
            out["issued"] = {"date-parts": [list(self.issued)]}
        for attr, name in CSL_STRING_FIELDS.items():
            value = getattr(self, attr)
            if value:
                out[name] = value
        if with_raw:
            out["raw"] = self.raw
        return out

    @classmethod
    def from_csl(cls, data: Mapping[str, Any], *, raw: str = "", source: Source | None = None) -> Reference:
        """Build a Reference from a CSL-JSON item (unknown variables are ignored)."""
        values: dict[str, Any] = {}
        for attr, name in CSL_STRING_FIELDS.items():
            value = data.get(name)
            if value is None and name == "container-title-short":
                value = data.get("journalAbbreviation")
            if isinstance(value, list):
                value = value[0] if value else None
            if value not in (None, ""):
                values[attr] = str(value)
        issued: tuple[int, ...] = ()
        date = data.get("issued")
        if isinstance(date, Mapping):
            parts = date.get("date-parts") or [[]]
            try:
                issued = tuple(int(p) for p in (parts[0] or []) if p not in (None, ""))
            except (TypeError, ValueError, OverflowError):  # OverflowError: a date part of Infinity
                issued = ()
        return cls(
            raw=raw or str(data.get("raw") or ""),
            type=str(data.get("type") or "article-journal"),
            author=tuple(Person.from_csl(p) for p in data.get("author") or () if isinstance(p, Mapping)),
            editor=tuple(Person.from_csl(p) for p in data.get("editor") or () if isinstance(p, Mapping)),
            issued=issued,
            source=source,
            **values,
        )


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of looking a reference up in a registry.

    Attributes:
        status: ``matched`` (accepted), ``ambiguous`` (a candidate that could not be confirmed),
            ``unmatched`` (nothing plausible), ``unverified`` (the registry could not be asked).
        doi: the accepted DOI (only when ``matched``).
        confidence: estimated probability that the best candidate is the cited work.
        record: the registry's record of the best candidate, as a Reference.
        evidence: per-field agreement between the reference and the candidate.
        message: the registry's record (Crossref JSON) for checks such as retractions, less the parts no stage reads
            (its list of references, abstract, links, licences...: :data:`refkit.match.score.DROPPED`).
        reason: why the status is what it is, in words.
    """

    status: MatchStatus
    doi: str | None = None
    confidence: float = 0.0
    record: Reference | None = None
    evidence: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)
    message: Mapping[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)
    reason: str = ""
    written_doi: str | None = None
    written_doi_status: Literal["ok", "invalid", "unresolved", "other-work", "unchecked"] | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Cluster:
    """One work, cited one or more times.

    Attributes:
        id: a stable identifier ("w1", "w2", ... in order of first citation).
        citations: every citation of the work, in input order, each with its raw text and source.
        matches: the registry outcome for each citation (same order; None when not looked up).
        canonical: the work's record: the registry's when matched, else the best-of citation fields.
        disagreements: field name -> the distinct values the citations give, where they differ.
        library_key: the id or citation key of the item in the user's existing library that is this work, if any.
        related: DOIs or cluster ids of works related to this one but distinct (a preprint and its published
            version, the other language edition, an erratum), each as ``"relation-type:target"``.
    """

    id: str
    citations: tuple[Reference, ...]
    canonical: Reference
    matches: tuple[Match | None, ...] = ()
    disagreements: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)
    library_key: str | None = None
    related: tuple[str, ...] = ()

    @property
    def match(self) -> Match | None:
        """The best registry match among the citations (matched first, then by confidence)."""
        found = [m for m in self.matches if m is not None]
        if not found:
            return None
        order = {"matched": 3, "ambiguous": 2, "unmatched": 1, "unverified": 0}
        return max(found, key=lambda m: (order[m.status], m.confidence))

    @property
    def doi(self) -> str | None:
        return self.canonical.doi


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with, or unverifiable about, one or more citations.

    Attributes:
        code: stable finding code, e.g. ``year-mismatch`` (see the README for the list).
        severity: ``error``, ``warning`` or ``info``.
        message: one sentence for a person.
        citations: the citations concerned (raw text and source).
        evidence: cited value, registry value, source of the registry value, ...
        suggestion: what to change, when refkit knows.
        cluster: the id of the work concerned, if any.
    """

    code: str
    severity: Severity
    message: str
    citations: tuple[Citation, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)
    suggestion: str | None = None
    cluster: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "cluster": self.cluster,
            "citations": [{"raw": c.raw, **(c.source.to_dict() if c.source else {})} for c in self.citations],
            "evidence": dict(self.evidence),
            "suggestion": self.suggestion,
        }
