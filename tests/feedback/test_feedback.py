"""Client feedback: questionnaires issued, filled in real viewers' ways, read back, checked and stored."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
from conftest import TRICKY_UNIT_FI, TRICKY_UNIT_SV, require_module
from openpyxl import Workbook

from kokemus_docs.core.fileio import write_bytes_atomic
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.workspace import CONFIG_NAME, Workspace, init_workspace
from kokemus_docs.feedback.answers import check_answer
from kokemus_docs.feedback.ingest import ingest_feedback
from kokemus_docs.feedback.ledger import answers_for_year
from kokemus_docs.feedback.questionnaire import fill_questionnaire, issue_questionnaires
from kokemus_docs.feedback.questions import identity_of, phone_code, questionnaire_seal
from kokemus_docs.pdfsafe.reader import read_fields

TRICKY_COMMENT = 'Łukasz Nguyễn & <Åsa> "kiitos" \'tack\' – åäö ÅÄÖ'
RECEIVED = date(2026, 11, 5)


@pytest.fixture
def issued(workspace, register) -> dict[tuple[str, str], Path]:
    """MTP-PORVOO's questionnaires: (respondent, language) -> PDF path."""
    outcome = issue_questionnaires(workspace, register, unit_ids=["MTP-PORVOO"])
    assert outcome.ok, outcome.errors
    return {(q["respondent"], q["language"]): workspace.root / q["path"] for q in outcome.extra["questionnaires"]}


def _ingest(ws, register, *paths):
    outcome = ingest_feedback(ws, register, list(paths), received_on=RECEIVED)
    return outcome, outcome.extra["responses"]


def _stored(ws, year=2026):
    with Ledger(ws.ledger_path) as ledger:
        return answers_for_year(ledger, year)


# --- issuing --------------------------------------------------------------------------------------------------

def test_issue_writes_each_group_and_language_sealed_and_readable(workspace, register, issued):
    assert sorted(issued) == [("client", "en"), ("client", "fi"), ("client", "sv"), ("employee", "fi"),
                              ("employee", "sv"), ("expert", "fi"), ("expert", "sv")]
    pdf = issued[("client", "fi")]
    fields = read_fields(pdf.read_bytes())
    identity = identity_of("MTP-PORVOO", "client", "fi")
    assert {k: fields[k] for k in identity} == identity
    assert fields["seal"] == questionnaire_seal(workspace.seal_key(), identity)
    assert {"date", "recommend", "s1", "s2", "s3", "s4", "s5", "comment"} <= set(fields)
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) == 1
        assert [round(float(v)) for v in doc.pages[0].mediabox] == [0, 0, 595, 842]  # A4
        flags = {str(f.T): int(f.get("/Ff", 0)) for f in doc.Root.AcroForm.Fields}
        assert all(flags[name] & 1 for name in ("form_id", "unit_id", "respondent", "language", "seal"))
        assert not flags["comment"] & 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert TRICKY_UNIT_FI in text
    code = phone_code(workspace.seal_key(), identity)
    assert workspace.public_url in text and f"/f/{code}" in text  # on one line, or the site and /f/<code> apart
    zxingcpp = require_module("zxingcpp")
    pdfium = require_module("pypdfium2")
    page = pdfium.PdfDocument(str(pdf))[0].render(scale=3).to_pil()
    assert [c.text for c in zxingcpp.read_barcodes(page)] == [f"{workspace.public_url}/f/{code}"]
    assert "Minua kuunneltiin." in text
    sv_text = subprocess.run(["pdftotext", str(issued[("client", "sv")]), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert TRICKY_UNIT_SV in " ".join(sv_text.split())
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and " yes " in fonts  # embedded
    with Ledger(workspace.ledger_path) as ledger:
        row = ledger.db.execute("SELECT * FROM feedback_questionnaires WHERE code = ?", (code,)).fetchone()
    assert (row["unit_id"], row["respondent"], row["language"]) == ("MTP-PORVOO", "client", "fi")


def test_issue_without_public_url_prints_no_phone_address(workspace, register):
    config = workspace.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8").replace('public_url = "http://127.0.0.1:8000"',
                                                                 'public_url = ""'), encoding="utf-8")
    ws = Workspace.open(workspace.root)
    outcome = issue_questionnaires(ws, register, unit_ids=["MTP-PORVOO"], respondents=["expert"], languages=["fi"])
    [q] = outcome.extra["questionnaires"]
    assert q["url"] is None
    text = subprocess.run(["pdftotext", str(ws.root / q["path"]), "-"], capture_output=True, text=True).stdout
    assert "/f/" not in text


