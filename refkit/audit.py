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

import datetime as _dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz

from refkit.match import title_similarity
from refkit.model import Citation, Cluster, Finding, Match, Reference, Severity
from refkit.parse.fields import page_range
from refkit.registry.convert import date_parts
from refkit.text import fold

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
)

#: A journal article this many years old or newer is "recent": its journal most likely deposits DOIs.
RECENT_YEARS = 15

Check = Callable[[Cluster], Iterable[Finding]]


def _cit(ref: Reference) -> Citation:
    return Citation(raw=ref.raw, source=ref.source)


def _matched(cluster: Cluster) -> Match | None:
    match = cluster.match
    return match if match is not None and match.status == "matched" and match.record is not None else None


# ----------------------------------------------------------------------------------------------------
# DOIs written in the citation

# "doi:" / "DOI 10..." / "doi.org/": a label that announces a DOI. A bare "doi" word without a colon counts only
# when a digit follows, so a title word is not taken for a label.
_DOI_LABEL = re.compile(
    r"(?:https?://)?(?:dx\.)?doi\.org/\s*|\bdoi\b\s*:\s*|\bdoi\b\s+(?=[1lIO]\S*\d)|\bdoi\b\s*$", re.IGNORECASE
)
# Where the text after a label stops being the DOI.
_DOI_END = re.compile(r"\s+(?:PMID|PMCID|https?:|Epub|Available|Accessed|\[)", re.IGNORECASE)
# Crossref's pattern for the DOIs it registers, with a registrant code of 4 to 9 digits (sub-codes allowed).
_VALID_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# Something shaped like a DOI without a label: "10.<digits>/".
_BARE_DOI = re.compile(r"(?<![\w./])10\.\d+(?:\.\d+)*\s*/", re.IGNORECASE)
_TRAILING = ".,;:'\"]}>"


def _continues(token: str, rest: str) -> bool:
    """Whether ``rest`` carries on the DOI ``token`` across a space ("10.2340/00015555- 2271")."""
    nxt = rest.split(None, 1)[0] if rest.strip() else ""
    if not nxt:
        return False
    if nxt[0] in "-/._)":
        return True
    if token.endswith(("-", "/", "_", "(")):
        return bool(re.match(r"[\w(]", nxt))
    # "10.1111/jcpt. 12340": a dot, then only a number to the end of the reference
    return token.endswith(".") and bool(re.fullmatch(r"\d[\w\-.]*", rest.strip().rstrip(_TRAILING)))


def _diagnose(token: str, rest: str) -> str | None:
    """Why ``token`` (the text after a DOI label or a bare ``10.``) is not a DOI, or None when it is one."""
    bare = token.rstrip(_TRAILING)
    if not bare:
        return "the DOI label is followed by no DOI"
    if _continues(token, rest):
        return "the DOI contains a space"
    if _VALID_DOI.fullmatch(bare):
        return None
    prefix = re.match(r"10\.(\d+)(?:\.\d+)*/?", bare)
    if prefix is None:
        return f'a DOI starts with "10.", not "{bare[:8]}"'
    if not 4 <= len(prefix.group(1)) <= 9:
        return f"10.{prefix.group(1)} is not a possible DOI prefix (registrant codes have 4 to 9 digits)"
    if "/" not in bare:
        return f"the DOI has no suffix after the prefix 10.{prefix.group(1)}"
    return f"nothing follows the prefix {bare}"


