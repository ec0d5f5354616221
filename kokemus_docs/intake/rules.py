"""The county's fee rules applied to one returned hour form.

`validate_form` turns the raw strings of a `ReturnedForm` into ledger lines (what each row pays) and
findings (errors that stop the form, warnings that do not). Fee rules (DOMAIN.md):

- the fee follows the fee table valid on the date of the work: rate × hours for basis 'hour', the rate
  once per row for 'session' and 'event';
- cancelled by 15:00 on the day before (15:00 itself still counts as in time): no fee; later: fee paid.
  The timestamps decide, not the word typed in the status column;
- the client did not come: fee paid; a group session without participants: paid; a group ended for a
  compelling or agreed reason: not paid; the expert was ill: not paid;
- travel is paid only with a pre-approval reference, for the experts' common meetings or for a trip
  agreed separately (any other task with a reference: paid, with a warning for the unit to verify).

A row whose booking was cancelled in time does not take up its time slot, so it may overlap other rows; no two
rows that pay a fee may take the same time, on one form or on two forms of the same expert.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import (
    ParseError,
    money_json,
    parse_count,
    parse_date,
    parse_datetime,
    parse_money,
    parse_time,
    quantize,
    shown,
)
from kokemus_docs.forms.fields import ReturnedForm, form_id_for, row_field
from kokemus_docs.core.ledger import LedgerLine
from kokemus_docs.intake.messages import (
    Finding,
    Localized,
    choices_text,
    month_text,
    paid_text,
    status_text,
    task_text,
)
from kokemus_docs.core.model import (
    GROUP_TASKS,
    STATUS_LABELS,
    TASK_LABELS,
    Contract,
    Expert,
    Register,
    Unit,
)
from kokemus_docs.core.month import Month

MAX_HOURS = 12
MAX_PARTICIPANTS = 999
DEFAULT_MAX_TRAVEL_EUR = Decimal("200.00")
MAX_TEXT_CHARS = 2000  # any one field of a form
PAYABLE_STATUSES = frozenset({"held", "cancelled_late", "no_show", "group_no_participants"})
CANCELLED_STATUSES = frozenset({"cancelled_in_time", "cancelled_late"})
GROUP_STATUSES = frozenset({"group_no_participants", "group_terminated"})
# A cancellation time on these contradicts the status (the fee would hinge on which one is true).
PRESENT_STATUSES = frozenset({"held", "no_show", "group_no_participants"})
TRAVEL_TASKS = frozenset({"common_meeting"})

ZERO = Decimal("0.00")


@dataclass
class FormCheck:
    """What one returned form is worth: whose it is, its lines, and what is wrong with it."""

    form_id: str
    month: str
    contract: Contract | None = None
    expert: Expert | None = None
    unit: Unit | None = None
    lines: list[LedgerLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    signed_on: date | None = None

    @property
    def errors(self) -> list[Problem]:
        return [f.problem() for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [f.problem() for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    @property
    def language(self) -> str:
        """The expert's language for feedback ('fi' when the expert is not known)."""
        return self.expert.document_language if self.expert else "fi"

    @property
    def fee_total(self) -> Decimal:
        return sum((ln.fee_eur for ln in self.lines), ZERO)

    @property
    def travel_total(self) -> Decimal:
        return sum((ln.travel_eur for ln in self.lines), ZERO)


def cancellation_cutoff(work_date: date, cutoff: time = time(15, 0)) -> datetime:
    """The last moment to cancel free of charge: `cutoff` o'clock on the day before the work."""
    return datetime.combine(work_date - timedelta(days=1), cutoff)


def status_by_rule(cancelled_at: datetime, work_date: date, cutoff: time = time(15, 0)) -> str:
    """'cancelled_in_time' up to and including the cutoff, 'cancelled_late' after it."""
    return "cancelled_in_time" if cancelled_at <= cancellation_cutoff(work_date, cutoff) else "cancelled_late"


def _key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.casefold()).strip()


def _task_lookup(register: Register) -> dict[str, str]:
    """Every accepted spelling of each task (the code, the register's and the built-in fi/sv labels) -> code."""
    return _task_lookup_for(tuple((rate.task, rate.label_fi, rate.label_sv) for rate in register.fees))


