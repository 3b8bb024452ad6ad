"""Reports: the terminal table, audit.json, audit.md and audit.html (escaping, embedded data, files written)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refkit.model import Citation, Finding, Source
from refkit.pipeline import RunResult, run
from refkit.report import audit_document, audit_html, render_table, write_audit

MARKUP = "<script>document.body.dataset.pwned='1'</script> <b>bold</b> </script><!-- &amp;"


def test_render_table_aligns_columns_and_wraps_long_messages() -> None:
    findings = [
        Finding("journal-mismatch", "error", "Z Skinkr is a translation. " * 6, (Citation("x", Source("a/b.txt", 6)),)),
        Finding("not-found", "info", "Not found.", (Citation("y", Source("c.txt", 12, label="12")),), cluster="w12"),
    ]
    lines = render_table(findings, width=80).splitlines()
    assert lines[0].split() == ["SEVERITY", "CODE", "WORK", "CITATION", "MESSAGE"]
    start = lines[0].index("MESSAGE")
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].startswith("error") and lines[1][start:].startswith("Z Skinkr")
    assert lines[2][:start].strip() == "" and lines[2][start:].startswith("is a translation")  # wrapped under MESSAGE
    last = lines[-1]
    assert last.split()[:4] == ["info", "not-found", "w12", "c.txt#12"] and last[start:] == "Not found."


@pytest.fixture(scope="module")
def markup_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    folder = tmp_path_factory.mktemp("in")
    (folder / "article.txt").write_text(
        "Text.\n\nReferences\n\n"
        f"1. Smith J (2001) Calcinosis {MARKUP} cutis. Dermatologist 3: 1-2\n"
        "2. Lai CH (2003) Congenital calcinosis cutis of the ear. J Am Acad Dermatol 49: 122-124\n",
        encoding="utf-8",
    )
    # the rule parser reads the translated journal behind the markup; this file tests the report, not parsing
    return run([folder], None, registry=None, parser="rules")


def test_audit_html_escapes_every_piece_of_input(markup_run: RunResult) -> None:
    page = audit_html(markup_run)
    assert "<b>bold</b>" not in page and "<script>document" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "&lt;script&gt;document.body.dataset.pwned=&#x27;1&#x27;" in page
    script = re.search(r'<script type="application/json" id="audit-data">(.*?)</script>', page, re.S)
    assert script is not None
    data = script.group(1)
    assert "</" not in data and "<!--" not in data and "<" not in data
    assert json.loads(data) == json.loads(json.dumps(audit_document(markup_run)))
    assert page.count("<script") == 2  # the inert data and the page's own script: nothing from the input
    assert "http://" not in page.replace("http-equiv", "") and "https://" not in page  # no external resources


def test_audit_html_offers_filters_for_each_severity_code_and_file(markup_run: RunResult) -> None:
    page = audit_html(markup_run)
    codes = {f.code for f in markup_run.findings}
    assert "journal-mismatch" in codes
    for code in codes:
        assert f'<option value="{code}">' in page
    assert page.count('name="severity"') == 3
    assert page.count("<tr data-severity=") == len(markup_run.findings)
    assert f'<option value="{markup_run.inputs[0]}">' in page


def test_write_audit_writes_json_md_and_html(markup_run: RunResult, tmp_path: Path) -> None:
    paths = write_audit(markup_run, tmp_path, with_html=True)
    assert [p.name for p in paths] == ["audit.json", "audit.md", "audit.html"]
    doc = json.loads(paths[0].read_text(encoding="utf-8"))
    assert MARKUP in doc["works"][0]["citations"][0]["raw"]  # kept verbatim in the data
    assert [f["code"] for f in doc["findings"]] == [f.code for f in markup_run.findings]
    assert "<b>bold</b>" not in paths[2].read_text(encoding="utf-8")
    assert [p.name for p in write_audit(markup_run, tmp_path)] == ["audit.json", "audit.md"]
