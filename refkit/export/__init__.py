"""Export clusters to BibTeX, CSL-JSON and RIS, and read those formats back, through named format plugins.

A format plugin is any object with a ``name``, the file ``suffixes`` it claims, ``dumps(clusters) -> str``
and ``loads(text) -> list[Reference]`` (see :class:`FormatPlugin`). Plugins are looked up in this order:

1. plugins registered at runtime with :func:`register`;
2. the built-ins ``bibtex`` (``.bib``), ``csljson`` (``.json``) and ``ris`` (``.ris``),
   registered the same way;
3. plugins installed by other distributions under the entry-point group ``refkit.formats``.

:func:`get_format` finds a plugin by name or by the suffix of a file name; :func:`export` and :func:`read`
write and read files.

Provenance: every exported work carries the raw text and source (file, position, line, label) of each of its
citations in a note that Zotero keeps (CSL-JSON ``note``, BibTeX ``annote``, RIS ``N1``); the exact text is
made by :func:`provenance_note`. Readers drop that block again (it describes citations, not the work), except
for the "author list incomplete" line, which sets ``Reference.et_al``. Each Reference a reader returns keeps
the record's own text in ``raw`` and ``Source(file, position, line)`` of the record in the file read.

Citation keys (BibTeX keys, CSL-JSON ids, RIS ``ID``) come from :func:`citation_keys`: readable, stable for
the same input order, unique.

Example:
    >>> from refkit.model import Person, Reference
    >>> ref = Reference(author=(Person("Deza", "G"),), issued=(2016,), title="Solitary plaque-type morphea")
    >>> text = dumps(as_clusters([ref]), "bibtex")
    >>> text.splitlines()[0]
    '@article{deza2016solitary,'
    >>> get_format("refs.ris").name
    'ris'
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from refkit.errors import FormatError
from refkit.model import Cluster, Person, Reference, Source
from refkit.text import clean_text, letter_suffix

__all__ = [
    "ENTRY_POINT_GROUP",
    "ROUND_TRIP_FIELDS",
    "ZOTERO_DOI_TYPES",
    "FormatPlugin",
    "as_clusters",
    "chunked_with_keys",
    "citation_keys",
    "dump_pieces",
    "dumps",
    "export",
    "export_name",
    "formats",
    "get_format",
    "journal_names",
    "loads",
    "marked_up_title",
    "parse_provenance",
    "provenance_note",
    "read",
    "register",
    "round_trip_differences",
    "spaced_initials",
    "work_keys",
]

#: Entry-point group under which other distributions install format plugins.
ENTRY_POINT_GROUP = "refkit.formats"


@runtime_checkable
class FormatPlugin(Protocol):
    """What a format plugin provides.

    Example:
        >>> class Plain:
        ...     name = "plain"
        ...     suffixes = (".txt",)
        ...     def dumps(self, clusters): return "".join(c.canonical.raw + "\\n" for c in clusters)
        ...     def loads(self, text): return [Reference(raw=line) for line in text.splitlines()]
        >>> isinstance(Plain(), FormatPlugin)
        True
    """

    name: str
    suffixes: tuple[str, ...]

    def dumps(self, clusters: Sequence[Cluster]) -> str:
        """The clusters' canonical references as text in this format."""
        ...

    def loads(self, text: str) -> list[Reference]:
        """The references in ``text``; raises :class:`refkit.errors.FormatError` when it is malformed."""
        ...

    # A plugin may also render in pieces, ``pieces(clusters, size) -> Iterator[str]``: the text of ``dumps`` a few
    # works at a time (see :func:`dump_pieces`), with the keys of :func:`work_keys` and :func:`chunked_with_keys`.


# Three tiers, searched in this order; built-ins and entry points are filled on first use.
_runtime: dict[str, FormatPlugin] = {}
_builtin: dict[str, FormatPlugin] = {}
_installed: dict[str, FormatPlugin] = {}
_loaded = False


