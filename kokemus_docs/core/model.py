"""The domain as typed dataclasses: experts, units, contracts, the fee table, and their fi/sv labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.month import Month

LANGUAGES = ("fi", "sv")

# Task codes with built-in labels (SPEC.md); the fees sheet may add more codes with their own labels.
TASK_LABELS: dict[str, dict[str, str]] = {
    "individual": {"fi": "Yksilötyö", "sv": "Individuellt arbete"},
    "pair": {"fi": "Parityö", "sv": "Pararbete"},
    "group": {"fi": "Ryhmänohjaus", "sv": "Grupphandledning"},
    "lecture": {"fi": "Luento tai koulutus", "sv": "Föreläsning eller utbildning"},
    "development": {"fi": "Kehittämistyö", "sv": "Utvecklingsarbete"},
    "common_meeting": {"fi": "Kokemusasiantuntijoiden yhteinen tapaaminen",
                       "sv": "Erfarenhetsexperternas gemensamma möte"},
}

# Tasks that are group guidance: the group statuses apply only to these.
GROUP_TASKS = frozenset({"group"})

STATUS_LABELS: dict[str, dict[str, str]] = {
    "held": {"fi": "Toteutui", "sv": "Genomfördes"},
    "cancelled_in_time": {"fi": "Peruttu ajoissa", "sv": "Avbokad i tid"},
    "cancelled_late": {"fi": "Peruttu myöhässä", "sv": "Avbokad för sent"},
    "no_show": {"fi": "Asiakas ei saapunut", "sv": "Kunden kom inte"},
    "group_no_participants": {"fi": "Ryhmässä ei osallistujia", "sv": "Gruppen hade inga deltagare"},
    "group_terminated": {"fi": "Ryhmä lopetettu", "sv": "Gruppen avslutades"},
    "expert_ill": {"fi": "Kokemusasiantuntija sairastui", "sv": "Erfarenhetsexperten insjuknade"},
}

BASIS_LABELS: dict[str, dict[str, str]] = {
    "hour": {"fi": "tunti", "sv": "timme"},
    "session": {"fi": "kerta", "sv": "gång"},
    "event": {"fi": "tilaisuus", "sv": "tillfälle"},
}


@dataclass(frozen=True)
class Expert:
    expert_id: str
    first_name: str
    last_name: str
    hetu: str
    iban: str
    language: str
    email: str = ""
    phone: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    education: str = ""
    expert_experience: str = ""
    topics: tuple[str, ...] = ()
    wishes: str = ""
    tax_card_year: int | None = None
    active: bool = True
    service_areas: tuple[str, ...] = ()  # where the expert is willing to work; empty = not stated
    # A monthly gross limit the expert asked to be warned about (never the reason for it); None: no limit.
    earnings_limit_eur: Decimal | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def document_language(self) -> str:
        """The language of the expert's documents, forms and feedback: their own, Finnish if not fi/sv."""
        return self.language if self.language in LANGUAGES else "fi"

    def __repr__(self) -> str:  # never print hetu or IBAN by accident
        return f"Expert({self.expert_id!r}, {self.full_name!r}, {self.language!r})"


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name_fi: str
    name_sv: str
    cost_center: str
    contact_name: str
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    premises: str = ""
    service_area: str = ""
    address_sv: str = ""
    premises_sv: str = ""
    service_area_sv: str = ""
    contact_language: str = ""  # fi or sv: the language the unit contact is written to (Finnish when empty)
    name_en: str = ""  # for clients' English feedback questionnaires (empty: the Finnish and Swedish names)

    def name(self, language: str) -> str:
        return self.name_sv if language == "sv" else self.name_fi

    def localized(self, attribute: str, language: str) -> str:
        """`address`, `premises` or `service_area` in `language`: the Swedish column for sv when filled,
        else the Finnish one."""
        if language == "sv":
            swedish = getattr(self, f"{attribute}_sv")
            if swedish:
                return swedish
        return getattr(self, attribute)


