"""The command line as users meet it: exit codes, --json on stdout only, messages that say what to do."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kokemus_docs.cli import cli


def run(*args, workspace=None):
    runner = CliRunner()
    prefix = ["-w", str(workspace.root)] if workspace is not None else []
    return runner.invoke(cli, [*prefix, *args], catch_exceptions=False)


def test_init_makes_a_workspace(tmp_path):
    result = run("init", str(tmp_path / "new"), "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert {"kokemus.toml", "register.xlsx", ".kokemus/seal.key"} <= set(payload["written"])
    root = tmp_path / "new"
    for folder in ("templates", "forms/inbox", "outputs"):
        assert (root / folder).is_dir()
    assert stat.S_IMODE(os.stat(root / ".kokemus" / "seal.key").st_mode) == 0o600
    assert "instructions" in load_workbook(root / "register.xlsx").sheetnames


def test_init_refuses_an_existing_workspace(tmp_path):
    run("init", str(tmp_path / "ws"))
    result = run("init", str(tmp_path / "ws"))
    assert result.exit_code == 2
    assert "already a kokemus workspace" in result.stderr


def snapshot(root):
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")}


@pytest.mark.parametrize("leftover", [
    pytest.param("register.xlsx", id="a-register"),
    pytest.param(".kokemus/seal.key", id="a-sealing-key"),
    pytest.param(".kokemus/ledger.sqlite", id="a-ledger"),
    pytest.param("templates/contract_fi.docx", id="an-edited-template"),
])
def test_init_refuses_a_folder_holding_any_of_its_files_and_writes_nothing(tmp_path, leftover):
    """A folder with a register, a key or edited templates but no kokemus.toml once got an empty register
    and a new sealing key, and every form out with the experts was then rejected as edited."""
    root = tmp_path / "ws"
    (root / leftover).parent.mkdir(parents=True, exist_ok=True)
    (root / leftover).write_bytes(b"the county's own " + leftover.encode())
    before = snapshot(root)
    result = run("init", str(root))
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    shown = ".kokemus" if leftover.startswith(".kokemus/") else leftover
    assert f"holds {shown}" in message and "Nothing was written" in message
    assert snapshot(root) == before


def test_init_takes_an_empty_or_unrelated_folder(tmp_path):
    (tmp_path / "ws" / "outputs").mkdir(parents=True)
    (tmp_path / "ws" / "notes.txt").write_text("mine")
    assert run("init", str(tmp_path / "ws")).exit_code == 0
    assert (tmp_path / "ws" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("args", [
    pytest.param(["payroll", "--month", "0000-01"], id="payroll-0000-01"),
    pytest.param(["payroll", "--month", "9999-12"], id="payroll-9999-12"),
    pytest.param(["notices", "--month", "1999-12"], id="notices-1999-12"),
    pytest.param(["forms", "issue", "--month", "2100-01"], id="forms-2100-01"),
    pytest.param(["links", "--month", "0000-01"], id="links-0000-01"),
    pytest.param(["indicators", "--year", "1999"], id="indicators-1999"),
    pytest.param(["indicators", "--year", "2100"], id="indicators-2100"),
    pytest.param(["statements", "--year", "2100"], id="statements-2100"),
])
def test_months_and_years_outside_2000_to_2099_are_usage_errors(workspace, args):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not workspace.outputs_dir.joinpath("indicators").exists()


def test_check_clean_register(workspace):
    result = run("check", "--json", workspace=workspace)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["counts"] == {"experts": 14, "units": 4, "contracts": 16, "fees": 7}
    assert payload["errors"] == []
    assert [w["code"] for w in payload["warnings"] if w["code"] != "setting-missing"] == ["unsigned"]
    assert {w["field"] for w in payload["warnings"] if w["code"] == "setting-missing"} >= {"organisation.business_id"}


def test_check_reports_sheet_row_and_column(workspace):
    workbook = load_workbook(workspace.register_path)
    workbook["experts"]["F3"] = "en"  # language of KA-002
    workbook["contracts"]["C4"] = "NOWHERE"
    workbook.save(workspace.register_path)
    result = run("check", "--json", workspace=workspace)
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert {"message", "path", "sheet", "row", "field", "code"} <= set(errors[0])
    assert {(e["sheet"], e["row"], e["field"]) for e in errors} >= {
        ("experts", 3, "language"), ("contracts", 4, "unit_id")}
    human = run("check", workspace=workspace)
    assert human.exit_code == 1
    assert "error: register.xlsx, sheet experts, row 3, column language: 'en' is not a language" in human.stderr


def test_no_workspace_is_a_setup_error(tmp_path):
    result = run("-w", str(tmp_path), "check", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["ok"] is False
    assert "kokemus init" in result.stderr


def test_unreadable_register_is_a_setup_error(workspace):
    workspace.register_path.write_text("nonsense")
    result = run("check", workspace=workspace)
    assert result.exit_code == 2
    assert "is not an Excel workbook (.xlsx)" in result.stderr


def test_workspace_from_environment(workspace):
    result = CliRunner().invoke(cli, ["check", "--json"], env={"KOKEMUS_WORKSPACE": str(workspace.root)})
    assert result.exit_code == 0


def test_bad_month_and_format_are_usage_errors(workspace):
    assert run("forms", "issue", "--month", "10/2026", workspace=workspace).exit_code == 2
    for month in ("2026-13", "1999-12", "2100-01"):
        result = run("payroll", "--month", month, workspace=workspace)
        assert result.exit_code == 2 and "2000-01 and 2099-12" in result.output, month
    assert run("indicators", "--year", "2100", workspace=workspace).exit_code == 2
    assert run("indicators", "--year", "1999", workspace=workspace).exit_code == 2
    assert run("contracts", "--format", "odt", workspace=workspace).exit_code == 2


def test_pdf_without_libreoffice_names_the_install_command(workspace, tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "contracts", "--format", "docx,pdf", "--json"],
                                env={"PATH": str(empty_bin)})
    assert result.exit_code == 2
    assert "apt-get install libreoffice-writer-nogui" in result.stderr
    assert json.loads(result.stdout)["errors"][0]["code"] == "libreoffice-missing"
    assert not (workspace.root / "outputs" / "contracts").exists() or not any(
        (workspace.root / "outputs" / "contracts").iterdir())


def test_contracts_json_keeps_stdout_clean(workspace):
    result = run("contracts", "--json", workspace=workspace)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    docx = [p for p in payload["written"] if p.endswith(".docx")]
    assert len(docx) == 16 and all(p.startswith("outputs/contracts/") for p in docx)
    assert "[16/16]" in result.stderr  # progress goes to stderr


def test_forms_round_trip_through_the_cli(workspace, register):
    from kokemus_docs.demo.month import form_values
    from kokemus_docs.forms.fill import fill_form

    issued = run("forms", "issue", "--month", "2026-10", "--expert", "KA-002", "--json", workspace=workspace)
    assert issued.exit_code == 0, issued.stderr
    form_path = workspace.root / json.loads(issued.stdout)["written"][0]
    fill_form(form_path, form_values([("7.10.2026", "9.30", "10.30", "individual", "held", "", "", "", ""),
                                      ("9.10.2026", "12.00", "13.00", "pair", "no_show", "", "", "", "")]),
              workspace.inbox_dir / "returned.pdf")
    result = run("forms", "ingest", "--received-on", "2026-11-02", "--json", workspace=workspace)
    assert result.exit_code == 0, result.stderr
    form = json.loads(result.stdout)["forms"][0]
    assert {"path", "form_id", "expert_id", "unit_id", "month", "status", "errors", "warnings", "lines"} <= set(form)
    assert (form["form_id"], form["status"], form["month"]) == ("S-2026-002_2026-10", "accepted", "2026-10")
    assert [(ln["row"], ln["date"], ln["payable"], ln["fee_eur"]) for ln in form["lines"]] == [
        (1, "2026-10-07", True, "50.00"), (2, "2026-10-09", True, "50.00")]
    payroll = run("payroll", "--month", "2026-10", "--json", workspace=workspace)
    payload = json.loads(payroll.stdout)
    assert (payload["total_eur"], payload["payment_date"], payload["notice_deadline"]) == (
        "100.00", "2026-11-30", "2026-11-09")
    expert = register.experts["KA-002"]
    for secret in (expert.hetu, expert.iban, expert.street_address):
        assert secret not in payroll.stdout + payroll.stderr


def test_unknown_ids_are_reported_not_silently_ignored(workspace):
    for args in (["forms", "issue", "--month", "2026-10", "--unit", "NOPE"], ["contracts", "--expert", "KA-999"],
                 ["intro-packs", "--unit", "NOPE"], ["notices", "--month", "2026-10", "--unit", "NOPE"]):
        result = run(*args, "--json", workspace=workspace)
        assert result.exit_code == 1, args
        assert json.loads(result.stdout)["errors"][0]["code"] in ("unknown-unit", "unknown-expert"), args
