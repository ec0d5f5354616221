"""Issuing hour forms: one sealed fillable PDF per signed contract, fields as SPEC.md names them, no personal data."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from conftest import require_module, require_tool
from pypdf import PdfReader

from kokemus_docs.core.model import STATUS_LABELS, TASK_LABELS
from kokemus_docs.core.month import Month
from kokemus_docs.documents.context import contract_context
from kokemus_docs.forms.fields import IDENTITY_FIELDS, ROW_FIELDS, compute_seal, row_field, seal_matches
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.issue import issue_forms
from kokemus_docs.forms.layout import PAGE_HEIGHT, PAGE_WIDTH, form_layout
from kokemus_docs.forms.pdfwriter import FormSpec, build_form_pdf
from kokemus_docs.intake.formread import read_form

MONTH = Month("2026-10")


def form_path(ws, contract_id: str) -> Path:
    return ws.output("forms", MONTH, f"{contract_id}_{MONTH}.pdf")


def page_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture
def issued(workspace, register):
    return issue_forms(workspace, register, month=MONTH)


def test_one_form_per_signed_contract_and_unsigned_reported(workspace, register, issued):
    signed = sorted(c.contract_id for c in register.contracts.values() if c.signed_on)
    assert sorted(f["form_id"] for f in issued.extra["forms"]) == [f"{c}_{MONTH}" for c in signed]
    assert sorted(p.name for p in workspace.output("forms", MONTH).iterdir()) == [f"{c}_{MONTH}.pdf" for c in signed]
    assert all(p.is_file() for p in issued.written)
    [problem] = issued.errors
    assert (problem.sheet, problem.field, problem.code) == ("contracts", "signed_on", "contract-unsigned")
    assert "S-2026-016" in problem.message
    entry = next(f for f in issued.extra["forms"] if f["form_id"] == f"S-2026-001_{MONTH}")
    assert entry == {"form_id": f"S-2026-001_{MONTH}", "expert_id": "KA-001", "unit_id": "MTP-PORVOO",
                     "path": f"outputs/forms/{MONTH}/S-2026-001_{MONTH}.pdf"}


def test_filters_inactive_experts_and_months_outside_the_contract(workspace, register):
    register.experts["KA-002"] = dataclasses.replace(register.experts["KA-002"], active=False)
    register.contracts["S-2026-004"] = dataclasses.replace(register.contracts["S-2026-004"],
                                                           valid_to=date(2026, 9, 30))
    outcome = issue_forms(workspace, register, month=MONTH, unit_ids=("MTP-PORVOO", "IKÄ-PORVOO"))
    ids = {f["form_id"] for f in outcome.extra["forms"]}
    assert f"S-2026-002_{MONTH}" not in ids and f"S-2026-004_{MONTH}" not in ids
    assert {f["unit_id"] for f in outcome.extra["forms"]} == {"MTP-PORVOO", "IKÄ-PORVOO"}
    only = issue_forms(workspace, register, month=MONTH, expert_ids=("KA-003",))
    assert [f["form_id"] for f in only.extra["forms"]] == [f"S-2026-003_{MONTH}"]
    assert only.errors and only.errors[0].code == "contract-unsigned"  # KA-003's unsigned S-2026-016
    assert only.summary == [f"1 hour form for {MONTH} in outputs/forms/{MONTH}/"]  # never "1 hour forms"


def test_fields_read_only_identity_and_choice_lists(workspace, register, issued):
    reader = PdfReader(form_path(workspace, "S-2026-001"))
    fields = reader.get_fields()
    identity = {"form_id": f"S-2026-001_{MONTH}", "contract_id": "S-2026-001", "expert_id": "KA-001",
                "unit_id": "MTP-PORVOO", "month": MONTH}
    for name, value in identity.items():
        assert fields[name]["/V"] == value
        assert int(fields[name]["/Ff"]) & 1, f"{name} must be read-only"
    assert seal_matches(workspace.seal_key(), identity, fields["seal"]["/V"])
    assert int(fields["seal"]["/Ff"]) & 1

    rows = workspace.form_rows
    assert rows >= 25
    for row in range(1, rows + 1):
        for name in ROW_FIELDS:
            field = fields[row_field(row, name)]
            assert not int(field.get("/Ff", 0)) & 1
    assert row_field(rows + 1, "date") not in fields

    task = fields["row01_task"]
    assert task["/FT"] == "/Ch"
    assert [(str(code), str(label)) for code, label in task["/Opt"]] == [
        (code, TASK_LABELS[code]["fi"]) for code in ("individual", "group", "common_meeting")]
    status = fields["row25_status"]
    assert [str(label) for _, label in status["/Opt"]] == [labels["fi"] for labels in STATUS_LABELS.values()]
    assert [str(code) for code, _ in status["/Opt"]] == list(STATUS_LABELS)

    assert sorted(str(s) for s in fields["confirm"]["/_States_"]) == ["/Off", "/Yes"]
    assert fields["confirm"]["/V"] == "/Off"
    assert "signed_on" in fields

    acroform = reader.trailer["/Root"]["/AcroForm"]
    assert acroform["/NeedAppearances"] is False or str(acroform["/NeedAppearances"]) == "False"
    font = acroform["/DR"]["/Font"]["/DejaVu"]
    assert font["/Subtype"] == "/TrueType" and "/FontFile2" in font["/FontDescriptor"]
    assert {"/Lslash", "/Ccaron", "/cacute", "/aring", "/odieresis"} <= set(font["/Encoding"]["/Differences"])
    for page in reader.pages:
        for annot in page["/Annots"]:
            widget = annot.get_object()
            assert "/N" in widget["/AP"], widget["/T"]
            if widget["/FT"] != "/Btn":
                assert str(widget["/DA"]).startswith("/DejaVu ")


def test_swedish_expert_gets_a_swedish_form(workspace, register, issued):
    path = form_path(workspace, "S-2026-003")
    text = page_text(path)
    assert "Timblankett" in text and "oktober 2026" in text
    assert "Östra Nylands välfärdsområde" in text
    assert "Uppdragsgivaren kan avboka" in text and "Om kunden inte kommer" in text
    fields = PdfReader(path).get_fields()
    assert [str(label) for _, label in fields["row01_status"]["/Opt"]][0] == "Genomfördes"
    assert [str(code) for code, _ in fields["row01_task"]["/Opt"]] == ["group", "pair", "common_meeting"]


def test_header_rules_deadline_and_contact_in_the_experts_language(workspace, register, issued):
    text = page_text(form_path(workspace, "S-2026-001"))
    expert, unit = register.experts["KA-001"], register.units["MTP-PORVOO"]
    for expected in ("Itä-Uudenmaan hyvinvointialue", "Tuntilomake", "lokakuu 2026", expert.full_name,
                     unit.name_fi, "14.10.2026", "9.30", "15.00", "9.11.2026", unit.contact_name,
                     "Jos asiakas ei tule paikalle, palkkio maksetaan",
                     "Toimeksiantaja voi perua"):  # the party the contract names
        assert expected in text, expected
    assert "Vakuutan" in text


def test_the_form_says_how_the_contracts_tasks_are_really_paid(workspace, register, issued):
    """Per session, per hour or per event, as the fee table says for the contract's own tasks."""
    finnish = " ".join(page_text(form_path(workspace, "S-2026-001")).split())  # individual, group, meeting
    assert "tehtyjen tuntien mukaan" not in finnish
    assert ("yksilötyö kerralta, ryhmänohjaus tehdyiltä tunneilta, kokemusasiantuntijoiden yhteinen tapaaminen "
            "tilaisuudelta") in finnish
    swedish = " ".join(page_text(form_path(workspace, "S-2026-003")).split())  # KA-003: group, pair, meeting
    assert "enligt utförda timmar" not in swedish
    assert "grupphandledning per utförd timme, pararbete per gång" in swedish


