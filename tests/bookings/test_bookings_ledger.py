"""The bookings' tables arrive in a ledger written before them, without touching what it holds."""

from __future__ import annotations

import sqlite3

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.ledger_schema import SCHEMA, SCHEMA_VERSION


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
        assert ledger.is_closed("2026-09")
