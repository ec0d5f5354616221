"""The pay month: what one payroll month pays, gathered from the ledger and the register.

A payroll month M pays the forms whose `pay_month` is M: the work done in M, plus forms for earlier
months that arrived after those months were closed, and the adjustments of corrections received after
their own month was closed. Lines pay their fee when `payable`; travel reimbursements are kept apart. The
checks payroll and the coordinator should see (late forms, tax cards, forms not received, withdrawn lines)
are gathered with the lines. The payroll workbook and the fee notices are both written from a `PayMonth`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from decimal import Decimal

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import fi_date, fi_month, money
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.model import Expert, Register, Unit
from kokemus_docs.core.month import FIRST_YEAR, Month
from kokemus_docs.core.paydates import notice_deadline, payment_date
from kokemus_docs.core.records import Adjustment, FormRecord, LedgerLine
from kokemus_docs.earnings.limits import LimitFinding, experts_with_limits, limit_findings
from kokemus_docs.pay.texts import workbook_warning

WITHHOLDING_WITHOUT_TAX_CARD = "60 %"
ZERO = Decimal("0")

LOOK_BACK_MONTHS = 12  # payment months counted back for the over-limit-3 warning


@dataclass(frozen=True)
class PayLine:
    """One line paid in the payroll month: the form it came from, its unit and the cost centre charged.

    `adjustment` marks a line of a correction that arrived after its own month was closed, paid in this
    month as an adjustment.
    """

    form: FormRecord
    line: LedgerLine
    unit: Unit | None
    income_type: str
    adjustment: bool = False  # paid for a correction received after the form's month was closed

    @property
    def fee(self) -> Decimal:
        return self.line.fee_eur if self.line.payable else ZERO

    @property
    def travel(self) -> Decimal:
        return self.line.travel_eur

    @property
    def cost_center(self) -> str:
        return self.unit.cost_center if self.unit else ""


@dataclass
class ExpertTotal:
    """What one expert is paid from one cost centre under one income type in the payroll month.

    Travel reimbursements stay in their own amount (`travel`), never in the fee of the income type.
    """

    expert_id: str
    cost_center: str
    income_type: str
    expert: Expert | None
    fee: Decimal = ZERO
    travel: Decimal = ZERO
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return self.fee + self.travel


@dataclass(frozen=True)
class Check:
    """A row of the checks sheet: something payroll or the coordinator should look at, in Finnish and Swedish.

    `kind` is a key of CHECK_KINDS; the texts are never English and never name an internal code.
    """

    kind: str
    _: KW_ONLY
    fi: str
    sv: str
    expert_id: str = ""
    unit_id: str = ""
    form_id: str = ""
    month: Month | None = None

    @classmethod
    def of_form(cls, kind: str, form: FormRecord, fi: str, sv: str) -> Check:
        """A check about one received form (its expert, unit, id and month)."""
        return cls(kind, fi=fi, sv=sv, expert_id=form.expert_id, unit_id=form.unit_id, form_id=form.form_id,
                   month=form.month)


CHECK_KINDS = {
    "late": "Myöhässä saapunut lomake / Försenad blankett",
    "tax_card": "Verokortti / Skattekort",
    "missing_form": "Lomake puuttuu / Blankett saknas",
    "form_warning": "Huomautus lomakkeesta / Anmärkning om blanketten",
    "register": "Rekisteri / Registret",
    "withdrawn": "Korjauksessa poistunut maksettu rivi / Betald rad som strukits i rättelse",
    "limit": "Asiantuntijan ilmoittama raja / Expertens angivna gräns",
}


# Form warnings that the "late" check row already says in its own words.
SAID_BY_THE_LATE_CHECK = {"late", "pay-month-moved"}


@dataclass
class PayMonth:
    """Everything one payroll month pays, gathered from the ledger and the register.

    `withdrawn` lists lines paid in an earlier, closed month that a later correction took back; each also has a
    row on the checks sheet (`withdrawn_check`) for the coordinator to settle.
    """

    month: Month
    payment_date: date
    notice_deadline: date
    forms: list[FormRecord]
    lines: list[PayLine]
    checks: list[Check] = field(default_factory=list)
    withdrawn: list[Adjustment] = field(default_factory=list)  # paid before, withdrawn by a correction: to settle
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    closed_at: str | None = None
    limits: list[LimitFinding] = field(default_factory=list)  # experts near or over their declared limit

    @property
    def fee_total(self) -> Decimal:
        return sum((p.fee for p in self.lines), ZERO)

    @property
    def travel_total(self) -> Decimal:
        return sum((p.travel for p in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.fee_total + self.travel_total

    @property
    def late_forms(self) -> list[FormRecord]:
        return [f for f in self.forms if f.late or f.month != self.month]

    def expert_totals(self, register: Register) -> list[ExpertTotal]:
        """One entry per expert, cost centre and income type, ordered by expert id, cost centre, income type."""
        totals: dict[tuple[str, str, str], ExpertTotal] = {}
        for paid in self.lines:
            key = (paid.form.expert_id, paid.cost_center, paid.income_type)
            entry = totals.get(key)
            if entry is None:
                entry = totals[key] = ExpertTotal(*key, register.experts.get(key[0]))
            entry.fee += paid.fee
            entry.travel += paid.travel
            entry.lines += 1
        return [totals[key] for key in sorted(totals)]

    def cost_center_totals(self) -> list[tuple[str, list[str], Decimal, Decimal, int]]:
        """(cost centre, unit ids, fees, travel, lines) per cost centre."""
        grouped: dict[str, list[PayLine]] = defaultdict(list)
        for paid in self.lines:
            grouped[paid.cost_center].append(paid)
        result = []
        for cost_center in sorted(grouped):
            lines = grouped[cost_center]
            units = sorted({p.form.unit_id for p in lines})
            result.append((cost_center, units, sum((p.fee for p in lines), ZERO),
                           sum((p.travel for p in lines), ZERO), len(lines)))
        return result

    def income_type_totals(self) -> list[tuple[str, Decimal, int]]:
        """(income type, fees, lines with a fee) per income type; travel is not an income type here."""
        grouped: dict[str, list[PayLine]] = defaultdict(list)
        for paid in self.lines:
            grouped[paid.income_type].append(paid)
        return [(code, sum((p.fee for p in grouped[code]), ZERO), sum(1 for p in grouped[code] if p.fee))
                for code in sorted(grouped)]


def is_paid(line: LedgerLine) -> bool:
    """A line appears in payroll when its fee is payable or it carries a travel reimbursement."""
    return line.payable or line.travel_eur > 0


def tax_card_year_for(paid_on: date) -> int:
    """The oldest tax card year the register may hold for a payment on `paid_on` without 60 % withheld.

    A tax card is valid for the calendar year, from 1 January: a fee paid in January counts towards the new
    year's card. Only while the payer cannot yet use the new card is the last card of the year before used, so
    in January the previous year's card is still accepted here (and HPK Palvelut uses the new one once it has
    it); from February on, the payment year's card is needed."""
    return paid_on.year if paid_on.month > 1 else paid_on.year - 1


