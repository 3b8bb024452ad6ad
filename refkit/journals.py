"""Journal names: full titles, MEDLINE and ISO-4 abbreviations, and checks on cited journal names.

The vendored list (``refkit/data/journals/journals.tsv.gz``, merged from the NLM Catalog, JabRef's lists and
Crossref's abbreviation map; see ``SOURCE.md`` there) is loaded lazily, once, on first use. Every name form is
indexed under a normalised key (casefolded, accents folded, punctuation and dots dropped, spaces collapsed,
a leading "The" dropped), so a lookup is one dict access::

    >>> lookup("Acta derm. venereol.").medline
    'Acta Derm Venereol'
    >>> same_journal("J Clin Pharm Ther", "Journal of Clinical Pharmacy and Therapeutics")
    True
    >>> standard_abbreviation("Pediatric dermatology")
    'Pediatr Dermatol'
    >>> check("Pediatric Dermatol").status
    'nonstandard'
    >>> detect_translation("Z Skinkr").medline
    'Z Hautkr'

:func:`check` gives the verdict an audit needs (``standard``, ``nonstandard``, ``translation``, ``unknown``),
with the journal and the suggested standard form.

Regenerate the data from the upstream lists with::

    python -m refkit.journals --build /work/shared/data/journals [--out refkit/data/journals]
"""

from __future__ import annotations

import argparse
import collections
import csv
import functools
import gzip
import html
import itertools
import json
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "Journal",
    "JournalCheck",
    "JournalStatus",
    "check",
    "compact_key",
    "compact_keys",
    "detect_translation",
    "is_standard",
    "lookup",
    "normalize",
    "prefetch",
    "same_journal",
    "standard_abbreviation",
    "suggest",
]

DATA_DIR = Path(__file__).parent / "data" / "journals"
_JOURNALS_FILE = "journals.tsv.gz"
_WORDS_FILE = "words.tsv.gz"
_TRANSLATIONS_FILE = "translations.tsv"
_KEYS_FILE = "keys.txt.gz"

# Longer inputs are not journal names (the longest NLM titles are ~400 characters); refusing them keeps
# suggest() and detect_translation() bounded.
_MAX_NAME = 500

JournalStatus = Literal["standard", "nonstandard", "translation", "unknown"]


@dataclass(frozen=True, slots=True)
class Journal:
    """One journal as the vendored lists know it.

    Attributes:
        title: full title (the NLM Catalog's when NLM lists the journal).
        medline: MEDLINE/NLM abbreviation (dotless), or None when NLM does not list the journal.
        iso4: ISO-4 abbreviation with dots, or None when no ISO-4 list gives one.
        issn: an ISSN when one is known (few are), else None.

    Example:
        >>> j = lookup("Actas Dermosifiliogr")
        >>> (j.title, j.medline, j.iso4)
        ('Actas dermo-sifiliográficas', 'Actas Dermosifiliogr', 'Actas Dermosifiliogr.')
    """

    title: str
    medline: str | None = None
    iso4: str | None = None
    issn: str | None = None

    @property
    def abbreviation(self) -> str:
        """The standard short form: MEDLINE, else ISO-4, else the title."""
        return self.medline or self.iso4 or self.title


@dataclass(frozen=True, slots=True)
class JournalCheck:
    """The verdict on one cited journal name.

    Attributes:
        name: the name as given.
        status: ``standard`` (a full title or standard abbreviation), ``nonstandard`` (a known journal written
            in a form that is not standard), ``translation`` (a machine translation of a non-English title),
            ``unknown`` (in no list).
        journal: the journal meant, when known.
        suggestion: the standard form to write instead (MEDLINE when there is one), for ``nonstandard`` and
            ``translation``.
        candidates: ranked guesses for an ``unknown`` name, as from :func:`suggest`.

    Example:
        >>> c = check("Dermatologist")
        >>> (c.status, c.suggestion)
        ('translation', 'Hautarzt')
    """

    name: str
    status: JournalStatus
    journal: Journal | None = None
    suggestion: str | None = None
    candidates: tuple[tuple[Journal, float], ...] = ()


# ----------------------------------------------------------------------------------------------------
# Normalisation

_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[\W_]+")
# Function words in the languages of the lists; dropped only for the translation index, where "Annals of X"
# must meet "Annales de X".
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "die",
        "do",
        "dos",
        "du",
        "e",
        "el",
        "en",
        "et",
        "for",
        "fur",
        "i",
        "im",
        "in",
        "la",
        "las",
        "le",
        "les",
        "los",
        "o",
        "of",
        "on",
        "the",
        "und",
        "y",
        "zu",
        "zum",
        "zur",
    ]
)
_FOREIGN_ARTICLES = frozenset(["der", "die", "das", "le", "la", "les", "el", "il", "lo", "los", "las"])


def normalize(name: object) -> str:
    """The lookup key of a journal name.

    Casefolds, folds accents, turns "&" into "and", drops apostrophes, replaces other punctuation (dots
    included) by spaces, collapses spaces and drops a leading "The". Anything that is not a non-empty string
    gives "".

    Example:
        >>> normalize("The Journal of Clinical Pharmacy & Therapeutics")
        'journal of clinical pharmacy and therapeutics'
        >>> normalize("Actas Dermo-Sifiliográficas")
        'actas dermo sifiliograficas'
    """
    if not isinstance(name, str) or not name:
        return ""
    text = name[: _MAX_NAME * 2]
    if "&" in text:
        # Crossref titles often carry HTML entities ("Child &amp; Adolescent").
        text = html.unescape(text)
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    words = _NON_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        del words[0]
    return " ".join(words)


