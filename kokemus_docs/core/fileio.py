"""Writing files so that a reader never sees half of one, and never outside the workspace.

Every file the tool writes goes through `atomic_path` (or `write_bytes_atomic`): a temp name beside the
target, then a rename. While a workspace is being written (`confined_to`, entered by the workspace lock),
`atomic_path` refuses any target that would land outside it, whatever an id or a template made of the name.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from kokemus_docs.core.errors import WorkspaceError

# Modes set explicitly, whatever the umask: folders and files readable by the owner and the group (the
# service's team), never by others, never writable by anyone but the owner. Files with personal data or
# client comments (payroll, register, indicators, processed feedback and hour forms, statements) are PRIVATE.
FOLDER_MODE = 0o750
FILE_MODE = 0o640
PRIVATE = 0o600

# Temp files of unfinished writes: `.kokemus-<random>.tmp` in the target's folder.
TEMP_PREFIX = ".kokemus-"
TEMP_SUFFIX = ".tmp"
NAME_MAX = 255     # bytes in one file name (ext4, xfs, btrfs, tmpfs, NTFS in UTF-16 units)
PATH_MAX = 4000    # bytes in a whole path, with some room below Linux's 4096

_write_root: ContextVar[Path | None] = ContextVar("kokemus_write_root", default=None)


@contextmanager
def confined_to(root: str | os.PathLike) -> Iterator[Path]:
    """While inside, `atomic_path` writes only under `root` (resolved)."""
    resolved = Path(root).resolve()
    token = _write_root.set(resolved)
    try:
        yield resolved
    finally:
        _write_root.reset(token)


def inside(root: str | os.PathLike, path: str | os.PathLike) -> Path:
    """`path` made absolute and checked to stay inside `root`; a WorkspaceError if it does not or is too long.

    Symbolic links on the way are followed, so a link pointing out of the workspace does not let a write out.
    """
    root = Path(root).resolve()
    given = Path(path)
    absolute = given if given.is_absolute() else root / given
    check_name_lengths(absolute)
    resolved = absolute.resolve()
    if resolved != root and not resolved.is_relative_to(root):
        raise WorkspaceError(f"Refusing to write {given}: it is outside the workspace {root}. Check the ids and "
                             "file names in the register and the templates (no '/', '\\' or '..').",
                             path=str(given), code="outside-workspace")
    return resolved


def check_name_lengths(path: str | os.PathLike) -> None:
    """A clear WorkspaceError when one name in `path`, or the whole path, is longer than file systems allow."""
    path = Path(path)
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise WorkspaceError(f"The file name '{part[:40]}…' is too long ({len(part)} characters). "
                                 "Shorten the id or name it is made from.", path=str(path), code="name-too-long")
    if len(os.fsencode(str(path))) > PATH_MAX:
        raise WorkspaceError(f"The path {str(path)[:60]}… is too long. Use a workspace folder nearer the root "
                             "or shorter ids.", path=str(path), code="name-too-long")


def _checked_target(target: str | os.PathLike) -> Path:
    root = _write_root.get()
    if root is not None:
        return inside(root, target)
    target = Path(target)
    check_name_lengths(target.absolute())
    return target


@contextmanager
def atomic_path(target: str | os.PathLike, mode: int | None = None, *, durable: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success it is renamed over `target`.

    On an exception the temporary file is removed and `target` is left as it was.
    `mode` (e.g. 0o600) is applied before the rename, so the final file is never readable by others.
    `durable`: the file and the rename are on disk when this returns (fsynced), for a file that records
    something the ledger has committed; a power cut cannot then leave it empty.
    Inside `confined_to(root)` a target outside `root` raises WorkspaceError before anything is written.
    """
    target = _checked_target(target)
    make_folder(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode if mode is not None else FILE_MODE)
        if durable:
            descriptor = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        os.replace(tmp, target)
        if durable:
            fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_private(path: str | os.PathLike) -> None:
    """Make a regular file the owner's only (0600); links and other nodes are left alone (never followed)."""
    info = os.lstat(path)
    if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) != PRIVATE:
        os.chmod(path, PRIVATE)


def make_folder(folder: str | os.PathLike, mode: int = FOLDER_MODE) -> Path:
    """Create `folder` and its missing parents with `mode` set explicitly (the umask does not matter); existing
    folders are left as they are."""
    folder = Path(folder)
    missing = []
    current = folder
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=mode)
        except FileExistsError:
            continue
        os.chmod(created, mode)
    return folder


