"""refkit: free-text reference lists -> a clean, de-duplicated, DOI-linked bibliography and a citation audit.

The stages, each usable alone::

    extract(path)                 -> list[Citation]     reference strings with their source
    parse(text) / parse_citations -> Reference          fields, as the string states them
    match_many(refs, registry)    -> list[Match]        Crossref DOI and record, validated, with a confidence
    dedupe(refs, matches)         -> list[Cluster]      one cluster per work, every citation kept
    export(clusters, path)                              BibTeX, CSL-JSON, RIS
    audit(clusters)               -> list[Finding]      what is wrong or unverifiable

``run`` composes them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from refkit.audit import audit
from refkit.dedupe import dedupe
from refkit.errors import (
    FormatError,
    InputError,
    NoReferencesError,
    OutputError,
    RateLimited,
    RefkitError,
    RegistryError,
    RegistryResponseError,
    RegistryUnavailable,
)
from refkit.extract import extract, extract_text
from refkit.match import match, match_many
from refkit.model import Citation, Cluster, Finding, Match, Person, Reference, Source
from refkit.parse import get_parser, parse, parse_citations
from refkit.pipeline import run
from refkit.registry import CrossrefClient, ResponseCache
from refkit.result import RunResult

__all__ = [
    "Citation",
    "Cluster",
    "CrossrefClient",
    "Finding",
    "FormatError",
    "InputError",
    "Match",
    "NoReferencesError",
    "OutputError",
    "Person",
    "RateLimited",
    "Reference",
    "RefkitError",
    "RegistryError",
    "RegistryResponseError",
    "RegistryUnavailable",
    "ResponseCache",
    "RunResult",
    "Source",
    "__version__",
    "audit",
    "dedupe",
    "extract",
    "extract_text",
    "get_parser",
    "match",
    "match_many",
    "parse",
    "parse_citations",
    "run",
]
