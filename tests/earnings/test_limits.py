"""The declared monthly limit: near (from 80 %), over (above 100 %), and three payment months in a row over it."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from ledgerfill import add_form, line
from openpyxl import load_workbook

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.earnings.limits import expected_text, limit_state
from kokemus_docs.pay.paymonth import collect_pay_month
from kokemus_docs.pay.payroll import write_payroll

LIMIT = Decimal("1000.00")


@pytest.mark.parametrize("fee,state", [
    pytest.param("799.99", None, id="below-80-percent"),
    pytest.param("800.00", "near-limit", id="exactly-80-percent"),
    pytest.param("1000.00", "near-limit", id="exactly-the-limit-is-not-over"),
    pytest.param("1000.01", "over-limit", id="a-cent-over"),
])
def test_limit_state_at_its_edges(fee, state):
    assert limit_state(Decimal(fee), LIMIT) == state
    assert limit_state(Decimal(fee), None) is None


@pytest.fixture
def limited(workspace, register):
    register.experts["KA-004"] = dataclasses.replace(register.experts["KA-004"], earnings_limit_eur=LIMIT)
    return workspace, register


def pay(ledger, month: str, amounts: list[str], contract_id: str = "S-2026-004", unit_id: str = "IKÄ-PORVOO"):
    """Expert KA-004's form for `month`, one development row per amount (income type 210)."""
    year, number = int(month[:4]), int(month[5:])
    add_form(ledger, contract_id, "KA-004", unit_id, month, [
        line(row, date(year, number, row), "development", "held", amount, basis="event", income_type="210")
        for row, amount in enumerate(amounts, start=1)])


def codes(ws, register, month):
    with Ledger(ws.ledger_path) as ledger:
        found = collect_pay_month(ledger, register, Month.parse(month))
    return [(f.code, f.months) for f in found.limits], found


@pytest.mark.parametrize("months,expected", [
    pytest.param({"2026-08": "1000.01", "2026-09": "1000.01", "2026-10": "1000.01"},
                 [("over-limit", 1), ("over-limit-3", 3)], id="three-in-a-row"),
    pytest.param({"2026-07": "1200", "2026-08": "1200", "2026-09": "1200", "2026-10": "1200"},
                 [("over-limit", 1), ("over-limit-3", 4)], id="four-in-a-row"),
    pytest.param({"2026-09": "1000.01", "2026-10": "1000.01"}, [("over-limit", 1)], id="two-in-a-row"),
    pytest.param({"2026-08": "1000.01", "2026-09": "1000.00", "2026-10": "1000.01"}, [("over-limit", 1)],
                 id="one-month-at-the-limit-breaks-the-row"),
    pytest.param({"2026-08": "1500", "2026-10": "1500"}, [("over-limit", 1)], id="a-month-without-pay-breaks-it"),
    pytest.param({"2026-08": "1500", "2026-09": "1500", "2026-10": "900"}, [("near-limit", 1)],
                 id="this-month-near-only"),
])
def test_three_payment_months_in_a_row(limited, months, expected):
    ws, register = limited
    with Ledger(ws.ledger_path) as ledger:
        for month, amount in months.items():
            pay(ledger, month, [amount])
    found, _ = codes(ws, register, "2026-10")
    assert found == expected


def test_fees_of_every_unit_and_income_type_and_corrections_count_together(limited):
    ws, register = limited
    with Ledger(ws.ledger_path) as ledger:
        pay(ledger, "2026-10", ["300.00"])
        add_form(ledger, "S-X", "KA-004", "MTP-PORVOO", "2026-10", [
            line(1, date(2026, 10, 9), "lecture", "held", "150.00", basis="event", income_type="214",
                 travel="150.00")])
        # a late September form paid with October's payroll
        add_form(ledger, "S-2026-004", "KA-004", "IKÄ-PORVOO", "2026-09", [
            line(1, date(2026, 9, 9), "development", "held", "350.00", basis="event", income_type="210")],
            pay_month="2026-10", late=True)
    found, month = codes(ws, register, "2026-10")
    assert found == [("near-limit", 1)] and month.limits[0].fee == Decimal("800.00")  # travel not counted


def test_payroll_warns_and_its_checks_sheet_lists_it_in_finnish_and_swedish(limited):
    ws, register = limited
    with Ledger(ws.ledger_path) as ledger:
        for month in ("2026-08", "2026-09", "2026-10"):
            pay(ledger, month, ["600.00", "600.00"])
    outcome = write_payroll(ws, register, Month("2026-10"))
    warned = [w for w in outcome.warnings if w.code in ("near-limit", "over-limit", "over-limit-3")]
    assert [w.code for w in warned] == ["over-limit", "over-limit-3"]
    assert warned[0].field == "earnings_limit_eur" and "KA-004" in warned[0].message
    assert "1 200,00 €" in warned[0].message.replace("\u00a0", " ")
    rows = list(load_workbook(ws.output("payroll", "payroll_2026-10.xlsx"))["Tarkistukset"].iter_rows(values_only=True))
    limit_rows = [r for r in rows if r[0] == "Asiantuntijan ilmoittama raja / Expertens angivna gräns"]
    assert len(limit_rows) == 2
    assert [r[1] for r in limit_rows] == ["KA-004", "KA-004"]
    fi, sv = limit_rows[0][5].replace("\u00a0", " "), limit_rows[0][6].replace("\u00a0", " ")
    assert fi == "Maksupäivänä 30.11.2026 maksettavat palkkiot 1 200,00 € ylittävät asiantuntijan rajan 1 000,00 €."
    assert sv == "Arvoden som betalas 30.11.2026: 1 200,00 €, över expertens gräns 1 000,00 €."
    assert "3 maksukuukautena peräkkäin" in limit_rows[1][5] and "3 utbetalningsmånader i rad" in limit_rows[1][6]


def test_no_limit_no_warning(workspace, register):
    with Ledger(workspace.ledger_path) as ledger:
        pay(ledger, "2026-10", ["5000.00"])
    found, _ = codes(workspace, register, "2026-10")
    assert found == []


def test_expected_payment_beside_the_limit_in_the_experts_language(register):
    finnish = dataclasses.replace(register.experts["KA-004"], earnings_limit_eur=LIMIT)
    swedish = dataclasses.replace(register.experts["KA-003"], earnings_limit_eur=LIMIT)
    day = date(2026, 12, 31)
    assert expected_text(finnish, day, Decimal("842.50")).replace("\u00a0", " ") == (
        "Odotettu maksu 31.12.2026: 842,50 €; ilmoittamasi raja 1 000,00 €. Se on vähintään 80 % rajastasi.")
    assert expected_text(swedish, day, Decimal("1200")).replace("\u00a0", " ") == (
        "Väntad utbetalning 31.12.2026: 1 200,00 €; din gräns 1 000,00 €. Det är över din gräns.")
    assert expected_text(register.experts["KA-004"], day, Decimal("842.50")) == ""
