"""Journal names: machine-translated, another journal's, non-standard abbreviations, unknown."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz

from refkit.audit.common import cit as _cit
from refkit.audit.common import matched as _matched
from refkit.model import Cluster, Finding, Reference
from refkit.text import fold

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


def _judged(ref: Reference) -> str | None:
    """The journal name of ``ref`` that :func:`check_journal` judges, if any."""
    name = ref.container_title
    # a "journal" without a letter is a misread locator ("2015;92(2):fiv167"), not a name to judge
    if not name or ref.type != "article-journal" or not re.search(r"[^\W\d_]", name):
        return None
    return name


def prepare_journal_checks(clusters: Iterable[Cluster]) -> None:
    """Rank the guesses for every journal name :func:`check_journal` will judge, all at once
    (:func:`refkit.journals.prefetch`), so that checking them one by one finds them ready."""
    from refkit import journals

    journals.prefetch(_judged(ref) for c in clusters for ref in c.citations)


def check_journal(cluster: Cluster) -> Iterable[Finding]:
    """``journal-mismatch``, ``journal-unknown``, ``journal-nonstandard`` (refkit's journal lists and the registry)."""
    from refkit import journals

    best = _matched(cluster)
    record = best.record if best is not None else None
    for ref in cluster.citations:
        name = _judged(ref)
        if name is None:
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
