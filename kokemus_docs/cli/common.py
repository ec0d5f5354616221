"""What every command shares: its options, running its library call and printing the Outcome (or one JSON
object with --json), the exit codes of SPEC.md, opening the workspace (locked when the command writes), and
printing safely on any terminal."""

from __future__ import annotations

import codecs
import functools
import io
import json
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import date

import click

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.month import BadMonth, Month
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import Workspace


def json_option(command: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object on stdout; messages and progress go to stderr.")(command)


def _month(ctx, param, value: str | None) -> Month | None:
    if value is None:
        return None
    try:
        return Month.parse(value)
    except BadMonth as error:
        raise click.BadParameter(error.message) from None


def month_option(required: bool = True) -> Callable:
    return click.option("--month", required=required, callback=_month, metavar="YYYY-MM",
                        help="The service month, e.g. 2026-10.")


def _formats(ctx, param, value: str) -> tuple[str, ...]:
    from kokemus_docs.documents.render import check_formats

    try:
        return check_formats(value.split(","))
    except KokemusError:
        raise click.BadParameter(f"'{value}': choose docx, pdf or docx,pdf") from None


def format_option(command: Callable) -> Callable:
    return click.option("--format", "formats", default="docx", show_default=True, callback=_formats,
                        metavar="docx,pdf", help="Output formats: docx, pdf, or both (PDF needs LibreOffice).")(command)


def iso_date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


class StderrProgress:
    """Progress of a batch on stderr: a live line on a terminal; otherwise a few plain lines.

    Off a terminal a line is printed when the batch has moved on by a tenth and the label says something new,
    and once when the batch is done; a counter that goes back, or repeats, prints nothing. A new total starts
    a new batch. Safe to call from worker threads.
    """

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._lock = threading.Lock()
        self._total = 0
        self._done = 0
        self._finished = True
        self._step = -1
        self._label = ""

    def __call__(self, done: int, total: int, label: str) -> None:
        if total <= 0:
            return
        done = min(max(done, 0), total)
        label = printable(label)
        with self._lock:
            if self._finished or total != self._total:
                self._total, self._done, self._finished, self._step, self._label = total, 0, False, -1, ""
            if done <= self._done:
                return
            self._done = done
            finished = done >= total
            line = f"[{done}/{total}] {label}"
            if self.tty:
                click.echo(f"\r\033[K{line}", err=True, nl=finished)
            else:
                step = done * 10 // total
                if finished or (step > self._step and label != self._label):
                    click.echo(line, err=True)
                    self._step, self._label = step, label
            self._finished = finished


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` for the terminal: control characters (escape sequences, bidi overrides) shown as '?'. File names
    and the contents of returned forms reach the messages, and neither may steer the coordinator's terminal."""
    return _CONTROLS.sub("?", text)


def _emit(ctx: click.Context, outcome: Outcome, as_json: bool) -> None:
    ws: Workspace | None = ctx.obj.get("workspace_obj") if ctx.obj else None
    rel = ws.rel if ws else str
    if as_json:
        payload = {"ok": outcome.ok, "written": [rel(p) for p in outcome.written],
                   "errors": [p.as_dict() for p in outcome.errors],
                   "warnings": [p.as_dict() for p in outcome.warnings], **outcome.json_fields()}
        # JSON's \u escapes keep every character on a stdout that cannot encode it (a Latin-1 terminal)
        ascii_only = not isinstance(sys.stdout, io.TextIOWrapper) or not _shows(sys.stdout, "€åäöŁễČ")
        click.echo(json.dumps(payload, ensure_ascii=ascii_only, indent=2, default=str))
    else:
        for line in outcome.summary:
            click.echo(printable(line))
        for problem in outcome.warnings:
            click.echo(printable(f"warning: {problem}"), err=True)
        for problem in outcome.errors:
            click.echo(printable(f"error: {problem}"), err=True)
    ctx.exit(0 if outcome.ok else 1)


def fail(error: KokemusError, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"ok": False, "written": [], "errors": [error.as_problem().as_dict()],
                               "warnings": []}, ensure_ascii=False, indent=2))
    click.echo(printable(f"error: {error.message}"), err=True)
    sys.exit(error.exit_code)


def runs(command: Callable[..., Outcome]) -> Callable:
    """Run a command body that returns an Outcome; print it; turn KokemusError into its exit code."""

    @functools.wraps(command)
    def wrapper(*args, as_json: bool = False, **kwargs):
        ctx = click.get_current_context()
        try:
            outcome = command(*args, **kwargs)
        except KokemusError as error:
            fail(error, as_json)
        except OSError as exc:  # the disk refused a write (full, read-only): every other write would fail too
            from kokemus_docs.core.fileio import disk_error

            fail(disk_error(exc), as_json)
        except sqlite3.Error as exc:  # busy beyond its timeout, disk full, damaged: outside Ledger's own checks
            from kokemus_docs.core.errors import ledger_error

            ws = ctx.obj.get("workspace_obj") if ctx.obj else None
            fail(ledger_error(ws.ledger_path if ws else "ledger.sqlite", exc), as_json)
        _emit(ctx, outcome, as_json)

    return json_option(wrapper)


def lock_wait() -> float:
    """Seconds a command waits for another one writing the same workspace ($KOKEMUS_LOCK_WAIT, default 60)."""
    from kokemus_docs.core.workspace import DEFAULT_LOCK_WAIT

    try:
        return max(0.0, float(os.environ.get("KOKEMUS_LOCK_WAIT", DEFAULT_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_LOCK_WAIT


def open_workspace(writes: bool = True) -> Workspace:
    """Open the workspace named by -w. A command that writes it (the default) first takes the workspace lock,
    held until the command ends: a second one waits, saying for whom, then stops with exit 2. Commands that only
    read (check, serve) pass writes=False.
    """
    from kokemus_docs.core.workspace import workspace_lock

    ctx = click.get_current_context()
    ws = Workspace.open(ctx.obj["workspace"])
    ctx.obj["workspace_obj"] = ws
    if writes:
        command = ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ctx.command_path
        ctx.with_resource(workspace_lock(ws, command, wait=lock_wait(),
                                         on_wait=lambda text: click.echo(text, err=True)))
    return ws


def with_register(ws: Workspace, outcome_of: Callable) -> Outcome:
    """Load the register, run `outcome_of(register)`, and report the register's own problems first."""
    from kokemus_docs.register.sheets import load_register

    check = load_register(ws.register_path)
    outcome = outcome_of(check.register)
    outcome.errors[:0] = check.errors
    outcome.warnings[:0] = [w for w in check.warnings if w.code != "unsigned"]
    return outcome


def _terminal_replacement(error: UnicodeError) -> tuple[str | bytes, int]:
    """What a terminal that cannot show a character prints instead: 'EUR' for '€', '?' for the rest."""
    if not isinstance(error, UnicodeEncodeError):  # the handler is named only for the terminal's writes
        raise error
    text = error.object[error.start:error.end]
    return "".join("EUR" if ch == "€" else "?" for ch in text), error.end


def terminal_safe() -> None:
    """Let stdout and stderr print on any terminal: under a Latin-1 locale (fi_FI.ISO-8859-1) a '€' in a payroll
    summary would otherwise end the command with a traceback after its work was done."""
    codecs.register_error("kokemus-terminal", _terminal_replacement)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and not _shows(stream, "€åäöŁễČ"):
            stream.reconfigure(errors="kokemus-terminal")


def _shows(stream: io.TextIOWrapper, text: str) -> bool:
    try:
        text.encode(stream.encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False
