"""The Finnish and Swedish words of the earnings statement."""

from __future__ import annotations

from kokemus_docs.pay.texts import INCOME_TYPE_NAMES

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Palkkiot maksupäivittäin {year}",
        "sheet": "Palkkiot {year}",
        "name": "Nimi",
        "hetu": "Henkilötunnus",
        "expert_id": "Asiantuntijatunnus",
        "payer": "Maksaja",
        "limit": "Ilmoittamasi kuukausiraja (brutto)",
        "intro": "Palkkiot on koottu maksupäivän mukaan, niin kuin ne ilmoitetaan tulorekisteriin ja niin kuin Kela, "
                 "eläkelaitokset ja työttömyyskassat ne lukevat. Matkakorvaukset ovat verovapaita eivätkä kuulu "
                 "palkkioihin. Tunnit ja päivät ovat maksettujen rivien.",
        "expected_note": "Odotettu: kuukautta ei ole vielä suljettu, joten summa voi vielä muuttua.",
        "over_note": "* Yli ilmoittamasi kuukausirajan.",
        "none": "Vuodelle {year} ei ole maksettuja eikä odotettuja palkkioita.",
        "payment_date": "Maksupäivä",
        "work_month": "Työkuukausi",
        "state": "Tila",
        "paid": "maksettu",
        "expected": "odotettu",
        "hours": "Tunnit",
        "days": "Päivät",
        "fees": "Palkkiot yhteensä",
        "travel": "Matkakorvaukset (verovapaa)",
        "units": "Yksiköt",
        "total": "Yhteensä",
        "generated": "Luotu {day}. Tämä on henkilökohtainen asiakirjasi: se sisältää henkilötunnuksesi.",
        "page": "Sivu {page}",
        "fee_type": "Palkkio {code}",
    },
    "sv": {
        "title": "Arvoden per betalningsdag {year}",
        "sheet": "Arvoden {year}",
        "name": "Namn",
        "hetu": "Personbeteckning",
        "expert_id": "Expert-ID",
        "payer": "Betalare",
        "limit": "Din angivna månadsgräns (brutto)",
        "intro": "Arvodena är sammanställda enligt betalningsdag, så som de anmäls till inkomstregistret och så som "
                 "FPA, pensionsanstalterna och arbetslöshetskassorna läser dem. Resekostnadsersättningar är skattefria "
                 "och hör inte till arvodena. Timmarna och dagarna gäller de betalda raderna.",
        "expected_note": "Väntad: månaden har inte stängts ännu, så beloppet kan ännu ändras.",
        "over_note": "* Över din angivna månadsgräns.",
        "none": "För år {year} finns inga betalda eller väntade arvoden.",
        "payment_date": "Betalningsdag",
        "work_month": "Arbetsmånad",
        "state": "Status",
        "paid": "betald",
        "expected": "väntad",
        "hours": "Timmar",
        "days": "Dagar",
        "fees": "Arvoden totalt",
        "travel": "Resekostnader (skattefria)",
        "units": "Enheter",
        "total": "Totalt",
        "generated": "Skapad {day}. Detta är ditt personliga dokument: det innehåller din personbeteckning.",
        "page": "Sida {page}",
        "fee_type": "Arvode {code}",
    },
}


def text(language: str, key: str, **values: object) -> str:
    return TEXTS["sv" if language == "sv" else "fi"][key].format(**values)


def income_type_label(code: str, language: str) -> str:
    """'210 Kokouspalkkio' / '210 Mötesarvode'; a code without a known name: 'Palkkio 336' / 'Arvode 336'."""
    names = INCOME_TYPE_NAMES.get(code)
    if names:
        return f"{code} {names[1] if language == 'sv' else names[0]}"
    return text(language, "fee_type", code=code or "?")
