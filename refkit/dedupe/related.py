"""Related but distinct works: Crossref relations and notices, named from both sides."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from refkit.model import Match

#: Crossref ``relation`` types reported in ``Cluster.related`` (work-to-work relations between versions, not
#: citations, reviews or supplements), with the name the other side gets.
RELATIONS: Mapping[str, str] = {
    "is-preprint-of": "has-preprint",
    "has-preprint": "is-preprint-of",
    "is-version-of": "has-version",
    "has-version": "is-version-of",
    "is-translation-of": "has-translation",
    "has-translation": "is-translation-of",
    "is-variant-form-of": "is-original-form-of",
    "is-original-form-of": "is-variant-form-of",
    "is-identical-to": "is-identical-to",
    "is-manifestation-of": "has-manifestation",
    "has-manifestation": "is-manifestation-of",
    "is-replaced-by": "replaces",
    "replaces": "is-replaced-by",
}


def _message_relations(message: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(relation, DOI) pairs a Crossref record states: its ``relation`` entries and the notices it is."""
    if not message:
        return []
    out: list[tuple[str, str]] = []
    relation = message.get("relation")
    if isinstance(relation, Mapping):
        for name, targets in relation.items():
            if name not in RELATIONS or not isinstance(targets, list):
                continue
            for target in targets:
                if (
                    isinstance(target, Mapping)
                    and str(target.get("id-type", "doi")).lower() == "doi"
                    and target.get("id")
                ):
                    out.append((name, str(target["id"]).lower()))
    for update in message.get("update-to") or ():
        if isinstance(update, Mapping) and update.get("DOI") and update.get("type"):
            kind = re.sub(r"[^a-z]+", "-", str(update["type"]).lower()).strip("-")
            out.append((f"is-{kind}-of", str(update["DOI"]).lower()))
    return out


def _inverse(relation: str) -> str:
    if relation in RELATIONS:
        return RELATIONS[relation]
    if relation == "is-comment-on":
        return "has-comment"
    if relation == "has-comment":
        return "is-comment-on"
    if relation.startswith("is-") and relation.endswith("-of"):
        return "has-" + relation[3:-3]
    if relation.startswith("has-"):
        return "is-" + relation[4:] + "-of"
    return relation  # other-edition, other-part: symmetric


def _related(
    groups: Sequence[Sequence[int]],
    hints: Iterable[tuple[int, int, str]],
    matches: Sequence[Match | None],
    dois: Sequence[str | None],
) -> list[tuple[str, ...]]:
    where = {i: n for n, members in enumerate(groups) for i in members}
    stated = {n: relations for n, members in enumerate(groups) if (relations := _stated(matches[i] for i in members))}
    found = _links(((where[i], relation, where[j]) for i, j, relation in hints), stated, dois)
    return [found.get(n, ()) for n in range(len(groups))]


def _stated(matches: Iterable[Match | None]) -> list[tuple[str, str]]:
    """The (relation, DOI) pairs the matched records of a work's citations state, each once, in order."""
    seen: dict[tuple[str, str], None] = {}
    for m in matches:
        for pair in _message_relations(m.message if m is not None and m.status == "matched" else None):
            seen[pair] = None
    return list(seen)


def _links(
    hinted: Iterable[tuple[int, str, int]],
    stated: Mapping[int, Sequence[tuple[str, str]]],
    dois: Sequence[str | None] | Mapping[int, str],
    by_doi: Mapping[str, int] | None = None,
) -> dict[int, tuple[str, ...]]:
    """Each work's ``related`` (works without any left out): from the pairs of works judged related (``hinted``,
    work indices) and the relations their records state (``stated``, by work index), named from both sides.

    ``dois`` gives each work's DOI (a mapping needs hold only the works that have one); ``by_doi`` the work of
    each DOI, when made already."""
    if by_doi is None:
        items = dois.items() if isinstance(dois, Mapping) else enumerate(dois)
        by_doi = {d: n for n, d in items if d}
    found: dict[int, dict[str, None]] = {}

    def target(n: int) -> str:
        doi = dois.get(n) if isinstance(dois, Mapping) else dois[n]
        return doi or f"w{n + 1}"

    def link(x: int, relation: str, y: int) -> None:
        if x != y:
            found.setdefault(x, {})[f"{relation}:{target(y)}"] = None
            found.setdefault(y, {})[f"{_inverse(relation)}:{target(x)}"] = None

    for x, relation, y in hinted:
        link(x, relation, y)
    for n, relations in sorted(stated.items()):
        for relation, doi in relations:
            other = by_doi.get(doi)
            if other is not None:
                link(n, relation, other)
            else:
                found.setdefault(n, {})[f"{relation}:{doi}"] = None
    return {n: tuple(sorted(f)) for n, f in found.items()}
