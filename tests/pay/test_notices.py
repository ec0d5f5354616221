from __future__ import annotations

import pytest
from docx import Document
from ledgerfill import MONTH, fill_sample_ledger

from kokemus_docs.core.month import Month
from kokemus_docs.pay.notices import write_notices

NBSP = "\u00a0"


@pytest.fixture
def filled(workspace):
    fill_sample_ledger(workspace.ledger_path)
    return workspace


def docx_text(path) -> str:
    """All text of a .docx: paragraphs and table cells, in document order, non-breaking spaces as spaces."""
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts).replace(NBSP, " ")


def test_one_notice_per_unit_and_language(filled, register):
    outcome = write_notices(filled, register, MONTH)
    assert outcome.ok, outcome.errors
    names = sorted(p.name for p in outcome.written)
    # MTP-PORVOO pays Henrik Forsström, who works in Swedish: both languages. IKÄ-PORVOO: Finnish only.
    assert names == ["IKÄ-PORVOO_fi.docx", "MTP-PORVOO_fi.docx", "MTP-PORVOO_sv.docx"]
    assert all(p.parent == filled.output("notices", MONTH) for p in outcome.written)
    assert {d["unit_id"]: d["total_eur"] for d in outcome.extra["documents"]} == {
        "IKÄ-PORVOO": "200.00", "MTP-PORVOO": "704.90"}
    assert outcome.extra["notice_deadline"] == "2026-11-09"


def test_finnish_notice_content(filled, register):
    write_notices(filled, register, MONTH)
    text = docx_text(filled.output("notices", MONTH, "MTP-PORVOO_fi.docx"))
    unit = register.units["MTP-PORVOO"]
    assert unit.name_fi in text  # & < > " ' survive
    assert unit.cost_center in text and unit.contact_name in text
    assert "lokakuu 2026" in text and "9.11.2026" in text and "30.11.2026" in text
    assert register.experts["KA-001"].full_name in text
    assert "704,90 €" in text  # unit total
    assert "192,50 €" in text and "12,40 €" in text  # KA-001 fees and travel
    assert "204,90 €" not in text  # one total row per expert (fees | travel), no second "paid in total" line
    assert "Peruttu myöhässä" in text and "Ryhmänohjaus" in text
    # the rows that pay nothing are listed apart, each with its reason
    name = register.experts["KA-001"].full_name
    assert f"21.10.2026 | {name} | Yksilötyö | Peruttu ajoissa: ei palkkiota" in text
    assert f"23.10.2026 | {name} | Yksilötyö | Kokemusasiantuntija sairastui: ei palkkiota" in text
    assert "syyskuu 2026" in text  # the late September form is explained
    assert "1,5" in text


def test_swedish_notice_and_no_late_note_when_none(filled, register):
    write_notices(filled, register, MONTH)
    sv = docx_text(filled.output("notices", MONTH, "MTP-PORVOO_sv.docx"))
    assert register.units["MTP-PORVOO"].name_sv in sv
    assert "oktober 2026" in sv and "Avbokad för sent" in sv and "Föreläsning eller utbildning" in sv
    assert "september 2026" in sv
    fi = docx_text(filled.output("notices", MONTH, "IKÄ-PORVOO_fi.docx"))
    assert "200,00 €" in fi and "syyskuu" not in fi and "Asiakas ei saapunut" in fi


def test_no_personal_data_on_notices(filled, register):
    outcome = write_notices(filled, register, MONTH)
    assert len(outcome.written) == 3
    texts = [docx_text(path) for path in outcome.written]
    secrets = [s for e in register.experts.values() for s in (e.hetu, e.iban, e.street_address)]
    assert len(secrets) >= 9 and all(secrets)
    # the notices name the experts they pay, and nothing personal about anyone
    assert all(any(e.last_name in text for e in register.experts.values()) for text in texts)
    assert [secret for secret in secrets for text in texts if secret in text] == []


def test_unit_selection_and_unknown_unit(filled, register):
    outcome = write_notices(filled, register, MONTH, unit_ids=["IKÄ-PORVOO", "VAMPA-SIPOO", "NOPE"])
    assert [p.name for p in outcome.written] == ["IKÄ-PORVOO_fi.docx"]
    assert [e.code for e in outcome.errors] == ["unknown-unit"]
    assert [w.code for w in outcome.warnings] == ["nothing-to-pay"]


