"""The journey of a returned file through an inbox (hour forms in forms/inbox/, feedback in feedback/inbox/).

Both stages take their files the same crash-safe way, under the workspace lock their caller holds:

1. a file in the inbox is first moved into <inbox>/.ingesting/ (so a run killed half way can tell its own
   unfinished files from new ones sent later); those a killed run left there are taken first;
2. only a regular file is read (never through a symlink, never a fifo or a device), once, within a size limit;
   one that is not read is refused: a link in the inbox is removed (its target is never touched), any other
   node, or a file too large, is moved as it is to the stage's rejected/ folder;
3. the stage decides and records the file in one ledger transaction; its archive copy is written durably
   (fsynced, never overwriting: a clashing name gets -2, -3, ...) either before that commit (`archive_copy`,
   the row names the copy) or after it (`move`);
4. only then the original leaves the inbox.

A run killed at any moment is finished by the next one: a left-over file whose row an interrupted run committed
is only archived and removed (`committed_before_claim`), and temp files of unfinished writes are removed.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kokemus_docs.core.fileio import (
    FileTooLarge,
    NotRegularFile,
    fsync_dir,
    make_folder,
    make_private,
    read_regular,
    remove_stray_temps,
    text_name,
    write_new_durably,
)

CLAIM_DIR = ".ingesting"  # in an inbox: files taken by a run that has not finished them yet
_ARCHIVE_NAME_BYTES = 240  # room for a -2, -3, ... suffix below the file systems' 255


@dataclass
class Source:
    """One file to take in: where it is now, where it was given (as reported), and whose it is to move."""

    path: Path            # absolute; folders resolved, the file's own name never followed
    shown: Path           # as reported: <inbox>/<name> for a file taken from the inbox
    from_inbox: bool = False    # to be moved into .ingesting/ first, removed once committed
    claimed: bool = False       # in .ingesting/ now
    left_over: bool = False     # found in .ingesting/: taken by an earlier run that was interrupted
    from_rejected: bool = False  # in the rejected/ folder: moved out of it when it is taken in again
    data: bytes | None = None
    sha256: str = ""
    claimed_at: float = 0.0     # when the file was taken aside or last changed (its status change time)

    @property
    def name(self) -> str:
        """The file's name as text (a name whose bytes are not UTF-8 read as Windows-1252): recorded, reported
        and given to the archive copy."""
        return text_name(self.path.name)

    @property
    def moves(self) -> bool:
        """Whether the file leaves where it is once taken in (inbox and rejected/); others are left in place."""
        return self.claimed or self.from_inbox or self.from_rejected


class NotRead(Exception):
    """A file that was refused without being read: not a regular file (`mode`), too large (`size`), or the system
    would not read it (`strerror`)."""

    def __init__(self, *, mode: int | None = None, size: int | None = None, strerror: str = ""):
        super().__init__(mode, size, strerror)
        self.mode = mode
        self.size = size
        self.strerror = strerror

    @property
    def is_link(self) -> bool:
        return self.mode is not None and stat.S_ISLNK(self.mode)


class Inbox:
    """One stage's inbox and archive folders, as one run takes files from them.

    `suffixes`: the names a folder's entries must end with (any case) to be taken; `limit`: the most bytes one
    file may have; `archives`: the folders whose stray temp files a killed run may have left.
    """

    def __init__(self, inbox: Path, rejected: Path, *, suffixes: Sequence[str], limit: int,
                 archives: Sequence[Path] = ()):
        self.inbox = inbox.resolve()
        self.claim_dir = self.inbox / CLAIM_DIR
        self.rejected = rejected.resolve()
        self.suffixes = tuple(s.lower() for s in suffixes)
        self.limit = limit
        self.archives = [folder.resolve() for folder in archives]
        self.unsynced: set[Path] = set()  # archive folders with new names not yet fsynced (see `sync`)

    # --- the files of a run -----------------------------------------------------------------
    def collect(self, paths: Sequence[Path]) -> tuple[list[Source], list[Path]]:
        """The files to take in, in order, each once; and the given paths that do not exist.

        Without `paths`, the inbox. A folder gives its entries with one of the suffixes, by name (links and
        fifos too, to be refused; none followed); its other names are left alone. When the inbox is read,
        files a killed run left in .ingesting/ come first.
        """
        sources: list[Source] = []
        missing: list[Path] = []
        seen: set[Path] = set()

        def add(source: Source) -> None:
            if source.path not in seen:
                seen.add(source.path)
                sources.append(source)

        for given in [Path(p) for p in paths] or [self.inbox]:
            if not os.path.lexists(given):
                missing.append(given)
                continue
            if os.path.isdir(given):  # a folder named on the command line may be a link to one
                folder = given.resolve()
                if folder == self.inbox:
                    for path in self._entries(self.claim_dir):
                        add(Source(path=path, shown=folder / text_name(path.name), claimed=True, left_over=True))
                for path in self._entries(folder):
                    add(self._source(path))
            else:
                add(self._source(Path(os.path.abspath(given)).parent.resolve() / given.name))
        return sources, missing

    def _source(self, path: Path) -> Source:
        return Source(path=path, shown=path.with_name(text_name(path.name)), from_inbox=path.parent == self.inbox,
                      from_rejected=path.parent == self.rejected)

    def _entries(self, folder: Path) -> list[Path]:
        """Entries of `folder` with one of the suffixes (any type: links and fifos too, none followed), by name."""
        try:
            with os.scandir(folder) as entries:
                return sorted((folder / e.name for e in entries if e.name.lower().endswith(self.suffixes)),
                              key=lambda p: p.name)
        except FileNotFoundError:
            return []

    def remove_stray_temps(self) -> int:
        """Remove the temp files of a killed run (under the lock no other run has any in progress); how many."""
        folders = [self.inbox, self.claim_dir, self.rejected]
        for archive in self.archives:
            folders.append(archive)
            try:
                with os.scandir(archive) as entries:
                    folders += sorted(archive / e.name for e in entries if e.is_dir(follow_symlinks=False))
            except FileNotFoundError:
                pass
        return sum(remove_stray_temps(folder) for folder in folders)

    def remove_empty_claim_dir(self) -> None:
        try:
            os.rmdir(self.claim_dir)
        except OSError:
            pass  # not there, or holds a file to finish next time

    # --- one file ----------------------------------------------------------------------------
    def claim(self, source: Source) -> None:
        """Move an inbox file into .ingesting/ (the link itself, for a symlink; nothing is followed)."""
        if not source.from_inbox or source.claimed:
            return
        make_folder(self.claim_dir)
        target = self.claim_dir / source.name
        if os.path.lexists(target):
            return  # cannot happen under the lock after the leftovers went first; read it where it is
        os.rename(source.path, target)  # not fsynced: lost in a power cut, it is simply taken again from the inbox
        source.path, source.claimed = target, True

    def read(self, source: Source) -> bytes:
        """The file's bytes (also kept in `source` with their sha256), read once through a descriptor that follows
        no link; NotRead when it is not a regular file, is over the limit or cannot be read; FileNotFoundError
        when it has gone."""
        try:
            info = os.lstat(source.path)
            if not stat.S_ISREG(info.st_mode):
                raise NotRead(mode=info.st_mode)
            if info.st_size > self.limit:
                raise NotRead(size=info.st_size)
            data = read_regular(source.path, self.limit)
        except NotRegularFile as exc:
            raise NotRead(mode=exc.mode) from None
        except FileTooLarge as exc:
            raise NotRead(size=exc.size) from None
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise NotRead(strerror=exc.strerror or type(exc).__name__) from None
        source.data, source.sha256, source.claimed_at = data, hashlib.sha256(data).hexdigest(), info.st_ctime
        return data

    def refuse(self, source: Source) -> Path | None:
        """Take an unread file out of the way: a link in the inbox is removed (its target is never touched); any
        other node or unread file is moved, as it is, to rejected/. Files from elsewhere stay where they are.
        Returns where the file now is in rejected/, or None."""
        if not source.moves or not os.path.lexists(source.path):
            return None
        if stat.S_ISLNK(os.lstat(source.path).st_mode):
            os.unlink(source.path)
            fsync_dir(source.path.parent)
            return None
        if source.path.parent == self.rejected:
            return source.path
        return self.move(source.path, self.rejected)

    def archive_copy(self, source: Source, folder: Path, adopt: Callable[[Path], bool] | None = None, *,
                     name: str | None = None, sync_later: bool = False) -> Path:
        """The durable archive copy of exactly the bytes read, in `folder`, under the file's name or `name` (a
        file already there stays as it is: one in `folder` itself is its own copy). `adopt(path)` may claim an
        existing file as this copy. With `sync_later` the copy's bytes are on disk when this returns but its
        name only after the next `sync()`, which must come before the commit of the row naming the copy."""
        if source.path.parent == folder:
            return source.path
        if source.data is None:
            raise ValueError("a file is archived only once it has been read")
        names = [name] if name is not None else free_names(source.name)
        copy = write_new_durably(folder, names, source.data, adopt=adopt, sync_folder=not sync_later)
        if sync_later:
            self.unsynced.add(copy.parent)
        return copy

    def sync(self) -> None:
        """Put the names of the copies made with `sync_later` on disk: one fsync per archive folder."""
        for folder in sorted(self.unsynced):
            fsync_dir(folder)
        self.unsynced.clear()

    def is_copy_of(self, path: Path, source: Source) -> bool:
        """Whether the file at `path` holds exactly the bytes read from `source`."""
        try:
            data = read_regular(path, self.limit)
        except (OSError, NotRegularFile, FileTooLarge):
            return False
        return hashlib.sha256(data).hexdigest() == source.sha256

    def move(self, path: Path, folder: Path) -> Path:
        """Rename `path` (whatever it is) to a free name in `folder`, never overwriting, durably (both folders
        fsynced); a regular file becomes the owner's only (returned files name people and their work)."""
        make_folder(folder)
        make_private(path)
        for name in free_names(text_name(path.name)):
            target = folder / name
            if os.path.lexists(target):
                continue
            os.rename(path, target)
            fsync_dir(folder)
            fsync_dir(path.parent)
            return target
        raise OSError(f"no free file name in {folder}")

    def archive_moving(self, source: Source, folder: Path) -> Path | None:
        """After the commit: move a file that leaves where it is into `folder` (unless it is there already);
        None for a file from elsewhere, which stays where it is."""
        if not source.moves:
            return None
        if source.path.parent == folder:
            return source.path
        return self.move(source.path, folder)

    def remove_original(self, source: Source) -> None:
        """Remove the original once its journey is committed: a claimed inbox file or one from rejected/."""
        if source.moves:
            source.path.unlink(missing_ok=True)  # if a power cut undoes this, the next run recognises the file

    @staticmethod
    def committed_before_claim(source: Source, ingested_at: str) -> bool:
        """For a left-over file: whether the row recorded at `ingested_at` is the interrupted run's own (recorded
        no earlier than the second the file was taken aside), not an earlier run's of the same file sent again."""
        return source.left_over and not _before(ingested_at, source.claimed_at)


