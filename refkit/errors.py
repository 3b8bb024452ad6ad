"""refkit's exceptions: one tree, so callers can catch as broadly or narrowly as they need.

::

    RefkitError
    ├── InputError                  an input file cannot be used (missing, empty, binary, undecodable)
    │   └── NoReferencesError       the input was read, but it holds no reference list
    ├── FormatError                 a BibTeX, CSL-JSON or RIS input is malformed
    ├── OutputError                 an output file could not be written (read-only folder, full disk)
    └── RegistryError               the registry (Crossref) could not give an answer
        ├── RegistryUnavailable     unreachable, timed out, or kept failing (5xx) after retries
        ├── RateLimited             kept answering 429 after retries
        └── RegistryResponseError   answered something that is not a valid response

API misuse (a wrong argument type or value) raises ``TypeError`` or ``ValueError``, not a RefkitError.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FormatError",
    "InputError",
    "NoReferencesError",
    "OutputError",
    "RateLimited",
    "RefkitError",
    "RegistryError",
    "RegistryResponseError",
    "RegistryUnavailable",
]


class RefkitError(Exception):
    """Base class of every error refkit raises on purpose."""


class InputError(RefkitError):
    """An input cannot be used. ``path`` names it."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class NoReferencesError(InputError):
    """The input was read, but no reference list was found in it."""


class FormatError(RefkitError):
    """A structured input (BibTeX, CSL-JSON, RIS) is malformed."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class OutputError(RefkitError):
    """An output file could not be written; nothing was replaced. ``path`` names it."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class RegistryError(RefkitError):
    """The registry could not give an answer.

    A request for many records that failed in part says what it did get: ``partial`` maps the items answered to
    their answers, ``failed`` the others to why they got none (both empty otherwise).
    """

    def __init__(
        self, message: str = "", *, partial: dict[str, Any] | None = None, failed: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.partial: dict[str, Any] = dict(partial or {})
        self.failed: dict[str, str] = dict(failed or {})


class RegistryUnavailable(RegistryError):
    """The registry could not be reached, timed out, or kept failing after retries."""


class RateLimited(RegistryError):
    """The registry kept refusing with 429 Too Many Requests after retries."""


class RegistryResponseError(RegistryError):
    """The registry answered with something that is not a valid response (e.g. malformed JSON)."""