# A setting that is not a time: tests/core/test_settings.py.
@pytest.mark.parametrize("setting, shown", [("14:30", "14.30"), ("9:00", "9.00")])
def test_cancellation_rule_prints_the_configured_cutoff(workspace, register, setting, shown):
    """The form states the cutoff that ingest applies and the contract prints, not a fixed 15.00."""
    workspace.config["deadlines"]["cancellation_cutoff"] = setting
    issue_forms(workspace, register, month=MONTH, expert_ids=["KA-001", "KA-003"])
    fi = " ".join(page_text(form_path(workspace, "S-2026-001")).split())
    sv = " ".join(page_text(form_path(workspace, "S-2026-003")).split())
    assert f"edellisenä päivänä kello {shown} asti" in fi
    assert f"fram till klockan {shown} dagen före" in sv
    assert contract_context(workspace, register, register.contracts["S-2026-001"])[0]["cancellation_cutoff"] == shown


def test_no_hetu_iban_or_address_in_any_form(workspace, register, issued):
    assert len(issued.extra["forms"]) == sum(1 for c in register.contracts.values() if c.signed_on) > 1
    for entry in issued.extra["forms"]:
        path = workspace.root / entry["path"]
        expert = register.experts[entry["expert_id"]]
        text = page_text(path)
        raw = path.read_bytes()
        for secret in (expert.hetu, expert.iban, expert.iban.replace(" ", ""), expert.street_address):
            assert secret not in text
            assert secret.encode() not in raw
            assert secret.encode("utf-16-be").hex().upper().encode() not in raw


