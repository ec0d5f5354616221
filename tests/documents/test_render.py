"""The batch renderer: a document that cannot be written fails alone; a full disk stops the batch."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from kokemus_docs.core import fileio
from kokemus_docs.documents import template
from kokemus_docs.documents.render import DocumentJob, render_documents
from tests.documents.test_documents import docx_lines, fee_notice_context


def failing_write(monkeypatch, fails_on: str, code: int) -> None:
    """Writing the document called `fails_on` raises OSError `code`; every other one is written."""
    def write(target, data, *args, **kwargs) -> Path:
        if Path(target).name == fails_on:
            raise OSError(code, os.strerror(code), str(target))
        return fileio.write_bytes_atomic(target, data, *args, **kwargs)

    monkeypatch.setattr(template, "write_bytes_atomic", write)


def notices(workspace) -> list[DocumentJob]:
    return [DocumentJob(f"fee_notice_{language}.docx", fee_notice_context(language),
                        workspace.output("notices", f"{name}.docx"), {"name": name})
            for language, name in (("fi", "first"), ("sv", "second"), ("fi", "third"))]


def test_a_document_that_cannot_be_written_is_one_error_and_the_rest_are_written(workspace, monkeypatch):
    failing_write(monkeypatch, "second.docx", errno.EACCES)
    outcome = render_documents(workspace, notices(workspace))
    assert [p.name for p in outcome.written] == ["first.docx", "third.docx"]
    assert [(e.code, e.path) for e in outcome.errors] == [("write-failed", "outputs/notices/second.docx")]
    assert "cannot write the document" in outcome.errors[0].message
    assert [entry["name"] for entry in outcome.extra["documents"]] == ["first", "third"]
    assert any("Mieli & päihde <Ankkuri>" in line for line in docx_lines(outcome.written[1]))
    assert not workspace.output("notices", "second.docx").exists()


def test_a_full_disk_stops_the_batch_instead_of_failing_every_document(workspace, monkeypatch):
    failing_write(monkeypatch, "second.docx", errno.ENOSPC)
    with pytest.raises(OSError) as raised:
        render_documents(workspace, notices(workspace))
    assert raised.value.errno == errno.ENOSPC
    assert workspace.output("notices", "first.docx").exists()
    assert not workspace.output("notices", "third.docx").exists()
