"""What Zotero and its CSL processor, citeproc-js, make of refkit's exports, checked with the real processor.

The exports follow Zotero's conventions (initials written apart, both forms of a journal's name, Crossref markup
removed, a book's page count as ``number-of-pages``); refkit's own bibliographies (citeproc-py) are compared with
citeproc-js from npm (``tests/js/render.js``) on the recorded Crossref records of tests/data/crossref. These tests
are skipped when Node or tests/js/node_modules is missing: run ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from refkit.export import as_clusters, loads
from refkit.export.csljson import to_item
from refkit.format import _ET_AL_NAME, _csl_path, _fix_et_al, format_bibliography, journal_forms, resolve_style
from refkit.model import Cluster, Person, Reference
from refkit.registry import to_reference

ROOT = Path(__file__).parent.parent
JS = Path(__file__).parent / "js"
DATA = Path(__file__).parent / "data" / "crossref"


def _locales() -> Path:
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


def citeproc_js(items: list[dict[str, Any]], style: str) -> list[str]:
    """The bibliography citeproc-js prints for ``items`` (plain text, one string per entry, in its order)."""
    if shutil.which("node") is None or not (JS / "node_modules" / "citeproc").is_dir():
        pytest.skip("citeproc-js is not installed: npm ci --prefix tests/js")
    run = subprocess.run(
        ["node", str(JS / "render.js"), str(_csl_path(resolve_style(style))), str(_locales()), "-"],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [row["entry"] for row in json.loads(run.stdout)]


def zotero_item(ref: Reference, key: str) -> dict[str, Any]:
    """refkit's CSL-JSON export of ``ref`` as Zotero holds it (journal forms filled, no provenance note)."""
    ref = journal_forms(ref)
    item = to_item(Cluster(id=key, citations=(ref,), canonical=ref), key)
    item.pop("note", None)
    if ref.et_al and item.get("author"):
        item["author"].append({"family": _ET_AL_NAME})
    return item


def rendered_by_both(refs: list[Reference], style: str) -> tuple[list[str], list[str]]:
    items = [zotero_item(ref, f"r{i}") for i, ref in enumerate(refs, 1)]
    return format_bibliography(refs, style, order="cited"), [_fix_et_al(e) for e in citeproc_js(items, style)]


