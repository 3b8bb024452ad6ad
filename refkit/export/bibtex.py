"""BibTeX, written and read with bibtexparser 2; the output also parses with pybtex.

What is written, and why (checked against Zotero's BibTeX import):

- Entry types from CSL types, as Zotero's BibTeX import reads them: ``article`` (journal, magazine, newspaper
  articles, reviews; a preprint that names its server), ``book``, ``incollection`` (chapters and entries),
  ``inproceedings``, ``techreport`` (reports and standards, a standard with ``type = {Standard}``),
  ``phdthesis``, ``online`` (web pages, posts), ``dataset`` and ``misc`` for everything else. When the entry
  type does not give the CSL type back (``misc`` for a dataset, ``article`` for a magazine article), a ``csltype`` field
  keeps it; Zotero and BibTeX styles ignore fields they do not know.
- Keys from :func:`refkit.export.citation_keys` (``deza2016solitary``; ``a``, ``b`` on collision).
- Names as ``Family, Given`` (``Family, Suffix, Given`` with a suffix), so particles stay in the family name;
  initials run together are written apart (``JM`` as ``J. M.``, which BibTeX and Zotero read as two initials);
  organisations in braces (``{World Health Organization}``). ``and others`` is never written, because Zotero
  turns it into an author called "others"; a cut-short author list is recorded in the provenance note.
- Text fields are UTF-8 with LaTeX's special characters escaped: ``\\& \\% {$} \\# \\_``
  (``{$}``, not ``\\$``, which Zotero's import turns into a backslash),
  ``{\\textbraceleft}``, ``{\\textbraceright}``, ``{\\textasciitilde}``, ``{\\textasciicircum}``,
  ``{\\textbackslash}``, and ``{@}`` (bibtexparser reads ``@comment{`` inside a value as a new block).
  ``doi`` and ``url`` are written as they are, but for braces and backslashes, percent-encoded (``%7B``).
  A literal ``--`` in text is written ``-{}-``, since Zotero (and LaTeX) turn ``--`` into an en dash; page
  ranges are written ``418--419``. Zotero's import also reads some plain character runs as signs (its table
  of LaTeX for Unicode, read backwards): ``TEL`` as ℡, ``(+)`` as ⊕,
  ``<=`` as ⇐, ``>=``, ``=>``, ``<->``, ``<<``, ``>>``, ``||``, ``/=``, ``!!``, ``?!``, ``!?``; such runs are
  written in braces (``{TEL}``, ``{(+)}``), which it keeps as they are.
- Title markup from the record (:func:`refkit.export.marked_up_title`) as LaTeX commands Zotero's import turns
  back into its rich text: ``\\textit``, ``\\textbf``, ``\\textsubscript``, ``\\textsuperscript``,
  ``\\textsc``.
- Capitalisation: in ``title`` only, a word with a capital letter after its first character (``DNA``,
  ``mRNA``, ``COVID-19``, ``McArdle``) is wrapped in braces so that styles that lower-case titles keep it.
  Words capitalised only at their first letter (proper nouns such as "Zotero") are not protected: telling
  them apart from ordinary title-case words needs a dictionary, and protecting every capital would stop
  sentence-case styles from working at all.
- Journal: ``journal`` holds the full title (what styles print), ``shortjournal`` (biblatex's name) the
  abbreviation. Containers of other entries go to ``booktitle`` (``howpublished`` for ``misc``).
- Date: ``year``, plus ``date`` (``2015-11-03``) when there is more than a year; Zotero prefers ``date``.
- ``note`` is what Zotero's BibTeX import appends to Extra: the reference's own note, then ``PMID: ...`` and
  ``PMCID: ...`` lines (Extra reads them as those fields; the import drops a ``pmid`` field, which is written
  too for BibTeX tools that read it) and, for types whose Zotero item has no DOI field, ``DOI: ...``.
- Provenance goes in ``annote`` (:func:`refkit.export.provenance_note`): Zotero makes it a child note and
  standard styles do not print it. ``keywords`` is never written (it would become Zotero tags).

Reading uses bibtexparser 2 and raises :class:`refkit.errors.FormatError` when it reports failed blocks
(unparsable entries, duplicate keys) instead of dropping them. Each Reference keeps the entry's text as
``raw`` and its start line as ``source.line``; LaTeX escapes and accents are decoded.

Example:
    >>> from refkit.export import as_clusters
    >>> from refkit.model import Person, Reference
    >>> ref = Reference(author=(Person("Bégon", "M"),), issued=(2016,), title="R&D in DNA", page="418-419")
    >>> print(FORMAT.dumps(as_clusters([ref])).split("annote")[0].strip())
    @article{begon2016rd,
      author = {Bégon, M},
      title = {R\\&D in {DNA}},
      year = {2016},
      pages = {418--419},
"""

