from __future__ import annotations

import pytest
from docx import Document
from ledgerfill import MONTH, fill_sample_ledger

from kokemus_docs.notices import write_notices

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
    for path in outcome.written:
        text = docx_text(path)
        for expert in register.experts.values():
            for secret in (expert.hetu, expert.iban, expert.street_address):
                assert secret not in text


def test_unit_selection_and_unknown_unit(filled, register):
    outcome = write_notices(filled, register, MONTH, unit_ids=["IKÄ-PORVOO", "VAMPA-SIPOO", "NOPE"])
    assert [p.name for p in outcome.written] == ["IKÄ-PORVOO_fi.docx"]
    assert [e.code for e in outcome.errors] == ["unknown-unit"]
    assert [w.code for w in outcome.warnings] == ["nothing-to-pay"]


def test_empty_month_writes_nothing(filled, register):
    outcome = write_notices(filled, register, "2026-08")
    assert outcome.ok and outcome.written == []
    assert any("Nothing is paid" in s for s in outcome.summary)


@pytest.mark.libreoffice
def test_pdf_notice(filled, register):
    import pdfplumber

    outcome = write_notices(filled, register, MONTH, unit_ids=["IKÄ-PORVOO"], formats=("pdf",))
    assert outcome.ok, outcome.errors
    assert [p.name for p in outcome.written] == ["IKÄ-PORVOO_fi.pdf"]
    with pdfplumber.open(outcome.written[0]) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages).replace(NBSP, " ")
    assert "200,00 €" in text and "Ikääntyneiden palvelut" in text
