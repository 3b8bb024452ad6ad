"""Unusable documents in a run: each gets one clear line and is listed in audit.json; every other input is processed
and the run exits 3."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from demo_articles import PDF_NAME, PDF_REFERENCES
from pdfbuild import Text, write_many_pages, write_pdf

from refkit.cli import main

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


def _bad_documents(folder: Path) -> dict[str, str]:
    """Write the bad documents; returns each file's name and the words its line must hold."""
    write_pdf(folder / "scan.pdf", [[]], image_only=True)
    page = [Text(56, 90, "References"), Text(56, 110, "1. Smith J (2001) A title. J Foo 1:2-3")]
    write_pdf(folder / "locked.pdf", [page], user_password="secret")
    whole = write_pdf(folder / "whole.pdf", [page]).read_bytes()
    (folder / "whole.pdf").unlink()
    (folder / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    with zipfile.ZipFile(folder / "manuscript.docx", "w") as archive:
        archive.writestr("photos/holiday.jpg", b"\xff\xd8\xff\xe0 not a document")
    write_many_pages(folder / "huge.pdf", 10_000)
    return {
        "scan.pdf": "no text layer: run OCR first",
        "locked.pdf": "password",
        "truncated.pdf": "damaged",
        "manuscript.docx": "without a Word document inside",
        "huge.pdf": "10,000 pages",
    }


def test_bad_documents_each_give_one_line_and_the_rest_is_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    expected = _bad_documents(folder)
    (folder / PDF_NAME).write_bytes((ARTICLES / PDF_NAME).read_bytes())
    seed = sorted(ARTICLES.glob("*.txt"))[0]
    (folder / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    code = main(["run", str(folder), "-o", str(out), "--offline", "--no-cache", "--no-progress"])
    err = capsys.readouterr().err.splitlines()
    assert code == 3
    for name, words in expected.items():
        lines = [line for line in err if f"{name}:" in line]
        assert len(lines) == 1 and words in lines[0], (name, lines)
        assert lines[0].startswith("refkit: ")
    assert not any("Traceback" in line for line in err)
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    raws = [c["raw"] for w in doc["works"] for c in w["citations"]]
    assert len(raws) == 10 + len(PDF_REFERENCES)
    assert set(PDF_REFERENCES) <= set(raws)
    failed = {Path(i["file"]).name for i in doc["inputs"] if i.get("problems")}
    assert failed == set(expected)


def test_an_opendocument_file_says_what_to_do(tmp_path: Path) -> None:
    from refkit.errors import InputError
    from refkit.extract import extract

    path = tmp_path / "chapter.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InputError, match=r"chapter\.odt: an OpenDocument file .*save it as \.docx or PDF"):
        extract(path)
