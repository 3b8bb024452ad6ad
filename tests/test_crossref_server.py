"""The local Crossref server: routes, envelopes, ranking, fault switches, the log, the CLI and habanero."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import habanero
import httpx2
import pytest

from refkit.testing import CrossrefServer, load_records

PEDNEUROL = "10.1016/j.pediatrneurol.2015.06.002"
FFA = "10.1016/j.ffa.2015.10.008"
DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"


def get(server: CrossrefServer, target: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET a path (with query) from the server; returns status, lower-cased headers and body."""
    port = urlsplit(server.url).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def get_json(server: CrossrefServer, path: str, **params: str) -> dict:
    status, _, body = get(server, path + ("?" + urlencode(params) if params else ""))
    assert status == 200, body
    return json.loads(body)


# ------------------------------------------------------------------------------------------ loading


def test_from_paths_loads_envelopes_jsonl_and_directories(crossref_server: CrossrefServer) -> None:
    # 15 single-work envelopes + 3 work-list items + 192 recorded records + 2 seed works + 6 decoys.
    assert len(crossref_server) == 218
    assert crossref_server.get(FFA)["title"] == ["Construction of DNA codes by using algebraic number theory"]
    assert crossref_server.get("10.5555/REFKIT-DECOY-CUTIS-2007")["container-title"] == ["Cutis"]
    assert crossref_server.get("https://doi.org/" + DEZA)["page"] == "418-419"


def test_load_records_dedupes_by_doi_keeping_the_fuller_record(tmp_path: Path) -> None:
    full = {"DOI": "10.5555/Ab", "title": ["Full"], "volume": "3", "page": "1-2"}
    cut = {"DOI": "10.5555/aB", "title": ["Cut"]}
    envelope = {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {"items": [cut, {"DOI": "10.5555/other"}]},
    }
    (tmp_path / "a.json").write_text(json.dumps(envelope))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text(json.dumps(full) + "\n\n" + json.dumps({"title": ["no doi"]}) + "\n")
    (tmp_path / "notes.md").write_text("not data")
    records = load_records(tmp_path)
    assert [r["DOI"] for r in records] == ["10.5555/Ab", "10.5555/other"]
    assert records[0]["title"] == ["Full"]


def test_records_without_doi_are_refused() -> None:
    with pytest.raises(ValueError, match="without a DOI"):
        CrossrefServer([{"title": ["x"]}])


# ------------------------------------------------------------------------------------------ /works/{doi}


@pytest.mark.parametrize(
    "target",
    [f"/works/{PEDNEUROL}", "/works/10.1016%2Fj.pediatrneurol.2015.06.002", f"/works/{PEDNEUROL.upper()}"],
)
def test_single_work_lookup_plain_encoded_and_any_case(crossref_server: CrossrefServer, target: str) -> None:
    status, headers, body = get(crossref_server, target)
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    data = json.loads(body)
    assert {k: data[k] for k in ("status", "message-type", "message-version")} == {
        "status": "ok",
        "message-type": "work",
        "message-version": "1.0.0",
    }
    assert data["message"]["DOI"] == PEDNEUROL
    assert data["message"]["page"] == "293-300"
    assert data["message"]["score"] == 1


def test_unknown_doi_is_404_plain_text(crossref_server: CrossrefServer) -> None:
    status, headers, body = get(crossref_server, "/works/10.5555/does-not-exist")
    assert (status, body) == (404, b"Resource not found.")
    assert headers["content-type"].startswith("text/plain")


def test_every_response_carries_rate_limit_headers(crossref_server: CrossrefServer) -> None:
    for target in (f"/works/{FFA}", "/works/10.5555/none", "/works?query=dna", "/nope"):
        _, headers, _ = get(crossref_server, target)
        assert (headers["x-rate-limit-limit"], headers["x-rate-limit-interval"]) == ("50", "1s")


def test_rate_limit_headers_are_configurable() -> None:
    with CrossrefServer([], rate_limit_limit=5, rate_limit_interval=2) as server:
        _, headers, _ = get(server, "/works?query=x")
    assert (headers["x-rate-limit-limit"], headers["x-rate-limit-interval"]) == ("5", "2s")


# ------------------------------------------------------------------------------------------ /works?query


