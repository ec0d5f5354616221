"""The fee rules, each at its boundary, on hour forms built in code (no PDF needed)."""

from __future__ import annotations

import dataclasses
import string
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from kokemus_docs.core.model import FeeRate, Register
from kokemus_docs.forms.fields import ReturnedForm, form_id_for
from kokemus_docs.intake.catalogue import CATALOGUE
from kokemus_docs.intake.messages import FIELD_LABELS
from kokemus_docs.intake.rules import FormCheck, WorkRow, cancellation_cutoff, fee_for, line_json, validate_form

# In the demo register: S-2026-001 is KA-001 (fi) at MTP-PORVOO with individual, group, common_meeting;
# S-2026-003 is KA-003 (sv) at PERHE-LOVIISA with group, pair, common_meeting; S-2026-002 has lecture.
# Fees: individual and pair 50 € a session, group 25 €/h until 14.10.2026 and 27,50 €/h from 15.10.2026,
# lecture 150 € an event, common_meeting 50 € an event.


def returned(rows: dict[int, dict[str, str]], *, contract_id: str = "S-2026-001", expert_id: str = "KA-001",
             unit_id: str = "MTP-PORVOO", month: str = "2026-10", confirmed: bool = True,
             signed_on: str = "", form_id: str | None = None) -> ReturnedForm:
    identity = {"form_id": form_id if form_id is not None else form_id_for(contract_id, month),
                "contract_id": contract_id, "expert_id": expert_id, "unit_id": unit_id, "month": month}
    return ReturnedForm(path="test.pdf", identity=identity, seal="", rows=rows, confirmed=confirmed,
                        signed_on=signed_on)


def row(day: str = "14.10.2026", start: str = "10.00", end: str = "11.00", task: str = "individual",
        status: str = "held", **extra: str) -> dict[str, str]:
    return {"date": day, "start": start, "end": end, "task": task, "status": status, **extra}


def codes(check: FormCheck) -> tuple[set[str], set[str]]:
    return ({p.code for p in check.errors}, {p.code for p in check.warnings})


def only_line(check: FormCheck):
    assert check.ok, [str(p) for p in check.errors]
    assert len(check.lines) == 1
    return check.lines[0]


# --- rule 3: cancellation until 15:00 the day before --------------------------------------------------
@pytest.mark.parametrize("cancelled_at, typed, rule_status, fee", [
    pytest.param("13.10.2026 14.59", "cancelled_in_time", "cancelled_in_time", "0.00", id="day-before-14.59"),
    pytest.param("13.10.2026 15.00", "cancelled_in_time", "cancelled_in_time", "0.00", id="day-before-15.00-in-time"),
    pytest.param("13.10.2026 15.01", "cancelled_late", "cancelled_late", "50.00", id="day-before-15.01-late"),
    pytest.param("14.10.2026 8.15", "cancelled_late", "cancelled_late", "50.00", id="same-morning"),
    pytest.param("12.10.2026 18.00", "cancelled_in_time", "cancelled_in_time", "0.00", id="two-days-before"),
    pytest.param("13.10. 15:00", "cancelled_in_time", "cancelled_in_time", "0.00", id="no-year-colon-time"),
    pytest.param("2026-10-14 10:00", "cancelled_late", "cancelled_late", "50.00", id="at-the-start-time"),
])
def test_cancellation_cutoff(register, cancelled_at, typed, rule_status, fee):
    check = validate_form(returned({1: row(status=typed, cancelled_at=cancelled_at)}), register)
    line = only_line(check)
    assert (line.status, line.fee_eur, line.payable) == (rule_status, Decimal(fee), rule_status == "cancelled_late")
    assert codes(check) == (set(), set())


