"""Experts' personal upload addresses: `<public_url>/e/<token>`, one per expert and service month.

The token is an HMAC of the expert, the month and a generation number under the workspace's sealing key, so
the same expert and month always give the same address (it can be printed on the hour form and in
`kokemus links` alike). The ledger keeps only a SHA-256 of each token, to look it up. Revoking bumps the
generation: the old address stops working and a new one is made. An address is useless once its month is
closed in the payroll.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.forms.ledger import link_generation, next_link_generation, record_link, stored_link

TOKEN_BYTES = 18
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{24}")
EXPERT_PATH = "/e/"



@dataclass(frozen=True)
class ExpertLink:
    """What a token opens: one expert's forms, for uploads of one service month."""

    expert_id: str
    month: Month
    closed: bool  # the month is closed: the address no longer takes forms


@contextmanager
def _opened(ws: Workspace, ledger: Ledger | None = None) -> Iterator[Ledger]:
    """`ledger` when the caller has one open (e.g. for many addresses in one transaction), else our own."""
    if ledger is not None:
        yield ledger
        return
    with open_ledger(ws.ledger_path) as own:
        yield own


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _token(key: bytes, expert_id: str, month: Month, generation: int) -> str:
    message = f"kokemus-expert-link\x00{expert_id}\x00{month}\x00{generation}".encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(mac).decode("ascii")


def expert_token(ws: Workspace, expert_id: str, month: Month, *, ledger: Ledger | None = None) -> str:
    """The expert's current token for `month`, recorded (as a hash) so that the web app can resolve it."""
    with _opened(ws, ledger) as db:
        generation = link_generation(db, expert_id, month)
        token = _token(ws.seal_key(), expert_id, month, generation)
        record_link(db, _digest(token), expert_id, month, generation)
    return token


def expert_upload_url(ws: Workspace, expert_id: str, month: Month, *, ledger: Ledger | None = None) -> str | None:
    """The expert's personal upload address for `month`, or None when kokemus.toml sets no web.public_url."""
    base = ws.public_url
    if not base:
        return None
    return f"{base}{EXPERT_PATH}{expert_token(ws, expert_id, month, ledger=ledger)}"


def upload_addresses(ws: Workspace, expert_ids: Iterable[str], month: Month) -> dict[str, str]:
    """Each expert's personal upload address for `month`, all recorded in one transaction; none when kokemus.toml
    sets no web.public_url."""
    expert_ids = list(dict.fromkeys(expert_ids))
    if not ws.public_url or not expert_ids:
        return {}
    with _opened(ws) as ledger, ledger.transaction():
        urls = {expert_id: expert_upload_url(ws, expert_id, month, ledger=ledger) for expert_id in expert_ids}
    return {expert_id: url for expert_id, url in urls.items() if url}


def resolve_token(ws: Workspace, token: str) -> ExpertLink | None:
    """The expert and month a token opens; None for an unknown, malformed or revoked token."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    with _opened(ws) as ledger:
        link = stored_link(ledger, _digest(token))
        if link is None or link.generation != link_generation(ledger, link.expert_id, link.month):
            return None
        return ExpertLink(expert_id=link.expert_id, month=link.month, closed=ledger.is_closed(link.month))


def revoke_links(ws: Workspace, expert_id: str, month: Month) -> str | None:
    """Stop the expert's current address for `month`; returns the new address (None without public_url)."""
    with _opened(ws) as ledger:
        next_link_generation(ledger, expert_id, month)
        return expert_upload_url(ws, expert_id, month, ledger=ledger)


def list_links(ws: Workspace, register: Register, month: Month, *, expert_ids: Sequence[str] = ()) -> Outcome:
    """Each signed contract's expert address for `month` (`kokemus links`)."""
    selection = register.select_contracts(expert_ids=expert_ids)
    outcome = Outcome(errors=selection.errors, warnings=selection.warnings, extra={"links": []})
    if not ws.public_url:
        outcome.errors.append(Problem(
            "kokemus.toml sets no web.public_url, so there is no address to give; set it to the web app's "
            "address (e.g. https://kokemus.example.fi).", field="web.public_url", code="no-public-url"))
        return outcome
    contracts = [c for c in selection.contracts if c.overlaps_month(month) and c.signed_on is not None]
    addresses = upload_addresses(ws, [c.expert_id for c in contracts], month)
    for contract in contracts:
        url = addresses[contract.expert_id]
        outcome.extra["links"].append({"contract_id": contract.contract_id, "expert_id": contract.expert_id,
                                       "month": month, "url": url})
        outcome.summary.append(f"{contract.contract_id} {contract.expert_id} {month}: {url}")
    if not outcome.extra["links"]:
        outcome.summary.append(f"No signed contracts valid in {month}.")
    return outcome

