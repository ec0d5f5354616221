"""The consolidated fee workbook for HPK Palvelut: what each expert is paid for one payroll month.

A payroll month M pays the forms whose `pay_month` is M: the work done in M, plus forms for earlier
months that arrived after those months were closed. Lines pay their fee when `payable`; travel
reimbursements are kept apart. The workbook is the one output that carries henkilötunnus, IBAN and home
address, so it is written with mode 0600 and nothing personal is ever printed to the terminal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from kokemus_docs import xlsx
from kokemus_docs.errors import KokemusError, Problem
from kokemus_docs.fileio import atomic_path
from kokemus_docs.formatting import fi_date, fi_month, money, money_json, quantize
from kokemus_docs.ledger import Adjustment, FormRecord, Ledger, LedgerLine
from kokemus_docs.model import BASIS_LABELS, Expert, Register, Unit, status_label
from kokemus_docs.paydates import notice_deadline, payment_date
from kokemus_docs.report import Outcome, Progress, no_progress
from kokemus_docs.workspace import Workspace

PERSONAL_DATA_MODE = 0o600
WITHHOLDING_WITHOUT_TAX_CARD = "60 %"
ZERO = Decimal("0")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(month: str) -> str:
    """`month` if it is a YYYY-MM month, else a usage error that says how to write it."""
    if not isinstance(month, str) or not _MONTH.match(month):
        raise KokemusError(f"'{month}' is not a month; write it as YYYY-MM, e.g. 2026-10.", code="bad-month")
    return month


@dataclass(frozen=True)
class PayLine:
    """One line paid in the payroll month: the form it came from, its unit and the cost centre charged."""

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
    """What one expert is paid from one cost centre in the payroll month."""

    expert_id: str
    cost_center: str
    expert: Expert | None
    income_types: list[str] = field(default_factory=list)
    fee: Decimal = ZERO
    travel: Decimal = ZERO
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return self.fee + self.travel


@dataclass(frozen=True)
class Check:
    """A row of the checks sheet: something payroll or the coordinator should look at."""

    kind: str
    message: str
    expert_id: str = ""
    unit_id: str = ""
    form_id: str = ""
    month: str = ""


CHECK_KINDS = {
    "late": "Myöhässä saapunut lomake / Försenad blankett",
    "tax_card": "Verokortti / Skattekort",
    "missing_form": "Lomake puuttuu / Blankett saknas",
    "form_warning": "Huomautus lomakkeesta / Anmärkning om blanketten",
    "register": "Rekisteri / Registret",
    "withdrawn": "Korjauksessa poistunut maksettu rivi / Betald rad som strukits i rättelse",
}


@dataclass
class PayMonth:
    """Everything one payroll month pays, gathered from the ledger and the register."""

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
        """One entry per expert and cost centre, ordered by expert id then cost centre."""
        totals: dict[tuple[str, str], ExpertTotal] = {}
        for paid in self.lines:
            key = (paid.form.expert_id, paid.cost_center)
            entry = totals.get(key)
            if entry is None:
                entry = totals[key] = ExpertTotal(key[0], key[1], register.experts.get(key[0]))
            entry.fee += paid.fee
            entry.travel += paid.travel
            entry.lines += 1
            if paid.income_type and paid.income_type not in entry.income_types:
                entry.income_types.append(paid.income_type)
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


def is_paid(line: LedgerLine) -> bool:
    """A line appears in payroll when its fee is payable or it carries a travel reimbursement."""
    return line.payable or line.travel_eur > 0


def tax_card_missing(expert: Expert | None, payment_year: int) -> bool:
    """True when the register has no tax card for the year the fee is paid (60 % is then withheld)."""
    return expert is not None and (expert.tax_card_year is None or expert.tax_card_year < payment_year)


def collect_pay_month(ledger: Ledger, register: Register, month: str, notice_day: int = 9, *,
                      with_checks: bool = True) -> PayMonth:
    """Gather the forms and paid lines of payroll month `month`.

    With `with_checks`, also the checks payroll needs to see: tax cards and forms not received.
    """
    check_month(month)
    forms = ledger.forms_for_pay_month(month)
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
        if form.expert_id not in register.experts and form.expert_id not in unknown_experts:
            unknown_experts.add(form.expert_id)
            pay.errors.append(Problem(
                f"Expert {form.expert_id} (form {form.form_id}) is not in the register; payroll needs their "
                "henkilötunnus, IBAN and address. Add the expert back to the experts sheet and print again.",
                sheet="experts", field="expert_id", code="unknown-expert"))
        if form.late or form.month != month:
            pay.checks.append(Check("late", f"Työkuukausi {form.month}, saapui {fi_date(form.received_on)}; "
                                            f"maksetaan tässä erässä / betalas i denna omgång",
                                    form.expert_id, form.unit_id, form.form_id, form.month))
        for warning in form.warnings:
            where = f"rivi {warning['row']}: " if warning.get("row") is not None else ""
            pay.checks.append(Check("form_warning", where + str(warning.get("message", "")),
                                    form.expert_id, form.unit_id, form.form_id, form.month))
        for line in lines_by_form.get(form.form_id, []):
            if not is_paid(line):
                continue
            income_type = line.income_type
            if not income_type:
                rate = register.rate_for(line.task, line.work_date)
                income_type = rate.income_type if rate else ""
            pay.lines.append(PayLine(form, line, unit, income_type))
    _adjustments(ledger, register, pay)
    pay.lines.sort(key=lambda p: (p.form.expert_id, p.line.work_date, p.form.unit_id, p.line.start, p.line.row))
    if with_checks:
        _tax_cards(register, pay)
        _missing_forms(ledger, register, pay)
    return pay


def _adjustments(ledger: Ledger, register: Register, pay: PayMonth) -> None:
    """Corrections received after their form's month was closed: what they pay more this month (PayLines with
    `adjustment=True`), and what was paid but withdrawn (`pay.withdrawn` and a check for the coordinator)."""
    for adjustment in ledger.adjustments_for_pay_month(pay.month):
        form = ledger.form(adjustment.form_id)
        if form is None:
            continue
        line = adjustment.line
        if adjustment.kind == "withdrawn":
            pay.withdrawn.append(adjustment)
            task = register.task_label(line.task, "fi")
            pay.checks.append(Check("withdrawn", f"Rivi {line.row} ({fi_date(line.work_date)}, {task}) maksettiin "
                                                 f"erässä {form.pay_month}; korjaus {fi_date(adjustment.received_on)} "
                                                 f"poisti {money(adjustment.amount)} – sovi hyvityksestä / reglera",
                                    form.expert_id, form.unit_id, form.form_id, form.month))
            continue
        rate = register.rate_for(line.task, line.work_date)
        income_type = line.income_type or (rate.income_type if rate else "")
        pay.lines.append(PayLine(form, line, register.units.get(form.unit_id), income_type, adjustment=True))


def _tax_cards(register: Register, pay: PayMonth) -> None:
    """Experts paid this month without a tax card for the payment year: 60 % is withheld."""
    for paid_expert in sorted({p.form.expert_id for p in pay.lines}):
        expert = register.experts.get(paid_expert)
        if tax_card_missing(expert, pay.payment_date.year):
            year = expert.tax_card_year
            have = f"verokortti vuodelle {year}" if year else "ei verokorttia"
            pay.checks.append(Check("tax_card", f"{have}; maksuvuosi {pay.payment_date.year} → ennakonpidätys "
                                                f"{WITHHOLDING_WITHOUT_TAX_CARD}", paid_expert))
            pay.warnings.append(Problem(
                f"Expert {paid_expert} has no tax card for {pay.payment_date.year} in the register "
                f"(tax_card_year: {year or 'empty'}); {WITHHOLDING_WITHOUT_TAX_CARD} will be withheld until HPK "
                "Palvelut receives one.", sheet="experts", field="tax_card_year", code="no-tax-card"))


def _missing_forms(ledger: Ledger, register: Register, pay: PayMonth) -> None:
    """Contracts valid in the month whose hour form for that month has not been received."""
    year = int(pay.month[:4])
    received = {f.contract_id for f in ledger.forms_for_year(year) if f.month == pay.month}
    for contract in sorted(register.contracts.values(), key=lambda c: (c.expert_id, c.unit_id, c.contract_id)):
        expert = register.experts.get(contract.expert_id)
        if expert is None or not expert.active or not contract.overlaps_month(pay.month):
            continue
        if contract.contract_id in received:
            continue
        pay.checks.append(Check("missing_form", f"Sopimus {contract.contract_id}: kuukauden {pay.month} "
                                                "tuntilomaketta ei ole saatu / ingen timblankett",
                                contract.expert_id, contract.unit_id, "", pay.month))
        pay.warnings.append(Problem(
            f"No hour form for {pay.month} received from expert {contract.expert_id} for unit {contract.unit_id} "
            f"(contract {contract.contract_id}). If it comes after the month is closed, it is paid the month after.",
            code="missing-form"))


# --- the workbook -----------------------------------------------------------------------------------

SUMMARY_HEADERS = [
    "Asiantuntija-ID / Expert-ID", "Sukunimi / Efternamn", "Etunimi / Förnamn",
    "Henkilötunnus / Personbeteckning", "Lähiosoite / Gatuadress", "Postinumero / Postnummer",
    "Postitoimipaikka / Postanstalt", "IBAN", "Kustannuspaikka / Kostnadsställe", "Tulolaji / Inkomstslag",
    "Palkkiot / Arvoden", "Matkakorvaukset / Resekostnader", "Yhteensä / Totalt", "Rivejä / Rader",
    "Verokortti / Skattekort", "Ennakonpidätys 60 % / Förskottsinnehållning 60 %",
]
SUMMARY_WIDTHS = [14, 20, 18, 17, 26, 11, 16, 24, 14, 12, 14, 14, 14, 8, 16, 16]
SUMMARY_STYLES = [None] * 10 + [xlsx.EURO, xlsx.EURO, xlsx.EURO, None, None, None]

LINE_HEADERS = [
    "Asiantuntija-ID / Expert-ID", "Nimi / Namn", "Päivä / Datum", "Alkoi / Började", "Päättyi / Slutade",
    "Yksikkö-ID / Enhet-ID", "Yksikkö / Enhet", "Kustannuspaikka / Kostnadsställe", "Tehtävä / Uppgift",
    "Tila / Status", "Tunnit / Timmar", "Peruste / Grund", "Taksa / Taxa", "Palkkio / Arvode",
    "Matka / Resa", "Matkan peruste / Resans grund", "Tulolaji / Inkomstslag", "Lomake / Blankett",
    "Työkuukausi / Arbetsmånad", "Myöhässä / Försenad", "Lisätiedot / Anteckningar",
]
LINE_WIDTHS = [14, 24, 11, 7, 7, 14, 30, 14, 22, 20, 8, 9, 11, 11, 11, 18, 11, 22, 11, 9, 30]
LINE_STYLES = [None] * 10 + [xlsx.HOURS, None, xlsx.EURO, xlsx.EURO, xlsx.EURO] + [None] * 6

CHECK_HEADERS = ["Tarkistus / Kontroll", "Asiantuntija-ID / Expert-ID", "Yksikkö-ID / Enhet-ID",
                 "Lomake / Blankett", "Työkuukausi / Arbetsmånad", "Selitys / Förklaring"]
CHECK_WIDTHS = [30, 14, 16, 24, 12, 80]

FACT_WIDTHS = [44, 22, 16, 14, 16, 16, 16]
COST_CENTER_HEADERS = ["Kustannuspaikka / Kostnadsställe", "Yksiköt / Enheter", "Rivejä / Rader",
                       "Palkkiot / Arvoden", "Matkakorvaukset / Resekostnader", "Yhteensä / Totalt"]


def _yes_no(flag: bool) -> str:
    return "kyllä / ja" if flag else "ei / nej"


def _tax_card_text(expert: Expert | None, payment_year: int) -> tuple[str, str]:
    if expert is None:
        return "", ""
    if tax_card_missing(expert, payment_year):
        have = str(expert.tax_card_year) if expert.tax_card_year else "puuttuu / saknas"
        return have, WITHHOLDING_WITHOUT_TAX_CARD
    return str(expert.tax_card_year), ""


def _facts_rows(ws: Workspace, pay: PayMonth, generated_at: datetime) -> list[list[object]]:
    closed = f"kyllä / ja ({pay.closed_at.replace('T', ' ')})" if pay.closed_at else "ei / nej"
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
        ["Palkkiot yhteensä / Arvoden totalt", xlsx.money_number(pay.fee_total)],
        ["Matkakorvaukset yhteensä / Resekostnader totalt", xlsx.money_number(pay.travel_total)],
        ["Kaikki yhteensä / Allt totalt", xlsx.money_number(pay.total)],
        ["Henkilötietoja / Personuppgifter",
         "Sisältää henkilötunnuksia, tilinumeroita ja osoitteita. Käsittele luottamuksellisena, älä lähetä "
         "salaamattomana. / Innehåller personbeteckningar, kontonummer och adresser. Hanteras konfidentiellt."],
    ]
    return rows


def _write_workbook(target: Path, ws: Workspace, register: Register, pay: PayMonth, generated_at: datetime,
                    progress: Progress) -> None:
    wb = Workbook(write_only=True)
    xlsx.add_styles(wb)

    facts = wb.create_sheet("Tiedot")
    xlsx.set_widths(facts, FACT_WIDTHS)
    for label, value in _facts_rows(ws, pay, generated_at):
        style = xlsx.BOLD_EURO if isinstance(value, Decimal) else None
        facts.append([xlsx.cell(facts, label, xlsx.BOLD), xlsx.cell(facts, value, style)])
    facts.append([])
    facts.append(xlsx.header_row(facts, COST_CENTER_HEADERS))
    for cost_center, units, fee, travel, count in pay.cost_center_totals():
        facts.append([xlsx.cell(facts, cost_center), xlsx.cell(facts, ", ".join(units)), xlsx.cell(facts, count),
                      xlsx.cell(facts, xlsx.money_number(fee), xlsx.EURO),
                      xlsx.cell(facts, xlsx.money_number(travel), xlsx.EURO),
                      xlsx.cell(facts, xlsx.money_number(fee + travel), xlsx.EURO)])
    facts.append([xlsx.cell(facts, "Yhteensä / Totalt", xlsx.BOLD), None, xlsx.cell(facts, len(pay.lines)),
                  xlsx.cell(facts, xlsx.money_number(pay.fee_total), xlsx.BOLD_EURO),
                  xlsx.cell(facts, xlsx.money_number(pay.travel_total), xlsx.BOLD_EURO),
                  xlsx.cell(facts, xlsx.money_number(pay.total), xlsx.BOLD_EURO)])

    totals = pay.expert_totals(register)

    def summary_rows():
        for done, entry in enumerate(totals, start=1):
            expert = entry.expert
            card, withholding = _tax_card_text(expert, pay.payment_date.year)
            yield [entry.expert_id,
                   expert.last_name if expert else "", expert.first_name if expert else "",
                   expert.hetu if expert else "", expert.street_address if expert else "",
                   expert.postal_code if expert else "", expert.city if expert else "",
                   expert.iban if expert else "", entry.cost_center, ", ".join(entry.income_types),
                   xlsx.money_number(entry.fee), xlsx.money_number(entry.travel), xlsx.money_number(entry.total),
                   entry.lines, card, withholding]
            progress(done, len(totals), entry.expert_id)

    xlsx.table_sheet(wb, "Yhteenveto", SUMMARY_HEADERS, SUMMARY_WIDTHS, summary_rows(), SUMMARY_STYLES)

    def line_rows():
        for paid in pay.lines:
            line, form = paid.line, paid.form
            expert = register.experts.get(form.expert_id)
            yield [form.expert_id, expert.full_name if expert else "", line.work_date, line.start, line.end,
                   form.unit_id, paid.unit.name_fi if paid.unit else "", paid.cost_center,
                   register.task_label(line.task, "fi"), status_label(line.status, "fi"), line.hours,
                   BASIS_LABELS.get(line.basis, {}).get("fi", line.basis), xlsx.money_number(line.rate_eur),
                   xlsx.money_number(paid.fee), xlsx.money_number(paid.travel), line.travel_ref, paid.income_type,
                   form.form_id, form.month, _yes_no(form.late or form.month != pay.month), line.notes]

    xlsx.table_sheet(wb, "Rivit", LINE_HEADERS, LINE_WIDTHS, line_rows(), LINE_STYLES)

    check_rows = ([CHECK_KINDS[c.kind], c.expert_id, c.unit_id, c.form_id, c.month, c.message] for c in pay.checks)
    xlsx.table_sheet(wb, "Tarkistukset", CHECK_HEADERS, CHECK_WIDTHS, check_rows, [None] * len(CHECK_HEADERS))

    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with atomic_path(target, mode=PERSONAL_DATA_MODE) as tmp:
        wb.save(tmp)


def payroll_path(ws: Workspace, month: str) -> Path:
    return ws.output("payroll", f"payroll_{month}.xlsx")


def write_payroll(ws: Workspace, register: Register, month: str, *, close: bool = False,
                  progress: Progress | None = None) -> Outcome:
    """Write outputs/payroll/payroll_<month>.xlsx for HPK Palvelut; with `close`, lock the month in the ledger.

    A closed month is re-printed from the ledger with the same content. Closing is refused while the
    payroll has errors (an expert or unit missing from the register). The file holds personal data and
    is written with mode 0600; the summary lines for the terminal carry no personal data.
    """
    check_month(month)
    progress = progress or no_progress
    target = payroll_path(ws, month)
    outcome = Outcome()
    with Ledger(ws.ledger_path) as ledger, ledger.transaction():
        pay = collect_pay_month(ledger, register, month, ws.notice_day)
        was_closed = pay.closed_at is not None
        closing = close and not was_closed and not pay.errors
        if closing:
            ledger.close_month(month)
            pay.closed_at = ledger.closed_at(month)
        # Written inside the transaction: if the file cannot be written, the month stays open.
        _write_workbook(target, ws, register, pay, datetime.now().replace(microsecond=0), progress)

    outcome.written.append(target)
    outcome.errors += pay.errors
    outcome.warnings += pay.warnings
    totals = pay.expert_totals(register)
    outcome.extra = {
        "month": month,
        "payment_date": pay.payment_date.isoformat(),
        "notice_deadline": pay.notice_deadline.isoformat(),
        "closed": pay.closed_at is not None,
        "experts": [{"expert_id": t.expert_id, "cost_center": t.cost_center, "fee_eur": money_json(t.fee),
                     "travel_eur": money_json(t.travel), "total_eur": money_json(t.total), "lines": t.lines}
                    for t in totals],
        "total_eur": money_json(pay.total),
    }
    summary = [
        f"Payroll for work done in {fi_month(month)} ({month}): {len({t.expert_id for t in totals})} experts, "
        f"{len(pay.lines)} lines; fees {money(pay.fee_total)}, travel {money(pay.travel_total)}, "
        f"total {money(quantize(pay.total))}.",
        f"Notice deadline {fi_date(pay.notice_deadline)}; payment date {fi_date(pay.payment_date)}.",
    ]
    if pay.late_forms:
        summary.append(f"Includes {len(pay.late_forms)} late form(s) for earlier months.")
    if was_closed:
        summary.append(f"Month {month} was already closed ({pay.closed_at}); this is a re-print of its content.")
    elif closing:
        summary.append(f"Month {month} is now closed: forms for it that arrive later are paid in a later month.")
    elif close:
        outcome.errors.append(Problem(f"Month {month} was not closed because the payroll has errors; fix them "
                                      "and run again with --close.", code="not-closed"))
    else:
        summary.append(f"Month {month} is still open; close it with --close once the payroll is final.")
    summary.append(f"{ws.rel(target)} holds personal data (henkilötunnus, IBAN, home address) and is readable "
                   "by its owner only (mode 0600). Deliver it to HPK Palvelut over a secure channel.")
    outcome.summary = summary
    return outcome
