"""Reports of a run: ``audit.json`` (the machine-readable record of every input, work, citation and finding) and
``audit.md`` (the same for people).

Every reference string of the input appears in both, with its source, so nothing the user gave is lost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refkit import __version__
from refkit.model import Match, Reference

if TYPE_CHECKING:
    from refkit.pipeline import RunResult

__all__ = ["audit_document", "audit_markdown", "write_audit"]


def _citation_json(ref: Reference, match: Match | None) -> dict[str, Any]:
    out: dict[str, Any] = {"raw": ref.raw, **(ref.source.to_dict() if ref.source else {})}
    out["parsed"] = ref.to_csl()
    if match is not None:
        out["match"] = {
            "status": match.status,
            "DOI": match.doi,
            "confidence": match.confidence,
            "reason": match.reason or None,
            "evidence": dict(match.evidence),
            "written_doi": match.written_doi,
            "written_doi_status": match.written_doi_status,
        }
    return out


def audit_document(result: RunResult) -> dict[str, Any]:
    """The content of ``audit.json`` (schema described in the README)."""
    return {
        "refkit": __version__,
        "summary": result.summary(),
        "registry": result.registry_note,
        "inputs": [
            {
                "file": f,
                "references": sum(1 for c in result.citations if c.source and c.source.file == f),
                "problems": [p.message for p in result.problems if p.path == f],
            }
            for f in result.inputs
        ]
        + [
            {"file": p.path, "references": 0, "problems": [p.message]}
            for p in result.problems
            if p.path not in result.inputs
        ],
        "works": [
            {
                "id": c.id,
                "DOI": c.canonical.doi,
                "status": c.match.status if c.match else "unverified",
                "confidence": c.match.confidence if c.match else 0.0,
                "canonical": c.canonical.to_csl(),
                "disagreements": {k: list(v) for k, v in c.disagreements.items()},
                "citations": [_citation_json(r, m) for r, m in zip(c.citations, c.matches, strict=False)],
            }
            for c in result.clusters
        ],
        "findings": [f.to_dict() for f in result.findings],
    }


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def audit_markdown(result: RunResult) -> str:
    """The content of ``audit.md``."""
    summary = result.summary()
    lines = ["# Citation audit", ""]
    lines.append(
        f"{summary['references']} references in {summary['inputs']} file(s); {summary['matched']} matched to "
        f"Crossref, {summary['works']} distinct works. Findings: "
        + ", ".join(f"{n} {s}" for s, n in summary["findings"].items())
        + "."
    )
    if result.registry_note:
        lines += ["", f"**Registry:** {_md(result.registry_note)}"]
    if result.problems:
        lines += ["", "## Inputs with problems", ""]
        lines += [f"- {_md(p.message)}" for p in result.problems]
    lines += [
        "",
        "## Findings",
        "",
        "| severity | code | work | citation | message | suggestion |",
        "|---|---|---|---|---|---|",
    ]
    for f in result.findings:
        where = "<br>".join(
            _md(f"{c.source.file}#{c.source.label or c.source.position}: {c.raw}" if c.source else c.raw)
            for c in f.citations
        )
        lines.append(
            f"| {f.severity} | `{f.code}` | {f.cluster or ''} | {where} | {_md(f.message)} | "
            f"{_md(f.suggestion or '')} |"
        )
    lines += ["", "## Works", ""]
    for c in result.clusters:
        status = c.match.status if c.match else "unverified"
        head = f"- **{c.id}** ({status}{', DOI ' + c.canonical.doi if c.canonical.doi else ''}): "
        lines.append(head + _md(c.canonical.title or c.citations[0].raw))
        for ref in c.citations:
            src = f"{ref.source.file}#{ref.source.label or ref.source.position}" if ref.source else ""
            lines.append(f"  - {_md(src)}: {_md(ref.raw)}")
    return "\n".join(lines) + "\n"


def write_audit(result: RunResult, outdir: Path) -> list[Path]:
    """Write ``audit.json`` and ``audit.md``; returns their paths."""
    json_path, md_path = outdir / "audit.json", outdir / "audit.md"
    _atomic_write(json_path, json.dumps(audit_document(result), ensure_ascii=False, indent=2) + "\n")
    _atomic_write(md_path, audit_markdown(result))
    return [json_path, md_path]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