def test_reference_string_ranks_its_record_first(crossref_server: CrossrefServer) -> None:
    reference = (
        "Lin CW, Kalb SJ, Yeh WS. Delay in diagnosis of spinal muscular atrophy: a systematic "
        "literature review. Pediatr Neurol. 2015;53(4):293-300."
    )
    data = get_json(crossref_server, "/works", **{"query.bibliographic": reference, "rows": "5"})
    message = data["message"]
    assert data["message-type"] == "work-list"
    assert message["items"][0]["DOI"] == PEDNEUROL
    scores = [item["score"] for item in message["items"]]
    assert scores == sorted(scores, reverse=True)
    # Unnormalised, like Crossref: a full reference scores far above the runner-up.
    assert scores[0] > 40 and scores[0] > 2 * scores[1]
    assert message["items-per-page"] == 5
    assert message["query"] == {"start-index": 0, "search-terms": reference}
    assert message["total-results"] >= len(message["items"]) == 5
    assert message["facets"] == {}


def test_seed_reference_beats_its_look_alike(crossref_server: CrossrefServer) -> None:
    reference = (
        "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. "
        "Acta Derm Venereol 96:418-419"
    )
    items = crossref_server.search(reference, rows=3)
    assert items[0]["DOI"] == DEZA
    assert items[1]["DOI"] == "10.5555/refkit-decoy-morphea-2019"
    assert items[0]["score"] > items[1]["score"] + 10


def test_score_grows_with_query_length(crossref_server: CrossrefServer) -> None:
    short = crossref_server.search("algebraic number theory DNA codes", rows=1)[0]
    longer = crossref_server.search(
        "Hong H, Wang L, Ahmad H. Construction of DNA codes by using algebraic number theory. "
        "Finite Fields Appl 2016;37:328-343",
        rows=1,
    )[0]
    assert short["DOI"] == longer["DOI"] == FFA
    assert longer["score"] > 1.5 * short["score"]


def test_weak_query_still_returns_candidates(crossref_server: CrossrefServer) -> None:
    data = get_json(crossref_server, "/works", query="calcinosis of the knee in horses 1987", rows="3")
    assert len(data["message"]["items"]) == 3
    assert all(item["score"] > 0 for item in data["message"]["items"])


def test_rows_default_offset_and_select(crossref_server: CrossrefServer) -> None:
    default = get_json(crossref_server, "/works", query="analysis of the data")["message"]
    assert default["items-per-page"] == 20 and len(default["items"]) == 20
    assert default["total-results"] > 100
    page = get_json(crossref_server, "/works", query="analysis of the data", rows="2", offset="1")["message"]
    assert [i["DOI"] for i in page["items"]] == [i["DOI"] for i in default["items"][1:3]]
    assert page["query"]["start-index"] == 1
    picked = get_json(crossref_server, "/works", query="calcinosis cutis", rows="3", select="DOI,title")
    assert [set(i) for i in picked["message"]["items"]] == [{"DOI", "title"}] * 3
    scored = get_json(crossref_server, "/works", query="calcinosis cutis", rows="1", select="score,volume")
    assert set(scored["message"]["items"][0]) == {"score", "volume"}


def test_field_query_author_searches_authors_only(crossref_server: CrossrefServer) -> None:
    items = crossref_server.search("Poormoghim", field="query.author", rows=5)
    assert [i["DOI"] for i in items] == [POORMOGHIM]
    assert crossref_server.search("rituximab", field="query.author") == []


# ------------------------------------------------------------------------------------------ filter=doi


def test_filter_doi_returns_exactly_the_known_records(crossref_server: CrossrefServer) -> None:
    data = get_json(crossref_server, "/works", filter=f"doi:{FFA},doi:10.5555/missing,doi:{DEZA.upper()}")
    message = data["message"]
    assert [i["DOI"] for i in message["items"]] == [FFA, DEZA]
    assert message["total-results"] == 2
    assert {i["score"] for i in message["items"]} == {0.0}
    # Repeated filter parameters add up.
    status, _, body = get(crossref_server, f"/works?filter=doi:{FFA}&filter=doi:{POORMOGHIM}&rows=10")
    assert status == 200
    assert [i["DOI"] for i in json.loads(body)["message"]["items"]] == [FFA, POORMOGHIM]


