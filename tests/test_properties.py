"""Properties that hold for every input, checked on generated data with Hypothesis.

Where the example-based tests pin down what happens to one string, these keep whole classes of defects away:

- parsing: any string gives exactly one parsed reference, with that string as its raw text, and ``refkit parse -``
  gives exactly one JSON line per input line;
- exports: any list of references survives BibTeX, CSL-JSON and RIS and their readers (one record per work, the
  fields of :data:`refkit.export.ROUND_TRIP_FIELDS` unchanged up to the cleaning every writer does), stays
  readable by bibtexparser and pybtex, and the CSL-JSON is valid against the schema;
- audit reports: whatever a reference says, ``audit.md`` and ``audit.html`` hold no markup that a viewer would run.

The default profile keeps the suite fast; ``HYPOTHESIS_PROFILE=fuzz`` tries far more examples. Under ``CI=true``
the examples are derived from the test itself (``derandomize``), so a CI run never fails on luck.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from refkit.export import as_clusters, dumps, loads, round_trip_differences
from refkit.model import Citation, Person, Reference, Source
from refkit.parse import parse_citations
from refkit.pipeline import RunResult
from refkit.text import clean_text

_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
settings.register_profile(
    "default",
    max_examples=150,
    deadline=None,
    derandomize=_CI,
    database=None if _CI else settings.default.database,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SCHEMA = Path(__file__).resolve().parent / "data" / "csl-data.json"
FORMATS = ("bibtex", "csljson", "ris")

# -- strategies --------------------------------------------------------------------------------------------------

# Pieces that broke (or could break) one of the formats: BibTeX braces, escapes and comments, LaTeX specials and
# ligature dashes, RIS tags at a line start, JSON and HTML metacharacters, Unicode line and paragraph separators.
TRICKY = [
    "{",
    "}",
    "\\",
    "%",
    "--",
    "---",
    "~",
    "$",
    "&",
    "#",
    "_",
    "^",
    '"',
    "'",
    "`",
    "@",
    ",",
    " and ",
    "\\'e",
    "{\\o}",
    "\\textbackslash",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x85",
    "\u2028",
    "\u2029",
    "\nER  - ",
    "\nTY  - BOOK\n",
    "ER  - ",
    "AU  - ",
    "\n@article{x,",
    "refkit: cited 1 time",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "](javascript:alert(1))",
    "[x](javascript:alert(1))",
    " onclick=alert(1) ",
    "\u2013",
    "Ä",
    "ß",
    "\U0001f600",
    "\u0301",
    "²",
]

pieces = st.one_of(
    st.sampled_from(TRICKY),
    st.text(min_size=1, max_size=8),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=4),
)
# Any text, built from tricky pieces and arbitrary Unicode.
any_text = st.lists(pieces, max_size=8).map("".join)
words = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=12)


def _norm(value: str | None) -> str | None:
    """What every writer does to a text field: control characters and line breaks become single spaces."""
    if value is None:
        return None
    return " ".join(clean_text(value).split()) or None


field_text = any_text.map(_norm)
# Family names hold no comma (a comma separates family from given in BibTeX and RIS); organisations may.
name_pieces = st.sampled_from(["van", "de", "{", "}", "\\", "%", "'", "-", "Ä", "ß"])
family = st.lists(st.one_of(words, name_pieces), min_size=1, max_size=3).map(" ".join)
persons = st.one_of(
    st.builds(Person, family=family.map(_norm), given=st.one_of(st.none(), words)),
    st.builds(Person, literal=st.lists(words, min_size=1, max_size=4).map(" ".join)),
)
dates = st.one_of(
    st.just(()),
    st.tuples(st.integers(1000, 2100)),
    st.tuples(st.integers(1000, 2100), st.integers(1, 12)),
    st.tuples(st.integers(1000, 2100), st.integers(1, 12), st.integers(1, 28)),
)
odd_chars = st.text(
    st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs", "Z", "C")), st.sampled_from("{}\\%#&~<>\"'|")),
    min_size=1,
    max_size=20,
)
dois = st.builds(lambda reg, suffix: f"10.{reg}/{suffix}", st.integers(1000, 99999), odd_chars)
urls = st.builds(lambda path: f"https://example.org/{path}", odd_chars)
csl_types = st.sampled_from(
    ["article-journal", "book", "chapter", "paper-conference", "report", "thesis", "webpage", "dataset", "article"]
)
references = st.builds(
    Reference,
    raw=any_text,
    type=csl_types,
    author=st.lists(persons, max_size=4).map(tuple),
    issued=dates,
    title=field_text,
    container_title=field_text,
    container_title_short=field_text,
    volume=st.one_of(st.none(), words),
    issue=st.one_of(st.none(), words),
    page=st.one_of(
        st.none(), words, st.builds(lambda a, b: f"{a}\u2013{b}", st.integers(1, 9999), st.integers(1, 9999))
    ),
    doi=st.one_of(st.none(), dois),
    pmid=st.one_of(st.none(), st.integers(1, 99_999_999).map(str)),
    url=st.one_of(st.none(), urls),
    publisher=field_text,
    source=st.builds(Source, file=any_text, position=st.integers(1, 10_000), line=st.integers(0, 10_000)),
)
reference_lists = st.lists(references, min_size=1, max_size=5)


# -- parsing -----------------------------------------------------------------------------------------------------


@given(st.lists(any_text, min_size=1, max_size=4))
def test_any_string_gives_one_parse_with_its_raw_text(strings: list[str]) -> None:
    refs = parse_citations([Citation(s) for s in strings])
    assert [r.raw for r in refs] == strings


def run_parse_stdin(data: bytes) -> tuple[int, str]:
    """``refkit parse -`` on ``data``: its exit code and what it printed."""
    from refkit.cli import main

    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["parse", "-"])
    finally:
        sys.stdin = stdin
    return code, out.getvalue()


@given(lines=st.lists(any_text, max_size=5))
def test_parse_stdin_gives_one_json_line_per_input_line(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8")
    # only data that is a tenth NULs is refused as binary (a picture, UTF-16 without its byte-order mark)
    assume(data[:65536].count(0) <= len(data[:65536]) // 10)
    expected = 0 if not data else data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    code, out = run_parse_stdin(data)
    assert code == 0
    assert out.count("\n") == expected
    for line in out.splitlines():
        assert isinstance(json.loads(line)["raw"], str)


def test_parse_stdin_blank_lines_give_one_line_each() -> None:
    assert run_parse_stdin(b"\n \n") == (0, '{"type": "document", "raw": ""}\n{"type": "document", "raw": " "}\n')


def test_parse_stdin_control_bytes_are_cleaned_not_refused() -> None:
    code, out = run_parse_stdin(b"Deza G (2016)\x1b[31m Morphea\x1b[0m\x07\n")
    assert code == 0 and out.count("\n") == 1


# -- exports -----------------------------------------------------------------------------------------------------


def _expected(ref: Reference, fmt: str) -> Reference:
    """``ref`` as its format documents writing it (see the exporters' module docstrings)."""
    if fmt == "csljson" and ref.type == "article" and ref.container_title:
        ref = ref.replace(type="article-journal")  # "article" is a preprint to Zotero
    if fmt == "bibtex" and ref.doi:
        # BibTeX counts braces even in verbatim fields, so "{", "}" and "\\" are written percent-encoded; a DOI reads
        # back decoded (so one written "%7B" comes back "{", the same DOI), a URL stays encoded (the same URL)
        doi = re.sub("%(7B|7D|5C)", lambda m: bytes.fromhex(m.group(1)).decode(), ref.doi, flags=re.IGNORECASE)
        ref = ref.replace(doi=doi)
    if fmt == "bibtex" and ref.url:
        ref = ref.replace(url=ref.url.translate(str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})))
    return ref