@dataclass(frozen=True)
class Contract:
    contract_id: str
    expert_id: str
    unit_id: str
    tasks: tuple[str, ...]
    valid_from: date
    valid_to: date
    signed_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def overlaps_month(self, month: Month) -> bool:
        return self.valid_from <= month.last_day and self.valid_to >= month.first_day


@dataclass(frozen=True)
class FeeRate:
    task: str
    basis: str  # hour | session | event
    rate_eur: Decimal
    valid_from: date
    valid_to: date | None = None
    income_type: str = ""
    label_fi: str = ""
    label_sv: str = ""

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Selection:
    """The contracts a command works on, and what was wrong with the ids asked for."""

    contracts: list[Contract] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class Register:
    """The coordinator's workbook, parsed. Rows that failed validation are left out."""

    experts: dict[str, Expert] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    fees: list[FeeRate] = field(default_factory=list)

    def rate_for(self, task: str, day: date) -> FeeRate | None:
        """The fee rate for `task` valid on `day` (rule 1: the table valid on the date of the work)."""
        for rate in self.fees:
            if rate.task == task and rate.covers(day):
                return rate
        return None

    def task_label(self, task: str, language: str) -> str:
        for rate in self.fees:
            if rate.task == task:
                label = rate.label_sv if language == "sv" else rate.label_fi
                if label:
                    return label
        return TASK_LABELS.get(task, {}).get(language, task)

    def task_codes(self) -> set[str]:
        return set(TASK_LABELS) | {rate.task for rate in self.fees}

    def select_contracts(self, *, expert_ids: Sequence[str] = (), unit_ids: Sequence[str] = ()) -> Selection:
        """Contracts of the asked experts/units (all when none are named) whose expert and unit exist and whose
        expert is active, in contract id order. Unknown ids are errors; inactive experts are warnings."""
        selection = Selection()
        for expert_id in expert_ids:
            if expert_id not in self.experts:
                selection.errors.append(Problem(f"No expert {expert_id} in the register; check the id with "
                                                "'kokemus check'.", sheet="experts", field="expert_id",
                                                code="unknown-expert"))
        for unit_id in unit_ids:
            if unit_id not in self.units:
                selection.errors.append(Problem(f"No unit {unit_id} in the register; check the id with "
                                                "'kokemus check'.", sheet="units", field="unit_id",
                                                code="unknown-unit"))
        inactive_warned: set[str] = set()
        for contract in sorted(self.contracts.values(), key=lambda c: c.contract_id):
            if ((expert_ids and contract.expert_id not in expert_ids)
                    or (unit_ids and contract.unit_id not in unit_ids)):
                continue
            expert = self.experts.get(contract.expert_id)
            if expert is None or contract.unit_id not in self.units:
                missing = "expert" if expert is None else "unit"
                value = contract.expert_id if expert is None else contract.unit_id
                selection.errors.append(Problem(f"Contract {contract.contract_id} names {missing} {value}, who is "
                                                "not in the register; fix the contracts row.", sheet="contracts",
                                                field=f"{missing}_id", code=f"unknown-{missing}"))
                continue
            if not expert.active:
                if expert.expert_id not in inactive_warned:
                    inactive_warned.add(expert.expert_id)
                    selection.warnings.append(Problem(
                        f"Expert {expert.expert_id} is not active (active = no), so no documents were made for "
                        "them; set active to yes in the experts sheet to include them.",
                        sheet="experts", field="active", code="inactive-expert",
                        params={"expert_id": expert.expert_id}))
                continue
            selection.contracts.append(contract)
        for expert_id in expert_ids:
            if expert_id in self.experts and not any(c.expert_id == expert_id for c in self.contracts.values()):
                selection.warnings.append(Problem(f"Expert {expert_id} has no contract in the contracts sheet.",
                                                  sheet="contracts", field="expert_id", code="no-contract"))
        return selection


def status_label(status: str, language: str) -> str:
    return STATUS_LABELS.get(status, {}).get(language, status)
