"""A LibreOffice kept running for the web app, so that one document as PDF takes a fraction of a second.

Starting LibreOffice costs seconds; `kokemus contracts --format pdf` pays that once per batch, which is right
for batches but slow for the one contract or notice a person asks for in the browser. `WarmOffice` starts one
`soffice` with its own profile listening on a private pipe, and a small helper (`uno_worker.py`, run by a
Python that has LibreOffice's `uno` module: Debian's python3-uno) that converts one document a request. Requests
are served one at a time; a request that hangs kills both and the next one starts them again. Without
python3-uno, `convert` falls back to the batch converter (a cold start per document).
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from kokemus_docs.core.errors import ConversionError
from kokemus_docs.core.fileio import atomic_path
from kokemus_docs.documents.office import find_soffice, soffice_command, start_group, stop_group
from kokemus_docs.documents.pdfconvert import convert_many
from kokemus_docs.documents.scratch import remove_stale_temps, temp_prefix

WORKER = Path(__file__).with_name("uno_worker.py")
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
START_TIMEOUT = 60.0


def uno_python() -> str | None:
    """A Python interpreter that can import LibreOffice's `uno` ($KOKEMUS_UNO_PYTHON first), or None."""
    candidates = [os.environ.get("KOKEMUS_UNO_PYTHON", ""), *UNO_PYTHONS]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            try:
                done = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if done.returncode == 0:
                return candidate
    return None


class WarmOffice:
    """One running LibreOffice converting DOCX to PDF on request (thread-safe; one conversion at a time)."""

    def __init__(self, timeout: float = 60.0):
        self.timeout = timeout
        self._lock = threading.Lock()
        self._office: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None
        self._profile: str | None = None
        self._python: str | None | bool = False  # False: not looked for yet

    @property
    def available(self) -> bool:
        """True when a warm LibreOffice can be used here (LibreOffice and python3-uno installed)."""
        if self._python is False:
            self._python = uno_python() if shutil.which("soffice") or shutil.which("libreoffice") else None
        return self._python is not None

    def start(self) -> None:
        """Start LibreOffice and the helper now (otherwise the first conversion does)."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> None:
        if (self._worker is not None and self._worker.poll() is None and self._office is not None
                and self._office.poll() is None):
            return
        self._stop()
        if not self.available or not isinstance(self._python, str):
            raise ConversionError("A warm LibreOffice needs python3-uno (apt-get install python3-uno).",
                                  code="uno-missing")
        remove_stale_temps()
        self._profile = tempfile.mkdtemp(prefix=temp_prefix("warm"))
        pipe = f"kokemus-{os.getpid()}-{secrets.token_hex(6)}"
        self._office = start_group(
            soffice_command(find_soffice(), Path(self._profile), "--nodefault", f"--accept=pipe,name={pipe};urp;"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._worker = start_group([self._python, str(WORKER), pipe, str(START_TIMEOUT), self._profile],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)
        answer = self._answer(START_TIMEOUT + 5)
        if not answer.get("ready"):
            self._stop()
            raise ConversionError("LibreOffice did not start for PDF conversion.", code="warm-start")

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        """The helper's stdin and stdout (ConversionError when it is not running)."""
        if self._worker is None or self._worker.stdin is None or self._worker.stdout is None:
            raise ConversionError("LibreOffice is not running for PDF conversion.", code="warm-start")
        return self._worker.stdin, self._worker.stdout

    def _answer(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        _, stream = self._pipes()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return {}
            readable, _, _ = select.select([stream], [], [], left)
            if readable:
                line = stream.readline()
                if not line:
                    return {}
                try:
                    return json.loads(line)
                except ValueError:
                    return {}

    def convert(self, docx: Path, pdf: Path | None = None) -> Path:
        """Write `docx` as PDF (default: beside it, same stem) through a temporary name; returns the PDF."""
        docx = Path(docx).resolve()
        target = Path(pdf) if pdf else docx.with_suffix(".pdf")
        if not self.available:
            return self._convert_cold(docx, target)
        with self._lock:
            self._ensure_started()
            with atomic_path(target) as tmp:
                temporary = tmp.with_suffix(".pdf")  # LibreOffice picks the filter by the name's suffix
                try:
                    request, _ = self._pipes()
                    request.write(json.dumps({"source": str(docx), "target": str(temporary)}) + "\n")
                    request.flush()
                except (BrokenPipeError, OSError):
                    self._stop()
                    raise ConversionError(f"LibreOffice stopped while converting {docx.name}.") from None
                answer = self._answer(self.timeout)
                if not answer.get("ok"):
                    if not answer:
                        self._stop()
                    temporary.unlink(missing_ok=True)
                    raise ConversionError(f"{docx.name} could not be converted to PDF: "
                                          f"{answer.get('error', f'no answer within {self.timeout:g} s')}.",
                                          path=docx.name, code="conversion-failed")
                os.replace(temporary, tmp)
        return target

    def _convert_cold(self, docx: Path, target: Path) -> Path:
        result = convert_many([docx], workers=1, timeout=self.timeout)
        if docx not in result.pdfs:
            raise ConversionError(f"{docx.name} could not be converted to PDF: "
                                  f"{result.failures.get(docx, 'unknown error')}", path=docx.name)
        if result.pdfs[docx] != target:
            os.replace(result.pdfs[docx], target)
        return target

    def _stop(self) -> None:
        for proc in (self._worker, self._office):
            stop_group(proc)
        self._worker = self._office = None
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def close(self) -> None:
        with self._lock:
            self._stop()


_shared: WarmOffice | None = None
_shared_lock = threading.Lock()


def warm_office() -> WarmOffice:
    """The process's one WarmOffice (stopped when the process exits)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WarmOffice()
            atexit.register(_shared.close)
        return _shared