def _check(plugin: object) -> FormatPlugin:
    if not isinstance(plugin, FormatPlugin):
        raise TypeError(f"{plugin!r} is not a format plugin (needs name, suffixes, dumps, loads)")
    if not plugin.name or not isinstance(plugin.name, str):
        raise ValueError(f"format plugin {plugin!r} has no name")
    if any(not s.startswith(".") for s in plugin.suffixes):
        raise ValueError(f"format plugin {plugin.name!r}: suffixes must start with '.', got {plugin.suffixes}")
    return plugin


def _add(tier: dict[str, FormatPlugin], plugin: object) -> FormatPlugin:
    checked = _check(plugin)
    tier[checked.name.lower()] = checked
    return checked


def register(plugin: FormatPlugin) -> FormatPlugin:
    """Register a format plugin; it takes precedence over built-in and installed plugins of the same name.

    Returns the plugin, so the function also works as a class-instance decorator target.

    Example:
        >>> from refkit.export import csljson
        >>> class Pretty(csljson.CslJsonFormat):
        ...     name = "csljson-pretty"
        ...     suffixes = (".csl.json",)
        >>> register(Pretty()).name
        'csljson-pretty'
        >>> get_format("out.csl.json").name
        'csljson-pretty'
    """
    return _add(_runtime, plugin)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from refkit.export import bibtex, csljson, ris

    for module in (bibtex, csljson, ris):
        _add(_builtin, module.FORMAT)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        # An entry point may name a plugin class or a ready instance.
        plugin = obj() if isinstance(obj, type) else obj
        _add(_installed, plugin)


def _all() -> dict[str, FormatPlugin]:
    _load()
    merged: dict[str, FormatPlugin] = {}
    for tier in (_installed, _builtin, _runtime):  # later tiers win
        merged.update(tier)
    return merged


def formats() -> list[FormatPlugin]:
    """Every available format plugin, sorted by name.

    Example:
        >>> [f.name for f in formats()][:3]
        ['bibtex', 'csljson', 'ris']
    """
    return [p for _, p in sorted(_all().items())]


def _known(plugins: dict[str, FormatPlugin]) -> str:
    return ", ".join(f"{p.name} ({' '.join(p.suffixes)})" for _, p in sorted(plugins.items()))


def get_format(name_or_path: str | os.PathLike[str]) -> FormatPlugin:
    """The plugin called ``name_or_path``, or else the one claiming the suffix of that file name.

    The longest matching suffix wins (``.csl.json`` before ``.json``); suffixes compare case-insensitively.

    Raises:
        ValueError: no plugin has that name or suffix; the message lists the known ones.

    Example:
        >>> get_format("bibtex").suffixes
        ('.bib',)
        >>> get_format("out/refs.BIB").name
        'bibtex'
    """
    plugins = _all()
    text = os.fspath(name_or_path)
    if text.lower() in plugins:
        return plugins[text.lower()]
    name = Path(text).name.lower()
    best: tuple[int, FormatPlugin] | None = None
    # Runtime plugins come last in _all(), so on equal suffixes they are seen last and win.
    for plugin in plugins.values():
        for suffix in plugin.suffixes:
            fits = name.endswith(suffix.lower()) and len(name) > len(suffix)
            if fits and (best is None or len(suffix) >= best[0]):
                best = (len(suffix), plugin)
    if best is None:
        raise ValueError(f"unknown format {text!r}; known formats: {_known(plugins)}")
    return best[1]


def _plugin(format: str | FormatPlugin | None, path: str | os.PathLike[str] | None) -> FormatPlugin:
    if format is None:
        if path is None:
            raise ValueError("give a format name when there is no file name to take it from")
        return get_format(path)
    if isinstance(format, str):
        return get_format(format)
    return _check(format)


def dumps(clusters: Iterable[Cluster], format: str | FormatPlugin) -> str:
    """The clusters as text in ``format`` (a plugin name, suffix-bearing file name, or plugin).

    Example:
        >>> from refkit.model import Reference
        >>> dumps(as_clusters([Reference(title="A")]), "ris").splitlines()[0]
        'TY  - JOUR'
    """
    return _plugin(format, None).dumps(list(clusters))


