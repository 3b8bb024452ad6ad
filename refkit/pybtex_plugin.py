"""A pybtex input format, ``refkit``: free-text reference lists read straight into pybtex.

Installing refkit registers :class:`Parser` under pybtex's ``pybtex.database.input`` entry-point group, so
pybtex (and tools built on it) read a plain file of references, one per line, or an article's reference list
(text, Markdown, HTML, JATS XML) as if it were a ``.bib`` file::

    >>> from pybtex.database import parse_file
    >>> data = parse_file("refs.txt", bib_format="refkit")  # doctest: +SKIP
    >>> list(data.entries)  # doctest: +SKIP
    ['cambiaghi2000fingertip', 'deza2016solitary']

Each reference is parsed offline (no registry look-up) by refkit's parser. The entries are exactly those of
``refkit export`` to BibTeX: the same keys (:func:`refkit.export.citation_keys`), entry types, fields and
names, and the provenance (file, position, raw string) in ``annote``. A reference whose author list was cut
short ("Lai CH et al") gets pybtex's ``others`` as its last author, which BibTeX styles print as "et al.".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData, Person
from pybtex.database.input import BaseParser

from refkit.model import Citation, Reference, Source

__all__ = ["Parser", "references_from_text", "to_bibliography_data"]

_KINDS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "jats",
    ".nxml": "jats",
    ".md": "markdown",
    ".markdown": "markdown",
}


def references_from_text(text: str, *, file: str = "-", parser: str | None = None) -> list[Reference]:
    """The parsed references of an article's reference list, or of a file with one reference per line.

    An article is recognised by its reference list (a heading such as "References", or a numbered list);
    otherwise every non-blank line is one reference.

    Example:
        >>> refs = references_from_text("Lai CH et al (2003) Ear. J Am Acad Dermatol 49: 122-124\\n")
        >>> [(r.author[0].family, r.year, r.source.position) for r in refs]
        [('Lai', 2003, 1)]
    """
    from refkit.errors import NoReferencesError
    from refkit.extract import extract_text
    from refkit.parse import parse_citations

    kind = _KINDS.get(Path(file).suffix.lower(), "text")
    try:
        citations = extract_text(text, file=file, kind=kind)
    except NoReferencesError:
        citations = [
            Citation(line.strip(), Source(file, position, number))
            for position, (number, line) in enumerate(
                ((n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()), 1
            )
        ]
    return parse_citations(citations, parser=parser)


def to_bibliography_data(references: Sequence[Reference], keys: Sequence[str] | None = None) -> BibliographyData:
    """The references as pybtex entries, keyed and filled as refkit's BibTeX export writes them.

    Args:
        references: the works.
        keys: the entry keys (default: :func:`refkit.export.citation_keys`).

    Example:
        >>> from refkit.model import Person as P
        >>> ref = Reference(author=(P("Deza", "G"),), issued=(2016,), title="Solitary morphea", et_al=True)
        >>> entry = to_bibliography_data([ref]).entries["deza2016solitary"]
        >>> [str(p) for p in entry.persons["author"]], entry.fields["year"]
        (['Deza, G', 'others'], '2016')
    """
    from pybtex.database import parse_string

    from refkit.export import as_clusters, citation_keys, dumps

    refs = list(references)
    wanted = list(keys) if keys is not None else citation_keys(refs)
    if len(wanted) != len(refs):
        raise ValueError(f"{len(wanted)} keys for {len(refs)} references")
    text = dumps(as_clusters(refs), "bibtex")
    parsed = parse_string(text, "bibtex")
    data = BibliographyData()
    for ref, exported, key in zip(refs, list(parsed.entries.values()), wanted, strict=True):
        persons: dict[str, Any] = {role: list(people) for role, people in exported.persons.items()}
        if ref.et_al and persons.get("author"):
            persons["author"].append(Person("others"))
        entry = exported.__class__(exported.type, fields=exported.fields, persons=persons)
        data.add_entry(key, entry)
    return data


class Parser(BaseParser):
    """pybtex input plugin ``refkit``: reference lists and articles -> :class:`pybtex.database.BibliographyData`.

    Keys that would repeat a key already read (from an earlier file of the same parser) get a letter.

    Example:
        >>> data = Parser().parse_string("Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467\\n")
        >>> entry = data.entries["cambiaghi2000fingertip"]
        >>> entry.type, entry.fields["journal"], entry.fields["pages"]
        ('article', 'Cutis', '465--467')
    """

    default_suffix = ".txt"
    unicode_io = True

    def __init__(
        self,
        encoding: str | None = None,
        wanted_entries: Any = None,
        min_crossrefs: int = 2,
        parser: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(encoding=encoding, wanted_entries=wanted_entries, min_crossrefs=min_crossrefs, **kwargs)
        self._explicit_encoding = encoding
        self.parser = parser

    def parse_file(self, filename: str | os.PathLike[str], file_suffix: str | None = None) -> BibliographyData:
        """Read one file; without an explicit encoding it is decoded as refkit reads articles (UTF-8, BOM,
        UTF-16, or Windows-1252 as a fallback)."""
        name = os.fspath(filename) + (file_suffix or "")
        if self._explicit_encoding:
            return super().parse_file(name)
        from pybtex.database import PybtexError

        from refkit.errors import InputError
        from refkit.extract import read_text

        self.filename = name
        try:
            text, _ = read_text(name)
        except InputError as exc:
            raise PybtexError(str(exc), filename=name) from exc
        self._add(text)
        return self.data

    def parse_stream(self, stream: Any) -> BibliographyData:
        """Read references from a text stream."""
        self._add(stream.read())
        return self.data

    def _add(self, text: str) -> None:
        refs = references_from_text(text, file=self.filename, parser=self.parser)
        if not refs:
            return
        from refkit.export import citation_keys
        from refkit.text import letter_suffix

        keys = []
        for key in citation_keys(refs):
            unique, i = key, 0
            while unique in self.data.entries or unique in keys:
                unique, i = key + letter_suffix(i), i + 1
            keys.append(unique)
        for key, entry in to_bibliography_data(refs, keys).entries.items():
            self.data.add_entry(key, entry)
