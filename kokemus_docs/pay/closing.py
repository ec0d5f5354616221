"""Closing a payroll month: the copy of its workbook kept in .kokemus/closed/, and the close itself.

The ledger (which months are closed) and the files (the kept copy, the delivered workbook) cannot change in one
step, so a close goes through an order in which an interruption at any point leaves them agreeing, and the next
run finishes what was begun:

1. the copy is written, fsynced, as `payroll_M.closing.json` (the ledger month still open);
2. an earlier print of the open month is removed from outputs/ (it must not outlive the close as a draft);
3. the ledger commits the close together with the copy's checksum;
4. the delivered workbook is written from the copy;
5. the copy is renamed to `payroll_M.json`: the close is complete.

A `.closing` copy is the record of a close that may not have committed: if the ledger holds the close with that
copy's checksum, the close is finished (steps 4–5); otherwise the copy is removed and the month is open, as the
ledger says. A `payroll_M.json` copy is only ever there after the ledger committed the close, so a ledger that
does not know of the close (empty, or restored from a backup made before it) is damaged or out of date: nothing
is rebuilt or overwritten then, and the error names both sides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.fileio import fsync_dir, write_bytes_atomic
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace, WorkspaceBusy, make_private_dir, workspace_lock

PERSONAL_DATA_MODE = 0o600


class ClosedMonthMissingFromLedger(KokemusError):
    """A month has a kept closed copy, but the ledger does not record its close."""


@dataclass(frozen=True)
class ClosedCopy:
    """A closed month's payroll as it was at closing: its workbook, its --json result and its summary lines."""

    month: Month
    closed_at: str | None  # ISO seconds, as the ledger holds it; None in copies kept by versions before it
    workbook: bytes
    extra: dict
    summary: tuple[str, ...]


def closed_copy_path(ws: Workspace, month: Month) -> Path:
    """Where the workbook of a closed month is kept as it was at closing (with the --json result)."""
    return ws.state_dir / "closed" / f"payroll_{month}.json"


def closing_copy_path(ws: Workspace, month: Month) -> Path:
    """The copy of a close in progress: becomes `closed_copy_path` once the ledger has committed the close."""
    return ws.state_dir / "closed" / f"payroll_{month}.closing.json"


def payroll_path(ws: Workspace, month: Month) -> Path:
    """The delivered workbook of payroll month `month`: outputs/payroll/payroll_<month>.xlsx."""
    return ws.output("payroll", f"payroll_{month}.xlsx")


def delivered_workbooks(ws: Workspace) -> list[tuple[Month, Path]]:
    """(month, path) of each delivered workbook in outputs/payroll/ (a regular file named as `payroll_path`
    names it), newest month first."""
    folder = ws.output("payroll")
    found = []
    for path in folder.glob("payroll_*.xlsx") if folder.is_dir() else ():
        name = path.stem.removeprefix("payroll_")
        if not Month.is_valid(name):
            continue
        month = Month.parse(name)
        if payroll_path(ws, month) == path and path.is_file() and not path.is_symlink():
            found.append((month, path))
    return sorted(found, reverse=True)


def snapshot_bytes(month: Month, closed_at: str, workbook: bytes, extra: dict, summary: list[str]) -> bytes:
    """The kept copy of a closed month: its workbook, its --json result and its summary lines."""
    snapshot = {"format": 1, "month": month, "closed_at": closed_at, "extra": extra, "summary": summary,
                "workbook": base64.b64encode(workbook).decode("ascii")}
    return json.dumps(snapshot, ensure_ascii=False).encode("utf-8")


def begin_close(ws: Workspace, ledger: Ledger, month: Month, data: bytes) -> None:
    """Steps 1–2, inside the ledger transaction that closes `month`: the copy on disk (fsynced) as a close in
    progress, its checksum in the ledger, and the open month's earlier print out of outputs/."""
    target = closing_copy_path(ws, month)
    make_private_dir(target.parent)
    write_copy(target, data)
    ledger.record_closed_copy_digest(month, hashlib.sha256(data).hexdigest())
    remove_draft(payroll_path(ws, month))


def write_copy(target: Path, data: bytes) -> None:
    """The copy, fsynced with its folder before the ledger may commit the close it records."""
    write_bytes_atomic(target, data, mode=PERSONAL_DATA_MODE, durable=True)


def remove_draft(path: Path) -> None:
    """Remove a print of the still-open month: after the close it would be a workbook the ledger disowns."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)


def finish_close(ws: Workspace, month: Month, workbook: bytes) -> Path:
    """Steps 4–5, after the ledger committed the close: the delivered workbook, then the copy made final."""
    target = payroll_path(ws, month)
    deliver(target, workbook)
    settle_copy(ws, month)
    return target


def deliver(target: Path, workbook: bytes) -> None:
    """Write the delivered workbook (mode 0600: it holds personal data)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_bytes_atomic(target, workbook, mode=PERSONAL_DATA_MODE)


