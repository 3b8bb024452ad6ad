"""Works -> findings: what is wrong with, or unverifiable about, each citation.

One function per finding code; :data:`CHECKS` lists them in order and :func:`audit` runs them all. Every finding
names the citations concerned (raw text and source), the evidence (cited value, registry value, and where the
registry value comes from) and, where refkit knows, a suggested fix. Codes and severities are documented in the
README.

"Not found in Crossref" is not "does not exist": about 40 % of real references correctly have no DOI, so
``not-found`` is a warning only for recent journal articles and information otherwise.

Example:
    >>> from refkit.model import Cluster, Reference
    >>> ref = Reference(raw="Smith (2001) A title. J Foo 3:1-2", title="A title", issued=(2001,))
    >>> [f.code for f in audit([Cluster("w1", (ref,), ref, (None,))])]
    []
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from refkit.model import Citation, Cluster, Finding, Reference
from refkit.parse.fields import page_range
from refkit.registry.convert import date_parts

__all__ = ["CHECKS", "SEVERITY_ORDER", "audit", "summarize"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

Check = Callable[[Cluster], Iterable[Finding]]


def _cit(ref: Reference) -> Citation:
    return Citation(raw=ref.raw, source=ref.source)


def _where(ref: Reference) -> str:
    if ref.source is None:
        return "a citation"
    return f"{ref.source.file} #{ref.source.label or ref.source.position}"


def check_registry(cluster: Cluster) -> Iterable[Finding]:
    """``unverified`` and ``not-found``: the work could not be checked, or the registry does not know it."""
    matches = [m for m in cluster.matches if m is not None]
    if not matches or any(m.status == "matched" for m in matches):
        return
    ref = cluster.canonical
    cits = tuple(_cit(r) for r in cluster.citations)
    if all(m.status == "unverified" for m in matches):
        yield Finding(
            "unverified",
            "info",
            "Could not be checked: Crossref was not reachable or not asked.",
            cits,
            {"reason": matches[0].reason},
            "Run again with network access to check it.",
            cluster.id,
        )
        return
    ambiguous = next((m for m in matches if m.status == "ambiguous"), None)
    recent = bool(ref.year and ref.year >= _dt.date.today().year - 15)
    journal = ref.type == "article-journal" and bool(ref.container_title)
    severity = "warning" if recent and journal else "info"
    evidence: dict[str, object] = {"checked": "Crossref (query.bibliographic, DOI look-up)"}
    if ambiguous is not None and ambiguous.record is not None:
        evidence["closest"] = {
            "DOI": ambiguous.record.doi,
            "title": ambiguous.record.title,
            "confidence": ambiguous.confidence,
        }
        suggestion = f'Check whether this is {ambiguous.record.doi} ("{ambiguous.record.title}").'
    else:
        suggestion = "Check the reference against the journal or a library catalogue."
    kind = (
        "a recent journal article: it may not exist as cited"
        if severity == "warning"
        else ("older, book or non-indexed references are often not in Crossref")
    )
    yield Finding("not-found", severity, f"Not found in Crossref ({kind}).", cits, evidence, suggestion, cluster.id)


def check_written_doi(cluster: Cluster) -> Iterable[Finding]:
    """``doi-unresolved`` and ``doi-other-work``: a DOI written in a citation that does not fit."""
    for ref, match in zip(cluster.citations, cluster.matches, strict=False):
        if match is None or not match.written_doi:
            continue
        right = cluster.match.doi if cluster.match and cluster.match.status == "matched" else None
        fix = f"Use {right}." if right and right.lower() != match.written_doi.lower() else "Remove or correct the DOI."
        if match.written_doi_status == "unresolved":
            yield Finding(
                "doi-unresolved",
                "error",
                f"The DOI {match.written_doi} is not registered.",
                (_cit(ref),),
                {"cited": match.written_doi, "registry": None, "source": "Crossref"},
                fix,
                cluster.id,
            )
        elif match.written_doi_status == "other-work":
            other = match.record.title if match.record else None
            yield Finding(
                "doi-other-work",
                "error",
                f"The DOI {match.written_doi} belongs to another work.",
                (_cit(ref),),
                {"cited": match.written_doi, "registry_title": other, "source": "Crossref"},
                fix,
                cluster.id,
            )


def check_missing_doi(cluster: Cluster) -> Iterable[Finding]:
    """``doi-missing``: the work has a DOI but a citation does not give it."""
    match = cluster.match
    if match is None or match.status != "matched" or not match.doi:
        return
    missing = tuple(_cit(r) for r in cluster.citations if not r.doi)
    if missing:
        yield Finding(
            "doi-missing",
            "info",
            f"The DOI {match.doi} is not given.",
            missing,
            {"registry": match.doi, "source": "Crossref"},
            f"Add doi:{match.doi}.",
            cluster.id,
        )


def check_fields(cluster: Cluster) -> Iterable[Finding]:
    """``year-``, ``volume-``, ``issue-``, ``pages-``, ``title-`` and ``author-mismatch`` against the registry."""
    match = cluster.match
    if match is None or match.status != "matched" or match.record is None:
        return
    record = match.record
    message = match.message or {}
    online, printed = date_parts(message, "published-online"), date_parts(message, "published-print")
    years = {d[0] for d in (record.issued, online, printed) if d}
    for ref in cluster.citations:
        cit = (_cit(ref),)
        if ref.year and years and ref.year not in years:
            yield Finding(
                "year-mismatch",
                "warning",
                f"Year {ref.year} differs from the registry's {record.year}.",
                cit,
                {"cited": ref.year, "registry": record.year, "source": "Crossref"},
                f"Use {printed[0] if printed else record.year}.",
                cluster.id,
            )
        elif ref.year and online and printed and online[0] != printed[0] and ref.year == online[0]:
            yield Finding(
                "year-mismatch",
                "info",
                f"Cites the online-first year {ref.year}; published online {online[0]}, in print {printed[0]}.",
                cit,
                {
                    "cited": ref.year,
                    "published-online": "-".join(map(str, online)),
                    "published-print": "-".join(map(str, printed)),
                    "source": "Crossref",
                },
                f"Cite the print year {printed[0]}.",
                cluster.id,
            )
        for name, code in (("volume", "volume-mismatch"), ("issue", "issue-mismatch")):
            cited, registered = getattr(ref, name), getattr(record, name)
            if cited and registered and cited.strip().lower() != registered.strip().lower():
                yield Finding(
                    code,
                    "warning",
                    f"{name.capitalize()} {cited} differs from the registry's {registered}.",
                    cit,
                    {"cited": cited, "registry": registered, "source": "Crossref"},
                    f"Use {name} {registered}.",
                    cluster.id,
                )
        cited_pages, registry_pages = page_range(ref.page), page_range(record.page)
        if (
            cited_pages
            and registry_pages
            and (
                cited_pages[0].lower() != registry_pages[0].lower()
                or (ref.page and "-" in ref.page and cited_pages[1].lower() != registry_pages[1].lower())
            )
        ):
            yield Finding(
                "pages-mismatch",
                "warning",
                f"Pages {ref.page} differ from the registry's {record.page}.",
                cit,
                {"cited": ref.page, "registry": record.page, "source": "Crossref"},
                f"Use pages {record.page}.",
                cluster.id,
            )
        similarity = match.evidence.get("title") if ref is cluster.citations[0] else None
        if ref.title and record.title:
            from refkit.match import title_similarity

            similarity = title_similarity(ref.title, record.title)
            if similarity is not None and similarity < 0.85:
                yield Finding(
                    "title-mismatch",
                    "warning",
                    "The title differs from the registry's.",
                    cit,
                    {
                        "cited": ref.title,
                        "registry": record.title,
                        "similarity": round(similarity, 3),
                        "source": "Crossref",
                    },
                    f'Use "{record.title}".',
                    cluster.id,
                )
        if ref.author and record.author:
            from refkit.match import _fold

            cited_first = _fold(ref.author[0].family or ref.author[0].literal)
            registry_first = _fold(record.author[0].family or record.author[0].literal)
            if cited_first and registry_first and cited_first != registry_first:
                yield Finding(
                    "author-mismatch",
                    "warning",
                    f"First author {ref.author[0].display()} differs from the registry's {record.author[0].display()}.",
                    cit,
                    {"cited": ref.author[0].display(), "registry": record.author[0].display(), "source": "Crossref"},
                    f"Use {record.author[0].display()}.",
                    cluster.id,
                )
            elif not ref.et_al and len(ref.author) < len(record.author) and len(ref.author) > 1:
                yield Finding(
                    "author-mismatch",
                    "info",
                    f'Names {len(ref.author)} of {len(record.author)} authors without "et al".',
                    cit,
                    {"cited": len(ref.author), "registry": len(record.author), "source": "Crossref"},
                    'Add the missing authors or "et al".',
                    cluster.id,
                )


def check_updates(cluster: Cluster) -> Iterable[Finding]:
    """``retracted``, ``expression-of-concern``, ``corrected`` from Crossref's ``updated-by`` notices."""
    match = cluster.match
    if match is None or match.status != "matched" or not match.message:
        return
    seen: set[str] = set()
    for update in match.message.get("updated-by") or []:
        kind = str(update.get("type", "")).lower()
        code, severity = (
            ("retracted", "error")
            if "retraction" in kind or kind == "withdrawal"
            else ("expression-of-concern", "warning")
            if "concern" in kind
            else ("corrected", "info")
            if kind in ("correction", "erratum", "corrigendum", "addendum")
            else (None, None)
        )
        if code is None or code in seen:
            continue
        seen.add(code)
        notice = update.get("DOI")
        yield Finding(
            code,
            severity,
            f"The work has a {kind} notice ({notice}).",  # type: ignore[arg-type]
            tuple(_cit(r) for r in cluster.citations),
            {"notice": notice, "type": kind, "source": update.get("source", "publisher"), "registry": match.doi},
            f"Read {notice} before citing this work.",
            cluster.id,
        )


