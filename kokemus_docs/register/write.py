"""Writing a register workbook: an empty one for 'kokemus init' (the four sheets, their headers, drop-down
lists and an instructions sheet), or one filled from dataclasses for the demo, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kokemus_docs.core import xlsx
from kokemus_docs.core.fileio import atomic_path
from kokemus_docs.core.model import Contract, Expert, FeeRate, Unit
from kokemus_docs.register.cells import MAX_RATE_EUR
from kokemus_docs.register.sheets import MAX_CELL_CHARS, MAX_ROWS, SHEETS

INSTRUCTIONS = [
    ("kokemus-docs register", ""),
    ("", ""),
    ("Sheets", "experts, units, contracts and fees. Row 1 holds the column names; keep them. Extra columns are "
               "ignored. Required columns are marked with * in the lists below."),
    ("Dates", "Excel dates, 14.10.2026 or 2026-10-14."),
    ("Ids", "expert_id, unit_id, contract_id and task codes: letters, digits, - _ and . only (no spaces or "
            "slashes), at most 64 characters."),
    ("Limits", f"At most {MAX_ROWS:,} rows per sheet and {MAX_CELL_CHARS:,} characters per cell; fees at most "
               f"{MAX_RATE_EUR} euros with two decimals."),
    ("Lists", "Several task codes or topics in one cell are separated by ; (individual; group)."),
    ("Task codes", "individual, pair, group, lecture, development, common_meeting; other codes can be added in the "
                   "fees sheet with their Finnish and Swedish labels."),
    ("Personal data", "Henkilötunnus, IBAN and home address are used only on the payroll workbook for HPK Palvelut. "
                      "Keep this file where only the coordinator can read it."),
    ("Check", "Run 'kokemus check' after every edit: it lists every problem with sheet, row and column."),
]

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")


def _new_workbook() -> Workbook:
    workbook = Workbook()
    info = workbook.active
    info.title = "instructions"
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 110
    for line in INSTRUCTIONS:
        info.append(line)
    info["A1"].font = Font(bold=True, size=14)
    for sheet, columns in SHEETS.items():
        info.append(("", ""))
        info.append((sheet, ""))
        info.cell(info.max_row, 1).font = Font(bold=True)
        for column in columns:
            info.append((f"{column.name}{' *' if column.required else ''}", column.help))
    for row in info.iter_rows():
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    for sheet, columns in SHEETS.items():
        ws = workbook.create_sheet(sheet)
        ws.append([c.name for c in columns])
        for position, column in enumerate(columns, start=1):
            cell = ws.cell(1, position)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            ws.column_dimensions[get_column_letter(position)].width = max(14, len(column.name) + 4)
            if column.help:
                cell.comment = Comment(column.help, "kokemus-docs")
        ws.freeze_panes = "A2"
        for position, column in enumerate(columns, start=1):
            letter = get_column_letter(position)
            if column.kind == "language":
                rule = DataValidation(type="list", formula1='"fi,sv"', allow_blank=False)
            elif column.kind == "basis":
                rule = DataValidation(type="list", formula1='"hour,session,event"', allow_blank=False)
            elif column.kind == "yesno":
                rule = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
            else:
                continue
            ws.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}2000")
    return workbook


def write_empty_register(path: str | Path) -> Path:
    """A new register with the four sheets, their headers and an instructions sheet."""
    with atomic_path(path, mode=0o600) as tmp:
        _new_workbook().save(tmp)
    return Path(path)


def write_register(path: str | Path, experts: Iterable[Expert] = (), units: Iterable[Unit] = (),
                   contracts: Iterable[Contract] = (), fees: Iterable[FeeRate] = ()) -> Path:
    """Write a register workbook from dataclasses (for the demo, tests and benchmarks)."""
    workbook = _new_workbook()
    for sheet, items in (("experts", experts), ("units", units), ("contracts", contracts), ("fees", fees)):
        ws = workbook[sheet]
        names = [c.name for c in SHEETS[sheet]]
        for row_number, item in enumerate(items, start=2):
            values = {f.name: getattr(item, f.name) for f in fields(item)}  # type: ignore[arg-type]
            for column_number, name in enumerate(names, start=1):
                value = values.get(name)
                if isinstance(value, tuple):
                    value = "; ".join(value)
                elif isinstance(value, bool):
                    value = "yes" if value else "no"
                if value is None:
                    continue
                cell = ws.cell(row_number, column_number)
                xlsx.set_cell(cell, value)  # text stays text: a typed '=...' never becomes a formula
                if isinstance(value, date):
                    cell.number_format = "d.m.yyyy"
                elif isinstance(value, Decimal):  # written as the decimal text itself, no binary float
                    cell.number_format = "0.00"
    with atomic_path(path, mode=0o600) as tmp:
        workbook.save(tmp)
    return Path(path)
