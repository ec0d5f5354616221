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
from collections.abc import Callable, Mapping
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
from kokemus_docs.core.model import (
    GROUP_TASKS,
    STATUS_LABELS,
    TASK_LABELS,
    Contract,
    Expert,
    FeeRate,
    Register,
    Unit,
)
from kokemus_docs.core.month import Month
from kokemus_docs.core.records import LedgerLine
from kokemus_docs.forms.fields import ReturnedForm, form_id_for, row_field
from kokemus_docs.intake.messages import (
    Finding,
    Localized,
    choices_text,
    month_text,
    paid_text,
    status_text,
    task_text,
)

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
    month: Month | None  # None: the form names no month, or one that is not
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
class WorkRow:
    """One row of an hour form as parsed, on the way to a ledger line. A value that could not be read is None."""

    number: int
    work_date: date | None = None
    start: time | None = None
    end: time | None = None
    minutes: int | None = None  # from start to end, when both are read and the span is allowed
    task: str | None = None
    status: str | None = None
    cancelled_at: datetime | None = None
    ok: bool = True


def status_of(row: WorkRow, cutoff: time = time(15, 0)) -> str | None:
    """The row's status under the rules: whether a cancellation was in time follows from when it was made."""
    if row.status in CANCELLED_STATUSES and row.cancelled_at is not None and row.work_date is not None:
        return status_by_rule(row.cancelled_at, row.work_date, cutoff)
    return row.status


def fee_for(row: WorkRow, rate: FeeRate, cutoff: time = time(15, 0)) -> Decimal:
    """What one row of work earns, by the fee rules of the service description (§6.2):

    1. fees follow the fee table valid on the day of the work (`rate`): per hour worked, or per session or event;
    3. cancelled until `cutoff` on the day before: no fee; cancelled later: the fee is paid;
    4. the client does not come: the fee is paid;
    5. a group's agreed session is paid even with no participants, unless the group was ended;
    6. the expert is ill: no fee.
    """
    if status_of(row, cutoff) not in PAYABLE_STATUSES:
        return ZERO
    if rate.basis == "hour":
        if row.minutes is None:
            raise ValueError(f"row {row.number}: an hourly fee needs the time worked")
        return quantize(rate.rate_eur * Decimal(row.minutes) / 60)
    return quantize(rate.rate_eur)


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
        check = FormCheck(form_id="", month=None)
        for name in too_long:
            check.findings.append(Finding("text-too-long", field=name, params={
                "length": len(identity[name]), "limit": MAX_TEXT_CHARS}))
        return check
    claimed = identity.get("month", "")
    contract_id = identity.get("contract_id", "")
    check = FormCheck(form_id=identity.get("form_id", ""), month=None)
    add = check.findings.append

    if not Month.is_valid(claimed):
        add(Finding("month-invalid", field="month", params={"value": shown(claimed)}))
        return check
    check.month = month = Month.parse(claimed)
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

    task_lookup = _task_lookup(register)
    rows: list[WorkRow] = []
    for number in sorted(form.rows):
        values = {name: (value or "").strip() for name, value in form.rows[number].items()}
        if not any(values.values()):
            continue
        row, line = _check_row(number, values, check, contract, month, register, task_lookup, cutoff, max_travel,
                               booked or {})
        rows.append(row)
        if line is not None:
            check.lines.append(line)
    _check_overlaps(rows, check)
    if not rows:
        add(Finding("no-work", params={"month_name": month_text(month)}))
    _check_footer(form, check, month.period)
    return check


Add = Callable[..., None]  # add(code, field name, **params): a finding about this row