def malformed_doi(raw: str) -> tuple[str, str] | None:
    """The malformed DOI written in a reference string, and what is wrong with it; None when there is none.

    The parser extracts only well-formed DOIs, so this reads the raw string: a ``doi:`` label followed by no DOI
    or by a cut one ("doi: 10.2340/"), a DOI broken by a space, a prefix that cannot exist ("10.234/...").

    Example:
        >>> malformed_doi("Acta Derm Venereol 96:418. doi: 10.2340/00015555-2271") is None
        True
        >>> malformed_doi("J Foo 3:1. https://doi.org/10.23/abc")[1]
        '10.23 is not a possible DOI prefix (registrant codes have 4 to 9 digits)'
    """
    covered: list[tuple[int, int]] = []
    for label in _DOI_LABEL.finditer(raw):
        tail = raw[label.end() :]
        stop = _DOI_END.search(tail)
        region = (tail[: stop.start()] if stop else tail).strip()
        covered.append((label.start(), label.end() + len(region) + 1))
        token, _, rest = region.partition(" ")
        problem = _diagnose(token, rest)
        if problem:
            return raw[label.start() : label.end() + len(tail[: stop.start()] if stop else tail)].strip(), problem
    for bare in _BARE_DOI.finditer(raw):
        if any(a <= bare.start() < b for a, b in covered):
            continue
        region = raw[bare.start() :]
        stop = _DOI_END.search(region)
        region = (region[: stop.start()] if stop else region).strip()
        token, _, rest = re.sub(r"\s*/", "/", region, count=1).partition(" ")
        if re.search(r"\s/", raw[bare.start() : bare.end()]):
            return region, "the DOI contains a space"
        problem = _diagnose(token, rest)
        if problem:
            return region, problem
    return None


def check_written_doi(cluster: Cluster) -> Iterable[Finding]:
    """``doi-invalid``, ``doi-unresolved``, ``doi-other-work``: a DOI written in a citation that does not fit;
    ``doi-unchecked``: one that could not be looked up (never a silent pass)."""
    best = _matched(cluster)
    right = best.doi if best is not None else None
    for ref, match in zip(cluster.citations, cluster.matches, strict=False):
        written = match.written_doi if match is not None else None
        malformed = malformed_doi(ref.raw)
        status = match.written_doi_status if match is not None else None
        # "10.1111/jc pt.12340": the parser kept "10.1111/jc", which does not resolve; the search found the DOI
        # the two pieces make together.
        if malformed is None and status == "unresolved" and written and right:
            joined = re.search(re.escape(written) + r"\s+(\S+)", ref.raw, re.IGNORECASE)
            if joined and (written + joined.group(1)).rstrip(_TRAILING).lower() == right.lower():
                malformed = (f"{written} {joined.group(1)}", "the DOI contains a space")
        if malformed is None and status == "invalid" and written:
            malformed = (written, "not a well-formed DOI")
        if malformed is not None:
            text, problem = malformed
            yield Finding(
                "doi-invalid",
                "error",
                f"Malformed DOI: {problem}.",
                (_cit(ref),),
                {"cited": text, "registry": right, "problem": problem, "source": "DOI syntax (10.NNNN/suffix)"},
                f"Use doi:{right}." if right else "Correct the DOI or remove it.",
                cluster.id,
            )
            continue
        if match is None or not written:
            continue
        fix = f"Use {right}." if right and right.lower() != written.lower() else "Remove or correct the DOI."
        if status == "unresolved":
            yield Finding(
                "doi-unresolved",
                "error",
                f"The DOI {written} is not registered with Crossref.",
                (_cit(ref),),
                {"cited": written, "registry": right, "source": "Crossref (DOI look-up)"},
                fix,
                cluster.id,
            )
        elif status == "unchecked":
            yield Finding(
                "doi-unchecked",
                "warning",
                f"The DOI {written} could not be checked: Crossref did not answer ({match.reason or 'no answer'}).",
                (_cit(ref),),
                {"cited": written, "registry": right, "reason": match.reason, "source": "Crossref (DOI look-up)"},
                "Run again: answers already received are cached, and the DOI is asked again.",
                cluster.id,
            )
        elif status == "other-work":
            other = match.record
            yield Finding(
                "doi-other-work",
                "error",
                f"The DOI {written} belongs to another work"
                + (f': "{other.title}"' if other is not None and other.title else "")
                + ".",
                (_cit(ref),),
                {
                    "cited": written,
                    "registry": right,
                    "registry_title": other.title if other else None,
                    "cited_title": ref.title,
                    "source": "Crossref (DOI look-up)",
                },
                fix,
                cluster.id,
            )


