"""Citation managers' data in the document (Zotero, Mendeley, EndNote) and which printed reference each item is."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from refkit.extract.docx.common import _DOI_RE
from refkit.extract.docx.package import _parse_xml
from refkit.extract.docx.walk import _Field
from refkit.model import Citation
from refkit.text import small_int


@dataclass
class _Item:
    csl: dict[str, Any]
    manager: str
    keys: set[str]
    para: int
    part: str | None


def _fold(text: str) -> str:
    """Lowercase, accents and markup removed, punctuation as spaces: for comparing names and titles."""
    text = re.sub(r"<[^>]{0,200}>", "", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _year(item: dict[str, Any]) -> int | None:
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                pass
        found = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(issued.get("raw") or issued.get("literal") or ""))
        if found:
            return int(found.group(1))
    return None


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _keys(csl: dict[str, Any], extra: list[str]) -> set[str]:
    keys = {k for k in extra if k}
    doi = _first(csl.get("DOI")).lower()
    if doi:
        keys.add("doi:" + doi)
    title = _fold(_first(csl.get("title")))
    if len(title) > 10:
        keys.add(f"title:{title}:{_year(csl)}")
    return keys


def _csl_items(payload: Any, manager: str) -> list[tuple[dict[str, Any], list[str]]]:
    """(CSL item, identity keys) for each item of a Zotero or Mendeley citation object."""
    if not isinstance(payload, dict) or not isinstance(payload.get("citationItems"), list):
        raise ValueError("no citationItems list")
    out = []
    for entry in payload["citationItems"]:
        if not isinstance(entry, dict):
            continue
        data = entry.get("itemData")
        if not isinstance(data, dict):
            continue
        uris = entry.get("uris") or entry.get("uri") or []  # "uri" in fields written by older Zotero versions
        keys = [f"uri:{u}" for u in ([uris] if isinstance(uris, str) else uris) if isinstance(u, str)]
        # Mendeley numbers its items per citation ("ITEM-1"), so only Zotero's ids identify a work
        if manager == "zotero" and entry.get("id") is not None:
            keys.append(f"zotero:{entry['id']}")
        out.append((dict(data), keys))
    return out


_ENDNOTE_TYPES = {
    "journal article": "article-journal",
    "electronic article": "article-journal",
    "book": "book",
    "edited book": "book",
    "electronic book": "book",
    "book section": "chapter",
    "electronic book section": "chapter",
    "conference proceedings": "paper-conference",
    "conference paper": "paper-conference",
    "thesis": "thesis",
    "report": "report",
    "government document": "report",
    "web page": "webpage",
    "newspaper article": "article-newspaper",
    "magazine article": "article-magazine",
    "patent": "patent",
    "dataset": "dataset",
    "manuscript": "manuscript",
    "unpublished work": "manuscript",
    "statute": "legislation",
    "case": "legal_case",
    "dictionary": "entry-dictionary",
    "encyclopedia": "entry-encyclopedia",
    "film or broadcast": "motion_picture",
    "map": "map",
    "personal communication": "personal_communication",
    "generic": "article",
}


def _text_of(elem: ET.Element | None) -> str:
    """All text below an element (EndNote wraps values in <style> runs), spaces normalised."""
    if elem is None:
        return ""
    return " ".join("".join(elem.itertext()).split())  # the C iterator walks without recursion


def _find(elem: ET.Element, *path: str) -> ET.Element | None:
    """The first descendant along ``path``, tag names compared case-insensitively."""
    current: ET.Element | None = elem
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if isinstance(c.tag, str) and c.tag.lower() == name), None)
    return current


def _endnote_person(name: str) -> dict[str, str]:
    family, comma, given = name.partition(",")
    if comma:
        return {"family": family.strip(), "given": given.strip()} if given.strip() else {"family": family.strip()}
    words = name.split()
    if len(words) > 1 and re.fullmatch(r"[A-Z][A-Z.\-]{0,5}", words[-1]):  # "Deza G"
        return {"family": " ".join(words[:-1]), "given": words[-1]}
    return {"literal": name}


def endnote_to_csl(record: ET.Element) -> dict[str, Any]:
    """Convert one EndNote XML ``<record>`` to a CSL-JSON item.

    Example:
        >>> rec = ET.fromstring("<record><ref-type name='Journal Article'>17</ref-type><titles><title>Ear"
        ...     "</title></titles><dates><year>2003</year></dates></record>")
        >>> endnote_to_csl(rec)
        {'type': 'article-journal', 'title': 'Ear', 'issued': {'date-parts': [[2003]]}}
    """
    ref_type = _find(record, "ref-type")
    type_name = (ref_type.get("name") if ref_type is not None else "") or ""
    csl: dict[str, Any] = {"type": _ENDNOTE_TYPES.get(type_name.strip().lower(), "article")}
    contributors = _find(record, "contributors")
    for role, csl_role in (("authors", "author"), ("secondary-authors", "editor")):
        group = _find(contributors, role) if contributors is not None else None
        names = [_text_of(a) for a in group or () if isinstance(a.tag, str)] if group is not None else []
        if any(names):
            csl[csl_role] = [_endnote_person(n) for n in names if n]
    titles = _find(record, "titles")
    if titles is not None:
        for name, variable in (("title", "title"), ("secondary-title", "container-title")):
            value = _text_of(_find(titles, name))
            if value:
                csl[variable] = value
        short = _text_of(_find(titles, "alt-title")) or _text_of(_find(titles, "short-title"))
        if short and csl.get("type") == "article-journal":
            csl.setdefault("container-title-short", short)
    periodical = _find(record, "periodical")
    if periodical is not None:
        full = _text_of(_find(periodical, "full-title"))
        if full and "container-title" not in csl:
            csl["container-title"] = full
        abbr = _text_of(_find(periodical, "abbr-1"))
        if abbr:
            csl["container-title-short"] = abbr
    alt = _find(record, "alt-periodical")
    if alt is not None:
        abbr = _text_of(_find(alt, "abbr-1")) or _text_of(_find(alt, "full-title"))
        if abbr:
            csl.setdefault("container-title-short", abbr)
    for name, variable in (("volume", "volume"), ("number", "issue"), ("pages", "page"), ("publisher", "publisher")):
        value = _text_of(_find(record, name))
        if value:
            csl[variable] = value
    place = _text_of(_find(record, "pub-location"))
    if place:
        csl["publisher-place"] = place
    year = re.search(r"\d{4}", _text_of(_find(record, "dates", "year")))
    if year:
        csl["issued"] = {"date-parts": [[int(year.group())]]}
    doi = _DOI_RE.search(_text_of(_find(record, "electronic-resource-num")))
    if doi:
        csl["DOI"] = doi.group().rstrip(".,;")
    accession = _text_of(_find(record, "accession-num"))
    if re.fullmatch(r"(?:PMID:?\s*)?\d{1,8}", accession):
        csl["PMID"] = re.sub(r"\D", "", accession)
    url = _text_of(_find(record, "urls", "related-urls", "url")) or _text_of(_find(record, "urls", "web-urls", "url"))
    if url:
        csl["URL"] = url
    return csl


def _endnote_xml(f: _Field) -> str:
    """The EndNote XML of an EN.CITE field: in the instruction (maybe entity-escaped) or base64 in fldData."""
    text = f.instruction
    if "<EndNote" not in text and "&lt;EndNote" in text:
        text = html.unescape(text)
    if "<EndNote" not in text and f.data:
        raw = base64.b64decode("".join("".join(f.data).split()), validate=False)
        text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")
    start, end = text.find("<EndNote"), text.rfind("</EndNote>")
    if start < 0 or end < 0:
        return ""
    return text[start : end + len("</EndNote>")]


def _endnote_items(f: _Field) -> list[tuple[dict[str, Any], list[str]]]:
    xml = _endnote_xml(f)
    if not xml:
        return []
    root = _parse_xml(xml.encode("utf-8"), "the EndNote field")
    out = []
    for cite in root:
        if not isinstance(cite.tag, str) or cite.tag.lower() != "cite":
            continue
        record = _find(cite, "record")
        if record is None:
            continue
        csl = endnote_to_csl(record)
        number = _text_of(_find(record, "rec-number")) or _text_of(_find(cite, "recnum"))
        keys = _find(record, "foreign-keys")
        key = _find(keys, "key") if keys is not None else None
        database = (key.get("db-id") if key is not None else None) or ""
        out.append((csl, [f"endnote:{database}:{number}"] if number else []))
    return out


def _embedded(fields: list[_Field], part: str | None, file: str, warnings: list[str] | None) -> list[_Item]:
    """The citation managers' items of the fields, in citation order (duplicates kept; merged later)."""
    items: list[_Item] = []
    for f in fields:
        instruction = f.instruction
        if not instruction.startswith("ADDIN") or f.bibliography:
            continue
        if re.match(r"ADDIN\s+ZOTERO_ITEM\b", instruction):
            manager = "zotero"
        elif re.match(r"ADDIN\s+CSL_CITATION\b", instruction):
            manager = "mendeley"
        elif re.match(r"ADDIN\s+EN\.CITE\b", instruction):
            manager = "endnote"
        else:
            continue
        try:
            if manager == "endnote":
                found = _endnote_items(f)
            else:
                payload = f.payload
                if payload is None:
                    start = instruction.find("{")
                    if start < 0:
                        raise ValueError("no JSON data in the field")
                    payload, _ = json.JSONDecoder().raw_decode(instruction, start)
                elif isinstance(payload, Exception):
                    raise payload
                found = _csl_items(payload, manager)
        except (ValueError, RecursionError, binascii.Error) as exc:
            if warnings is not None:
                where = f"{part} " if part else ""
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                warnings.append(
                    f"{file}: {where}paragraph {f.para}: {manager.capitalize()} citation field data cannot be read "
                    f"({reason}); field ignored"
                )
            continue
        for csl, keys in found:
            items.append(_Item(csl, manager, _keys(csl, keys), f.para, part))
    return items


