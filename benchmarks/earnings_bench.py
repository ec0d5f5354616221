"""The earnings section of bench.py: a year of work for N experts in a copy of the workspace's ledger, and the
coordinator's statements page for that year against the month page in the same run.

`fill_year` puts two lines per expert and payroll month in the ledger (also used by the statements section).
`statements_page_speed` closes the first half of the year's payroll months (their kept copies are what the
page reads for them) and times /statements/<year> and /months/<month>: medians of 5 after a warm-up, and the
ratio of the statements page to the month page. `month_page_speed` times the month page on such a year: requests
that changed nothing (its charts come from the cache) against requests that each follow a newly stored form (the
charts are computed again, as every request did while the cache was keyed on the ledger file's time).
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from kokemus_docs.core.month import Month

YEAR = 2026
MONTH = Month("2026-03")


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _timed(call, runs: int = 5) -> float:
    """Median wall-clock seconds of `runs` calls after a warm-up."""
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return _median(times)


def fill_year(ws, register, months: list[Month]) -> None:
    """Two paid lines (a session and a lecture) per contract in each of `months`, one transaction a month."""
    from kokemus_docs.core.ledger import Ledger
    from kokemus_docs.core.records import FormRecord, LedgerLine

    contracts = sorted(register.contracts.values(), key=lambda c: c.contract_id)
    with Ledger(ws.ledger_path) as ledger:
        for month in months:
            year, number = int(month[:4]), int(month[5:])
            with ledger.transaction():
                for index, contract in enumerate(contracts):
                    form_id = f"{contract.contract_id}_{month}"
                    submission = ledger.record_submission(sha256=form_id, file_name=f"{form_id}.pdf",
                                                          received_on=date(year, number, 28), status="accepted",
                                                          form_id=form_id, problems=[])
                    lines = [LedgerLine(row=1, work_date=date(year, number, 1 + index % 27), start="9.00",
                                        end="10.00", task="individual", status="held", hours=Decimal("1"),
                                        participants=None, payable=True, basis="session", rate_eur=Decimal("50.00"),
                                        fee_eur=Decimal("50.00"), travel_eur=Decimal("0"), income_type="210"),
                             LedgerLine(row=2, work_date=date(year, number, 2 + index % 26), start="13.00",
                                        end="14.30", task="lecture", status="held", hours=Decimal("1.5"),
                                        participants=20, payable=True, basis="event", rate_eur=Decimal("150.00"),
                                        fee_eur=Decimal("150.00"), travel_eur=Decimal("0"), income_type="214")]
                    ledger.store_form(FormRecord(form_id, contract.contract_id, contract.expert_id, contract.unit_id,
                                                 month, month, date(year, number, 28)), lines, submission)


def statements_page_speed(root: Path, load, client_factory) -> dict:
    """The section's measurements on a copy of `root`; `client_factory(root)` gives a logged-in coordinator's
    Flask test client, `load(root)` the workspace and its register."""
    from kokemus_docs.earnings.paid import year_pay_months
    from kokemus_docs.pay.payroll import write_payroll

    year_root = root.parent / "statements-page"
    shutil.rmtree(year_root, ignore_errors=True)
    shutil.copytree(root, year_root, ignore=shutil.ignore_patterns("outputs", "ledger.sqlite*"))
    try:
        ws, register = load(year_root)
        months = year_pay_months(YEAR)
        fill_year(ws, register, months)
        closed = months[: len(months) // 2]
        for month in closed:
            write_payroll(ws, register, month, close=True)
        client = client_factory(year_root)
        page = client.get(f"/statements/{YEAR}")
        if page.status_code != 200:
            raise RuntimeError(f"/statements/{YEAR}: HTTP {page.status_code}")
        month_page = _timed(lambda: client.get(f"/months/{MONTH}"))
        statements_page = _timed(lambda: client.get(f"/statements/{YEAR}"))
    finally:
        shutil.rmtree(year_root, ignore_errors=True)
    return {"experts": len(register.experts), "payment_dates": len(months), "closed_months": len(closed),
            "month_page_s": month_page, "statements_page_s": statements_page,
            "ratio_statements_page_to_month_page": statements_page / month_page,
            "seconds": statements_page, "documents": 1, "complete": True}


def _store_again(ws, register, month: Month, counter: list[int]) -> None:
    """One form of `month` stored again as a replacement (a new submission): the forms have changed."""
    from kokemus_docs.core.ledger import Ledger

    contract = sorted(register.contracts.values(), key=lambda c: c.contract_id)[counter[0] % len(register.contracts)]
    counter[0] += 1
    form_id = f"{contract.contract_id}_{month}"
    with Ledger(ws.ledger_path) as ledger, ledger.transaction():
        form = ledger.form(form_id)
        lines = ledger.lines_of([form_id])[form_id]
        submission = ledger.record_submission(sha256=f"{form_id}-{counter[0]}", file_name=f"{form_id}.pdf",
                                              received_on=date(YEAR, 12, 1), status="replaced", form_id=form_id,
                                              problems=[])
        ledger.store_form(form, lines, submission)


def month_page_speed(root: Path, load, client_factory) -> dict:
    """The month page on a year of N experts' work: unchanged requests against requests after a stored form."""
    from kokemus_docs.earnings.paid import year_pay_months

    year_root = root.parent / "month-page"
    shutil.rmtree(year_root, ignore_errors=True)
    shutil.copytree(root, year_root, ignore=shutil.ignore_patterns("outputs", "ledger.sqlite*"))
    try:
        ws, register = load(year_root)
        fill_year(ws, register, year_pay_months(YEAR))
        client = client_factory(year_root)
        started = time.perf_counter()
        status = client.get(f"/months/{MONTH}").status_code
        first = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"/months/{MONTH}: HTTP {status}")
        unchanged = _timed(lambda: client.get(f"/months/{MONTH}"))
        counter, after_change = [0], []
        for _ in range(5):
            _store_again(ws, register, MONTH, counter)
            started = time.perf_counter()
            client.get(f"/months/{MONTH}")
            after_change.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(year_root, ignore_errors=True)
    changed = _median(after_change)
    return {"experts": len(register.experts), "first_request_s": first, "unchanged_s": unchanged,
            "after_new_form_s": changed, "ratio_after_new_form_to_unchanged": changed / unchanged,
            "seconds": unchanged, "documents": 1, "complete": True}
