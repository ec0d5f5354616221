"""The generic batch renderer: Word documents from templates and contexts, then PDFs if asked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from kokemus_docs.core.errors import KokemusError, Problem, TemplateError
from kokemus_docs.core.fileio import DISK_ERRNOS
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.documents.template import CompiledTemplate, compiled_template

FORMATS = ("docx", "pdf")


class DocumentJob(NamedTuple):
    """One document to write: the template's name (e.g. 'contract_fi.docx'), its context, the .docx path.

    `meta` is copied into the document's entry in `Outcome.extra["documents"]`.
    """

    template: str
    context: Mapping[str, Any]
    target: Path
    meta: Mapping[str, Any] | None = None


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """Normalise a format list ('docx', 'pdf'); an unknown one is a usage error."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise KokemusError(f"Unknown output format {', '.join(unknown) or '(none)'}; choose docx, pdf or docx,pdf.",
                           code="bad-format")
    return chosen


def render_documents(ws: Workspace, jobs: Iterable[DocumentJob | tuple], formats: Sequence[str] = ("docx",),
                     progress: Progress | None = None) -> Outcome:
    """Render every job's template with its context into its .docx target, then PDFs if asked.

    Templates come from `ws.template(name)` (the workspace's own copy first). A template that is missing
    or broken becomes one error for that template and its documents are skipped; a document that fails
    to render is an error for that document; the rest of the batch is written. With "pdf" in `formats`
    the .docx files are converted to PDF while the later ones are still being written (and removed
    again if "docx" was not asked); without LibreOffice that raises LibreOfficeMissing before any file
    is written. Progress counts both steps: writing each .docx and converting it.
    """
    formats = check_formats(formats)
    if "pdf" in formats:
        from kokemus_docs.documents.office import find_soffice

        find_soffice()  # LibreOfficeMissing before anything is written
    progress = progress or no_progress
    documents = [job if isinstance(job, DocumentJob) else DocumentJob(*job) for job in jobs]
    outcome = Outcome(extra={"documents": []})

    compiled = _compile_templates(ws, documents, outcome)
    written_docx: list[tuple[DocumentJob, Path]] = []
    converting = "pdf" in formats
    steps_per_document = 2 if converting else 1  # write the .docx, then (maybe) convert it
    steps = len(documents) * steps_per_document
    rendered = converted = 0

    def render_all() -> Iterator[Path]:
        nonlocal rendered
        for job in documents:
            template = compiled[job.template]
            path = None if template is None else _write_docx(ws, job, template, outcome)
            rendered += 1 if path else steps_per_document  # no conversion step for a missing .docx
            progress(rendered + converted, steps, job.target.name)
            if path:
                written_docx.append((job, path))
                yield path

    def conversion_progress(done: int, total: int, label: str) -> None:
        nonlocal converted
        converted = done
        progress(rendered + converted, steps, Path(label).with_suffix(".pdf").name)

    pdfs: dict[Path, Path] = {}
    if converting:
        expected = sum(1 for job in documents if compiled[job.template] is not None)
        pdfs = _convert_to_pdf(ws, render_all(), expected, outcome, conversion_progress)
    else:
        for _ in render_all():
            pass

    _record_documents(ws, written_docx, pdfs, formats, outcome)
    return outcome


def _compile_templates(ws: Workspace, documents: list[DocumentJob],
                       outcome: Outcome) -> dict[str, CompiledTemplate | None]:
    """Each template the jobs name, compiled once; a missing or broken one is None and one error."""
    compiled: dict[str, CompiledTemplate | None] = {}
    for name in dict.fromkeys(job.template for job in documents):
        try:
            compiled[name] = compiled_template(ws.template(name))
        except TemplateError as exc:
            count = sum(1 for job in documents if job.template == name)
            outcome.errors.append(Problem(f"{exc.message} ({count} document(s) not written)",
                                          path=_rel_path(ws, exc.path), code=exc.code))
            compiled[name] = None
    return compiled


def _write_docx(ws: Workspace, job: DocumentJob, template: CompiledTemplate, outcome: Outcome) -> Path | None:
    """Render one job into its .docx; a document that fails is an error for it alone (a full disk stops all)."""
    try:
        return template.render_to(job.context, job.target)
    except TemplateError as exc:
        outcome.errors.append(Problem(f"{ws.rel(job.target)} not written: {exc.message}",
                                      path=_rel_path(ws, exc.path), code=exc.code))
    except OSError as exc:
        if exc.errno in DISK_ERRNOS:
            raise  # every other document would fail the same way: the command stops
        outcome.errors.append(Problem(f"cannot write the document: {exc.strerror or exc}",
                                      path=ws.rel(job.target), code="write-failed"))
    return None


def _record_documents(ws: Workspace, written_docx: list[tuple[DocumentJob, Path]], pdfs: dict[Path, Path],
                      formats: Sequence[str], outcome: Outcome) -> None:
    """Each written document's files in the outcome, in the formats asked (a .docx made only for its PDF goes)."""
    for job, docx_path in written_docx:
        files = []
        if "docx" in formats:
            files.append(docx_path)
        if docx_path in pdfs:
            files.append(pdfs[docx_path])
            if "docx" not in formats:
                docx_path.unlink(missing_ok=True)
        if files:
            outcome.written += files
            entry = {"template": job.template, "files": [ws.rel(f) for f in files]}
            entry.update(job.meta or {})
            outcome.extra["documents"].append(entry)


def _convert_to_pdf(ws: Workspace, docx_paths: Iterable[Path], expected: int, outcome: Outcome,
                    progress: Progress) -> dict[Path, Path]:
    from kokemus_docs.documents import pdfconvert

    result = pdfconvert.convert_many(docx_paths, expected=expected, progress=progress)
    for docx_path, reason in result.failures.items():
        outcome.errors.append(Problem(f"PDF conversion failed: {reason}", path=ws.rel(docx_path),
                                      code="pdf-failed"))
    return dict(result.pdfs)


def _rel_path(ws: Workspace, path: str | None) -> str | None:
    if not path:
        return None
    return ws.rel(path) if Path(path).is_absolute() else path
