"""DOCX → PDF through LibreOffice, fast and without losing a batch to one bad document.

How a batch is converted:

* Documents made from the same template are merged into one Word document, converted once, and the PDF
  is cut back into one PDF per document (`merging`). Documents that cannot be merged safely are
  converted as they are, many files per LibreOffice call.
* Each worker runs its own `soffice` with its own profile (two processes sharing a profile fail).
  Every call has a timeout; a hung LibreOffice is killed with its whole process group. A batch that
  fails is split in two and each half retried, so one bad document ends up failing alone; a document
  on which LibreOffice hangs when converted alone is given one more try.
* Every PDF is written beside its DOCX through a temporary name and renamed: never a half PDF.
* Conversion need not wait for the whole batch: documents can be handed in as they are written,
  and a full merged batch goes to LibreOffice at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue

from kokemus_docs.core.errors import ConversionError
from kokemus_docs.core.fileio import atomic_path, make_folder
from kokemus_docs.core.report import Progress
from kokemus_docs.documents.merging import DocxFile, SharedParts, analyse, merge, split_pdf
from kokemus_docs.documents.office import find_soffice, run_group, soffice_command
from kokemus_docs.documents.scratch import remove_stale_temps, temp_prefix

# PDF export options: bookmarks become named destinations (needed to cut merged PDFs);
# no heading outline, which costs a fifth of the export time and is not needed in short documents.
PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"false"}}'
)
# Documents per merged file. Each LibreOffice process costs ~1.3 s CPU to start, and its cost per
# document grows slowly with the size of the file (tables grow it fastest). Measured with the built-in
# contract (two pages, no tables), CPU per 1,000 contracts: ~36 s in batches of 100, ~30 s in batches
# of 250, ~29 s of 500; 250 keeps a batch's retry cheap and LibreOffice's memory near 210 MB.
MERGE_LIMIT = 250
SINGLES_LIMIT = 40  # unmerged documents per LibreOffice call


@dataclass
class ConversionResult:
    """What `convert_many` produced: docx → pdf for each success, docx → message for each failure."""

    pdfs: dict[Path, Path] = field(default_factory=dict)
    failures: dict[Path, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


class _Timeout(Exception):
    pass


def _run_soffice(soffice: str, profile: Path, files: Sequence[Path], out_dir: Path, convert_to: str,
                 timeout: float) -> int:
    """One `soffice --convert-to` call in its own process group; killed as a whole on timeout.

    Returns the exit code: 0 even when a file could not be loaded (its output is just missing),
    anything else when LibreOffice itself crashed.
    """
    command = soffice_command(soffice, profile, "--convert-to", convert_to, "--outdir", str(out_dir),
                              *[str(f) for f in files])
    try:
        return run_group(command, timeout)
    except subprocess.TimeoutExpired:
        raise _Timeout() from None


def _complete_pdf(path: Path) -> bool:
    """True for a PDF that was written to the end (a crash can leave a truncated one)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


def soffice_convert(paths: Sequence[Path], out_dir: Path, fmt: str = "pdf", timeout: float = 180.0) -> dict[Path, Path]:
    """Convert `paths` with ONE LibreOffice call (own temporary profile) into `out_dir` as `fmt`.

    Returns input → output for every file LibreOffice produced; files it could not read are absent.
    Raises LibreOfficeMissing without soffice, ConversionError when the call times out.
    Output names are `<stem>.<ext>`, so inputs should have distinct stems.
    """
    soffice = find_soffice()
    remove_stale_temps()
    out_dir = Path(out_dir)
    make_folder(out_dir)
    ext = fmt.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix=temp_prefix("lo")) as profile:
        try:
            _run_soffice(soffice, Path(profile), [Path(p) for p in paths], out_dir, fmt, timeout)
        except _Timeout:
            raise ConversionError(f"LibreOffice did not finish within {timeout:g} s and was stopped.") from None
    result = {}
    for p in paths:
        target = out_dir / f"{Path(p).stem}.{ext}"
        if target.exists():
            result[Path(p)] = target
    return result


# ---------------------------------------------------------------- jobs

@dataclass
class _Job:
    docs: list[DocxFile]
    merged: bool
    retry: bool = False  # a second try after LibreOffice hung or crashed on a batch holding these


