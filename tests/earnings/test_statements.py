"""Yearly earnings statements by payment date: sums as closed, corrections on the later date, fi/sv, files."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import date
from decimal import Decimal

import pdfplumber
import pytest
from click.testing import CliRunner
from ledgerfill import add_form, fill_sample_ledger, line
from openpyxl import load_workbook

from kokemus_docs.cli import cli
from kokemus_docs.core.formatting import fi_date
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.earnings.documents import statement_path, write_statements
from kokemus_docs.earnings.paid import year_pay_months
from kokemus_docs.pay.corrections import compare
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.register.sample import write_sample_register

D = date


@pytest.fixture
def reg(register):
    """The conftest register; KA-001 has asked to be warned above 300 € a month."""
    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"], earnings_limit_eur=Decimal("300.00"))
    return register


@pytest.fixture
def closed(workspace, reg):
    """October 2026 and November 2026 work; October's payroll closed (paid 30.11.2026), November's open."""
    write_sample_register(workspace.register_path, reg)
    fill_sample_ledger(workspace.ledger_path)
    with Ledger(workspace.ledger_path) as ledger:
        add_form(ledger, "S-2026-001", "KA-001", "MTP-PORVOO", "2026-11", [
            line(1, D(2026, 11, 2), "individual", "held", "50.00", income_type="210"),
            line(2, D(2026, 11, 9), "development", "held", "200.00", basis="event", hours="2.5", income_type="210"),
        ])
    assert write_payroll(workspace, reg, Month("2026-10"), close=True).extra["closed"]
    return workspace


def summary_by_expert(path) -> dict[str, dict[str, Decimal]]:
    """Fees per income type and travel per expert, read from a payroll workbook's summary sheet."""
    rows = list(load_workbook(path)["Yhteenveto"].iter_rows(values_only=True))
    header = rows[0]
    found: dict[str, dict[str, Decimal]] = {}
    for values in rows[1:-1]:
        row = dict(zip(header, values, strict=True))
        entry = found.setdefault(row["Asiantuntija-ID / Expert-ID"], {"travel": Decimal("0")})
        code = row["Tulolaji / Inkomstslag"]
        entry[code] = entry.get(code, Decimal("0")) + Decimal(str(row["Palkkiot / Arvoden"]))
        entry["travel"] += Decimal(str(row["Matkat / Resor"]))
    return found


def pdf_text(path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_payment_dates_of_a_year_are_the_payroll_months_paid_in_it():
    assert year_pay_months(2026) == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]


def test_statement_sums_equal_the_closed_payroll_workbooks_month_by_month(closed, reg):
    # a second closed month: November work, closed too
    with Ledger(closed.ledger_path) as ledger:
        add_form(ledger, "S-2026-012", "KA-012", "MTP-PORVOO", "2026-09", [
            line(1, D(2026, 9, 3), "lecture", "held", "150.00", basis="event", income_type="214")], pay_month="2026-11",
            late=True)
    assert write_payroll(closed, reg, Month("2026-11"), close=True).extra["closed"]
    # the register changes after closing: the statement still shows what the closed months paid
    changed = dataclasses.replace(reg, fees=[dataclasses.replace(f, income_type="336") for f in reg.fees])
    outcome = write_statements(closed, changed, 2026)
    statements = {s["expert_id"]: s for s in outcome.extra["statements"]}
    for month, paid_on in (("2026-10", "2026-11-30"), ("2026-11", "2026-12-31")):
        workbook = summary_by_expert(closed.output("payroll", f"payroll_{month}.xlsx"))
        assert workbook
        for expert_id, amounts in workbook.items():
            [payment] = [p for p in statements[expert_id]["payments"] if p["payment_date"] == paid_on]
            assert payment["paid"] is True and payment["work_month"] == month
            expected = {code: f"{fee:.2f}" for code, fee in amounts.items() if code != "travel"}
            assert payment["by_income_type"] == expected
            assert payment["travel_eur"] == f"{amounts['travel']:.2f}"
            assert Decimal(payment["fee_eur"]) == sum(Decimal(v) for v in expected.values())
    assert outcome.ok