#: Works rendered at a time when an export is written in pieces.
PIECE = 512


def dump_pieces(clusters: Sequence[Cluster], format: str | FormatPlugin, size: int = PIECE) -> Iterator[str]:
    """The text of :func:`dumps`, in pieces of ``size`` works, for a format that renders in pieces (the built-in
    ones: a plugin with ``pieces(clusters, size)``); others give their whole text at once.

    The works are read twice, once for their citation keys (unique in the file) and once to render them, so that
    only ``size`` of them are rendered at a time: for a large run whose works are kept on a cluster
    (:class:`refkit.distributed.parted.Parted`).

    Example:
        >>> from refkit.model import Reference
        >>> works = as_clusters([Reference(title="A"), Reference(title="B")])
        >>> "".join(dump_pieces(works, "ris", size=1)) == dumps(works, "ris")
        True
    """
    plugin = _plugin(format, None)
    pieces = getattr(plugin, "pieces", None)
    if pieces is None:
        yield plugin.dumps(clusters)
        return
    yield from pieces(clusters, size)


def chunked_with_keys(
    clusters: Iterable[Cluster], keys: Sequence[str], size: int
) -> Iterator[list[tuple[Cluster, str]]]:
    """The works with their citation keys, ``size`` at a time (for a format's ``pieces``)."""
    chunk: list[tuple[Cluster, str]] = []
    for pair in zip(clusters, keys, strict=True):
        chunk.append(pair)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def loads(text: str, format: str | FormatPlugin) -> list[Reference]:
    """The references in ``text``, read as ``format``.

    Raises:
        refkit.errors.FormatError: the text is malformed.

    Example:
        >>> [r.title for r in loads('[{"id": "a", "type": "book", "title": "T"}]', "csljson")]
        ['T']
    """
    return _plugin(format, None).loads(text)


def export(clusters: Iterable[Cluster], path: str | os.PathLike[str], format: str | FormatPlugin | None = None) -> Path:
    """Write the clusters to ``path`` (UTF-8), in ``format`` or the format its suffix names.

    The file is written to a temporary file in the same folder and renamed over ``path``, so a reader never
    sees half a file and a failed export leaves the old file as it was (:func:`refkit.files.write_all`).

    Raises:
        OutputError: the file could not be written.

    Returns:
        The path written.

    Example:
        >>> import tempfile, pathlib
        >>> from refkit.model import Reference
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "refs.json"
        >>> export(as_clusters([Reference(title="A")]), out).read_text(encoding="utf-8")[:1]
        '['
    """
    from refkit.files import write_all

    plugin = _plugin(format, path)
    target = Path(path)
    write_all({target: plugin.dumps(list(clusters))})
    return target


def read(path: str | os.PathLike[str], format: str | FormatPlugin | None = None) -> list[Reference]:
    """The references in the file ``path`` (UTF-8, a BOM is allowed).

    Each Reference's ``source.file`` is ``path`` as given.

    Raises:
        refkit.errors.FormatError: the file is malformed (one-line message naming the file).
        refkit.errors.InputError: the file cannot be read or decoded.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.ris"
        >>> _ = p.write_text("TY  - BOOK\\nTI  - T\\nER  - \\n", encoding="utf-8")
        >>> [(r.type, r.title, r.source.position) for r in read(p)]
        [('book', 'T', 1)]
    """
    from refkit.errors import InputError

    plugin = _plugin(format, path)
    name = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read: {exc}", path=name) from exc
    try:
        refs = plugin.loads(text)
    except FormatError as exc:
        raise FormatError(f"{name}: {exc}", path=name) from exc
    return [r.replace(source=replace(r.source, file=name)) if r.source else r for r in refs]