def tax_card_missing(expert: Expert | None, paid_on: date) -> bool:
    """True when the register has no tax card valid on the payment day `paid_on` (60 % is then withheld)."""
    return expert is not None and (expert.tax_card_year is None or expert.tax_card_year < tax_card_year_for(paid_on))


def collect_pay_month(ledger: Ledger, register: Register, month: Month, notice_day: int = 9, *,
                      with_checks: bool = True, experts: set[str] | None = None) -> PayMonth:
    """Gather the forms and paid lines of payroll month `month` (of these `experts` only, if given).

    With `with_checks`, also the checks payroll needs to see: tax cards and forms not received.
    """
    forms = ledger.forms_for_pay_month(month)
    if experts is not None:
        forms = [f for f in forms if f.expert_id in experts]
    lines_by_form = ledger.lines_of([f.form_id for f in forms])
    pay = PayMonth(month=month, payment_date=payment_date(month), notice_deadline=notice_deadline(month, notice_day),
                   forms=forms, lines=[], closed_at=ledger.closed_at(month))
    unknown_units: set[str] = set()
    unknown_experts: set[str] = set()
    for form in forms:
        unit = register.units.get(form.unit_id)
        if unit is None and form.unit_id not in unknown_units:
            unknown_units.add(form.unit_id)
            pay.errors.append(Problem(
                f"Unit {form.unit_id} (form {form.form_id}) is not in the register, so its cost centre is unknown. "
                "Add the unit back to the units sheet and print the payroll again.",
                sheet="units", field="unit_id", code="unknown-unit"))
            pay.checks.append(Check.of_form(
                "register", form, f"Yksikköä {form.unit_id} ei ole rekisterissä, joten sen kustannuspaikka puuttuu.",
                f"Enheten {form.unit_id} finns inte i registret, så dess kostnadsställe saknas."))
        if form.expert_id not in register.experts and form.expert_id not in unknown_experts:
            unknown_experts.add(form.expert_id)
            pay.errors.append(Problem(
                f"Expert {form.expert_id} (form {form.form_id}) is not in the register; payroll needs their "
                "henkilötunnus, IBAN and address. Add the expert back to the experts sheet and print again.",
                sheet="experts", field="expert_id", code="unknown-expert"))
            pay.checks.append(Check.of_form(
                "register", form, f"Asiantuntijaa {form.expert_id} ei ole rekisterissä; maksutiedot puuttuvat.",
                f"Experten {form.expert_id} finns inte i registret; betalningsuppgifterna saknas."))
        if form.late or form.month != month:
            received = fi_date(form.received_on)
            pay.checks.append(Check.of_form(
                "late", form, f"Työkuukausi {fi_month(form.month, 'fi')}, lomake saapui {received}: maksetaan "
                              "tässä erässä.",
                f"Arbetsmånad {fi_month(form.month, 'sv')}, blanketten kom in {received}: betalas i denna "
                "utbetalning."))
        for warning in form.warnings:
            if not isinstance(warning, dict) or warning.get("code") in SAID_BY_THE_LATE_CHECK:
                continue
            fi, sv = workbook_warning(warning)
            pay.checks.append(Check.of_form("form_warning", form, fi, sv))
        for line in lines_by_form.get(form.form_id, []):
            if not is_paid(line):
                continue
            income_type = line.income_type
            if not income_type:
                rate = register.rate_for(line.task, line.work_date)
                income_type = rate.income_type if rate else ""
            pay.lines.append(PayLine(form, line, unit, income_type))
    _adjustments(ledger, register, pay, experts)
    pay.lines.sort(key=lambda p: (p.form.expert_id, p.line.work_date, p.form.unit_id, p.line.start, p.line.row))
    if with_checks:
        _tax_cards(register, pay)
        _missing_forms(ledger, register, pay)
        add_limit_findings(ledger, register, pay)
    return pay


