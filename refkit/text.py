"""Text normalisation shared by the stages that compare strings (matching, de-duplication, the audit, indexes).

Example:
    >>> fold("Bégon E: <i>Symptomatic</i> calcification!")
    'begon e symptomatic calcification'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "strip_accents"]


def strip_accents(text: str) -> str:
    """``text`` with combining accents removed ("Márquez" -> "Marquez"); case and punctuation kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str | None) -> str:
    """A comparison key: accents removed, case folded, markup dropped, runs of non-word characters one space."""
    if not text:
        return ""
    text = re.sub(r"<[^>]+>", " ", strip_accents(text).casefold())
    return re.sub(r"[^\w]+", " ", text).strip()