@pytest.mark.parametrize("typed, cancelled_at, rule_status, fee", [
    pytest.param("cancelled_in_time", "13.10.2026 16.20", "cancelled_late", "50.00", id="typed-in-time-was-late"),
    pytest.param("Peruttu myöhässä", "13.10.2026 12.00", "cancelled_in_time", "0.00", id="typed-late-was-in-time"),
])
def test_typed_status_disagreeing_with_timestamps_is_a_warning_and_the_rule_decides(register, typed, cancelled_at,
                                                                                      rule_status, fee):
    check = validate_form(returned({1: row(status=typed, cancelled_at=cancelled_at)}), register)
    line = only_line(check)
    assert (line.status, line.fee_eur) == (rule_status, Decimal(fee))
    [warning] = check.warnings
    assert (warning.code, warning.row, warning.field) == ("status-corrected", 1, "row01_status")
    assert rule_status in warning.message and ("cancelled_in_time" in warning.message)
    finding = next(f for f in check.findings if f.code == "status-corrected")
    assert "Peruttu" in finding.text("fi") and "Avbokad" in finding.text("sv")


def test_cutoff_is_configurable_and_is_the_day_before(register):
    assert cancellation_cutoff(date(2026, 11, 1)).isoformat() == "2026-10-31T15:00:00"
    from datetime import time

    check = validate_form(returned({1: row(status="cancelled_in_time", cancelled_at="13.10.2026 15.30")}),
                          register, cutoff=time(16, 0))
    assert only_line(check).status == "cancelled_in_time"


@pytest.mark.parametrize("values, code, field", [
    pytest.param(row(status="cancelled_late"), "cancelled-at-missing", "row01_cancelled_at", id="no-cancel-time"),
    pytest.param(row(status="cancelled_late", cancelled_at="14.10.2026 10.05"), "cancelled-after-start",
                 "row01_cancelled_at", id="cancelled-after-start"),
    pytest.param(row(status="cancelled_late", cancelled_at="eilen"), "cancelled-at-invalid", "row01_cancelled_at",
                 id="cancel-time-unreadable"),
    pytest.param(row(status="held", cancelled_at="13.10.2026 16.00"), "cancelled-at-conflict",
                 "row01_cancelled_at", id="held-with-cancel-time"),
])
def test_cancellation_errors(register, values, code, field):
    check = validate_form(returned({1: values}), register)
    assert not check.ok and not check.lines
    assert [(p.code, p.row, p.field) for p in check.errors] == [(code, 1, field)]


# --- rules 4-6: no-show, groups, illness ----------------------------------------------------------------
@pytest.mark.parametrize("task, status, payable, fee", [
    pytest.param("individual", "held", True, "50.00", id="held"),
    pytest.param("individual", "no_show", True, "50.00", id="no-show-paid"),
    pytest.param("group", "group_no_participants", True, "25.00", id="group-no-participants-paid"),
    pytest.param("group", "group_terminated", False, "0.00", id="group-terminated-unpaid"),
    pytest.param("individual", "expert_ill", False, "0.00", id="expert-ill-unpaid"),
    pytest.param("group", "expert_ill", False, "0.00", id="expert-ill-group-unpaid"),
])
def test_status_decides_payment(register, task, status, payable, fee):
    check = validate_form(returned({1: row(task=task, status=status)}), register)
    line = only_line(check)
    assert (line.payable, line.fee_eur, line.status) == (payable, Decimal(fee), status)


@pytest.mark.parametrize("status", ["group_no_participants", "group_terminated"])
def test_group_statuses_are_errors_for_individual_work(register, status):
    check = validate_form(returned({1: row(task="individual", status=status)}), register)
    assert [(p.code, p.field) for p in check.errors] == [("group-status-not-group", "row01_status")]
    assert not check.lines


def test_participants_on_a_group_without_participants_warns(register):
    check = validate_form(returned({1: row(task="group", status="group_no_participants", participants="3")}),
                          register)
    assert only_line(check).participants == 3
    assert codes(check) == (set(), {"participants-with-no-participants"})


@pytest.mark.parametrize("value", ["-1", "2,5", "kolme"])
def test_participants_must_be_a_whole_number(register, value):
    check = validate_form(returned({1: row(task="group", participants=value)}), register)
    assert codes(check)[0] == {"participants-invalid"}


