"""The result of a run, stage by stage, and the inputs it could not use.

It sits below both :mod:`refkit.pipeline` (which fills it) and :mod:`refkit.report` (which renders it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refkit.audit import summarize
from refkit.model import Citation, Cluster, Finding, Match, Reference

__all__ = ["Problem", "RunResult"]


@dataclass(frozen=True)
class Problem:
    """An input that could not be used, and why."""

    path: str
    message: str
    kind: str  # "missing", "unreadable", "no-references", "warning"


@dataclass
class RunResult:
    """Everything a run produced, stage by stage."""

    inputs: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    registry_note: str | None = None
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    requests: int = 0
    #: Counts made where the items are, when they are kept on a cluster (:mod:`refkit.distributed`): ``parsed``,
    #: ``statuses`` (match status -> count), ``findings`` (severity -> count); :meth:`summary` uses them.
    tallies: dict[str, Any] = field(default_factory=dict)

    @property
    def failed_inputs(self) -> list[Problem]:
        return [p for p in self.problems if p.kind != "warning"]

    def summary(self) -> dict[str, Any]:
        statuses = self.tallies.get("statuses")
        if statuses is None:
            statuses = Counter(m.status for m in self.matches)
        parsed = self.tallies.get("parsed")
        if parsed is None:
            parsed = sum(1 for r in self.references if r.title or r.author)
        findings = self.tallies.get("findings")
        return {
            "inputs": len(self.inputs),
            "inputs_failed": len(self.failed_inputs),
            "references": len(self.citations),
            "parsed": parsed,
            "matched": statuses.get("matched", 0),
            "ambiguous": statuses.get("ambiguous", 0),
            "unmatched": statuses.get("unmatched", 0),
            "unverified": statuses.get("unverified", 0),
            "works": len(self.clusters),
            "findings": dict(findings) if findings is not None else summarize(self.findings),
        }
