"""The assignment contract template (contract_fi.docx, contract_sv.docx): its texts and layout."""

from __future__ import annotations

from docx import Document
from docx_blocks import (
    SIGN_LINE,
    bullets,
    field_lines,
    header_footer,
    heading,
    item_lines,
    new_document,
    para,
    signature_lines,
)

# the coordinator's name when kokemus.toml gives one, else a line to write it on
COORDINATOR_SIGNATURE_NAME = '{{ coordinator_name or "' + SIGN_LINE + '" }}'

CONTRACT_TEXT = {
    "fi": {
        "title": "Kokemusasiantuntijan toimeksiantosopimus",
        "short": "Toimeksiantosopimus",
        "page": "Sivu",
        "number": "Sopimusnumero",
        "printed": "Tulostettu",
        "parties": "1 Sopimuksen osapuolet",
        "party_rows": [
            ("Toimeksiantaja", "{{ org_name }}"),
            ("Y-tunnus", "{{ business_id }}"),
            ("Postiosoite", "{{ postal_address }}"),
            ("Toimeksiantajan yhteyshenkilö", "{{ coordinator.name_title }}"),
            ("Yhteystiedot", "{{ coordinator.contact }}"),
            ("Kokemusasiantuntija", "{{ expert.full_name }}"),
            ("Asiantuntijanumero", "{{ expert.expert_id }}"),
            ("Sähköposti", "{{ expert.email }}"),
            ("Puhelin", "{{ expert.phone }}"),
        ],
        "expert": "2 Kokemusasiantuntijan tiedot",
        "expert_rows": [
            ("Koulutus", "{{ expert.education }}"),
            ("Kokemus kokemusasiantuntijana", "{{ expert.expert_experience }}"),
            ("Aihealueet", "{{ expert.topics_text }}"),
            ("Toiveet tehtävistä", "{{ expert.wishes }}"),
        ],
        "unit": "3 Toimintayksikkö",
        "unit_rows": [
            ("Yksikkö", "{{ unit.name }}"),
            ("Palvelualue", "{{ unit.service_area }}"),
            ("Käyntiosoite", "{{ unit.address }}"),
            ("Tilat", "{{ unit.premises }}"),
            ("Yksikön nimetty työntekijä", "{{ unit.contact_name }}"),
            ("Työntekijän yhteystiedot", "{{ unit.contact }}"),
            ("Kustannuspaikka", "{{ unit.cost_center }}"),
        ],
        "tasks": "4 Tehtävät ja palkkiot",
        "tasks_intro": "Kokemusasiantuntija voi tämän sopimuksen perusteella toimia alla luetelluissa tehtävissä. "
                       "Palkkiot maksetaan toimeksiantajan hyväksymän palkkiotaulukon mukaan. Luettelossa on "
                       "kunkin tehtävän palkkio sopimuksen alkaessa.",
        "task_headers": ("Tehtävä", "Peruste", "Palkkio", "Voimassa alkaen"),
        "tasks_after": "Kustakin tehtävästä maksetaan se palkkio, joka on voimassa tehtävän tekopäivänä. Jos "
                       "palkkiotaulukko muuttuu sopimuskauden aikana, uutta palkkiota sovelletaan sen "
                       "voimaantulopäivästä alkaen.",
        "validity": "5 Sopimuksen voimassaolo",
        "validity_text": ["Sopimus on voimassa ", "{{ contract.valid_from }}", " \u2013 ",
                          "{{ contract.valid_to }}", "."],
        "nature": "6 Toimeksiannon luonne",
        "nature_items": [
            "Kyseessä on toimeksiantosopimus. Kokemusasiantuntija ei ole työsopimuslain (55/2001) "
            "tarkoittamassa työsuhteessa toimeksiantajaan eikä palvelun asiakkaaseen.",
            "Toimeksiantaja ei sitoudu tarjoamaan kokemusasiantuntijalle mitään tiettyä määrää tehtäviä "
            "tai tunteja.",
            "Kokemusasiantuntija päättää itse, mitkä tehtävät hän ottaa vastaan, ja voi kieltäytyä "
            "tarjotusta tehtävästä.",
            "Palvelu on asiakkaille maksuton. Asiakkaalta ei peritä mitään maksua.",
        ],
        "fees": "7 Palkkion maksamisen ehdot",
        "fees_items": [
            ["Toimeksiantaja voi perua sovitun tehtävän maksutta viimeistään edellisenä päivänä kello ",
             "{{ cancellation_cutoff }}", ". Jos tehtävä perutaan myöhemmin, palkkio maksetaan."],
            "Jos asiakas ei saavu sovittuun tapaamiseen, palkkio maksetaan.",
            "Ryhmänohjauksen ennalta sovitut kerrat maksetaan, vaikka ryhmään ei tulisi osallistujia. "
            "Palkkiota ei makseta, jos ryhmä on lopetettu painavasta tai etukäteen sovitusta syystä.",
            "Jos kokemusasiantuntija on sairauden vuoksi estynyt hoitamasta tehtävää, palkkiota ei makseta.",
        ],
        "travel": "8 Matkakulut",
        "travel_items": [
            "Matkoja asiakastapaamisiin tai muihin tehtäviin ei korvata.",
            "Matkat kokemusasiantuntijoiden yhteisiin tapaamisiin voidaan korvata, jos siitä on sovittu "
            "etukäteen.",
            "Matkoista kotikunnan ulkopuolelle kokemusasiantuntijan valitsemalla toiminta-alueella voidaan "
            "sopia erikseen.",
        ],
        "payment": "9 Verokortti ja palkkion maksaminen",
        "payment_items": [
            ["Kokemusasiantuntija toimittaa verokorttinsa sopimuksen allekirjoittamisen yhteydessä ja sen "
             "jälkeen joka vuosi vuoden alussa palkanmaksuun: ", "{{ payroll_name }}", ", ",
             "{{ tax_card_address }}", ". Ilman verokorttia ennakonpidätys on 60 %."],
            ["Kokemusasiantuntija ilmoittaa kuukauden tehtävät tuntilomakkeella, jonka on oltava yksikön "
             "nimetyllä työntekijällä viimeistään seuraavan kuukauden ", "{{ notice_day }}", ". päivänä."],
            "Kuukauden aikana tehtyjen tehtävien palkkiot maksetaan jälkikäteen seuraavan kuukauden "
            "viimeisenä pankkipäivänä (esimerkiksi lokakuun palkkiot marraskuun viimeisenä pankkipäivänä).",
            ["Kysymyksissä sopimuksesta, tuntilomakkeesta ja palkkioista kokemusasiantuntija ottaa yhteyttä "
             "toimeksiantajan yhteyshenkilöön: ", "{{ coordinator.full }}", "."],
        ],
        "privacy": "10 Salassapito ja tietosuoja",
        "privacy_items": [
            "Kokemusasiantuntijalla on vaitiolovelvollisuus kaikesta, mitä hän saa tehtävissään tietää "
            "asiakkaista, heidän läheisistään ja toimeksiantajan toiminnasta. Velvollisuus jatkuu myös "
            "sopimuksen päätyttyä.",
            "Asiakastietoja käsitellään vain siinä laajuudessa kuin tehtävä vaatii ja tietosuojasäädösten "
            "mukaisesti. Kokemusasiantuntija ei tallenna asiakastietoja itselleen eikä vie niitä mukanaan.",
            "Kokemusasiantuntija ei anna omia yhteystietojaan asiakkaille. Yhteydenpito asiakkaisiin "
            "hoidetaan aina yksikön työntekijän kautta.",
        ],
        "signatures": "11 Allekirjoitukset",
        "copies": "Sopimus on tehty kahtena samansisältöisenä kappaleena, yksi kummallekin osapuolelle.",
        "sign_parties": ("Toimeksiantajan puolesta", "Kokemusasiantuntija"),
        "sign_rows": [
            ("Paikka ja päivämäärä", ("", "")),
            ("Allekirjoitus", ("", "")),
            ("Nimenselvennys", (COORDINATOR_SIGNATURE_NAME, "{{ expert.full_name }}")),
        ],
    },
    "sv": {
        "title": "Uppdragsavtal för erfarenhetsexpert",
        "short": "Uppdragsavtal",
        "page": "Sida",
        "number": "Avtalsnummer",
        "printed": "Utskrivet",
        "parties": "1 Avtalsparter",
        "party_rows": [
            ("Uppdragsgivare", "{{ org_name }}"),
            ("FO-nummer", "{{ business_id }}"),
            ("Postadress", "{{ postal_address }}"),
            ("Uppdragsgivarens kontaktperson", "{{ coordinator.name_title }}"),
            ("Kontaktuppgifter", "{{ coordinator.contact }}"),
            ("Erfarenhetsexpert", "{{ expert.full_name }}"),
            ("Expertnummer", "{{ expert.expert_id }}"),
            ("E-post", "{{ expert.email }}"),
            ("Telefon", "{{ expert.phone }}"),
        ],
        "expert": "2 Uppgifter om erfarenhetsexperten",
        "expert_rows": [
            ("Utbildning", "{{ expert.education }}"),
            ("Erfarenhet som erfarenhetsexpert", "{{ expert.expert_experience }}"),
            ("Ämnesområden", "{{ expert.topics_text }}"),
            ("Önskemål om uppdrag", "{{ expert.wishes }}"),
        ],
        "unit": "3 Verksamhetsenhet",
        "unit_rows": [
            ("Enhet", "{{ unit.name }}"),
            ("Serviceområde", "{{ unit.service_area }}"),
            ("Besöksadress", "{{ unit.address }}"),
            ("Lokaler", "{{ unit.premises }}"),
            ("Enhetens namngivna anställda", "{{ unit.contact_name }}"),
            ("Kontaktuppgifter", "{{ unit.contact }}"),
            ("Kostnadsställe", "{{ unit.cost_center }}"),
        ],
        "tasks": "4 Uppdrag och arvoden",
        "tasks_intro": "Med stöd av detta avtal kan erfarenhetsexperten arbeta med de uppdrag som räknas upp "
                       "nedan. Arvodena betalas enligt uppdragsgivarens godkända arvodestabell. Listan visar "
                       "arvodet för varje uppdrag när avtalet börjar.",
        "task_headers": ("Uppdrag", "Grund", "Arvode", "Gäller från"),
        "tasks_after": "För varje uppdrag betalas det arvode som gäller den dag uppdraget utförs. Om "
                       "arvodestabellen ändras under avtalsperioden tillämpas det nya arvodet från den dag "
                       "det träder i kraft.",
        "validity": "5 Avtalets giltighet",
        "validity_text": ["Avtalet gäller ", "{{ contract.valid_from }}", " \u2013 ",
                          "{{ contract.valid_to }}", "."],
        "nature": "6 Uppdragets art",
        "nature_items": [
            "Detta är ett uppdragsavtal. Erfarenhetsexperten står inte i ett anställningsförhållande enligt "
            "arbetsavtalslagen (55/2001) till uppdragsgivaren eller till tjänstens kund.",
            "Uppdragsgivaren förbinder sig inte att erbjuda erfarenhetsexperten något visst antal uppdrag "
            "eller timmar.",
            "Erfarenhetsexperten bestämmer själv vilka uppdrag hen tar emot och kan tacka nej till ett "
            "erbjudet uppdrag.",
            "Tjänsten är avgiftsfri för kunderna. Kunden faktureras aldrig något.",
        ],
        "fees": "7 Villkor för arvodet",
        "fees_items": [
            ["Uppdragsgivaren kan avboka ett överenskommet uppdrag utan kostnad senast klockan ",
             "{{ cancellation_cutoff }}", " dagen före. Om uppdraget avbokas senare betalas arvodet."],
            "Om kunden inte kommer till ett överenskommet möte betalas arvodet.",
            "De på förhand överenskomna gångerna i grupphandledning betalas även om inga deltagare kommer. "
            "Arvode betalas inte om gruppen har avslutats av ett tvingande eller i förväg överenskommet skäl.",
            "Om erfarenhetsexperten på grund av sjukdom är förhindrad att sköta uppdraget betalas inget arvode.",
        ],
        "travel": "8 Resekostnader",
        "travel_items": [
            "Resor till kundmöten eller andra uppdrag ersätts inte.",
            "Resor till erfarenhetsexperternas gemensamma möten kan ersättas om det har avtalats i förväg.",
            "Resor utanför hemkommunen inom det verksamhetsområde som erfarenhetsexperten har valt kan "
            "avtalas separat.",
        ],
        "payment": "9 Skattekort och utbetalning av arvodet",
        "payment_items": [
            ["Erfarenhetsexperten lämnar sitt skattekort när avtalet undertecknas och därefter varje år i "
             "början av året till lönetjänsten: ", "{{ payroll_name }}", ", ", "{{ tax_card_address }}",
             ". Utan skattekort är förskottsinnehållningen 60 %."],
            ["Erfarenhetsexperten redovisar månadens uppdrag på timblanketten, som ska vara hos enhetens "
             "namngivna anställda senast den ", "{{ notice_day }}", " i följande månad."],
            "Arvodena för de uppdrag som utförts under en månad betalas i efterskott den sista bankdagen i "
            "följande månad (till exempel arvodena för oktober den sista bankdagen i november).",
            ["Med frågor om avtalet, timblanketten och arvodena kontaktar erfarenhetsexperten "
             "uppdragsgivarens kontaktperson: ", "{{ coordinator.full }}", "."],
        ],
        "privacy": "10 Sekretess och dataskydd",
        "privacy_items": [
            "Erfarenhetsexperten har tystnadsplikt om allt som hen i uppdraget får veta om kunder, deras "
            "närstående och uppdragsgivarens verksamhet. Tystnadsplikten gäller även efter att avtalet har "
            "upphört.",
            "Kunduppgifter behandlas endast i den omfattning som uppdraget kräver och enligt "
            "dataskyddsbestämmelserna. Erfarenhetsexperten sparar inte kunduppgifter för egen del och tar "
            "dem inte med sig.",
            "Erfarenhetsexperten ger inte sina personliga kontaktuppgifter till kunder. Kontakten med "
            "kunderna sköts alltid via enhetens anställda.",
        ],
        "signatures": "11 Underskrifter",
        "copies": "Avtalet har upprättats i två likalydande exemplar, ett för vardera parten.",
        "sign_parties": ("För uppdragsgivaren", "Erfarenhetsexpert"),
        "sign_rows": [
            ("Ort och datum", ("", "")),
            ("Underskrift", ("", "")),
            ("Namnförtydligande", (COORDINATOR_SIGNATURE_NAME, "{{ expert.full_name }}")),
        ],
    },
}


