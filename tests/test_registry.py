"""CrossrefClient against a local HTTP server: quoting, batching, rate, concurrency, cache, faults."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from refkit.errors import RegistryResponseError, RegistryUnavailable
from refkit.match import match_many
from refkit.model import Person, Reference
from refkit.registry import CrossrefClient
from refkit.registry.cache import ResponseCache
from refkit.testing import CrossrefServer

DEZA = "10.2340/00015555-2271"
ODD_DOI = "10.5555/odd<doi>#frag;x"
QUERY = (
    "Poormoghim H (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. J Clin Pharm Ther 41: 94-96"
)


def _client(url: str, tmp_path: Path, **kwargs: Any) -> CrossrefClient:
    """A client that is fast to fail: small timeout, few retries, tiny back-off, high rates."""
    options: dict[str, Any] = dict(
        timeout=2.0, retries=2, backoff=0.01, max_wait=3.0, single_rate=200.0, search_rate=200.0
    )
    options.update(kwargs)
    return CrossrefClient(url, "tests@example.org", cache=tmp_path / "cache.sqlite", **options)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def odd_server() -> Iterator[CrossrefServer]:
    """A server holding a DOI with URL-special characters and 45 numbered records for batch fetches."""
    records = [{"DOI": ODD_DOI, "type": "journal-article", "title": ["A work with an awkward DOI"]}]
    records += [
        {"DOI": f"10.5555/batch-{n}", "type": "journal-article", "title": [f"Batch work {n}"]} for n in range(45)
    ]
    with CrossrefServer(records) as server:
        yield server


# -- DOIs and batches


def test_doi_with_url_special_characters_reaches_the_server_intact(odd_server: CrossrefServer, tmp_path: Path) -> None:
    odd_server.clear_log()
    client = _client(odd_server.url, tmp_path)
    record = client.work(ODD_DOI)
    client.close()
    assert record is not None and record["DOI"] == ODD_DOI
    [entry] = odd_server.log
    assert entry.route == "single"
    assert entry.path == f"/works/{ODD_DOI}"  # '#' not taken as a fragment, ';' and '<>' not lost
    assert entry.status == 200


def test_batch_fetch_uses_doi_filter_twenty_at_a_time(odd_server: CrossrefServer, tmp_path: Path) -> None:
    odd_server.clear_log()
    dois = [f"10.5555/batch-{n}" for n in range(45)]
    client = _client(odd_server.url, tmp_path)
    found = client.works([*dois, "10.5555/not-there"])
    client.close()
    assert [found[d]["DOI"] if found[d] else None for d in dois] == dois
    assert found["10.5555/not-there"] is None
    log = odd_server.log
    assert [e.route for e in log] == ["list"] * 3
    sizes = []
    for entry in log:
        [value] = entry.params["filter"]
        parts = value.split(",")
        assert all(p.startswith("doi:") for p in parts)
        sizes.append(len(parts))
    assert sorted(sizes, reverse=True) == [20, 20, 6]
    assert client.stats.requests["batch"] == 3


def test_batch_answers_are_cached_per_doi(odd_server: CrossrefServer, tmp_path: Path) -> None:
    client = _client(odd_server.url, tmp_path)
    client.works(["10.5555/batch-1", "10.5555/batch-2"])
    odd_server.clear_log()
    record = client.work("10.5555/BATCH-2")  # DOIs ignore case
    client.close()
    assert record is not None and record["title"] == ["Batch work 2"]
    assert odd_server.count() == 0


# -- rate, concurrency, mailto


def test_token_bucket_keeps_searches_under_the_configured_rate(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    client = _client(crossref_server.url, tmp_path, search_rate=5.0)
    for n in range(10):
        client.search(f"calcinosis cutis {n}")
    client.close()
    arrivals = [e.time for e in crossref_server.log]
    assert len(arrivals) == 10
    # 10 requests spaced at 5/s span at least 9 intervals of 0.2 s; allow scheduling slack
    assert arrivals[-1] - arrivals[0] >= 1.6


def test_token_bucket_spaces_requests_beyond_its_burst() -> None:
    from refkit.registry import TokenBucket

    bucket = TokenBucket(rate=20.0, burst=1)
    start = time.monotonic()
    for _ in range(6):
        bucket.acquire()
    assert time.monotonic() - start >= 0.2  # 5 waits of 0.05 s


def test_concurrency_never_above_the_cap(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.max_concurrency = 2
    crossref_server.latency = 0.1
    client = _client(crossref_server.url, tmp_path, concurrency=2)
    refs = [
        Reference(
            raw=f"Calcinosis cutis case {n} (2001)",
            title=f"Calcinosis cutis case {n}",
            author=(Person("Smith", "A"),),
        )
        for n in range(8)
    ]
    matches = match_many(refs, client, workers=6)
    client.close()
    assert len(matches) == 8
    assert crossref_server.count("list") == 8
    assert crossref_server.concurrency_violations == []
    assert crossref_server.peak_concurrency == 2  # the cap was reached, so the check was not vacuous


class _HeaderHandler(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, "user-agent": self.headers.get("User-Agent", "")})
        body = b"Resource not found."
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_mailto_is_sent_in_the_user_agent(tmp_path: Path) -> None:
    # the Crossref test server's log keeps no headers, so a bare server records the User-Agent
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _HeaderHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        client = CrossrefClient(url, "someone@example.org", cache=False, timeout=2.0, retries=0)
        assert client.work("10.5555/anything") is None
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert _HeaderHandler.seen[-1]["path"] == "/works/10.5555/anything"
    assert "mailto:someone@example.org" in _HeaderHandler.seen[-1]["user-agent"]


# -- cache


def test_cache_persists_across_client_instances(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    first = _client(crossref_server.url, tmp_path)
    record = first.work(DEZA)
    results = first.search(QUERY)
    first.close()
    assert record is not None and record["DOI"] == DEZA
    assert results[0]["DOI"] == "10.1111/jcpt.12340"
    assert crossref_server.count() == 2
    crossref_server.clear_log()
    second = _client(crossref_server.url, tmp_path)
    assert second.work(DEZA) == record
    assert second.search(QUERY) == results
    second.close()
    assert crossref_server.count() == 0
    assert second.stats.cache_hits == 2 and second.stats.sent == 0


def test_not_found_is_cached(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    client = _client(crossref_server.url, tmp_path)
    assert client.work("10.5555/no-such-work") is None
    assert client.work("10.5555/no-such-work") is None
    client.close()
    assert crossref_server.count("single", status=404) == 1
    assert crossref_server.count() == 1
    cache = ResponseCache(tmp_path / "cache.sqlite")
    assert cache.get("work:10.5555/no-such-work") == (True, None)
    cache.close()
    again = _client(crossref_server.url, tmp_path, offline=True)
    assert again.work("10.5555/no-such-work") is None
    again.close()
    assert crossref_server.count() == 1


def test_offline_answers_from_cache_only(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    client = _client(crossref_server.url, tmp_path, offline=True)
    with pytest.raises(RegistryUnavailable):
        client.work(DEZA)
    with pytest.raises(RegistryUnavailable):
        client.search(QUERY)
    client.close()
    assert crossref_server.count() == 0


# -- faults


def test_429_waits_for_retry_after_then_succeeds(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.fail(429, times=1, retry_after=1, routes="list")
    client = _client(crossref_server.url, tmp_path)
    start = time.monotonic()
    results = client.search(QUERY)
    elapsed = time.monotonic() - start
    client.close()
    assert results[0]["DOI"] == "10.1111/jcpt.12340"
    assert elapsed >= 1.0
    assert [e.status for e in crossref_server.log] == [429, 200]
    log = crossref_server.log
    assert log[1].time - log[0].time >= 1.0
    assert client.stats.too_many_requests == 1 and client.stats.retries == 1


def test_500_a_few_times_then_ok(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.fail(500, times=2, routes="single")
    client = _client(crossref_server.url, tmp_path)
    record = client.work(DEZA)
    client.close()
    assert record is not None and record["DOI"] == DEZA
    assert [e.status for e in crossref_server.log] == [500, 500, 200]


def test_500_every_time_raises_after_the_retries(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.fail(503, times=10, routes="single")
    client = _client(crossref_server.url, tmp_path, retries=2)
    with pytest.raises(RegistryUnavailable, match="503"):
        client.work(DEZA)
    client.close()
    assert crossref_server.count() == 3
    assert client.stats.failures == 1


def test_hang_past_the_timeout_is_retried(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.hang(5.0, times=1, routes="list")
    client = _client(crossref_server.url, tmp_path, timeout=0.5)
    start = time.monotonic()
    results = client.search(QUERY)
    elapsed = time.monotonic() - start
    client.close()
    assert results[0]["DOI"] == "10.1111/jcpt.12340"
    assert 0.5 <= elapsed < 3.0
    assert client.unreachable is None


def test_malformed_json_is_retried(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.malformed(times=1, routes="single")
    client = _client(crossref_server.url, tmp_path)
    record = client.work(DEZA)
    client.close()
    assert record is not None and record["DOI"] == DEZA
    assert crossref_server.count("single") == 2


def test_malformed_every_time_raises_response_error(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.malformed(times=10, routes="single")
    client = _client(crossref_server.url, tmp_path, retries=1)
    with pytest.raises(RegistryResponseError):
        client.work(DEZA)
    client.close()
    assert crossref_server.count("single") == 2


def test_server_down_stops_asking_after_three_failures(tmp_path: Path) -> None:
    client = _client(f"http://127.0.0.1:{_closed_port()}", tmp_path, retries=4)
    start = time.monotonic()
    with pytest.raises(RegistryUnavailable, match="could not be reached"):
        client.search(QUERY)
    with pytest.raises(RegistryUnavailable, match="could not be reached"):
        client.work(DEZA)
    client.close()
    assert time.monotonic() - start < 2.0
    assert client.unreachable is not None
    assert client.stats.sent == 3  # the circuit opened after three refused connections


def test_offline_batch_keeps_what_the_cache_knows(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    from refkit.errors import RegistryUnavailable

    cache = tmp_path / "c.sqlite"
    online = CrossrefClient(base_url=crossref_server.url, cache=cache, search_rate=100)
    assert online.works(["10.2340/00015555-2271", "10.2340/00015555-2271".upper()])["10.2340/00015555-2271"]
    assert crossref_server.count() == 1  # one DOI, whatever its case
    online.close()
    offline = CrossrefClient(base_url=crossref_server.url, cache=cache, offline=True)
    with pytest.raises(RegistryUnavailable) as caught:
        offline.works(["10.2340/00015555-2271", "10.1111/jcpt.12340"])
    assert list(caught.value.partial) == ["10.2340/00015555-2271"]  # type: ignore[attr-defined]
    offline.close()
