"""The bookings' tables arrive in a ledger written before them, without touching what it holds."""

from __future__ import annotations

import sqlite3

import pytest

from kokemus_docs.bookings.ledger import set_state
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.ledger_schema import SCHEMA, SCHEMA_VERSION
from kokemus_docs.core.month import Month


def test_a_ledger_from_before_bookings_gains_their_tables(tmp_path):
    path = tmp_path / "ledger.sqlite"
    old = sqlite3.connect(path)
    before_bookings = SCHEMA.split("-- Bookings (kokemus_docs.bookings)")[0]
    old.executescript(before_bookings)
    old.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    old.execute("INSERT INTO months (month, closed_at) VALUES ('2026-09', '2026-10-09T12:00:00')")
    old.commit()
    old.close()
    with Ledger(path) as ledger:
        tables = {r[0] for r in ledger.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"bookings", "booking_sessions", "booking_offers", "mail_outbox"} <= tables
        assert ledger.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION)
        assert ledger.is_closed(Month("2026-09"))


def test_only_a_bookings_state_columns_can_be_set_even_with_asserts_off(tmp_path):
    """The column names go into the SQL: any other name is refused by a check that `python -O` keeps."""
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        with pytest.raises(ValueError, match="no column"):
            set_state(ledger, "B-000001", **{"status = 'booked', unit_id": "X"})
