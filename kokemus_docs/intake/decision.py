"""The pay decision on a returned hour form: duplicate, unreadable, sealed, checked by the fee rules, and which
payroll month pays it (late, moved past a closed month, or a correction settled as adjustments)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from kokemus_docs.bookings.hourforms import recorded_cancellations
from kokemus_docs.core.formatting import money
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.model import Contract, Expert, Register, Unit
from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import first_payable_month, notice_deadline
from kokemus_docs.core.records import FormRecord, LedgerLine
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.forms.fields import SEAL_FIELD, ReturnedForm, contract_of_form, seal_matches
from kokemus_docs.intake.formread import read_form
from kokemus_docs.intake.messages import Finding, month_genitive_text, month_text
from kokemus_docs.intake.rules import FormCheck, paid_elsewhere, validate_form
from kokemus_docs.pay.corrections import Correction, compare
from kokemus_docs.pdfsafe.limits import FormUnreadable, ReaderUnavailable


@dataclass
class FormResult:
    """What happened to one file."""

    path: Path
    status: str = "rejected"
    form_id: str = ""
    contract_id: str = ""
    expert_id: str = ""
    unit_id: str = ""
    month: Month | None = None  # None: unknown, or the form names no month that is one
    pay_month: Month | None = None
    late: bool = False
    findings: list[Finding] = field(default_factory=list)
    lines: list[LedgerLine] = field(default_factory=list)
    archived_as: Path | None = None
    feedback: Path | None = None
    letter: str = ""  # the feedback file's text
    duplicate_of: str = ""
    correction: Correction | None = None  # a correction received after the form's payroll month was closed

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


class PayDecision:
    """Decides one file after another for an ingest run: the workspace, the register, the ledger, the sealing key."""

    def __init__(self, ws: Workspace, register: Register, ledger: Ledger, received_on: date):
        self.ws = ws
        self.register = register
        self.ledger = ledger
        self.received_on = received_on
        self.key = ws.seal_key()
        self.cutoff = ws.cancellation_cutoff
        self.max_travel = ws.max_travel_eur
        self._reader: ThreadPoolExecutor | None = None
        self._readings: dict[Path, tuple[bytes, Future[ReturnedForm]]] = {}

    def read_ahead(self, path: Path, data: bytes) -> None:
        """Start reading the file the run decides next (in the reading process, within the same limits) while
        the one before it is being decided, archived and recorded."""
        if self._reader is None:
            self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kokemus-read-ahead")
        self._readings[path] = (data, self._reader.submit(_read, path, data))

    def close(self) -> None:
        """Stop reading ahead (a reading under way is waited for)."""
        if self._reader is not None:
            self._reader.shutdown(wait=True, cancel_futures=True)
            self._reader = None
        self._readings.clear()

    def _form(self, path: Path, data: bytes, *, last_use: bool = False) -> ReturnedForm:
        """The file read as an hour form: the reading started ahead for these very bytes, or one made now."""
        reading = self._readings.pop(path, None) if last_use else self._readings.get(path)
        if reading is not None and reading[0] is data:
            return reading[1].result()
        return _read(path, data)

    def is_foreign(self, path: Path, data: bytes, expert_id: str) -> bool:
        """Whether a readable form belongs to another expert than `expert_id`: it names another expert, or another
        expert's contract or form. An unreadable file is not foreign: the decision rejects it with its reason."""
        try:
            form = self._form(path, data)
        except FormUnreadable:
            return False
        identity = {name: (value or "").strip() for name, value in form.identity.items()}
        contracts = {identity.get("contract_id", ""), contract_of_form(identity.get("form_id", ""))}
        others = {self.register.contracts[c].expert_id for c in contracts if c in self.register.contracts}
        return identity.get("expert_id") != expert_id or bool(others - {expert_id})

    def decide(self, path: Path, data: bytes, sha256: str, result: FormResult) -> FormRecord | None:
        """Fill `result` from the file; return the FormRecord to store when the form is accepted."""
        earlier = self.ledger.submission_by_sha(sha256)
        if earlier is not None:
            self._readings.pop(path, None)
            result.status, result.form_id, result.duplicate_of = "duplicate", earlier["form_id"] or "", \
                earlier["archived_as"] or earlier["file_name"]
            stored = self.ledger.form(result.form_id) if result.form_id else None
            if stored is not None:
                result.expert_id, result.unit_id, result.month = stored.expert_id, stored.unit_id, stored.month
                result.pay_month = stored.pay_month
            return None
        try:
            form = self._form(path, data, last_use=True)
        except FormUnreadable as exc:
            result.findings.append(Finding("unreadable", params={"detail": exc.message}))
            return None
        except ReaderUnavailable:
            raise  # not this file's fault: the run stops and the file waits for the next one
        except Exception as exc:  # a PDF that trips the reader must not stop the batch
            result.findings.append(Finding("unreadable", params={
                "detail": f"The file cannot be read as an hour form ({type(exc).__name__}). "
                          "Ask the expert to send the filled form as a PDF again."}))
            return None
        identity = {k: (v or "").strip() for k, v in form.identity.items()}
        result.form_id, result.contract_id = identity.get("form_id", ""), identity.get("contract_id", "")
        result.expert_id = identity.get("expert_id", "")
        result.unit_id = identity.get("unit_id", "")
        claimed = identity.get("month", "")
        result.month = Month.parse(claimed) if Month.is_valid(claimed) else None  # the rules say what is wrong
        if not seal_matches(self.key, identity, form.seal):
            result.findings.append(Finding("seal-mismatch", field=SEAL_FIELD))
            return None
        booked = recorded_cancellations(self.ws, self.ledger, result.contract_id, result.month) if result.month else {}
        check = validate_form(form, self.register, cutoff=self.cutoff, max_travel=self.max_travel, booked=booked)
        result.findings.extend(check.findings)
        for line in check.lines:
            if line.work_date > self.received_on:
                result.findings.append(Finding("date-after-received", row=line.row, field=f"row{line.row:02d}_date",
                                               params={"date": line.work_date, "received_on": self.received_on}))
        if result.errors:
            return None
        _, expert, _ = _parties(check)
        result.findings += paid_elsewhere(check.lines, self.ledger.paid_lines_of_expert(
            expert.expert_id, [line.work_date for line in check.lines], check.form_id))
        if result.errors or check.month is None:  # a form without a month has an error already
            return None
        return self._accept(form, check, check.month, result)

    def _accept(self, form: ReturnedForm, check: FormCheck, month: Month, result: FormResult) -> FormRecord | None:
        earlier = self.ledger.form(check.form_id)
        if earlier is not None and self.ledger.is_closed(earlier.pay_month):
            # The closed month stays as it was paid: the correction's differences become adjustments.
            paid = self.ledger.lines_of([check.form_id])[check.form_id]
            additional, withdrawn = compare(paid, self.ledger.adjustments_of(check.form_id, closed_only=True),
                                            check.lines)
            pay_month = first_payable_month(earlier.pay_month.next(), self.received_on,
                                            self.ledger.is_closed, self.ws.notice_day)
            result.correction = Correction(paid_month=earlier.pay_month, pay_month=pay_month,
                                           additional=additional, withdrawn=withdrawn)
            result.status, result.lines, result.pay_month = "replaced", additional, pay_month
            result.findings.append(Finding("corrected-after-close", params={
                "form_id": check.form_id, "paid_month": earlier.pay_month, "pay_month": pay_month,
                "additional": _amount_rows(additional), "withdrawn": _amount_rows(withdrawn)}))
            return None
        deadline = notice_deadline(month, self.ws.notice_day)
        late = self.received_on > deadline
        pay_month = first_payable_month(month, self.received_on, self.ledger.is_closed, self.ws.notice_day)
        if late:
            result.findings.append(Finding("late", params={
                "received_on": self.received_on, "deadline": deadline, "month": month, "pay_month": pay_month}))
        elif pay_month != month:
            late = True
            result.findings.append(Finding("pay-month-moved", params={
                "month": month, "pay_month": pay_month, "month_name": month_text(month),
                "month_name_gen": month_genitive_text(month)}))
        result.status = "replaced" if earlier is not None else "accepted"
        result.lines, result.pay_month, result.late = check.lines, pay_month, late
        warnings = [f.stored() for f in result.warnings]
        contract, expert, unit = _parties(check)
        return FormRecord(form_id=check.form_id, contract_id=contract.contract_id, expert_id=expert.expert_id,
                          unit_id=unit.unit_id, month=month, pay_month=pay_month, received_on=self.received_on,
                          late=late, signed_on=check.signed_on, warnings=warnings)


def _read(path: Path, data: bytes) -> ReturnedForm:
    return read_form(path, data)


def _parties(check: FormCheck) -> tuple[Contract, Expert, Unit]:
    """The contract, expert and unit of a form the fee rules found no error in (they name all three)."""
    if check.contract is None or check.expert is None or check.unit is None:
        raise LookupError("a form without errors names its contract, expert and unit")
    return check.contract, check.expert, check.unit


def _amount_rows(lines: list[LedgerLine]) -> str:
    """'2 rows, 57.40' for the coordinator's terminal."""
    if not lines:
        return "none"
    total = sum((ln.fee_eur + ln.travel_eur for ln in lines), start=Decimal("0.00"))
    rows = ", ".join(str(ln.row) for ln in lines)
    return f"{len(lines)} row{'' if len(lines) == 1 else 's'} ({rows}), {money(total)}"
