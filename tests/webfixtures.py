"""A workspace for the web tests: the demo register, October 2026 forms issued, two of them returned, notices and
payroll written, September closed, logins for every role and experts' addresses (one revoked)."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from kokemus_docs.accounts.logins import add_user
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import init_workspace
from kokemus_docs.demo.month import DEMO_ROWS, MISTAKEN_006, form_values
from kokemus_docs.documents.assignments import render_contracts, render_intro_packs
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.issue import issue_forms
from kokemus_docs.forms.links import expert_token, revoke_links
from kokemus_docs.intake.ingest import ingest_forms
from kokemus_docs.pay.notices import write_notices
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.register.sample import demo_register, write_sample_register

MONTH = Month("2026-10")
CLOSED_MONTH = Month("2026-09")
PASSWORDS = {"coord": "coordinator-password", "unit-mtp": "unit-mtp-password", "unit-perhe": "unit-perhe-password",
             "hpk": "payroll-password-1", "throttled": "throttled-password"}
TRICKY_FIRST = 'Åsa & "Ötte"'
TRICKY_LAST = "O'Brien <Ström>"
# Limits two experts asked to be warned about: KA-001's October (228,75 €) is near hers, KA-003's (166,25 €) over his.
LIMITS = {"KA-001": Decimal("243.21"), "KA-003": Decimal("151.37")}


@dataclass
class Site:
    root: Path
    register: Register
    tokens: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, Path] = field(default_factory=dict)


def build_site(root: Path) -> Site:
    ws, _ = init_workspace(root)
    register = demo_register()
    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"], first_name=TRICKY_FIRST,
                                                     last_name=TRICKY_LAST)
    for expert_id, limit in LIMITS.items():
        register.experts[expert_id] = dataclasses.replace(register.experts[expert_id], earnings_limit_eur=limit)
    write_sample_register(ws.register_path, register)
    render_contracts(ws, register)
    render_intro_packs(ws, register)
    issued = issue_forms(ws, register, month=MONTH)
    forms = {item["form_id"]: ws.root / item["path"] for item in issued.extra["forms"]}
    returned = []
    for contract_id in ("S-2026-001", "S-2026-003"):
        target = ws.inbox_dir / f"{contract_id}.pdf"
        fill_form(forms[f"{contract_id}_{MONTH}"], form_values(DEMO_ROWS[contract_id]), target)
        returned.append(target)
    ingest_forms(ws, register, returned, received_on=date(2026, 11, 5))
    write_notices(ws, register, MONTH)
    write_payroll(ws, register, MONTH)
    write_payroll(ws, register, CLOSED_MONTH, close=True)

    site = Site(root=ws.root, register=register)
    uploads = root.parent / "uploads"
    uploads.mkdir()
    site.uploads["good"] = fill_form(forms[f"S-2026-002_{MONTH}"], form_values(DEMO_ROWS["S-2026-002"]),
                                     uploads / "S-2026-002 lokakuu.pdf")
    # KA-006 (Finnish) and KA-003 (Swedish) with a November date on an October form: rejected, with feedback.
    site.uploads["mistaken_fi"] = fill_form(forms[f"S-2026-006_{MONTH}"], form_values(MISTAKEN_006),
                                            uploads / "S-2026-006.pdf")
    mistaken_sv = DEMO_ROWS["S-2026-003"][:2] + [("3.11.2026", "17.00", "18.30", "group", "held", "", "4", "", "")]
    site.uploads["mistaken_sv"] = fill_form(forms[f"S-2026-003_{MONTH}"], form_values(mistaken_sv),
                                            uploads / "S-2026-003 oktober.pdf")
    site.uploads["other_expert"] = fill_form(forms[f"S-2026-004_{MONTH}"], form_values(DEMO_ROWS["S-2026-004"]),
                                             uploads / "S-2026-004.pdf")
    site.uploads["not_pdf"] = uploads / "lomake.pdf"
    site.uploads["not_pdf"].write_bytes(b"PK\x03\x04 this is a zip, not a PDF")

    add_user(ws, "coord", "coordinator", password=PASSWORDS["coord"])
    add_user(ws, "unit-mtp", "unit", unit_id="MTP-PORVOO", password=PASSWORDS["unit-mtp"])
    add_user(ws, "unit-perhe", "unit", unit_id="PERHE-LOVIISA", password=PASSWORDS["unit-perhe"])
    add_user(ws, "hpk", "payroll", password=PASSWORDS["hpk"])
    add_user(ws, "throttled", "coordinator", password=PASSWORDS["throttled"])
    for expert_id in ("KA-001", "KA-002", "KA-003", "KA-006"):
        site.tokens[expert_id] = expert_token(ws, expert_id, MONTH)
    site.tokens["closed"] = expert_token(ws, "KA-001", CLOSED_MONTH)
    site.tokens["revoked"] = expert_token(ws, "KA-005", MONTH)
    revoke_links(ws, "KA-005", MONTH)
    site.tokens["foreign"] = "A" * 24  # well-formed, made with no key of this workspace
    return site


def personal_data(register: Register) -> list[str]:
    """Every henkilötunnus, IBAN (as written and compact) and home address in the register."""
    found = []
    for expert in register.experts.values():
        found += [expert.hetu, expert.iban, expert.iban.replace(" ", "")]
        if expert.street_address:
            found.append(expert.street_address)
    return [value for value in found if value]


def limit_words(text: str) -> list[str]:
    """What in `text` speaks of a declared limit (its words or the fixture's limit amounts)."""
    words = ["ilmoittama raja", "ilmoittamasi raja", "angivna gräns", "din gräns", "earnings_limit", "near-limit",
             "over-limit", *(f"{v}".replace(".", ",") for v in LIMITS.values()), *(f"{v}" for v in LIMITS.values())]
    return [w for w in words if w in text]


def readable_text(body: bytes) -> str:
    """A response body as text to search: pages as they are, DOCX/XLSX by their XML parts, PDFs by their text."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        return re.sub(r"<[^>]+>", "", "\n".join(parts)) + "\n".join(parts)
    if body.lstrip()[:5] == b"%PDF-":
        import pymupdf

        with pymupdf.open(stream=body, filetype="pdf") as pdf:
            return "\n".join(page.get_text() for page in pdf) + body.decode("latin-1")
    return body.decode("utf-8", "replace")