@pytest.mark.parametrize("fmt", FORMATS)
@given(refs=reference_lists)
def test_exports_round_trip(fmt: str, refs: list[Reference]) -> None:
    text = dumps(as_clusters(refs), fmt)
    back = loads(text, fmt)
    assert len(back) == len(refs)
    for original, read_back in zip(refs, back, strict=True):
        assert round_trip_differences(_expected(original, fmt), read_back, fmt) == {}


@given(refs=reference_lists)
def test_bibtex_stays_readable_by_bibtexparser_and_pybtex(refs: list[Reference]) -> None:
    import bibtexparser
    import pybtex.database

    text = dumps(as_clusters(refs), "bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(refs)
    assert len(pybtex.database.parse_string(text, "bibtex").entries) == len(refs)


@given(refs=reference_lists)
def test_ris_has_one_record_per_work(refs: list[Reference]) -> None:
    text = dumps(as_clusters(refs), "ris")
    assert len(re.findall(r"^TY  - ", text, re.MULTILINE)) == len(refs)
    assert len(re.findall(r"^ER  - ", text, re.MULTILINE)) == len(refs)


_schema = None


@given(refs=reference_lists)
def test_csljson_validates_against_the_schema(refs: list[Reference]) -> None:
    import jsonschema

    global _schema
    if _schema is None:
        _schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = json.loads(dumps(as_clusters(refs), "csljson"))
    jsonschema.validate(data, _schema)
    assert len(data) == len(refs)


# -- audit reports -----------------------------------------------------------------------------------------------


def _run_result(refs: list[Reference], text: str) -> RunResult:
    from refkit.model import Finding
    from refkit.pipeline import Problem

    citations = [Citation(r.raw, r.source) for r in refs]
    clusters = as_clusters(refs)
    findings = [
        Finding(
            "year-mismatch",
            "warning",
            f"Cited {text}",
            citations=(c,),
            evidence={"cited": text, "registry": [text, {"k": text}]},
            suggestion=text,
            cluster=cluster.id,
        )
        for c, cluster in zip(citations, clusters, strict=True)
    ]
    files = sorted({r.source.file for r in refs if r.source})
    return RunResult(
        inputs=files,
        citations=citations,
        references=refs,
        clusters=clusters,
        findings=findings,
        problems=[Problem(text, f"{text}: no reference list found", "no-references")],
        registry_note=text,
    )


_UNESCAPED_LINK = re.compile(r"(?<!\\)(?:\\\\)*\]\(")


@given(refs=reference_lists, text=any_text)
def test_audit_markdown_holds_no_markup_from_input(refs: list[Reference], text: str) -> None:
    from refkit.report import audit_markdown

    md = audit_markdown(_run_result(refs, text))
    assert {m.lower() for m in re.findall(r"<[A-Za-z!/?][A-Za-z]*", md)} <= {"<br"}
    assert not _UNESCAPED_LINK.search(md)
    # every table row keeps its six cells: no "|" or line break from the input splits or ends one
    for line in md.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            assert len(re.findall(r"(?<!\\)(?:\\\\)*\|", line)) == 7, line


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


_BASELINE: list[_Tags] = []


@given(refs=reference_lists, text=any_text)
def test_audit_html_holds_no_markup_from_input(refs: list[Reference], text: str) -> None:
    from refkit.report import audit_html

    if not _BASELINE:
        plain = [Reference(raw="Deza G (2016) Morphea.", source=Source("a.txt", 1, 1))]
        _BASELINE.append(_tags(audit_html(_run_result(plain, "plain words"))))
    seen = _tags(audit_html(_run_result(refs, text)))
    assert set(seen.tags) <= set(_BASELINE[0].tags)
    assert seen.tags.count("script") == _BASELINE[0].tags.count("script")
    assert not [name for name, _ in seen.attrs if name.startswith("on")]
    assert not [v for name, v in seen.attrs if name in ("href", "src") and "javascript:" in v.lower()]
