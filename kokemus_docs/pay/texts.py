"""The payroll workbook's own words: form warnings worded for the payroll clerk, and income type names."""

from __future__ import annotations

from kokemus_docs.intake.messages import WORKBOOK_WARNING_UNKNOWN

# The payroll and indicators workbooks speak to the payroll clerk and the coordinator, in Finnish and
# Swedish side by side. Form warnings are worded here in the third person; their parameter values come from
# the ledger as each language wrote them when the form was read (Finding.stored).

WORKBOOK_WARNINGS: dict[str, tuple[str, str]] = {
    "status-missing": (
        "Toteutumista ei ollut merkitty; rivi tulkittiin toteutuneeksi.",
        "Status hade inte angetts; raden tolkades som genomförd."),
    "status-corrected": (
        "Merkitty '{typed}', mutta peruutus {cancelled_at} (maksuttoman peruutuksen raja {cutoff_at}) tarkoittaa "
        "sääntöjen mukaan '{rule}': {paid}.",
        "Angivet '{typed}', men avbokningen {cancelled_at} (gränsen för avgiftsfri avbokning {cutoff_at}) betyder "
        "enligt reglerna '{rule}': {paid}."),
    "cancelled-at-booked": (
        "Lomakkeen peruutusaika {claimed} poikkeaa varaukseen kirjatusta yksikön peruutuksesta {recorded}; "
        "käytettiin varauksen aikaa.",
        "Avbokningstiden {claimed} på blanketten avviker från enhetens avbokning {recorded} i bokningen; "
        "bokningens tid användes."),
    "held-but-cancelled": (
        "Merkitty '{status}', mutta varauksen mukaan yksikkö perui kerran {recorded}; tarkista yksiköltä.",
        "Angivet '{status}', men enligt bokningen avbokade enheten tillfället {recorded}; kontrollera med enheten."),
    "participants-with-no-participants": (
        "Merkitty, ettei ryhmässä ollut osallistujia, mutta osallistujia on {participants}. Kerta maksetaan "
        "kummassakin tapauksessa; tarkista tieto.",
        "Angivet att gruppen inte hade deltagare, men antalet deltagare är {participants}. Gången betalas i "
        "båda fallen; kontrollera uppgiften."),
    "travel-no-ref": (
        "Matkakuluilla {amount} ei ole ennakkoon sovitun korvauksen viitettä, joten niitä ei makseta.",
        "Resekostnaden {amount} saknar hänvisning till ett förhandsgodkännande och betalas därför inte."),
    "travel-not-payable": (
        "Matkakuluja {amount} ei makseta, koska riviltä ei makseta palkkiota ('{status}').",
        "Resekostnaden {amount} betalas inte, eftersom inget arvode betalas för raden ('{status}')."),
    "travel-out-of-area": (
        "Matkakulut {amount} (tehtävä '{task}') maksetaan viitteellä '{ref}' erikseen sovittuna matkana "
        "kotikunnan ulkopuolelle; yksikkö tarkistaa sopimuksen.",
        "Resekostnaden {amount} (uppgift '{task}') betalas med hänvisning '{ref}' som en särskilt avtalad resa "
        "utanför hemkommunen; enheten kontrollerar överenskommelsen."),
    "signed-before-work": (
        "Lomake on päivätty {signed_on}, ennen viimeistä siinä ilmoitettua työtä ({last_date}).",
        "Blanketten är daterad {signed_on}, före det sista arbetet som anmäls ({last_date})."),
    "no-work": (
        "Lomakkeella ei ilmoitettu työtä ({month_name}); kuukausi kirjattiin tyhjäksi.",
        "Blanketten anmäler inget arbete ({month_name}); månaden registrerades som tom."),
    "late": (
        "Saapui {received_on}, määräpäivän {deadline} jälkeen: maksetaan maksukuukauden {pay_month} erässä "
        "(työkuukausi {month}).",
        "Inkom {received_on}, efter sista dagen {deadline}: betalas i utbetalningen för {pay_month} "
        "(arbetsmånad {month})."),
    "pay-month-moved": (
        "Kuukausi {month} oli jo suljettu; lomake maksetaan maksukuukauden {pay_month} erässä.",
        "Månaden {month} var redan stängd; blanketten betalas i utbetalningen för {pay_month}."),
}

ROW_PREFIX = {"fi": "Rivi {row}: ", "sv": "Rad {row}: "}


def workbook_warning(stored: dict) -> tuple[str, str]:
    """The Finnish and Swedish text of a form warning as the ledger keeps it, for the payroll workbook.

    Reads both the current form (code and per-language parameters) and older rows that kept only an English
    message: those get a plain note that there is a warning, never the English text or a code.
    """
    code = stored.get("code")
    texts = []
    for index, language in enumerate(("fi", "sv")):
        params = stored.get(f"params_{language}")
        text = None
        if code in WORKBOOK_WARNINGS and isinstance(params, dict):
            try:
                text = WORKBOOK_WARNINGS[code][index].format(**{str(k): str(v) for k, v in params.items()})
            except (KeyError, IndexError, ValueError):
                text = None
        if text is None and isinstance(stored.get(language), str):
            text = stored[language]
        if text is None:
            text = WORKBOOK_WARNING_UNKNOWN[index]
        row = stored.get("row")
        if isinstance(row, int) and not isinstance(row, bool):
            text = ROW_PREFIX[language].format(row=row) + text
        texts.append(text)
    return texts[0], texts[1]


# Incomes Register income types the fee table may name, for the payroll workbook.
INCOME_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "210": ("Kokouspalkkio", "Mötesarvode"),
    "214": ("Luentopalkkio", "Föreläsningsarvode"),
}


def income_type_name(code: str) -> str:
    """'210' -> 'Kokouspalkkio / Mötesarvode'; an unknown code -> ''."""
    names = INCOME_TYPE_NAMES.get(code)
    return f"{names[0]} / {names[1]}" if names else ""