def crossref_records() -> list[Reference]:
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                records.setdefault(str(record.get("DOI", "")).lower(), record)
    for path in sorted(DATA.glob("work*/*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        for record in (message.get("items") or []) if isinstance(message, dict) and "items" in message else [message]:
            if isinstance(record, dict) and record.get("DOI"):
                records.setdefault(str(record["DOI"]).lower(), record)
    return [to_reference(r) for r in records.values()]


# ----------------------------------------------------------------------------------------------------
# The real processor


# Agreement measured on the recorded records (bench/format_agreement.py prints the same on all 1,304); a drop
# below these shares means a change moved refkit's output away from what Zotero prints.
@pytest.mark.parametrize(
    "style,share,hyphen",
    [("vancouver", 0.90, True), ("american-medical-association", 0.88, False), ("nature", 0.88, False)],
)
def test_refkit_bibliographies_agree_with_citeproc_js(style: str, share: float, hyphen: bool) -> None:
    refs = crossref_records()
    assert len(refs) >= 150
    ours, theirs = rendered_by_both(refs, style)
    if hyphen:  # NLM styles: refkit prints page ranges with a hyphen, as Citing Medicine does
        theirs = [t.replace("\u2013", "-") for t in theirs]
        ours = [o.replace("\u2013", "-") for o in ours]
    left = Counter(theirs)
    same = 0
    for entry in ours:
        if left[entry]:
            left[entry] -= 1
            same += 1
    assert same / len(refs) >= share, f"{same}/{len(refs)} entries agree with citeproc-js in {style}"


def test_initials_are_written_apart_so_citeproc_js_keeps_both() -> None:
    ref = Reference(
        author=(Person("Deza", "G"), Person("Sánchez-Schmidt", "JM"), Person("Pujol", "R.M.")),
        issued=(2016,),
        title="Solitary plaque-type morphea",
        container_title="Acta Derm Venereol",
        volume="96",
        page="418-419",
    )
    ours, theirs = rendered_by_both([ref], "vancouver")
    assert theirs == [
        "1. Deza G, Sánchez-Schmidt JM, Pujol RM. Solitary plaque-type morphea. Acta Derm Venereol. 2016;96:418–9."
    ]
    assert ours == [theirs[0].replace("418–9", "418-9")]
    # the same names in the three formats
    assert '"given": "J. M."' in loads_text([ref], "csljson")
    assert "Sánchez-Schmidt, J. M. and Pujol, R. M." in loads_text([ref], "bibtex")
    assert "AU  - Sánchez-Schmidt, J. M." in loads_text([ref], "ris")


def loads_text(refs: list[Reference], fmt: str) -> str:
    from refkit.export import dumps

    return dumps(as_clusters(refs), fmt)


@pytest.mark.parametrize("style", ["vancouver", "apa"])
def test_full_journal_title_or_abbreviation_alone_both_print(style: str) -> None:
    base = Reference(
        author=(Person("Danby", "F. W."),),
        issued=(2002,),
        title="Depression in an elderly man",
        volume="287",
        issue="24",
        page="3210-3211",
    )
    full = base.replace(container_title="JAMA: The Journal of the American Medical Association")
    short = base.replace(container_title_short="JAMA")
    ours, theirs = rendered_by_both([full, short], style)
    if style == "vancouver":  # the abbreviation either way: from the journal lists, or as given
        assert [o.split(" ", 1)[1] for o in ours] == [
            "Danby FW. Depression in an elderly man. JAMA. 2002;287(24):3210-1."
        ] * 2
        assert [t.replace("\u2013", "-") for t in theirs] == ours
    else:  # APA prints the full title when there is one, else the abbreviation (one at a time: citeproc-js
        # would tell the two apart as 2002a and 2002b, which citeproc-py does not do)
        ours = [rendered_by_both([ref], style)[0][0] for ref in (full, short)]
        assert [rendered_by_both([ref], style)[1][0] for ref in (full, short)] == ours
        assert "JAMA: The Journal of the American Medical Association, 287(24)" in ours[0]
        assert "JAMA, 287(24)" in ours[1]


def test_the_offline_demo_agrees_with_citeproc_js_in_vancouver() -> None:
    from refkit.format import load_library

    works = load_library([ROOT / "data" / "articles"]).works
    # with the journal as parsed, as a full title plus journalAbbreviation, and as journalAbbreviation only
    variants = [
        works,
        [w.replace(container_title=None, container_title_short=w.container_title) for w in works],
    ]
    for refs in variants:
        ours, theirs = rendered_by_both(refs, "vancouver")
        assert ours == [t.replace("\u2013", "-") for t in theirs]


# ----------------------------------------------------------------------------------------------------
# Crossref API JSON in, Zotero conventions out


def test_crossref_api_json_is_read_by_refkit_export(tmp_path: Path) -> None:
    response = next(iter(sorted(DATA.glob("work/*.json"))))
    refs = loads(response.read_text(encoding="utf-8"), "csljson")
    message = json.loads(response.read_text(encoding="utf-8"))["message"]
    assert len(refs) == 1 and refs[0].doi == message["DOI"]
    assert refs[0] == to_reference(message).replace(raw=refs[0].raw, source=refs[0].source)


def test_crossref_markup_is_removed_and_book_page_counts_kept() -> None:
    record = {
        "DOI": "10.1/x",
        "type": "journal-article",
        "title": [
            "Review of &lt;scp&gt;MMC‐HVDC&lt;/scp&gt; control in <i>E. coli</i>, p < 0.05, "
            '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msub><mml:mi>H</mml:mi>'
            "<mml:mn>2</mml:mn></mml:msub></mml:math>"
        ],
    }
    assert to_reference(record).title == "Review of MMC‐HVDC control in E. coli, p < 0.05, H2"
    book = to_reference({"DOI": "10.1/b", "type": "monograph", "title": ["B"], "page": "250"})
    assert (book.page, book.note) == (None, "number-of-pages: 250")
    item = json.loads(loads_text([book], "csljson"))[0]
    assert item["note"].splitlines()[0] == "number-of-pages: 250"  # Zotero's Extra reads it as the page count
    chapter = to_reference({"DOI": "10.1/c", "type": "book-chapter", "title": ["C"], "page": "25-30"})
    assert (chapter.page, chapter.note) == ("25-30", None)
