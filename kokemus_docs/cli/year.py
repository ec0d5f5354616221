"""The year's documents: the indicators workbook and the experts' earnings statements."""

from __future__ import annotations

import click

from kokemus_docs.cli.common import (
    StderrProgress,
    open_workspace,
    runs,
    with_register,
)
from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.month import FIRST_YEAR, LAST_YEAR
from kokemus_docs.core.report import Outcome


@click.command()
@click.option("--year", required=True, type=click.IntRange(FIRST_YEAR, LAST_YEAR),
              metavar="YYYY", help="Calendar year.")
@runs
def indicators(year: int) -> Outcome:
    """Service indicators for the year (demand, fees paid, topics, service areas) as a workbook with charts."""
    from kokemus_docs.indicators.workbook import write_indicators

    ws = open_workspace()
    return with_register(ws, lambda reg: write_indicators(ws, reg, year, progress=StderrProgress()))


def _statement_formats(ctx, param, value: str) -> tuple[str, ...]:
    from kokemus_docs.earnings.documents import check_statement_formats

    try:
        return check_statement_formats(value.split(","))
    except KokemusError:
        raise click.BadParameter(f"'{value}': choose pdf, xlsx or pdf,xlsx") from None


@click.command()
@click.option("--year", required=True, type=click.IntRange(2000, 2099), metavar="YYYY",
              help="The year of the payment dates.")
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@click.option("--format", "formats", default="pdf", show_default=True, callback=_statement_formats,
              metavar="pdf,xlsx", help="Output formats: pdf, xlsx, or both.")
@runs
def statements(year: int, expert_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Each expert's yearly earnings statement by payment date (their own document, with henkilötunnus)."""
    from kokemus_docs.earnings.documents import write_statements

    ws = open_workspace()
    return with_register(ws, lambda reg: write_statements(ws, reg, year, expert_ids=expert_ids, formats=formats,
                                                          progress=StderrProgress()))
