"""What the month page shows, computed without Flask."""

from __future__ import annotations

import dataclasses
import os

from kokemus_docs.core.month import Month
from kokemus_docs.documents.assignments import render_contracts, render_intro_packs
from kokemus_docs.forms.issue import issue_forms
from kokemus_docs.pay.notices import notice_path
from kokemus_docs.register.sample import write_sample_register
from kokemus_docs.web.overview import month_overview, row_files, unit_notice_months

MONTH = Month("2026-10")


def test_row_files_are_named_as_the_writers_name_them(workspace, register):
    # a last name longer than a file name keeps: the contract's file name has it cut
    long_name = "Nguyễn-Čačić-Łukasz" * 12
    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"], last_name=long_name)
    write_sample_register(workspace.register_path, register)
    contracts = render_contracts(workspace, register, expert_ids=["KA-001"])
    packs = render_intro_packs(workspace, register, expert_ids=["KA-001"])
    forms = issue_forms(workspace, register, month=MONTH, expert_ids=("KA-001",))
    view = month_overview(workspace, register, MONTH)
    rows = [row for row in view.rows if row.expert_id == "KA-001"]
    assert rows and all(row.issued for row in rows)
    files = row_files(workspace, register, rows, MONTH)
    written = {workspace.rel(p) for p in contracts.written + packs.written + forms.written}
    for row in rows:
        listed = files[row.form_id]
        assert f"outputs/forms/{MONTH}/{row.form_id}.pdf" in listed
        contract = next(rel for rel in listed if rel.startswith("outputs/contracts/") and rel.endswith(".docx"))
        pack = next(rel for rel in listed if rel.startswith("outputs/intro-packs/") and rel.endswith(".docx"))
        assert {contract, pack} <= written and contract.startswith(f"outputs/contracts/{row.contract_id}_Nguy")
        assert contract.replace(".docx", ".pdf") in listed and pack.replace(".docx", ".pdf") in listed


def test_a_units_notice_months_are_found_by_the_writers_file_names(workspace):
    for month, unit_id in (("2026-10", "MTP-PORVOO"), ("2026-11", "_SIPOO.")):
        path = notice_path(workspace, month, unit_id, "fi")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK")
    stray = workspace.output("notices", "2026-09", "MTP-PORVOO_old.docx")  # not a notice the writer names
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"PK")
    assert [m["month"] for m in unit_notice_months(workspace, "MTP-PORVOO")] == ["2026-10"]
    # the file name of unit '_SIPOO.' is SIPOO_fi.docx: found for that unit, never for a unit 'SIPOO'
    assert [m["month"] for m in unit_notice_months(workspace, "_SIPOO.")] == ["2026-11"]
    assert unit_notice_months(workspace, "VAMPA-SIPOO") == []


def _ingest_by_hand(workspace, register, contract_id: str, work_day: int):
    """An accepted form recorded as ingest records one (a submission and the form, one transaction)."""
    from datetime import date

    from ledgerfill import add_form, line

    from kokemus_docs.core.ledger import Ledger

    contract = register.contracts[contract_id]
    with Ledger(workspace.ledger_path) as ledger:
        add_form(ledger, contract_id, contract.expert_id, contract.unit_id, str(MONTH),
                 [line(1, date(2026, 10, work_day), "individual", "held", "50.00")])


def test_the_charts_are_never_stale_after_a_form_is_ingested(workspace, register):
    from kokemus_docs.web.overview import cached_year_figures, register_check

    check = register_check(workspace)
    contracts = sorted(c.contract_id for c in register.contracts.values())
    _ingest_by_hand(workspace, register, contracts[0], 5)
    before = cached_year_figures(workspace, check, MONTH.year).by_month[10].tasks
    # the ledger file's size and time are put back: only its content says that the forms changed
    stat = workspace.ledger_path.stat()
    _ingest_by_hand(workspace, register, contracts[1], 6)
    os.utime(workspace.ledger_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cached_year_figures(workspace, check, MONTH.year).by_month[10].tasks == before + 1


def test_the_charts_are_not_computed_again_when_the_forms_did_not_change(workspace, register, monkeypatch):
    from kokemus_docs.accounts import logins
    from kokemus_docs.indicators import workbook
    from kokemus_docs.web.overview import cached_year_figures, register_check

    check = register_check(workspace)
    _ingest_by_hand(workspace, register, sorted(register.contracts)[0], 5)
    computed = []
    real = workbook.year_figures
    monkeypatch.setattr(workbook, "year_figures", lambda *args: computed.append(1) or real(*args))
    first = cached_year_figures(workspace, check, MONTH.year)
    # other writes to the ledger (a login, its session, the audit log) leave the charts as they are
    logins.add_user(workspace, "helena", "coordinator", password="a long enough password 1")
    assert cached_year_figures(workspace, check, MONTH.year) is first
    assert len(computed) == 1
