"""The experts' upload addresses in the ledger: the `expert_links` and `expert_link_generations` tables of its one
schema (core.ledger_schema.SCHEMA). Each token is kept only as its SHA-256. Every function takes an open Ledger."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from kokemus_docs.core.errors import LedgerDamaged
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month


class StoredLink(NamedTuple):
    """Whose address a token hash is, for which month, and of which generation."""

    expert_id: str
    month: Month
    generation: int


def link_generation(ledger: Ledger, expert_id: str, month: Month) -> int:
    """The expert's current generation of addresses for `month` (1 until one is revoked)."""
    row = ledger.db.execute("SELECT generation FROM expert_link_generations WHERE expert_id = ? AND month = ?",
                            (expert_id, month)).fetchone()
    return int(row["generation"]) if row else 1


def record_link(ledger: Ledger, digest: str, expert_id: str, month: Month, generation: int) -> None:
    """Keep a token's hash; one already kept is left as it is (and no write is made)."""
    if ledger.db.execute("SELECT 1 FROM expert_links WHERE token_sha256 = ?", (digest,)).fetchone() is None:
        ledger.db.execute("INSERT OR IGNORE INTO expert_links (token_sha256, expert_id, month, generation,"
                          " created_at) VALUES (?, ?, ?, ?, ?)", (digest, expert_id, month, generation,
                                                                  datetime.now().isoformat(timespec="seconds")))


def stored_link(ledger: Ledger, digest: str) -> StoredLink | None:
    """The kept link with this token hash, if any (whatever its generation)."""
    row = ledger.db.execute("SELECT expert_id, month, generation FROM expert_links WHERE token_sha256 = ?",
                            (digest,)).fetchone()
    if row is None:
        return None
    if not Month.is_valid(row["month"]):
        raise LedgerDamaged(ledger.path, "holds a month it never writes in table expert_links")
    return StoredLink(row["expert_id"], Month.parse(row["month"]), int(row["generation"]))


def next_link_generation(ledger: Ledger, expert_id: str, month: Month) -> int:
    """Start the expert's next generation of addresses for `month`, forgetting the older ones; returns it."""
    with ledger.transaction():  # read, raise and forget as one: two revokes at once never share a generation
        generation = link_generation(ledger, expert_id, month) + 1
        ledger.db.execute(
            "INSERT INTO expert_link_generations (expert_id, month, generation, revoked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (expert_id, month) DO UPDATE SET generation = excluded.generation,"
            " revoked_at = excluded.revoked_at",
            (expert_id, month, generation, datetime.now().isoformat(timespec="seconds")))
        ledger.db.execute("DELETE FROM expert_links WHERE expert_id = ? AND month = ? AND generation < ?",
                          (expert_id, month, generation))
    return generation
