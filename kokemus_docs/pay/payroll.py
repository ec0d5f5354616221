"""The consolidated fee workbook for HPK Palvelut: what each expert is paid for one payroll month.

A payroll month M pays the forms whose `pay_month` is M: the work done in M, plus forms for earlier
months that arrived after those months were closed. Lines pay their fee when `payable`; travel
reimbursements are kept apart. Fees are summed per income type, because HPK Palvelut reports each payment to
the Incomes Register by income type. The workbook is the one output that carries henkilötunnus, IBAN and home
address, so it is written with mode 0600 and nothing personal is ever printed to the terminal.

Closing a month freezes its workbook: a copy is kept under .kokemus/closed/ (mode 0600) and every later print of
that month is that copy, whatever has changed in the register or the ledger since.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

from kokemus_docs.core import xlsx
from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import fi_date, fi_month, money, money_json, quantize
from kokemus_docs.core.ledger import Adjustment, FormRecord, Ledger, LedgerLine
from kokemus_docs.intake.messages import income_type_name, workbook_warning
from kokemus_docs.core.model import BASIS_LABELS, Expert, Register, Unit, status_label
from kokemus_docs.core.month import FIRST_YEAR, Month
from kokemus_docs.earnings.limits import LimitFinding, experts_with_limits, limit_findings
from kokemus_docs.core.paydates import notice_deadline, payment_date
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.pay import closing
from kokemus_docs.pay.closing import closed_copy_path, payroll_path

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
    month: str = ""

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

    month: str
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


def collect_pay_month(ledger: Ledger, register: Register, month: str, notice_day: int = 9, *,
                      with_checks: bool = True, experts: set[str] | None = None) -> PayMonth:
    """Gather the forms and paid lines of payroll month `month` (of these `experts` only, if given).

    With `with_checks`, also the checks payroll needs to see: tax cards and forms not received.
    """
    month = Month.parse(month)
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
    month_fees = [fees_by_expert(pay, limited)]
    over = {e for e, fee in month_fees[0].items() if fee > register.experts[e].earnings_limit_eur}
    month = Month.parse(pay.month)
    first = Month.of(FIRST_YEAR, 1)
    while over and len(month_fees) < LOOK_BACK_MONTHS and month > first:  # months in a row, for those over now
        month = month.previous()
        earlier_pay = collect_pay_month(ledger, register, month, with_checks=False, experts=over)
        earlier = fees_by_expert(earlier_pay, over)
        month_fees.append(earlier)
        over = {e for e, fee in earlier.items() if fee > register.experts[e].earnings_limit_eur}
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
        if tax_card_missing(expert, paid_on):
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
                sheet="experts", field="tax_card_year", code="no-tax-card"))


def _missing_forms(ledger: Ledger, register: Register, pay: PayMonth) -> None:
    """Signed contracts valid in the month whose hour form for that month has not been received. An unsigned
    contract is issued no form, so none is missing for it."""
    received = {f.contract_id for f in ledger.forms_for_year(Month.parse(pay.month).year) if f.month == pay.month}
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
            code="missing-form"))


def withdrawn_check(register: Register, form: FormRecord, line: LedgerLine, paid_in: str,
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


# --- the workbook -----------------------------------------------------------------------------------

YES, NO = "kyllä / ja", "ei / nej"

SUMMARY_HEADERS = [
    "Asiantuntija-ID / Expert-ID", "Sukunimi / Efternamn", "Etunimi / Förnamn",
    "Henkilötunnus / Personbeteckning", "Lähiosoite / Gatuadress", "Postinumero / Postnummer",
    "Postitoimipaikka / Postanstalt", "IBAN", "Kustannuspaikka / Kostnadsställe", "Tulolaji / Inkomstslag",
    "Tulolajin nimi / Inkomstslagets namn", "Palkkiot / Arvoden", "Matkakorvaukset / Resekostnader",
    "Yhteensä / Totalt", "Rivejä / Rader", "Verokortti / Skattekort",
    "Ennakonpidätys 60 % / Förskottsinnehållning 60 %",
]
SUMMARY_WIDTHS = [11, 16, 12, 14, 20, 11, 13, 24, 13, 10, 18, 12, 14, 12, 8, 12, 14]
SUMMARY_STYLES = [None] * 11 + [xlsx.EURO, xlsx.EURO, xlsx.EURO, None, None, None]

LINE_HEADERS = [
    "Asiantuntija-ID / Expert-ID", "Nimi / Namn", "Päivä / Datum", "Aika / Tid", "Yksikkö / Enhet",
    "Kustannuspaikka / Kostnadsställe", "Tehtävä / Uppgift", "Tila / Status", "Tunnit / Timmar",
    "Peruste / Grund", "Taksa / Taxa", "Palkkio / Arvode", "Matka / Resa", "Matkan peruste / Resans grund",
    "Tulolaji / Inkomstslag", "Lomake / Blankett", "Myöhässä / Försenad", "Oikaisu / Rättelse",
    "Lisätiedot / Anteckningar",
]
LINE_WIDTHS = [10, 16, 10, 12, 20, 12, 20, 18, 8, 9, 10, 10, 10, 13, 10, 19, 9, 9, 22]
LINE_STYLES = [None] * 8 + [xlsx.HOURS, None, xlsx.EURO, xlsx.EURO, xlsx.EURO] + [None] * 6

CHECK_HEADERS = ["Tarkistus / Kontroll", "Asiantuntija-ID / Expert-ID", "Yksikkö-ID / Enhet-ID",
                 "Lomake / Blankett", "Työkuukausi / Arbetsmånad", "Selitys", "Förklaring"]
CHECK_WIDTHS = [22, 11, 15, 19, 10, 52, 52]

FACT_WIDTHS = [46, 24, 12, 14, 16, 14]
COST_CENTER_HEADERS = ["Kustannuspaikka / Kostnadsställe", "Yksiköt / Enheter", "Rivejä / Rader",
                       "Palkkiot / Arvoden", "Matkakorvaukset / Resekostnader", "Yhteensä / Totalt"]
INCOME_TYPE_HEADERS = ["Tulolaji / Inkomstslag", "Nimi / Namn", "Rivejä / Rader", "Palkkiot / Arvoden"]
TRAVEL_LABEL = "Matkakorvaukset (erikseen) / Resekostnader (separat)"
TOTAL_LABEL = "Yhteensä / Totalt"


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def _tax_card_text(expert: Expert | None, paid_on: date) -> tuple[str, str]:
    if expert is None:
        return "", ""
    if tax_card_missing(expert, paid_on):
        have = str(expert.tax_card_year) if expert.tax_card_year else "puuttuu / saknas"
        return have, WITHHOLDING_WITHOUT_TAX_CARD
    return str(expert.tax_card_year), ""


def _both(fi: str, sv: str) -> str:
    return fi if fi == sv else f"{fi} / {sv}"


def _clock(text: str) -> str:
    """'09:30' -> '9.30', as times are written in Finnish and Swedish; anything else as it is."""
    hours, _, minutes = text.partition(":")
    if hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        return f"{int(hours)}.{minutes}"
    return text


def _time_span(start: str, end: str) -> str:
    return f"{_clock(start)}–{_clock(end)}" if start or end else ""


def _facts_rows(ws: Workspace, pay: PayMonth, generated_at: datetime) -> list[list[object]]:
    closed = f"{YES} ({pay.closed_at.replace('T', ' ')})" if pay.closed_at else NO
    rows: list[list[object]] = [
        ["Palkkiot HPK Palveluille / Arvoden till HPK Palvelut", ws.org_name("fi")],
        ["Työkuukausi / Arbetsmånad", pay.month],
        ["", f"{fi_month(pay.month, 'fi')} / {fi_month(pay.month, 'sv')}"],
        ["Maksupäivä / Betalningsdag", pay.payment_date],
        ["Palkkioilmoitus yksiköille viimeistään / Arvodesanmälan till enheterna senast", pay.notice_deadline],
        ["Kuukausi suljettu / Månaden stängd", closed],
        ["Luotu / Skapad", generated_at],
        ["Asiantuntijoita / Experter", len({p.form.expert_id for p in pay.lines})],
        ["Maksettavia rivejä / Rader att betala", len(pay.lines)],
        ["Myöhässä saapuneita lomakkeita / Försenade blanketter", len(pay.late_forms)],
        ["Oikaisurivejä / Rättelserader", sum(1 for p in pay.lines if p.adjustment)],
        ["Palkkiot yhteensä / Arvoden totalt", xlsx.money_number(pay.fee_total)],
        ["Matkakorvaukset yhteensä / Resekostnader totalt", xlsx.money_number(pay.travel_total)],
        ["Kaikki yhteensä / Allt totalt", xlsx.money_number(pay.total)],
        ["Henkilötietoja / Personuppgifter",
         "Sisältää henkilötunnuksia, tilinumeroita ja osoitteita. Käsittele luottamuksellisena, älä lähetä "
         "salaamattomana. / Innehåller personbeteckningar, kontonummer och adresser. Hanteras konfidentiellt, "
         "skicka inte okrypterat."],
    ]
    return rows


def _append_table(sheet, headers: list[str], rows: list[list[object]], styles: list[str | None],
                  totals: list[object]) -> None:
    """A small table under the facts: header, rows, a bold totals row."""
    sheet.append(xlsx.header_row(sheet, headers))
    for values in rows:
        sheet.append([xlsx.cell(sheet, value, style) for value, style in zip(values, styles, strict=True)])
    total_styles = [{xlsx.EURO: xlsx.TOTAL_EURO}.get(style or "", xlsx.TOTAL) for style in styles]
    sheet.append([xlsx.cell(sheet, value, style) for value, style in zip(totals, total_styles, strict=True)])


def _facts_sheet(wb: Workbook, ws: Workspace, pay: PayMonth, generated_at: datetime) -> None:
    facts = wb.create_sheet("Tiedot")
    xlsx.set_widths(facts, FACT_WIDTHS)
    for label, value in _facts_rows(ws, pay, generated_at):
        style = xlsx.BOLD_EURO if isinstance(value, Decimal) else None
        facts.append([xlsx.cell(facts, label, xlsx.BOLD), xlsx.cell(facts, value, style)])
    facts.merge_cells(start_row=facts.max_row, start_column=2, end_row=facts.max_row, end_column=len(FACT_WIDTHS))

    facts.append([])
    euro = xlsx.EURO
    rows = [[cost_center, ", ".join(units), count, xlsx.money_number(fee), xlsx.money_number(travel),
             xlsx.money_number(fee + travel)] for cost_center, units, fee, travel, count in pay.cost_center_totals()]
    _append_table(facts, COST_CENTER_HEADERS, rows, [None, None, None, euro, euro, euro],
                  [TOTAL_LABEL, "", len(pay.lines), xlsx.money_number(pay.fee_total),
                   xlsx.money_number(pay.travel_total), xlsx.money_number(pay.total)])

    facts.append([])
    by_type = pay.income_type_totals()
    rows = [[code or "?", income_type_name(code), count, xlsx.money_number(fee)] for code, fee, count in by_type]
    rows.append([TRAVEL_LABEL, "", sum(1 for p in pay.lines if p.travel), xlsx.money_number(pay.travel_total)])
    _append_table(facts, INCOME_TYPE_HEADERS, rows, [None, None, None, euro],
                  [TOTAL_LABEL, "", "", xlsx.money_number(pay.total)])
    xlsx.print_setup(facts)
    xlsx.fit_row_heights(facts)


def _summary_sheet(wb: Workbook, register: Register, pay: PayMonth, progress: Progress) -> None:
    totals = pay.expert_totals(register)

    def summary_rows():
        for done, entry in enumerate(totals, start=1):
            expert = entry.expert
            card, withholding = _tax_card_text(expert, pay.payment_date)
            yield [entry.expert_id,
                   expert.last_name if expert else "", expert.first_name if expert else "",
                   expert.hetu if expert else "", expert.street_address if expert else "",
                   expert.postal_code if expert else "", expert.city if expert else "",
                   expert.iban if expert else "", entry.cost_center, entry.income_type,
                   income_type_name(entry.income_type),
                   xlsx.money_number(entry.fee), xlsx.money_number(entry.travel), xlsx.money_number(entry.total),
                   entry.lines, card, withholding]
            progress(done, len(totals), entry.expert_id)

    footer = [TOTAL_LABEL] + [""] * 10 + [
        xlsx.money_number(pay.fee_total), xlsx.money_number(pay.travel_total), xlsx.money_number(pay.total),
        sum(t.lines for t in totals), "", ""]
    xlsx.table_sheet(wb, "Yhteenveto", SUMMARY_HEADERS, SUMMARY_WIDTHS, summary_rows(), SUMMARY_STYLES, footer)


def _lines_sheet(wb: Workbook, register: Register, pay: PayMonth) -> None:
    def line_rows():
        for paid in pay.lines:
            line, form = paid.line, paid.form
            expert = register.experts.get(form.expert_id)
            basis = BASIS_LABELS.get(line.basis, {})
            yield [form.expert_id, expert.full_name if expert else "", line.work_date,
                   _time_span(line.start, line.end),
                   paid.unit.name_fi if paid.unit else form.unit_id, paid.cost_center,
                   _both(register.task_label(line.task, "fi"), register.task_label(line.task, "sv")),
                   _both(status_label(line.status, "fi"), status_label(line.status, "sv")), line.hours,
                   _both(basis.get("fi", line.basis), basis.get("sv", line.basis)),
                   xlsx.money_number(line.rate_eur), xlsx.money_number(paid.fee), xlsx.money_number(paid.travel),
                   line.travel_ref, paid.income_type, form.form_id,
                   _yes_no(form.late or form.month != pay.month), _yes_no(paid.adjustment), line.notes]

    footer = [TOTAL_LABEL] + [""] * 7 + [sum((p.line.hours for p in pay.lines), ZERO), "", "",
                                         xlsx.money_number(pay.fee_total), xlsx.money_number(pay.travel_total)]
    footer += [""] * (len(LINE_HEADERS) - len(footer))
    xlsx.table_sheet(wb, "Rivit", LINE_HEADERS, LINE_WIDTHS, line_rows(), LINE_STYLES, footer)


def _checks_sheet(wb: Workbook, pay: PayMonth) -> None:
    rows = ([CHECK_KINDS[c.kind], c.expert_id, c.unit_id, c.form_id, c.month, c.fi, c.sv] for c in pay.checks)
    footer = [f"Tarkistuksia / Kontroller: {len(pay.checks)}"] + [""] * (len(CHECK_HEADERS) - 1)
    xlsx.table_sheet(wb, "Tarkistukset", CHECK_HEADERS, CHECK_WIDTHS, rows, [None] * len(CHECK_HEADERS), footer)


def _workbook_bytes(ws: Workspace, register: Register, pay: PayMonth, generated_at: datetime,
                    progress: Progress) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    xlsx.add_styles(wb)
    _facts_sheet(wb, ws, pay, generated_at)
    _summary_sheet(wb, register, pay, progress)
    _lines_sheet(wb, register, pay)
    _checks_sheet(wb, pay)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def closed_result(ws: Workspace, ledger: Ledger, month: str) -> dict | None:
    """The --json result of `month`'s payroll as it was at closing (per expert, cost centre and income type);
    None if the month is open or its kept copy is missing, unreadable or changed."""
    if ledger.closed_at(month) is None:
        return None
    snapshot = closing.read_closed_copy(ws, ledger, month)
    return snapshot["extra"] if snapshot is not None else None


def _summary_lines(month: str, pay: PayMonth, register: Register) -> list[str]:
    totals = pay.expert_totals(register)
    summary = [
        f"Payroll for work done in {fi_month(month)} ({month}): {len({t.expert_id for t in totals})} experts, "
        f"{len(pay.lines)} lines; fees {money(pay.fee_total)}, travel {money(pay.travel_total)}, "
        f"total {money(quantize(pay.total))}.",
        f"Notice deadline {fi_date(pay.notice_deadline)}; payment date {fi_date(pay.payment_date)}.",
    ]
    if pay.late_forms:
        summary.append(f"Includes {len(pay.late_forms)} late form(s) for earlier months.")
    return summary


def _extra(month: str, pay: PayMonth, register: Register) -> dict:
    return {
        "month": month,
        "payment_date": pay.payment_date.isoformat(),
        "notice_deadline": pay.notice_deadline.isoformat(),
        "closed": pay.closed_at is not None,
        "experts": [{"expert_id": t.expert_id, "cost_center": t.cost_center, "income_type": t.income_type,
                     "fee_eur": money_json(t.fee), "travel_eur": money_json(t.travel),
                     "total_eur": money_json(t.total), "lines": t.lines}
                    for t in pay.expert_totals(register)],
        "total_eur": money_json(pay.total),
    }


def write_payroll(ws: Workspace, register: Register, month: str, *, close: bool = False,
                  progress: Progress | None = None) -> Outcome:
    """Write outputs/payroll/payroll_<month>.xlsx for HPK Palvelut; with `close`, lock the month in the ledger.

    Closing keeps a copy of the workbook as written (and of the --json result) under .kokemus/closed/; a closed
    month is re-printed from that copy, cell for cell, whatever changed in the register or the ledger since.
    A close interrupted at any step is finished (or, if the ledger never committed it, undone) by the next run
    (see pay/closing.py). A month with a kept closed copy that the ledger does not know as closed is an error:
    nothing is rebuilt or overwritten. Closing is refused while the payroll has errors (an expert or unit
    missing from the register). The file holds personal data and is written with mode 0600; the summary lines
    for the terminal carry no personal data.
    """
    month = Month.parse(month)
    progress = progress or no_progress
    target = payroll_path(ws, month)
    delivery = (f"{ws.rel(target)} holds personal data (henkilötunnus, IBAN, home address) and is readable "
                "by its owner only (mode 0600). Deliver it to HPK Palvelut over a secure channel.")
    with Ledger(ws.ledger_path) as ledger:
        closing.recover_close(ws, ledger, month)
        with ledger.transaction():
            closing.refuse_closed_copy_without_close(ws, ledger, month)
            closed_at = ledger.closed_at(month)
            snapshot = closing.read_closed_copy(ws, ledger, month) if closed_at else None
            if snapshot is None:
                pay = collect_pay_month(ledger, register, month, ws.notice_day)
                was_closed = pay.closed_at is not None
                closing_now = close and not was_closed and not pay.errors
                if closing_now:
                    ledger.close_month(month)
                    pay.closed_at = ledger.closed_at(month)
                workbook = _workbook_bytes(ws, register, pay, datetime.now().replace(microsecond=0), progress)
                summary = _summary_lines(month, pay, register)
                extra = _extra(month, pay, register)
                if closing_now:
                    closing.begin_close(ws, ledger, month, closing.snapshot_bytes(
                        month, pay.closed_at, workbook, extra, summary))
                else:
                    closing.deliver(target, workbook)
        # Committed: only now may a workbook that says "closed" reach outputs/.
    if snapshot is not None:
        closing.deliver(target, snapshot["workbook_bytes"])
        progress(1, 1, month)
        return Outcome(written=[target], extra=snapshot["extra"], summary=[
            *(str(s) for s in snapshot.get("summary", [])),
            f"Month {month} was already closed ({closed_at}); this is its workbook as it was at closing.",
            delivery])
    if closing_now:
        closing.finish_close(ws, month, workbook)
    outcome = Outcome(written=[target], errors=list(pay.errors), warnings=list(pay.warnings), extra=extra)
    _say_what_became_of_the_month(ws, month, pay, outcome, summary, was_closed=was_closed, closing_now=closing_now,
                                  close=close)
    outcome.summary = summary + [delivery]
    return outcome


def _say_what_became_of_the_month(ws: Workspace, month: str, pay: PayMonth, outcome: Outcome, summary: list[str],
                                  *, was_closed: bool, closing_now: bool, close: bool) -> None:
    if was_closed:
        outcome.warnings.append(Problem(
            f"Month {month} was closed ({pay.closed_at}) but {ws.rel(closed_copy_path(ws, month))} holds no readable, "
            "unchanged copy of its workbook from closing; this print is rebuilt from the ledger and today's register and "
            "may differ from the one delivered.",
            code="no-closed-copy"))
        summary.append(f"Month {month} was already closed ({pay.closed_at}); this is a re-print of its content.")
    elif closing_now:
        summary.append(f"Month {month} is now closed: forms for it that arrive later are paid in a later month.")
    elif close:
        outcome.errors.append(Problem(f"Month {month} was not closed because the payroll has errors; fix them "
                                      "and run again with --close.", code="not-closed"))
    else:
        summary.append(f"Month {month} is still open; close it with --close once the payroll is final.")
