"""Closing a payroll month: atomic under a kill at every step, and never rebuilt from a ledger that lost it."""

from __future__ import annotations

import errno
import os
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from faults import dying_at, exit_code_in_child
from ledgerfill import MONTH, add_form, fill_sample_ledger, line
from openpyxl import load_workbook

from kokemus_docs.cli import cli
from kokemus_docs.core.errors import MonthClosed
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.pay import closing
from kokemus_docs.pay.closing import closed_copy_path, closing_copy_path, payroll_path
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.register.sample import write_sample_register

CLOSED_FACT = "Kuukausi suljettu / Månaden stängd"


@pytest.fixture
def filled(workspace):
    fill_sample_ledger(workspace.ledger_path)
    return workspace


def says_closed(path) -> bool:
    facts = {row[0]: row[1] for row in load_workbook(path)["Tiedot"].iter_rows(values_only=True) if row and row[0]}
    return str(facts[CLOSED_FACT]).startswith("kyllä")


def is_closed(ws) -> bool:
    with Ledger(ws.ledger_path) as ledger:
        return ledger.is_closed(MONTH)


def test_a_close_killed_after_every_step_leaves_workbook_and_ledger_agreeing_and_a_rerun_completes_it(
        filled, register, tmp_path):
    """A forked `payroll --close` ends abruptly (os._exit, no clean-up) right after its k-th step, for every k:
    the kept copy written, the open month's draft removed, the ledger's commit, the workbook delivered, the copy
    made final. Whatever is on disk then never says "closed" while the ledger month is open, and the next run
    completes the close exactly as an uninterrupted one."""
    write_payroll(filled, register, MONTH)  # a draft of the open month is out
    template = tmp_path / "template"
    shutil.copytree(filled.root, template)

    def copy(name: str) -> Workspace:
        shutil.copytree(template, tmp_path / name)
        return Workspace.open(tmp_path / name)

    clean_ws = copy("clean")
    clean = write_payroll(clean_ws, register, MONTH, close=True)
    assert clean.ok

    def die_after(step: int) -> None:
        point = dying_at(step)
        closing.write_copy = point(closing.write_copy)
        closing.remove_draft = point(closing.remove_draft)
        closing.finish_close = point(closing.finish_close, before=True)  # right after the commit
        closing.deliver = point(closing.deliver)
        closing.settle_copy = point(closing.settle_copy)

    def cut_close(ws, step: int) -> None:
        die_after(step)
        write_payroll(ws, register, MONTH, close=True)

    step = 0
    while True:
        step += 1
        ws = copy(f"step{step}")
        code = exit_code_in_child(cut_close, ws, step)
        if code == 0:
            break
        assert code == 137
        target = payroll_path(ws, MONTH)
        if target.exists():
            assert says_closed(target) == is_closed(ws), step
        if not is_closed(ws):  # a form that arrives now still belongs to the open month
            assert not closed_copy_path(ws, MONTH).exists(), step
        again = write_payroll(ws, register, MONTH, close=True)
        assert again.ok and again.extra == clean.extra, step
        assert is_closed(ws) and says_closed(target), step
        assert closed_copy_path(ws, MONTH).is_file() and not closing_copy_path(ws, MONTH).exists(), step
        with Ledger(ws.ledger_path) as ledger, pytest.raises(MonthClosed):
            add_form(ledger, "S-2026-005", "KA-005", "VAMPA-SIPOO", MONTH,
                     [line(1, date(2026, 10, 30), "individual", "held", "50.00")])
        reprint = write_payroll(ws, register, MONTH)
        assert any("as it was at closing" in s for s in reprint.summary), step
        assert target.read_bytes() == closed_copy_bytes(ws), step
    assert step - 1 == 5


def closed_copy_bytes(ws) -> bytes:
    with Ledger(ws.ledger_path) as ledger:
        return closing.read_closed_copy(ws, ledger, MONTH).workbook


def test_a_close_that_cannot_write_its_copy_leaves_the_month_open_and_the_draft_in_place(filled, register,
                                                                                      monkeypatch):
    draft = write_payroll(filled, register, MONTH).written[0].read_bytes()

    def disk_full(target, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(closing, "write_copy", disk_full)
    with pytest.raises(OSError):
        write_payroll(filled, register, MONTH, close=True)
    assert not is_closed(filled)
    assert payroll_path(filled, MONTH).read_bytes() == draft
    assert sorted(os.listdir(closed_copy_path(filled, MONTH).parent)) == []


@pytest.mark.parametrize("ledger_state", ["empty", "restored from before the close"])
def test_a_closed_month_is_never_rebuilt_from_a_ledger_that_does_not_know_the_close(filled, register, tmp_path,
                                                                                   ledger_state):
    backup = tmp_path / "before-close.sqlite"
    with Ledger(filled.ledger_path) as ledger:
        ledger.db.execute(f"VACUUM INTO '{backup}'")
    assert write_payroll(filled, register, MONTH, close=True).ok
    delivered = payroll_path(filled, MONTH).read_bytes()
    kept = closed_copy_path(filled, MONTH).read_bytes()
    for suffix in ("", "-wal", "-shm"):
        filled.ledger_path.with_name(filled.ledger_path.name + suffix).unlink(missing_ok=True)
    if ledger_state == "empty":
        filled.ledger_path.touch()  # started anew on purpose
    else:
        shutil.copyfile(backup, filled.ledger_path)
    write_sample_register(filled.register_path, register)

    result = CliRunner().invoke(cli, ["-w", str(filled.root), "payroll", "--month", MONTH])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert f"Month {MONTH} was closed on" in message
    assert ".kokemus/closed/payroll_2026-10.json holds its workbook" in message
    assert "ledger .kokemus/ledger.sqlite has no record of that close" in message
    assert "Restore the ledger from a backup made after the close" in message
    assert payroll_path(filled, MONTH).read_bytes() == delivered
    assert closed_copy_path(filled, MONTH).read_bytes() == kept
    result = CliRunner().invoke(cli, ["-w", str(filled.root), "payroll", "--month", MONTH, "--close"])
    assert result.exit_code == 2
    assert payroll_path(filled, MONTH).read_bytes() == delivered
    assert closed_copy_path(filled, MONTH).read_bytes() == kept