# --- rule 1: the fee table --------------------------------------------------------------------------------
@pytest.mark.parametrize("values, contract, basis, hours, fee", [
    pytest.param(row(task="group", start="9.00", end="10.30"), "S-2026-001", "hour", "1.50", "37.50",
                 id="hour-basis-rate-times-hours"),
    pytest.param(row(task="group", start="9.00", end="9.20"), "S-2026-001", "hour", "0.33", "8.33",
                 id="hour-basis-20-minutes-rounded"),
    pytest.param(row(task="individual", start="9.00", end="12.00"), "S-2026-001", "session", "3.00", "50.00",
                 id="session-basis-once-per-row"),
    pytest.param(row(task="lecture", start="13.00", end="16.00"), "S-2026-002", "event", "3.00", "150.00",
                 id="event-basis-once-per-row"),
])
def test_fee_basis(register, values, contract, basis, hours, fee):
    expert = register.contracts[contract].expert_id
    check = validate_form(returned({1: values}, contract_id=contract, expert_id=expert), register)
    line = only_line(check)
    assert (line.basis, line.hours, line.fee_eur) == (basis, Decimal(hours), Decimal(fee))
    assert line_json(line)["hours"] == hours and line_json(line)["fee_eur"] == fee


@pytest.mark.parametrize("day, rate, fee", [
    pytest.param("14.10.2026", "25.00", "50.00", id="last-day-of-old-rate"),
    pytest.param("15.10.2026", "27.50", "55.00", id="first-day-of-new-rate"),
])
def test_rate_change_mid_month_uses_the_rate_valid_on_the_date(register, day, rate, fee):
    check = validate_form(returned({1: row(day=day, task="group", start="12.00", end="14.00")}), register)
    line = only_line(check)
    assert (line.rate_eur, line.fee_eur) == (Decimal(rate), Decimal(fee))


def test_no_rate_on_the_date_tells_to_contact_the_coordinator(register):
    reg = dataclasses.replace(register, fees=[f for f in register.fees if f.task != "common_meeting"])
    check = validate_form(returned({1: row(task="common_meeting")}), reg)
    [error] = check.errors
    assert (error.code, error.field) == ("no-rate", "row01_task")
    finding = check.findings[0]
    assert "järjestötyön ja osallisuuden asiantuntijaan" in finding.text("fi")
    assert "experten på organisationsarbete" in finding.text("sv")


# --- rule 2: travel -------------------------------------------------------------------------------------
@pytest.mark.parametrize("task, ref, paid, warning", [
    pytest.param("common_meeting", "MATKA-12", "12.40", None, id="common-meeting-with-ref-paid"),
    pytest.param("common_meeting", "", "0.00", "travel-no-ref", id="common-meeting-without-ref-unpaid"),
    pytest.param("individual", "SOP-7", "12.40", "travel-out-of-area", id="client-task-with-ref-paid-verify"),
    pytest.param("individual", "", "0.00", "travel-no-ref", id="client-task-without-ref-unpaid"),
])
def test_travel(register, task, ref, paid, warning):
    check = validate_form(returned({1: row(task=task, travel_eur="12,40", travel_ref=ref)}), register)
    line = only_line(check)
    assert line.travel_eur == Decimal(paid)
    assert codes(check) == (set(), {warning} if warning else set())


def test_travel_on_an_unpaid_row_is_not_paid(register):
    check = validate_form(returned({1: row(task="common_meeting", status="expert_ill", travel_eur="8.00",
                                           travel_ref="MATKA-1")}), register)
    assert only_line(check).travel_eur == 0
    assert codes(check) == (set(), {"travel-not-payable"})


@pytest.mark.parametrize("value, code", [pytest.param("-5,00", "travel-negative", id="negative"),
                                         pytest.param("viisi", "travel-invalid", id="not-a-number")])
def test_travel_amount_errors(register, value, code):
    check = validate_form(returned({1: row(task="common_meeting", travel_eur=value, travel_ref="M")}), register)
    assert codes(check)[0] == {code}