def _compact(key: str) -> str:
    return key.replace(" ", "")


def compact_key(name: object) -> str:
    """A name's key without spaces: the form :func:`compact_keys` holds.

    Example:
        >>> compact_key("J. Biol. Chem.")
        'jbiolchem'
    """
    return _compact(normalize(name))


@functools.lru_cache(maxsize=1)
def compact_keys() -> frozenset[str]:
    """The :func:`compact_key` of every name form the index knows (titles, abbreviations, their shorter forms and
    the abbreviations seen in deposited references).

    Read from a file written by :func:`build`, so that a caller that only asks "is this a journal name?" (the
    parser's features) does not pay for building the whole index.
    """
    with gzip.open(DATA_DIR / _KEYS_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(fh.read().split("\n")) - {""}


def write_compact_keys(out: Path = DATA_DIR) -> int:
    """Write the compact keys of the journal data in ``out`` next to it (part of :func:`build`); return their number."""
    keys = sorted(_Index(out).compact)
    with open(out / _KEYS_FILE, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(keys) + "\n").encode("utf-8"))
    return len(keys)


def _content(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _STOPWORDS)


# ----------------------------------------------------------------------------------------------------
# Name forms derived from a title or an abbreviation


def _title_variants(title: str) -> set[str]:
    """Shorter forms a title is cited by: main title without subtitle, qualifier or foreign article."""
    forms = {title}
    main = re.split(r"\s+:\s+|\s*;\s*|\s+=\s+|\s+/\s+", title, maxsplit=1)[0].strip()
    if main:
        forms.add(main)
    for form in list(forms):
        # "Dermatology (Basel, Switzerland)" is cited as "Dermatology".
        bare = re.sub(r"\s*\([^()]*\)\s*$", "", form).strip()
        if bare:
            forms.add(bare)
    for form in list(forms):
        words = form.split(maxsplit=1)
        if len(words) == 2 and words[0].casefold() in _FOREIGN_ARTICLES:
            forms.add(words[1])
    return forms


def _umlaut_variant(text: str) -> str | None:
    """German transliteration ("Orthopäde" -> "Orthopaede"), which accent folding alone does not give."""
    if not any(c in text for c in "äöüÄÖÜ"):
        return None
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
    return text.translate(table)


# ----------------------------------------------------------------------------------------------------
# Hand-made dictionary of title words: English (as a machine translation writes it) -> the title
# language's word. Normalised spellings (folded accents). Systematic pairs learned from the lists are
# added from translations.tsv (see _learn_translations).

