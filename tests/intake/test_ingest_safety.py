"""Ingest under hostile conditions, with real processes where it matters: links and fifos in the inbox, a form
that makes the code fail, two runs at once, a busy ledger, file modes, writes that would leave the workspace, and
runs killed with SIGKILL at random moments.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_proc
from faults import dying_at, exit_code_in_child

from kokemus_docs.cli import cli
from kokemus_docs.cli.common import StderrProgress
from kokemus_docs.core import inbox as inbox_module
from kokemus_docs.core import ledger as ledger_module
from kokemus_docs.core.errors import LedgerError, WorkspaceError
from kokemus_docs.core.fileio import write_bytes_atomic
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import WorkspaceBusy, init_workspace, workspace_lock
from kokemus_docs.demo.month import form_values
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.issue import issue_forms
from kokemus_docs.intake import decision, ingest
from kokemus_docs.intake.ingest import ingest_forms
from kokemus_docs.register.sample import write_sample_register
from tests.intake.test_ingest import OCTOBER_ROWS, ON_TIME, all_files, json_reader, put_form

REPO = Path(__file__).resolve().parents[2]
RECEIVED_ON = "2026-11-05"


@pytest.fixture
def fake_reader(monkeypatch):
    """Stand-in reader: the 'PDF' holds the form's fields as JSON (see tests/test_ingest.py)."""
    monkeypatch.setattr(decision, "read_form", json_reader)


def kokemus(ws_root: Path, *args: str, lock_wait: float = 60, **popen) -> subprocess.Popen:
    """`python -m kokemus_docs -w WS ARGS...` as its own process, with this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "KOKEMUS_LOCK_WAIT": str(lock_wait)}
    return subprocess.Popen([sys.executable, "-m", "kokemus_docs", "-w", str(ws_root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def ingest_cmd(ws_root: Path, lock_wait: float = 60) -> subprocess.Popen:
    return kokemus(ws_root, "forms", "ingest", "--received-on", RECEIVED_ON, lock_wait=lock_wait)


# --- a small set of real, filled hour forms ---------------------------------------------------------
@pytest.fixture(scope="module")
def filled(tmp_path_factory, request):
    """A workspace (register, key) and 32 real filled forms beside it: 30 forms of September and October 2026
    for 15 contracts, two of them left unconfirmed (rejected, with feedback), and one sent twice."""
    from kokemus_docs.register.sample import demo_register

    base = tmp_path_factory.mktemp("filled")
    ws, _ = init_workspace(base / "ws")
    register = demo_register()
    write_sample_register(ws.register_path, register)
    forms = base / "forms"
    forms.mkdir()
    for month in (Month("2026-09"), Month("2026-10")):
        issued = issue_forms(ws, register, month=month)
        forms_of: dict[str, int] = {}
        for path in issued.written:
            contract = register.contracts[path.stem.rsplit("_", 1)[0]]
            task = contract.tasks[0]
            participants = "4" if task in ("group", "pair") else ""
            # an expert with two contracts works them on different days: the same time is paid once
            forms_of[contract.expert_id] = forms_of.get(contract.expert_id, -1) + 1
            day = f"{14 + forms_of[contract.expert_id]}.{month[5:]}.2026"
            rows = [(day, "10.00", "11.00", task, "held", "", participants, "", ""),
                    (day, "12.00", "13.30", task, "held", "", participants, "", "")]
            confirm = path.stem not in ("S-2026-004_2026-09", "S-2026-007_2026-10")
            fill_form(path, form_values(rows), forms / f"{path.stem}.pdf", confirm=confirm)
    shutil.copyfile(forms / "S-2026-002_2026-10.pdf", forms / "S-2026-002_2026-10 (copy).pdf")
    shutil.rmtree(ws.outputs_dir)
    ws.outputs_dir.mkdir()
    return ws.root, forms


def fresh_workspace(filled, target: Path) -> Path:
    """A copy of the prepared workspace with every filled form in its inbox."""
    template, forms = filled
    shutil.copytree(template, target)
    for path in forms.iterdir():
        shutil.copyfile(path, target / "forms" / "inbox" / path.name)
    return target


def state(root: Path) -> dict:
    """What a run leaves: the ledger's totals and every file under forms/ (name -> sha256)."""
    with Ledger(root / ".kokemus" / "ledger.sqlite") as ledger:
        db = ledger.db
        statuses = {r[0]: r[1] for r in db.execute("SELECT status, count(*) FROM submissions GROUP BY status")}
        archived = [r[0] for r in db.execute("SELECT archived_as FROM submissions ORDER BY archived_as")]
        forms = db.execute("SELECT count(*), sum(versions) FROM forms").fetchone()
        lines = db.execute("SELECT count(*) FROM lines").fetchone()[0]
        fees = sum((Decimal(r[0]) for r in db.execute("SELECT fee_eur FROM lines")), start=Decimal("0"))
        pay_months = sorted(tuple(r) for r in db.execute("SELECT form_id, pay_month FROM forms"))
    files = {}
    for path in sorted((root / "forms").rglob("*")):
        if path.is_file() or path.is_symlink():
            files[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"statuses": statuses, "archived": archived, "forms": tuple(forms), "lines": lines, "fees": fees,
            "pay_months": pay_months, "files": files}


