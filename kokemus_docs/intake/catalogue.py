"""What the hour-form checks say, in one catalogue: code -> English, Finnish and Swedish text.

The English text goes to the coordinator's terminal and JSON output (what is wrong, what to do). The Finnish
and Swedish texts go into the feedback file for the expert, in the expert's own language, and speak to the
expert. No text here ever carries a henkilötunnus, an IBAN or a home address: templates take only dates,
times, amounts, ids and the values the expert typed.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

_ASK_FI = "Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan."
_ASK_SV = "Kontakta experten på organisationsarbete och delaktighet."


@dataclass(frozen=True)
class Entry:
    """One message in three languages; `{name}` placeholders are filled from a Finding's params."""

    severity: str
    en: str
    fi: str
    sv: str


CATALOGUE: dict[str, Entry] = {
    # --- the file and its identity ---------------------------------------------------------
    "not-found": Entry(
        ERROR,
        "No such file or folder. Check the path.",
        "Tiedostoa ei löytynyt.",
        "Filen hittades inte."),
    "unreadable": Entry(
        ERROR,
        "{detail}",
        "Lomaketta ei voitu lukea. Tallenna täytetty lomake PDF-tiedostona ja lähetä se uudelleen.",
        "Blanketten kunde inte läsas. Spara den ifyllda blanketten som PDF-fil och skicka den på nytt."),
    "seal-mismatch": Entry(
        ERROR,
        "The seal does not match: the identity fields (form id, contract, expert, unit, month) were edited, "
        "or the form was issued by another workspace. Ask the expert to fill in the form exactly as it was issued "
        "from this workspace.",
        "Lomakkeen tarkiste ei täsmää: lomakkeen tunnistetietoja on muutettu, tai lomake ei ole meidän "
        "antamamme. Täytä sinulle annettu lomake muuttamatta sen tunnistetietoja ja palauta se.",
        "Blankettens kontrollkod stämmer inte: identifieringsuppgifterna har ändrats, eller blanketten har inte "
        "delats ut av oss. Fyll i blanketten som du har fått utan att ändra identifieringsuppgifterna och skicka "
        "den på nytt."),
    "month-invalid": Entry(
        ERROR,
        "The form's month '{value}' is not a month in the form YYYY-MM. Have the expert use the form as issued.",
        "Lomakkeen kuukausi '{value}' ei ole muotoa VVVV-KK. Käytä lomaketta sellaisena kuin se annettiin.",
        "Blankettens månad '{value}' är inte i formen ÅÅÅÅ-MM. Använd blanketten så som den delades ut."),
    "contract-unknown": Entry(
        ERROR,
        "Contract '{contract_id}' is not in the register. Check the contracts sheet, or issue a form for a "
        "valid contract.",
        f"Sopimusta '{{contract_id}}' ei löydy rekisteristä. {_ASK_FI}",
        f"Avtalet '{{contract_id}}' finns inte i registret. {_ASK_SV}"),
    "form-id-mismatch": Entry(
        ERROR,
        "The form id '{form_id}' does not match contract {contract_id} and month {month} (expected {expected}): "
        "the identity fields were edited. Have the expert use the form as issued.",
        "Lomakkeen tunnus '{form_id}' ei vastaa sopimusta {contract_id} ja kuukautta {month}: "
        "tunnistetietoja on muutettu. Täytä sinulle annettu lomake sellaisenaan.",
        "Blankettens nummer '{form_id}' motsvarar inte avtalet {contract_id} och månaden {month}: "
        "identifieringsuppgifterna har ändrats. Fyll i blanketten som du har fått som den är."),
    "expert-mismatch": Entry(
        ERROR,
        "The form names expert '{value}' but contract {contract_id} is with expert {expected}. "
        "Issue the expert a form for the right contract.",
        f"Lomakkeen kokemusasiantuntija '{{value}}' ei vastaa sopimusta {{contract_id}}. {_ASK_FI}",
        f"Erfarenhetsexperten '{{value}}' på blanketten motsvarar inte avtalet {{contract_id}}. {_ASK_SV}"),
    "unit-mismatch": Entry(
        ERROR,
        "The form names unit '{value}' but contract {contract_id} is with unit {expected}. "
        "Issue the expert a form for the right contract.",
        f"Lomakkeen yksikkö '{{value}}' ei vastaa sopimusta {{contract_id}}. {_ASK_FI}",
        f"Enheten '{{value}}' på blanketten motsvarar inte avtalet {{contract_id}}. {_ASK_SV}"),
    "expert-unknown": Entry(
        ERROR,
        "Expert '{expert_id}' of contract {contract_id} is not in the register (or the row has errors). "
        "Fix the experts sheet, then ingest the form again from forms/rejected/.",
        "Tietojasi ei vielä löydy rekisteristä, joten lomaketta ei voitu käsitellä. Järjestötyön ja osallisuuden "
        "asiantuntija selvittää asian.",
        "Dina uppgifter finns ännu inte i registret, så blanketten kunde inte behandlas. Experten på "
        "organisationsarbete och delaktighet reder ut saken."),
    "unit-unknown": Entry(
        ERROR,
        "Unit '{unit_id}' of contract {contract_id} is not in the register (or the row has errors). "
        "Fix the units sheet, then ingest the form again from forms/rejected/.",
        "Yksikön tietoja ei vielä löydy rekisteristä, joten lomaketta ei voitu käsitellä. Järjestötyön ja "
        "osallisuuden asiantuntija selvittää asian.",
        "Enhetens uppgifter finns ännu inte i registret, så blanketten kunde inte behandlas. Experten på "
        "organisationsarbete och delaktighet reder ut saken."),
    # --- dates and times -----------------------------------------------------------------------
    "date-missing": Entry(
        ERROR,
        "The row has entries but no date. Ask the expert to add the date of the work.",
        "Rivillä on merkintöjä, mutta päivämäärä puuttuu. Lisää työn päivämäärä (esimerkiksi 14.10.2026).",
        "Raden har uppgifter men inget datum. Fyll i datumet för arbetet (till exempel 14.10.2026)."),
    "date-invalid": Entry(
        ERROR,
        "'{value}' is not a date; it should be written as 14.10.2026, 14.10. or 2026-10-14.",
        "'{value}' ei ole päivämäärä. Kirjoita se muodossa 14.10.2026.",
        "'{value}' är inte ett datum. Skriv det i formen 14.10.2026."),
    "date-outside-month": Entry(
        ERROR,
        "{date} is not in {month_name}, the month of this form. Work of another month goes on that month's form.",
        "Päivämäärä {date} ei kuulu lomakkeen kuukauteen ({month_name}). Ilmoita muiden kuukausien työt "
        "niiden omilla lomakkeilla.",
        "Datumet {date} hör inte till blankettens månad ({month_name}). Anmäl arbete under andra månader på "
        "blanketterna för de månaderna."),
    "date-outside-contract": Entry(
        ERROR,
        "{date} is outside contract {contract_id} ({valid_from}–{valid_to}). Check the date with the expert, "
        "or extend the contract in the register.",
        f"Päivämäärä {{date}} on sopimuskauden ({{valid_from}}–{{valid_to}}) ulkopuolella. Tarkista päivämäärä. "
        f"Jos työ tehtiin tuolloin, {_ASK_FI[0].lower()}{_ASK_FI[1:]}",
        f"Datumet {{date}} ligger utanför avtalsperioden ({{valid_from}}–{{valid_to}}). Kontrollera datumet. "
        f"Om arbetet utfördes då, {_ASK_SV[0].lower()}{_ASK_SV[1:]}"),
    "date-after-received": Entry(
        ERROR,
        "{date} is after the day the form was received ({received_on}); work cannot be reported in advance. "
        "Ask the expert to return the form once the work is done.",
        "Päivämäärä {date} on myöhempi kuin lomakkeen saapumispäivä {received_on}. Ilmoita työt vasta, kun ne "
        "on tehty.",
        "Datumet {date} är senare än den dag blanketten kom in ({received_on}). Anmäl arbetet först när det "
        "är utfört."),
    "start-missing": Entry(
        ERROR,
        "The start time is missing (for a cancelled task: the agreed start). Ask the expert to add it, e.g. 9.30.",
        "Alkamisaika puuttuu. Kirjoita kellonaika, jolloin työ alkoi (peruutetusta työstä sovittu aika), "
        "esimerkiksi 9.30.",
        "Starttiden saknas. Skriv klockslaget då arbetet började (för en avbokad uppgift den avtalade tiden), "
        "till exempel 9.30."),
    "end-missing": Entry(
        ERROR,
        "The end time is missing (for a cancelled task: the agreed end). Ask the expert to add it, e.g. 11.00.",
        "Päättymisaika puuttuu. Kirjoita kellonaika, jolloin työ päättyi (peruutetusta työstä sovittu aika), "
        "esimerkiksi 11.00.",
        "Sluttiden saknas. Skriv klockslaget då arbetet slutade (för en avbokad uppgift den avtalade tiden), "
        "till exempel 11.00."),
    "time-invalid": Entry(
        ERROR,
        "'{value}' is not a time of day; it should be written as 9.30 or 09:30.",
        "'{value}' ei ole kellonaika. Kirjoita se muodossa 9.30.",
        "'{value}' är inte ett klockslag. Skriv det i formen 9.30."),
    "end-not-after-start": Entry(
        ERROR,
        "The end {end} is not after the start {start}. Work past midnight goes on two rows.",
        "Päättymisaika {end} ei ole alkamisajan {start} jälkeen. Jos työ jatkui yli puolenyön, merkitse se "
        "kahdelle riville.",
        "Sluttiden {end} är inte efter starttiden {start}. Om arbetet fortsatte över midnatt, skriv det på "
        "två rader."),
    "too-long": Entry(
        ERROR,
        "{start}–{end} is {hours} hours; one row may hold at most 12 hours. Check the times with the expert.",
        "Aika {start}–{end} on {hours} tuntia. Yhdelle riville voi merkitä enintään 12 tuntia. Tarkista "
        "kellonajat.",
        "Tiden {start}–{end} är {hours} timmar. En rad får ha högst 12 timmar. Kontrollera klockslagen."),
    "overlap": Entry(
        ERROR,
        "{start}–{end} on {date} overlaps row {other_row} ({other_start}–{other_end}). Ask the expert to correct "
        "the times.",
        "Aika {start}–{end} ({date}) on päällekkäin rivin {other_row} ajan {other_start}–{other_end} kanssa. "
        "Korjaa kellonajat.",
        "Tiden {start}–{end} ({date}) överlappar tiden {other_start}–{other_end} på rad {other_row}. Rätta "
        "klockslagen."),
    "paid-on-another-form": Entry(
        ERROR,
        "{start}–{end} on {date} is already paid on form {other_form} (unit {other_unit}, row {other_row}, "
        "{other_start}–{other_end}); a fee is paid once. Ask the expert to correct the times, or settle with "
        "the coordinator which form the work belongs to.",
        "Aika {start}–{end} ({date}) on jo maksettu lomakkeella {other_form} (yksikkö {other_unit}, rivi "
        "{other_row}, {other_start}–{other_end}). Samasta ajasta maksetaan vain kerran. Korjaa kellonajat, tai "
        "jos molemmat ovat oikein, ota yhteyttä alla mainittuun yhteyshenkilöön.",
        "Tiden {start}–{end} ({date}) är redan betald på blanketten {other_form} (enhet {other_unit}, rad "
        "{other_row}, {other_start}–{other_end}). Samma tid betalas bara en gång. Rätta klockslagen, eller om "
        "båda stämmer, kontakta kontaktpersonen nedan."),
    # --- task and status -----------------------------------------------------------------------
    "task-missing": Entry(
        ERROR,
        "The task is missing. Ask the expert to choose it from the list.",
        "Tehtävä puuttuu. Valitse tehtävä luettelosta.",
        "Uppgiften saknas. Välj uppgiften i listan."),
    "task-unknown": Entry(
        ERROR,
        "'{value}' is not a known task. Valid choices: {choices}.",
        "'{value}' ei ole tunnettu tehtävä. Valitse jokin näistä: {choices}.",
        "'{value}' är ingen känd uppgift. Välj en av dessa: {choices}."),
    "task-not-in-contract": Entry(
        ERROR,
        "Task '{task}' is not in contract {contract_id} (its tasks: {choices}). Correct the row with the expert, "
        "or add the task to the contract in the register.",
        f"Tehtävä '{{task}}' ei kuulu sopimukseesi. Sopimukseesi kuuluvat: {{choices}}. Korjaa rivi. Jos teit "
        f"tätä työtä sovitusti, {_ASK_FI[0].lower()}{_ASK_FI[1:]}",
        f"Uppgiften '{{task}}' ingår inte i ditt avtal. I ditt avtal ingår: {{choices}}. Rätta raden. Om du "
        f"utförde arbetet enligt överenskommelse, {_ASK_SV[0].lower()}{_ASK_SV[1:]}"),
    "status-missing": Entry(
        WARNING,
        "No status was given; the row was taken as held (the task took place).",
        "Toteutumista ei ollut merkitty, joten rivi tulkittiin toteutuneeksi.",
        "Status hade inte angetts, så raden tolkades som genomförd."),
    "status-unknown": Entry(
        ERROR,
        "'{value}' is not a known status. Valid choices: {choices}.",
        "'{value}' ei ole tunnettu vaihtoehto. Valitse jokin näistä: {choices}.",
        "'{value}' är inget känt alternativ. Välj ett av dessa: {choices}."),
    "group-status-not-group": Entry(
        ERROR,
        "Status '{status}' applies only to group guidance, not to task '{task}'. Ask the expert to choose "
        "another status.",
        "Vaihtoehto '{status}' koskee vain ryhmänohjausta, ei tehtävää '{task}'. Valitse toinen vaihtoehto.",
        "Alternativet '{status}' gäller bara grupphandledning, inte uppgiften '{task}'. Välj ett annat "
        "alternativ."),
    "cancelled-at-missing": Entry(
        ERROR,
        "Status '{status}' needs the time of the cancellation (e.g. 13.10.2026 16.20): it decides whether the fee "
        "is paid.",
        "Peruutetusta työstä on merkittävä peruutuksen ajankohta (esimerkiksi 13.10.2026 16.20). Se ratkaisee, "
        "maksetaanko palkkio.",
        "För avbokat arbete ska tidpunkten för avbokningen anges (till exempel 13.10.2026 16.20). Den avgör om "
        "arvodet betalas."),
    "cancelled-at-invalid": Entry(
        ERROR,
        "'{value}' is not a date and time; it should be written as 13.10.2026 16.20.",
        "'{value}' ei ole päivämäärä ja kellonaika. Kirjoita se muodossa 13.10.2026 16.20.",
        "'{value}' är inte ett datum och klockslag. Skriv det i formen 13.10.2026 16.20."),
    "cancelled-after-start": Entry(
        ERROR,
        "Cancelled at {cancelled_at}, after the task was to start ({start_at}). Check the time with the expert; "
        "if the task was held or the client did not come, that status applies instead.",
        "Peruutusaika {cancelled_at} on myöhempi kuin työn alkamisaika {start_at}. Tarkista peruutusaika. Jos "
        "työ tehtiin tai asiakas ei saapunut, valitse se vaihtoehto.",
        "Avbokningstiden {cancelled_at} är senare än starttiden {start_at}. Kontrollera avbokningstiden. Om "
        "arbetet utfördes eller kunden inte kom, välj det alternativet."),
    "cancelled-at-conflict": Entry(
        ERROR,
        "A cancellation time is given but the status is '{status}'. Ask the expert to choose a cancellation "
        "status or clear the cancellation time.",
        "Rivillä on peruutusaika, mutta toteutumiseksi on merkitty '{status}'. Valitse peruutus tai poista "
        "peruutusaika.",
        "Raden har en avbokningstid, men statusen är '{status}'. Välj avbokning eller ta bort avbokningstiden."),
    "status-corrected": Entry(
        WARNING,
        "Status typed as '{typed}', but a cancellation at {cancelled_at} (free cancellation until {cutoff_at}) "
        "makes it '{rule}': {paid}.",
        "Merkitsit '{typed}', mutta peruutus {cancelled_at} tarkoittaa sääntöjen mukaan '{rule}' (maksuttoman "
        "peruutuksen raja oli {cutoff_at}). Rivi käsiteltiin sääntöjen mukaan: {paid}.",
        "Du angav '{typed}', men avbokningen {cancelled_at} betyder enligt reglerna '{rule}' (gränsen för "
        "avgiftsfri avbokning var {cutoff_at}). Raden behandlades enligt reglerna: {paid}."),
    "cancelled-at-booked": Entry(
        WARNING,
        "The form says the session was cancelled at {claimed}, but the booking records the unit's cancellation at "
        "{recorded}; the booking's time was used. Check with the unit and the expert if they disagree.",
        "Merkitsit peruutusajaksi {claimed}, mutta varaukseen on kirjattu yksikön peruutus {recorded}. Rivi "
        f"käsiteltiin varauksen ajan mukaan. Jos aika on mielestäsi väärä, {_ASK_FI[0].lower()}{_ASK_FI[1:]}",
        "Du angav avbokningstiden {claimed}, men i bokningen har enhetens avbokning registrerats {recorded}. Raden "
        f"behandlades enligt bokningens tid. Om tiden enligt dig är fel, {_ASK_SV[0].lower()}{_ASK_SV[1:]}"),
    "held-but-cancelled": Entry(
        WARNING,
        "The form says '{status}', but the booking records that the unit cancelled this session at {recorded}. "
        "The row was taken as the expert wrote it; check it with the unit.",
        "Merkitsit '{status}', mutta varaukseen on kirjattu, että yksikkö perui tämän kerran {recorded}. Rivi "
        "käsiteltiin merkintäsi mukaan; koordinaattori tarkistaa asian yksiköltä.",
        "Du angav '{status}', men i bokningen har registrerats att enheten avbokade tillfället {recorded}. Raden "
        "behandlades enligt din anteckning; koordinatorn kontrollerar saken med enheten."),
    "no-rate": Entry(
        ERROR,
        "No fee rate for task '{task}' is valid on {date}. Add one to the fees sheet of the register, then ingest "
        "the form again from forms/rejected/ (the expert was told to contact you).",
        f"Tehtävälle '{{task}}' ei ole voimassa olevaa palkkiota päivälle {{date}}. {_ASK_FI}",
        f"För uppgiften '{{task}}' finns inget arvode som gäller {{date}}. {_ASK_SV}"),
    "participants-invalid": Entry(
        ERROR,
        "'{value}' is not a number of participants; it should be a whole number, 0 or more.",
        "'{value}' ei ole osallistujamäärä. Kirjoita kokonaisluku (0 tai enemmän).",
        "'{value}' är inte ett antal deltagare. Skriv ett heltal (0 eller fler)."),
    "participants-with-no-participants": Entry(
        WARNING,
        "The status says the group had no participants, but {participants} participants are given. The session "
        "is paid either way; check which is right.",
        "Merkitsit, ettei ryhmässä ollut osallistujia, mutta osallistujamääräksi on merkitty {participants}. "
        "Tarkista tieto.",
        "Du angav att gruppen inte hade några deltagare, men antalet deltagare är {participants}. Kontrollera "
        "uppgiften."),
    # --- travel ----------------------------------------------------------------------------------
    "travel-invalid": Entry(
        ERROR,
        "'{value}' is not an amount of money; it should be written as 12,50.",
        "'{value}' ei ole euromäärä. Kirjoita se muodossa 12,50.",
        "'{value}' är inte ett belopp. Skriv det i formen 12,50."),
    "travel-negative": Entry(
        ERROR,
        "The travel cost {value} is negative. Ask the expert to correct it.",
        "Matkakulu {value} on negatiivinen. Korjaa summa.",
        "Resekostnaden {value} är negativ. Rätta beloppet."),
    "travel-no-ref": Entry(
        WARNING,
        "Travel {amount} has no pre-approval reference, so it is not paid. If it was agreed in advance, the "
        "expert adds the reference and returns the form again.",
        "Matkakuluille {amount} ei ole merkitty matkan lupatunnusta, joten niitä ei korvata. Jos matkasta "
        "sovittiin etukäteen, kirjoita lupatunnus ja palauta lomake uudelleen.",
        "Resekostnaden {amount} saknar tillståndsnumret för resan, så den ersätts inte. Om resan hade godkänts "
        "på förhand, skriv tillståndsnumret och skicka blanketten på nytt."),
    "travel-not-payable": Entry(
        WARNING,
        "Travel {amount} is on a row that pays no fee ('{status}'), so it is not paid.",
        "Matkakuluja {amount} ei korvata, koska riviltä ei makseta palkkiota ('{status}').",
        "Resekostnaden {amount} ersätts inte, eftersom inget arvode betalas för raden ('{status}')."),
    "travel-out-of-area": Entry(
        WARNING,
        "Travel {amount} for task '{task}' is paid on reference '{ref}' as a separately agreed trip outside the "
        "home municipality. The unit should verify that agreement.",
        "Matkoja muuhun kuin yhteiseen tapaamiseen korvataan vain erikseen sovittaessa. Matkakulut {amount} "
        "korvataan lupatunnuksen '{ref}' perusteella; yksikkö tarkistaa sopimuksen.",
        "Resor till annat än gemensamma möten ersätts bara om det har avtalats särskilt. Resekostnaden {amount} "
        "ersätts med tillståndsnumret '{ref}'; enheten kontrollerar överenskommelsen."),
    # --- the footer and the form as a whole --------------------------------------------------------
    "confirm-missing": Entry(
        ERROR,
        "The confirmation box is not ticked; the expert must tick it to confirm the form is true.",
        "Vahvistusruutua ei ole rastitettu. Rastita ruutu, jolla vahvistat tiedot oikeiksi, ja palauta lomake.",
        "Bekräftelserutan är inte ikryssad. Kryssa i rutan som bekräftar att uppgifterna är riktiga och skicka "
        "blanketten på nytt."),
    "signed-on-invalid": Entry(
        ERROR,
        "'{value}' is not a date; it should be written as 5.11.2026.",
        "Päiväys '{value}' ei ole päivämäärä. Kirjoita se muodossa 5.11.2026.",
        "Datumet '{value}' är inte ett datum. Skriv det i formen 5.11.2026."),
    "signed-before-work": Entry(
        WARNING,
        "The form is dated {signed_on}, before the last work it reports ({last_date}). Check the date.",
        "Lomake on päivätty {signed_on}, ennen viimeistä siinä ilmoitettua työtä ({last_date}). Tarkista päiväys.",
        "Blanketten är daterad {signed_on}, före det sista arbetet som anmäls ({last_date}). Kontrollera datumet."),
    "no-work": Entry(
        WARNING,
        "The form reports no work for {month_name}; it was recorded as an empty month.",
        "Lomakkeella ei ilmoitettu työtä ({month_name}), joten kuukausi kirjattiin tyhjäksi.",
        "Blanketten anmäler inget arbete ({month_name}), så månaden registrerades som tom."),
    # --- when it is paid ------------------------------------------------------------------------
    "late": Entry(
        WARNING,
        "Received {received_on}, after the notice deadline {deadline}: paid with the payroll of {pay_month} "
        "instead of {month}.",
        "Lomake saapui {received_on}, määräpäivän {deadline} jälkeen, joten palkkio maksetaan tavallista "
        "myöhemmin: kuukauden {pay_month} palkkioerässä.",
        "Blanketten kom in {received_on}, efter sista dagen {deadline}, så arvodet betalas senare än vanligt: "
        "i utbetalningen för {pay_month}."),
    "pay-month-moved": Entry(
        WARNING,
        "The payroll of {month} is closed already; this form is paid with the payroll of {pay_month}.",
        "{month_name_gen} palkkiot on jo käsitelty, joten tämän lomakkeen palkkio maksetaan seuraavassa "
        "maksuerässä.",
        "Arvodena för {month_name} har redan behandlats, så arvodet för den här blanketten betalas i nästa "
        "utbetalning."),
    # --- a correction after the form's month was closed (the feedback file explains it row by row) ------------
    "corrected-after-close": Entry(
        WARNING,
        "Form {form_id} was paid in the payroll of {paid_month}, which is closed and stays as it was paid; this "
        "corrected version is settled as adjustments. Paid more with the payroll of {pay_month} (adjustment "
        "lines): {additional}. Paid but withdrawn by the correction, to settle with the expert (payroll checks "
        "of {pay_month}): {withdrawn}.",
        "Lomakkeen {form_id} palkkiot on jo käsitelty maksuerässä {paid_month}. Korjaus käsiteltiin "
        "oikaisuna: lisää maksettavaa {additional}, aiemmin maksettua mutta nyt poistuvaa {withdrawn}.",
        "Arvodena för blanketten {form_id} har redan behandlats i utbetalningen {paid_month}. Rättelsen "
        "behandlades som en justering: att betala ytterligare {additional}, tidigare betalt men nu "
        "borttaget {withdrawn}."),
    # --- limits on values (SPEC.md "Limits") ------------------------------------------------------------
    "text-too-long": Entry(
        ERROR,
        "The field holds {length} characters; a field may hold at most {limit}. Ask the expert to shorten it "
        "and return the form again.",
        "Kentässä on {length} merkkiä, mutta siihen mahtuu enintään {limit}. Lyhennä teksti ja palauta lomake "
        "uudelleen.",
        "Fältet har {length} tecken, men det rymmer högst {limit}. Förkorta texten och skicka blanketten på "
        "nytt."),
    "participants-too-many": Entry(
        ERROR,
        "'{value}' participants is more than {limit}, the most one row can have. Check the number with the "
        "expert.",
        "Osallistujamäärä '{value}' on suurempi kuin {limit}, joka on yhden rivin enimmäismäärä. Tarkista "
        "osallistujamäärä.",
        "Antalet deltagare '{value}' är större än {limit}, som är det högsta antalet på en rad. Kontrollera "
        "antalet."),
    "travel-decimals": Entry(
        ERROR,
        "The travel cost '{value}' has more than two decimals; it should be euros and cents, like 12,50.",
        "Matkakulussa '{value}' on enemmän kuin kaksi desimaalia. Kirjoita euroina ja sentteinä, esimerkiksi "
        "12,50.",
        "Resekostnaden '{value}' har fler än två decimaler. Skriv den i euro och cent, till exempel 12,50."),
    "travel-too-large": Entry(
        ERROR,
        "The travel cost '{value}' is more than {limit}, the most one row may claim (kokemus.toml "
        "forms.max_travel_eur). Check the amount with the expert; a larger trip is agreed and paid separately.",
        f"Matkakulu '{{value}}' on suurempi kuin yhden rivin enimmäismäärä {{limit}}. Tarkista summa. Jos "
        f"matka oli tätä kalliimpi, {_ASK_FI[0].lower()}{_ASK_FI[1:]}",
        f"Resekostnaden '{{value}}' är större än det högsta beloppet för en rad, {{limit}}. Kontrollera "
        f"beloppet. Om resan kostade mer, {_ASK_SV[0].lower()}{_ASK_SV[1:]}"),
}
