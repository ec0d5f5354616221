"""The coordinator's workspace folder: settings, register, templates, inbox, outputs and the sealing key."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as datetime_time
from decimal import Decimal
from importlib import resources
from pathlib import Path

from kokemus_docs.core.errors import TemplateError, WorkspaceError
from kokemus_docs.core.fileio import confined_to, inside, make_folder, write_bytes_atomic
from kokemus_docs.core.mailconfig import MailSettings, mail_settings
from kokemus_docs.core.settings import CONFIG_NAME, MAX_TRAVEL_SETTING, check_settings, parse_cutoff

STATE_DIR = ".kokemus"   # mode 0700; everything in it 0600
KEY_NAME = "seal.key"
LOCK_NAME = "lock"
LOG_NAME = "kokemus.log"
DEFAULT_LOCK_WAIT = 60.0  # seconds a command waits for another one writing the same workspace

DEFAULT_CONFIG = """\
# kokemus-docs workspace settings. Edit the names and addresses to match your county.

[organisation]
name_fi = "Itä-Uudenmaan hyvinvointialue"
name_sv = "Östra Nylands välfärdsområde"
# The county's name in English, printed on clients' English feedback questionnaires.
name_en = "Eastern Uusimaa Wellbeing Services County"
coordinator_title_fi = "järjestötyön ja osallisuuden asiantuntija"
coordinator_title_sv = "experten på organisationsarbete och delaktighet"
# The county's business ID (Y-tunnus / FO-nummer) and postal address, printed on contracts.
business_id = ""
postal_address_fi = ""
postal_address_sv = ""
# Whom experts contact with questions: printed on contracts, hour forms and feedback files.
coordinator_name = ""
coordinator_email = ""
coordinator_phone = ""

[payroll]
# Who pays the fees, and where experts send their tax cards.
name = "HPK Palvelut"
tax_card_address_fi = "Yrittäjäntie 12 A, 06450 Porvoo"
tax_card_address_sv = "Entreprenörsvägen 12 A, 06450 Borgå"

[deadlines]
# The fee notice for work of month M must reach the unit by this day of month M+1;
# the fee is paid on the last banking day of month M+1.
notice_day = 9
# The orderer may cancel free of charge until this time on the day before.
cancellation_cutoff = "15:00"

[forms]
# Rows on each monthly hour form.
rows = 25
# The largest travel reimbursement one row may claim, in euros.
max_travel_eur = "200.00"

[web]
# The address at which experts and feedback respondents reach the web app ('kokemus serve'). Printed on hour
# forms and feedback questionnaires as a link and a QR code. Behind the county's reverse proxy this is its
# https address.
public_url = "http://127.0.0.1:8000"

# [mail]: the county's SMTP relay for booking messages (offers, confirmations, cancellations to experts; booked,
# declined, unfilled to unit contacts). Without it, nothing is sent and the web pages show everything.
# [mail]
# host = "smtp.example.fi"
# port = 587
# starttls = true
# login = "kokemus"
# password_file = ".kokemus/smtp-password"
# sender = "Kokemusasiantuntijat <kokemus@example.fi>"

