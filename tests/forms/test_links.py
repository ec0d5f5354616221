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
