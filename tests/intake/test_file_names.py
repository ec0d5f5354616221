"""A returned file whose name is not UTF-8 (from an old zip or a Windows share) is read and archived under a
name that is text; neither ingest crashes on it nor leaves it behind."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from kokemus_docs.cli import cli
from kokemus_docs.core.fileio import text_name
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.intake import decision
from tests.intake.test_ingest import OCTOBER_ROWS, ON_TIME, json_reader, put_form

LATIN1_FORM = os.fsdecode(b"lomake-lokakuu-\xe4\xf6.pdf")  # 'lomake-lokakuu-äö.pdf' as a Windows zip wrote it
LATIN1_EXPORT = os.fsdecode(b"palaute-\xe5\x81.csv")  # 'å' and a byte that is no character in Windows-1252


@pytest.fixture
def fake_reader(monkeypatch):
    """Returned forms as JSON stand-ins for the PDF reader (see test_ingest.json_reader)."""
    monkeypatch.setattr(decision, "read_form", json_reader)


def listing(folder) -> list[bytes]:
    return sorted(os.fsencode(name) for name in os.listdir(folder))


def test_text_name_reads_the_bytes_as_windows_1252():
    assert text_name(LATIN1_FORM) == "lomake-lokakuu-äö.pdf"
    assert text_name(LATIN1_EXPORT) == "palaute-å_.csv"
    assert text_name("Łukasz Nguyễn-Čačić.pdf") == "Łukasz Nguyễn-Čačić.pdf"


def test_an_hour_form_named_in_latin_1_is_read_and_archived_under_a_text_name(workspace, fake_reader):
    put_form(workspace.inbox_dir, LATIN1_FORM, OCTOBER_ROWS, key=workspace.seal_key())
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "forms", "ingest", "--json",
                                      "--received-on", ON_TIME.isoformat()])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [form] = payload["forms"]
    assert form["status"] == "accepted" and form["path"] == "forms/inbox/lomake-lokakuu-äö.pdf"
    assert listing(workspace.inbox_dir) == []
    assert listing(workspace.processed_dir / "2026-10") == ["lomake-lokakuu-äö.pdf".encode()]
    with Ledger(workspace.ledger_path) as ledger:
        [row] = ledger.db.execute("SELECT file_name, archived_as, status FROM submissions").fetchall()
    assert tuple(row) == ("lomake-lokakuu-äö.pdf", "forms/processed/2026-10/lomake-lokakuu-äö.pdf", "accepted")
    again = CliRunner().invoke(cli, ["-w", str(workspace.root), "forms", "ingest", "--received-on",
                                     ON_TIME.isoformat()])
    assert again.exit_code == 0 and "No hour forms" in again.output


def test_a_survey_export_named_in_latin_1_is_read_and_archived(workspace):
    inbox = workspace.root / "feedback" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / LATIN1_EXPORT).write_bytes(
        "respondent,unit_id,date,recommend,s1,s2,s3,s4,s5,comment\r\nclient,MTP-PORVOO,,9,5,4,,,,Hyvä\r\n"
        .encode())
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "feedback", "ingest", "--json"])
    assert result.exit_code == 0, result.output
    [response] = json.loads(result.stdout)["responses"]
    assert response["status"] == "accepted" and response["path"] == "feedback/inbox/palaute-å_.csv"
    assert listing(inbox) == []
    assert listing(workspace.root / "feedback" / "processed") == ["palaute-å_.csv".encode()]
    with Ledger(workspace.ledger_path) as ledger:
        assert [r[0] for r in ledger.db.execute("SELECT file_name FROM feedback_files")] == ["palaute-å_.csv"]