def _merge(items: list[_Item]) -> list[_Item]:
    """Distinct items in order of first citation: items sharing an id, URI, DOI or title and year are one."""
    out: list[_Item] = []
    owner: dict[str, int] = {}
    for item in items:
        index = next((owner[k] for k in item.keys if k in owner), None)
        if index is None:
            index = len(out)
            out.append(item)
        for key in item.keys:
            owner.setdefault(key, index)
    return out


def _initials(given: str) -> str:
    return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)


def render_item(item: dict[str, Any]) -> str:
    """A plain reference string for a CSL item: "Family AB, Family CD (2016) Title. Journal 96:418-419".

    Example:
        >>> render_item({"author": [{"family": "Deza", "given": "Gustavo"}], "issued": {"date-parts": [[2016]]},
        ...     "title": "Solitary calcified nodule", "container-title": "Acta Derm Venereol", "volume": "96"})
        'Deza G (2016) Solitary calcified nodule. Acta Derm Venereol 96'
    """
    names = []
    for person in item.get("author") or item.get("editor") or []:
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            names.append(str(person["literal"]))
        elif person.get("family"):
            given = _initials(str(person.get("given") or ""))
            names.append(f"{person['family']} {given}".strip())
    text = ", ".join(names[:6]) + (" et al." if len(names) > 6 else "")
    year = _year(item)
    text += f" ({year})" if year else ""
    title = re.sub(r"<[^>]{0,200}>", "", _first(item.get("title"))).rstrip(".")
    if title:
        text += f" {title}."
    container = _first(item.get("container-title-short")) or _first(item.get("container-title"))
    details = ""
    if item.get("volume"):
        details += str(item["volume"])
    if item.get("issue"):
        details += f"({item['issue']})"
    if item.get("page"):
        details += f":{item['page']}" if details else str(item["page"])
    tail = " ".join(p for p in (container, details) if p)
    if tail:
        text += f" {tail}"
    if item.get("DOI"):
        text += f". doi:{item['DOI']}"
    return " ".join(text.split()).strip()


