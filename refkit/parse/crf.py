"""A trained CRF tagger for reference strings (python-crfsuite), and tagged tokens -> :class:`Reference`.

The tagger labels every token with one of the labels of :data:`refkit.parse.corpus.LABELS` (CSL-like:
``author``, ``issued``, ``title``, ``container-title``, ``volume``, ``page``, ``DOI`` ..., ``other`` for
separators). A run of tokens with one label is a field; its text is the exact substring of the input, which
the shared helpers of :mod:`refkit.parse.fields` turn into CSL values (names, dates, locators, DOIs), so a
name or a page range is read one way across refkit.

``confidence`` maps each field found (Reference attribute names) to the tagger's marginal probability averaged
over the field's tokens, and ``"reference"`` to how sure the parser is that the string is a reference at all.
A string with neither a title, nor authors, nor a container (a sentence, digits, noise) comes back as type
``document`` with no fields and a low ``"reference"`` confidence, the same convention as the rule parser.

Only the first :data:`MAX_TOKENS` tokens are tagged, so a very long input costs bounded time; its
``"reference"`` confidence is halved (no reference is that long).

The shipped model is trained by :mod:`refkit.parse.train` on AnyStyle, GROBID and PLOS data (see
``refkit/data/parser/SOURCE.md``).

Example:
    >>> ref = CRFParser.load().parse(
    ...     "Deza G, Sánchez-Schmidt JM, Pujol RM. Solitary Plaque-type Morphea with Dystrophic Calcinosis "
    ...     "Cutis. Acta Derm Venereol. 2016;96(3):418-9.")
    >>> ref.container_title, ref.volume, ref.issue, ref.page, ref.issued
    ('Acta Derm Venereol', '96', '3', '418-9', (2016,))
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from refkit.model import Person, Reference
from refkit.parse.features import Token, sequence_features, tokenize
from refkit.parse.fields import (
    clean_field,
    find_doi,
    find_doi_link,
    find_pmid,
    find_url,
    normalize_doi,
    parse_authors,
    parse_issued,
    parse_locator,
)
from refkit.parse.repair import repair

__all__ = ["MAX_TOKENS", "CRFParser", "default_model_path"]

#: Tokens tagged per string; the rest of a longer input is ignored (a reference rarely has more than 150).
MAX_TOKENS = 512

_ET_AL_RE = re.compile(r"^\W*(?:et\s*al|and\s+others|u\.\s*a\.|et\s+coll)\b", re.I)
_PAGE_PREFIX_RE = re.compile(r"^(?:pp?\.?|pages?|S\.)\s*", re.I)
_VOLUME_PREFIX_RE = re.compile(r"^(?:vol(?:ume)?\.?|v\.|bd\.?|tome|t\.)\s*", re.I)
_ISSUE_PREFIX_RE = re.compile(r"^(?:no\.?|nr\.?|n\.|issue|num\.?|heft|h\.)\s*", re.I)
_DASH_RE = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212]+\s*")
_CUE_IN_RE = re.compile(r"(?:^|[\s.,])(?:in|dans|in:)\s*:?\s*$", re.I)
_REPORT_RE = re.compile(r"\b(?:report|technical|working paper|white paper|bulletin|guidelines?)\b", re.I)
_DOI_TOKEN_RE = re.compile(r"doi\.org/10\.|^10\.\d{4,9}/", re.I)
_THESIS_RE = re.compile(r"\b(?:thesis|dissertation|th[eè]se|doctoral)\b", re.I)
_EDITOR_CUE_AFTER_RE = re.compile(
    r"[\s,.]*[(\[]?\s*(?:eds?|editors?|hrsg|hg|hgg|dir|dirs|coord|éd|éds|comp|comps)\b\.?\s*[)\]]?"
    r"(?=\s*(?:[(\[.,:;]|\d|$))",
    re.I,
)
_GAP_JOURNAL_RE = re.compile(
    r"[)\]\"'”’]?[.?!]\s+(?P<journal>[^\W\d_][^\W\d_.&'’ -]*(?:[.&'’ -]+[^\W\d_]+){0,9}\.?)[\s,]*"
)
_LOCATOR_CUES = frozenset({"vol", "volume", "no", "nr", "pp", "p", "in", "suppl", "issue", "band", "bd", "t", "tome"})
_VOLUME_PAGE_GAP_RE = re.compile(r"\s*[,:]\s*")
_IN_AFTER_STOP_RE = re.compile(r"(?:^|[.,;]\s*)(?:in|dans|en)\b\s*:?\s", re.I)
_IN_CUE_RE = re.compile(r"(?:^|[\s.,;])(?:in|dans|en)\b\s*:?", re.I)
# "Smith J. Calciphylaxis" / "Lee K, Park J. Folding": a short title after names that end with initials
_TITLE_AFTER_NAMES_RE = re.compile(
    r"^(?P<names>.*?(?:\b[A-Z\u00c0-\u00de]{1,3}|\bet al))\.\s+"
    r"(?P<title>[A-Z\u00c0-\u00de][^\s.,;:()]*(?:\s+[^\s.,;:()]+){0,5})\s*$"
)
# a title of one word, cased as a word (not an acronym: "WHO" or "UNESCO" are authors)
_ONE_WORD_TITLE_RE = re.compile(r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]{3,}(?:-[a-z\u00df-\u00ff]+)*")
_ANONYMOUS = frozenset({"anonymous", "anon", "anonym", "anonyme", "anónimo", "anonimo"})
# the names must end "Surname INITIALS" or "Surname, INITIALS" (not "and A. R." of "I. Surname" names)
_LAST_NAME_RE = re.compile(r"(?P<before>\S+)[\s,]+(?:(?:[A-Z\u00c0-\u00de]{1,3}\.?[\s-]*){1,3}|et al)$")
_SURNAME_RE = re.compile(r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff'’-]+,?$")
_INITIALS_OR_AND_RE = re.compile(r"^(?:[A-Z\u00c0-\u00de]{1,3}|and|&|et|und)$")

# Field label -> Reference attribute for the plain string fields.
_TEXT_FIELDS = {
    "title": "title",
    "container-title": "container_title",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "edition": "edition",
}


def default_model_path() -> Path:
    """Where the shipped model lives (``refkit/data/parser/model.crfsuite``)."""
    return Path(str(resources.files("refkit") / "data" / "parser" / "model.crfsuite"))


class CRFParser:
    """Parse reference strings with a trained CRF.

    Use :meth:`load` to get the shipped model (opened once, on first use). Instances are safe to share
    between threads (tagging is serialised: the underlying tagger keeps state).

    Example:
        >>> parser = CRFParser.load()
        >>> [(tok, lab) for tok, lab, _ in parser.tag("Nature 440: 358-362")][:2]
        [('Nature', 'container-title'), ('440', 'volume')]
    """

    name = "crf"

    def __init__(self, model_path: str | Path, *, max_tokens: int = MAX_TOKENS) -> None:
        path = Path(model_path)
        if not path.is_file():
            raise FileNotFoundError(f"CRF model not found: {path}")
        if max_tokens < 1:
            raise ValueError("max_tokens must be positive")
        self.model_path = path
        self.max_tokens = max_tokens
        self._tagger: Any = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: str | Path | None = None) -> CRFParser:
        """The parser for the model at ``path`` (default: the shipped model), created once per path.

        Raises:
            FileNotFoundError: the model file is missing.
        """
        return _load(str(Path(path) if path is not None else default_model_path()))

    def _open(self) -> Any:
        if self._tagger is None:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            tagger.open(str(self.model_path))
            self._tagger = tagger
        return self._tagger

    def _tag_tokens(self, tokens: Sequence[Token]) -> tuple[list[str], list[float]]:
        """The label of each token and its marginal probability."""
        if not tokens:
            return [], []
        feats = sequence_features([t.text for t in tokens])
        with self._lock:
            tagger = self._open()
            tagger.set(feats)
            labels = tagger.tag()
            # A token shaped like a DOI (or a doi.org link) is a DOI wherever it stands: the pattern is
            # unambiguous, and the corpora label it so (see refkit.parse.corpus).
            for i, t in enumerate(tokens):
                if "10." in t.text and labels[i] != "DOI" and len(t.text) > 4 and _DOI_TOKEN_RE.search(t.text):
                    labels[i] = "DOI"
            return labels, list(map(tagger.marginal, labels, range(len(labels))))

    def tag(self, raw: str) -> list[tuple[str, str, float]]:
        """Token, label and the label's marginal probability for each token of ``raw`` (first
        :attr:`max_tokens` only).

        Example:
            >>> CRFParser.load().tag("")
            []
        """
        if not isinstance(raw, str):
            raise TypeError(f"expected a str, got {type(raw).__name__}")
        tokens = tokenize(raw)[: self.max_tokens]
        labels, marginals = self._tag_tokens(tokens)
        return [(t.text, lab, p) for t, lab, p in zip(tokens, labels, marginals, strict=True)]

    def parse(self, raw: str) -> Reference:
        """Parse one reference string; ``raw`` is kept on the result.

        Example:
            >>> ref = CRFParser.load().parse("Lai CH et al (2003) Congenital calcinosis cutis of the ear. "
            ...                              "J Am Acad Dermatol 49: 122-124")
            >>> ref.author, ref.et_al, ref.page
            ((Person(family='Lai', given='CH', literal=None, suffix=None),), True, '122-124')
        """
        if not isinstance(raw, str):
            raise TypeError(f"expected a str, got {type(raw).__name__}")
        tokens = tokenize(raw)
        truncated = len(tokens) > self.max_tokens
        if truncated:
            tokens = tokens[: self.max_tokens]
        labels, marginals = self._tag_tokens(tokens)
        return build_reference(raw, tokens, labels, marginals, truncated=truncated)

    def parse_many(self, raws: Iterable[str]) -> list[Reference]:
        """Parse strings in order (one :class:`Reference` per input, never dropped)."""
        return [self.parse(r) for r in raws]


@lru_cache(maxsize=4)
def _load(path: str) -> CRFParser:
    return CRFParser(path)


def _spans(
    tokens: Sequence[Token], labels: Sequence[str], marginals: Sequence[float]
) -> list[tuple[str, int, int, float]]:
    """Runs of one label as ``(label, start, end, mean marginal)`` (character offsets into the string)."""
    out: list[tuple[str, int, int, float]] = []
    i, n = 0, len(tokens)
    while i < n:
        lab = labels[i]
        j = i + 1
        while j < n and labels[j] == lab:
            j += 1
        if lab != "other":
            out.append((lab, tokens[i].start, tokens[j - 1].end, sum(marginals[i:j]) / (j - i)))
        i = j
    return out


_CLOSING = {"(": ")", "[": "]", "{": "}"}
_VOLUME_ISSUE_RE = re.compile(r"(\w+)\s*\(([^()]{1,24})\)")
_ISSUE_ONLY_RE = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d\s*;\s*\((\w{1,8})\)\s*:")


def _closed(raw: str, start: int, end: int, *, title: bool = False) -> int:
    """The end of a field, moved past what the tagger left outside but belongs to it: the bracket that closes one
    the field opened ("(Madagascar)", "[review]", "(USA)"), and a title's own "?" or "!" ("Is it lupus?"), all of
    a run of them ("Why scratch?!")."""
    while end < len(raw):
        text, nxt = raw[start:end], raw[end]
        if nxt == "." and text[-1:].isalpha() and end + 1 < len(raw):
            nxt = raw[end + 1]  # an abbreviation's full stop before the bracket: "(2nd ed.)", "(D. Bowden, Trans.)"
            if nxt in _CLOSING.values() and _needs(text, nxt):
                end += 2
                continue
            nxt = "."
        closes = nxt in _CLOSING.values() and _needs(text, nxt)
        asks = title and nxt in "?!" and (text[-1:].isalnum() or text[-1:] in ")]'\"?!")
        if not (closes or asks):
            return end
        end += 1
    return end


def _needs(text: str, closing: str) -> bool:
    """Whether ``text`` opened more brackets of the kind ``closing`` closes than it closed."""
    return any(c == closing and text.count(o) > text.count(c) for o, c in _CLOSING.items())


def _balanced(raw: str, start: int, end: int) -> tuple[int, int]:
    """A text field's span without a bracket it does not hold whole: the end of a group that opened outside the
    field ("(2004, July 14). RFID Technology" -> "RFID Technology"), and a group still open at its end that the
    string closes further on, past other fields ("La Propagation des Ondes (Gauthier-Villars, Paris, 1965)" ->
    "La Propagation des Ondes"). A group cut at a ";" is left whole: "(NICNT; Grand Rapids: Eerdmans, 1953)" names
    a series, then the imprint, and the series goes with the title (as the corpora label it)."""
    text = raw[start:end]
    if not any(c in text for c in "()[]{}"):
        return start, end
    # a closing bracket before any opening one: the field began inside a group
    depth = 0
    cut = -1
    for i, ch in enumerate(text):
        if ch in _CLOSING:
            depth += 1
        elif ch in _CLOSING.values():
            if depth == 0:
                cut = i
            else:
                depth -= 1
    if cut >= 0:
        # the field is the longer side of it; the other is the end of a neighbouring group ("14). RFID Technology",
        # "Benjamin )ch 4")
        before, after = text[:cut], text[cut + 1 :]
        letters_before, letters_after = sum(ch.isalpha() for ch in before), sum(ch.isalpha() for ch in after)
        if letters_after and letters_after >= letters_before:
            start += cut + 1 + len(after) - len(after.lstrip(" .,;:"))
        elif letters_before:
            end = start + len(before.rstrip(" .,;:"))
        text = raw[start:end]
    # an opening bracket never closed within the field, that the string closes further on
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _CLOSING:
            stack.append(i)
        elif ch in _CLOSING.values() and stack:
            stack.pop()
    if stack and raw[end : end + 1] != ";" and _closes_later(raw, start + stack[0]):
        head = text[: stack[0]].rstrip(" .,;:")
        if any(ch.isalpha() for ch in head):
            end = start + len(head)
    return start, end


def _closes_later(raw: str, at: int) -> bool:
    """Whether the bracket opened at ``raw[at]`` is closed somewhere in ``raw``."""
    opening = raw[at]
    closing = _CLOSING[opening]
    depth = 0
    for ch in raw[at:]:
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return True
    return False


def _opened(raw: str, start: int, end: int) -> int:
    """The start of a title, moved back over the "¿" or "¡" that opens the question or exclamation it ends with."""
    text = raw[start:end]
    while start > 0 and raw[start - 1] in "¿¡":
        mark = raw[start - 1]
        close = "?" if mark == "¿" else "!"
        if text.count(close) <= text.count(mark):
            break
        start -= 1
        text = raw[start:end]
    return start


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def build_reference(
    raw: str,
    tokens: Sequence[Token],
    labels: Sequence[str],
    marginals: Sequence[float],
    *,
    truncated: bool = False,
) -> Reference:
    """Turn tagged tokens into a :class:`Reference` with the shared field helpers.

    Args:
        raw: the input string.
        tokens: its tokens (offsets into ``raw``).
        labels: the tagger's label of each token.
        marginals: the marginal probability of each token's label.
        truncated: ``tokens`` stop short of the end of ``raw`` (an input too long to be one reference:
            the ``"reference"`` confidence is halved).
    """
    spans = _spans(tokens, labels, marginals)
    by_label: dict[str, list[tuple[str, int, int, float]]] = {}
    for span in spans:
        by_label.setdefault(span[0], []).append(span)
    if by_label.get("note") and by_label.get("title"):
        _title_word_read_as_note(raw, by_label)
    if "title" not in by_label and by_label.get("author") and ("container-title" in by_label or "volume" in by_label):
        _title_from_names(raw, by_label)
    if by_label.get("author") and "editor" not in by_label:
        # "Seward AC (ed) (1909) Darwin and modern science" / "Adamson, Joni, ..., eds. The Reader": the names the
        # editor cue follows are editors
        cued = [k for k, span in enumerate(by_label["author"]) if _EDITOR_CUE_AFTER_RE.match(raw, span[2])]
        editors = by_label["author"][: cued[0] + 1] if cued else []  # the names before the cue are all its
        if editors:
            by_label["editor"] = [("editor", *span[1:]) for span in editors]
            by_label["author"] = [span for span in by_label["author"] if span not in editors]
            if not by_label["author"]:
                del by_label["author"]
    values: dict[str, Any] = {}
    conf: dict[str, float] = {}

    def first(label: str) -> tuple[str, float] | None:
        found = by_label.get(label)
        if not found:
            return None
        _, s, e, p = found[0]
        e = _closed(raw, s, e, title=label == "title")
        if label == "title":
            s = _opened(raw, s, e)
        if label in _TEXT_FIELDS:
            s, e = _balanced(raw, s, e)
        return raw[s:e], p

    for label, attr in (("author", "author"), ("editor", "editor")):
        found = by_label.get(label)
        if not found:
            continue
        people: list[Person] = []
        et_al = False
        for _, s, e, _ in found:
            names, cut = parse_authors(raw[s:e])
            people.extend(names)
            et_al = et_al or cut or bool(_ET_AL_RE.match(raw[e : e + 12]))
        if people:
            values[attr] = tuple(people)
            conf[attr] = _mean([p for *_, p in found])
        if et_al and label == "author":
            values["et_al"] = True

    dates = by_label.get("issued", [])
    if len(dates) > 1 and "page" not in by_label and "volume" in by_label:
        # "Physica A 387, 2025, 2008": a year-like number right after the volume, another date after it, is the page
        _, s, e, p = dates[0]
        if raw[s:e].isdigit() and _VOLUME_PAGE_GAP_RE.fullmatch(raw, by_label["volume"][0][2], s):
            by_label["page"] = [("page", s, e, p)]
            by_label["issued"] = dates[1:]
    hit = first("issued")
    if hit:
        issued = parse_issued(hit[0])
        if issued:
            values["issued"] = issued
            conf["issued"] = round(hit[1], 4)

    for label, attr in _TEXT_FIELDS.items():
        hit = first(label)
        if hit:
            text = clean_field(hit[0])
            if text:
                values[attr] = text
                conf[attr] = round(hit[1], 4)
    if "container_title" not in values and "title" in by_label and "volume" in by_label:
        _journal_in_gap(raw, by_label, values, conf)
    if len(by_label.get("title", ())) > 1 and "container_title" not in values:
        _book_from_second_title(raw, by_label, values, conf)
    elif "container_title" in values and "title" not in values and _is_book(raw, values, by_label):
        # a book's own title read as a container ("L. Piegl, The NURBS Book. Springer, Berlin, 1997"): no
        # volume or issue, an imprint, and no "In" before it
        values["title"] = values.pop("container_title")
        conf["title"] = conf.pop("container_title")

    for label, prefix in (("volume", _VOLUME_PREFIX_RE), ("issue", _ISSUE_PREFIX_RE), ("page", _PAGE_PREFIX_RE)):
        hit = first(label)
        if hit:
            text = prefix.sub("", clean_field(hit[0])).strip()
            if label == "page":
                text = _DASH_RE.sub("-", text)
            if text:
                values[label] = text
                conf[label] = round(hit[1], 4)
    # A locator tagged as one volume field ("96(3):418-9") is split the shared way.
    if "volume" in values and "page" not in values and re.search(r"\D", values["volume"]):
        loc = parse_locator(values["volume"])
        if loc.get("volume") and loc.get("page"):
            values["volume"] = loc["volume"]
            values.setdefault("issue", loc.get("issue"))
            values["page"] = loc["page"]
            conf["page"] = conf["volume"]
            if values.get("issue") is None:
                values.pop("issue")

    # "115 (Suppl 30)" or "7(5)" tagged as one volume: the bracket holds the issue
    split = _VOLUME_ISSUE_RE.fullmatch(values.get("volume", ""))
    if split and "issue" not in values:
        values["volume"], values["issue"] = split.group(1), split.group(2).strip()
        conf["issue"] = conf["volume"]
    # "2019;(4):CD013144": an issue with no volume (Cochrane reviews) is not a volume
    no_volume = _ISSUE_ONLY_RE.search(raw)
    if no_volume and values.get("volume") == no_volume.group(1) and "issue" not in values:
        values["issue"] = values.pop("volume")
        conf["issue"] = conf.pop("volume")

    hit = first("DOI")
    doi = normalize_doi(hit[0]) if hit else None
    if doi and hit:
        conf["doi"] = round(hit[1], 4)
    elif (doi := find_doi(raw)) is not None:
        # The pattern is unambiguous: a DOI the tagger missed is still a DOI.
        conf["doi"] = 0.99
    if doi:
        values["doi"] = doi
    hit = first("PMID")
    pmid = re.sub(r"\D", "", hit[0]) if hit else ""
    if pmid and hit:
        conf["pmid"] = round(hit[1], 4)
    elif (found_pmid := find_pmid(raw)) is not None:
        pmid = found_pmid
        conf["pmid"] = 0.99
    if pmid:
        values["pmid"] = pmid
    hit = first("URL")
    url = hit[0].strip().rstrip(".,;") if hit else None
    if url and hit and not re.search(r"doi\.org/", url, re.I):
        conf["url"] = round(hit[1], 4)
    else:
        url = find_url(raw)
        if url:
            conf["url"] = 0.99
    if not url and doi and (link := find_doi_link(raw)) is not None and normalize_doi(link) == doi:
        # a DOI written as its resolver link ("https://doi.org/10...") is the DOI and, as written, the URL
        url = link
        conf["url"] = conf["doi"]
    if url:
        values["url"] = url
    hit = first("citation-number")
    if hit:
        number = hit[0].strip(" []().:")
        if number:
            values["citation_number"] = number
            conf["citation_number"] = round(hit[1], 4)
    notes = [clean_field(raw[s:e]) for _, s, e, _ in by_label.get("note", ())]
    notes = [n for n in notes if n]
    if notes:
        values["note"] = "; ".join(notes)
        conf["note"] = _mean([p for *_, p in by_label["note"]])

    token_mean = _mean(marginals)
    structure = sum(
        1
        for key in ("author", "issued", "container_title", "volume", "page", "publisher", "doi", "url", "pmid")
        if key in values
    )
    # A sentence comes out as one long "title"; digits or noise as scattered numbers: neither is a reference.
    if (
        not (values.get("title") or values.get("author") or values.get("container_title"))
        or structure == 0
        or _looks_like_noise(tokens)
    ):
        return Reference(raw=raw, type="document", confidence={"reference": round(min(0.2, token_mean / 5), 4)})
    conf["reference"] = round(token_mean * min(1.0, (structure + 1) / 4) * (0.5 if truncated else 1.0), 4)
    values["type"] = _guess_type(raw, values, by_label)
    # patterns the string leaves no doubt about fill what the tagger left empty (volumes that look like years, ...)
    return repair(Reference(raw=raw, confidence=conf, **values))


def _title_word_read_as_note(raw: str, by_label: dict[str, list[tuple[str, int, int, float]]]) -> None:
    """The first word of a title read as a note ("Submission of data to GenBank": "Submission", a note's word in
    the corpora): a note that only white space parts from the title's start is the title's."""
    _, start, end, p = by_label["title"][0]
    for note in by_label["note"]:
        if note[2] <= start and not raw[note[2] : start].strip() and raw[note[1] : note[2]][:1].isupper():
            by_label["title"][0] = ("title", note[1], end, p)
            by_label["note"] = [n for n in by_label["note"] if n is not note]
            if not by_label["note"]:
                del by_label["note"]
            return


def _title_from_names(raw: str, by_label: dict[str, list[tuple[str, int, int, float]]]) -> None:
    """A short title the tagger joined to the names before it ("Smith J. Calciphylaxis. Lancet. 2020;395:10-2"):
    after names that end with initials, a full stop, then words with no initials among them. Only called when
    the tagger found no title but a journal or a volume."""
    label, s, e, p = by_label["author"][-1]
    if len(by_label["author"]) == 1 and _ONE_WORD_TITLE_RE.fullmatch(raw[s:e]) and raw[e : e + 1] == ".":
        # no names at all, only a one-word title ("Calciphylaxis. Lancet. 2020;395:10-2"): a name alone, without
        # initials, is not an author's
        if not raw[:s].strip(" [](0123456789.") and raw[s:e].lower() not in _ANONYMOUS:
            del by_label["author"]
            by_label["title"] = [("title", s, e, p)]
        return
    found = _TITLE_AFTER_NAMES_RE.match(raw[s:e])
    if (
        found is None
        or not _ends_with_surname_initials(found["names"])
        or any(_INITIALS_OR_AND_RE.match(w) for w in found["title"].split())
    ):
        return
    by_label["author"][-1] = (label, s, s + found.end("names"), p)
    by_label["title"] = [("title", s + found.start("title"), s + found.end("title"), p)]


def _ends_with_surname_initials(names: str) -> bool:
    """ "Smith J", "Lee K, Park J", "Smith, J. M": names written surname first (not "S. Eliezer and A. R")."""
    first = re.sub(r"[\W\d_]", "", names.split(maxsplit=1)[0]) if names.strip() else ""
    if len(first) <= 3 and first.isupper():  # "S. Atis, S. Saha, L. Talon": initials first
        return False
    last = _LAST_NAME_RE.search(names)
    return last is not None and _SURNAME_RE.match(last["before"]) is not None


def _journal_in_gap(
    raw: str, by_label: dict[str, list[tuple[str, int, int, float]]], values: dict[str, Any], conf: dict[str, float]
) -> None:
    """A journal the tagger left out between the title's full stop and the volume ("... hyperparathyroidism.
    dermatologist 41: 212-217"): words alone in that gap, no cue among them, are the journal."""
    title_end = by_label["title"][-1][2]
    volume_start = by_label["volume"][0][1]
    found = _GAP_JOURNAL_RE.fullmatch(raw, title_end, volume_start) if title_end < volume_start else None
    if found is None or found["journal"].split()[0].lower().rstrip(".") in _LOCATOR_CUES:
        return
    values["container_title"] = found["journal"].rstrip(" .,")
    conf["container_title"] = 0.5


