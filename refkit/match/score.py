"""Scoring a registry record against a reference: field agreements, a logistic model, a calibrated confidence.

See :mod:`refkit.match` for the model and how it was fitted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from refkit.model import Match, Reference
from refkit.parse.fields import page_range
from refkit.registry import to_reference
from refkit.registry.convert import (
    DROPPED,
    date_parts,
    kept,
    record_issued,
    record_page,
    record_people,
    record_text,
    record_title,
)
from refkit.text import fold

__all__ = [
    "ACCEPT",
    "CALIBRATION",
    "DROPPED",
    "FEATURES",
    "REVIEW",
    "RIVAL",
    "ROWS",
    "WEIGHTS",
    "Candidate",
    "candidate",
    "candidates",
    "features",
    "kept",
    "lead",
    "probability",
    "query_for",
    "score_candidate",
    "title_similarity",
    "top_confidence",
]


#: Candidates asked for per search (``rows`` of ``query.bibliographic``).
ROWS = 10
#: Confidence at or above which a candidate is accepted.
ACCEPT = 0.90
#: A runner-up fitting less than this is no rival to the best candidate (see :func:`lead`).
RIVAL = 0.05
#: Confidence at or above which a rejected candidate is reported as ``ambiguous`` rather than ``unmatched``.
REVIEW = 0.50

#: The model's inputs, in the order of :data:`WEIGHTS`. ``title`` is the similarity (0..1), ``title_gap`` how far it
#: falls short of 0.9 (a hinge: small typos cost little, a different title a lot), ``title_exact`` whether it is
#: (nearly) the same title; the others are 0/1 indicators, all 0 when either side does not state the field.
FEATURES = (
    "bias",
    "title",
    "title_gap",
    "title_exact",
    "title_missing",
    "author_agree",
    "author_disagree",
    "year_same",
    "year_near",
    "year_far",
    "volume_agree",
    "volume_disagree",
    "issue_agree",
    "issue_disagree",
    "page_agree",
    "page_disagree",
    "journal_agree",
    "journal_disagree",
)

# Fitted by `python bench/match_accuracy.py --fit --write` (logistic regression with a small L2 penalty, Newton steps;
# an agreement may not count against a candidate nor a disagreement for it, so such a weight is held at 0) on the
# (citation, candidate) pairs of the training part of the evaluation set (split by work, seed 13). Refit when the
# features change. volume_agree is 0: a volume number is found in too many strings by chance to count for much.
WEIGHTS: Mapping[str, float] = {
    "bias": -7.657,
    "title": 5.038,
    "title_gap": -6.055,
    "title_exact": 2.497,
    "title_missing": 1.815,
    "author_agree": 1.284,
    "author_disagree": -2.614,
    "year_same": 2.949,
    "year_near": 1.14,
    "year_far": -1.951,
    "volume_agree": 0.0,
    "volume_disagree": -1.74,
    "issue_agree": 1.335,
    "issue_disagree": -1.275,
    "page_agree": 2.266,
    "page_disagree": -2.572,
    "journal_agree": 1.179,
    "journal_disagree": -2.344,
}


#: The model of :func:`top_confidence` (logit of the best candidate's probability, and its lead over the next one,
#: capped at 10), fitted by the same script on the training searches.
CALIBRATION: Mapping[str, float] = {
    "bias": -0.018,
    "best": 0.723,
    "margin": 1.102,
}


def title_similarity(cited: str | None, registered: str | None) -> float | None:
    """0..1 similarity of two titles; a cited title cut short with "..." is compared with the record's start.

    Example:
        >>> title_similarity("Calcinosis cutis...", "Calcinosis cutis in children")
        0.95
    """
    if not cited or not registered:
        return None
    a, b = fold(cited), fold(registered)
    if not a or not b:
        return None
    score = fuzz.ratio(a, b) / 100
    if "..." in cited or "…" in cited:
        pieces = [fold(p) for p in re.split(r"\.\.\.|…", cited) if fold(p)]
        if pieces and all(p in b for p in pieces):
            score = max(score, 0.95)
    # a subtitle dropped on one side: compare the shorter with the start of the longer
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 25 and long_.startswith(short):
        score = max(score, 0.93)
    return score


_MINOR = frozenset({"of", "the", "and", "in", "for", "on", "de", "der", "und", "la", "le", "des", "du"})
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{8,})[\"“”]")


@dataclass(slots=True, eq=False)
class Candidate:
    """A registry record as scoring reads it: what is derived from the record alone, derived once however many
    citations are scored against it (:func:`candidates`).

    Only what the comparison reads is derived (the first authors, not all of them); the whole record as a
    :class:`Reference`, which a match keeps, is made once, when a match asks for it (:attr:`reference`).
    """

    record: Mapping[str, Any]
    doi: str  # lower-cased
    title: str | None  # plain; None when it only repeats the journal's name
    title_folded: str
    journals: tuple[str, ...]  # container-title and short-container-title, as given
    journals_folded: tuple[str, ...]
    journal_words: tuple[tuple[str, ...], ...]  # each name's significant folded words
    container: str  # folded container title
    families: tuple[str, ...]  # folded family names (or literal names) of the first authors
    first_author: tuple[str, ...]  # the first author's folded name, word by word
    years: frozenset[int]
    volume: str | None
    issue: str | None
    pages: tuple[str, str] | None
    volume_key: str | None  # folded, without leading zeros, as it would stand in a citation
    issue_key: str | None
    first_page: str | None
    _reference: Reference | None = None

    @property
    def reference(self) -> Reference:
        """The record as a :class:`Reference` (one object for every match that keeps it)."""
        if self._reference is None:
            self._reference = to_reference(self.record)
        return self._reference


#: The authors a comparison reads (the first; the first three for a cited name found among them).
_AUTHORS_READ = 3


def candidate(record: Mapping[str, Any]) -> Candidate:
    """The :class:`Candidate` of one record."""
    title = record_title(record)
    container = record_text(record, "container-title")
    if title and fold(title) == fold(container):
        # A record whose title only repeats its journal's name (front matter, issue-level items) is told apart by
        # its locators alone: its title agreeing identifies nothing.
        title = None
    names = tuple(str(n) for key in ("container-title", "short-container-title") for n in (record.get(key) or []))
    folded = tuple(fold(n) for n in names)
    families = tuple(fold(p.family or p.literal) for p in record_people(record, "author", _AUTHORS_READ))
    dates = (record_issued(record), date_parts(record, "published-print"), date_parts(record, "published-online"))
    years = {d[0] for d in dates if d}
    volume, issue = record_text(record, "volume"), record_text(record, "issue")
    pages = _pages(record_page(record)[0])
    return Candidate(
        record=record,
        doi=str(record.get("DOI") or "").lower(),
        title=title,
        title_folded=fold(title),
        journals=names,
        journals_folded=folded,
        journal_words=tuple(tuple(w for w in f.split() if w not in _MINOR) for f in folded),
        container=fold(container),
        families=families,
        first_author=tuple(families[0].split()) if families else (),
        years=frozenset(years),
        volume=volume,
        issue=issue,
        pages=pages,
        volume_key=(fold(volume).lstrip("0") or None) if volume else None,
        issue_key=(fold(issue).lstrip("0") or None) if issue else None,
        first_page=fold(pages[0]).lstrip("0") if pages else None,
    )


def candidates(records: Sequence[Mapping[str, Any] | Candidate]) -> list[Candidate]:
    """The candidates of ``records``, one per DOI (the first), in order; records without a DOI are left out."""
    seen: set[str] = set()
    unique = []
    for r in records:
        doi = r.doi if isinstance(r, Candidate) else str(r.get("DOI") or "").lower()
        if doi and doi not in seen:
            seen.add(doi)
            unique.append(r if isinstance(r, Candidate) else candidate(r))
    return unique


@dataclass(frozen=True, slots=True)
class _Cited:
    """What scoring reads of a citation, derived once for all its candidates."""

    ref: Reference
    title: str  # folded
    raw: str  # folded
    words: frozenset[str]
    text: str  # the folded raw text between spaces
    tokens: tuple[str, ...]  # its significant words
    quoted: tuple[str, ...]  # the quoted passages of the raw text
    years: tuple[int, ...]
    pages: tuple[str, str] | None
    author: str  # the first author's folded name
    journal: str  # folded cited journal


def _cited(ref: Reference) -> _Cited:
    raw = fold(ref.raw)
    words = frozenset(raw.split())
    text = f" {raw} "
    return _Cited(
        ref=ref,
        title=fold(ref.title),
        raw=raw,
        words=words,
        text=text,
        tokens=tuple(t for t in text.split() if t not in _MINOR),
        quoted=tuple(_QUOTED.findall(ref.raw or "")),
        years=(ref.year,) if ref.year else tuple(int(w) for w in words if _YEAR.fullmatch(w)),
        pages=_pages(ref.page),
        author=fold(ref.author[0].family or ref.author[0].literal) if ref.author else "",
        journal=fold(ref.container_title),
    )


@lru_cache(maxsize=1 << 16)
def _same_journal(a: str, b: str) -> bool | None:
    from refkit import journals

    return journals.same_journal(a, b)


def _journal_agrees(cited: _Cited, cand: Candidate) -> bool | None:
    name = cited.ref.container_title
    if not name or not cand.journals:
        return None
    if any(_same_journal(name, n) is True for n in cand.journals):
        return True
    compact = cited.journal.replace(" ", "")
    parts = cited.journal.split()
    for target in cand.journals_folded:
        if compact == target.replace(" ", ""):
            return True
        # an abbreviation: each cited word is the start of a word of the full title, in order
        words = iter(target.split())
        if all(any(w.startswith(part) for w in words) for part in parts):
            return True
    return False


def _author_agrees(cited: _Cited, cand: Candidate) -> bool | None:
    if not cited.ref.author or not cand.families:
        return None
    name, families = cited.author, cand.families
    if not name:
        return None
    return (
        name == families[0]
        or fuzz.ratio(name, families[0]) >= 85
        or name in families[:3]
        or any(name.split()[-1:] == f.split()[-1:] for f in families[:1] if f)
    )


def _same_number(a: str | None, b: str | None) -> bool | None:
    if not a or not b:
        return None
    return fold(a).lstrip("0") == fold(b).lstrip("0")


def _either(parsed: bool | None, found: bool | None, stated: bool) -> bool | None:
    """Agreement from the parsed field or the string: agree if either agrees, disagree only on a stated field."""
    if parsed or found:
        return True
    if parsed is False or (found is False and stated):
        return False
    return None


def _put(x: dict[str, float], evidence: dict[str, Any], name: str, agrees: bool | None) -> None:
    if agrees is not None:
        evidence[name] = "agree" if agrees else "disagree"
        x[f"{name}_{'agree' if agrees else 'disagree'}"] = 1.0


def _author_in(cited: _Cited, cand: Candidate) -> bool | None:
    if not cand.families or not cited.words:
        return None
    parts = cand.first_author
    return bool(parts) and all(p in cited.words for p in parts)


def _journal_in(cited: _Cited, cand: Candidate) -> bool | None:
    """Whether the record's container stands in the string, in full or abbreviated word by word."""
    if not cand.journals or not cited.ref.raw:
        return None
    text, tokens = cited.text, cited.tokens
    for folded, words in zip(cand.journals_folded, cand.journal_words, strict=True):
        if len(folded) >= 4 and f" {folded} " in text:
            return True
        # "Fini. Fiel. Their Appl." for "Finite Fields and Their Applications": each word a prefix of the next
        if len(words) < 2:
            continue
        for i in range(len(tokens) - len(words) + 1):
            if len(tokens[i]) >= 3 and all(words[j].startswith(tokens[i + j]) for j in range(len(words))):
                return True
    return False