# --- dates, times, overlaps -----------------------------------------------------------------------------
@pytest.mark.parametrize("values, code, field", [
    pytest.param(row(day="1.11.2026"), "date-outside-month", "row01_date", id="date-in-next-month"),
    pytest.param(row(day="30.9.2026"), "date-outside-month", "row01_date", id="date-in-previous-month"),
    pytest.param(row(day="31.10."), None, None, id="last-day-without-year-ok"),
    pytest.param(row(day="32.10.2026"), "date-invalid", "row01_date", id="no-such-day"),
    pytest.param(row(day=""), "date-missing", "row01_date", id="values-but-no-date"),
    pytest.param(row(start=""), "start-missing", "row01_start", id="no-start"),
    pytest.param(row(end="11,5"), "time-invalid", "row01_end", id="unreadable-time"),
    pytest.param(row(start="11.00", end="11.00"), "end-not-after-start", "row01_end", id="end-equals-start"),
    pytest.param(row(start="7.00", end="19.00"), None, None, id="exactly-12-hours-ok"),
    pytest.param(row(start="7.00", end="19.01"), "too-long", "row01_end", id="over-12-hours"),
    pytest.param(row(task="kahvinkeitto"), "task-unknown", "row01_task", id="unknown-task"),
    pytest.param(row(task="lecture"), "task-not-in-contract", "row01_task", id="task-not-in-contract"),
    pytest.param(row(task=""), "task-missing", "row01_task", id="no-task"),
    pytest.param(row(status="pidetty"), "status-unknown", "row01_status", id="unknown-status"),
])
def test_row_checks(register, values, code, field):
    check = validate_form(returned({1: values}), register)
    if code is None:
        assert check.ok and len(check.lines) == 1
    else:
        assert [(p.code, p.row, p.field) for p in check.errors] == [(code, 1, field)]
        assert check.lines == []


def test_date_outside_the_contract(register):
    reg = dataclasses.replace(register, contracts=dict(register.contracts))
    reg.contracts["S-2026-001"] = dataclasses.replace(reg.contracts["S-2026-001"], valid_to=date(2026, 10, 20))
    check = validate_form(returned({1: row(day="20.10.2026"), 2: row(day="21.10.2026")}), reg)
    assert [(p.code, p.row) for p in check.errors] == [("date-outside-contract", 2)]
    assert "20.10.2026" in check.errors[0].message


def test_overlapping_rows_on_the_same_day(register):
    check = validate_form(returned({
        1: row(start="9.00", end="10.30"),
        2: row(start="10.00", end="11.00"),                    # overlaps row 1
        3: row(start="10.30", end="11.00", day="15.10.2026"),  # another day
        4: row(start="10.30", end="11.00"),                    # touches row 1 and overlaps row 2
    }), register)
    assert [(p.code, p.row) for p in check.errors] == [("overlap", 2), ("overlap", 4)]


def test_a_booking_cancelled_in_time_does_not_take_the_slot(register):
    check = validate_form(returned({
        1: row(status="cancelled_in_time", cancelled_at="10.10.2026 12.00"),
        2: row(),
    }), register)
    assert check.ok and [ln.fee_eur for ln in check.lines] == [Decimal("0.00"), Decimal("50.00")]


def test_identical_late_cancellations_are_paid_once(register):
    """Three identical late-cancelled rows once paid 3 × 50 €: a late cancellation's fee is paid, so its
    time is taken like a held session's, and the copies are overlaps."""
    late = row(status="cancelled_late", cancelled_at="13.10.2026 16.00")
    check = validate_form(returned({1: late, 2: dict(late), 3: dict(late)}), register)
    assert [(p.code, p.row) for p in check.errors] == [("overlap", 2), ("overlap", 3)]
    assert [ln.row for ln in check.lines] == [1]
    held_over_late = validate_form(returned({1: late, 2: row()}), register)
    assert [(p.code, p.row) for p in held_over_late.errors] == [("overlap", 2)]


def test_identical_cancellations_in_time_pay_nothing_and_may_repeat(register):
    in_time = row(status="cancelled_in_time", cancelled_at="10.10.2026 12.00")
    check = validate_form(returned({1: in_time, 2: dict(in_time)}), register)
    assert check.ok and sum(ln.fee_eur for ln in check.lines) == 0


