"""Temporary folders of PDF conversion, named by the process that made them.

They hold the documents being converted (names, e-mails). Each is named `kokemus-<kind>-<pid>-<random>`, so that
the next run removes those whose process is gone (killed before it could clean up); folders named without a
process (by earlier versions) are removed after a day.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

_TEMP_NAME = re.compile(r"kokemus-(pdf|lo|profiles|warm)-(\d+)-.+")
# Named before they carried their process: removed once no conversion could still be using them.
_UNNAMED = re.compile(r"kokemus-(pdf|lo|profiles|warm)-[A-Za-z0-9_]+")
UNNAMED_AFTER_SECONDS = 24 * 3600


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
        if (found is None and not _UNNAMED.fullmatch(entry.name)) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid != os.getuid():
            continue
        if found is not None and _process_alive(int(found.group(2))):
            continue
        if found is None and time.time() - info.st_mtime < UNNAMED_AFTER_SECONDS:
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
