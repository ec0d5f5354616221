"""The .xlsx package guard: a workbook from outside (the register, a survey export) is checked as a zip package
within limits before any of its XML is parsed.

It checks the file size, that it is a zip at all (not an old .xls or a renamed CSV), the number of members
(from the zip's end record, before the member list is read), each member's unpacked size and compression
ratio, the total unpacked size, and that no member declares a DOCTYPE (workbooks never do; entity tricks
need one).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO


@dataclass(frozen=True)
class PackageLimits:
    """How large an .xlsx package may be, packed and unpacked; `noun` names it in messages ('register')."""

    noun: str
    max_bytes: int                  # the file itself
    max_unpacked: int               # all members, unpacked
    max_member: int = 50_000_000    # any one member, unpacked
    max_members: int = 1_000
    max_ratio: int = 100            # unpacked / packed, for members over ratio_floor bytes unpacked
    ratio_floor: int = 1_000_000


class PackageRefused(Exception):
    """Why a file is not an .xlsx package within its limits.

    `reason` continues a sentence that starts with the file's name ('is not an Excel workbook (.xlsx). ...');
    `kind` is 'too-large', 'damaged' or 'not-xlsx'.
    """

    def __init__(self, reason: str, kind: str):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def check_package(source: Path | bytes, limits: PackageLimits) -> None:
    """Refuse (PackageRefused) a file, by path or as bytes, that is not an .xlsx package within `limits`."""
    if isinstance(source, bytes):
        _check(io.BytesIO(source), len(source), limits)
        return
    with Path(source).open("rb") as handle:
        _check(handle, Path(source).stat().st_size, limits)


def _check(handle: BinaryIO, size: int, limits: PackageLimits) -> None:
    noun = limits.noun
    if size > limits.max_bytes:
        raise PackageRefused(f"is {size / 1e6:.1f} MB; a {noun} may be at most {limits.max_bytes / 1e6:.0f} MB. "
                             "Remove pictures and unused sheets, or save a copy with only the sheets it needs.",
                             "too-large")
    head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise PackageRefused("is an old .xls workbook or a password-protected one. Open it in Excel or "
                             "LibreOffice and save it as an Excel workbook (.xlsx) without a password.", "not-xlsx")
    if not head.startswith(b"PK"):
        raise PackageRefused("is not an Excel workbook (.xlsx). If it is a .csv, .ods or .xls file, open it in "
                             "Excel or LibreOffice and save it as an Excel workbook (.xlsx).", "not-xlsx")
    members = _zip_member_count(handle, size)
    if members is None:
        raise PackageRefused("is damaged: its zip directory cannot be found (the file may be cut short). Save the "
                             "workbook again from Excel or LibreOffice, or restore it from a backup.", "damaged")
    if members > limits.max_members:
        raise PackageRefused(f"holds {members:,} parts; an Excel workbook has a few dozen. Save it again from "
                             "Excel or LibreOffice as a new .xlsx.", "too-large")
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as package:
            infos = package.infolist()
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > limits.max_member or (
                        info.file_size > limits.ratio_floor and ratio > limits.max_ratio):
                    raise PackageRefused(f"holds a part that unpacks to {info.file_size / 1e6:,.0f} MB; that is "
                                         f"not a {noun} someone typed. Save the sheets into a new workbook (or "
                                         "restore a backup) and try again.", "too-large")
            if total > limits.max_unpacked:
                raise PackageRefused(f"unpacks to {total / 1e6:,.0f} MB; a {noun} may unpack to at most "
                                     f"{limits.max_unpacked / 1e6:.0f} MB. Remove pictures and unused sheets.",
                                     "too-large")
            for info in infos:  # every member: a sheet is found through its relationship, whatever its name
                with package.open(info) as member:
                    if _holds_doctype(member):
                        raise PackageRefused("contains a part with a DOCTYPE, which Excel never writes. Save the "
                                             "sheets into a new workbook and try again.", "damaged")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError,
            RuntimeError, zlib.error):  # what zipfile raises on broken, encrypted or unsupported members
        raise PackageRefused("is damaged and cannot be unpacked. Save the workbook again from Excel or "
                             "LibreOffice, or restore it from a backup.", "damaged") from None


def _holds_doctype(member: IO[bytes]) -> bool:
    """Whether a zip member holds '<!DOCTYPE' anywhere: after a comment or blank lines of any length too, and in
    UTF-16 or UTF-32 (read with their NUL bytes dropped)."""
    carried = b""
    while chunk := member.read(1 << 16):
        text = carried + chunk.replace(b"\0", b"").upper()
        if b"<!DOCTYPE" in text:
            return True
        carried = text[-8:]
    return False


def _zip_member_count(handle: BinaryIO, size: int) -> int | None:
    """Members announced by the zip's end-of-central-directory record (None if there is none; 0xFFFF for zip64)."""
    tail_size = min(size, 22 + 65_535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or position + 22 > len(tail):
        return None
    return struct.unpack("<H", tail[position + 10:position + 12])[0]
