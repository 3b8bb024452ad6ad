"""Reports of a run: ``audit.json`` (the machine-readable record of every input, work, citation and finding),
``audit.md`` and ``audit.html`` (the same for people), and the terminal table of findings.

Every reference string of the input appears in each report, with its source, so nothing the user gave is lost.
``audit.html`` is one self-contained file (inline CSS and JavaScript, no external resources) that can be
filtered by severity, code, file and text and sorted by column; every piece of input text in it is escaped, so
markup written in a reference is shown as text and never rendered or run.

Example:
    >>> from refkit.model import Finding
    >>> print(render_table([Finding("not-found", "info", "Not found in Crossref.")]))
    SEVERITY  CODE       WORK  CITATION  MESSAGE
    info      not-found  -     -         Not found in Crossref.
"""

from __future__ import annotations

import html
import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refkit import __version__
from refkit.audit import CODES, SEVERITY_ORDER
from refkit.model import Citation, Finding, Match, Reference
from refkit.text import clean_text

if TYPE_CHECKING:
    from refkit.files import Content
    from refkit.result import RunResult

__all__ = ["audit_document", "audit_files", "audit_html", "audit_markdown", "render_table", "write_audit"]


def _citation_json(ref: Reference, match: Match | None) -> dict[str, Any]:
    out: dict[str, Any] = {"raw": ref.raw, **(ref.source.to_dict() if ref.source else {})}
    out["parsed"] = ref.to_csl()
    if ref.fields_from:
        out["fields_from"] = ref.fields_from
        if ref.printed is not None:
            out["printed"] = ref.printed.to_csl()
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
    return {key: list(value) if isinstance(value, Iterator) else value for key, value in _document_parts(result)}


def _document_parts(result: RunResult) -> Iterator[tuple[str, Any]]:
    """The document's keys and values in order; the long lists (works, findings) as iterators, made as they are
    written."""
    references: Counter[str] = Counter(c.source.file for c in result.citations if c.source)
    problems: dict[str, list[str]] = {}
    for problem in result.problems:
        problems.setdefault(problem.path, []).append(problem.message)
    inputs = set(result.inputs)
    yield "refkit", __version__
    yield "summary", result.summary()
    yield "registry", result.registry_note
    yield (
        "inputs",
        [{"file": f, "references": references[f], "problems": problems.get(f, [])} for f in result.inputs]
        + [{"file": p.path, "references": 0, "problems": [p.message]} for p in result.problems if p.path not in inputs],
    )
    yield (
        "works",
        (
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
        ),
    )
    yield "findings", (f.to_dict() for f in result.findings)


