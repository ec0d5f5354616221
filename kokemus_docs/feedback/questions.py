"""The feedback questionnaire's contract: respondent groups, languages, field names, the seal, and the words.

Field names follow SPEC.md. The same questions are asked on paper (the PDF), on a phone (the web page) and in
survey tools (their exports use the same column names).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from kokemus_docs.forms.fields import compute_seal, seal_matches

RESPONDENTS = ("client", "employee", "expert")
LANGUAGES = ("fi", "sv", "en")
# English is offered to clients only (immigrant services); staff and experts work in Finnish or Swedish.
LANGUAGES_OF = {"client": ("fi", "sv", "en"), "employee": ("fi", "sv"), "expert": ("fi", "sv")}

IDENTITY_FIELDS = ("form_id", "unit_id", "respondent", "language")
SEAL_FIELD = "seal"
STATEMENTS = ("s1", "s2", "s3", "s4", "s5")
ANSWER_FIELDS = ("date", "recommend", *STATEMENTS, "comment")
NO_ANSWER = "na"  # the export value of the "no answer" choice of a statement
COMMENT_MAX = 2000


def form_id_for(unit_id: str, respondent: str, language: str) -> str:
    """One questionnaire per unit, respondent group and language: 'MTP-PORVOO_client_fi'."""
    return f"{unit_id}_{respondent}_{language}"


def identity_of(unit_id: str, respondent: str, language: str) -> dict[str, str]:
    return {"form_id": form_id_for(unit_id, respondent, language), "unit_id": unit_id,
            "respondent": respondent, "language": language}


def questionnaire_seal(key: bytes, identity: dict[str, str]) -> str:
    """The seal printed on a questionnaire: binds its identity fields to this workspace's key."""
    return compute_seal(key, identity, IDENTITY_FIELDS)


def questionnaire_seal_matches(key: bytes, identity: dict[str, str], seal: str) -> bool:
    return seal_matches(key, identity, seal, IDENTITY_FIELDS)


def phone_code(key: bytes, identity: dict[str, str]) -> str:
    """The short code of the questionnaire's phone address (<public_url>/f/<code>): 12 letters and digits.

    Derived from the workspace key, so it cannot be guessed from the unit's id, and the same questionnaire
    always has the same code.
    """
    message = ("feedback-code\x1f" + "\x1f".join(identity[name] for name in IDENTITY_FIELDS)).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:12].lower()


def reference_of(code: str) -> str:
    """The phone code as printed at the foot of the questionnaire, to read aloud or type: 'ABCD-EFGH-IJKL'."""
    upper = code.upper()
    return "-".join(upper[i:i + 4] for i in range(0, len(upper), 4))


_REFERENCE = re.compile(r"(?:Tunniste|Referens|Reference)\s*:\s*([A-Z2-7]{4})[-‐‑– ]?([A-Z2-7]{4})[-‐‑– ]?"
                        r"([A-Z2-7]{4})\b", re.IGNORECASE)


def code_as_typed(text: str) -> str:
    """The phone code in what a person typed after /f/: the printed reference ('ABCD-EFGH-IJKL', any case, with
    or without dashes or spaces) or the code itself; '' when it is neither."""
    letters = re.sub(r"[\s\-‐‑–]", "", text).lower()
    return letters if re.fullmatch(r"[a-z2-7]{12}", letters) else ""


def code_in_reference(text: str) -> str:
    """The phone code in a printed reference line ('Tunniste: ABCD-EFGH-IJKL'); '' when the text holds none."""
    match = _REFERENCE.search(text)
    return "".join(match.groups()).lower() if match else ""