def check_missing_doi(cluster: Cluster) -> Iterable[Finding]:
    """``doi-missing``: the work has a DOI but a citation does not give it."""
    match = _matched(cluster)
    if match is None or not match.doi:
        return
    missing = tuple(_cit(r) for r in cluster.citations if not r.doi and malformed_doi(r.raw) is None)
    if missing:
        yield Finding(
            "doi-missing",
            "info",
            f"The DOI {match.doi} is not given.",
            missing,
            {"cited": None, "registry": match.doi, "source": "Crossref"},
            f"Add doi:{match.doi}.",
            cluster.id,
        )


# ----------------------------------------------------------------------------------------------------
# Not in the registry


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
    checked = ["a bibliographic search of the reference text"]
    if any(r.doi for r in cluster.citations):
        checked.insert(0, "the DOI as written")
    severity, kind = _not_found_severity(ref)
    evidence: dict[str, Any] = {"checked": checked, "source": "Crossref", "kind": kind}
    closest = max(
        (m for m in matches if m.record is not None and m.status == "ambiguous"),
        key=lambda m: m.confidence,
        default=None,
    )
    if closest is not None and closest.record is not None:
        evidence["closest"] = {
            "DOI": closest.record.doi,
            "title": closest.record.title,
            "confidence": closest.confidence,
            "fields": dict(closest.evidence),
        }
        suggestion = f'Check whether this is {closest.record.doi} ("{closest.record.title}"); it agrees only in part.'
    elif severity == "warning":
        suggestion = "Check that the work exists as cited (journal's site, PubMed); correct or replace it."
    else:
        suggestion = "Check it in the journal, a library catalogue or PubMed; nothing to fix if it is right."
    yield Finding(
        "not-found",
        severity,
        f"Not found in Crossref: no record matches (checked {'; '.join(checked)}). {kind[0].upper()}{kind[1:]}.",
        cits,
        evidence,
        suggestion,
        cluster.id,
    )


def _not_found_severity(ref: Reference) -> tuple[Severity, str]:
    recent = bool(ref.year and ref.year >= _dt.date.today().year - RECENT_YEARS)
    if ref.type != "article-journal" or not ref.container_title:
        return "info", "books, chapters, reports and web pages are often not in Crossref"
    if not recent:
        return "info", f"journal articles before {_dt.date.today().year - RECENT_YEARS} often have no DOI"
    from refkit import journals

    verdict = journals.check(ref.container_title, candidates=False)
    if verdict.status == "unknown":
        return "info", "the journal is in no journal list: it may not deposit DOIs"
    if _non_english(ref.title):
        return "info", "articles in national-language journals often have no DOI"
    return "warning", "a recent article in a listed journal should have a DOI: it may not exist as cited"


_ENGLISH = frozenset(
    ["the", "of", "and", "for", "with", "on", "to", "by", "from", "as", "at", "are", "or", "its", "after", "this"]
)  # none is also Dutch, German, French, Spanish or Italian
_OTHER = frozenset(
    [
        "de",
        "van",
        "het",
        "een",
        "en",
        "op",
        "der",
        "die",
        "das",
        "und",
        "mit",
        "bei",
        "zur",
        "für",
        "le",
        "la",
        "les",
        "des",
        "du",
        "et",
        "pour",
        "dans",
        "sur",
        "el",
        "los",
        "las",
        "del",
        "y",
        "con",
        "para",
        "di",
        "il",
        "della",
        "nel",
        "e",
        "och",
        "av",
        "på",
    ]
)


def _non_english(title: str | None) -> bool:
    """Whether a title reads as another language: its function words are foreign and none is English."""
    words = re.findall(r"[^\W\d_]+", (title or "").lower())
    return len(words) >= 4 and not _ENGLISH.intersection(words) and bool(_OTHER.intersection(words))


# ----------------------------------------------------------------------------------------------------
# Fields against the registry record


def _iso(parts: Sequence[int]) -> str | None:
    """CSL date-parts as an ISO 8601 date of the precision given: (2015, 11, 3) -> "2015-11-03"."""
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts)) or None