def test_issue_english_only_for_clients_and_unknown_unit(workspace, register):
    outcome = issue_questionnaires(workspace, register, unit_ids=["MTP-PORVOO", "NOPE"], languages=["en"])
    assert [(q["respondent"], q["language"]) for q in outcome.extra["questionnaires"]] == [("client", "en")]
    assert [p.code for p in outcome.errors] == ["unknown-unit"]


# --- filling in viewers and reading back ----------------------------------------------------------------------

def _xfdf(values: dict[str, str]) -> bytes:
    from xml.sax.saxutils import escape

    fields = "".join(f'<field name="{name}"><value>{escape(value)}</value></field>' for name, value in values.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>'
            f"{fields}</fields></xfdf>").encode()


@pytest.mark.pdftk
def test_filled_with_pdftk_is_accepted_with_every_value(workspace, register, issued, tmp_path):
    xfdf = tmp_path / "answers.xfdf"
    xfdf.write_bytes(_xfdf({"recommend": "9", "s1": "5", "s2": "na", "s3": "4", "s5": "1", "date": "14.10.2026",
                            "comment": TRICKY_COMMENT}))
    filled = workspace.feedback_inbox / "pdftk.pdf"
    filled.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftk", str(issued[("client", "fi")]), "fill_form", str(xfdf), "output", str(filled)], check=True)
    outcome, responses = _ingest(workspace, register)
    assert outcome.ok, outcome.errors
    assert responses == [{"path": "feedback/inbox/pdftk.pdf", "status": "accepted", "respondent": "client",
                          "unit_id": "MTP-PORVOO", "errors": [], "archived_as": "feedback/processed/pdftk.pdf"}]
    [answer] = _stored(workspace)
    assert (answer.recommend, answer.statements) == (9, (5, None, 4, None, 1))
    assert answer.comment == TRICKY_COMMENT
    assert (answer.answered_on, answer.channel, answer.language) == (date(2026, 10, 14), "pdf", "fi")
    assert not filled.exists() and (workspace.root / "feedback/processed/pdftk.pdf").exists()


def _fill_with_mupdf(src: Path, target: Path, values: dict[str, str]) -> Path:
    import pymupdf

    doc = pymupdf.open(src)
    for widget in doc[0].widgets():
        value = values.get(widget.field_name)
        if value is None:
            continue
        if widget.field_type == pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON:
            if widget.on_state() == value:
                widget.field_value = widget.on_state()
                widget.update()
        else:
            widget.field_value = value
            widget.update()
    doc.save(target)
    return target


def test_filled_with_pymupdf_in_swedish_is_accepted(workspace, register, issued, tmp_path):
    filled = _fill_with_mupdf(issued[("employee", "sv")], tmp_path / "mupdf.pdf",
                              {"recommend": "10", "s1": "4", "s4": "3", "comment": TRICKY_COMMENT})
    outcome, responses = _ingest(workspace, register, filled)
    assert outcome.ok, outcome.errors
    assert responses[0]["status"] == "accepted" and responses[0]["respondent"] == "employee"
    assert "archived_as" not in responses[0] and filled.exists()  # a file from elsewhere stays where it is
    [answer] = _stored(workspace)
    assert (answer.recommend, answer.statements, answer.comment) == (10, (4, None, None, 3, None), TRICKY_COMMENT)
    assert (answer.answered_on, answer.language) == (RECEIVED, "sv")  # no date: the day it was received


def test_scanned_questionnaire_is_refused_with_a_reason(workspace, register, tmp_path):
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.draw_rect(pymupdf.Rect(50, 50, 300, 300), fill=(0.5, 0.5, 0.5))
    doc.save(tmp_path / "scan.pdf")
    outcome, responses = _ingest(workspace, register, tmp_path / "scan.pdf")
    assert responses[0]["status"] == "rejected"
    assert responses[0]["errors"][0]["code"] == "scanned"
    assert "CSV" in responses[0]["errors"][0]["message"]


# --- the seal and duplicates ------------------------------------------------------------------------------------

def _edit_identity(src: Path, target: Path, name: str, value: str) -> Path:
    with pikepdf.open(src) as doc:
        for field in doc.Root.AcroForm.Fields:
            if str(field.get("/T", "")) == name:
                field.V = pikepdf.String(value)
        doc.save(target)
    return target


