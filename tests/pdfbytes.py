"""Writing PDF files object by object, for tests that need exactly these bytes (spellings of strings, broken
structures) where a PDF library would repair or refuse them."""

from __future__ import annotations

import re

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def _xref(offsets: dict[int, int], size: int) -> bytes:
    rows = [b"0000000000 65535 f \n"]
    for number in range(1, size):
        rows.append(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n")
    return b"xref\n0 %d\n" % size + b"".join(rows)


def raw_pdf(objects: dict[int, bytes], root: int = 1, trailer: bytes = b"") -> bytes:
    """A complete PDF of `objects` (number -> the bytes between 'obj' and 'endobj'), catalog `root`."""
    out = bytearray(HEADER)
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    start = len(out)
    out += _xref(offsets, size)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer, start)
    return bytes(out)


def form_pdf(fields: dict[int, bytes], top: list[int], extra: dict[int, bytes] | None = None) -> bytes:
    """A one-page PDF whose /AcroForm /Fields lists the objects `top`; `fields` (and `extra`) are the objects,
    numbered from 10 on (1-3 are the catalog, the page tree and the page)."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] >> >>" % b" ".join(b"%d 0 R" % n for n in top),
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        **fields, **(extra or {}),
    }
    return raw_pdf(objects)


def append_update(data: bytes, objects: dict[int, bytes], root: int | None = None) -> bytes:
    """`data` with an incremental update (as viewers save) that adds or replaces `objects`."""
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    size = int(re.findall(rb"/Size (\d+)", data)[-1])
    root = root if root is not None else int(re.findall(rb"/Root (\d+) 0 R", data)[-1])
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(size, max(objects) + 1)
    start = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, previous, start)
    return bytes(out)
