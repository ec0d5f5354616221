"""The coordinator's list of a year's statements: the same payment counts and totals as the statements, read in
one ledger query and the closed months' kept copies instead of building every expert's statement."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from ledgerfill import add_form, fill_sample_ledger, line

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.earnings import statement as statements
from kokemus_docs.earnings.statement import collect_statements, year_totals
from kokemus_docs.pay.corrections import compare
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.register.sample import write_sample_register

D = date


@pytest.fixture
def year(workspace, register):
    """October 2026 closed (kept copy); November open with a correction to October paid in it as an adjustment,
    a travel-only line of a cancelled session, a line paying nothing, and a form of an expert not in the
    register; a December 2025 form (paid in January 2026) closed without a kept copy."""
    write_sample_register(workspace.register_path, register)
    fill_sample_ledger(workspace.ledger_path)
    with Ledger(workspace.ledger_path) as ledger:
        add_form(ledger, "S-2026-001", "KA-001", "MTP-PORVOO", "2026-11", [
            line(1, D(2026, 11, 2), "individual", "held", "50.00", income_type="210"),
            line(2, D(2026, 11, 4), "individual", "cancelled_late", "50.00", travel="8.20", income_type="210"),
            line(3, D(2026, 11, 6), "individual", "cancelled", "50.00", income_type="210"),
        ])
        add_form(ledger, "S-2026-099", "KA-999", "MTP-PORVOO", "2026-11", [
            line(1, D(2026, 11, 3), "individual", "held", "50.00", income_type="210")])
        add_form(ledger, "S-2026-002", "KA-002", "MTP-PORVOO", "2025-12", [
            line(1, D(2025, 12, 3), "individual", "held", "50.00", income_type="210")])
        ledger.close_month(Month("2025-12"))
    assert write_payroll(workspace, register, Month("2026-10"), close=True).extra["closed"]
    with Ledger(workspace.ledger_path) as ledger:
        form_id = "S-2026-004_2026-10"
        paid = ledger.lines_of([form_id])[form_id]
        corrected = [dataclasses.replace(paid[0], fee_eur=Decimal("75.00")),
                     line(2, D(2026, 10, 29), "development", "held", "300.00", basis="event", hours="3",
                          income_type="210")]
        additional, withdrawn = compare(paid, [], corrected)
        with ledger.transaction():
            submission = ledger.record_submission(sha256="x", file_name="c.pdf", received_on=D(2026, 11, 20),
                                                  status="replaced", form_id=form_id, problems=[])
            ledger.store_adjustments(form_id, submission, Month("2026-11"), D(2026, 11, 20), additional, withdrawn)
    return workspace


def test_the_list_shows_what_every_statement_sums(year, register):
    full, _ = collect_statements(year, register, 2026)
    listed = year_totals(year, register, 2026)
    assert [(t.expert.expert_id, t.payments, t.expected, t.fee, t.travel) for t in listed] == [
        (s.expert.expert_id, len(s.payments), len([p for p in s.payments if not p.paid]), s.fee, s.travel)
        for s in full]
    by_id = {t.expert.expert_id: t for t in listed}
    assert "KA-999" not in by_id  # not in the register: no statement, not listed
    # KA-004: 50.00 as closed in October, 325.00 expected in November
    assert (by_id["KA-004"].payments, by_id["KA-004"].expected, by_id["KA-004"].fee) == (2, 1, Decimal("375.00"))
    assert by_id["KA-001"].travel == Decimal("20.60")  # October's 12.40 as closed, November's 8.20 expected
    assert by_id["KA-002"].payments == 2  # December 2025 paid in January, the late September form in October


def test_the_list_builds_no_statement_and_reads_the_ledger_once(year, register, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the list must not build each expert's payments")

    monkeypatch.setattr(statements, "month_payments", refuse)
    calls = []
    with Ledger(year.ledger_path) as ledger:
        ledger.db.set_trace_callback(calls.append)
        ledger.pay_month_totals([Month("2026-10"), Month("2026-11")])
    assert len([c for c in calls if c.lstrip().upper().startswith("SELECT")]) == 1
    assert year_totals(year, register, 2026)


def test_a_damaged_amount_is_named_not_summed(year, register):
    with Ledger(year.ledger_path) as ledger:
        ledger.db.execute("UPDATE lines SET fee_eur = 'lots' WHERE form_id = 'S-2026-001_2026-11' AND row = 1")
    with pytest.raises(Exception, match="damaged"):
        year_totals(year, register, 2026)
