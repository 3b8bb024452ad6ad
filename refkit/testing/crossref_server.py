"""A local HTTP server that speaks the Crossref REST API, for tests, benchmarks and demos.

The server holds a fixed set of Crossref work records and answers the routes refkit's Crossref client
(habanero) uses, with the same envelopes, status codes, content types and rate-limit headers as
``api.crossref.org``:

* ``GET /works/{doi}``: one record (the DOI may be percent-encoded; lookup ignores case), or 404
  ``Resource not found.`` as text/plain.
* ``GET /works?query.bibliographic=...`` (also ``query``, ``query.author``, ``query.title``,
  ``query.container-title``): records ranked by an unnormalised BM25F relevance score reported as
  ``score``, with ``rows``, ``offset`` and ``select``.
* ``GET /works?filter=doi:A,doi:B``: exactly the listed records that exist.

Anything else is answered with a 400 ``validation-failure`` JSON body. Faults (errors, hangs, broken
bodies, connections reset without an answer, latency, a server-side rate limit) can be switched on while the
server runs, and every request is logged, so client retry, back-off and concurrency behaviour can be tested against
real sockets.

Example:
    >>> from refkit.testing import CrossrefServer
    >>> record = {"DOI": "10.5555/demo", "type": "journal-article", "title": ["A demo work"]}
    >>> with CrossrefServer([record]) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True

Run ``python -m refkit.testing.crossref_server --records tests/data/crossref`` for a server to demo against.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import socket
import struct
import sys
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, TextIO
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["CrossrefServer", "LoggedRequest", "load_records"]

Route = Literal["single", "list", "other"]
Work = dict[str, Any]

_ROUTES: tuple[Route, ...] = ("single", "list", "other")
_NOT_FOUND = "Resource not found."
_MAX_ROWS = 1000  # Crossref's limit on rows per page
_MAX_OFFSET = 10000  # Crossref refuses deeper offset paging (cursors are meant for that)

# Field queries and the indexed fields each one searches. "query" and "query.bibliographic" search
# everything a reference string can hold, as Crossref's bibliographic query does.
_FIELD_QUERIES: dict[str, str] = {
    "query": "bibliographic",
    "query.bibliographic": "bibliographic",
    "query.author": "author",
    "query.title": "title",
    "query.container-title": "container-title",
}
# Weights of the indexed fields inside the bibliographic index: a title word is better evidence than a
# journal word; numbers (year, volume, pages) are short fields, so length normalisation already makes a
# match on them count.
_FIELD_WEIGHTS: dict[str, float] = {
    "title": 2.0,
    "author": 1.5,
    "container-title": 1.0,
    "year": 1.0,
    "volume": 1.0,
    "page": 1.0,
}
_LIST_PARAMS = frozenset({*_FIELD_QUERIES, "filter", "rows", "offset", "select", "sort", "order", "mailto"})
# Real Crossref parameters this server does not implement: refused with a clear message rather than
# silently ignored, so a test never passes against behaviour the server does not have.
_UNSUPPORTED_PARAMS = frozenset({"cursor", "sample", "facet"})
_SELECTABLE = frozenset(
    {
        "DOI",
        "ISBN",
        "ISSN",
        "URL",
        "abstract",
        "accepted",
        "alternative-id",
        "approved",
        "archive",
        "article-number",
        "assertion",
        "author",
        "chair",
        "clinical-trial-number",
        "container-title",
        "content-created",
        "content-domain",
        "contributor",
        "created",
        "degree",
        "deposited",
        "editor",
        "event",
        "funder",
        "group-title",
        "indexed",
        "is-referenced-by-count",
        "issn-type",
        "issue",
        "issued",
        "license",
        "link",
        "member",
        "original-title",
        "page",
        "posted",
        "prefix",
        "published",
        "published-online",
        "published-print",
        "publisher",
        "publisher-location",
        "reference",
        "references-count",
        "relation",
        "resource",
        "score",
        "short-container-title",
        "short-title",
        "standards-body",
        "subject",
        "subtitle",
        "title",
        "translator",
        "type",
        "update-policy",
        "update-to",
        "updated-by",
        "volume",
    }
)
_TOKEN = re.compile(r"[^\W_]+")
_K1 = 1.2
_B = 0.75


# --------------------------------------------------------------------------------------------- records


def _norm_doi(doi: str) -> str:
    """Lower-cases a DOI and strips resolver prefixes, the form records are keyed by."""
    doi = doi.strip()
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    return doi.lower()


def _works_in(data: Any, source: Path) -> list[Work]:
    """Work records held by one decoded JSON value: an envelope, a bare record or a list of them."""
    if isinstance(data, list):
        return [work for item in data for work in _works_in(item, source)]
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a JSON object or array, got {type(data).__name__}")
    kind = data.get("message-type")
    if kind == "work":
        return [data["message"]]
    if kind == "work-list":
        return list(data["message"].get("items", []))
    if "DOI" in data:
        return [data]
    # Other recorded envelopes (journal, member, funder lists ...) hold no works.
    return []


def _iter_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix in {".json", ".jsonl"}:
                yield child
    elif path.is_file():
        yield path
    else:
        raise FileNotFoundError(f"no such file or directory: {path}")


def load_records(*paths: str | Path) -> list[Work]:
    """Loads Crossref work records from recorded responses, JSON-lines files or directories of them.

    A ``.json`` file may hold a ``/works/{doi}`` envelope (``message-type`` ``work``), a work-list envelope
    (``message.items``), a bare work record or an array of them; a ``.jsonl`` file holds one record (or
    envelope) per line. Directories are searched recursively for both. Records are de-duplicated by DOI
    ignoring case; when a DOI occurs more than once the record with the most fields wins, because recorded
    ``select=`` responses hold cut-down copies of full records. Records without a DOI are skipped.

    Args:
        *paths: files or directories.

    Returns:
        The records, in the order their DOIs were first seen.

    Example:
        >>> records = load_records("tests/data/crossref")  # doctest: +SKIP
        >>> records[0]["DOI"]  # doctest: +SKIP
        '10.1016/j.ffa.2015.10.008'
    """
    best: dict[str, Work] = {}
    for path in paths:
        for file in _iter_files(Path(path)):
            text = file.read_text(encoding="utf-8")
            if file.suffix == ".jsonl":
                decoded = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                decoded = [json.loads(text)]
            for data in decoded:
                for work in _works_in(data, file):
                    doi = work.get("DOI")
                    if not isinstance(doi, str) or not doi.strip():
                        continue
                    key = _norm_doi(doi)
                    if key not in best or len(work) > len(best[key]):
                        best[key] = work
    return list(best.values())


# --------------------------------------------------------------------------------------------- ranking


def _tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens with accents folded, so 'Sánchez' matches 'Sanchez'."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _TOKEN.findall(folded)


def _years(work: Work) -> list[str]:
    years: set[str] = set()
    # Citations give either the print or the online year, and "issued" is only the earlier of the two.
    for key in ("issued", "published-print", "published-online", "published"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and parts[0][0]:
            years.add(str(parts[0][0]))
    return sorted(years)


def _fields(work: Work) -> dict[str, list[str]]:
    """The indexed text of one record, field by field, as tokens."""

    def joined(key: str) -> str:
        value = work.get(key) or []
        return " ".join(value) if isinstance(value, list) else str(value)

    names = []
    for person in work.get("author") or []:
        names.extend(str(person.get(part, "")) for part in ("given", "family", "name"))
    return {
        "title": _tokens(" ".join(joined(k) for k in ("title", "subtitle", "short-title", "original-title"))),
        "author": _tokens(" ".join(names)),
        "container-title": _tokens(joined("container-title") + " " + joined("short-container-title")),
        "year": _years(work),
        "volume": _tokens(str(work.get("volume", "")) + " " + str(work.get("issue", ""))),
        "page": _tokens(str(work.get("page", "")) + " " + str(work.get("article-number", ""))),
    }


class _Index:
    """BM25F inverted indexes over the records, built once; a query is a walk over a few posting lists.

    Scores are not normalised, so, as with Crossref, they grow with the number of query words that match
    and are only comparable between candidates of the same query.
    """

    def __init__(self, works: list[Work]) -> None:
        self.size = len(works)
        docs = [_fields(work) for work in works]
        self.postings: dict[str, dict[str, list[tuple[int, float]]]] = {}
        groups = {"bibliographic": tuple(_FIELD_WEIGHTS)} | {
            name: (name,) for name in ("author", "title", "container-title")
        }
        for group, names in groups.items():
            averages = {name: (sum(len(d[name]) for d in docs) / max(self.size, 1)) or 1.0 for name in names}
            weighted: list[dict[str, float]] = []
            for doc in docs:
                tf: dict[str, float] = defaultdict(float)
                for name in names:
                    counts = Counter(doc[name])
                    norm = 1.0 - _B + _B * len(doc[name]) / averages[name]
                    weight = _FIELD_WEIGHTS[name] if group == "bibliographic" else 1.0
                    for term, count in counts.items():
                        tf[term] += weight * count / norm
                weighted.append(tf)
            df = Counter(term for tf in weighted for term in tf)
            postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
            for i, tf in enumerate(weighted):
                for term, value in tf.items():
                    idf = math.log(1.0 + (self.size - df[term] + 0.5) / (df[term] + 0.5))
                    postings[term].append((i, idf * value * (_K1 + 1.0) / (value + _K1)))
            self.postings[group] = dict(postings)

    def search(self, queries: Mapping[str, str], allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """All records matching any query word, best first, as (record index, score)."""
        scores: dict[int, float] = defaultdict(float)
        for group, text in queries.items():
            postings = self.postings[group]
            for term, qtf in Counter(_tokens(text)).items():
                for doc, value in postings.get(term, ()):
                    scores[doc] += qtf * value
        hits = scores.items() if allowed is None else ((d, s) for d, s in scores.items() if d in allowed)
        # Ties break by record order so that rankings are reproducible.
        return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


# --------------------------------------------------------------------------------------------- faults


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the server saw it.

    Attributes:
        time: ``time.monotonic()`` when the request arrived.
        path: the decoded path, e.g. ``/works/10.1000/abc``.
        params: decoded query parameters; repeated parameters keep every value.
        route: ``single`` (``/works/{doi}``), ``list`` (``/works``) or ``other``.
        status: the HTTP status answered (0 if the client went away before an answer was sent).
        duration: seconds spent answering, latency and hangs included.
        fault: the fault switch that shaped the answer (``fail``, ``hang``, ``malformed`` or ``reset``), or
            ``rate-limit`` for a 429 of the server-side rate limit; None for a normal answer.
    """

    time: float
    path: str
    params: dict[str, list[str]]
    route: Route
    status: int
    duration: float
    fault: str | None = None


