"""Issuing the month's hour forms: one sealed form per signed contract, with the expert's upload address."""

from __future__ import annotations

from collections.abc import Sequence

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import write_bytes_atomic
from kokemus_docs.core.formatting import fi_time
from kokemus_docs.core.model import Contract, Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import notice_deadline, payment_date
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.forms.fields import compute_seal, form_id_for, issued_form_path
from kokemus_docs.forms.links import upload_addresses
from kokemus_docs.forms.pdfwriter import FormSpec, build_form_pdf


def form_spec(ws, register: Register, contract_id: str, month: Month, key: bytes | None = None, *,
              upload_url: str | None = None) -> FormSpec:
    """The FormSpec of `contract_id`'s form for `month`, sealed with the workspace's key (or `key`).

    `upload_url` is the expert's personal upload address for the month, printed with a QR code when given.
    """
    contract = register.contracts[contract_id]
    expert = register.experts[contract.expert_id]
    unit = register.units[contract.unit_id]
    language = expert.document_language
    identity = {"form_id": form_id_for(contract.contract_id, month), "contract_id": contract.contract_id,
                "expert_id": expert.expert_id, "unit_id": unit.unit_id, "month": month}
    contact = ", ".join(part for part in (unit.contact_name, unit.contact_email) if part)
    return FormSpec(
        language=language, org_name=ws.org_name(language), identity=identity,
        seal=compute_seal(key if key is not None else ws.seal_key(), identity), expert_name=expert.full_name,
        unit_name=unit.name(language),
        contact=contact, deadline=notice_deadline(month, ws.notice_day), payment=payment_date(month),
        tasks=tuple((task, register.task_label(task, language)) for task in contract.tasks), rows=ws.form_rows,
        coordinator=coordinator_text(ws), upload_url=upload_url or None, cutoff=fi_time(ws.cancellation_cutoff),
        pay_basis=pay_basis_text(register, contract, month, language))


# How each fee basis pays, as the hour form says it.
PAID_BY = {"hour": {"fi": "tehdyiltä tunneilta", "sv": "per utförd timme"},
           "session": {"fi": "kerralta", "sv": "per gång"},
           "event": {"fi": "tilaisuudelta", "sv": "per tillfälle"}}


def pay_basis_text(register: Register, contract: Contract, month: Month, language: str) -> str:
    """How the contract's tasks are paid in `month` by the fee table: 'yksilötyö kerralta, ryhmänohjaus
    tehdyiltä tunneilta' / 'grupphandledning per utförd timme, pararbete per gång'."""
    first, last = month.period
    day = max(first, contract.valid_from) if contract.valid_from <= last else first
    by_basis: dict[str, list[str]] = {}
    for task in contract.tasks:
        rate = register.rate_for(task, day)
        if rate is not None:
            label = register.task_label(task, language)
            by_basis.setdefault(rate.basis, []).append(label[:1].lower() + label[1:])
    joiner = " ja " if language == "fi" else " och "
    parts = []
    for basis, labels in by_basis.items():
        names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + joiner + labels[-1]
        parts.append(f"{names} {PAID_BY.get(basis, {}).get(language, basis)}")
    return ", ".join(parts)


def coordinator_text(ws) -> str:
    """The coordinator as the expert reaches them: 'name, e-mail, phone' (what kokemus.toml has of these)."""
    return ", ".join(value for value in ws.coordinator_contact().values() if value)


def issue_forms(ws, register: Register, *, month: Month, unit_ids: Sequence[str] = (),
                expert_ids: Sequence[str] = (), progress: Progress | None = None) -> Outcome:
    """Write one sealed hour form per signed contract valid in `month`, for active experts.

    Forms go to outputs/forms/<month>/<form_id>.pdf. A contract without a signing date gets no form and is
    reported as an error; the other forms are written all the same. `unit_ids`/`expert_ids` narrow the batch.
    """
    progress = progress or no_progress
    selection = register.select_contracts(expert_ids=expert_ids, unit_ids=unit_ids)
    outcome = Outcome(errors=selection.errors, warnings=selection.warnings, extra={"forms": []})
    wanted = []
    for contract in selection.contracts:
        if not contract.overlaps_month(month):
            continue
        if contract.signed_on is None:
            expert = register.experts[contract.expert_id]
            outcome.errors.append(Problem(
                f"Contract {contract.contract_id} ({expert.full_name}) has not been signed, so no hour form was "
                f"issued for {month}. Enter the signing date in the signed_on column once both parties have "
                "signed, then issue the form again.",
                sheet="contracts", field="signed_on", code="contract-unsigned",
                params={"contract_id": contract.contract_id}))
            continue
        wanted.append(contract)

    from kokemus_docs.bookings.hourforms import booked_rows
    from kokemus_docs.forms.prefill import prefill_form

    folder = ws.output("forms", month)
    key = ws.seal_key()
    upload_urls = upload_addresses(ws, sorted({c.expert_id for c in wanted}), month)
    booked = booked_rows(ws, [c.contract_id for c in wanted], month)  # the month's booked sessions, prefilled
    for done, contract in enumerate(wanted, start=1):
        spec = form_spec(ws, register, contract.contract_id, month, key, upload_url=upload_urls.get(contract.expert_id))
        target = issued_form_path(ws, contract.contract_id, month)
        sessions = booked.get(contract.contract_id, [])
        if len(sessions) > spec.rows:
            outcome.warnings.append(Problem(
                f"Contract {contract.contract_id} has {len(sessions)} booked sessions in {month} but the form has "
                f"{spec.rows} rows; the first {spec.rows} are filled in. Raise [forms] rows in kokemus.toml.",
                code="too-many-sessions"))
        write_bytes_atomic(target, prefill_form(build_form_pdf(spec), spec, sessions))
        outcome.written.append(target)
        outcome.extra["forms"].append({"form_id": spec.identity["form_id"], "expert_id": contract.expert_id,
                                       "unit_id": contract.unit_id, "path": ws.rel(target)})
        progress(done, len(wanted), spec.identity["form_id"])
    outcome.summary.append(f"{len(wanted)} hour form{'' if len(wanted) == 1 else 's'} for {month} in {ws.rel(folder)}/")
    return outcome