@lru_cache(maxsize=8)
def _task_lookup_for(fee_labels: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    codes = set(TASK_LABELS) | {task for task, _, _ in fee_labels}
    lookup = {_key(code): code for code in codes}
    for task, label_fi, label_sv in fee_labels:  # the register's labels first, as Register.task_label does
        for label in (label_fi, label_sv):
            if label:
                lookup.setdefault(_key(label), task)
    for code, labels in TASK_LABELS.items():
        for label in labels.values():
            lookup.setdefault(_key(label), code)
    return lookup


_STATUS_LOOKUP: dict[str, str] = {}
for _code, _labels in STATUS_LABELS.items():
    _STATUS_LOOKUP[_key(_code)] = _code
    for _label in _labels.values():
        _STATUS_LOOKUP[_key(_label)] = _code


@dataclass
class _Row:
    """A row's parsed values on the way to a ledger line."""

    number: int
    work_date: date | None = None
    start: time | None = None
    end: time | None = None
    task: str | None = None
    status: str | None = None
    ok: bool = True


def validate_form(form: ReturnedForm, register: Register, *, cutoff: time = time(15, 0),
                  max_travel: Decimal = DEFAULT_MAX_TRAVEL_EUR,
                  booked: Mapping[tuple[date, time], datetime | None] | None = None) -> FormCheck:
    """Check a returned hour form against the register and the fee rules; compute what each row pays.

    The seal is not checked here (that needs the workspace key; see ingest). Every row that passes its checks
    becomes a `LedgerLine`, payable or not; any error makes the whole form unacceptable. `max_travel` is the
    most one row may claim for travel (kokemus.toml forms.max_travel_eur). `booked` maps the (date, start) of
    the contract's booked sessions in the month to when the unit cancelled them (None: not cancelled): a
    cancelled row that matches one takes the booking's time, and a different claim is a warning.
    """
    identity = {name: (value or "").strip() for name, value in form.identity.items()}
    too_long = [name for name, value in identity.items() if len(value) > MAX_TEXT_CHARS]
    if too_long:
        check = FormCheck(form_id="", month="")
        for name in too_long:
            check.findings.append(Finding("text-too-long", field=name, params={
                "length": len(identity[name]), "limit": MAX_TEXT_CHARS}))
        return check
    month = identity.get("month", "")
    contract_id = identity.get("contract_id", "")
    check = FormCheck(form_id=identity.get("form_id", ""), month=month)
    add = check.findings.append

    if not Month.is_valid(month):
        add(Finding("month-invalid", field="month", params={"value": shown(month)}))
        return check
    check.month = month = Month.parse(month)
    contract = register.contracts.get(contract_id)
    if contract is None:
        add(Finding("contract-unknown", field="contract_id", params={"contract_id": shown(contract_id)}))
        return check
    check.contract = contract
    expected_id = form_id_for(contract_id, month)
    if check.form_id != expected_id:
        add(Finding("form-id-mismatch", field="form_id", params={
            "form_id": shown(check.form_id), "contract_id": contract_id, "month": month, "expected": expected_id}))
    for name, expected in (("expert_id", contract.expert_id), ("unit_id", contract.unit_id)):
        if identity.get(name, "") != expected:
            add(Finding(f"{name.split('_')[0]}-mismatch", field=name, params={
                "value": shown(identity.get(name, "")), "contract_id": contract_id, "expected": expected}))
    check.expert = register.experts.get(contract.expert_id)
    check.unit = register.units.get(contract.unit_id)
    if check.expert is None:
        add(Finding("expert-unknown", field="expert_id",
                    params={"expert_id": contract.expert_id, "contract_id": contract_id}))
    if check.unit is None:
        add(Finding("unit-unknown", field="unit_id",
                    params={"unit_id": contract.unit_id, "contract_id": contract_id}))

    first_day, last_day = month.first_day, month.last_day
    task_lookup = _task_lookup(register)
    rows: list[_Row] = []
    for number in sorted(form.rows):
        values = {name: (value or "").strip() for name, value in form.rows[number].items()}
        if not any(values.values()):
            continue
        row, line = _check_row(number, values, check, register, task_lookup, (first_day, last_day), cutoff,
                               max_travel, booked or {})
        rows.append(row)
        if line is not None:
            check.lines.append(line)
    _check_overlaps(rows, check)
    if not rows:
        add(Finding("no-work", params={"month_name": month_text(month)}))
    _check_footer(form, check, (first_day, last_day))
    return check


def _check_row(number: int, values: dict[str, str], check: FormCheck, register: Register,
               task_lookup: dict[str, str], month: tuple[date, date], cutoff: time,
               max_travel: Decimal, booked: Mapping[tuple[date, time], datetime | None]) -> tuple[_Row, LedgerLine | None]:
    contract = check.contract
    assert contract is not None
    first_day, last_day = month
    row = _Row(number)
    problems_before = len(check.findings)

    def add(code: str, name: str, **params) -> None:
        check.findings.append(Finding(code, row=number, field=row_field(number, name), params=params))

    too_long = [name for name, value in values.items() if len(value) > MAX_TEXT_CHARS]
    for name in too_long:
        add("text-too-long", name, length=len(values[name]), limit=MAX_TEXT_CHARS)
    if too_long:
        row.ok = False
        return row, None

    # date ------------------------------------------------------------------------------------
    if not values.get("date"):
        add("date-missing", "date")
    else:
        try:
            row.work_date = parse_date(values["date"], period=month)
        except ParseError:
            add("date-invalid", "date", value=shown(values["date"]))
    date_ok = False
    if row.work_date is not None:
        if not first_day <= row.work_date <= last_day:
            add("date-outside-month", "date", date=row.work_date, month_name=month_text(check.month))
        elif not contract.covers(row.work_date):
            add("date-outside-contract", "date", date=row.work_date, contract_id=contract.contract_id,
                valid_from=contract.valid_from, valid_to=contract.valid_to)
        else:
            date_ok = True

    # times -----------------------------------------------------------------------------------
    for name in ("start", "end"):
        if not values.get(name):
            add(f"{name}-missing", name)
            continue
        try:
            setattr(row, name, parse_time(values[name]))
        except ParseError:
            add("time-invalid", name, value=shown(values[name]))
    minutes = None
    if row.start is not None and row.end is not None:
        minutes = (row.end.hour * 60 + row.end.minute) - (row.start.hour * 60 + row.start.minute)
        if minutes <= 0:
            add("end-not-after-start", "end", start=row.start, end=row.end)
            minutes = None
        elif minutes > MAX_HOURS * 60:
            add("too-long", "end", start=row.start, end=row.end, hours=_hours_text(minutes))
            minutes = None

    # task ------------------------------------------------------------------------------------
    if not values.get("task"):
        add("task-missing", "task")
    else:
        code = task_lookup.get(_key(values["task"]))
        if code is None or code not in contract.tasks:
            contract_tasks = choices_text([task_text(register, t) for t in contract.tasks])
            if code is None:
                add("task-unknown", "task", value=shown(values["task"]), choices=contract_tasks)
            else:
                add("task-not-in-contract", "task", task=task_text(register, code), contract_id=contract.contract_id,
                    choices=contract_tasks)
        else:
            row.task = code

    # status ----------------------------------------------------------------------------------
    if not values.get("status"):
        add("status-missing", "status")
        typed_status = "held"
    else:
        typed_status = _STATUS_LOOKUP.get(_key(values["status"]))
        if typed_status is None:
            add("status-unknown", "status", value=shown(values["status"]),
                choices=choices_text([status_text(s) for s in STATUS_LABELS]))
    if typed_status in GROUP_STATUSES and row.task is not None and row.task not in GROUP_TASKS:
        add("group-status-not-group", "status", status=status_text(typed_status), task=task_text(register, row.task))
        typed_status = None

    recorded = booked.get((row.work_date, row.start)) if row.work_date and row.start else None
    cancelled_at = None
    if values.get("cancelled_at"):
        try:
            cancelled_at = parse_datetime(values["cancelled_at"], period=month)
        except ParseError:
            if recorded is None or typed_status not in CANCELLED_STATUSES:
                add("cancelled-at-invalid", "cancelled_at", value=shown(values["cancelled_at"]))
    if recorded is not None and typed_status in CANCELLED_STATUSES:
        # The booking recorded when the unit cancelled: that time decides, and a different claim is shown.
        if cancelled_at != recorded:
            add("cancelled-at-booked", "cancelled_at", claimed=shown(values.get("cancelled_at") or "-"),
                recorded=recorded)
        cancelled_at = recorded
        values = {**values, "cancelled_at": recorded.isoformat()}
    elif recorded is not None and typed_status is not None:
        add("held-but-cancelled", "status", status=status_text(typed_status), recorded=recorded)
    status = typed_status
    if typed_status in CANCELLED_STATUSES:
        if not values.get("cancelled_at"):
            add("cancelled-at-missing", "cancelled_at", status=status_text(typed_status))
        elif cancelled_at is not None and row.work_date is not None and row.start is not None:
            start_at = datetime.combine(row.work_date, row.start)
            if cancelled_at > start_at:
                add("cancelled-after-start", "cancelled_at", cancelled_at=cancelled_at, start_at=start_at)
            else:
                status = status_by_rule(cancelled_at, row.work_date, cutoff)
                if status != typed_status:
                    add("status-corrected", "status", typed=status_text(typed_status), rule=status_text(status),
                        cancelled_at=cancelled_at, cutoff_at=cancellation_cutoff(row.work_date, cutoff),
                        paid=paid_text(status in PAYABLE_STATUSES))
    elif typed_status in PRESENT_STATUSES and values.get("cancelled_at"):
        add("cancelled-at-conflict", "cancelled_at", status=status_text(typed_status))
    row.status = status
    payable = status in PAYABLE_STATUSES

    # participants ----------------------------------------------------------------------------
    participants = None
    if values.get("participants"):
        try:
            participants = parse_count(values["participants"], MAX_PARTICIPANTS)
        except ParseError as exc:
            code = "participants-too-many" if exc.reason == "too-large" else "participants-invalid"
            add(code, "participants", value=shown(values["participants"]), limit=MAX_PARTICIPANTS)
        else:
            if status == "group_no_participants" and participants > 0:
                add("participants-with-no-participants", "participants", participants=participants)

    # fee rate --------------------------------------------------------------------------------
    rate = None
    if row.task is not None and date_ok:
        rate = register.rate_for(row.task, row.work_date)
        if rate is None:
            add("no-rate", "task", task=task_text(register, row.task), date=row.work_date)

    # travel ----------------------------------------------------------------------------------
    travel_claimed = ZERO
    travel_paid = ZERO
    travel_ref = values.get("travel_ref", "")
    if values.get("travel_eur"):
        try:
            travel_claimed = parse_money(values["travel_eur"], max_travel)
        except ParseError as exc:
            code = _TRAVEL_PROBLEMS.get(exc.reason, "travel-invalid")
            add(code, "travel_eur", value=shown(values["travel_eur"]), limit=max_travel)
    if travel_claimed > 0 and status is not None and row.task is not None:
        if not payable:
            add("travel-not-payable", "travel_eur", amount=travel_claimed, status=status_text(status))
        elif not travel_ref:
            add("travel-no-ref", "travel_ref", amount=travel_claimed)
        else:
            travel_paid = travel_claimed
            if row.task not in TRAVEL_TASKS:
                add("travel-out-of-area", "travel_ref", amount=travel_claimed, task=task_text(register, row.task),
                    ref=travel_ref)

    row.ok = _only_warnings(check, problems_before) and status is not None
    if not row.ok or rate is None or minutes is None or row.task is None or row.work_date is None:
        row.ok = False
        return row, None
    hours = quantize(Decimal(minutes) / 60)
    if not payable:
        fee = ZERO
    elif rate.basis == "hour":
        fee = quantize(rate.rate_eur * Decimal(minutes) / 60)
    else:
        fee = quantize(rate.rate_eur)
    line = LedgerLine(
        row=number, work_date=row.work_date, start=f"{row.start:%H:%M}", end=f"{row.end:%H:%M}", task=row.task,
        status=status, hours=hours, participants=participants, payable=payable, basis=rate.basis,
        rate_eur=quantize(rate.rate_eur), fee_eur=fee, travel_eur=travel_paid, travel_ref=travel_ref,
        income_type=rate.income_type, notes=values.get("notes", ""), form_id=check.form_id)
    return row, line


_TRAVEL_PROBLEMS = {"negative": "travel-negative", "decimals": "travel-decimals", "too-large": "travel-too-large"}


def _only_warnings(check: FormCheck, since: int) -> bool:
    return not any(f.is_error for f in check.findings[since:])


def _hours_text(minutes: int) -> Localized:
    text = f"{quantize(Decimal(minutes) / 60).normalize():f}"
    return Localized(text, text.replace(".", ","), text.replace(".", ","))


def _check_overlaps(rows: list[_Row], check: FormCheck) -> None:
    """No two rows may take the same time on the same day. A booking cancelled in time does not take its time;
    one cancelled late does, since its fee is paid (and a fee is paid once)."""
    timed = sorted((r for r in rows if r.work_date and r.start and r.end and r.end > r.start
                    and r.status != "cancelled_in_time"),
                   key=lambda r: (r.work_date, r.start, r.number))
    for i, later in enumerate(timed):
        for earlier in timed[:i]:
            if earlier.work_date == later.work_date and earlier.start < later.end and later.start < earlier.end:
                check.findings.append(Finding("overlap", row=later.number, field=row_field(later.number, "start"),
                                              params={"date": later.work_date, "start": later.start, "end": later.end,
                                                      "other_row": earlier.number, "other_start": earlier.start,
                                                      "other_end": earlier.end}))
                check.lines = [ln for ln in check.lines if ln.row != later.number]
                break


def paid_elsewhere(lines: list[LedgerLine], paid: list[tuple[str, LedgerLine]]) -> list[Finding]:
    """A fee is paid once: a payable row at a time that another form of the same expert (another contract or
    unit) already pays is an error, naming that form, its unit and its row. `paid` is what the ledger holds for
    those days (`Ledger.paid_lines_of_expert`), each line with the unit of its form."""
    findings = []
    for line in lines:
        if not line.payable:
            continue
        for unit_id, other in paid:
            if other.work_date == line.work_date and other.start < line.end and line.start < other.end:
                findings.append(Finding("paid-on-another-form", row=line.row, field=row_field(line.row, "start"),
                                        params={"date": line.work_date, "start": _clock(line.start),
                                                "end": _clock(line.end), "other_form": other.form_id,
                                                "other_unit": unit_id, "other_row": other.row,
                                                "other_start": _clock(other.start), "other_end": _clock(other.end)}))
                break
    return findings


def _clock(text: str) -> time | str:
    try:
        return time.fromisoformat(text)
    except ValueError:
        return text


def _check_footer(form: ReturnedForm, check: FormCheck, month: tuple[date, date]) -> None:
    if not form.confirmed:
        check.findings.append(Finding("confirm-missing", field="confirm"))
    signed_text = (form.signed_on or "").strip()
    if not signed_text:
        return
    try:
        signed_on = parse_date(signed_text, period=month)  # '5.1.' on a December form is the January after
    except ParseError:
        check.findings.append(Finding("signed-on-invalid", field="signed_on", params={"value": shown(signed_text)}))
        return
    check.signed_on = signed_on
    last_work = max((ln.work_date for ln in check.lines), default=None)
    if last_work is not None and signed_on < last_work:
        check.findings.append(Finding("signed-before-work", field="signed_on",
                                      params={"signed_on": signed_on, "last_date": last_work}))


def line_json(line: LedgerLine) -> dict:
    """A ledger line as SPEC.md's `forms ingest` JSON shows it."""
    return {"row": line.row, "date": line.work_date.isoformat(), "task": line.task, "status": line.status,
            "hours": f"{line.hours:.2f}", "payable": line.payable, "fee_eur": money_json(line.fee_eur),
            "travel_eur": money_json(line.travel_eur)}