def spec(rows: int = 25, language: str = "fi") -> FormSpec:
    identity = {"form_id": f"K-9_{MONTH}", "contract_id": "K-9", "expert_id": "E-9", "unit_id": "U-9", "month": MONTH}
    return FormSpec(language=language, org_name="Hyvinvointialue", identity=identity,
                    seal=compute_seal(b"k" * 32, identity), expert_name="Åke Öster", unit_name="Yksikkö Ä",
                    contact="Yhteys Henkilö", deadline=date(2026, 11, 9), payment=date(2026, 11, 30),
                    tasks=(("individual", "Yksilötyö"),), rows=rows)


@pytest.mark.parametrize("rows", [1, 14, 15, 25, 42, 43, 60])
def test_any_number_of_rows_fits_on_the_pages(tmp_path, rows):
    layout = form_layout(rows)
    path = tmp_path / "form.pdf"
    path.write_bytes(build_form_pdf(spec(rows)))
    reader = PdfReader(path)
    assert len(reader.pages) == layout.pages
    fields = reader.get_fields()
    assert all(row_field(r, n) in fields for r in range(1, rows + 1) for n in ROW_FIELDS)
    for name, box in layout.fields.items():
        assert 20 <= box.x0 < box.x1 <= PAGE_WIDTH - 20 and 15 <= box.y0 < box.y1 <= PAGE_HEIGHT - 20, name
    boxes = list(layout.fields.items())
    for index, (name, a) in enumerate(boxes):
        for other, b in boxes[index + 1:]:
            overlap = a.page == b.page and a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1
            assert not overlap, (name, other)


def test_fill_form_refuses_unknown_fields(tmp_path):
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    with pytest.raises(KeyError, match="row99_date"):
        fill_form(src, {"row99_date": "1.10.2026"}, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


def test_fill_form_values_read_back_and_identity_untouched(tmp_path):
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    values = {"row03_date": "14.10.2026", "row03_task": "individual", "row03_notes": "Ärrä & <ö>"}
    returned = read_form(fill_form(src, values, tmp_path / "filled.pdf", confirm=False))
    assert returned.rows == {3: {**dict.fromkeys(ROW_FIELDS, ""), "date": "14.10.2026", "task": "individual",
                                 "notes": "Ärrä & <ö>"}}
    assert returned.confirmed is False
    assert set(returned.identity) == set(IDENTITY_FIELDS)


def _dark_pixels(png: Path, box, scale: float) -> int:
    from PIL import Image

    image = Image.open(png).convert("L")
    x0, y0, x1, y1 = (round(v * scale) for v in (box.x0 + 1, PAGE_HEIGHT - box.y1 + 1, box.x1 - 1,
                                                   PAGE_HEIGHT - box.y0 - 1))
    region = image.crop((x0, y0, x1, y1))
    return sum(region.histogram()[:128])


RENDERERS = {
    "pdftoppm": lambda pdf, out: subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile",
                                                 str(pdf), str(out.with_suffix(""))], check=True),
    "mutool": lambda pdf, out: subprocess.run(["mutool", "draw", "-q", "-r", "72", "-o", str(out), str(pdf), "1"],
                                              check=True, capture_output=True),
}


@pytest.mark.parametrize("tool", list(RENDERERS))
def test_filled_values_are_drawn(tmp_path, tool):
    require_module("PIL")
    require_tool(tool, {"pdftoppm": "poppler-utils", "mutool": "mupdf-tools"}.get(tool))
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    filled = fill_form(src, {"row02_notes": "Åäö ÅÄÖ & tiedot", "row02_status": "held"}, tmp_path / "f.pdf")
    box = form_layout(25).fields["row02_notes"]
    empty_png, filled_png = tmp_path / "empty.png", tmp_path / "filled.png"
    RENDERERS[tool](src, empty_png)
    RENDERERS[tool](filled, filled_png)
    assert _dark_pixels(empty_png, box, 1) == 0
    assert _dark_pixels(filled_png, box, 1) > 20


def test_pdftotext_shows_typed_value_with_nordic_letters(tmp_path):
    require_tool("pdftotext", "poppler-utils")
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    filled = fill_form(src, {"row01_notes": "Kävin Åbolandissa öisin"}, tmp_path / "f.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(filled), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kävin Åbolandissa öisin" in text
    assert "Åke Öster" in text


def test_pdfium_shows_values_typed_elsewhere(tmp_path):
    pdfium = require_module("pypdfium2")
    src = tmp_path / "form.pdf"
    src.write_bytes(build_form_pdf(spec()))
    filled = fill_form(src, {"row02_notes": "Åäö ÅÄÖ"}, tmp_path / "f.pdf")
    box = form_layout(25).fields["row02_notes"]
    counts = []
    for path in (src, filled):
        pdf = pdfium.PdfDocument(str(path))
        pdf.init_forms()
        image = pdf[0].render(scale=1, may_draw_forms=True).to_pil()
        png = tmp_path / f"{path.stem}.png"
        image.save(png)
        counts.append(_dark_pixels(png, box, 1))
        pdf.close()
    assert counts[0] == 0 and counts[1] > 20
