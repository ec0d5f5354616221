"""Client feedback: issuing questionnaires and ingesting answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from kokemus_docs.cli.common import (
    StderrProgress,
    iso_date,
    open_workspace,
    runs,
    with_register,
)
from kokemus_docs.core.report import Outcome


@click.group()
def feedback() -> None:
    """Anonymous client feedback (§8): issue questionnaires, ingest what clients, staff and experts return."""


def _choices(allowed: tuple[str, ...]) -> Callable:
    def parse(ctx, param, value: str | None) -> tuple[str, ...]:
        if not value:
            return ()
        chosen = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
        unknown = [v for v in chosen if v not in allowed]
        if unknown or not chosen:
            raise click.BadParameter(f"'{value}': choose from {','.join(allowed)}")
        return chosen

    return parse


@feedback.command("issue")
@click.option("--unit", "unit_ids", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@click.option("--respondent", "respondents", callback=_choices(("client", "employee", "expert")),
              metavar="client,employee,expert", help="Respondent groups (default: all three).")
@click.option("--language", "languages", callback=_choices(("fi", "sv", "en")), metavar="fi,sv,en",
              help="Languages (default: fi and sv, and en for clients).")
@runs
def feedback_issue(unit_ids: tuple[str, ...], respondents: tuple[str, ...], languages: tuple[str, ...]) -> Outcome:
    """Sealed fillable anonymous PDF feedback questionnaires per unit, respondent group and language."""
    from kokemus_docs.feedback.questionnaire import issue_questionnaires

    ws = open_workspace()
    return with_register(ws, lambda reg: issue_questionnaires(ws, reg, unit_ids=unit_ids, respondents=respondents,
                                                              languages=languages, progress=StderrProgress()))


@feedback.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--received-on", callback=iso_date, metavar="YYYY-MM-DD",
              help="When the answers arrived (default: today); the date of answers that give none.")
@runs
def feedback_ingest(paths: tuple[Path, ...], received_on: date | None) -> Outcome:
    """Read returned questionnaires (PDF) and survey-tool exports (CSV, XLSX; default feedback/inbox/) into the
    ledger."""
    from kokemus_docs.feedback.ingest import ingest_feedback

    ws = open_workspace()
    return with_register(ws, lambda reg: ingest_feedback(ws, reg, paths, received_on=received_on,
                                                         progress=StderrProgress()))