def fees_by_expert(pay: PayMonth, expert_ids: set[str]) -> dict[str, Decimal]:
    """The gross fees (all units and income types, adjustments included, no travel) of these experts."""
    fees: dict[str, Decimal] = {}
    for paid in pay.lines:
        expert_id = paid.form.expert_id
        if expert_id in expert_ids:
            fees[expert_id] = fees.get(expert_id, ZERO) + paid.fee
    return fees


def add_limit_findings(ledger: Ledger, register: Register, pay: PayMonth) -> None:
    """Experts whose fees paid on this payment date come near (80 %) or over the limit they declared, and those
    over it for three payment months in a row: `pay.limits`, warnings and rows of the checks sheet."""
    limited = experts_with_limits(register)
    if not limited:
        return
    limits = {e: register.experts[e].earnings_limit_eur or ZERO for e in limited}
    month_fees = [fees_by_expert(pay, limited)]
    over = {e for e, fee in month_fees[0].items() if fee > limits[e]}
    month = pay.month
    first = Month.of(FIRST_YEAR, 1)
    while over and len(month_fees) < LOOK_BACK_MONTHS and month > first:  # months in a row, for those over now
        month = month.previous()
        earlier_pay = collect_pay_month(ledger, register, month, with_checks=False, experts=over)
        earlier = fees_by_expert(earlier_pay, over)
        month_fees.append(earlier)
        over = {e for e, fee in earlier.items() if fee > limits[e]}
    pay.limits = limit_findings(register, month_fees, pay.payment_date)
    for finding in pay.limits:
        pay.checks.append(Check("limit", expert_id=finding.expert_id, month=pay.month, fi=finding.text("fi"),
                                sv=finding.text("sv")))
        pay.warnings.append(finding.problem())


def _adjustments(ledger: Ledger, register: Register, pay: PayMonth, experts: set[str] | None = None) -> None:
    """Corrections received after their form's month was closed: what they pay more this month (PayLines with
    `adjustment=True`), and what was paid but withdrawn (`pay.withdrawn` and a check for the coordinator)."""
    for adjustment in ledger.adjustments_for_pay_month(pay.month):
        form = ledger.form(adjustment.form_id)
        if form is None or (experts is not None and form.expert_id not in experts):
            continue
        line = adjustment.line
        if adjustment.kind == "withdrawn":
            pay.withdrawn.append(adjustment)
            pay.checks.append(withdrawn_check(register, form, line, form.pay_month, adjustment.received_on))
            continue
        rate = register.rate_for(line.task, line.work_date)
        income_type = line.income_type or (rate.income_type if rate else "")
        pay.lines.append(PayLine(form, line, register.units.get(form.unit_id), income_type, adjustment=True))


