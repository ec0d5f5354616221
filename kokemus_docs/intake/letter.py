"""The expert's letter about a returned hour form: why it was rejected, what is paid differently, what a
correction after close changes; in the expert's language (fi or sv), with the coordinator to ask."""

from __future__ import annotations

from datetime import date
from typing import Any

from kokemus_docs.core.formatting import fi_date, fi_month, money
from kokemus_docs.core.model import Register
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.core.records import LedgerLine
from kokemus_docs.forms.texts import field_label
from kokemus_docs.intake.decision import FormResult
from kokemus_docs.intake.messages import ROW_WORD, Finding, month_genitive_text
from kokemus_docs.pay.corrections import Correction

FEEDBACK_TEXT: dict[str, dict[str, Any]] = {
    "fi": {
        "title": "Palaute tuntilomakkeesta",
        "form": "Lomake", "unit": "Yksikkö", "received": "Saapunut",
        "hello": "Hei {name},",
        "rejected": "tuntilomakettasi ei voitu hyväksyä. Korjaa alla luetellut kohdat samaan lomakkeeseen ja "
                    "palauta se uudelleen. Älä muuta lomakkeen lukittuja tunnistetietoja: {identity}.",
        "errors": "Korjattavat kohdat:",
        "warnings": "Huomioitavaa (nämä eivät yksinään estä hyväksymistä):",
        "accepted": "tuntilomakkeesi on hyväksytty, eikä sitä tarvitse lähettää uudelleen. Palkkiot maksetaan "
                    "{payment}.",
        "paid_rows": "Rivit, joilta ei makseta kaikkea tai jotka käsiteltiin toisin kuin merkitsit:",
        "notes": "Huomioitavaa:",
        "corrected": "korjattu tuntilomakkeesi saapui, kun lomakkeen palkkiot oli jo käsitelty "
                     "{paid_month_gen} maksuerässä. Korjaus ei korvaa käsiteltyä lomaketta, vaan alla on, mitä se "
                     "muuttaa maksuihin.",
        "paid_on_past": "Käsitellyn lomakkeen palkkiot maksettiin {paid_on}.",
        "paid_on_future": "Käsitellyn lomakkeen palkkiot maksetaan {paid_on}.",
        "additional": "Korjauksen perusteella maksetaan lisää {pays_on}:",
        "withdrawn": "Nämä aiemmin maksettavaksi käsitellyt rivit eivät korjauksen mukaan ole maksettavia. "
                     "Järjestötyön ja osallisuuden asiantuntija sopii kanssasi, miten ne hyvitetään:",
        "unchanged": "Korjaus ei muuta maksettavia palkkioita.",
        "row": "Rivi {row} ({date}, {task})",
        "fee_paid": "palkkio {fee} maksetaan",
        "fee_not_paid": "palkkiota ei makseta",
        "travel_paid": "matkakulut {travel} korvataan",
        "fee_more": "palkkio {fee}",
        "travel_more": "matkakulut {travel}",
        "was_paid": "palkkio {fee}",
        "was_travel": "matkakulut {travel}",
        "questions": "Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan:",
        "questions_no_contact": "Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan.",
        "reason": {
            "cancelled_in_time": "Tehtävä peruttiin maksuttoman peruutuksen aikarajaan mennessä.",
            "group_terminated": "Ryhmä lopetettiin painavasta tai etukäteen sovitusta syystä.",
            "expert_ill": "Kun sairastut itse etkä voi hoitaa tehtävää, palkkiota ei makseta.",
        },
    },
    "sv": {
        "title": "Återkoppling på timblanketten",
        "form": "Blankett", "unit": "Enhet", "received": "Mottagen",
        "hello": "Hej {name},",
        "rejected": "din timblankett kunde inte godkännas. Rätta punkterna nedan på samma blankett och skicka den "
                    "på nytt. Ändra inte blankettens låsta identifieringsuppgifter: {identity}.",
        "errors": "Att rätta:",
        "warnings": "Att observera (hindrar inte i sig att blanketten godkänns):",
        "accepted": "din timblankett har godkänts och du behöver inte skicka den på nytt. Arvodena betalas "
                    "{payment}.",
        "paid_rows": "Rader som inte betalas helt eller som behandlades annorlunda än du angav:",
        "notes": "Att observera:",
        "corrected": "din rättade timblankett kom in när arvodena för blanketten redan hade behandlats i "
                     "utbetalningen för {paid_month}. Rättelsen ersätter inte den behandlade blanketten; nedan "
                     "ser du vad den ändrar i utbetalningarna.",
        "paid_on_past": "Arvodena för den behandlade blanketten betalades {paid_on}.",
        "paid_on_future": "Arvodena för den behandlade blanketten betalas {paid_on}.",
        "additional": "På grund av rättelsen betalas ytterligare {pays_on}:",
        "withdrawn": "De här raderna, som redan behandlats för utbetalning, ska enligt rättelsen inte betalas. "
                     "Experten på organisationsarbete och delaktighet kommer överens med dig om hur de regleras:",
        "unchanged": "Rättelsen ändrar inte arvodena som betalas.",
        "row": "Rad {row} ({date}, {task})",
        "fee_paid": "arvodet {fee} betalas",
        "fee_not_paid": "inget arvode betalas",
        "travel_paid": "resekostnaden {travel} ersätts",
        "fee_more": "arvode {fee}",
        "travel_more": "resekostnad {travel}",
        "was_paid": "arvode {fee}",
        "was_travel": "resekostnad {travel}",
        "questions": "Frågor? Kontakta experten på organisationsarbete och delaktighet:",
        "questions_no_contact": "Frågor? Kontakta experten på organisationsarbete och delaktighet.",
        "reason": {
            "cancelled_in_time": "Uppdraget avbokades inom tiden för avgiftsfri avbokning.",
            "group_terminated": "Gruppen avslutades av ett tungt vägande eller på förhand överenskommet skäl.",
            "expert_ill": "När du själv insjuknar och inte kan utföra uppdraget betalas inget arvode.",
        },
    },
}
# Findings that the feedback explains in its own words rather than listing them.
_EXPLAINED_ELSEWHERE = frozenset({"corrected-after-close"})


