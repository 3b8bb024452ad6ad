"""Test support for refkit and for code that uses it: a local server speaking the Crossref REST API.

Example:
    >>> from refkit.testing import CrossrefServer
    >>> with CrossrefServer([{"DOI": "10.5555/demo", "title": ["Demo"]}]) as server:
    ...     server.get("10.5555/DEMO")["title"]
    ['Demo']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from refkit.testing.crossref_server import CrossrefServer, LoggedRequest, load_records

__all__ = ["CrossrefServer", "LoggedRequest", "load_records"]


def __getattr__(name: str) -> Any:
    # imported on first use, so that ``python -m refkit.testing.crossref_server`` runs the module only once
    if name in __all__:
        from refkit.testing import crossref_server

        return getattr(crossref_server, name)
    raise AttributeError(f"module 'refkit.testing' has no attribute {name!r}")
