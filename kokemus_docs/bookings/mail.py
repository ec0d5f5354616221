"""Booking messages by email, when kokemus.toml has [mail]: to the expert an offer, a confirmation, a
cancellation, an offer taken back (withdrawn, closed unfilled or cancelled by the unit); to the unit contact
booked, declined, unfilled; each in the recipient's language.

A message is put in the ledger's outbox in the same transaction as the change it tells of, then sent after the
commit (smtplib). One that cannot be sent (relay down, a timeout, a refused recipient) stays in the outbox with
the reason, is tried again with later booking changes once its wait is over (`send_due`) or when the coordinator
asks (`retry_outbox`), and is listed for the coordinator by `outbox`; it never holds up a booking. The audit log
records every attempt. Messages carry names, dates, times, the place and the expert's page address: never a
henkilötunnus, an IBAN or a home address.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kokemus_docs.bookings import ledger as store
from kokemus_docs.bookings.model import Booking
from kokemus_docs.core.formatting import fi_date, fi_time
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.mailconfig import MailSettings
from kokemus_docs.core.model import Register, status_label
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace, WorkspaceBusy, workspace_lock

MAX_ATTEMPTS = 24       # tried by itself this many times (backing off up to an hour), then only when asked
BATCH = 50              # messages tried per delivery

EXPERT_KINDS = ("offer", "confirmation", "cancellation", "withdrawn")
UNIT_KINDS = ("booked", "declined", "unfilled")

_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # kind -> language -> (subject, opening paragraph)
    "offer": {
        "fi": ("Tarjous: {task}, {unit}",
               "Sinulle tarjotaan kokemusasiantuntijan tehtävää. Voit ottaa sen vastaan tai kieltäytyä: valinta on "
               "sinun, eikä sinun tarvitse perustella sitä. Vastaa omalla sivullasi."),
        "sv": ("Erbjudande: {task}, {unit}",
               "Du erbjuds ett uppdrag som erfarenhetsexpert. Du kan ta emot det eller tacka nej: valet är ditt, "
               "och du behöver inte motivera det. Svara på din egen sida."),
    },
    "confirmation": {
        "fi": ("Vahvistus: {task}, {unit}", "Kiitos! Varauksesi on vahvistettu. Yksikön työntekijä on yhteydessä "
               "sinuun ja asiakkaisiin; asiakkaat tavoitetaan aina työntekijän kautta."),
        "sv": ("Bekräftelse: {task}, {unit}", "Tack! Din bokning är bekräftad. Enhetens anställda håller kontakten "
               "med dig och klienterna; klienterna nås alltid via den anställda."),
    },
    "cancellation": {
        "fi": ("Peruttu: {task}, {unit}", "Alla olevat kerrat on peruttu. Jos peruutus tuli myöhässä (klo {cutoff} "
               "jälkeen edellisenä päivänä), palkkio maksetaan: merkitse kerta tuntilomakkeelle."),
        "sv": ("Avbokat: {task}, {unit}", "Tillfällena nedan har avbokats. Om avbokningen kom för sent (efter kl. "
               "{cutoff} dagen före) betalas arvodet: anteckna tillfället på timblanketten."),
    },
    "withdrawn": {
        "fi": ("Tarjous ei ole enää voimassa: {task}, {unit}",
               "Alla oleva tarjous on peruttu: tehtävää ei enää tarjota sinulle, eikä sinun tarvitse vastata siihen. "
               "Kiitos, että olit käytettävissä."),
        "sv": ("Erbjudandet gäller inte längre: {task}, {unit}",
               "Erbjudandet nedan har återkallats: uppdraget erbjuds dig inte längre, och du behöver inte svara på "
               "det. Tack för att du ställde upp."),
    },
    "booked": {
        "fi": ("Varattu: {task} {date}", "Kokemusasiantuntija on ottanut tehtävän vastaan. Hänen yhteystietonsa ovat "
               "alla; asiakkaat tavoitetaan aina teidän kauttanne."),
        "sv": ("Bokad: {task} {date}", "En erfarenhetsexpert har tagit emot uppdraget. Kontaktuppgifterna finns "
               "nedan; klienterna nås alltid via er."),
    },
    "declined": {
        "fi": ("Etsimme toista: {task} {date}", "Kokemusasiantuntija ei voinut ottaa tehtävää vastaan. "
               "Etsimme toista kokemusasiantuntijaa."),
        "sv": ("Vi söker en annan: {task} {date}", "Erfarenhetsexperten kunde inte ta emot uppdraget. "
               "Vi söker en annan erfarenhetsexpert."),
    },
    "unfilled": {
        "fi": ("Ei kokemusasiantuntijaa: {task} {date}", "Pyyntöönne ei valitettavasti löytynyt "
               "kokemusasiantuntijaa. Syy: {reason}"),
        "sv": ("Ingen erfarenhetsexpert: {task} {date}", "Tyvärr hittades ingen erfarenhetsexpert för er "
               "förfrågan. Orsak: {reason}"),
    },
}
_LABELS = {
    "fi": {"booking": "Varaus", "unit": "Yksikkö", "task": "Tehtävä", "place": "Paikka", "times": "Ajat",
           "note": "Lisätiedot", "page": "Oma sivusi", "expert": "Kokemusasiantuntija", "email": "Sähköposti",
           "phone": "Puhelin", "hello": "Hei", "at": "klo", "regards": "Ystävällisin terveisin"},
    "sv": {"booking": "Bokning", "unit": "Enhet", "task": "Uppgift", "place": "Plats", "times": "Tider",
           "note": "Tilläggsuppgifter", "page": "Din egen sida", "expert": "Erfarenhetsexpert", "email": "E-post",
           "phone": "Telefon", "hello": "Hej", "at": "kl.", "regards": "Med vänliga hälsningar"},
}


@dataclass(frozen=True)
class OutboxEntry:
    """A message in the outbox: sent, or waiting with the reason it could not be sent."""

    message_id: int
    created_at: datetime
    kind: str
    booking_id: str | None
    recipient: str
    subject: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None

    @property
    def gave_up(self) -> bool:
        return self.sent_at is None and self.attempts >= MAX_ATTEMPTS


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _times(booking: Booking, language: str, cancelled_only: bool) -> list[str]:
    at = _LABELS[language]["at"]
    lines = []
    for s in booking.sessions:
        if cancelled_only and not s.cancelled:
            continue
        line = f"  {fi_date(s.day)} {at} {fi_time(s.start)}–{fi_time(s.end)}"
        if s.cancelled:
            line += f" ({status_label(s.status, language)})"
        lines.append(line)
    return lines


def compose(ws: Workspace, register: Register, kind: str, booking: Booking, *, page_url: str | None = None,
            cancelled_only: bool = False) -> tuple[str, str, str] | None:
    """(recipient, subject, body) of a message, in the recipient's language; None without an address."""
    unit = register.units.get(booking.unit_id)
    if unit is None:
        return None
    if kind in EXPERT_KINDS:
        person = register.experts.get(booking.expert_id or "")
        if person is None or not person.email:
            return None
        language, recipient, greeting = person.document_language, person.email, person.first_name
    else:
        if not unit.contact_email:
            return None
        language = unit.contact_language if unit.contact_language in ("fi", "sv") else "fi"
        recipient, greeting = unit.contact_email, unit.contact_name
    labels = _LABELS[language]
    values = {"task": register.task_label(booking.task, language), "unit": unit.name(language),
              "date": fi_date(booking.sessions[0].day) if booking.sessions else "",
              "reason": booking.reason or "-", "cutoff": fi_time(ws.cancellation_cutoff)}
    subject_template, opening = _TEXTS[kind][language]
    lines = [f"{labels['hello']} {greeting},", "", opening.format(**values), "",
             f"{labels['booking']}: {booking.booking_id}", f"{labels['unit']}: {unit.name(language)}",
             f"{labels['task']}: {values['task']}"]
    if booking.place:
        lines.append(f"{labels['place']}: {booking.place}")
    lines += [f"{labels['times']}:", *_times(booking, language, cancelled_only)]
    if booking.note and kind == "offer":
        lines.append(f"{labels['note']}: {booking.note}")
    if kind == "booked":
        expert = register.experts.get(booking.expert_id or "")
        if expert is not None:  # §3.1: name, email and phone; never henkilötunnus, IBAN or home address
            lines += ["", f"{labels['expert']}: {expert.full_name}", f"{labels['email']}: {expert.email or '-'}",
                      f"{labels['phone']}: {expert.phone or '-'}"]
    if page_url and kind in EXPERT_KINDS:
        lines += ["", f"{labels['page']}: {page_url}"]
    lines += ["", labels["regards"], ws.org_name(language)]
    return recipient, _one_line(subject_template.format(**values))[:200], "\n".join(lines) + "\n"


