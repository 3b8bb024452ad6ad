"""The user's library: cited works already in it are linked to their item; only new works are exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refkit.dedupe import dedupe
from refkit.export import as_clusters, export
from refkit.extract import extract
from refkit.library import findings, item_key, known_works, link, load, new_works
from refkit.model import Match, Person, Reference
from refkit.parse import parse_citations

DEZA = "10.2340/00015555-2271"


@pytest.fixture(scope="module")
def seed_clusters(seed_articles: Path) -> list:
    citations = [c for path in sorted(seed_articles.glob("*.txt")) for c in extract(path)]
    return dedupe(parse_citations(citations))


def _deza_item(**kw: object) -> dict:
    item = {
        "id": "http://zotero.org/users/1/items/DEZA2016",
        "type": "article-journal",
        "title": "Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
        "author": [{"family": "Deza", "given": "G."}, {"family": "Sánchez-Schmidt", "given": "J. M."}],
        "container-title": "Acta Dermato-Venereologica",
        "issued": {"date-parts": [[2016]]},
        "volume": "96",
        "page": "418-419",
        "DOI": DEZA,
    }
    item.update(kw)
    return item


def test_csl_json_library_links_the_deza_work_by_its_zotero_id(seed_clusters: list, tmp_path: Path) -> None:
    other = _deza_item(id="other", title="Calcinosis of the ear", DOI="10.1/other", page="1-2", volume="1")
    path = tmp_path / "library.json"
    path.write_text(json.dumps([other, _deza_item()]), encoding="utf-8")
    linked = link(seed_clusters, load(path))
    [known] = known_works(linked)
    assert known.library_key == "http://zotero.org/users/1/items/DEZA2016"
    assert len(known.citations) == 2
    assert [c.id for c in new_works(linked)] == [c.id for c in seed_clusters if c.id != known.id]
    assert len(new_works(linked)) == 11


def test_bibtex_library_links_by_fields_without_a_doi(seed_clusters: list, tmp_path: Path) -> None:
    path = tmp_path / "library.bib"
    path.write_text(
        "@article{poormoghim2016,\n"
        "  author = {Poormoghim, Hadi and Andalib, Elham},\n"
        "  title = {Systemic sclerosis and calcinosis cutis: response to rituximab},\n"
        "  journal = {Journal of Clinical Pharmacy and Therapeutics},\n"
        "  year = {2016}, volume = {41}, pages = {94--96}\n}\n",
        encoding="utf-8",
    )
    linked = link(seed_clusters, load(path))
    [known] = known_works(linked)
    assert known.library_key == "poormoghim2016"
    assert known.citations[0].author[0].family == "Poormoghim"


def test_exported_library_reads_back_and_links_every_work(seed_clusters: list, tmp_path: Path) -> None:
    # the user's library is what refkit exported last time: every work is found again, nothing is new
    path = export(seed_clusters, tmp_path / "previous.bib")
    items = load(path)
    linked = link(seed_clusters, items)
    assert new_works(linked) == []
    keys = [c.library_key for c in linked]
    assert len(set(keys)) == len(keys) == 12
    assert all(k in {item_key(i) for i in items} for k in keys)


def test_a_doi_conflict_is_never_linked() -> None:
    cited = Reference(
        raw="c",
        author=(Person("Deza", "G"),),
        issued=(2016,),
        doi=DEZA,
        title="Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
    )
    item = cited.replace(raw='{"id": "wrong"}', doi="10.9999/other-edition")
    assert link(dedupe([cited]), [item])[0].library_key is None


def test_matched_doi_links_a_citation_with_other_wording() -> None:
    cited = Reference(raw="c", author=(Person("D", "G"),), title="Morphea and calcinosis (letter)")
    m = Match(status="matched", doi=DEZA, confidence=0.95)
    item = Reference(raw='{"id": "deza"}', title="Solitary Plaque-type Morphea", doi=DEZA.upper())
    assert link(dedupe([cited], [m]), [item])[0].library_key == "deza"


def test_best_item_wins_and_library_duplicates_go_to_the_first() -> None:
    cited = Reference(
        raw="c",
        author=(Person("Deza", "G"),),
        issued=(2016,),
        title="Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
    )
    near = cited.replace(raw='{"id": "near"}', title="Solitary Plaque type Morphea with Dystrophic Calcinosis")
    exact = cited.replace(raw='{"id": "exact"}')
    copy = cited.replace(raw='{"id": "copy"}')
    assert link(dedupe([cited]), [near, exact, copy])[0].library_key == "exact"


def test_item_keys_of_each_format(tmp_path: Path) -> None:
    ref = Reference(raw="x", author=(Person("Deza", "G"),), issued=(2016,), title="Solitary morphea")
    keys = {}
    for suffix in (".bib", ".json", ".ris"):
        path = export(as_clusters([ref]), tmp_path / f"lib{suffix}")
        [item] = load(path)
        keys[suffix] = item_key(item)
    assert keys == {".bib": "deza2016solitary", ".json": "deza2016solitary", ".ris": "deza2016solitary"}
    assert item_key(Reference(raw="no key here")) == "#0"


def test_findings_report_each_linked_work(seed_clusters: list) -> None:
    item = Reference.from_csl(_deza_item(), raw=json.dumps(_deza_item()))
    [finding] = findings(link(seed_clusters, [item]))
    assert (finding.code, finding.severity) == ("in-library", "info")
    assert finding.evidence["library_key"] == "http://zotero.org/users/1/items/DEZA2016"
    assert len(finding.citations) == 2 and finding.citations[0].source.position == 2


def test_empty_library_links_nothing(seed_clusters: list) -> None:
    assert all(c.library_key is None for c in link(seed_clusters, []))