# --- symlinks, fifos and other files that are not regular -----------------------------------------
def test_symlink_in_the_inbox_is_rejected_and_only_the_link_removed(workspace, register, fake_reader, tmp_path):
    elsewhere = put_form(tmp_path / "elsewhere", "valid.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    original = elsewhere.read_bytes()
    (workspace.inbox_dir / "link.pdf").symlink_to(elsewhere)
    (workspace.inbox_dir / "dangling.pdf").symlink_to(tmp_path / "nothing-here.pdf")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    statuses = {Path(f["path"]).name: (f["status"], f["archived_as"]) for f in outcome.json_fields()["forms"]}
    assert statuses == {"dangling.pdf": ("rejected", None), "link.pdf": ("rejected", None)}
    assert len(outcome.errors) == 2
    assert all("symbolic link" in p.message and p.code == "unreadable" for p in outcome.errors)
    assert os.listdir(workspace.inbox_dir) == [] and all_files(workspace.root / "forms") == []
    assert elsewhere.read_bytes() == original  # the target is never touched
    with Ledger(workspace.ledger_path) as ledger:
        rows = ledger.db.execute("SELECT file_name, status, archived_as FROM submissions ORDER BY file_name").fetchall()
        assert [tuple(r) for r in rows] == [("dangling.pdf", "rejected", None), ("link.pdf", "rejected", None)]
        assert ledger.forms_for_year(2026) == []


def test_symlink_given_on_the_command_line_is_rejected_and_left_alone(workspace, register, fake_reader, tmp_path):
    target = put_form(tmp_path / "mail", "valid.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    link = tmp_path / "mail" / "link.pdf"
    link.symlink_to(target)
    outcome = ingest_forms(workspace, register, [link], received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["rejected"]
    assert link.is_symlink() and target.is_file() and all_files(workspace.root / "forms") == []


def test_fifo_in_the_inbox_is_rejected_without_hanging_and_moved_out(workspace, register, fake_reader):
    os.mkfifo(workspace.inbox_dir / "pipe.pdf")
    put_form(workspace.inbox_dir, "real.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    started = time.monotonic()
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert time.monotonic() - started < 10
    assert [(Path(f["path"]).name, f["status"], f["archived_as"]) for f in outcome.json_fields()["forms"]] == [
        ("pipe.pdf", "rejected", None), ("real.pdf", "accepted", "forms/processed/2026-10/real.pdf")]
    assert "named pipe" in outcome.errors[0].message
    assert os.listdir(workspace.inbox_dir) == []
    assert stat.S_ISFIFO(os.lstat(workspace.rejected_dir / "pipe.pdf").st_mode)  # moved as it is, never read
    # a later run reads the rejected folder again: still rejected, still not read, nothing hangs
    again = ingest_forms(workspace, register, [workspace.rejected_dir], received_on=ON_TIME)
    assert [f["status"] for f in again.json_fields()["forms"]] == ["rejected"]


def test_archive_holds_exactly_the_bytes_read(workspace, register, fake_reader, monkeypatch):
    """The inbox file is changed after it was read: the archive keeps what was read and checked."""
    path = put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    read = path.read_bytes()
    real_decide = decision.PayDecision.decide

    def decide_then_tamper(self, actual_path, data, sha256, result):
        Path(actual_path).write_bytes(b"changed after reading")
        return real_decide(self, actual_path, data, sha256, result)

    monkeypatch.setattr(decision.PayDecision, "decide", decide_then_tamper)
    ingest_forms(workspace, register, received_on=ON_TIME)
    archived = workspace.processed_dir / "2026-10" / "f.pdf"
    assert archived.read_bytes() == read
    with Ledger(workspace.ledger_path) as ledger:
        [row] = ledger.db.execute("SELECT sha256 FROM submissions").fetchall()
    assert row[0] == hashlib.sha256(read).hexdigest()


# --- one bad form never stops a run ---------------------------------------------------------------
def test_unexpected_failure_on_one_file_rejects_only_that_file(workspace, register, fake_reader, monkeypatch):
    key = workspace.seal_key()
    put_form(workspace.inbox_dir, "1.pdf", OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "2.pdf", OCTOBER_ROWS, key=key, contract_id="S-2026-004", expert_id="KA-004",
             unit_id="IKÄ-PORVOO")
    put_form(workspace.inbox_dir, "3.pdf", {}, key=key, contract_id="S-2026-008", expert_id="KA-008")
    real_validate = decision.validate_form
    secret = register.experts["KA-004"].hetu

    def validate(form, *args, **kwargs):
        if form.identity["contract_id"] == "S-2026-004":
            raise ValueError(f"boom with personal data {secret}")
        return real_validate(form, *args, **kwargs)

    monkeypatch.setattr(decision, "validate_form", validate)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [(Path(f["path"]).name, f["status"]) for f in outcome.json_fields()["forms"]] == [
        ("1.pdf", "accepted"), ("2.pdf", "rejected"), ("3.pdf", "accepted")]
    [error] = outcome.errors
    assert error.path == "forms/inbox/2.pdf" and "ValueError" in error.message and secret not in error.message
    assert all_files(workspace.root / "forms") == ["processed/2026-10/1.pdf", "processed/2026-10/3.pdf",
                                                   "rejected/2.pdf"]
    log = workspace.state_dir / "kokemus.log"
    text = log.read_text(encoding="utf-8")
    assert "ValueError" in text and "test_ingest_safety.py" in text and secret not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    with Ledger(workspace.ledger_path) as ledger:
        rows = ledger.db.execute("SELECT file_name, status, archived_as FROM submissions ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("1.pdf", "accepted", "forms/processed/2026-10/1.pdf"),
                                        ("2.pdf", "rejected", "forms/rejected/2.pdf"),
                                        ("3.pdf", "accepted", "forms/processed/2026-10/3.pdf")]
    # the next run is not blocked by it
    monkeypatch.setattr(decision, "validate_form", real_validate)
    assert ingest_forms(workspace, register, received_on=ON_TIME).json_fields()["forms"] == []


# --- one writer at a time -------------------------------------------------------------------------
def test_two_ingest_processes_on_one_inbox_take_every_form_once(filled, tmp_path):
    root = fresh_workspace(filled, tmp_path / "ws")
    first, second = ingest_cmd(root), ingest_cmd(root)
    outputs = [p.communicate(timeout=90) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    stderr = "\n".join(err for _, err in outputs)
    assert "cannot be read" not in stderr and "Traceback" not in stderr, stderr
    assert sorted(codes) == [0, 1], (codes, stderr)  # the two unconfirmed forms give exit 1; the idle run 0
    waited = [err for _, err in outputs if "waiting for forms ingest (pid" in err]
    idle = [out for out, _ in outputs if "No hour forms" in out]
    assert len(idle) == 1 and len(waited) <= 1
    result = state(root)
    assert result["statuses"] == {"accepted": 28, "rejected": 2, "duplicate": 1}
    assert result["forms"] == (28, 28)
    assert sorted(result["files"]) == sorted(result["archived"])  # every archive file once, each named by its row
    assert len(set(result["files"].values())) == 30  # 31 files: the one sent twice is the only repeat


def test_second_command_waits_for_the_lock_then_goes_on(filled, tmp_path):
    root = fresh_workspace(filled, tmp_path / "ws")
    ws = ingest.Workspace.open(root)
    with workspace_lock(ws, "payroll --month 2026-10"):
        proc = ingest_cmd(root, lock_wait=60)
        deadline = time.monotonic() + 30
        line = ""
        while "waiting" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        time.sleep(0.3)
        assert proc.poll() is None  # still waiting while the lock is held
    out, err = proc.communicate(timeout=60)
    assert line.strip() == f"waiting for payroll --month 2026-10 (pid {os.getpid()}) to finish…"
    assert proc.returncode == 1 and "28 accepted" in out


def test_second_command_gives_up_after_its_wait_with_exit_2(filled, tmp_path):
    root = fresh_workspace(filled, tmp_path / "ws")
    ws = ingest.Workspace.open(root)
    with workspace_lock(ws, "forms ingest"):
        proc = ingest_cmd(root, lock_wait=0.5)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and out == ""
    assert f"forms ingest (pid {os.getpid()})" in err and "try again" in err and "Traceback" not in err
    assert len(os.listdir(root / "forms" / "inbox")) == 31  # nothing was touched


def test_lock_is_reentrant_in_a_thread_and_exclusive_between_threads(workspace):
    with workspace_lock(workspace, "serve"):
        with workspace_lock(workspace, "serve"):  # the same thread again: no deadlock
            pass
        failed = []

        def other():
            try:
                with workspace_lock(workspace, "other", wait=0.2):
                    pass
            except WorkspaceBusy as exc:
                failed.append(exc.message)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert failed and f"serve (pid {os.getpid()})" in failed[0]
    with workspace_lock(workspace, "later", wait=0):  # released
        pass


def test_busy_ledger_gives_a_clear_message_not_a_traceback(workspace, monkeypatch):
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    with Ledger(workspace.ledger_path):
        pass
    holder = sqlite3.connect(workspace.ledger_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('someone', 'else')")
    monkeypatch.setattr(ledger_module, "BUSY_TIMEOUT", 0.2)
    try:
        with pytest.raises(LedgerError) as caught, Ledger(workspace.ledger_path) as ledger, ledger.transaction():
            pass
        assert caught.value.code == "ledger-busy"
        result = CliRunner().invoke(cli, ["-w", str(workspace.root), "forms", "ingest"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "is busy: another program is writing it" in result.output and "Traceback" not in result.output
    assert os.listdir(workspace.inbox_dir) == ["f.pdf"] or sorted(os.listdir(workspace.inbox_dir)) == [
        ".ingesting"]  # the file is kept, in the inbox or taken aside for the next run
    again = CliRunner().invoke(cli, ["-w", str(workspace.root), "forms", "ingest", "--received-on", "2026-11-05"])
    assert again.exit_code == 1 and "rejected" in again.output  # the stand-in file is no real PDF form
    assert os.listdir(workspace.inbox_dir) == []


# --- file modes -------------------------------------------------------------------------------------
def test_everything_under_dot_kokemus_is_private(workspace, register, fake_reader):
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    ingest_forms(workspace, register, received_on=ON_TIME)
    workspace.log.info("a line in the log")
    with Ledger(workspace.ledger_path) as ledger:  # while open the -wal and -shm files exist
        ledger.db.execute("SELECT count(*) FROM forms").fetchone()
        state_dir = workspace.state_dir
        names = sorted(os.listdir(state_dir))
        assert {"ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm", "seal.key", "lock",
                "kokemus.log"} <= set(names), names
        assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
        modes = {name: oct(stat.S_IMODE((state_dir / name).stat().st_mode)) for name in names}
    assert set(modes.values()) == {"0o600"}, modes


def test_an_old_ledger_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / ".kokemus" / "ledger.sqlite"
    path.parent.mkdir(mode=0o755)
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    with Ledger(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- nothing is written outside the workspace -------------------------------------------------------
def test_a_contract_id_climbing_out_of_the_workspace_writes_nothing_outside(workspace, register, tmp_path):
    import dataclasses

    escape = "../" * 16 + str(tmp_path.relative_to("/")) + "/escaped"
    register.contracts[escape] = dataclasses.replace(register.contracts["S-2026-001"], contract_id=escape)
    with pytest.raises(WorkspaceError) as caught, workspace_lock(workspace, "forms issue"):
        issue_forms(workspace, register, month=Month("2026-10"))
    assert caught.value.code == "outside-workspace" and "Fix the id in the register" in caught.value.message
    assert not list(tmp_path.glob("escaped*"))


@pytest.mark.parametrize("parts", [("..", "x.txt"), ("forms", "../../../x.pdf"), ("/etc", "passwd"), ("a\0b",)],
                         ids=["dotdot", "slash-in-name", "absolute", "nul"])
def test_output_names_cannot_leave_the_workspace(workspace, parts):
    with pytest.raises(WorkspaceError) as caught:
        workspace.output(*parts)
    assert caught.value.code == "outside-workspace"


def test_every_write_under_the_lock_stays_inside(workspace, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace.outputs_dir / "link").symlink_to(outside, target_is_directory=True)
    with workspace_lock(workspace, "test"):
        for target in (workspace.root / ".." / "escape.txt", outside / "x.txt",
                       workspace.outputs_dir / "link" / "through-a-link.txt"):
            with pytest.raises(WorkspaceError):
                write_bytes_atomic(target, b"x")
        assert write_bytes_atomic(workspace.output("notices", "ok.txt"), b"ok").read_bytes() == b"ok"
    assert list(outside.iterdir()) == [] and not (tmp_path / "escape.txt").exists()


def test_overlong_names_give_a_clear_error(workspace):
    with pytest.raises(WorkspaceError) as caught:
        workspace.output("contracts", "Ä" * 200 + ".docx")
    assert caught.value.code == "name-too-long" and "too long" in caught.value.message
    with pytest.raises(WorkspaceError):
        write_bytes_atomic(workspace.root / ("x" * 300), b"")


# --- progress lines -----------------------------------------------------------------------------------
def test_progress_off_a_terminal_prints_few_lines_that_never_repeat(capsys):
    progress = StderrProgress()
    progress.tty = False
    for done in range(1, 8):
        progress(done, 7, "indicators")
    for done, label in [(1, "a.docx"), (3, "b.pdf"), (2, "c.docx"), (3, "b.pdf"), (4, "d.pdf")]:
        progress(done, 4, label)
    for done in range(1, 101):
        progress(done, 100, f"form {done}")
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == ["[1/7] indicators", "[7/7] indicators"]
    assert lines[2:5] == ["[1/4] a.docx", "[3/4] b.pdf", "[4/4] d.pdf"]
    assert len(lines[5:]) == 11 and lines[-1] == "[100/100] form 100"
    assert len(lines) == len(set(lines))


# --- kill -9 at random moments ------------------------------------------------------------------------
def forked_ingest(root: Path) -> int:
    """`kokemus -w ROOT forms ingest` in a forked child process (the modules are loaded already, so the child
    starts working at once and a kill lands in the work, not in Python's start-up); returns its pid."""
    pid = os.fork()
    if pid == 0:  # the child: run the command line, never return into pytest
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            cli.main(["-w", str(root), "forms", "ingest", "--received-on", RECEIVED_ON], prog_name="kokemus",
                     standalone_mode=True)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os._exit(code)
    return pid


def files_left(root: Path) -> int:
    """Files a run still has to finish: in the inbox or taken aside in forms/inbox/.ingesting/."""
    inbox = root / "forms" / "inbox"
    return len(_pdf_names(inbox)) + len(_pdf_names(inbox / inbox_module.CLAIM_DIR))


def wait_until_left(root: Path, pid: int, left: int, limit: float = 30) -> bool:
    """Wait until at most `left` files are left to the run `pid`; False when it ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return False
        if files_left(root) <= left:
            return True
        time.sleep(0.002)
    return True


def test_runs_killed_at_random_moments_are_finished_by_the_next_run(filled, tmp_path):
    """Kill ingest runs with SIGKILL at random moments of their work, re-run, and compare with a run that was
    never interrupted: the same ledger totals, each form archived once, no orphans, an empty inbox."""
    clean_root = fresh_workspace(filled, tmp_path / "clean")
    started = time.monotonic()
    os.waitpid(forked_ingest(clean_root), 0)
    per_file = (time.monotonic() - started) / 31
    clean = state(clean_root)
    assert clean["statuses"] == {"accepted": 28, "rejected": 2, "duplicate": 1} and clean["lines"] == 56

    rng = random.Random(int(os.environ.get("KOKEMUS_KILL_SEED", "20261105")))
    kills = mid_run = rounds = 0
    # Usually done in ~40 s; the bound is wider so that a busy machine still gets its kills in.
    deadline = time.monotonic() + 150
    while (kills < 24 or rounds < 2) and time.monotonic() < deadline:
        rounds += 1
        root = fresh_workspace(filled, tmp_path / f"round{rounds}")
        while (left := files_left(root)) and time.monotonic() < deadline:
            before = _submissions(root)
            pid = forked_ingest(root)
            # a random moment of the work still to do: once some of the files are done, a little later
            if not wait_until_left(root, pid, rng.randrange(left + 1)):
                break  # the run finished first
            time.sleep(rng.uniform(0, per_file))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            if not os.WIFSIGNALED(status):
                break  # it had just finished
            kills += 1
            mid_run += 0 < _submissions(root) - before
        finish = ingest_cmd(root) if rounds == 1 else None  # once through a real `python -m kokemus_docs`
        if finish is not None:
            out, err = finish.communicate(timeout=90)
            assert "Traceback" not in err and "cannot be read" not in err, err
        else:
            os.waitpid(forked_ingest(root), 0)
        result = state(root)
        for key in ("statuses", "forms", "lines", "fees", "pay_months"):
            assert result[key] == clean[key], (key, rounds)
        assert sorted(result["files"].values()) == sorted(clean["files"].values())  # each form once, no orphans
        assert sorted(result["files"]) == sorted(a for a in result["archived"] if a) == sorted(clean["files"])
        assert not (root / "forms" / "inbox").exists() or os.listdir(root / "forms" / "inbox") == []
    print(f"\n{kills} kills ({mid_run} after some forms were committed) in {rounds} rounds, {per_file:.2f} s "
          f"a form; each round ends with {clean['statuses']}, {clean['lines']} lines, fees {clean['fees']}")
    assert kills >= 20


def _pdf_names(folder: Path) -> list[str]:
    try:
        return [name for name in os.listdir(folder) if name.endswith(".pdf")]
    except FileNotFoundError:
        return []


def _submissions(root: Path) -> int:
    path = root / ".kokemus" / "ledger.sqlite"
    if not path.exists():
        return 0
    with Ledger(path) as ledger:
        return ledger.db.execute("SELECT count(*) FROM submissions").fetchone()[0]


def test_interrupted_file_is_finished_without_a_false_duplicate(workspace, register, fake_reader, monkeypatch):
    """The run dies right after a commit, before the original left the inbox: the next run only removes it."""
    put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=workspace.seal_key())

    class Killed(BaseException):
        pass

    def die(self, source):
        raise Killed

    monkeypatch.setattr(inbox_module.Inbox, "remove_original", die)
    with pytest.raises(Killed):
        ingest_forms(workspace, register, received_on=ON_TIME)
    monkeypatch.undo()
    monkeypatch.setattr(decision, "read_form", json_reader)
    assert all_files(workspace.root / "forms") == ["inbox/.ingesting/a.pdf", "processed/2026-10/a.pdf"]
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert outcome.json_fields()["forms"] == [] and outcome.ok
    assert all_files(workspace.root / "forms") == ["processed/2026-10/a.pdf"]
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1


def test_archive_copy_without_its_row_is_adopted(workspace, register, fake_reader):
    """A run killed between writing the archive copy and its commit leaves a copy no row names: adopted."""
    path = put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    (workspace.processed_dir / "2026-10").mkdir(parents=True)
    shutil.copyfile(path, workspace.processed_dir / "2026-10" / "a.pdf")
    (workspace.processed_dir / "2026-10" / ".kokemus-abc123.tmp").write_bytes(b"half")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted"]
    assert all_files(workspace.root / "forms") == ["processed/2026-10/a.pdf"]
    # a file someone else put there with other bytes is never adopted or overwritten
    put_form(workspace.inbox_dir, "a.pdf", {1: OCTOBER_ROWS[1]}, key=workspace.seal_key())
    ingest_forms(workspace, register, received_on=date(2026, 11, 6))
    assert all_files(workspace.root / "forms") == ["processed/2026-10/a-2.pdf", "processed/2026-10/a.pdf"]


def test_names_at_the_file_system_limit_never_stop_a_run(workspace, register, fake_reader):
    key = workspace.seal_key()
    long_name = "å" * 125 + ".pdf"  # 254 bytes: a suffix like -2 would not fit
    put_form(workspace.inbox_dir, long_name, OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "x" * 250 + ".pdf", OCTOBER_ROWS, key=key,
             edit={"form_id": "F" * 3000})  # a tampered form whose claimed id makes an impossible file name
    put_form(workspace.inbox_dir, "z.pdf", {}, key=key, contract_id="S-2026-008", expert_id="KA-008")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["rejected", "accepted", "accepted"]
    assert os.listdir(workspace.inbox_dir) == []
    archived = all_files(workspace.root / "forms")
    assert len(archived) == 3 and all(len(os.fsencode(Path(a).name)) <= 240 for a in archived)
    assert (workspace.processed_dir / "2026-10" / ("å" * 118 + ".pdf")).is_file()


def test_a_run_dying_at_each_step_of_the_journey_is_finished_by_the_next(workspace, register, fake_reader, tmp_path):
    """A forked run ends abruptly (os._exit, no clean-up) right after the k-th step of any file's journey, for
    every k: after the claim, after the archive copy, after the batch's archive folders are fsynced (just before
    its commit), after the commit, after the removal. The next run then leaves exactly what an uninterrupted run
    leaves."""
    key = workspace.seal_key()
    a = put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "b.pdf", OCTOBER_ROWS, key=key, confirmed=False, contract_id="S-2026-002",
             expert_id="KA-002")
    shutil.copyfile(a, workspace.inbox_dir / "c.pdf")
    put_form(workspace.inbox_dir, "d.pdf", {}, key=key, contract_id="S-2026-008", expert_id="KA-008")
    template = tmp_path / "template"
    shutil.copytree(workspace.root, template)

    def copy(name: str) -> ingest.Workspace:
        shutil.copytree(template, tmp_path / name)
        return ingest.Workspace.open(tmp_path / name)

    clean_ws = copy("clean")
    ingest_forms(clean_ws, register, received_on=ON_TIME)
    clean = state(clean_ws.root)
    assert clean["statuses"] == {"accepted": 2, "rejected": 1, "duplicate": 1}

    def die_after(step: int) -> None:
        """In the child: make the step-th journey point end the process at once."""
        point = dying_at(step)
        inbox_module.Inbox.claim = point(inbox_module.Inbox.claim)
        inbox_module.write_new_durably = point(inbox_module.write_new_durably)
        ingest.write_new_durably = point(ingest.write_new_durably)
        inbox_module.Inbox.remove_original = point(inbox_module.Inbox.remove_original, before=True)
        inbox_module.Inbox.remove_original = point(inbox_module.Inbox.remove_original)
        inbox_module.Inbox.sync = point(inbox_module.Inbox.sync)

    def cut_run(ws, step: int) -> None:
        die_after(step)
        ingest_forms(ws, register, received_on=ON_TIME)

    step = 0
    while True:
        step += 1
        ws = copy(f"step{step}")
        code = exit_code_in_child(cut_run, ws, step)
        if code == 0:
            break  # the run got through: every step has been cut once
        assert code == 137
        ingest_forms(ws, register, received_on=ON_TIME)
        result = state(ws.root)
        for key in ("statuses", "forms", "lines", "fees", "pay_months"):
            assert result[key] == clean[key], (key, step)
        assert result["files"] == clean["files"], step
        assert sorted(result["archived"]) == sorted(clean["archived"]), step
    # four files, four cuts each (claim, archive copy, removal before and after), one for each feedback file, and
    # one for the batch (all four files commit together)
    feedback_files = len(list(clean_ws.output("feedback").glob("*.txt")))
    assert feedback_files >= 1
    assert step - 1 == 4 * 4 + feedback_files + 1


def test_a_rejected_file_sent_again_is_read_again_after_an_interrupted_run(workspace, register, fake_reader,
                                                                          monkeypatch):
    """The expert sends the very file that was rejected earlier (the register has been fixed since); the run
    that takes it aside is killed. The next run reads it, rather than taking the earlier rejection for the
    interrupted run's own and removing the file unread."""
    path = put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    sent = path.read_bytes()

    def unreadable(path, data=None):
        raise decision.FormUnreadable("a.pdf: the reader failed.", code="damaged")

    monkeypatch.setattr(decision, "read_form", unreadable)
    again = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in again.json_fields()["forms"]] == ["rejected"]
    with Ledger(workspace.ledger_path) as ledger, ledger.transaction():
        ledger.db.execute("UPDATE submissions SET ingested_at = '2026-11-05T09:00:00'")  # that run was this morning
    (workspace.inbox_dir / "a.pdf").write_bytes(sent)

    class Killed(BaseException):
        pass

    claim = inbox_module.Inbox.claim

    def claim_and_die(self, source):
        claim(self, source)
        raise Killed

    monkeypatch.setattr(inbox_module.Inbox, "claim", claim_and_die)
    with pytest.raises(Killed):
        ingest_forms(workspace, register, received_on=ON_TIME)
    monkeypatch.undo()
    monkeypatch.setattr(decision, "read_form", json_reader)
    assert all_files(workspace.root / "forms") == ["inbox/.ingesting/a.pdf", "rejected/a.pdf"]
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted"]
    assert "processed/2026-10/a.pdf" in all_files(workspace.root / "forms")


def test_names_and_form_contents_cannot_steer_the_terminal(workspace, register, fake_reader, capsys):
    """A file name or a tampered form id with escape sequences is shown with '?' for each control character."""
    put_form(workspace.inbox_dir, "a\x1b]0;x\x07\u202e.pdf", OCTOBER_ROWS, key=workspace.seal_key(),
             edit={"form_id": "S-2026-001_2026-10\x1b[2J\x9b1m"})
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "forms", "ingest", "--received-on", RECEIVED_ON])
    assert result.exit_code == 1
    shown = result.output + getattr(result, "stderr", "")
    assert "rejected S-2026-001_2026-10?[2J?1m" in shown and "a?]0;x??.pdf" in shown
    assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e")
    progress = StderrProgress()
    progress.tty = False
    progress(1, 1, "b\x1b[2J.pdf")
    assert capsys.readouterr().err == "[1/1] b?[2J.pdf\n"


def test_the_copy_kept_of_a_closed_month_is_on_disk_before_the_close_is_committed(workspace, register,
                                                                                  monkeypatch):
    """The ledger commits the close durably; the copy that reprints the month must be as durable (fsynced, with
    its folder), or a power cut could leave a closed month without it."""
    require_proc("self/fd")  # names descriptors
    from ledgerfill import MONTH, fill_sample_ledger

    from kokemus_docs.core import fileio
    from kokemus_docs.pay.payroll import closed_copy_path, write_payroll

    fill_sample_ledger(workspace.ledger_path)
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor):
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    assert write_payroll(workspace, register, MONTH, close=True).ok
    kept = closed_copy_path(workspace, MONTH)
    assert any(Path(name).parent == kept.parent and Path(name).name.startswith(fileio.TEMP_PREFIX)
               for name in synced)
    assert str(kept.parent) in synced


def test_a_run_whose_pdf_reader_cannot_start_stops_and_rejects_nothing(workspace, register, monkeypatch):
    put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=workspace.seal_key())

    def no_reader(path, data=None):
        raise decision.ReaderUnavailable("did not start within 120 seconds")

    monkeypatch.setattr(decision, "read_form", no_reader)
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "forms", "ingest", "--received-on", RECEIVED_ON])
    assert result.exit_code == 2 and "no returned form was read or rejected" in result.output
    assert "Traceback" not in result.output
    assert all_files(workspace.root / "forms") == ["inbox/.ingesting/a.pdf"]
    assert not workspace.output("feedback").exists() or not os.listdir(workspace.output("feedback"))
    monkeypatch.setattr(decision, "read_form", json_reader)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted"]


def test_a_run_stopped_mid_batch_commits_the_files_before_it(workspace, register, monkeypatch):
    """The files of one commit before the one whose reading stopped the run are committed, archived and gone from
    the inbox; that one (and the next, already taken aside to be read meanwhile) and those after them wait for
    the next run."""
    key = workspace.seal_key()
    put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "b.pdf", {}, key=key, contract_id="S-2026-008", expert_id="KA-008")
    put_form(workspace.inbox_dir, "c.pdf", {}, key=key, contract_id="S-2026-002", expert_id="KA-002")

    def reader_gone_at_b(path, data=None):
        if path.name == "b.pdf":
            raise decision.ReaderUnavailable("did not start within 120 seconds")
        return json_reader(path, data)

    monkeypatch.setattr(decision, "read_form", reader_gone_at_b)
    with pytest.raises(decision.ReaderUnavailable):
        ingest_forms(workspace, register, received_on=ON_TIME)
    assert all_files(workspace.root / "forms") == ["inbox/.ingesting/b.pdf", "inbox/.ingesting/c.pdf",
                                                   "processed/2026-10/a.pdf"]
    with Ledger(workspace.ledger_path) as ledger:
        assert [tuple(r) for r in ledger.db.execute("SELECT file_name, status FROM submissions")] == [
            ("a.pdf", "accepted")]
    monkeypatch.setattr(decision, "read_form", json_reader)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [(Path(f["path"]).name, f["status"]) for f in outcome.json_fields()["forms"]] == [
        ("b.pdf", "accepted"), ("c.pdf", "accepted")]
    assert all_files(workspace.root / "forms") == [
        "processed/2026-10/a.pdf", "processed/2026-10/b.pdf", "processed/2026-10/c.pdf"]


