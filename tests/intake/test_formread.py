"""Reading returned hour forms back, whatever filled them, and refusing what cannot be read."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.month import Month
from kokemus_docs.forms.fields import ROW_FIELDS, compute_seal, seal_matches
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.pdfwriter import FormSpec, build_form_pdf
from kokemus_docs.intake.formread import read_form
from kokemus_docs.pdfsafe.limits import FormUnreadable

MONTH = Month("2026-10")
KEY = b"test-key-" * 4
IDENTITY = {"form_id": f"S-7_{MONTH}", "contract_id": "S-7", "expert_id": "KA-7", "unit_id": "MTP-PORVOO",
            "month": MONTH}

# What an expert types, awkward characters included. Task and status are labels here so that forms
# flattened by any tool show exactly these strings.
TYPED = {
    "row01_date": "14.10.2026", "row01_start": "9.30", "row01_end": "11.00", "row01_task": "Yksilötyö",
    "row01_status": "Peruttu myöhässä", "row01_cancelled_at": "13.10.2026 16.20",
    "row01_notes": 'Åsa & <Öhman> "lainaus" \'yksi\'',
    "row02_date": "15.10.", "row02_start": "13:00", "row02_end": "14:30", "row02_task": "Ryhmänohjaus",
    "row02_status": "Toteutui", "row02_participants": "6",
    "row16_date": "28.10.2026", "row16_start": "17.00", "row16_end": "19.00",
    "row16_task": "Kokemusasiantuntijoiden yhteinen tapaaminen", "row16_status": "Toteutui",
    "row16_travel_eur": "12,40", "row16_travel_ref": "MATKA-2026/14", "row16_notes": "Porvoo–Loviisa",
    "signed_on": "4.11.2026",
}


def expected_rows(values: dict[str, str]) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for name, value in values.items():
        if name.startswith("row"):
            number, field = int(name[3:5]), name[6:]
            rows.setdefault(number, dict.fromkeys(ROW_FIELDS, ""))[field] = value
    return rows


@pytest.fixture
def blank(tmp_path) -> Path:
    spec = FormSpec(language="fi", org_name="Itä-Uudenmaan hyvinvointialue", identity=dict(IDENTITY),
                    seal=compute_seal(KEY, IDENTITY), expert_name='Åsa & "Ötte" O\'Brien <Ström>',
                    unit_name="Mieli & päihde <Ankkuri>", contact="Tiina Lehtonen, tiina@example.fi",
                    deadline=date(2026, 11, 9), payment=date(2026, 11, 30),
                    tasks=(("individual", "Yksilötyö"), ("group", "Ryhmänohjaus"),
                           ("common_meeting", "Kokemusasiantuntijoiden yhteinen tapaaminen")))
    path = tmp_path / "blank.pdf"
    path.write_bytes(build_form_pdf(spec))
    return path


def fill_with_pdftk(src: Path, values: dict[str, str], target: Path, confirm: bool) -> Path:
    fields = "".join(f'<field name="{name}"><value>{escape(value, {chr(34): "&quot;"})}</value></field>'
                     for name, value in values.items())
    if confirm:
        fields += '<field name="confirm"><value>Yes</value></field>'
    xfdf = target.with_suffix(".xfdf")
    xfdf.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/" '
                    f'xml:space="preserve"><fields>{fields}</fields></xfdf>', encoding="utf-8")
    subprocess.run(["pdftk", str(src), "fill_form", str(xfdf), "output", str(target)], check=True,
                   capture_output=True)
    return target


def _set_widgets(doc, values: dict[str, str], confirm: bool) -> None:
    for page in doc:
        for widget in page.widgets():
            if widget.field_name in values:
                widget.field_value = values[widget.field_name]
                widget.update()
            elif widget.field_name == "confirm":
                widget.field_value = widget.on_state() if confirm else "Off"
                widget.update()


def fill_with_pymupdf(src: Path, values: dict[str, str], target: Path, confirm: bool) -> Path:
    import pymupdf

    with pymupdf.open(src) as doc:
        _set_widgets(doc, values, confirm)
        doc.save(target)
    return target


def fill_with_kokemus(src: Path, values: dict[str, str], target: Path, confirm: bool) -> Path:
    return fill_form(src, values, target, confirm=confirm)


FILLERS = [
    pytest.param(fill_with_kokemus, id="kokemus"),
    pytest.param(fill_with_pymupdf, id="pymupdf"),
    pytest.param(fill_with_pdftk, id="pdftk", marks=pytest.mark.pdftk),
]


def assert_read_as_typed(returned, confirm: bool) -> None:
    """The form filled with TYPED (and ticked or not) came back exactly, seal and all."""
    assert returned.identity == IDENTITY
    assert seal_matches(KEY, returned.identity, returned.seal)
    assert returned.rows == expected_rows(TYPED)
    assert returned.confirmed is confirm
    assert returned.signed_on == "4.11.2026"


@pytest.mark.parametrize("confirm", [True, False], ids=["ticked", "unticked"])
@pytest.mark.parametrize("filler", FILLERS)
def test_reads_exactly_what_was_typed(blank, tmp_path, filler, confirm):
    filled = filler(blank, TYPED, tmp_path / "filled.pdf", confirm)
    returned = read_form(filled)
    assert returned.source == "acroform"
    assert_read_as_typed(returned, confirm)
    assert returned.path == str(filled)


def test_checkbox_can_be_ticked_and_unticked_again(blank, tmp_path):
    ticked = fill_form(blank, {}, tmp_path / "a.pdf", confirm=True)
    assert read_form(ticked).confirmed
    unticked = fill_form(ticked, {}, tmp_path / "b.pdf", confirm=False)
    assert not read_form(unticked).confirmed


def test_checkbox_with_a_value_that_is_not_its_state_is_not_ticked(blank, tmp_path):
    writer = PdfWriter(clone_from=blank)
    for annot in writer.pages[-1]["/Annots"]:
        widget = annot.get_object()
        if widget["/T"] == "confirm":
            widget[NameObject("/V")] = NameObject("/On")
    target = tmp_path / "odd.pdf"
    writer.write(target)
    assert read_form(target).confirmed is False


def test_codes_in_choice_fields_are_returned_as_typed(blank, tmp_path):
    filled = fill_form(blank, {"row05_task": "group", "row05_status": "group_no_participants"}, tmp_path / "c.pdf")
    assert read_form(filled).rows[5]["task"] == "group"
    assert read_form(filled).rows[5]["status"] == "group_no_participants"


def test_empty_form_has_no_rows(blank):
    returned = read_form(blank)
    assert returned.rows == {} and not returned.confirmed and returned.signed_on == ""


def flatten_with_pdftk(filled: Path, target: Path) -> Path:
    subprocess.run(["pdftk", str(filled), "output", str(target), "flatten"], check=True, capture_output=True)
    return target


def flatten_with_pymupdf(filled: Path, target: Path) -> Path:
    import pymupdf

    with pymupdf.open(filled) as doc:
        doc.bake()
        doc.save(target)
    return target


FLATTENERS = [
    pytest.param(fill_with_pdftk, flatten_with_pdftk, id="pdftk", marks=pytest.mark.pdftk),
    pytest.param(fill_with_pymupdf, flatten_with_pymupdf, id="pymupdf"),
    pytest.param(fill_with_kokemus, flatten_with_pymupdf, id="kokemus-then-pymupdf"),
]


@pytest.mark.parametrize("confirm", [True, False], ids=["ticked", "unticked"])
@pytest.mark.parametrize("filler, flattener", FLATTENERS)
def test_flattened_form_is_read_from_the_page_text(blank, tmp_path, filler, flattener, confirm):
    flat = flattener(filler(blank, TYPED, tmp_path / "filled.pdf", confirm), tmp_path / "flat.pdf")
    assert not PdfReader(flat).get_fields()
    returned = read_form(flat)
    assert returned.source == "page-text"
    assert_read_as_typed(returned, confirm)


def test_flattened_text_running_over_its_box_is_refused(blank, tmp_path):
    long_note = "Hyvin pitkä selitys siitä mitä tapahtui " * 6
    filled = fill_form(blank, {"row01_notes": long_note, "row01_date": "1.10.2026"}, tmp_path / "f.pdf")
    flat = flatten_with_pymupdf(filled, tmp_path / "flat.pdf")
    with pytest.raises(FormUnreadable) as caught:
        read_form(flat)
    assert caught.value.code == "page-text-unclear"


def test_flattened_page_moved_on_the_paper_is_refused(blank, tmp_path):
    flat = flatten_with_pymupdf(fill_form(blank, TYPED, tmp_path / "f.pdf"), tmp_path / "flat.pdf")
    writer = PdfWriter(clone_from=flat)
    for page in writer.pages:
        page.add_transformation((0.97, 0, 0, 0.97, 12, 9))  # "fit to page" when printing
    moved = tmp_path / "moved.pdf"
    writer.write(moved)
    with pytest.raises(FormUnreadable) as caught:
        read_form(moved)
    assert caught.value.code == "page-text-unclear"


def test_editing_the_identity_changes_what_is_read_but_not_the_seal(blank, tmp_path):
    writer = PdfWriter(clone_from=blank)
    for annot in writer.pages[0]["/Annots"]:
        widget = annot.get_object()
        if widget["/T"] == "form_id":
            widget[NameObject("/V")] = TextStringObject(f"S-8_{MONTH}")
    edited = tmp_path / "edited.pdf"
    writer.write(edited)
    returned = read_form(edited)
    assert returned.identity["form_id"] == f"S-8_{MONTH}"
    assert returned.seal == compute_seal(KEY, IDENTITY)
    assert not seal_matches(KEY, returned.identity, returned.seal)


# --- what is refused -----------------------------------------------------------------------------------------


def refused(path: Path) -> FormUnreadable:
    with pytest.raises(FormUnreadable) as caught:
        read_form(path)
    error = caught.value
    assert isinstance(error, KokemusError) and error.exit_code == 1
    assert path.name in error.message and error.path == str(path)
    return error


def test_not_a_pdf(tmp_path):
    path = tmp_path / "tunnit.pdf"
    path.write_text("päivä;tunnit\n14.10.2026;2\n", encoding="utf-8")
    assert refused(path).code == "not-pdf"


def test_truncated_pdf(blank, tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(blank.read_bytes()[: len(blank.read_bytes()) * 2 // 3])
    assert refused(path).code == "damaged"


def test_password_protected_pdf(blank, tmp_path):
    writer = PdfWriter(clone_from=blank)
    writer.encrypt(user_password="salainen", owner_password="omistaja")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    error = refused(path)
    assert error.code == "encrypted" and "password" in error.message


def test_pdf_with_an_empty_user_password_is_read(blank, tmp_path):
    writer = PdfWriter(clone_from=fill_form(blank, TYPED, tmp_path / "f.pdf"))
    writer.encrypt(user_password="", owner_password="omistaja", algorithm="AES-128")
    path = tmp_path / "owner-only.pdf"
    writer.write(path)
    assert read_form(path).rows == expected_rows(TYPED)


def test_scanned_image(tmp_path):
    import pymupdf
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (842, 595), "white").save(image)
    path = tmp_path / "skannattu.pdf"
    with pymupdf.open() as doc:
        page = doc.new_page(width=842, height=595)
        page.insert_image(page.rect, filename=str(image))
        doc.save(path)
    assert refused(path).code == "scanned"


def test_pdf_with_other_fields(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "other.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.acroForm.textfield(name="nimi", x=50, y=700, width=200, height=20)
    pdf.showPage()
    pdf.save()
    assert refused(path).code == "wrong-layout"


def test_pdf_with_text_but_not_a_form(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "letter.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(50, 700, "Hei, tässä tuntini lokakuulta: 14.10. kaksi tuntia.")
    pdf.save()
    assert refused(path).code == "wrong-layout"


def _without_field(src: Path, name: str, target: Path) -> Path:
    writer = PdfWriter(clone_from=src)
    acroform = writer._root_object["/AcroForm"]
    acroform[NameObject("/Fields")] = type(acroform["/Fields"])(
        ref for ref in acroform["/Fields"] if ref.get_object()["/T"] != name)
    for page in writer.pages:
        page[NameObject("/Annots")] = type(page["/Annots"])(
            ref for ref in page["/Annots"] if ref.get_object()["/T"] != name)
    writer.write(target)
    return target


@pytest.mark.parametrize("name", ["form_id", "month", "seal"])
def test_identity_field_missing(blank, tmp_path, name):
    assert refused(_without_field(blank, name, tmp_path / "no-id.pdf")).code == "identity-missing"


def test_identity_field_emptied(blank, tmp_path):
    writer = PdfWriter(clone_from=blank)
    for annot in writer.pages[0]["/Annots"]:
        if annot.get_object()["/T"] == "contract_id":
            annot.get_object()[NameObject("/V")] = TextStringObject("")
    path = tmp_path / "empty-id.pdf"
    writer.write(path)
    assert refused(path).code == "identity-missing"


def test_row_field_missing_is_another_layout(blank, tmp_path):
    assert refused(_without_field(blank, "row07_status", tmp_path / "other.pdf")).code == "wrong-layout"



# --- values as the fillers write them ----------------------------------------------------------------------------

AWKWARD = {
    **TYPED,
    "row03_date": "16.10.2026", "row03_task": "Yksilötyö", "row03_status": "Toteutui",
    "row03_notes": 'Sulut (a (b) c) ) ( ja \\ kenoviiva \\n \\( € & <x> "y" \'z\'',
    "row04_date": "17.10.2026", "row04_notes": "ensimmäinen rivi\ntoinen rivi\r\nkolmas",
    "row05_travel_ref": "ÅÄÖ åäö € ‰ – “lainaus”", "row05_notes": "Łukasz Nguyễn \\\\ \\) \\ ( ) 2\\3 \\101",
}


def fill_with_pymupdf_incrementally(src: Path, values: dict[str, str], target: Path, confirm: bool) -> Path:
    """A form saved twice, the second time as an incremental update (as viewers save): the newest values count."""
    import pymupdf

    first = fill_with_pymupdf(src, {name: "vanha arvo" for name in values if "notes" in name}, target, not confirm)
    with pymupdf.open(first) as doc:
        _set_widgets(doc, values, confirm)
        doc.save(target, incremental=True, encryption=pymupdf.PDF_ENCRYPT_KEEP)
    return target


ALL_FILLERS = [
    *FILLERS,
    pytest.param(fill_with_pymupdf_incrementally, id="pymupdf-incremental"),
]


@pytest.mark.parametrize("confirm", [True, False], ids=["ticked", "unticked"])
@pytest.mark.parametrize("filler", ALL_FILLERS)
def test_every_character_typed_is_read_back(blank, tmp_path, filler, confirm):
    filled = filler(blank, AWKWARD, tmp_path / "filled.pdf", confirm)
    returned = read_form(filled)
    typed = {name: value.strip() for name, value in AWKWARD.items()}
    if filler is fill_with_pdftk:  # XFDF is XML, whose parsers turn every CR LF into LF before pdftk sees it
        typed = {name: value.replace("\r\n", "\n") for name, value in typed.items()}
    assert returned.rows == expected_rows(typed)
    assert returned.confirmed is confirm
    assert "\n" in returned.rows[4]["notes"] and "\\" in returned.rows[3]["notes"]
    assert "vanha arvo" not in str(returned.rows)


def save_with_object_streams_pymupdf(filled: Path, target: Path) -> Path:
    import pymupdf

    with pymupdf.open(filled) as doc:
        doc.save(target, use_objstms=1, garbage=1)
    return target


def update_incrementally_with_pypdf(filled: Path, target: Path) -> Path:
    """pypdf appends its incremental updates with a cross-reference stream."""
    writer = PdfWriter(filled, incremental=True)
    writer.add_metadata({"/Title": "Tuntilomake (tallennettu uudelleen)"})
    writer.write(target)
    assert b"/XRef" in target.read_bytes()[len(filled.read_bytes()):]
    return target


def shift_every_object(filled: Path, target: Path) -> Path:
    """A comment after the header moves every object: the cross-reference offsets no longer point at them."""
    data = filled.read_bytes()
    header_end = data.index(b"\n") + 1
    target.write_bytes(data[:header_end] + b"% moved\n" + data[header_end:])
    return target


def save_with_pikepdf_object_streams(filled: Path, target: Path) -> Path:
    import pikepdf

    with pikepdf.open(filled) as pdf:
        pdf.save(target, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return target


@pytest.mark.parametrize("resave", [
    pytest.param(save_with_object_streams_pymupdf, id="object-streams-pymupdf"),
    pytest.param(save_with_pikepdf_object_streams, id="object-streams-qpdf"),
    pytest.param(update_incrementally_with_pypdf, id="cross-reference-stream"),
    pytest.param(shift_every_object, id="stale-offsets"),
])
def test_forms_saved_in_other_ways_are_read(blank, tmp_path, resave):
    filled = resave(fill_form(blank, AWKWARD, tmp_path / "filled.pdf"), tmp_path / "other.pdf")
    returned = read_form(filled)
    assert returned.rows == expected_rows({name: value.strip() for name, value in AWKWARD.items()})
    assert returned.confirmed and returned.identity == IDENTITY


def test_owner_password_file_is_read(blank, tmp_path):
    writer = PdfWriter(clone_from=fill_form(blank, AWKWARD, tmp_path / "f.pdf"))
    writer.encrypt(user_password="", owner_password="omistaja", algorithm="AES-256")
    path = tmp_path / "owner-only.pdf"
    writer.write(path)
    assert read_form(path).rows[3]["notes"] == AWKWARD["row03_notes"]


def test_checkbox_state_only_in_its_appearance_is_not_ticked(blank, tmp_path):
    """The field's value says whether it is ticked; an appearance alone does not."""
    writer = PdfWriter(clone_from=blank)
    for annot in writer.pages[-1]["/Annots"]:
        widget = annot.get_object()
        if widget["/T"] == "confirm":
            del widget["/V"]
            widget[NameObject("/AS")] = NameObject("/Yes")
    target = tmp_path / "as-only.pdf"
    writer.write(target)
    assert read_form(target).confirmed is False


