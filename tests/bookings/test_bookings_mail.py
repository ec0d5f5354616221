"""Booking messages against a real SMTP server (aiosmtpd on 127.0.0.1, started here): delivered, a refused
recipient, a server that is down, a timeout. A message that cannot be sent is kept and retried; the booking
goes on; the audit log records every attempt."""

from __future__ import annotations

import socket
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from kokemus_docs.bookings import (
    BookingRequest,
    SessionTime,
    add_booking,
    answer_offer,
    cancel_booking,
    close_unfilled,
    expert_offers,
    offer_booking,
    outbox,
    retry_outbox,
    withdraw_offer,
)
from kokemus_docs.bookings.mail import send_due
from kokemus_docs.core.errors import WorkspaceError
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.workspace import Workspace

NOW = datetime(2026, 10, 1, 9, 0)


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses the addresses in `refuse`."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_mail(ws: Workspace, port: int, extra: str = "") -> Workspace:
    config = ws.root / "kokemus.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[feedback]\n", f'[mail]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
                                   f'sender = "Kokemus <kokemus@example.fi>"\ntimeout = 2\n{extra}\n[feedback]\n', 1),
                      encoding="utf-8")
    return Workspace.open(ws.root)


@pytest.fixture
def smtp():
    handler = Inbox(refuse=("aino.ka-001@example.org",))
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def request() -> BookingRequest:
    return BookingRequest(unit_id="MTP-PORVOO", task="individual", place="Huone & <B214>",
                          sessions=(SessionTime(date(2026, 10, 14), time(9, 30), time(11)),), language="any")


def audit(ws: Workspace) -> list[tuple[str, str]]:
    with Ledger(ws.ledger_path) as ledger:
        return [(r["action"], r["subject"]) for r in ledger.db.execute(
            "SELECT action, subject FROM web_audit WHERE actor = 'mail' ORDER BY id")]


def test_offer_confirmation_and_booked_are_delivered_in_each_recipients_language(workspace, register, smtp):
    controller, handler = smtp
    ws = with_mail(workspace, controller.port)
    booking = add_booking(ws, register, request(), now=NOW)
    offer_booking(ws, register, booking.booking_id, "KA-003", now=NOW)  # Elsa Lindqvist writes Swedish
    answer_offer(ws, register, booking.booking_id, accept=True, now=NOW)
    kinds = [(m["To"], m["Subject"]) for m in handler.messages]
    assert kinds[0] == ("elsa.ka-003@example.org", "Erbjudande: Individuellt arbete, "
                        "Psykisk hälsa & missbruk <'Ankaret'> Borgå")
    assert kinds[1][1].startswith("Bekräftelse") and kinds[2][0] == "tiina.lehtonen@example.fi"
    offer_text = handler.messages[0].get_content()
    assert "/e/" in offer_text and "Huone & <B214>" in offer_text and "14.10.2026 kl. 9.30–11.00" in offer_text
    expert = register.experts["KA-003"]
    booked_text = handler.messages[2].get_content()
    assert "Elsa Lindqvist" in booked_text and expert.phone in booked_text and booked_text.startswith("Hei ")
    for message in handler.messages:
        text = message.get_content()
        for secret in (expert.hetu, expert.iban, expert.street_address, expert.hetu[:6]):
            assert secret not in text
    assert [a for a, _ in audit(ws)] == ["mail-sent"] * 3 and outbox(ws) == []


def test_a_refused_recipient_is_kept_shown_and_the_booking_goes_on(workspace, register, smtp):
    controller, handler = smtp
    ws = with_mail(workspace, controller.port)
    booking = add_booking(ws, register, request(), now=NOW)
    offered = offer_booking(ws, register, booking.booking_id, "KA-001", now=NOW)  # the relay refuses her address
    assert offered.status == "offered" and handler.messages == []
    waiting = outbox(ws)
    assert len(waiting) == 1 and waiting[0].kind == "offer" and "550" in waiting[0].last_error
    assert audit(ws)[-1] == ("mail-failed", f"offer {booking.booking_id}")
    close_unfilled(ws, register, booking.booking_id, "ei ketään", now=NOW)  # its own message goes at once
    assert handler.messages[0]["Subject"].startswith("Ei kokemusasiantuntijaa") and outbox(ws)[0].attempts == 1
    send_due(ws, now=NOW + timedelta(seconds=50))  # the failed one waits a minute before its next try
    assert outbox(ws)[0].attempts == 1
    send_due(ws, now=NOW + timedelta(seconds=61))
    assert outbox(ws)[0].attempts == 2
    assert retry_outbox(ws) == 0 and outbox(ws)[0].attempts == 3  # the coordinator's retry tries it now