def _year_findings(ref: Reference, match: Match, cluster: Cluster) -> Iterable[Finding]:
    record = match.record
    assert record is not None
    message = match.message or {}
    online, printed = date_parts(message, "published-online"), date_parts(message, "published-print")
    issued = date_parts(message, "issued") or record.issued
    years = {d[0] for d in (issued, online, printed) if d}
    if not ref.year or not years:
        return
    dates = {"issued": _iso(issued), "published-online": _iso(online), "published-print": _iso(printed)}
    best = printed[0] if printed else record.year
    if ref.year not in years:
        yield Finding(
            "year-mismatch",
            "warning",
            f"Year {ref.year} differs from the registry's {best}.",
            (_cit(ref),),
            {"cited": ref.year, "registry": best, **dates, "source": "Crossref"},
            f"Use {best}.",
            cluster.id,
        )
    elif online and printed and online[0] != printed[0] and ref.year == online[0]:
        yield Finding(
            "year-mismatch",
            "info",
            f"Cites the online-first year {ref.year}: published online {dates['published-online']}, "
            f"in print {dates['published-print']}.",
            (_cit(ref),),
            {"cited": ref.year, "registry": printed[0], **dates, "source": "Crossref"},
            f"Cite the print year {printed[0]} (or keep {ref.year} if the style cites online-first dates).",
            cluster.id,
        )


def _same_number(a: str, b: str) -> bool:
    fold = lambda s: re.sub(r"[\s.]+", "", s.casefold()).lstrip("0")  # noqa: E731 - "03" is "3"
    return fold(a) == fold(b)


def _same_pages(cited: str, registered: str) -> bool:
    a, b = page_range(cited), page_range(registered)
    if a is None or b is None:
        return True
    first_a, first_b = a[0].lower().lstrip("0"), b[0].lower().lstrip("0")
    if first_a != first_b:
        return False
    # a cited range must end where the registry's does; a first page alone is a valid citation
    return not re.search(r"[-–—]", cited) or a[1].lower().lstrip("0") == b[1].lower().lstrip("0")


def _same_first_author(cited: str, registered: str) -> bool:
    if cited == registered:
        return True
    # particles and compound names: "van der Berg" ~ "Berg", "Delgado-Márquez" ~ "Delgado Márquez"
    a, b = cited.replace(" ", ""), registered.replace(" ", "")
    return a == b or cited.split()[-1:] == registered.split()[-1:]


def check_fields(cluster: Cluster) -> Iterable[Finding]:
    """``year-``, ``volume-``, ``issue-``, ``pages-``, ``title-`` and ``author-mismatch`` against the registry."""
    match = _matched(cluster)
    if match is None or match.record is None:
        return
    record = match.record
    for ref in cluster.citations:
        cit = (_cit(ref),)
        yield from _year_findings(ref, match, cluster)
        for name, code in (("volume", "volume-mismatch"), ("issue", "issue-mismatch")):
            cited, registered = getattr(ref, name), getattr(record, name)
            if cited and registered and not _same_number(cited, registered):
                yield Finding(
                    code,
                    "warning",
                    f"{name.capitalize()} {cited} differs from the registry's {registered}.",
                    cit,
                    {"cited": cited, "registry": registered, "source": "Crossref"},
                    f"Use {name} {registered}.",
                    cluster.id,
                )
        if ref.page and record.page and not _same_pages(ref.page, record.page):
            yield Finding(
                "pages-mismatch",
                "warning",
                f"Pages {ref.page} differ from the registry's {record.page}.",
                cit,
                {"cited": ref.page, "registry": record.page, "source": "Crossref"},
                f"Use pages {record.page}.",
                cluster.id,
            )
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
        yield from _author_findings(ref, record, cluster)