def test_files_commit_in_batches_each_file_undone_alone(workspace, register, fake_reader, monkeypatch):
    """Several files share one commit (one fsync of the archive folder for them all); a file whose work fails
    half way is undone alone (its savepoint) and rejected, the others of its batch stay accepted."""
    key = workspace.seal_key()
    for name, number, unit_id in (("a", 1, "MTP-PORVOO"), ("b", 2, "MTP-PORVOO"), ("c", 4, "IKÄ-PORVOO"),
                                  ("d", 7, "MTP-PORVOO"), ("e", 8, "MTP-PORVOO")):
        put_form(workspace.inbox_dir, f"{name}.pdf", {}, key=key, contract_id=f"S-2026-00{number}",
                 expert_id=f"KA-00{number}", unit_id=unit_id)
    monkeypatch.setattr(ingest, "BATCH_FILES", 2)
    commits = []
    real_sync = inbox_module.Inbox.sync
    monkeypatch.setattr(inbox_module.Inbox, "sync", lambda self: (commits.append(sorted(self.unsynced)),
                                                                  real_sync(self)))
    real_store = ledger_module.Ledger.store_form

    def fails_for_c(self, record, lines, submission_id):
        real_store(self, record, lines, submission_id)
        if record.contract_id == "S-2026-004":
            raise ValueError("half way through c")
        return "accepted"

    monkeypatch.setattr(ledger_module.Ledger, "store_form", fails_for_c)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted", "accepted", "rejected", "accepted",
                                                               "accepted"]
    assert len(commits) == 3 and commits[0] == [workspace.processed_dir.resolve() / "2026-10"]
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.db.execute("SELECT count(*) FROM forms").fetchone()[0] == 4
        assert ledger.db.execute("SELECT count(*) FROM forms WHERE contract_id = 'S-2026-004'").fetchone()[0] == 0
    assert os.listdir(workspace.inbox_dir) == []
    assert sorted(all_files(workspace.root / "forms")) == [
        "processed/2026-10/a.pdf", "processed/2026-10/b.pdf", "processed/2026-10/d.pdf", "processed/2026-10/e.pdf",
        "rejected/c.pdf"]


def test_feedback_whose_pdf_reader_cannot_start_stops_and_rejects_nothing(workspace, register, monkeypatch,
                                                                           tmp_path):
    from kokemus_docs.feedback import read
    from kokemus_docs.feedback.ingest import ingest_feedback
    from kokemus_docs.pdfsafe.limits import ReaderUnavailable

    def no_reader(data, **options):
        raise ReaderUnavailable("did not start within 120 seconds")

    monkeypatch.setattr(read, "read_pdf", no_reader)
    answer = tmp_path / "palaute.pdf"
    answer.write_bytes(b"%PDF-1.7\n%%EOF startxref")
    with pytest.raises(ReaderUnavailable):
        ingest_feedback(workspace, register, [answer], received_on=ON_TIME)
    assert answer.is_file()
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.db.execute("SELECT count(*) FROM feedback_files").fetchone()[0] == 0
