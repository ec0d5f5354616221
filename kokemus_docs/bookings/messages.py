"""What bookings say, in one catalogue: code -> English (the coordinator's terminal and JSON), Finnish and
Swedish (the web pages and emails, in the reader's language). Texts take ids, dates, times and counts only."""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str, str]] = {
    # --- a request that cannot be taken ------------------------------------------------------------
    "unknown-unit": (
        "There is no unit {unit_id!r} in the register; use a unit_id from the units sheet.",
        "Yksikköä {unit_id} ei ole rekisterissä. Valitse yksikkö rekisterin yksiköistä.",
        "Enheten {unit_id} finns inte i registret. Välj en enhet bland registrets enheter."),
    "unknown-task": (
        "There is no task {task!r}; use a task code (individual, pair, group, lecture, development, "
        "common_meeting or one from the fees sheet).",
        "Tehtävää {task} ei ole. Valitse tehtävä luettelosta.",
        "Uppgiften {task} finns inte. Välj en uppgift i listan."),
    "no-sessions": (
        "A booking needs at least one session: give --date, --start and --end.",
        "Anna vähintään yksi kerta: päivä, alkamis- ja päättymisaika.",
        "Ange minst ett tillfälle: dag, start- och sluttid."),
    "too-many-sessions": (
        "A booking may hold at most {limit} sessions; split it into several bookings.",
        "Yhdessä varauksessa voi olla enintään {limit} kertaa. Jaa se useaksi varaukseksi.",
        "En bokning kan ha högst {limit} tillfällen. Dela upp den i flera bokningar."),
    "bad-date": (
        "{value!r} is not a date; write it as YYYY-MM-DD (or 14.10.2026).",
        "{value} ei ole päivämäärä. Kirjoita se muodossa 14.10.2026.",
        "{value} är inget datum. Skriv det som 14.10.2026."),
    "bad-time": (
        "{value!r} is not a time of day; write it as HH:MM, e.g. 09:30.",
        "{value} ei ole kellonaika. Kirjoita se muodossa 9.30.",
        "{value} är ingen klockslag. Skriv det som 9.30."),
    "date-range": (
        "The date {date} is outside the years 2000–2099.",
        "Päivämäärä {date} ei ole vuosien 2000–2099 välillä.",
        "Datumet {date} ligger inte mellan åren 2000 och 2099."),
    "end-before-start": (
        "Session {number} ({date}) ends at {end}, which is not after its start {start}; give an end after the start.",
        "Kerta {number} ({date}) päättyy klo {end}, ei alkamisajan {start} jälkeen. Korjaa päättymisaika.",
        "Tillfälle {number} ({date}) slutar kl. {end}, inte efter starttiden {start}. Rätta sluttiden."),
    "in-past": (
        "Session {number} ({date} {start}) is in the past; a booking is made for times to come.",
        "Kerta {number} ({date} klo {start}) on jo mennyt. Varaus tehdään tuleville ajoille.",
        "Tillfälle {number} ({date} kl. {start}) har redan varit. En bokning görs för kommande tider."),
    "sessions-overlap": (
        "Sessions {first} and {second} of this booking overlap ({date}); give each its own time.",
        "Varauksen kerrat {first} ja {second} menevät päällekkäin ({date}). Anna kullekin oma aikansa.",
        "Bokningens tillfällen {first} och {second} överlappar ({date}). Ge varje tillfälle en egen tid."),
    "weekly-range": (
        "--weekly must be from 1 to {limit} sessions.",
        "Viikoittaisia kertoja voi olla 1–{limit}.",
        "Antalet veckovisa tillfällen ska vara 1–{limit}."),
    "bad-language": (
        "The language must be fi, sv or any, not {value!r}.",
        "Kieli on fi, sv tai mikä tahansa.",
        "Språket är fi, sv eller vilket som helst."),
    "too-long": (
        "{field} holds {length} characters; at most {limit} are allowed. Shorten it.",
        "Kentässä {field} on {length} merkkiä, enintään {limit} sallitaan. Lyhennä tekstiä.",
        "Fältet {field} har {length} tecken, högst {limit} tillåts. Korta texten."),
    "too-many-topics": (
        "At most {limit} topics may be asked for.",
        "Aiheita voi olla enintään {limit}.",
        "Högst {limit} ämnen kan anges."),
    "bad-group-size": (
        "The group size must be a whole number from 0 to 999.",
        "Ryhmän koko on kokonaisluku 0–999.",
        "Gruppens storlek är ett heltal 0–999."),
    "control-character": (
        "{field} contains a control character; retype it.",
        "Kentässä {field} on ohjausmerkki. Kirjoita teksti uudelleen.",
        "Fältet {field} innehåller ett styrtecken. Skriv texten på nytt."),
    # --- the booking's state -------------------------------------------------------------------------
    "unknown-booking": (
        "There is no booking {booking_id!r}; see 'kokemus bookings list'.",
        "Varausta {booking_id} ei ole.",
        "Bokningen {booking_id} finns inte."),
    "unknown-expert": (
        "There is no expert {expert_id!r} in the register.",
        "Kokemusasiantuntijaa {expert_id} ei ole rekisterissä.",
        "Erfarenhetsexperten {expert_id} finns inte i registret."),
    "expert-inactive": (
        "Expert {expert_id} is not active in the register; offer the booking to an active expert.",
        "Kokemusasiantuntija {expert_id} ei ole aktiivinen.",
        "Erfarenhetsexperten {expert_id} är inte aktiv."),
    "not-open": (
        "Booking {booking_id} is {status}: only a requested booking can be offered or closed.",
        "Varaus {booking_id} ei ole enää avoin (tila: {status}).",
        "Bokningen {booking_id} är inte längre öppen (status: {status})."),
    "already-offered": (
        "Booking {booking_id} is already offered to {expert_id}; one expert at a time. Wait for the answer or "
        "withdraw the offer first.",
        "Varaus {booking_id} on jo tarjottu kokemusasiantuntijalle {expert_id}. "
        "Odota vastausta tai peru tarjous ensin.",
        "Bokningen {booking_id} har redan erbjudits {expert_id}. "
        "Vänta på svaret eller dra tillbaka erbjudandet först."),
    "no-open-offer": (
        "Booking {booking_id} has no open offer to answer (it is {status}).",
        "Varauksella {booking_id} ei ole avointa tarjousta (tila: {status}).",
        "Bokningen {booking_id} har inget öppet erbjudande (status: {status})."),
    "offer-withdrawn": (
        "The offer of booking {booking_id} to {expert_id} was withdrawn; the answer was not recorded.",
        "Tämä tarjous on peruttu, joten vastaustasi ei tallennettu. Kiitos silti!",
        "Erbjudandet har dragits tillbaka, så ditt svar sparades inte. Tack ändå!"),
    "offer-filled": (
        "Booking {booking_id} is already {status}; the answer of {expert_id} was not recorded.",
        "Tämä tehtävä on jo hoidettu, joten vastaustasi ei tallennettu. Kiitos silti!",
        "Uppdraget är redan ordnat, så ditt svar sparades inte. Tack ändå!"),
    "expert-busy": (
        "Expert {expert_id} already has booking {other} at {date} {start}–{end}, which overlaps session {number}.",
        "Sinulla on jo varaus {other} {date} klo {start}–{end}, joka on päällekkäin kerran {number} kanssa.",
        "Du har redan bokningen {other} {date} kl. {start}–{end}, som överlappar tillfälle {number}."),
    "not-cancellable": (
        "Booking {booking_id} is {status} and cannot be cancelled.",
        "Varausta {booking_id} ei voi perua (tila: {status}).",
        "Bokningen {booking_id} kan inte avbokas (status: {status})."),
    "bad-session": (
        "Booking {booking_id} has sessions 1–{count}; there is no session {number}.",
        "Varauksessa {booking_id} on kerrat 1–{count}; kertaa {number} ei ole.",
        "Bokningen {booking_id} har tillfällena 1–{count}; tillfälle {number} finns inte."),
    "session-cancelled": (
        "Session {number} of booking {booking_id} was cancelled already ({at}).",
        "Varauksen {booking_id} kerta {number} on jo peruttu ({at}).",
        "Tillfälle {number} i bokningen {booking_id} är redan avbokat ({at})."),
    "cancel-after-start": (
        "Session {number} ({date} {start}) had already begun at {at}; a session is cancelled before it starts.",
        "Kerta {number} ({date} klo {start}) oli jo alkanut {at}; kerta perutaan ennen sen alkua.",
        "Tillfälle {number} ({date} kl. {start}) hade redan börjat {at}; ett tillfälle avbokas innan det börjar."),
    "reason-required": (
        "Give a reason for closing booking {booking_id} unfilled.",
        "Kerro, miksi varaus {booking_id} suljetaan täyttämättä.",
        "Ange varför bokningen {booking_id} stängs utan expert."),
    # --- a candidate's reasons ---------------------------------------------------------------------
    "reason-contract": (
        "contract {contract_id} covers the unit, task and dates",
        "sopimus {contract_id} kattaa yksikön, tehtävän ja päivät",
        "avtalet {contract_id} täcker enheten, uppgiften och dagarna"),
    "reason-needs-contract": (
        "needs a contract",
        "tarvitsee sopimuksen",
        "behöver ett avtal"),
    "reason-topics": (
        "topics: {topics}",
        "aiheet: {topics}",
        "ämnen: {topics}"),
    "reason-language": (
        "language: {language}",
        "kieli: {language}",
        "språk: {language}"),
    "reason-area": (
        "works in {area}",
        "toimii alueella {area}",
        "arbetar inom {area}"),
    "reason-area-open": (
        "no service areas given",
        "ei rajattuja palvelualueita",
        "inga serviceområden angivna"),
    "reason-free": (
        "free at those times",
        "vapaana noina aikoina",
        "ledig vid de tiderna"),
    "reason-share": (
        "{count} sessions booked this month",
        "{count} varattua kertaa tässä kuussa",
        "{count} bokade tillfällen denna månad"),
    "reason-declined-before": (
        "declined this request before",
        "kieltäytyi tästä pyynnöstä aiemmin",
        "tackade nej till denna förfrågan tidigare"),
}

_LANGUAGE_INDEX = {"en": 0, "fi": 1, "sv": 2}
# The fields a text names, as the reader's page calls them ('{field}' in "too-long", "control-character").
FIELD_NAMES: dict[str, tuple[str, str, str]] = {
    "note": ("note", "lisätiedot", "tilläggsuppgifter"), "place": ("place", "paikka", "plats"),
    "audience": ("audience", "kohderyhmä", "målgrupp"), "topic": ("topic", "aihe", "ämne"),
    "reason": ("reason", "syy", "orsak"),
}


def text(code: str, in_language: str, **params: object) -> str:
    """The catalogue text of `code` in `in_language` (en, fi or sv; other languages get Finnish)."""
    entry = CATALOGUE.get(code)
    if entry is None:
        return code
    index = _LANGUAGE_INDEX.get(in_language, 1)
    template = entry[index]
    if isinstance(params.get("field"), str) and params["field"] in FIELD_NAMES:
        params = {**params, "field": FIELD_NAMES[params["field"]][index]}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
