"""Sending a workspace file to the browser: only from the folders a role may read, each download audited."""

from __future__ import annotations

from flask import abort, g, render_template, send_file

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.web import file_name, overview
from kokemus_docs.web.auth import audit


def send_workspace_file(rel: str, folders: tuple[str, ...]):
    """The file at workspace-relative `rel` under outputs/<folders>. A PDF made from a DOCX is never older than
    its DOCX: a missing or older one is made now (warm LibreOffice), and when that fails the page says why and no
    PDF is sent. 404 for anything else."""
    try:
        path = overview.pdf_on_request(g.ws, rel, folders)
    except KokemusError as error:
        audit("download", rel[:200], "refused pdf-outdated")
        return render_template("pdf_failed.html", name=file_name(rel), reason=error.message), 503
    if path is None:
        path = overview.download_path(g.ws, rel, folders)
    if path is None:
        abort(404)
    audit("download", g.ws.rel(path))
    return send_file(path, as_attachment=True, download_name=path.name, max_age=0)