def _document_pieces(result: RunResult, *, indent: int | None) -> Iterator[str]:
    """The document as ``json.dumps(audit_document(result), ensure_ascii=False, indent=indent)`` writes it (compact
    separators without ``indent``), in pieces: a work or a finding at a time, never the whole document."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=indent, separators=(",", ": ") if indent else (",", ":"))
    line, colon = ("\n", ": ") if indent else ("", ":")
    pad = " " * (indent or 0)
    yield "{"
    for n, (key, value) in enumerate(_document_parts(result)):
        yield ("," if n else "") + line + pad + encoder.encode(key) + colon
        if not isinstance(value, Iterator):
            yield encoder.encode(value).replace("\n", "\n" + pad)
            continue
        count = 0
        for count, item in enumerate(value, 1):
            yield ("," if count > 1 else "[") + line + pad * 2 + encoder.encode(item).replace("\n", "\n" + pad * 2)
        yield line + pad + "]" if count else "[]"
    yield line + "}"


# Markdown's and HTML's active characters: with these escaped, a reference's text stays text wherever audit.md is
# rendered (no tag, link, image, emphasis or table cell break can come from an input).
_MD_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "\\|",
        "[": "\\[",
        "]": "\\]",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "\n": " ",
        "\r": " ",
        # line and paragraph separators end a line for many readers (Python's splitlines, some editors)
        "\u2028": " ",
        "\u2029": " ",
    }
)


def _md(text: str) -> str:
    """``text`` as inert Markdown: one line, no markup, no HTML, no link."""
    return clean_text(text).translate(_MD_ESCAPES)


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
            f"| {f.severity} | `{f.code}` | {_md(f.cluster or '')} | {where} | {_md(f.message)} | "
            f"{_md(f.suggestion or '')} |"
        )
    lines += ["", "## Works", ""]
    for c in result.clusters:
        status = c.match.status if c.match else "unverified"
        head = f"- **{_md(c.id)}** ({status}{', DOI ' + _md(c.canonical.doi) if c.canonical.doi else ''}): "
        lines.append(head + _md(c.canonical.title or c.citations[0].raw))
        for ref in c.citations:
            src = f"{ref.source.file}#{ref.source.label or ref.source.position}" if ref.source else ""
            lines.append(f"  - {_md(src)}: {_md(ref.raw)}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------
# Terminal table


def _where(citation: Citation) -> str:
    if citation.source is None:
        return "-"
    return f"{Path(citation.source.file).name}#{citation.source.label or citation.source.position}"


def render_table(findings: Sequence[Finding], *, width: int = 120) -> str:
    """The findings as a plain-text table with aligned columns; long messages wrap inside their column.

    Args:
        findings: the findings, in the order to show them (:func:`refkit.audit.audit` sorts by severity).
        width: the line width to fit; the message column takes what the others leave (at least 30 characters).

    Example:
        >>> from refkit.model import Citation, Finding, Source
        >>> cit = Citation("Lai CH (2003) ...", Source("a.txt", 5))
        >>> print(render_table([Finding("not-found", "info", "Not in Crossref.", (cit,), suggestion="Check it.")]))
        SEVERITY  CODE       WORK  CITATION  MESSAGE
        info      not-found  -     a.txt#5   Not in Crossref. Fix: Check it.
    """
    head = ("SEVERITY", "CODE", "WORK", "CITATION", "MESSAGE")
    rows = [
        (
            f.severity,
            f.code,
            f.cluster or "-",
            ", ".join(_where(c) for c in f.citations) or "-",
            f.message + (f" Fix: {f.suggestion}" if f.suggestion else ""),
        )
        for f in findings
    ]
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(4)]
    text_width = max(30, width - sum(widths) - 2 * len(widths))
    indent = " " * (sum(widths) + 2 * len(widths))

    def line(cells: Sequence[str]) -> list[str]:
        first = "  ".join(c.ljust(w) for c, w in zip(cells[:4], widths, strict=True)) + "  "
        wrapped = textwrap.wrap(cells[4], text_width, break_on_hyphens=False) or [""]
        return [(first + wrapped[0]).rstrip()] + [(indent + more).rstrip() for more in wrapped[1:]]

    out = line(head)
    for row in rows:
        out += line(row)
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------
# audit.html

_CSS = """
:root{--err:#b3261e;--warn:#8a5a00;--info:#1f5f99;--line:#d8dde3;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{padding:16px 24px;background:var(--bg);border-bottom:1px solid var(--line)}
h1{font-size:20px;margin:0 0 6px}
h2{font-size:16px;margin:24px 0 8px}
main{padding:0 24px 32px}
.summary span{display:inline-block;margin-right:14px}
.note{color:#6e4b00;margin:6px 0 0}
.controls{position:sticky;top:0;z-index:1;background:#fff;padding:10px 0;border-bottom:1px solid var(--line);
display:flex;flex-wrap:wrap;gap:10px 18px;align-items:center}
.controls label{white-space:nowrap}
.controls input[type=search]{min-width:260px;padding:4px 6px}
.controls select{padding:3px}
#shown{color:#57606a}
table{border-collapse:collapse;width:100%;margin-top:8px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:52px}
th[aria-sort=ascending]::after{content:" \\25B2";font-size:10px}
th[aria-sort=descending]::after{content:" \\25BC";font-size:10px}
td.code{font-family:ui-monospace,Consolas,monospace;white-space:nowrap}
.sev{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.sev-error{background:var(--err)}.sev-warning{background:var(--warn)}.sev-info{background:var(--info)}
.cit{margin:0 0 6px}.cit:last-child{margin:0}
.src{font-size:12px;color:#57606a;font-family:ui-monospace,Consolas,monospace}
.raw{white-space:pre-wrap;word-break:break-word}
.fix{margin-top:4px;color:#1a7f37}
dl.ev{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:0 8px;font-size:12px}
dl.ev dt{color:#57606a}dl.ev dd{margin:0;word-break:break-word}
tr.hidden{display:none}
details{margin:4px 0}summary{cursor:pointer}
.works li{margin:2px 0}
"""

# The page's own script: filters and sorts the rows the server rendered. It reads and writes text only
# (textContent, dataset), never HTML, so nothing from the input can become markup.
_JS = """
(function(){
  "use strict";
  var table=document.getElementById("findings"), body=table.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows);
  var q=document.getElementById("q"), code=document.getElementById("code"), file=document.getElementById("file");
  var sev=Array.prototype.slice.call(document.querySelectorAll("input[name=severity]"));
  var shown=document.getElementById("shown");
  function apply(){
    var wanted={}; sev.forEach(function(b){wanted[b.value]=b.checked;});
    var text=q.value.trim().toLowerCase(), n=0;
    rows.forEach(function(r){
      var ok=wanted[r.dataset.severity] && (!code.value || r.dataset.code===code.value)
        && (!file.value || r.dataset.files.split("\\n").indexOf(file.value)>=0)
        && (!text || r.textContent.toLowerCase().indexOf(text)>=0);
      r.classList.toggle("hidden",!ok); if(ok){n++;}
    });
    shown.textContent=n+" of "+rows.length+" findings shown";
    var state=[];
    sev.forEach(function(b){if(!b.checked){state.push("hide="+b.value);}});
    if(code.value){state.push("code="+encodeURIComponent(code.value));}
    if(file.value){state.push("file="+encodeURIComponent(file.value));}
    if(text){state.push("q="+encodeURIComponent(q.value.trim()));}
    if(table.dataset.sort){state.push("sort="+table.dataset.sort+(table.dataset.dir==="descending"?"-":""));}
    if(history.replaceState){history.replaceState(null,"",state.length?"#"+state.join("&"):location.pathname);}
  }
  function sortBy(index,dir){
    var th=table.tHead.rows[0].cells[index], numeric=th.dataset.type==="number";
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.removeAttribute("aria-sort");});
    th.setAttribute("aria-sort",dir); table.dataset.sort=th.dataset.key; table.dataset.dir=dir;
    var keyed=rows.map(function(r,i){
      var c=r.cells[index], k=c.dataset.sort!==undefined?c.dataset.sort:c.textContent.trim().toLowerCase();
      return {r:r,i:i,k:numeric?parseFloat(k)||0:k};
    });
    keyed.sort(function(a,b){var s=a.k<b.k?-1:a.k>b.k?1:0; if(dir==="descending"){s=-s;} return s||a.i-b.i;});
    keyed.forEach(function(e){body.appendChild(e.r);});
    apply();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    th.tabIndex=0;
    function go(){sortBy(i,th.getAttribute("aria-sort")==="ascending"?"descending":"ascending");}
    th.addEventListener("click",go);
    th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();go();}});
  });
  [q,code,file].concat(sev).forEach(function(el){el.addEventListener("input",apply);el.addEventListener("change",apply);});
  function pick(select,value){
    Array.prototype.forEach.call(select.options,function(o){if(o.value===value){select.value=value;}});
  }
  location.hash.replace(/^#/,"").split("&").forEach(function(part){
    var eq=part.indexOf("="); if(eq<0){return;}
    var k=part.slice(0,eq), v=decodeURIComponent(part.slice(eq+1).replace(/\\+/g," "));
    if(k==="hide"){sev.forEach(function(b){if(b.value===v){b.checked=false;}});}
    else if(k==="code"){pick(code,v);} else if(k==="file"){pick(file,v);} else if(k==="q"){q.value=v;}
    else if(k==="sort"){
      var desc=v.slice(-1)==="-", key=desc?v.slice(0,-1):v;
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
        if(th.dataset.key===key){sortBy(i,desc?"descending":"ascending");}
      });
    }
  });
  var data=document.getElementById("audit-data"), link=document.getElementById("download");
  if(data&&link&&window.Blob&&window.URL&&URL.createObjectURL){
    link.href=URL.createObjectURL(new Blob([data.textContent],{type:"application/json"}));
  }
  apply();
  document.body.dataset.ready="1";
})();
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _inert(pieces: Iterable[str]) -> Iterator[str]:
    """JSON pieces made inert inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separators. ``<``,
    ``>`` and ``&`` occur in JSON only inside strings, where their ``\\u`` escapes mean the same text; each mark is
    escaped on its own, so pieces can be cut anywhere."""
    for text in pieces:
        for char, escaped in _SCRIPT_ESCAPES:
            if char in text:
                text = text.replace(char, escaped)
        yield text