def test_edited_identity_and_other_workspace_are_rejected(workspace, register, issued, tmp_path):
    src = fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, tmp_path / "ok.pdf")
    edited = _edit_identity(src, tmp_path / "edited.pdf", "unit_id", "VAMPA-SIPOO")
    respondent = _edit_identity(src, tmp_path / "respondent.pdf", "respondent", "expert")
    other, _ = init_workspace(tmp_path / "other")
    from kokemus_docs.register.sample import write_sample_register

    write_sample_register(other.register_path, register)
    [foreign] = issue_questionnaires(other, register, unit_ids=["MTP-PORVOO"], respondents=["client"],
                                     languages=["fi"]).extra["questionnaires"]
    foreign_filled = fill_questionnaire(other.root / foreign["path"], {"recommend": "9"}, tmp_path / "foreign.pdf")
    outcome, responses = _ingest(workspace, register, edited, respondent, foreign_filled, src)
    assert [r["status"] for r in responses] == ["rejected", "rejected", "rejected", "accepted"]
    assert all(r["errors"][0]["code"] == "seal-mismatch" for r in responses[:3])
    assert len(_stored(workspace)) == 1
    assert not outcome.ok


def test_same_file_twice_is_a_duplicate(workspace, register, issued, tmp_path):
    inbox = workspace.feedback_inbox
    inbox.mkdir(parents=True, exist_ok=True)
    fill_questionnaire(issued[("client", "fi")], {"recommend": "9", "s1": "5"}, inbox / "a.pdf")
    write_bytes_atomic(inbox / "a (copy).pdf", (inbox / "a.pdf").read_bytes())
    # A copy of the same paper form filled by another person is another answer, not a duplicate.
    fill_questionnaire(issued[("client", "fi")], {"recommend": "3"}, inbox / "b.pdf")
    outcome, responses = _ingest(workspace, register)
    assert [(r["path"], r["status"]) for r in responses] == [
        ("feedback/inbox/a (copy).pdf", "accepted"), ("feedback/inbox/a.pdf", "duplicate"),
        ("feedback/inbox/b.pdf", "accepted")]
    assert outcome.ok
    assert sorted(a.recommend for a in _stored(workspace)) == [3, 9]
    # Sent again later: still counted once.
    again = tmp_path / "again.pdf"
    write_bytes_atomic(again, (workspace.root / "feedback/processed/a.pdf").read_bytes())
    _, responses = _ingest(workspace, register, again)
    assert responses[0]["status"] == "duplicate" and len(_stored(workspace)) == 2


def test_same_file_ingested_twice_at_once_counts_once(workspace, register, tmp_path, monkeypatch):
    from kokemus_docs.feedback import ingest

    data = _csv([["client", "MTP-PORVOO", "", "9", "5", "", "", "", "", ""]])
    (tmp_path / "mine.csv").write_bytes(data)
    (tmp_path / "theirs.csv").write_bytes(data)
    read = ingest._Session._read

    def read_while_another_run_takes_the_same_file(self, ledger, path, rel, data, answers, keys):
        entries = read(self, ledger, path, rel, data, answers, keys)
        if path.name == "mine.csv":  # another `kokemus feedback ingest` finishes meanwhile
            assert _ingest(workspace, register, tmp_path / "theirs.csv")[1][0]["status"] == "accepted"
        return entries

    monkeypatch.setattr(ingest._Session, "_read", read_while_another_run_takes_the_same_file)
    _, responses = _ingest(workspace, register, tmp_path / "mine.csv")
    assert [r["status"] for r in responses] == ["duplicate"]
    assert len(_stored(workspace)) == 1


# --- survey-tool exports --------------------------------------------------------------------------------------

HEADER = ["respondent", "unit_id", "date", "recommend", "s1", "s2", "s3", "s4", "s5", "comment"]


def _csv(rows, delimiter=",", encoding="utf-8-sig", header=HEADER) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize("delimiter,encoding", [(",", "utf-8-sig"), (";", "cp1252"), (";", "utf-8"),
                                                ("\t", "utf-16")],
                         ids=["comma-utf8-bom", "semicolon-excel-cp1252", "semicolon-utf8", "tab-unicode-text"])
def test_csv_export_is_imported(workspace, register, tmp_path, delimiter, encoding):
    comment = 'Hyvä & <"ok"> \'kiitos\' åäö ÅÄÖ'
    path = tmp_path / "export.csv"
    path.write_bytes(_csv([
        ["client", "MTP-PORVOO", "14.10.2026 13.05", "10", "5", "4", "", "3", "eos", comment],
        ["Asiakas", TRICKY_UNIT_FI, "2026-10-15", "7 - melko todennäköisesti", "4", "", "", "", "", ""],
        ["employee", "VAMPA-SIPOO", "", "11", "5", "", "", "", "", ""],
    ], delimiter, encoding))
    outcome, responses = _ingest(workspace, register, path)
    assert [(r["row"], r["status"]) for r in responses] == [(2, "accepted"), (3, "accepted"), (4, "rejected")]
    assert responses[2]["errors"][0]["field"] == "recommend" and responses[2]["errors"][0]["row"] == 4
    assert responses[2]["respondent"] == "employee"
    first, second = _stored(workspace)
    assert (first.recommend, first.statements, first.comment) == (10, (5, 4, None, 3, None), comment)
    assert (second.unit_id, second.recommend, second.channel) == ("MTP-PORVOO", 7, "csv")
    assert not outcome.ok  # a rejected row: exit 1, the good rows kept


