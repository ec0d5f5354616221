"""The hour form's field names, the raw values read back from a returned form, and the seal.

This module is the contract between issuing forms (forms.issue, forms.pdfwriter), reading them back (formread) and
validating them (rules): field names follow SPEC.md.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kokemus_docs.core.month import Month

IDENTITY_FIELDS = ("form_id", "contract_id", "expert_id", "unit_id", "month")
SEAL_FIELD = "seal"
ROW_FIELDS = ("date", "start", "end", "task", "status", "cancelled_at", "participants",
              "travel_eur", "travel_ref", "notes")
CONFIRM_FIELD = "confirm"
SIGNED_ON_FIELD = "signed_on"


def row_field(row: int, name: str) -> str:
    """row_field(3, 'date') -> 'row03_date'."""
    return f"row{row:02d}_{name}"


def form_id_for(contract_id: str, month: Month) -> str:
    """One form per contract and month: 'K-2026-001' + '2026-10' -> 'K-2026-001_2026-10'."""
    return f"{contract_id}_{month}"


def issued_form_name(contract_id: str, month: Month) -> str:
    """The file name `forms issue` gives the hour form of `contract_id` for `month`: <form_id>.pdf."""
    return f"{form_id_for(contract_id, month)}.pdf"


def issued_form_path(ws, contract_id: str, month: Month) -> Path:
    """Where `forms issue` writes the hour form of `contract_id` for `month`: outputs/forms/<month>/<form_id>.pdf."""
    return ws.output("forms", month, issued_form_name(contract_id, month))


def contract_of_form(form_id: str) -> str:
    """The contract a form id names: 'K-2026-001_2026-10' -> 'K-2026-001' (the inverse of form_id_for)."""
    return form_id.rsplit("_", 1)[0]


def compute_seal(key: bytes, identity: dict[str, str], fields: Sequence[str] = IDENTITY_FIELDS) -> str:
    """HMAC-SHA256 over the identity `fields` in a fixed order; 24 hex characters are printed on the form.

    Other sealed forms (the feedback questionnaire) pass their own identity field names.
    """
    message = "\x1f".join(f"{name}={identity.get(name, '')}" for name in fields).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


def seal_matches(key: bytes, identity: dict[str, str], seal: str, fields: Sequence[str] = IDENTITY_FIELDS) -> bool:
    return hmac.compare_digest(compute_seal(key, identity, fields), (seal or "").strip().lower())


@dataclass
class ReturnedForm:
    """What a returned hour form says, as the raw strings the expert typed.

    `rows` holds only rows with at least one non-empty value, keyed by row number (1-based) and then by
    the ROW_FIELDS names. `source` says how it was read: 'acroform' (live fields) or 'page-text'
    (a flattened/printed form read from the known field positions).
    """

    path: str
    identity: dict[str, str] = field(default_factory=dict)
    seal: str = ""
    rows: dict[int, dict[str, str]] = field(default_factory=dict)
    confirmed: bool = False
    signed_on: str = ""
    source: str = "acroform"
