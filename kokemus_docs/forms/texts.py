"""The words printed on an hour form, in Finnish and Swedish, and the label of each field."""

from __future__ import annotations

from typing import Any

from kokemus_docs.forms.fields import ROW_FIELDS, SEAL_FIELD

TEXTS: dict[str, dict[str, Any]] = {  # texts, and lists of paragraphs ("how", ...)
    "fi": {
        "title": "Tuntilomake",
        "expert": "Kokemusasiantuntija",
        "unit": "Yksikkö",
        "form_id": "Lomakkeen tunnus",
        "contract_id": "Sopimus",
        "expert_id": "Kokemusasiantuntijan tunnus",
        "unit_id": "Yksikön tunnus",
        "month": "Kuukausi (vvvv-kk)",
        "seal": "Tarkiste",
        "identity_note": "Tunnistetiedot on lukittu. Älä muuta niitä.",
        "how_title": "Näin täytät lomakkeen",
        "how": [
            "Kirjaa jokainen sovittu tehtävä omalle rivilleen. Päivämäärä kirjoitetaan muodossa 14.10.2026 "
            "ja kellonaika muodossa 9.30.",
            "Valitse tehtävä ja sen toteutuminen valikosta. Jos tehtävä peruttiin, kirjoita milloin "
            "peruutuksesta ilmoitettiin, esimerkiksi 13.10.2026 16.20.",
            "Merkitse ryhmänohjaukseen osallistujien määrä. Matkakulut ja niiden ennakkolupatunnus "
            "kirjataan vain, kun matka korvataan.",
            "Rastita vahvistus ja kirjoita päiväys. Tallenna täytetty lomake PDF-tiedostona ja lähetä se "
            "viimeistään {deadline} yksikön yhteyshenkilölle: {contact}.",
        ],
        "rules_title": "Milloin palkkio maksetaan",
        "rules": [
            "Toimeksiantaja voi perua tehtävän maksutta edellisenä päivänä kello {cutoff} asti. Jos peruutus tulee "
            "myöhemmin, palkkio maksetaan.",
            "Jos asiakas ei tule paikalle, palkkio maksetaan.",
            "Sovitut ryhmäkerrat maksetaan, vaikka yksikään osallistuja ei tulisi, ellei ryhmää ole "
            "lopetettu painavasta tai etukäteen sovitusta syystä.",
            "Jos sairastut itse etkä voi hoitaa tehtävää, palkkiota ei makseta.",
            "Matkoja asiakastapaamisiin tai muihin tehtäviin ei korvata. Matka korvataan vain "
            "kokemusasiantuntijoiden yhteisiin tapaamisiin tai erikseen sovittuun tehtävään kotikunnan "
            "ulkopuolella, kun siitä on sovittu etukäteen. Kirjaa silloin saamasi lupatunnus.",
            "Palkkio maksetaan jälkikäteen palkkiotaulukon mukaan: {pay_basis}. Ajoissa palautetun lomakkeen "
            "palkkiot maksetaan {payment}.",
        ],
        "columns": "Nro|Päivämäärä|Alkoi|Päättyi|Tehtävä|Toteutuminen|Peruttu\n(pvm ja klo)|Osallis-\ntujia|"
                   "Matka €|Matkan\nlupatunnus|Lisätietoja",
        "confirm": "Vakuutan, että lomakkeen tiedot ovat oikein.",
        "signed_on": "Päiväys",
        "send": "Lähetä lomake viimeistään {deadline}: {contact}.",
        "questions": "Kysyttävää? Järjestötyön ja osallisuuden asiantuntija: {coordinator}.",
        "upload": "Oma palautusosoitteesi verkossa",
        "continued": "jatkuu",
        "page": "Sivu {page}/{pages}",
        "row_tip": "Rivi {row}",
    },
    "sv": {
        "title": "Timblankett",
        "expert": "Erfarenhetsexpert",
        "unit": "Enhet",
        "form_id": "Blankettens kod",
        "contract_id": "Avtal",
        "expert_id": "Erfarenhetsexpertens kod",
        "unit_id": "Enhetens kod",
        "month": "Månad (åååå-mm)",
        "seal": "Kontrollkod",
        "identity_note": "Identifieringsuppgifterna är låsta. Ändra dem inte.",
        "how_title": "Så fyller du i blanketten",
        "how": [
            "Skriv varje överenskommet uppdrag på en egen rad. Datum skrivs i formen 14.10.2026 "
            "och klockslag i formen 9.30.",
            "Välj uppdraget och hur det utföll i listan. Om uppdraget avbokades, skriv när avbokningen "
            "meddelades, till exempel 13.10.2026 16.20.",
            "Ange antalet deltagare i grupphandledningen. Resekostnader och tillståndsnumret för resan "
            "fyller du i bara när resan ersätts.",
            "Kryssa för bekräftelsen och skriv datum. Spara den ifyllda blanketten som PDF-fil och skicka "
            "den senast {deadline} till enhetens kontaktperson: {contact}.",
        ],
        "rules_title": "När arvodet betalas",
        "rules": [
            "Uppdragsgivaren kan avboka uppdraget utan kostnad fram till klockan {cutoff} dagen före. Kommer "
            "avbokningen senare, betalas arvodet.",
            "Om kunden inte kommer, betalas arvodet.",
            "De avtalade gruppträffarna betalas även om ingen deltagare kommer, utom när gruppen har "
            "avslutats av ett tungt vägande eller på förhand överenskommet skäl.",
            "Om du själv insjuknar och inte kan utföra uppdraget, betalas inget arvode.",
            "Resor till kundmöten eller andra uppdrag ersätts inte. En resa ersätts bara till "
            "erfarenhetsexperternas gemensamma möten eller till ett separat avtalat uppdrag utanför "
            "hemkommunen, när resan har godkänts på förhand. Skriv då tillståndsnumret.",
            "Arvodet betalas i efterskott enligt arvodestabellen: {pay_basis}. För blanketter som kommit in i "
            "tid betalas arvodena {payment}.",
        ],
        "columns": "Nr|Datum|Början|Slut|Uppdrag|Utfall|Avbokad\n(datum kl.)|Deltagare|Resa €|"
                   "Tillstånd\nför resa|Anmärkningar",
        "confirm": "Jag försäkrar att uppgifterna på blanketten är riktiga.",
        "signed_on": "Datum",
        "send": "Skicka blanketten senast {deadline}: {contact}.",
        "questions": "Frågor? Experten på organisationsarbete och delaktighet: {coordinator}.",
        "upload": "Din egen inlämningsadress på webben",
        "continued": "fortsättning",
        "page": "Sida {page}/{pages}",
        "row_tip": "Rad {row}",
    },
}

def field_label(name: str, language: str) -> str:
    """The label the form prints for field `name` ('travel_ref', 'signed_on', 'month', ...) in `language`.

    Messages to the expert name fields with these words, so they match what the expert sees on the form.
    """
    words = TEXTS[language]
    if name in ROW_FIELDS:
        header = words["columns"].split("|")[1 + ROW_FIELDS.index(name)]
        return header.replace("-\n", "").replace("\n", " ")
    if name == SEAL_FIELD:
        return words["seal"]
    return words[name]
