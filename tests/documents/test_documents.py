"""Contracts and introduction packs from the Word templates: text, languages, personal data, errors."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from conftest import TRICKY_FIRST, TRICKY_LAST, TRICKY_UNIT_FI, TRICKY_UNIT_SV
from docx.oxml.ns import qn

from kokemus_docs.core.model import Contract, Expert, FeeRate, Register, Unit
from kokemus_docs.documents import context as contexts
from kokemus_docs.documents.assignments import render_contracts, render_intro_packs
from kokemus_docs.documents.render import render_documents

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FIXED_TODAY = date(2026, 11, 23)
TEMPLATE_NAMES = ("contract_fi.docx", "contract_sv.docx", "intro_pack_fi.docx", "intro_pack_sv.docx",
                  "fee_notice_fi.docx", "fee_notice_sv.docx")


COUNTY = {"business_id": "3221372-6", "postal_address_fi": "PL 46, 06151 Porvoo",
          "postal_address_sv": "PB 46, 06151 Borgå", "coordinator_name": "Helena Kallio-Söderström",
          "coordinator_email": "kokemus@example.fi", "coordinator_phone": "040 100 2000"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(contexts, "_today", lambda: FIXED_TODAY)


@pytest.fixture(autouse=True)
def county_details(request):
    """The county's business ID, postal address and coordinator as the demo's kokemus.toml has them."""
    if "workspace" in request.fixturenames:
        request.getfixturevalue("workspace").config["organisation"].update(COUNTY)


def small_register() -> Register:
    """Two experts (fi, sv), one unit, a fee table with a rate change: the golden contracts' input."""
    experts = {
        "KA-101": Expert("KA-101", 'Liisa "Lii"', "Järvinen & Öhman", "131052-308T", "FI2112345600000785", "fi",
                         email="liisa@example.org", phone="050 123 4567", street_address="Kotikatu 5 B 12",
                         postal_code="06100", city="Porvoo", education="Kokemusasiantuntijakoulutus <2019>",
                         expert_experience="Vertaisryhmät 4 vuotta", topics=("mielenterveys", "päihteet"),
                         wishes="Ryhmät & luennot"),
        "KA-102": Expert("KA-102", "Åke", "Sjöström-O'Hara", "010190-123D", "FI4950009420028730", "sv",
                         email="ake@example.org", phone="040 765 4321", street_address="Hemvägen 3",
                         postal_code="06100", city="Borgå", education="Utbildning till erfarenhetsexpert",
                         expert_experience="Föreläsningar & grupper", topics=("psykisk hälsa",),
                         wishes='"Helst dagtid"'),
    }
    units = {"U-1": Unit("U-1", "Mieli & päihde <Ankkuri>", "Psykisk hälsa & missbruk <Ankaret>", "410120",
                         "Tiina Lehtonen", "tiina@example.fi", "040 100 2001", "Sairaalankatu 1, 06150 Porvoo",
                         "Huone B214", "mielenterveyspalvelut", address_sv="Sjukhusgatan 1, 06150 Borgå",
                         premises_sv="Rum B214", service_area_sv="tjänster för psykisk hälsa & missbruk")}
    contracts = {
        "S-1": Contract("S-1", "KA-101", "U-1", ("individual", "group"), date(2026, 1, 1), date(2026, 12, 31),
                        date(2025, 12, 15)),
        "S-2": Contract("S-2", "KA-102", "U-1", ("group", "lecture"), date(2026, 10, 15), date(2027, 6, 30)),
    }
    fees = [
        FeeRate("individual", "session", Decimal("50.00"), date(2026, 1, 1)),
        FeeRate("group", "hour", Decimal("25.00"), date(2026, 1, 1), date(2026, 10, 14)),
        FeeRate("group", "hour", Decimal("27.50"), date(2026, 10, 15)),
        FeeRate("lecture", "event", Decimal("1200.00"), date(2026, 1, 1)),
    ]
    return Register(experts=experts, units=units, contracts=contracts, fees=fees)