def test_csv_with_an_overlong_cell_says_so_without_python_text(workspace, register, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(_csv([["client", "MTP-PORVOO", "", "9", "", "", "", "", "", "x" * 200_000]]))
    outcome, responses = _ingest(workspace, register, path)
    message = responses[0]["errors"][0]["message"]
    assert responses[0]["status"] == "rejected" and "10000 characters" in message
    assert "field limit" not in message and "131072" not in message


def test_xlsx_export_with_header_mapping(workspace, register, tmp_path):
    config = workspace.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[feedback.columns]\n", '[feedback.columns]\n"Vastaajaryhmä" = "respondent"\n"Yksikkö" = "unit_id"\n'
        '"Aloitusaika" = "date"\n"Suosittelisitko palvelua?" = "recommend"\n"Minua kuunneltiin" = "s1"\n'
        '"Vapaa sana" = "comment"\n'), encoding="utf-8")
    ws = Workspace.open(workspace.root)
    wb = Workbook()
    sheet = wb.active
    sheet.append(["Tunnus", "Aloitusaika", "Vastaajaryhmä", "Yksikkö", "Suosittelisitko palvelua?",
                  "Minua kuunneltiin", "Vapaa sana"])
    sheet.append([1, datetime(2026, 10, 2, 9, 15), "Kokemusasiantuntija", "PERHE-LOVIISA", 9, 4, "=HYPERLINK(\"x\")"])
    sheet.cell(row=2, column=7).data_type = "s"  # text that looks like a formula, as typed
    sheet.append([2, datetime(2026, 10, 3, 9, 15), "työntekijä", "IKÄ-PORVOO", 6.0, None, None])
    sheet.append([3, "", "client", "IKÄ-PORVOO", 4.5, 2, None])
    sheet.append([None] * 7)  # empty rows are skipped
    path = tmp_path / "forms.xlsx"
    wb.save(path)
    outcome, responses = _ingest(ws, register, path)
    assert [(r["row"], r["status"]) for r in responses] == [(2, "accepted"), (3, "accepted"), (4, "rejected")]
    stored = _stored(ws)
    assert [(a.respondent, a.unit_id, a.recommend, a.statements[0], a.answered_on, a.channel) for a in stored] == [
        ("expert", "PERHE-LOVIISA", 9, 4, date(2026, 10, 2), "xlsx"),
        ("employee", "IKÄ-PORVOO", 6, None, date(2026, 10, 3), "xlsx")]
    assert stored[0].comment == '=HYPERLINK("x")'


def test_export_without_the_needed_columns_says_how_to_map(workspace, register, tmp_path):
    path = tmp_path / "tool.csv"
    path.write_bytes(_csv([["1", "2"]], header=["Kysymys 1", "Kysymys 2"]))
    _, [response] = _ingest(workspace, register, path)
    assert response["status"] == "rejected" and response["errors"][0]["code"] == "columns-missing"
    assert "[feedback.columns]" in response["errors"][0]["message"]


# --- every field's bad values -----------------------------------------------------------------------------------

GOOD = {"respondent": "client", "unit_id": "MTP-PORVOO", "date": "14.10.2026", "recommend": "8", "s1": "4",
        "s2": "", "s3": "5", "s4": "1", "s5": "na", "comment": "ok"}


@pytest.mark.parametrize("field,value", [
    pytest.param("respondent", "boss", id="respondent-unknown"),
    pytest.param("respondent", "", id="respondent-blank"),
    pytest.param("unit_id", "NOPE", id="unit-unknown"),
    pytest.param("recommend", "11", id="recommend-11"),
    pytest.param("recommend", "-1", id="recommend-negative"),
    pytest.param("recommend", "7.5", id="recommend-fraction"),
    pytest.param("recommend", "", id="recommend-blank"),
    pytest.param("recommend", "kymmenen", id="recommend-word"),
    pytest.param("recommend", True, id="recommend-bool"),
    pytest.param("s1", "0", id="s1-zero"),
    pytest.param("s3", "6", id="s3-six"),
    pytest.param("s5", 4.5, id="s5-fraction"),
    pytest.param("s2", "x" * 300, id="s2-long"),
    pytest.param("comment", "å" * 2001, id="comment-too-long"),
])
def test_bad_value_is_rejected_with_its_field(register, field, value):
    answer, problems = check_answer({**GOOD, field: value}, register, RECEIVED, channel="csv", row=7)
    assert answer is None
    assert [p.field for p in problems] == [field]
    assert problems[0].row == 7