# --- the words ------------------------------------------------------------------------------------------------

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Palautetta kokemusasiantuntija\u00adtoiminnasta",  # a narrow screen breaks it there
        "for_client": "Asiakkaalle", "for_employee": "Työntekijälle", "for_expert": "Kokemusasiantuntijalle",
        "unit": "Yksikkö",
        "intro": "Kiitos, että kerrot kokemuksestasi. Vastaaminen on vapaaehtoista ja nimetöntä. Älä kirjoita "
                 "lomakkeeseen nimeäsi tai muita tietoja, joista sinut voi tunnistaa. Voit jättää kohdan "
                 "tyhjäksi, jos et halua vastata.",
        "intro_client": "Vastauksesi ei vaikuta palveluusi.",
        "phone": "Voit vastata myös puhelimella:",
        "recommend_low": "0 = en lainkaan todennäköisesti",
        "recommend_high": "10 = erittäin todennäköisesti",
        "statements": "Kuinka samaa mieltä olet seuraavista väittämistä?",
        "scale_1": "täysin eri mieltä", "scale_5": "täysin samaa mieltä", "no_answer": "en osaa sanoa",
        "date": "Päivämäärä (vapaaehtoinen)", "date_format": "muodossa 14.10.2026",
        "comment": "Mitä muuta haluat kertoa? Älä kirjoita nimiä.",
        "return": "Palauta lomake työntekijälle suljetussa kirjekuoressa tai tallenna täytetty PDF ja lähetä se "
                  "kokemusasiantuntijatoiminnan koordinaattorille.",
        "feedback_client": "Asiakaspalaute", "feedback_employee": "Työntekijöiden palaute",
        "feedback_expert": "Kokemusasiantuntijoiden palaute",
        "reference": "Tunniste",
        "submit": "Lähetä vastaus",
        "thanks": "Kiitos palautteestasi!",
        "thanks_more": "Vastauksesi on tallennettu nimettömänä.",
        "fix": "Tarkista vastaus:",
        "busy": "Vastausta ei voitu tallentaa juuri nyt. Yritä hetken päästä uudelleen.",
        "err_recommend": "Valitse yksi numero 0–10.",
        "err_statement": "Valitse 1–5 tai \"en osaa sanoa\".",
        "err_comment": "Kirjoita enintään 2 000 merkkiä.",
        "err_date": "Kirjoita päivämäärä muodossa 14.10.2026.",
        "answer_again": "Voit antaa palautetta myös myöhemmin uudelleen.",
    },
    "sv": {
        "title": "Respons på erfarenhetsexpert\u00adverksamheten",
        "for_client": "För klienten", "for_employee": "För personalen", "for_expert": "För erfarenhetsexperten",
        "unit": "Enhet",
        "intro": "Tack för att du berättar om din erfarenhet. Det är frivilligt och anonymt att svara. Skriv inte "
                 "ditt namn eller annat som kan avslöja vem du är. Du kan lämna en punkt tom om du inte vill "
                 "svara.",
        "intro_client": "Ditt svar påverkar inte din service.",
        "phone": "Du kan också svara med telefonen:",
        "recommend_low": "0 = inte alls sannolikt",
        "recommend_high": "10 = mycket sannolikt",
        "statements": "Hur väl håller du med om följande påståenden?",
        "scale_1": "helt av annan åsikt", "scale_5": "helt av samma åsikt", "no_answer": "vet inte",
        "date": "Datum (frivilligt)", "date_format": "i formen 14.10.2026",
        "comment": "Vad annat vill du berätta? Skriv inte namn.",
        "return": "Lämna blanketten till personalen i ett slutet kuvert eller spara den ifyllda PDF-filen och "
                  "skicka den till koordinatorn för erfarenhetsexpertverksamheten.",
        "feedback_client": "Klientrespons", "feedback_employee": "Personalens respons",
        "feedback_expert": "Erfarenhetsexperternas respons",
        "reference": "Referens",
        "submit": "Skicka svaret",
        "thanks": "Tack för din respons!",
        "thanks_more": "Ditt svar har sparats anonymt.",
        "fix": "Kontrollera svaret:",
        "busy": "Svaret kunde inte sparas just nu. Försök igen om en stund.",
        "err_recommend": "Välj ett tal 0–10.",
        "err_statement": "Välj 1–5 eller \"vet inte\".",
        "err_comment": "Skriv högst 2 000 tecken.",
        "err_date": "Skriv datumet som 14.10.2026.",
        "answer_again": "Du kan gärna ge respons igen senare.",
    },
    "en": {
        "title": "Feedback on the work of experts by experience",
        "for_client": "For clients", "for_employee": "For staff", "for_expert": "For experts by experience",
        "unit": "Unit",
        "intro": "Thank you for telling us about your experience. Answering is voluntary and anonymous. Do not "
                 "write your name or anything else that shows who you are. You can leave a question empty if "
                 "you do not want to answer.",
        "intro_client": "Your answers do not affect the services you get.",
        "phone": "You can also answer on your phone:",
        "recommend_low": "0 = not at all likely",
        "recommend_high": "10 = extremely likely",
        "statements": "How much do you agree with these sentences?",
        "scale_1": "strongly disagree", "scale_5": "strongly agree", "no_answer": "don't know",
        "date": "Date (optional)", "date_format": "day.month.year, e.g. 14.10.2026",
        "comment": "Is there anything else you want to tell us? Do not write names.",
        "return": "Give the form to a staff member in a closed envelope, or save the filled PDF and send it to "
                  "the coordinator of the experts by experience.",
        "feedback_client": "Client feedback", "feedback_employee": "Staff feedback",
        "feedback_expert": "Feedback from experts by experience",
        "reference": "Reference",
        "submit": "Send your answer",
        "thanks": "Thank you for your feedback!",
        "thanks_more": "Your answer has been saved anonymously.",
        "fix": "Please check your answer:",
        "busy": "Your answer could not be saved just now. Please try again in a moment.",
        "err_recommend": "Choose one number from 0 to 10.",
        "err_statement": "Choose 1–5 or \"don't know\".",
        "err_comment": "Write at most 2,000 characters.",
        "err_date": "Write the date as 14.10.2026.",
        "answer_again": "You are welcome to give feedback again later.",
    },
}

