"""The `kokemus` command line. The only package that knows click: each command parses its options, calls one
library function, and prints the Outcome (or one JSON object with --json). Exit codes follow SPEC.md:
0 done, 1 done but something was rejected or invalid, 2 usage or setup error. The commands live by stage
in this package's modules; `common` holds what they share.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from kokemus_docs import __version__
from kokemus_docs.cli.bookings import bookings
from kokemus_docs.cli.common import terminal_safe
from kokemus_docs.cli.documents import contracts, intro_packs
from kokemus_docs.cli.feedback import feedback
from kokemus_docs.cli.forms import forms, links
from kokemus_docs.cli.pay import notices, payroll
from kokemus_docs.cli.web import serve, users
from kokemus_docs.cli.workspace import check, demo, init
from kokemus_docs.cli.year import indicators, statements


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-w", "--workspace", type=click.Path(file_okay=False, path_type=Path), envvar="KOKEMUS_WORKSPACE",
              default=None, help="Workspace folder (default: $KOKEMUS_WORKSPACE, else the current folder).")
@click.version_option(__version__, prog_name="kokemus")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """Contracts, introduction packs, hour forms, fee notices and payroll for experience experts.

    Start with 'kokemus demo DIR' to see the whole month cycle on a fictional register, or
    'kokemus init DIR' to make a workspace of your own.
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace or Path(os.getcwd())


for _command in (bookings, check, contracts, demo, feedback, forms, indicators, init,
                 intro_packs, links, notices, payroll, serve, statements, users):
    cli.add_command(_command)


def main() -> None:
    terminal_safe()
    cli(prog_name="kokemus")