def test_a_server_that_is_down_keeps_the_messages_until_it_is_back(workspace, register):
    port = free_port()
    ws = with_mail(workspace, port)
    booking = add_booking(ws, register, request(), now=NOW)
    assert offer_booking(ws, register, booking.booking_id, "KA-008", now=NOW).status == "offered"
    waiting = outbox(ws)
    assert len(waiting) == 1 and "refused the connection" in waiting[0].last_error
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert retry_outbox(ws) == 1
    finally:
        controller.stop()
    assert outbox(ws) == [] and handler.messages[0]["To"] == "leila.ka-008@example.org"
    assert [a for a, _ in audit(ws)] == ["mail-failed", "mail-sent"]


def test_a_relay_that_does_not_answer_times_out_without_holding_the_booking(workspace, register):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])  # accepted, never greeted
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        ws = with_mail(workspace, silent.getsockname()[1])
        booking = add_booking(ws, register, request(), now=NOW)
        started = clock.monotonic()
        offered = offer_booking(ws, register, booking.booking_id, "KA-008", now=NOW)
        assert clock.monotonic() - started < 10 and offered.status == "offered"
        assert "did not answer in time" in outbox(ws)[0].last_error
        assert cancel_booking(ws, register, booking.booking_id, now=NOW).status == "cancelled"
        assert [e.kind for e in outbox(ws)] == ["withdrawn", "offer"]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        silent.close()


def test_login_with_a_password_file(workspace, register):
    handler = Inbox()
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"salainen & <'x'>")

    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        (workspace.root / ".kokemus" / "smtp-password").write_text("salainen & <'x'>\n", encoding="utf-8")
        ws = with_mail(workspace, controller.port, 'login = "kokemus"\npassword_file = ".kokemus/smtp-password"')
        booking = add_booking(ws, register, request(), now=NOW)
        offer_booking(ws, register, booking.booking_id, "KA-008", now=NOW)
    finally:
        controller.stop()
    assert seen == [(b"kokemus", b"salainen & <'x'>")] and len(handler.messages) == 1


def test_a_password_file_smtp_cannot_carry_is_a_reason_not_a_crash(workspace, register, smtp):
    controller, handler = smtp
    (workspace.root / ".kokemus" / "smtp-password").write_text("sälainen\n", encoding="utf-8")
    ws = with_mail(workspace, controller.port, 'login = "kokemus"\npassword_file = ".kokemus/smtp-password"')
    booking = add_booking(ws, register, request(), now=NOW)
    assert offer_booking(ws, register, booking.booking_id, "KA-008", now=NOW).status == "offered"
    assert "ASCII" in outbox(ws)[0].last_error


@pytest.mark.parametrize("settings, key", [
    pytest.param('host = "127.0.0.1"\nport = 70000\nsender = "a@b.fi"', "port", id="port"),
    pytest.param('host = "127.0.0.1"\nsender = "nobody"', "sender", id="sender"),
    pytest.param('host = "127.0.0.1"\nsender = "a@b.fi"\nlogin = "x"', "login", id="login-without-password"),
    pytest.param('host = "127.0.0.1"\nsender = "a@b.fi"\nlogin = "x"\npassword_file = "nope"', "password_file",
                 id="missing-password-file"),
    pytest.param('host = "127.0.0.1"\nsender = "a@b.fi"\nstarttls = "yes"', "starttls", id="starttls"),
    pytest.param('sender = "a@b.fi"', "host", id="no-host"),
])
def test_mail_settings_are_checked_when_the_workspace_opens(workspace, settings, key):
    config = workspace.root / "kokemus.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n[mail]\n{settings}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(workspace.root)
    assert f"mail.{key}" in caught.value.message


def test_without_mail_nothing_is_queued(workspace, register):
    booking = add_booking(workspace, register, request(), now=NOW)
    offer_booking(workspace, register, booking.booking_id, "KA-001", now=NOW)
    assert outbox(workspace, unsent_only=False) == []