def test_filter_restricts_a_query(crossref_server: CrossrefServer) -> None:
    message = get_json(crossref_server, "/works", query="calcinosis cutis", filter=f"doi:{FFA},doi:{POORMOGHIM}")[
        "message"
    ]
    assert [i["DOI"] for i in message["items"]] == [POORMOGHIM]


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("target", "kind", "value"),
    [
        ("/works?query=x&foo=1", "parameter-not-allowed", "foo"),
        ("/works?filter=from-pub-date:2010", "filter-not-available", "from-pub-date"),
        ("/works?query=x&rows=5000", "integer-not-valid", "5000"),
        ("/works?query=x&select=DOI,nonsense", "select-not-valid", "nonsense"),
        ("/works?query=x&cursor=*", "parameter-not-supported", "cursor"),
        (f"/works/{FFA}?query=x", "parameter-not-allowed", "query"),
        ("/members/98/works", "route-not-found", "/members/98/works"),
    ],
)
def test_bad_requests_get_crossref_validation_failures(
    crossref_server: CrossrefServer, target: str, kind: str, value: str
) -> None:
    status, headers, body = get(crossref_server, target)
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    data = json.loads(body)
    assert (data["status"], data["message-type"]) == ("failed", "validation-failure")
    assert (data["message"][0]["type"], data["message"][0]["value"]) == (kind, value)
    assert data["message"][0]["message"]


# ------------------------------------------------------------------------------------------ faults


def test_fail_answers_n_requests_of_a_route_then_recovers(crossref_server: CrossrefServer) -> None:
    crossref_server.fail(429, times=2, retry_after=3, routes="single")
    assert get(crossref_server, "/works?query=dna")[0] == 200  # another route class is untouched
    first, second, third = (get(crossref_server, f"/works/{FFA}") for _ in range(3))
    assert (first[0], second[0], third[0]) == (429, 429, 200)
    assert first[1]["retry-after"] == "3"
    assert crossref_server.count("single", status=429) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fail_server_errors(crossref_server: CrossrefServer, status: int) -> None:
    crossref_server.fail(status)
    code, headers, _ = get(crossref_server, "/works?query=dna")
    assert code == status
    assert "retry-after" not in headers
    assert get(crossref_server, "/works?query=dna")[0] == 200


def test_fail_rejects_success_statuses(crossref_server: CrossrefServer) -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        crossref_server.fail(200)
    with pytest.raises(ValueError, match="route"):
        crossref_server.fail(500, routes="lists")


def test_latency_delays_every_response(crossref_server: CrossrefServer) -> None:
    crossref_server.latency = 0.2
    started = time.monotonic()
    assert get(crossref_server, f"/works/{FFA}")[0] == 200
    assert time.monotonic() - started >= 0.2
    crossref_server.reset()
    assert crossref_server.latency == 0.0


def test_hang_outlasts_the_client_timeout_and_reset_releases_it(crossref_server: CrossrefServer) -> None:
    crossref_server.hang(30)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        get(crossref_server, f"/works/{FFA}", timeout=0.3)
    assert time.monotonic() - started < 5
    crossref_server.reset()
    assert get(crossref_server, f"/works/{FFA}")[0] == 200
    deadline = time.monotonic() + 5
    while crossref_server.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    # The hung request is logged with status 0 if its client had gone, else 200.
    assert [entry.status in (0, 200) for entry in crossref_server.log] == [True, True]


def test_log_is_in_arrival_order_when_answers_finish_out_of_order(crossref_server: CrossrefServer) -> None:
    crossref_server.hang(30, times=1)
    slow = threading.Thread(target=get, args=(crossref_server, f"/works/{FFA}"))
    slow.start()
    deadline = time.monotonic() + 5
    while crossref_server.peak_concurrency < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.05)  # the slow request is held by the server now
    assert get(crossref_server, "/works/10.5555/none")[0] == 404  # arrives later, answered first
    crossref_server.reset()  # releases the slow one
    slow.join(5)
    assert [(e.path, e.status) for e in crossref_server.log] == [(f"/works/{FFA}", 200), ("/works/10.5555/none", 404)]


def test_malformed_body_is_200_json_that_does_not_parse(crossref_server: CrossrefServer) -> None:
    crossref_server.malformed(times=1)
    status, headers, body = get(crossref_server, f"/works/{FFA}")
    assert status == 200 and headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert json.loads(get(crossref_server, f"/works/{FFA}")[2])["message"]["DOI"] == FFA