def test_empty_month_writes_nothing(filled, register):
    outcome = write_notices(filled, register, Month("2026-08"))
    assert outcome.ok and outcome.written == []
    assert any("Nothing is paid" in s for s in outcome.summary)


@pytest.mark.libreoffice
def test_pdf_notices_equal_one_at_a_time_and_number_their_pages(filled, register, tmp_path):
    import pdfplumber

    from kokemus_docs.documents.pdfconvert import soffice_convert

    def pages(pdf):
        with pdfplumber.open(pdf) as document:
            return [(page.extract_text() or "").replace(NBSP, " ") for page in document.pages]

    outcome = write_notices(filled, register, MONTH, formats=("docx", "pdf"))
    assert outcome.ok, outcome.errors
    pdfs = [p for p in outcome.written if p.suffix == ".pdf"]
    assert sorted(p.name for p in pdfs) == ["IKÄ-PORVOO_fi.pdf", "MTP-PORVOO_fi.pdf", "MTP-PORVOO_sv.pdf"]
    for pdf in pdfs:
        alone = tmp_path / pdf.stem / pdf.with_suffix(".docx").name
        alone.parent.mkdir()
        alone.write_bytes(pdf.with_suffix(".docx").read_bytes())
        batch = pages(pdf)
        assert batch == pages(soffice_convert([alone], alone.parent)[alone]), pdf.name
        word = "Sida" if pdf.stem.endswith("_sv") else "Sivu"
        footers = [text.strip().splitlines()[-1] for text in batch]
        assert footers == [f"{word} {page}/{len(batch)}" for page in range(1, len(batch) + 1)], pdf.name
    text = "\n".join(pages(filled.output("notices", MONTH, "IKÄ-PORVOO_fi.pdf")))
    assert "200,00 €" in text and "Ikääntyneiden palvelut" in text


def _claims_ledger(ws) -> None:
    """An October form for MTP-PORVOO whose rows pay differently from what the expert claimed: the warnings
    stored with it are the ones ingest stores (the English Problem of each finding)."""
    from datetime import date, datetime
    from decimal import Decimal

    from ledgerfill import add_form, line

    from kokemus_docs.core.ledger import Ledger
    from kokemus_docs.intake.messages import Finding, status_text

    warnings = [
        Finding("travel-no-ref", row=1, field="row01_travel_ref", params={"amount": Decimal("8.60")}),
        Finding("status-corrected", row=2, field="row02_status", params={
            "typed": status_text("cancelled_in_time"), "rule": status_text("cancelled_late"),
            "cancelled_at": datetime(2026, 10, 13, 16, 20), "cutoff_at": datetime(2026, 10, 13, 15, 0),
            "paid": "the fee is paid"}),
        Finding("travel-not-payable", row=3, field="row03_travel_eur", params={
            "amount": Decimal("1234.50"), "status": status_text("expert_ill")}),
        Finding("status-corrected", row=5, field="row05_status", params={
            "typed": status_text("cancelled_late"), "rule": status_text("cancelled_in_time"),
            "cancelled_at": datetime(2026, 10, 28, 9, 0), "cutoff_at": datetime(2026, 10, 28, 15, 0),
            "paid": "no fee"}),
    ]
    with Ledger(ws.ledger_path) as ledger:
        add_form(ledger, "S-2026-011", "KA-011", "MTP-PORVOO", MONTH, [
            line(1, date(2026, 10, 6), "individual", "held", "50.00"),
            line(2, date(2026, 10, 14), "individual", "cancelled_late", "50.00"),
            line(3, date(2026, 10, 27), "group", "expert_ill", "25.00", hours="1.5", basis="hour"),
            line(4, date(2026, 10, 28), "individual", "held", "50.00"),
            line(5, date(2026, 10, 29), "individual", "cancelled_in_time", "50.00"),
        ], warnings=[w.problem().as_dict() for w in warnings])


def unpaid_rows(path) -> list[str]:
    """The rows of the notice's table of rows that pay nothing or differently, as "a | b | c | d"."""
    tables = [t for t in Document(path).tables if t.rows[0].cells[-1].text in ("Syy", "Orsak")]
    assert len(tables) == 1
    return [" | ".join(c.text for c in row.cells).replace(NBSP, " ") for row in tables[0].rows[1:]]


