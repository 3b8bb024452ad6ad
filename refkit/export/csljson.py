"""CSL-JSON: the format of citeproc, Pandoc and Zotero's "CSL JSON" import.

What is written, and why (checked against Zotero's import):

- ``id`` is the work's citation key (:func:`refkit.export.citation_keys`), unique in the file.
- Names carry only ``family``, ``given`` and ``literal``, the parts Zotero reads: particles stay inside
  ``family`` ("van der Berg"), a suffix is folded into ``given`` ("Jan, Jr"; the reader unfolds Jr, Sr, II,
  III, IV, V, 2nd, 3rd again), organisations are ``literal``. Initials run together are written apart
  (``JM`` as ``J. M.``): citeproc-js, and so Zotero, reads ``JM`` as one name and prints ``J``.
- ``volume``, ``issue`` and ``page`` are always strings. A page range whose first end has letters after its
  digits and whose last end is shorter (``1392b-1392``) is written with an escaped hyphen (``1392b\\-1392``):
  citeproc-js would read the last end as abbreviated and print ``1392b–11392``; it prints ``\\-`` as a hyphen.
- ``title`` keeps the markup of the record it came from, as CSL rich text (``<i>``, ``<b>``, ``<sub>``,
  ``<sup>``, ``<span style="font-variant:small-caps;">``), which citeproc-js and Zotero render
  (:func:`refkit.export.marked_up_title`).
- A journal article's journal: the full title in ``container-title`` and the abbreviation in
  ``container-title-short`` (CSL) and ``journalAbbreviation`` (the only one Zotero reads), both from refkit's
  journal lists when they know the cited name (:func:`refkit.export.journal_names`).
- ``type: "article"`` means a preprint to Zotero; a reference typed ``article`` that names a container (a
  journal) is written as ``article-journal``.
- ``note`` (Zotero's Extra) holds, in this order: the reference's own note, ``PMID: ...`` and ``PMCID: ...``
  lines (Extra turns them into real fields; ``PMID``/``PMCID`` are also written as CSL variables), a
  ``DOI: ...`` line for types whose Zotero item has no DOI field (all but journal articles, conference papers
  and preprints: Zotero keeps the DOI of a chapter, book, report, dataset... only from Extra), and the
  provenance block of :func:`refkit.export.provenance_note` (every citation's source and raw text).
- ``citation-number`` is left out: it numbers a citation in one article, not a work.

The output validates against the CSL-JSON schema v1.0.2.

Reading accepts a JSON array of items (or one item), takes ``PMID``/``PMCID`` from the variables or else from
``note`` lines, and drops the provenance block from ``note``. Each Reference keeps its item's JSON as ``raw``.
Crossref REST API JSON is read too: a saved response (``/works/{doi}`` or a work list) or Crossref work records
(told from CSL-JSON by their titles being lists) are converted as the registry converts them
(:func:`refkit.registry.convert.to_reference`: markup removed, a book's page count kept as ``number-of-pages``).

Example:
    >>> from refkit.export import as_clusters
    >>> from refkit.model import Reference
    >>> text = FORMAT.dumps(as_clusters([Reference(title="T", volume="96", pmid="26667314")]))
    >>> FORMAT.loads(text)[0].pmid
    '26667314'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

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

__all__ = ["FORMAT", "CslJsonFormat", "to_item"]

_ID_LINE = re.compile(r"^(PMID|PMCID|DOI):\s*(\S+)\s*$", re.IGNORECASE)
# "1392b-1392": letters after the first page's digits and a shorter last page, which citeproc-js would expand.
_PAGE_SUFFIX_RANGE = re.compile(r"(?<![\w\\])([A-Za-z]*\d+[A-Za-z]+)\s*[-\u2013]\s*(\d+)(?![\w-])")
_NUMBER_OF_PAGES = re.compile(r"^number-of-pages:\s*(\S+)\s*$", re.MULTILINE)
# Person.to_csl folds a suffix into ``given`` ("Jan, Jr") because Zotero drops ``suffix``; unfold common ones.
_GIVEN_SUFFIX = re.compile(r"^(.*\S),\s*(Jr\.?|Sr\.?|II|III|IV|V|2nd|3rd)$")


def to_item(cluster: Cluster, key: str) -> dict[str, Any]:
    """One cluster as a CSL-JSON item with id ``key``.

    Example:
        >>> from refkit.export import as_clusters
        >>> to_item(as_clusters([Reference(type="article", container_title="J", volume="3")])[0], "k")["type"]
        'article-journal'
    """
    ref = cluster.canonical
    if ref.type == "article" and ref.container_title:
        ref = ref.replace(type="article-journal")  # a journal article to Zotero, with the journal's names
    ref = journal_names(ref)
    item: dict[str, Any] = {"id": key}
    item.update(ref.to_csl())
    if ref.title:
        item["title"] = marked_up_title(cluster)
    if ref.page:
        item["page"] = _PAGE_SUFFIX_RANGE.sub(_escaped_range, ref.page)
    item.pop("citation-number", None)
    for role in ("author", "editor"):
        if role in item:
            item[role] = [export_name(p).to_csl() for p in getattr(ref, role)]
    if ref.container_title_short:
        item["journalAbbreviation"] = ref.container_title_short
    note_lines = [ref.note] if ref.note else []
    if ref.pmid:
        note_lines.append(f"PMID: {ref.pmid}")
    if ref.pmcid:
        note_lines.append(f"PMCID: {ref.pmcid}")
    if ref.doi and item["type"] not in ZOTERO_DOI_TYPES:
        note_lines.append(f"DOI: {ref.doi}")
    pages = _NUMBER_OF_PAGES.search(ref.note or "")
    if pages:
        item["number-of-pages"] = pages.group(1)
    note_lines.append(provenance_note(cluster))
    item["note"] = "\n".join(note_lines)
    return item


class CslJsonFormat:
    """The ``csljson`` format plugin (suffix ``.json``)."""

    name = "csljson"
    suffixes: tuple[str, ...] = (".json",)

    def dumps(self, clusters: Sequence[Cluster]) -> str:
        """A JSON array of CSL items, one per cluster, UTF-8 characters unescaped."""
        keys = citation_keys([c.canonical for c in clusters])
        items = [to_item(cluster, key) for cluster, key in zip(clusters, keys, strict=True)]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"

    def pieces(self, clusters: Sequence[Cluster], size: int) -> Iterator[str]:
        """The text of :meth:`dumps`, ``size`` items at a time (each item as ``json.dumps`` indents it in the
        array: a string never holds a line break, which JSON escapes)."""
        empty = True
        for chunk in chunked_with_keys(clusters, work_keys(clusters), size):
            items = (json.dumps(to_item(c, key), ensure_ascii=False, indent=2) for c, key in chunk)
            text = ",\n".join("  " + item.replace("\n", "\n  ") for item in items)
            yield ("[\n" if empty else ",\n") + text
            empty = False
        yield "[]\n" if empty else "\n]\n"

    def loads(self, text: str) -> list[Reference]:
        """The items of a CSL-JSON array as References.

        Raises:
            FormatError: not JSON, or not an array of objects.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
        except RecursionError as exc:
            raise FormatError("JSON nested too deeply to be a CSL-JSON file") from exc
        if isinstance(data, Mapping) and data.get("message-type") in ("work", "work-list"):
            # A Crossref REST API response (/works/{doi} or a work list), as saved from api.crossref.org.
            message = data.get("message")
            data = (message.get("items") or []) if isinstance(message, Mapping) and "items" in message else [message]
        if isinstance(data, Mapping):
            data = [data]
        if not isinstance(data, list):
            raise FormatError(f"CSL-JSON must be an array of items, not {type(data).__name__}")
        refs = []
        for position, item in enumerate(data, 1):
            if not isinstance(item, Mapping):
                raise FormatError(f"CSL-JSON item {position} is a {type(item).__name__}, not an object")
            refs.append(_from_item(item, position))
        return refs


