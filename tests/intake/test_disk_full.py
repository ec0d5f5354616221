"""A full disk or a read-only workspace: exit 2 with a plain message, nothing lost, nothing half-written; and a
Latin-1 terminal prints a payroll's euros without a traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ledgerfill import MONTH, fill_sample_ledger

from kokemus_docs.cli import cli
from kokemus_docs.core.fileio import TEMP_PREFIX
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.intake import decision
from tests.intake.test_ingest import OCTOBER_ROWS, ON_TIME, json_reader, put_form

FAULTS = [pytest.param(errno.ENOSPC, "The disk is full", id="disk-full"),
          pytest.param(errno.EROFS, "read-only disk", id="read-only")]


@pytest.fixture
def fake_reader(monkeypatch):
    """Returned forms as JSON stand-ins for the PDF reader (see test_ingest.json_reader)."""
    monkeypatch.setattr(decision, "read_form", json_reader)


def refuse_writes(monkeypatch, number: int) -> None:
    """Every rename or hard link that would put a finished file in place fails as the disk would."""
    def refused(*args, **kwargs):
        raise OSError(number, os.strerror(number), args[-1] if args else None)

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(os, "link", refused)


def temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def run(ws, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


def assert_plain_stop(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, OSError)


@pytest.mark.parametrize("number, message", FAULTS)
def test_forms_ingest_stops_and_loses_nothing(workspace, fake_reader, monkeypatch, number, message):
    key = workspace.seal_key()
    put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "b.pdf", OCTOBER_ROWS, key=key, contract_id="S-2026-004", expert_id="KA-004",
             unit_id="IKÄ-PORVOO")
    with monkeypatch.context() as faults:
        refuse_writes(faults, number)
        assert_plain_stop(run(workspace, "forms", "ingest", "--received-on", ON_TIME.isoformat()), message)
    assert temps(workspace.root) == []
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    result = run(workspace, "forms", "ingest", "--received-on", ON_TIME.isoformat())
    assert "2 accepted" in result.output or "1 accepted" in result.output, result.output
    with Ledger(workspace.ledger_path) as ledger:
        assert {r[0] for r in ledger.db.execute("SELECT file_name FROM submissions")} == {"a.pdf", "b.pdf"}


@pytest.mark.parametrize("number, message", FAULTS)
@pytest.mark.parametrize("args", [
    pytest.param(["forms", "issue", "--month", MONTH], id="forms-issue"),
    pytest.param(["feedback", "issue", "--unit", "MTP-PORVOO"], id="feedback-issue"),
    pytest.param(["notices", "--month", MONTH], id="notices"),
    pytest.param(["payroll", "--month", MONTH, "--close"], id="payroll-close"),
])
def test_a_writing_command_stops_with_a_plain_message_and_leaves_nothing_half_written(
        workspace, monkeypatch, args, number, message):
    fill_sample_ledger(workspace.ledger_path)
    with monkeypatch.context() as faults:
        refuse_writes(faults, number)
        assert_plain_stop(run(workspace, *args), message)
    assert temps(workspace.root) == []
    outputs = [p for p in workspace.outputs_dir.rglob("*") if p.is_file()]
    assert outputs == []
    with Ledger(workspace.ledger_path) as ledger:
        assert not ledger.is_closed(MONTH)
        assert ledger.db.execute("SELECT COUNT(*) FROM feedback_questionnaires").fetchone()[0] == 0
    assert run(workspace, *args).exit_code in (0, 1)  # with room on the disk, the same command does its work


def test_a_latin_1_terminal_prints_the_euros_of_a_closed_payroll(workspace):
    fill_sample_ledger(workspace.ledger_path)
    env = {**os.environ, "PYTHONIOENCODING": "ISO-8859-1", "LC_ALL": "C", "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "kokemus_docs", "-w", str(workspace.root), "payroll", "--month",
                           MONTH, "--close"], capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode("latin-1")
    assert b"Traceback" not in done.stderr
    assert b"904,90 EUR" in done.stdout.replace(b"\xa0", b" ")
    again = subprocess.run([sys.executable, "-m", "kokemus_docs", "-w", str(workspace.root), "payroll", "--month",
                            MONTH, "--json"], capture_output=True, env=env, timeout=300)
    assert again.returncode == 0 and b'"total_eur": "904.90"' in again.stdout