def _author_findings(ref: Reference, record: Reference, cluster: Cluster) -> Iterable[Finding]:
    if not ref.author or not record.author:
        return
    cit = (_cit(ref),)
    cited_first = fold(ref.author[0].family or ref.author[0].literal)
    registry_first = fold(record.author[0].family or record.author[0].literal)
    if cited_first and registry_first and not _same_first_author(cited_first, registry_first):
        families = [fold(p.family or p.literal) for p in record.author]
        position = families.index(cited_first) + 1 if cited_first in families else None
        detail = f" (the registry lists {ref.author[0].display()} as author {position})" if position else ""
        yield Finding(
            "author-mismatch",
            "warning",
            f"First author {ref.author[0].display()} differs from the registry's {record.author[0].display()}"
            + detail
            + ".",
            cit,
            {
                "cited": ref.author[0].display(),
                "registry": record.author[0].display(),
                "field": "first author",
                "source": "Crossref",
            },
            f"Use {record.author[0].display()} as the first author.",
            cluster.id,
        )
        return
    cited_n, registry_n = len(ref.author), len(record.author)
    if cited_n < registry_n and not ref.et_al:
        yield Finding(
            "author-mismatch",
            "info",
            f'Names {cited_n} of {registry_n} authors without "et al".',
            cit,
            {"cited": cited_n, "registry": registry_n, "field": "author count", "source": "Crossref"},
            'Add the missing authors or "et al".',
            cluster.id,
        )
    elif cited_n > registry_n:
        yield Finding(
            "author-mismatch",
            "warning",
            f"Names {cited_n} authors; the registry lists {registry_n}.",
            cit,
            {
                "cited": [p.display() for p in ref.author],
                "registry": [p.display() for p in record.author],
                "field": "author count",
                "source": "Crossref",
            },
            "Check the author list: " + ", ".join(p.display() for p in record.author) + ".",
            cluster.id,
        )


# ----------------------------------------------------------------------------------------------------
# Retractions, expressions of concern, corrections

# Crossref update types (https://www.crossref.org/documentation/crossmark/participating-in-crossmark/) by code.
_UPDATE_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("retraction", "withdrawal", "removal"), "retracted"),
    (("concern",), "expression-of-concern"),
    (("correction", "erratum", "corrigendum", "addendum", "clarification"), "corrected"),
)
# Severity when the cited work has the notice (updated-by) and when the cited work is the notice (update-to).
_UPDATE_SEVERITY: Mapping[str, tuple[Severity, Severity]] = {
    "retracted": ("error", "warning"),
    "expression-of-concern": ("warning", "info"),
    "corrected": ("info", "info"),
}


def _update_code(kind: str) -> str | None:
    kind = kind.lower().replace("-", "_").replace(" ", "_")
    for words, code in _UPDATE_KINDS:
        if any(w in kind for w in words):
            return code
    return None


def _notices(entries: object, own_doi: str) -> dict[str, list[dict[str, Any]]]:
    by_code: dict[str, list[dict[str, Any]]] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping):
            continue
        code = _update_code(str(entry.get("type", "")))
        doi = str(entry.get("DOI") or "")
        if code is None or doi.lower() == own_doi.lower():  # a record that "updates" itself is a new version
            continue
        notice = {
            "DOI": doi or None,
            "type": entry.get("type"),
            "label": entry.get("label"),
            "source": entry.get("source", "publisher"),
            "date": _iso(date_parts(entry, "updated")),
        }
        if entry.get("record-id") is not None:
            notice["record-id"] = entry.get("record-id")
        known = by_code.setdefault(code, [])
        same = next((n for n in known if n["DOI"] and doi and n["DOI"].lower() == doi.lower()), None)
        if same is None:
            known.append(notice)
        elif notice["source"] not in str(same["source"]).split(", "):  # one notice, told by two sources
            same["source"] = f"{same['source']}, {notice['source']}"
    return by_code


