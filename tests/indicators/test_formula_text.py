"""Every workbook cell that holds typed text goes through the one safe setter: a unit, expert or note that
looks like a formula stays text everywhere (indicators, payroll, the register written back)."""

from __future__ import annotations

import dataclasses

from ledgerfill import fill_sample_ledger
from openpyxl import load_workbook

from kokemus_docs.core.month import Month
from kokemus_docs.indicators.workbook import write_indicators
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.register.sample import write_sample_register
from kokemus_docs.register.sheets import load_register

TYPED = ("=1+1", '=HYPERLINK("http://x.example","y")', "+358 40 123", "@SUM(A1)", "-2+3")


def _cells(path):
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_text(path) -> int:
    """Every typed value found in the workbook is a text cell with the quote prefix; returns how many."""
    found = 0
    for cell in _cells(path):
        if isinstance(cell.value, str) and any(typed in cell.value for typed in TYPED):
            assert cell.data_type == "s", f"{path.name} {cell.parent.title}!{cell.coordinate}: {cell.value!r}"
            if cell.value.startswith(("=", "+", "-", "@")):
                assert cell.quotePrefix, f"{path.name} {cell.parent.title}!{cell.coordinate}"
            found += 1
    return found


def test_a_unit_named_like_a_formula_is_text_in_every_workbook(workspace, register):
    register.units["MTP-PORVOO"] = dataclasses.replace(register.units["MTP-PORVOO"], name_fi="=1+1",
                                                       name_sv='=HYPERLINK("http://x.example","y")')
    register.experts["KA-002"] = dataclasses.replace(register.experts["KA-002"], first_name="-2+3",
                                                     last_name="@SUM(A1)", phone="+358 40 123")
    write_sample_register(workspace.register_path, register)
    assert _assert_text(workspace.register_path) >= 4
    check = load_register(workspace.register_path)
    assert check.register.units["MTP-PORVOO"].name_fi == "=1+1"
    assert check.register.experts["KA-002"].last_name == "@SUM(A1)"

    fill_sample_ledger(workspace.ledger_path)
    indicators = write_indicators(workspace, register, 2026)
    assert indicators.ok
    assert _assert_text(workspace.root / indicators.written[0]) >= 1  # the fee sheet's header among them
    payroll = write_payroll(workspace, register, Month("2026-10"))
    assert _assert_text(workspace.root / payroll.written[0]) >= 1
