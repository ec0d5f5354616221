"""Making a workspace, the demo month in a new one, and checking the register."""

from __future__ import annotations

from pathlib import Path

import click

from kokemus_docs.cli.common import (
    StderrProgress,
    open_workspace,
    printable,
    runs,
)
from kokemus_docs.core.report import Outcome


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@runs
def init(directory: Path | None) -> Outcome:
    """Create a new workspace in DIRECTORY: settings, an empty register, templates, inbox, outputs, a sealing key."""
    from kokemus_docs.core.workspace import init_workspace

    ctx = click.get_current_context()
    ws, written = init_workspace(directory or ctx.obj["workspace"])
    ctx.obj["workspace_obj"] = ws
    return Outcome(written=written, summary=[
        f"New workspace in {ws.root}",
        f"  Fill in {ws.rel(ws.register_path)} (see its instructions sheet), then run: kokemus -w {ws.root} check"])


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@runs
def demo(directory: Path) -> Outcome:
    """Create DIRECTORY as a workspace with a fictional register and run a whole month cycle in it."""
    from kokemus_docs.demo.month import run_demo

    ctx = click.get_current_context()
    outcome, ws = run_demo(directory, progress=StderrProgress())
    ctx.obj["workspace_obj"] = ws
    if not ctx.params.get("as_json"):
        # The story's warnings (a rejected form, a missing tax card …) first, so that the summary and its
        # closing lines (how to open the web app) end the output.
        if outcome.warnings:
            click.echo(f"Planned in the demo's story, so expected: these {len(outcome.warnings)} warnings show what "
                       "the coordinator sees when a form has a mistake, comes late or is missing, or a tax card "
                       "is missing.", err=True)
        for problem in outcome.warnings:
            click.echo(printable(f"  planned warning: {problem}"), err=True)
        outcome.warnings = []
    return outcome


@click.command()
@runs
def check() -> Outcome:
    """Check the register: every problem with its sheet, row and column."""
    from kokemus_docs.register.sheets import check_register

    return check_register(open_workspace(writes=False))
