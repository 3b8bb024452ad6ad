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
    by_doi = {d: n for n, d in enumerate(dois) if d}
    found: list[dict[str, None]] = [{} for _ in groups]

    def target(n: int) -> str:
        return dois[n] or f"w{n + 1}"

    def link(x: int, relation: str, y: int) -> None:
        if x != y:
            found[x][f"{relation}:{target(y)}"] = None
            found[y][f"{_inverse(relation)}:{target(x)}"] = None

    for i, j, relation in hints:
        link(where[i], relation, where[j])
    for n, members in enumerate(groups):
        seen: set[tuple[str, str]] = set()
        for i in members:
            m = matches[i]
            for relation, doi in _message_relations(m.message if m is not None and m.status == "matched" else None):
                if (relation, doi) in seen:
                    continue
                seen.add((relation, doi))
                other = by_doi.get(doi)
                if other is not None:
                    link(n, relation, other)
                else:
                    found[n][f"{relation}:{doi}"] = None
    return [tuple(sorted(f)) for f in found]
