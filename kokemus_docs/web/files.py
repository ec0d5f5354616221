"""Sending a workspace file to the browser: only from the folders a role may read, each download audited."""

from __future__ import annotations

from flask import abort, g, request, send_file

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit


def send_workspace_file(rel: str, folders: tuple[str, ...]):
    """The file at workspace-relative `rel` under outputs/<folders>; a missing PDF whose DOCX is there is made
    now (warm LibreOffice). 404 for anything else, 503 when the conversion fails."""
    path = overview.download_path(g.ws, rel, folders)
    if path is None:
        try:
            path = overview.pdf_on_request(g.ws, rel, folders)
        except KokemusError:
            abort(503)
    if path is None:
        abort(404)
    if request.method != "HEAD":  # asking whether a file is there is not downloading it
        audit("download", g.ws.rel(path))
    return send_file(path, as_attachment=True, download_name=path.name, max_age=0)
