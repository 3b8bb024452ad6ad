"""A persistent response cache in SQLite, so that a rerun sends no request twice.

Keys are canonical request descriptions (``work:10.2340/00015555-2271``, ``search:5:deza 2016 solitary ...``);
values are the registry's JSON (or ``None`` for "not found", which is worth remembering too). The cache is safe to
share between threads; an interrupted run leaves every completed answer in place, so the next run resumes.

Example:
    >>> cache = ResponseCache(":memory:")
    >>> cache.put("work:10.1/x", {"DOI": "10.1/x"})
    >>> cache.get("work:10.1/x")
    (True, {'DOI': '10.1/x'})
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["ResponseCache", "default_cache_path"]


def default_cache_path() -> Path:
    """``$REFKIT_CACHE``, else ``$XDG_CACHE_HOME/refkit/crossref.sqlite``, else ``~/.cache/refkit/crossref.sqlite``."""
    if os.environ.get("REFKIT_CACHE"):
        return Path(os.environ["REFKIT_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "refkit" / "crossref.sqlite"


class ResponseCache:
    """Registry responses keyed by request, persisted in one SQLite file.

    Args:
        path: the database file (created with its folder if missing), or ``":memory:"``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, body TEXT, fetched REAL NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ValueError(f"{self.path}: not a refkit cache ({exc})") from exc

    def get(self, key: str) -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is cached (value may be None: "not found"), else ``(False, None)``."""
        with self._lock:
            row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return False, None
        try:
            return True, json.loads(row[0]) if row[0] is not None else None
        except ValueError:
            return False, None

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON-serialisable, or None for "not found") under ``key``."""
        body = None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, body, fetched) VALUES (?, ?, ?)", (key, body, time.time())
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