def build_contract(lang: str) -> Document:
    t = CONTRACT_TEXT[lang]
    doc = new_document(lang, t["title"], t["short"])
    header_footer(doc, t["short"], t["page"])
    heading(doc, t["title"], 1)
    para(doc, (f"{t['number']} ", "b"), ("{{ contract.id }}", "b"))
    para(doc, f"{t['printed']} ", "{{ generated_on }}", size=8)

    heading(doc, t["parties"], 2)
    field_lines(doc, t["party_rows"])
    heading(doc, t["expert"], 2)
    field_lines(doc, t["expert_rows"])
    heading(doc, t["unit"], 2)
    field_lines(doc, t["unit_rows"])

    heading(doc, t["tasks"], 2)
    para(doc, t["tasks_intro"])
    item_lines(doc, ((88, "left"), (128, "right"), (134, "left")), t["task_headers"], "task in tasks",
               ("{{ task.label }}", "{{ task.basis_label }}", "{{ task.rate }}", "{{ task.rate_valid_from }}"))
    para(doc, t["tasks_after"])

    heading(doc, t["validity"], 2)
    para(doc, *t["validity_text"])
    for key in ("nature", "fees", "travel", "payment", "privacy"):
        heading(doc, t[key], 2)
        bullets(doc, t[f"{key}_items"])

    heading(doc, t["signatures"], 2)
    para(doc, t["copies"])
    signature_lines(doc, t["sign_parties"], t["sign_rows"])
    return doc