def check_updates(cluster: Cluster) -> Iterable[Finding]:
    """``retracted``, ``expression-of-concern``, ``corrected`` from Crossref's update metadata.

    ``updated-by`` lists notices about the cited work (from the publisher or from Retraction Watch); ``update-to``
    means the cited work *is* such a notice (a citation of the notice rather than of the work it concerns).
    """
    seen: set[str] = set()
    for ref, match in zip(cluster.citations, cluster.matches, strict=False):
        if match is None or match.status != "matched" or not match.message or not match.doi:
            continue
        if match.doi.lower() in seen:
            continue
        seen.add(match.doi.lower())
        cits = tuple(
            _cit(r)
            for r, m in zip(cluster.citations, cluster.matches, strict=False)
            if m is not None and m.doi and m.doi.lower() == match.doi.lower()
        ) or (_cit(ref),)
        message = match.message
        for code, notices in _notices(message.get("updated-by"), match.doi).items():
            label = str(notices[0].get("label") or notices[0].get("type") or code).lower().replace("_", " ")
            shown = ", ".join(f"{n['DOI']} ({n['source']}{', ' + n['date'] if n['date'] else ''})" for n in notices)
            yield Finding(
                code,
                _UPDATE_SEVERITY[code][0],
                f"The cited work {match.doi} has a {label} notice: {shown}.",
                cits,
                {"registry": match.doi, "notices": notices, "relation": "updated-by", "source": "Crossref"},
                (
                    f"Read {notices[0]['DOI']}; cite the work only with its retraction noted, or remove it."
                    if code == "retracted"
                    else f"Read {notices[0]['DOI']} before citing this work."
                ),
                cluster.id,
            )
        for code, notices in _notices(message.get("update-to"), match.doi).items():
            label = str(notices[0].get("label") or notices[0].get("type") or code).lower().replace("_", " ")
            targets = ", ".join(str(n["DOI"]) for n in notices)
            yield Finding(
                code,
                _UPDATE_SEVERITY[code][1],
                f"The cited work {match.doi} is a {label} notice for {targets}.",
                cits,
                {"registry": match.doi, "notices": notices, "relation": "update-to", "source": "Crossref"},
                f"Cite the notice only if it is meant; otherwise cite {targets}"
                + (" (and note that it is retracted)." if code == "retracted" else " (with its correction)."),
                cluster.id,
            )


# ----------------------------------------------------------------------------------------------------
# Duplicates and completeness


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
                "source": "Crossref" if _matched(cluster) else "the citations",
            },
            "Cite it the same way everywhere: " + _short(cluster.canonical) + ".",
            cluster.id,
        )
    per_file = Counter(r.source.file for r in cluster.citations if r.source)
    for file, count in per_file.items():
        if count > 1:
            cits = tuple(_cit(r) for r in cluster.citations if r.source and r.source.file == file)
            positions = [
                r.source.label or str(r.source.position)
                for r in cluster.citations
                if r.source and r.source.file == file
            ]
            yield Finding(
                "duplicate-in-list",
                "warning",
                f"Cited {count} times in the same reference list (entries {', '.join(positions)}).",
                cits,
                {"file": file, "positions": positions},
                f"Keep entry {positions[0]} and point the others to it.",
                cluster.id,
            )


def _short(ref: Reference) -> str:
    """A one-line Vancouver-like form of a record, for suggestions."""
    authors = ref.author[0].display() + (" et al" if len(ref.author) > 1 else "") if ref.author else ""
    where = " ".join(filter(None, [ref.container_title_short or ref.container_title, str(ref.year or "")]))
    locator = "".join(
        filter(None, [ref.volume, f"({ref.issue})" if ref.issue else None, f":{ref.page}" if ref.page else None])
    )
    parts = [authors, ref.title or "", f"{where};{locator}" if locator else where, f"doi:{ref.doi}" if ref.doi else ""]
    return ". ".join(p for p in parts if p)