def as_clusters(references: Iterable[Reference]) -> list[Cluster]:
    """Wrap plain references as one-citation clusters ``w1``, ``w2``, ... (e.g. to re-export a file read).

    Example:
        >>> [c.id for c in as_clusters([Reference(title="A"), Reference(title="B")])]
        ['w1', 'w2']
    """
    return [Cluster(id=f"w{i}", citations=(ref,), canonical=ref) for i, ref in enumerate(references, 1)]


# ----------------------------------------------------------------------------------------------------
# Citation keys

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "and",
        "or",
        "with",
        "without",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "its",
        "into",
        "about",
        "over",
        "under",
        "de",
        "del",
        "la",
        "le",
        "les",
        "el",
        "los",
        "las",
        "der",
        "die",
        "das",
        "des",
        "den",
        "und",
        "el",
        "y",
        "et",
        "du",
        "von",
        "zur",
        "zum",
    ]
)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text``, accents removed ("Bégon" -> "begon")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def _key_base(ref: Reference) -> str:
    name = ""
    if ref.author or ref.editor:
        first = (ref.author or ref.editor)[0]
        if first.literal:
            words = [ascii_fold(w) for w in first.literal.split()]
            name = next((w for w in words if w and w not in _STOPWORDS), "")
        else:
            name = ascii_fold(first.family or first.given or "")
    word = ""
    for token in re.split(r"[\s\-/:]+", ref.title or ""):
        folded = ascii_fold(token)
        if folded and folded not in _STOPWORDS:
            word = folded
            break
    base = f"{name or 'anon'}{ref.year or ''}{word}"
    return base


#: The fields every built-in format writes and reads back unchanged.
ROUND_TRIP_FIELDS = (
    "author",
    "issued",
    "title",
    "container_title",
    "container_title_short",
    "volume",
    "issue",
    "page",
    "doi",
    "pmid",
    "url",
    "publisher",
    "type",
)


# Initials with nothing between them but periods; "J. M." and "J.\u2009C." are written apart already.
_BARE_INITIALS = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ]\.?){2,4}$")


def spaced_initials(given: str | None) -> str | None:
    """Initials run together (``JM``, ``J.M.``) written as Zotero and citeproc-js read them: ``J. M.``.

    Zotero, citeproc-js and BibTeX take ``JM`` for one given name and print it as ``J.`` (Vancouver
    ``Sánchez-Schmidt J``), so the exporters write the initials apart. Anything else is returned as it is.

    Example:
        >>> [spaced_initials(g) for g in ("JM", "J.M.", "J. M.", "Jan", "J", None)]
        ['J. M.', 'J. M.', 'J. M.', 'Jan', 'J', None]
    """
    if not given or not _BARE_INITIALS.match(given.strip()):
        return given
    return " ".join(f"{c}." for c in given if c.isalpha())


def export_name(person: Person) -> Person:
    """The name as the exporters write it: initials run together written apart (:func:`spaced_initials`), and a
    "suffix" JR or SR with no given name taken as the initials it is ("Stothard JR" is J. R. Stothard).

    Zotero reads a suffix as part of the given name (BibTeX ``Stothard, JR, ``, RIS ``Stothard, , JR`` come back
    as a first name ", JR"), and a generational suffix is written Jr or Sr, not in capitals.

    Example:
        >>> export_name(Person("Stothard", suffix="JR")), export_name(Person("King", "Martin", suffix="Jr"))
        (Person(family='Stothard', given='J. R.', literal=None, suffix=None), \
Person(family='King', given='Martin', literal=None, suffix='Jr'))
    """
    if person.suffix in ("JR", "SR") and not person.given:
        return replace(person, given=spaced_initials(person.suffix), suffix=None)
    if person.given and _BARE_INITIALS.match(person.given.strip()):
        return replace(person, given=spaced_initials(person.given))
    return person


def _people(people: tuple[Person, ...]) -> tuple[Person, ...]:
    # Exporters write initials apart and remove control characters (clean_text), by design: neither is a loss.
    def clean(value: str | None) -> str | None:
        return " ".join(clean_text(value).split()) or None if value else value

    people = tuple(export_name(p) for p in people)
    return tuple(Person(clean(p.family), clean(p.given), clean(p.literal), clean(p.suffix)) for p in people)


