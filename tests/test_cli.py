"""The refkit command: bad inputs, exit codes and the jsonl contracts of parse, match and dedupe."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from refkit.cli import main
from refkit.extract import extract
from refkit.testing import CrossrefServer

DEZA = "10.2340/00015555-2271"
POORMOGHIM = "10.1111/jcpt.12340"
LINES = [
    "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol 96:418-419",
    "Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467",
    "Poormoghim H et al (2016) Systemic sclerosis and calcinosis cutis: response to rituximab. "
    "J Clin Pharm Ther 41: 94-96",
    "Deza G et al (2015) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol "
    "doi: 10.2340/00015555-2271",
]
LATIN1_ARTICLE = (
    "Einleitung\n\nLiteratur\n"
    "1. Müller K, Größer H (2001) Kalzinose der Haut. Hautarzt 52: 100-104\n"
    "2. Böhm W (1999) Über die Kalzinose. Hautarzt 50: 1-5\n"
)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def _jsonl(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def _offline(tmp_path: Path) -> list[str]:
    return ["--offline", "--cache", str(tmp_path / "empty.sqlite"), "--no-progress"]


def _seed_raws(seed_articles: Path) -> list[str]:
    return [c.raw for path in sorted(seed_articles.glob("*.txt")) for c in extract(path)]


# -- bad input --

BAD: dict[str, Callable[[Path], Path]] = {
    "empty": lambda d: _write(d / "empty.txt", b""),
    "binary": lambda d: _write(d / "binary.txt", bytes(range(256)) * 20),
    "no-reference-list": lambda d: _write(d / "prose.txt", b"Introduction.\n\nJust prose, no list at all.\n"),
    "10-mb-line": lambda d: _write(d / "long.txt", b"x" * 10_000_000 + b"\n"),
    "missing": lambda d: d / "no-such-article.txt",
}
MESSAGES = {
    "empty": "empty file",
    "binary": "binary file",
    "no-reference-list": "no reference list",
    "10-mb-line": "no reference list",
    "missing": "no such file",
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_next_to_good_ones_exits_3_and_keeps_the_rest(
    kind: str, seed_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = BAD[kind](tmp_path)
    out = tmp_path / "out"
    code = main(["run", str(bad), str(seed_articles), "-o", str(out), *_offline(tmp_path)])
    captured = capsys.readouterr()
    assert code == 3
    assert "Traceback" not in captured.err
    problem = [line for line in captured.err.splitlines() if line.startswith(f"refkit: {bad}")]
    assert any(MESSAGES[kind] in line for line in problem), captured.err
    assert all(len(line) < 300 for line in captured.err.splitlines())  # never echoes the input back
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert sorted(c["raw"] for w in doc["works"] for c in w["citations"]) == sorted(_seed_raws(seed_articles))
    assert doc["summary"]["inputs_failed"] == 1
    assert any(i["file"] == str(bad) and i["problems"] for i in doc["inputs"])


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_alone_exits_4(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = BAD[kind](tmp_path)
    code = main(["run", str(bad), "-o", str(tmp_path / "out"), *_offline(tmp_path)])
    captured = capsys.readouterr()
    assert code == 4
    assert "Traceback" not in captured.err
    assert MESSAGES[kind] in captured.err
    assert "0 references" in captured.out


def test_latin1_article_is_read_with_a_warning(
    seed_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _write(tmp_path / "latin1.txt", LATIN1_ARTICLE.encode("latin-1"))
    out = tmp_path / "out"
    code = main(["run", str(article), str(seed_articles), "-o", str(out), *_offline(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    warnings = [line for line in captured.err.splitlines() if "UTF-8" in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"refkit: {article}")
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    raws = [c["raw"] for w in doc["works"] for c in w["citations"]]
    assert "Müller K, Größer H (2001) Kalzinose der Haut. Hautarzt 52: 100-104" in raws
    assert "Böhm W (1999) Über die Kalzinose. Hautarzt 50: 1-5" in raws
    assert len(raws) == 15
    assert "Größer" in (out / "references.bib").read_text(encoding="utf-8")


def test_parse_empty_stdin_gives_zero_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # one output line per input line: no input, no output, and that is a success
    _stdin(monkeypatch, "")
    code = main(["parse", "-"])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (0, "", "")


def test_no_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: refkit" in captured.err and "run" in captured.err


def test_bad_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "x", "-o", "y", "--retries", "many"])
    assert exit_info.value.code == 2
    assert "--retries" in capsys.readouterr().err


# -- jsonl contracts --


def test_parse_jsonl_contract(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, "\n".join(LINES) + "\n")
    assert main(["parse", "-", "--format", "jsonl"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert [r["raw"] for r in rows] == LINES
    first, _, third, fourth = rows
    assert first["author"] == [{"family": "Deza", "given": "G"}]
    assert first["issued"] == {"date-parts": [[2016]]}
    assert first["title"] == "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis"
    assert first["container-title"] == "Acta Derm Venereol"
    assert (first["volume"], first["page"]) == ("96", "418-419")
    assert third["container-title"] == "J Clin Pharm Ther" and third["page"] == "94-96"
    assert fourth["DOI"] == DEZA and "volume" not in fourth
    # CSL variable names only, never Python attribute names
    assert not {"container_title", "doi", "issued_year"} & {k for r in rows for k in r}


def test_match_jsonl_contract(
    crossref_server: CrossrefServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, "\n".join(LINES) + "\n")
    code = main(
        [
            "match",
            "-",
            "--crossref-url",
            crossref_server.url,
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--search-rate",
            "200",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    rows = _jsonl(captured.out)
    assert [r["raw"] for r in rows] == LINES
    assert [(r["status"], r["DOI"]) for r in rows] == [
        ("matched", DEZA),
        ("unmatched", None),
        ("matched", POORMOGHIM),
        ("matched", DEZA),
    ]
    assert all(isinstance(r["confidence"], float) and isinstance(r["evidence"], dict) for r in rows)
    assert rows[0]["confidence"] >= 0.9 and rows[0]["evidence"]["title"] == 1.0
    assert rows[1]["confidence"] < 0.5


def test_dedupe_jsonl_contract(
    crossref_server: CrossrefServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, "\n".join(LINES) + "\n")
    code = main(
        [
            "dedupe",
            "-",
            "--crossref-url",
            crossref_server.url,
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--search-rate",
            "200",
        ]
    )
    rows = _jsonl(capsys.readouterr().out)
    assert code == 0
    assert [r["raw"] for r in rows] == LINES
    clusters = [r["cluster"] for r in rows]
    assert clusters[0] == clusters[3]
    assert len(set(clusters)) == 3


def test_dedupe_offline_still_clusters_the_deza_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "\n".join(LINES) + "\n")
    assert main(["dedupe", "-", *_offline(tmp_path)[:-1]]) == 0
    clusters = [r["cluster"] for r in _jsonl(capsys.readouterr().out)]
    assert clusters == ["w1", "w2", "w3", "w1"]


def test_match_with_crossref_down_exits_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _stdin(monkeypatch, "\n".join(LINES) + "\n")
    code = main(
        [
            "match",
            "-",
            "--crossref-url",
            f"http://127.0.0.1:{port}",
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--timeout",
            "1",
            "--retries",
            "1",
        ]
    )
    captured = capsys.readouterr()
    assert code == 5
    assert [r["status"] for r in _jsonl(captured.out)] == ["unverified"] * 4
    assert len(captured.err.splitlines()) == 1 and "could not be reached" in captured.err


# -- the installed command --


def test_installed_command_runs_the_seeds(crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("refkit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "refkit.cli"]
    env = {**os.environ, "REFKIT_CACHE": str(tmp_path / "c.sqlite")}
    done = subprocess.run(
        [
            *command,
            "run",
            str(seed_articles),
            "-o",
            str(tmp_path / "out"),
            "--crossref-url",
            crossref_server.url,
            "--no-progress",
            "--search-rate",
            "200",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 file(s), 13 references: 13 parsed, 3 matched")
    assert "12 works after de-duplication" in done.stdout
    assert (tmp_path / "c.sqlite").exists()
    assert crossref_server.count() > 0
    doc = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    assert doc["summary"]["works"] == 12


def test_export_converts_between_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.json"
    source.write_text(
        '[{"id": "a", "type": "article-journal", "title": "Calcinosis cutis universalis", "volume": "16", '
        '"page": "621-624", "author": [{"family": "Ogretmen", "given": "Z"}], "issued": {"date-parts": [[2002]]}}]',
        encoding="utf-8",
    )
    assert main(["export", str(source), "-o", str(tmp_path / "out.ris")]) == 0
    ris = (tmp_path / "out.ris").read_text(encoding="utf-8")
    assert "TI  - Calcinosis cutis universalis" in ris and "AU  - Ogretmen, Z" in ris and "SP  - 621" in ris
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    assert main(["export", str(broken), "-o", str(tmp_path / "x.bib")]) == 4
    assert main(["export", str(broken), str(source), "-o", str(tmp_path / "y.bib")]) == 3
    err = capsys.readouterr().err
    assert "broken.json" in err and "Traceback" not in err


def test_run_with_library_links_known_works_and_exports_only_new_ones(
    seed_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = tmp_path / "library.json"
    library.write_text(
        '[{"id": "zotero-1", "type": "article-journal", "title": "Calcinosis cutis universalis", '
        '"author": [{"family": "Ogretmen", "given": "Z"}], "issued": {"date-parts": [[2002]]}, '
        '"container-title": "J Eur Acad Dermatol Venereol", "volume": "16", "page": "621-624"}]',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(["run", str(seed_articles), "-o", str(out), "--offline", "--no-cache", "--library", str(library)])
    assert code == 0
    items = json.loads((out / "references.json").read_text(encoding="utf-8"))
    assert len(items) == 11 and not any(i.get("title") == "Calcinosis cutis universalis" for i in items)
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    linked = [f for f in audit["findings"] if f["code"] == "in-library"]
    assert len(linked) == 1 and "Ogretmen" in linked[0]["citations"][0]["raw"]
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    assert main(["run", str(seed_articles), "-o", str(out), "--offline", "--no-cache", "--library", str(broken)]) == 4
    assert "broken.json" in capsys.readouterr().err


def test_run_with_snapshot_matches_offline(seed_articles: Path, crossref_records_dir: Path, tmp_path: Path) -> None:
    import shutil

    snapshot = tmp_path / "crossref"
    shutil.copytree(crossref_records_dir, snapshot)
    out = tmp_path / "out"
    assert main(["run", str(seed_articles), "-o", str(out), "--snapshot", str(snapshot), "--no-progress"]) == 0
    works = json.loads((out / "audit.json").read_text(encoding="utf-8"))["works"]
    assert {w["DOI"] for w in works if w["status"] == "matched"} == {"10.2340/00015555-2271", "10.1111/jcpt.12340"}
    assert (tmp_path / "crossref.refkit-index.sqlite").exists()
