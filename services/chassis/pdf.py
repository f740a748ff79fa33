"""The few bytes of PDF the platform writes itself (cards, SPI notices), with no dependency.

Callers build the objects (catalog first, pages second); this module escapes text and
writes the file: header, numbered objects, cross-reference table and trailer.
"""
from __future__ import annotations


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi: unknown characters become '?', and \\ ( ) escaped."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def assemble(objects: list[bytes], info_id: int) -> bytes:
    """A complete PDF of `objects` (object n is objects[n - 1]; object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info_id, xref)
    return bytes(out)
