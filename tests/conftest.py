"""Shared fixtures: the vendored Crossref records, a local Crossref server and the seed articles."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from refkit.testing import CrossrefServer

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


@pytest.fixture(scope="session")
def crossref_records_dir() -> Path:
    """Directory of the vendored Crossref records (see tests/data/crossref/SOURCE.md)."""
    return TESTS / "data" / "crossref"


@pytest.fixture(scope="session")
def _crossref_server_session(crossref_records_dir: Path) -> Iterator[CrossrefServer]:
    with CrossrefServer.from_paths(crossref_records_dir) as server:
        yield server


@pytest.fixture
def crossref_server(_crossref_server_session: CrossrefServer) -> Iterator[CrossrefServer]:
    """The session's Crossref server on 127.0.0.1, with faults reset and the log cleared for this test."""
    server = _crossref_server_session
    server.reset()
    # a request released from an earlier test's hang must finish before this test's log and counters start
    server.wait_idle()
    server.reset()
    server.clear_log()
    yield server
    # Release anything a test left hanging so it cannot slow the next test.
    server.reset()


@pytest.fixture(scope="session")
def seed_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the two seed articles of data/articles (plain-text pages with reference lists), without the
    demo PDF and Word files beside them."""
    folder = tmp_path_factory.mktemp("seeds")
    for path in sorted((REPO / "data" / "articles").glob("*.txt")):
        shutil.copyfile(path, folder / path.name)
    return folder
