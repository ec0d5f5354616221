"""Writing files so that a reader never sees half of one: write to a temp name beside it, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: str | os.PathLike, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success it is renamed over `target`.

    On an exception the temporary file is removed and `target` is left as it was.
    `mode` (e.g. 0o600) is applied before the rename, so the final file is never readable by others.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_bytes_atomic(target: str | os.PathLike, data: bytes, mode: int | None = None) -> Path:
    """Write `data` to `target` atomically and return the target path."""
    with atomic_path(target, mode=mode) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def safe_filename(text: str) -> str:
    """A file-name-safe version of an id or a name (keeps letters incl. å ä ö, digits, - and _)."""
    cleaned = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in text.strip())
    return cleaned.strip("._") or "unnamed"
