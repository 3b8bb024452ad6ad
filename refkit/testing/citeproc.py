"""citeproc-js (the processor inside Zotero) as a reference client, for tests and benchmarks.

citeproc-js runs under Node from the small script ``tests/js/render.js`` (``npm ci --prefix tests/js`` installs
citeproc); these helpers build the items refkit exports and read back what citeproc-js prints.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from refkit.export.csljson import to_item
from refkit.format import _ET_AL_NAME, _csl_path, journal_forms, resolve_style
from refkit.model import Cluster, Reference

__all__ = ["locales_dir", "render_with_citeproc_js", "zotero_item"]


def locales_dir() -> Path:
    """citeproc-py's CSL locale files, which citeproc-js reads too."""
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


def zotero_item(ref: Reference, key: str) -> dict[str, Any]:
    """The CSL-JSON item refkit exports for ``ref`` as Zotero holds it, with only the reference's own note.

    Both forms of the journal's name are filled as Zotero fills them (:func:`refkit.format.journal_forms`), and
    a cut-short author list gets the same stand-in last author that refkit replaces by "et al." (CSL-JSON has no
    way to say it), so that the rest of the entry is compared.
    """
    ref = journal_forms(ref)
    item = to_item(Cluster(id=key, citations=(ref,), canonical=ref), key)
    item.pop("note", None)
    if ref.note:
        item["note"] = ref.note
    if ref.et_al and item.get("author"):
        item["author"].append({"family": _ET_AL_NAME})
    return item


def render_with_citeproc_js(
    items: list[dict[str, Any]], style: str, render_js: Path, *, output: str = "text", timeout: float = 300
) -> list[dict[str, str]]:
    """Each item's bibliography entry as citeproc-js prints it (``{"id", "entry"}``, in its order).

    Raises:
        subprocess.CalledProcessError: citeproc-js failed (its message is on the error's ``stderr``).
    """
    run = subprocess.run(
        ["node", str(render_js), str(_csl_path(resolve_style(style))), str(locales_dir()), "-", "--format", output],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    return list(json.loads(run.stdout))
