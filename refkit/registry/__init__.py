"""Registries of bibliographic records: Crossref through habanero, with a persistent response cache.

A registry is anything with ``work(doi)``, ``works(dois)`` and ``search(query, rows)`` returning Crossref-shaped
work records (see :class:`Registry`); :func:`to_reference` turns one into a :class:`~refkit.model.Reference`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from refkit.registry.cache import ResponseCache, default_cache_path
from refkit.registry.convert import to_reference
from refkit.registry.crossref import DEFAULT_BASE_URL, ClientStats, CrossrefClient, TokenBucket

__all__ = [
    "DEFAULT_BASE_URL",
    "ClientStats",
    "CrossrefClient",
    "Registry",
    "ResponseCache",
    "TokenBucket",
    "default_cache_path",
    "to_reference",
]


@runtime_checkable
class Registry(Protocol):
    """What matching needs of a registry."""

    def work(self, doi: str) -> dict[str, Any] | None: ...

    def works(self, dois: Iterable[str]) -> dict[str, dict[str, Any] | None]: ...

    def search(self, query: str, rows: int = 5) -> list[dict[str, Any]]: ...