_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _plain(value: Any) -> str:
    """Evidence values as a person reads them: lists joined, mappings as ``key: value``."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return " | ".join(_plain(v) or "(none)" for v in value)
    return "" if value is None else str(value)


def _evidence_html(evidence: dict[str, Any]) -> str:
    items = []
    for key, value in evidence.items():
        if value is None or key in ("canonical",):
            continue
        shown = _plain(value)
        items.append(f"<dt>{_e(key)}</dt><dd>{_e(shown)}</dd>")
    return f'<dl class="ev">{"".join(items)}</dl>' if items else ""


def _finding_row(finding: Finding, number: int) -> str:
    files = sorted({c.source.file for c in finding.citations if c.source})
    first = next((c.source for c in finding.citations if c.source), None)
    cits = "".join(
        '<div class="cit">'
        + (
            f'<div class="src">{_e(c.source.file)} #{_e(c.source.label or c.source.position)}'
            f"{f' (line {c.source.line})' if c.source.line else ''}</div>"
            if c.source
            else ""
        )
        + f'<div class="raw">{_e(c.raw)}</div></div>'
        for c in finding.citations
    )
    fix = f'<div class="fix">Fix: {_e(finding.suggestion)}</div>' if finding.suggestion else ""
    where_key = f"{first.file}\x00{first.position:06d}" if first else ""
    cluster_key = (finding.cluster or "").lstrip("w").zfill(6)
    return (
        f'<tr data-severity="{_e(finding.severity)}" data-code="{_e(finding.code)}" '
        f'data-files="{_e(chr(10).join(files))}">'
        f'<td data-sort="{SEVERITY_ORDER.get(finding.severity, 9)}{number:06d}">'
        f'<span class="sev sev-{_e(finding.severity)}">{_e(finding.severity)}</span></td>'
        f'<td class="code">{_e(finding.code)}</td>'
        f'<td data-sort="{_e(cluster_key)}">{_e(finding.cluster or "")}</td>'
        f'<td data-sort="{_e(where_key)}">{cits}</td>'
        f"<td>{_e(finding.message)}{fix}</td>"
        f"<td>{_evidence_html(dict(finding.evidence))}</td>"
        "</tr>"
    )


def audit_html(result: RunResult) -> str:
    """The content of ``audit.html``: one self-contained page (inline CSS and JavaScript, no external resources).

    The findings table can be filtered (severity, code, file, text) and sorted (click a column heading); the
    filter state is kept in the address's ``#`` part (``#hide=info&code=not-found&sort=code``) so a view can be
    shared. The full ``audit.json`` document is embedded as inert JSON and offered for download. All input text
    is HTML-escaped.
    """
    return "".join(audit_html_pieces(result))


def audit_html_pieces(result: RunResult) -> Iterator[str]:
    """:func:`audit_html` in pieces, in order (a large run's page is written as it is made, never held whole)."""
    summary = result.summary()
    counts = summary["findings"]
    # one pass for the controls, another for the rows: the findings are never held all at once (a run on a cluster
    # reads them from the workers a part at a time)
    per_code: Counter[str] = Counter()
    named: set[str] = set()
    for f in result.findings:
        per_code[f.code] += 1
        named.update(c.source.file for c in f.citations if c.source)
    codes = [c for c in CODES if c in per_code] + sorted(set(per_code) - set(CODES))
    files = sorted(named)
    total = sum(per_code.values())
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # no network: the page must not load anything, even if input text were to slip through
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:; connect-src 'none'\">",
        f"<title>Citation audit ({counts['error']} error, {counts['warning']} warning, {counts['info']} info)</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>Citation audit</h1>",
        '<div class="summary">'
        f"<span>{summary['references']} references in {summary['inputs']} file(s)</span>"
        f"<span>{summary['matched']} matched to Crossref</span>"
        f"<span>{summary['works']} distinct works</span>"
        + "".join(
            f'<span><span class="sev sev-{s}">{counts[s]}</span> {s}</span>' for s in ("error", "warning", "info")
        )
        + f'<span><a id="download" download="audit.json" href="#">audit.json</a></span>'
        f'<span class="src">refkit {_e(__version__)}</span></div>',
    ]
    yield "\n".join(head) + "\n"
    parts: list[str] = []
    if result.registry_note:
        parts.append(f'<p class="note">Registry: {_e(result.registry_note)}</p>')
    for problem in result.problems:
        parts.append(f'<p class="note">{_e(problem.message)}</p>')
    parts.append("</header><main>")
    parts.append('<div class="controls" role="search">')
    parts.append(
        "".join(
            f'<label><input type="checkbox" name="severity" value="{s}" checked> {s} ({counts[s]})</label>'
            for s in ("error", "warning", "info")
        )
    )
    parts.append(
        '<label>Code <select id="code"><option value="">all codes</option>'
        + "".join(f'<option value="{_e(c)}">{_e(c)} ({per_code[c]})</option>' for c in codes)
        + "</select></label>"
    )
    parts.append(
        '<label>File <select id="file"><option value="">all files</option>'
        + "".join(f'<option value="{_e(f)}">{_e(f)}</option>' for f in files)
        + "</select></label>"
    )
    parts.append(
        '<label>Search <input type="search" id="q" placeholder="text in citation, message, evidence"></label>'
        f'<span id="shown" aria-live="polite">{total} findings</span></div>'
    )
    parts.append(
        '<table id="findings"><thead><tr>'
        '<th data-key="severity" scope="col">Severity</th><th data-key="code" scope="col">Code</th>'
        '<th data-key="work" scope="col">Work</th><th data-key="citation" scope="col">Citation</th>'
        '<th data-key="message" scope="col">Message and fix</th><th data-key="evidence" scope="col">Evidence</th>'
        "</tr></thead><tbody>"
    )
    yield "".join(f"{part}\n" for part in parts)
    parts.clear()
    for n, finding in enumerate(result.findings):
        yield _finding_row(finding, n) + "\n"
    parts.append("</tbody></table>")
    if not total:
        parts.append("<p>No findings.</p>")
    parts.append('<h2>Works</h2><ul class="works">')
    for cluster in result.clusters:
        status = cluster.match.status if cluster.match else "unverified"
        doi = f", DOI {_e(cluster.canonical.doi)}" if cluster.canonical.doi else ""
        label = f"<strong>{_e(cluster.id)}</strong> ({_e(status)}{doi})"
        title = _e(cluster.canonical.title or cluster.citations[0].raw)
        items = "".join(
            f'<li><span class="src">{_e(r.source.file)} #{_e(r.source.label or r.source.position)}</span> '
            f'<span class="raw">{_e(r.raw)}</span></li>'
            if r.source
            else f'<li><span class="raw">{_e(r.raw)}</span></li>'
            for r in cluster.citations
        )
        parts.append(f"<li><details><summary>{label}: {title}</summary><ul>{items}</ul></details></li>")
        if len(parts) >= 256:
            yield "".join(f"{part}\n" for part in parts)
            parts.clear()
    parts.append("</ul></main>")
    yield "".join(f"{part}\n" for part in parts)
    yield '<script type="application/json" id="audit-data">'
    yield from _inert(_document_pieces(result, indent=None))
    yield f"</script>\n<script>{_JS}</script></body></html>\n"


