"""A document made on request (not a workspace file) sent to the browser as an attachment."""

from __future__ import annotations

import io

from flask import send_file


def pdf_response(name: str, data: bytes):
    """`data` as a PDF download named `name`, never cached."""
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name,
                     max_age=0)