def needs_feedback(result: FormResult) -> bool:
    """A rejected form, a correction after its month was closed, or an accepted form that is paid differently
    from what the expert claimed, or with anything the expert should know (a warning)."""
    if result.status == "rejected" or result.correction is not None:
        return True
    return result.status in ("accepted", "replaced") and (
        bool(result.warnings) or any(not ln.payable for ln in result.lines))


def feedback_text(register: Register, result: FormResult, received_on: date,
                  coordinator: dict[str, str] | None = None, expected: str = "") -> str:
    """The expert's feedback on a form, in the expert's language (fi or sv).

    A rejected form: each row and field to correct, with what to do. An accepted form: for each row paid
    differently from what was claimed, what is paid and why. A correction after the form's month was closed:
    what is paid more, and when, and what was paid but is withdrawn. Ends with the coordinator's name, e-mail
    and phone (`coordinator`, as Workspace.coordinator_contact gives them). `expected`: the payment expected
    beside the expert's declared limit, said before the contact. Holds no henkilötunnus, IBAN or address.
    """
    contract = register.contracts.get(result.contract_id)
    expert = register.experts.get(contract.expert_id if contract else result.expert_id)
    unit = register.units.get(contract.unit_id if contract else result.unit_id)
    language = expert.document_language if expert else "fi"
    words = FEEDBACK_TEXT[language]
    month_label = f" ({fi_month(result.month, language)})" if result.month else ""
    lines = [words["title"], "", f"{words['form']}: {result.form_id}{month_label}"]
    if unit is not None:
        lines.append(f"{words['unit']}: {unit.name(language)}")
    lines += [f"{words['received']}: {fi_date(received_on)}", ""]
    if result.status == "rejected":
        opening = words["rejected"].format(identity=", ".join(
            field_label(name, language) for name in ("form_id", "contract_id", "unit_id", "month")))
    elif result.correction is not None:
        paid_month = result.correction.paid_month
        opening = words["corrected"].format(paid_month_gen=month_genitive_text(paid_month).text("fi").lower(),
                                            paid_month=fi_month(paid_month, language))
    elif result.pay_month is None:
        raise ValueError(f"form {result.form_id} is {result.status} without the month that pays it")
    else:
        opening = words["accepted"].format(payment=fi_date(payment_date(result.pay_month)))
    if expert is not None:
        lines += [words["hello"].format(name=expert.first_name), "", opening]
    else:
        lines.append(opening[0].upper() + opening[1:])

    warnings = [f for f in result.warnings if f.code not in _EXPLAINED_ELSEWHERE]
    if result.status == "rejected":
        lines += ["", words["errors"], *(_feedback_item(f, language) for f in result.errors)]
        if warnings:
            lines += ["", words["warnings"], *(_feedback_item(f, language) for f in warnings)]
    elif result.correction is not None:
        lines += _correction_lines(register, result.correction, received_on, language)
        if warnings:
            lines += ["", words["notes"], *(_feedback_item(f, language) for f in warnings)]
    else:
        explained = _paid_rows(register, result, language)
        row_findings = {id(f) for f in warnings if f.row is not None}
        if explained:
            lines += ["", words["paid_rows"], *explained]
        others = [f for f in warnings if id(f) not in row_findings]
        if others:
            lines += ["", words["notes"], *(_feedback_item(f, language) for f in others)]
    if expected:
        lines += ["", expected]
    lines += ["", *_contact_lines(coordinator, words)]
    return "\n".join(lines) + "\n"


