"""Test support for refkit and for code that uses it: a local server speaking the Crossref REST API.

Example:
    >>> from refkit.testing import CrossrefServer
    >>> with CrossrefServer([{"DOI": "10.5555/demo", "title": ["Demo"]}]) as server:
    ...     server.get("10.5555/DEMO")["title"]
    ['Demo']
"""

from refkit.testing.crossref_server import CrossrefServer, LoggedRequest, load_records

__all__ = ["CrossrefServer", "LoggedRequest", "load_records"]
