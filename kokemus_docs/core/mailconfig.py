"""kokemus.toml's [mail]: the county's SMTP relay, checked when the workspace opens (never silently replaced).

    [mail]
    host = "smtp.example.fi"
    port = 587                      # default 587 with STARTTLS, else 25
    starttls = true                 # default true
    login = "kokemus"               # optional: without it, no login
    password_file = ".kokemus/smtp-password"   # or password = "…"; the file is read when a message is sent
    sender = "Kokemusasiantuntijat <kokemus@example.fi>"
    timeout = 10                    # seconds for the relay to answer (1–120)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from kokemus_docs.core.errors import WorkspaceError

CONFIG_NAME = "kokemus.toml"
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:.]{2,45}\]?$")
KEYS = {"host", "port", "starttls", "login", "password", "password_file", "sender", "timeout"}


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    starttls: bool
    login: str
    password: str | None
    password_file: Path | None
    sender: str
    timeout: float

    def secret(self) -> str:
        """The login's password (read from password_file when that is given)."""
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        return self.password or ""

    def __repr__(self) -> str:  # never print the password
        return f"MailSettings({self.host!r}, {self.port}, starttls={self.starttls}, sender={self.sender!r})"


def _bad(key: str, what: str) -> WorkspaceError:
    return WorkspaceError(f"{CONFIG_NAME}: mail.{key} {what}. Fix [mail] in {CONFIG_NAME}, or remove the section "
                          "to send no email.", path=CONFIG_NAME, code="bad-config")


def mail_settings(config: dict, root: Path) -> MailSettings | None:
    """The [mail] section checked; None when there is none (then nothing is sent). WorkspaceError names the key."""
    section = config.get("mail")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise _bad("", "is not a section")
    unknown = sorted(set(section) - KEYS)
    if unknown:
        raise _bad(unknown[0], f"is not a setting of [mail] (known: {', '.join(sorted(KEYS))})")
    host = section.get("host")
    if not isinstance(host, str) or not _HOST.match(host.strip()):
        raise _bad("host", "must be the SMTP relay's host name, e.g. \"smtp.example.fi\"")
    starttls = section.get("starttls", True)
    if not isinstance(starttls, bool):
        raise _bad("starttls", "must be true or false")
    port = section.get("port", 587 if starttls else 25)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise _bad("port", "must be a port number from 1 to 65535, e.g. 587")
    timeout = section.get("timeout", 10)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 1 <= timeout <= 120:
        raise _bad("timeout", "must be a number of seconds from 1 to 120")
    login = section.get("login", "")
    if not isinstance(login, str) or len(login) > 256:
        raise _bad("login", "must be text")
    password, password_file = section.get("password"), section.get("password_file")
    if password is not None and password_file is not None:
        raise _bad("password", "and mail.password_file are both set; keep one")
    if password is not None and (not isinstance(password, str) or not password.isascii()):
        raise _bad("password", "must be text of ASCII characters (SMTP logins carry no others)")
    if not login.isascii():
        raise _bad("login", "must be ASCII characters (SMTP logins carry no others)")
    secret_path = None
    if password_file is not None:
        if not isinstance(password_file, str) or not password_file.strip():
            raise _bad("password_file", "must name a file")
        secret_path = (root / password_file).resolve()
        if not secret_path.is_file():
            raise _bad("password_file", f"names {password_file}, which is not a readable file")
    if login and password is None and secret_path is None:
        raise _bad("login", "is set without mail.password or mail.password_file")
    sender = section.get("sender")
    if not isinstance(sender, str) or "@" not in parseaddr(sender)[1] or any(c in sender for c in "\r\n"):
        raise _bad("sender", "must be an email address, e.g. \"Kokemus <kokemus@example.fi>\"")
    return MailSettings(host=host.strip(), port=port, starttls=starttls, login=login, password=password,
                        password_file=secret_path, sender=sender.strip(), timeout=float(timeout))