@dataclass
class _JobResult:
    done: list[DocxFile] = field(default_factory=list)
    failed: dict[Path, str] = field(default_factory=dict)
    retry: list[_Job] = field(default_factory=list)


def _halves(job: _Job) -> list[_Job]:
    middle = len(job.docs) // 2
    return [_Job(part, job.merged and len(part) > 1, retry=True) for part in (job.docs[:middle], job.docs[middle:])]


def _run_job(job: _Job, soffice: str, profiles: Queue, timeout: float) -> _JobResult:
    result = _JobResult()
    profile = profiles.get()
    try:
        with tempfile.TemporaryDirectory(prefix=temp_prefix("pdf")) as work_name:
            work = Path(work_name)
            if job.merged:
                _run_merged(job, soffice, profile, work, timeout, result)
            else:
                _run_singles(job, soffice, profile, work, timeout, result)
    finally:
        profiles.put(profile)
    return result


def _timeout_message(timeout: float) -> str:
    return (f"LibreOffice did not finish converting it within {timeout:g} s and was stopped; "
            "open the file in Word or LibreOffice to check it is not damaged.")


def _run_merged(job: _Job, soffice: str, profile: Path, work: Path, timeout: float, result: _JobResult) -> None:
    merged = work / "merged.docx"
    try:
        merge(job.docs, merged)
        _run_soffice(soffice, profile, [merged], work, PDF_EXPORT, timeout)
        if not _complete_pdf(work / "merged.pdf"):
            raise ValueError("LibreOffice made no complete PDF of the merged documents")
        result.done.extend(doc for doc, _ in split_pdf(work / "merged.pdf", job.docs))
    except _Timeout:
        # one document may hang LibreOffice: try each half (still merged) until it is found
        result.retry.extend(_halves(job))
    except Exception:  # any other trouble with the merged file
        # Not necessarily a bad document: convert these unmerged, many files per call, instead.
        result.retry.append(_Job(job.docs, merged=False))


def _run_singles(job: _Job, soffice: str, profile: Path, work: Path, timeout: float, result: _JobResult) -> None:
    # Copies under short unique names: same stems in different folders would overwrite each other.
    inputs = []
    for index, doc in enumerate(job.docs):
        copy = work / f"d{index:05d}.docx"
        shutil.copyfile(doc.path, copy)
        inputs.append(copy)
    try:
        exit_code = _run_soffice(soffice, profile, inputs, work, PDF_EXPORT, timeout)
    except _Timeout:
        if len(job.docs) == 1 and job.retry:
            result.failed[job.docs[0].path] = _timeout_message(timeout)
        elif len(job.docs) == 1:  # a hang may be passing: once more before giving up
            result.retry.append(_Job(job.docs, merged=False, retry=True))
        else:
            result.retry.extend(_halves(job))
        return
    missing = []
    for doc, copy in zip(job.docs, inputs, strict=True):
        produced = copy.with_suffix(".pdf")
        if _complete_pdf(produced):
            with atomic_path(doc.pdf) as tmp:
                shutil.copyfile(produced, tmp)
            result.done.append(doc)
        else:
            missing.append(doc)
    if exit_code != 0 and len(missing) > 1:
        # LibreOffice crashed part-way: the documents it did not reach are not to blame yet
        result.retry.extend(_halves(_Job(missing, merged=False)))
        return
    for doc in missing:
        result.failed[doc.path] = (
            "LibreOffice stopped unexpectedly while converting this file; it may be damaged. "
            "Open it in Word or LibreOffice and save it again as .docx."
            if exit_code != 0 else
            "LibreOffice could not read this file; it may be damaged or not a Word document. "
            "Open it in Word or LibreOffice and save it again as .docx."
        )