def _tax_cards(register: Register, pay: PayMonth) -> None:
    """Experts paid this month without a tax card valid on the payment day: 60 % is withheld."""
    paid_on = pay.payment_date
    needed = tax_card_year_for(paid_on)
    for paid_expert in sorted({p.form.expert_id for p in pay.lines}):
        expert = register.experts.get(paid_expert)
        if expert is not None and tax_card_missing(expert, paid_on):
            year = expert.tax_card_year
            have_fi = f"Rekisterissä verokortti vuodelle {year}" if year else "Rekisterissä ei ole verokorttia"
            have_sv = f"Registret har ett skattekort för år {year}" if year else "Registret har inget skattekort"
            card_fi, card_sv = f"vuoden {paid_on.year} verokortti", f"skattekortet för år {paid_on.year}"
            if needed < paid_on.year:
                card_fi += f" (tammikuussa käy vielä vuoden {needed} kortti, jos uutta ei ole vielä käytettävissä)"
                card_sv += f" (i januari duger ännu kortet för år {needed}, om det nya inte ännu kan användas)"
            pay.checks.append(Check(
                "tax_card", expert_id=paid_expert,
                fi=f"{have_fi}; maksupäivä on {fi_date(paid_on)}, ja siihen tarvitaan {card_fi}. "
                   f"Ennakonpidätys {WITHHOLDING_WITHOUT_TAX_CARD}, kunnes HPK Palvelut saa verokortin.",
                sv=f"{have_sv}; betalningsdagen är {fi_date(paid_on)} och kräver {card_sv}. "
                   f"Förskottsinnehållning {WITHHOLDING_WITHOUT_TAX_CARD} tills HPK Palvelut får skattekortet."))
            pay.warnings.append(Problem(
                f"Expert {paid_expert} has no tax card for {needed} in the register "
                f"(tax_card_year: {year or 'empty'}; payment date {paid_on.isoformat()}); "
                f"{WITHHOLDING_WITHOUT_TAX_CARD} will be withheld until HPK Palvelut receives one.",
                sheet="experts", field="tax_card_year", code="no-tax-card", params={"expert_id": paid_expert}))


def _missing_forms(ledger: Ledger, register: Register, pay: PayMonth) -> None:
    """Signed contracts valid in the month whose hour form for that month has not been received. An unsigned
    contract is issued no form, so none is missing for it."""
    received = {f.contract_id for f in ledger.forms_for_year(pay.month.year) if f.month == pay.month}
    for contract in sorted(register.contracts.values(), key=lambda c: (c.expert_id, c.unit_id, c.contract_id)):
        expert = register.experts.get(contract.expert_id)
        if expert is None or not expert.active or not contract.overlaps_month(pay.month):
            continue
        if contract.signed_on is None or contract.contract_id in received:
            continue
        pay.checks.append(Check(
            "missing_form", expert_id=contract.expert_id, unit_id=contract.unit_id, month=pay.month,
            fi=f"Sopimuksen {contract.contract_id} tuntilomaketta ({fi_month(pay.month, 'fi')}) ei ole saatu. Jos se "
               "saapuu kuukauden sulkemisen jälkeen, se maksetaan myöhemmin.",
            sv=f"Timblanketten för avtal {contract.contract_id} ({fi_month(pay.month, 'sv')}) har inte kommit in. Om "
               "den kommer efter att månaden har stängts, betalas den senare."))
        pay.warnings.append(Problem(
            f"No hour form for {pay.month} received from expert {contract.expert_id} for unit {contract.unit_id} "
            f"(contract {contract.contract_id}). If it comes after the month is closed, it is paid the month after.",
            code="missing-form", params={
                "contract_id": contract.contract_id,
                "month": {"fi": fi_month(pay.month, "fi"), "sv": fi_month(pay.month, "sv")}}))


def withdrawn_check(register: Register, form: FormRecord, line: LedgerLine, paid_in: Month,
                    corrected_on: date | None = None) -> Check:
    """The checks-sheet row for a line paid in the closed payroll month `paid_in` that a correction (received
    `corrected_on`) withdrew; `line` holds what was paid too much."""
    amount = money((line.fee_eur if line.payable else ZERO) + line.travel_eur)
    when_fi = f" {fi_date(corrected_on)}" if corrected_on else ""
    when_sv = f" av {fi_date(corrected_on)}" if corrected_on else ""
    return Check.of_form(
        "withdrawn", form,
        f"Rivi {line.row} ({fi_date(line.work_date)}, {register.task_label(line.task, 'fi')}) maksettiin "
        f"maksuerässä {fi_month(paid_in, 'fi')}; korjaus{when_fi} poisti siitä {amount}. Sovi oikaisusta "
        "asiantuntijan ja yksikön kanssa.",
        f"Rad {line.row} ({fi_date(line.work_date)}, {register.task_label(line.task, 'sv')}) betalades i "
        f"utbetalningen för {fi_month(paid_in, 'sv')}; rättelsen{when_sv} tog bort {amount}. Kom överens om "
        "rättelsen med experten och enheten.")
