"""The web app: its logins and serving it."""

from __future__ import annotations

import json
import signal
import sys
import threading

import click

from kokemus_docs.cli.common import (
    fail,
    json_option,
    open_workspace,
    runs,
)
from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.report import Outcome


@click.group()
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
    from kokemus_docs.accounts.logins import add_user
    from kokemus_docs.register.sheets import load_register

    ws = open_workspace()
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
    from kokemus_docs.accounts.logins import set_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    generated = set_password(open_workspace(), login, password)
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
    from kokemus_docs.accounts.logins import remove_user

    remove_user(open_workspace(), login)
    return Outcome(summary=[f"Login {login} removed; its sessions have ended."], extra={"login": login})


@click.command()
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
        app = create_app(open_workspace(writes=False).root)
    except KokemusError as error:
        fail(error, as_json)
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
