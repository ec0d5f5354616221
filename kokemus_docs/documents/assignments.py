"""The two documents of an assignment: the expert's contract and the unit's introduction pack."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import safe_filename
from kokemus_docs.core.formatting import fi_date
from kokemus_docs.core.model import Contract, Register
from kokemus_docs.core.report import Outcome, Progress
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.documents.context import contract_context, intro_pack_context, setting_text
from kokemus_docs.documents.render import DocumentJob, check_formats, render_documents


def _missing_rate_warnings(register: Register, contract: Contract, missing: list[str]) -> list[Problem]:
    return [Problem(f"Contract {contract.contract_id}: no fee rate for task '{task}' valid on "
                    f"{fi_date(contract.valid_from)}; the document shows the task without a rate. Add the "
                    "rate to the fees sheet.", sheet="fees", field="task", code="no-rate")
            for task in missing]


FILE_NAME_PART_BYTES = 100


def _name_part(name: str) -> str:
    """`name` cut to whole characters within FILE_NAME_PART_BYTES bytes of UTF-8: a person's name in a file name
    (the id before it keeps the name unique) never makes the name too long for the file system."""
    return name.encode("utf-8")[:FILE_NAME_PART_BYTES].decode("utf-8", "ignore")


def contract_name(contract_id: str, last_name: str) -> str:
    """The file name `contracts` gives a contract: <contract_id>_<last name>.docx."""
    return safe_filename(f"{contract_id}_{_name_part(last_name)}") + ".docx"


def contract_path(ws: Workspace, contract_id: str, last_name: str) -> Path:
    """Where `contracts` writes a contract: outputs/contracts/<contract_id>_<last name>.docx."""
    return ws.output("contracts", contract_name(contract_id, last_name))


def intro_pack_name(unit_id: str, expert_id: str) -> str:
    """The file name `intro-packs` gives a unit's pack for an expert: <unit_id>_<expert_id>.docx."""
    return safe_filename(f"{unit_id}_{expert_id}") + ".docx"


def intro_pack_path(ws: Workspace, unit_id: str, expert_id: str) -> Path:
    """Where `intro-packs` writes a unit's pack for an expert: outputs/intro-packs/<unit_id>_<expert_id>.docx."""
    return ws.output("intro-packs", intro_pack_name(unit_id, expert_id))


def _missing_party_details(ws: Workspace, languages: set[str]) -> list[Problem]:
    """A warning for each detail of the county that a contract's parties section would print empty."""
    organisation = ws.config["organisation"]
    keys = ["business_id"] + [f"postal_address_{language}" for language in sorted(languages)]
    return [Problem(f"kokemus.toml has no organisation.{key}; the contracts print it empty. Fill it in and "
                    "print the contracts again.", path="kokemus.toml", field=key, code="missing-setting")
            for key in keys if not setting_text(organisation, key)]


def _render_selection(ws: Workspace, jobs: list[DocumentJob], formats: Sequence[str], progress: Progress | None,
                      errors: list[Problem], warnings: list[Problem], noun: str, folder: str) -> Outcome:
    """Render the jobs chosen from the register; the problems met while choosing come first."""
    outcome = render_documents(ws, jobs, formats, progress)
    outcome.errors[:0] = errors
    outcome.warnings[:0] = warnings
    outcome.summary.append(f"{len(outcome.extra['documents'])} of {len(jobs)} {noun} written "
                           f"to {ws.rel(ws.output(folder))}/")
    return outcome


def render_contracts(ws: Workspace, register: Register, *, expert_ids: Sequence[str] = (),
                     formats: Sequence[str] = ("docx",), progress: Progress | None = None) -> Outcome:
    """Assignment contracts, one per contracts row, in the expert's language.

    Written to outputs/contracts/<contract_id>_<last name>.docx (and .pdf). Inactive experts are left
    out with a warning; unknown ids and contracts naming missing experts or units are errors.
    """
    formats = check_formats(formats)
    selection = register.select_contracts(expert_ids=expert_ids)
    jobs, warnings = [], list(selection.warnings)
    if selection.contracts:
        warnings += _missing_party_details(ws, {register.experts[c.expert_id].document_language
                                                for c in selection.contracts})
    for contract in selection.contracts:
        expert = register.experts[contract.expert_id]
        context, missing = contract_context(ws, register, contract)
        warnings += _missing_rate_warnings(register, contract, missing)
        target = contract_path(ws, contract.contract_id, expert.last_name)
        jobs.append(DocumentJob(f"contract_{context['lang']}.docx", context, target,
                                {"kind": "contract", "contract_id": contract.contract_id,
                                 "expert_id": expert.expert_id, "unit_id": contract.unit_id,
                                 "language": context["lang"]}))
    return _render_selection(ws, jobs, formats, progress, selection.errors, warnings,
                             "assignment contracts", "contracts")


def render_intro_packs(ws: Workspace, register: Register, *, unit_ids: Sequence[str] = (),
                       expert_ids: Sequence[str] = (), formats: Sequence[str] = ("docx",),
                       progress: Progress | None = None) -> Outcome:
    """Introduction packs, one per unit and expert that have a contract together, in the expert's language.

    Written to outputs/intro-packs/<unit_id>_<expert_id>.docx (and .pdf). When a pair has several
    contracts, the pack shows the one that runs longest (the latest end date).
    """
    formats = check_formats(formats)
    selection = register.select_contracts(expert_ids=expert_ids, unit_ids=unit_ids)
    latest: dict[tuple[str, str], Contract] = {}
    for contract in selection.contracts:
        key = (contract.unit_id, contract.expert_id)
        current = latest.get(key)
        if current is None or (contract.valid_to, contract.valid_from) > (current.valid_to, current.valid_from):
            latest[key] = contract
    jobs, warnings = [], list(selection.warnings)
    for (unit_id, expert_id), contract in sorted(latest.items()):
        context, missing = intro_pack_context(ws, register, contract)
        warnings += _missing_rate_warnings(register, contract, missing)
        target = intro_pack_path(ws, unit_id, expert_id)
        jobs.append(DocumentJob(f"intro_pack_{context['lang']}.docx", context, target,
                                {"kind": "intro_pack", "unit_id": unit_id, "expert_id": expert_id,
                                 "contract_id": contract.contract_id, "language": context["lang"]}))
    return _render_selection(ws, jobs, formats, progress, selection.errors, warnings,
                             "introduction packs", "intro-packs")
