"""PDF building blocks of the hour form: strings, streams, field appearances and page content in DejaVu Sans.

Written by hand rather than through a drawing library, so a form of some 270 fields takes about a millisecond.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from kokemus_docs.forms.fonts import latin_font

FIELD_FONT_SIZE = 8.5
FIELD_FONT = b"DejaVu"  # the name of the field font in the form's /DR and in every field's /DA


def _literal(raw: bytes) -> bytes:
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") \
        .replace(b"\r", b"\\r").replace(b"\n", b"\\n") + b")"


def pdf_text_string(text: str) -> bytes:
    """A PDF text string: plain ASCII as a literal, anything else as UTF-16BE with a byte order mark."""
    if text.isascii() and text.isprintable():
        return _literal(text.encode("ascii"))
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _show(text: str, bold: bool = False) -> bytes:
    """A content-stream string operand for the embedded font (two-byte glyph ids)."""
    return latin_font("bold" if bold else "regular").encode(text)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points of `text` in DejaVu Sans (bold or regular) at `size`."""
    return latin_font("bold" if bold else "regular").width(text, size)


def fit_size(texts: Iterable[str], width: float, largest: float, smallest: float, bold: bool = False) -> float:
    """The largest font size (in 0.5 pt steps) at which every text fits in `width`."""
    widest = max((text_width(t, 1, bold) for t in texts), default=0)
    size = largest
    while size > smallest and widest * size > width:
        size -= 0.5
    return size


def pdf_number(value: float) -> bytes:
    """A PDF number with at most two decimals and no trailing zeros."""
    return (f"{value:.2f}".rstrip("0").rstrip(".")).encode("ascii")


def pdf_stream(dictionary: bytes, data: bytes, compress: bool = False) -> bytes:
    """A stream object with the entries `dictionary` (bytes inside << >>) and `data`, deflated if `compress`."""
    if compress:
        data = zlib.compress(data, 6)
        dictionary += b" /Filter /FlateDecode"
    return b"<<" + dictionary + b" /Length " + str(len(data)).encode() + b">>\nstream\n" + data + b"\nendstream"


def text_appearance_content(value: str, width: float, height: float, size: float) -> bytes:
    """The content of a one-line text or choice field's appearance showing `value` in font /HR at `size`."""
    body = b"/Tx BMC\n"
    if value:
        baseline = max(1.0, (height - size * 0.72) / 2)
        body += (b"q 1 1 " + pdf_number(width - 2) + b" " + pdf_number(height - 2) + b" re W n BT /HR "
                 + pdf_number(size) + b" Tf 0 g 2 " + pdf_number(baseline) + b" Td " + _show(value) + b" Tj ET Q\n")
    return body + b"EMC"


def text_appearance(value: str, width: float, height: float, size: float, font_ref: bytes) -> bytes:
    """The /AP /N stream of a one-line text or choice field showing `value`, with /HR being `font_ref`."""
    return pdf_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 " + pdf_number(width) + b" " + pdf_number(height)
                      + b"] /Resources << /Font << /HR " + font_ref + b" >> >>",
                      text_appearance_content(value, width, height, size))


def checkbox_appearance(width: float, height: float, ticked: bool, font_ref: bytes) -> bytes:
    """A bordered box, with a ZapfDingbats check mark when `ticked`."""
    body = b"q 0.4 G 0.8 w 0.4 0.4 " + pdf_number(width - 0.8) + b" " + pdf_number(height - 0.8) + b" re S Q\n"
    if ticked:
        size = height * 0.8
        body += (b"q BT 0 g /ZaDb " + pdf_number(size) + b" Tf " + pdf_number((width - size * 0.79) / 2) + b" "
                 + pdf_number((height - size * 0.7) / 2) + b" Td (4) Tj ET Q")
    return pdf_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 " + pdf_number(width) + b" " + pdf_number(height)
                   + b"] /Resources << /Font << /ZaDb " + font_ref + b" >> >>", body)


def wrap_text(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` at `size`."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class PageContent:
    """A page content stream under construction."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, gray: float = 0) -> None:
        self.parts.append(b"BT /" + (b"HB " if bold else b"HR ") + pdf_number(size) + b" Tf "
                          + pdf_number(gray) + b" g " + pdf_number(x) + b" " + pdf_number(y) + b" Td "
                          + _show(text, bold) + b" Tj ET")

    def text_right(self, x1: float, y: float, text: str, size: float, bold: bool = False, gray: float = 0) -> None:
        self.text(x1 - text_width(text, size, bold), y, text, size, bold, gray)

    def line(self, x0: float, y0: float, x1: float, y1: float, gray: float = 0.55, width: float = 0.5) -> None:
        self.parts.append(pdf_number(gray) + b" G " + pdf_number(width) + b" w " + pdf_number(x0) + b" "
                          + pdf_number(y0) + b" m " + pdf_number(x1) + b" " + pdf_number(y1) + b" l S")

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: float | None = None,
             stroke: float | None = 0.55) -> None:
        box = pdf_number(x0) + b" " + pdf_number(y0) + b" " + pdf_number(x1 - x0) + b" " + pdf_number(y1 - y0) + b" re "
        if fill is not None and stroke is not None:
            self.parts.append(pdf_number(fill) + b" g " + pdf_number(stroke) + b" G 0.5 w " + box + b"B")
        elif fill is not None:
            self.parts.append(pdf_number(fill) + b" g " + box + b"f")
        else:
            self.parts.append(pdf_number(stroke or 0) + b" G 0.5 w " + box + b"S")

    def data(self) -> bytes:
        return b"\n".join(self.parts)