@dataclass(slots=True)
class _Fault:
    kind: Literal["fail", "hang", "malformed", "reset"]
    times: int
    routes: frozenset[Route]
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class _Bucket:
    """A token bucket: ``capacity`` requests per ``window`` seconds, refilled continuously."""

    capacity: float
    window: float
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def take(self) -> float:
        """Takes a token; returns 0.0 on success, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.capacity / self.window)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) * self.window / self.capacity


def _routes(routes: str | Iterable[str] | None) -> frozenset[Route]:
    if routes is None:
        return frozenset(_ROUTES)
    names = {routes} if isinstance(routes, str) else set(routes)
    unknown = names - set(_ROUTES)
    if unknown:
        raise ValueError(f"unknown route class(es) {sorted(unknown)}; use {list(_ROUTES)}")
    return frozenset(names)  # type: ignore[arg-type]


class _ValidationError(Exception):
    def __init__(self, kind: str, value: str, message: str) -> None:
        super().__init__(message)
        self.body = {"type": kind, "value": value, "message": message}


# --------------------------------------------------------------------------------------------- server


class CrossrefServer:
    """A Crossref REST API server on 127.0.0.1, serving fixed records from a daemon thread.

    Fault switches can be flipped from any thread while the server runs; :meth:`reset` turns them all off.

    Args:
        records: Crossref work records (the ``message`` of a ``/works/{doi}`` response). Later records with
            the same DOI (ignoring case) replace earlier ones. A recorded ``score`` is dropped.
        port: port to bind; 0 picks a free one.
        rate_limit_limit: value of the ``x-rate-limit-limit`` header on every response.
        rate_limit_interval: value of the ``x-rate-limit-interval`` header, in seconds.
        latency: seconds added to every response.

    Example:
        >>> records = [{"DOI": "10.5555/x1", "title": ["Calcinosis cutis in a child"]}]
        >>> with CrossrefServer(records) as server:
        ...     hits = server.search("calcinosis cutis", rows=1)
        >>> hits[0]["DOI"]
        '10.5555/x1'
    """

    def __init__(
        self,
        records: Iterable[Work] = (),
        *,
        port: int = 0,
        rate_limit_limit: int = 50,
        rate_limit_interval: float = 1.0,
        latency: float = 0.0,
    ) -> None:
        by_doi: dict[str, Work] = {}
        for work in records:
            doi = work.get("DOI")
            if not isinstance(doi, str) or not doi.strip():
                raise ValueError(f"record without a DOI: {str(work)[:80]}")
            by_doi[_norm_doi(doi)] = {k: v for k, v in work.items() if k != "score"}
        self._works: list[Work] = list(by_doi.values())
        self._position: dict[str, int] = {doi: i for i, doi in enumerate(by_doi)}
        self._index = _Index(self._works)
        self._port = port
        self.rate_limit_limit = rate_limit_limit
        self.rate_limit_interval = rate_limit_interval
        self._default_latency = latency
        self._lock = threading.Lock()
        self._released = threading.Event()  # set to cut hangs short on reset() and stop()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._log: list[LoggedRequest] = []
        #: a text file that gets each request as a JSON line once it is answered (the command line's --log)
        self.log_file: TextIO | None = None
        self._in_flight = 0  # requests being answered (for the concurrency check)
        self._pending = 0  # requests not yet logged (for wait_idle)
        self.reset()

    @classmethod
    def from_paths(cls, *paths: str | Path, **kwargs: Any) -> CrossrefServer:
        """Builds a server from recorded responses, JSON-lines files or directories.

        See :func:`load_records` for the formats read; keyword arguments go to the constructor.

        Example:
            >>> server = CrossrefServer.from_paths("tests/data/crossref")  # doctest: +SKIP
        """
        return cls(load_records(*paths), **kwargs)

    # ----------------------------------------------------------------------------------- lifecycle

    def start(self) -> CrossrefServer:
        """Binds 127.0.0.1 and starts serving in a daemon thread; returns the server."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._released.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and closes the socket; requests still hanging are released."""
        if self._httpd is None:
            return
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> CrossrefServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to give the Crossref client, e.g. ``http://127.0.0.1:50123`` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # ----------------------------------------------------------------------------------- records

    def __len__(self) -> int:
        return len(self._works)

    @property
    def dois(self) -> list[str]:
        """DOIs of the records served, as the records spell them."""
        return [work["DOI"] for work in self._works]

    def get(self, doi: str) -> Work | None:
        """The record for a DOI (any case, ``doi:`` or resolver prefix allowed), or None."""
        position = self._position.get(_norm_doi(doi))
        return None if position is None else self._works[position]

    def search(
        self, query: str = "", *, rows: int = 20, offset: int = 0, field: str = "query.bibliographic"
    ) -> list[Work]:
        """The items a ``/works?{field}={query}`` request answers, without HTTP (for benchmarks and tests).

        Each item is a copy of the record with its ``score``.

        Example:
            >>> server = CrossrefServer([{"DOI": "10.5555/a", "title": ["Morphea"]}])
            >>> server.search("morphea")[0]["score"] > 0
            True
        """
        if field not in _FIELD_QUERIES:
            raise ValueError(f"unknown field query {field!r}; use one of {sorted(_FIELD_QUERIES)}")
        hits = self._index.search({_FIELD_QUERIES[field]: query})
        return [self._works[i] | {"score": round(score, 6)} for i, score in hits[offset : offset + rows]]

    # ----------------------------------------------------------------------------------- switches

    def reset(self) -> None:
        """Turns every fault and limit off and restores the constructor's latency (the log is kept)."""
        with self._lock:
            self._latency = self._default_latency
            self._faults: list[_Fault] = []
            self._buckets: dict[Route, _Bucket] = {}
            self._max_concurrency: int | None = None
            self.concurrency_violations: list[tuple[float, int]] = []
            self.peak_concurrency = 0
            # Wake requests hanging from an earlier switch, then re-arm for later hangs.
            self._released.set()
            self._released = threading.Event()

    @property
    def latency(self) -> float:
        """Seconds added to every response; assignable while the server runs."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must be >= 0")
        with self._lock:
            self._latency = float(seconds)

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        routes: str | Iterable[str] | None = None,
    ) -> None:
        """Answers the next ``times`` requests (of the given route classes) with an error status.

        Args:
            status: 429, 500, 502, 503, 504 or any other 4xx/5xx status.
            times: number of requests to fail.
            retry_after: seconds sent in a ``Retry-After`` header (429 and 503 usually carry one).
            routes: ``single``, ``list``, ``other`` or several of them; default all.

        Example:
            >>> server = CrossrefServer([])
            >>> server.fail(429, times=2, retry_after=1, routes="list")
        """
        if not 400 <= status <= 599:
            raise ValueError(f"fail() needs a 4xx or 5xx status, got {status}")
        self._add(_Fault("fail", times, _routes(routes), status=status, retry_after=retry_after))

    def hang(self, seconds: float, *, times: int = 1, routes: str | Iterable[str] | None = None) -> None:
        """Holds the next ``times`` requests for ``seconds`` before answering normally.

        Use a value above the client's timeout to test timeouts; :meth:`reset` and :meth:`stop` release
        hanging requests early.
        """
        self._add(_Fault("hang", times, _routes(routes), seconds=seconds))

    def malformed(self, *, times: int = 1, routes: str | Iterable[str] | None = None) -> None:
        """Answers the next ``times`` requests with 200, ``application/json`` and a truncated JSON body."""
        self._add(_Fault("malformed", times, _routes(routes)))

    def connection_reset(self, *, times: int = 1, routes: str | Iterable[str] | None = None) -> None:
        """Resets the connection of the next ``times`` requests without an answer (a TCP RST, as a proxy or a
        crashing server does); they are logged with status 0.

        Example:
            >>> server = CrossrefServer([])
            >>> server.connection_reset(times=3, routes="list")
        """
        self._add(_Fault("reset", times, _routes(routes)))

    def _add(self, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(fault)

    def rate_limit(self, *, list: int | None = None, single: int | None = None, window: float = 1.0) -> None:
        """Answers 429 once a route class gets more than its quota of requests in ``window`` seconds.

        A token bucket per route class: bursts up to the quota pass, then requests pass at the refill rate.
        ``None`` removes the limit of that class. A 429 carries ``Retry-After`` (whole seconds, at least 1).

        Example:
            >>> server = CrossrefServer([])
            >>> server.rate_limit(list=3, single=10, window=1.0)
        """
        if window <= 0:
            raise ValueError("window must be > 0")
        with self._lock:
            for route, quota in (("list", list), ("single", single)):
                if quota is None:
                    self._buckets.pop(route, None)  # type: ignore[arg-type]
                elif quota < 1:
                    raise ValueError("a rate limit must allow at least 1 request per window")
                else:
                    self._buckets[route] = _Bucket(float(quota), window)  # type: ignore[index]

    @property
    def max_concurrency(self) -> int | None:
        """Requests allowed in flight at once; exceeding it is recorded in ``concurrency_violations``.

        Violations are recorded, not refused, as ``(time.monotonic(), requests in flight)`` pairs, so a test
        can assert that a client never exceeded its own concurrency setting. ``peak_concurrency`` holds the
        highest number of simultaneous requests seen since the last :meth:`reset`.
        """
        with self._lock:
            return self._max_concurrency

    @max_concurrency.setter
    def max_concurrency(self, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("max_concurrency must be >= 1 or None")
        with self._lock:
            self._max_concurrency = limit

    # ----------------------------------------------------------------------------------- log

    @property
    def log(self) -> list[LoggedRequest]:
        """A copy of the request log in the order the requests arrived (after the requests in flight have
        finished, up to 1 s).

        A request is logged once it has been answered, so a slow request is logged after a quick one that came
        later, and even sequential requests can finish logging out of order (the client has its answer before the
        server's thread records it): the log is sorted by arrival time.
        """
        self.wait_idle(1.0)
        with self._lock:
            return sorted(self._log, key=lambda entry: entry.time)

    def count(self, route: Route | None = None, *, status: int | None = None) -> int:
        """Number of logged requests, optionally only of one route class and/or one status.

        Example:
            >>> server = CrossrefServer([])
            >>> server.count("single")
            0
        """
        self.wait_idle(1.0)
        with self._lock:
            return sum(
                1
                for entry in self._log
                if (route is None or entry.route == route) and (status is None or entry.status == status)
            )

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Waits until no request is in flight (e.g. one released from a hang); False on time-out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._pending == 0:
                    return True
            time.sleep(0.005)
        return False

    def clear_log(self, *, settle: float = 1.0) -> None:
        """Empties the request log, once the requests in flight have been logged (for up to ``settle`` seconds): a
        request is logged after its answer is sent, so a client can hold the answer before the log holds the
        request, and a log cleared in between would still show it."""
        self.wait_idle(settle)
        with self._lock:
            self._log.clear()

    # ----------------------------------------------------------------------------------- request handling

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._pending += 1
            self.peak_concurrency = max(self.peak_concurrency, self._in_flight)
            if self._max_concurrency is not None and self._in_flight > self._max_concurrency:
                self.concurrency_violations.append((time.monotonic(), self._in_flight))

    def _answered(self) -> None:
        """The answer is ready: the request no longer counts as in flight, even while its bytes are being sent,
        so that a client's next sequential request is never seen as concurrent with it."""
        with self._lock:
            self._in_flight -= 1

    def _leave(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._pending -= 1
            self._log.append(entry)
            if self.log_file is not None:
                record = {
                    "time": round(entry.time, 6),
                    "path": entry.path,
                    "params": entry.params,
                    "route": entry.route,
                    "status": entry.status,
                    "duration": round(entry.duration, 6),
                    "fault": entry.fault,
                }
                self.log_file.write(json.dumps(record) + "\n")
                self.log_file.flush()

    def _next_fault(self, route: Route) -> tuple[_Fault | None, threading.Event, float, float]:
        """Consumes the first pending fault for this route; also returns the hang event and latency.

        Also takes a rate-limit token: the last value is the Retry-After seconds when the bucket is empty.
        """
        with self._lock:
            found = None
            for fault in self._faults:
                if route in fault.routes:
                    fault.times -= 1
                    found = fault
                    break
            if found is not None and found.times <= 0:
                self._faults.remove(found)
            bucket = self._buckets.get(route)
            # A failed or broken answer is the fault's doing, so it does not spend a rate-limit token.
            spend = bucket is not None and (found is None or found.kind == "hang")
            wait = bucket.take() if spend and bucket is not None else 0.0
            return found, self._released, self._latency, wait

    def _answer(self, path: str, params: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        """Status, extra headers and body for a request that no fault intercepted."""
        if path.startswith("/works/") and len(path) > len("/works/"):
            return self._single(path[len("/works/") :], params)
        if path.rstrip("/") == "/works":
            try:
                return 200, {}, _json(self._list(params))
            except _ValidationError as error:
                return 400, {}, _json(_failure([error.body]))
        return (
            400,
            {},
            _json(_failure([{"type": "route-not-found", "value": path, "message": f"Route {path} not found."}])),
        )

    def _single(self, doi: str, params: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        for name, _ in params:
            if name != "mailto":
                body = {
                    "type": "parameter-not-allowed",
                    "value": name,
                    "message": f"This route does not support {name}",
                }
                return 400, {}, _json(_failure([body]))
        work = self.get(doi)
        if work is None:
            return 404, {"Content-Type": "text/plain"}, _NOT_FOUND.encode()
        # Crossref reports score 1 on single-work responses.
        message = work | {"score": 1}
        return (
            200,
            {},
            _json({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}),
        )

    def _list(self, params: list[tuple[str, str]]) -> dict[str, Any]:
        queries: dict[str, str] = {}
        filters: list[str] = []
        rows, offset, select = 20, 0, None
        for name, value in params:
            if name in _UNSUPPORTED_PARAMS:
                raise _ValidationError(
                    "parameter-not-supported", name, f"Parameter {name} is not supported by this test server"
                )
            if name not in _LIST_PARAMS:
                raise _ValidationError("parameter-not-allowed", name, f"This route does not support {name}")
            if name in _FIELD_QUERIES:
                group = _FIELD_QUERIES[name]
                queries[group] = (queries.get(group, "") + " " + value).strip()
            elif name == "filter":
                filters.extend(part for part in value.split(",") if part)
            elif name == "rows":
                rows = _integer(name, value, _MAX_ROWS)
            elif name == "offset":
                offset = _integer(name, value, _MAX_OFFSET)
            elif name == "select":
                select = [s for s in value.split(",") if s]
                for s in select:
                    if s not in _SELECTABLE:
                        raise _ValidationError(
                            "select-not-valid", s, f"Select field {s} specified but there is no such field"
                        )
            elif name == "sort" and value not in {"score", "relevance"}:
                raise _ValidationError(
                    "parameter-not-supported", value, f"Sort by {value} is not supported by this test server"
                )
            elif name == "order" and value not in {"asc", "desc"}:
                raise _ValidationError("order-not-valid", value, f"Order {value} is not one of asc, desc")

        allowed: list[int] | None = None
        if filters:
            allowed = []
            for part in filters:
                key, _, doi = part.partition(":")
                if key != "doi" or not doi:
                    raise _ValidationError(
                        "filter-not-available",
                        key,
                        f"Filter {key} specified but there is no such filter for this route."
                        " Valid filters for this test server are: doi",
                    )
                position = self._position.get(_norm_doi(doi))
                if position is not None and position not in allowed:
                    allowed.append(position)

        if queries:
            hits = self._index.search(queries, None if allowed is None else set(allowed))
        elif allowed is not None:
            # A filter without a query has nothing to rank by: Crossref reports score 0.0.
            hits = [(i, 0.0) for i in allowed]
        else:
            hits = [(i, 1.0) for i in range(len(self._works))]

        items = []
        for i, score in hits[offset : offset + rows]:
            item = self._works[i] | {"score": round(score, 6)}
            if select is not None:
                # Crossref returns only the selected fields: not even DOI or score unless asked for.
                item = {k: v for k, v in item.items() if k in select}
            items.append(item)
        terms = " ".join(queries.values()) or None
        return {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(hits),
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": offset, "search-terms": terms},
            },
        }

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        split = urlsplit(handler.path)
        path = unquote(split.path)
        params = parse_qsl(split.query, keep_blank_values=True)
        route: Route = "single" if path.startswith("/works/") else "list" if path.rstrip("/") == "/works" else "other"
        grouped: dict[str, list[str]] = defaultdict(list)
        for name, value in params:
            grouped[name].append(value)
        status = 0
        shaped_by: str | None = None
        self._enter()
        try:
            fault, released, latency, wait = self._next_fault(route)
            shaped_by = fault.kind if fault is not None else "rate-limit" if wait else None
            if fault is not None and fault.kind == "hang":
                released.wait(fault.seconds)
                fault = None
            if latency:
                time.sleep(latency)
            headers: dict[str, str] = {}
            if fault is not None and fault.kind == "fail":
                status, body = fault.status, _status_body(fault.status)
                headers["Content-Type"] = "text/plain"
                if fault.retry_after is not None:
                    headers["Retry-After"] = _seconds(fault.retry_after)
            elif wait:
                status, body = 429, b"Too many requests."
                headers |= {"Content-Type": "text/plain", "Retry-After": _seconds(wait)}
            elif fault is not None and fault.kind == "reset":
                status, body = 0, b""
            elif fault is not None and fault.kind == "malformed":
                status, body = (
                    200,
                    b'{"status":"ok","message-type":"work","message-version":"1.0.0","message":{"DOI":"10.',
                )
            else:
                status, headers, body = self._answer(path, params)
        except BaseException:
            self._answered()
            raise
        else:
            self._answered()
            if fault is not None and fault.kind == "reset":
                _reset(handler)
            else:
                status = self._send(handler, status, headers, body)
        finally:
            entry = LoggedRequest(started, path, dict(grouped), route, status, time.monotonic() - started, shaped_by)
            self._leave(entry)

    def _send(self, handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> int:
        """Writes the response; returns the status, or 0 when the client had already gone away."""
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Access-Control-Allow-Origin", "*")
            handler.send_header("x-rate-limit-limit", str(self.rate_limit_limit))
            handler.send_header("x-rate-limit-interval", f"{self.rate_limit_interval:g}s")
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            # A client that timed out during a hang is expected, not a server error.
            return 0
        return status


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Closes the request's connection with a TCP RST and no answer."""
    handler.close_connection = True
    with contextlib.suppress(OSError):
        # a zero linger time makes close() send RST instead of FIN; the read buffer holds a reference to the
        # socket, so it is closed first or the socket would stay open until the handler returns
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()
        handler.connection.close()


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _failure(messages: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "status": "failed",
        "message-type": "validation-failure",
        "message-version": "1.0.0",
        "message": messages,
    }


def _integer(name: str, value: str, maximum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= maximum:
        raise _ValidationError(
            "integer-not-valid",
            value,
            f"Integer specified as {value} but must be a positive integer less than or equal to {maximum}.",
        )
    return number


def _seconds(value: float) -> str:
    return str(max(1, math.ceil(value)))


def _status_body(status: int) -> bytes:
    texts = {
        429: "Too many requests.",
        500: "Internal server error.",
        502: "Bad gateway.",
        503: "Service unavailable.",
    }
    return texts.get(status, f"Error {status}.").encode()


def _make_handler(server: CrossrefServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients reuse connections with Crossref
        # Headers and body are separate writes: without TCP_NODELAY the second waits for the client's
        # delayed ACK, adding ~40 ms to every keep-alive response.
        disable_nagle_algorithm = True
        server_version = "refkit-crossref-test"
        sys_version = ""
        owner: ClassVar[CrossrefServer] = server

        def do_GET(self) -> None:
            self.owner._handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            # The request log replaces stderr lines, which would flood test and benchmark output.
            pass

    return Handler


# --------------------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """Serves records until interrupted: ``python -m refkit.testing.crossref_server --records DIR``.

    Exit codes: 0 after Ctrl-C, 2 on bad arguments (argparse), 1 when records cannot be loaded.
    """
    parser = argparse.ArgumentParser(
        prog="python -m refkit.testing.crossref_server",
        description="Serve Crossref work records over the Crossref REST API on 127.0.0.1.",
        epilog="Example: python -m refkit.testing.crossref_server --records tests/data/crossref --port 8080",
    )
    parser.add_argument(
        "--records",
        nargs="+",
        required=True,
        metavar="PATH",
        help="recorded Crossref responses, JSON-lines files or directories of them",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    parser.add_argument(
        "--rate-limit-list",
        type=int,
        metavar="N",
        help="answer 429 above N list requests (/works?...) per second",
    )
    parser.add_argument(
        "--rate-limit-single",
        type=int,
        metavar="N",
        help="answer 429 above N /works/{doi} requests per second",
    )
    parser.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="STATUS:TIMES[:ROUTES]",
        help="answer the next TIMES requests (of ROUTES: single, list or other, comma-separated) with STATUS, "
        "e.g. 503:10 or 429:5:list; repeatable",
    )
    parser.add_argument("--retry-after", type=float, metavar="S", help="Retry-After seconds sent with --fail answers")
    parser.add_argument(
        "--hang", action="append", default=[], metavar="SECONDS:TIMES", help="hold the next TIMES requests SECONDS"
    )
    parser.add_argument(
        "--malformed", type=int, default=0, metavar="TIMES", help="answer the next TIMES requests with truncated JSON"
    )
    parser.add_argument(
        "--reset", type=int, default=0, metavar="TIMES", help="reset the next TIMES connections without an answer"
    )
    parser.add_argument("--log", metavar="FILE", help="append every request to FILE as a JSON line once answered")
    args = parser.parse_args(argv)
    try:
        fails = [_fault_spec(spec, 3) for spec in args.fail]
        hangs = [_fault_spec(spec, 2) for spec in args.hang]
    except ValueError as error:
        parser.error(str(error))
    try:
        server = CrossrefServer.from_paths(*args.records, port=args.port, latency=args.latency)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115 - open while serving
    server.log_file = log
    with server:
        if args.rate_limit_list or args.rate_limit_single:
            server.rate_limit(list=args.rate_limit_list, single=args.rate_limit_single)
        for status, times, routes in fails:
            server.fail(int(status), times=int(times), retry_after=args.retry_after, routes=routes)
        for seconds, times, _ in hangs:
            server.hang(float(seconds), times=int(times))
        if args.malformed:
            server.malformed(times=args.malformed)
        if args.reset:
            server.connection_reset(times=args.reset)
        print(server.url, flush=True)
        print(f"serving {len(server)} records; Ctrl-C to stop", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    if log is not None:
        log.close()
    return 0


def _fault_spec(spec: str, parts: int) -> tuple[str, str, list[str] | None]:
    """``"503:10:list,single"`` -> ("503", "10", ["list", "single"]), checked."""
    fields = spec.split(":")
    if not 2 <= len(fields) <= parts or not all(f.replace(".", "", 1).isdigit() for f in fields[:2]):
        raise ValueError(f"{spec!r}: expected {'STATUS:TIMES[:ROUTES]' if parts == 3 else 'SECONDS:TIMES'}")
    routes = fields[2].split(",") if len(fields) == 3 else None
    return fields[0], fields[1], routes


if __name__ == "__main__":
    sys.exit(main())
