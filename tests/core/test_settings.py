"""kokemus.toml is checked when the workspace opens: a value kokemus cannot use is named, never replaced."""

from __future__ import annotations

from datetime import time

import pytest
from click.testing import CliRunner

from kokemus_docs.cli import cli
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import DEFAULT_CONFIG, Workspace


def with_setting(ws: Workspace, old: str, new: str) -> None:
    assert old in DEFAULT_CONFIG
    (ws.root / "kokemus.toml").write_text(DEFAULT_CONFIG.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("old, new, key, accepts", [
    pytest.param('cancellation_cutoff = "15:00"', 'cancellation_cutoff = "klo 16"', "deadlines.cancellation_cutoff",
                 "hours and minutes", id="cutoff-klo"),
    pytest.param('cancellation_cutoff = "15:00"', 'cancellation_cutoff = "4 pm"', "deadlines.cancellation_cutoff",
                 "hours and minutes", id="cutoff-pm"),
    pytest.param('cancellation_cutoff = "15:00"', 'cancellation_cutoff = "16.00.00"',
                 "deadlines.cancellation_cutoff", "hours and minutes", id="cutoff-seconds"),
    pytest.param('cancellation_cutoff = "15:00"', "cancellation_cutoff = 16", "deadlines.cancellation_cutoff",
                 "hours and minutes", id="cutoff-number"),
    pytest.param("notice_day = 9", 'notice_day = "ninth"', "deadlines.notice_day", "from 1 to 28",
                 id="notice-day-word"),
    pytest.param("notice_day = 9", "notice_day = 0", "deadlines.notice_day", "from 1 to 28", id="notice-day-0"),
    pytest.param("notice_day = 9", "notice_day = 9.5", "deadlines.notice_day", "from 1 to 28",
                 id="notice-day-fraction"),
    pytest.param("rows = 25", "rows = 0", "forms.rows", "from 1 to 60", id="rows-0"),
    pytest.param("rows = 25", "rows = -3", "forms.rows", "from 1 to 60", id="rows-negative"),
    pytest.param("rows = 25", 'rows = "many"', "forms.rows", "from 1 to 60", id="rows-word"),
    pytest.param("rows = 25", "rows = 100000", "forms.rows", "from 1 to 60", id="rows-huge"),
    pytest.param("rows = 25", "rows = true", "forms.rows", "from 1 to 60", id="rows-bool"),
    pytest.param('max_travel_eur = "200.00"', 'max_travel_eur = "lots"', "forms.max_travel_eur", "two decimals",
                 id="travel-word"),
    pytest.param('name_fi = "Itä-Uudenmaan hyvinvointialue"', "name_fi = 5", "organisation.name_fi",
                 "text in quotes", id="name-number"),
    pytest.param('public_url = "http://127.0.0.1:8000"', 'public_url = "kokemus.example.fi"', "web.public_url",
                 "https://", id="url-without-scheme"),
    pytest.param("[feedback.columns]", '[feedback.columns]\n"Yksikkö" = 3', "feedback.columns", "in quotes",
                 id="feedback-column-number"),
])
def test_a_setting_kokemus_cannot_use_stops_every_command_naming_the_key(workspace, old, new, key, accepts):
    with_setting(workspace, old, new)
    for args in (["check"], ["forms", "issue", "--month", "2026-10"], ["payroll", "--month", "2026-10"]):
        result = CliRunner().invoke(cli, ["-w", str(workspace.root), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert f"{key} = " in result.output or f"{key}:" in result.output, result.output
        assert accepts in result.output
    assert not workspace.output("forms").exists() and not workspace.output("payroll").exists()


def test_a_whole_section_that_is_not_a_table_is_named(workspace):
    (workspace.root / "kokemus.toml").write_text("organisation = 5\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "check"])
    assert result.exit_code == 2 and "[organisation] must be a table of settings" in result.output


def test_every_problem_is_listed_at_once(workspace):
    with_setting(workspace, "rows = 25", 'rows = 0\n# …')
    text = (workspace.root / "kokemus.toml").read_text(encoding="utf-8").replace("notice_day = 9", "notice_day = 0")
    (workspace.root / "kokemus.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "check"])
    assert "forms.rows = 0" in result.output and "deadlines.notice_day = 0" in result.output


@pytest.mark.parametrize("written, cutoff", [
    pytest.param('"16:00"', time(16, 0), id="colon"),
    pytest.param('"16.00"', time(16, 0), id="point"),
    pytest.param('"9.30"', time(9, 30), id="one-digit-hour"),
    pytest.param("16:00:00", time(16, 0), id="toml-time"),
])
def test_a_cutoff_written_as_people_write_times_is_taken(workspace, written, cutoff):
    with_setting(workspace, 'cancellation_cutoff = "15:00"', f"cancellation_cutoff = {written}")
    assert Workspace.open(workspace.root).cancellation_cutoff == cutoff


def test_the_cutoff_decides_a_cancellation_at_15_30(workspace, register):
    """With the cut-off at 16.00, a cancellation at 15.30 the day before is in time: no fee."""
    from kokemus_docs.forms.fields import ReturnedForm, form_id_for
    from kokemus_docs.intake.rules import validate_form

    with_setting(workspace, 'cancellation_cutoff = "15:00"', 'cancellation_cutoff = "16.00"')
    ws = Workspace.open(workspace.root)
    identity = {"form_id": form_id_for("S-2026-001", Month("2026-10")), "contract_id": "S-2026-001",
                "expert_id": "KA-001", "unit_id": "MTP-PORVOO", "month": "2026-10"}
    form = ReturnedForm(path="f.pdf", identity=identity, seal="", confirmed=True, signed_on="", rows={1: {
        "date": "14.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "cancelled_in_time",
        "cancelled_at": "13.10.2026 15.30"}})
    [line] = validate_form(form, register, cutoff=ws.cancellation_cutoff).lines
    assert (line.status, line.payable) == ("cancelled_in_time", False)
