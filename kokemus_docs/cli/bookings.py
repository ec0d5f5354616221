"""Bookings: units' requests, candidates, offers, answers, cancellations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from kokemus_docs.cli.common import (
    month_option,
    open_workspace,
    runs,
)
from kokemus_docs.core.report import Outcome


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

    ws = open_workspace(writes=writes)
    return getattr(commands, name)(ws, load_register(ws.register_path).register, *args, **kwargs)


@click.group()
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