# --- values as people type them ---------------------------------------------------------------------------
@pytest.mark.parametrize("values", [
    pytest.param(row(task="Ryhmänohjaus", status="toteutui"), id="fi-labels"),
    pytest.param(row(task="  GRUPPHANDLEDNING ", status="Genomfördes"), id="sv-labels-case-and-space"),
    pytest.param(row(task="group", status="held", day="2026-10-14", start="09:00", end="10:00"), id="codes-iso"),
    pytest.param(row(task="Ryhmänohjaus", status="Kokemusasiantuntija sairastui", day="14.10."), id="fi-ill"),
])
def test_labels_in_both_languages_and_date_forms(register, values):
    line = only_line(validate_form(returned({1: values}), register))
    assert line.task == "group" and line.work_date == date(2026, 10, 14)


def test_comma_decimals(register):
    check = validate_form(returned({1: row(task="common_meeting", travel_eur="1 012,5 €", travel_ref="M-1")}),
                          register, max_travel=Decimal("2000.00"))
    assert only_line(check).travel_eur == Decimal("1012.50")


def test_hour_rate_with_comma_typed_times(register):
    check = validate_form(returned({1: row(task="group", day="20.10.", start="13.15", end="14:45")}), register)
    assert only_line(check).fee_eur == Decimal("41.25")  # 27,50 €/h × 1,5 h


def test_registered_task_labels_are_accepted(register):
    reg = dataclasses.replace(register, fees=register.fees + [
        FeeRate("peer_call", "session", Decimal("20"), date(2026, 1, 1), label_fi="Vertaispuhelu",
                label_sv="Kamratsamtal")])
    reg.contracts = dict(reg.contracts)
    reg.contracts["S-2026-001"] = dataclasses.replace(reg.contracts["S-2026-001"], tasks=("peer_call",))
    line = only_line(validate_form(returned({1: row(task="kamratsamtal")}), reg))
    assert (line.task, line.fee_eur) == ("peer_call", Decimal("20.00"))


# --- footer, identity, the form as a whole ---------------------------------------------------------------------
def test_unticked_confirmation_is_an_error(register):
    check = validate_form(returned({1: row()}, confirmed=False), register)
    assert [(p.code, p.field, p.row) for p in check.errors] == [("confirm-missing", "confirm", None)]


@pytest.mark.parametrize("signed, expected, code", [
    pytest.param("2.11.2026", date(2026, 11, 2), None, id="full-date"),
    pytest.param("2.11.", date(2026, 11, 2), None, id="no-year"),
    pytest.param("13.10.2026", date(2026, 10, 13), "signed-before-work", id="before-the-work"),
    pytest.param("toissapäivänä", None, "signed-on-invalid", id="unreadable"),
])
def test_signed_on(register, signed, expected, code):
    check = validate_form(returned({1: row()}, signed_on=signed), register)
    assert check.signed_on == expected
    assert {f.code for f in check.findings} == ({code} if code else set())


def test_signed_in_january_for_december(register):
    check = validate_form(returned({1: row(day="14.12.2026")}, month="2026-12", signed_on="4.1."), register)
    assert check.signed_on == date(2027, 1, 4)


def test_empty_month_is_accepted_with_a_warning(register):
    check = validate_form(returned({3: {"date": "", "notes": "  "}}), register)
    assert check.ok and check.lines == []
    assert codes(check) == (set(), {"no-work"})


@pytest.mark.parametrize("changes, code, field", [
    pytest.param({"form_id": "S-2026-001_2026-09"}, "form-id-mismatch", "form_id", id="form-id"),
    pytest.param({"expert_id": "KA-002"}, "expert-mismatch", "expert_id", id="expert"),
    pytest.param({"unit_id": "IKÄ-PORVOO"}, "unit-mismatch", "unit_id", id="unit"),
    pytest.param({"contract_id": "S-9999"}, "contract-unknown", "contract_id", id="unknown-contract"),
    pytest.param({"month": "2026-13"}, "month-invalid", "month", id="bad-month"),
])
def test_identity(register, changes, code, field):
    form = returned({1: row()})
    form.identity.update(changes)
    check = validate_form(form, register)
    assert (code, field) in {(p.code, p.field) for p in check.errors}


