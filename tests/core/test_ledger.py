"""A damaged ledger is named as damaged and never rebuilt; a full disk is named as a full disk."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from ledgerfill import MONTH, fill_sample_ledger

from kokemus_docs.cli import cli
from kokemus_docs.core.errors import LedgerDamaged, MonthClosed, ledger_error
from kokemus_docs.core.ledger import Ledger, one_connection, open_ledger
from kokemus_docs.core.month import Month


@pytest.fixture
def filled(workspace):
    fill_sample_ledger(workspace.ledger_path)
    return workspace


def tamper(ws, *statements: str) -> None:
    db = sqlite3.connect(ws.ledger_path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def tables(ws) -> set[str]:
    db = sqlite3.connect(ws.ledger_path)
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()


def payroll(ws, *extra: str):
    return CliRunner().invoke(cli, ["-w", str(ws.root), "payroll", "--month", MONTH, *extra])


def assert_damaged(result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())
    assert "The ledger is damaged" in text and "Restore .kokemus/ledger.sqlite from your latest backup" in text
    assert "0,00 €" not in text


@pytest.mark.parametrize("statements", [
    pytest.param(["DROP TABLE lines"], id="dropped-lines"),
    pytest.param(["DROP TABLE months"], id="dropped-months"),
    pytest.param(["DROP TABLE web_users"], id="dropped-web-users"),
    pytest.param(["DELETE FROM meta WHERE key = 'tables'", "DROP TABLE forms"], id="dropped-forms-older-ledger"),
])
def test_a_dropped_table_is_damage_and_is_not_recreated_empty(filled, statements):
    tamper(filled, *statements)
    before = tables(filled)
    assert_damaged(payroll(filled))
    assert tables(filled) == before
    assert not filled.output("payroll").exists()


@pytest.mark.parametrize("statement", [
    pytest.param("UPDATE lines SET fee_eur = 'lots' WHERE row = 1", id="amount"),
    pytest.param("UPDATE lines SET work_date = '2026-13-45' WHERE row = 1", id="date"),
    pytest.param("UPDATE forms SET warnings_json = '{not json' WHERE expert_id = 'KA-001'", id="json"),
    pytest.param("UPDATE forms SET late = 'x', signed_on = 5 WHERE expert_id = 'KA-004'", id="wrong-type"),
    pytest.param("UPDATE forms SET month = '2026-13' WHERE expert_id = 'KA-001'", id="month"),
    pytest.param("UPDATE meta SET value = 'one' WHERE key = 'schema_version'", id="schema-version-text"),
    pytest.param("UPDATE meta SET value = '0' WHERE key = 'schema_version'", id="schema-version-zero"),
    pytest.param("DELETE FROM meta WHERE key = 'schema_version'", id="schema-version-missing"),
    pytest.param("UPDATE meta SET value = '[\"meta\", 5]' WHERE key = 'tables'", id="table-list"),
])
def test_values_kokemus_never_writes_are_damage(filled, statement):
    tamper(filled, statement)
    assert_damaged(payroll(filled))
    assert not filled.output("payroll").exists()


@pytest.mark.parametrize("stored", ["2026-13", "2026-1", "", "../2026-10"])
def test_a_stored_pay_month_that_is_not_a_month_is_damage_on_the_month_page_too(filled, stored):
    form_id = "S-2026-001_2026-10"
    tamper(filled, f"UPDATE forms SET pay_month = '{stored}' WHERE form_id = '{form_id}'")
    with Ledger(filled.ledger_path) as ledger, pytest.raises(LedgerDamaged, match="holds a value it never writes"):
        ledger.form_states([form_id])


def test_the_month_page_states_carry_the_pay_month_as_a_month(filled):
    with Ledger(filled.ledger_path) as ledger:
        state = ledger.form_states(["S-2026-002_2026-09"])["S-2026-002_2026-09"]
    assert isinstance(state.pay_month, Month) and state.pay_month == "2026-10"


def test_a_ledger_from_a_newer_version_says_so(filled):
    tamper(filled, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    result = payroll(filled)
    assert result.exit_code == 2 and "newer kokemus-docs" in result.output


def test_a_malformed_page_is_damage(filled):
    with Ledger(filled.ledger_path) as ledger:
        ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(filled.ledger_path.read_bytes())
    assert len(data) > 4 * 4096
    for offset in range(4096, len(data), 4096):  # every page but the first: garbage
        data[offset:offset + 64] = b"\xa5" * 64
    filled.ledger_path.write_bytes(bytes(data))
    assert_damaged(payroll(filled))


def test_a_full_disk_says_the_disk_is_full_and_does_not_ask_for_a_restore(filled, monkeypatch):
    def full(self, month):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Ledger, "close_month", full)
    result = payroll(filled, "--close")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "The disk is full" in text and "free some space" in text and "backup" not in text
    with Ledger(filled.ledger_path) as ledger:
        assert not ledger.is_closed(MONTH)


def test_sqlite_errors_get_their_plain_names(tmp_path):
    path = tmp_path / "ledger.sqlite"
    assert ledger_error(path, sqlite3.OperationalError("database or disk is full")).code == "disk-full"
    assert ledger_error(path, sqlite3.OperationalError("attempt to write a readonly database")).code == "read-only"
    assert ledger_error(path, sqlite3.OperationalError("database is locked")).code == "ledger-busy"
    damaged = ledger_error(path, sqlite3.DatabaseError("database disk image is malformed"))
    assert isinstance(damaged, LedgerDamaged) and damaged.message.startswith("The ledger is damaged")


def test_open_ledger_alone_closes_its_connection(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with open_ledger(path) as ledger:
        assert ledger.closed_at(Month("2026-10")) is None
    with pytest.raises(sqlite3.ProgrammingError):
        ledger.db.execute("SELECT 1")


def test_one_connection_is_shared_within_its_block_and_closed_after(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with one_connection():
        with open_ledger(path) as first, first.transaction():
            first.close_month(Month("2026-10"))
        with open_ledger(path) as second:
            assert second is first and second.closed_at(Month("2026-10"))
        with open_ledger(tmp_path / "other.sqlite") as other:
            assert other is not first
    with pytest.raises(sqlite3.ProgrammingError):
        first.db.execute("SELECT 1")
    with open_ledger(path) as third:
        assert third is not first and third.closed_at(Month("2026-10"))


def test_closing_a_month_gives_its_closing_time_and_refuses_a_second_close(tmp_path):
    with open_ledger(tmp_path / "ledger.sqlite") as ledger, ledger.transaction():
        closed_at = ledger.close_month(Month("2026-10"))
        assert ledger.closed_at(Month("2026-10")) == closed_at
        with pytest.raises(MonthClosed, match="2026-10 is closed already"):
            ledger.close_month(Month("2026-10"))
        assert ledger.closed_at(Month("2026-10")) == closed_at
