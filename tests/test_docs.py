"""Every command has help text and is shown in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kokemus_docs.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "kokemus") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(cli)


def test_all_spec_commands_exist():
    assert {path for path, _ in COMMANDS} == {
        "kokemus init", "kokemus demo", "kokemus check", "kokemus contracts", "kokemus intro-packs",
        "kokemus forms issue", "kokemus forms ingest", "kokemus notices", "kokemus payroll", "kokemus indicators",
        "kokemus feedback issue", "kokemus feedback ingest",
        "kokemus users add", "kokemus users passwd", "kokemus users remove", "kokemus links", "kokemus serve",
        *(f"kokemus bookings {name}" for name in ("add", "list", "match", "offer", "answer", "cancel", "close",
                                                  "import")),
        "kokemus statements"}


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(path, command):
    assert command.help and len(command.help) > 20
    assert f"`{path}" in README
    result = CliRunner().invoke(cli, path.split()[1:] + ["--help"])
    assert result.exit_code == 0
    assert "--json" in result.output


def test_readme_quick_start_is_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert commands == ["make demo", "make test"]


def test_tax_cards_are_described_as_calendar_year_cards():
    """Since 2025 a tax card runs from 1 January; the README and payroll's own words say so, and name who
    confirms the income-type codes."""
    from kokemus_docs.pay import paymonth, payroll

    words = " ".join(README.split())
    assert "February" not in README and "February" not in (payroll.__doc__ or "") + (paymonth.__doc__ or "")
    assert "valid for the calendar year from 1 January" in words
    assert "calendar year, from 1 January" in " ".join(paymonth.tax_card_year_for.__doc__.split())
    assert "HPK Palvelut confirms the codes" in words and "336 työkorvaus" in words