#: CSL types held as Zotero journal articles, whose container is a journal.
JOURNAL_TYPES = frozenset(["article-journal", "review", "review-book"])
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_ACRONYM = re.compile(r"\s*:\s*[A-Z][A-Z&-]+$")
_SMALL_WORDS = frozenset(
    [
        *("a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"),
        *("de", "des", "du", "la", "le", "les", "und", "der", "die", "das", "für", "et"),
    ]
)


def _title_case(title: str) -> str:
    """An NLM title ("Acta dermato-venereologica") in the title case journals print on their covers."""

    def word(w: str, first: bool) -> str:
        if any(c.isupper() for c in w) or (not first and w.lower() in _SMALL_WORDS):
            return w
        return "-".join(part[:1].upper() + part[1:] for part in w.split("-"))

    return " ".join(word(w, i == 0) for i, w in enumerate(title.split(" ")))


def journal_names(ref: Reference) -> Reference:
    """The reference with its journal's full title as ``container_title`` and an abbreviation as the short form.

    Zotero holds a journal article's journal twice: the full title (``publicationTitle``, which APA prints)
    and ``journalAbbreviation`` (which Vancouver, AMA and Nature print). A parsed reference names the journal
    as the article printed it, mostly abbreviated. When refkit's journal lists (:mod:`refkit.journals`) know
    the name, the full title is taken from them and the abbreviation is the cited name if it is a standard
    form, else the MEDLINE (or ISO 4) abbreviation; a short form the reference already has is kept. A name the
    lists do not know is left as cited, as the container title, with no abbreviation made up for it (Zotero's
    own journal-abbreviation setting may then fill one in). Only journal articles are changed.

    Example:
        >>> ref = journal_names(Reference(container_title="Acta Derm Venereol"))
        >>> ref.container_title, ref.container_title_short
        ('Acta Dermato-Venereologica', 'Acta Derm Venereol')
        >>> journal_names(Reference(container_title="Journal Nobody Knows")).container_title_short is None
        True
        >>> full = Reference(container_title="Journal of Clinical Pharmacy and Therapeutics")
        >>> journal_names(full).container_title_short
        'J Clin Pharm Ther'
        >>> journal_names(Reference(container_title="Cutis")).container_title_short
        'Cutis'
    """
    name = ref.container_title
    if ref.type not in JOURNAL_TYPES or not name:
        return ref
    from refkit import journals

    found = journals.check(name, candidates=False)
    journal = found.journal
    if journal is None or found.status not in ("standard", "nonstandard"):
        return ref
    # NLM titles: sentence case, a qualifier that tells two journals apart ("Dermatology (Basel, Switzerland)"), an
    # acronym after a colon ("... Venereology : JEADV"); none of them is part of the name on the journal's cover
    title = _ACRONYM.sub("", _title_case(journal.title))
    if journals.normalize(_QUALIFIER.sub("", title)) == journals.normalize(name):
        title = name
    abbreviations = {journals.normalize(a) for a in (journal.medline, journal.iso4) if a}
    cited = journals.normalize(name)
    cited_short = cited in abbreviations or (found.status == "nonstandard" and len(name) < len(title))
    if not cited_short or title == name:
        # the cited name is the title (or a longer form of it): the abbreviation comes from the lists
        if ref.container_title_short:
            return ref
        short = journal.medline or journal.iso4
        if short and journals.normalize(_QUALIFIER.sub("", short)) == cited:
            short = name  # "J (Basel)" for "J": a qualifier added to the name is no abbreviation
        return ref.replace(container_title_short=short)
    short = ref.container_title_short or (name if found.status == "standard" else journal.abbreviation)
    return ref.replace(container_title=title, container_title_short=short)