def test_expert_missing_from_register(register):
    reg = Register(experts={}, units=register.units, contracts=register.contracts, fees=register.fees)
    check = validate_form(returned({1: row()}), reg)
    assert codes(check)[0] == {"expert-unknown"}


def test_sv_expert_gets_swedish_choices(register):
    check = validate_form(returned({1: row(task="yksilötyö")}, contract_id="S-2026-003", expert_id="KA-003",
                                   unit_id="PERHE-LOVIISA"), register)
    assert check.language == "sv"
    [finding] = [f for f in check.findings if f.is_error]
    assert "Grupphandledning" in finding.text("sv") and "Ryhmänohjaus" in finding.text("fi")


def test_every_row_error_names_row_and_field(register):
    check = validate_form(returned({
        2: row(day="1.11.2026"), 5: row(task="kahvinkeitto", status="??"), 7: row(start="12.00", end="13.00"),
    }), register)
    assert {(p.row, p.field) for p in check.errors} == {(2, "row02_date"), (5, "row05_task"), (5, "row05_status")}
    assert [ln.row for ln in check.lines] == [7]


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_catalogue_is_complete_and_formats_in_every_language():
    assert len(CATALOGUE) > 40
    for code, entry in CATALOGUE.items():
        assert entry.severity in ("error", "warning"), code
        templates = {language: getattr(entry, language) for language in ("en", "fi", "sv")}
        names = set().union(*(_placeholders(t) for t in templates.values()))
        assert all(name.isidentifier() for name in names), (code, names)  # no positional {} or {0}
        values = {name: f"<{name}>" for name in names}
        texts = {language: template.format(**values) for language, template in templates.items()}
        for language, text in texts.items():
            assert text.strip() and "{" not in text and "}" not in text, (code, language)
            assert all(f"<{name}>" in text for name in _placeholders(templates[language])), (code, language)
        # each language has its own text, not a copy of another's
        assert len(set(texts.values())) == 3, (code, texts)
    for labels in FIELD_LABELS.values():
        assert set(labels) == {"en", "fi", "sv"} and len(set(labels.values())) >= 2


def test_every_finding_renders_in_three_languages(register):
    check = validate_form(returned({
        1: row(status="cancelled_in_time", cancelled_at="13.10.2026 16.20", travel_eur="3", travel_ref="X"),
        2: row(day="9.9.2026", start="x", task="kahvinkeitto"),
        3: row(task="group", status="group_no_participants", participants="2", start="7.00", end="20.00"),
    }, confirmed=False, signed_on="soon"), register)
    assert len(check.findings) >= 6
    for finding in check.findings:
        for language in ("en", "fi", "sv"):
            text = finding.text(language)
            assert text and "{" not in text


# --- limits on values (SPEC.md "Limits") ----------------------------------------------------------------------
@pytest.mark.parametrize("value, code", [
    pytest.param("1000", "participants-too-many", id="one-over-999"),
    pytest.param("9" * 1500, "participants-too-many", id="1500-digits"),
    pytest.param("9" * 100_000, "text-too-long", id="hundred-thousand-digits"),
    pytest.param("1e3", "participants-invalid", id="exponent"),
    pytest.param("3.0", "participants-invalid", id="decimal-point"),
    pytest.param("٣", "participants-invalid", id="arabic-digit"),
])
def test_participants_beyond_the_limits(register, value, code):
    check = validate_form(returned({1: row(task="group", participants=value)}), register)
    assert [(p.code, p.row, p.field) for p in check.errors] == [(code, 1, "row01_participants")]
    finding = next(f for f in check.findings if f.code == code)
    for language in ("en", "fi", "sv"):
        assert len(finding.text(language)) < 400  # the value is quoted shortened, never in full


@pytest.mark.parametrize("value", ["0", "999", "0999"])
def test_participants_within_the_limits(register, value):
    check = validate_form(returned({1: row(task="group", participants=value)}), register)
    assert only_line(check).participants == int(value)


