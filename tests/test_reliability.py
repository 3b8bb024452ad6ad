"""Regression tests for inputs and registry faults that once broke a run or silently lost a check.

Each test is named after the defect it keeps away.
"""

from __future__ import annotations

import json
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


def test_unanswered_doi_check_is_a_finding_and_exit_5(
    crossref_server: CrossrefServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _write(tmp_path, "dois.txt", DOI_LIST)
    # every DOI look-up fails, batch and single; the searches (list requests after the batch) are answered
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
    assert "8 written DOI(s) unchecked" in captured.err or "written DOI(s) unchecked" in captured.err
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    unchecked = [f for f in doc["findings"] if f["code"] == "doi-unchecked"]
    # the two DOIs the search found again are checked by it; the six others are reported, each with its DOI
    assert sorted(f["evidence"]["cited"] for f in unchecked) == sorted(
        f"10.5555/not-registered-{n}" for n in range(3, 9)
    )
    assert all(f["severity"] == "warning" for f in unchecked)

    # a rerun with Crossref well again asks the unchecked DOIs again and completes the checks
    crossref_server.reset()
    assert _cli(crossref_server, tmp_path, "run", str(article), "-o", str(out), "--no-progress") == 0
    assert _codes(out).count("doi-unresolved") == 6 and "doi-unchecked" not in _codes(out)