def features(ref: Reference, record: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """The model's inputs (see :data:`FEATURES`) and the per-field evidence for one reference and one record.

    Example:
        >>> from refkit.model import Reference
        >>> x, evidence = features(Reference(volume="96"), {"DOI": "10.1/x", "volume": "97"})
        >>> x["volume_disagree"], evidence["volume"]
        (1.0, 'disagree')
    """
    return _features(_cited(ref), candidate(record))


def _features(cited: _Cited, cand: Candidate) -> tuple[dict[str, float], dict[str, Any]]:
    ref = cited.ref
    x = dict.fromkeys(FEATURES, 0.0)
    x["bias"] = 1.0
    evidence: dict[str, Any] = {}
    sim = title_similarity(ref.title, cand.title)
    # The parser may have missed or cut the title, or glued names or a journal to it: the record's title found in the
    # parsed title (when it is most of it: "Encoding" inside "Text Encoding" is another work) or, when no parsed
    # title resembles it, anywhere in the string (unless it is part of its own book's title) counts too.
    record_title = cand.title_folded
    if record_title and (sim is None or sim < 0.95):
        # a quoted title ("...", “...”) is one even when the parser took more or less than the quotes
        for quoted in cited.quoted:
            in_quotes = title_similarity(quoted, cand.title)
            if in_quotes is not None and (sim is None or in_quotes > sim):
                sim = in_quotes
        texts = []
        if ref.title and len(record_title) >= 0.6 * len(cited.title):
            texts.append(cited.title)
        if (sim is None or sim < 0.6) and record_title not in cand.container:
            texts.append(cited.raw)
        for text in texts:
            if len(text) < len(record_title):
                continue
            if len(record_title) >= 8 and f" {record_title} " in f" {text} ":
                sim = 1.0
            elif len(record_title) >= 20:
                partial = fuzz.partial_ratio(record_title, text) / 100
                sim = partial if sim is None else max(sim, partial)
    evidence["title"] = round(sim, 3) if sim is not None else None
    if sim is None:
        x["title_missing"] = 1.0
    else:
        x["title"] = sim
        x["title_gap"] = max(0.0, 0.9 - sim)
        x["title_exact"] = 1.0 if sim >= 0.97 else 0.0
    # Each field is compared as parsed and, when the parser may have missed or mangled it, as found in the string:
    # the record's value standing in the citation agrees; a parsed value that differs, with the record's value
    # nowhere in the string, disagrees.
    words = cited.words
    author = _either(_author_agrees(cited, cand), _author_in(cited, cand), bool(ref.author))
    _put(x, evidence, "author", author)
    if cited.years and cand.years:
        diff = min(abs(c - y) for c in cited.years for y in cand.years)
        evidence["year"] = diff
        x[("year_same", "year_near", "year_far")[min(diff, 2)]] = 1.0
    for name, stated, registered, key in (
        ("volume", ref.volume, cand.volume, cand.volume_key),
        ("issue", ref.issue, cand.issue, cand.issue_key),
    ):
        found = key in words if registered and words else None
        _put(x, evidence, name, _either(_same_number(stated, registered), found, bool(stated)))
    cited_pages, record_pages = cited.pages, cand.pages
    parsed: bool | None = None
    if cited_pages and record_pages:
        parsed = cited_pages[0].lstrip("0").lower() == record_pages[0].lstrip("0").lower()
    found = cand.first_page in words if record_pages and words else None
    _put(x, evidence, "page", _either(parsed, found, bool(cited_pages)))
    _put(
        x,
        evidence,
        "journal",
        _either(_journal_agrees(cited, cand), _journal_in(cited, cand), bool(ref.container_title)),
    )
    return x, evidence


def probability(x: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """The logistic model's probability for the features ``x`` (default weights: :data:`WEIGHTS`).

    Example:
        >>> probability({"bias": 1.0}, {"bias": 0.0})
        0.5
    """
    weights = WEIGHTS if weights is None else weights
    z = sum(weights.get(name, 0.0) * value for name, value in x.items())
    z = max(-40.0, min(40.0, z))
    return 1 / (1 + math.exp(-z))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def top_confidence(best: float, runner_up: float | None = None) -> float:
    """The probability that the best of a search's candidates is the cited work.

    A candidate's own probability (:func:`score_candidate`) says how well it fits; whether it is the right one of
    several also depends on how far ahead of the next candidate it is. Both go through a second logistic model
    (:data:`CALIBRATION`, fitted on the best candidates of the training searches).

    Example:
        >>> top_confidence(0.97, 0.01) > top_confidence(0.97, 0.96)
        True
    """
    z = _logit(best)
    c = CALIBRATION
    return 1 / (1 + math.exp(-max(-40.0, min(40.0, c["bias"] + c["best"] * z + c["margin"] * lead(best, runner_up)))))


def lead(best: float, runner_up: float | None = None) -> float:
    """How far (in log-odds, 0..10) the best candidate is ahead of the next one, the second input of the confidence.

    A runner-up that fits less than :data:`RIVAL` is no rival, whatever its exact score: which weak records a registry
    returns, and in which order, depends on its ranking, and the confidence must not (the live API and a snapshot
    of the same records give the same answer).

    Example:
        >>> lead(0.9, 0.001) == lead(0.9, 0.01) == lead(0.9)
        True
        >>> round(lead(0.9, 0.5), 2)
        2.2
    """
    rival = max(RIVAL, runner_up or 0.0)
    return min(10.0, max(0.0, _logit(best) - _logit(rival)))


def score_candidate(ref: Reference, record: Mapping[str, Any]) -> tuple[float, dict[str, Any]]:
    """The probability that ``record`` is the work ``ref`` cites, and the per-field evidence.

    Example:
        >>> from refkit.model import Reference, Person
        >>> ref = Reference(title="Fingertip calcinosis cutis", author=(Person("Cambiaghi"),), issued=(2000,))
        >>> decoy = {"DOI": "10.1/y", "title": ["Calcinosis of the fingertips"], "author": [{"family": "Fallowfield"}],
        ...          "issued": {"date-parts": [[2007]]}}
        >>> p, evidence = score_candidate(ref, decoy)
        >>> p < 0.01, evidence["author"], evidence["year"]
        (True, 'disagree', 7)
    """
    x, evidence = features(ref, record)
    return probability(x), evidence


def _score(cited: _Cited, cand: Candidate) -> tuple[float, dict[str, Any]]:
    x, evidence = _features(cited, cand)
    return probability(x), evidence


def query_for(ref: Reference) -> str:
    """The string sent as ``query.bibliographic``: the reference as printed, less its number and identifiers.

    Example:
        >>> query_for(Reference(raw="[2] Smith J (2001) A title. doi:10.1234/abc"))
        'Smith J (2001) A title.'
    """
    text = ref.raw or " ".join(
        filter(
            None,
            [
                ref.author[0].display() if ref.author else "",
                str(ref.year or ""),
                ref.title or "",
                ref.container_title or "",
                ref.volume or "",
                ref.page or "",
            ],
        )
    )
    text = re.sub(r"^\s*(?:\[\d+\]|\d+[.)])\s+", "", text)
    text = re.sub(r"(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)?\b10\.\d{4,9}/\S+", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"https?://\S+|\bPMID\s*:?\s*\d+", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def _decide(ref: Reference, records: Sequence[Mapping[str, Any] | Candidate], reason_none: str) -> Match:
    """The outcome of scoring ``ref`` against ``records`` (or their :func:`candidates`, made once for all the
    citations scored against them)."""
    cited = _cited(ref)
    scored = sorted(((*_score(cited, c), c) for c in candidates(records)), key=lambda t: t[0], reverse=True)
    if not scored:
        return Match(status="unmatched", reason=reason_none)
    best_p, evidence, best = scored[0]
    confidence = top_confidence(best_p, scored[1][0] if len(scored) > 1 else None)
    status = "matched" if confidence >= ACCEPT else "ambiguous" if confidence >= REVIEW else "unmatched"
    reason = ""
    # two strong candidates that fit equally well (e.g. two language editions): do not pick one blindly
    if status == "matched" and len(scored) > 1 and scored[1][0] >= REVIEW and scored[1][1] == evidence:
        other = scored[1][2].record["DOI"]
        status, reason = "ambiguous", f"two records fit equally well: {best.record['DOI']} and {other}"
    if status == "unmatched":
        reason = reason or "no candidate agrees with the reference"
    elif status == "ambiguous" and not reason:
        reason = "the best candidate agrees only in part"
    return Match(
        status=status,
        doi=str(best.record["DOI"]) if status == "matched" else None,
        confidence=round(confidence, 4),
        record=best.reference,
        evidence=evidence,
        message=kept(best.record),
        reason=reason,
    )


def _pages(page: str | None) -> tuple[str, str] | None:
    # Page "0" (or "0-0") is a placeholder some deposits carry, not a page: it identifies nothing.
    found = page_range(page)
    return None if found is None or not found[0].strip("0") else found
