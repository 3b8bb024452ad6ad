"""DOIs written in citations: malformed, not registered, another work's, unchecked; and DOIs not given."""

from __future__ import annotations

import re
from collections.abc import Iterable

from refkit.audit.common import cit as _cit
from refkit.audit.common import matched as _matched
from refkit.model import Cluster, Finding

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
