"""The audit's checks: one finding code each, with the severity, evidence and fix an editor acts on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refkit.audit import CODES, audit, is_biomedical, malformed_doi
from refkit.model import Cluster, Match, Person, Reference, Source
from refkit.pipeline import run
from refkit.registry import CrossrefClient, to_reference
from refkit.testing import CrossrefServer

DATA = Path(__file__).resolve().parent / "data" / "crossref"


def _cluster(ref: Reference, message: dict | None = None, status: str = "matched") -> Cluster:
    match = None
    if message is not None:
        record = to_reference(message)
        match = Match(status=status, doi=record.doi, confidence=0.99, record=record, message=message)  # type: ignore[arg-type]
    elif status != "matched":
        match = Match(status=status)  # type: ignore[arg-type]
    return Cluster("w1", (ref,), ref, (match,))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("Deza G (2015) Morphea. Acta Derm Venereol doi: 10.2340/", "nothing follows the prefix 10.2340/"),
        ("Deza G (2015) Morphea. Acta Derm Venereol doi: 10.2340/00015555- 2271", "the DOI contains a space"),
        ("Deza G (2015) Morphea. Acta Derm Venereol doi: 10.2340 /00015555-2271", "the DOI contains a space"),
        (
            "Deza G (2015) Morphea. Acta Derm Venereol. https://doi.org/10.23/00015555-2271",
            "10.23 is not a possible DOI prefix (registrant codes have 4 to 9 digits)",
        ),
        ("Deza G (2015) Morphea. Acta Derm Venereol. doi:", "the DOI label is followed by no DOI"),
        (
            "Deza G (2015) Morphea. Acta Derm Venereol 10.23/abc",
            "10.23 is not a possible DOI prefix (registrant codes have 4 to 9 digits)",
        ),
    ],
)
def test_malformed_dois_are_read_from_the_raw_string(raw: str, problem: str) -> None:
    found = malformed_doi(raw)
    assert found is not None and found[1] == problem


@pytest.mark.parametrize(
    "raw",
    [
        "Deza G (2015) Morphea. Acta Derm Venereol doi: 10.2340/00015555-2271",
        "Deza G (2015) Morphea. Acta Derm Venereol 96:418-9. doi:10.2340/00015555-2271. PMID 26525000",
        "Poormoghim H (2016) J Clin Pharm Ther 41:94-96. https://doi.org/10.1111/jcpt.12340",
        "Smith J (2001) The doi of things. J Foo 10: 1-2",
        "Wiley (1997) J Biomed Mater Res doi:10.1002/(SICI)1097-4636(199706)35:4<467::AID-JBM7>3.0.CO;2-F",
    ],
)
def test_well_formed_dois_and_plain_references_are_not_malformed(raw: str) -> None:
    assert malformed_doi(raw) is None


def test_doi_invalid_is_an_error_with_the_registry_doi_as_the_fix() -> None:
    raw = "Deza G et al (2015) Solitary plaque-type morphea. Acta Derm Venereol doi: 10.2340/"
    ref = Reference(raw=raw, title="Solitary plaque-type morphea", source=Source("a.txt", 3))
    [finding] = [f for f in audit([_cluster(ref)]) if f.code == "doi-invalid"]
    assert finding.severity == "error"
    assert finding.evidence["cited"] == "doi: 10.2340/"
    assert finding.citations[0].source == Source("a.txt", 3)


def _plos_correction() -> dict:
    for line in (DATA / "works.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["DOI"] == "10.1371/journal.pone.0113017":
            return record
    raise AssertionError("the vendored PLOS correction notice is missing")


def test_a_cited_correction_notice_is_reported_from_its_real_update_to() -> None:
    record = _plos_correction()
    ref = Reference(raw="Correction: Prefabrication of 3D Cartilage Contructs ...", title=record["title"][0])
    [finding] = [f for f in audit([_cluster(ref, record)]) if f.code == "corrected"]
    assert finding.severity == "info"
    assert finding.evidence["relation"] == "update-to"
    assert finding.evidence["notices"][0]["DOI"] == "10.1371/journal.pone.0071667"
    assert "10.1371/journal.pone.0071667" in (finding.suggestion or "")


def _work(**extra: object) -> dict:
    return {
        "DOI": "10.1016/s0140-6736(97)11096-0",
        "type": "journal-article",
        "title": ["Ileal-lymphoid-nodular hyperplasia"],
        "container-title": ["The Lancet"],
        "issued": {"date-parts": [[1998, 2]]},
        **extra,
    }


def test_retraction_told_by_publisher_and_retraction_watch_is_one_error_naming_both_sources() -> None:
    notice = {"DOI": "10.1016/s0140-6736(10)60175-4", "type": "retraction", "label": "Retraction"}
    message = _work(
        **{
            "updated-by": [
                {**notice, "source": "publisher", "updated": {"date-parts": [[2010, 2, 6]]}},
                {**notice, "source": "retraction-watch", "record-id": "1234"},
                {"DOI": "10.1016/s0140-6736(04)15715-2", "type": "correction", "source": "retraction-watch"},
            ]
        }
    )
    ref = Reference(
        raw="Wakefield AJ (1998) Ileal-lymphoid-nodular hyperplasia. Lancet", title="Ileal-lymphoid-nodular hyperplasia"
    )
    found = {f.code: f for f in audit([_cluster(ref, message)])}
    assert found["retracted"].severity == "error"
    [told] = found["retracted"].evidence["notices"]
    assert told["source"] == "publisher, retraction-watch" and told["date"] == "2010-02-06"
    assert found["corrected"].severity == "info"


def test_expression_of_concern_is_a_warning_and_a_cited_retraction_notice_too() -> None:
    ref = Reference(raw="...", title="Ileal-lymphoid-nodular hyperplasia")
    concern = _work(**{"updated-by": [{"DOI": "10.5555/eoc", "type": "expression_of_concern", "source": "publisher"}]})
    assert [(f.code, f.severity) for f in audit([_cluster(ref, concern)]) if f.code == "expression-of-concern"] == [
        ("expression-of-concern", "warning")
    ]
    notice = _work(DOI="10.5555/notice", **{"update-to": [{"DOI": "10.5555/orig", "type": "retraction"}]})
    [finding] = [f for f in audit([_cluster(ref, notice)]) if f.code == "retracted"]
    assert finding.severity == "warning" and finding.evidence["relation"] == "update-to"


def test_a_record_that_updates_itself_is_not_a_notice() -> None:
    ref = Reference(raw="...", title="Ileal-lymphoid-nodular hyperplasia")
    message = _work(**{"update-to": [{"DOI": "10.1016/S0140-6736(97)11096-0", "type": "correction"}]})
    assert not [f for f in audit([_cluster(ref, message)]) if f.code == "corrected"]


def _unmatched(**fields: object) -> Cluster:
    ref = Reference(raw="...", **fields)  # type: ignore[arg-type]
    return Cluster("w1", (ref,), ref, (Match(status="unmatched"),))


@pytest.mark.parametrize(
    ("fields", "severity"),
    [
        ({"title": "Calcinosis", "container_title": "Int J Dermatol", "issued": (2022,)}, "warning"),
        ({"title": "Calcinosis", "container_title": "Cutis", "issued": (2000,)}, "info"),
        ({"title": "Calcinosis", "container_title": "Bull Northern Soc Cutan Calcif", "issued": (2022,)}, "info"),
        ({"title": "A book", "type": "book", "issued": (2022,)}, "info"),
        (
            {
                "title": "De impact van klimaatverandering op gezondheid in Nederland",
                "container_title": "Ned Tijdschr Geneeskd",
                "issued": (2021,),
            },
            "info",
        ),
    ],
)
def test_not_found_severity_by_kind(fields: dict, severity: str) -> None:
    [finding] = [f for f in audit([_unmatched(**fields)]) if f.code == "not-found"]
    assert finding.severity == severity
    assert "Not found in Crossref" in finding.message and finding.evidence["checked"]


def test_journal_unknown_is_a_warning_only_for_biomedical_references() -> None:
    med = _unmatched(title="Calcinosis cutis", container_title="Bull Northern Soc Cutan Calcif", issued=(1990,))
    cs = _unmatched(title="Graph colouring", container_title="Proc Meadow Inst Tessellation", issued=(1990,))
    severities = [[f.severity for f in audit([c]) if f.code == "journal-unknown"] for c in (med, cs)]
    assert severities == [["warning"], ["info"]]
    assert is_biomedical(Reference(title="Systemic sclerosis")) and not is_biomedical(Reference(title="Tensors"))


def test_field_mismatches_against_the_registry() -> None:
    message = json.loads((DATA / "seed-works.jsonl").read_text(encoding="utf-8").splitlines()[0])
    ref = Reference(
        raw="Deza G, Pujol RM (2013) Solitary plaque. Acta Derm Venereol 97(4):420-421",
        author=(Person("Deza", "G"), Person("Pujol", "RM")),
        title="Solitary Plaque-type Morphea with Dystrophic Calcinosis Cutis",
        container_title="Acta Derm Venereol",
        issued=(2013,),
        volume="97",
        issue="4",
        page="420-421",
    )
    found = {f.code: f for f in audit([_cluster(ref, message)])}
    assert found["year-mismatch"].severity == "warning" and found["year-mismatch"].evidence["registry"] == 2016
    assert (found["volume-mismatch"].evidence["registry"], found["issue-mismatch"].evidence["registry"]) == ("96", "3")
    assert found["pages-mismatch"].suggestion == "Use pages 418-419."
    assert found["author-mismatch"].evidence["field"] == "author count"
    assert "title-mismatch" not in found and "journal-mismatch" not in found


def test_incomplete_journal_articles() -> None:
    # Unmatched, no DOI: a listed journal makes it a warning, an unlisted one info; books are never incomplete.
    listed = _unmatched(title="Calcinosis", container_title="Int J Dermatol", issued=(2022,), type="article-journal")
    [finding] = [f for f in audit([listed]) if f.code == "incomplete"]
    assert (finding.severity, finding.evidence["missing"]) == ("warning", ["volume", "pages"])
    unlisted = _unmatched(title="Calcinosis", container_title="Bull Northern Soc Cutan Calcif", type="article-journal")
    assert [f.severity for f in audit([unlisted]) if f.code == "incomplete"] == ["info"]
    assert not [f for f in audit([_unmatched(title="A book", type="book", issued=(2022,))]) if f.code == "incomplete"]
    # "Title. Journal. 2021." parsed as a document: the registry's record says it is a journal article, and the
    # fix names the registry's values.
    ref = Reference(
        raw="Wakefield AJ. Ileal-lymphoid-nodular hyperplasia. Lancet. 1998.", type="document", issued=(1998,)
    )
    message = _work(volume="351", page="637-641")
    [finding] = [f for f in audit([_cluster(ref, message)]) if f.code == "incomplete"]
    assert finding.evidence["missing"] == ["volume", "pages"]
    assert finding.suggestion == "Add volume 351, pages 637-641."
    # what the registry does not have either is not missing
    assert not [f for f in audit([_cluster(ref, _work())]) if f.code == "incomplete"]


def test_every_code_is_documented_in_order() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The audit", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    documented = [code for row in table.splitlines()[2:] for code in re.findall(r"`([a-z-]+)`", row.split("|")[1])]
    # in-library comes from refkit.library (with --library), not from the checks
    assert [code for code in documented if code != "in-library"] == list(CODES)
    assert len(CODES) == len(set(CODES)) == 23


def test_seed_findings(crossref_server: CrossrefServer, seed_articles: Path, tmp_path: Path) -> None:
    client = CrossrefClient(
        base_url=crossref_server.url, mailto="test@example.org", cache=tmp_path / "c.sqlite", search_rate=50
    )
    result = run([seed_articles], None, registry=client)
    client.close()
    found = {(f.code, f.severity, f.citations[0].raw.split(" (")[0]) for f in result.findings}
    assert ("duplicate-inconsistent", "warning", "Deza G et al") in found
    assert ("year-mismatch", "info", "Deza G et al") in found
    assert ("journal-mismatch", "error", "Salmhofer W et al") in found  # Dermatologist
    assert ("journal-mismatch", "error", "Zouboulis CC et al") in found  # dermatologist
    assert ("journal-mismatch", "error", "Niederauer HH et al") in found  # Z Skinkr
    assert ("journal-nonstandard", "info", "Larralde M et al") in found
    assert ("not-found", "info", "Cambiaghi S") in found  # Cutis 2000
    assert ("not-found", "warning", "Bégon E et al") in found  # Int J Dermatol 2014: should have a DOI
    deza = next(f for f in result.findings if f.code == "duplicate-inconsistent")
    assert set(deza.evidence["disagreements"]) >= {"issued", "page", "doi"}
    assert not any(f.code.startswith("doi-") and f.severity == "error" for f in result.findings)
