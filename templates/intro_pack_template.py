"""The introduction pack template (intro_pack_fi.docx, intro_pack_sv.docx): its texts and layout."""

from __future__ import annotations

from docx import Document
from docx_blocks import (
    checklist,
    field_lines,
    header_footer,
    heading,
    item_lines,
    new_document,
    para,
    signature_lines,
    tag_paragraph,
)

INTRO_TEXT = {
    "fi": {
        "title": "Perehdytyspaketti",
        "page": "Sivu",
        "printed": "Tulostettu",
        "lead": "Tähän perehdytyspakettiin on koottu se, mitä kokemusasiantuntijan on hyvä tietää ennen "
                "työn aloittamista yksikössä. Käykää kohdat läpi yhdessä, rastittakaa ne ja kuitatkaa "
                "perehdytys allekirjoituksin.",
        "basics": "Perustiedot",
        "basic_rows": [
            ("Kokemusasiantuntija", "{{ expert.full_name }}"),
            ("Asiantuntijanumero", "{{ expert.expert_id }}"),
            ("Sähköposti", "{{ expert.email }}"),
            ("Puhelin", "{{ expert.phone }}"),
            ("Yksikkö", "{{ unit.name }}"),
            ("Palvelualue", "{{ unit.service_area }}"),
            ("Käyntiosoite", "{{ unit.address }}"),
            ("Tilat", "{{ unit.premises }}"),
            ("Yksikön yhteyshenkilö", "{{ unit.contact_name }}"),
            ("Yhteyshenkilön sähköposti", "{{ unit.contact_email }}"),
            ("Yhteyshenkilön puhelin", "{{ unit.contact_phone }}"),
            ("Sopimus- ja palkkioasiat", "{{ coordinator.name_title }}"),
            ("Yhteystiedot", "{{ coordinator.contact }}"),
        ],
        "contract": ["Toimeksiantosopimus ", "{{ contract.id }}", " on voimassa ", "{{ contract.valid_from }}",
                     " \u2013 ", "{{ contract.valid_to }}", "."],
        "tasks": "Sovitut tehtävät",
        "task_headers": ("Tehtävä", "Peruste", "Palkkio (voimassa nyt ja muutokset)"),
        "checklist": "Perehdytyksen tarkistuslista",
        "check_headers": ("Käydään läpi", "Sovittu / lisätiedot"),
        "items": [
            ("Yhteiset toimintaohjeet ja se, miten yksikkö soveltaa niitä omaan työhönsä.", ""),
            ("Kierros yksikön tiloissa.", ""),
            ("Kokemusasiantuntija esitellään yksikön henkilöstölle.", ""),
            ("Toimintaa varten varattu tila ja sen varaaminen.", ""),
            ("Yksikön yhteyshenkilö ja miten hänet tavoittaa.", "{{ unit.contact_name }}"),
            ("Yhteys asiakkaisiin kulkee aina työntekijän kautta. Kokemusasiantuntija ei koskaan anna "
             "asiakkaille omia yhteystietojaan.", ""),
            ("Kokemusasiantuntijan käyttöön annettava puhelin tai puhelinliittymä ja sen käyttötapa.", ""),
            ("Kokemusasiantuntijalla on oikeus lopettaa asiakastyö yhdessä työntekijän tai työryhmän kanssa.", ""),
            ("Säännöllinen työnohjaus: milloin ja kenen kanssa.", ""),
            ("Raportointi ja kirjaaminen: mitä kirjataan, minne ja kuka kirjaa.", ""),
            ("Palkkion maksaminen: tuntilomake kuukausittain, lomake yksikköön viimeistään seuraavan "
             "kuukauden {{ notice_day }}. päivänä; kuukauden palkkiot maksetaan seuraavan kuukauden viimeisenä "
             "pankkipäivänä. Kysymykset sopimuksesta ja palkkioista toimeksiantajan yhteyshenkilölle.",
             "{{ coordinator.full }}"),
            ("Salassapito ja tietosuoja.", ""),
        ],
        "sign": "Kuittaus",
        "sign_text": "Perehdytys on käyty läpi yllä olevan tarkistuslistan mukaisesti.",
        "sign_parties": ("Kokemusasiantuntija", "Yksikön yhteyshenkilö"),
        "sign_rows": [
            ("Paikka ja päivämäärä", ("", "")),
            ("Allekirjoitus", ("", "")),
            ("Nimenselvennys", ("{{ expert.full_name }}", "{{ unit.contact_name }}")),
        ],
    },
    "sv": {
        "title": "Introduktionspaket",
        "page": "Sida",
        "printed": "Utskrivet",
        "lead": "I det här introduktionspaketet finns det som erfarenhetsexperten behöver veta innan arbetet "
                "vid enheten börjar. Gå igenom punkterna tillsammans, kryssa för dem och kvittera "
                "introduktionen med era underskrifter.",
        "basics": "Grunduppgifter",
        "basic_rows": [
            ("Erfarenhetsexpert", "{{ expert.full_name }}"),
            ("Expertnummer", "{{ expert.expert_id }}"),
            ("E-post", "{{ expert.email }}"),
            ("Telefon", "{{ expert.phone }}"),
            ("Enhet", "{{ unit.name }}"),
            ("Serviceområde", "{{ unit.service_area }}"),
            ("Besöksadress", "{{ unit.address }}"),
            ("Lokaler", "{{ unit.premises }}"),
            ("Enhetens kontaktperson", "{{ unit.contact_name }}"),
            ("Kontaktpersonens e-post", "{{ unit.contact_email }}"),
            ("Kontaktpersonens telefon", "{{ unit.contact_phone }}"),
            ("Avtal och arvoden", "{{ coordinator.name_title }}"),
            ("Kontaktuppgifter", "{{ coordinator.contact }}"),
        ],
        "contract": ["Uppdragsavtal ", "{{ contract.id }}", " gäller ", "{{ contract.valid_from }}",
                     " \u2013 ", "{{ contract.valid_to }}", "."],
        "tasks": "Överenskomna uppdrag",
        "task_headers": ("Uppdrag", "Grund", "Arvode (gäller nu och ändringar)"),
        "checklist": "Checklista för introduktionen",
        "check_headers": ("Gå igenom", "Överenskommet / tilläggsuppgifter"),
        "items": [
            ("De gemensamma verksamhetsanvisningarna och hur enheten tillämpar dem i sitt arbete.", ""),
            ("En rundtur i enhetens lokaler.", ""),
            ("Erfarenhetsexperten presenteras för enhetens personal.", ""),
            ("Det utrymme som reserverats för verksamheten och hur det bokas.", ""),
            ("Enhetens kontaktperson och hur hen nås.", "{{ unit.contact_name }}"),
            ("Kontakten med kunderna går alltid via den anställda. Erfarenhetsexperten ger aldrig sina "
             "personliga kontaktuppgifter till kunder.", ""),
            ("Den telefon eller telefonanslutning som erfarenhetsexperten får använda och hur den används.", ""),
            ("Erfarenhetsexperten har rätt att avsluta kundarbetet tillsammans med den anställda eller "
             "arbetsgruppen.", ""),
            ("Regelbunden arbetshandledning: när och med vem.", ""),
            ("Rapportering och dokumentation: vad som antecknas, var och av vem.", ""),
            ("Utbetalning av arvodet: timblankett varje månad, blanketten till enheten senast den "
             "{{ notice_day }} i följande månad; en månads arvoden betalas den sista bankdagen i följande "
             "månad. Frågor om avtalet och arvodena till uppdragsgivarens kontaktperson.",
             "{{ coordinator.full }}"),
            ("Sekretess och dataskydd.", ""),
        ],
        "sign": "Kvittering",
        "sign_text": "Introduktionen har gåtts igenom enligt checklistan ovan.",
        "sign_parties": ("Erfarenhetsexpert", "Enhetens kontaktperson"),
        "sign_rows": [
            ("Ort och datum", ("", "")),
            ("Underskrift", ("", "")),
            ("Namnförtydligande", ("{{ expert.full_name }}", "{{ unit.contact_name }}")),
        ],
    },
}


def build_intro_pack(lang: str) -> Document:
    t = INTRO_TEXT[lang]
    doc = new_document(lang, t["title"], t["title"])
    header_footer(doc, t["title"], t["page"])
    title = heading(doc, f"{t['title']}: ", 1)
    title.add_run("{{ unit.name }}")
    para(doc, f"{t['printed']} ", "{{ generated_on }}", size=8)
    para(doc, t["lead"])

    heading(doc, t["basics"], 2)
    field_lines(doc, t["basic_rows"])
    tag_paragraph(doc, "{%p if contract %}")
    para(doc, *t["contract"])
    tag_paragraph(doc, "{%p endif %}")

    heading(doc, t["tasks"], 2)
    item_lines(doc, ((78, "left"), (100, "left")), t["task_headers"], "task in tasks",
               ("{{ task.label }}", "{{ task.basis_label }}", "{{ task.rate_now }}"))

    heading(doc, t["checklist"], 2)
    checklist(doc, t["check_headers"], t["items"])

    heading(doc, t["sign"], 2)
    para(doc, t["sign_text"])
    signature_lines(doc, t["sign_parties"], t["sign_rows"])
    return doc
