"""Temporary folders of PDF conversion, named by the process that made them.

They hold the documents being converted (names, e-mails). Each is named `kokemus-<kind>-<pid>-<random>`, so that
the next run removes those whose process is gone (killed before it could clean up).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

_TEMP_NAME = re.compile(r"kokemus-(pdf|lo|profiles|warm)-(\d+)-.+")


def temp_prefix(kind: str) -> str:
    """The prefix of this process's temporary folders of one kind (pdf, lo, profiles, warm)."""
    return f"kokemus-{kind}-{os.getpid()}-"


def remove_stale_temps(base: str | os.PathLike | None = None) -> int:
    """Remove our temporary conversion folders whose process is gone; returns how many were removed."""
    base = Path(base or tempfile.gettempdir())
    removed = 0
    try:
        entries = list(os.scandir(base))
    except OSError:
        return 0
    for entry in entries:
        found = _TEMP_NAME.fullmatch(entry.name)
        if found is None or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        if _process_alive(int(found.group(2))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed += 1
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