[feedback]
# Survey-tool exports (CSV, XLSX) whose column names differ from respondent, unit_id, date, recommend,
# s1 ... s5, comment: map their headers here, e.g. "Suosittelisitko palvelua?" = "recommend".
[feedback.columns]
"""


def builtin_template(name: str) -> Path:
    """Path of a template shipped with the package, e.g. 'contract_fi.docx'."""
    return Path(str(resources.files("kokemus_docs") / "templates" / name))


@dataclass
class Workspace:
    root: Path
    config: dict = field(default_factory=dict)
    mail: MailSettings | None = None  # [mail]: the SMTP relay for booking messages; None = no email

    @classmethod
    def open(cls, root: str | os.PathLike) -> Workspace:
        """Open an existing workspace; a clear error if `root` is not one."""
        root = Path(root).resolve()
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise WorkspaceError(
                f"{root} is not a kokemus workspace (no {CONFIG_NAME}). "
                "Create one with 'kokemus init DIR' or point to one with -w DIR / KOKEMUS_WORKSPACE.",
                path=str(root),
                code="no-workspace",
            )
        try:
            config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise WorkspaceError(f"{CONFIG_NAME} cannot be read: {exc}. Fix the file or restore it from "
                                 "'kokemus init' in an empty folder.", path=CONFIG_NAME, code="bad-config") from None
        defaults = tomllib.loads(DEFAULT_CONFIG)
        for section, values in defaults.items():
            if isinstance(config.setdefault(section, {}), dict):
                for key, value in values.items():
                    config[section].setdefault(key, value)
        check_settings(config)
        check_ledger_present(root)
        return cls(root=root, config=config, mail=mail_settings(config, root))

    # --- places -------------------------------------------------------------------------------
    @property
    def register_path(self) -> Path:
        return self.root / "register.xlsx"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "forms" / "inbox"

    @property
    def feedback_inbox(self) -> Path:
        """Where returned questionnaires and survey-tool exports are put (feedback/inbox/)."""
        return self.root / "feedback" / "inbox"

    @property
    def processed_dir(self) -> Path:
        return self.root / "forms" / "processed"

    @property
    def rejected_dir(self) -> Path:
        return self.root / "forms" / "rejected"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / "ledger.sqlite"

    def output(self, *parts: str) -> Path:
        """A path under outputs/, e.g. output('contracts', 'K-001_fi.docx').

        Each part is one file or folder name: a part with '/', '\\', '..' or a NUL, a name longer than the file
        system allows, or a path that would leave the workspace is refused with a WorkspaceError.
        """
        for part in parts:
            if not isinstance(part, str) or part in ("", ".", "..") or any(c in part for c in "/\\\0"):
                raise WorkspaceError(f"Refusing to write an output named {part!r}: a name from an id or a template "
                                     "may not contain '/', '\\' or '..'. Fix the id in the register.",
                                     path=str(part), code="outside-workspace")
        return inside(self.root, self.outputs_dir.joinpath(*parts))

    def rel(self, path: str | os.PathLike) -> str:
        """Path relative to the workspace root, as the JSON output reports it."""
        path = Path(path).resolve()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def template(self, name: str) -> Path:
        """The workspace's own template `name` if present, else the built-in one."""
        own = self.templates_dir / name
        if own.is_file():
            return own
        shipped = builtin_template(name)
        if shipped.is_file():
            return shipped
        raise TemplateError(f"Template {name} was not found in {self.templates_dir} nor in the package.",
                            path=f"templates/{name}", code="template-missing")

    # --- settings -----------------------------------------------------------------------------
    def org_name(self, language: str) -> str:
        return self.config["organisation"][f"name_{language}"]

    # Every setting below was checked when the workspace was opened (core/settings.py).
    @property
    def notice_day(self) -> int:
        """deadlines.notice_day: the day of month M+1 by which the unit has the fee notice for month M."""
        return self.config["deadlines"]["notice_day"]

    @property
    def cancellation_cutoff(self) -> datetime_time:
        """deadlines.cancellation_cutoff: free cancellation until this time on the day before."""
        return parse_cutoff(self.config["deadlines"]["cancellation_cutoff"])

    @property
    def form_rows(self) -> int:
        """forms.rows: rows on each hour form (1–60)."""
        return self.config["forms"]["rows"]

    @property
    def max_travel_eur(self) -> Decimal:
        """forms.max_travel_eur: the most one row of an hour form may claim for travel ("200.00")."""
        from kokemus_docs.core.formatting import parse_money

        return parse_money(str(self.config["forms"]["max_travel_eur"]), maximum=MAX_TRAVEL_SETTING)

    def coordinator_contact(self) -> dict[str, str]:
        """The coordinator's name, email and phone from kokemus.toml (empty strings where not set)."""
        organisation = self.config["organisation"]
        return {key: str(organisation.get(f"coordinator_{key}", "") or "").strip()
                for key in ("name", "email", "phone")}

    @property
    def public_url(self) -> str:
        """The web app's address as experts and respondents reach it, without a trailing slash."""
        return str(self.config["web"].get("public_url", "") or "").strip().rstrip("/")

    def state_path(self, name: str) -> Path:
        """A file in .kokemus/, creating the folder (mode 0700) if needed."""
        make_private_dir(self.state_dir)
        return self.state_dir / name

    @property
    def log(self) -> logging.Logger:
        """The workspace's log, .kokemus/kokemus.log (mode 0600). Never give it personal data."""
        return workspace_logger(self)

    def seal_key(self) -> bytes:
        """The workspace's secret for sealing hour forms (never printed, never leaves the workspace)."""
        key_path = self.state_dir / KEY_NAME
        try:
            return bytes.fromhex(key_path.read_text().strip())
        except (OSError, ValueError):
            raise WorkspaceError(f"The sealing key {STATE_DIR}/{KEY_NAME} is missing or damaged; forms issued "
                                 "from this workspace cannot be checked without it. Restore it from a backup.",
                                 path=f"{STATE_DIR}/{KEY_NAME}", code="no-key") from None


