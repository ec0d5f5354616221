"""The coordinator's workspace folder: settings, register, templates, inbox, outputs and the sealing key."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from kokemus_docs.errors import TemplateError, WorkspaceError
from kokemus_docs.fileio import write_bytes_atomic

CONFIG_NAME = "kokemus.toml"
STATE_DIR = ".kokemus"
KEY_NAME = "seal.key"

DEFAULT_CONFIG = """\
# kokemus-docs workspace settings. Edit the names and addresses to match your county.

[organisation]
name_fi = "Itä-Uudenmaan hyvinvointialue"
name_sv = "Östra Nylands välfärdsområde"
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
            config.setdefault(section, {})
            for key, value in values.items():
                config[section].setdefault(key, value)
        return cls(root=root, config=config)

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
        """A path under outputs/, e.g. output('contracts', 'K-001_fi.docx')."""
        return self.outputs_dir.joinpath(*parts)

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

    @property
    def notice_day(self) -> int:
        return int(self.config["deadlines"]["notice_day"])

    @property
    def form_rows(self) -> int:
        return int(self.config["forms"]["rows"])

    @property
    def max_travel_eur(self) -> Decimal:
        """forms.max_travel_eur: the most one row of an hour form may claim for travel ("200.00")."""
        from kokemus_docs.formatting import ParseError, parse_money

        value = self.config["forms"].get("max_travel_eur", "200.00")
        try:
            return parse_money(str(value), maximum=Decimal("100000.00"))
        except ParseError:
            raise WorkspaceError(f"{CONFIG_NAME}: forms.max_travel_eur = {str(value)[:40]!r} is not an amount in "
                                 'euros from 0 to 100000 with at most two decimals; write it like "200.00".',
                                 path=CONFIG_NAME, code="bad-config") from None

    def coordinator_contact(self) -> dict[str, str]:
        """The coordinator's name, email and phone from kokemus.toml (empty strings where not set)."""
        organisation = self.config["organisation"]
        return {key: str(organisation.get(f"coordinator_{key}", "") or "").strip()
                for key in ("name", "email", "phone")}

    @property
    def public_url(self) -> str:
        """The web app's address as experts and respondents reach it, without a trailing slash."""
        return str(self.config["web"].get("public_url", "") or "").strip().rstrip("/")

    def seal_key(self) -> bytes:
        """The workspace's secret for sealing hour forms (never printed, never leaves the workspace)."""
        key_path = self.state_dir / KEY_NAME
        try:
            return bytes.fromhex(key_path.read_text().strip())
        except (OSError, ValueError):
            raise WorkspaceError(f"The sealing key {STATE_DIR}/{KEY_NAME} is missing or damaged; forms issued "
                                 "from this workspace cannot be checked without it. Restore it from a backup.",
                                 path=f"{STATE_DIR}/{KEY_NAME}", code="no-key") from None


def init_workspace(root: str | os.PathLike) -> tuple[Workspace, list[Path]]:
    """Create a new workspace in `root` (which may exist but must not be a workspace already).

    Writes kokemus.toml, an empty register with headers and instructions, templates/ with the default
    templates to edit, forms/inbox/, outputs/ and a fresh sealing key (mode 0600).
    """
    from kokemus_docs.register import write_empty_register

    root = Path(root).resolve()
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root} is already a kokemus workspace; choose an empty folder.",
                             path=str(root), code="workspace-exists")
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    written.append(write_bytes_atomic(root / CONFIG_NAME, DEFAULT_CONFIG.encode("utf-8")))
    for sub in ("templates", "forms/inbox", "forms/processed", "forms/rejected", "outputs"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    state = root / STATE_DIR
    state.mkdir(mode=0o700, exist_ok=True)
    os.chmod(state, 0o700)
    written.append(write_bytes_atomic(state / KEY_NAME, secrets.token_hex(32).encode(), mode=0o600))
    ws = Workspace.open(root)
    written.append(write_empty_register(ws.register_path))
    templates_src = resources.files("kokemus_docs") / "templates"
    for entry in sorted(templates_src.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".docx"):
            written.append(write_bytes_atomic(ws.templates_dir / entry.name, entry.read_bytes()))
    return ws, written
