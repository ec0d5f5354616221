"""The setup script as a newcomer meets it: when another apt or dpkg holds the lock, it waits and says so."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts" / "install-system-deps.sh"


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def test_install_waits_for_the_package_lock_and_says_so(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    _tool(bin_dir, "dpkg-query", "exit 1")  # nothing is installed yet
    _tool(bin_dir, "apt-get", f'echo "$*" >> "{calls}"')
    _tool(bin_dir, "sudo", 'exec "$@"')
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "waits for it to finish (up to 10 minutes)" in result.stderr
    update, install = calls.read_text().splitlines()
    for call in (update, install):
        assert call.startswith("-o DPkg::Lock::Timeout=600 "), call
    assert "update" in update and "install" in install and "libreoffice-writer-nogui" in install


def test_editable_install_runs_without_setuptools_notes(tmp_path):
    """`make demo`'s install step silences setuptools' ten-line note about editable installs."""
    made = subprocess.run(["make", "-n", "-B", f"VENV={tmp_path / 'venv'}", f"{tmp_path / 'venv'}/.installed"],
                          cwd=SCRIPT.parent.parent, capture_output=True, text=True, timeout=60)
    [install] = [line for line in made.stdout.splitlines() if "pip install" in line and "-e" in line]
    assert install.startswith("PYTHONWARNINGS=ignore::UserWarning ") and "--quiet" in install
