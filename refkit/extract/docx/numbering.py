"""Word's automatic list numbers, computed from numbering.xml and styles.xml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from refkit.extract.docx.package import _attr, _child, _int, _w


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


class _Numbering:
    """Word's automatic list numbers, computed in document order as Word does."""

    def __init__(self, numbering: ET.Element | None, styles: ET.Element | None) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.style_link: dict[str, str] = {}  # abstractNum id -> the numbering style it takes its levels from
        self.nums: dict[str, str] = {}  # numId -> abstractNumId
        self.overrides: dict[str, dict[int, int]] = {}  # numId -> level -> start value
        self.level_overrides: dict[str, dict[int, _Level]] = {}
        self.styles: dict[str, tuple[str | None, int | None, str | None]] = {}  # styleId -> numId, ilvl, basedOn
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        if styles is not None:
            for style in styles:
                if _w(style) != "style":
                    continue
                ppr = _child(style, "pPr")
                numpr = _child(ppr, "numPr")
                num_id = _attr(_child(numpr, "numId"), "val")
                ilvl = _attr(_child(numpr, "ilvl"), "val")
                based = _attr(_child(style, "basedOn"), "val")
                self.styles[_attr(style, "styleId") or ""] = (num_id, _int(ilvl) if ilvl else None, based)
        if numbering is None:
            return
        for elem in numbering:
            kind = _w(elem)
            if kind == "abstractNum":
                levels = {}
                for lvl in elem:
                    if _w(lvl) == "lvl":
                        levels[_int(_attr(lvl, "ilvl"))] = self._level(lvl)
                    elif _w(lvl) == "numStyleLink":
                        self.style_link[_attr(elem, "abstractNumId") or ""] = _attr(lvl, "val") or ""
                self.abstract[_attr(elem, "abstractNumId") or ""] = levels
            elif kind == "num":
                num_id = _attr(elem, "numId") or ""
                self.nums[num_id] = _attr(_child(elem, "abstractNumId"), "val") or ""
                for override in elem:
                    if _w(override) != "lvlOverride":
                        continue
                    index = _int(_attr(override, "ilvl"))
                    start = _child(override, "startOverride")
                    if start is not None:
                        self.overrides.setdefault(num_id, {})[index] = _int(_attr(start, "val"), 1)
                    redefined = _child(override, "lvl")
                    if redefined is not None:
                        self.level_overrides.setdefault(num_id, {})[index] = self._level(redefined)

    @staticmethod
    def _level(lvl: ET.Element) -> _Level:
        return _Level(
            start=_int(_attr(_child(lvl, "start"), "val"), 1),
            fmt=_attr(_child(lvl, "numFmt"), "val") or "decimal",
            text=_attr(_child(lvl, "lvlText"), "val") or "",
        )

    def _style_numbering(self, style: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style and style not in seen:
            seen.add(style)
            num_id, ilvl, based = self.styles.get(style, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            style = based
        return None, None

    def _abstract_id(self, num_id: str) -> str:
        abstract = self.nums.get(num_id, "")
        # a list defined by a numbering style: the levels are those of the abstractNum the style points to
        link = self.style_link.get(abstract)
        if link:
            linked_num, _ = self._style_numbering(link)
            if linked_num is not None and self.nums.get(linked_num, "") != abstract:
                return self.nums.get(linked_num, abstract)
        return abstract

    def label(self, ppr: ET.Element | None) -> tuple[str, str] | None:
        """The number Word shows before a paragraph: (text as printed, e.g. "[3]"; the bare number, e.g. "3")."""
        numpr = _child(ppr, "numPr")
        style = _attr(_child(ppr, "pStyle"), "val")
        num_id = _attr(_child(numpr, "numId"), "val")
        ilvl_value = _attr(_child(numpr, "ilvl"), "val")
        style_num, style_ilvl = self._style_numbering(style)
        if num_id is None:
            num_id = style_num
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        ilvl = _int(ilvl_value) if ilvl_value is not None else (style_ilvl or 0)
        abstract = self._abstract_id(num_id)
        levels = dict(self.abstract.get(abstract, {}))
        levels.update(self.level_overrides.get(num_id, {}))
        counters = self.counters.setdefault(abstract, [None] * 9)
        ilvl = max(0, min(ilvl, 8))
        if num_id not in self.started:
            self.started.add(num_id)
            # a num with a start override restarts the list it shares with other nums
            for index, start in self.overrides.get(num_id, {}).items():
                if 0 <= index < 9:
                    counters[index] = start - 1
        level = levels.get(ilvl, _Level())
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if level.fmt in ("bullet", "none") or not level.text:
            return None

        def render(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            lvl = levels.get(index, _Level())
            value = counters[index] if 0 <= index < 9 and counters[index] is not None else lvl.start
            return _format_number(int(value or 0), lvl.fmt)

        printed = re.sub(r"%([1-9])", render, level.text).strip()
        bare = _format_number(int(counters[ilvl] or 0), level.fmt)
        return printed, bare


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else str(value)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = ""
        for number, digits in (
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ):
            while value >= number:
                roman += digits
                value -= number
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)
