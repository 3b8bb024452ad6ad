"""audit.html in a real headless browser: input markup is shown as text, never rendered or run; filters work.

Needs a Chromium binary (Debian: ``apt-get install -y chromium``); skipped with the reason when there is none.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refkit.pipeline import run
from refkit.report import write_audit

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome", "chrome") if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium binary on PATH (apt-get install -y chromium)")

REFERENCES = (
    "1. Smith J (2001) Calcinosis <script>document.body.setAttribute('data-pwned','1')</script> cutis "
    "<b>bold</b> <img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">. Dermatologist 3: 1-2\n"
    "2. Lai CH (2003) Congenital calcinosis cutis of the ear. J Am Acad Dermatol 49: 122-124\n"
    "3. Larralde M (2003) Calcinosis cutis following liver transplantation. Pediatric Dermatol 20: 225-228\n"
)


def _dump(page: Path, profile: Path, fragment: str = "") -> str:
    assert BROWSER is not None
    args = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri() + fragment,
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    (folder / "article.txt").write_text("Text.\n\nReferences\n\n" + REFERENCES, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    # the rule parser reads the translated journal behind the markup; this file tests the report, not parsing
    result = run([folder], None, registry=None, parser="rules")
    write_audit(result, out, with_html=True)
    return out / "audit.html"


def test_markup_in_a_reference_is_shown_as_text_and_never_run(page: Path, tmp_path: Path) -> None:
    dom = _dump(page, tmp_path / "profile")
    body = dom[dom.index("<body") :]
    assert 'data-ready="1"' in body  # the page's own script ran, so an input script would have had its chance
    assert "data-pwned" not in body.split(">", 1)[0]
    assert "<b>bold</b>" not in dom and "<img src" not in dom
    assert "&lt;b&gt;bold&lt;/b&gt;" in dom  # visible as text
    assert "&lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt;" in dom
    rows = re.findall(r'<tr data-severity="(\w+)"[^>]*?(?: class="([^"]*)")?>', dom)
    assert rows and all("hidden" not in (cls or "") for _, cls in rows)
    assert f"{len(rows)} of {len(rows)} findings shown" in dom


def test_filters_from_the_address_hide_rows_in_the_browser(page: Path, tmp_path: Path) -> None:
    dom = _dump(page, tmp_path / "profile", "#code=journal-mismatch")
    rows = re.findall(r'<tr data-severity="\w+" data-code="([\w-]+)"[^>]*?(?: class="([^"]*)")?>', dom)
    shown = [code for code, cls in rows if "hidden" not in (cls or "")]
    assert shown == ["journal-mismatch"] and len(rows) > 1
    assert f"1 of {len(rows)} findings shown" in dom
