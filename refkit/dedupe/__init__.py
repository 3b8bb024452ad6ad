"""Citations -> works: the same work cited several times, in one article or across many, becomes one cluster.

Three composable steps, composed by :func:`dedupe`:

1. :func:`candidate_pairs` (blocking) puts each citation in a few small blocks: its DOI, its PMID, first-author
   surname with the year (a block spans two consecutive years, so online-first and print years meet), the same
   with the raw text's first word (the first author in almost every style, whatever the parser made of it), the
   volume with the first page, the first and the last three significant title words, and the surname with the
   first title word (for a wrong or missing year). Only citations sharing a block are compared. A block too large
   to be specific ("World Health Organization 2020") is sorted by title and only neighbours within a small window
   are compared, so the cost grows about linearly with the number of citations.
2. :func:`score` decides a pair from keys normalised once per citation (:func:`comparison_keys`: folded title,
   surname, year, volume, first page, journal, and the words, numbers and years of the raw text): 1.0 for the same
   work, 0.0 for different works, in between for "probably" (accepted at >= 0.5). Identifiers decide first: the
   same DOI (written or matched) or PMID is the same work; two different DOIs, or two different PMIDs, never are.
   Otherwise the first author's surname, a near-identical title, years within one, and any volume, first page and
   journal both give must agree. The raw text backs up what a parser misreads: a year written anywhere in it
   (not a page range's end) counts, a year left in the volume field is dropped, a volume read as the page is no
   page conflict, and when the parsed titles disagree the raw texts decide (same words up to order and style
   with compatible numbers, or one is the other less a subtitle run). A title under 12 characters ("ex rel")
   needs the raw texts or the locator to agree as well. A citation with no title is joined only when surname,
   year, volume, first page and journal all agree; one with neither author nor title only when year, volume,
   first page agree and the journal is known to be the same.
3. :func:`cluster` joins accepted pairs (union-find, strongest first), never putting two DOIs or two PMIDs in one
   cluster, so a citation without identifiers joins at most one of two works that differ only by DOI.

Related but distinct works (decided here; they are never merged, and each cluster lists the other in
:attr:`~refkit.model.Cluster.related` as ``"relation:target"``, the target being the other work's DOI, or its
cluster id when it has none):

* Online-first and print versions of one DOI are **the same work**: one cluster, and the year (e.g. 2015 vs
  2016) is reported as a disagreement.
* A journal's two language editions (e.g. Actas Dermosifiliogr, Spanish and English, one DOI each, same
  volume and pages) are **two works**: ``other-edition`` both ways. The same relation is drawn for two citations
  with the same first author, year, volume and first page whose titles differ (a translated title).
* Part I / Part II (any "Part N" that differs) are **two works**: ``other-part``.
* An erratum, correction, retraction, reply or comment and the article it concerns are **two works**:
  ``is-correction-of`` / ``has-correction``, ``is-retraction-of`` / ``has-retraction``, ``is-comment-on`` /
  ``has-comment``; and Crossref's ``update-to`` of a matched notice gives ``is-<type>-of`` / ``has-<type>``.
* A preprint and its published version are **two works** linked through the matched Crossref record's
  ``relation`` (``is-preprint-of``, ``has-preprint``, ``is-version-of``, ``is-translation-of``, ...): the relation is
  reported as Crossref names it, on both clusters when both are cited (the other side gets the inverse name).

Each cluster keeps every citation with its source and raw text (provenance), a canonical record, and the
fields where the citations disagree (year, title, journal form, volume, issue, pages, DOI, author list). The
canonical record is the registry's record when a citation was matched (with the print year when the record has
a volume, and a PMID taken from the citations); otherwise it is built field by field from the citations: the
value most citations state, ties going to the longest (most complete) value; the longest author list; the most
stated year, ties going to the most precise and then the latest date (the print year of an online-first work).

Example:
    >>> from refkit.model import Reference, Person
    >>> a = Reference(raw="a", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea", volume="96")
    >>> b = Reference(raw="b", author=(Person("Deza", "G"),), issued=(2015,), title="Solitary morphea", doi="10.1/x")
    >>> [len(c.citations) for c in dedupe([a, b])]
    [2]
"""

from __future__ import annotations

from collections.abc import Sequence

from refkit.dedupe.blocking import _pairs, candidate_pairs, same_work_pairs
from refkit.dedupe.canonical import _canonical, _disagreements
from refkit.dedupe.clustering import _cluster, cluster
from refkit.dedupe.keys import Keys, _all_keys, comparison_keys
from refkit.dedupe.related import RELATIONS, _related
from refkit.dedupe.scoring import _judge, score
from refkit.model import Cluster, Match, Reference

__all__ = [
    "RELATIONS",
    "Keys",
    "candidate_pairs",
    "cluster",
    "comparison_keys",
    "dedupe",
    "same_work_pairs",
    "score",
]


def _groups(keys: Sequence[Keys]) -> tuple[list[list[int]], list[tuple[int, int, str]]]:
    """The citations of each work (indices into ``keys``), and the pairs judged related works with their relation:
    the steps of :func:`dedupe` that speak in indices (a citation may occur twice, as the same object)."""
    hints: list[tuple[int, int, str]] = []
    scored: list[tuple[int, int, float]] = []
    for i, j in _pairs(keys):
        value, relation = _judge(keys[i], keys[j])
        scored.append((i, j, value))
        if relation is not None:
            hints.append((i, j, relation))
    return _cluster(keys, scored), hints


def dedupe(
    refs: Sequence[Reference],
    matches: Sequence[Match | None] | None = None,
    *,
    keys: Sequence[Keys] | None = None,
    grouped: tuple[Sequence[Sequence[int]], Sequence[tuple[int, int, str]]] | None = None,
) -> list[Cluster]:
    """Cluster citations of the same work; returns clusters ``w1``, ``w2``... in order of first citation.

    Args:
        refs: parsed citations, each with its raw text and source.
        matches: the registry outcome for each citation (same order), or None when nothing was looked up.
        keys: each citation's :func:`comparison_keys` without its match, when they are made already (matching
            makes them too); a match changes only the DOI.
        grouped: the citations of each work (indices, in order of first citation) and the pairs judged related
            works, when a cluster grouped them (:mod:`refkit.distributed.grouping`); ``keys`` are then not needed.

    Raises:
        ValueError: ``matches`` (or ``keys``) is not as long as ``refs``.

    Example:
        >>> from refkit.model import Person
        >>> a = Reference(raw="Deza 2016", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea")
        >>> [c.disagreements["issued"] for c in dedupe([a, a.replace(raw="Deza 2015", issued=(2015,))])]
        [('2016', '2015')]
    """
    match_list: list[Match | None] = list(matches) if matches is not None else [None] * len(refs)
    if grouped is None:
        groups, hints = _groups(_all_keys(refs, match_list, keys))
    else:
        if matches is not None and len(matches) != len(refs):
            raise ValueError("matches must be as long as refs")
        groups, hints = grouped
    canonicals: list[Reference] = []
    for members in groups:
        canonicals.append(_canonical([refs[i] for i in members], [match_list[i] for i in members]))
    dois = [(c.doi or "").lower() or None for c in canonicals]
    related = _related(groups, hints, match_list, dois)
    return [
        Cluster(
            id=f"w{n}",
            citations=tuple(refs[i] for i in members),
            canonical=canonical,
            matches=tuple(match_list[i] for i in members),
            disagreements=_disagreements([refs[i] for i in members]),
            related=rel,
        )
        for n, (members, canonical, rel) in enumerate(zip(groups, canonicals, related, strict=True), 1)
    ]
