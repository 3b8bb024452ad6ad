"""What every family of checks shares: the citation a finding names, the matched record, the check type."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from refkit.model import Citation, Cluster, Finding, Match, Reference

__all__ = ["Check", "cit", "matched"]

Check = Callable[[Cluster], Iterable[Finding]]


def cit(ref: Reference) -> Citation:
    """The citation a finding names: the reference's raw text and source."""
    return Citation(raw=ref.raw, source=ref.source)


def matched(cluster: Cluster) -> Match | None:
    """The work's accepted registry match, if any."""
    match = cluster.match
    return match if match is not None and match.status == "matched" and match.record is not None else None