def settle_copy(ws: Workspace, month: Month) -> None:
    """Rename the close-in-progress copy to the closed copy, durably."""
    final = closed_copy_path(ws, month)
    os.replace(closing_copy_path(ws, month), final)
    fsync_dir(final.parent)


def recover_close(ws: Workspace, ledger: Ledger, month: Month) -> None:
    """Finish or undo a close of `month` that an earlier run began and did not end (see the module's order)."""
    pending = closing_copy_path(ws, month)
    try:
        data = pending.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise KokemusError(f"{ws.rel(pending)} cannot be read ({exc.strerror}); check its permissions.",
                           path=ws.rel(pending), code="closed-copy-unreadable") from None
    digest = ledger.closed_copy_digest(month)
    if ledger.closed_at(month) is not None and digest == hashlib.sha256(data).hexdigest():
        snapshot = read_snapshot(data, month)
        if snapshot is not None:
            finish_close(ws, month, snapshot.workbook)
            return
    pending.unlink()  # the close never committed: the month is open, as the ledger says
    fsync_dir(pending.parent)


def finish_interrupted_closes(ws: Workspace) -> list[Month]:
    """Finish (or undo) every close an earlier run began and did not end, so that a month the ledger closed has
    its delivered workbook without waiting for the next payroll run; returns the months whose close was pending.

    Done under the workspace lock: while another run holds it (its own close may be under way), nothing is
    touched here and that run finishes its own. A copy that cannot be read is left for the payroll run to name.
    """
    folder = ws.state_dir / "closed"
    suffix = ".closing.json"
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.startswith("payroll_") and p.name.endswith(suffix))
    except OSError:  # no month was ever closed
        return []
    months = [Month.parse(m) for m in (n.removeprefix("payroll_").removesuffix(suffix) for n in names)
              if Month.is_valid(m)]
    if not months:
        return []
    try:
        with workspace_lock(ws, "finish closing a payroll month", wait=0), open_ledger(ws.ledger_path) as ledger:
            for month in months:
                try:
                    recover_close(ws, ledger, month)
                except KokemusError:
                    continue
    except WorkspaceBusy:
        return []
    return months


def refuse_closed_copy_without_close(ws: Workspace, ledger: Ledger, month: Month) -> None:
    """Stop when `month` has a kept closed copy but the ledger does not record the close."""
    kept = closed_copy_path(ws, month)
    if ledger.closed_at(month) is not None or not kept.exists():
        return
    closed_at = ""
    try:
        closed_at = str(json.loads(kept.read_bytes()).get("closed_at") or "")
    except (OSError, ValueError, AttributeError):
        pass
    when = f" on {closed_at.replace('T', ' ')}" if closed_at else ""
    raise ClosedMonthMissingFromLedger(
        f"Month {month} was closed{when}: {ws.rel(kept)} holds its workbook as it was delivered. But the ledger "
        f"{ws.rel(ledger.path)} has no record of that close: it is empty, or it was restored from a backup made "
        "before the close. Nothing was written. Restore the ledger from a backup made after the close "
        f"(or the ledger you had before), then run the payroll again; {ws.rel(payroll_path(ws, month))} is left "
        "as it was.", path=ws.rel(kept), code="closed-month-not-in-ledger")


def read_closed_copy(ws: Workspace, ledger: Ledger, month: Month) -> ClosedCopy | None:
    """The snapshot kept when `month` was closed; None if there is none, it cannot be read, or it is not the
    file written at closing (its checksum in the ledger differs)."""
    try:
        data = closed_copy_path(ws, month).read_bytes()
    except OSError:
        return None
    digest = ledger.closed_copy_digest(month)
    if digest is not None and hashlib.sha256(data).hexdigest() != digest:
        return None
    return read_snapshot(data, month)


def read_snapshot(data: bytes, month: Month) -> ClosedCopy | None:
    """A kept copy's contents; None if it is not a copy of `month` as snapshot_bytes writes one."""
    try:
        snapshot = json.loads(data.decode("utf-8"))
        workbook = base64.b64decode(snapshot["workbook"], validate=True)
        extra, summary, closed_at = snapshot["extra"], snapshot.get("summary", []), snapshot.get("closed_at")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    well_formed = (snapshot.get("month") == month and isinstance(extra, dict)
                   and (closed_at is None or isinstance(closed_at, str))
                   and isinstance(summary, list) and all(isinstance(line, str) for line in summary))
    if not well_formed:
        return None
    return ClosedCopy(month, closed_at, workbook, extra, tuple(summary))