def _before(ingested_at: str, claimed_at: float) -> bool:
    """Whether a row recorded at `ingested_at` (local time, whole seconds) was recorded before the second in which
    a file was taken aside; an unreadable time counts as before (the file is then read again)."""
    try:
        return datetime.fromisoformat(ingested_at) < datetime.fromtimestamp(int(claimed_at))
    except (TypeError, ValueError, OverflowError, OSError):
        return True


def free_names(name: str) -> Iterator[str]:
    """name.pdf, name-2.pdf, name-3.pdf, ... (the writer claims one with an exclusive link).

    A name too long to take a suffix is shortened (keeping whole characters), so any name a file in an inbox
    can have also fits in the archive.
    """
    stem, suffix = Path(name).stem, Path(name).suffix
    if len(os.fsencode(name)) > _ARCHIVE_NAME_BYTES:
        suffix = suffix if len(os.fsencode(suffix)) <= 16 else ""
        stem = os.fsencode(stem)[:_ARCHIVE_NAME_BYTES - len(os.fsencode(suffix))].decode("utf-8", "ignore")
        name = stem + suffix
    yield name
    for number in range(2, 100_000):
        yield f"{stem}-{number}{suffix}"


def node_kind(mode: int) -> str:
    """What a non-regular file is, in words ('a symbolic link', 'a named pipe (fifo)', ...)."""
    return ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
            else "a named pipe (fifo)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or
            stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
