"""The fee notice template (fee_notice_fi.docx, fee_notice_sv.docx): its texts and layout."""

from __future__ import annotations

from docx import Document
from docx_blocks import (
    field_lines,
    header_footer,
    heading,
    loop_table,
    new_document,
    para,
    paragraph_style,
    signature_lines,
    tag_paragraph,
)

FEE_TEXT = {
    "fi": {
        "title": "Palkkioilmoitus",
        "page": "Sivu",
        "printed": "Tulostettu",
        "lead": "Kokemusasiantuntijoiden palkkiot, jotka maksetaan yksikön kustannuspaikalta. Yksikön "
                "nimetty työntekijä tarkistaa ilmoituksen ja hyväksyy sen allekirjoituksellaan.",
        "rows": [
            ("Yksikkö", "{{ unit.name }}"),
            ("Kustannuspaikka", "{{ unit.cost_center }}"),
            ("Yksikön nimetty työntekijä", "{{ unit.contact_name }}"),
            ("Palvelukuukausi", "{{ month_label }}"),
            ("Ilmoitus yksikössä viimeistään", "{{ notice_deadline }}"),
            ("Maksupäivä", "{{ payment_date }}"),
        ],
        "lines": "Maksettavat tehtävät",
        "line_headers": ("Päivä", "Tehtävä", "Tila", "Tunnit", "Hinta", "Palkkio", "Matkat"),
        "expert_total": "Yhteensä",
        "unpaid": "Rivit, joista ei makseta tai jotka maksetaan ilmoitetusta poiketen",
        "unpaid_lead": "Tuntilomakkeilla ilmoitetut rivit, joista palkkio tai matkakulut jäävät maksamatta tai "
                       "maksetaan toisin kuin ilmoitettiin, ja syy.",
        "unpaid_headers": ("Päivä", "Kokemusasiantuntija", "Tehtävä", "Syy"),
        "corrections": "Oikaisut aiempiin kuukausiin",
        "corrections_lead": "Tuntilomakkeiden korjaukset kuukausilta, joiden palkkiot oli jo maksettu: mitä "
                            "muuttui ja erotus. Lisäykset maksetaan tässä erässä ja sisältyvät yksikön summaan; "
                            "jo maksetut, korjauksessa poistuneet rivit sovitaan erikseen, eikä niitä vähennetä "
                            "tästä summasta.",
        "corrections_headers": ("Työkuukausi", "Kokemusasiantuntija", "Päivä", "Tehtävä", "Muutos", "Erotus"),
        "totals": "Yksikkö yhteensä",
        "total_rows": [
            ("Palkkiot", "{{ fee_total }}"),
            ("Matkakorvaukset", "{{ travel_total }}"),
            ("Yhteensä", "{{ total }}"),
        ],
        "approval": "Hyväksyntä",
        "approval_text": ["Vahvistan, että ilmoitetut tehtävät on tehty yksikössä ja että palkkiot voidaan "
                          "maksaa kustannuspaikalta ", "{{ unit.cost_center }}", "."],
        "sign_parties": ("Yksikön nimetty työntekijä",),
        "sign_rows": [
            ("Päivämäärä", ("",)),
            ("Allekirjoitus", ("",)),
            ("Nimenselvennys", ("{{ unit.contact_name }}",)),
        ],
    },
    "sv": {
        "title": "Arvodesanmälan",
        "page": "Sida",
        "printed": "Utskrivet",
        "lead": "Erfarenhetsexperternas arvoden som betalas från enhetens kostnadsställe. Enhetens "
                "namngivna anställda granskar anmälan och godkänner den med sin underskrift.",
        "rows": [
            ("Enhet", "{{ unit.name }}"),
            ("Kostnadsställe", "{{ unit.cost_center }}"),
            ("Enhetens namngivna anställda", "{{ unit.contact_name }}"),
            ("Månad då arbetet utfördes", "{{ month_label }}"),
            ("Anmälan vid enheten senast", "{{ notice_deadline }}"),
            ("Betalningsdag", "{{ payment_date }}"),
        ],
        "lines": "Uppdrag som betalas",
        "line_headers": ("Datum", "Uppdrag", "Status", "Timmar", "Taxa", "Arvode", "Resor"),
        "expert_total": "Totalt",
        "unpaid": "Rader som inte betalas eller som betalas annorlunda än anmält",
        "unpaid_lead": "Rader på timblanketterna vars arvode eller resekostnader inte betalas eller betalas "
                       "annorlunda än anmält, med orsaken.",
        "unpaid_headers": ("Datum", "Erfarenhetsexpert", "Uppdrag", "Orsak"),
        "corrections": "Rättelser till tidigare månader",
        "corrections_lead": "Rättelser av timblanketter för månader vars arvoden redan hade betalats: vad som "
                            "ändrades och skillnaden. Tilläggen betalas i denna utbetalning och ingår i enhetens "
                            "summa; redan betalda rader som strukits i rättelsen regleras separat och dras inte "
                            "av från summan.",
        "corrections_headers": ("Arbetsmånad", "Erfarenhetsexpert", "Datum", "Uppdrag", "Ändring", "Skillnad"),
        "totals": "Enheten totalt",
        "total_rows": [
            ("Arvoden", "{{ fee_total }}"),
            ("Reseersättningar", "{{ travel_total }}"),
            ("Totalt", "{{ total }}"),
        ],
        "approval": "Godkännande",
        "approval_text": ["Jag bekräftar att de anmälda uppdragen har utförts vid enheten och att arvodena "
                          "kan betalas från kostnadsställe ", "{{ unit.cost_center }}", "."],
        "sign_parties": ("Enhetens namngivna anställda",),
        "sign_rows": [
            ("Datum", ("",)),
            ("Underskrift", ("",)),
            ("Namnförtydligande", ("{{ unit.contact_name }}",)),
        ],
    },
}


