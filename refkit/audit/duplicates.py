"""One work cited with different details, or twice in one list; and citations too incomplete to find."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from refkit.audit.common import cit as _cit
from refkit.audit.common import matched as _matched
from refkit.model import Cluster, Finding, Reference


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