from __future__ import annotations

import logging
import re
import unicodedata
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
from refkit.text import clean_text, small_int

__all__ = ["FORMAT", "BibtexFormat", "decode_latex", "escape_latex"]

_CSL_TO_BIBTEX = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection",
    "entry": "incollection",
    "dataset": "dataset",
    "standard": "techreport",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
    "webpage": "online",
    "post": "online",
    "post-weblog": "online",
}
#: The CSL type each entry type reads back as, when no ``csltype`` field says otherwise.
_BIBTEX_TO_CSL = {
    "article": "article-journal",
    "book": "book",
    "booklet": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "unpublished": "manuscript",
    "manual": "book",
    "misc": "document",
    "dataset": "dataset",
}

_ESCAPES = {
    "\\": "{\\textbackslash}",
    "{": "{\\textbraceleft}",
    "}": "{\\textbraceright}",
    "&": "\\&",
    "%": "\\%",
    "$": "{$}",
    "#": "\\#",
    "_": "\\_",
    "~": "{\\textasciitilde}",
    "^": "{\\textasciicircum}",
    "@": "{@}",  # bibtexparser takes "@comment{" inside a value for the start of a new block
}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
# Runs Zotero's BibTeX import turns into other signs (℡, ⊕, ⇐, ...) unless they are in braces.
_ZOTERO_SIGNS = re.compile(r"TEL|\((?:\+|-|x|/)\)|<->|<=|>=|=>|<<|>>|\|\||/=|!!|\?!|!\?")
_NEEDS_ESCAPE = re.compile(r"[\\{}&%$#_~^@]|--|" + _ZOTERO_SIGNS.pattern)
# A word with a capital after its first character; the look-behind skips LaTeX commands.
_CAPS_WORD = re.compile(r"(?<![\\\w])([^\W\d_][\w]*[A-Z][\w]*(?:-\w+)*)")


def escape_latex(text: str) -> str:
    """``text`` with LaTeX's special characters escaped and ``--`` kept from becoming a dash.

    Example:
        >>> escape_latex("50% of R&D_x -- {a}")
        '50\\\\% of R\\\\&D\\\\_x -{}- {\\\\textbraceleft}a{\\\\textbraceright}'
    """
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.translate(_ESCAPE_TABLE).replace("--", "-{}-").replace("--", "-{}-")
    # Zotero's BibTeX import reads "TEL" as ℡ and "(+)" as ⊕ (its map of signs to LaTeX, read backwards)
    return _ZOTERO_SIGNS.sub(lambda m: "{" + m.group(0) + "}", text)


def _protect_caps(text: str) -> str:
    return _CAPS_WORD.sub(
        lambda m: "{" + m.group(1) + "}" if any(c.isupper() for c in m.group(1)[1:]) else m.group(1), text
    )


_ACCENTS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "c": "\u0327",
    "k": "\u0328",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