@pytest.mark.parametrize("value", [
    pytest.param("6.11.2026", id="date-after-received"),
    pytest.param("31.2.2026", id="date-impossible"),
    pytest.param("1999-12-31", id="date-too-early"),
    pytest.param("huomenna", id="date-word"),
    pytest.param("10/15/2026", id="date-american"),
])
def test_an_unreadable_optional_date_is_dropped_with_a_warning_never_the_answer(register, value):
    answer, warnings = check_answer({**GOOD, "date": value}, register, RECEIVED, channel="csv", row=7)
    assert answer is not None and answer.answered_on == RECEIVED and answer.recommend == 8
    assert [(w.field, w.row, w.code) for w in warnings] == [("date", 7, "date-dropped")]
    assert "the answer is kept" in warnings[0].message


@pytest.mark.pdftk
def test_english_questionnaire_shows_the_date_format_and_keeps_an_american_date_answer(workspace, register,
                                                                                        issued, tmp_path):
    for (respondent, language), hint in {("client", "en"): "e.g. 14.10.2026", ("client", "fi"): "muodossa 14.10.2026",
                                         ("client", "sv"): "i formen 14.10.2026"}.items():
        printed = subprocess.run(["pdftotext", "-layout", str(issued[(respondent, language)]), "-"],
                                 capture_output=True, text=True, check=True).stdout
        assert hint in printed, language
        assert "\u00ad" not in printed  # the heading's soft hyphen is for narrow screens only
    xfdf = tmp_path / "answers.xfdf"
    xfdf.write_bytes(_xfdf({"recommend": "10", "s1": "5", "date": "10/15/2026"}))
    filled = workspace.feedback_inbox / "english.pdf"
    filled.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftk", str(issued[("client", "en")]), "fill_form", str(xfdf), "output", str(filled)], check=True)
    outcome, responses = _ingest(workspace, register)
    assert outcome.ok and [r["status"] for r in responses] == ["accepted"]
    assert [w.code for w in outcome.warnings] == ["date-dropped"] and responses[0]["warnings"]
    [answer] = _stored(workspace)
    assert (answer.recommend, answer.answered_on, answer.language) == (10, RECEIVED, "en")
    assert not list((workspace.root / "feedback" / "rejected").glob("*"))


def test_good_values_as_people_and_tools_write_them(register):
    answer, problems = check_answer(GOOD, register, RECEIVED, channel="csv")
    assert problems == []
    assert (answer.recommend, answer.statements) == (8, (4, None, 5, 1, None))
    answer, _ = check_answer({**GOOD, "recommend": 0, "s1": 5.0, "date": "14.10.", "comment": "å" * 2000},
                             register, RECEIVED, channel="xlsx")
    assert (answer.recommend, answer.statements[0], answer.answered_on) == (0, 5, date(2026, 10, 14))
    answer, _ = check_answer({**GOOD, "date": "31.12."}, register, date(2027, 1, 4), channel="csv")
    assert answer.answered_on == date(2026, 12, 31)  # the year that puts it before the day received


# --- hostile files ----------------------------------------------------------------------------------------------

def test_bad_files_are_refused_one_by_one(workspace, register, issued, tmp_path):
    inbox = workspace.feedback_inbox
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "a_not.pdf").write_bytes(b"%PDF-1.7\n garbage \x00\xff")
    (inbox / "b_not.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (inbox / "c_long.csv").write_bytes(_csv([["client", "MTP-PORVOO", "", "9", "", "", "", "", "", "x" * 20_000]]))
    (inbox / "d_hourform.pdf").write_bytes(_hour_form_like(tmp_path))
    os.symlink(issued[("client", "fi")], inbox / "e_link.pdf")
    fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, inbox / "f_good.pdf")
    outcome, responses = _ingest(workspace, register)
    assert [(Path(r["path"]).name, r["status"]) for r in responses] == [
        ("a_not.pdf", "rejected"), ("b_not.xlsx", "rejected"), ("c_long.csv", "rejected"),
        ("d_hourform.pdf", "rejected"), ("e_link.pdf", "rejected"), ("f_good.pdf", "accepted")]
    codes = [r["errors"][0]["code"] for r in responses[:5]]
    assert codes == ["damaged", "not-xlsx", "too-large", "wrong-form", "not-regular"]
    assert not os.path.lexists(inbox / "e_link.pdf")  # the link is removed, never archived or followed
    assert issued[("client", "fi")].is_file()  # its target is untouched
    assert sorted(p.name for p in (workspace.root / "feedback/rejected").iterdir()) == [
        "a_not.pdf", "b_not.xlsx", "c_long.csv", "d_hourform.pdf"]
    assert len(_stored(workspace)) == 1