_TRANSLATIONS: dict[str, tuple[str, ...]] = {
    # German "Der X" journals and their abbreviation words
    "dermatologist": ("hautarzt", "dermatologue", "dermatologo", "dermatologista"),
    "dermatologists": ("hautarzt",),
    "skin": ("haut", "peau", "piel", "pelle", "pele"),
    "diseases": ("krankheiten", "maladies", "enfermedades", "malattie", "doencas"),
    "disease": ("krankheit", "maladie", "enfermedad", "malattia", "doenca"),
    "dis": ("kr", "krankh", "mal", "enferm"),
    "skin diseases": ("hautkrankheiten",),
    "journal": ("zeitschrift", "z", "revue", "rev", "revista", "rivista", "riv", "giornale", "g", "jornal"),
    "j": ("z", "rev", "riv", "g"),
    "magazine": ("zeitschrift", "z", "revista", "rivista"),
    "surgeon": ("chirurg", "chirurgien", "cirujano", "chirurgo", "cirurgiao"),
    "surgery": ("chirurgie", "cirugia", "chirurgia", "cirurgia"),
    "surg": ("chir", "cir"),
    "trauma surgeon": ("unfallchirurg",),
    "accident surgeon": ("unfallchirurg",),
    "trauma surgery": ("unfallchirurgie", "traumatologie"),
    "accident surgery": ("unfallchirurgie",),
    "neurologist": ("nervenarzt", "neurologe", "neurologue", "neurologo"),
    "nerve doctor": ("nervenarzt",),
    "internist": ("internist", "interniste", "internista"),
    "radiologist": ("radiologe", "radiologue", "radiologo"),
    "ophthalmologist": ("ophthalmologe", "ophtalmologiste", "oftalmologo"),
    "urologist": ("urologe", "urologue", "urologo"),
    "anaesthetist": ("anaesthesist", "anesthesiste", "anestesista"),
    "anesthetist": ("anaesthesist", "anesthesiste", "anestesista"),
    "anesthesiologist": ("anaesthesist", "anesthesiste", "anestesista"),
    "anaesthesiologist": ("anaesthesist", "anesthesiste", "anestesista"),
    "orthopedist": ("orthopade", "orthopaede", "orthopediste", "ortopedico"),
    "orthopaedist": ("orthopade", "orthopaede", "orthopediste", "ortopedico"),
    "orthopedic surgeon": ("orthopade", "orthopaede"),
    "orthopaedic surgeon": ("orthopade", "orthopaede"),
    "gynecologist": ("gynakologe", "gynaekologe", "gynecologue", "ginecologo"),
    "gynaecologist": ("gynakologe", "gynaekologe", "gynecologue", "ginecologo"),
    "pathologist": ("pathologe", "pathologiste", "patologo"),
    "pneumologist": ("pneumologe",),
    "pulmonologist": ("pneumologe",),
    "nephrologist": ("nephrologe", "nephrologue", "nefrologo"),
    "oncologist": ("onkologe", "oncologue", "oncologo"),
    "cardiologist": ("kardiologe", "cardiologue", "cardiologo"),
    "diabetologist": ("diabetologe",),
    "gastroenterologist": ("gastroenterologe",),
    "pain": ("schmerz", "douleur", "dolor", "dolore", "dor"),
    "dentist": ("zahnarzt", "dentiste", "dentista"),
    "country doctor": ("landarzt",),
    "pediatrician": ("kinderarzt", "pediatre", "pediatra"),
    "paediatrician": ("kinderarzt", "pediatre", "pediatra"),
    "ent": ("hno",),
    "medicine": ("medizin", "medecine", "medicina"),
    "medical": ("medizinische", "medicale", "medica", "medico", "medicinale"),
    "med": ("med",),
    "weekly": ("wochenschrift", "hebdomadaire", "semanal", "settimanale"),
    "wkly": ("wochenschr", "wschr"),
    "monthly": ("monatsschrift", "mensuel"),
    "german": ("deutsche", "deutsches", "dtsch"),
    "french": ("francaise", "francais"),
    "spanish": ("espanola", "espanol", "esp"),
    "italian": ("italiano", "italiana", "ital"),
    "annals": ("annales", "anales", "annali", "anais"),
    "archives": ("archiv", "archivos", "archivio", "arquivos"),
    "bulletin": ("boletin", "bollettino", "boletim"),
    "review": ("revue", "revista", "rassegna", "rundschau"),
    "clinic": ("klinik", "clinique", "clinica"),
    "clinical": ("klinische", "clinique", "clinica", "clinico"),
    "nursing": ("pflege",),
    "heart": ("herz", "coeur", "corazon", "cuore"),
    "eye": ("auge",),
    "ear": ("ohr",),
    "nose": ("nase",),
    "throat": ("hals",),
    "children": ("kinder", "enfants", "ninos", "bambini"),
    "pediatrics": ("kinderheilkunde", "pediatrie", "pediatria"),
    "paediatrics": ("kinderheilkunde", "pediatrie", "pediatria"),
    "pediatric": ("pediatrica", "pediatrico"),
    "diseases of the skin": ("hautkrankheiten",),
    "venereology": ("venerologie", "venereologie", "venereologia"),
    "leprosy": ("lepra",),
    "medicine and surgery": ("medecine et chirurgie",),
}

# Prefixes tried when an English word was glued onto an untranslated abbreviation ("Skinkr" = "skin" + "kr").
_MIN_COMPOUND_PREFIX = 3


# ----------------------------------------------------------------------------------------------------
# The loaded index


