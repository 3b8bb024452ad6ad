"""What the Word reader's steps share: size limits, namespaces, elements that hold no text, label patterns."""

from __future__ import annotations

import re

#: An XML part larger than this (uncompressed) is refused; the parts read together may not exceed twice this.
MAX_PART_BYTES = 50 * 1024 * 1024

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO "strict" documents
)
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PARTS = ("word/numbering.xml", "word/styles.xml", "word/footnotes.xml", "word/endnotes.xml", "word/settings.xml")

# Elements whose content is never displayed text (properties, deleted text, the fallback copy of a drawing).
_SKIP = frozenset(
    {
        "rPr",
        "sectPr",
        "tblPr",
        "tblGrid",
        "trPr",
        "tcPr",
        "sdtEndPr",
        "del",
        "moveFrom",
        "delText",
        "delInstrText",
        "footnoteRef",
        "endnoteRef",
        "annotationRef",
        "separator",
        "continuationSeparator",
        "commentReference",
        "fldData",
    }
)

# a printed number before a reference: "[3]", "3." or "3)", or a bare "3" before a tab (numbered styles' layout);
# a bare number before a space is not taken, it may begin the reference ("2019 Novel coronavirus ...")
_LABEL_RE = re.compile(r"^[ \t]*(?:\[(\d{1,4})\]|(\d{1,4})[.)]|(\d{1,4})(?=\t))\s*")
_DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
