"""How a registry reaches the workers: a recipe the driver writes, from which each worker process makes its own.

* a :class:`~refkit.registry.CrossrefClient` travels as its settings (server, cache file, limits) plus the cluster's
  shared rate gates and in-flight cap (:mod:`refkit.distributed.limits`); the workers open the same SQLite cache
  file (a shared path: on one machine it is, on several it needs a shared file system, or each machine keeps a
  cache of its own);
* a :class:`~refkit.registry.snapshot.SnapshotRegistry` travels as the path of its index, which each worker opens
  read-only (a shared path: a local disk on one machine, a shared file system or a copy at the same path on each
  machine of a cluster);
* any other registry travels pickled.

A worker makes the registry of a run once and keeps it for the run's tasks (:func:`registry_from`).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refkit.distributed.limits import ClusterLimits
from refkit.registry import Registry

__all__ = ["RegistryRecipe", "forget", "recipe_for", "registry_from", "requests_sent"]


@dataclass(frozen=True)
class RegistryRecipe:
    """What a worker needs to make the run's registry (see the module's description)."""

    kind: str  # "crossref", "snapshot" or "object"
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    settings: dict[str, Any] = field(default_factory=dict)
    limits: ClusterLimits | None = None
    registry: Any = None

    def make(self) -> Registry:
        if self.kind == "crossref":
            from distributed import get_client

            from refkit.registry import CrossrefClient

            shared = self.limits.for_client(get_client()) if self.limits is not None else {}
            return CrossrefClient(**self.settings, **shared)
        if self.kind == "snapshot":
            from refkit.registry.snapshot import SnapshotRegistry

            return SnapshotRegistry(**self.settings, read_only=True)
        return self.registry  # type: ignore[no-any-return]

    def release(self, client: Any) -> None:
        """Free the run's shared state on the scheduler (the driver calls it at the end)."""
        if self.limits is not None:
            self.limits.release(client)


def recipe_for(registry: Registry, client: Any = None) -> RegistryRecipe:
    """The recipe of ``registry`` (with cluster-wide limits made on ``client``'s scheduler for a Crossref client)."""
    from refkit.registry import CrossrefClient
    from refkit.registry.snapshot import SnapshotRegistry

    if isinstance(registry, CrossrefClient):
        from refkit.distributed.limits import shared_limits

        settings = registry.settings()
        if settings["cache"]:
            settings["cache"] = str(Path(settings["cache"]).resolve()) if settings["cache"] != ":memory:" else False
        return RegistryRecipe("crossref", settings=settings, limits=shared_limits(settings, client))
    if isinstance(registry, SnapshotRegistry):
        if registry.index_path in ("", ":memory:"):
            raise ValueError("a snapshot held in memory cannot reach the workers: index it into a file first")
        path = str(Path(registry.index_path).resolve())
        return RegistryRecipe(
            "snapshot",
            settings={
                "index_path": path,
                "max_terms": registry.max_terms,
                "pool": registry.pool,
                "postings": registry.postings,
            },
        )
    return RegistryRecipe("object", registry=registry)


_made: dict[str, Registry] = {}
_lock = threading.Lock()


def registry_from(recipe: RegistryRecipe) -> Registry:
    """This process's registry of the run (made on first use, kept for the run's later tasks)."""
    with _lock:
        registry = _made.get(recipe.token)
        if registry is None:
            registry = _made[recipe.token] = recipe.make()
        return registry


def requests_sent(token: str) -> int:
    """Requests this process's registry of the run has sent (0 for one that keeps no count)."""
    registry = _made.get(token)
    return int(getattr(getattr(registry, "stats", None), "sent", 0))


def forget(token: str) -> None:
    """Close and drop this process's registry of the run."""
    with _lock:
        registry = _made.pop(token, None)
    from refkit.registry import CrossrefClient
    from refkit.registry.snapshot import SnapshotRegistry

    if isinstance(registry, CrossrefClient | SnapshotRegistry):  # made here; another registry is the caller's
        registry.close()
