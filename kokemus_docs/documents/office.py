"""Running LibreOffice: finding `soffice`, its command line with a private profile, and starting and stopping it
together with everything it starts, as one process group.

The batch converter (`pdfconvert`) and the web app's warm LibreOffice (`warmoffice`) both run it through here,
so a LibreOffice that hangs or is stopped never leaves a `soffice.bin` behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from kokemus_docs.core.errors import LibreOfficeMissing

REAP_TIMEOUT = 10.0  # seconds to wait for a killed process to be reaped


def find_soffice() -> str:
    """Path of LibreOffice's `soffice` (or `libreoffice`) on PATH; raises LibreOfficeMissing if neither."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise LibreOfficeMissing()


def soffice_command(soffice: str, profile: Path, *arguments: str) -> list[str]:
    """`soffice` headless, with its own user profile in `profile` (so that runs never share one), then
    `arguments`."""
    return [soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless", "--invisible",
            "--nologo", "--norestore", "--nolockcheck", *arguments]


def start_group(command: Sequence[str], **popen) -> subprocess.Popen:
    """Start `command` as the leader of a new process group (stdin from /dev/null unless `popen` says)."""
    popen.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.Popen(list(command), start_new_session=True, **popen)


def stop_group(proc: subprocess.Popen | None) -> None:
    """Kill `proc` and every process it started (its process group), then reap it. None is nothing to stop."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group is gone already
        pass
    try:
        proc.communicate(timeout=REAP_TIMEOUT)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def run_group(command: Sequence[str], timeout: float) -> int:
    """Run `command` in its own process group to the end and return its exit code; past `timeout` seconds the
    whole group is killed and subprocess.TimeoutExpired raised. Output is read and dropped."""
    proc = start_group(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            stop_group(proc)
    return proc.returncode
