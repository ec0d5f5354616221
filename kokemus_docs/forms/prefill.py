"""Booked sessions written into an issued hour form: the rows start filled (date, start, end, task; status and
cancellation time for a cancelled session), and the expert marks what happened and adds unbooked work.

The values go in as a PDF incremental update of the issued form (the way form fillers save): the filled row
widgets with their values and appearance streams, a new cross-reference section and trailer. The issued
form's own bytes, and so its seal, are untouched; the fields stay editable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Protocol

from kokemus_docs.core.formatting import fi_date, fi_time
from kokemus_docs.core.model import STATUS_LABELS
from kokemus_docs.forms.pdfwriter import FormSpec, RowFill, row_fill

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


class SessionRow(Protocol):
    """What a prefilled row needs, read only (bookings.hourforms.BookedRow has it)."""

    @property
    def day(self) -> date: ...
    @property
    def start(self) -> time: ...
    @property
    def end(self) -> time: ...
    @property
    def task(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def cancelled_at(self) -> datetime | None: ...


def row_values(row: SessionRow, spec: FormSpec) -> list[tuple[str, str, str]]:
    """(field, value, what the field shows) of one row, as the expert would type them."""
    task_labels = dict(spec.tasks)
    values = [("date", fi_date(row.day), fi_date(row.day)), ("start", fi_time(row.start), fi_time(row.start)),
              ("end", fi_time(row.end), fi_time(row.end)),
              ("task", row.task, task_labels.get(row.task, row.task))]
    if row.status:
        values.append(("status", row.status, STATUS_LABELS.get(row.status, {}).get(spec.language, row.status)))
    if row.cancelled_at:
        text = f"{fi_date(row.cancelled_at.date())} {fi_time(row.cancelled_at.time())}"
        values.append(("cancelled_at", text, text))
    return values


def prefill_form(pdf: bytes, spec: FormSpec, rows: Sequence[SessionRow]) -> bytes:
    """`pdf` (an issued form of `spec`) with `rows` in its first rows; at most the form's row count."""
    rows = list(rows)[:spec.rows]
    match = _STARTXREF.search(pdf[-64:])
    if not rows or match is None:
        return pdf
    return pdf + _update(len(pdf), row_fill(spec, [row_values(row, spec) for row in rows]), int(match.group(1)))


def _update(start: int, fill: RowFill, previous: int) -> bytes:
    """An incremental update: the objects, a cross-reference section for them, the trailer pointing back."""
    chunks, offsets, position = [], {}, start
    for number, body in fill.objects:
        chunk = b"%d 0 obj\n%b\nendobj\n" % (number, body)
        offsets[number] = position
        position += len(chunk)
        chunks.append(chunk)
    xref = [b"xref\n"]
    for number in sorted(offsets):
        xref.append(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    trailer = (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
               % (fill.size, fill.catalog, fill.info, previous, position))
    return b"".join(chunks) + b"".join(xref) + trailer