def write_bytes_atomic(target: str | os.PathLike, data: bytes, mode: int | None = None, *,
                       durable: bool = False) -> Path:
    """Write `data` to `target` atomically (see atomic_path) and return the target path."""
    with atomic_path(target, mode=mode, durable=durable) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_new_durably(folder: Path, names: Iterable[str], data: bytes,
                      adopt: Callable[[Path], bool] | None = None, *, sync_folder: bool = True) -> Path:
    """Write `data` under the first of `names` that is free in `folder`, fsynced, never overwriting anything.

    The bytes go to a temp file that is fsynced, then hard-linked to the free name (atomic and exclusive), and
    the folder is fsynced, so after a crash the file is either whole under its name or not there at all.
    `adopt(path)`, if given, may claim an existing file as already holding these bytes (it is returned as is).
    `sync_folder=False` leaves the folder's fsync to the caller (once for many files, before anything that
    relies on the new name being on disk).
    """
    folder = _checked_target(folder)
    make_folder(folder)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        for name in names:
            target = _checked_target(folder / name)
            if adopt is not None and target.exists() and adopt(target):
                return target
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            except OSError:  # no hard links on this file system: claim the name by creating it, then replace
                try:
                    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except FileExistsError:
                    continue
                os.replace(tmp, target)
            if sync_folder:
                fsync_dir(folder)
            return target
        raise OSError(f"no free file name in {folder}")
    finally:
        tmp.unlink(missing_ok=True)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename, link or unlink in `folder` durable (where the system allows fsync on a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stray_temps(folder: Path) -> int:
    """Remove temp files that a killed run left in `folder` (not below it); returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX) and \
                entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                pass
    return removed


# A file that cannot be written for one of these reasons says nothing about the file: every other write would
# fail the same way, so the command stops (exit 2) rather than rejecting one document or form after another.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def disk_error(exc: OSError) -> WorkspaceError:
    """The plain error for a write the disk refused: full, over quota, read-only, or another OS error."""
    where = f" ({text_path(os.fsdecode(exc.filename))})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return WorkspaceError(f"The disk is full{where}: nothing was half-written, and what this command had not "
                              "finished is as it was. Free some space and run the command again.",
                              code="disk-full")
    if exc.errno == errno.EROFS:
        return WorkspaceError(f"The workspace is on a read-only disk{where}: nothing was written. Run the command "
                              "where the workspace can be written.", code="read-only")
    return WorkspaceError(f"A file could not be written or read{where}: {exc.strerror or exc}. Nothing was "
                          "half-written; check the folder's permissions and the disk, then run the command again.",
                          code="io-error")


def text_name(name: str) -> str:
    """A file name as text that can be stored, printed and used for an archive copy. The bytes of a name that
    are not UTF-8 (from an old zip or a Windows share: Python holds them as surrogate escapes) are read as
    Windows-1252, the encoding such Finnish and Swedish names come in ('lomake-\xe4.pdf' -> 'lomake-ä.pdf'); a
    byte that is no character there (or a control character) and another lone surrogate become '_'."""
    return "".join(_text_char(ch) for ch in name)


def _text_char(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        ch = bytes([code - 0xDC00]).decode("cp1252", errors="replace")
        return "_" if ch == "\ufffd" or unicodedata.category(ch) == "Cc" else ch
    return "_" if 0xD800 <= code <= 0xDFFF else ch


def text_path(path: str) -> str:
    """`text_name` for each part of a path."""
    return "/".join(text_name(part) for part in path.split("/"))


def safe_filename(text: str) -> str:
    """A file-name-safe version of an id or a name (keeps letters incl. å ä ö, digits, - and _)."""
    cleaned = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in text.strip())
    return cleaned.strip("._") or "unnamed"


class NotRegularFile(Exception):
    """A link, folder, fifo, device or socket where a file was expected; `mode` says which."""

    def __init__(self, mode: int):
        super().__init__(mode)
        self.mode = mode


class FileTooLarge(Exception):
    """A file larger than the caller's limit; `size` is how large it was found to be."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, read through one descriptor opened without following
    a symlink.

    The descriptor is checked (fstat) before reading, so a file swapped for a link, a fifo or a device between
    listing and opening is refused (NotRegularFile), not read; O_NONBLOCK keeps a fifo from hanging the open.
    A file over `limit`, by its size or by what it yields, raises FileTooLarge.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile(stat.S_IFLNK) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(info.st_mode)
        if info.st_size > limit:
            raise FileTooLarge(info.st_size)
        chunks, total = [], 0
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileTooLarge(total)
        return b"".join(chunks)
    finally:
        os.close(fd)
