"""The user's existing library: link cited works to the items already in it, export only the new ones.

A library is a file the user exported from a reference manager (Zotero: CSL-JSON or BibTeX; RIS also works), read
with :func:`refkit.export.read`. Each item keeps the key the user knows it by (:func:`item_key`): the CSL-JSON
``id``, the BibTeX citation key or the RIS ``ID``; an item without one is named by its position (``#12``).

:func:`link` compares each cluster (its canonical record and every citation) with the library items using the
same rules as :mod:`refkit.dedupe` (identifiers first, a DOI or PMID conflict vetoes; otherwise surname, title,
year within one, volume, first page, journal) and blocking, so a large library costs about linear time. A
cluster that is a library item gets that item's key in :attr:`~refkit.model.Cluster.library_key`;
:func:`new_works` keeps the clusters that are not in the library (what to import), :func:`known_works` the others,
and :func:`findings` reports each link as an ``in-library`` finding.

Example:
    >>> from refkit.dedupe import dedupe
    >>> from refkit.model import Person, Reference
    >>> cited = Reference(raw="Deza G (2016) Solitary morphea", author=(Person("Deza", "G"),), issued=(2016,),
    ...                   title="Solitary plaque-type morphea with dystrophic calcinosis cutis")
    >>> item = cited.replace(raw='{"id": "deza2016"}', issued=(2015,), doi="10.2340/00015555-2271")
    >>> [c.library_key for c in link(dedupe([cited]), [item])]
    ['deza2016']
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import replace

from refkit.dedupe import Keys, comparison_keys, same_work_pairs
from refkit.model import Citation, Cluster, Finding, Reference

__all__ = ["findings", "item_key", "known_works", "link", "load", "new_works"]

_BIBTEX_KEY = re.compile(r"^\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,")
_RIS_ID = re.compile(r"^ID  - (.+?)\s*$", re.MULTILINE)


def load(path: str | os.PathLike[str], format: str | None = None) -> list[Reference]:
    """The items of a library file (CSL-JSON ``.json``, BibTeX ``.bib``, RIS ``.ris``; ``format`` overrides).

    Raises:
        refkit.errors.FormatError: the file is malformed.
        refkit.errors.InputError: the file cannot be read.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "library.bib"
        >>> _ = p.write_text("@article{deza2016, title={Solitary morphea}, year={2016}}\\n", encoding="utf-8")
        >>> [item_key(r) for r in load(p)]
        ['deza2016']
    """
    from refkit.export import read

    return read(path, format)


def item_key(item: Reference) -> str:
    """The key the user's library knows ``item`` by: CSL-JSON ``id``, BibTeX key, RIS ``ID``, else ``#position``.

    Example:
        >>> item_key(Reference(raw="@article{smith2020,\\n title = {A}}"))
        'smith2020'
        >>> item_key(Reference(raw='{"id": "http://zotero.org/users/1/items/ABCD", "type": "book"}'))
        'http://zotero.org/users/1/items/ABCD'
    """
    raw = item.raw.strip()
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            data = None
        if isinstance(data, dict) and data.get("id") not in (None, ""):
            return str(data["id"])
    found = _BIBTEX_KEY.match(raw)
    if found:
        return found.group(1)
    found = _RIS_ID.search(raw)
    if found:
        return found.group(1)
    return f"#{item.source.position if item.source else 0}"


def _cluster_keys(c: Cluster) -> list[Keys]:
    canonical = comparison_keys(c.canonical.replace(doi=c.canonical.doi or _cluster_doi(c)))
    matches = c.matches or [None] * len(c.citations)
    cited = [comparison_keys(r, m) for r, m in zip(c.citations, matches, strict=True)]
    return [canonical, *cited]


def _cluster_doi(c: Cluster) -> str | None:
    match = c.match
    if match is not None and match.status == "matched" and match.doi:
        return match.doi
    return next((r.doi for r in c.citations if r.doi), None)


def link(clusters: Sequence[Cluster], library: Sequence[Reference]) -> list[Cluster]:
    """The clusters, each with ``library_key`` set to the library item that is the same work (None if none).

    When several items fit, the best-scoring one wins (ties: the first in the library), so duplicates inside the
    library do not make a cluster ambiguous. A cluster whose DOI differs from an item's DOI is never linked to it.

    Example:
        >>> from refkit.dedupe import dedupe
        >>> from refkit.model import Person
        >>> a = Reference(author=(Person("Poormoghim", "H"),), issued=(2016,), title="Systemic sclerosis and "
        ...               "calcinosis cutis: response to rituximab", container_title="J Clin Pharm Ther")
        >>> other = Reference(raw="@article{x1, }", title="Something else", issued=(2001,))
        >>> [c.library_key for c in link(dedupe([a]), [other, a.replace(raw="@article{poor16, }")])]
        ['poor16']
    """
    if not library or not clusters:
        return [replace(c, library_key=None) if c.library_key else c for c in clusters]
    item_keys = [comparison_keys(r) for r in library]
    cited: list[Keys] = []
    owner: list[int] = []  # index in `cited` -> cluster number
    cluster_doi: list[str | None] = []
    for n, c in enumerate(clusters):
        keys = _cluster_keys(c)
        cluster_doi.append(keys[0].doi)
        cited.extend(keys)
        owner.extend([n] * len(keys))
    best: dict[int, tuple[float, int]] = {}
    for j, i, value in same_work_pairs(cited, item_keys):
        n = owner[j]
        item = item_keys[i]
        if cluster_doi[n] and item.doi and cluster_doi[n] != item.doi:
            continue
        if n not in best or (value, -i) > (best[n][0], -best[n][1]):
            best[n] = (value, i)
    return [
        replace(c, library_key=item_key(library[best[n][1]]) if n in best else None) for n, c in enumerate(clusters)
    ]


def new_works(clusters: Sequence[Cluster]) -> list[Cluster]:
    """The clusters not in the user's library (``library_key`` is None): the works to export as new.

    Example:
        >>> from refkit.model import Reference
        >>> a = Cluster("w1", (Reference(raw="a"),), Reference(raw="a"), library_key="k1")
        >>> b = Cluster("w2", (Reference(raw="b"),), Reference(raw="b"))
        >>> [c.id for c in new_works([a, b])]
        ['w2']
    """
    return [c for c in clusters if c.library_key is None]


def known_works(clusters: Sequence[Cluster]) -> list[Cluster]:
    """The clusters already in the user's library (``library_key`` set).

    Example:
        >>> from refkit.model import Reference
        >>> a = Cluster("w1", (Reference(raw="a"),), Reference(raw="a"), library_key="k1")
        >>> [c.library_key for c in known_works([a])]
        ['k1']
    """
    return [c for c in clusters if c.library_key is not None]


def findings(clusters: Sequence[Cluster]) -> list[Finding]:
    """One ``in-library`` finding (severity ``info``) per cluster linked to a library item.

    Example:
        >>> from refkit.model import Reference
        >>> a = Cluster("w1", (Reference(raw="Deza G (2016) ..."),), Reference(raw="a"), library_key="deza2016")
        >>> findings([a])[0].message
        'Already in your library as deza2016 (cited 1 time); not exported as new.'
    """
    out = []
    for c in known_works(clusters):
        times = len(c.citations)
        out.append(
            Finding(
                code="in-library",
                severity="info",
                message=(
                    f"Already in your library as {c.library_key} (cited {times} time{'s' if times != 1 else ''}); "
                    "not exported as new."
                ),
                citations=tuple(Citation(r.raw, r.source) for r in c.citations),
                evidence={"library_key": c.library_key, "doi": c.doi},
                cluster=c.id,
            )
        )
    return out
