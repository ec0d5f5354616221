"""The month's fee notices and the payroll workbook."""

from __future__ import annotations

import click

from kokemus_docs.cli.common import (
    StderrProgress,
    format_option,
    month_option,
    open_workspace,
    runs,
    with_register,
)
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome


@click.command()
@month_option()
@click.option("--unit", "unit_ids", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@format_option
@runs
def notices(month: Month, unit_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Per-unit fee notice for the month, for the unit's named employee to approve."""
    from kokemus_docs.pay.notices import write_notices

    ws = open_workspace()
    return with_register(ws, lambda reg: write_notices(ws, reg, month, unit_ids=unit_ids, formats=formats,
                                                       progress=StderrProgress()))


@click.command()
@month_option()
@click.option("--close", is_flag=True, help="Lock the month in the ledger: it can be re-printed, not changed.")
@runs
def payroll(month: Month, close: bool) -> Outcome:
    """Consolidated fee workbook for HPK Palvelut for the work done in the month."""
    from kokemus_docs.pay.payroll import write_payroll

    ws = open_workspace()
    return with_register(ws, lambda reg: write_payroll(ws, reg, month, close=close, progress=StderrProgress()))
