"""The experts' personal upload addresses: a token opens its expert's month, and what the ledger keeps of it."""

from __future__ import annotations

import sqlite3

import pytest

from kokemus_docs.core.errors import LedgerDamaged
from kokemus_docs.core.month import Month
from kokemus_docs.forms.links import expert_token, resolve_token

MONTH = Month("2026-10")


def test_a_token_opens_its_experts_month_as_a_month(workspace):
    link = resolve_token(workspace, expert_token(workspace, "KA-001", MONTH))
    assert link is not None and (link.expert_id, link.month, link.closed) == ("KA-001", MONTH, False)
    assert isinstance(link.month, Month)


@pytest.mark.parametrize("stored", ["2026-13", "26-10", "", "2026-10/../x"])
def test_a_kept_link_whose_month_is_not_one_is_ledger_damage(workspace, stored):
    token = expert_token(workspace, "KA-001", MONTH)
    db = sqlite3.connect(workspace.ledger_path)
    db.execute("UPDATE expert_links SET month = ?", (stored,))
    db.commit()
    db.close()
    with pytest.raises(LedgerDamaged, match="The ledger is damaged: .* month it never writes in table expert_links"):
        resolve_token(workspace, token)


class _FailingOn:
    """A ledger connection that fails the first statement containing `text`, as a crash there would."""

    def __init__(self, db: sqlite3.Connection, text: str):
        self.db, self.text = db, text

    def execute(self, sql: str, *args):
        if self.text in sql:
            raise sqlite3.OperationalError("disk I/O error")
        return self.db.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.db, name)


def test_a_revoke_cut_short_changes_nothing(workspace):
    from kokemus_docs.core.ledger import Ledger
    from kokemus_docs.forms.ledger import link_generation, next_link_generation

    token = expert_token(workspace, "KA-001", MONTH)
    with Ledger(workspace.ledger_path) as ledger:
        before = link_generation(ledger, "KA-001", MONTH)
        real = ledger.db
        ledger.db = _FailingOn(real, "DELETE FROM expert_links")  # type: ignore[assignment]
        with pytest.raises(sqlite3.OperationalError):
            next_link_generation(ledger, "KA-001", MONTH)
        ledger.db = real
        assert link_generation(ledger, "KA-001", MONTH) == before
    link = resolve_token(workspace, token)
    assert link is not None and not link.closed, "the old address still works: the revoke did not happen"
