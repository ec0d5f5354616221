"""The demo's feedback round: questionnaires issued for every unit, then answers from clients, employees and
experts through every channel: filled PDFs (one sent twice), a Webropol-style CSV export with the tool's own
headings mapped in kokemus.toml, a Microsoft Forms-style XLSX export, and answers given on the phone page.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from kokemus_docs.core.fileio import atomic_path, make_folder, write_bytes_atomic
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.report import Outcome, Progress, no_progress, step_progress
from kokemus_docs.core.workspace import CONFIG_NAME, Workspace
from kokemus_docs.feedback.ingest import ingest_feedback
from kokemus_docs.feedback.ledger import questionnaire_by_code, record_phone_answer
from kokemus_docs.feedback.questionnaire import fill_questionnaire, issue_questionnaires

RECEIVED_ON = date(2026, 11, 5)

# (recommend, s1, s2, s3, s4, s5, comment, date); '' = no answer, 'na' = "don't know" on paper.
Answer = tuple[str, str, str, str, str, str, str, str]

# Paper questionnaires, filled in and returned as PDFs: (unit, respondent, language) -> answers.
PAPER: dict[tuple[str, str, str], list[Answer]] = {
    ("MTP-PORVOO", "client", "fi"): [
        ("10", "5", "5", "5", "4", "5", "Oli helpottavaa puhua jonkun kanssa, joka on itse kokenut saman.",
         "6.10.2026"),
        ("9", "5", "4", "5", "5", "4", "", "8.10.2026"),
        ("6", "4", "3", "na", "4", "3", "Tapaaminen oli liian lyhyt.", "13.10.2026"),
        ("10", "5", "5", "5", "5", "5", 'Kiitos "Annelle" & koko tiimille <3', "20.10.2026"),
        ("8", "4", "4", "4", "", "4", "", ""),
    ],
    ("MTP-PORVOO", "client", "sv"): [
        ("9", "5", "5", "4", "5", "5", "Det var skönt att få prata på svenska. Tack!", "15.10.2026"),
    ],
    ("PERHE-LOVIISA", "client", "en"): [
        ("10", "5", "5", "5", "4", "5", "It helped me to hear that someone else has been through this too.",
         "21.10.2026"),
    ],
}

# A Webropol export of the client survey: the tool's own headings, mapped to the questionnaire's fields in
# kokemus.toml; units as their Finnish names; semicolons.
WEBROPOL_COLUMNS = {
    "Vastaajaryhmä": "respondent", "Yksikkö": "unit_id", "Vastattu": "date",
    "Kuinka todennäköisesti suosittelisit kokemusasiantuntijan tapaamista?": "recommend",
    "Minua kuunneltiin": "s1", "Tarina antoi toivoa": "s2", "Tilanteeni ymmärrettiin": "s3",
    "Työntekijä ja kokemusasiantuntija yhdessä": "s4", "Sain jotain uutta": "s5", "Vapaa palaute": "comment",
}
WEBROPOL_ROWS: list[tuple[str, Answer]] = [
    ("MTP-PORVOO", ("9", "5", "4", "4", "5", "4", "", "2026-09-17 14:02")),
    ("MTP-PORVOO", ("7", "4", "3", "4", "4", "3 - ei samaa eikä eri mieltä", "Toivoisin lisää ryhmiä iltaisin.",
                    "2026-10-09 18:40")),
    ("MTP-PORVOO", ("10", "5", "5", "5", "5", "5", "", "2026-10-23 10:15")),
    ("PERHE-LOVIISA", ("8", "4", "5", "4", "", "4", "Hyvä ryhmä, mutta tila oli ahdas.", "2026-10-07 12:00")),
    ("PERHE-LOVIISA", ("9", "5", "5", "4", "4", "5", "", "2026-09-22 09:05")),
    ("PERHE-LOVIISA", ("5", "3", "2", "3", "3", "2", "En tiennyt etukäteen, että paikalla on kokemusasiantuntija.",
                       "2026-10-14 13:30")),
    ("IKÄ-PORVOO", ("9", "5", "4", "5", "4", "4", "", "2026-08-27 11:00")),
    ("IKÄ-PORVOO", ("10", "5", "5", "5", "5", "5", "Mukava keskustelu, tulkaa uudestaan!", "2026-09-03 11:30")),
    ("IKÄ-PORVOO", ("4", "3", "2", "2", "3", "2", "Kuulo ei riittänyt, puhuttiin liian hiljaa.",
                    "2026-09-03 11:45")),
    ("IKÄ-PORVOO", ("9", "4", "4", "5", "4", "4", "", "2026-10-01 10:10")),
]

# A Microsoft Forms export of the staff and expert surveys, with the questionnaire's own column names.
FORMS_ROWS: list[tuple[str, str, Answer]] = [
    ("employee", "MTP-PORVOO", ("9", "5", "5", "4", "4", "5", "Kokemusasiantuntija toi ryhmään uutta näkökulmaa.",
                                "2026-10-16")),
    ("employee", "MTP-PORVOO", ("8", "4", "5", "4", "3", "4", "", "2026-10-20")),
    ("employee", "MTP-PORVOO", ("10", "5", "5", "5", "4", "5", "", "2026-10-29")),
    ("employee", "IKÄ-PORVOO", ("7", "4", "4", "", "3", "4", "Perehdytykseen tarvitaan enemmän aikaa.",
                                "2026-10-12")),
    ("employee", "VAMPA-SIPOO", ("9", "5", "4", "5", "4", "5", "", "2026-10-28")),
    ("employee", "PERHE-LOVIISA", ("6", "3", "4", "3", "2", "3", "Tehtävänkuva jäi epäselväksi.", "2026-10-30")),
    ("expert", "MTP-PORVOO", ("10", "5", "5", "5", "5", "5", "", "2026-10-28")),
    ("expert", "MTP-PORVOO", ("8", "4", "4", "5", "4", "4", "Työnohjausta voisi olla useammin.", "2026-10-28")),
    ("expert", "PERHE-LOVIISA", ("9", "5", "4", "4", "5", "5", "", "2026-10-28")),
    ("expert", "PERHE-LOVIISA", ("7", "3", "4", "4", "4", "3", "", "2026-10-30")),
    ("expert", "VAMPA-SIPOO", ("9", "4", "5", "5", "5", "4", "Hyvä vastaanotto yksikössä & selkeät sopimukset.",
                               "2026-10-29")),
]

# Answers given on the phone page (the QR code on the questionnaire): (unit, respondent, language) -> answers.
PHONE: dict[tuple[str, str, str], list[Answer]] = {
    ("VAMPA-SIPOO", "client", "sv"): [
        ("10", "5", "5", "5", "5", "5", "Bra att någon förstod hur det är.", "2026-10-22"),
        ("8", "4", "4", "4", "", "4", "", "2026-10-24"),
    ],
    ("MTP-PORVOO", "client", "fi"): [
        ("9", "5", "5", "4", "4", "4", "", "2026-10-27"),
    ],
}

FIELDS = ("recommend", "s1", "s2", "s3", "s4", "s5", "comment", "date")


def add_column_mapping(ws: Workspace) -> Workspace:
    """Write the Webropol headings into kokemus.toml's [feedback.columns], as a coordinator would."""
    config_path = ws.root / CONFIG_NAME
    text = config_path.read_text(encoding="utf-8")
    lines = "".join(f'"{heading}" = "{name}"\n' for heading, name in WEBROPOL_COLUMNS.items())
    text = text.replace("[feedback.columns]\n", "[feedback.columns]\n" + lines, 1)
    write_bytes_atomic(config_path, text.encode("utf-8"))
    return Workspace.open(ws.root)