# The recommendation question and five statements, fitted to each respondent group, in plain words.
QUESTIONS: dict[str, dict[str, tuple[str, tuple[str, str, str, str, str]]]] = {
    "client": {
        "fi": ("Kuinka todennäköisesti suosittelisit kokemusasiantuntijan tapaamista jollekulle, joka on "
               "samanlaisessa tilanteessa?",
               ("Minua kuunneltiin.",
                "Kokemusasiantuntijan tarina antoi minulle toivoa.",
                "Tunsin, että kokemusasiantuntija ymmärsi tilanteeni.",
                "Työntekijä ja kokemusasiantuntija toimivat hyvin yhdessä.",
                "Sain tapaamisesta jotain, mitä en olisi saanut pelkästä työntekijän tapaamisesta.")),
        "sv": ("Hur sannolikt är det att du skulle rekommendera ett möte med en erfarenhetsexpert till någon "
               "som är i en liknande situation?",
               ("Jag blev lyssnad på.",
                "Erfarenhetsexpertens berättelse gav mig hopp.",
                "Jag kände att erfarenhetsexperten förstod min situation.",
                "Personalen och erfarenhetsexperten arbetade bra tillsammans.",
                "Jag fick något av mötet som jag inte hade fått av att bara träffa personalen.")),
        "en": ("How likely is it that you would recommend meeting an expert by experience to someone in a "
               "similar situation?",
               ("I was listened to.",
                "The expert's own story gave me hope.",
                "I felt that the expert understood my situation.",
                "The staff member and the expert worked well together.",
                "I got something from the meeting that I would not have got from the staff member alone.")),
    },
    "employee": {
        "fi": ("Kuinka todennäköisesti suosittelisit kokemusasiantuntijan käyttämistä kollegallesi?",
               ("Kokemusasiantuntijan tieto täydensi ammatillista osaamistamme.",
                "Yhteistyö kokemusasiantuntijan kanssa sujui hyvin.",
                "Asiakkaat hyötyivät kokemusasiantuntijan mukanaolosta.",
                "Kokemusasiantuntija perehdytettiin yksikköön ja häntä tuettiin tehtävässä.",
                "Tehtävä toteutui niin kuin olimme sopineet.")),
        "sv": ("Hur sannolikt är det att du skulle rekommendera en erfarenhetsexpert till en kollega?",
               ("Erfarenhetsexpertens kunskap kompletterade vår yrkeskunskap.",
                "Samarbetet med erfarenhetsexperten fungerade bra.",
                "Klienterna hade nytta av att erfarenhetsexperten var med.",
                "Erfarenhetsexperten blev introducerad i enheten och fick stöd i uppdraget.",
                "Uppdraget genomfördes så som vi hade kommit överens.")),
    },
    "expert": {
        "fi": ("Kuinka todennäköisesti suosittelisit tätä yksikköä toiselle kokemusasiantuntijalle?",
               ("Minut perehdytettiin yksikköön hyvin.",
                "Sain tukea, kun tarvitsin sitä.",
                "Yhteistyö yksikön työntekijöiden kanssa sujui hyvin.",
                "Kokemustietoani arvostettiin ja sitä käytettiin.",
                "Tehtävä vastasi sitä, mitä oli sovittu.")),
        "sv": ("Hur sannolikt är det att du skulle rekommendera den här enheten till en annan erfarenhetsexpert?",
               ("Jag blev väl introducerad i enheten.",
                "Jag fick stöd när jag behövde det.",
                "Samarbetet med enhetens personal fungerade bra.",
                "Min erfarenhetskunskap blev uppskattad och använd.",
                "Uppdraget motsvarade det som hade avtalats.")),
    },
}

# Respondent groups as people write them in survey tools (any case).
RESPONDENT_ALIASES = {
    "client": "client", "asiakas": "client", "klient": "client", "kund": "client",
    "employee": "employee", "staff": "employee", "työntekijä": "employee", "henkilöstö": "employee",
    "anställd": "employee", "personal": "employee", "personalen": "employee",
    "expert": "expert", "kokemusasiantuntija": "expert", "erfarenhetsexpert": "expert",
    "expert by experience": "expert",
}

# Short labels for the indicators workbook (Finnish / Swedish).
RESPONDENT_LABELS = {"client": "Asiakkaat / Klienter", "employee": "Työntekijät / Personal",
                     "expert": "Kokemusasiantuntijat / Erfarenhetsexperter"}


def words(language: str) -> dict[str, str]:
    return TEXTS[language if language in TEXTS else "fi"]


def questions(respondent: str, language: str) -> tuple[str, tuple[str, ...]]:
    """(recommendation question, five statements) for the group, in `language` (Finnish when not offered)."""
    by_language = QUESTIONS[respondent]
    return by_language.get(language) or by_language["fi"]
