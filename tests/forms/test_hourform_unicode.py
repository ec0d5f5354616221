"""Hour forms show every name as typed (Łukasz Nguyễn-Čačić), take any Latin-script value back through pdftk,
PyMuPDF and the tool's own filler, and print the coordinator's contact and the expert's upload address."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import require_module, require_tool

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.forms.fields import ROW_FIELDS, compute_seal, row_field
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.issue import issue_forms
from kokemus_docs.forms.layout import PAGE_HEIGHT, form_layout
from kokemus_docs.forms.links import expert_upload_url
from kokemus_docs.forms.pdfwriter import FormSpec, build_form_pdf
from kokemus_docs.intake.formread import read_form
from kokemus_docs.intake.ingest import ingest_forms

MONTH = Month("2026-10")
NAME = "Łukasz Nguyễn-Čačić"
# What an expert may type: Polish, Vietnamese, Nordic letters and the characters that break XML and PDF strings.
NOTE = 'Łódź–Nguyễn & <Åsa> "ä" \'ö\''
CONTACT = {"coordinator_name": "Outi Osallinen", "coordinator_email": "outi.osallinen@example.fi",
           "coordinator_phone": "040 123 4567"}


def pdftotext(path: Path) -> str:
    require_tool("pdftotext", "poppler-utils")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def mupdf_text(path: Path) -> str:
    pymupdf = require_module("pymupdf")
    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text() for page in doc)


def render_pdfium(path: Path, scale: float = 3):
    pdfium = require_module("pypdfium2")
    pdf = pdfium.PdfDocument(str(path))
    try:
        pdf.init_forms()
        return pdf[0].render(scale=scale, may_draw_forms=True).to_pil().convert("L")
    finally:
        pdf.close()


def spec(**changes) -> FormSpec:
    identity = {"form_id": f"K-9_{MONTH}", "contract_id": "K-9", "expert_id": "E-9", "unit_id": "U-9", "month": MONTH}
    base = FormSpec(language="fi", org_name="Itä-Uudenmaan hyvinvointialue", identity=identity,
                    seal=compute_seal(b"k" * 32, identity), expert_name=NAME, unit_name="Maahanmuuttajapalvelut",
                    contact="Tiina Lehtonen, tiina@example.fi", deadline=date(2026, 11, 9),
                    payment=date(2026, 11, 30), tasks=(("individual", "Yksilötyö"),), rows=25)
    return dataclasses.replace(base, **changes)


def test_a_name_outside_latin_1_is_printed_as_typed(tmp_path):
    path = tmp_path / "form.pdf"
    path.write_bytes(build_form_pdf(spec()))
    assert NAME in pdftotext(path)
    assert NAME in mupdf_text(path)
    assert "?ukasz" not in pdftotext(path)
    # the letters are drawn: the name's row looks different from the same name without its diacritics
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(build_form_pdf(spec(expert_name="Lukasz Nguyen-Cacic")))
    box = (28 * 3, round((PAGE_HEIGHT - 522) * 3), 500 * 3, round((PAGE_HEIGHT - 505) * 3))
    with_marks, without = render_pdfium(path).crop(box), render_pdfium(plain).crop(box)
    assert sum(with_marks.histogram()[:128]) > sum(without.histogram()[:128]) + 20


def test_the_embedded_font_is_the_same_in_every_run():
    """A form issued by one run is filled and read by another: the font subsets must come out byte for byte."""
    from kokemus_docs.forms.fonts import field_font, latin_font

    this_run = [latin_font("regular").base_name, latin_font("bold").base_name, field_font().base_name]
    time.sleep(1.1)  # another second on the clock: fonts' 'modified' stamps must not leak into the subsets
    script = ("from kokemus_docs.forms.fonts import field_font, latin_font; "
              "print(latin_font('regular').base_name, latin_font('bold').base_name, field_font().base_name)")
    other_run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout.split()
    assert other_run == this_run


def test_forms_embed_font_subsets_not_whole_fonts(tmp_path):
    data = build_form_pdf(spec())
    assert b"/FontFile2" in data and b"/Identity-H" in data
    assert len(data) < 250_000  # three DejaVu subsets (regular, bold, field font), not 700 KB fonts


@pytest.fixture
def ws(workspace):
    workspace.config["organisation"].update(CONTACT)
    return workspace


def test_issued_form_prints_coordinator_contact_and_upload_address(ws, register, tmp_path):
    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"], first_name="Łukasz",
                                                     last_name="Nguyễn-Čačić")
    outcome = issue_forms(ws, register, month=MONTH, expert_ids=("KA-001",))
    form = next(p for p in outcome.written if p.name == f"S-2026-001_{MONTH}.pdf")
    text = pdftotext(form)
    assert NAME in text
    assert "Kysyttävää? Järjestötyön ja osallisuuden asiantuntija: Outi Osallinen, outi.osallinen@example.fi, " \
           "040 123 4567." in text
    url = expert_upload_url(ws, "KA-001", MONTH)
    assert url.startswith("http://127.0.0.1:8000/e/")
    assert f"Oma palautusosoitteesi verkossa: {url}" in " ".join(text.split())
    # a phone reads the QR code on the printed page as the same address
    zxingcpp = require_module("zxingcpp")
    decoded = [code.text for code in zxingcpp.read_barcodes(render_pdfium(form, scale=3))]
    assert decoded == [url]


def test_no_upload_address_without_a_public_url(ws, register):
    ws.config["web"]["public_url"] = ""
    outcome = issue_forms(ws, register, month=MONTH, expert_ids=("KA-001",))
    form = next(p for p in outcome.written if p.name == f"S-2026-001_{MONTH}.pdf")
    assert "/e/" not in pdftotext(form) and "palautusosoitteesi" not in pdftotext(form)


# --- values typed in other viewers come back exactly, and are ingested ----------------------------------------


def fill_with_pdftk(src: Path, values: dict[str, str], target: Path) -> Path:
    require_tool("pdftk")
    fields = "".join(f'<field name="{name}"><value>{escape(value, {chr(34): "&quot;"})}</value></field>'
                     for name, value in values.items())
    xfdf = target.with_suffix(".xfdf")
    xfdf.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/" '
                    f'xml:space="preserve"><fields>{fields}<field name="confirm"><value>Yes</value></field>'
                    '</fields></xfdf>', encoding="utf-8")
    subprocess.run(["pdftk", str(src), "fill_form", str(xfdf), "output", str(target)], check=True,
                   capture_output=True)
    return target


def fill_with_pymupdf(src: Path, values: dict[str, str], target: Path) -> Path:
    pymupdf = require_module("pymupdf")
    with pymupdf.open(src) as doc:
        for page in doc:
            for widget in page.widgets():
                if widget.field_name in values:
                    widget.field_value = values[widget.field_name]
                    widget.update()
                elif widget.field_name == "confirm":
                    widget.field_value = widget.on_state()
                    widget.update()
        doc.save(target)
    return target


def fill_with_kokemus(src: Path, values: dict[str, str], target: Path) -> Path:
    return fill_form(src, values, target)


TYPED = {"row01_date": "6.10.2026", "row01_start": "9.00", "row01_end": "10.00", "row01_task": "individual",
         "row01_status": "held", "row01_notes": NOTE, "row02_date": "8.10.2026", "row02_start": "12.00",
         "row02_end": "13.00", "row02_task": "common_meeting", "row02_status": "held", "row02_travel_eur": "7,20",
         "row02_travel_ref": "Łódź-ễ/7", "row02_notes": NAME, "signed_on": "2.11.2026"}


@pytest.mark.parametrize("fill", [pytest.param(fill_with_pdftk, id="pdftk", marks=pytest.mark.pdftk),
                                  pytest.param(fill_with_pymupdf, id="pymupdf"),
                                  pytest.param(fill_with_kokemus, id="kokemus")])
def test_typed_latin_script_values_are_read_back_and_ingested(ws, register, tmp_path, fill):
    outcome = issue_forms(ws, register, month=MONTH, expert_ids=("KA-001",))
    form = next(p for p in outcome.written if p.name == f"S-2026-001_{MONTH}.pdf")
    filled = fill(form, TYPED, ws.inbox_dir / "filled.pdf")
    returned = read_form(filled)
    assert returned.rows[1]["notes"] == NOTE
    assert (returned.rows[2]["notes"], returned.rows[2]["travel_ref"]) == (NAME, "Łódź-ễ/7")
    assert set(returned.rows) == {1, 2} and set(returned.rows[1]) == set(ROW_FIELDS)
    ingested = ingest_forms(ws, register, received_on=date(2026, 11, 5))
    assert ingested.json_fields()["forms"][0]["status"] == "accepted", [str(p) for p in ingested.errors]
    with Ledger(ws.ledger_path) as ledger:
        lines = ledger.lines_of([f"S-2026-001_{MONTH}"])[f"S-2026-001_{MONTH}"]
    assert [(ln.notes, ln.travel_ref) for ln in lines] == [(NOTE, ""), (NAME, "Łódź-ễ/7")]


def test_the_tools_own_filler_shows_every_latin_letter_in_every_viewer(tmp_path):
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    filled = fill_form(src, {"row01_notes": NAME, "row02_notes": "å ä ö & < > \" '"}, tmp_path / "f.pdf")
    assert NAME in pdftotext(filled) and NAME in mupdf_text(filled)
    box = form_layout(25).fields[row_field(1, "notes")]
    region = (round(box.x0 * 3), round((PAGE_HEIGHT - box.y1) * 3),
              round(box.x1 * 3), round((PAGE_HEIGHT - box.y0) * 3))
    assert sum(render_pdfium(filled).crop(region).histogram()[:128]) > 100
    assert sum(render_pdfium(src).crop(region).histogram()[:128]) == 0


@pytest.mark.pdftk
def test_pdftk_writes_european_latin_letters_in_the_field_font(tmp_path):
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    filled = fill_with_pdftk(src, {"row01_notes": "Łukasz Čačić Ådahl Øre ŞŽ"}, tmp_path / "f.pdf")
    assert "Łukasz Čačić Ådahl Øre ŞŽ" in pdftotext(filled)
