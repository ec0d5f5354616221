"""Contracts and introduction packs from the register."""

from __future__ import annotations

import click

from kokemus_docs.cli.common import (
    StderrProgress,
    format_option,
    open_workspace,
    runs,
    with_register,
)
from kokemus_docs.core.report import Outcome


@click.command()
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@format_option
@runs
def contracts(expert_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Assignment contracts (toimeksiantosopimus / uppdragsavtal), one per contracts row, in the expert's language."""
    from kokemus_docs.documents.assignments import render_contracts

    ws = open_workspace()
    return with_register(ws, lambda reg: render_contracts(ws, reg, expert_ids=expert_ids, formats=formats,
                                                          progress=StderrProgress()))


@click.command("intro-packs")
@click.option("--unit", "unit_ids", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@format_option
@runs
def intro_packs(unit_ids: tuple[str, ...], expert_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Unit introduction packs (perehdytyspaketti / introduktionspaket), per unit and expert."""
    from kokemus_docs.documents.assignments import render_intro_packs

    ws = open_workspace()
    return with_register(ws, lambda reg: render_intro_packs(ws, reg, unit_ids=unit_ids, expert_ids=expert_ids,
                                                            formats=formats, progress=StderrProgress()))
