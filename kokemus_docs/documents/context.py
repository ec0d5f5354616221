"""What the templates see: the county, the coordinator, a unit, an expert and a contract's tasks, as
documents print them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kokemus_docs.core.formatting import fi_date, fi_time, money
from kokemus_docs.core.model import BASIS_LABELS, Contract, Expert, Register, Unit
from kokemus_docs.core.workspace import Workspace


def common_context(ws: Workspace, language: str, today: date | None = None) -> dict[str, Any]:
    """Keys every template may use: organisation, coordinator, payroll, deadlines, the print date."""
    organisation, payroll = ws.config["organisation"], ws.config["payroll"]
    coordinator = coordinator_context(ws, language)
    return {
        "lang": language,
        "org_name": ws.org_name(language),
        "business_id": setting_text(organisation, "business_id"),
        "postal_address": setting_text(organisation, f"postal_address_{language}"),
        "coordinator": coordinator,
        "coordinator_title": coordinator["title"],
        "coordinator_name": coordinator["name"],
        "payroll_name": payroll.get("name", ""),
        "tax_card_address": payroll.get(f"tax_card_address_{language}", ""),
        "notice_day": str(ws.notice_day),
        "cancellation_cutoff": fi_time(ws.cancellation_cutoff),
        "generated_on": fi_date(today or _today()),
    }


def _today() -> date:
    return date.today()


def setting_text(table: Mapping[str, Any], key: str) -> str:
    """A kokemus.toml setting as documents print it: its text without surrounding spaces, '' when not set."""
    return str(table.get(key, "") or "").strip()


def coordinator_context(ws: Workspace, language: str) -> dict[str, str]:
    """Whom the expert contacts about the contract, the hour form and fees, as documents print it.

    `name_title` is "Name, job title" (the title alone, capitalised, when no name is set); `contact`
    is "email, phone"; `full` is both, for a sentence.
    """
    contact = ws.coordinator_contact()
    title = setting_text(ws.config["organisation"], f"coordinator_title_{language}")
    if contact["name"]:
        name_title = ", ".join(part for part in (contact["name"], title) if part)
    else:
        name_title = title[:1].upper() + title[1:]
    reach = ", ".join(part for part in (contact["email"], contact["phone"]) if part)
    return {**contact, "title": title, "name_title": name_title, "contact": reach,
            "full": ", ".join(part for part in (name_title, reach) if part)}


def unit_context(unit: Unit, language: str) -> dict[str, str]:
    """The unit as templates show it: name, service area, address and premises in `language` (Swedish
    documents fall back to the Finnish value where the Swedish column is empty)."""
    return {
        "unit_id": unit.unit_id,
        "name": unit.name(language),
        "address": unit.localized("address", language),
        "premises": unit.localized("premises", language),
        "contact_name": unit.contact_name,
        "contact_email": unit.contact_email,
        "contact_phone": unit.contact_phone,
        "contact": ", ".join(part for part in (unit.contact_email, unit.contact_phone) if part),
        "cost_center": unit.cost_center,
        "service_area": unit.localized("service_area", language),
    }


def expert_context(expert: Expert) -> dict[str, Any]:
    """What a contract may say about the expert. Never hetu, IBAN or home address."""
    return {
        "expert_id": expert.expert_id,
        "full_name": expert.full_name,
        "first_name": expert.first_name,
        "last_name": expert.last_name,
        "email": expert.email,
        "phone": expert.phone,
        "education": expert.education,
        "expert_experience": expert.expert_experience,
        "topics": list(expert.topics),
        "topics_text": ", ".join(expert.topics),
        "wishes": expert.wishes,
    }


def task_rows(register: Register, contract: Contract, language: str) -> tuple[list[dict[str, str]], list[str]]:
    """The contract's tasks with labels and the rate valid on its first day; plus tasks lacking a rate."""
    rows, missing = [], []
    for task in contract.tasks:
        rate = register.rate_for(task, contract.valid_from)
        if rate is None:
            missing.append(task)
        rows.append({
            "code": task,
            "label": register.task_label(task, language),
            "basis_label": BASIS_LABELS.get(rate.basis, {}).get(language, rate.basis) if rate else "",
            "rate": money(rate.rate_eur) if rate else "",
            "rate_valid_from": fi_date(rate.valid_from) if rate else "",
        })
    return rows, missing


def _assignment_context(ws: Workspace, register: Register, contract: Contract,
                        today: date | None) -> tuple[dict[str, Any], list[str]]:
    """What the contract and the intro pack share: language, contract dates, unit and tasks with rates."""
    language = register.experts[contract.expert_id].document_language
    tasks, missing = task_rows(register, contract, language)
    context = common_context(ws, language, today)
    context.update({
        "contract": {"id": contract.contract_id, "valid_from": fi_date(contract.valid_from),
                     "valid_to": fi_date(contract.valid_to)},
        "unit": unit_context(register.units[contract.unit_id], language),
        "tasks": tasks,
    })
    return context, missing


def contract_context(ws: Workspace, register: Register, contract: Contract,
                     today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Context for contract_<lang>.docx, in the expert's language; plus tasks that have no rate."""
    context, missing = _assignment_context(ws, register, contract, today)
    context["contract"]["signed_on"] = fi_date(contract.signed_on)
    context["expert"] = expert_context(register.experts[contract.expert_id])
    return context, missing


def intro_pack_context(ws: Workspace, register: Register, contract: Contract,
                       today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Context for intro_pack_<lang>.docx for the contract's unit and expert; plus tasks that have no rate.

    Of the expert, only what the unit needs to reach them.
    """
    context, missing = _assignment_context(ws, register, contract, today)
    expert = register.experts[contract.expert_id]
    context["expert"] = {"expert_id": expert.expert_id, "full_name": expert.full_name,
                         "email": expert.email, "phone": expert.phone}
    on = min(max(today or _today(), contract.valid_from), contract.valid_to)
    for row in context["tasks"]:
        row["rate_now"] = rates_text(register, row["code"], contract, on, expert.document_language)
    return context, missing


def rates_text(register: Register, task: str, contract: Contract, on: date, language: str) -> str:
    """The rate of `task` valid on `on` (the document's date within the contract) and each later rate that
    starts before the contract ends: '25,00 €; 27,50 € 15.10.2026 alkaen' / '… 27,50 € från 15.10.2026'. A rate
    that began after the contract did says from when, too."""
    def dated(rate) -> str:
        day = fi_date(rate.valid_from)
        return f"{money(rate.rate_eur)} {day} alkaen" if language == "fi" else f"{money(rate.rate_eur)} från {day}"

    current = register.rate_for(task, on)
    later = sorted((r for r in register.fees if r.task == task and on < r.valid_from <= contract.valid_to),
                   key=lambda r: r.valid_from)
    parts = [] if current is None else [
        dated(current) if current.valid_from > contract.valid_from else money(current.rate_eur)]
    parts += [dated(rate) for rate in later]
    return "; ".join(parts)
