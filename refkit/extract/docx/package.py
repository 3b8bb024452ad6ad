"""The package's parts, read within size limits and without DTDs, and small XML helpers."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from refkit.errors import InputError
from refkit.extract.docx.common import _PARTS, _W_NAMESPACES, MAX_PART_BYTES


def _read_parts(path: str | Path) -> dict[str, bytes]:
    """The XML parts the reader needs, each checked against the size limits before and while reading."""
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError) as exc:
        raise InputError(f"{name}: damaged Word file, not a readable zip archive ({exc})", name) from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from exc
    parts: dict[str, bytes] = {}
    total = 0
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if "word/document.xml" not in members:
            raise InputError(f"{name}: a zip archive without a Word document inside (word/document.xml)", name)
        for part in ("word/document.xml", *_PARTS):
            info = members.get(part)
            if info is None:
                continue
            # the declared size can lie, so the read itself is capped as well
            if info.file_size > MAX_PART_BYTES:
                raise InputError(f"{name}: {part} unpacks to {info.file_size:,} bytes, over the limit", name)
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_PART_BYTES + 1)
            except RuntimeError as exc:  # an encrypted member
                raise InputError(f"{name}: {part} is encrypted ({exc})", name) from exc
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
                raise InputError(f"{name}: damaged Word file, {part} cannot be unpacked ({exc})", name) from exc
            total += len(data)
            if len(data) > MAX_PART_BYTES or total > 2 * MAX_PART_BYTES:
                raise InputError(f"{name}: {part} unpacks to more than the size limit", name)
            parts[part] = data
    return parts


def _parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse one XML document; a DTD (and so any entity definition) is refused.

    Raises:
        ValueError: the XML is malformed or declares a DTD (the message says which).
    """
    text = data.decode("utf-16", errors="replace").encode() if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data
    if b"<!DOCTYPE" in text:
        raise ValueError(f"{what} declares a DTD (<!DOCTYPE), which is refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"malformed XML in {what} ({exc})") from exc
    except LookupError as exc:  # an XML declaration naming an encoding Python does not know
        raise ValueError(f"malformed XML in {what} ({exc})") from exc


def _split(tag: Any) -> tuple[str, str]:
    """(namespace, local name) of an element tag; comments and processing instructions give ("", "")."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _w(elem: ET.Element) -> str:
    """The local name of a WordprocessingML element, else ""."""
    ns, local = _split(elem.tag)
    return local if ns in _W_NAMESPACES else ""


def _attr(elem: ET.Element | None, name: str) -> str | None:
    """A w:-namespaced attribute (or an unqualified one, as some writers produce)."""
    if elem is None:
        return None
    for ns in _W_NAMESPACES:
        value = elem.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return elem.get(name)


def _child(elem: ET.Element | None, local: str) -> ET.Element | None:
    if elem is None:
        return None
    return next((c for c in elem if _w(c) == local), None)


def _on(elem: ET.Element | None) -> bool:
    """A Word on/off property that is present and not switched off."""
    return elem is not None and (_attr(elem, "val") or "true").lower() not in ("0", "false", "off")


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