class _Planner:
    """Groups documents as they arrive into jobs: merged batches per template, the rest in plain batches.

    A group's batch is handed out as soon as it is full, so LibreOffice starts while later documents
    are still being written; what is left is handed out by `finish`, largest first.
    """

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.groups: dict[str, list[DocxFile]] = {}
        self.singles: list[DocxFile] = []

    def add(self, doc: DocxFile) -> list[_Job]:
        if doc.signature is None:
            self.singles.append(doc)
            if len(self.singles) < SINGLES_LIMIT:
                return []
            full, self.singles = self.singles, []
            return [_Job(full, merged=False)]
        members = self.groups.setdefault(doc.signature, [])
        members.append(doc)
        if len(members) < self.batch_size:
            return []
        del self.groups[doc.signature]
        return [_Job(members, merged=True)]

    def finish(self) -> list[_Job]:
        jobs = []
        for members in self.groups.values():
            if len(members) == 1:
                self.singles.extend(members)
            else:
                jobs.append(_Job(members, merged=True))
        for start in range(0, len(self.singles), SINGLES_LIMIT):
            jobs.append(_Job(self.singles[start:start + SINGLES_LIMIT], merged=False))
        self.groups, self.singles = {}, []
        return sorted(jobs, key=lambda job: -len(job.docs))


def batch_size(expected: int, workers: int) -> int:
    """Documents per merged batch: every worker gets work, no batch above MERGE_LIMIT."""
    return max(2, min(MERGE_LIMIT, -(-expected // max(1, workers))))


def convert_many(docx_paths: Iterable[Path], *, workers: int | None = None, timeout: float = 180.0,
                 progress: Progress | None = None, expected: int | None = None) -> ConversionResult:
    """Convert Word documents to PDF, each written beside its .docx (same stem, .pdf).

    `docx_paths` may be a generator that is still writing the documents: conversion starts as soon as
    a batch is complete (`expected`, the number it will yield, sizes the batches; a list's own length
    is used when not given). `workers` LibreOffice processes run side by side (default: the number of
    cores); `timeout` (seconds) bounds each LibreOffice call. A document that cannot be converted is
    reported in `failures` with a message; the others are converted all the same. `progress(done,
    total, label)` is called as documents finish. Raises LibreOfficeMissing when LibreOffice is not
    installed.
    """
    soffice = find_soffice()
    remove_stale_temps()
    if expected is None:
        docx_paths = list(docx_paths)
        expected = len(docx_paths)
    workers = max(1, min(workers or os.cpu_count() or 1, expected or 1))
    result = ConversionResult()
    docs: list[DocxFile] = []
    templates: dict[str, SharedParts] = {}
    planner = _Planner(batch_size(expected, workers))
    done_count = 0

    def report(outcome: _JobResult) -> None:
        nonlocal done_count
        for doc in outcome.done:
            result.pdfs[doc.path] = doc.pdf
        result.failures.update(outcome.failed)
        done_count += len(outcome.done) + len(outcome.failed)
        if progress is not None and (outcome.done or outcome.failed):
            last = (outcome.done[-1].path if outcome.done else Path(next(reversed(outcome.failed)))).name
            progress(done_count, max(expected, len(docs)), last)

    with tempfile.TemporaryDirectory(prefix=temp_prefix("profiles")) as profiles_dir, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        profiles: Queue = Queue()
        for number in range(workers):
            profiles.put(Path(profiles_dir) / f"worker{number}")
        running: set[Future] = set()

        def collect(block: bool) -> None:
            nonlocal running
            if not running:
                return
            finished, running = wait(running, timeout=None if block else 0, return_when=FIRST_COMPLETED)
            for future in finished:
                outcome: _JobResult = future.result()
                report(outcome)
                for job in outcome.retry:
                    running.add(pool.submit(_run_job, job, soffice, profiles, timeout))

        seen: set[Path] = set()
        for raw in docx_paths:
            path = Path(raw)
            if path in seen:
                continue
            seen.add(path)
            if not path.is_file():
                result.failures[path] = "File not found."
                continue
            doc = DocxFile(path, path.with_suffix(".pdf"))
            analyse(doc, templates)
            docs.append(doc)
            for job in planner.add(doc):
                running.add(pool.submit(_run_job, job, soffice, profiles, timeout))
            collect(block=False)
        for job in planner.finish():
            running.add(pool.submit(_run_job, job, soffice, profiles, timeout))
        while running:
            collect(block=True)
    # keep the caller's order
    result.pdfs = {doc.path: result.pdfs[doc.path] for doc in docs if doc.path in result.pdfs}
    return result