def test_open_month_is_expected_and_sums_hours_days_and_limit(closed, reg):
    outcome = write_statements(closed, reg, 2026, expert_ids=("KA-001",))
    [statement] = outcome.extra["statements"]
    assert statement["limit_eur"] == "300.00"
    october, november = statement["payments"]
    # October: 192,50 (210) + 150,00 (214 from the fee table), travel 12,40; the rows paid: 5 on 5 days
    assert october == {"payment_date": "2026-11-30", "work_month": "2026-10", "paid": True, "fee_eur": "342.50",
                       "travel_eur": "12.40", "hours": "6.50", "days": 5,
                       "by_income_type": {"210": "192.50", "214": "150.00"}, "over_limit": True}
    assert november == {"payment_date": "2026-12-31", "work_month": "2026-11", "paid": False, "fee_eur": "250.00",
                        "travel_eur": "0.00", "hours": "3.50", "days": 2, "by_income_type": {"210": "250.00"},
                        "over_limit": False}
    assert (statement["fee_eur"], statement["travel_eur"]) == ("592.50", "12.40")
    text = pdf_text(statement_path(closed, outcome_statement(closed, reg, "KA-001"), ".pdf"))
    assert "maksettu" in text and "odotettu" in text and "Odotettu: kuukautta ei ole vielä suljettu" in text
    assert "342,50 € *" in text and "Yli ilmoittamasi kuukausirajan" in text


def outcome_statement(ws, reg, expert_id):
    from kokemus_docs.earnings.statement import collect_statements

    [statement], _ = collect_statements(ws, reg, 2026, (expert_id,))
    return statement


def test_correction_after_close_counts_on_the_later_payment_date(closed, reg):
    """A corrected October form received after October was closed: what it pays more is paid on 31.12.2026
    (November's payroll), not on 30.11.2026; a new row brings its hours and day, a row already paid only money."""
    with Ledger(closed.ledger_path) as ledger:
        form_id = "S-2026-004_2026-10"
        paid = ledger.lines_of([form_id])[form_id]
        corrected = [dataclasses.replace(paid[0], fee_eur=Decimal("75.00")),  # the same row now pays 25 more
                     line(2, D(2026, 10, 29), "development", "held", "300.00", basis="event", hours="3",
                          income_type="210")]
        additional, withdrawn = compare(paid, [], corrected)
        with ledger.transaction():
            submission = ledger.record_submission(sha256="x", file_name="c.pdf", received_on=D(2026, 11, 20),
                                                  status="replaced", form_id=form_id, problems=[])
            ledger.store_adjustments(form_id, submission, Month("2026-11"), D(2026, 11, 20), additional, withdrawn)
    [statement] = write_statements(closed, reg, 2026, expert_ids=("KA-004",)).extra["statements"]
    october, november = statement["payments"]
    assert (october["payment_date"], october["fee_eur"], october["hours"], october["days"]) == (
        "2026-11-30", "50.00", "1.00", 1)
    assert (november["payment_date"], november["paid"], november["fee_eur"], november["hours"], november["days"]) == (
        "2026-12-31", False, "325.00", "3.00", 1)
    assert november["work_month"] == "2026-11"


def test_one_experts_statement_is_the_same_as_in_everyones(closed, reg):
    everyone = {s["expert_id"]: s for s in write_statements(closed, reg, 2026).extra["statements"]}
    for expert_id in ("KA-001", "KA-002", "KA-012"):
        [alone] = write_statements(closed, reg, 2026, expert_ids=(expert_id,)).extra["statements"]
        assert alone == everyone[expert_id]


def test_swedish_experts_statement_is_swedish(closed, reg):
    outcome = write_statements(closed, reg, 2026, expert_ids=("KA-012",), formats=("pdf", "xlsx"))
    pdf, workbook = outcome.written
    text = pdf_text(pdf)
    assert "Arvoden per betalningsdag 2026" in text and "Personbeteckning" in text and "betald" in text
    assert "Betalningsdag" in text and "Resekostnader" in text and "(skattefria)" in text and "Status" in text
    assert "Palkkiot" not in text and "Maksupäivä" not in text
    sheet = load_workbook(workbook).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Arvoden per betalningsdag 2026" in cells and reg.experts["KA-012"].hetu in cells


