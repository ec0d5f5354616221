"""QR codes of the web addresses printed on hour forms and feedback questionnaires, by segno's encoder."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of `text` (error correction M, segno's choice of version and mask) as rows of dark (True)
    modules, without the quiet zone."""
    code = segno.make_qr(text, error="m", boost_error=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


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