@pytest.mark.parametrize("value, code", [
    pytest.param("200,01", "travel-too-large", id="a-cent-over-the-default"),
    pytest.param("1" + "0" * 24, "travel-too-large", id="ten-to-the-24-written-out"),
    pytest.param("1e6", "travel-invalid", id="exponent"),
    pytest.param("1E+2", "travel-invalid", id="exponent-capital"),
    pytest.param("NaN", "travel-invalid", id="nan"),
    pytest.param("Infinity", "travel-invalid", id="infinity"),
    pytest.param("12,345", "travel-decimals", id="three-decimals"),
    pytest.param("-0,01", "travel-negative", id="negative"),
])
def test_travel_beyond_the_limits_is_an_error(register, value, code):
    check = validate_form(returned({1: row(task="common_meeting", travel_eur=value, travel_ref="M-1")}), register)
    assert [(p.code, p.row, p.field) for p in check.errors] == [(code, 1, "row01_travel_eur")]
    assert check.lines == []
    finding = next(f for f in check.findings if f.code == code)
    assert all(finding.text(language) for language in ("en", "fi", "sv"))


def test_travel_limit_is_the_setting(register):
    form = returned({1: row(task="common_meeting", travel_eur="200,00", travel_ref="M-1")})
    assert only_line(validate_form(form, register)).travel_eur == Decimal("200.00")
    check = validate_form(form, register, max_travel=Decimal("150.00"))
    [error] = check.errors
    assert error.code == "travel-too-large" and "150.00" in error.message.replace(",", ".")
    assert "150,00" in check.findings[0].text("fi")


@pytest.mark.parametrize("name", ["notes", "travel_ref", "task", "date"])
def test_a_field_longer_than_2000_characters_is_an_error(register, name):
    values = row(task="common_meeting", travel_eur="5", travel_ref="M-1")
    values[name] = "x" * 2001
    check = validate_form(returned({1: values, 2: row(day="15.10.2026")}), register)
    assert [(p.code, p.row, p.field) for p in check.errors] == [("text-too-long", 1, f"row01_{name}")]
    assert "2001" in check.errors[0].message and "x" * 50 not in check.errors[0].message
    assert [ln.row for ln in check.lines] == [2]


def test_notes_of_2000_characters_are_kept(register):
    line = only_line(validate_form(returned({1: row(notes="å" * 2000)}), register))
    assert line.notes == "å" * 2000


# --- a day and month without a year (SPEC.md: nearest the form's month) ---------------------------------------
def test_january_form_cancelled_on_31_12_is_december_before(register):
    reg = dataclasses.replace(register, contracts=dict(register.contracts))
    reg.contracts["S-2026-001"] = dataclasses.replace(reg.contracts["S-2026-001"], valid_to=date(2027, 12, 31))
    check = validate_form(returned({1: row(day="1.1.", status="cancelled_late", cancelled_at="31.12. 14.59")},
                                   month="2027-01"), reg)
    line = only_line(check)
    assert (line.work_date, line.status, line.fee_eur) == (date(2027, 1, 1), "cancelled_in_time", Decimal("0.00"))
    assert codes(check) == (set(), {"status-corrected"})


@pytest.mark.parametrize("month, typed, expected", [
    pytest.param("2027-01", "31.12.", date(2026, 12, 31), id="january-form-31.12-is-year-before"),
    pytest.param("2026-12", "4.1.", date(2027, 1, 4), id="december-form-4.1-is-year-after"),
    pytest.param("2026-10", "2.11.", date(2026, 11, 2), id="same-year"),
    pytest.param("2027-01", "20.1.", date(2027, 1, 20), id="inside-the-month"),
])
def test_signed_on_without_a_year_is_nearest_the_month(register, month, typed, expected):
    check = validate_form(returned({}, month=month, signed_on=typed), register)
    assert check.signed_on == expected


