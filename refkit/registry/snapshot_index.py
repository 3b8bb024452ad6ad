"""A Crossref snapshot read and indexed: the SQLite file :class:`~refkit.registry.snapshot.SnapshotRegistry` reads.

:func:`build_index` streams a snapshot's files (one part in memory at a time) into ``<index>.partial``, resumes an
interrupted build, and moves the index into place when it is complete. Each record is converted in Python (JSON
decoded, split into what the stages read and the rest, encoded again, and its six full-text columns made): that
conversion is most of a build, and with a Dask client (``build_index(..., client=dask_client)``) the workers
convert the files, which they read at the same path, while this process writes them in file order (SQLite has one
writer); the index is the same either way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from refkit.errors import InputError
from refkit.registry.convert import DROPPED

__all__ = ["INDEX_SUFFIX", "build_index", "index_path_for", "read_records"]

#: Suffix of the index file written next to a snapshot.
INDEX_SUFFIX = ".refkit-index.sqlite"
# Bump when the index layout changes: an index of another version is rebuilt.
_VERSION = "1"
# the full-text columns, in order (a search weighs each: see refkit.registry.snapshot)
_COLUMNS = ("title", "author", "container", "year", "volume", "page")
_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz", ".gz")
# how a build in progress is laid out (a build of another layout starts again): records stored in two parts, their
# full-text columns kept by DOI in works_text until every file is stored
_LAYOUT = "2"
# records written to SQLite in one statement
_BATCH = 5000
# a stored record: DOI (folded), size, the JSON of what the stages read, of the rest (or None), and its six columns
Row = tuple[Any, ...]


# -------------------------------------------------------------------------------------------- reading


def _works_in(data: Any) -> Iterator[dict[str, Any]]:
    """The work records one decoded JSON value holds: an envelope, an ``items`` file, a record or a list."""
    if isinstance(data, list):
        for item in data:
            yield from _works_in(item)
        return
    if not isinstance(data, dict):
        return
    message = data.get("message")
    if isinstance(message, dict):
        if isinstance(message.get("items"), list):
            yield from (w for w in message["items"] if isinstance(w, dict) and w.get("DOI"))
        elif message.get("DOI"):
            yield message
        return
    if isinstance(data.get("items"), list):  # the public data file: {"items": [...]}
        yield from (w for w in data["items"] if isinstance(w, dict) and w.get("DOI"))
    elif isinstance(data.get("DOI"), str):
        yield data


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES))
    if path.is_file():
        return [path]
    raise InputError(f"no such snapshot file or folder: {path}", str(path))


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as raw:
        magic = raw.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _read_file(path: Path) -> Iterator[dict[str, Any]]:
    name = path.name.lower()
    with _open_text(path) as handle:
        if ".jsonl" in name or ".ndjson" in name:
            for line in handle:
                if line.strip():
                    yield from _works_in(json.loads(line))
            return
        if ".json" in name:
            yield from _works_in(json.load(handle))
            return
        # no telling suffix: JSON lines if the first line is a JSON value by itself, else one JSON document
        first = handle.readline()
        try:
            value = json.loads(first) if first.strip() else None
        except ValueError:
            yield from _works_in(json.loads(first + handle.read()))
            return
        yield from _works_in(value)
        for line in handle:
            if line.strip():
                yield from _works_in(json.loads(line))


def read_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every work record in a snapshot file or folder, in file order (duplicates included).

    Raises:
        InputError: ``path`` does not exist, or a file in it is not JSON (the message names it).

    Example:
        >>> list(read_records("tests/data/crossref/seed-works.jsonl"))[0]["DOI"]  # doctest: +SKIP
        '10.2340/00015555-2271'
    """
    for file in _files(Path(path)):
        try:
            yield from _read_file(file)
        except (ValueError, EOFError, OSError) as exc:
            raise InputError(f"{file}: not Crossref JSON ({exc})", str(file)) from exc


def _signature(path: Path) -> str:
    """Size and modification time of every source file: the index is rebuilt when this changes."""
    root = path if path.is_dir() else path.parent
    parts = []
    for file in _files(path):
        st = file.stat()
        parts.append([str(file.relative_to(root)), st.st_size, st.st_mtime_ns])
    return json.dumps({"version": _VERSION, "files": parts}, separators=(",", ":"))