def check_duplicates(cluster: Cluster) -> Iterable[Finding]:
    """``duplicate-inconsistent`` (one work cited with different details) and ``duplicate-in-list``."""
    if len(cluster.citations) < 2:
        return
    if cluster.disagreements:
        shown = "; ".join(
            f"{name}: {' vs '.join(v or '(none)' for v in values)}" for name, values in cluster.disagreements.items()
        )
        yield Finding(
            "duplicate-inconsistent",
            "warning",
            f"Cited {len(cluster.citations)} times with different details ({shown}).",
            tuple(_cit(r) for r in cluster.citations),
            {
                "disagreements": {k: list(v) for k, v in cluster.disagreements.items()},
                "canonical": cluster.canonical.to_csl(),
            },
            "Cite it the same way everywhere (see the canonical record).",
            cluster.id,
        )
    per_file = Counter(r.source.file for r in cluster.citations if r.source)
    for file, count in per_file.items():
        if count > 1:
            cits = tuple(_cit(r) for r in cluster.citations if r.source and r.source.file == file)
            yield Finding(
                "duplicate-in-list",
                "warning",
                f"Cited {count} times in the same reference list.",
                cits,
                {"file": file},
                "Keep one entry.",
                cluster.id,
            )


def check_incomplete(cluster: Cluster) -> Iterable[Finding]:
    """``incomplete``: a journal article without volume, pages or year (and no DOI to find it by)."""
    for ref in cluster.citations:
        if ref.type != "article-journal" or not ref.container_title:
            continue
        missing = [n for n, v in (("year", ref.year), ("volume", ref.volume), ("pages", ref.page)) if not v]
        if missing and not ref.doi:
            yield Finding(
                "incomplete",
                "warning",
                f"Journal article without {', '.join(missing)}.",
                (_cit(ref),),
                {"missing": missing},
                "Add the missing details.",
                cluster.id,
            )


