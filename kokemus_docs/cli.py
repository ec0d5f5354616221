"""The `kokemus` command line. The only module that knows click: each command parses its options, calls one
library function, and prints the Outcome (or one JSON object with --json). Exit codes follow SPEC.md:
0 done, 1 done but something was rejected or invalid, 2 usage or setup error.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import os
import re
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from kokemus_docs import __version__
from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.month import FIRST_YEAR, LAST_YEAR, BadMonth, Month
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import Workspace

# --- shared options ---------------------------------------------------------------------------------

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


def _parse_iso_date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


# --- output -----------------------------------------------------------------------------------------

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
                   "warnings": [p.as_dict() for p in outcome.warnings], **outcome.extra}
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


def _fail(error: KokemusError, as_json: bool) -> None:
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
            _fail(error, as_json)
        except OSError as exc:  # the disk refused a write (full, read-only): every other write would fail too
            from kokemus_docs.core.fileio import disk_error

            _fail(disk_error(exc), as_json)
        except sqlite3.Error as exc:  # busy beyond its timeout, disk full, damaged: outside Ledger's own checks
            from kokemus_docs.core.errors import ledger_error

            ws = ctx.obj.get("workspace_obj") if ctx.obj else None
            _fail(ledger_error(ws.ledger_path if ws else "ledger.sqlite", exc), as_json)
        _emit(ctx, outcome, as_json)

    return json_option(wrapper)


def lock_wait() -> float:
    """Seconds a command waits for another one writing the same workspace ($KOKEMUS_LOCK_WAIT, default 60)."""
    from kokemus_docs.core.workspace import DEFAULT_LOCK_WAIT

    try:
        return max(0.0, float(os.environ.get("KOKEMUS_LOCK_WAIT", DEFAULT_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_LOCK_WAIT


def _workspace(writes: bool = True) -> Workspace:
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


def _register(ws: Workspace, outcome_of: Callable) -> Outcome:
    """Load the register, run `outcome_of(register)`, and report the register's own problems first."""
    from kokemus_docs.register.sheets import load_register

    check = load_register(ws.register_path)
    outcome = outcome_of(check.register)
    outcome.errors[:0] = check.errors
    outcome.warnings[:0] = [w for w in check.warnings if w.code != "unsigned"]
    return outcome


# --- commands ---------------------------------------------------------------------------------------

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


@cli.command()
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


@cli.command()
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


@cli.command()
@runs
def check() -> Outcome:
    """Check the register: every problem with its sheet, row and column."""
    from kokemus_docs.register.sheets import check_register

    return check_register(_workspace(writes=False))