# The Extra lines refkit writes into note (read back as fields, not as the reference's own note).
_EXTRA_LINE = re.compile(r"^(?:PMID|PMCID|DOI): \S+$")
# Text-style commands written for a title's markup: their argument is the text.
_STYLE_COMMANDS = frozenset(["textit", "textbf", "textsc", "textsubscript", "textsuperscript", "emph"])
_TEXT_COMMANDS = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textendash": "\u2013",
    "textemdash": "\u2014",
}
_DECODE = re.compile(
    r"\\(?P<acc>[`'^~=.\"])\s*(?:\{\s*(?P<b1>\\?[A-Za-z])\s*\}|(?P<b2>\\?[A-Za-z]))"  # \'e \'{e} \'{\i}
    r"|\\(?P<accl>[uvHckrdb])(?:\s*\{\s*(?P<c1>\\?[A-Za-z])\s*\}|\s+(?P<c2>[A-Za-z]))"  # \v{c} \c c
    r"|\\(?P<cmd>[A-Za-z]+)(?:\{\}|\s*(?=[^A-Za-z]|$))"  # \textbackslash, \ss, \o ...
    r"|\\(?P<esc>[&%$#_{}\\ ])"
    r"|(?P<dash>---?)"
    r"|(?P<brace>[{}])"
    r"|(?P<tilde>~)"
)


def _decode_match(m: re.Match[str]) -> str:
    if m.group("cmd"):
        cmd = m.group("cmd")
        if cmd in _TEXT_COMMANDS:
            return _TEXT_COMMANDS[cmd]
        if cmd in _LETTERS:
            return _LETTERS[cmd]
        if cmd in _STYLE_COMMANDS:
            return ""
        return m.group(0)  # an unknown command stays as written
    if m.group("acc") or m.group("accl"):
        accent = m.group("acc") or m.group("accl")
        base = m.group("b1") or m.group("b2") or m.group("c1") or m.group("c2") or ""
        base = {"\\i": "i", "\\j": "j"}.get(base, base)
        return unicodedata.normalize("NFC", base + _ACCENTS[accent])
    if m.group("esc"):
        return m.group("esc")
    if m.group("dash"):
        return "\u2014" if m.group("dash") == "---" else "\u2013"
    if m.group("brace"):
        return ""
    return "\u00a0"  # ~ is a non-breaking space


def decode_latex(text: str) -> str:
    """Plain Unicode text from a BibTeX field value: escapes, accents, dashes, braces and ``~`` resolved.

    Example:
        >>> decode_latex(r"B{\\'e}gon -- R\\& D {DNA} -{}- x{\\textasciitilde}y")
        'Bégon – R& D DNA -- x~y'
    """
    if not any(c in text for c in "\\{}~-"):
        return text
    return _DECODE.sub(_decode_match, text)