def test_a_link_in_the_inbox_is_refused_once_then_gone(workspace, register, issued):
    inbox = workspace.feedback_inbox
    inbox.mkdir(parents=True, exist_ok=True)
    os.symlink(issued[("client", "fi")], inbox / "linkki.pdf")
    _, responses = _ingest(workspace, register)
    assert [(r["status"], r["errors"][0]["code"]) for r in responses] == [("rejected", "not-regular")]
    outcome, responses = _ingest(workspace, register)
    assert responses == [] and not outcome.errors  # not refused again on every run


def test_feedback_ingest_holds_the_workspace_lock(workspace, register, issued, monkeypatch):
    """Feedback ingest writes the ledger and the inbox's folders: no other writer runs beside it."""
    import threading

    from kokemus_docs.core.workspace import WorkspaceBusy, workspace_lock
    from kokemus_docs.feedback import ingest

    fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, workspace.feedback_inbox / "a.pdf")
    seen = []
    real = ingest._Session.ingest

    def ingest_while_another_writer_tries(self, source):
        def other_writer():
            try:
                with workspace_lock(workspace, "forms ingest", wait=0):
                    seen.append("got the lock")
            except WorkspaceBusy as exc:
                seen.append(exc.code or "busy")
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join()
        return real(self, source)

    monkeypatch.setattr(ingest._Session, "ingest", ingest_while_another_writer_tries)
    _, responses = _ingest(workspace, register)
    assert [r["status"] for r in responses] == ["accepted"]
    assert seen and seen != ["got the lock"]


def test_the_archive_move_is_made_durable(workspace, register, issued, monkeypatch):
    """The archive folder is fsynced before the file's name in the inbox goes, and the inbox after it."""
    from kokemus_docs.core import inbox

    fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, workspace.feedback_inbox / "a.pdf")
    synced = []
    monkeypatch.setattr(inbox, "fsync_dir", lambda folder: synced.append(Path(folder).resolve()))
    _ingest(workspace, register)
    root = workspace.root.resolve()
    assert synced == [root / "feedback/processed", root / "feedback/inbox" / inbox.CLAIM_DIR]


def test_a_run_stopped_between_its_commit_and_the_archive_move_is_finished_by_the_next(workspace, register, issued,
                                                                                       monkeypatch):
    """Stopped after the answers were committed but before the file left the inbox: the next run only archives
    the file (no second row: the answers count once, and the file is not read again)."""
    from kokemus_docs.core import inbox

    fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, workspace.feedback_inbox / "a.pdf")

    def stopped(self, source, folder):
        raise KeyboardInterrupt  # as a run killed at this point

    monkeypatch.setattr(inbox.Inbox, "archive_moving", stopped)
    with pytest.raises(KeyboardInterrupt):
        _ingest(workspace, register)
    monkeypatch.undo()
    assert (workspace.feedback_inbox / inbox.CLAIM_DIR / "a.pdf").is_file() and len(_stored(workspace)) == 1
    outcome, responses = _ingest(workspace, register)
    assert responses == [] and outcome.ok
    assert len(_stored(workspace)) == 1 and _files(workspace) == [("a.pdf", "accepted")]
    assert os.listdir(workspace.feedback_inbox) == []
    assert [p.name for p in (workspace.root / "feedback/processed").iterdir()] == ["a.pdf"]


def test_the_same_file_put_in_again_after_a_run_is_read_again(workspace, register, issued, monkeypatch):
    """A run stopped right after taking the file aside left it in .ingesting/ with an earlier run's row of the
    same bytes: that row is not this attempt's, so the file is read (a duplicate), not silently archived."""
    from kokemus_docs.core import inbox

    fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, workspace.feedback_inbox / "a.pdf")
    sent = (workspace.feedback_inbox / "a.pdf").read_bytes()
    _ingest(workspace, register)
    with Ledger(workspace.ledger_path) as ledger, ledger.transaction():
        ledger.db.execute("UPDATE feedback_files SET ingested_at = '2026-01-05T09:00:00'")  # an earlier day
    (workspace.feedback_inbox / "a.pdf").write_bytes(sent)

    def claimed_then_stopped(self, source):
        real_claim(self, source)
        raise KeyboardInterrupt

    real_claim = inbox.Inbox.claim
    monkeypatch.setattr(inbox.Inbox, "claim", claimed_then_stopped)
    with pytest.raises(KeyboardInterrupt):
        _ingest(workspace, register)
    monkeypatch.undo()
    _, responses = _ingest(workspace, register)
    assert [r["status"] for r in responses] == ["duplicate"]
    assert _files(workspace) == [("a.pdf", "accepted"), ("a.pdf", "duplicate")]
    assert sorted(p.name for p in (workspace.root / "feedback/processed").iterdir()) == ["a-2.pdf", "a.pdf"]


