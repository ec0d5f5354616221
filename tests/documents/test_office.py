"""Starting and stopping LibreOffice (or anything) as one process group."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from kokemus_docs.documents.office import run_group, soffice_command, start_group, stop_group

# A leader that starts a child which outlives it unless its whole group is killed; prints the child's pid.
LEADER = [sys.executable, "-c",
          "import subprocess, sys, time; child = subprocess.Popen(['sleep', '600']); "
          "print(child.pid, flush=True); time.sleep(600)"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_stop_group_kills_what_the_process_started():
    proc = start_group(LEADER, stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    assert _alive(child) and os.getpgid(child) == proc.pid != os.getpgid(0)
    stop_group(proc)
    assert proc.returncode is not None and _gone(child)
    stop_group(proc)  # stopping twice, or nothing, is harmless
    stop_group(None)


def test_run_group_kills_the_whole_group_on_timeout(tmp_path):
    marker = tmp_path / "child.pid"
    script = (f"import subprocess, time; child = subprocess.Popen(['sleep', '600']); "
              f"open({str(marker)!r}, 'w').write(str(child.pid)); time.sleep(600)")
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_group([sys.executable, "-c", script], timeout=10)
    assert time.monotonic() - started < 40
    assert _gone(int(marker.read_text()))


def test_run_group_returns_the_exit_code():
    assert run_group([sys.executable, "-c", "print('x' * 100_000); raise SystemExit(3)"], timeout=60) == 3


def test_soffice_command_has_its_own_profile(tmp_path):
    command = soffice_command("/usr/bin/soffice", tmp_path / "profile", "--convert-to", "pdf")
    assert command[0] == "/usr/bin/soffice" and "--headless" in command and command[-2:] == ["--convert-to", "pdf"]
    assert f"-env:UserInstallation={(tmp_path / 'profile').resolve().as_uri()}" in command
