"""Reference string -> fields.

A parser is any object with ``name``, ``parse(raw) -> Reference`` and ``parse_many(raws)``. Two ship with
refkit: ``"rules"`` (:class:`~refkit.parse.rules.RuleParser`, the common biomedical styles) and ``"crf"`` (a trained
sequence tagger for any style, when its model is installed). :func:`get_parser` picks one by name.

Example:
    >>> from refkit.parse import parse
    >>> parse("Lai CH et al (2003) Congenital calcinosis cutis of the ear. J Am Acad Dermatol 49: 122-124").volume
    '49'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from refkit.model import Citation, Reference
from refkit.parse.rules import RuleParser

__all__ = ["Parser", "embedded_reference", "get_parser", "parse", "parse_citations", "parsers", "register_parser"]


@runtime_checkable
class Parser(Protocol):
    """What refkit needs of a parser."""

    name: str

    def parse(self, raw: str) -> Reference: ...

    def parse_many(self, raws: Sequence[str]) -> list[Reference]: ...


_registered: dict[str, type | object] = {}
_instances: dict[str, Parser] = {}
DEFAULT_PARSER = "crf"


def register_parser(name: str, factory: object) -> None:
    """Make a parser available by name (``factory()`` must return a :class:`Parser`)."""
    _registered[name] = factory
    _instances.pop(name, None)


def _builtin_factories() -> dict[str, object]:
    factories: dict[str, object] = {"rules": RuleParser}
    try:
        from refkit.parse.crf import CRFParser  # the tagger is optional until its model is present

        factories["crf"] = CRFParser.load
    except ImportError:
        pass
    return factories


def parsers() -> list[str]:
    """Names of the parsers that can be used."""
    return sorted({**_builtin_factories(), **_registered})


def get_parser(name: str | Parser | None = None) -> Parser:
    """The parser called ``name`` (default: ``"rules"``), created once and reused."""
    if name is None:
        name = DEFAULT_PARSER
    if not isinstance(name, str):
        if not isinstance(name, Parser):
            raise TypeError("parser must be a name or an object with parse() and parse_many()")
        return name
    if name not in _instances:
        factories = {**_builtin_factories(), **_registered}
        if name not in factories:
            raise ValueError(f"unknown parser {name!r}; known: {', '.join(sorted(factories))}")
        _instances[name] = factories[name]()  # type: ignore[operator]
    return _instances[name]


def parse(text: str | Citation, *, parser: str | Parser | None = None) -> Reference:
    """Parse one reference string (or :class:`~refkit.model.Citation`, whose source is kept)."""
    chosen = get_parser(parser)
    if isinstance(text, Citation):
        return dataclasses.replace(chosen.parse(text.raw), raw=text.raw, source=text.source)
    if not isinstance(text, str):
        raise TypeError(f"expected a str or Citation, got {type(text).__name__}")
    return chosen.parse(text)


def parse_citations(citations: Iterable[Citation], *, parser: str | Parser | None = None) -> list[Reference]:
    """Parse citations in order, keeping each one's raw text and source.

    A citation that carries a citation manager's data (:attr:`Citation.embedded`) takes that data as its fields
    (``fields_from`` names the manager); what the printed string says is kept in ``printed`` for the audit.
    """
    chosen = get_parser(parser)
    items = list(citations)
    refs = chosen.parse_many([c.raw for c in items])
    out = []
    for ref, cit in zip(refs, items, strict=True):
        ref = dataclasses.replace(ref, raw=cit.raw, source=cit.source)
        if cit.embedded:
            ref = embedded_reference(cit, printed=ref)
        out.append(ref)
    return out


def embedded_reference(citation: Citation, *, printed: Reference | None = None) -> Reference:
    """The reference a citation manager's data describes, with the citation's raw text and source.

    Example:
        >>> data = {"title": "Solitary", "issued": {"date-parts": [[2016]]}}
        >>> cit = Citation("Deza G (2016) Solitary ...", embedded=data, embedded_from="zotero")
        >>> ref = embedded_reference(cit)
        >>> ref.year, ref.fields_from
        (2016, 'zotero')
    """
    if not citation.embedded:
        raise ValueError("the citation carries no embedded data")
    ref = Reference.from_csl(citation.embedded, raw=citation.raw, source=citation.source)
    return ref.replace(fields_from=citation.embedded_from or "embedded", printed=printed)