def _name(person: Person) -> str:
    # names are cleaned of control characters like every other field (clean_text)
    person = export_name(person)
    person = Person(*(clean_text(v) if v else v for v in (person.family, person.given, person.literal, person.suffix)))
    if person.literal:
        return "{" + escape_latex(person.literal) + "}"
    family = escape_latex(person.family or "")
    if "," in family or re.search(r"\sand\s", family, re.IGNORECASE):
        family = "{" + family + "}"  # "Raimundo, Jr." or "Research and Practice" must stay one family name
    if not person.given and not person.suffix:
        # "W. E. W." alone would be split into given and family names, and "{\\textbraceleft}" alone would be read
        # as an organisation; the comma keeps either a family name.
        return family if " " not in family and not _is_braced(family) else family + ","
    given = escape_latex(person.given or "")
    if person.suffix:
        return f"{family}, {escape_latex(person.suffix)}, {given}"
    return f"{family}, {given}"


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` where ``pattern`` matches outside braces."""
    parts, depth, last, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            m = pattern.match(text, i)
            if m and m.end() > i:
                parts.append(text[last:i])
                last = i = m.end()
                continue
            if ch.isspace():
                # the separators start with any run of spaces, so a match from later in this run fails as this
                # one did: the run is skipped (trying each of its positions took quadratic time on long runs)
                i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
                continue
        i += 1
    parts.append(text[last:])
    return parts


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_SPACE = re.compile(r"\s+")


def _is_braced(text: str) -> bool:
    """True when ``text`` is one brace group from its first to its last character."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def parse_names(value: str) -> tuple[list[Person], bool]:
    """BibTeX names as Persons, and whether the list ended in ``and others``.

    Example:
        >>> parse_names("van der Berg, Jan and {WHO} and Jean de la Fontaine and others")
        ... # doctest: +NORMALIZE_WHITESPACE
        ([Person(family='van der Berg', given='Jan', literal=None, suffix=None), \
Person(family=None, given=None, literal='WHO', suffix=None), \
Person(family='de la Fontaine', given='Jean', literal=None, suffix=None)], True)
    """
    people: list[Person] = []
    others = False
    for chunk in _split_top(value.strip(), _AND):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.lower() == "others":
            others = True
            continue
        if _is_braced(chunk):
            people.append(Person(literal=decode_latex(chunk[1:-1]).strip()))
            continue
        parts = [p.strip() for p in _split_top(chunk, _COMMA)]
        if len(parts) == 1:
            words = [w for w in _split_top(chunk, _SPACE) if w]
            # "First von Last": the family name starts at the first lower-case word (a particle) or is the
            # last word.
            start = next((i for i, w in enumerate(words[:-1]) if w[:1].islower()), len(words) - 1)
            family, given, suffix = " ".join(words[start:]), " ".join(words[:start]), ""
        elif len(parts) == 2:
            family, given, suffix = parts[0], parts[1], ""
        else:
            family, suffix, given = parts[0], ", ".join(parts[1:-1]), parts[-1]
        people.append(
            Person(
                family=decode_latex(family) or None,
                given=decode_latex(given) or None,
                suffix=decode_latex(suffix) or None,
            )
        )
    return people, others


# doi and url are verbatim fields (nothing is unescaped in them), but BibTeX still counts their braces: a brace
# or backslash is written percent-encoded, as a DOI or URL may be (doi.org and browsers decode it).
_VERBATIM_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})


def _verbatim(value: str | None) -> str | None:
    return " ".join(clean_text(value).split()).translate(_VERBATIM_ESCAPES) if value else value


def _page(page: str) -> str:
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "--", escape_latex(page).replace("-{}-", "--"))


_RICH_TO_LATEX = {
    "<i>": "\\textit{",
    "<b>": "\\textbf{",
    "<sub>": "\\textsubscript{",
    "<sup>": "\\textsuperscript{",
    '<span style="font-variant:small-caps;">': "\\textsc{",
}
_RICH_SPLIT = re.compile(r"(<(?:i|b|sub|sup)>|</(?:i|b|sub|sup|span)>|<span style=\"font-variant:small-caps;\">)")


def _latex_title(title: str) -> str:
    """A title (CSL rich text) in LaTeX: text escaped and capitals protected, markup as text commands."""
    out = []
    for i, part in enumerate(_RICH_SPLIT.split(title)):
        if i % 2:
            out.append(_RICH_TO_LATEX.get(part, "}"))
        elif part:
            out.append(_protect_caps(escape_latex(clean_text(part))))
    return "".join(out)


def _entry_fields(cluster: Cluster) -> tuple[str, list[tuple[str, str]]]:
    ref = journal_names(cluster.canonical)
    entry_type = _CSL_TO_BIBTEX.get(ref.type, "misc")
    if ref.type == "article" and ref.container_title:
        entry_type = "article"  # a preprint on a named server: Zotero's @misc would be a document
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str | None, *, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else escape_latex(clean_text(value))))

    if ref.author:
        fields.append(("author", " and ".join(_name(p) for p in ref.author)))
    if ref.editor:
        fields.append(("editor", " and ".join(_name(p) for p in ref.editor)))
    if ref.title:
        rich = marked_up_title(cluster) or ref.title
        # the record's markup as LaTeX; a plain title is text through and through, whatever "<" it holds
        fields.append(
            ("title", _latex_title(rich) if rich != ref.title else _protect_caps(escape_latex(clean_text(rich))))
        )
    if entry_type == "article":
        add("journal", ref.container_title)
        add("shortjournal", ref.container_title_short)
    else:
        add("howpublished" if entry_type == "misc" else "booktitle", ref.container_title)
        add("shortjournal", ref.container_title_short)
    add("series", ref.collection_title)
    if ref.issued:
        fields.append(("year", str(ref.issued[0])))
        if len(ref.issued) > 1:
            fields.append(("date", "-".join(f"{p:02d}" for p in ref.issued)))
    add("volume", ref.volume)
    add("number", ref.issue)
    if ref.page:
        fields.append(("pages", _page(ref.page)))
    add("edition", ref.edition)
    publisher_field = {"phdthesis": "school", "techreport": "institution"}.get(entry_type, "publisher")
    add(publisher_field, ref.publisher)
    add("address", ref.publisher_place)
    add("type", ref.genre or ("Standard" if ref.type == "standard" else None))
    add("isbn", ref.isbn)
    add("issn", ref.issn)
    add("doi", _verbatim(ref.doi), raw=True)
    add("url", _verbatim(ref.url), raw=True)
    add("pmid", ref.pmid)
    add("pmcid", ref.pmcid)
    # Zotero's import appends note to Extra, which reads "PMID: ..." and "DOI: ..." lines as those fields; it keeps
    # a DOI only from Extra for types without a DOI field
    extra = [
        f"PMID: {ref.pmid}" if ref.pmid else None,
        f"PMCID: {ref.pmcid}" if ref.pmcid else None,
        f"DOI: {ref.doi}" if ref.doi and ref.type not in ZOTERO_DOI_TYPES else None,
    ]
    add("note", "\n".join(p for p in (ref.note, *extra) if p))
    if _BIBTEX_TO_CSL.get(entry_type) != ref.type:
        add("csltype", ref.type)
    add("annote", provenance_note(cluster))
    return entry_type, fields


class BibtexFormat:
    """The ``bibtex`` format plugin (suffix ``.bib``)."""

    name = "bibtex"
    suffixes: tuple[str, ...] = (".bib",)

    def dumps(self, clusters: Sequence[Cluster]) -> str:
        """One BibTeX entry per cluster, written by bibtexparser."""
        return self._render(list(zip(clusters, citation_keys([c.canonical for c in clusters]), strict=True)))

    def pieces(self, clusters: Sequence[Cluster], size: int) -> Iterator[str]:
        """The text of :meth:`dumps`, ``size`` entries at a time."""
        for n, chunk in enumerate(chunked_with_keys(clusters, work_keys(clusters), size)):
            yield ("\n" if n else "") + self._render(chunk)

    def _render(self, keyed: list[tuple[Cluster, str]]) -> str:
        import bibtexparser
        from bibtexparser.library import Library
        from bibtexparser.model import Entry, Field

        if not keyed:
            return ""
        library = Library()
        for cluster, key in keyed:
            entry_type, fields = _entry_fields(cluster)
            # Values are enclosed here, so bibtexparser's enclosing middleware (which copies every entry) is
            # not needed.
            library.add(Entry(entry_type, key, [Field(name, "{" + value + "}") for name, value in fields]))
        fmt = bibtexparser.BibtexFormat()
        fmt.indent = "  "
        fmt.block_separator = "\n"
        return bibtexparser.write_string(library, unparse_stack=[], bibtex_format=fmt)

    def loads(self, text: str) -> list[Reference]:
        """The entries of a BibTeX file as References (``@string`` macros resolved).

        Raises:
            FormatError: bibtexparser could not parse a block, or a key is duplicated.
        """
        import bibtexparser

        # bibtexparser logs each failed block itself; the failures are reported once, in the FormatError below
        # (a filter acts only on the logger a record is made in: each of bibtexparser's modules has its own)
        loggers = [
            logging.getLogger(name)
            for name in list(logging.root.manager.loggerDict)
            if name == "bibtexparser" or name.startswith("bibtexparser.")
        ]
        for logger in loggers:
            logger.addFilter(_silence)
        try:
            library = bibtexparser.parse_string(text)
        finally:
            for logger in loggers:
                logger.removeFilter(_silence)
        if library.failed_blocks:
            failed = library.failed_blocks
            first = failed[0]
            line = (first.start_line or 0) + 1
            raw = " ".join((first.raw or "").split())[:60]
            raise FormatError(
                f"{len(failed)} BibTeX block{'s' if len(failed) != 1 else ''} could not be parsed; "
                f"first at line {line}: {type(first).__name__}: {raw!r}"
            )
        return [_from_entry(entry, i) for i, entry in enumerate(library.entries, 1)]


def _silence(record: logging.LogRecord) -> bool:
    return False


_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}


def _issued(fields: dict[str, str]) -> tuple[int, ...]:
    date = fields.get("date", "")
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date)
    if match:
        return tuple(int(p) for p in match.groups() if p)
    year = re.search(r"\d{4}", fields.get("year", ""))
    if not year:
        return ()
    month_text = fields.get("month", "").strip().lower()
    month = small_int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3])
    return (int(year.group()), month) if month and 1 <= month <= 12 else (int(year.group()),)


def _from_entry(entry: object, position: int) -> Reference:
    from bibtexparser.model import Entry

    assert isinstance(entry, Entry)
    fields = {f.key.lower(): str(f.value) for f in entry.fields}

    def text(*names: str) -> str | None:
        for name in names:
            value = fields.get(name)
            if value and value.strip():
                return " ".join(decode_latex(value).split())
        return None

    def verbatim(name: str) -> str | None:
        value = fields.get(name, "").strip()
        for encoded, char in (("%7B", "{"), ("%7D", "}"), ("%5C", "\\")) if name == "doi" else ():
            value = re.sub(encoded, lambda _, c=char: c, value, flags=re.IGNORECASE)
        return value or None

    entry_type = entry.entry_type.lower()
    authors, others = parse_names(fields.get("author", ""))
    editors, _ = parse_names(fields.get("editor", ""))
    note, et_al = None, others
    annote = fields.get("annote")
    if annote:
        _, _, flag = parse_provenance(decode_latex(annote))
        et_al = et_al or flag
    raw_note = fields.get("note")
    written_doi = None
    if raw_note:
        lines = decode_latex(raw_note).strip().splitlines()
        dois = [line for line in lines if line.startswith("DOI: ")]
        written_doi = dois[0][5:].strip() if dois else None
        note = "\n".join(line for line in lines if not _EXTRA_LINE.match(line)).strip() or None
    page = text("pages")
    if page:
        page = re.sub(r"\s*[\u2013\u2014]\s*", "-", page)
    return Reference(
        raw=entry.raw or "",
        type=text("csltype") or _BIBTEX_TO_CSL.get(entry_type, "document"),
        author=tuple(authors),
        editor=tuple(editors),
        et_al=et_al,
        issued=_issued(fields),
        title=text("title"),
        container_title=text("journal", "journaltitle", "booktitle", "howpublished"),
        container_title_short=text("shortjournal"),
        collection_title=text("series"),
        volume=text("volume"),
        issue=text("number", "issue"),
        page=page,
        edition=text("edition"),
        publisher=text("publisher", "school", "institution", "organization"),
        publisher_place=text("address", "location"),
        doi=verbatim("doi") or written_doi,
        pmid=text("pmid"),
        pmcid=text("pmcid"),
        url=verbatim("url"),
        isbn=text("isbn"),
        issn=text("issn"),
        genre=text("type"),
        note=note,
        source=Source("", position, (entry.start_line or 0) + 1),
    )


#: The plugin instance that :mod:`refkit.export` registers.
FORMAT = BibtexFormat()
