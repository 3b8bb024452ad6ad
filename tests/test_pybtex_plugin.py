"""The pybtex input plugin ``refkit``: reached through pybtex's entry points, as Sphinx extensions reach it."""

from __future__ import annotations

import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pybtex import format_from_file
from pybtex.database import parse_file, parse_string
from pybtex.plugin import find_plugin

from refkit.export import as_clusters, citation_keys, dumps
from refkit.model import Person, Reference
from refkit.pybtex_plugin import Parser, references_from_text, to_bibliography_data

ROOT = Path(__file__).parent.parent
ARTICLE = ROOT / "data" / "articles" / "000_61b568b1287262a0.txt"
LINES = (
    "Cambiaghi S (2000) Fingertip calcinosis cutis. Cutis 66: 465-467\n"
    "Deza G et al (2016) Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis. Acta Derm Venereol 96:418-419\n"
    "\n"
    "Lai CH et al (2003) Congenital calcinosis cutis of the ear. J Am Acad Dermatol 49: 122-124\n"
)


@pytest.fixture
def reference_list(tmp_path: Path) -> Path:
    path = tmp_path / "refs.txt"
    path.write_text(LINES, encoding="utf-8")
    return path


def test_the_entry_point_is_installed() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="pybtex.database.input")}
    assert names.get("refkit") == "refkit.pybtex_plugin:Parser"
    assert find_plugin("pybtex.database.input", "refkit") is Parser


def test_one_reference_per_line(reference_list: Path) -> None:
    data = parse_file(str(reference_list), bib_format="refkit")
    assert list(data.entries) == ["cambiaghi2000fingertip", "deza2016solitary", "lai2003congenital"]
    deza = data.entries["deza2016solitary"]
    assert deza.type == "article"
    assert {k: deza.fields[k] for k in ("title", "journal", "shortjournal", "year", "volume", "pages")} == {
        "title": "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
        # the journal's full title from refkit's lists, the cited abbreviation in shortjournal (as Zotero holds both)
        "journal": "Acta Dermato-Venereologica",
        "shortjournal": "Acta Derm Venereol",
        "year": "2016",
        "volume": "96",
        "pages": "418--419",
    }
    assert [str(p) for p in deza.persons["author"]] == ["Deza, G", "others"]
    assert [str(p) for p in data.entries["cambiaghi2000fingertip"].persons["author"]] == ["Cambiaghi, S"]
    # The provenance note names the file, the position in the list and the line (line 4: a blank line is
    # skipped); it is LaTeX, as in the BibTeX export ("_" escaped).
    annote = data.entries["lai2003congenital"].fields["annote"].replace("\\_", "_")
    assert f"{reference_list}, reference 3, line 4: Lai CH et al (2003)" in annote


def test_an_article_reads_its_reference_list(tmp_path: Path) -> None:
    data = parse_file(str(ARTICLE), bib_format="refkit")
    assert len(data.entries) == 10
    assert list(data.entries)[:3] == ["cambiaghi2000fingertip", "deza2016solitary", "lai2003congenital"]
    assert data.entries["zouboulis1990calcinosis"].fields["pages"] == "212--217"


def test_entries_are_those_of_the_bibtex_export(reference_list: Path) -> None:
    refs = references_from_text(LINES, file=str(reference_list))
    exported = parse_string(dumps(as_clusters(refs), "bibtex"), "bibtex")
    data = parse_file(str(reference_list), bib_format="refkit")
    assert list(data.entries) == list(exported.entries) == citation_keys(refs)
    for key, entry in data.entries.items():
        assert dict(entry.fields) == dict(exported.entries[key].fields), key
        # Only "others" is added, for a list cut short in the source.
        people = [str(p) for p in entry.persons["author"]]
        assert [p for p in people if p != "others"] == [str(p) for p in exported.entries[key].persons["author"]]


def test_plain_and_unsrt_format_the_file_end_to_end(reference_list: Path) -> None:
    text = format_from_file(str(reference_list), "plain", bib_format="refkit", output_backend="plaintext")
    assert text.splitlines() == [
        "[1] S Cambiaghi. Fingertip calcinosis cutis. Cutis, 66:465–467, 2000.",
        "[2] G Deza and others. Solitary plaque-type morphea with dystrophic calcinosis cutis. "
        "Acta Dermato-Venereologica, 96:418–419, 2016.",
        "[3] C. H. Lai and others. Congenital calcinosis cutis of the ear. Journal of the American Academy of "
        "Dermatology, 49:122–124, 2003.",
    ]
    html = format_from_file(str(reference_list), "unsrt", bib_format="refkit", output_backend="html")
    assert "<em>Acta Dermato-Venereologica</em>, 96:418–419, 2016." in html


def test_keys_stay_unique_across_files(reference_list: Path, tmp_path: Path) -> None:
    second = tmp_path / "again.txt"
    shutil.copy(reference_list, second)
    data = Parser().parse_files([str(reference_list), str(second)])
    assert list(data.entries) == [
        "cambiaghi2000fingertip",
        "deza2016solitary",
        "lai2003congenital",
        "cambiaghi2000fingertipa",
        "deza2016solitarya",
        "lai2003congenitala",
    ]


def test_files_in_windows_1252_and_with_a_bom(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Bégon E (2014) Calcification. Int J Dermatol 53:e542-544\n".encode("cp1252"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffBégon E (2014) Calcification. Int J Dermatol 53:e542-544\n".encode())
    for path in (latin, bom):
        entry = parse_file(str(path), bib_format="refkit").entries["begon2014calcification"]
        assert str(entry.persons["author"][0]) == "Bégon, E"
    # An explicit encoding is honoured.
    entry = Parser(encoding="cp1252").parse_file(str(latin)).entries["begon2014calcification"]
    assert entry.fields["pages"] == "e542--544"


def test_unreadable_files_raise_pybtex_errors(tmp_path: Path) -> None:
    from pybtex.exceptions import PybtexError

    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(PybtexError, match="empty file"):
        parse_file(str(empty), bib_format="refkit")


def test_to_bibliography_data_takes_keys() -> None:
    refs = [Reference(title="A"), Reference(title="B", author=(Person(literal="World Health Organization"),))]
    data = to_bibliography_data(refs, ["k1", "k2"])
    assert list(data.entries) == ["k1", "k2"]
    assert str(data.entries["k2"].persons["author"][0]) == "{World Health Organization}"
    with pytest.raises(ValueError, match="1 keys for 2 references"):
        to_bibliography_data(refs, ["k1"])


def test_written_back_as_bibtex_for_tools_that_read_only_bib_files(reference_list: Path, tmp_path: Path) -> None:
    """sphinxcontrib-bibtex reads .bib files with pybtex's BibTeX parser; a conf.py can convert first."""
    data = parse_file(str(reference_list), bib_format="refkit")
    bib = tmp_path / "refs.bib"
    data.to_file(str(bib), bib_format="bibtex")
    again = parse_file(str(bib), bib_format="bibtex")
    assert list(again.entries) == list(data.entries)
    assert [str(p) for p in again.entries["lai2003congenital"].persons["author"]] == ["Lai, C. H.", "others"]
    assert again.entries["lai2003congenital"].fields["pages"] == "122--124"