def test_names_survive_exactly_and_personal_data_stays_out(workspace, register, smtp):
    import dataclasses

    from kokemus_docs.bookings.mail import compose

    controller, handler = smtp
    register.experts["KA-008"] = dataclasses.replace(register.experts["KA-008"], first_name="Łukasz",
                                                     last_name="Nguyễn-Čačić")
    ws = with_mail(workspace, controller.port)
    booking = add_booking(ws, register, request(), now=NOW)
    offer_booking(ws, register, booking.booking_id, "KA-008", now=NOW)
    booked = answer_offer(ws, register, booking.booking_id, accept=True, now=NOW)
    unit = register.units["MTP-PORVOO"]
    to_unit = next(m for m in handler.messages if m["To"] == unit.contact_email)
    assert "Łukasz Nguyễn-Čačić" in to_unit.get_content() and unit.name_fi in to_unit.get_content()
    assert handler.messages[0].get_content().startswith("Hei Łukasz,")
    recipient, subject, body = compose(ws, register, "booked", booked)
    assert recipient == unit.contact_email and "\n" not in subject
    for secret in (register.experts["KA-008"].hetu, register.experts["KA-008"].iban,
                   register.experts["KA-008"].street_address):
        assert secret not in body


@pytest.mark.parametrize("how", ["close", "withdraw", "unit-cancels"])
def test_the_offered_expert_hears_when_the_offer_goes_away(workspace, register, smtp, how):
    import dataclasses

    controller, handler = smtp
    register.experts["KA-003"] = dataclasses.replace(register.experts["KA-003"], first_name="Łukasz",
                                                     last_name="Nguyễn-Čačić")  # writes Swedish
    ws = with_mail(workspace, controller.port)
    booking = add_booking(ws, register, request(), now=NOW)
    offer_booking(ws, register, booking.booking_id, "KA-003", now=NOW)
    if how == "close":
        after = close_unfilled(ws, register, booking.booking_id, "Ingen på svenska & <'x'>", now=NOW)
        assert after.status == "unfilled"
    elif how == "withdraw":
        after = withdraw_offer(ws, register, booking.booking_id, now=NOW)
        assert after.status == "requested" and after.expert_id is None
    else:  # a late cancellation of an offer never accepted: no fee to note on the hour form
        after = cancel_booking(ws, register, booking.booking_id, at="2026-10-13 20:00", now=NOW)
        assert after.status == "cancelled"
    expert = register.experts["KA-003"]
    to_expert = [m for m in handler.messages if m["To"] == expert.email]
    assert [m["Subject"].split(":")[0] for m in to_expert] == ["Erbjudande", "Erbjudandet gäller inte längre"]
    gone = to_expert[1]
    assert gone["Subject"].endswith("Psykisk hälsa & missbruk <'Ankaret'> Borgå")
    text = gone.get_content()
    assert text.startswith("Hej Łukasz,") and "har återkallats" in text and "du behöver inte svara" in text
    assert "Huone & <B214>" in text and "14.10.2026 kl. 9.30–11.00" in text and "/e/" in text
    assert "Ingen på svenska" not in text and "timblanketten" not in text  # the reason is the unit's to read
    for secret in (expert.hetu, expert.iban, expert.street_address, expert.hetu[:6]):
        assert secret not in text
    assert outbox(ws) == [] and ("mail-sent", f"withdrawn {booking.booking_id}") in audit(ws)
    assert expert_offers(ws, "KA-003", now=NOW) == []


def test_a_finnish_expert_hears_in_finnish_that_the_offer_is_gone(workspace, register, smtp):
    controller, handler = smtp
    ws = with_mail(workspace, controller.port)
    booking = add_booking(ws, register, request(), now=NOW)
    offer_booking(ws, register, booking.booking_id, "KA-008", now=NOW)
    close_unfilled(ws, register, booking.booking_id, "ei ketään", now=NOW)
    gone = next(m for m in handler.messages if m["Subject"].startswith("Tarjous ei ole enää voimassa"))
    assert gone["To"] == "leila.ka-008@example.org" and "on peruttu" in gone.get_content()
    assert sorted(m["Subject"].split(":")[0] for m in handler.messages) == [
        "Ei kokemusasiantuntijaa", "Tarjous", "Tarjous ei ole enää voimassa"]