#: CSL types whose Zotero item has a DOI field (journal article, conference paper, preprint); for every other type
#: Zotero keeps a DOI only from a ``DOI: ...`` line in Extra.
ZOTERO_DOI_TYPES = frozenset(["article-journal", "paper-conference", "article"])


def marked_up_title(cluster: Cluster) -> str | None:
    """The work's title with the markup its record has (``<i>``, ``<sub>``, small caps...), as CSL rich text.

    A Reference holds the plain title, which every stage compares and prints; the record it came from keeps
    the markup: the Crossref record of a match (``Match.message``), or the Crossref or CSL-JSON item a reference
    was read from (its ``raw``). That record's title is used when its plain text is the reference's title, so a
    title the user corrected is never replaced. Otherwise the plain title is returned.

    Example:
        >>> ref = Reference(raw='{"title": ["Life of<i>E. coli</i>"]}', title="Life of E. coli")
        >>> marked_up_title(as_clusters([ref])[0])
        'Life of <i>E. coli</i>'
    """
    import json

    from refkit.registry.convert import plain_text, rich_title

    title = cluster.canonical.title
    if not title:
        return title
    records = [m.message for m in cluster.matches if m is not None and m.message is not None]
    for ref in (cluster.canonical, *cluster.citations):
        if ref.raw.lstrip().startswith("{") and "<" in ref.raw:
            try:
                records.append(json.loads(ref.raw))
            except (ValueError, RecursionError):
                continue
        elif ref.raw.startswith("TY  - ") and "<" in ref.raw:  # an RIS record refkit wrote: TI holds the markup
            records.extend({"title": m.group(1)} for m in re.finditer(r"^TI  - (.*)$", ref.raw, re.MULTILINE))
    for record in records:
        rich = rich_title(record) if hasattr(record, "get") else None
        if rich and rich != title and plain_text(rich) == title:
            return rich
    return title


def round_trip_differences(original: Reference, read_back: Reference, format: str) -> dict[str, tuple[Any, Any]]:
    """The :data:`ROUND_TRIP_FIELDS` on which a reference and its exported-then-read copy differ.

    BibTeX and RIS cannot tell an en dash from a hyphen in a page range, so for them a range written with an en dash
    reads back with a hyphen and that is no difference. Initials run together in a given name are written apart
    (:func:`spaced_initials`), so ``JM`` read back as ``J. M.`` is no difference either, and neither are control
    characters, which every exporter removes (:func:`refkit.text.clean_text`).

    Example:
        >>> a = Reference(title="Morphea", page="418\u2013419")
        >>> round_trip_differences(a, a.replace(page="418-419"), "ris")
        {}
        >>> round_trip_differences(a, a.replace(page="418-419"), "csljson")
        {'page': ('418–419', '418-419')}
    """
    diffs = {}
    # Every exporter writes a journal's full title and abbreviation from the journal lists (journal_names).
    original = journal_names(original)
    for name in ROUND_TRIP_FIELDS:
        x, y = getattr(original, name), getattr(read_back, name)
        if name == "page" and format != "csljson" and x:
            x = x.replace("\u2013", "-")
        if name == "type" and format == "ris":
            # RIS has one type for several CSL types (a review is a JOUR, a standard a STAND): no loss of RIS's own
            from refkit.export.ris import ris_type

            x, y = ris_type(x), ris_type(y)
        if name == "author":
            x, y = _people(x), _people(y)
        elif isinstance(x, str) and isinstance(y, str):
            # control characters are removed on export (clean_text), whitespace runs become one space
            x, y = " ".join(clean_text(x).split()), " ".join(clean_text(y).split())
        if x != y:
            diffs[name] = (x, y)
    return diffs


