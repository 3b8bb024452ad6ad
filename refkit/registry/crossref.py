"""The Crossref REST API through habanero, with what habanero leaves to its callers.

habanero sends the requests; this module adds URL-quoting of DOIs, timeouts, retries with back-off that honour
``Retry-After`` on 429 and 5xx, a client-side rate limit per route class (single records / searches) with a cap on
requests in flight, the ``mailto`` contact of Crossref's polite pool, a persistent response cache, and an offline
mode that answers from the cache only.

Polite-pool defaults: 10 single-record requests/s, 3 searches/s, 3 requests at once.

Example:
    >>> client = CrossrefClient(base_url="http://127.0.0.1:8080", mailto="me@example.org", cache=None)
    >>> client.base_url
    'http://127.0.0.1:8080'
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from refkit.errors import RateLimited, RegistryError, RegistryResponseError, RegistryUnavailable
from refkit.registry.cache import ResponseCache, default_cache_path

__all__ = ["DEFAULT_BASE_URL", "SEARCH_FIELDS", "ClientStats", "CrossrefClient", "TokenBucket"]

DEFAULT_BASE_URL = "https://api.crossref.org"
#: The fields asked for in searches: what matching and the audit read, and no more.
SEARCH_FIELDS = (
    "DOI",
    "title",
    "subtitle",
    "author",
    "editor",
    "issued",
    "published-print",
    "published-online",
    "container-title",
    "short-container-title",
    "volume",
    "issue",
    "page",
    "article-number",
    "type",
    "publisher",
    "ISSN",
    "score",
    "updated-by",
    "update-to",
    "relation",
)
_BATCH = 20


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, ``burst`` at once; thread-safe.

    Example:
        >>> bucket = TokenBucket(rate=1000.0)
        >>> bucket.acquire()  # returns at once while tokens remain
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if not rate > 0 or not math.isfinite(rate):  # "not >" also refuses NaN
            raise ValueError(f"rate must be a finite number above 0, not {rate!r}")
        self.rate = self.base_rate = float(rate)
        # no burst by default: requests are spaced evenly, so no one-second window ever sees more than the rate
        self.capacity = float(burst if burst is not None else 1.0)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()
        self._paused_until = 0.0

    def slow_down(self) -> None:
        """Halve the rate after a 429 (not below a tenth of the rate set): the server asked for less."""
        with self._lock:
            self.rate = max(self.rate / 2, self.base_rate / 10)

    def recover(self) -> None:
        """After an answer, win back a fiftieth of the rate set, up to that rate (slowly: the limit was hit)."""
        if self.rate < self.base_rate:
            with self._lock:
                self.rate = min(self.base_rate, self.rate + self.base_rate / 50)

    def pause(self, seconds: float) -> None:
        """Hand out nothing for ``seconds`` (after a 429 with ``Retry-After``)."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._tokens = 0.0

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                if now < self._paused_until:
                    wait = self._paused_until - now
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        return
                    wait = (1.0 - self._tokens) / self.rate
            time.sleep(wait)


@dataclass
class ClientStats:
    """What a client did: requests sent by route class, cache hits, retries, 429s and failures."""

    requests: dict[str, int] = field(default_factory=lambda: {"single": 0, "search": 0, "batch": 0})
    cache_hits: int = 0
    retries: int = 0
    too_many_requests: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def sent(self) -> int:
        return sum(self.requests.values())

    def count(self, what: str, route: str | None = None) -> None:
        with self.lock:
            if what == "request" and route:
                self.requests[route] += 1
            elif what == "hit":
                self.cache_hits += 1
            elif what == "retry":
                self.retries += 1
            elif what == "429":
                self.too_many_requests += 1
            elif what == "failure":
                self.failures += 1


