"""A citation's fields against the registry's record: year, volume, issue, pages, title, authors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from refkit.audit.common import cit as _cit
from refkit.audit.common import matched as _matched
from refkit.match import title_similarity
from refkit.model import Cluster, Finding, Match, Reference
from refkit.parse.fields import page_range
from refkit.registry.convert import date_parts
from refkit.text import fold


def iso_date(parts: Sequence[int]) -> str | None:
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
    dates = {"issued": iso_date(issued), "published-online": iso_date(online), "published-print": iso_date(printed)}
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
