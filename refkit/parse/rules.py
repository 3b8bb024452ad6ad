"""A rule-based parser for the common biomedical styles.

It reads the styles medical reference works print most: Springer's author-year (``Deza G et al (2016) Title.
Journal 96:418-419``), NLM/Vancouver (``Deza G, Pujol RM. Title. Acta Derm Venereol. 2016;96(3):418-9.``), AMA
and APA (``Deza, G., & Pujol, R. M. (2016). Title. Journal, 96(3), 418–419. https://doi.org/...``).

The parser is a plain list of steps, each reading and filling a :class:`Draft`; callers may replace or extend
``RuleParser(steps=[...])``. Identifiers go first (they contain dots that would confuse the sentence split), then
the label, the authors and year, the title and container, and the locator.

Example:
    >>> ref = RuleParser().parse("Deza G et al (2016) Solitary Plaque-type Morphea. Acta Derm Venereol 96:418-419")
    >>> ref.container_title, ref.volume, ref.page, ref.et_al
    ('Acta Derm Venereol', '96', '418-419', True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from refkit.model import Person, Reference
from refkit.parse.fields import (
    DOI_RE,
    clean_field,
    find_pmid,
    normalize_doi,
    parse_authors,
    parse_issued,
    parse_locator,
)

__all__ = ["DEFAULT_STEPS", "Draft", "RuleParser"]


@dataclass
class Draft:
    """What the steps have read so far; ``rest`` is the text not yet assigned to a field."""

    raw: str
    rest: str
    fields: dict[str, str] = field(default_factory=dict)
    author: tuple[Person, ...] = ()
    et_al: bool = False
    issued: tuple[int, ...] = ()
    type: str = "article-journal"
    confidence: dict[str, float] = field(default_factory=dict)


Step = Callable[[Draft], None]

_LABEL_RE = re.compile(r"^\s*(?:\[(\d{1,4})\]|\((\d{1,4})\)|(\d{1,4})[.)]?(?=\s))\s*")
_PMCID_RE = re.compile(r"\bPMCID\s*:?\s*(PMC\d+)\b", re.IGNORECASE)
_URL_RE = re.compile(r"(?:(?:available\s+(?:from|at)|URL)\s*:?\s*)?\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_NOISE_RE = re.compile(
    r"\[(?:PubMed|Google Scholar|CrossRef|Crossref|PMC free article|Ref list|Medline)[^\]]*\]"
    r"|\b(?:Epub|Published online)\s+(?:ahead of print\s*)?(?:\d{4}\s*)?(?:[A-Z][a-z]{2,8}\.?\s*)?(?:\d{1,2})?\.?"
    r"|\[Epub ahead of print\]|\bEpub ahead of print\.?",
    re.IGNORECASE,
)
_YEAR_PAREN_RE = re.compile(r"\(\s*((?:1[5-9]|20)\d\d[a-z]?(?:\s*[,/-]\s*[\w .]+?)?)\s*\)")
_INITIAL_TOKEN = re.compile(r"(?:^|\s)(?:[A-Z\u00c0-\u00de]{1,4}|[A-Z\u00c0-\u00de]\.(?:\s?-?[A-Z\u00c0-\u00de]\.)*)$")
_LOCATOR_TAIL = re.compile(
    r"""(?P<sep>[\s,.;]+)
    (?P<loc>
        (?:(?:1[5-9]|20)\d\d[a-z]?(?:\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{1,2})?)?\s*[;,]\s*)?      # 2016 Feb;
        (?:vol(?:ume)?\.?\s*)?[A-Za-z]?\d+[A-Za-z]?(?:[-/]\d+)?                               # 96
        \s*(?:\([^)]{1,20}\))?                                                               # (3)
        (?:\s*[:,]\s*(?:pp?\.?\s*)?[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-–—]+\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?)?  # :418-9
    )
    \s*[.;,]?\s*$""",
    re.VERBOSE,
)
_FUNCTION_WORDS = {"of", "and", "the", "for", "in", "on", "&", "de", "la", "der", "und", "du", "des", "y", "et"}


def strip_label(draft: Draft) -> None:
    """Remove the list number printed before the reference ("1.", "[12]", "(3)")."""
    match = _LABEL_RE.match(draft.rest)
    if match and not re.match(r"\s*\d{1,4}\s*[:;(]", draft.rest):
        draft.fields["citation_number"] = next(g for g in match.groups() if g)
        draft.rest = draft.rest[match.end() :]


def take_identifiers(draft: Draft) -> None:
    """Read and remove DOI, PMID, PMCID and URL, and database cross-link noise ("[PubMed]")."""
    text = draft.rest
    pmid = find_pmid(text)
    if pmid:
        draft.fields["pmid"] = pmid
        text = re.sub(r"\bPMID\s*:?\s*\d+\.?", " ", text, flags=re.IGNORECASE)
    pmcid = _PMCID_RE.search(text)
    if pmcid:
        draft.fields["pmcid"] = pmcid.group(1).upper()
        text = _PMCID_RE.sub(" ", text)
    doi_match = re.search(
        r"(?:\bdoi\s*:?\s*|\bhttps?://(?:dx\.)?doi\.org/|\bdoi\.org/)?" + DOI_RE.pattern, text, re.IGNORECASE
    )
    if doi_match:
        doi = normalize_doi(doi_match.group(1))
        if doi:
            draft.fields["doi"] = doi
            end = doi_match.start(1) + doi_match.group(1).find(doi) + len(doi)
            text = text[: doi_match.start()] + " " + text[end:]
    url = _URL_RE.search(text)
    if url:
        address = re.sub(r"^(?:available\s+(?:from|at)|URL)\s*:?\s*", "", url.group(0), flags=re.IGNORECASE)
        draft.fields["url"] = address.rstrip(".,;:)]")
        text = text[: url.start()] + " " + text[url.end() :]
        text = re.sub(r"\[?\s*(?:cited|accessed|last accessed)\b[^\]]*\]?\.?", " ", text, flags=re.IGNORECASE)
    text = _NOISE_RE.sub(" ", text)
    draft.rest = re.sub(r"\s+", " ", text).strip(" .;,")


def split_authors_year(draft: Draft) -> None:
    """Find the author list and the year: ``Authors (Year) ...`` or ``Authors. Title ... Year;...``."""
    text = draft.rest
    year = _YEAR_PAREN_RE.search(text)
    # author-year styles put "(2016)" right after the names, before any sentence of the title
    if year and year.start() > 0 and year.start() < max(160, len(text) // 2):
        draft.issued = parse_issued(year.group(1))
        authors_text = text[: year.start()]
        draft.author, draft.et_al = parse_authors(authors_text)
        draft.rest = text[year.end() :].lstrip(" .,:")
        return
    # Vancouver/AMA: the names end at the first full stop that follows initials or "et al"
    end = _author_sentence_end(text)
    if end:
        draft.author, draft.et_al = parse_authors(text[:end])
        draft.rest = text[end:].lstrip(" .")


def _author_sentence_end(text: str) -> int | None:
    for match in re.finditer(r"\.(?=\s+\S)", text):
        before = text[: match.start()]
        if re.search(r"\bet\.?\s*al$", before, re.IGNORECASE) or _INITIAL_TOKEN.search(before):
            # "J. H. van der Berg" has dots inside the name: keep going while the next word is an initial
            after = text[match.end() :].lstrip()
            if re.match(r"[A-Z\u00c0-\u00de]\.", after) and not _INITIAL_TOKEN.search(before.split(",")[-1]):
                continue
            if re.match(r"[A-Z\u00c0-\u00de]{1,3}[.,]", after) and "," not in before[-4:]:
                continue
            return match.start()
        if len(before) > 300:
            break
    return None


def split_title_container(draft: Draft) -> None:
    """Split ``Title. Container Locator`` into title, container and locator text."""
    text = draft.rest.strip()
    locator = _LOCATOR_TAIL.search(text)
    if locator and not re.fullmatch(r"\s*(?:1[5-9]|20)\d\d\s*", locator.group("loc")):
        head = text[: locator.start()]
        loc = parse_locator(locator.group("loc"))
        if loc:
            year = re.match(r"((?:1[5-9]|20)\d\d[a-z]?(?:\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{1,2})?)?)", locator.group("loc"))
            if year and not draft.issued:
                draft.issued = parse_issued(year.group(1))
            draft.fields.update({k: v for k, v in loc.items() if k in ("volume", "issue", "page")})
            text = head
    elif not draft.issued:
        year = re.search(r"(?:^|[\s.,;(])((?:1[5-9]|20)\d\d)[a-z]?\s*[.;)]?\s*$", text)
        if year:
            draft.issued = parse_issued(year.group(1))
            text = text[: year.start(1)].rstrip(" .,;(")
    # a trailing year before the locator in Vancouver ("Journal. 2016;") was taken above; strip leftovers
    text = re.sub(r"[\s.,;]+(?:1[5-9]|20)\d\d[a-z]?\s*$", "", text) if draft.issued else text
    title, container = _split_sentences(text)
    if title:
        draft.fields["title"] = clean_field(title)
    if container:
        draft.fields["container_title"] = clean_field(container)
    draft.rest = ""


def _split_sentences(text: str) -> tuple[str, str]:
    text = text.strip(" .,;")
    if not text:
        return "", ""
    cuts = [m.end() for m in re.finditer(r"[.?!](?=\s+\S)", text)]
    for cut in cuts:
        title, container = text[:cut], text[cut:].strip()
        before = title[:-1].split()[-1] if title[:-1].split() else ""
        if len(before) <= 1 and before.isupper():
            continue  # "J. Am Acad" or "Part I." inside a title? prefer a later cut
        if _looks_like_container(container):
            return title, container
    # no sentence boundary: an article title followed by a container separated with a comma (APA)
    if "," in text and cuts == []:
        head, _, tail = text.rpartition(",")
        if _looks_like_container(tail.strip()) and len(tail.split()) <= 8:
            return head, tail.strip()
    return text, ""


def _looks_like_container(text: str) -> bool:
    words = text.replace(".", ". ").split()
    if not words or len(words) > 14:
        return False
    if re.search(r"[.?!]\s+\S", text):
        # more than one sentence: only an ISO-style dotted abbreviation ("J. Am. Acad. Dermatol.") qualifies
        tokens = text.split()
        for i, word in enumerate(tokens):
            core = word.rstrip(".,")
            if core.lower() in _FUNCTION_WORDS:
                continue
            if not (word.endswith(".") or i == len(tokens) - 1) or not core[:1].isupper() or len(core) > 10:
                return False
    return True


def guess_type(draft: Draft) -> None:
    """Journal article when there is a container and a locator; book or chapter by their cue words."""
    text = draft.raw
    has_locator = "volume" in draft.fields or "page" in draft.fields
    if re.search(r"\bIn:?\s+[A-Z]", text) and re.search(r"\(eds?\.?\)|\beds?\.", text, re.IGNORECASE):
        draft.type = "chapter"
    elif not draft.fields.get("container_title") and not has_locator and draft.fields.get("title"):
        draft.type = (
            "book"
            if re.search(r"\b(?:press|verlag|publishers?|edn|edition|springer)\b", text, re.I)
            else ("webpage" if draft.fields.get("url") else "document")
        )
    elif not draft.fields.get("title") and not draft.author:
        draft.type = "document"


DEFAULT_STEPS: tuple[Step, ...] = (strip_label, take_identifiers, split_authors_year, split_title_container, guess_type)


class RuleParser:
    """Parse reference strings with a list of rule steps.

    Args:
        steps: the steps to run in order; defaults to :data:`DEFAULT_STEPS`.
    """

    name = "rules"

    def __init__(self, steps: Sequence[Step] | None = None) -> None:
        self.steps = list(DEFAULT_STEPS if steps is None else steps)

    def parse(self, raw: str) -> Reference:
        """Parse one reference string into a :class:`~refkit.model.Reference` (never raises on bad text)."""
        if not isinstance(raw, str):
            raise TypeError(f"expected a str, got {type(raw).__name__}")
        text = re.sub(r"\s+", " ", raw).strip()
        draft = Draft(raw=raw, rest=text[:5000])
        if not re.search(r"[A-Za-z\u00c0-\u024f]{2}", text):
            return Reference(raw=raw, type="document", confidence={"reference": 0.0})
        for step in self.steps:
            step(draft)
        fields = {k: v for k, v in draft.fields.items() if v}
        score = _plausibility(draft, fields)
        return Reference(
            raw=raw,
            type=draft.type,
            author=draft.author,
            et_al=draft.et_al,
            issued=draft.issued,
            confidence={"reference": score},
            **fields,
        )

    def parse_many(self, raws: Sequence[str]) -> list[Reference]:
        """Parse many strings, in order."""
        return [self.parse(r) for r in raws]


def _plausibility(draft: Draft, fields: dict[str, str]) -> float:
    """A rough probability that the string is a reference at all, from what could be read."""
    score = 0.0
    score += 0.3 if draft.author else 0.0
    score += 0.2 if draft.issued else 0.0
    score += 0.2 if fields.get("title") else 0.0
    score += 0.15 if fields.get("container_title") else 0.0
    score += 0.15 if ("volume" in fields or "page" in fields or "doi" in fields) else 0.0
    return round(score, 2)