def docx_lines(source: Path | bytes) -> list[str]:
    """The document's text in reading order: header, body paragraphs and table rows ("a | b"), footer."""
    document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines: list[str] = []
    section = document.sections[0]
    lines += [p.text for p in section.header.paragraphs]
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(docx.text.paragraph.Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            for row in table.rows:
                lines.append(" | ".join(cell.text.replace("\n", " / ") for cell in row.cells))
    lines += [p.text for p in section.footer.paragraphs]
    return lines


def all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist()
                       if name.endswith((".xml", ".rels")))


def fee_notice_context(language: str) -> dict:
    line = {"date": "14.10.2026", "task_label": "Ryhmänohjaus & <tuki>", "status_label": "Toteutui",
            "hours": "1,5", "basis_label": "tunti", "rate": "27,50 €", "fee": "41,25 €", "travel": "0,00 €"}
    expert = {"expert_id": "KA-101", "full_name": 'Liisa "Lii" Järvinen & Öhman', "lines": [line, line],
              "fee_total": "82,50 €", "travel_total": "0,00 €", "total": "82,50 €"}
    return {"lang": language, "org_name": "Itä-Uudenmaan hyvinvointialue", "coordinator_title": "x",
            "coordinator_name": "", "payroll_name": "HPK Palvelut", "tax_card_address": "Yrittäjäntie 12 A",
            "notice_day": "9", "cancellation_cutoff": "15.00", "generated_on": "23.11.2026",
            "unit": {"unit_id": "U-1", "name": "Mieli & päihde <Ankkuri>", "address": "", "premises": "",
                     "contact_name": "Tiina 'T' Lehtonen", "contact_email": "", "contact_phone": "",
                     "cost_center": "410120", "service_area": ""},
            "month": "2026-10", "month_label": "lokakuu 2026", "notice_deadline": "9.11.2026",
            "payment_date": "30.11.2026", "experts": [expert, dict(expert, expert_id="KA-102")],
            "fee_total": "165,00 €", "travel_total": "0,00 €", "total": "165,00 €", "late_note": "Myöhässä & <x>",
            "unpaid": [{"date": "21.10.2026", "expert": 'Liisa "Lii" Järvinen & Öhman', "task_label": "Yksilötyö",
                        "reason": "Kokemusasiantuntija sairastui: ei palkkiota"}],
            "corrections": [{"month": "syyskuu 2026", "expert": 'Liisa "Lii" Järvinen & Öhman', "date": "3.9.2026",
                             "task_label": "Yksilötyö", "change": "lisää maksettavaa: palkkio 50,00 € & <x>",
                             "difference": "+50,00 €"}]}


# --- contracts ---------------------------------------------------------------------------------

