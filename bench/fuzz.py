"""Fuzz refkit's entry points with mutated real inputs: crashes, hangs and broken line contracts.

A seeded random mutator (no coverage feedback) starts from real data: the labelled reference strings, the PLOS JATS
articles and the seed articles of ``../shared/data``, the PDFs of ``../shared/data/pdf`` and Word documents built
here with python-docx. Each entry point gets inputs made from its own seeds:

=================  ===============================================================================================
entry              what is called, and what counts as a failure beyond a crash or a hang
=================  ===============================================================================================
extract-text       ``refkit.extract.extract_text`` with ``kind`` text, markdown, html and jats (one entry each)
extract-pdf        ``refkit.extract.extract`` on a mutated PDF written to a temporary file
extract-docx       ``refkit.extract.extract`` on a mutated .docx (its XML parts or its raw bytes)
parse              ``refkit.parse.parse_citations``: one Reference per Citation, raw text kept
bibtex-dumps ...   ``dumps`` of mutated References, then ``loads``: one record per work (bibtex, csljson, ris)
bibtex-loads ...   ``loads`` of a mutated export (bibtex, csljson, ris)
cli-parse          ``refkit parse -`` in-process on mutated lines: exactly one JSON line per input line
=================  ===============================================================================================

A crash is any exception other than refkit's documented ``RefkitError`` subclasses (bad input is reported, not
raised). A hang is an input that takes more than 2 s twice in a row. Inputs run in a worker process watched by this
one: a worker stuck for 10 s (in C code no signal reaches) is killed and the input counted as a hang, a worker that
dies is counted as a crash, and a fresh worker carries on. Input ``i`` of an entry is made from ``(--seed, entry,
i)`` alone, so every failure can be made again; the first few of each kind are saved under ``--out``.

Usage::

    python bench/fuzz.py                                  # every entry, 1,000 inputs each
    nice -n 10 python bench/fuzz.py --entry parse --count 200000 --seed 1
    python bench/fuzz.py --entry extract-pdf --seconds 300 --out fuzz-out

Exit status: 0 when nothing failed, 1 when something did, 2 when the shared data is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HANG_SECONDS = 2.0
STUCK_SECONDS = 10.0  # a worker this long on one input is killed (C code that no Python timer interrupts)
KEEP = 5  # reproducers saved per entry and kind
MAX_TEXT = 200_000  # characters: larger mutants are cut (the 50 MB file limit is tested elsewhere)

ENTRIES = (
    "extract-text",
    "extract-markdown",
    "extract-html",
    "extract-jats",
    "extract-pdf",
    "extract-docx",
    "parse",
    "bibtex-dumps",
    "csljson-dumps",
    "ris-dumps",
    "bibtex-loads",
    "csljson-loads",
    "ris-loads",
    "cli-parse",
)

# Pieces that have broken parsers and writers before, or could: format syntax, escapes, line-break look-alikes,
# digits of other scripts, markup, control characters.
TRICKY = [
    "{",
    "}",
    "\\",
    "%",
    "--",
    "~",
    "$",
    "&",
    "#",
    "_",
    "^",
    '"',
    "'",
    "@",
    ",",
    " and ",
    " and others",
    "\\'{e}",
    "{\\o}",
    "\\textbackslash",
    "@string{a = {b}}",
    "@comment{",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x0b",
    "\x0c",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\nER  - \n",
    "\nTY  - JOUR\n",
    "ER  - ",
    "AU  - ",
    "N1  - refkit: cited 2 times\n- ",
    "refkit: cited 1 time",
    "References\n",
    "\nReferences\n1. ",
    "\n2. ",
    "[1] ",
    "et al.",
    "(2016)",
    " 96:418-419",
    "doi:10.1000/",
    "https://doi.org/10.1000/x",
    "PMID: 123",
    "²",
    "①",
    "١٢٣",
    "𝟙𝟚",
    "\u0301",
    "Ä",
    "ß",
    "\U0001f600",
    "<",
    ">",
    "<i>",
    "</i>",
    "<sup>1</sup>",
    "<ref>",
    "</ref>",
    "<mixed-citation>",
    "</mixed-citation>",
    "<ref-list>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&nbsp;",
    "&bogus;",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<script>alert(1)</script>",
    "](javascript:alert(1))",
    "# References\n",
    "\n- ",
    "\n* ",
    "```",
    '{"a": [',
    "]",
    "null",
    "1e999",
    "9" * 30,
]

UNICODE_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF)]
UNICODE_RANGES += [(0x2000, 0x206F), (0x2460, 0x24FF), (0x3040, 0x30FF), (0x4E00, 0x4E80), (0xFF00, 0xFFEF)]
UNICODE_RANGES += [(0x1D400, 0x1D7FF), (0x1F300, 0x1F64F), (0x0, 0x1F), (0x7F, 0x9F)]


# -------------------------------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    """The seeds every entry point starts from."""

    strings: list[str] = field(default_factory=list)  # labelled reference strings
    articles: list[str] = field(default_factory=list)  # plain-text articles (seeds and demo articles)
    jats: list[str] = field(default_factory=list)  # JATS XML articles
    pdfs: list[bytes] = field(default_factory=list)
    docx: list[bytes] = field(default_factory=list)
    references: list[Any] = field(default_factory=list)  # refkit.model.Reference from Crossref records
    exports: dict[str, list[str]] = field(default_factory=dict)  # format -> exported files


def load_corpus(data: Path, entries: list[str], *, max_pdfs: int = 40) -> Corpus:
    """Reads the seeds the chosen entries need from the shared data folder ``data``."""
    corpus = Corpus()
    from refkit.parse.corpus import load_all

    corpus.strings = sorted({e.text for e in load_all(data, springer_fraction=0)})
    seeds = data.parent / "seeds"
    for folder in (seeds, REPO / "data" / "articles"):
        corpus.articles += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))]
    if any(e in ("extract-jats",) for e in entries):
        corpus.jats = [p.read_text(encoding="utf-8") for p in sorted((data / "parse" / "plos").glob("*.xml"))]
    if "extract-pdf" in entries:
        pdfs = sorted((data / "pdf").glob("*/*.pdf"))
        # the smallest keep each input quick (a mutated page tree is read page by page all the same)
        pdfs = sorted(pdfs, key=lambda p: p.stat().st_size)[:max_pdfs]
        corpus.pdfs = [p.read_bytes() for p in pdfs]
    if "extract-docx" in entries:
        corpus.docx = build_docx(corpus.strings)
    if any(e.endswith(("-dumps", "-loads")) for e in entries):
        corpus.references = crossref_references(REPO / "tests" / "data" / "crossref")
        from refkit.export import as_clusters, dumps

        rng = random.Random(0)
        for fmt in ("bibtex", "csljson", "ris"):
            corpus.exports[fmt] = [
                dumps(as_clusters(rng.sample(corpus.references, k=rng.randint(1, 4))), fmt) for _ in range(200)
            ]
    return corpus


def crossref_references(folder: Path) -> list[Any]:
    """References from the recorded Crossref responses, each with a raw text and a source."""
    from refkit.model import Source
    from refkit.registry.convert import to_reference
    from refkit.testing.crossref_server import load_records

    refs = []
    for i, record in enumerate(load_records(folder), 1):
        ref = to_reference(record)
        refs.append(ref.replace(raw=ref.title or ref.doi or "", source=Source("article.txt", i, i)))
    return refs


def build_docx(strings: list[str], n: int = 12) -> list[bytes]:
    """Word documents with a heading and a reference list (plain, numbered, in a bibliography field)."""
    import docx

    sys.path.insert(0, str(REPO / "tests"))
    try:
        import docxbuild  # the test suite's builder: numbering and fields as Word writes them
    except ImportError:
        docxbuild = None
    rng = random.Random(0)
    out = []
    for k in range(n):
        refs = rng.sample(strings, k=rng.randint(2, 12))
        doc = docx.Document()
        doc.add_paragraph("Introduction text that cites [1] and [2].")
        doc.add_heading("References", level=1)
        if docxbuild is not None and k % 3 == 1:
            num_id = docxbuild.list_definition(doc)
            for ref in refs:
                docxbuild.numbered(doc.add_paragraph(ref), num_id)
        elif docxbuild is not None and k % 3 == 2:
            docxbuild.add_bibliography_field(doc, "ADDIN ZOTERO_BIBL {} CSL_BIBLIOGRAPHY", refs)
        else:
            for i, ref in enumerate(refs, 1):
                doc.add_paragraph(f"{i}. {ref}")
        buffer = io.BytesIO()
        doc.save(buffer)
        out.append(buffer.getvalue())
    return out


# -------------------------------------------------------------------------------------------------- mutators


def random_char(rng: random.Random) -> str:
    lo, hi = rng.choice(UNICODE_RANGES)
    code = rng.randint(lo, hi)
    return chr(code) if not 0xD800 <= code <= 0xDFFF else "?"


def mutate_text(rng: random.Random, text: str, donors: list[str]) -> str:
    """``text`` after one to six random edits: tricky pieces, odd characters, cuts, repeats and splices."""
    for _ in range(rng.randint(1, 6)):
        n = len(text)
        pos = rng.randint(0, n)
        op = rng.randrange(11)
        if op == 0:
            text = text[:pos] + rng.choice(TRICKY) + text[pos:]
        elif op == 1:
            text = text[:pos] + "".join(random_char(rng) for _ in range(rng.randint(1, 8))) + text[pos:]
        elif op == 2 and n:
            end = min(n, pos + rng.randint(1, 40))
            text = text[:pos] + text[end:]
        elif op == 3 and n:
            end = min(n, pos + rng.randint(1, 30))
            # mostly a few repeats; now and then many, to find quadratic or exponential behaviour
            times = rng.choice([2, 3, 5]) if rng.random() < 0.9 else rng.choice([100, 1000, 3000])
            text = text[:pos] + text[pos:end] * times + text[end:]
        elif op == 4 and donors:
            donor = rng.choice(donors)
            a = rng.randint(0, len(donor))
            text = text[:pos] + donor[a : a + rng.randint(1, 200)] + text[pos:]
        elif op == 5 and n:
            text = text[:pos] + random_char(rng) + text[pos + 1 :]
        elif op == 6:
            text = text[:pos] + rng.choice(["\x00", "\x1b", "\x07", "\x7f", "\x9b", "\x0b", "\x0c"]) + text[pos:]
        elif op == 7:
            text = text[:pos]
        elif op == 8:
            text = text.upper() if rng.random() < 0.5 else text.lower()
        elif op == 9:
            depth = rng.choice([10, 100, 1000])
            open_, close = rng.choice([("(", ")"), ("[", "]"), ("{", "}"), ("<i>", "</i>"), ("<b>", "</b>")])
            text = text[:pos] + open_ * depth + text[pos:] + close * rng.choice([0, depth])
        elif op == 10 and n:
            text = text[:pos] + rng.choice([" ", "  ", "\t", "\u00a0", "\u3000"]) * rng.randint(1, 50) + text[pos:]
    return text[:MAX_TEXT]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """``data`` after one to eight byte-level edits: bit flips, overwrites, cuts, repeats, magic numbers."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        n = len(buf)
        pos = rng.randrange(n) if n else 0
        op = rng.randrange(6)
        if op == 0 and n:
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            buf[pos] = rng.randrange(256)
        elif op == 2 and n:
            del buf[pos : pos + rng.randint(1, 512)]
        elif op == 3 and n:
            buf[pos:pos] = buf[pos : pos + rng.randint(1, 256)] * rng.randint(1, 4)
        elif op == 4:
            buf[pos:pos] = rng.choice([b"0", b"-1", b"4294967295", b"99999999999", b"obj", b"endobj", b"/Length 9"])
        elif op == 5:
            del buf[rng.randint(n // 2, n) if n else 0 :]
    return bytes(buf)


def mutate_docx(rng: random.Random, data: bytes, donors: list[str]) -> bytes:
    """A .docx with one XML part mutated as text (mostly), or its zip bytes mutated."""
    if rng.random() < 0.2:
        return mutate_bytes(rng, data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml_parts = [n for n in parts if n.endswith(".xml")]
    name = "word/document.xml" if rng.random() < 0.7 else rng.choice(xml_parts)
    text = parts[name].decode("utf-8", "replace")
    parts[name] = mutate_text(rng, text, donors).encode("utf-8", "surrogatepass")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue()


def text_document(rng: random.Random, corpus: Corpus, kind: str) -> str:
    """A short article of the given kind around real reference strings, or (now and then) a whole seed article."""
    if kind == "text" and corpus.articles and rng.random() < 0.1:
        return rng.choice(corpus.articles)
    refs = rng.sample(corpus.strings, k=rng.randint(1, 8))
    if kind == "markdown":
        items = "\n".join(f"{i}. {r}" for i, r in enumerate(refs, 1))
        return f"# A study\n\nSome *text* [link](https://example.org).\n\n## References\n\n{items}\n"
    if kind == "html":
        items = "".join(f"<li>{r}</li>" for r in refs)
        return f"<!DOCTYPE html><html><body><p>Text</p><h2>References</h2><ol>{items}</ol></body></html>"
    return "Introduction\n\nSome text.\n\nReferences\n" + "\n".join(f"{i}. {r}" for i, r in enumerate(refs, 1))


def mutated_reference(rng: random.Random, corpus: Corpus) -> Any:
    """A real reference with some of its text fields, names, date and identifiers mutated."""
    from refkit.model import Person

    ref = rng.choice(corpus.references)
    changes: dict[str, Any] = {}
    for name in ("raw", "title", "container_title", "container_title_short", "volume", "issue", "page", "doi"):
        if rng.random() < 0.3:
            changes[name] = mutate_text(rng, getattr(ref, name) or "", corpus.strings)[:2000]
    for name in ("url", "publisher", "note", "pmid"):
        if rng.random() < 0.15:
            changes[name] = mutate_text(rng, getattr(ref, name) or "", corpus.strings)[:2000]
    if rng.random() < 0.3:
        people = list(ref.author)
        for i, person in enumerate(people):
            if rng.random() < 0.5:
                people[i] = Person(
                    family=mutate_text(rng, person.family or "", []) or None,
                    given=mutate_text(rng, person.given or "", []) if rng.random() < 0.5 else person.given,
                    literal=person.literal,
                    suffix=rng.choice([None, None, "Jr", "III", mutate_text(rng, "Sr", [])]),
                )
        if rng.random() < 0.2:
            people.append(Person(literal=mutate_text(rng, "World Health Organization", [])))
        changes["author"] = tuple(people)
    if rng.random() < 0.1:
        changes["issued"] = rng.choice([(), (rng.randint(-50, 99999),), (2016, rng.randint(0, 14), rng.randint(0, 40))])
    if rng.random() < 0.1:
        changes["type"] = rng.choice(["article", "book", "chapter", "review", "standard", "post", "x-unknown", ""])
    if rng.random() < 0.1:
        changes["et_al"] = True
    return ref.replace(**changes)


# -------------------------------------------------------------------------------------------------- entries


class Mismatch(Exception):
    """A broken contract (line or record count), as opposed to a crash."""


@dataclass
class Entry:
    """How to make input ``i`` of an entry point, run it, and save it."""

    name: str
    make: Callable[[random.Random, Corpus], Any]
    run: Callable[[Any, Path], None]
    suffix: str  # reproducer file suffix


def _extract_text_entry(kind: str) -> Entry:
    def make(rng: random.Random, corpus: Corpus) -> str:
        if kind == "jats":
            return mutate_text(rng, rng.choice(corpus.jats), corpus.strings)
        return mutate_text(rng, text_document(rng, corpus, kind), corpus.strings)

    def run(text: str, tmp: Path) -> None:
        from refkit.extract import extract_text

        cits = extract_text(text, file="fuzz", kind=kind, warnings=[])
        for cit in cits:
            if not isinstance(cit.raw, str):
                raise Mismatch(f"citation raw is {type(cit.raw).__name__}")
            if cit.source is None or cit.source.position < 1:
                raise Mismatch(f"citation without a source position: {cit!r}")

    suffix = {"text": ".txt", "markdown": ".md", "html": ".html", "jats": ".xml"}[kind]
    return Entry(f"extract-{kind}", make, run, suffix)


def _extract_file_entry(kind: str) -> Entry:
    def make(rng: random.Random, corpus: Corpus) -> bytes:
        if kind == "pdf":
            return mutate_bytes(rng, rng.choice(corpus.pdfs))
        return mutate_docx(rng, rng.choice(corpus.docx), corpus.strings)

    def run(data: bytes, tmp: Path) -> None:
        from refkit.extract import extract

        path = tmp / f"input.{kind}"
        path.write_bytes(data)
        extract(path, warnings=[])

    return Entry(f"extract-{kind}", make, run, f".{kind}")


def _parse_make(rng: random.Random, corpus: Corpus) -> list[str]:
    return [mutate_text(rng, rng.choice(corpus.strings), corpus.strings)[:6000] for _ in range(rng.randint(1, 3))]


def _parse_run(strings: list[str], tmp: Path) -> None:
    from refkit.model import Citation
    from refkit.parse import parse_citations

    refs = parse_citations([Citation(s) for s in strings])
    if [r.raw for r in refs] != strings:
        raise Mismatch(f"{len(strings)} strings in, {len(refs)} references out, or raw text changed")


def _dumps_entry(fmt: str) -> Entry:
    def make(rng: random.Random, corpus: Corpus) -> list[Any]:
        return [mutated_reference(rng, corpus) for _ in range(rng.randint(1, 4))]

    def run(refs: list[Any], tmp: Path) -> None:
        from refkit.errors import FormatError
        from refkit.export import as_clusters, dumps, loads

        text = dumps(as_clusters(refs), fmt)
        try:
            back = loads(text, fmt)
        except FormatError as exc:
            raise Mismatch(f"{fmt} output cannot be read back: {exc}") from exc
        if len(back) != len(refs):
            raise Mismatch(f"{len(refs)} works written, {len(back)} read back")

    return Entry(f"{fmt}-dumps", make, run, ".json")


def _loads_entry(fmt: str) -> Entry:
    def make(rng: random.Random, corpus: Corpus) -> str:
        return mutate_text(rng, rng.choice(corpus.exports[fmt]), corpus.strings)

    def run(text: str, tmp: Path) -> None:
        from refkit.export import loads

        loads(text, fmt)

    return Entry(f"{fmt}-loads", make, run, {"bibtex": ".bib", "csljson": ".json", "ris": ".ris"}[fmt])


def _cli_make(rng: random.Random, corpus: Corpus) -> bytes:
    lines = [mutate_text(rng, rng.choice(corpus.strings), corpus.strings)[:6000] for _ in range(rng.randint(1, 6))]
    data = "\n".join(lines) + rng.choice(["", "\n", "\r\n", "\n\n"])
    return data.encode("utf-8", "surrogatepass") if rng.random() < 0.95 else mutate_bytes(rng, data.encode())


def expected_lines(data: bytes) -> int:
    """Lines in ``data`` as the README's line contract counts them: split at "\\n", a final one ending the last."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _cli_run(data: bytes, tmp: Path) -> None:
    from refkit.cli import main

    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["parse", "-"])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = stdin
    got = out.getvalue().count("\n")
    want = expected_lines(data)
    sample = data[:65536]
    if code == 4 and sample.count(0) > len(sample) // 10:
        return  # documented: data that is a tenth NULs is refused as binary, not read as lines
    if got != want:
        first = err.getvalue().strip().splitlines()[:1]
        raise Mismatch(f"{want} lines in, {got} lines out (exit {code}{'; ' + first[0] if first else ''})")
    for line in out.getvalue().splitlines():
        json.loads(line)


def entry_points() -> dict[str, Entry]:
    entries = [_extract_text_entry(k) for k in ("text", "markdown", "html", "jats")]
    entries += [_extract_file_entry("pdf"), _extract_file_entry("docx")]
    entries.append(Entry("parse", _parse_make, _parse_run, ".json"))
    entries += [_dumps_entry(f) for f in ("bibtex", "csljson", "ris")]
    entries += [_loads_entry(f) for f in ("bibtex", "csljson", "ris")]
    entries.append(Entry("cli-parse", _cli_make, _cli_run, ".txt"))
    return {e.name: e for e in entries}


def make_input(entry: Entry, corpus: Corpus, seed: int, i: int) -> Any:
    return entry.make(random.Random(f"{seed}:{entry.name}:{i}"), corpus)


# -------------------------------------------------------------------------------------------------- worker


def _classify(exc: BaseException) -> str | None:
    from refkit.errors import RefkitError

    if isinstance(exc, Mismatch):
        return "mismatch"
    if isinstance(exc, RefkitError):
        return None  # bad input, reported as documented
    return "crash"


def _worker(conn: Any, progress: Any, corpus: Corpus, name: str, seed: int) -> None:
    # a mutant must not take the machine's memory (pdfium and the XML readers allocate from the input's numbers)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    import logging

    logging.disable(logging.CRITICAL)  # libraries' log lines about bad input are not findings
    entry = entry_points()[name]
    tmp = Path(tempfile.mkdtemp(prefix="refkit-fuzz-"))
    # one untimed input first: lazy loads (the CRF model, journal lists, imports) are not hangs of the first input
    with contextlib.suppress(Exception):
        entry.run(make_input(entry, corpus, seed, -1), tmp)
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            break
        start, stop = job
        failures = []
        for i in range(start, stop):
            data = make_input(entry, corpus, seed, i)
            progress.value = i
            kind, detail = None, ""
            for attempt in range(2):  # a slow input is tried twice: a busy machine is not a hang
                began = time.monotonic()
                try:
                    entry.run(data, tmp)
                except Exception as exc:  # every exception is classified; crashes are the point
                    kind = _classify(exc)
                    detail = "".join(traceback.format_exception(exc))[-4000:]
                took = time.monotonic() - began
                if took <= HANG_SECONDS or kind:
                    break
                if attempt == 1:
                    kind, detail = "hang", f"took {took:.1f} s (over {HANG_SECONDS:g} s) twice"
            if kind:
                failures.append((i, kind, detail))
        conn.send(failures)


# -------------------------------------------------------------------------------------------------- driver


@dataclass
class Tally:
    tried: int = 0
    crashes: int = 0
    hangs: int = 0
    mismatches: int = 0
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)


def _save(out: Path, entry: Entry, data: Any, i: int, kind: str, detail: str, saved: dict[str, int]) -> None:
    if saved.get(kind, 0) >= KEEP:
        return
    saved[kind] = saved.get(kind, 0) + 1
    folder = out / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{kind}-{i}"
    if isinstance(data, bytes):
        stem.with_suffix(entry.suffix).write_bytes(data)
    elif isinstance(data, str):
        stem.with_suffix(entry.suffix).write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        payload = [getattr(d, "to_csl", lambda d=d: repr(d))() if not isinstance(d, str) else d for d in data]
        reprs = [repr(d) for d in data]
        stem.with_suffix(".json").write_text(
            json.dumps({"input": payload, "repr": reprs}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    stem.with_suffix(".log").write_text(f"{entry.name} input {i}: {kind}\n{detail}\n", encoding="utf-8")


def _reason(kind: str, detail: str) -> str:
    """A short key to group failures by: the exception type and where it arose, or the mismatch's first words."""
    last = detail.strip().splitlines()[-1] if detail.strip() else kind
    if kind == "crash":
        where = re.findall(r'File "([^"]+)", line (\d+)', detail)
        place = f"{Path(where[-1][0]).name}:{where[-1][1]}" if where else "?"
        return f"{last.split(':')[0]} at {place}"
    if kind == "mismatch":
        return re.sub(r"\d+", "N", last.split("Mismatch: ")[-1])[:90]
    return "hang: worker stuck, killed" if "stuck" in detail else "hang: over 2 s twice"


def fuzz_entry(entry: Entry, corpus: Corpus, args: argparse.Namespace) -> Tally:
    """Runs ``args.count`` inputs (or ``args.seconds`` worth) of one entry point in a watched worker process."""
    ctx = multiprocessing.get_context("fork")
    tally, saved = Tally(), {}
    began = time.monotonic()
    batch = 50 if entry.name in ("extract-pdf", "extract-docx", "extract-jats") else 200
    i = 0

    def start_worker() -> tuple[Any, Any, Any]:
        progress = ctx.Value("q", -1, lock=False)
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, progress, corpus, entry.name, args.seed), daemon=True)
        proc.start()
        child.close()
        if not parent.poll(300) or parent.recv() != "ready":
            raise RuntimeError(f"the {entry.name} worker did not start")
        return proc, parent, progress

    proc, conn, progress = start_worker()
    try:
        while i < args.count and (args.seconds is None or time.monotonic() - began < args.seconds):
            stop = min(args.count, i + batch)
            conn.send((i, stop))
            last, last_change = -1, time.monotonic()
            failures: list[tuple[int, str, str]] | None = None
            while failures is None:
                if conn.poll(0.2):
                    try:
                        failures = conn.recv()
                    except EOFError:
                        failures = []
                        break
                    continue
                now = time.monotonic()
                if progress.value != last:
                    last, last_change = progress.value, now
                if not proc.is_alive() or now - last_change > STUCK_SECONDS:
                    break
            if failures is None or (not proc.is_alive() and failures == []):
                # the worker died or stuck on input `last`: record it, then carry on after it with a new worker
                dead = not proc.is_alive()
                code = proc.exitcode
                if not dead:
                    proc.kill()
                    proc.join()
                bad = max(last, i)
                kind = "crash" if dead else "hang"
                detail = f"worker died, exit code {code}" if dead else f"worker stuck over {STUCK_SECONDS:g} s"
                failures = [(bad, kind, detail)]
                stop = bad + 1
                proc, conn, progress = start_worker()
            for n, kind, detail in failures:
                counter = {"crash": "crashes", "hang": "hangs", "mismatch": "mismatches"}[kind]
                setattr(tally, counter, getattr(tally, counter) + 1)
                reason = _reason(kind, detail)
                tally.reasons[reason] = tally.reasons.get(reason, 0) + 1
                _save(args.out, entry, make_input(entry, corpus, args.seed, n), n, kind, detail, saved)
            tally.tried += stop - i
            i = stop
    finally:
        with contextlib.suppress(OSError, BrokenPipeError):
            conn.send(None)
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
    tally.seconds = time.monotonic() - began
    return tally


def replay(entry: Entry, corpus: Corpus, args: argparse.Namespace) -> int:
    """Makes input ``args.replay`` of ``entry`` again, saves it and runs it in this process (a reproducer)."""
    data = make_input(entry, corpus, args.seed, args.replay)
    began = time.monotonic()
    kind, detail = None, ""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            entry.run(data, Path(tmp))
        except Exception as exc:  # shown, not raised: this is a reproducer
            kind, detail = _classify(exc), "".join(traceback.format_exception(exc))
    took = time.monotonic() - began
    kind = kind or ("hang" if took > HANG_SECONDS else None)
    _save(args.out, entry, data, args.replay, kind or "ok", detail or f"took {took:.2f} s", {})
    print(f"{entry.name} input {args.replay}: {kind or 'ok'} in {took:.2f} s; saved under {args.out / entry.name}")
    print(detail, end="")
    return 1 if kind else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--entry", action="append", choices=ENTRIES, help="entry point to fuzz (repeatable; default all)"
    )
    parser.add_argument("--count", type=int, default=1000, help="inputs per entry point (default 1000)")
    parser.add_argument("--seconds", type=float, help="stop each entry point after this many seconds")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutator (default 0)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"), help="folder for reproducers (default fuzz-out)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument(
        "--replay",
        type=int,
        metavar="I",
        help="make input I of the one --entry again, save it to --out and run it here",
    )
    args = parser.parse_args(argv)
    entries = args.entry or list(ENTRIES)
    if args.replay is not None and len(entries) != 1:
        parser.error("--replay needs exactly one --entry")
    needed = [args.data / "parse" / "anystyle", args.data / "parse" / "plos"]
    if "extract-pdf" in entries:
        needed.append(args.data / "pdf")
    missing = [str(p) for p in needed if not p.is_dir()]
    if missing:
        print(
            f"bench/fuzz.py needs the shared data folder (--data, default {args.data}): labelled reference strings in "
            "parse/anystyle, parse/grobid/corpus and parse/plos (JATS articles), PDFs in pdf/*/*.pdf, and the seed "
            f"articles in ../seeds/*.txt beside it. Missing: {', '.join(missing)}",
            file=sys.stderr,
        )
        return 2
    loaded = time.monotonic()
    corpus = load_corpus(args.data, entries)
    if args.replay is not None:
        return replay(entry_points()[entries[0]], corpus, args)
    print(
        f"seeds: {len(corpus.strings):,} reference strings, {len(corpus.articles)} articles, {len(corpus.jats)} JATS, "
        f"{len(corpus.pdfs)} PDFs, {len(corpus.docx)} .docx, {len(corpus.references):,} Crossref references "
        f"({time.monotonic() - loaded:.0f} s); seed {args.seed}; reproducers in {args.out}/",
        flush=True,
    )
    print(f"{'entry':<17} {'inputs':>9} {'crashes':>8} {'hangs>2s':>8} {'mismatch':>8} {'seconds':>8} {'per s':>7}")
    total = Tally()
    entry_map = entry_points()
    for name in entries:
        tally = fuzz_entry(entry_map[name], corpus, args)
        rate = tally.tried / tally.seconds if tally.seconds else 0.0
        print(
            f"{name:<17} {tally.tried:>9,} {tally.crashes:>8} {tally.hangs:>8} {tally.mismatches:>8} "
            f"{tally.seconds:>8.0f} {rate:>7.0f}",
            flush=True,
        )
        for reason, n in sorted(tally.reasons.items(), key=lambda kv: -kv[1])[:5]:
            print(f"    {n:>6} x {reason}", flush=True)
        for name_ in ("tried", "crashes", "hangs", "mismatches", "seconds"):
            setattr(total, name_, getattr(total, name_) + getattr(tally, name_))
    print(
        f"{'total':<17} {total.tried:>9,} {total.crashes:>8} {total.hangs:>8} {total.mismatches:>8} "
        f"{total.seconds:>8.0f}"
    )
    return 1 if total.crashes or total.hangs or total.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