def _escaped_range(match: re.Match[str]) -> str:
    first, last = match.groups()
    return f"{first}\\-{last}" if len(last) < len(first) else match.group(0)


def _is_crossref(item: Mapping[str, Any]) -> bool:
    """A Crossref work record: its titles are lists, where CSL-JSON has strings."""
    return any(isinstance(item.get(name), list) for name in ("title", "container-title", "short-container-title"))


def _from_item(item: Mapping[str, Any], position: int) -> Reference:
    raw = json.dumps(item, ensure_ascii=False)
    if _is_crossref(item):
        from refkit.registry.convert import to_reference

        return to_reference(item).replace(raw=raw, source=Source("", position))
    ref = Reference.from_csl(item, raw=raw, source=Source("", position))
    if ref.page and "\\-" in ref.page:
        ref = ref.replace(page=ref.page.replace("\\-", "-"))
    if ref.title and "<" in ref.title:
        from refkit.registry.convert import strip_rich_text

        # CSL rich text: the Reference holds the plain title; the markup stays in raw for the next export
        ref = ref.replace(title=strip_rich_text(ref.title))
    if any(p.given and "," in p.given for p in ref.author + ref.editor):
        ref = ref.replace(author=_unfold(ref.author), editor=_unfold(ref.editor))
    if not isinstance(item.get("note"), str):
        return ref
    own, _, et_al = parse_provenance(item["note"])
    kept = []
    ids: dict[str, str] = {}
    for line in own.splitlines():
        match = _ID_LINE.match(line.strip())
        if match:
            ids[match.group(1).lower()] = match.group(2)
        else:
            kept.append(line)
    note = "\n".join(kept).strip() or None
    return ref.replace(
        note=note,
        pmid=ref.pmid or ids.get("pmid"),
        pmcid=ref.pmcid or ids.get("pmcid"),
        doi=ref.doi or ids.get("doi"),
        et_al=ref.et_al or et_al,
    )


def _unfold(people: tuple[Person, ...]) -> tuple[Person, ...]:
    out = []
    for person in people:
        match = _GIVEN_SUFFIX.match(person.given or "") if not person.suffix else None
        out.append(replace(person, given=match.group(1), suffix=match.group(2)) if match else person)
    return tuple(out)


#: The plugin instance that :mod:`refkit.export` registers.
FORMAT = CslJsonFormat()