def test_contracts_in_each_experts_language(workspace):
    register = small_register()
    outcome = render_contracts(workspace, register)
    assert outcome.ok, outcome.errors
    names = sorted(p.name for p in outcome.written)
    assert names == ["S-1_Järvinen___Öhman.docx", "S-2_Sjöström-O_Hara.docx"]
    fi = "\n".join(docx_lines(workspace.output("contracts", names[0])))
    sv = "\n".join(docx_lines(workspace.output("contracts", names[1])))
    assert "Kokemusasiantuntijan toimeksiantosopimus" in fi and "työsopimuslain (55/2001)" in fi
    assert "Uppdragsavtal för erfarenhetsexpert" in sv and "arbetsavtalslagen (55/2001)" in sv
    # the rate valid at the contract's start: S-2 starts the day the new group rate begins
    assert "Ryhmänohjaus\ttunti\t25,00\u00a0€\t1.1.2026" in fi
    assert "Grupphandledning\ttimme\t27,50\u00a0€\t15.10.2026" in sv
    assert "Föreläsning eller utbildning\ttillfälle\t1\u00a0200,00\u00a0€\t1.1.2026" in sv
    assert "klockan 15.00 dagen före" in sv and "Entreprenörsvägen 12 A, 06450 Borgå" in sv
    assert "kello 15.00" in fi and "Yrittäjäntie 12 A, 06450 Porvoo" in fi
    assert "{{" not in fi + sv and "{%" not in fi + sv
    docs = outcome.extra["documents"]
    assert [(d["contract_id"], d["language"]) for d in docs] == [("S-1", "fi"), ("S-2", "sv")]
    assert docs[0]["files"] == ["outputs/contracts/S-1_Järvinen___Öhman.docx"]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_contract_matches_golden_text(workspace, language):
    register = small_register()
    expert_id = {"fi": "KA-101", "sv": "KA-102"}[language]
    outcome = render_contracts(workspace, register, expert_ids=[expert_id])
    assert outcome.ok and len(outcome.written) == 1
    text = "\n".join(docx_lines(outcome.written[0])).replace(f" {FIXED_TODAY.day}.{FIXED_TODAY.month}."
                                                              f"{FIXED_TODAY.year}", " <generated_on>") + "\n"
    golden = GOLDEN / f"contract_{language}.txt"
    if os.environ.get("KOKEMUS_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_swedish_documents_show_the_units_swedish_fields_and_fall_back_to_finnish(workspace):
    register = small_register()
    contracts = render_contracts(workspace, register)
    packs = render_intro_packs(workspace, register)
    assert contracts.ok and packs.ok, contracts.errors + packs.errors
    by_language = {}
    for entry in contracts.extra["documents"] + packs.extra["documents"]:
        by_language.setdefault(entry["language"], []).append(workspace.root / entry["files"][0])
    for path in by_language["sv"]:
        text = "\n".join(docx_lines(path))
        assert "Besöksadress\tSjukhusgatan 1, 06150 Borgå" in text, path.name
        assert "Lokaler\tRum B214" in text and "Serviceområde\ttjänster för psykisk hälsa & missbruk" in text
        assert "Sairaalankatu" not in text and "Huone B214" not in text and "mielenterveyspalvelut" not in text
    for path in by_language["fi"]:
        text = "\n".join(docx_lines(path))
        assert "Käyntiosoite\tSairaalankatu 1, 06150 Porvoo" in text and "Tilat\tHuone B214" in text
        assert "Sjukhusgatan" not in text
    # a unit without Swedish values: the Swedish documents show the Finnish ones rather than nothing
    register.units["U-1"] = dataclasses.replace(register.units["U-1"], address_sv="", premises_sv="",
                                                service_area_sv="")
    outcome = render_contracts(workspace, register, expert_ids=["KA-102"])
    text = "\n".join(docx_lines(outcome.written[0]))
    assert "Besöksadress\tSairaalankatu 1, 06150 Porvoo" in text and "Serviceområde\tmielenterveyspalvelut" in text


@pytest.mark.parametrize("language, party, others", [
    ("fi", "toimeksiantaja", ("tilaaja", "hyvinvointialueen puolesta", "hyvinvointialueen ", "hyvinvointialue ei")),
    ("sv", "uppdragsgivare", ("beställare", "välfärdsområdet", "välfärdsområdets")),
])
def test_contract_names_the_county_one_way_and_says_once_when_fees_are_paid(workspace, language, party, others):
    register = small_register()
    expert_id = {"fi": "KA-101", "sv": "KA-102"}[language]
    outcome = render_contracts(workspace, register, expert_ids=[expert_id])
    lines = docx_lines(outcome.written[0])
    org = workspace.org_name(language)
    text = "\n".join(lines).replace(org, "<org>").casefold()
    assert text.count(party) >= 6  # parties, fee table, nature, cancellation, privacy, signatures
    for other in others:
        assert other not in text, other
    banking_day = {"fi": "viimeisenä pankkipäivänä", "sv": "sista bankdagen"}[language]
    pay_lines = [line for line in lines if banking_day in line]
    assert len(pay_lines) == 1, pay_lines
    assert {"fi": "seuraavan kuukauden viimeisenä pankkipäivänä",
            "sv": "sista bankdagen i följande månad"}[language] in pay_lines[0]
    assert {"fi": "kuukauden viimeisenä päivänä", "sv": "sista dagen i"}[language] not in text


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_contract_and_intro_pack_give_the_county_and_the_coordinators_contact(workspace, language):
    register = small_register()
    expert_id = {"fi": "KA-101", "sv": "KA-102"}[language]
    contract = render_contracts(workspace, register, expert_ids=[expert_id])
    pack = render_intro_packs(workspace, register, expert_ids=[expert_id])
    assert contract.ok and pack.ok and not contract.warnings
    contract_text = "\n".join(docx_lines(contract.written[0]))
    pack_text = "\n".join(docx_lines(pack.written[0]))
    title = workspace.config["organisation"][f"coordinator_title_{language}"]
    postal = COUNTY[f"postal_address_{language}"]
    labels = {"fi": ("Y-tunnus", "Postiosoite"), "sv": ("FO-nummer", "Postadress")}[language]
    assert f"{labels[0]}\t3221372-6" in contract_text and f"{labels[1]}\t{postal}" in contract_text
    for text in (contract_text, pack_text):
        assert f"Helena Kallio-Söderström, {title}" in text
        assert "kokemus@example.fi, 040 100 2000" in text
    # in the parties section and again where the expert is told whom to ask
    assert contract_text.count("kokemus@example.fi") == 2


def test_contract_without_the_countys_details_warns_and_the_title_stands_alone(workspace):
    organisation = workspace.config["organisation"]
    for key in ("business_id", "postal_address_fi", "coordinator_name"):
        organisation[key] = ""
    outcome = render_contracts(workspace, small_register(), expert_ids=["KA-101"])
    assert outcome.ok
    assert [(w.code, w.field) for w in outcome.warnings] == [("missing-setting", "business_id"),
                                                            ("missing-setting", "postal_address_fi")]
    text = "\n".join(docx_lines(outcome.written[0]))
    assert "Toimeksiantajan yhteyshenkilö\tJärjestötyön ja osallisuuden asiantuntija" in text


def test_tricky_values_survive_exactly(workspace, register):
    contracts = render_contracts(workspace, register, expert_ids=["KA-001"])
    packs = render_intro_packs(workspace, register, expert_ids=["KA-001"])
    assert contracts.ok and packs.ok
    full_name = f"{TRICKY_FIRST} {TRICKY_LAST}"
    for path in contracts.written + packs.written:
        text = "\n".join(docx_lines(path))
        assert full_name in text, path.name
        assert "{{" not in text
    porvoo = [p for p in contracts.written + packs.written if "MTP-PORVOO" in p.name or "S-2026-001" in p.name]
    assert porvoo
    for path in porvoo:
        assert TRICKY_UNIT_FI in "\n".join(docx_lines(path))


def test_swedish_unit_name_in_swedish_documents(workspace, register):
    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"], language="sv")
    outcome = render_intro_packs(workspace, register, unit_ids=["MTP-PORVOO"], expert_ids=["KA-001"])
    assert outcome.ok and len(outcome.written) == 1
    text = "\n".join(docx_lines(outcome.written[0]))
    assert f"Introduktionspaket: {TRICKY_UNIT_SV}" in text
    assert "Checklista för introduktionen" in text


def test_no_hetu_iban_or_home_address_in_any_document(workspace, register):
    outcome = render_contracts(workspace, register).merge(render_intro_packs(workspace, register))
    assert outcome.ok, outcome.errors
    pairs = {(c.unit_id, c.expert_id) for c in register.contracts.values()}
    assert len(outcome.written) == len(register.contracts) + len(pairs)
    secrets = []
    for expert in register.experts.values():
        secrets += [expert.hetu, expert.iban, expert.iban.replace(" ", ""), expert.street_address]
    for path in outcome.written:
        xml = all_xml(path)
        leaked = [s for s in secrets if s and s in xml]
        assert not leaked, f"{path.name} holds personal data"


def test_inactive_expert_is_skipped_with_a_warning(workspace):
    register = small_register()
    register.experts["KA-102"] = dataclasses.replace(register.experts["KA-102"], active=False)
    outcome = render_contracts(workspace, register)
    assert outcome.ok
    assert [p.name for p in outcome.written] == ["S-1_Järvinen___Öhman.docx"]
    assert [w.code for w in outcome.warnings] == ["inactive-expert"]
    assert "KA-102" in outcome.warnings[0].message


def test_unknown_expert_is_an_error_and_missing_rate_a_warning(workspace):
    register = small_register()
    register.contracts["S-1"] = dataclasses.replace(register.contracts["S-1"], tasks=("individual", "yoga"))
    outcome = render_contracts(workspace, register, expert_ids=["KA-101", "KA-999"])
    assert [e.code for e in outcome.errors] == ["unknown-expert"]
    assert "KA-999" in outcome.errors[0].message
    assert [w.code for w in outcome.warnings] == ["no-rate"]
    assert "'yoga'" in outcome.warnings[0].message
    assert len(outcome.written) == 1


# --- introduction packs ------------------------------------------------------------------------

def test_intro_packs_one_per_unit_and_expert(workspace, register):
    outcome = render_intro_packs(workspace, register)
    assert outcome.ok, outcome.errors
    pairs = {(c.unit_id, c.expert_id) for c in register.contracts.values()}
    assert sorted(p.name for p in outcome.written) == sorted(f"{u}_{e}.docx" for u, e in pairs)
    pack = workspace.output("intro-packs", "PERHE-LOVIISA_KA-003.docx")  # KA-003 writes Swedish
    text = "\n".join(docx_lines(pack))
    assert "Introduktionspaket: Familjecentralen & rådgivningen, Lovisa" in text
    assert text.count("\u2610") == 12
    assert "Sanna Öhman" in text and "sanna.ohman@example.fi" in text
    assert "senast den 9 i följande månad" in text


def test_intro_pack_filters(workspace, register):
    outcome = render_intro_packs(workspace, register, unit_ids=["IKÄ-PORVOO"], expert_ids=["KA-001", "KA-004"])
    assert sorted(p.name for p in outcome.written) == ["IKÄ-PORVOO_KA-001.docx", "IKÄ-PORVOO_KA-004.docx"]
    fi = "\n".join(docx_lines(outcome.written[0]))
    assert "Perehdytyksen tarkistuslista" in fi
    assert "Toimeksiantosopimus S-2026-015 on voimassa 1.1.2026 – 31.12.2026." in fi


# --- templates from the workspace, and broken ones ---------------------------------------------

def _write_template(path: Path, *paragraphs: str) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def test_workspace_template_wins(workspace):
    _write_template(workspace.templates_dir / "contract_fi.docx", "Oma pohja: {{ expert.full_name }} & {{ unit.name }}")
    outcome = render_contracts(workspace, small_register())
    assert outcome.ok
    fi, sv = sorted(outcome.written)
    assert docx_lines(fi)[1] == 'Oma pohja: Liisa "Lii" Järvinen & Öhman & Mieli & päihde <Ankkuri>'
    assert "Uppdragsavtal för erfarenhetsexpert" in docx_lines(sv)


def test_broken_template_is_named_with_its_line_and_the_rest_is_written(workspace):
    _write_template(workspace.templates_dir / "contract_sv.docx", "Avtal", "{{ expert.full_name }",
                    "slut")
    outcome = render_contracts(workspace, small_register())
    assert [p.name for p in outcome.written] == ["S-1_Järvinen___Öhman.docx"]
    assert len(outcome.errors) == 1
    error = outcome.errors[0]
    assert error.code == "template-error"
    assert error.path == "templates/contract_sv.docx"
    assert "contract_sv.docx" in error.message and "line 3, about paragraph 2" in error.message
    assert "expert.full_name" in error.message


@pytest.mark.parametrize("damage", [
    pytest.param(lambda parts: parts.pop("_rels/.rels"), id="no-package-relationships"),
    pytest.param(lambda parts: parts.pop("word/document.xml"), id="no-main-document"),
    pytest.param(lambda parts: parts.update({"word/document.xml": b"<w:document"}), id="document-not-xml"),
    pytest.param(lambda parts: parts.update({"word/_rels/document.xml.rels": b"<x"}), id="relationships-not-xml"),
    pytest.param(lambda parts: parts.update({"docProps/core.xml": b"<x"}), id="properties-not-xml"),
    pytest.param(lambda parts: parts.update({"not-a-zip": b"\xd0\xcf\x11\xe0 an old .doc"}), id="not-a-zip"),
    pytest.param(lambda parts: parts.update({"not-a-zip": b"PK\x03\x04" + b"\0" * 100}), id="cut-short"),
])
def test_damaged_template_is_one_plain_error_and_the_rest_is_written(workspace, damage):
    import zipfile

    with zipfile.ZipFile(workspace.template("contract_sv.docx")) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    damage(parts)
    target = workspace.templates_dir / "contract_sv.docx"
    if "not-a-zip" in parts:
        target.write_bytes(parts["not-a-zip"])
    else:
        with zipfile.ZipFile(target, "w") as package:
            for name, data in parts.items():
                package.writestr(name, data)
    outcome = render_contracts(workspace, small_register())
    assert [p.name for p in outcome.written] == ["S-1_Järvinen___Öhman.docx"]
    assert [(e.code, e.path) for e in outcome.errors] == [("template-unreadable", "templates/contract_sv.docx")]
    message = outcome.errors[0].message
    assert "contract_sv.docx is not a readable Word (.docx) file" in message and "1 document(s) not written" in message
    for python_text in ("Error", "line 1", "column", "<string>", "zip file"):
        assert python_text not in message, message


def test_a_very_long_last_name_is_cut_in_the_file_name_and_every_contract_is_written(workspace):
    reg = small_register()
    reg.experts["KA-101"] = dataclasses.replace(reg.experts["KA-101"], last_name="Ä" * 300)
    outcome = render_contracts(workspace, reg)
    assert outcome.ok, outcome.errors
    names = sorted(p.name for p in outcome.written)
    assert names == ["S-1_" + "Ä" * 50 + ".docx", "S-2_Sjöström-O_Hara.docx"]


def test_missing_template_is_one_error_for_its_documents(workspace, monkeypatch):
    (workspace.templates_dir / "contract_sv.docx").unlink()
    monkeypatch.setattr("kokemus_docs.core.workspace.builtin_template", lambda name: workspace.root / "nowhere" / name)
    outcome = render_contracts(workspace, small_register())
    assert [p.name for p in outcome.written] == ["S-1_Järvinen___Öhman.docx"]
    assert [(e.code, e.path) for e in outcome.errors] == [("template-missing", "templates/contract_sv.docx")]
    assert "1 document(s) not written" in outcome.errors[0].message


def test_misspelt_name_in_template_is_an_error_not_a_blank(workspace):
    _write_template(workspace.templates_dir / "intro_pack_fi.docx", "Hei", "{{ expert.fulname }}")
    outcome = render_intro_packs(workspace, small_register())
    assert [p.name for p in outcome.written] == ["U-1_KA-102.docx"]
    assert len(outcome.errors) == 1
    message = outcome.errors[0].message
    assert "intro_pack_fi.docx" in message and "fulname" in message and "paragraph 2" in message


def test_render_documents_accepts_plain_tuples(workspace):
    target = workspace.output("custom", "x.docx")
    outcome = render_documents(workspace, [("fee_notice_sv.docx", fee_notice_context("sv"), target)])
    assert outcome.ok and outcome.written == [target]
    assert "Arvodesanmälan: lokakuu 2026" in docx_lines(target)


# --- PDF ---------------------------------------------------------------------------------------

def test_pdf_without_libreoffice_stops_before_writing(workspace, monkeypatch):
    from kokemus_docs.core.errors import LibreOfficeMissing
    from kokemus_docs.documents import pdfconvert

    monkeypatch.setattr(pdfconvert.shutil, "which", lambda name: None)
    with pytest.raises(LibreOfficeMissing) as raised:
        render_contracts(workspace, small_register(), formats=("docx", "pdf"))
    assert raised.value.exit_code == 2 and "apt-get install" in raised.value.message
    assert not workspace.output("contracts").exists()


@pytest.mark.libreoffice
def test_contract_and_intro_pack_as_pdf(workspace, register):
    import pdfplumber

    outcome = render_contracts(workspace, register, expert_ids=["KA-001"], formats=("docx", "pdf"))
    outcome.merge(render_intro_packs(workspace, register, unit_ids=["MTP-PORVOO"], expert_ids=["KA-001"],
                                     formats=("pdf",)))
    assert outcome.ok, outcome.errors
    pdfs = [p for p in outcome.written if p.suffix == ".pdf"]
    assert len(pdfs) == 3
    assert not workspace.output("intro-packs", "MTP-PORVOO_KA-001.docx").exists()  # only PDF was asked
    for pdf in pdfs:
        with pdfplumber.open(pdf) as document:
            text = "\n".join(page.extract_text() or "" for page in document.pages)
        assert TRICKY_FIRST in text and TRICKY_LAST in text, pdf.name
    with pdfplumber.open(workspace.output("contracts", "S-2026-001_O_Brien__Ström.pdf")) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "työsopimuslain (55/2001)" in text and TRICKY_UNIT_FI in text


def pdftotext(pdf: Path) -> str:
    import subprocess

    result = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8").replace("\u00a0", " ")


@pytest.mark.libreoffice
def test_swedish_contract_and_pack_pdfs_read_as_signed(workspace):
    outcome = render_contracts(workspace, small_register(), formats=("pdf",))
    outcome.merge(render_intro_packs(workspace, small_register(), formats=("pdf",)))
    assert outcome.ok, outcome.errors
    texts = {entry["kind"] + "_" + entry["language"]: pdftotext(workspace.root / entry["files"][0])
             for entry in outcome.extra["documents"]}
    assert sorted(texts) == ["contract_fi", "contract_sv", "intro_pack_fi", "intro_pack_sv"]
    for kind in ("contract_sv", "intro_pack_sv"):
        text = texts[kind]
        assert "Sjukhusgatan 1, 06150 Borgå" in text and "Rum B214" in text, kind
        assert "Sairaalankatu" not in text and "Huone B214" not in text, kind
        assert "kokemus@example.fi, 040 100 2000" in text, kind
    assert "FO-nummer" in texts["contract_sv"] and "3221372-6" in texts["contract_sv"]
    assert "PB 46, 06151 Borgå" in texts["contract_sv"] and "För uppdragsgivaren" in texts["contract_sv"]
    assert "Y-tunnus" in texts["contract_fi"] and "Toimeksiantajan puolesta" in texts["contract_fi"]
    for kind, text in texts.items():
        word = "Sida" if kind.endswith("_sv") else "Sivu"
        numbers = re.findall(rf"{word} (\d+)/(\d+)", text)
        total = len(numbers)
        assert total >= 1 and numbers == [(str(page), str(total)) for page in range(1, total + 1)], kind


@pytest.mark.libreoffice
def test_batch_pdfs_equal_one_at_a_time_for_the_built_in_templates(workspace, register, tmp_path):
    import pdfplumber
    from pypdf import PdfReader

    from kokemus_docs.documents.pdfconvert import soffice_convert

    def pages(pdf: Path) -> list[str]:
        with pdfplumber.open(pdf) as document:
            return [page.extract_text() or "" for page in document.pages]

    # three Finnish and two Swedish contracts: each language is one merged batch
    experts = ["KA-001", "KA-002", "KA-004", "KA-003", "KA-005"]
    outcome = render_contracts(workspace, register, expert_ids=experts, formats=("docx", "pdf"))
    outcome.merge(render_intro_packs(workspace, register, unit_ids=["MTP-PORVOO"], formats=("docx", "pdf")))
    assert outcome.ok, outcome.errors
    docx_files = [p for p in outcome.written if p.suffix == ".docx"]
    assert len(docx_files) >= 7
    swedish = {Path(d["files"][0]).name for d in outcome.extra["documents"] if d["language"] == "sv"}
    assert swedish and len(swedish) < len(docx_files)
    # the built-in templates merge (their "Sivu 1/3" footers included), so a batch is one LibreOffice load
    from kokemus_docs.documents import merging

    templates: dict = {}
    for docx_file in docx_files:
        analysed = merging.DocxFile(docx_file, docx_file.with_suffix(".pdf"))
        merging.analyse(analysed, templates)
        assert analysed.signature is not None and analysed.template.page_count_parts, docx_file.name
    for index, docx_file in enumerate(docx_files):
        alone = tmp_path / "alone" / str(index) / docx_file.name
        alone.parent.mkdir(parents=True)
        alone.write_bytes(docx_file.read_bytes())
        single = soffice_convert([alone], alone.parent)[alone]
        batch_pages = pages(docx_file.with_suffix(".pdf"))
        assert batch_pages == pages(single), docx_file.name
        # "Sivu 1/3" / "Sida 1/3": this document's page and page count, not the merged batch's
        word = "Sida" if docx_file.name in swedish else "Sivu"
        footers = [text.strip().splitlines()[-1] for text in batch_pages]
        assert footers == [f"{word} {page}/{len(footers)}" for page in range(1, len(footers) + 1)], docx_file.name
        batch_info, single_info = (PdfReader(pdf).metadata for pdf in (docx_file.with_suffix(".pdf"), single))
        assert batch_info.title == single_info.title and batch_info.title, docx_file.name


@pytest.mark.libreoffice
def test_progress_counts_writing_and_converting_each_document(workspace, register):
    calls = []
    outcome = render_contracts(workspace, register, expert_ids=["KA-002", "KA-004"], formats=("docx", "pdf"),
                               progress=lambda done, total, label: calls.append((done, total, label)))
    assert outcome.ok, outcome.errors
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
    assert calls[-1][:2] == (4, 4) and {total for _, total, _ in calls} == {4}
    labels = {label for _, _, label in calls}
    written = {p.name for p in outcome.written}
    assert {name for name in written if name.endswith(".docx")} <= labels  # one step per document written
    assert calls[-1][2] in written and calls[-1][2].endswith(".pdf")  # conversions report by batch


@pytest.mark.parametrize("today,group_rate", [
    pytest.param(date(2026, 11, 2), "Ryhmänohjaus\ttunti\t27,50 € 15.10.2026 alkaen", id="after-the-change"),
    pytest.param(date(2026, 9, 1), "Ryhmänohjaus\ttunti\t25,00 €; 27,50 € 15.10.2026 alkaen", id="before-it"),
])
def test_intro_pack_shows_the_rates_valid_on_its_date_and_the_changes_to_come(workspace, register, monkeypatch,
                                                                             today, group_rate):
    """Group work is 25,00 €/h until 14.10.2026 and 27,50 € from 15.10.2026, as the notices pay it."""
    monkeypatch.setattr(contexts, "_today", lambda: today)
    outcome = render_intro_packs(workspace, register, unit_ids=["MTP-PORVOO"], expert_ids=["KA-001"])
    lines = [line.replace("\u00a0", " ") for line in docx_lines(outcome.written[0])]
    assert group_rate in lines, [line for line in lines if "Ryhmänohjaus" in line]
    assert "Yksilötyö\tkerta\t50,00 €" in lines
