"""Returned hour forms uploaded in the browser: checked (size, PDF), saved into the inbox under a name the
server chooses, then handed to the CLI's own `ingest_forms`. The client's file name is only ever shown back."""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

from werkzeug.datastructures import FileStorage

from kokemus_docs.core.fileio import make_folder
from kokemus_docs.core.model import Register
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.core.workspace import Workspace, WorkspaceBusy
from kokemus_docs.intake.ingest import ingest_forms
from kokemus_docs.intake.webform import WebForm, web_form_pdf
from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES
from kokemus_docs.web.overview import register_check, writing

MAX_FILES = 100
NAME_SHOWN = 120


def _shown_name(storage: FileStorage) -> str:
    name = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:NAME_SHOWN] or "?"


def read_upload(storage: FileStorage) -> tuple[bytes, str]:
    """The uploaded file's content and '' if it may be ingested, else a refusal code (too-large, not-pdf)."""
    data = storage.stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return b"", "too-large"
    if not data.lstrip()[:5] == b"%PDF-":
        return b"", "not-pdf"
    return data, ""


def save_upload(ws: Workspace, data: bytes) -> Path:
    """Put an upload into the inbox under a name the server chooses (written whole, then renamed)."""
    inbox = ws.inbox_dir
    make_folder(inbox)
    name = f"web-{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(6)}.pdf"
    target = inbox / name
    temporary = inbox / f".{name}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
    return target


def ingest_uploads(ws: Workspace, files: list[FileStorage], *, expert_id: str | None = None) -> dict:
    """Save and ingest the uploaded files; with `expert_id`, only that expert's own forms are taken.

    Returns {"forms": [{"name", "status", "form_id", "errors": {"fi": [...], "sv": [...]}, "feedback", "month",
    "pay_month", "payment_date"}], "refused": [{"name", "code"}], "not_taken": int, "summary"}. A file is
    'refused' (never ingested) when it is not a PDF, is too large, or (for an expert) is someone else's form;
    files past the first MAX_FILES are not taken (counted in "not_taken", to be sent again). The summary is for
    the audit log, in words its page translates ("accepted=2 rejected=1 refused=1").
    """
    files = [f for f in files if f and (f.filename or f.content_length)]
    result: dict = {"forms": [], "refused": [], "not_taken": max(0, len(files) - MAX_FILES), "summary": ""}
    files = files[:MAX_FILES]
    pdfs: list[tuple[bytes, str]] = []
    register = register_check(ws).register
    for storage in files:
        shown = _shown_name(storage)
        data, refusal = read_upload(storage)
        if refusal:
            result["refused"].append({"name": shown, "code": refusal})
        else:
            pdfs.append((data, shown))
    return ingest_pdfs(ws, register, pdfs, result, only_expert=expert_id)


def ingest_pdfs(ws: Workspace, register: Register, pdfs: list[tuple[bytes, str]], result: dict | None = None, *,
                only_expert: str | None = None) -> dict:
    """Save each PDF (content, name shown) into the inbox and ingest them all in one run, as `forms ingest`
    would (with `only_expert`, another expert's form is refused as 'foreign'); returns `ingest_uploads`' result
    (with `result`'s refusals, when given)."""
    result = result if result is not None else {"forms": [], "refused": [], "not_taken": 0, "summary": ""}
    saved = [(save_upload(ws, data), shown) for data, shown in pdfs]
    if not saved:
        result["summary"] = _summary(result)
        return result
    try:
        with writing(ws, "forms ingest"):
            outcome = ingest_forms(ws, register, [p for p, _ in saved], only_expert=only_expert)
    except WorkspaceBusy as busy:
        for path, _ in saved:  # not left for a later run: the sender is told to send again
            path.unlink(missing_ok=True)
        result["busy"], result["summary"] = busy.message, "busy"
        return result
    shown_by_path = {p.name: shown for p, shown in saved}
    for form in outcome.forms:
        name = shown_by_path.get(form.file_name, "?")
        if form.status == "foreign":
            result["refused"].append({"name": name, "code": "foreign"})
            continue
        result["forms"].append({
            "name": name, "status": form.status, "form_id": form.form_id or None,
            "errors": {language: form.error_texts(language) for language in ("fi", "sv")},
            "feedback": form.letter or None, "month": form.month or None, "pay_month": form.pay_month or None,
            "payment_date": payment_date(form.pay_month).isoformat() if form.pay_month else None})
    result["summary"] = _summary(result)
    return result


def _summary(result: dict) -> str:
    """'accepted=2 rejected=1 refused=1 not_taken=3' for the audit log, whose page says it in fi or sv."""
    counts: dict[str, int] = {}
    for form in result["forms"]:
        counts[form["status"]] = counts.get(form["status"], 0) + 1
    counts["refused"] = len(result["refused"])
    counts["not_taken"] = result["not_taken"]
    return " ".join(f"{name}={n}" for name, n in sorted(counts.items()) if n) or "files=0"


def ingest_web_form(ws: Workspace, register: Register, web_form: WebForm) -> dict:
    """The hour form entered on the expert's page, as its filled and sealed PDF, ingested like an upload."""
    return ingest_pdfs(ws, register, [(web_form_pdf(ws, register, web_form), f"{web_form.form_id}.pdf")])