def check_journal(cluster: Cluster) -> Iterable[Finding]:
    """``journal-mismatch``, ``journal-unknown``, ``journal-nonstandard`` (with refkit's journal lists)."""
    try:
        from refkit import journals
    except ImportError:  # journal knowledge not installed
        return
    record = cluster.match.record if cluster.match and cluster.match.status == "matched" else None
    for ref in cluster.citations:
        name = ref.container_title
        if not name or ref.type != "article-journal":
            continue
        cit = (_cit(ref),)
        translated = journals.detect_translation(name)
        if translated is not None:
            standard = translated.medline or translated.title
            yield Finding(
                "journal-mismatch",
                "error",
                f'"{name}" is not a journal title: it looks like a translation of "{standard}".',
                cit,
                {"cited": name, "registry": standard, "source": "journal lists (back-translation)"},
                f"Use {standard}.",
                cluster.id,
            )
            continue
        if record is not None and record.container_title:
            verdict = journals.same_journal(name, record.container_title)
            if verdict is False and not (
                record.container_title_short and journals.same_journal(name, record.container_title_short)
            ):
                yield Finding(
                    "journal-mismatch",
                    "warning",
                    f'Journal "{name}" differs from the registry\'s "{record.container_title}".',
                    cit,
                    {"cited": name, "registry": record.container_title, "source": "Crossref"},
                    f"Use {journals.standard_abbreviation(record.container_title) or record.container_title}.",
                    cluster.id,
                )
                continue
        known = journals.lookup(name)
        if known is None:
            suggestions = journals.suggest(name)
            if suggestions and suggestions[0][1] >= 0.9:
                best = suggestions[0][0]
                standard = best.medline or best.title
                yield Finding(
                    "journal-nonstandard",
                    "info",
                    f'"{name}" is not a standard journal abbreviation; the NLM form is "{standard}".',
                    cit,
                    {"cited": name, "standard": standard, "source": "NLM Catalog / journal lists"},
                    f"Use {standard}.",
                    cluster.id,
                )
            elif record is None:
                yield Finding(
                    "journal-unknown",
                    "warning",
                    f'Journal "{name}" is in no journal list.',
                    cit,
                    {"cited": name, "source": "NLM Catalog, JabRef and Crossref journal lists"},
                    "Check the journal's name.",
                    cluster.id,
                )
        elif not journals.is_standard(name):
            standard = journals.standard_abbreviation(name)
            if standard and standard != name:
                yield Finding(
                    "journal-nonstandard",
                    "info",
                    f'"{name}" is not the standard abbreviation "{standard}".',
                    cit,
                    {"cited": name, "standard": standard, "source": "NLM Catalog"},
                    f"Use {standard}.",
                    cluster.id,
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
)


def audit(clusters: Sequence[Cluster], checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """Run every check on every work; findings come sorted by severity, then by work."""
    findings = [f for c in clusters for check in checks for f in check(c)]
    order = {c.id: n for n, c in enumerate(clusters)}
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], order.get(f.cluster or "", 0)))


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """Count findings by severity."""
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITY_ORDER}
