"""QR codes of the web addresses printed on hour forms and feedback questionnaires, by reportlab's encoder."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder


@lru_cache(maxsize=256)
def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of `text` (error correction M, reportlab's choice of mask) as rows of dark (True) modules."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    return tuple(tuple(bool(code.isDark(row, column)) for column in range(count)) for row in range(count))


def dark_runs(modules: tuple[tuple[bool, ...], ...]) -> Iterator[tuple[int, int, int]]:
    """(row from the top, first column, length) of each horizontal run of dark modules: one rectangle each."""
    for row, cells in enumerate(modules):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            start = column
            while column < len(cells) and cells[column]:
                column += 1
            yield row, start, column - start
