"""Readers that turn labelled reference corpora into token/label sequences with one label set.

Three corpora are read (see ``/work/shared/data/README.md`` for their origin and licences; none of them ships
with the package):

* AnyStyle ``*.xml`` (BSD-2): every token tagged, punctuation inside the tagged spans.
* GROBID TEI ``<bibl>`` (CC BY 4.0), ``corpus/`` and the separate ``evaluation/`` set; untagged text is separator.
* PLOS JATS ``<mixed-citation>`` (CC BY): the printed string is rebuilt from the inline tags. Articles whose
  references are only structured (``<nlm-citation>``/``<element-citation>``) are rendered into printed strings
  and marked ``synthetic``, as are extra strings rendered in the author-year style
  "Surname I et al (Year) Title. Journal Vol: pages" from training articles only.

Label set (close to CSL variables)::

    author editor issued title container-title volume issue page publisher publisher-place edition
    DOI PMID URL citation-number note other

Mapping:

=================  ====================================================================================
label              AnyStyle / GROBID / JATS
=================  ====================================================================================
author             author / author, orgName / name, string-name, collab, etal, person-group (author)
editor             editor / editor / person-group (editor)
issued             date / date / year, month, day
title              title / title@level=a, title@level=m when the bibl has no level-a title /
                   article-title, chapter-title, source of a book with no article or chapter title
container-title    journal, container-title / title@level=j|s, title@level=m beside a level-a title /
                   source
volume, issue      volume (AnyStyle folds issue and sometimes the year in: split by position) /
                   biblScope@unit|type=volume|vol, issue / volume, issue, supplement
page               pages / biblScope@unit|type=page|pp / fpage + lpage, elocation-id
publisher          publisher / publisher / publisher-name
publisher-place    location / pubPlace / publisher-loc
edition            edition / - / edition
DOI, PMID, URL     doi, url / idno@type=DOI|PMID, ptr@type=web / ext-link, pub-id, object-id, uri
citation-number    citation-number / - / -
note               note, genre, isbn, source, medium, collection-title, translator ... / note, other idno
                   (arXiv, report numbers) / -
other              everything else: separators, untagged text
=================  ====================================================================================

Token labels are then made consistent across the corpora: punctuation tokens at the edge of a field become
``other`` (AnyStyle keeps "Smith, J." with its trailing dot, GROBID leaves it out), the gaps between two
names of the same list or between first and last page join the field, a DOI/URL field keeps only the
identifier token ("doi:" is a separator), and a URL that is a doi.org link is a DOI. Two source conventions are
brought in line with the others: JATS names after the title that an "editor(s)" cue follows are editors (without a
``<person-group>`` JATS does not say), and a GROBID ``level="m"`` title of an untitled contribution ("A. Author,
in: B. Editor (Eds.), Book") is the container, as AnyStyle and JATS label it.

Strings with fewer than two different field labels are left out of every split: they are unannotated
(about 150 PLOS ``<mixed-citation>`` elements are plain text) rather than examples of a string with no fields.

Splits are deterministic and never depend on the model: PLOS by article (``PLOS_HELD_OUT``, about 20 %),
AnyStyle by a hash of the sequence text (10 %), GROBID ``corpus/`` by a hash of the file name (10 %); GROBID
``evaluation/`` is test only. Any training string equal to a test string is dropped (the GROBID evaluation
strings all occur in its training corpus too). A further hash bucket of the training part is the ``dev`` split
used to tune the regularisation.

Example:
    >>> ex = examples_from_pieces([("Smith J", "author"), (". ", None), ("Title", "title"), (".", None)])
    >>> list(zip(ex[0], ex[1]))
    [('Smith', 'author'), ('J', 'author'), ('.', 'other'), ('Title', 'title'), ('.', 'other')]
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from refkit.parse.labelled import LABELS, LEADING_CUES, Example, clean_labels, examples_from_pieces, field_strings
from refkit.parse.labelled import bucket as _bucket
from refkit.parse.styles import (
    BOOK_STYLES,
    JOURNAL_STYLES,
    Pools,
    Record,
    chicago,
    full_names,
    render_springer,
    render_vancouver,
)

__all__ = [
    "LABELS",
    "PLOS_HELD_OUT",
    "Example",
    "examples_from_pieces",
    "field_strings",
    "load_all",
    "read_anystyle",
    "read_grobid",
    "read_plos",
]

#: written out so that the test set cannot drift if files are added.
PLOS_HELD_OUT = frozenset(
    {
        "journal.pbio.1001636.xml",
        "journal.pcbi.1001051.xml",
        "journal.pcbi.1004089.xml",
        "journal.pcbi.1004453.xml",
        "journal.pgen.1000052.xml",
        "journal.pmed.0020007.xml",
        "journal.pmed.0020171.xml",
        "journal.pmed.1000097.xml",
        "journal.pmed.1000431.xml",
        "journal.pmed.1001186.xml",
        "journal.pmed.1001518.xml",
        "journal.pone.0008519.xml",
        "journal.pone.0016976.xml",
        "journal.pone.0026358.xml",
        "journal.pone.0046041.xml",
        "journal.pone.0050698.xml",
        "journal.pone.0066742.xml",
        "journal.pone.0067179.xml",
        "journal.pone.0078921.xml",
        "journal.pone.0100977.xml",
        "journal.pone.0116586.xml",
        "journal.pone.0116752.xml",
        "journal.pone.0117949.xml",
        "journal.pone.0160653.xml",
        "journal.ppat.1002247.xml",
    }
)


_WS_RE = re.compile(r"\s+")


# --------------------------------------------------------------------------- AnyStyle

_ANYSTYLE_MAP = {
    "author": "author",
    "editor": "editor",
    "date": "issued",
    "title": "title",
    "container-title": "container-title",
    "journal": "container-title",
    "volume": "volume",
    "pages": "page",
    "publisher": "publisher",
    "location": "publisher-place",
    "edition": "edition",
    "doi": "DOI",
    "url": "URL",
    "citation-number": "citation-number",
}
_YEAR_RE = re.compile(r"^(1[5-9]\d\d|20[0-3]\d)$")


def _split_anystyle_volume(words: list[str], labels: list[str]) -> None:
    """AnyStyle folds issue (and sometimes the year) into ``volume``: "2007;22(1):" -> issued, volume, issue."""
    n = len(words)
    i = 0
    while i < n:
        if labels[i] != "volume":
            i += 1
            continue
        j = i
        while j < n and labels[j] == "volume":
            j += 1
        k = i
        if k + 1 < j and _YEAR_RE.match(words[k]) and words[k + 1] in ";.":
            labels[k] = "issued"
            labels[k + 1] = "other"
        depth = 0
        seen_number = False
        for m in range(i, j):
            if labels[m] != "volume":
                continue
            w = words[m]
            if w == "(":
                depth += 1
                labels[m] = "other"
            elif w == ")":
                depth -= 1
                labels[m] = "other"
            elif depth > 0 and seen_number:
                labels[m] = "issue"
            elif seen_number and w.lower() in LEADING_CUES["issue"]:
                # "Vol. 69, No. 11": what follows the issue cue is the issue.
                depth = 1_000
                labels[m] = "other"
            elif any(c.isdigit() for c in w):
                seen_number = True
        i = j


def read_anystyle(path: Path) -> Iterator[tuple[list[str], list[str], str, str]]:
    """Yield ``(tokens, labels, text, group)`` for each sequence of an AnyStyle XML file."""
    tree = etree.parse(str(path))
    for k, seq in enumerate(tree.iter("sequence")):
        pieces: list[tuple[str, str | None]] = []
        for el in seq:
            if not isinstance(el.tag, str):
                continue
            label = _ANYSTYLE_MAP.get(el.tag, "note")
            pieces.append((" " + "".join(el.itertext()) + " ", label))
        words, labels, text = examples_from_pieces(pieces)
        if not words:
            continue
        _split_anystyle_volume(words, labels)
        clean_labels(words, labels)
        yield words, labels, text, f"{path.name}#{k}"


# --------------------------------------------------------------------------- GROBID


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _grobid_label(el: etree._Element, has_a: bool, inherited: str | None) -> str | None:
    tag = _local(el.tag)
    attrs = {k.rsplit("}", 1)[-1]: v for k, v in el.attrib.items()}
    kind = (attrs.get("unit") or attrs.get("type") or attrs.get("level") or "").lower()
    if tag in ("author", "editor"):
        return tag
    if tag == "orgName":
        # Inside an author it is part of the name; alone it is the institution (of a thesis, a report).
        if inherited:
            return inherited
        return "author" if kind == "collaboration" else "publisher"
    if tag == "title":
        level = (attrs.get("level") or attrs.get("leve") or attrs.get("type") or "").lower()
        if level == "a":
            return "title"
        if level == "m":
            return "container-title" if has_a else "title"
        return "container-title"
    if tag == "date":
        return "issued"
    if tag == "biblScope":
        if kind in ("volume", "vol"):
            return "volume"
        if kind == "issue":
            return "issue"
        if kind in ("page", "pp"):
            return "page"
        return inherited
    if tag == "publisher":
        return "publisher"
    if tag.lower() == "pubplace":
        return "publisher-place"
    if tag == "idno":
        return {"doi": "DOI", "pmid": "PMID"}.get(kind, "note")
    if tag == "ptr":
        return "URL"
    if tag == "note":
        return "note"
    return inherited


def _flatten(el: etree._Element, label: str | None, pieces: list[tuple[str, str | None]], has_a: bool) -> None:
    if el.text:
        pieces.append((el.text, label))
    for child in el:
        if isinstance(child.tag, str):
            if _local(child.tag) == "lb":
                pieces.append((" ", label))
            else:
                _flatten(child, _grobid_label(child, has_a, label), pieces, has_a)
        if child.tail:
            pieces.append((child.tail, label))


def read_grobid(path: Path) -> Iterator[tuple[list[str], list[str], str, str]]:
    """Yield ``(tokens, labels, text, group)`` for each outermost ``<bibl>`` of a GROBID TEI file."""
    parser = etree.XMLParser(recover=True, resolve_entities=False)
    tree = etree.parse(str(path), parser)
    root = tree.getroot()
    if root is None:
        return
    for k, bibl in enumerate(el for el in root.iter() if _local(el.tag) == "bibl"):
        if any(_local(a.tag) == "bibl" for a in bibl.iterancestors()):
            continue
        has_a = any(_local(t.tag) == "title" and (t.get("level") or "").lower() == "a" for t in bibl.iter())
        pieces: list[tuple[str, str | None]] = []
        _flatten(bibl, None, pieces, has_a)
        if not has_a:
            _contained_book(pieces)
        words, labels, text = examples_from_pieces(pieces)
        if words and any(lab != "other" for lab in labels):
            yield words, labels, text, f"{path.name}#{k}"


_IN_CUE_RE = re.compile(r"(?:^|[\s.,;])(?:in|dans)\s*:?\s*$", re.I)


def _contained_book(pieces: list[tuple[str, str | None]]) -> None:
    """A book title after "in" or after its editors is the container of an untitled contribution.

    GROBID marks a proceedings volume or a book ``level="m"`` whatever precedes it; "L.D. Faddeev, in: A.
    Connes (Eds.), Les Houches Lectures ..." cites an untitled contribution to that book, and AnyStyle and
    JATS label such a book as the container.
    """
    first = next((k for k, (_, lab) in enumerate(pieces) if lab == "title"), None)
    if first is None:
        return
    head = [lab for _, lab in pieces[:first]]
    # Editors alone before the title edited the book itself ("Viola HJ, Margolis C, eds. 1985. Voyages").
    contribution = "author" in head and "editor" in head[head.index("author") :]
    if not (contribution or _IN_CUE_RE.search("".join(t for t, _ in pieces[:first]))):
        return
    for k, (t, lab) in enumerate(pieces):
        if lab == "title":
            pieces[k] = (t, "container-title")


# --------------------------------------------------------------------------- PLOS (JATS)

_JATS_FIELD = {
    "year": "issued",
    "month": "issued",
    "day": "issued",
    "article-title": "title",
    "chapter-title": "title",
    "volume": "volume",
    "issue": "issue",
    "supplement": "issue",
    "fpage": "page",
    "lpage": "page",
    "elocation-id": "page",
    "publisher-name": "publisher",
    "publisher-loc": "publisher-place",
    "edition": "edition",
    "uri": "URL",
}


def _jats_label(el: etree._Element, inherited: str | None, book_title: bool) -> str | None:
    tag = _local(el.tag)
    if tag == "person-group":
        return "editor" if el.get("person-group-type") == "editor" else "author"
    if tag in ("name", "string-name", "collab", "etal"):
        return inherited if inherited in ("author", "editor") else "author"
    if tag == "source":
        return "title" if book_title else "container-title"
    if tag == "ext-link":
        href = el.get("{http://www.w3.org/1999/xlink}href") or ""
        text = "".join(el.itertext())
        if el.get("ext-link-type") == "doi" or "doi.org/10." in href or text.strip().startswith("10."):
            return "DOI"
        return "URL"
    if tag in ("pub-id", "object-id"):
        kind = el.get("pub-id-type")
        return {"doi": "DOI", "pmid": "PMID"}.get(kind or "")
    if tag == "comment":
        return None
    if tag in _JATS_FIELD:
        return _JATS_FIELD[tag]
    return inherited


def _flatten_jats(el: etree._Element, label: str | None, pieces: list[tuple[str, str | None]], book: bool) -> None:
    if el.text:
        pieces.append((el.text, label))
    for child in el:
        if isinstance(child.tag, str):
            tag = _local(child.tag)
            if tag in ("given-names", "suffix"):
                # JATS prints "Blackburn</surname><given-names>E": the space is implied.
                pieces.append((" ", label))
            _flatten_jats(child, _jats_label(child, label, book), pieces, book)
        if child.tail:
            pieces.append((child.tail, label))


def _text(el: etree._Element | None) -> str:
    return _WS_RE.sub(" ", "".join(el.itertext())).strip() if el is not None else ""


def _record(cit: etree._Element) -> Record | None:
    def first(tag: str) -> etree._Element | None:
        for e in cit.iter():
            if _local(e.tag) == tag:
                return e
        return None

    names = []
    for e in cit.iter():
        if _local(e.tag) == "name":
            parent = e.getparent()
            if parent is not None and parent.get("person-group-type") == "editor":
                continue
            names.append((_text(first_child(e, "surname")), _text(first_child(e, "given-names"))))
    doi = ""
    for e in cit.iter():
        if (_local(e.tag) in ("pub-id", "object-id") and e.get("pub-id-type") == "doi") or (
            _local(e.tag) == "ext-link" and _text(e).startswith("10.")
        ):
            doi = _text(e)
    rec = Record(
        names=tuple(n for n in names if n[0]),
        etal=first("etal") is not None,
        year=_text(first("year")),
        title=_text(first("article-title")),
        source=_text(first("source")),
        volume=_text(first("volume")),
        issue=_text(first("issue")),
        fpage=_text(first("fpage")),
        lpage=_text(first("lpage")),
        doi=doi,
    )
    if not (rec.names and rec.year and rec.title and rec.source and rec.volume):
        return None
    return rec


def first_child(el: etree._Element, tag: str) -> etree._Element | None:
    for c in el:
        if _local(c.tag) == tag:
            return c
    return None


_EDITOR_CUE_RE = re.compile(r"\b(?:editors?|eds?)\b", re.I)


def _mark_editors(pieces: list[tuple[str, str | None]]) -> None:
    """Names after the title are editors ("Title. In: Parrish JK, Hammer WM, editors, Book").

    Without a ``<person-group>``, JATS does not say whose names they are; the editor cue that follows them
    does, and the other corpora label such names ``editor``.
    """
    first_title = next((k for k, (_, lab) in enumerate(pieces) if lab in ("title", "container-title")), None)
    if first_title is None:
        return
    k = first_title
    while k < len(pieces):
        if pieces[k][1] != "author":
            k += 1
            continue
        j = k
        while j < len(pieces) and (pieces[j][1] == "author" or (pieces[j][1] is None and len(pieces[j][0]) < 6)):
            j += 1
        if j < len(pieces) and _EDITOR_CUE_RE.search(" ".join(t for t, _ in pieces[j - 1 : j + 1])):
            for m in range(k, j):
                if pieces[m][1] == "author":
                    pieces[m] = (pieces[m][0], "editor")
        k = j


def read_plos(path: Path) -> Iterator[tuple[list[str], list[str], str, str, bool]]:
    """Yield ``(tokens, labels, text, group, synthetic)`` for the references of a PLOS article.

    ``<mixed-citation>`` gives the printed string; a structured-only citation is rendered (synthetic).
    """
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    tree = etree.parse(str(path), parser)
    for k, ref in enumerate(el for el in tree.iter() if _local(el.tag) == "ref"):
        cit = next((c for c in ref if _local(c.tag).endswith("citation")), None)
        if cit is None:
            continue
        group = f"{path.name}#{k}"
        if _local(cit.tag) == "mixed-citation":
            has_title = any(_local(e.tag) in ("article-title", "chapter-title") for e in cit.iter())
            book = cit.get("publication-type") == "book" and not has_title
            pieces: list[tuple[str, str | None]] = []
            _flatten_jats(cit, None, pieces, book)
            if not any(_local(e.tag) == "person-group" for e in cit.iter()):
                _mark_editors(pieces)
            words, labels, text = examples_from_pieces(pieces)
            if words:
                yield words, labels, text, group, False
        else:
            rec = _record(cit)
            if rec is not None:
                words, labels, text = examples_from_pieces(render_vancouver(rec, doi=bool(_bucket(rec.title, 2))))
                yield words, labels, text, group, True


def plos_records(path: Path) -> Iterator[tuple[str, Record]]:
    """``(group, record)`` for the journal articles an article cites, from their tags."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    tree = etree.parse(str(path), parser)
    for k, ref in enumerate(el for el in tree.iter() if _local(el.tag) == "ref"):
        cit = next((c for c in ref if _local(c.tag).endswith("citation")), None)
        rec = _record(cit) if cit is not None else None
        if rec is not None:
            yield f"{path.name}#{k}", rec