def notify(ledger: Ledger, ws: Workspace, register: Register, kind: str, booking: Booking, now: datetime, *,
           cancelled_only: bool = False) -> None:
    """Put a message in the outbox (inside the caller's transaction); nothing without [mail] or an address."""
    if ws.mail is None:
        return
    page_url = None
    if kind in EXPERT_KINDS and booking.expert_id:
        from kokemus_docs.forms.links import expert_upload_url

        page_url = expert_upload_url(ws, booking.expert_id, Month.containing(now.date()), ledger=ledger)
    message = compose(ws, register, kind, booking, page_url=page_url, cancelled_only=cancelled_only)
    if message is None:
        store.audit(ledger, "mail", "mail-skipped", f"{kind} {booking.booking_id}", "no email address", now)
        return
    recipient, subject, body = message
    store.queue_mail(ledger, kind=kind, booking_id=booking.booking_id, recipient=recipient, subject=subject,
                     body=body, at=now)


def retry_outbox(ws: Workspace, *, now: datetime | None = None) -> int:
    """The coordinator asks: try every message still waiting in the outbox now; returns how many were sent."""
    return _send(ws, now, everything=True)


def send_due(ws: Workspace, *, now: datetime | None = None) -> int:
    """After a booking change: send its new messages, and those that failed before once their wait is over
    (1, 2, 4 … minutes after the last try, at most an hour; at most MAX_ATTEMPTS tries)."""
    return _send(ws, now, everything=False)