def run_feedback_round(ws: Workspace, register: Register, progress: Progress = no_progress) -> Outcome:
    """Issue the questionnaires, return answers through each channel and ingest them; answers on the phone
    page too when this installation has it (kokemus_docs.web.feedback)."""
    ws = add_column_mapping(ws)
    outcome = issue_questionnaires(ws, register, progress=step_progress(progress, "feedback questionnaires"))
    issued = {(q["unit_id"], q["respondent"], q["language"]): ws.root / q["path"]
              for q in outcome.extra.get("questionnaires", [])}
    inbox = ws.feedback_inbox
    make_folder(inbox)
    for key, answers in PAPER.items():
        if key not in issued:
            continue
        for number, answer in enumerate(answers, start=1):
            values = {name: value for name, value in zip(FIELDS, answer, strict=True) if value}
            fill_questionnaire(issued[key], values, inbox / f"{key[0]}_{key[1]}_{key[2]}_{number}.pdf")
    # One filled questionnaire arrives twice, by e-mail and from the unit: the same file is counted once.
    first = inbox / "MTP-PORVOO_client_fi_1.pdf"
    if first.exists():
        write_bytes_atomic(inbox / "MTP-PORVOO_client_fi_1 (2).pdf", first.read_bytes())
    _write_webropol(inbox / "webropol_asiakaspalaute_2026-10.csv", register)
    _write_forms(inbox / "Forms_henkilosto_ja_kokemusasiantuntijat.xlsx")
    outcome.merge(ingest_feedback(ws, register, received_on=RECEIVED_ON,
                                  progress=step_progress(progress, "feedback answers")))
    if importlib.util.find_spec("kokemus_docs.web") and importlib.util.find_spec("kokemus_docs.web.feedback"):
        outcome.merge(_phone_answers(ws, register, issued))
    return outcome


def _write_webropol(target: Path, register: Register) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(list(WEBROPOL_COLUMNS))
    for unit_id, answer in WEBROPOL_ROWS:
        recommend, s1, s2, s3, s4, s5, comment, when = answer
        writer.writerow(["Asiakas", register.units[unit_id].name_fi if unit_id in register.units else unit_id,
                         when, recommend, s1, s2, s3, s4, s5, comment])
    write_bytes_atomic(target, buffer.getvalue().encode("utf-8-sig"))


def _write_forms(target: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Sheet1"
    sheet.append(["ID", "respondent", "unit_id", "date", "recommend", "s1", "s2", "s3", "s4", "s5", "comment"])
    for number, (respondent, unit_id, answer) in enumerate(FORMS_ROWS, start=1):
        recommend, s1, s2, s3, s4, s5, comment, when = answer
        sheet.append([number, respondent, unit_id, date.fromisoformat(when), int(recommend),
                      *(int(v) if v else None for v in (s1, s2, s3, s4, s5)), comment or None])
    with atomic_path(target) as tmp:
        wb.save(tmp)


def _phone_answers(ws: Workspace, register: Register, issued: dict) -> Outcome:
    from kokemus_docs.feedback.questions import identity_of, phone_code

    outcome = Outcome()
    key = ws.seal_key()
    stored = 0
    with open_ledger(ws.ledger_path) as ledger:
        for (unit_id, respondent, language), answers in PHONE.items():
            questionnaire = questionnaire_by_code(ledger, phone_code(key, identity_of(unit_id, respondent, language)))
            if questionnaire is None:
                continue
            for answer in answers:
                problems = record_phone_answer(ledger, register, questionnaire, dict(zip(FIELDS, answer, strict=True)),
                                               received_on=RECEIVED_ON)
                outcome.errors += problems
                stored += not problems
    outcome.summary.append(f"Feedback on the phone page: {stored} answers.")
    outcome.extra["phone_answers"] = stored
    return outcome