def write_audit(result: RunResult, outdir: Path, *, with_html: bool = False) -> list[Path]:
    """Write ``audit.json`` and ``audit.md`` (and ``audit.html`` with ``with_html=True``); returns their paths.

    Example:
        >>> write_audit(result, Path("out"), with_html=True)  # doctest: +SKIP
        [PosixPath('out/audit.json'), PosixPath('out/audit.md'), PosixPath('out/audit.html')]
    """
    from refkit.files import write_all

    return write_all(audit_files(result, outdir, with_html=with_html))


def audit_files(result: RunResult, outdir: Path, *, with_html: bool = False) -> dict[Path, Content]:
    """The audit files' paths, each with the function that renders it (see :func:`refkit.files.write_all`): a file
    is rendered only when it is written, the JSON document in pieces as it is encoded."""
    files: dict[Path, Content] = {
        outdir / "audit.json": lambda: _json_pieces(result),
        outdir / "audit.md": lambda: audit_markdown(result),
    }
    if with_html:
        files[outdir / "audit.html"] = lambda: audit_html_pieces(result)
    return files


def _json_pieces(result: RunResult) -> Iterator[str]:
    """``audit.json``: the document indented (non-ASCII kept as is) and a final line end, in pieces."""
    yield from _document_pieces(result, indent=2)
    yield "\n"
