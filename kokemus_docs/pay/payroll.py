"""The consolidated fee workbook for HPK Palvelut: what each expert is paid for one payroll month, as
gathered by `pay.paymonth`. Fees are summed per income type, because HPK Palvelut reports each payment to
the Incomes Register by income type. The workbook is the one output that carries henkilötunnus, IBAN and home
address, so it is written with mode 0600 and nothing personal is ever printed to the terminal.

Closing a month freezes its workbook: a copy is kept under .kokemus/closed/ (mode 0600) and every later print of
that month is that copy, whatever has changed in the register or the ledger since.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

from kokemus_docs.core import xlsx
from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import fi_date, fi_month, money, money_json, quantize
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import BASIS_LABELS, Expert, Register, status_label
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.pay import closing
from kokemus_docs.pay.closing import closed_copy_path, payroll_path
from kokemus_docs.pay.paymonth import (
    CHECK_KINDS,
    WITHHOLDING_WITHOUT_TAX_CARD,
    ZERO,
    PayMonth,
    collect_pay_month,
    tax_card_missing,
)
from kokemus_docs.pay.texts import income_type_name

# --- the workbook -----------------------------------------------------------------------------------

YES, NO = "kyllä / ja", "ei / nej"

# What the clerk reads (the summary) is apart from what they file (the payment details, with the personal data),
# so that each prints on A4 landscape at a readable size.
SUMMARY_HEADERS = [
    "Asiantuntija-ID / Expert-ID", "Sukunimi / Efternamn", "Etunimi / Förnamn",
    "Kustannuspaikka / Kostnadsställe", "Tulolaji / Inkomstslag", "Tulolajin nimi / Namn",
    "Palkkiot / Arvoden", "Matkat / Resor", "Yhteensä / Totalt", "Rivejä / Rader",
    "Verokortti / Skattekort", "Pidätys / Innehållning",
]
SUMMARY_WIDTHS = [11, 14, 11, 13, 10, 14, 11, 9, 11, 8, 11, 12]
SUMMARY_STYLES = [None] * 6 + [xlsx.EURO, xlsx.EURO, xlsx.EURO, None, xlsx.CENTER, xlsx.CENTER]
PAYEE_HEADERS = [
    "Asiantuntija-ID / Expert-ID", "Sukunimi / Efternamn", "Etunimi / Förnamn",
    "Henkilötunnus / Personbeteckning", "Lähiosoite / Gatuadress", "Postinumero / Postnummer",
    "Postitoimipaikka / Postanstalt", "IBAN", "Yhteensä / Totalt",
]
PAYEE_WIDTHS = [11, 16, 12, 14, 22, 11, 14, 24, 12]
PAYEE_STYLES = [None] * 8 + [xlsx.EURO]

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
CHECK_WIDTHS = [16, 10, 13, 17, 9, 34, 34]

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
                   entry.cost_center, entry.income_type,
                   income_type_name(entry.income_type),
                   xlsx.money_number(entry.fee), xlsx.money_number(entry.travel), xlsx.money_number(entry.total),
                   entry.lines, card, withholding]
            progress(done, len(totals), entry.expert_id)

    footer = [TOTAL_LABEL] + [""] * 5 + [
        xlsx.money_number(pay.fee_total), xlsx.money_number(pay.travel_total), xlsx.money_number(pay.total),
        sum(t.lines for t in totals), "", ""]
    xlsx.table_sheet(wb, "Yhteenveto", SUMMARY_HEADERS, SUMMARY_WIDTHS, summary_rows(), SUMMARY_STYLES, footer)


def _payees_sheet(wb: Workbook, register: Register, pay: PayMonth) -> None:
    """Each expert paid this month once, with what payroll files: henkilötunnus, address, IBAN and the total."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in pay.expert_totals(register):
        totals[entry.expert_id] += entry.total

    def payee_rows():
        for expert_id, total in sorted(totals.items()):
            expert = register.experts.get(expert_id)
            yield [expert_id, expert.last_name if expert else "", expert.first_name if expert else "",
                   expert.hetu if expert else "", expert.street_address if expert else "",
                   expert.postal_code if expert else "", expert.city if expert else "",
                   expert.iban if expert else "", xlsx.money_number(total)]

    footer = [TOTAL_LABEL] + [""] * 7 + [xlsx.money_number(pay.total)]
    xlsx.table_sheet(wb, "Maksutiedot", PAYEE_HEADERS, PAYEE_WIDTHS, payee_rows(), PAYEE_STYLES, footer)


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
    xlsx.table_sheet(wb, "Rivit", LINE_HEADERS, LINE_WIDTHS, line_rows(), LINE_STYLES, footer, pages_wide=2,
                     title_columns="A:B")