def test_rate_limit_per_route_class(crossref_server: CrossrefServer) -> None:
    crossref_server.rate_limit(list=3, single=10, window=10.0)
    statuses = [get(crossref_server, "/works?query=dna")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    status, headers, _ = get(crossref_server, "/works?query=dna")
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert [get(crossref_server, f"/works/{FFA}")[0] for _ in range(3)] == [200, 200, 200]
    crossref_server.reset()
    assert get(crossref_server, "/works?query=dna")[0] == 200


def test_rate_limit_refills_over_the_window(crossref_server: CrossrefServer) -> None:
    crossref_server.rate_limit(single=2, window=1.0)
    assert [get(crossref_server, f"/works/{FFA}")[0] for _ in range(3)] == [200, 200, 429]
    time.sleep(0.6)  # a 2-per-second bucket gets a token back every 0.5 s
    assert get(crossref_server, f"/works/{FFA}")[0] == 200


def test_max_concurrency_records_violations(crossref_server: CrossrefServer) -> None:
    crossref_server.max_concurrency = 1
    # Long enough that all three requests are in flight together even on a busy machine.
    crossref_server.latency = 0.5
    threads = [threading.Thread(target=get, args=(crossref_server, f"/works/{FFA}")) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crossref_server.peak_concurrency == 3
    assert [n for _, n in crossref_server.concurrency_violations] == [2, 3]
    crossref_server.reset()
    assert crossref_server.concurrency_violations == [] and crossref_server.max_concurrency is None


def test_sequential_requests_never_violate_concurrency(crossref_server: CrossrefServer) -> None:
    crossref_server.max_concurrency = 1
    for _ in range(3):
        get(crossref_server, f"/works/{FFA}")
    assert crossref_server.concurrency_violations == []
    assert crossref_server.peak_concurrency == 1


# ------------------------------------------------------------------------------------------ log


def test_request_log_records_route_params_and_status(crossref_server: CrossrefServer) -> None:
    get(crossref_server, "/works/10.1016%2FJ.FFA.2015.10.008")
    get(crossref_server, "/works?query.bibliographic=Lin+CW+2015&rows=2&filter=doi:a&filter=doi:b")
    get(crossref_server, "/works/10.5555/none")
    log = crossref_server.log
    assert [(e.path, e.route, e.status) for e in log] == [
        ("/works/10.1016/J.FFA.2015.10.008", "single", 200),
        ("/works", "list", 200),
        ("/works/10.5555/none", "single", 404),
    ]
    assert log[1].params == {
        "query.bibliographic": ["Lin CW 2015"],
        "rows": ["2"],
        "filter": ["doi:a", "doi:b"],
    }
    assert log[0].time <= log[1].time <= log[2].time
    assert (crossref_server.count(), crossref_server.count("single"), crossref_server.count("list")) == (
        3,
        2,
        1,
    )
    assert crossref_server.count(status=404) == 1
    crossref_server.clear_log()
    assert crossref_server.count() == 0 and crossref_server.log == []


# ------------------------------------------------------------------------------------------ clients


def test_habanero_against_the_server(crossref_server: CrossrefServer) -> None:
    cr = habanero.Crossref(base_url=crossref_server.url, mailto="tests@example.org", timeout=5)
    single = cr.works(ids=FFA)
    assert single["message"]["DOI"] == FFA
    pair = cr.works(ids=[FFA, DEZA])
    assert [r["message"]["DOI"] for r in pair] == [FFA, DEZA]

    reference = (
        "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
        "J Clin Pharm Ther 41: 94-96"
    )
    found = cr.works(query_bibliographic=reference, limit=5)
    assert found["message"]["items"][0]["DOI"] == POORMOGHIM
    assert len(found["message"]["items"]) == 5

    batch = cr.works(filter={"doi": [FFA, POORMOGHIM, "10.5555/missing"]}, limit=10)
    assert [i["DOI"] for i in batch["message"]["items"]] == [FFA, POORMOGHIM]

    with pytest.raises(httpx2.HTTPStatusError):
        cr.works(ids="10.5555/missing")
    entries = crossref_server.log
    assert [e.route for e in entries] == ["single", "single", "single", "list", "list", "single"]
    assert "mailto:tests@example.org" not in str(entries[3].params)  # habanero sends mailto in the User-Agent
    assert entries[3].params["query.bibliographic"] == [reference]


def test_cli_serves_until_interrupted(crossref_records_dir: Path) -> None:
    repo = crossref_records_dir.parents[2]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "refkit.testing.crossref_server",
            "--records",
            str(crossref_records_dir / "seed-works.jsonl"),
            "--rate-limit-single",
            "5",
        ],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        server_port = urlsplit(url).port
        conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=5)
        conn.request("GET", f"/works/{DEZA}")
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["message"]["volume"] == "96"
        conn.close()
    finally:
        process.terminate()
        process.communicate(timeout=5)