# -------------------------------------------------------------------------------------------- indexing


def _years(work: Mapping[str, Any]) -> str:
    years = set()
    # a citation gives the print or the online year; `issued` is only the earlier of the two
    for key in ("issued", "published-print", "published-online", "published"):
        value = work.get(key)
        parts = (value.get("date-parts") or [[None]]) if isinstance(value, Mapping) else [[None]]
        if parts and parts[0] and parts[0][0]:
            years.add(str(parts[0][0]))
    return " ".join(sorted(years))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v)
    return str(value) if value else ""


def _row(work: Mapping[str, Any]) -> tuple[str, ...]:
    names = [
        str(person.get(part) or "")
        for person in work.get("author") or work.get("editor") or []
        if isinstance(person, Mapping)
        for part in ("given", "family", "name")
    ]
    title = " ".join(_text(work.get(k)) for k in ("title", "subtitle", "short-title", "original-title"))
    return (
        re.sub(r"<[^>]+>", " ", title),
        " ".join(names),
        _text(work.get("container-title")) + " " + _text(work.get("short-container-title")),
        _years(work),
        _text(work.get("volume")) + " " + _text(work.get("issue")),
        _text(work.get("page")) + " " + _text(work.get("article-number")),
    )


def _create(db: sqlite3.Connection) -> None:
    """The index's tables, and ``works_text``: each record's full-text columns by DOI while the build stores the
    files (the full-text index is filled from it once every file is stored, then it is dropped)."""
    db.executescript(
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE works (id INTEGER PRIMARY KEY, doi TEXT NOT NULL UNIQUE, size INTEGER, body TEXT NOT NULL,
            rest TEXT);
        CREATE VIRTUAL TABLE works_fts USING fts5({", ".join(_COLUMNS)},
            tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE works_text (doi TEXT PRIMARY KEY, size INTEGER, {", ".join(_COLUMNS)}) WITHOUT ROWID;
        """
    )


def _fill(db: sqlite3.Connection, records: Iterable[Mapping[str, Any]]) -> int:
    """Store records and index them (see :func:`build_index` for the steps)."""
    _store(db, _rows(records))
    return _index_text(db)


def index_path_for(path: str | Path) -> Path:
    """Where the index of a snapshot is kept by default: ``<name>.refkit-index.sqlite`` next to it.

    When that folder cannot be written (a read-only mirror), the index goes to refkit's cache folder instead, named
    after the snapshot's absolute path.

    Example:
        >>> index_path_for("/data/crossref/works.jsonl.gz").name  # doctest: +SKIP
        'works.jsonl.gz.refkit-index.sqlite'
    """
    source = Path(path).resolve()
    beside = source.parent / (source.name + INDEX_SUFFIX)
    if os.access(source.parent, os.W_OK) or beside.exists():
        return beside
    from refkit.registry.cache import default_cache_path

    digest = hashlib.sha1(str(source).encode()).hexdigest()[:12]
    return default_cache_path().parent / "snapshots" / f"{source.name}-{digest}{INDEX_SUFFIX}"


def build_index(
    path: str | Path,
    index_path: str | Path,
    *,
    progress: Callable[[int], Any] | None = None,
    client: Any = None,
) -> int:
    """Index a snapshot into ``index_path``, streaming its files (one part in memory at a time).

    The index is built in ``<index_path>.partial`` and moved into place when complete, so a reader never sees half
    an index. An interrupted build (killed, out of disk, a damaged part) resumes where it stopped: each source file
    is stored in one transaction and noted as done (with its size and modification time), and the full-text index
    is filled in slices, each noted as done; a rerun skips what is done, as long as those files are unchanged.

    Args:
        progress: called with the number of records stored after each source file.
        client: a Dask client: its workers convert the files (read at the same path; a few files a worker thread
            at a time), this process stores them in order. The index is the one a build without it makes.

    Returns:
        The number of distinct works indexed.
    """
    source, target = Path(path), Path(index_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    signature = _signature(source)
    root = source if source.is_dir() else source.parent
    partial = target.with_name(target.name + ".partial")
    files = _files(source)
    now = {str(f.relative_to(root)): (f.stat().st_size, f.stat().st_mtime_ns) for f in files}
    db = _open_partial(partial)
    done = {name: (size, mtime) for name, size, mtime in db.execute("SELECT name, size, mtime FROM built_files")}
    started = db.execute("SELECT 1 FROM meta WHERE key = 'indexed_to'").fetchone() is not None
    if any(now.get(name) != stamp for name, stamp in done.items()) or (started and set(now) != set(done)):
        # a file stored before has changed or gone, or files came after the full-text pass began: start again
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        db = _open_partial(partial)
        done = {}
    todo = [f for f in files if done.get(str(f.relative_to(root))) != now[str(f.relative_to(root))]]
    try:
        for file, rows in _converted(todo, client):
            name = str(file.relative_to(root))
            try:
                with db:  # a file is stored whole or not at all
                    stored = _store(db, rows)
                    db.execute("INSERT OR REPLACE INTO built_files VALUES (?, ?, ?)", (name, *now[name]))
            except (ValueError, EOFError, OSError) as exc:
                raise InputError(f"{file}: not Crossref JSON ({exc})", str(file)) from exc
            if progress:
                progress(stored)
        count = _index_text(db)
        with db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('source', ?)", (signature,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('path', ?)", (str(source.resolve()),))
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()
    os.replace(partial, target)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    return count


def _converted(files: list[Path], client: Any) -> Iterator[tuple[Path, Iterable[Row]]]:
    """Each file with its rows, in order: converted here as they are stored, or by ``client``'s workers, a few
    files a worker thread ahead of the one being stored (a file's error is raised when its rows are read)."""
    if client is None:
        for file in files:
            yield file, _rows(_read_file(file))
        return
    from collections import deque

    ahead = 2 * max(1, sum(client.nthreads().values()))
    queue = iter(files)
    pending: deque[tuple[Path, Any]] = deque()
    try:
        while True:
            while len(pending) < ahead and (waiting := next(queue, None)) is not None:
                pending.append((waiting, client.submit(_convert_file, str(waiting), pure=False)))
            if not pending:
                return
            file, future = pending.popleft()
            yield file, _fetched(future)
    finally:
        for _, future in pending:
            future.cancel()


def _fetched(future: Any) -> Iterator[Row]:
    """A worker's rows of one file (its error, raised as it was on the worker, when they are read)."""
    from refkit.distributed.packed import unpack  # the cluster's path only: the registry does not need Dask's side

    try:
        packed = future.result()
    finally:
        future.release()
    yield from unpack(packed)


def _convert_file(path: str) -> Any:
    """A snapshot file's rows, made on a worker and packed for the way back."""
    from refkit.distributed.packed import pack

    return pack(list(_rows(_read_file(Path(path)))))


def _rows(records: Iterable[Mapping[str, Any]]) -> Iterator[Row]:
    """The rows of records: each in two parts, ``body``, what the stages read, and ``rest``, what none reads
    (:data:`~refkit.registry.convert.DROPPED`: its own references, abstract, links, licences...), about half of a
    record, which a search would otherwise decode for each of its candidates; and its full-text columns."""
    for work in records:
        doi = work.get("DOI")
        if not isinstance(doi, str) or not doi.strip():
            continue
        clean = {k: v for k, v in work.items() if k != "score"}
        read = {k: v for k, v in clean.items() if k not in DROPPED}
        rest = {k: v for k, v in clean.items() if k in DROPPED}
        yield (doi.strip().lower(), len(clean), _json(read), _json(rest) if rest else None, *_row(read))


def _open_partial(partial: Path) -> sqlite3.Connection:
    """The half-built index at ``partial`` (made if missing, or made again if it is not a refkit index in progress
    of this layout)."""
    for attempt in (1, 2):
        db = sqlite3.connect(partial)
        try:
            # the pages of works_text, dropped at the end, go back to the file system (set before anything is written;
            # a file that has tables keeps its setting)
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")  # a killed build keeps every committed file
            db.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "built_files" in tables and _layout(db) != _LAYOUT:
                raise sqlite3.DatabaseError("an index in progress of an earlier layout: started again")
            if "built_files" not in tables:
                if tables and attempt == 1:
                    raise sqlite3.DatabaseError("not a refkit index in progress")
                with db:
                    _create(db)
                    db.execute("CREATE TABLE built_files (name TEXT PRIMARY KEY, size INTEGER, mtime INTEGER)")
                    db.execute("INSERT INTO meta VALUES ('build', ?)", (_LAYOUT,))
            return db
        except sqlite3.DatabaseError:
            db.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(partial) + suffix).unlink(missing_ok=True)
    raise AssertionError("unreachable")


def _layout(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'build'").fetchone()
    return row[0] if row else None


def _store(db: sqlite3.Connection, rows: Iterable[Row]) -> int:
    """Store rows by DOI (the fullest copy of a DOI wins: ``select=`` answers hold cut-down copies)."""
    upsert = (
        "INSERT INTO works (doi, size, body, rest) VALUES (?, ?, ?, ?) ON CONFLICT(doi) DO UPDATE "
        "SET size = excluded.size, body = excluded.body, rest = excluded.rest WHERE excluded.size > works.size"
    )
    names = ", ".join(_COLUMNS)
    upsert_text = (
        f"INSERT INTO works_text (doi, size, {names}) VALUES (?, ?, {', '.join('?' * len(_COLUMNS))}) "
        f"ON CONFLICT(doi) DO UPDATE SET size = excluded.size, "
        + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS)
        + " WHERE excluded.size > works_text.size"
    )
    batch: list[Row] = []
    stored = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            stored += _write(db, upsert, upsert_text, batch)
    return stored + _write(db, upsert, upsert_text, batch)


def _write(db: sqlite3.Connection, upsert: str, upsert_text: str, batch: list[Row]) -> int:
    db.executemany(upsert, (row[:4] for row in batch))
    db.executemany(upsert_text, (row[:2] + row[4:] for row in batch))
    n = len(batch)
    batch.clear()
    return n


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _index_text(db: sqlite3.Connection) -> int:
    """Fill the full-text index from ``works_text`` in slices of the works table (resuming after the last slice
    done), then drop ``works_text``; returns the works."""
    names = ", ".join(_COLUMNS)
    insert = (
        f"INSERT INTO works_fts (rowid, {names}) SELECT w.id, {', '.join('t.' + c for c in _COLUMNS)} "
        "FROM works w JOIN works_text t ON t.doi = w.doi WHERE w.id > ? AND w.id <= ?"
    )
    row = db.execute("SELECT value FROM meta WHERE key = 'indexed_to'").fetchone()
    last = int(row[0]) if row else 0
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'works_text'").fetchone():
        while True:
            ids = db.execute("SELECT id FROM works WHERE id > ? ORDER BY id LIMIT ?", (last, _BATCH)).fetchall()
            if not ids:
                break
            with db:
                db.execute(insert, (last, ids[-1][0]))
                last = ids[-1][0]
                db.execute("INSERT OR REPLACE INTO meta VALUES ('indexed_to', ?)", (str(last),))
        with db:
            db.execute("DROP TABLE works_text")
        db.executescript("PRAGMA incremental_vacuum;")  # run to its end (a page is freed at each step)
    _count_words(db)
    return int(db.execute("SELECT COUNT(*) FROM works").fetchone()[0])


def _count_words(db: sqlite3.Connection) -> None:
    """Store how many records hold each indexed word (a search looks up a dozen a query: a keyed table answers in
    microseconds, where the full-text index's own vocabulary takes 0.1 ms a word on a million records)."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.works_vocab USING fts5vocab(main, works_fts, row)")
    with db:
        db.execute("DROP TABLE IF EXISTS word_counts")
        db.execute("CREATE TABLE word_counts (term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("INSERT INTO word_counts SELECT term, doc FROM temp.works_vocab")


def _stored_signature(index_path: Path) -> str | None:
    if not index_path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None