@dataclass(frozen=True)
class _Facts:
    """What a printed string is checked against, prepared once per embedded item."""

    doi: str
    family: str
    year: int | None
    title: str
    volume: str
    page: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> _Facts:
        authors = [p for p in item.get("author") or item.get("editor") or [] if isinstance(p, dict)]
        family = _fold(str(authors[0].get("family") or authors[0].get("literal") or "")) if authors else ""
        return cls(
            doi=_first(item.get("DOI")).lower(),
            family=family.split()[-1] if family else "",
            year=_year(item),
            title=_fold(_first(item.get("title"))),
            volume=_fold(str(item.get("volume") or "")),
            page=(_fold(str(item.get("page") or "")).split(" ") or [""])[0],
        )


def _similarity(raw: str, folded: str, facts: _Facts, hinted: bool) -> float | None:
    """How surely the printed string is the embedded item (None: not sure enough to attach)."""
    from rapidfuzz import fuzz

    if facts.doi and facts.doi in raw.lower():
        return 2.0
    words = set(folded.split())
    author_ok = bool(facts.family) and all(w in words for w in facts.family.split())
    year_ok = facts.year is not None and re.search(rf"(?<!\d){facts.year}(?!\d)", folded) is not None  # 2016a
    if not (author_ok or year_ok):  # every way to be sure below needs one of them; spares the fuzzy match
        return None
    title_score = fuzz.partial_ratio(facts.title, folded) / 100 if facts.title else 0.0
    detail_ok = bool(facts.volume and facts.volume in words) or bool(facts.page and facts.page in words)
    score = 0.5 * title_score + 0.2 * author_ok + 0.15 * year_ok + 0.15 * detail_ok + 0.05 * hinted
    long_title = len(facts.title) >= 12
    if (title_score >= 0.9 and long_title and (author_ok or year_ok)) or (
        author_ok and year_ok and (title_score >= 0.75 or detail_ok or (hinted and not long_title))
    ):
        return score
    return None


def _attach(printed: list[Citation], items: list[_Item]) -> tuple[list[Citation], list[_Item]]:
    """Give each printed reference the embedded item it is, one to one; returns the items left over."""
    facts = [_Facts.of(item.csl) for item in items]
    pairs = []
    for i, cit in enumerate(printed):
        label = cit.source.label if cit.source else None
        number = small_int(label)
        hint = number - 1 if number is not None else None
        folded = _fold(cit.raw)
        for j, fact in enumerate(facts):
            score = _similarity(cit.raw, folded, fact, hint == j)
            if score is not None:
                pairs.append((score, -abs((hint if hint is not None else j) - j), i, j))
    pairs.sort(reverse=True)
    taken: dict[int, int] = {}
    used: set[int] = set()
    for _, _, i, j in pairs:
        if i not in taken and j not in used:
            taken[i] = j
            used.add(j)
    out = [
        Citation(c.raw, c.source, dict(items[taken[i]].csl), items[taken[i]].manager) if i in taken else c
        for i, c in enumerate(printed)
    ]
    return out, [item for j, item in enumerate(items) if j not in used]
