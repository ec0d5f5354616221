"""Reading and checking the register workbook: every broken cell is reported with sheet, row and column."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kokemus_docs.core.errors import RegisterUnreadable
from kokemus_docs.register.cells import hetu_problem
from kokemus_docs.register.sample import demo_register, make_hetu, make_iban
from kokemus_docs.register.sheets import SHEETS, load_register
from kokemus_docs.register.write import write_empty_register, write_register


def test_round_trip_keeps_every_value(tmp_path, register):
    path = write_register(tmp_path / "r.xlsx", register.experts.values(), register.units.values(),
                          register.contracts.values(), register.fees)
    check = load_register(path)
    assert check.errors == []
    assert check.register.experts == register.experts
    assert check.register.units == register.units
    assert check.register.contracts == register.contracts
    assert check.register.fees == register.fees
    assert [w.code for w in check.warnings] == ["unsigned"]


def test_empty_register_has_headers_and_instructions(tmp_path):
    path = write_empty_register(tmp_path / "empty.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["instructions", "experts", "units", "contracts", "fees"]
    for sheet, columns in SHEETS.items():
        assert [c.value for c in workbook[sheet][1]] == [c.name for c in columns]
    assert load_register(path).counts == {"experts": 0, "units": 0, "contracts": 0, "fees": 0}


def _broken_workbook(tmp_path, edit) -> load_register:
    """The demo register written to a workbook, then one cell changed by `edit(workbook)`."""
    reg = demo_register()
    path = write_register(tmp_path / "r.xlsx", reg.experts.values(), reg.units.values(), reg.contracts.values(),
                          reg.fees)
    workbook = load_workbook(path)
    edit(workbook)
    workbook.save(path)
    return load_register(path, today=date(2026, 11, 23))


def _set(sheet: str, row: int, column: str, value):
    def edit(workbook):
        header = [c.value for c in workbook[sheet][1]]
        workbook[sheet].cell(row, header.index(column) + 1).value = value
    return edit


@pytest.mark.parametrize("sheet,row,column,value,code", [
    pytest.param("experts", 2, "first_name", None, "required", id="missing-required"),
    pytest.param("experts", 3, "expert_id", "KA-001", "duplicate-id", id="duplicate-expert-id"),
    pytest.param("experts", 3, "expert_id", "ka-001", "duplicate-id", id="duplicate-expert-id-other-case"),
    pytest.param("units", 5, "unit_id", "Mtp-Porvoo", "duplicate-id", id="duplicate-unit-id-other-case"),
    pytest.param("experts", 2, "hetu", "131052-308X", "bad-hetu", id="hetu-checksum"),
    pytest.param("experts", 2, "hetu", "310299-1234", "bad-hetu", id="hetu-impossible-date"),
    pytest.param("experts", 2, "hetu", make_hetu(date(2027, 5, 1), 123, "A"), "future-hetu", id="hetu-future"),
    pytest.param("experts", 2, "iban", "FI21 1234 5600 0007 86", "bad-iban", id="iban-check-digits"),
    pytest.param("experts", 2, "language", "en", "bad-language", id="language-not-fi-sv"),
    pytest.param("experts", 2, "tax_card_year", "last year", "bad-year", id="tax-card-year-text"),
    pytest.param("experts", 2, "tax_card_year", 20255, "bad-year", id="tax-card-year-typo"),
    pytest.param("experts", 2, "tax_card_year", "1999", "bad-year", id="tax-card-year-before-2000"),
    pytest.param("experts", 2, "tax_card_year", 2100, "bad-year", id="tax-card-year-after-2099"),
    pytest.param("experts", 2, "earnings_limit_eur", "-1000", "bad-limit", id="earnings-limit-negative"),
    pytest.param("experts", 3, "earnings_limit_eur", "noin tonni", "bad-limit", id="earnings-limit-unreadable"),
    pytest.param("experts", 3, "earnings_limit_eur", "1e3", "bad-limit", id="earnings-limit-exponent"),
    pytest.param("experts", 3, "earnings_limit_eur", "976,591", "bad-limit", id="earnings-limit-three-decimals"),
    pytest.param("units", 2, "cost_center", "", "required", id="unit-cost-centre-missing"),
    pytest.param("contracts", 2, "expert_id", "KA-999", "unknown-expert", id="unknown-expert"),
    pytest.param("contracts", 2, "unit_id", "NOWHERE", "unknown-unit", id="unknown-unit"),
    pytest.param("contracts", 2, "tasks", "individual; juggling", "unknown-task", id="unknown-task"),
    pytest.param("contracts", 2, "valid_to", "1.1.2025", "dates-reversed", id="valid-to-before-from"),
    pytest.param("contracts", 2, "valid_from", "31.2.2026", "bad-date", id="impossible-date"),
    pytest.param("fees", 2, "rate_eur", "fifty", "bad-decimal", id="rate-not-a-number"),
    pytest.param("fees", 2, "basis", "minute", "bad-basis", id="basis-unknown"),
    pytest.param("fees", 5, "valid_from", "1.10.2026", "overlapping-rates", id="overlapping-rates"),
])
def test_each_broken_cell_is_reported_where_it_is(tmp_path, sheet, row, column, value, code):
    check = _broken_workbook(tmp_path, _set(sheet, row, column, value))
    found = [p for p in check.errors if p.code == code]
    assert found, [str(p) for p in check.errors]
    problem = found[0]
    assert (problem.sheet, problem.row, problem.field) == (sheet, row, column)
    assert problem.path == "r.xlsx"
    assert str(problem).startswith(f"r.xlsx, sheet {sheet}, row {row}, column {column}: ")


def _copy_cell(column: str, source_row: int, target_row: int):
    def edit(workbook):
        header = [c.value for c in workbook["experts"][1]]
        position = header.index(column) + 1
        workbook["experts"].cell(target_row, position).value = workbook["experts"].cell(source_row, position).value
    return edit


def test_one_henkilotunnus_on_two_experts_is_an_error_naming_the_other_row(tmp_path):
    """Payroll once printed one person's pay under another's henkilötunnus."""
    check = _broken_workbook(tmp_path, _copy_cell("hetu", 2, 5))
    [problem] = [p for p in check.errors if p.code == "duplicate-hetu"]
    assert (problem.sheet, problem.row, problem.field) == ("experts", 5, "hetu")
    assert "KA-001" in problem.message and "row 2" in problem.message
    assert demo_register().experts["KA-001"].hetu not in str(problem)
    assert "KA-004" not in check.register.experts and "KA-001" in check.register.experts


def test_one_iban_on_two_experts_is_a_warning(tmp_path):
    check = _broken_workbook(tmp_path, _copy_cell("iban", 2, 5))
    [problem] = [p for p in check.warnings if p.code == "shared-iban"]
    assert (problem.sheet, problem.row, problem.field) == ("experts", 5, "iban")
    assert "KA-001" in problem.message and demo_register().experts["KA-001"].iban not in str(problem)
    assert {"KA-001", "KA-004"} <= set(check.register.experts) and not check.errors


@pytest.mark.parametrize("typed, kept", [
    pytest.param(6100, "06100", id="number-loses-its-zero"),
    pytest.param(6100.0, "06100", id="float"),
    pytest.param("06100", "06100", id="text"),
    pytest.param(99999, "99999", id="five-digits"),
    pytest.param("FI-06100", "FI-06100", id="other-text"),
])
def test_a_postal_code_typed_as_a_number_keeps_its_leading_zero(tmp_path, typed, kept):
    check = _broken_workbook(tmp_path, _set("experts", 2, "postal_code", typed))
    assert check.register.experts["KA-001"].postal_code == kept


def test_a_broken_row_is_left_out_and_the_rest_kept(tmp_path):
    check = _broken_workbook(tmp_path, _set("experts", 2, "iban", "not an iban"))
    assert "KA-001" not in check.register.experts
    assert len(check.register.experts) == 13
    # the contracts of the left-out expert are reported too, not silently dropped
    assert {p.row for p in check.errors if p.code == "unknown-expert"} == {2, 16}


def test_every_problem_is_reported_at_once(tmp_path):
    def edit(workbook):
        _set("experts", 2, "language", "de")(workbook)
        _set("units", 3, "name_sv", None)(workbook)
        _set("fees", 2, "rate_eur", "-5")(workbook)
    check = _broken_workbook(tmp_path, edit)
    assert {(p.sheet, p.row, p.field) for p in check.errors} >= {
        ("experts", 2, "language"), ("units", 3, "name_sv"), ("fees", 2, "rate_eur")}


def test_task_without_a_rate(tmp_path):
    def edit(workbook):
        fees = workbook["fees"]
        for row in range(2, fees.max_row + 1):
            if fees.cell(row, 1).value == "lecture":
                fees.delete_rows(row)
                break
    check = _broken_workbook(tmp_path, edit)
    assert any(p.code == "no-rate" and p.sheet == "contracts" and p.field == "tasks" for p in check.errors)


def test_messages_never_show_the_hetu_or_iban(tmp_path):
    bad_hetu = "131052-308X"

    def edit(workbook):
        _set("experts", 2, "hetu", bad_hetu)(workbook)
        _set("experts", 3, "iban", "FI21 1234 5600 0007 86")(workbook)
    check = _broken_workbook(tmp_path, edit)
    text = " ".join(str(p) for p in check.errors)
    assert bad_hetu not in text and "308X" not in text and "0007 86" not in text and "000786" not in text


@pytest.mark.parametrize("hetu,expected", [
    pytest.param("131052-308T", None, id="classic"),
    pytest.param(make_hetu(date(1999, 4, 1), 345, "Y"), None, id="2023-sign-Y"),
    pytest.param(make_hetu(date(1985, 4, 1), 345, "U"), None, id="2023-sign-U"),
    pytest.param(make_hetu(date(2005, 4, 1), 345, "B"), None, id="2023-sign-B"),
    pytest.param(make_hetu(date(2010, 4, 1), 345, "F"), None, id="2023-sign-F"),
    pytest.param(make_hetu(date(1899, 4, 1), 345, "+"), None, id="1800s"),
    pytest.param(make_hetu(date(1970, 4, 1), 950), "temporary-hetu", id="temporary-is-warning"),
    pytest.param(make_hetu(date(2026, 12, 1), 345, "A"), "future-hetu", id="future-birth-date"),
    pytest.param("131052-308U", "bad-hetu", id="wrong-check-char"),
    pytest.param("131052/308T", "bad-hetu", id="unknown-century-sign"),
])
def test_henkilotunnus(hetu, expected):
    found = hetu_problem(hetu, today=date(2026, 11, 23))
    assert (found[1] if found else None) == expected
    if found:
        assert found[2] == (expected == "temporary-hetu")


def test_temporary_hetu_keeps_the_expert_with_a_warning(tmp_path):
    check = _broken_workbook(tmp_path, _set("experts", 2, "hetu", make_hetu(date(1970, 4, 1), 950)))
    assert "KA-001" in check.register.experts
    assert any(w.code == "temporary-hetu" and w.row == 2 for w in check.warnings)


def test_finnish_and_swedish_header_aliases_and_typed_dates(tmp_path):
    workbook = Workbook()
    workbook.active.title = "experts"
    workbook["experts"].append(["Tunnus", "Etunimi", "Sukunimi", "Henkilötunnus", "Tilinumero", "Språk", "Extra"])
    workbook["experts"].append(["KA-1", "Åke", "Öst", "131052-308T", make_iban(1), "SV", "ignored"])
    for sheet in ("units", "contracts", "fees"):
        workbook.create_sheet(sheet).append([c.name.upper() for c in SHEETS[sheet]])
    workbook["fees"].append(["individual", "session", "37,5", date(2026, 1, 1), None])
    workbook["units"].append(["U", "Yksikkö", "Enhet", "100", "Contact"])
    workbook["contracts"].append(["S-1", "KA-1", "U", "individual", "1.1.2026", "2026-12-31", "15.12.2025"])
    path = tmp_path / "aliases.xlsx"
    workbook.save(path)
    check = load_register(path)
    assert check.errors == []
    assert check.register.experts["KA-1"].language == "sv"
    assert check.register.fees[0].rate_eur == Decimal("37.5")
    assert check.register.contracts["S-1"].valid_to == date(2026, 12, 31)


@pytest.mark.parametrize("content,code", [
    pytest.param(b"not a workbook", "register-unreadable", id="not-xlsx"),
    pytest.param(None, "register-missing", id="missing-file"),
])
def test_unreadable_register(tmp_path, content, code):
    path = tmp_path / "register.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RegisterUnreadable) as info:
        load_register(path)
    assert info.value.code == code


def test_missing_sheet_and_missing_column(tmp_path):
    workbook = Workbook()
    workbook.active.title = "experts"
    workbook.save(tmp_path / "one.xlsx")
    with pytest.raises(RegisterUnreadable, match="units, contracts, fees"):
        load_register(tmp_path / "one.xlsx")
    path = write_empty_register(tmp_path / "r.xlsx")
    workbook = load_workbook(path)
    workbook["units"].delete_cols(4)  # cost_center
    workbook.save(path)
    with pytest.raises(RegisterUnreadable, match="cost_center"):
        load_register(path)


def test_formula_looking_text_stays_text(tmp_path):
    reg = demo_register()
    expert = reg.experts["KA-002"]
    import dataclasses
    tricky = dataclasses.replace(expert, wishes='=HYPERLINK("http://x","y")')
    path = write_register(tmp_path / "r.xlsx", [tricky], [], [], [])
    cell_values = [c.value for c in load_workbook(path)["experts"][2]]
    assert '=HYPERLINK("http://x","y")' in cell_values
    assert load_register(path).register.experts["KA-002"].wishes == '=HYPERLINK("http://x","y")'


# --- ids (SPEC.md "Limits") -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sheet,row,column,value", [
    pytest.param("contracts", 2, "contract_id", "../../../../tmp/x", id="contract-id-parent-path"),
    pytest.param("contracts", 2, "contract_id", "/tmp/y", id="contract-id-absolute-path"),
    pytest.param("contracts", 2, "contract_id", "S" * 300, id="contract-id-300-characters"),
    pytest.param("contracts", 2, "contract_id", "S" * 65, id="contract-id-65-characters"),
    pytest.param("contracts", 2, "contract_id", "..", id="contract-id-dot-dot"),
    pytest.param("contracts", 2, "contract_id", "S 2026 001", id="contract-id-spaces"),
    pytest.param("contracts", 2, "contract_id", "S-1\\x", id="contract-id-backslash"),
    pytest.param("experts", 2, "expert_id", "KA/001", id="expert-id-slash"),
    pytest.param("units", 2, "unit_id", "MTP:PORVOO", id="unit-id-colon"),
    pytest.param("contracts", 3, "expert_id", "../KA-002", id="contract-names-bad-expert-id"),
    pytest.param("fees", 2, "task", "indi vidual", id="fee-task-space"),
])
def test_an_id_outside_the_rules_is_a_register_error(tmp_path, sheet, row, column, value):
    check = _broken_workbook(tmp_path, _set(sheet, row, column, value))
    [problem] = [p for p in check.errors if p.code == "bad-id"]
    assert (problem.sheet, problem.row, problem.field) == (sheet, row, column)
    assert len(problem.message) < 300 and "letters, digits" in problem.message
    ids = {"experts": check.register.experts, "units": check.register.units, "contracts": check.register.contracts}
    if sheet in ids:
        assert value not in ids[sheet]
        assert all(value not in key for key in ids[sheet])


def test_a_bad_task_code_in_a_contract_is_an_error_at_the_tasks_column(tmp_path):
    check = _broken_workbook(tmp_path, _set("contracts", 2, "tasks", "individual; ../group"))
    [problem] = [p for p in check.errors if p.code == "bad-ids"]
    assert (problem.sheet, problem.row, problem.field) == ("contracts", 2, "tasks")
    assert "S-2026-001" not in check.register.contracts


@pytest.mark.parametrize("value", ["MTP-PORVOO", "IKÄ-LOVIISA", "Łukasz.Nguyễn_2", "a" * 64, "v1.2"])
def test_ids_within_the_rules_are_kept(tmp_path, value):
    check = _broken_workbook(tmp_path, _set("units", 2, "unit_id", value))
    assert value in check.register.units
    assert not [p for p in check.errors if p.sheet == "units"]


# --- cells, rates -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sheet,row,column,value,code", [
    pytest.param("experts", 2, "wishes", "x" * 2001, "too-long", id="text-2001-characters"),
    pytest.param("experts", 2, "hetu", "1" * 5000, "too-long", id="hetu-5000-characters"),
    pytest.param("units", 3, "name_fi", "Yksikkö\x9b31mnimi", "control-character", id="c1-control-csi"),
    pytest.param("fees", 2, "rate_eur", "27,555", "bad-decimal", id="rate-three-decimals"),
    pytest.param("fees", 2, "rate_eur", "1e3", "bad-decimal", id="rate-exponent"),
    pytest.param("fees", 2, "rate_eur", 1e24, "bad-decimal", id="rate-float-1e24"),
    pytest.param("fees", 2, "rate_eur", "10000,01", "bad-decimal", id="rate-over-limit"),
    pytest.param("fees", 2, "rate_eur", "NaN", "bad-decimal", id="rate-nan"),
])
def test_values_beyond_the_limits_are_register_errors(tmp_path, sheet, row, column, value, code):
    check = _broken_workbook(tmp_path, _set(sheet, row, column, value))
    [problem] = [p for p in check.errors if p.code == code]
    assert (problem.sheet, problem.row, problem.field) == (sheet, row, column)
    assert len(problem.message) < 300


def test_a_text_of_2000_characters_is_kept(tmp_path):
    check = _broken_workbook(tmp_path, _set("experts", 2, "wishes", "å" * 2000))
    assert check.register.experts["KA-001"].wishes == "å" * 2000


@pytest.mark.parametrize("cell, expected", [
    pytest.param(27.5, "27.50", id="float-27.5"),
    pytest.param(25 * 1.1, "27.50", id="float-noise-as-excel-shows-it"),
    pytest.param(50, "50.00", id="integer"),
    pytest.param("27,5", "27.50", id="text-comma"),
    pytest.param(0.1 + 0.2, "0.30", id="float-0.1-plus-0.2"),
])
def test_rates_become_decimal_cents_exactly(tmp_path, cell, expected):
    check = _broken_workbook(tmp_path, _set("fees", 2, "rate_eur", cell))
    rate = check.register.fees[0]
    assert type(rate.rate_eur) is Decimal and str(rate.rate_eur) == expected


# --- the workbook file --------------------------------------------------------------------------------------
def _register_file(tmp_path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None):
    """The demo register as a file, with zip members replaced or added (each written compressed)."""
    import zipfile

    reg = demo_register()
    good = write_register(tmp_path / "good.xlsx", reg.experts.values(), reg.units.values(),
                          reg.contracts.values(), reg.fees)
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return path


def _unreadable(path) -> RegisterUnreadable:
    import time

    started = time.monotonic()
    with pytest.raises(RegisterUnreadable) as info:
        load_register(path)
    assert time.monotonic() - started < 5
    error = info.value
    assert error.exit_code == 2
    for python_text in ("Error", "zip file", "not well-formed", "line 1", "Traceback", "\\x", "b'"):
        assert python_text not in error.message, error.message
    return error


def test_a_huge_name_packed_small_is_refused_before_reading(tmp_path):
    import zipfile

    path = _register_file(tmp_path)
    with zipfile.ZipFile(path) as package:
        workbook_xml = package.read("xl/workbook.xml")
    huge = b"<definedNames><definedName name=\"" + b"A" * 30_000_000 + b"\">experts!$A$1</definedName></definedNames>"
    path = _register_file(tmp_path, replace={"xl/workbook.xml": workbook_xml.replace(b"<calcPr", huge + b"<calcPr")})
    assert path.stat().st_size < 200_000
    error = _unreadable(path)
    assert error.code == "register-too-large" and "30 MB" in error.message


def test_total_unpacked_size_and_member_count_are_bounded(tmp_path, monkeypatch):
    import os
    from dataclasses import replace

    import kokemus_docs.register.sheets as register_module

    noise = os.urandom(400_000)  # does not compress: passes the ratio check, counts towards the total
    path = _register_file(tmp_path, add={f"xl/media/image{i}.bin": noise for i in range(3)})
    assert load_register(path).errors == []
    limits = register_module.PACKAGE_LIMITS
    monkeypatch.setattr(register_module, "PACKAGE_LIMITS", replace(limits, max_unpacked=1_000_000))
    assert _unreadable(path).code == "register-too-large"
    monkeypatch.setattr(register_module, "PACKAGE_LIMITS", replace(limits, max_members=20))
    error = _unreadable(path)
    assert error.code == "register-too-large" and "28 parts" in error.message


@pytest.mark.parametrize("member, damage", [
    pytest.param("xl/worksheets/sheet2.xml", b"\x0b", id="vertical-tab-in-experts-sheet"),
    pytest.param("xl/worksheets/sheet3.xml", b"\x00", id="nul-in-units-sheet"),
    pytest.param("xl/workbook.xml", b"\x0b", id="vertical-tab-in-workbook"),
])
def test_damaged_xml_is_a_plain_error(tmp_path, member, damage):
    import zipfile

    path = _register_file(tmp_path)
    with zipfile.ZipFile(path) as package:
        xml = package.read(member)
    position = xml.index(b"<is><t>") + 7 if b"<is><t>" in xml else xml.index(b"<sheets>")
    path = _register_file(tmp_path, replace={member: xml[:position] + damage + xml[position:]})
    error = _unreadable(path)
    assert error.code == "register-damaged"
    assert "save it as a new .xlsx" in error.message


def test_a_doctype_is_refused(tmp_path):
    import zipfile

    path = _register_file(tmp_path)
    with zipfile.ZipFile(path) as package:
        xml = package.read("xl/worksheets/sheet2.xml")
    doctype = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = _register_file(tmp_path, replace={"xl/worksheets/sheet2.xml": doctype + xml})
    assert _unreadable(path).code == "register-damaged"


@pytest.mark.parametrize("prolog, encoding", [
    pytest.param(b"<!--" + b" " * 5000 + b"-->", "utf-8", id="after-a-long-comment"),
    pytest.param(b"\n" * 5000, "utf-8", id="after-blank-lines"),
    pytest.param(b"", "utf-16", id="in-utf-16"),
])
def test_a_doctype_is_refused_wherever_it_hides(tmp_path, prolog, encoding):
    import zipfile

    path = _register_file(tmp_path)
    with zipfile.ZipFile(path) as package:
        xml = package.read("xl/worksheets/sheet2.xml")
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'.encode()
    member = (declaration + prolog + doctype + xml).decode("utf-8").encode(encoding)
    path = _register_file(tmp_path, replace={"xl/worksheets/sheet2.xml": member})
    assert _unreadable(path).code == "register-damaged"


@pytest.mark.parametrize("content, expected", [
    pytest.param(b"expert_id;first_name\nKA-1;Anna\n", "save it as an Excel workbook", id="csv-renamed"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old .xls workbook", id="xls-renamed"),
    pytest.param(b"PK\x03\x04" + b"\0" * 100, "is damaged", id="cut-short-zip"),
    pytest.param(b"", "not an Excel workbook", id="empty-file"),
])
def test_a_file_that_is_not_an_xlsx_is_a_plain_error(tmp_path, content, expected):
    path = tmp_path / "register.xlsx"
    path.write_bytes(content)
    error = _unreadable(path)
    assert expected in error.message


@pytest.mark.parametrize("other", ["register.xls", "register.csv", "register.ods"])
def test_a_missing_register_beside_another_format_says_to_save_as_xlsx(tmp_path, other):
    (tmp_path / other).write_bytes(b"something")
    with pytest.raises(RegisterUnreadable) as info:
        load_register(tmp_path / "register.xlsx")
    assert info.value.code == "register-missing"
    assert other in info.value.message and "save it as register.xlsx" in info.value.message


def test_more_rows_than_the_limit_is_refused(tmp_path, monkeypatch):
    import kokemus_docs.register.sheets as register_module

    reg = demo_register()
    path = write_register(tmp_path / "r.xlsx", reg.experts.values(), reg.units.values(), reg.contracts.values(),
                          reg.fees)
    monkeypatch.setattr(register_module, "MAX_ROWS", 16)  # the demo's largest sheet: 16 contracts
    assert len(load_register(path).register.contracts) == 16
    monkeypatch.setattr(register_module, "MAX_ROWS", 15)
    with pytest.raises(RegisterUnreadable) as info:
        load_register(path)
    assert info.value.code == "too-many-rows" and "sheet contracts" in info.value.message


def test_formatting_far_below_the_data_is_not_read(tmp_path):
    reg = demo_register()
    path = write_register(tmp_path / "r.xlsx", reg.experts.values(), reg.units.values(), reg.contracts.values(),
                          reg.fees)
    workbook = load_workbook(path)
    workbook["units"].cell(1_000_000, 16_000).value = ""  # an empty cell far away, as formatting leaves behind
    workbook["units"].cell(1_000_000, 16_000).number_format = "0.00"
    workbook.save(path)
    import time

    started = time.monotonic()
    check = load_register(path)
    assert time.monotonic() - started < 5
    assert check.errors == [] and len(check.register.units) == len(reg.units)


# --- what `kokemus check` adds: Swedish unit texts and kokemus.toml settings ------------------------------------
FILLED_SETTINGS = {"business_id": "3221308-6", "postal_address_fi": "PL 46, 06101 Porvoo",
                   "postal_address_sv": "PB 46, 06101 Borgå", "coordinator_name": "Åsa Öst",
                   "coordinator_email": "asa.ost@example.fi", "coordinator_phone": "040 123 4567"}


def test_check_warns_about_each_empty_organisation_setting(workspace):
    from kokemus_docs.register.sheets import check_register

    outcome = check_register(workspace)
    assert {w.field for w in outcome.warnings if w.code == "setting-missing"} == {
        f"organisation.{key}" for key in FILLED_SETTINGS}
    workspace.config["organisation"].update(FILLED_SETTINGS, business_id="  ")
    [warning] = [w for w in check_register(workspace).warnings if w.code == "setting-missing"]
    assert (warning.path, warning.field) == ("kokemus.toml", "organisation.business_id")
    assert "business_id" in warning.message and "kokemus.toml" in warning.message
    workspace.config["organisation"].update(FILLED_SETTINGS)
    outcome = check_register(workspace)
    assert not [w for w in outcome.warnings if w.code == "setting-missing"]
    assert outcome.ok and outcome.summary[-1].startswith("No errors.")


def test_check_warns_when_a_swedish_experts_unit_lacks_swedish_texts(workspace, register):
    from kokemus_docs.register.sample import write_sample_register
    from kokemus_docs.register.sheets import check_register

    workspace.config["organisation"].update(FILLED_SETTINGS)
    assert check_register(workspace).warnings == [w for w in check_register(workspace).warnings
                                                  if w.code != "swedish-text-missing"]
    sv_units = sorted({c.unit_id for c in register.contracts.values()
                       if register.experts[c.expert_id].language == "sv"})
    units = dict(register.units)
    units[sv_units[0]] = dataclasses.replace(units[sv_units[0]], address_sv="", service_area_sv="")
    # a unit without contracts (so without Swedish-speaking experts) needs no Swedish texts
    units["UUSI-YKSIKKÖ"] = dataclasses.replace(units[sv_units[0]], unit_id="UUSI-YKSIKKÖ", premises_sv="")
    write_sample_register(workspace.register_path, dataclasses.replace(register, units=units))
    warnings = [w for w in check_register(workspace).warnings if w.code == "swedish-text-missing"]
    unit_row = 2 + list(units).index(sv_units[0])
    assert {(w.sheet, w.row, w.field) for w in warnings} == {
        ("units", unit_row, "address_sv"), ("units", unit_row, "service_area_sv")}
    assert all(sv_units[0] in w.message for w in warnings)


def test_a_unit_without_finnish_text_needs_no_swedish_one(workspace, register):
    from kokemus_docs.register.sample import write_sample_register
    from kokemus_docs.register.sheets import check_register

    sv_unit = next(c.unit_id for c in register.contracts.values() if register.experts[c.expert_id].language == "sv")
    units = dict(register.units)
    units[sv_unit] = dataclasses.replace(units[sv_unit], premises="", premises_sv="")
    write_sample_register(workspace.register_path, dataclasses.replace(register, units=units))
    assert not [w for w in check_register(workspace).warnings if w.code == "swedish-text-missing"]


@pytest.mark.parametrize("value", ["9" * 1999, 1e300, "２０２６", "-1"])
def test_tax_card_year_is_a_plain_whole_number(tmp_path, value):
    check = _broken_workbook(tmp_path, _set("experts", 2, "tax_card_year", value))
    [problem] = [p for p in check.errors if p.code == "bad-year"]
    assert (problem.sheet, problem.row, problem.field) == ("experts", 2, "tax_card_year")
    assert len(problem.message) < 200


@pytest.mark.parametrize("flags", [pytest.param(0x1, id="encrypted-member"), pytest.param(None, id="corrupt-deflate")])
def test_broken_members_are_a_plain_error(tmp_path, flags):
    import zipfile

    path = _register_file(tmp_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/workbook.xml")
    if flags is None:
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for i in range(start + 10, start + 60):
            data[i] ^= 0x5A
    else:  # the general purpose flag in the local header and in the central directory
        data[info.header_offset + 6] |= flags
        central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/workbook.xml"))
        data[central + 8] |= flags
    path.write_bytes(bytes(data))
    error = _unreadable(path)
    assert error.code == "register-damaged"


def test_an_id_typed_with_a_decomposed_letter_is_the_same_id(tmp_path):
    check = _broken_workbook(tmp_path, _set("units", 3, "unit_id", "IKA\u0308-PORVOO"))  # A + combining diaeresis
    assert [(p.code, p.sheet, p.row) for p in check.errors if p.sheet == "units"] == [("duplicate-id", "units", 5)]
    assert "IKÄ-PORVOO" in check.register.units


def test_earnings_limit_is_optional_and_round_trips_as_decimal(tmp_path, register):
    register.experts["KA-004"] = dataclasses.replace(register.experts["KA-004"],
                                                     earnings_limit_eur=Decimal("976.59"))
    path = write_register(tmp_path / "r.xlsx", register.experts.values(), register.units.values(),
                          register.contracts.values(), register.fees)
    experts = load_register(path).register.experts
    assert experts["KA-004"].earnings_limit_eur == Decimal("976.59")
    assert isinstance(experts["KA-004"].earnings_limit_eur, Decimal)
    assert experts["KA-001"].earnings_limit_eur is None