class _Index:
    """Every name form -> record numbers; built once from the vendored files."""

    def __init__(self, data_dir: Path) -> None:
        self.journals: list[Journal] = []
        # key -> record number, or a tuple of them (preferred first) when one form names several journals.
        self.standard: dict[str, int | tuple[int, ...]] = {}
        self.compact: dict[str, int | tuple[int, ...]] = {}
        self.words: dict[str, str] = {}
        self.translations: dict[str, tuple[str, ...]] = {}
        self._content: dict[str, int | tuple[int, ...]] | None = None
        self._fuzzy_keys: list[str] | None = None
        self._by_length: tuple[Any, Any, list[str]] | None = None
        self._lock = threading.Lock()
        self._load(data_dir)

    def _load(self, data_dir: Path) -> None:
        derived: list[tuple[str, int]] = []
        aliases: list[tuple[str, int]] = []
        with gzip.open(data_dir / _JOURNALS_FILE, "rt", encoding="utf-8") as fh:
            for number, line in enumerate(fh):
                title, medline, iso4, issn, other, alias = line.rstrip("\n").split("\t")
                self.journals.append(Journal(title, medline or None, iso4 or None, issn or None))
                # Exact forms first: a form that is some journal's own title or abbreviation must never be
                # taken over by a form merely derived from another journal's title.
                for form in (title, medline, iso4, *other.split("|")):
                    if form:
                        _add(self.standard, normalize(form), number)
                for form in (title, *other.split("|")):
                    if form:
                        derived.extend((normalize(v), number) for v in _title_variants(form))
                        umlaut = _umlaut_variant(form)
                        if umlaut:
                            derived.append((normalize(umlaut), number))
                if medline and "(" in medline:
                    derived.extend((normalize(v), number) for v in _title_variants(medline))
                aliases.extend((a, number) for a in alias.split("|") if a)
        exact = set(self.standard)
        for key, number in derived:
            if key not in exact:
                _add(self.standard, key, number)
        for key, value in self.standard.items():
            for number in _numbers(value):
                _add(self.compact, _compact(key), number)
        for key, number in aliases:
            if key not in self.compact:
                _add(self.compact, key, number)
        with gzip.open(data_dir / _WORDS_FILE, "rt", encoding="utf-8") as fh:
            for line in fh:
                word, abbrev = line.rstrip("\n").split("\t")
                self.words[word] = abbrev
        merged: dict[str, list[str]] = {k: list(v) for k, v in _TRANSLATIONS.items()}
        with open(data_dir / _TRANSLATIONS_FILE, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                english, foreign = line.rstrip("\n").split("\t")[:2]
                targets = merged.setdefault(english, [])
                if foreign not in targets:
                    targets.append(foreign)
        self.translations = {k: tuple(v) for k, v in merged.items()}

    def content(self) -> dict[str, int | tuple[int, ...]]:
        """Keys without function words, built on first use (only translation detection needs them)."""
        if self._content is None:
            with self._lock:
                if self._content is None:
                    table: dict[str, int | tuple[int, ...]] = {}
                    for key, value in self.standard.items():
                        ckey = _content(key)
                        if ckey:
                            for number in _numbers(value):
                                _add(table, ckey, number)
                    self._content = table
        return self._content

    def fuzzy_keys(self) -> list[str]:
        """The standard keys as a list, for rapidfuzz."""
        if self._fuzzy_keys is None:
            self._fuzzy_keys = list(self.standard)
        return self._fuzzy_keys

    def keys_by_length(self) -> tuple[Any, Any, list[str]]:
        """The standard keys shortest first (stable): their lengths, their places in :meth:`fuzzy_keys`, and
        the keys."""
        if self._by_length is None:
            import numpy as np

            keys = self.fuzzy_keys()
            lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
            order = np.argsort(lengths, kind="stable")
            self._by_length = (lengths[order], order, [keys[i] for i in order])
        return self._by_length


def _add(table: dict[str, int | tuple[int, ...]], key: str, number: int) -> None:
    if not key:
        return
    old = table.get(key)
    if old is None:
        table[key] = number
    elif isinstance(old, int):
        if old != number:
            table[key] = (old, number)
    elif number not in old:
        table[key] = (*old, number)


def _numbers(value: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


_INDEX: _Index | None = None
_INDEX_LOCK = threading.Lock()


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _INDEX_LOCK:
            if _INDEX is None:
                _INDEX = _Index(DATA_DIR)
    return _INDEX


# ----------------------------------------------------------------------------------------------------
# Resolution of one key


def _key(name: object) -> str:
    key = normalize(name)
    return key if len(key) <= _MAX_NAME else ""


def _rewrite(index: _Index, key: str) -> str:
    """The key with each full title word replaced by its usual abbreviation ("pediatric" -> "pediatr")."""
    # Single letters stay: "e" is a word of "E-Journal of Chemistry", not Italian "and".
    return " ".join(index.words.get(w, w) for w in key.split() if len(w) == 1 or w not in _STOPWORDS)


_RESOLVED: dict[str, tuple[tuple[int, ...], str]] = {}
_RESOLVED_MAX = 65536


def _resolve(key: str) -> tuple[tuple[int, ...], str]:
    """Record numbers a key names and how: ``standard``, ``alias`` (spacing or a seen abbreviation) or
    ``rewrite`` (found once its title words are abbreviated). Cached: matching asks about the same few
    journals over and over."""
    hit = _RESOLVED.get(key)
    if hit is not None:
        return hit
    index = _index()
    how = "standard"
    numbers = _numbers(index.standard.get(key))
    if not numbers:
        how = "alias"
        numbers = _numbers(index.compact.get(_compact(key)))
    if not numbers:
        how = "rewrite"
        rewritten = _rewrite(index, key)
        if rewritten and rewritten != key:
            numbers = _numbers(index.standard.get(rewritten)) or _numbers(index.compact.get(_compact(rewritten)))
    result = (numbers, how if numbers else "unknown")
    if len(_RESOLVED) >= _RESOLVED_MAX:
        _RESOLVED.clear()
    _RESOLVED[key] = result
    return result


# ----------------------------------------------------------------------------------------------------
# Public API


def lookup(name: str | None) -> Journal | None:
    """The journal a name denotes: a full title or any abbreviation form (dotted, dotless, any case).

    Returns None for unknown names and for anything that is not a non-empty string. When one form names
    several journals, the one MEDLINE indexes is preferred.

    Example:
        >>> lookup("J Am Acad Dermatol").title
        'Journal of the American Academy of Dermatology'
        >>> lookup("Dermatologist") is None
        True
    """
    key = _key(name)
    if not key:
        return None
    index = _index()
    number = index.standard.get(key)
    if number is None:
        number = index.compact.get(_compact(key))
    numbers = _numbers(number)
    return index.journals[numbers[0]] if numbers else None


def same_journal(a: str | None, b: str | None) -> bool | None:
    """Whether two names denote the same journal.

    True for the same journal under any forms (full title, MEDLINE, ISO-4, case, dots) and for two names
    equal once normalised; False when both are known and differ; None when one of them is unknown or empty.

    Example:
        >>> same_journal("Acta Derm. Venereol.", "Acta dermato-venereologica")
        True
        >>> same_journal("Dermatology", "Hautarzt")
        False
        >>> same_journal("Dermatology", "No Such Journal of Anything") is None
        True
    """
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return None
    if ka == kb or _compact(ka) == _compact(kb):
        return True
    na, nb = _resolve(ka)[0], _resolve(kb)[0]
    if not na or not nb:
        return None
    return not set(na).isdisjoint(nb)


def standard_abbreviation(name: str | None) -> str | None:
    """The MEDLINE/NLM abbreviation of a known journal (its ISO-4 form when NLM has none).

    Example:
        >>> standard_abbreviation("Journal of the European Academy of Dermatology and Venereology")
        'J Eur Acad Dermatol Venereol'
        >>> standard_abbreviation("Pediatric Dermatol")
        'Pediatr Dermatol'
    """
    key = _key(name)
    if not key:
        return None
    numbers = _resolve(key)[0]
    if not numbers:
        return None
    journal = _index().journals[numbers[0]]
    return journal.medline or journal.iso4


def is_standard(name: str | None) -> bool:
    """Whether a name is an accepted form: a full title (or its main title) or a MEDLINE/ISO-4 abbreviation.

    Case, dots and accents do not matter; word forms do.

    Example:
        >>> [is_standard(n) for n in ("Pediatr Dermatol", "Pediatric dermatology", "Pediatric Dermatol")]
        [True, True, False]
    """
    key = _key(name)
    return bool(key) and key in _index().standard


def suggest(name: str | None, limit: int = 5) -> list[tuple[Journal, float]]:
    """Best candidates for a name, with a score in [0, 1], best first.

    An exact form scores 1.0; a form found by abbreviating its title words ("Pediatric Dermatol") 0.95;
    a machine translation 0.9; otherwise rapidfuzz similarity over every known form.

    Example:
        >>> [(j.medline, s) for j, s in suggest("Pediatric Dermatol", limit=1)]
        [('Pediatr Dermatol', 0.95)]
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    key = _key(name)
    if not key:
        return []
    return list(_suggest(key, limit))


@functools.lru_cache(maxsize=1 << 14)
def _suggest(key: str, limit: int) -> tuple[tuple[Journal, float], ...]:
    # a corpus cites the same few thousand journals again and again: the fuzzy search is done once per name
    index = _index()
    scores: dict[int, float] = {}

    def offer(numbers: Iterable[int], score: float) -> None:
        for number in numbers:
            if scores.get(number, -1.0) < score:
                scores[number] = score

    numbers, how = _resolve(key)
    offer(numbers, {"standard": 1.0, "alias": 0.97, "rewrite": 0.95}.get(how, 0.0))
    if not numbers:
        translated = _translation_numbers(index, key)
        offer(translated, 0.9)
    # Both the name as written and its abbreviated form: a misspelt full title is closest to the title,
    # a half-abbreviated one to the abbreviation.
    for query in _fuzzy_queries(index, key):
        for choice, score in _nearest(index, query, limit * 3):
            offer(_numbers(index.standard[choice]), round(min(score / 100, 0.94), 3))
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple((index.journals[number], score) for number, score in ranked)


def _fuzzy_queries(index: _Index, key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((key, _rewrite(index, key) or key)))


# (query, how many) -> the closest known keys with their rapidfuzz ratio, filled by :func:`prefetch`
_NEAREST: dict[tuple[str, int], tuple[tuple[str, float], ...]] = {}
_NEAREST_MAX = 1 << 16


def _nearest(index: _Index, query: str, limit: int) -> tuple[tuple[str, float], ...]:
    """The ``limit`` known keys closest to ``query`` (rapidfuzz ratio >= 60), best first, ties in list order."""
    found = _NEAREST.get((query, limit))
    if found is not None:
        return found
    from rapidfuzz import fuzz, process

    return tuple(
        (choice, score)
        for choice, score, _ in process.extract(
            query, index.fuzzy_keys(), scorer=fuzz.ratio, limit=limit, score_cutoff=60
        )
    )


def prefetch(names: Iterable[str | None], limit: int = 5) -> None:
    """Rank the guesses for many names at once, before :func:`check` or :func:`suggest` asks for them one by one.

    The fuzzy search of a name the lists do not know is the slow part of checking it (one pass over some 87,000
    known forms); rapidfuzz's ``cdist`` makes those passes for many names together, on every core, several times
    faster than one name at a time. The guesses are the same; :func:`check` then finds them ready.

    Example:
        >>> prefetch(["Pediatric Dermatolgy", "J Clin Pharm Ther"])
        >>> check("Pediatric Dermatolgy").candidates[0][0].medline
        'Pediatr Dermatol'
    """
    index = _index()
    queries: list[str] = []
    for name in dict.fromkeys(n for n in names if isinstance(n, str)):
        key = _key(name)
        if key and not _resolve(key)[0] and not _translation_numbers(index, key):
            queries.extend(q for q in _fuzzy_queries(index, key) if (q, limit * 3) not in _NEAREST)
    queries = list(dict.fromkeys(queries))
    if not queries:
        return
    import numpy as np
    from rapidfuzz import fuzz, process

    lengths, order, keys = index.keys_by_length()
    if len(_NEAREST) + len(queries) > _NEAREST_MAX:
        _NEAREST.clear()
    # A ratio of 60 needs lengths within 3/7 and 7/3 of each other (the Indel distance is at least their
    # difference): queries taken shortest first, each batch is compared with the keys of the lengths it can reach
    # only, which leaves out most keys for short names and for long strings a parser left whole.
    queries.sort(key=len)
    for start in range(0, len(queries), 20):  # 20 rows of scores at a time: at most about 14 MB
        chunk = queries[start : start + 20]
        lo = int(np.searchsorted(lengths, len(chunk[0]) * 3 // 7, side="left"))
        hi = int(np.searchsorted(lengths, -(-len(chunk[-1]) * 7 // 3), side="right"))
        scores = process.cdist(chunk, keys[lo:hi], scorer=fuzz.ratio, score_cutoff=60, dtype=np.float64, workers=-1)
        for query, row in zip(chunk, scores, strict=True):
            hits = np.flatnonzero(row)
            places = order[lo + hits]
            # best first, ties in the order of the lists (as :func:`_nearest` gives them)
            best = np.lexsort((places, -row[hits]))[: limit * 3]
            _NEAREST[(query, limit * 3)] = tuple((keys[lo + hits[k]], float(row[hits[k]])) for k in best)


def detect_translation(name: str | None) -> Journal | None:
    """The non-English journal a name machine-translates, e.g. "Dermatologist" for *Der Hautarzt*.

    English title words are put back into German, French, Spanish, Italian or Portuguese with a small
    dictionary (hand-made, plus pairs learned from the lists by suffix rules such as -ology <-> -ologie);
    an English word glued to an abbreviation is split ("Skinkr" = "skin" + "kr" -> "Hautkr"). The journal is
    returned only when the back-translated name is a known journal and the name itself is not: a real
    journal such as "Dermatology" is never reported.

    Example:
        >>> detect_translation("dermatologist").medline
        'Hautarzt'
        >>> detect_translation("Dermatology") is None
        True
    """
    key = _key(name)
    if not key or _resolve(key)[0]:
        return None
    index = _index()
    numbers = _translation_numbers(index, key)
    return index.journals[numbers[0]] if numbers else None


def check(name: str | None, *, candidates: bool = True) -> JournalCheck:
    """Classify a cited journal name for an audit.

    Args:
        name: the journal name as cited.
        candidates: also rank guesses (:func:`suggest`) for unknown names; turn off when only the status
            is needed, as ranking costs a fuzzy search.

    Example:
        >>> check("J Clin Pharm Ther").status
        'standard'
        >>> c = check("Z Skinkr")
        >>> (c.status, c.suggestion, c.journal.title)
        ('translation', 'Z Hautkr', 'Zeitschrift für Hautkrankheiten')
    """
    text = name if isinstance(name, str) else ""
    key = _key(text)
    if not key:
        return JournalCheck(text, "unknown")
    index = _index()
    numbers, how = _resolve(key)
    if numbers:
        journal = index.journals[numbers[0]]
        # A journal no list abbreviates has no standard short form to hold a citation to.
        if how == "standard" or (how == "alias" and not (journal.medline or journal.iso4)):
            return JournalCheck(text, "standard", journal)
        return JournalCheck(text, "nonstandard", journal, journal.abbreviation)
    translated = _translation_numbers(index, key)
    if translated:
        journal = index.journals[translated[0]]
        return JournalCheck(text, "translation", journal, journal.abbreviation)
    ranked = tuple(suggest(text)) if candidates else ()
    return JournalCheck(text, "unknown", candidates=ranked)


# ----------------------------------------------------------------------------------------------------
# Back-translation

_MAX_VARIANTS = 512


def _word_alternatives(index: _Index, word: str) -> list[str]:
    out = [word, *index.translations.get(word, ())]
    # An English word glued to an untranslated remainder: "skinkr" -> "haut" + "kr".
    for cut in range(len(word) - 1, _MIN_COMPOUND_PREFIX - 1, -1):
        for foreign in index.translations.get(word[:cut], ()):
            out.append(foreign + word[cut:])
    return list(dict.fromkeys(out))


def _variants(index: _Index, words: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(number of words changed, back-translated content key) for every reading of the words, bounded."""
    produced = 0

    def walk(i: int, acc: tuple[str, ...], changed: int) -> Iterator[tuple[int, str]]:
        nonlocal produced
        if produced >= _MAX_VARIANTS:
            return
        if i == len(words):
            produced += 1
            yield changed, " ".join(acc)
            return
        for size in (3, 2):
            phrase = " ".join(words[i : i + size])
            if i + size <= len(words) and phrase in index.translations:
                for foreign in index.translations[phrase]:
                    yield from walk(i + size, (*acc, foreign), changed + 1)
        for alt in _word_alternatives(index, words[i]):
            yield from walk(i + 1, (*acc, alt), changed + (alt != words[i]))

    yield from walk(0, (), 0)


def _translation_numbers(index: _Index, key: str) -> tuple[int, ...]:
    content_key = _content(key)
    if not content_key:
        return ()
    table = index.content()
    if content_key in table:
        return ()
    best: tuple[int, int] | None = None
    for changed, variant in itertools.islice(_variants(index, content_key.split()), _MAX_VARIANTS):
        if changed == 0:
            continue
        hit = table.get(_content(variant))
        if hit is None:
            continue
        candidate = (changed, min(_numbers(hit)))
        if best is None or candidate < best:
            best = candidate
    return (best[1],) if best else ()


# ----------------------------------------------------------------------------------------------------
# Building the vendored data from the upstream lists

# NLM lists in order of preference: journals MEDLINE indexes now come first, so an ambiguous form
# resolves to them.
_NLM_FILES = (
    "medline-abbreviations.json",
    "nlm-abbreviations.json",
    "pmc-abbreviations.json",
    "ncbi-abbreviations.json",
)
_JABREF_MEDLINE = ("journal_abbreviations_medicus.csv", "journal_abbreviations_entrez.csv")
_JABREF_ISO4 = ("journal_abbreviations_lifescience.csv", "journal_abbreviations_general.csv")

# Foreign suffix -> English suffix, for learning title-word translations from the lists themselves.
_SUFFIX_RULES = (
    ("ologie", "ology"),
    ("ologia", "ology"),
    ("ologe", "ologist"),
    ("ologo", "ologist"),
    ("ologue", "ologist"),
    ("ologiste", "ologist"),
    ("ologique", "ological"),
    ("ologica", "ological"),
    ("ologico", "ological"),
    ("ologische", "ological"),
    ("ischen", "ic"),
    ("ische", "ic"),
    ("isch", "ic"),
    ("iques", "ics"),
    ("ique", "ic"),
    ("ica", "ic"),
    ("ico", "ic"),
    ("ista", "ist"),
    ("iste", "ist"),
    ("aria", "ary"),
    ("ario", "ary"),
    ("aire", "ary"),
    ("zione", "tion"),
    ("cion", "tion"),
    ("cao", "tion"),
    ("ite", "ity"),
    ("ita", "ity"),
    ("idad", "ity"),
    ("idade", "ity"),
)


@dataclass
class _Record:
    title: str
    medline: str = ""
    iso4: str = ""
    issn: str = ""
    rank: int = 9
    other: dict[str, None] | None = None
    alias: dict[str, None] | None = None

    def add_other(self, form: str) -> None:
        if normalize(form) in {normalize(self.title), normalize(self.medline), normalize(self.iso4)}:
            return
        if self.other is None:
            self.other = {}
        self.other[form] = None


def _clean(text: str) -> str:
    # NFC: some upstream titles carry decomposed accents, which would print differently from the same title.
    return " ".join(unicodedata.normalize("NFC", text).replace("\t", " ").replace("|", " ").split())


def _read_csv(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 2 and row[0].strip() and row[1].strip():
                yield _clean(row[0]), _clean(row[1])


def _learn_words(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Title word -> its usual abbreviation, learned from aligned (title, abbreviation) pairs."""
    abbreviated: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for title, abbrev in pairs:
        words = [w for w in normalize(re.split(r"\s+:\s+|\s*;\s*", title)[0]).split() if w not in _STOPWORDS]
        short = [w for w in normalize(abbrev).split() if w not in _STOPWORDS]
        if len(words) != len(short):
            continue
        for word, form in zip(words, short, strict=True):
            if form == word:
                abbreviated[word][word] += 1
            elif form[0] == word[0] and _is_subsequence(form, word) and not word.isdigit():
                abbreviated[word][form] += 1
    out = {}
    for word, counts in abbreviated.items():
        (form, n), *_ = counts.most_common(1)
        if form != word and n >= 2:
            out[word] = form
    return out


def _is_subsequence(short: str, word: str) -> bool:
    letters = iter(word)
    return all(c in letters for c in short)


def _learn_translations(titles: Iterable[str]) -> list[tuple[str, str, str]]:
    """(English word, foreign word, rule) pairs: a title word whose English form by a suffix rule is also a
    title word in the lists ("dermatologie" -> "dermatology")."""
    vocabulary: set[str] = set()
    for title in titles:
        vocabulary.update(normalize(title).split())
    pairs = []
    for word in sorted(vocabulary):
        if len(word) < 6 or not word.isalpha():
            continue
        for spelled in dict.fromkeys((word, word.replace("k", "c"))):
            for foreign, english in _SUFFIX_RULES:
                if not spelled.endswith(foreign):
                    continue
                stem = spelled[: -len(foreign)]
                target = stem + english
                # "-ologe" words are rare in English titles; "-ology" ones confirm the stem.
                confirmed = target in vocabulary or (english == "ologist" and (stem + "ology") in vocabulary)
                if confirmed and target != word:
                    pairs.append((target, word, f"-{foreign} -> -{english}"))
                break
    return pairs


def _crossref_issns(folder: Path) -> dict[str, str]:
    """Normalised container title -> ISSN, from recorded Crossref work records (journal articles only)."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("work*/*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message", {})
        items = message.get("items", [message]) if isinstance(message, dict) else []
        for item in items:
            if not isinstance(item, dict) or item.get("type") != "journal-article":
                continue
            titles, issns = item.get("container-title") or [], item.get("ISSN") or []
            if titles and issns:
                found.setdefault(normalize(titles[0]), issns[0])
    return found


def build(source: Path, out: Path = DATA_DIR) -> dict[str, int]:
    """Merge the upstream lists in ``source`` into the compact files in ``out``; return counts.

    ``source`` holds ``nlm/``, ``jabref/`` and ``crossref-abbreviation-map.tsv``; ISSNs are taken from
    recorded Crossref work records in ``source/../crossref`` when that folder exists.
    """
    records: dict[str, _Record] = {}
    by_title: dict[str, list[_Record]] = collections.defaultdict(list)
    by_medline: dict[str, list[_Record]] = collections.defaultdict(list)

    def new(title: str, rank: int, medline: str = "", iso4: str = "") -> _Record:
        record = _Record(title, medline, iso4, rank=rank)
        records[f"{rank}\t{title}\t{medline}\t{iso4}"] = record
        by_title[normalize(title)].append(record)
        if medline:
            by_medline[normalize(medline)].append(record)
        return record

    for rank, name in enumerate(_NLM_FILES):
        table = json.loads((source / "nlm" / name).read_text(encoding="utf-8"))["default"]["container-title"]
        for raw_title, raw_abbrev in table.items():
            title, abbrev = _clean(raw_title), _clean(raw_abbrev)
            if not title:
                continue
            same = [r for r in by_title.get(normalize(title), []) if r.title == title]
            if same:
                if abbrev and not same[0].medline:
                    same[0].medline = abbrev
                    by_medline[normalize(abbrev)].append(same[0])
                continue
            new(title, rank, medline=abbrev)

    jabref = source / "jabref"
    word_pairs: list[tuple[str, str]] = []
    for name in _JABREF_MEDLINE:
        for title, abbrev in _read_csv(jabref / name):
            word_pairs.append((title, abbrev))
            found = by_title.get(normalize(title))
            if found:
                record = found[0]
                if not record.medline:
                    record.medline = abbrev
                    by_medline[normalize(abbrev)].append(record)
                elif normalize(abbrev) != normalize(record.medline):
                    record.add_other(abbrev)
                continue
            found = by_medline.get(normalize(abbrev))
            if found and len(found) == 1:
                found[0].add_other(title)
                by_title[normalize(title)].append(found[0])
                continue
            new(title, len(_NLM_FILES), medline=abbrev)
    for name in _JABREF_ISO4:
        for title, abbrev in _read_csv(jabref / name):
            word_pairs.append((title, abbrev))
            found = by_title.get(normalize(title))
            if not found:
                candidates = by_medline.get(normalize(abbrev), [])
                if len(candidates) == 1:
                    found = candidates
                    candidates[0].add_other(title)
                    by_title[normalize(title)].append(candidates[0])
            if found:
                record = found[0]
                if not record.iso4:
                    record.iso4 = abbrev
                elif normalize(abbrev) != normalize(record.iso4):
                    record.add_other(abbrev)
                continue
            new(title, len(_NLM_FILES) + 1, iso4=abbrev)

    with open(source / "crossref-abbreviation-map.tsv", encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2 or not parts[0] or not parts[1]:
                continue
            alias, title = parts[0].strip(), _clean(parts[1])
            found = by_title.get(normalize(title))
            record = found[0] if found else new(title, len(_NLM_FILES) + 2)
            if alias != _compact(normalize(title)):
                if record.alias is None:
                    record.alias = {}
                record.alias[alias] = None

    crossref = source.parent / "crossref"
    issns = _crossref_issns(crossref) if crossref.is_dir() else {}
    for key, issn in issns.items():
        found = by_title.get(key) or by_medline.get(key)
        if found and len(found) == 1:
            found[0].issn = issn

    ordered = sorted(records.values(), key=lambda r: (r.rank, r.title.casefold(), r.title))
    word_pairs.extend((r.title, r.medline) for r in ordered if r.medline)
    words = _learn_words(word_pairs)
    translations = _learn_translations(r.title for r in ordered)

    out.mkdir(parents=True, exist_ok=True)
    with open(out / _JOURNALS_FILE, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for r in ordered:
            row = (r.title, r.medline, r.iso4, r.issn, "|".join(r.other or ()), "|".join(r.alias or ()))
            gz.write(("\t".join(row) + "\n").encode("utf-8"))
    with open(out / _WORDS_FILE, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for word in sorted(words):
            gz.write(f"{word}\t{words[word]}\n".encode())
    with open(out / _TRANSLATIONS_FILE, "w", encoding="utf-8") as fh:
        fh.write("# English title word\tforeign title word\tsuffix rule that paired them (generated by build)\n")
        for english, foreign, rule in translations:
            fh.write(f"{english}\t{foreign}\t{rule}\n")
    keys = write_compact_keys(out)
    return {
        "journals": len(ordered),
        "with_medline": sum(1 for r in ordered if r.medline),
        "with_iso4": sum(1 for r in ordered if r.iso4),
        "with_issn": sum(1 for r in ordered if r.issn),
        "words": len(words),
        "translations": len(translations),
        "keys": keys,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m refkit.journals --build SRC [--out DIR]``: regenerate the vendored journal data."""
    parser = argparse.ArgumentParser(
        prog="python -m refkit.journals",
        description="Regenerate refkit's journal list from the NLM, JabRef and Crossref lists.",
        epilog="Example: python -m refkit.journals --build /work/shared/data/journals",
    )
    parser.add_argument("--build", type=Path, required=True, metavar="SRC", help="folder with nlm/, jabref/, ...")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help=f"output folder (default: {DATA_DIR})")
    args = parser.parse_args(argv)
    counts = build(args.build, args.out)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
