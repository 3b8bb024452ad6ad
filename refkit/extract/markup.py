"""HTML, Markdown and JATS XML articles."""

from __future__ import annotations

import html
import html.entities
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from refkit.errors import InputError
from refkit.model import Citation, Source
from refkit.text import clean_text, small_int

__all__ = ["extract_jats", "html_to_text", "markdown_to_text"]


class _TextFromHTML(HTMLParser):
    _BLOCKS: frozenset[str] = frozenset(
        {
            "p",
            "div",
            "li",
            "br",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "section",
            "article",
            "ol",
            "ul",
            "dd",
            "dt",
            "blockquote",
            "header",
            "footer",
            "table",
        }
    )
    _SKIP: frozenset[str] = frozenset({"script", "style", "noscript", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.counters: list[int | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag == "ol":
            start = dict(attrs).get("start")
            first = small_int(start)
            self.counters.append(first - 1 if first is not None else 0)
        elif tag == "ul":
            self.counters.append(None)
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            counter = self.counters[-1] if self.counters else None
            if counter is not None:
                self.counters[-1] = counter + 1
                self.parts.append(f"{counter + 1}. ")
            else:
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("ol", "ul") and self.counters:
            self.counters.pop()
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


# Python's HTML parser (before 3.13) raises AssertionError on "<![" not followed by a name ("<![[x"), where a browser
# reads a bogus comment: such a "<![" is read as text instead.
_BAD_MARKED_SECTION = re.compile(r"<!\[(?![A-Za-z])")


def html_to_text(text: str) -> str:
    # Python's HTML parser (before 3.11.13) scans to the end of the text for every "<" that no ">" follows: many of
    # them took quadratic time (a second for 30 KB). After the last ">" a "<" can only be text, so it is given as text.
    last = text.rfind(">")
    text = text[: last + 1] + text[last + 1 :].replace("<", "&lt;")
    parser = _TextFromHTML()
    try:
        parser.feed(_BAD_MARKED_SECTION.sub("&lt;![", text))
        parser.close()
    except AssertionError:
        # any other declaration the parser cannot scan: every "<!" is read as text
        parser = _TextFromHTML()
        parser.feed(text.replace("<!", "&lt;!"))
        parser.close()
    return "".join(parser.parts)


# A link or image: its text and address are kept. Link text holds no bracket and the address part cannot be read two
# ways, so the pattern never backtracks over the rest of the text: "[[[[..." or "](aaaa..." without an end took
# seconds to minutes (quadratic or worse).
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\(([^()\s]*)(?:\s[^()]*)?\)")


def markdown_to_text(text: str) -> str:
    text = _MD_LINK.sub(r"\1 \2", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])[*_](\S[^*_]*?)[*_](?![\w*])", r"\1", text)
    return html.unescape(text)


#: JATS elements that hold one citation: the printed form first (``mixed-citation``), then the structured ones of
#: JATS 1.x (``element-citation``), NLM 2.x/3.0 (``nlm-citation``, older PLOS and PMC articles) and NLM 1.x.
_CITATION_TAGS = ("mixed-citation", "element-citation", "nlm-citation", "citation")
# XML knows five named entities; an article that uses HTML's (&nbsp;, &eacute;) is still read.
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
# Past this depth of markup inside one citation, its text is read flat (no punctuation put back): deeper nesting
# is not JATS a publisher writes, and reading it recursively would exhaust Python's stack.
_MAX_DEPTH = 64


def _named_entities(text: str) -> str:
    def numeric(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return match.group(0)
        return f"&#{html.entities.name2codepoint[name]};"

    return re.sub(r"&([A-Za-z][A-Za-z0-9]*);", numeric, text) if "&" in text else text


def _citation_node(ref: ET.Element) -> ET.Element | None:
    """The citation element of a ``<ref>``; inside ``<citation-alternatives>``, the printed form first."""
    for holder in (ref, *ref.iter("citation-alternatives")):
        for tag in _CITATION_TAGS:
            node = holder.find(tag)
            if node is not None:
                return node
    return None


def extract_jats(text: str, file: str) -> list[Citation]:
    """The references of a JATS (or NLM) XML article, each with its ``<label>``."""
    # the text is decoded already: the declaration's encoding (perhaps unknown, or not UTF-8) no longer applies
    text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = ET.fromstring(_named_entities(re.sub(r"<!DOCTYPE[^>]*>", "", text, count=1)).encode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"{file}: malformed XML ({exc})", file) from exc
    citations = []
    for ref in root.iter("ref"):
        node = _citation_node(ref)
        if node is None:
            continue
        raw = clean_text(re.sub(r"\s+", " ", _jats_text(node)).strip())
        label = ref.findtext("label")
        if raw:
            citations.append(
                Citation(raw=raw, source=Source(file, len(citations) + 1, 0, label.strip() if label else None))
            )
    return citations


def _flat_text(node: ET.Element) -> str:
    """All text inside ``node`` (not its tail), read without recursion."""
    parts = [node.text or ""]
    stack = [(node, iter(node))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                parts.append(element.tail or "")
            continue
        parts.append(child.text or "")
        stack.append((child, iter(child)))
    return "".join(parts)


def _jats_text(node: ET.Element, depth: int = 0) -> str:
    """Text of a citation, with the spaces and commas the printed form has where JATS leaves them out."""
    if depth >= _MAX_DEPTH:
        return _flat_text(node)
    parts: list[str] = [node.text or ""]
    children = list(node)
    for i, child in enumerate(children):
        inner = _jats_text(child, depth + 1)
        if child.tag == "surname" and not (child.tail or "").strip():
            inner += " "
        if parts and parts[-1][-1:].isalnum() and inner[:1].isalnum():
            parts.append(" ")
        parts.append(inner)
        tail = child.tail or ""
        following = children[i + 1] if i + 1 < len(children) else None
        if child.tag in ("name", "string-name") and following is not None and following.tag == child.tag:
            tail = tail if tail.strip() else ", "
        elif node.tag in ("element-citation", "nlm-citation") and not tail.strip():
            tail = ". " if following is not None else ""
        parts.append(tail)
    return "".join(parts)