def _check_row(number: int, values: dict[str, str], check: FormCheck, contract: Contract, month: Month,
               register: Register, task_lookup: dict[str, str], cutoff: time, max_travel: Decimal,
               booked: Mapping[tuple[date, time], datetime | None]) -> tuple[WorkRow, LedgerLine | None]:
    """Parse one filled row field by field, each problem a finding; the LedgerLine it becomes if none is an error."""
    row = WorkRow(number)
    problems_before = len(check.findings)

    def add(code: str, name: str, **params) -> None:
        check.findings.append(Finding(code, row=number, field=row_field(number, name), params=params))

    too_long = [name for name, value in values.items() if len(value) > MAX_TEXT_CHARS]
    for name in too_long:
        add("text-too-long", name, length=len(values[name]), limit=MAX_TEXT_CHARS)
    if too_long:
        row.ok = False
        return row, None
    row.work_date, date_ok = _work_date(values, month, contract, add)
    row.start, row.end, row.minutes = _times(values, add)
    row.task = _task(values, contract, register, task_lookup, add)
    typed_status = _typed_status(values, row.task, register, add)
    recorded = booked.get((row.work_date, row.start)) if row.work_date and row.start else None
    row.cancelled_at, cancel_time_given = _cancelled_at(values, month, typed_status, recorded, add)
    row.status = _status(typed_status, row, cancel_time_given, cutoff, add)
    participants = _participants(values, row.status, add)
    rate = None
    if row.task is not None and date_ok and row.work_date is not None:
        rate = register.rate_for(row.task, row.work_date)
        if rate is None:
            add("no-rate", "task", task=task_text(register, row.task), date=row.work_date)
    travel = _travel(values, row, register, max_travel, add)

    row.ok = _only_warnings(check, problems_before) and row.status is not None
    if (not row.ok or rate is None or row.minutes is None or row.task is None or row.work_date is None
            or row.start is None or row.end is None or row.status is None):
        row.ok = False
        return row, None
    line = LedgerLine(
        row=number, work_date=row.work_date, start=f"{row.start:%H:%M}", end=f"{row.end:%H:%M}", task=row.task,
        status=row.status, hours=quantize(Decimal(row.minutes) / 60), participants=participants,
        payable=row.status in PAYABLE_STATUSES, basis=rate.basis, rate_eur=quantize(rate.rate_eur),
        fee_eur=fee_for(row, rate, cutoff), travel_eur=travel, travel_ref=values.get("travel_ref", ""),
        income_type=rate.income_type, notes=values.get("notes", ""), form_id=check.form_id)
    return row, line


def _work_date(values: dict[str, str], month: Month, contract: Contract, add: Add) -> tuple[date | None, bool]:
    """The day of the work, and whether it lies in the form's month and the contract's period."""
    if not values.get("date"):
        add("date-missing", "date")
        return None, False
    try:
        work_date = parse_date(values["date"], period=month.period)
    except ParseError:
        add("date-invalid", "date", value=shown(values["date"]))
        return None, False
    if not month.contains(work_date):
        add("date-outside-month", "date", date=work_date, month_name=month_text(month))
        return work_date, False
    if not contract.covers(work_date):
        add("date-outside-contract", "date", date=work_date, contract_id=contract.contract_id,
            valid_from=contract.valid_from, valid_to=contract.valid_to)
        return work_date, False
    return work_date, True


def _times(values: dict[str, str], add: Add) -> tuple[time | None, time | None, int | None]:
    """Start, end, and the minutes between them when the span is positive and at most MAX_HOURS."""
    read: dict[str, time | None] = {"start": None, "end": None}
    for name in read:
        if not values.get(name):
            add(f"{name}-missing", name)
            continue
        try:
            read[name] = parse_time(values[name])
        except ParseError:
            add("time-invalid", name, value=shown(values[name]))
    start, end = read["start"], read["end"]
    if start is None or end is None:
        return start, end, None
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes <= 0:
        add("end-not-after-start", "end", start=start, end=end)
        return start, end, None
    if minutes > MAX_HOURS * 60:
        add("too-long", "end", start=start, end=end, hours=_hours_text(minutes))
        return start, end, None
    return start, end, minutes


def _task(values: dict[str, str], contract: Contract, register: Register, task_lookup: dict[str, str],
          add: Add) -> str | None:
    """The task code typed (as a code or a fi/sv label), if the contract has that task."""
    if not values.get("task"):
        add("task-missing", "task")
        return None
    code = task_lookup.get(_key(values["task"]))
    if code is not None and code in contract.tasks:
        return code
    contract_tasks = choices_text([task_text(register, t) for t in contract.tasks])
    if code is None:
        add("task-unknown", "task", value=shown(values["task"]), choices=contract_tasks)
    else:
        add("task-not-in-contract", "task", task=task_text(register, code), contract_id=contract.contract_id,
            choices=contract_tasks)
    return None


def _typed_status(values: dict[str, str], task: str | None, register: Register, add: Add) -> str | None:
    """The status as typed ('held' when blank); None if unknown or a group status on a task that is no group."""
    typed: str | None
    if not values.get("status"):
        add("status-missing", "status")
        typed = "held"
    else:
        typed = _STATUS_LOOKUP.get(_key(values["status"]))
        if typed is None:
            add("status-unknown", "status", value=shown(values["status"]),
                choices=choices_text([status_text(s) for s in STATUS_LABELS]))
    if typed in GROUP_STATUSES and task is not None and task not in GROUP_TASKS:
        add("group-status-not-group", "status", status=status_text(typed), task=task_text(register, task))
        return None
    return typed