def _book_from_second_title(
    raw: str, by_label: dict[str, list[tuple[str, int, int, float]]], values: dict[str, Any], conf: dict[str, float]
) -> None:
    """The book of a chapter tagged as a second title ("Dressings. In: Ross A (ed) Wound healing. Springer"): a
    title after an "In" cue or after the editors, where the tagger found no container, is the container."""
    first_end = by_label["title"][0][2]
    for _, start, end, p in by_label["title"][1:]:
        edited = any(first_end <= s and e <= start for _, s, e, _ in by_label.get("editor", ()))
        if edited or _IN_CUE_RE.search(raw[first_end:start]):
            s, e = _balanced(raw, start, _closed(raw, start, end))
            text = clean_field(raw[s:e])
            if text:
                values["container_title"] = text
                conf["container_title"] = round(p, 4)
            return


def _is_book(raw: str, values: dict[str, Any], by_label: dict[str, list[tuple[str, int, int, float]]]) -> bool:
    """Whether the fields describe a whole book: an imprint, no volume or issue, no "In" cue before the container."""
    if "volume" in by_label or "issue" in by_label or not ("publisher" in values or "publisher_place" in values):
        return False
    start = by_label["container-title"][0][1]
    return not _CUE_IN_RE.search(raw[max(0, start - 6) : start]) and not _IN_AFTER_STOP_RE.search(raw[:start])