@cli.command()
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@format_option
@runs
def contracts(expert_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Assignment contracts (toimeksiantosopimus / uppdragsavtal), one per contracts row, in the expert's language."""
    from kokemus_docs.documents.render import render_contracts

    ws = _workspace()
    return _register(ws, lambda reg: render_contracts(ws, reg, expert_ids=expert_ids, formats=formats,
                                                      progress=StderrProgress()))


@cli.command("intro-packs")
@click.option("--unit", "unit_ids", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@format_option
@runs
def intro_packs(unit_ids: tuple[str, ...], expert_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Unit introduction packs (perehdytyspaketti / introduktionspaket), per unit and expert."""
    from kokemus_docs.documents.render import render_intro_packs

    ws = _workspace()
    return _register(ws, lambda reg: render_intro_packs(ws, reg, unit_ids=unit_ids, expert_ids=expert_ids,
                                                        formats=formats, progress=StderrProgress()))


@cli.group()
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

    ws = _workspace()
    return _register(ws, lambda reg: issue_forms(ws, reg, month=month, unit_ids=unit_ids, expert_ids=expert_ids,
                                                 progress=StderrProgress()))


@forms.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--received-on", callback=_parse_iso_date, metavar="YYYY-MM-DD",
              help="When the forms arrived (default: today); decides whether they are late.")
@runs
def forms_ingest(paths: tuple[Path, ...], received_on: date | None) -> Outcome:
    """Read returned hour forms (files or folders; default forms/inbox/), check them and record them in the ledger."""
    from kokemus_docs.intake.ingest import ingest_forms

    ws = _workspace()
    return _register(ws, lambda reg: ingest_forms(ws, reg, paths, received_on=received_on,
                                                  progress=StderrProgress()))


@cli.command()
@month_option()
@click.option("--unit", "unit_ids", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@format_option
@runs
def notices(month: Month, unit_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Per-unit fee notice for the month, for the unit's named employee to approve."""
    from kokemus_docs.pay.notices import write_notices

    ws = _workspace()
    return _register(ws, lambda reg: write_notices(ws, reg, month, unit_ids=unit_ids, formats=formats,
                                                   progress=StderrProgress()))


@cli.command()
@month_option()
@click.option("--close", is_flag=True, help="Lock the month in the ledger: it can be re-printed, not changed.")
@runs
def payroll(month: Month, close: bool) -> Outcome:
    """Consolidated fee workbook for HPK Palvelut for the work done in the month."""
    from kokemus_docs.pay.payroll import write_payroll

    ws = _workspace()
    return _register(ws, lambda reg: write_payroll(ws, reg, month, close=close, progress=StderrProgress()))


@cli.command()
@click.option("--year", required=True, type=click.IntRange(FIRST_YEAR, LAST_YEAR),
              metavar="YYYY", help="Calendar year.")
@runs
def indicators(year: int) -> Outcome:
    """Service indicators for the year (demand, fees paid, topics, service areas) as a workbook with charts."""
    from kokemus_docs.indicators.workbook import write_indicators

    ws = _workspace()
    return _register(ws, lambda reg: write_indicators(ws, reg, year, progress=StderrProgress()))


def _statement_formats(ctx, param, value: str) -> tuple[str, ...]:
    from kokemus_docs.earnings.documents import check_statement_formats

    try:
        return check_statement_formats(value.split(","))
    except KokemusError:
        raise click.BadParameter(f"'{value}': choose pdf, xlsx or pdf,xlsx") from None


@cli.command()
@click.option("--year", required=True, type=click.IntRange(2000, 2099), metavar="YYYY",
              help="The year of the payment dates.")
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@click.option("--format", "formats", default="pdf", show_default=True, callback=_statement_formats,
              metavar="pdf,xlsx", help="Output formats: pdf, xlsx, or both.")
@runs
def statements(year: int, expert_ids: tuple[str, ...], formats: tuple[str, ...]) -> Outcome:
    """Each expert's yearly earnings statement by payment date (their own document, with henkilötunnus)."""
    from kokemus_docs.earnings.documents import write_statements

    ws = _workspace()
    return _register(ws, lambda reg: write_statements(ws, reg, year, expert_ids=expert_ids, formats=formats,
                                                      progress=StderrProgress()))


@cli.group()
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

    ws = _workspace()
    return _register(ws, lambda reg: issue_questionnaires(ws, reg, unit_ids=unit_ids, respondents=respondents,
                                                          languages=languages, progress=StderrProgress()))


@feedback.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--received-on", callback=_parse_iso_date, metavar="YYYY-MM-DD",
              help="When the answers arrived (default: today); the date of answers that give none.")
@runs
def feedback_ingest(paths: tuple[Path, ...], received_on: date | None) -> Outcome:
    """Read returned questionnaires (PDF) and survey-tool exports (CSV, XLSX; default feedback/inbox/) into the
    ledger."""
    from kokemus_docs.feedback.ingest import ingest_feedback

    ws = _workspace()
    return _register(ws, lambda reg: ingest_feedback(ws, reg, paths, received_on=received_on,
                                                     progress=StderrProgress()))


@cli.group()
def users() -> None:
    """Logins for the web app (coordinator, payroll, unit contacts)."""


@users.command("add")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(["coordinator", "payroll", "unit"]),
              help="What the login may do: coordinator (everything), payroll (payroll workbooks), unit (its unit).")
@click.option("--unit", "unit_id", metavar="ID", help="The unit of a unit login (as in the units sheet).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of generating one.")
@runs
def users_add(login: str, role: str, unit_id: str | None, password_stdin: bool) -> Outcome:
    """Add a web login; its password is stored as an Argon2 hash and, when generated, printed once."""
    from kokemus_docs.register.sheets import load_register
    from kokemus_docs.web.accounts import add_user

    ws = _workspace()
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    known_units = set(load_register(ws.register_path).register.units) if role == "unit" else None
    user, generated = add_user(ws, login, role, unit_id=unit_id, password=password, known_units=known_units)
    summary = [f"Login {user.login} ({user.role}{', unit ' + user.unit_id if user.unit_id else ''}) added."]
    extra = {"login": user.login, "role": user.role, "unit_id": user.unit_id}
    if generated:
        summary.append(f"Password (shown only now): {generated}")
        extra["password"] = generated
    return Outcome(summary=summary, extra=extra)


@users.command("passwd")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of generating one.")
@runs
def users_passwd(login: str, password_stdin: bool) -> Outcome:
    """Give a web login a new password (generated and printed once, unless read from stdin); its sessions end."""
    from kokemus_docs.web.accounts import set_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    generated = set_password(_workspace(), login, password)
    summary = [f"Login {login}: new password set; its sessions have ended."]
    extra: dict = {"login": login}
    if generated:
        summary.append(f"Password (shown only now): {generated}")
        extra["password"] = generated
    return Outcome(summary=summary, extra=extra)


@users.command("remove")
@click.argument("login")
@runs
def users_remove(login: str) -> Outcome:
    """Remove a web login; its sessions end at once (the audit log keeps what it did)."""
    from kokemus_docs.web.accounts import remove_user

    remove_user(_workspace(), login)
    return Outcome(summary=[f"Login {login} removed; its sessions have ended."], extra={"login": login})


@cli.command()
@month_option()
@click.option("--expert", "expert_ids", multiple=True, metavar="ID", help="Only this expert (repeatable).")
@runs
def links(month: Month, expert_ids: tuple[str, ...]) -> Outcome:
    """Each expert's personal upload address for the month (also printed on the hour form)."""
    from kokemus_docs.forms.links import list_links

    ws = _workspace()
    return _register(ws, lambda reg: list_links(ws, reg, month, expert_ids=expert_ids))


# --- bookings ---------------------------------------------------------------------------------------

def _booking_value(parser: str) -> Callable:
    """A click callback reading a typed value with the bookings' own parser (a bad one is a usage error)."""
    def callback(ctx, param, value):
        from kokemus_docs import bookings as library

        try:
            parse = getattr(library, parser)
            return [parse(v) for v in value] if isinstance(value, tuple) else parse(value) if value else value
        except library.BookingError as error:
            raise click.BadParameter(error.message) from None
    return callback


def _bookings(name: str, *args, writes: bool = True, **kwargs) -> Outcome:
    """Open the workspace (locked when the call writes), read the register, run bookings.commands.`name`."""
    from kokemus_docs.bookings import commands
    from kokemus_docs.register.sheets import load_register

    ws = _workspace(writes=writes)
    return getattr(commands, name)(ws, load_register(ws.register_path).register, *args, **kwargs)


@cli.group()
def bookings() -> None:
    """Booking experts for the units' needs: requests, candidates, offers, answers, cancellations."""


@bookings.command("add")
@click.option("--unit", "unit_id", required=True, metavar="ID", help="The unit asking (units sheet).")
@click.option("--task", required=True, metavar="CODE", help="Task code, e.g. individual or group.")
@click.option("--date", "dates", multiple=True, required=True, callback=_booking_value("parse_day"), metavar="D",
              help="A session's date, YYYY-MM-DD (repeatable: one session each).")
@click.option("--start", required=True, metavar="HH:MM", help="Start time of the sessions.")
@click.option("--end", required=True, metavar="HH:MM", help="End time of the sessions.")
@click.option("--weekly", type=int, metavar="N", help="N sessions in all, a week apart, from the first date.")
@click.option("--topic", "topics", multiple=True, metavar="T", help="A topic wanted (repeatable).")
@click.option("--language", default="any", show_default=True, type=click.Choice(["fi", "sv", "any"]))
@click.option("--place", default="", help="Where the sessions are held.")
@click.option("--note", default="", help="What the unit needs (never a client's name).")
@runs
def bookings_add(unit_id, task, dates, start, end, weekly, topics, language, place, note) -> Outcome:
    """Record a unit's request for an expert (one booking; several sessions for a group)."""
    return _bookings("add", unit_id=unit_id, task=task, dates=dates, start=start, end=end, weekly=weekly,
                     topics=topics, language=language, place=place, note=note)


@bookings.command("list")
@month_option(required=False)
@click.option("--unit", "unit_id", metavar="ID", help="Only this unit's bookings.")
@click.option("--status", type=click.Choice(["requested", "offered", "booked", "done", "unfilled", "cancelled"]))
@runs
def bookings_list(month, unit_id, status) -> Outcome:
    """The bookings, oldest request first (with a session in --month, of --unit, in --status)."""
    return _bookings("listing", month=month, unit_id=unit_id, status=status, writes=False)


@bookings.command("match")
@click.argument("booking_id")
@runs
def bookings_match(booking_id) -> Outcome:
    """Ranked candidates for a booking, each with its reasons; those with a contract first."""
    return _bookings("match", booking_id, writes=False)


@bookings.command("offer")
@click.argument("booking_id")
@click.option("--expert", "expert_id", required=True, metavar="ID", help="The expert to offer it to.")
@runs
def bookings_offer(booking_id, expert_id) -> Outcome:
    """Offer a requested booking to one expert (one at a time)."""
    return _bookings("offer", booking_id, expert_id)


@bookings.command("answer")
@click.argument("booking_id")
@click.option("--accept/--decline", required=True, help="The expert's answer to the open offer.")
@click.option("--reason", help="Why not (optional; the choice is the expert's).")
@runs
def bookings_answer(booking_id, accept, reason) -> Outcome:
    """Record the expert's answer to the open offer (normally given on their web page)."""
    return _bookings("answer", booking_id, accept=accept, reason=reason)


@bookings.command("cancel")
@click.argument("booking_id")
@click.option("--at", required=True, callback=_booking_value("parse_moment"), metavar='"YYYY-MM-DD HH:MM"',
              help="When the unit cancelled.")
@click.option("--session", type=click.IntRange(1, 999), metavar="N", help="Only session N (from 1, in date order).")
@runs
def bookings_cancel(booking_id, at, session) -> Outcome:
    """Cancel a session or the whole booking; the fee rules decide whether it was in time."""
    return _bookings("cancel", booking_id, at=at, session=session)


@bookings.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE.xlsx")
@runs
def bookings_import(path) -> Outcome:
    """Requests from an .xlsx sheet with the same columns as 'bookings add' (unit, task, date, start, end, …)."""
    return _bookings("import_file", path)


@bookings.command("close")
@click.argument("booking_id")
@click.option("--reason", required=True, help="Why no expert was found.")
@runs
def bookings_close(booking_id, reason) -> Outcome:
    """Close a waiting request as unfilled, with the reason."""
    return _bookings("close", booking_id, reason)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Request threads.")
@click.option("--warm-pdf/--no-warm-pdf", default=True, show_default=True,
              help="Keep LibreOffice running so that one document's PDF is made in a fraction of a second.")
@json_option
def serve(host: str, port: int, threads: int, warm_pdf: bool, as_json: bool) -> None:
    """The web app for coordinator, unit contacts, payroll and experts, on this workspace (waitress)."""
    from waitress import serve as waitress_serve

    from kokemus_docs.web import create_app

    try:
        app = create_app(_workspace(writes=False).root)
    except KokemusError as error:
        _fail(error, as_json)
    if as_json:
        click.echo(json.dumps({"ok": True, "written": [], "errors": [], "warnings": [],
                               "url": f"http://{host}:{port}"}))
    click.echo(f"kokemus web app on http://{host}:{port} (workspace {app.config['KOKEMUS_WORKSPACE'].root}); "
               "stop with Ctrl+C", err=True)
    from kokemus_docs.documents.warmoffice import warm_office
    from kokemus_docs.web.overview import register_check

    # The register is read before the first page is asked for (a few seconds for a thousand experts).
    threading.Thread(target=_quietly, args=(register_check, app.config["KOKEMUS_WORKSPACE"]), daemon=True).start()
    # Stopped by a service manager (SIGTERM): exit normally, so that the warm LibreOffice is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    office = warm_office()
    if warm_pdf and office.available:  # LibreOffice starts in the background, ready for the first PDF asked for
        threading.Thread(target=_start_quietly, args=(office,), daemon=True).start()
    waitress_serve(app, host=host, port=port, threads=threads, ident="kokemus")


def _start_quietly(office) -> None:
    try:
        office.start()
    except KokemusError as error:
        click.echo(f"warning: {error.message} PDFs are made with a cold start instead.", err=True)


def _quietly(function, *args) -> None:
    try:
        function(*args)
    except Exception:  # noqa: BLE001 - the first page shows whatever is wrong with the register
        pass


def _terminal_replacement(error: UnicodeEncodeError) -> tuple[str, int]:
    """What a terminal that cannot show a character prints instead: 'EUR' for '€', '?' for the rest."""
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


def main() -> None:
    terminal_safe()
    cli(prog_name="kokemus")