def test_a_fifo_in_the_inbox_is_refused_without_hanging_and_moved_out(workspace, register):
    """A named pipe is never opened for reading (it would hang the run); it leaves the inbox for rejected/ so it
    is not refused again on every run."""
    inbox = workspace.feedback_inbox
    inbox.mkdir(parents=True, exist_ok=True)
    os.mkfifo(inbox / "putki.csv")
    _, responses = _ingest(workspace, register)
    assert [(r["status"], r["errors"][0]["code"]) for r in responses] == [("rejected", "not-regular")]
    assert "named pipe" in responses[0]["errors"][0]["message"]
    assert os.listdir(inbox) == []
    assert stat.S_ISFIFO(os.lstat(workspace.root / "feedback/rejected/putki.csv").st_mode)
    outcome, responses = _ingest(workspace, register)
    assert responses == [] and outcome.ok


def test_a_rejected_file_taken_in_again_leaves_the_rejected_folder(workspace, register, issued, monkeypatch):
    """A questionnaire rejected while the register lacked its unit is given again from feedback/rejected/ once the
    register is fixed: accepted, it moves to feedback/processed/ (as a returned hour form does)."""
    from kokemus_docs.feedback import ingest

    fill_questionnaire(issued[("client", "fi")], {"recommend": "9"}, workspace.feedback_inbox / "a.pdf")

    def unreadable(data):
        raise ingest.FeedbackUnreadable("The reader failed.", code="damaged")

    monkeypatch.setattr(ingest, "read_questionnaire", unreadable)
    _, responses = _ingest(workspace, register)
    assert [r["status"] for r in responses] == ["rejected"]
    rejected = workspace.root / "feedback/rejected/a.pdf"
    assert rejected.is_file()
    monkeypatch.undo()
    _, responses = _ingest(workspace, register, rejected)
    assert [(r["status"], r["archived_as"]) for r in responses] == [("accepted", "feedback/processed/a.pdf")]
    assert not rejected.exists() and len(_stored(workspace)) == 1


def _files(workspace) -> list[tuple[str, str]]:
    with Ledger(workspace.ledger_path) as ledger:
        return [tuple(r) for r in ledger.db.execute("SELECT file_name, status FROM feedback_files ORDER BY id")]


def _hour_form_like(tmp_path: Path) -> bytes:
    """A fillable PDF with other fields (like an hour form)."""
    from reportlab.pdfgen.canvas import Canvas

    target = tmp_path / "other.pdf"
    canvas = Canvas(str(target))
    canvas.acroForm.textfield(name="contract_id", value="K-1", x=50, y=700)
    canvas.showPage()
    canvas.save()
    return target.read_bytes()