def build_fee_notice(lang: str) -> Document:
    t = FEE_TEXT[lang]
    doc = new_document(lang, t["title"], t["title"])
    header_footer(doc, t["title"], t["page"])
    title = heading(doc, f"{t['title']}: ", 1)
    title.add_run("{{ month_label }}")
    para(doc, f"{t['printed']} ", "{{ generated_on }}", size=8)
    para(doc, t["lead"])
    field_lines(doc, t["rows"])
    tag_paragraph(doc, "{%p if late_note %}")
    para(doc, ("{{ late_note }}", "b"))
    tag_paragraph(doc, "{%p endif %}")

    heading(doc, t["lines"], 2)
    tag_paragraph(doc, "{%p for person in experts %}")
    name = heading(doc, "{{ person.full_name }}", 3)
    name.add_run(" (")
    name.add_run("{{ person.expert_id }}")
    name.add_run(")")
    loop_table(
        doc, (19, 41, 25, 16, 26, 20, 19), t["line_headers"], "line in person.lines",
        ("{{ line.date }}", "{{ line.task_label }}", "{{ line.status_label }}", "{{ line.hours }}",
         "{{ line.rate }} / {{ line.basis_label }}", "{{ line.fee }}", "{{ line.travel }}"),
        totals=(t["expert_total"], "", "", "", "", "{{ person.fee_total }}", "{{ person.travel_total }}"),
        size=8, align="lllrrrr",
    )
    tag_paragraph(doc, "{%p endfor %}")

    tag_paragraph(doc, "{%p if corrections %}")
    heading(doc, t["corrections"], 2)
    para(doc, t["corrections_lead"]).paragraph_format.keep_with_next = True
    loop_table(
        doc, (22, 32, 18, 30, 46, 18), t["corrections_headers"], "row in corrections",
        ("{{ row.month }}", "{{ row.expert }}", "{{ row.date }}", "{{ row.task_label }}", "{{ row.change }}",
         "{{ row.difference }}"), size=8, align="lllllr",
    )
    tag_paragraph(doc, "{%p endif %}")

    tag_paragraph(doc, "{%p if unpaid %}")
    heading(doc, t["unpaid"], 2)
    para(doc, t["unpaid_lead"]).paragraph_format.keep_with_next = True
    loop_table(
        doc, (19, 38, 38, 71), t["unpaid_headers"], "row in unpaid",
        ("{{ row.date }}", "{{ row.expert }}", "{{ row.task_label }}", "{{ row.reason }}"), size=8,
    )
    tag_paragraph(doc, "{%p endif %}")

    # the totals, the approval and the signature stay together on one page
    heading(doc, t["totals"], 2)
    total = paragraph_style(doc, "Total", tabs=[(100, "right")], space_after=2, keep_with_next=True)
    for label, value in t["total_rows"]:
        para(doc, (label, "b"), "\t" + value, style=total)  # the sums right-aligned under each other
    heading(doc, t["approval"], 2)
    para(doc, *t["approval_text"])
    signature_lines(doc, t["sign_parties"], t["sign_rows"])
    return doc