def read_plos_springer(path: Path) -> Iterator[tuple[list[str], list[str], str, str]]:
    """Synthetic author-year strings ("Deza G et al (2016) Title. Journal 96:418-419") for an article."""
    for group, rec in plos_records(path):
        words, labels, text = examples_from_pieces(render_springer(rec, _bucket(group, 3)))
        yield words, labels, text, group


_ORGANISATION_RE = re.compile(
    r"\b(?:Organi[sz]ation|Association|Society|Institute|Committee|Group|Agency|Council|Foundation|Ministry|"
    r"Department|Cent(?:er|re)s?|Consortium|Collaboration|Network|Clinic|Board|Office|Service|Staff|Federation|"
    r"Union|Academy|Commission|Bureau|Authority|Programme|Program)\b"
)


def style_pools(examples: Iterable[Example]) -> Pools:
    """Publishers printed with their place, and organisations printed as authors, in training strings."""
    publishers: dict[tuple[str, str], None] = {}
    organisations: dict[str, None] = {}
    for ex in examples:
        if ex.split != "train" or ex.source not in ("anystyle", "grobid", "plos"):
            continue
        fields = field_strings(ex.text, list(ex.tokens), list(ex.labels))
        pub, place = fields.get("publisher", []), fields.get("publisher-place", [])
        if len(pub) == 1 and len(place) == 1:
            pair = (pub[0].strip(" .,;:"), place[0].strip(" .,;:"))
            if all(0 < len(s.split()) <= 5 and not re.search(r"[\d()\[\]:;]", s) for s in pair):
                publishers[pair] = None
        for author in fields.get("author", []):
            author = author.strip(" .,;:")
            if _ORGANISATION_RE.search(author) and len(author.split()) <= 8 and not re.search(r"[\d,;()\[\]]", author):
                organisations[author] = None
    return Pools(tuple(publishers), tuple(organisations))


