"""The Finnish and Swedish words for the problems the coordinator meets on the web pages.

A Problem's `message` is English, for the terminal and the JSON output. The web app shows the same problem from
this catalogue, by its code, in the page's language: where it is (sheet, row, column) and what to do. Values
come from the Problem's `params` (a value that reads differently per language is a {"fi": …, "sv": …} dict);
a code without an entry is named by its place and a plain request to check it, never in English.
"""

from __future__ import annotations

from kokemus_docs.core.errors import Problem

SHEET_NAMES = {"fi": {"experts": "asiantuntijat (experts)", "units": "yksiköt (units)",
                      "contracts": "sopimukset (contracts)", "fees": "palkkiot (fees)"},
               "sv": {"experts": "experter (experts)", "units": "enheter (units)",
                      "contracts": "avtal (contracts)", "fees": "arvoden (fees)"}}
WHERE = {"fi": {"sheet": "taulukko {sheet}", "row": "rivi {row}", "column": "sarake {field}",
                "setting": "asetus {field}"},
         "sv": {"sheet": "bladet {sheet}", "row": "rad {row}", "column": "kolumnen {field}",
                "setting": "inställningen {field}"}}

# code -> (Finnish, Swedish); {placeholders} come from Problem.params.
TEXTS: dict[str, tuple[str, str]] = {
    "required": ("Pakollinen tieto puuttuu. Täytä solu.", "En obligatorisk uppgift saknas. Fyll i cellen."),
    "too-long": ("Solussa on liikaa tekstiä (enintään 2 000 merkkiä). Lyhennä sitä.",
                 "Cellen har för mycket text (högst 2 000 tecken). Förkorta den."),
    "control-character": ("Solussa on näkymätön ohjausmerkki, jota asiakirjoihin ei voi kirjoittaa. Kirjoita solu "
                          "uudelleen.", "Cellen har ett osynligt styrtecken som inte kan skrivas i dokument. "
                          "Skriv om cellen."),
    "bad-date": ("'{value}' ei ole päivämäärä. Kirjoita se muodossa 14.10.2026.",
                 "'{value}' är inte ett datum. Skriv det i formen 14.10.2026."),
    "bad-decimal": ("'{value}' ei kelpaa euromääräksi. Kirjoita se muodossa 25,00 (0–10 000 €, enintään kaksi "
                    "desimaalia).", "'{value}' duger inte som belopp. Skriv det i formen 25,00 (0–10 000 €, högst "
                    "två decimaler)."),
    "bad-int": ("'{value}' ei ole kokonaisluku (esimerkiksi 2026).",
                "'{value}' är inte ett heltal (till exempel 2026)."),
    "bad-yesno": ("'{value}' ei ole kyllä tai ei. Kirjoita yes tai no.",
                  "'{value}' är inte ja eller nej. Skriv yes eller no."),
    "bad-language": ("'{value}' ei ole asiakirjojen kieli. Kirjoita fi tai sv.",
                     "'{value}' är inte ett dokumentspråk. Skriv fi eller sv."),
    "bad-basis": ("'{value}' ei ole palkkion peruste. Kirjoita hour, session tai event.",
                  "'{value}' är inte en arvodesgrund. Skriv hour, session eller event."),
    "bad-id": ("'{value}' ei kelpaa tunnukseksi: käytä kirjaimia, numeroita, viivaa, alaviivaa ja pistettä "
               "(1–64 merkkiä).", "'{value}' duger inte som id: använd bokstäver, siffror, bindestreck, understreck "
               "och punkt (1–64 tecken)."),
    "bad-ids": ("'{value}' ei kelpaa tehtäväluetteloksi: erota tehtäväkoodit puolipisteellä.",
                "'{value}' duger inte som uppgiftslista: skilj uppgiftskoderna åt med semikolon."),
    "bad-iban": ("Tilinumero (IBAN) ei ole oikein. Kopioi se asiantuntijan tiliotteelta.",
                 "Kontonumret (IBAN) är inte rätt. Kopiera det från expertens kontoutdrag."),
    "bad-hetu": ("Henkilötunnus ei ole oikein. Tarkista se verokortista.",
                 "Personbeteckningen är inte rätt. Kontrollera den mot skattekortet."),
    "future-hetu": ("Henkilötunnuksen syntymäaika on tulevaisuudessa. Tarkista se verokortista.",
                    "Personbeteckningens födelsedatum ligger i framtiden. Kontrollera den mot skattekortet."),
    "temporary-hetu": ("Henkilötunnus on väliaikainen (900–999). Pyydä pysyvä tunnus ennen ensimmäistä maksua.",
                       "Personbeteckningen är tillfällig (900–999). Be om den permanenta före den första "
                       "utbetalningen."),
    "dates-reversed": ("Päättymispäivä on ennen alkamispäivää. Korjaa toinen päivämääristä.",
                       "Slutdatumet är före startdatumet. Rätta ett av datumen."),
    "overlapping-rates": ("Tehtävän '{task}' palkkio on voimassa päällekkäin rivin {other_row} kanssa. Päätä "
                          "vanhempi palkkio (valid_to) uutta edeltävään päivään.",
                          "Arvodet för uppgiften '{task}' gäller samtidigt som det på rad {other_row}. Avsluta det "
                          "äldre arvodet (valid_to) dagen före det nya."),
    "unknown-task": ("Tehtävää '{task}' ei tunneta. Käytä palkkiotaulukon tehtäväkoodia.",
                     "Uppgiften '{task}' är okänd. Använd en uppgiftskod från arvodesbladet."),
    "no-rate": ("Tehtävälle '{task}' ei ole palkkiota palkkiotaulukossa sopimuksen alkaessa. Lisää tai jatka "
                "palkkiota.", "Uppgiften '{task}' har inget arvode i arvodesbladet när avtalet börjar. Lägg till "
                "eller förläng ett arvode."),
    "missing-label": ("Tehtävä '{task}' ei ole valmis koodi: anna sille label_fi ja label_sv, jotta asiakirjat "
                      "voivat nimetä sen.", "Uppgiften '{task}' är ingen färdig kod: ge den label_fi och label_sv "
                      "så att dokumenten kan benämna den."),
    "unknown-expert": ("Asiantuntijaa '{expert_id}' ei ole asiantuntijat-taulukossa (tai sen rivillä on virhe).",
                       "Experten '{expert_id}' finns inte på expertbladet (eller dess rad har fel)."),
    "unknown-unit": ("Yksikköä '{unit_id}' ei ole yksiköt-taulukossa (tai sen rivillä on virhe).",
                     "Enheten '{unit_id}' finns inte på enhetsbladet (eller dess rad har fel)."),
    "duplicate-id": ("Tunnus '{value}' on jo käytössä rivillä {other_row}; tunnusten on oltava yksilöllisiä.",
                     "Id:t '{value}' används redan på rad {other_row}; id:n måste vara unika."),
    "unsigned": ("Sopimusta ei ole vielä allekirjoitettu: tuntilomakkeet tehdään vasta, kun signed_on on täytetty.",
                 "Avtalet är inte undertecknat ännu: timblanketter görs först när signed_on är ifyllt."),
    "contract-unsigned": ("Sopimusta {contract_id} ei ole allekirjoitettu, joten sille ei tehty tuntilomaketta. "
                          "Täytä signed_on, kun molemmat ovat allekirjoittaneet.",
                          "Avtalet {contract_id} är inte undertecknat, så ingen timblankett gjordes. Fyll i "
                          "signed_on när båda parterna har undertecknat."),
    "swedish-text-missing": ("Yksiköllä {unit_id} on suomenkielinen {attribute}, mutta {attribute}_sv on tyhjä: "
                             "ruotsinkielisiin asiakirjoihin tulisi suomenkielinen teksti. Täytä {attribute}_sv.",
                             "Enheten {unit_id} har {attribute} på finska men {attribute}_sv är tomt: de svenska "
                             "dokumenten skulle visa den finska texten. Fyll i {attribute}_sv."),
    "setting-missing": ("Asetus {key} on tyhjä tiedostossa kokemus.toml ([organisation]). Täytä se: asiakirjat "
                        "tulostavat sen.", "Inställningen {key} är tom i filen kokemus.toml ([organisation]). "
                        "Fyll i den: dokumenten skriver ut den."),
    "inactive-expert": ("Asiantuntija {expert_id} ei ole aktiivinen, joten hänelle ei tehty asiakirjoja.",
                        "Experten {expert_id} är inte aktiv, så inga dokument gjordes för hen."),
    "no-tax-card": ("Asiantuntijalla {expert_id} ei ole rekisterissä maksupäivänä voimassa olevaa verokorttia: "
                    "ennakonpidätys on 60 %.", "Experten {expert_id} har inget skattekort i registret som gäller "
                    "på betalningsdagen: förskottsinnehållningen är 60 %."),
    "missing-form": ("Sopimuksen {contract_id} tuntilomaketta ({month}) ei ole saatu.",
                     "Timblanketten för avtal {contract_id} ({month}) har inte kommit in."),
    "libreoffice-missing": ("PDF-tiedostoja ei voitu tehdä, koska LibreOffice puuttuu palvelimelta. Word-tiedostot "
                            "tehtiin.", "PDF-filer kunde inte göras eftersom LibreOffice saknas på servern. "
                            "Word-filerna gjordes."),
    "month-closed": ("Kuukausi on jo suljettu, eikä sitä voi enää muuttaa.",
                     "Månaden är redan stängd och kan inte längre ändras."),
}
FALLBACK = ("Tarkista tämä kohta ja korjaa se; komento kokemus check kertoo lisää.",
            "Kontrollera och rätta den här punkten; kommandot kokemus check berättar mer.")


def problem_text(problem: Problem, language: str) -> str:
    """The problem in 'fi' or 'sv': where it is ('taulukko sopimukset (contracts), rivi 5, sarake signed_on')
    and what to do."""
    language = language if language in WHERE else "fi"
    index = 0 if language == "fi" else 1
    words = WHERE[language]
    where = []
    if problem.sheet:
        where.append(words["sheet"].format(sheet=SHEET_NAMES[language].get(problem.sheet, problem.sheet)))
    if problem.row is not None:
        where.append(words["row"].format(row=problem.row))
    if problem.field:
        kind = "setting" if problem.path == "kokemus.toml" else "column"
        where.append(words[kind].format(field=problem.field))
    template = TEXTS.get(problem.code or "", FALLBACK)[index]
    try:
        params = {name: value.get(language, "") if isinstance(value, dict) else value
                  for name, value in (problem.params or {}).items()}
        text = template.format(**params)
    except (KeyError, IndexError, ValueError):
        text = FALLBACK[index]
    place = ", ".join(where)
    return f"{place[0].upper()}{place[1:]}: {text}" if place else text
