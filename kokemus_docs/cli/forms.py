"""Hour forms: issuing them, ingesting returned ones, and the experts' upload addresses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from kokemus_docs.cli.common import (
    StderrProgress,
    iso_date,
    month_option,
    open_workspace,
    runs,
    with_register,
)
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome


@click.group()
def forms() -> None:
    """Monthly hour forms: issue them sealed and fillable, ingest what experts send back."""


@forms.command("issue")
@month_option()
@click.option("--unit", "unit_ids", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@runs
def forms_issue(month: Month, unit_ids: tuple[str, ...], expert_ids: tuple[str, ...]) -> Outcome:
    """Sealed fillable PDF hour forms, one per signed contract valid in the month."""
    from kokemus_docs.forms.issue import issue_forms

    ws = open_workspace()
    return with_register(ws, lambda reg: issue_forms(ws, reg, month=month, unit_ids=unit_ids, expert_ids=expert_ids,
                                                     progress=StderrProgress()))


@forms.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--received-on", callback=iso_date, metavar="YYYY-MM-DD",
              help="When the forms arrived (default: today); decides whether they are late.")
@runs
def forms_ingest(paths: tuple[Path, ...], received_on: date | None) -> Outcome:
    """Read returned hour forms (files or folders; default forms/inbox/), check them and record them in the ledger."""
    from kokemus_docs.intake.ingest import ingest_forms

    ws = open_workspace()
    return with_register(ws, lambda reg: ingest_forms(ws, reg, paths, received_on=received_on,
                                                      progress=StderrProgress()))


@click.command()
@month_option()
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@runs
def links(month: Month, expert_ids: tuple[str, ...]) -> Outcome:
    """Each expert's personal upload address for the month (also printed on the hour form)."""
    from kokemus_docs.forms.links import list_links

    ws = open_workspace()
    return with_register(ws, lambda reg: list_links(ws, reg, month, expert_ids=expert_ids))
