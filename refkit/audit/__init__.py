"""Works -> findings: what is wrong with, or unverifiable about, each citation.

One function per group of finding codes; :data:`CHECKS` lists them in order and :func:`audit` runs them all.
Every finding names the citations concerned (raw text and source), the evidence (cited value, registry value, and
where the registry value comes from) and, where refkit knows, a suggested fix. Codes and severities are
documented in the README (:data:`CODES` lists them).

"Not found in Crossref" is not "does not exist": about 40 % of real references correctly have no DOI, so
``not-found`` is a warning only for recent articles in journals the journal lists know (such journals deposit
DOIs), and information otherwise. The journal lists are biomedical, so a journal they do not know is a warning
only for biomedical references.

Example:
    >>> from refkit.model import Cluster, Reference
    >>> ref = Reference(raw="Smith (2001) A title. J Foo 3:1-2", title="A title", issued=(2001,))
    >>> [f.code for f in audit([Cluster("w1", (ref,), ref, (None,))])]
    []
    >>> malformed_doi("Deza G (2015) Solitary plaque. Acta Derm Venereol doi: 10.2340/")
    ('doi: 10.2340/', 'nothing follows the prefix 10.2340/')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from refkit.audit.common import Check
from refkit.audit.doi import check_missing_doi, check_written_doi, malformed_doi
from refkit.audit.duplicates import check_duplicates, check_incomplete
from refkit.audit.embedded import check_embedded
from refkit.audit.fields import check_fields
from refkit.audit.journal import check_journal, is_biomedical, prepare_journal_checks
from refkit.audit.registry import check_registry
from refkit.audit.updates import check_updates
from refkit.model import Cluster, Finding

__all__ = ["CHECKS", "CODES", "SEVERITY_ORDER", "audit", "is_biomedical", "malformed_doi", "summarize"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

#: Every finding code, in the order the README documents them.
CODES: tuple[str, ...] = (
    "doi-invalid",
    "doi-unresolved",
    "doi-other-work",
    "doi-unchecked",
    "doi-missing",
    "not-found",
    "unverified",
    "year-mismatch",
    "volume-mismatch",
    "issue-mismatch",
    "pages-mismatch",
    "title-mismatch",
    "author-mismatch",
    "journal-mismatch",
    "journal-nonstandard",
    "journal-unknown",
    "retracted",
    "expression-of-concern",
    "corrected",
    "duplicate-inconsistent",
    "duplicate-in-list",
    "incomplete",
    "embedded-mismatch",
)

CHECKS: tuple[Check, ...] = (
    check_registry,
    check_written_doi,
    check_missing_doi,
    check_fields,
    check_updates,
    check_duplicates,
    check_journal,
    check_incomplete,
    check_embedded,
)


def audit(clusters: Sequence[Cluster], checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """Run every check on every work; findings come sorted by severity, then by work, then by code.

    Example:
        >>> from refkit.model import Cluster, Reference
        >>> ref = Reference(raw="X. Dermatologist 46:1-2", title="X", container_title="Dermatologist",
        ...                 issued=(1995,), volume="46", page="1-2")
        >>> [(f.code, f.severity) for f in audit([Cluster("w1", (ref,), ref, ())])]
        [('journal-mismatch', 'error')]
    """
    if check_journal in checks:
        prepare_journal_checks(clusters)
    findings = [f for c in clusters for check in checks for f in check(c)]
    order = {c.id: n for n, c in enumerate(clusters)}
    codes = {code: n for n, code in enumerate(CODES)}
    return sorted(
        findings,
        key=lambda f: (SEVERITY_ORDER[f.severity], order.get(f.cluster or "", 0), codes.get(f.code, len(codes))),
    )


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """Count findings by severity.

    Example:
        >>> summarize([Finding("not-found", "info", "...")])
        {'error': 0, 'warning': 0, 'info': 1}
    """
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITY_ORDER}