def read_plos_styles(paths: list[tuple[Path, str]], pools: Pools, fraction: int) -> Iterator[Example]:
    """Synthetic strings in the layouts of :mod:`refkit.parse.styles`: one cited article in ``fraction`` is
    rendered in one journal style, one in ``2 * fraction`` as a book or chapter (with another record's title as
    the book and its authors as the editors). Deterministic: a seeded generator per article."""
    for path, split in paths:
        records = list(plos_records(path))
        rng = random.Random(path.name)
        for k, (group, rec) in enumerate(records):
            draw = rng.randrange(2 * fraction)
            if draw < 2:
                if draw == 0 and all(full_names(g) for _, g in rec.names):
                    pieces = chicago(rec, rng)
                else:
                    pieces = rng.choice(JOURNAL_STYLES)(rec, rng)
            elif draw == 2 and pools.publishers and len(records) > 1:
                book = records[(k + 1 + rng.randrange(len(records) - 1)) % len(records)][1]
                pieces = rng.choice(BOOK_STYLES)(rec, book, pools, rng)
            else:
                continue
            words, labels, text = examples_from_pieces(pieces)
            yield Example(text, tuple(words), tuple(labels), "synthetic", group + "~", split)


# --------------------------------------------------------------------------- all


def _annotated(labels: list[str]) -> bool:
    """Whether a string carries at least two different field labels (some JATS citations are plain text)."""
    return len(set(labels) - {"other"}) >= 2


