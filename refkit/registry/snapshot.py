"""A local Crossref snapshot as a registry: matching without the network, over SQLite FTS5.

:func:`open_snapshot` takes Crossref work records in any of the shapes Crossref hands them out: JSON lines of work
records, API responses (``message.items`` lists, single ``message`` works), the public data file's ``items``
files, a JSON array of records; gzip-compressed or not; one file or a folder of them. It indexes them once into
SQLite (FTS5, stored next to the snapshot as ``<name>.refkit-index.sqlite`` or at ``index_path``) and reuses the
index until the source changes (the size and modification time of each file are recorded). The registry then
answers like Crossref: :meth:`SnapshotRegistry.search` ranks records with FTS5's bm25 over title, authors,
container, year, volume and page and returns Crossref-shaped records with a ``score``; :meth:`~SnapshotRegistry.work`
and :meth:`~SnapshotRegistry.works` look records up by DOI, ignoring case.

Example:
    >>> registry = SnapshotRegistry.from_records([{"DOI": "10.5555/Demo", "title": ["Calcinosis cutis in children"],
    ...     "author": [{"family": "Deza", "given": "G"}], "issued": {"date-parts": [[2016]]}}])
    >>> registry.search("Deza G (2016) Calcinosis cutis in children", rows=1)[0]["DOI"]
    '10.5555/Demo'
    >>> registry.work("10.5555/DEMO")["title"]
    ['Calcinosis cutis in children']
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import heapq
import itertools
import json
import math
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from refkit.errors import InputError
from refkit.registry.snapshot_index import (
    _COLUMNS,
    INDEX_SUFFIX,
    _create,
    _fill,
    _signature,
    _stored_signature,
    build_index,
    index_path_for,
    read_records,
)
from refkit.text import strip_accents

__all__ = [
    "INDEX_SUFFIX",
    "SnapshotRegistry",
    "build_index",
    "index_path_for",
    "open_index",
    "open_snapshot",
    "read_records",
]

# bm25 column weights, in the order of the FTS columns (_COLUMNS): a title word is better evidence than a journal word
_WEIGHTS = (2.0, 1.5, 1.0, 1.0, 1.0, 1.0)
_TOKEN = re.compile(r"[^\W_]+")
# words that nearly every record holds: ORing them into a query costs time and ranks nothing
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "de",
        "der",
        "die",
        "en",
        "et",
        "for",
        "from",
        "in",
        "into",
        "is",
        "la",
        "le",
        "of",
        "on",
        "or",
        "the",
        "to",
        "und",
        "von",
        "with",
        "al",
        # the labels of locators and links, which records do not hold
        "pp",
        "vol",
        "doi",
        "http",
        "https",
        "www",
    ]
)
# from this many records on, a search finds candidates with a query's rarest words (see SnapshotRegistry.search)
_LARGE = 20_000
_LARGE_MAX_TERMS = 8
# a large snapshot's search reads the record lists of its rarest words up to this many records (see _search_rare_first)
POSTINGS = 5_000
# ... and when fewer than three words fit, finds the records that hold two of this many rarest words
_PAIRED = 5
_MATCHING = "SELECT rowid FROM works_fts WHERE works_fts MATCH ?"
_WEIGHTED = "SELECT rowid AS r, ? AS w FROM works_fts WHERE works_fts MATCH ?"
# document frequencies remembered between searches (the cache is emptied when it grows past this: 100,000 words
# hold about 13 MB; the words of a search missing from it cost one keyed look-up in all)
_DF_REMEMBERED = 100_000


def open_snapshot(path: str | Path, index_path: str | Path | None = None, *, client: Any = None) -> SnapshotRegistry:
    """A registry over a Crossref snapshot, indexing it first if it has no index or has changed since.

    Args:
        path: a snapshot file (JSON lines, a JSON response or array; gzip or not) or a folder of them.
        index_path: where to keep the index (default: :func:`index_path_for`).
        client: a Dask client whose workers convert the snapshot's files when it is indexed (see
            :func:`build_index`).

    Raises:
        InputError: ``path`` does not exist, or a snapshot file is not Crossref JSON.

    Example:
        >>> registry = open_snapshot("tests/data/crossref")  # doctest: +SKIP
        >>> registry.work("10.2340/00015555-2271")["DOI"]  # doctest: +SKIP
        '10.2340/00015555-2271'
    """
    source = Path(path)
    if not source.exists():
        raise InputError(f"no such snapshot file or folder: {source}", str(source))
    target = Path(index_path) if index_path is not None else index_path_for(source)
    if _stored_signature(target) != _signature(source):
        build_index(source, target, client=client)
    return open_index(target)


def open_index(index_path: str | Path, *, read_only: bool = False) -> SnapshotRegistry:
    """A registry over an index :func:`build_index` wrote, tuned to its size (see :class:`SnapshotRegistry`)."""
    registry = SnapshotRegistry(index_path, read_only=read_only)
    if len(registry) > _LARGE:
        registry.max_terms = _LARGE_MAX_TERMS
    return registry


# -------------------------------------------------------------------------------------------- registry


class SnapshotRegistry:
    """The :class:`~refkit.registry.Registry` protocol over an indexed snapshot (see :func:`open_snapshot`).

    Safe to share between threads. Counts what it answered in ``searches`` and ``lookups``.

    Args:
        index_path: an index written by :func:`build_index`.
        max_terms: find candidates with at most this many of a query's words, the rarest in the snapshot, and rank
            the ``pool`` best of them again on every word (see :meth:`search`). Every word counts by default; on a
            snapshot of millions of records, words such as "journal" or a year match a large part of it and make
            each search slow, while a few rare words (names, title words) find the same works:
            :func:`open_snapshot` sets 8 for snapshots of more than 20,000 records (on 50,000 records every word
            gave 29 searches/s, this search 354/s, and the same DOIs: 277 citations/s end to end instead of 70, DOI
            recall 0.9800 instead of 0.9799, precision 0.9998 both). Measured on snapshots that
            ``bench/scale.py`` generates, with citations of records in them: on 200,000 records the cited record
            is among the first 10 for 2,171 of 2,180 citations; on 1,000,000 records for 1,448 of 1,452. Ranking
            with bm25 every record that holds any of the 8 rarest words instead found 2,176 at 32 searches/s and
            1,452 at 5/s on one thread; this search, in the last run of ``bench/scale.py``: 284/s and 189/s.
        pool: candidates ranked again when ``max_terms`` applies.
        postings: how many records the rarest words' lists may hold in all (see :meth:`_search_rare_first`).
        read_only: open the index read-only (many processes, on one machine or over a shared file system, may
            then read one index at once).
    """

    #: Registry attributes the pipeline reads of a network client; a snapshot is always reachable.
    unreachable: str | None = None
    offline = False

    def __init__(
        self,
        index_path: str | Path,
        *,
        max_terms: int | None = None,
        pool: int = 50,
        postings: int = POSTINGS,
        read_only: bool = False,
    ) -> None:
        self.index_path = str(index_path)
        if read_only:
            uri = f"{Path(self.index_path).resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(self.index_path, check_same_thread=False)
        self._setup(max_terms)
        self.pool = pool
        self.postings = postings

    def _setup(self, max_terms: int | None) -> None:
        self._lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []  # every read-only connection opened
        self._free: list[sqlite3.Connection] = []  # those not in use
        self.searches = 0
        self.lookups = 0
        self._records: int | None = None
        self._df: dict[str, int] = {}
        # document frequencies of the indexed words, to keep a long query's rarest words (see `search`)
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.works_vocab USING fts5vocab(main, works_fts, row)")
        # an index built before the word counts were stored is read through the full-text index's vocabulary
        stored = self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'word_counts'").fetchone()
        self._word_counts = "word_counts" if stored else "temp.works_vocab"
        # an index built before records were stored in two parts holds each whole in its body
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(works)")}
        self._rest = "rest" if "rest" in columns else "NULL"
        self.max_terms = max_terms

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], index_path: str | Path = ":memory:", *, max_terms: int | None = None
    ) -> SnapshotRegistry:
        """A registry over records in memory (or indexed into ``index_path``), for tests and small sets."""
        registry = cls.__new__(cls)
        registry.index_path = str(index_path)
        registry._db = sqlite3.connect(registry.index_path, check_same_thread=False)
        _create(registry._db)
        with registry._db:
            _fill(registry._db, records)
        registry._setup(max_terms)
        registry.pool = 50
        registry.postings = POSTINGS
        return registry

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read with: an index in a file is read through read-only connections, one per search in
        progress (kept for the next), so that searches from several threads run at once (SQLite lets go of the
        GIL while it works); an index in memory has only its one connection, taken in turn."""
        if self.index_path in ("", ":memory:"):
            with self._lock:
                yield self._db
            return
        with self._lock:
            db = self._free.pop() if self._free else None
        if db is None:
            uri = f"{Path(self.index_path).resolve().as_uri()}?mode=ro"
            db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.works_vocab USING fts5vocab(main, works_fts, row)")
            with self._lock:
                self._readers.append(db)
        try:
            yield db
        finally:
            with self._lock:
                self._free.append(db)

    def __len__(self) -> int:
        with self._reading() as db:
            return int(db.execute("SELECT COUNT(*) FROM works").fetchone()[0])

    def work(self, doi: str) -> dict[str, Any] | None:
        """The record for ``doi`` (any case, ``doi:`` or resolver prefix allowed), or None."""
        return self.works([doi]).get(doi)

    def works(self, dois: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """Records for many DOIs; unknown DOIs map to None."""
        wanted = list(dict.fromkeys(d for d in dois if d and d.strip()))
        keys = {d: _doi_key(d) for d in wanted}
        found: dict[str, dict[str, Any]] = {}
        unique = list(set(keys.values()))
        with self._lock:
            self.lookups += len(wanted)
        with self._reading() as db:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for doi, body, rest in db.execute(
                    f"SELECT doi, body, {self._rest} FROM works WHERE doi IN ({marks})", chunk
                ):
                    found[doi] = {**json.loads(body), **json.loads(rest)} if rest else json.loads(body)
        return {d: found.get(keys[d]) for d in wanted}

    def search(self, query: str, rows: int = 5) -> list[dict[str, Any]]:
        """Candidates for a reference string, best first, each with ``score`` (larger is better).

        The records are those of the index less what no stage reads (:data:`~refkit.registry.convert.DROPPED`;
        :meth:`works` gives them whole). Every word of the query is ORed into one FTS5 query ranked by bm25, unless
        ``max_terms`` is set (a large snapshot): then the query's rarest words find the candidates, and those are
        ranked again on every word of the query (see :meth:`_search_rare_first`). Common words ("journal", a year)
        match a large part of a big snapshot, which makes a plain query slow; rare words (names, title words) find
        the cited work among few records.
        """
        words = list(
            dict.fromkeys(t for t in _TOKEN.findall(strip_accents(query.casefold())) if t not in _STOP and len(t) > 1)
        )[:64]
        if not words or rows <= 0:
            return []
        if self.max_terms is not None:
            return self._search_rare_first(words, rows)
        weights = ", ".join(str(w) for w in _WEIGHTS)
        sql = (
            f"SELECT w.body, -bm25(works_fts, {weights}) AS s FROM works_fts JOIN works w ON w.id = works_fts.rowid"
            " WHERE works_fts MATCH ? ORDER BY s DESC, w.id LIMIT ?"
        )
        with self._lock:
            self.searches += 1
        with self._reading() as db:
            found = db.execute(sql, (" OR ".join(f'"{w}"' for w in words), rows)).fetchall()
        return [{**json.loads(body), "score": round(score, 6)} for body, score in found]

    def _search_rare_first(self, words: list[str], rows: int) -> list[dict[str, Any]]:
        """Candidates found by the rarest words, ranked again on every word.

        1. The records holding each of the ``max_terms`` rarest words are read from the index (a word's list of
           records, no ranking), words taken rarest first while the records read stay within
           ``postings``. Each record scores the rarity (idf) of the words it holds. When fewer than three words
           fit (a reference with no names and few title words, "JAMA 12:59-64"), thousands of records hold each
           alike: the candidates are then the records that hold two of the five rarest words (or else the rarest
           word), scored the same way.
        2. The ``pool`` best of those are ranked again on every word of the query found in them, each word weighted
           by its rarity and by the field it is found in (a title word counts more than a journal word).

        Ranking every record that holds any of the words with bm25 instead costs a sort of thousands of records a
        search; the cited work holds several of the rare words, so it is among the few that hold most of them.
        """
        counts = self._counts(words)
        present = sorted((w for w in words if counts.get(w)), key=lambda w: (counts[w], words.index(w)))
        if not present:
            return []
        total = max(1, self._size())
        idf = {w: math.log(1 + total / counts[w]) for w in present}
        with self._lock:
            self.searches += 1
        rare = present[: self.max_terms]
        taken = bisect.bisect_right(list(itertools.accumulate(counts[w] for w in rare)), self.postings)
        with self._reading() as db:
            hits = self._pair_hits(db, rare, idf) if taken < min(3, len(rare)) else {}
            if hits:
                best = heapq.nsmallest(self.pool, hits, key=lambda r: (-hits[r], r))
            else:
                # each record's sum of the rarities of the words it holds, summed and ranked by SQLite
                used = rare[: max(taken, 1)]
                union = " UNION ALL ".join([_WEIGHTED] * len(used))
                sql = f"SELECT r, SUM(w) AS s FROM ({union}) GROUP BY r ORDER BY s DESC, r LIMIT ?"
                asks = [x for word in used for x in (idf[word], f'"{word}"')]
                best = [rowid for rowid, _ in db.execute(sql, [*asks, self.pool])]
            marks = ",".join("?" * len(best))
            pool = db.execute(f"SELECT rowid, {', '.join(_COLUMNS)} FROM works_fts WHERE rowid IN ({marks})", best)
            ranked = []
            asked = set(words)
            rated = frozenset(idf)
            for rowid, *columns in pool.fetchall():
                score = 0.0
                for column, (text, weight) in enumerate(zip(columns, _WEIGHTS, strict=True)):
                    found = _words(text)
                    score += weight * sum(idf[w] for w in found & rated)
                    if column == 0:
                        # of records that hold the same words, the one whose title has fewer others is the closer
                        # (bm25's length norm): "CREAM for" before "Cream for burns in children"
                        title = found - _STOP
                        if title:
                            score += weight * len(title & asked) / len(title)
                ranked.append((-score, rowid))
            ranked.sort()
            top = ranked[:rows]
            marks = ",".join("?" * len(top))
            bodies = dict(db.execute(f"SELECT id, body FROM works WHERE id IN ({marks})", [r for _, r in top]))
        return [{**json.loads(bodies[rowid]), "score": round(-score, 6)} for score, rowid in top]

    def _pair_hits(self, db: sqlite3.Connection, rare: list[str], idf: Mapping[str, float]) -> dict[int, float]:
        """Records that hold two of the rarest few words, each scored by the rarity of the pairs it holds.

        For a reference with fewer than three rare words (no names and few title words, "JAMA 12:59-64"): each pair
        is found by the index's intersection of the two words' lists, which reads few of either; rarest pairs first,
        until the records found reach ``postings``.
        """
        hits: dict[int, float] = {}
        for a, b in itertools.combinations(rare[:_PAIRED], 2):
            if len(hits) >= self.postings:
                break
            weight = idf[a] + idf[b]
            for (rowid,) in db.execute(_MATCHING, (f'"{a}" AND "{b}"',)):
                hits[rowid] = hits.get(rowid, 0.0) + weight
        return hits

    def _size(self) -> int:
        """The number of records (counted once: an index does not change while it is open)."""
        if self._records is None:
            self._records = len(self)
        return self._records

    def _counts(self, words: list[str]) -> dict[str, int]:
        """How many records hold each word (words in none are left out); remembered for the most recent words."""
        counts: dict[str, int] = {}
        missing = []
        with self._lock:
            for word in words:
                n = self._df.get(word)
                if n is None:
                    missing.append(word)
                elif n:
                    counts[word] = n
        if missing:
            with self._reading() as db:
                if self._word_counts == "word_counts":
                    marks = ",".join("?" * len(missing))
                    found = dict(db.execute(f"SELECT term, doc FROM word_counts WHERE term IN ({marks})", missing))
                else:
                    rows = (db.execute("SELECT term, doc FROM works_vocab WHERE term = ?", (w,)) for w in missing)
                    found = dict(row for cursor in rows for row in cursor)
            with self._lock:
                if len(self._df) > _DF_REMEMBERED:
                    self._df.clear()
                for word in missing:
                    self._df[word] = found.get(word, 0)
                    if found.get(word):
                        counts[word] = found[word]
        return counts

    def _rarest(self, words: list[str], keep: int) -> list[str]:
        """The ``keep`` words found in the fewest records (words in none are dropped: they cannot match)."""
        counts = self._counts(words)
        return sorted((w for w in words if counts.get(w)), key=lambda w: (counts[w], words.index(w)))[:keep]

    def close(self) -> None:
        with self._lock:
            for db in self._readers:
                db.close()
            self._readers.clear()
            self._free.clear()
            self._db.close()

    def __enter__(self) -> SnapshotRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@functools.lru_cache(maxsize=1 << 14)
def _words(text: str) -> frozenset[str]:
    """The words of a column of the index, as a search compares them. Remembered: a pool's journal names, years
    and volumes recur in nearly every search, and a record's title and authors in the searches of its citations."""
    return frozenset(_TOKEN.findall(strip_accents(text.casefold())))


def _doi_key(doi: str) -> str:
    doi = doi.strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    return doi.lower()