class _Failure(Exception):
    """One failed try. ``status``: the HTTP status; 200 for a malformed answer; 0 for a connection the server reset
    or closed mid-answer (tried again); None when the server could not be reached at all."""

    def __init__(self, status: int | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class CrossrefClient:
    """A polite, caching, retrying Crossref client.

    Args:
        base_url: the API's base URL (``--crossref-url`` / ``REFKIT_CROSSREF_URL``; a mirror or a local server).
        mailto: contact address sent for the polite pool (``--mailto`` / ``REFKIT_MAILTO``).
        cache: a :class:`ResponseCache`, a path for one, ``None`` for the default path, or ``False`` for none.
        offline: answer from the cache only; what is not cached raises :class:`RegistryUnavailable`.
        timeout: seconds for one request.
        retries: further tries after a 429, 5xx, timeout or malformed answer.
        single_rate: single-record requests per second.
        search_rate: searches per second.
        concurrency: requests in flight at once.
        max_wait: the longest single back-off, even if ``Retry-After`` asks for more.
        give_up_after: seconds of nothing but failures (429, 5xx, time-outs, malformed answers) after which the
            client stops asking; so does a fifth request in a row that failed all its tries. What is left is
            ``unverified``, and a rerun asks again (answers already had are cached).
        buckets: the rate limits to share with other clients, by route class (``single``, ``search``), in place of
            this client's own; anything with :class:`TokenBucket`'s methods (:mod:`refkit.distributed` shares one
            through the Dask scheduler, so that a cluster keeps one rate in all).
        in_flight: the cap on requests in flight to share with other clients (a context manager), in place of one
            of ``concurrency`` for this client alone.

    A 429 halves the request rate (down to a tenth of the rate set); each answer wins back a fiftieth, as Crossref
    asks of clients that are told to slow down.
    """

    def __init__(
        self,
        base_url: str | None = None,
        mailto: str | None = None,
        cache: ResponseCache | str | Path | bool | None = None,
        *,
        offline: bool = False,
        timeout: float = 10.0,
        retries: int = 4,
        single_rate: float = 10.0,
        search_rate: float = 3.0,
        concurrency: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        give_up_after: float = 60.0,
        buckets: Mapping[str, TokenBucket] | None = None,
        in_flight: AbstractContextManager[Any] | None = None,
    ) -> None:
        from habanero import Crossref

        for name, value in (
            ("timeout", timeout),
            ("backoff", backoff),
            ("max_wait", max_wait),
            ("give_up_after", give_up_after),
        ):
            if not value > 0 or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number above 0, not {value!r}")
        if not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries must be a whole number of 0 or more, not {retries!r}")
        if not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be a whole number of 1 or more, not {concurrency!r}")
        self.base_url = (base_url or os.environ.get("REFKIT_CROSSREF_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.mailto = mailto or os.environ.get("REFKIT_MAILTO") or None
        if cache is False:
            self.cache: ResponseCache | None = None
        elif isinstance(cache, ResponseCache):
            self.cache = cache
        else:
            self.cache = ResponseCache(cache if cache not in (None, True) else default_cache_path())  # type: ignore[arg-type]
        self.offline = offline
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.buckets: dict[str, Any] = {"single": TokenBucket(single_rate), "search": TokenBucket(search_rate)}
        self.buckets.update(buckets or {})
        self._in_flight: AbstractContextManager[Any] = in_flight or threading.BoundedSemaphore(max(1, concurrency))
        # what makes an equal client in another process (see settings())
        self._settings = {
            "base_url": self.base_url,
            "mailto": self.mailto,
            "cache": str(self.cache.path) if self.cache is not None else False,
            "offline": offline,
            "timeout": timeout,
            "retries": retries,
            "single_rate": single_rate,
            "search_rate": search_rate,
            "concurrency": concurrency,
            "backoff": backoff,
            "max_wait": max_wait,
            "give_up_after": give_up_after,
        }
        self._habanero = Crossref(base_url=self.base_url, mailto=self.mailto, timeout=timeout)
        self.stats = ClientStats()
        self._down_lock = threading.Lock()
        self._consecutive_down = 0
        self._failing_since: float | None = None
        self._failed_calls = 0
        self.give_up_after = give_up_after
        self.unreachable: str | None = None

    # -- public API -------------------------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The keyword arguments that make an equal client (same server, cache file, limits) in another process.

        Example:
            >>> CrossrefClient("http://127.0.0.1:1", cache=False).settings()["base_url"]
            'http://127.0.0.1:1'
        """
        return dict(self._settings)

    def work(self, doi: str) -> dict[str, Any] | None:
        """The registry's record for ``doi``, or None when Crossref does not know it.

        Raises:
            RegistryError: no answer could be had (unreachable, rate-limited, malformed), or offline and not cached.
        """
        key = "work:" + doi.strip().lower()
        hit, value = self._cached(key)
        if hit:
            return value
        message = self._call("single", lambda: self._habanero.works(ids=_quote_doi(doi)), not_found_ok=True)
        record = message.get("message") if isinstance(message, dict) else None
        if message is not None and not isinstance(record, dict):
            raise RegistryResponseError(f"Crossref answered {doi} with something that is not a work record")
        self._store(key, record)
        return record

    def works(self, dois: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """Records for many DOIs, fetched ``filter=doi:`` 20 at a time; unknown DOIs map to None.

        Raises:
            RegistryError: some DOIs got no answer; its ``partial`` holds the answers of the others (keyed as
                given) and its ``failed`` why each of the rest got none.
        """
        # DOIs are case-insensitive: one look-up per DOI whatever its case
        first_spelling: dict[str, str] = {}
        for doi in dois:
            if doi and doi.strip():
                first_spelling.setdefault(doi.strip().lower(), doi.strip())
        wanted = list(first_spelling.values())
        out: dict[str, dict[str, Any] | None] = {}
        missing = []
        for doi in wanted:
            hit, value = self.cache.get("work:" + doi.lower()) if self.cache is not None else (False, None)
            if hit:
                self.stats.count("hit")
                out[doi] = value
            else:
                missing.append(doi)
        if missing and (self.offline or self.unreachable):
            # what the cache knows is kept on the error, so callers can use it
            reason = self.unreachable or "offline, and not in the cache"
            raise RegistryUnavailable(reason, partial=out, failed=dict.fromkeys(missing, reason))
        # DOIs with a comma cannot travel in a filter list: they go one by one
        single = [d for d in missing if "," in d]
        batchable = [d for d in missing if "," not in d]
        failed: dict[str, str] = {}
        last: RegistryError | None = None
        for chunk in _chunks(batchable, _BATCH):
            try:
                body = self._call("batch", lambda c=chunk: self._habanero.works(filter={"doi": list(c)}, limit=len(c)))
                items = _items(body)
            except RegistryError as exc:
                # one failed batch must not cost the answers of the others
                last = exc
                failed.update(dict.fromkeys(chunk, str(exc)))
                continue
            found = {str(item.get("DOI", "")).lower(): item for item in items}
            for doi in chunk:
                record = found.get(doi.lower())
                self._store("work:" + doi.lower(), record)
                out[doi] = record
        for doi in single:
            try:
                out[doi] = self.work(doi)
            except RegistryError as exc:
                last = exc
                failed[doi] = str(exc)
        if last is not None:
            raise type(last)(str(last), partial=out, failed=failed)
        return out

    def search(self, query: str, rows: int = 5) -> list[dict[str, Any]]:
        """Candidates for a reference string by ``query.bibliographic``, best first, each with Crossref's ``score``."""
        query = re.sub(r"\s+", " ", query).strip()[:1000]
        if not query:
            return []
        key = f"search:{rows}:{query.lower()}"
        hit, value = self._cached(key)
        if hit:
            return list(value or [])
        body = self._call(
            "search",
            lambda: self._habanero.works(query_bibliographic=query, limit=rows, select=list(SEARCH_FIELDS)),
        )
        items = _items(body)
        self._store(key, items)
        return items

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()

    # -- internals --------------------------------------------------------------------------------------------

    def _cached(self, key: str) -> tuple[bool, Any]:
        if self.cache is not None:
            hit, value = self.cache.get(key)
            if hit:
                self.stats.count("hit")
                return True, value
        if self.offline:
            raise RegistryUnavailable("offline, and not in the cache")
        if self.unreachable:
            raise RegistryUnavailable(self.unreachable)
        return False, None

    def _store(self, key: str, value: Any) -> None:
        if self.cache is not None:
            self.cache.put(key, value)

    def _call(self, route: str, send: Any, *, not_found_ok: bool = False) -> Any:
        bucket = self.buckets["single" if route in ("single", "batch") else "search"]
        last: _Failure | None = None
        for attempt in range(self.retries + 1):
            if self.unreachable:
                raise RegistryUnavailable(self.unreachable)
            # the back-off may have run past the give-up time: look again before sending
            if last is not None and self._failing_too_long(last):
                break
            bucket.acquire()
            with self._in_flight:
                self.stats.count("request", route)
                try:
                    body = send()
                except Exception as exc:  # habanero raises many kinds; classify them all
                    failure = _classify(exc)
                else:
                    failure = None
                    if not isinstance(body, dict):
                        failure = _Failure(200, "Crossref answered with something that is not JSON")
            if failure is None:
                self._mark_reachable()
                bucket.recover()
                return body
            if failure.status == 404 and not_found_ok:
                self._mark_reachable()
                bucket.recover()
                return None
            if failure.status is not None and 400 <= failure.status < 500 and failure.status not in (408, 429):
                raise RegistryResponseError(f"Crossref refused the request ({failure.status}: {failure})")
            last = failure
            if failure.status == 429:
                self.stats.count("429")
                bucket.slow_down()
            if self._failing_too_long(failure):
                break
            # a refused connection counts at once; a time-out only when a call has used all its tries, so that a
            # few slow answers in flight together do not make the whole run give up
            if failure.status is None and self._mark_down(str(failure)):
                break
            if attempt == self.retries:
                if failure.status == 408:
                    self._mark_down(str(failure))
                break
            self.stats.count("retry")
            wait = failure.retry_after
            if wait is None:
                wait = self.backoff * (2**attempt) * (0.5 + random.random())
            wait = min(wait, self.max_wait, self._time_left())
            if failure.status == 429:
                bucket.pause(wait)
            time.sleep(wait)
        self.stats.count("failure")
        assert last is not None
        self._call_failed(last)
        if last.status == 429:
            raise RateLimited(f"Crossref kept answering 429 Too Many Requests after {self.retries + 1} tries")
        if last.status == 200:
            raise RegistryResponseError(f"Crossref answered with malformed data: {last}")
        if last.status == 0:
            raise RegistryUnavailable(f"Crossref kept closing the connection after {self.retries + 1} tries ({last})")
        if last.status is not None:
            raise RegistryUnavailable(f"Crossref kept failing ({last.status}) after {self.retries + 1} tries")
        raise RegistryUnavailable(self.unreachable or f"Crossref could not be reached: {last}")

    def _mark_reachable(self) -> None:
        with self._down_lock:
            self._consecutive_down = 0
            self._failing_since = None
            self._failed_calls = 0

    def _failing_too_long(self, failure: _Failure) -> bool:
        """Note a failed try; past ``give_up_after`` seconds of nothing but failures, stop asking altogether."""
        now = time.monotonic()
        with self._down_lock:
            if self._failing_since is None:
                self._failing_since = now
            elif now - self._failing_since >= self.give_up_after and not self.unreachable:
                self.unreachable = (
                    f"Crossref at {self.base_url} kept failing for {self.give_up_after:g} s ({_describe(failure)}); "
                    "stopped asking"
                )
            return self.unreachable is not None

    def _time_left(self) -> float:
        """Seconds until ``give_up_after`` is reached in the current run of failures (a little over none when
        it is already, so that the look before the next try decides)."""
        with self._down_lock:
            if self._failing_since is None:
                return math.inf
            return max(0.01, self.give_up_after - (time.monotonic() - self._failing_since))

    def _call_failed(self, failure: _Failure) -> None:
        """A request that used all its tries; after five in a row (none answered between), stop asking."""
        with self._down_lock:
            self._failed_calls += 1
            if self._failed_calls >= 5 and not self.unreachable:
                self.unreachable = (
                    f"Crossref at {self.base_url} kept failing ({_describe(failure)}) for {self._failed_calls} "
                    f"requests in a row, each tried {self.retries + 1} times; stopped asking"
                )

    def _mark_down(self, reason: str) -> bool:
        """Count a connection failure; after three in a row, stop asking (the run goes on unverified)."""
        with self._down_lock:
            self._consecutive_down += 1
            if self._consecutive_down >= 3 and not self.unreachable:
                self.unreachable = f"Crossref at {self.base_url} could not be reached ({reason})"
            return self.unreachable is not None


def _describe(failure: _Failure) -> str:
    return f"{failure.status}: {failure}" if failure.status not in (None, 0, 200) else str(failure)


def _quote_doi(doi: str) -> str:
    """A DOI made safe for a URL path; ``/`` stays, everything outside RFC 3986's path characters is escaped."""
    return quote(doi.strip(), safe="/:@!$&'()*+,;=-._~")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _items(body: Any) -> list[dict[str, Any]]:
    message = body.get("message") if isinstance(body, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise RegistryResponseError("Crossref answered a list request without a list of items")
    return [item for item in items if isinstance(item, dict)]


def _retry_after(headers: Any) -> float | None:
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _classify(exc: BaseException) -> _Failure:
    """Turn whatever habanero or its HTTP library raised into (status, message, Retry-After)."""
    import httpx2
    from habanero.exceptions import RequestError

    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    response = None
    for item in chain:
        if isinstance(item, httpx2.HTTPStatusError):
            response = item.response
            break
    if response is not None:
        status = response.status_code
        if status == 200:
            return _Failure(200, "not JSON")
        return _Failure(status, response.reason_phrase or str(status), _retry_after(response.headers))
    for item in chain:
        if isinstance(item, RequestError):
            status = int(item.status_code) if str(item.status_code).isdigit() else None
            return _Failure(200 if status in (200, 201) else status, str(item.error))
        if isinstance(item, httpx2.TimeoutException):
            return _Failure(408, f"timed out ({type(item).__name__})")
        if isinstance(item, (json.JSONDecodeError, UnicodeDecodeError)):
            return _Failure(200, f"malformed JSON ({item})")
        if isinstance(item, httpx2.ConnectError):
            return _Failure(None, f"{type(item).__name__}: {item}")  # refused, no route, unknown host
        if isinstance(item, httpx2.TransportError):
            # reached, but the connection was reset or closed mid-answer: a server in trouble, tried again like a 5xx
            return _Failure(0, f"connection reset ({type(item).__name__}: {item})")
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return _Failure(200, f"malformed answer ({type(exc).__name__}: {exc})")
    if isinstance(exc, RegistryError):
        raise exc
    return _Failure(None, f"{type(exc).__name__}: {exc}")
