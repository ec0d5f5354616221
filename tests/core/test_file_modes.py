"""File modes do not depend on the umask: folders 0700/0750, files with personal data or client comments 0600,
nothing writable by others; conversion temp folders of a killed process are removed by the next run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile

import pytest
from ledgerfill import fill_sample_ledger

from kokemus_docs.core.fileio import make_folder
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import init_workspace
from kokemus_docs.documents.assignments import render_contracts
from kokemus_docs.documents.scratch import remove_stale_temps
from kokemus_docs.feedback.ingest import ingest_feedback
from kokemus_docs.indicators.workbook import write_indicators
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.register.sample import write_sample_register


@pytest.fixture
def open_umask():
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_modes_under_umask_000(tmp_path, register, open_umask):
    ws, _ = init_workspace(tmp_path / "ws")
    write_sample_register(ws.register_path, register)
    assert render_contracts(ws, register).written
    fill_sample_ledger(ws.ledger_path)
    inbox = make_folder(ws.feedback_inbox)
    export = inbox / "export.csv"
    export.write_text("respondent;unit_id;date;recommend;s1;comment\nclient;MTP-PORVOO;2026-10-05;9;5;Hyvä & <ö>\n",
                      encoding="utf-8")
    os.chmod(export, 0o666)  # as a file dropped into the inbox by someone else's program
    assert ingest_feedback(ws, register).ok
    indicators = write_indicators(ws, register, 2026)
    payroll = write_payroll(ws, register, Month("2026-10"))

    for folder, _subfolders, files in os.walk(ws.root):
        assert _mode(folder) in (0o700, 0o750), f"{folder}: {oct(_mode(folder))}"
        for name in files:
            mode = _mode(os.path.join(folder, name))
            assert not mode & 0o022, f"{folder}/{name}: {oct(mode)}"
            assert not mode & 0o007, f"{folder}/{name}: {oct(mode)}"
    private = [ws.register_path, ws.root / indicators.written[0], ws.root / payroll.written[0],
               *(ws.root / "feedback" / "processed").rglob("*.csv")]
    assert len(private) == 4
    for path in private:
        assert _mode(path) == 0o600, f"{path}: {oct(_mode(path))}"
    assert _mode(ws.templates_dir / "contract_fi.docx") == 0o640


def test_temp_folders_of_a_killed_conversion_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    base = tmp_path
    stale = base / f"kokemus-pdf-{dead.pid}-abc123"
    stale.mkdir()
    (stale / "merged.docx").write_bytes(b"names and e-mails")
    mine = base / f"kokemus-pdf-{os.getpid()}-def456"
    alive = base / "kokemus-profiles-1-ghi789"  # pid 1 is running
    other = base / f"something-else-{dead.pid}-x"
    for folder in (mine, alive, other):
        folder.mkdir()
    unnamed_old, unnamed_new = base / "kokemus-pdf-k3j_x9", base / "kokemus-lo-a8b7c6"
    for folder in (unnamed_old, unnamed_new):
        folder.mkdir()
    day_ago = __import__("time").time() - 2 * 24 * 3600
    os.utime(unnamed_old, (day_ago, day_ago))
    assert remove_stale_temps(base) == 2
    assert not stale.exists() and not unnamed_old.exists()
    assert mine.exists() and alive.exists() and other.exists() and unnamed_new.exists()


def test_conversion_temp_folders_name_their_process():
    from kokemus_docs.documents.scratch import temp_prefix

    with tempfile.TemporaryDirectory(prefix=temp_prefix("pdf")) as made:
        assert os.path.basename(made).startswith(f"kokemus-pdf-{os.getpid()}-")