def check_incomplete(cluster: Cluster) -> Iterable[Finding]:
    """``incomplete``: a journal article without volume, pages or year (and no DOI to find it by)."""
    from refkit import journals

    record = _matched(cluster)
    found = record.record if record is not None else None
    # The registry knows a journal article when the citation's form does not show it ("Title. Journal. 2021."
    # reads like a book too).
    registry_article = found is not None and found.type == "article-journal"
    for ref in cluster.citations:
        if not (ref.type == "article-journal" and ref.container_title) and not registry_article:
            continue
        missing = [n for n, v in (("year", ref.year), ("volume", ref.volume), ("pages", ref.page)) if not v]
        if found is not None:
            # what the registry has too, and only that: an article published without pages lacks nothing
            missing = [n for n in missing if getattr(found, {"pages": "page"}.get(n, n))]
        if missing and not ref.doi:
            values = {n: getattr(found, {"year": "year", "pages": "page"}.get(n, n)) for n in missing} if found else {}
            fill = ", ".join(f"{n} {v}" for n, v in values.items() if v)
            # a journal the lists know is an article someone will look for by volume and pages
            journal = ref.container_title or (found.container_title if found is not None else None)
            listed = journal is not None and journals.check(journal, candidates=False).status != "unknown"
            yield Finding(
                "incomplete",
                "warning" if listed else "info",
                f"Journal article without {', '.join(missing)}.",
                (_cit(ref),),
                {"missing": missing, "registry": values or None, "source": "Crossref" if values else None},
                f"Add {fill}." if fill else "Add the missing details.",
                cluster.id,
            )


# ----------------------------------------------------------------------------------------------------
# Journal names

# Word stems of medicine and the life sciences: the vendored journal lists (NLM Catalog, JabRef's medical lists)
# cover these fields well and others poorly, so an unknown journal is suspicious only here.
_BIOMEDICAL = re.compile(
    r"\b(?:medic|medizin|médic|clin|klin|derm|hautarzt|haut|cutis|venere|patient|surg|chirurg|cancer|oncol|tumou?r|"
    r"cardi|heart|neur|psychiatr|pediatr|paediatr|child|infant|neonat|therap|pharm|drug|nurs|health|hospital|"
    r"disease|syndrom|patho|immun|allerg|infect|virus|viral|bacter|microb|hepat|liver|renal|kidney|nephr|gastro|"
    r"endocrin|diabet|obes|dent|oral|ortho|radiol|imaging|gyn|obstet|urol|ophthalm|otolaryng|epidemiol|vaccin|"
    r"biochem|biomed|biol|physiol|anat|genet|cell|molec|protein|blood|haemat|hemat|lung|pulmon|respir|rheum|"
    r"sclero|calcino|calcif|lupus|arthr|bone|skin|wound|vet|tox|nutri|anesth|anaesth|emerg|intensive|trauma|"
    r"transplant|geriatr|rehab|public health|lancet|bmj|jama|nejm|acta derm)\w*",
    re.IGNORECASE,
)


def is_biomedical(ref: Reference) -> bool:
    """Whether a reference's journal or title belongs to medicine or the life sciences (by word stems).

    Example:
        >>> is_biomedical(Reference(container_title="Pediatric Dermatol"))
        True
        >>> is_biomedical(Reference(container_title="Theoretical Computer Science", title="Graph minors"))
        False
    """
    return bool(_BIOMEDICAL.search(" ".join(filter(None, (ref.container_title, ref.title)))))


def _fits_registry(name: str, record: Reference, raw_text: str = "", title: str | None = None) -> bool | None:
    """Whether a cited journal name is the registry record's journal (None when the record names none)."""
    from refkit import journals

    targets = [t for t in (record.container_title, record.container_title_short) if t]
    if not targets:
        return None
    verdicts = [journals.same_journal(name, t) for t in targets]
    if any(v is True for v in verdicts):
        return True
    cited = fold(name)
    # the registry's journal is printed in the reference (outside its title and identifiers): any difference is
    # in how the string was read
    rest = re.sub(r"\S*10\.\d{4,9}/\S+|https?://\S+", " ", raw_text)
    rest = f" {fold(rest).replace(fold(title), ' ')} "
    if raw_text and any(fold(t) and f" {fold(t)} " in rest for t in targets):
        return True
    for target in targets:
        folded = fold(target)
        if cited.replace(" ", "") == folded.replace(" ", "") or fuzz.ratio(cited, folded) >= 90:
            return True
        # an abbreviation the lists do not know: each cited word starts a title word, in order
        words = iter(folded.split())
        if cited and all(any(w.startswith(part) for w in words) for part in cited.split()):
            return True
    return False


