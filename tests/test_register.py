"""Reading and checking the register workbook: every broken cell is reported with sheet, row and column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kokemus_docs.errors import RegisterUnreadable
from kokemus_docs.register import SHEETS, hetu_problem, load_register, write_empty_register, write_register
from kokemus_docs.sample import demo_register, make_hetu, make_iban


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
    pytest.param("experts", 2, "hetu", "131052-308X", "bad-hetu", id="hetu-checksum"),
    pytest.param("experts", 2, "hetu", "310299-1234", "bad-hetu", id="hetu-impossible-date"),
    pytest.param("experts", 2, "hetu", make_hetu(date(2027, 5, 1), 123, "A"), "future-hetu", id="hetu-future"),
    pytest.param("experts", 2, "iban", "FI21 1234 5600 0007 86", "bad-iban", id="iban-check-digits"),
    pytest.param("experts", 2, "language", "en", "bad-language", id="language-not-fi-sv"),
    pytest.param("experts", 2, "tax_card_year", "last year", "bad-int", id="tax-card-year-text"),
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