def _render(pdf: Path, renderer: str, tmp_path: Path):
    """The page as a greyscale PIL image at 2 pixels per point, drawn by poppler, PDFium or MuPDF."""
    from PIL import Image

    if renderer == "poppler":
        subprocess.run(["pdftoppm", "-r", "144", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
                       check=True, capture_output=True)
        return Image.open(tmp_path / "page.png").convert("L")
    if renderer == "pdfium":
        import pypdfium2

        document = pypdfium2.PdfDocument(str(pdf))
        document.init_forms()
        image = document[0].render(scale=2, may_draw_forms=True).to_pil().convert("L")
        document.close()
        return image
    import pymupdf

    with pymupdf.open(pdf) as document:
        pixmap = document[0].get_pixmap(dpi=144, colorspace=pymupdf.csGRAY, annots=True)
        return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


@pytest.mark.pdftk
@pytest.mark.parametrize("filler", ["pdftk", "pymupdf", "pypdf"])
def test_chosen_answers_show_in_every_viewer(issued, tmp_path, filler):
    from kokemus_docs.feedback.questionnaire import PAGE_HEIGHT, questionnaire_layout

    src, filled = issued[("client", "fi")], tmp_path / "filled.pdf"
    answers = {"recommend": "9", "s1": "2", "s4": "na"}
    if filler == "pdftk":
        (tmp_path / "a.xfdf").write_bytes(_xfdf(answers))
        subprocess.run(["pdftk", str(src), "fill_form", str(tmp_path / "a.xfdf"), "output", str(filled)], check=True)
    elif filler == "pymupdf":
        _fill_with_mupdf(src, filled, answers)
    else:
        fill_questionnaire(src, answers, filled)
    radios = questionnaire_layout().radios

    def centre(image, group, value):
        x0, y0, x1, y1 = radios[group][value]
        return image.getpixel((round((x0 + x1)), round(2 * PAGE_HEIGHT - (y0 + y1))))

    for renderer in ("poppler", "pdfium", "mupdf"):
        image = _render(filled, renderer, tmp_path)
        for group, value in answers.items():
            assert centre(image, group, value) < 100, f"{renderer}: {group}={value} not shown"
            other = "3" if value != "3" else "4"
            assert centre(image, group, other) > 200, f"{renderer}: {group}={other} shown"


def test_export_with_a_title_above_the_header_and_too_many_rows(workspace, register, tmp_path, monkeypatch):
    titled = tmp_path / "titled.csv"
    titled.write_bytes(b"Asiakaspalaute lokakuu 2026;;;\n;;;\n" + _csv([["client", "IK\xc4-PORVOO", "", "9"]],
                                                                          ";", "cp1252", HEADER[:4]))
    _, responses = _ingest(workspace, register, titled)
    assert [(r["row"], r["status"], r["unit_id"]) for r in responses] == [(4, "accepted", "IKÄ-PORVOO")]

    import kokemus_docs.feedback.read

    monkeypatch.setattr(kokemus_docs.feedback.read, "MAX_ROWS", 3)
    many = tmp_path / "many.csv"
    many.write_bytes(_csv([["client", "MTP-PORVOO", "", str(n)] for n in range(4)], header=HEADER[:4]))
    _, [response] = _ingest(workspace, register, many)
    assert response["status"] == "rejected" and response["errors"][0]["code"] == "too-many-rows"
    assert len(_stored(workspace)) == 1  # nothing of the refused file was kept


def test_any_typed_values_give_an_answer_in_range_or_problems(register):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    typed = st.one_of(st.none(), st.text(max_size=30), st.integers(-20, 20), st.floats(allow_nan=True),
                      st.sampled_from(["9", "10 - erittäin", " 3 ", "eos", "na", "5,0", "14.10.", "2026-10-14",
                                       "client", "MTP-PORVOO", "Asiakas"]))

    @settings(max_examples=300, deadline=None)
    @given(st.fixed_dictionaries({name: typed for name in GOOD}))
    def check(values):
        answer, problems = check_answer(values, register, RECEIVED, channel="csv")
        assert (answer is None) == bool(problems)
        if answer is not None:
            assert 0 <= answer.recommend <= 10
            assert all(s is None or 1 <= s <= 5 for s in answer.statements)
            assert answer.answered_on <= RECEIVED and answer.unit_id in register.units
            assert len(answer.comment) <= 2000

    check()


def test_workbook_that_unpacks_to_far_more_than_an_export_is_refused(workspace, register, tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (61 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"respondent,unit_id,recommend\n\0\0\0")
    _, responses = _ingest(workspace, register, bomb, binary)
    assert [(r["status"], r["errors"][0]["code"]) for r in responses] == [("rejected", "too-large"),
                                                                          ("rejected", "not-csv")]


def _export_workbook(path: Path, *, member: str = "", prefix: bytes = b"", extra: dict[str, bytes] | None = None):
    """A survey-tool .xlsx export with one good answer; `prefix` goes before the XML of `member`."""
    import zipfile

    wb = Workbook()
    wb.active.append(["respondent", "unit_id", "date", "recommend"])
    wb.active.append(["client", "IKÄ-PORVOO", "2.10.2026", 9])
    plain = path.with_name("plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, prefix + data if info.filename == member else data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return path


def test_export_workbooks_pass_the_register_package_guard(workspace, register, tmp_path):
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    good = _export_workbook(tmp_path / "good.xlsx")
    with_doctype = _export_workbook(tmp_path / "doctype.xlsx", member="xl/worksheets/sheet1.xml", prefix=doctype)
    # 2 MB of one byte packs to a few kB: a ratio far beyond any typed workbook, though the total is small
    packed_tight = _export_workbook(tmp_path / "ratio.xlsx", extra={"xl/media/image1.bin": b"\0" * 2_000_000})
    assert packed_tight.stat().st_size < 100_000
    _, responses = _ingest(workspace, register, good, with_doctype, packed_tight)
    assert [r["status"] for r in responses] == ["accepted", "rejected", "rejected"]
    assert [r["errors"][0]["code"] for r in responses[1:]] == ["not-xlsx", "too-large"]
    assert "DOCTYPE" in responses[1]["errors"][0]["message"]