# Folders whose files are only written together with rows of the ledger: any file in them shows it was used.
LEDGER_WITNESSES = (
    (f"{STATE_DIR}/closed", "kept copies of closed payroll months"),
    ("forms/processed", "returned hour forms taken in"),
    ("forms/rejected", "returned hour forms taken in"),
    ("feedback/processed", "feedback answers taken in"),
    ("feedback/rejected", "feedback answers taken in"),
    ("outputs/forms", "hour forms issued with the experts' upload links"),
)


def check_ledger_present(root: Path) -> None:
    """Refuse a workspace whose ledger is gone although the workspace shows it was used: opening it would start
    an empty ledger (forms paid twice, closed months and issued links forgotten). `init_workspace` creates the
    ledger; a workspace made before it did, with no such files, gets its ledger when a command first needs it."""
    ledger = root / STATE_DIR / "ledger.sqlite"
    if os.path.lexists(ledger):
        return
    used = []
    for folder, what in LEDGER_WITNESSES:
        try:
            with os.scandir(root / folder) as entries:
                if any(not entry.name.startswith(".") for entry in entries):
                    used.append(f"{folder}/ ({what})")
        except OSError:
            continue
    if used:
        raise WorkspaceError(
            f"The ledger {STATE_DIR}/ledger.sqlite is missing, but this workspace has been used: "
            f"{'; '.join(used)}. Nothing was done. Restore {STATE_DIR}/ledger.sqlite from your backup. Only if "
            "you really mean to start again with an empty ledger (every payment, closed month and upload link "
            f"forgotten), create an empty file in its place: touch {STATE_DIR}/ledger.sqlite",
            path=f"{STATE_DIR}/ledger.sqlite", code="ledger-missing")


def init_workspace(root: str | os.PathLike) -> tuple[Workspace, list[Path]]:
    """Create a new workspace in `root`, which may exist but must hold none of the files init writes (the
    settings, the register, .kokemus/, the templates): a folder that does is refused and nothing is written.

    Writes kokemus.toml, an empty register with headers and instructions, templates/ with the default
    templates to edit, forms/inbox/, outputs/, a fresh sealing key and an empty ledger (mode 0600).
    """
    from kokemus_docs.core.ledger import Ledger
    from kokemus_docs.register.write import write_empty_register

    root = Path(root).resolve()
    templates = sorted(e.name for e in (resources.files("kokemus_docs") / "templates").iterdir()
                       if e.name.endswith(".docx"))
    there = [name for name in (CONFIG_NAME, "register.xlsx", STATE_DIR, *(f"templates/{t}" for t in templates))
             if os.path.lexists(root / name)]
    if there:
        shown = ", ".join(there[:5]) + (f" and {len(there) - 5} more" if len(there) > 5 else "")
        kind = "already a kokemus workspace" if CONFIG_NAME in there else "not empty"
        raise WorkspaceError(
            f"{root} is {kind}: it holds {shown}, which 'kokemus init' would write over (an empty register, a new "
            "sealing key that rejects every form already sent out). Nothing was written. Choose a new or empty "
            "folder; to use this one as it is, run kokemus with -w.", path=str(root), code="workspace-exists")
    make_folder(root)
    written: list[Path] = []
    written.append(write_bytes_atomic(root / CONFIG_NAME, DEFAULT_CONFIG.encode("utf-8")))
    for sub in ("templates", "forms/inbox", "forms/processed", "forms/rejected", "outputs"):
        make_folder(root / sub)
    state = make_private_dir(root / STATE_DIR)
    written.append(write_bytes_atomic(state / KEY_NAME, secrets.token_hex(32).encode(), mode=0o600))
    with Ledger(state / "ledger.sqlite"):  # the new workspace's empty ledger, whatever else the folder holds
        written.append(state / "ledger.sqlite")
    ws = Workspace.open(root)
    written.append(write_empty_register(ws.register_path))
    for name in templates:
        written.append(write_bytes_atomic(ws.templates_dir / name, builtin_template(name).read_bytes()))
    return ws, written