def check_journal(cluster: Cluster) -> Iterable[Finding]:
    """``journal-mismatch``, ``journal-unknown``, ``journal-nonstandard`` (refkit's journal lists and the registry)."""
    from refkit import journals

    best = _matched(cluster)
    record = best.record if best is not None else None
    for ref in cluster.citations:
        name = ref.container_title
        # a "journal" without a letter is a misread locator ("2015;92(2):fiv167"), not a name to judge
        if not name or ref.type != "article-journal" or not re.search(r"[^\W\d_]", name):
            continue
        cit = (_cit(ref),)
        verdict = journals.check(name)
        if verdict.status == "translation" and verdict.journal is not None:
            standard = verdict.suggestion or verdict.journal.title
            yield Finding(
                "journal-mismatch",
                "error",
                f'"{name}" is not a journal title: it looks like a machine translation of "{standard}" '
                f"({verdict.journal.title}).",
                cit,
                {
                    "cited": name,
                    "registry": standard,
                    "title": verdict.journal.title,
                    "source": "journal lists (back-translation)",
                },
                f"Use {standard}.",
                cluster.id,
            )
            continue
        if record is not None and _fits_registry(name, record, ref.raw, ref.title) is False:
            registered = record.container_title or record.container_title_short or ""
            standard = journals.standard_abbreviation(registered) or record.container_title_short or registered
            yield Finding(
                "journal-mismatch",
                "warning",
                f'Journal "{name}" differs from the registry\'s "{registered}".',
                cit,
                {"cited": name, "registry": registered, "source": "Crossref"},
                f"Use {standard}.",
                cluster.id,
            )
            continue
        if verdict.status == "nonstandard" and verdict.suggestion and verdict.suggestion != name:
            # the publisher's own form in the registry record is accepted as written
            if record is not None and fold(name) in {
                fold(t) for t in (record.container_title, record.container_title_short) if t
            }:
                continue
            yield Finding(
                "journal-nonstandard",
                "info",
                f'"{name}" is not a standard journal abbreviation; the NLM (MEDLINE) or ISO 4 form is '
                f'"{verdict.suggestion}".',
                cit,
                {
                    "cited": name,
                    "standard": verdict.suggestion,
                    "title": verdict.journal.title if verdict.journal else None,
                    "source": "NLM Catalog / ISO 4 (journal lists)",
                },
                f"Use {verdict.suggestion}.",
                cluster.id,
            )
        elif verdict.status == "unknown" and record is None:
            biomedical = is_biomedical(ref)
            guess = verdict.candidates[0] if verdict.candidates else None
            evidence: dict[str, Any] = {
                "cited": name,
                "registry": None,
                "source": "NLM Catalog, JabRef and Crossref journal lists",
                "biomedical": biomedical,
            }
            if guess is not None and guess[1] >= 0.85:
                evidence["closest"] = {
                    "title": guess[0].title,
                    "abbreviation": guess[0].abbreviation,
                    "score": guess[1],
                }
            yield Finding(
                "journal-unknown",
                "warning" if biomedical else "info",
                f'Journal "{name}" is in no journal list'
                + ("" if biomedical else " (the lists cover medicine and the life sciences best)")
                + ".",
                cit,
                evidence,
                f'Check the journal\'s name (closest listed: "{guess[0].abbreviation}").'
                if "closest" in evidence and guess is not None
                else "Check the journal's name.",
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
    """Run every check on every work; findings come sorted by severity, then by work, then by code.

    Example:
        >>> from refkit.model import Cluster, Reference
        >>> ref = Reference(raw="X. Dermatologist 46:1-2", title="X", container_title="Dermatologist",
        ...                 issued=(1995,), volume="46", page="1-2")
        >>> [(f.code, f.severity) for f in audit([Cluster("w1", (ref,), ref, ())])]
        [('journal-mismatch', 'error')]
    """
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
