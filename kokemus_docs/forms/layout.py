"""Where everything sits on an hour form: the page, the identity block, the table's rows and columns, the footer.

`form_layout` is the only definition of where things are on the page: the writer places the fields by it and
the reader of flattened (printed) forms reads the page text at the same places.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kokemus_docs.forms.fields import CONFIRM_FIELD, ROW_FIELDS, SEAL_FIELD, SIGNED_ON_FIELD, row_field

PAGE_WIDTH, PAGE_HEIGHT = 842, 595  # A4 landscape, in points
MARGIN = 28
ROW_HEIGHT = 17
TABLE_HEAD_HEIGHT = 24
FIRST_TABLE_TOP = 306  # the table starts below the header and the instructions on page 1
NEXT_TABLE_TOP = 540
TABLE_BOTTOM = 40  # room for the page number
FOOTER_HEIGHT = 62
FIELD_INSET = 1.5  # a field sits this far inside its table cell

# Table columns: field name (or "no" for the printed row number) and width in points.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("no", 20), ("date", 62), ("start", 38), ("end", 38), ("task", 152), ("status", 136),
    ("cancelled_at", 78), ("participants", 44), ("travel_eur", 46), ("travel_ref", 70), ("notes", 102),
)

# Identity block at the top right of page 1: (field, x0, width) per row of two, rows from the top.
IDENTITY_GRID: tuple[tuple[tuple[str, float, float], ...], ...] = (
    (("form_id", 546, 138), ("month", 692, 122)),
    (("contract_id", 546, 138), ("unit_id", 692, 122)),
    (("expert_id", 546, 138), (SEAL_FIELD, 692, 122)),
)
IDENTITY_TOP = 567
QR_SIZE = 70  # the upload address's QR code: a square this wide left of the identity block
QR_X = 466
QR_TOP = 550
IDENTITY_PITCH = 28
IDENTITY_BOX_HEIGHT = 14


@dataclass(frozen=True)
class Box:
    """A field's rectangle on a page (0-based page index, PDF points with y up)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return round(self.x1 - self.x0, 2)

    @property
    def height(self) -> float:
        return round(self.y1 - self.y0, 2)


@dataclass(frozen=True)
class FormLayout:
    """Where every field, row number and table of an hour form with `rows` rows is placed."""

    rows: int
    pages: int
    fields: dict[str, Box]
    row_pages: tuple[tuple[int, ...], ...]  # row numbers on each page
    table_tops: tuple[float, ...]  # y of the table's top edge on each page (0 = no table there)
    footer_top: float  # y where the footer starts on the last page

    def row_number_at(self, row: int) -> tuple[int, float, float]:
        """(page, x centre, baseline y) of the printed row number `row`."""
        box = self.fields[row_field(row, "date")]
        x0 = MARGIN
        return box.page, x0 + COLUMNS[0][1] / 2, box.y0 + 4.5 - FIELD_INSET


def _column_edges() -> dict[str, tuple[float, float]]:
    edges, x = {}, float(MARGIN)
    for name, width in COLUMNS:
        edges[name] = (x, x + width)
        x += width
    return edges


COLUMN_EDGES = _column_edges()


@lru_cache(maxsize=16)
def form_layout(rows: int) -> FormLayout:
    """The page layout of a form with `rows` rows: 14 rows fit on page 1 and 28 on each further page."""
    if rows < 1:
        raise ValueError("an hour form needs at least one row")
    fields: dict[str, Box] = {}
    for grid_row, pair in enumerate(IDENTITY_GRID):
        top = IDENTITY_TOP - grid_row * IDENTITY_PITCH - 10
        for name, x0, width in pair:
            fields[name] = Box(0, x0, top - IDENTITY_BOX_HEIGHT, x0 + width, top)

    row_pages: list[tuple[int, ...]] = []
    table_tops: list[float] = []
    number, page = 1, 0
    while number <= rows:
        top = FIRST_TABLE_TOP if page == 0 else NEXT_TABLE_TOP
        capacity = int((top - TABLE_HEAD_HEIGHT - TABLE_BOTTOM) // ROW_HEIGHT)
        on_page = tuple(range(number, min(rows, number + capacity - 1) + 1))
        for index, row in enumerate(on_page):
            row_top = top - TABLE_HEAD_HEIGHT - index * ROW_HEIGHT
            for name in ROW_FIELDS:
                x0, x1 = COLUMN_EDGES[name]
                fields[row_field(row, name)] = Box(page, x0 + FIELD_INSET, row_top - ROW_HEIGHT + FIELD_INSET,
                                                   x1 - FIELD_INSET, row_top - FIELD_INSET)
        row_pages.append(on_page)
        table_tops.append(top)
        number += len(on_page)
        page += 1

    last_page = page - 1
    table_end = table_tops[-1] - TABLE_HEAD_HEIGHT - len(row_pages[-1]) * ROW_HEIGHT
    footer_top = table_end - 12
    if footer_top - FOOTER_HEIGHT < TABLE_BOTTOM - 12:
        row_pages.append(())
        table_tops.append(0)
        last_page += 1
        footer_top = NEXT_TABLE_TOP
    fields[CONFIRM_FIELD] = Box(last_page, MARGIN, footer_top - 13, MARGIN + 12, footer_top - 1)
    fields[SIGNED_ON_FIELD] = Box(last_page, 640, footer_top - 15, 740, footer_top)
    return FormLayout(rows=rows, pages=last_page + 1, fields=fields, row_pages=tuple(row_pages),
                      table_tops=tuple(table_tops), footer_top=footer_top)