def _due(row, now: datetime) -> bool:
    if row["last_attempt_at"] is None:
        return True
    if row["attempts"] >= MAX_ATTEMPTS:
        return False
    wait = min(2 ** max(row["attempts"] - 1, 0), 60)
    return (now - datetime.fromisoformat(row["last_attempt_at"])).total_seconds() >= wait * 60


def _send(ws: Workspace, now: datetime | None, *, everything: bool) -> int:
    """Deliver under the workspace lock; another writer holding it leaves the messages for the next try."""
    if ws.mail is None:
        return 0
    try:
        with workspace_lock(ws, "send booking messages", wait=0):
            return _deliver(ws, ws.mail, now, everything)
    except WorkspaceBusy:
        return 0


def _deliver(ws: Workspace, settings: MailSettings, now: datetime | None, everything: bool) -> int:
    moment = (now or datetime.now()).replace(microsecond=0)
    with open_ledger(ws.ledger_path) as ledger:
        waiting = [row for row in store.unsent_mail(ledger, None if everything else MAX_ATTEMPTS, BATCH)
                   if everything or _due(row, moment)]
        if not waiting:
            return 0
        sent = 0
        try:
            connection = _connect(settings)
        except (OSError, smtplib.SMTPException, ssl.SSLError, UnicodeError) as exc:
            reason = _reason(exc)
            for row in waiting:
                _record(ledger, row, now, error=reason)
            return 0
        try:
            for row in waiting:
                try:
                    connection.send_message(_message(settings.sender, row))
                except smtplib.SMTPRecipientsRefused as exc:
                    _record(ledger, row, now, error=_reason(exc))
                except (OSError, smtplib.SMTPException) as exc:  # the relay went away or stopped answering
                    for rest in waiting[waiting.index(row):]:
                        _record(ledger, rest, now, error=_reason(exc))
                    break
                else:
                    _record(ledger, row, now)
                    sent += 1
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
        return sent


def _connect(settings: MailSettings) -> smtplib.SMTP:
    password = settings.secret() if settings.login else ""
    password.encode("ascii")  # smtplib sends logins as ASCII only: say so before the relay is asked
    connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        connection.ehlo()
        if settings.starttls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if settings.login:
            connection.login(settings.login, password)
    except BaseException:
        connection.close()
        raise
    return connection


def _message(sender: str, row) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message.set_content(row["body"])
    return message


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
                 for code, text in exc.recipients.values()]
        return _one_line("recipient refused: " + "; ".join(codes))[:300]
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError) or "timed out" in str(exc):
        return "the mail relay did not answer in time"
    if isinstance(exc, UnicodeError):
        return "the mail login or password holds characters SMTP logins cannot carry (use ASCII)"
    if isinstance(exc, ConnectionRefusedError):
        return "the mail relay refused the connection (is it running?)"
    return _one_line(f"{type(exc).__name__}: {exc}")[:300]


def _record(ledger: Ledger, row, now: datetime | None, *, error: str | None = None) -> None:
    moment = (now or datetime.now()).replace(microsecond=0)
    with ledger.transaction():
        store.mail_attempted(ledger, row["id"], at=moment, error=error)
        store.audit(ledger, "mail", "mail-sent" if error is None else "mail-failed",
                    f"{row['kind']} B-{row['booking']:06d}" if row["booking"] else row["kind"],
                    row["recipient"] if error is None else f"{row['recipient']}: {error}", moment)


def outbox(ws: Workspace, *, unsent_only: bool = True, limit: int = 200) -> list[OutboxEntry]:
    """The outbox for the coordinator, newest first: by default the messages not sent, with why."""
    with open_ledger(ws.ledger_path) as ledger:
        rows = store.mail_rows(ledger, unsent_only=unsent_only, limit=limit)
    return [OutboxEntry(message_id=r["id"], created_at=datetime.fromisoformat(r["created_at"]), kind=r["kind"],
                        booking_id=f"B-{r['booking']:06d}" if r["booking"] else None, recipient=r["recipient"],
                        subject=r["subject"], attempts=r["attempts"], last_error=r["last_error"],
                        sent_at=datetime.fromisoformat(r["sent_at"]) if r["sent_at"] else None) for r in rows]
