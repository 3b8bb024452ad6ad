"""The document walked in order: paragraphs, table rows, fields, revisions, content controls, notes."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from refkit.extract.docx.common import _MC_NS, _SKIP
from refkit.extract.docx.numbering import _Numbering
from refkit.extract.docx.package import _attr, _child, _on, _split, _w


@dataclass
class _Para:
    number: int
    text: list[str] = field(default_factory=list)
    label: tuple[str, str] | None = None  # Word's list number: (as printed, bare)
    row: int | None = None  # the table row it stands in
    note: str | None = None  # the note id, in a notes part


@dataclass
class _Field:
    instr: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    result: bool = False
    para: int = 0
    bibliography: bool = False
    paras: set[int] = field(default_factory=set)
    payload: Any = None  # content-control data (already decoded JSON)

    @property
    def instruction(self) -> str:
        return "".join(self.instr).strip()


def _is_bibliography(instruction: str) -> bool:
    return bool(re.match(r"ADDIN\s+(?:ZOTERO_BIBL|EN\.REFLIST|Mendeley\s+Bibliography)\b", instruction)) or (
        instruction.startswith("ADDIN") and "CSL_BIBLIOGRAPHY" in instruction
    )


class _Reader:
    """One walk over a part (body or notes), without recursion: paragraphs, fields, note numbers."""

    def __init__(self, numbering: _Numbering | None) -> None:
        self.numbering = numbering
        self.paragraphs: list[_Para] = []
        self.fields: list[_Field] = []
        self.note_refs: dict[str, list[str]] = {"footnote": [], "endnote": []}
        self._paras: list[_Para] = []
        self._fields: list[_Field] = []
        self._rows: list[int] = []
        self._row_count = 0
        self._hidden: list[bool] = []
        self._sdts: list[_Field | None] = []
        self._note: str | None = None
        self._count = 0

    def read(self, root: ET.Element) -> _Reader:
        stack: list[tuple[ET.Element, Iterator[ET.Element]]] = [(root, iter(root) if self._start(root) else iter(()))]
        while stack:
            elem, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                self._end(elem)
            else:
                stack.append((child, iter(child) if self._start(child) else iter(())))
        while self._fields:  # fields left open by a damaged document
            self._finish(self._fields.pop())
        self.paragraphs.sort(key=lambda p: p.number)
        return self

    # text goes to the instruction of the innermost field still in its instruction, else to the paragraph
    def _text(self, text: str) -> None:
        for f in reversed(self._fields):
            if not f.result:
                f.instr.append(text)
                return
        if self._paras and not (self._hidden and self._hidden[-1]):
            self._paras[-1].text.append(text)

    def _start(self, elem: ET.Element) -> bool:
        local = _w(elem)
        if not local:
            ns, name = _split(elem.tag)
            # markup compatibility: read the preferred choice only, never both copies of a drawing
            return not (ns == _MC_NS and name == "Fallback")
        if local in _SKIP:
            return False
        if local == "p":
            self._count += 1
            ppr = _child(elem, "pPr")
            label = self.numbering.label(ppr) if self.numbering else None
            para = _Para(self._count, label=label, row=self._rows[-1] if self._rows else None, note=self._note)
            self._paras.append(para)
            return True
        if local == "pPr":
            return False
        if local == "t":
            self._text(elem.text or "")
        elif local == "instrText":
            if self._fields and not self._fields[-1].result:
                self._fields[-1].instr.append(elem.text or "")
        elif local in ("tab", "ptab"):
            self._text("\t")
        elif local in ("br", "cr"):
            self._text("\n")
        elif local == "noBreakHyphen":
            self._text("-")
        elif local == "r":
            rpr = _child(elem, "rPr")
            hidden = _on(_child(rpr, "vanish")) or _on(_child(rpr, "webHidden"))
            self._hidden.append(hidden or bool(self._hidden and self._hidden[-1]))
        elif local == "fldChar":
            kind = _attr(elem, "fldCharType")
            if kind == "begin":
                data = _child(elem, "fldData")
                self._fields.append(
                    _Field(data=[data.text or ""] if data is not None else [], para=self._current_para())
                )
            elif kind == "separate" and self._fields:
                self._to_result(self._fields[-1])
            elif kind == "end" and self._fields:
                self._finish(self._fields.pop())
        elif local == "fldSimple":
            f = _Field(instr=[_attr(elem, "instr") or ""], para=self._current_para())
            self._fields.append(f)
            self._to_result(f)
        elif local == "sdt":
            self._sdts.append(self._content_control(elem))
        elif local == "sdtPr":
            return False
        elif local == "tr":
            self._row_count += 1
            self._rows.append(self._row_count)
        elif local in ("footnote", "endnote"):
            if (_attr(elem, "type") or "normal") != "normal":
                return False  # separator and continuation notes
            self._note = _attr(elem, "id")
        elif local in ("footnoteReference", "endnoteReference"):
            self.note_refs[local[:-9]].append(_attr(elem, "id") or "")
            return False
        return True

    def _end(self, elem: ET.Element) -> None:
        local = _w(elem)
        if local == "p" and self._paras:
            para = self._paras.pop()
            for f in self._fields:
                if f.bibliography and f.result:
                    f.paras.add(para.number)
            for sdt in self._sdts:
                if sdt is not None and sdt.bibliography:
                    sdt.paras.add(para.number)
            self.paragraphs.append(para)
        elif local == "r" and self._hidden:
            self._hidden.pop()
        elif local == "fldSimple":
            if self._fields:
                self._finish(self._fields.pop())
        elif local == "sdt" and self._sdts:
            sdt = self._sdts.pop()
            if sdt is not None:
                if sdt.bibliography and self._paras:
                    sdt.paras.add(self._paras[-1].number)
                self.fields.append(sdt)
        elif local == "tr" and self._rows:
            self._rows.pop()
        elif local in ("footnote", "endnote"):
            self._note = None

    def _current_para(self) -> int:
        return self._paras[-1].number if self._paras else self._count

    def _to_result(self, f: _Field) -> None:
        f.result = True
        f.bibliography = _is_bibliography(f.instruction)
        if f.bibliography and self._paras:
            f.paras.add(self._paras[-1].number)

    def _finish(self, f: _Field) -> None:
        if not f.result:
            self._to_result(f)
        elif f.bibliography and self._paras:
            f.paras.add(self._paras[-1].number)
        self.fields.append(f)

    def _content_control(self, elem: ET.Element) -> _Field | None:
        """Mendeley Cite keeps its citation data in the content control's tag (base64 JSON)."""
        tag = _attr(_child(_child(elem, "sdtPr"), "tag"), "val") or ""
        if tag.startswith("MENDELEY_BIBLIOGRAPHY"):
            return _Field(instr=["ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY"], result=True, bibliography=True)
        if tag.startswith("MENDELEY_CITATION_v3_"):
            f = _Field(instr=["ADDIN CSL_CITATION"], result=True, para=self._current_para())
            try:
                f.payload = json.loads(base64.b64decode(tag[len("MENDELEY_CITATION_v3_") :] + "=="))
            except (ValueError, RecursionError):
                f.payload = ValueError("the content control's data is not base64-encoded JSON")
            return f
        return None