def test_files_are_private_name_and_hetu_print_as_typed_and_text_is_at_least_8_pt(closed, reg):
    outcome = write_statements(closed, reg, 2026, expert_ids=("KA-001",), formats=("pdf", "xlsx"))
    expert = reg.experts["KA-001"]
    pdf, workbook = outcome.written
    assert pdf.name == "KA-001_O_Brien__Ström.pdf" and workbook.suffix == ".xlsx"
    for path in outcome.written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (pdf.parent, pdf.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    text = pdf_text(pdf)
    assert expert.full_name in text and expert.hetu in text
    with pdfplumber.open(pdf) as doc:
        sizes = {round(c["size"], 1) for page in doc.pages for c in page.chars}
        fonts = {c["fontname"].split("+")[-1] for page in doc.pages for c in page.chars}
    assert min(sizes) >= 8 and fonts <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert not list(pdf.parent.glob(".*"))  # no temporary files left behind


def test_a_long_statement_goes_on_over_pages_with_the_header_again_and_loses_no_row(closed, reg):
    """Twelve payment dates, each paid by eleven units with long names: every row, the header on each page, and
    the totals."""
    from kokemus_docs.core.model import Unit

    for number in range(1, 12):
        unit_id = f"U-{number:02d}"
        reg.units[unit_id] = Unit(unit_id, f"Pitkän nimen yksikkö numero {number} & <Ö>", f"Enhet {number}",
                                  f"9{number:02d}", "Yhteys")
    with Ledger(closed.ledger_path) as ledger:
        for month in year_pay_months(2026):
            if month in ("2026-10", "2026-11"):
                continue
            for number in range(1, 12):
                add_form(ledger, f"S-{number:02d}", "KA-002", f"U-{number:02d}", month, [
                    line(1, D(int(month[:4]), int(month[5:]), number), "individual", "held", "50.00",
                         income_type="210")])
    [pdf] = write_statements(closed, reg, 2026, expert_ids=("KA-002",)).written
    with pdfplumber.open(pdf) as doc:
        pages = [page.extract_text() or "" for page in doc.pages]
    assert len(pages) >= 2
    assert all("Maksupäivä" in page for page in pages)  # the table's header again on every page
    text = "\n".join(pages)
    for month in year_pay_months(2026)[:-1]:  # KA-002 has nothing paid on 31.12.2026
        assert fi_date(payment_date(month)) in text, month
    assert "Yhteensä" in pages[-1] and "Sivu 1" in pages[0] and f"Sivu {len(pages)}" in pages[-1]


def test_unicode_name_survives(closed, reg):
    reg.experts["KA-004"] = dataclasses.replace(reg.experts["KA-004"], first_name="Łukasz",
                                                last_name="Nguyễn-Čačić")
    [pdf] = write_statements(closed, reg, 2026, expert_ids=("KA-004",)).written
    assert pdf.name == "KA-004_Nguyễn-Čačić.pdf"
    assert "Łukasz Nguyễn-Čačić" in pdf_text(pdf)


def test_expert_without_payments_gets_an_empty_statement_when_named(closed, reg):
    outcome = write_statements(closed, reg, 2025, expert_ids=("KA-003",))
    [statement] = outcome.extra["statements"]
    assert statement["payments"] == [] and statement["fee_eur"] == "0.00"
    assert "Vuodelle 2025 ei ole" in pdf_text(outcome.written[0]) or "För år 2025 finns inga" in pdf_text(
        outcome.written[0])


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), "statements", *args])


def test_cli_json_exit_codes_and_no_hetu_on_the_terminal(closed, reg):
    result = run(closed, "--year", "2026", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] and payload["written"][0].startswith("outputs/statements/2026/")
    assert set(payload["statements"][0]) == {"expert_id", "year", "limit_eur", "payments", "fee_eur", "travel_eur"}
    plain = run(closed, "--year", "2026", "--format", "pdf,xlsx")
    assert plain.exit_code == 0
    assert not any(e.hetu in plain.output for e in reg.experts.values())
    assert run(closed, "--year", "2026", "--expert", "KA-999").exit_code == 1
    assert run(closed, "--year", "1999").exit_code == 2
    assert run(closed, "--year", "2026", "--format", "docx").exit_code == 2


def test_a_statement_write_that_fails_leaves_no_half_file(closed, reg, monkeypatch):
    from kokemus_docs.earnings import documents

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(documents, "write_bytes_atomic", broken)
    outcome = write_statements(closed, reg, 2026, expert_ids=("KA-001", "KA-004"))
    assert [p.code for p in outcome.errors] == ["write-failed", "write-failed"]
    assert not os.listdir(closed.output("statements", "2026"))