def test_row_date_without_a_year_outside_the_month_names_the_nearest_year(register):
    check = validate_form(returned({1: row(day="31.12.")}, month="2027-01"), register)
    [error] = check.errors
    assert (error.code, error.row, error.field) == ("date-outside-month", 1, "row01_date")
    assert "31.12.2026" in check.findings[0].text("fi")


@pytest.mark.parametrize("setting, expected", [
    pytest.param("200.00", Decimal("200.00"), id="default"),
    pytest.param("150", Decimal("150.00"), id="whole-euros"),
    pytest.param(75, Decimal("75.00"), id="toml-integer"),
    pytest.param("1e6", None, id="exponent"),
    pytest.param("-1", None, id="negative"),
    pytest.param("12.345", None, id="three-decimals"),
])
def test_max_travel_setting(workspace, setting, expected):
    from kokemus_docs.core.errors import WorkspaceError
    from kokemus_docs.core.workspace import DEFAULT_CONFIG, Workspace

    written = f'"{setting}"' if isinstance(setting, str) else str(setting)
    (workspace.root / "kokemus.toml").write_text(
        DEFAULT_CONFIG.replace('max_travel_eur = "200.00"', f"max_travel_eur = {written}"), encoding="utf-8")
    if expected is None:  # refused when the workspace opens, before anything is read or written
        with pytest.raises(WorkspaceError) as info:
            Workspace.open(workspace.root)
        assert info.value.exit_code == 2 and "forms.max_travel_eur" in info.value.message
    else:
        travel = Workspace.open(workspace.root).max_travel_eur
        assert travel == expected and str(travel) == f"{expected:.2f}"


# --- fee_for: one row's fee, rule by rule, apart from parsing -------------------------------------------
HOURLY = FeeRate("group", "hour", Decimal("27.50"), date(2026, 1, 1))
PER_SESSION = FeeRate("individual", "session", Decimal("50.00"), date(2026, 1, 1))


def work(status: str, *, minutes: int = 90, cancelled_at: datetime | None = None) -> WorkRow:
    return WorkRow(1, work_date=date(2026, 10, 14), start=time(10), end=time(11, 30), minutes=minutes,
                   task="group", status=status, cancelled_at=cancelled_at)


@pytest.mark.parametrize("row_of_work, rate, fee", [
    pytest.param(work("held"), HOURLY, "41.25", id="rule-1-by-the-hour"),
    pytest.param(work("held"), PER_SESSION, "50.00", id="rule-1-per-session"),
    pytest.param(work("held", minutes=1), HOURLY, "0.46", id="rule-1-one-minute-rounds-half-up"),
    pytest.param(work("cancelled_late", cancelled_at=datetime(2026, 10, 13, 15, 0)), HOURLY, "0.00",
                 id="rule-3-cancelled-at-15.00-the-day-before-is-in-time"),
    pytest.param(work("cancelled_in_time", cancelled_at=datetime(2026, 10, 13, 15, 1)), HOURLY, "41.25",
                 id="rule-3-cancelled-at-15.01-is-late-whatever-was-typed"),
    pytest.param(work("no_show"), PER_SESSION, "50.00", id="rule-4-client-did-not-come"),
    pytest.param(work("group_no_participants"), HOURLY, "41.25", id="rule-5-group-without-participants"),
    pytest.param(work("group_terminated"), HOURLY, "0.00", id="rule-5-group-ended"),
    pytest.param(work("expert_ill"), HOURLY, "0.00", id="rule-6-expert-ill"),
])
def test_fee_for_reads_like_the_fee_rules(row_of_work, rate, fee):
    assert fee_for(row_of_work, rate) == Decimal(fee)


def test_fee_for_takes_the_cutoff():
    cancelled = work("cancelled_in_time", cancelled_at=datetime(2026, 10, 13, 16, 0))
    assert fee_for(cancelled, PER_SESSION, time(17, 0)) == Decimal("0.00")
    assert fee_for(cancelled, PER_SESSION, time(15, 0)) == Decimal("50.00")


def test_an_hourly_fee_without_the_time_worked_is_refused():
    with pytest.raises(ValueError):
        fee_for(work("held", minutes=None), HOURLY)
