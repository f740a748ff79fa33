"""Reading ISO 20022 XML (camt.053 statements, pain.002 status reports) by local names.

Banks send these documents with one namespace or another (versions .02 to .09, with or
without a prefix); the readers match elements by their local name so that any version
whose structure is the same reads the same. Parsing itself is the caller's, always with
defusedxml (no DTD, no entities).
"""
from __future__ import annotations

from xml.etree.ElementTree import Element


def local(tag: object) -> str:
    """`{urn:iso:std:iso:20022:tech:xsd:pain.002.001.10}TxSts` -> `TxSts`."""
    return str(tag).rsplit("}", 1)[-1]


def child(element: Element | None, *path: str) -> Element | None:
    """The first element down `path` (local names), or None."""
    found = element
    for name in path:
        if found is None:
            return None
        found = next((c for c in found if local(c.tag) == name), None)
    return found


def text(element: Element | None, *path: str) -> str:
    """The stripped text down `path`, or "" when any step is missing."""
    found = child(element, *path)
    return (found.text or "").strip() if found is not None else ""