def _checks_sheet(wb: Workbook, pay: PayMonth) -> None:
    rows = ([CHECK_KINDS[c.kind], c.expert_id, c.unit_id, c.form_id, c.month or "", c.fi, c.sv] for c in pay.checks)
    footer = [f"Tarkistuksia / Kontroller: {len(pay.checks)}"] + [""] * (len(CHECK_HEADERS) - 1)
    xlsx.table_sheet(wb, "Tarkistukset", CHECK_HEADERS, CHECK_WIDTHS, rows, [None] * len(CHECK_HEADERS), footer)


def _workbook_bytes(ws: Workspace, register: Register, pay: PayMonth, generated_at: datetime,
                    progress: Progress) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    xlsx.add_styles(wb)
    _facts_sheet(wb, ws, pay, generated_at)
    _summary_sheet(wb, register, pay, progress)
    _payees_sheet(wb, register, pay)
    _lines_sheet(wb, register, pay)
    _checks_sheet(wb, pay)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def closed_result(ws: Workspace, ledger: Ledger, month: Month) -> dict | None:
    """The --json result of `month`'s payroll as it was at closing (per expert, cost centre and income type);
    None if the month is open or its kept copy is missing, unreadable or changed."""
    if ledger.closed_at(month) is None:
        return None
    snapshot = closing.read_closed_copy(ws, ledger, month)
    return snapshot.extra if snapshot is not None else None


def _summary_lines(month: Month, pay: PayMonth, register: Register) -> list[str]:
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


def _extra(month: Month, pay: PayMonth, register: Register) -> dict:
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


def write_payroll(ws: Workspace, register: Register, month: Month, *, close: bool = False,
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
    progress = progress or no_progress
    target = payroll_path(ws, month)
    delivery = (f"{ws.rel(target)} holds personal data (henkilötunnus, IBAN, home address) and is readable "
                "by its owner only (mode 0600). Deliver it to HPK Palvelut over a secure channel.")
    with open_ledger(ws.ledger_path) as ledger:
        closing.recover_close(ws, ledger, month)
        with ledger.transaction():
            closing.refuse_closed_copy_without_close(ws, ledger, month)
            closed_at = ledger.closed_at(month)
            snapshot = closing.read_closed_copy(ws, ledger, month) if closed_at else None
            if snapshot is None:
                pay = collect_pay_month(ledger, register, month, ws.notice_day)
                was_closed = pay.closed_at is not None
                closing_now = close and not was_closed and not pay.errors
                closed_now = ledger.close_month(month) if closing_now else None
                if closed_now is not None:
                    pay.closed_at = closed_now
                workbook = _workbook_bytes(ws, register, pay, datetime.now().replace(microsecond=0), progress)
                summary = _summary_lines(month, pay, register)
                extra = _extra(month, pay, register)
                if closed_now is not None:
                    closing.begin_close(ws, ledger, month, closing.snapshot_bytes(
                        month, closed_now, workbook, extra, summary))
                else:
                    closing.deliver(target, workbook)
        # Committed: only now may a workbook that says "closed" reach outputs/.
    if snapshot is not None:
        closing.deliver(target, snapshot.workbook)
        progress(1, 1, month)
        return Outcome(written=[target], extra=snapshot.extra, summary=[
            *snapshot.summary,
            f"Month {month} was already closed ({closed_at}); this is its workbook as it was at closing.",
            delivery])
    if closing_now:
        closing.finish_close(ws, month, workbook)
    outcome = Outcome(written=[target], errors=list(pay.errors), warnings=list(pay.warnings), extra=extra)
    _say_what_became_of_the_month(ws, month, pay, outcome, summary, was_closed=was_closed, closing_now=closing_now,
                                  close=close)
    outcome.summary = summary + [delivery]
    return outcome


def _say_what_became_of_the_month(ws: Workspace, month: Month, pay: PayMonth, outcome: Outcome, summary: list[str],
                                  *, was_closed: bool, closing_now: bool, close: bool) -> None:
    if was_closed:
        outcome.warnings.append(Problem(
            f"Month {month} was closed ({pay.closed_at}) but {ws.rel(closed_copy_path(ws, month))} holds no readable, "
            "unchanged copy of its workbook from closing; this print is rebuilt from the ledger and today's register "
            "and "
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
