"""One exception base and the problem record every command reports, and the ledger's errors.

Library code raises `KokemusError` subclasses for things that stop a whole command (exit 2), and
collects `Problem`s for things that reject one row, document or form while the rest goes on (exit 1).
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One error or warning, located as precisely as we can: file, sheet, row, field.

    `message` is English, for the terminal and JSON; `params` holds the values (ids, dates) that the Finnish and
    Swedish texts of core.problem_texts need, and is kept out of the JSON.
    """

    message: str
    path: str | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    code: str | None = None
    params: dict | None = dataclass_field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and k != "params"}

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"column {self.field}" if self.sheet else f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class KokemusError(Exception):
    """Base of every error that stops a command. `exit_code` follows SPEC.md (2 = usage or setup)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.code = code

    def as_problem(self) -> Problem:
        return Problem(self.message, path=self.path, code=self.code)


class WorkspaceError(KokemusError):
    """No workspace here, or it is incomplete."""


class RegisterUnreadable(KokemusError):
    """The register workbook cannot be opened or lacks a sheet or a required column."""


class TemplateError(KokemusError):
    """A Word template is missing or cannot be rendered."""


class LibreOfficeMissing(KokemusError):
    """PDF output was asked for but `soffice` is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "PDF output needs LibreOffice, which was not found (no 'soffice' on PATH). "
            "Install it with: sudo apt-get install libreoffice-writer-nogui "
            "(or ask for --format docx only).",
            code="libreoffice-missing",
        )


class ConversionError(KokemusError):
    """LibreOffice failed or timed out converting documents to PDF."""


class MonthClosed(KokemusError):
    """The payroll month is closed in the ledger and can no longer change."""

    exit_code = 1


class LedgerError(KokemusError):
    """The ledger file cannot be opened, is busy, or is from a newer version of kokemus-docs."""


class LedgerDamaged(LedgerError):
    """The ledger's file or contents are not what kokemus-docs wrote: nothing is read from it or rebuilt."""

    def __init__(self, path: str | Path, detail: str):
        super().__init__(
            f"The ledger is damaged: {Path(path).name} {detail}. Nothing was written, and kokemus never rebuilds "
            "a damaged ledger (that would lose what it records). Restore .kokemus/ledger.sqlite from your latest "
            "backup, then run the command again.", path=str(path), code="ledger-damaged")


def ledger_busy_error(path: str | Path, exc: sqlite3.OperationalError) -> LedgerError | None:
    """The clear error for SQLite's 'database is locked' / 'busy'; None for other errors."""
    text = str(exc).lower()
    if "locked" not in text and "busy" not in text:
        return None
    return LedgerError(f"The ledger {Path(path).name} is busy: another program is writing it (another kokemus "
                       "command, the web app, or a program that opened the file). Try again in a moment; if it "
                       "stays busy, close the other program.", path=str(path), code="ledger-busy")


def ledger_error(path: str | Path, exc: sqlite3.Error) -> LedgerError:
    """The plain error for anything SQLite raises about the ledger: busy, disk full, read-only, or damaged."""
    text = str(exc).lower()
    busy = ledger_busy_error(path, exc) if isinstance(exc, sqlite3.OperationalError) else None
    if busy is not None:
        return busy
    name = Path(path).name
    if "disk is full" in text or "database or disk is full" in text:
        return LedgerError(f"The disk is full: the ledger {name} cannot be written. Nothing was half-written; "
                           "free some space and run the command again.", path=str(path), code="disk-full")
    if "readonly" in text or "read-only" in text:
        return LedgerError(f"The ledger {name} cannot be written: the workspace is read-only. Nothing was "
                           "changed; run the command where the workspace can be written.", path=str(path),
                           code="read-only")
    if isinstance(exc, sqlite3.OperationalError) and ("unable to open" in text or "i/o" in text
                                                      or "permission" in text):
        return LedgerError(f"The ledger {name} cannot be used ({exc}). Check the folder {Path(path).parent}, its "
                           "permissions and the disk.", path=str(path), code="ledger-unreadable")
    return LedgerDamaged(path, f"cannot be read ({exc})")
