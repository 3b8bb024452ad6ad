"""Regression tests for inputs and registry faults that once broke a run or silently lost a check.

Each test is named after the defect it keeps away.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refkit.cli import main
from refkit.model import Citation
from refkit.parse import parse_citations
from refkit.testing import CrossrefServer

DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"

# Two registered DOIs and six that are not registered: a clean run reports six doi-unresolved errors.
DOI_LIST = "\n".join(
    [
        "References",
        "1. Deza G, Sanchez-Schmidt JM, Pujol RM (2016) Solitary plaque-type morphea with dystrophic calcinosis cutis. "
        f"Acta Derm Venereol 96:418-419. doi:{DEZA}",
        "2. Poormoghim H, Andalib E, Jalali A (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
        f"J Clin Pharm Ther 41:94-96. doi:{POORMOGHIM}",
        *(
            f"{n}. Author{n} A (2019) A made-up study number {n} of calcified skin. J Imag Derm {n}:1-{n}. "
            f"doi:10.5555/not-registered-{n}"
            for n in range(3, 9)
        ),
    ]
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _cli(server: CrossrefServer, tmp_path: Path, *args: str) -> int:
    return main(
        [
            *args,
            "--crossref-url",
            server.url,
            "--cache",
            str(tmp_path / "cache.sqlite"),
            "--mailto",
            "tests@example.org",
            "--search-rate",
            "200",
            "--single-rate",
            "200",
            "--timeout",
            "2",
        ]
    )


def _codes(out: Path) -> list[str]:
    return [f["code"] for f in json.loads((out / "audit.json").read_text(encoding="utf-8"))["findings"]]


# -- 1. a Unicode digit ("²", "①", "➈") or a 4,400-digit number crashed the parser, and with it every command --

UNICODE_DIGITS = [
    "Deza G et al (2016) Solitary Plaque-type Morphea. Acta Derm Venereol 96:418-419²",
    "Zouboulis CC et al (1990) Calcinosis cutis ① ➈ ⁵. Hautarzt 41: 212-217",
    "Lai CH (2003) Ear. J Am Acad Dermatol 49: 122-124 " + "1" * 4400,
    "²",
]


def test_unicode_digit_does_not_crash_the_parser() -> None:
    refs = parse_citations([Citation(raw) for raw in UNICODE_DIGITS])
    assert [r.raw for r in refs] == UNICODE_DIGITS
    assert refs[0].volume == "96" and refs[1].container_title == "Hautarzt"


@pytest.mark.parametrize("command", ["run", "audit", "parse", "match", "dedupe", "format"])
def test_unicode_digit_does_not_crash_any_command(
    command: str, crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _write(
        tmp_path, "a.txt", "References\n" + "\n".join(f"{i}. {r}" for i, r in enumerate(UNICODE_DIGITS[:3], 1))
    )
    extra = ["-o", str(tmp_path / "out"), "--no-progress"] if command in ("run", "audit") else []
    if command in ("format", "parse"):
        code = main([command, str(article)] + (["--style", "vancouver"] if command == "format" else []))
    else:
        code = _cli(crossref_server, tmp_path, command, str(article), *extra)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    if command in ("run", "audit"):
        doc = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
        assert sorted(c["raw"] for w in doc["works"] for c in w["citations"]) == sorted(UNICODE_DIGITS[:3])
    else:
        assert captured.out.strip()


# -- 2. transient errors on the DOI batch look-up silently dropped the DOI checks --


def test_transient_errors_keep_doi_checks(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _write(tmp_path, "dois.txt", DOI_LIST)
    assert (
        _cli(crossref_server, tmp_path / "clean", "run", str(article), "-o", str(tmp_path / "clean"), "--no-progress")
        == 0
    )
    clean = _codes(tmp_path / "clean")
    assert clean.count("doi-unresolved") == 6

    # The batch look-up (a list request) fails on every try; the searches after it are answered.
    crossref_server.clear_log()
    crossref_server.fail(503, times=2, routes="list")
    code = _cli(
        crossref_server,
        tmp_path / "faulty",
        "run",
        str(article),
        "-o",
        str(tmp_path / "faulty"),
        "--no-progress",
        "--retries",
        "1",
    )
    captured = capsys.readouterr()
    assert [e.status for e in crossref_server.log][:2] == [503, 503]
    assert code == 0, captured.err
    faulty = _codes(tmp_path / "faulty")
    # asked again one DOI at a time, every check is made: the same DOI findings as the clean run
    assert sorted(c for c in faulty if c.startswith("doi-")) == sorted(c for c in clean if c.startswith("doi-"))
    assert "doi-unchecked" not in faulty


def test_doi_check_left_undone_by_a_failing_registry_is_a_finding_and_exit_5(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _write(tmp_path, "dois.txt", DOI_LIST)
    # every DOI look-up fails, batch and single: the client stops asking after five failed requests in a row
    crossref_server.fail(503, times=2, routes="list")
    crossref_server.fail(503, times=1000, routes="single")
    out = tmp_path / "out"
    code = _cli(
        crossref_server,
        tmp_path,
        "run",
        str(article),
        "-o",
        str(out),
        "--no-progress",
        "--retries",
        "1",
        "--fail-on",
        "error",
    )
    captured = capsys.readouterr()
    assert code == 5, captured.err  # Crossref kept failing: not a clean pass, whatever --fail-on says
    assert "stopped asking" in captured.err
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    unchecked = [f for f in doc["findings"] if f["code"] == "doi-unchecked"]
    # every written DOI is reported as not checked, each with its DOI
    assert sorted(f["evidence"]["cited"] for f in unchecked) == sorted(
        [DEZA, POORMOGHIM, *(f"10.5555/not-registered-{n}" for n in range(3, 9))]
    )
    assert all(f["severity"] == "warning" for f in unchecked)

    # a rerun with Crossref well again asks the unchecked DOIs again and completes the checks
    crossref_server.reset()
    assert _cli(crossref_server, tmp_path, "run", str(article), "-o", str(out), "--no-progress") == 0
    assert _codes(out).count("doi-unresolved") == 6 and "doi-unchecked" not in _codes(out)


def test_search_that_finds_the_written_doi_checks_it(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _write(tmp_path, "dois.txt", DOI_LIST)
    # the batch fails, then the first two DOIs asked alone (Deza's, Poormoghim's) fail; the search finds both
    crossref_server.fail(503, times=2, routes="list")
    crossref_server.fail(503, times=4, routes="single")
    out = tmp_path / "out"
    code = _cli(crossref_server, tmp_path, "run", str(article), "-o", str(out), "--no-progress", "--retries", "1")
    assert code == 0, capsys.readouterr().err
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    statuses = {
        c["match"]["written_doi"]: c["match"]["written_doi_status"] for w in doc["works"] for c in w["citations"]
    }
    assert statuses[DEZA] == statuses[POORMOGHIM] == "ok"
    assert _codes(out).count("doi-unresolved") == 6 and "doi-unchecked" not in _codes(out)


# -- 3. deep nesting: a JATS citation nested 50,000 tags deep, a JSON file nested 100,000 arrays deep --


def test_deeply_nested_jats_citation_is_read(tmp_path: Path) -> None:
    from refkit.extract import extract

    inner = "<i>" * 50_000 + "Smith J (2001) Deep nesting. J Foo 1:2-3" + "</i>" * 50_000
    path = _write(
        tmp_path,
        "deep.xml",
        f'<?xml version="1.0"?><article><back><ref-list><ref><label>1</label><mixed-citation>{inner}'
        "</mixed-citation></ref></ref-list></back></article>",
    )
    [citation] = extract(path)
    assert citation.raw == "Smith J (2001) Deep nesting. J Foo 1:2-3"


def test_deeply_nested_json_is_a_format_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert main(["export", str(path), "-o", str(tmp_path / "out.bib")]) == 4
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "Traceback" not in err


# -- 4. a FIFO given as input blocked forever --


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_input_is_refused_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    good = _write(tmp_path, "good.txt", DOI_LIST)
    out = tmp_path / "out"
    assert main(["run", str(fifo), str(good), "-o", str(out), "--offline", "--no-cache", "--no-progress"]) == 3
    err = capsys.readouterr().err
    assert "pipe.txt: not a regular file" in err
    assert len(json.loads((out / "audit.json").read_text(encoding="utf-8"))["works"]) == 8


# -- 5. a brace in a DOI or URL broke the whole .bib file --


def test_bibtex_doi_and_url_with_braces_stay_one_entry(tmp_path: Path) -> None:
    import bibtexparser
    from pybtex.database import parse_string

    from refkit.export import as_clusters, dumps, loads
    from refkit.model import Reference

    ref = Reference(
        raw="x", title="Braces", issued=(2020,), doi="10.1002/(SICI)1097}{x", url="https://example.org/a}b\\c{"
    )
    text = dumps(as_clusters([ref, Reference(raw="y", title="Second", issued=(2021,))]), "bibtex")
    assert len(parse_string(text, "bibtex").entries) == 2
    library = bibtexparser.parse_string(text)
    assert len(library.entries) == 2 and not library.failed_blocks
    back = loads(text, "bibtex")
    assert back[0].doi == "10.1002/(SICI)1097}{x"
    assert back[0].url == "https://example.org/a%7Db%5Cc%7B"


# -- 6. audit.md ran markup from references when rendered --

HOSTILE = [
    "1. Smith J (2019) <script>alert(1)</script> study. J Foo 1:2-3",
    "2. Doe A (2018) An <img src=x onerror=alert(1)> title. J Bar 4:5-6",
    "3. Roe B (2017) [click](javascript:alert(1)) and <a href='javascript:alert(2)'>x</a>. J Baz 7:8-9",
]


def test_audit_markdown_is_inert(tmp_path: Path) -> None:
    from refkit.pipeline import run

    article = _write(tmp_path, "hostile.txt", "References\n" + "\n".join(HOSTILE))
    run([article], tmp_path / "out", registry=None)
    md = (tmp_path / "out" / "audit.md").read_text(encoding="utf-8")
    for active in ("<script", "<img", "<a ", "onerror=alert(1)>"):
        assert active not in md, active
    assert not re.search(r"(?<!\\)\]\(javascript:", md)  # "\[click\](...)" is text, not a link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md


# -- 7. references dropped without a word --


def test_non_latin_references_are_read() -> None:
    from refkit.extract import extract_text

    text = (
        "Литература\n"
        "1. Иванов ИИ (2015) Кальциноз кожи у детей. Вестник дерматологии 91:45-50\n"
        "2. 山田太郎 (2018) 皮膚石灰沈着症の一例. 皮膚科の臨床 60:123-126\n"
        "3. Παπαδόπουλος Γ (2012) Ασβέστωση του δέρματος. Ελληνική Δερματολογία 4:10-12\n"
    )
    assert [c.source.label for c in extract_text(text) if c.source] == ["1", "2", "3"]


def test_numbering_past_9999_keeps_every_item() -> None:
    from refkit.extract import extract_text

    text = "References\n" + "\n".join(
        f"{n}. Author{n} A ({1950 + n % 70}) Title {n}. J Foo {n}:1-2" for n in range(1, 10_051)
    )
    citations = extract_text(text)
    assert len(citations) == 10_050
    assert citations[-1].raw.startswith("Author10050 A") and citations[-1].source.label == "10050"  # type: ignore[union-attr]


def test_numbered_item_that_is_not_read_gets_a_warning() -> None:
    from refkit.extract import extract_text

    warnings: list[str] = []
    citations = extract_text(
        "References\n1. Smith J (2001) A. J Foo 1:2-3\n2. Anonymous. Undated leaflet\n3. Doe A (2002) B. J Bar 4:5",
        warnings=warnings,
    )
    assert [c.source.label for c in citations if c.source] == ["1", "3"]
    assert warnings == [
        "-: list item 2 (line 3) not read as a reference (no year or DOI, or too short): Anonymous. Undated leaflet"
    ]


def test_jats_nlm_citation_alternatives_and_named_entities(tmp_path: Path) -> None:
    from refkit.extract import extract

    path = _write(
        tmp_path,
        "old.xml",
        '<?xml version="1.0"?><!DOCTYPE article PUBLIC "-//NLM//DTD Journal Publishing DTD v2.0 20040830//EN" '
        '"journalpublishing.dtd"><article><back><ref-list>'
        "<ref><label>1</label><nlm-citation citation-type='journal'><person-group><name><surname>Smith</surname>"
        "<given-names>J</given-names></name></person-group><year>2001</year><article-title>Old&nbsp;style"
        "</article-title><source>J Foo</source><volume>1</volume></nlm-citation></ref>"
        "<ref><label>2</label><citation-alternatives><element-citation><person-group><name><surname>Doe</surname>"
        "<given-names>A</given-names></name></person-group><year>2002</year><article-title>Structured"
        "</article-title></element-citation><mixed-citation>Doe A (2002) Printed form&eacute;. J Bar 4:5"
        "</mixed-citation></citation-alternatives></ref>"
        "</ref-list></back></article>",
    )
    citations = extract(path)
    assert [c.source.label for c in citations if c.source] == ["1", "2"]
    assert citations[0].raw == "Smith J. 2001. Old style. J Foo. 1"
    assert citations[1].raw == "Doe A (2002) Printed formé. J Bar 4:5"


@pytest.mark.parametrize("encoding", ["utf-81e999", "utf-utf-utf-8", "ISO-8859-1"])
def test_jats_declared_encoding_is_not_applied_twice(encoding: str) -> None:
    from refkit.extract import extract_text

    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><article><back><ref-list><ref><mixed-citation>'
        "Müller K (1999) Über Haut. Hautarzt 50:1-2</mixed-citation></ref></ref-list></back></article>"
    )
    citations = extract_text(text, file="a.xml", kind="jats")
    assert [c.raw for c in citations] == ["Müller K (1999) Über Haut. Hautarzt 50:1-2"]


# -- 11. a file name with a line break added RIS records --


def test_file_name_cannot_inject_ris_records() -> None:
    from refkit.export import as_clusters, dumps, loads
    from refkit.model import Reference, Source

    evil = "a.txt\nER  - \nTY  - JOUR\nTI  - Injected\nER  - \n"
    ref = Reference(raw="Smith J (2001) Real.\nER  - ", title="Real", source=Source(evil, 1, 1))
    text = dumps(as_clusters([ref]), "ris")
    assert [r.title for r in loads(text, "ris")] == ["Real"]
    assert "\nTY  - JOUR\nTI  - Injected" not in text


# -- 13. control characters reached the exports, the report and the terminal --


def test_control_characters_do_not_reach_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = _write(
        tmp_path,
        "ctl.txt",
        "References\n1. Smith J (2001) Bell\x07 and \x1b[31mred\x1b[0m title\x7f. J Foo 1:2-3\n"
        "2. Doe A (2002) Another title\x9b. J Bar 4:5-6\n"
        + "".join(f"{n}. Author{n} A (2003) An ordinary reference number {n}. J Baz {n}:1-9\n" for n in range(3, 30)),
    )
    out = tmp_path / "out"
    assert main(["run", str(article), "-o", str(out), "--offline", "--no-cache", "--no-progress"]) == 0
    printed = capsys.readouterr()
    for name in ("references.bib", "references.ris", "references.json", "audit.md", "audit.html", "audit.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert not any(c in text for c in "\x07\x1b\x7f\x9b"), name
    assert not any(c in printed.out + printed.err for c in "\x07\x1b\x7f\x9b")


# -- 8. write failures ended in a traceback with exit 1 and left *.tmp files --

OUT_NAMES = ("references.bib", "references.json", "references.ris", "audit.json", "audit.md", "audit.html")


def test_output_folder_that_is_a_file_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = _write(tmp_path, "a.txt", DOI_LIST)
    blocker = _write(tmp_path, "out", "not a folder")
    assert main(["run", str(article), "-o", str(blocker), "--offline", "--no-cache", "--no-progress"]) == 4
    err = capsys.readouterr().err
    assert "cannot create the output folder" in err and "Traceback" not in err


def test_write_failure_replaces_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = _write(tmp_path, "a.txt", DOI_LIST)
    out = tmp_path / "out"
    out.mkdir()
    (out / "references.bib").write_text("old\n", encoding="utf-8")
    (out / "audit.md").mkdir()  # in the way of one output
    assert main(["run", str(article), "-o", str(out), "--offline", "--no-cache", "--no-progress"]) == 4
    assert "audit.md: cannot write" in capsys.readouterr().err
    assert (out / "references.bib").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in out.iterdir()) == ["audit.md", "references.bib"]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs POSIX resource limits")
def test_full_disk_leaves_old_outputs_and_no_temporary_files(tmp_path: Path) -> None:
    import resource
    import signal
    import subprocess
    import sys

    article = _write(tmp_path, "a.txt", DOI_LIST)
    out = tmp_path / "out"
    run = [sys.executable, "-m", "refkit", "run", str(article), "-o", str(out), "--offline", "--no-cache"]
    assert subprocess.run([*run, "--no-progress"], capture_output=True, check=False).returncode == 0
    before = {name: (out / name).read_bytes() for name in OUT_NAMES}

    def small_disk() -> None:  # writes past 2 KB fail as on a full disk (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    done = subprocess.run(
        [*run, "--no-progress", "--parser", "rules"], capture_output=True, text=True, preexec_fn=small_disk, check=False
    )
    assert done.returncode == 4, done.stderr
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr
    assert {name: (out / name).read_bytes() for name in OUT_NAMES} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUT_NAMES)


def test_outputs_follow_the_umask(tmp_path: Path) -> None:
    import os
    import stat

    from refkit.pipeline import run

    article = _write(tmp_path, "a.txt", DOI_LIST)
    old = os.umask(0o027)
    try:
        run([article], tmp_path / "out", registry=None)
    finally:
        os.umask(old)
    modes = {name: stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) for name in OUT_NAMES}
    assert set(modes.values()) == {0o640}, modes


# -- 10. no give-up on persistent failures, no slow-down after 429s --


def _seed_and_dois(tmp_path: Path) -> list[Path]:
    seeds = Path(__file__).resolve().parent.parent / "data" / "articles"
    return [*sorted(seeds.glob("*.txt")), _write(tmp_path, "dois.txt", DOI_LIST)]


@pytest.mark.parametrize("status", [503, 429, 500])
def test_persistent_failure_gives_up_and_a_rerun_completes(
    status: int, crossref_server: CrossrefServer, tmp_path: Path
) -> None:
    import time

    from refkit.pipeline import run
    from refkit.registry import CrossrefClient

    inputs = _seed_and_dois(tmp_path)
    crossref_server.fail(status, times=100_000, retry_after=0.05 if status == 429 else None)
    client = CrossrefClient(
        crossref_server.url,
        "t@example.org",
        cache=tmp_path / "c.sqlite",
        backoff=0.05,
        max_wait=0.2,
        search_rate=200.0,
        single_rate=200.0,
        give_up_after=60.0,
    )
    start = time.monotonic()
    result = run(inputs, tmp_path / "out", registry=client)
    elapsed = time.monotonic() - start
    client.close()
    assert "stopped asking" in (result.registry_note or "")
    assert result.summary()["unverified"] == 21 and elapsed < 20
    # five requests failed all their tries (plus those already in flight), not one per reference
    assert crossref_server.count() <= (5 + 3) * 5, crossref_server.count()

    crossref_server.reset()
    client = CrossrefClient(
        crossref_server.url, "t@example.org", cache=tmp_path / "c.sqlite", search_rate=200.0, single_rate=200.0
    )
    again = run(inputs, tmp_path / "out", registry=client)
    client.close()
    assert again.registry_note is None and again.summary()["unverified"] == 0


def test_failing_for_longer_than_give_up_after_stops_asking(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    from refkit.pipeline import run
    from refkit.registry import CrossrefClient

    crossref_server.fail(503, times=100_000)
    client = CrossrefClient(
        crossref_server.url,
        "t@example.org",
        cache=False,
        retries=50,
        backoff=0.1,
        max_wait=0.1,
        search_rate=200.0,
        single_rate=200.0,
        give_up_after=1.0,
    )
    result = run(_seed_and_dois(tmp_path), None, registry=client)
    assert "kept failing for 1 s" in (result.registry_note or "")
    log = crossref_server.log
    assert log[-1].time - log[0].time < 1.5  # stopped about a second after the first failure


def test_429s_slow_the_client_down(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    from refkit.pipeline import run
    from refkit.registry import CrossrefClient

    many = _write(
        tmp_path,
        "many.txt",
        "References\n"
        + "\n".join(
            f"{n}. Writer{n} Q, Other{n} R ({1990 + n % 30}) A distinct study of topic number {n} in skin. "
            f"J Test Derm {n}:{n}-{n + 5}"
            for n in range(1, 61)
        ),
    )
    # the server allows 5 requests a second; the client is set to 50: only slowing down keeps 429s rare
    # (without it, a third of the requests were 429s; with it, about one in eight)
    crossref_server.rate_limit(list=5, single=5, window=1.0)
    client = CrossrefClient(
        crossref_server.url,
        "t@example.org",
        cache=False,
        backoff=0.05,
        max_wait=1.0,
        retries=8,
        search_rate=50.0,
        single_rate=50.0,
    )
    result = run([many], None, registry=client)
    statuses = [e.status for e in crossref_server.log]
    assert result.summary()["unverified"] == 0
    assert statuses.count(429) <= 0.2 * len(statuses), (statuses.count(429), len(statuses))


# -- 9. the line contract of parse/match/dedupe: N lines in, N lines out --


def test_each_input_line_gives_one_output_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    lines = [
        "Smith J (2001) A\u2028B title. J Foo 1:2",  # line separator inside a line
        "Doe A (2002) C\x0bD\x0cE\x85F. J Bar 3:4",  # vertical tab, form feed, NEL
        "\x00Roe B (2003) With a NUL. J Baz 5:6",
        "",
        "Poe C (2004) Windows line end. J Qux 7:8\r",
    ]
    data = "\n".join(lines).encode("utf-8") + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["parse", "-"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(lines)
    raws = [json.loads(line)["raw"] for line in out]
    assert raws[0] == lines[0] and raws[2] == " Roe B (2003) With a NUL. J Baz 5:6"
    assert raws[4] == "Poe C (2004) Windows line end. J Qux 7:8"


# -- 12. options were not validated (--retries -1 raised AssertionError; NaN turned the rate limit off) --


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--retries", "-1"),
        ("--timeout", "0"),
        ("--timeout", "nan"),
        ("--search-rate", "nan"),
        ("--single-rate", "inf"),
        ("--concurrency", "0"),
        ("--retries", "two"),
    ],
)
def test_bad_option_values_are_usage_errors(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "data/articles", "-o", "out", "--offline", option, value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: {value!r}" in err and "Traceback" not in err


def test_client_refuses_bad_arguments() -> None:
    from refkit.registry import CrossrefClient

    for bad in ({"retries": -1}, {"timeout": float("nan")}, {"search_rate": float("nan")}, {"concurrency": 0}):
        with pytest.raises(ValueError):
            CrossrefClient("http://127.0.0.1:9", cache=False, **bad)  # type: ignore[arg-type]


# -- 14. smaller: bibtexparser's own log lines on stderr; the test server's command line --


def test_malformed_bibtex_gives_one_prefixed_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = _write(
        tmp_path, "bad.bib", "@article{a,\n title={X},\n}\n@article{a,\n title={Y}}\n@article{b, title={open\n"
    )
    assert main(["export", str(bib), "-o", str(tmp_path / "out.json")]) == 4
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("refkit: ") and "could not be parsed" in err[0]


def test_server_command_line_fault_switches_and_log(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    log = tmp_path / "requests.jsonl"
    records = Path(__file__).resolve().parent / "data" / "crossref"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "refkit.testing.crossref_server",
            "--records",
            str(records),
            "--fail",
            "503:2:list",
            "--log",
            str(log),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        statuses = []
        for _ in range(3):
            try:
                with urllib.request.urlopen(f"{url}/works?query=morphea", timeout=5) as answer:
                    statuses.append(answer.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        with urllib.request.urlopen(f"{url}/works/10.2340/00015555-2271", timeout=5) as answer:
            statuses.append(answer.status)
        for _ in range(50):  # a request is logged just after its answer is sent
            if len(log.read_text(encoding="utf-8").splitlines()) >= 4:
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert statuses == [503, 503, 200, 200]
    # written as each answer goes out; "time" is the arrival, which orders them
    logged = sorted(
        (json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()), key=lambda e: e["time"]
    )
    assert [(e["route"], e["status"]) for e in logged] == [("list", 503), ("list", 503), ("list", 200), ("single", 200)]
    assert "RuntimeWarning" not in err


# -- 15. numbers read with str.isdigit() then int(): "²", "①" and 5,000-digit numbers raised ValueError --


@pytest.mark.parametrize("number", ["0①", "²", "1" * 5000])
def test_unicode_digit_or_huge_number_in_ris_date_bibtex_month_or_html_list_start(number: str) -> None:
    from refkit.export import loads
    from refkit.extract import extract_text

    assert loads(f"TY  - JOUR\nDA  - 2016/{number}/\nPY  - {number}\nER  - \n", "ris")[0].issued in ((), (2016,))
    assert loads(f"@article{{a, year={{2016}}, month={{{number}}}}}", "bibtex")[0].issued == (2016,)
    page = (
        f'<html><body><h2>References</h2><ol start="{number}">'
        "<li>Deza G (2016) Solitary morphea. Acta Derm Venereol 96:418-419</li></ol></body></html>"
    )
    assert [c.raw for c in extract_text(page, kind="html")] == [
        "Deza G (2016) Solitary morphea. Acta Derm Venereol 96:418-419"
    ]


# -- 16. exports that did not read back as written --


def test_bibtex_family_name_of_braces_alone_stays_a_family_name() -> None:
    from refkit.export import as_clusters, dumps, loads
    from refkit.model import Person, Reference

    ref = Reference(title="T", author=(Person(family="{"), Person(family="}"), Person(family="Deza", given="G")))
    assert loads(dumps(as_clusters([ref]), "bibtex"), "bibtex")[0].author == ref.author


@pytest.mark.parametrize("text", ["\n@comment{2. ", "x@string{y", "@preamble{a", "a\n@article(b"])
def test_bibtex_block_start_inside_a_value_stays_in_the_value(text: str) -> None:
    import bibtexparser
    from pybtex.database import parse_string

    from refkit.export import as_clusters, dumps, loads
    from refkit.model import Person, Reference

    ref = Reference(raw="x", title="T" + text, note=text, pmid=text, author=(Person(family="Deza" + text),))
    written = dumps(as_clusters([ref, Reference(raw="y", title="Second")]), "bibtex")
    library = bibtexparser.parse_string(written)
    assert len(library.entries) == 2 and not library.failed_blocks
    assert len(parse_string(written, "bibtex").entries) == 2
    back = loads(written, "bibtex")
    assert back[0].title.split() == ref.title.split()
    assert "".join(text.split()) in "".join((back[0].note or "").split())


def test_audit_markdown_line_separators_do_not_break_table_rows() -> None:
    from refkit.model import Finding
    from refkit.pipeline import RunResult
    from refkit.report import audit_markdown

    raw = "Deza G\u2028| (2016)\u2029Morphea"
    finding = Finding("not-found", "info", raw, citations=(Citation(raw),))
    md = audit_markdown(RunResult(citations=[Citation(raw)], findings=[finding]))
    rows = [line for line in md.splitlines() if line.startswith("| info")]
    assert len(rows) == 1 and "\u2028" not in md and "\u2029" not in md


# -- 17. "<![" not followed by a name stopped the HTML reader with Python's AssertionError --


@pytest.mark.parametrize("declaration", ["<![[[[DOCTYPE html", "<![ x", "<![1]>"])
def test_html_marked_section_without_a_name_does_not_crash(declaration: str) -> None:
    from refkit.extract import extract_text

    page = (
        f"{declaration}<html><body><h2>References</h2><ol>"
        "<li>Deza G (2016) Solitary morphea. Acta Derm Venereol 96:418-419</li></ol></body></html>"
    )
    assert [c.raw for c in extract_text(page, kind="html")] == [
        "Deza G (2016) Solitary morphea. Acta Derm Venereol 96:418-419"
    ]


# -- 18. the test server could not reset a connection (the fault a proxy or a crashing server gives) --


def test_server_connection_reset_fault(crossref_server: CrossrefServer) -> None:
    import urllib.request

    crossref_server.connection_reset(times=1, routes="list")
    with pytest.raises(ConnectionResetError):
        urllib.request.urlopen(f"{crossref_server.url}/works?query=morphea", timeout=5)
    with urllib.request.urlopen(f"{crossref_server.url}/works?query=morphea", timeout=5) as answer:
        assert answer.status == 200
    assert [(e.route, e.status, e.fault) for e in crossref_server.log] == [("list", 0, "reset"), ("list", 200, None)]


def _run_with_client(server: CrossrefServer, inputs: list[Path], cache: Path):  # returns a RunResult
    from refkit.pipeline import run
    from refkit.registry import CrossrefClient

    client = CrossrefClient(
        server.url, "t@example.org", cache=cache, backoff=0.05, max_wait=0.2, search_rate=200.0, single_rate=200.0
    )
    try:
        return run(inputs, None, registry=client)
    finally:
        client.close()


def test_persistent_connection_resets_give_up_and_a_rerun_completes(
    crossref_server: CrossrefServer, tmp_path: Path
) -> None:
    import time

    inputs = _seed_and_dois(tmp_path)
    crossref_server.connection_reset(times=100_000)
    start = time.monotonic()
    result = _run_with_client(crossref_server, inputs, tmp_path / "c.sqlite")
    assert result.registry_note and time.monotonic() - start < 20
    assert result.summary()["unverified"] == 21
    crossref_server.reset()
    assert _run_with_client(crossref_server, inputs, tmp_path / "c.sqlite").summary()["unverified"] == 0


def test_a_few_connection_resets_are_retried(crossref_server: CrossrefServer, tmp_path: Path) -> None:
    crossref_server.connection_reset(times=3)
    result = _run_with_client(crossref_server, _seed_and_dois(tmp_path), tmp_path / "c.sqlite")
    assert result.summary()["unverified"] == 0


# -- 19. the Markdown link pattern backtracked over the rest of the text: "[[[[...]" took seconds, worse ones minutes


@pytest.mark.parametrize("text", ["[" * 30_000 + "]", "[" * 1000 + "x](" + "z" * 3000])
def test_markdown_link_pattern_takes_linear_time(text: str) -> None:
    import time

    from refkit.extract.markup import markdown_to_text

    start = time.monotonic()
    assert markdown_to_text(f"{text}\n[Deza G](https://doi.org/10.2340/00015555-2271) (2016)").endswith(
        "Deza G https://doi.org/10.2340/00015555-2271 (2016)"
    )
    assert time.monotonic() - start < 2  # 7 and 11 s before (quadratic and worse); milliseconds now


# -- 20. BibTeX names: a long run of spaces in an author field took quadratic time (seconds for a mutated file) --


def test_bibtex_name_list_with_a_long_run_of_spaces_is_read_quickly() -> None:
    import time

    from refkit.export import loads
    from refkit.model import Person

    start = time.monotonic()
    refs = loads("@article{a, author = {Deza," + " " * 40_000 + "G and Pujol, RM}, title = {T}}", "bibtex")
    assert refs[0].author == (Person("Deza", "G"), Person("Pujol", "RM"))
    assert time.monotonic() - start < 2


# -- 21. HTML: many "<" with no ">" after them took quadratic time in Python's HTML parser (seconds for 100 KB) --


def test_html_with_many_unclosed_tags_at_the_end_is_read_quickly() -> None:
    import time

    from refkit.extract import extract_text

    page = (
        "<html><body><h2>References</h2><ol><li>Deza G (2016) Solitary morphea. Acta Derm Venereol 96:418-419</li>"
        "</ol>" + '<i x="' * 8000
    )
    start = time.monotonic()
    assert extract_text(page, kind="html")[0].raw == "Deza G (2016) Solitary morphea. Acta Derm Venereol 96:418-419"
    assert time.monotonic() - start < 2  # 10 s before


# -- 22. RIS: a long run of spaces in a field took quadratic time to write (seconds for a mutated reference) --


def test_ris_field_with_a_long_run_of_spaces_is_written_quickly() -> None:
    import time

    from refkit.export import as_clusters, dumps, loads
    from refkit.model import Reference

    start = time.monotonic()
    text = dumps(as_clusters([Reference(title="Solitary" + " " * 40_000 + "morphea \n cutis")]), "ris")
    assert time.monotonic() - start < 2
    assert loads(text, "ris")[0].title == "Solitary" + " " * 40_000 + "morphea cutis"


# -- found by bench/fuzz.py after the first runs --


def test_unbalanced_markup_in_a_title_does_not_recurse() -> None:
    from refkit.export import loads
    from refkit.registry.convert import plain_text, rich_text

    assert plain_text("<i>x") == rich_text("<i>x") == "x"
    assert rich_text("a</b>c") == "ac"
    assert len(loads('[{"type": "book", "title": "<i>x"}]', "csljson")) == 1


def test_pdf_text_far_off_the_page_is_read_quickly(tmp_path: Path) -> None:
    import time

    from pdfbuild import Text, write_pdf

    from refkit.extract import extract

    lines = [Text(56, 90, "References")]
    lines += [Text(56, 110 + 12 * n, f"{n}. Author{n} A (2001) A title number {n}. J Foo {n}:1-2") for n in range(1, 9)]
    lines.append(Text(9_000_000, 300, "drawn far off the page by a damaged file, twelve characters long"))
    path = write_pdf(tmp_path / "far.pdf", [lines])
    start = time.monotonic()
    citations = extract(path)
    assert time.monotonic() - start < 5
    assert [c.source.label for c in citations if c.source] == [str(n) for n in range(1, 9)]


def test_author_year_start_pattern_does_not_backtrack_for_ever() -> None:
    import time

    from refkit.extract.pdf.common import _AUTHOR_YEAR_START_RE

    # capitals, commas and "&" before a year that closes a bracket: the pattern without its possessive run
    # took more than 200 s on this line
    line = (
        "SMITHSON, JONESBURG, ANDERSSON, WILKINSON & BROWNING, 2014). In light of this the study we made shows "
        "that the results of the trial"
    )
    start = time.monotonic()
    assert _AUTHOR_YEAR_START_RE.match(line) is None
    assert time.monotonic() - start < 1
    assert _AUTHOR_YEAR_START_RE.match("Roller, Edeltraud, 1992: Frauen") is not None


# -- found by bench/fuzz.py (seed 2026): Word files and CSL-JSON that raised instead of being refused --


def _zip_with(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_docx_part_declaring_an_unknown_encoding_is_refused_not_raised(tmp_path: Path) -> None:
    from refkit.errors import InputError
    from refkit.extract import extract

    path = tmp_path / "a.docx"
    path.write_bytes(_zip_with({"word/document.xml": b'<?xml version="1.0" encoding="utf-8pr"?><w:document/>'}))
    with pytest.raises(InputError, match="malformed XML"):
        extract(path)


def test_docx_zip_of_an_unsupported_version_is_refused_not_raised(tmp_path: Path) -> None:
    from refkit.errors import InputError
    from refkit.extract import extract

    data = bytearray(_zip_with({"word/document.xml": b"<w:document/>"}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 6 : central + 8] = (155).to_bytes(2, "little")  # "version needed to extract" 15.5
    path = tmp_path / "a.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError):
        extract(path)


def test_csljson_date_part_of_infinity_is_no_date() -> None:
    from refkit.export import loads

    [ref] = loads('[{"type": "article-journal", "title": "T", "issued": {"date-parts": [[Infinity]]}}]', "csljson")
    assert ref.title == "T" and ref.issued == ()


def test_ris_value_with_breaks_between_runs_of_spaces_stays_on_one_line() -> None:
    """A line break after spaces after another break (found by bench/fuzz.py, ris-dumps seed 2026) was kept."""
    from refkit.export import as_clusters, dumps, loads
    from refkit.model import Person, Reference

    person = Person("Angles", "N.", suffix="Sr\t\t\u2029\t   \t\nTY  - JOUR\n\t")
    text = dumps(as_clusters([Reference(raw="x", title="Real", author=(person,))]), "ris")
    assert [r.title for r in loads(text, "ris")] == ["Real"]
    assert "\nTY  - JOUR" not in text.split("\n", 1)[1]


def test_parse_of_a_long_run_of_spaces_after_a_sentence_is_quick() -> None:
    """A run of 5,844 spaces after the last full stop took 25 s in the journal repair (found by bench/fuzz.py)."""
    import time

    from refkit.parse import parse

    raw = (
        "SINGER, F. J., C. M. PAPOUCHIS, AND K. K. SYMONDS. 2000B. TRANSLOCATIONS AS A TOOL FOR RESTORING POPULATIONS"
        " OF BIGHORN SHEEP. RESTORATION ECOLOGY 8: 6 -13." + " " * 6000
    )
    clock = time.perf_counter()
    ref = parse(raw)
    assert time.perf_counter() - clock < 2.0
    assert ref.raw == raw