def test_unpaid_and_changed_rows_are_listed_with_reasons_in_the_notices_language(filled, register):
    _claims_ledger(filled)
    write_notices(filled, register, MONTH)
    fi = unpaid_rows(filled.output("notices", MONTH, "MTP-PORVOO_fi.docx"))
    sv = unpaid_rows(filled.output("notices", MONTH, "MTP-PORVOO_sv.docx"))
    riikka = register.experts["KA-011"].full_name
    tricky = register.experts["KA-001"].full_name  # & < > " ' print as typed
    assert fi == [
        f"6.10.2026 | {riikka} | Yksilötyö | Matkakulut 8,60 € ilman ennakkohyväksynnän viitettä: ei korvata",
        f"14.10.2026 | {riikka} | Yksilötyö | Peruttu myöhässä: palkkio maksetaan, koska peruutus tuli "
        "maksuttoman peruutusajan jälkeen",
        f"21.10.2026 | {tricky} | Yksilötyö | Peruttu ajoissa: ei palkkiota",
        f"23.10.2026 | {tricky} | Yksilötyö | Kokemusasiantuntija sairastui: ei palkkiota",
        f"27.10.2026 | {riikka} | Ryhmänohjaus | Kokemusasiantuntija sairastui: ei palkkiota; matkakulut "
        "1 234,50 € riviltä, josta ei makseta palkkiota: ei korvata",
        f"29.10.2026 | {riikka} | Yksilötyö | Peruttu ajoissa: ei palkkiota; tila määräytyi "
        "peruutusajankohdan mukaan",
    ]  # the row of 28.10. is paid as claimed: not listed
    assert sv[0] == (f"6.10.2026 | {riikka} | Individuellt arbete | Resekostnader 8,60 € utan referens till "
                     "förhandsgodkännande: ersätts inte")
    assert sv[2] == f"21.10.2026 | {tricky} | Individuellt arbete | Avbokad i tid: inget arvode"
    assert sv[4].startswith(f"27.10.2026 | {riikka} | Grupphandledning | Erfarenhetsexperten insjuknade: "
                            "inget arvode; resekostnader 1 234,50 €")
    heading = "Rivit, joista ei makseta tai jotka maksetaan ilmoitetusta poiketen"
    assert heading in docx_text(filled.output("notices", MONTH, "MTP-PORVOO_fi.docx"))
    # a notice whose rows all paid as claimed has no such section
    write_notices(filled, register, MONTH, unit_ids=["IKÄ-PORVOO"])
    assert "Rivit, joista" not in docx_text(filled.output("notices", MONTH, "IKÄ-PORVOO_fi.docx"))


def test_fee_notice_money_is_right_aligned_with_one_total_row_per_expert(filled, register):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    write_notices(filled, register, MONTH)
    document = Document(filled.output("notices", MONTH, "MTP-PORVOO_fi.docx"))
    paid_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Päivä"
                   and t.rows[0].cells[-1].text == "Matkat"]
    names = [p.text for p in document.paragraphs if p.style.name == "Heading 3"]
    assert len(paid_tables) == len(names) == 3  # KA-001, KA-002 (late September form), KA-012
    for table in paid_tables:
        header = [cell.text for cell in table.rows[0].cells]
        assert header == ["Päivä", "Tehtävä", "Tila", "Tunnit", "Hinta", "Palkkio", "Matkat"]
        totals = [row for row in table.rows if row.cells[0].text == "Yhteensä"]
        assert len(totals) == 1 and table.rows[-1] is not None and table.rows[-1].cells[0].text == "Yhteensä"
        for row in table.rows:
            for cell in row.cells[3:]:  # hours, rate, fee, travel
                assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT, (row.cells[0].text, cell.text)
            for cell in row.cells[:3]:
                assert cell.paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
    text = docx_text(filled.output("notices", MONTH, "MTP-PORVOO_fi.docx"))
    assert text.count("Yksikkö yhteensä") == 1
    assert "Maksetaan yhteensä" not in text
    # the unit's totals, the approval and the signature lines keep together (and with what follows)
    body = document.paragraphs
    start = next(i for i, p in enumerate(body) if p.text == "Yksikkö yhteensä")
    block = body[start:]
    assert block[-1].text == "Nimenselvennys"
    assert all(p.paragraph_format.keep_with_next or p.style.paragraph_format.keep_with_next
               for p in block[:-1] if p.text), [p.text for p in block if p.text]


def test_notices_do_not_need_the_payroll_workbook_module():
    import subprocess
    import sys

    code = ("import sys, kokemus_docs.pay.notices; "
            "sys.exit('kokemus_docs.pay.payroll' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