def _cancelled_at(values: dict[str, str], month: Month, typed: str | None, recorded: datetime | None,
                  add: Add) -> tuple[datetime | None, bool]:
    """When the booking was cancelled, and whether the row gives that time at all. A cancelled row of a booked
    session takes the time the booking `recorded` (a different claim is a warning); a row of a session the
    unit cancelled that is not marked cancelled is a warning too."""
    cancelled_at = None
    if values.get("cancelled_at"):
        try:
            cancelled_at = parse_datetime(values["cancelled_at"], period=month.period)
        except ParseError:
            if recorded is None or typed not in CANCELLED_STATUSES:
                add("cancelled-at-invalid", "cancelled_at", value=shown(values["cancelled_at"]))
    if recorded is not None and typed in CANCELLED_STATUSES:
        if cancelled_at != recorded:
            add("cancelled-at-booked", "cancelled_at", claimed=shown(values.get("cancelled_at") or "-"),
                recorded=recorded)
        return recorded, True
    if recorded is not None and typed is not None:
        add("held-but-cancelled", "status", status=status_text(typed), recorded=recorded)
    return cancelled_at, bool(values.get("cancelled_at"))


def _status(typed: str | None, row: WorkRow, cancel_time_given: bool, cutoff: time, add: Add) -> str | None:
    """The status the row is paid by: a cancellation needs its time, before the start, and whether it was in
    time follows from that time (a typed status the rule contradicts is corrected, with a warning)."""
    if typed in CANCELLED_STATUSES:
        if not cancel_time_given:
            add("cancelled-at-missing", "cancelled_at", status=status_text(typed))
        elif row.cancelled_at is not None and row.work_date is not None and row.start is not None:
            start_at = datetime.combine(row.work_date, row.start)
            if row.cancelled_at > start_at:
                add("cancelled-after-start", "cancelled_at", cancelled_at=row.cancelled_at, start_at=start_at)
            else:
                ruled = status_by_rule(row.cancelled_at, row.work_date, cutoff)
                if ruled != typed:
                    add("status-corrected", "status", typed=status_text(typed), rule=status_text(ruled),
                        cancelled_at=row.cancelled_at, cutoff_at=cancellation_cutoff(row.work_date, cutoff),
                        paid=paid_text(ruled in PAYABLE_STATUSES))
                return ruled
    elif typed in PRESENT_STATUSES and cancel_time_given:
        add("cancelled-at-conflict", "cancelled_at", status=status_text(typed))
    return typed


def _participants(values: dict[str, str], status: str | None, add: Add) -> int | None:
    if not values.get("participants"):
        return None
    try:
        participants = parse_count(values["participants"], MAX_PARTICIPANTS)
    except ParseError as exc:
        code = "participants-too-many" if exc.reason == "too-large" else "participants-invalid"
        add(code, "participants", value=shown(values["participants"]), limit=MAX_PARTICIPANTS)
        return None
    if status == "group_no_participants" and participants > 0:
        add("participants-with-no-participants", "participants", participants=participants)
    return participants


def _travel(values: dict[str, str], row: WorkRow, register: Register, max_travel: Decimal, add: Add) -> Decimal:
    """The travel reimbursement paid (rule 2): only with a payable status and the agreement's reference; travel to
    anything but the experts' common meetings is paid with a warning, as agreed separately."""
    if not values.get("travel_eur"):
        return ZERO
    try:
        claimed = parse_money(values["travel_eur"], max_travel)
    except ParseError as exc:
        add(_TRAVEL_PROBLEMS.get(exc.reason, "travel-invalid"), "travel_eur", value=shown(values["travel_eur"]),
            limit=max_travel)
        return ZERO
    if claimed <= 0 or row.status is None or row.task is None:
        return ZERO
    travel_ref = values.get("travel_ref", "")
    if row.status not in PAYABLE_STATUSES:
        add("travel-not-payable", "travel_eur", amount=claimed, status=status_text(row.status))
        return ZERO
    if not travel_ref:
        add("travel-no-ref", "travel_ref", amount=claimed)
        return ZERO
    if row.task not in TRAVEL_TASKS:
        add("travel-out-of-area", "travel_ref", amount=claimed, task=task_text(register, row.task), ref=travel_ref)
    return claimed


_TRAVEL_PROBLEMS = {"negative": "travel-negative", "decimals": "travel-decimals", "too-large": "travel-too-large"}


def _only_warnings(check: FormCheck, since: int) -> bool:
    return not any(f.is_error for f in check.findings[since:])


def _hours_text(minutes: int) -> Localized:
    text = f"{quantize(Decimal(minutes) / 60).normalize():f}"
    return Localized(text, text.replace(".", ","), text.replace(".", ","))


@dataclass(frozen=True)
class _Timed:
    """A row with its day and time, as overlaps are checked."""

    number: int
    work_date: date
    start: time
    end: time


def _check_overlaps(rows: list[WorkRow], check: FormCheck) -> None:
    """No two rows may take the same time on the same day. A booking cancelled in time does not take its time;
    one cancelled late does, since its fee is paid (and a fee is paid once)."""
    timed = sorted((_Timed(r.number, r.work_date, r.start, r.end) for r in rows
                    if r.work_date and r.start and r.end and r.end > r.start and r.status != "cancelled_in_time"),
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