def _contact_lines(coordinator: dict[str, str] | None, words: dict) -> list[str]:
    parts = [v for v in (coordinator or {}).values() if v]
    if not parts:
        return [words["questions_no_contact"]]
    return [words["questions"], ", ".join(parts)]


def _row_label(register: Register, line: LedgerLine, language: str) -> str:
    return FEEDBACK_TEXT[language]["row"].format(row=line.row, date=fi_date(line.work_date),
                                                 task=register.task_label(line.task, language))


def _paid_rows(register: Register, result: FormResult, language: str) -> list[str]:
    """'- Rivi 3 (...): palkkiota ei makseta. Why.' for each row not paid as claimed, in row order."""
    words = FEEDBACK_TEXT[language]
    by_row: dict[int, list[Finding]] = {}
    for finding in result.warnings:
        if finding.row is not None:
            by_row.setdefault(finding.row, []).append(finding)
    items = []
    lines_by_row = {ln.row: ln for ln in result.lines}
    for row in sorted(set(by_row) | {ln.row for ln in result.lines if not ln.payable}):
        line = lines_by_row.get(row)
        reasons = [f.text(language) for f in by_row.get(row, [])]
        if line is None:  # a row with only a warning and no line (cannot happen for accepted rows; be safe)
            items += [f"- {ROW_WORD[language]} {row}: {r}" for r in reasons]
            continue
        paid = [words["fee_paid"].format(fee=money(line.fee_eur)) if line.payable else words["fee_not_paid"]]
        if line.travel_eur > 0:
            paid.append(words["travel_paid"].format(travel=money(line.travel_eur)))
        reason = words["reason"].get(line.status, "") if not line.payable else ""
        if reason and not any(f.code == "status-corrected" for f in by_row.get(row, [])):
            reasons.insert(0, reason)
        text = f"- {_row_label(register, line, language)}: {', '.join(paid)}."
        items.append(" ".join([text, *reasons]))
    return items


def _correction_lines(register: Register, correction: Correction, received_on: date, language: str) -> list[str]:
    words = FEEDBACK_TEXT[language]
    paid_on = correction.paid_on
    lines = [words["paid_on_past" if paid_on <= received_on else "paid_on_future"].format(paid_on=fi_date(paid_on))]
    if correction.additional:
        lines += ["", words["additional"].format(pays_on=fi_date(correction.pays_on))]
        for line in correction.additional:
            amounts = [words["fee_more"].format(fee=money(line.fee_eur)) if line.fee_eur else "",
                       words["travel_more"].format(travel=money(line.travel_eur)) if line.travel_eur else ""]
            lines.append(f"- {_row_label(register, line, language)}: {', '.join(a for a in amounts if a)}")
    if correction.withdrawn:
        lines += ["", words["withdrawn"]]
        for line in correction.withdrawn:
            amounts = [words["was_paid"].format(fee=money(line.fee_eur)) if line.fee_eur else "",
                       words["was_travel"].format(travel=money(line.travel_eur)) if line.travel_eur else ""]
            lines.append(f"- {_row_label(register, line, language)}: {', '.join(a for a in amounts if a)}")
    if not correction.additional and not correction.withdrawn:
        lines += ["", words["unchanged"]]
    return lines


def _feedback_item(finding: Finding, language: str) -> str:
    where = finding.where(language)
    return f"- {where}: {finding.text(language)}" if where else f"- {finding.text(language)}"