# --- .kokemus/: private files ---------------------------------------------------------------------
def make_private_dir(folder: Path) -> Path:
    """Create `folder` (and parents) if missing and make it 0700."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != 0o700:
        os.chmod(folder, 0o700)
    return folder


def open_private(path: Path, flags: int = os.O_RDWR) -> int:
    """Open (creating if needed) a file that only the owner may read: mode 0600, never through a symlink."""
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o777 != 0o600:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


_loggers_lock = threading.Lock()


def workspace_logger(ws: Workspace) -> logging.Logger:
    """A logger writing to the workspace's .kokemus/kokemus.log (created 0600)."""
    name = "kokemus_docs.core.workspace." + hashlib.sha256(str(ws.root).encode()).hexdigest()[:16]
    logger = logging.getLogger(name)
    with _loggers_lock:
        if not logger.handlers:
            handler: logging.Handler
            try:
                path = ws.state_path(LOG_NAME)
                os.close(open_private(path, os.O_WRONLY | os.O_APPEND))
                handler = _QuietFileHandler(path, encoding="utf-8", delay=True)
                handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s pid %(process)d %(message)s"))
            except OSError:  # a log that cannot be written never stops the work it describes
                handler = logging.NullHandler()
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
    return logger


class _QuietFileHandler(logging.FileHandler):
    """A log file whose write errors (disk full, removed folder) are ignored instead of printed with a traceback."""

    def handleError(self, record: logging.LogRecord) -> None:
        return None


# --- one writer at a time ----------------------------------------------------------------------------
class WorkspaceBusy(WorkspaceError):
    """Another command has been writing the workspace for longer than this one would wait."""


_held = threading.local()


@contextmanager
def workspace_lock(ws: Workspace, command: str, wait: float = DEFAULT_LOCK_WAIT,
                   on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the workspace's write lock (an flock on .kokemus/lock) while inside; only one writer at a time.

    If another process or thread holds it, call `on_wait("waiting for forms ingest (pid 123) to finish…")` once
    and wait up to `wait` seconds, then raise WorkspaceBusy naming the holder. Re-entrant within one thread.
    While held, every write through fileio.atomic_path must stay inside the workspace.
    """
    try:
        path = ws.state_path(LOCK_NAME)
    except OSError as exc:
        raise WorkspaceError(f"The workspace cannot be written: {STATE_DIR}/ cannot be created ({exc.strerror}). "
                             "Check the folder's permissions.", path=STATE_DIR, code="workspace-unwritable") from None
    held: set[Path] = _held.__dict__.setdefault("paths", set())
    if path in held:
        with confined_to(ws.root):
            yield
        return
    try:
        fd = open_private(path)
    except OSError as exc:
        raise WorkspaceError(f"The workspace cannot be written: {STATE_DIR}/{LOCK_NAME} cannot be opened "
                             f"({exc.strerror}). Check the folder's permissions and free space.",
                             path=f"{STATE_DIR}/{LOCK_NAME}", code="workspace-unwritable") from None
    try:
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _lock_holder(fd)
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(
                        f"Another kokemus command is writing this workspace: {holder}. It did not finish within "
                        f"{wait:g} s; try again when it has finished.", path=str(ws.root),
                        code="workspace-busy") from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for {holder} to finish…")
                    told = True
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"command": command, "pid": os.getpid(),
                                  "since": datetime.now().isoformat(timespec="seconds")}).encode(), 0)
        held.add(path)
        try:
            with confined_to(ws.root):
                yield
        finally:
            held.discard(path)
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the only descriptor releases the flock


def _lock_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"{info['command']} (pid {int(info['pid'])})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another command"