def _looks_like_noise(tokens: Sequence[Token]) -> bool:
    """Too few word-like tokens to be a reference: digits, symbols, random characters.

    A word-like token is a number or a run of letters cased the way words are ("Deza", "cutis", "JM", or a
    script without case); random characters give "x7Gq"-like runs among many symbols.
    """
    n = len(tokens)
    if n == 0:
        return True
    words = punct = letters = 0
    # Once a third of the tokens are words (and one has letters), the answer is "no": stop counting.
    enough = 0.3 * n
    for t in tokens:
        if letters and words >= enough:
            return False
        text = t.text
        if not text[0].isalnum():
            punct += 1
        elif text.isdigit():
            words += 1
        elif text.isalpha():
            if len(text) > 1:
                letters += 1
            if text.islower() or text.isupper() or text.istitle() or text.lower() == text.upper():
                words += 1
    if letters == 0:
        return True
    share = words / n
    return share < 0.15 or (share < 0.3 and punct / n > 0.4)


def _guess_type(raw: str, values: dict[str, Any], by_label: dict[str, list[tuple[str, int, int, float]]]) -> str:
    """Journal article, chapter, book, report, thesis or web page, from which fields the string has."""
    container = values.get("container_title")
    if container:
        found = by_label.get("container-title")
        start = found[0][1] if found else max(0, raw.find(container))  # or the book of a chapter, a second title
        before = raw[max(0, start - 6) : start]
        if values.get("editor") or _CUE_IN_RE.search(before) or (values.get("publisher") and not values.get("volume")):
            return "chapter"
        if _REPORT_RE.search(container) and not values.get("volume"):
            return "report"
        return "article-journal"
    if _THESIS_RE.search(raw):
        return "thesis"
    if _REPORT_RE.search(raw) and not values.get("volume"):
        return "report"
    if values.get("publisher") or values.get("publisher_place") or values.get("edition"):
        return "book"
    if values.get("url") and not values.get("volume"):
        return "webpage"
    if values.get("volume") or values.get("page"):
        return "article-journal"
    return "document"