def load_all(data: Path, *, springer_fraction: int = 3, styles_fraction: int = 0) -> list[Example]:
    """Every labelled example of the shared data folder, with its split.

    Args:
        data: the data root (``/work/shared/data``).
        springer_fraction: one training PLOS reference in this many also gets a synthetic author-year rendering
            (0 = none).
        styles_fraction: about two training PLOS references in ``2 * styles_fraction`` are also rendered in one
            of the layouts of :mod:`refkit.parse.styles`, one in ``2 * styles_fraction`` as a book or chapter
            (0 = none).
    """
    out: list[Example] = []
    for path in sorted((data / "parse" / "anystyle").glob("*.xml")):
        for words, labels, text, group in read_anystyle(path):
            b = _bucket(text, 10)
            split = "test" if b == 0 else "dev" if b == 1 else "train"
            if _annotated(labels):
                out.append(Example(text, tuple(words), tuple(labels), "anystyle", group, split))
    for path in sorted((data / "parse" / "grobid" / "corpus").glob("*.xml")):
        b = _bucket(path.name, 10)
        split = "test" if b == 0 else "dev" if b == 1 else "train"
        for words, labels, text, group in read_grobid(path):
            if _annotated(labels):
                out.append(Example(text, tuple(words), tuple(labels), "grobid", group, split))
    for path in sorted((data / "parse" / "grobid" / "evaluation").glob("*.xml")):
        for words, labels, text, group in read_grobid(path):
            if _annotated(labels):
                out.append(Example(text, tuple(words), tuple(labels), "grobid-eval", group, "test"))
    plos_training: list[tuple[Path, str]] = []
    for path in sorted((data / "parse" / "plos").glob("*.xml")):
        b = _bucket(path.name, 5)
        split = "test" if path.name in PLOS_HELD_OUT else "dev" if b == 1 else "train"
        for words, labels, text, group, synthetic in read_plos(path):
            if (synthetic and split == "test") or not _annotated(labels):
                continue
            source = "synthetic" if synthetic else "plos"
            out.append(Example(text, tuple(words), tuple(labels), source, group, split))
        if split != "test":
            plos_training.append((path, split))
        if split != "test" and springer_fraction:
            for words, labels, text, group in read_plos_springer(path):
                if _bucket(group + "s", springer_fraction) == 0:
                    out.append(Example(text, tuple(words), tuple(labels), "synthetic", group, split))
    if styles_fraction:
        out.extend(read_plos_styles(plos_training, style_pools(out), styles_fraction))
    # The corpora overlap (GROBID's evaluation strings are all in its training corpus too; AnyStyle repeats
    # strings across files): a string of any test set never trains or tunes the model.
    held = {e.text for e in out if e.split == "test"}
    return [e for e in out if e.split == "test" or e.text not in held]