def test_a_value_given_as_an_indirect_object_is_followed(blank, tmp_path):
    writer = PdfWriter(clone_from=fill_form(blank, TYPED, tmp_path / "f.pdf"))
    for annot in writer.pages[0]["/Annots"]:
        widget = annot.get_object()
        if widget["/T"] == "row01_notes":
            widget[NameObject("/V")] = writer._add_object(TextStringObject("Åsa (epäsuora)"))  # noqa: SLF001
    target = tmp_path / "indirect.pdf"
    writer.write(target)
    assert read_form(target).rows[1]["notes"] == "Åsa (epäsuora)"


def test_checkbox_with_an_escaped_state_name_is_ticked(blank, tmp_path):
    writer = PdfWriter(clone_from=blank)
    for annot in writer.pages[-1]["/Annots"]:
        widget = annot.get_object()
        if widget["/T"] == "confirm":
            normal = widget["/AP"]["/N"]
            normal[NameObject("/Kyllä #1")] = normal.raw_get("/Yes")  # written as /Kyll#C3#A4#20#231
            del normal["/Yes"]
            widget[NameObject("/V")] = widget[NameObject("/AS")] = NameObject("/Kyllä #1")
    target = tmp_path / "state.pdf"
    writer.write(target)
    assert b"#C3#A4" in target.read_bytes().upper()
    assert read_form(target).confirmed