def citation_keys(references: Sequence[Reference]) -> list[str]:
    """One readable, unique key per reference: first author's family name + year + first title word.

    Names are ASCII-folded and lower-cased ("Sánchez-Schmidt" -> "sanchezschmidt", "van der Berg" ->
    "vanderberg"); stop words are skipped in titles. When several references share a key, each of them gets a
    letter in input order (``deza2016solitarya``, ``deza2016solitaryb``), so keys depend only on the
    references and their order.

    Example:
        >>> from refkit.model import Person
        >>> r = Reference(author=(Person("Deza", "G"),), issued=(2016,), title="Solitary plaque-type morphea")
        >>> citation_keys([r, Reference(title="The Cell"), r])
        ['deza2016solitarya', 'anoncell', 'deza2016solitaryb']
    """
    return _unique_keys([_key_base(r) for r in references])


def work_keys(clusters: Iterable[Cluster]) -> list[str]:
    """:func:`citation_keys` of the works' canonical references, read one work at a time."""
    return _unique_keys([_key_base(c.canonical) for c in clusters])


def _unique_keys(bases: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for base in bases:
        counts[base] = counts.get(base, 0) + 1
    used = {b for b in bases if counts[b] == 1}
    next_letter: dict[str, int] = {}
    keys = []
    for base in bases:
        if counts[base] == 1:
            keys.append(base)
            continue
        i = next_letter.get(base, 0)
        while True:
            key = base + letter_suffix(i)
            i += 1
            if key not in used:
                break
        next_letter[base] = i
        used.add(key)
        keys.append(key)
    return keys


# ----------------------------------------------------------------------------------------------------
# Provenance notes

#: First line of every provenance note; readers strip the block that starts here.
PROVENANCE_HEADER = "refkit: cited"
_ET_AL_LINE = "refkit: author list incomplete in the source (et al.)"
_HEADER_RE = re.compile(r"^refkit: cited \d+ times?$")


def _one_line(text: str) -> str:
    """One line of plain text: control characters and every kind of line break become spaces, so that no file name
    or reference can end a provenance line and start an RIS tag or a BibTeX field of its own."""
    return " ".join(clean_text(text).split())


def _source_text(source: Source | None) -> str:
    if source is None:
        return "unknown source"
    out = f"{_one_line(source.file)}, reference {source.position}"
    if source.line:
        out += f", line {source.line}"
    if source.page:
        out += f", page {source.page}"
    if source.column:
        out += f", column {source.column}"
    if source.part:
        out += f", {source.part}"
    if source.label:
        out += f", label {source.label}"
    return out


def provenance_note(cluster: Cluster) -> str:
    """Where the work was cited and how, one citation a line, for a note that Zotero keeps.

    The first line is ``refkit: cited N time(s)``; every citation line starts with ``- `` so that Zotero
    never mistakes it for a ``Field: value`` line of Extra. Line breaks inside raw strings become spaces.

    Example:
        >>> ref = Reference(raw="Deza G (2016) Solitary ...", source=Source("a.html", 3, 40, "3"))
        >>> print(provenance_note(as_clusters([ref])[0]))
        refkit: cited 1 time
        - a.html, reference 3, line 40, label 3: Deza G (2016) Solitary ...
    """
    n = len(cluster.citations)
    lines = [f"{PROVENANCE_HEADER} {n} time{'s' if n != 1 else ''}"]
    if cluster.canonical.et_al:
        lines.append(_ET_AL_LINE)
    for citation in cluster.citations:
        raw = _one_line(citation.raw)
        data = f" [fields from the {citation.fields_from} data in the document]" if citation.fields_from else ""
        lines.append(f"- {_source_text(citation.source)}: {raw}{data}")
    return "\n".join(lines)


def parse_provenance(text: str) -> tuple[str, bool, bool]:
    """Split a note into (text before the provenance block, whether a block was found, et al flag).

    Example:
        >>> parse_provenance("In Spanish\\nrefkit: cited 1 time\\n- a.html, reference 1: X")
        ('In Spanish', True, False)
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _HEADER_RE.match(line.strip()):
            et_al = any(rest.strip() == _ET_AL_LINE for rest in lines[i + 1 :])
            return "\n".join(lines[:i]).strip(), True, et_al
    return text.strip(), False, False
