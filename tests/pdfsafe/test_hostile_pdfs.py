"""Hostile files sent as returned forms: each is refused with a clear reason, or read correctly where it is a
valid form after all, within seconds, and never stops the next file from being read."""

from __future__ import annotations

import io
import os
import re
import time
import zlib
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from conftest import require_proc
from pdfbytes import append_update, form_pdf, raw_pdf

from kokemus_docs.forms.fields import compute_seal
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.pdfwriter import FormSpec, build_form_pdf
from kokemus_docs.intake.formread import read_form
from kokemus_docs.pdfsafe import limits
from kokemus_docs.pdfsafe import worker as reading_process
from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES, READ_TIME_LIMIT, FormUnreadable, ReaderUnavailable
from kokemus_docs.pdfsafe.reader import read_fields
from kokemus_docs.pdfsafe.worker import WORKERS

QUICK = 3.0  # seconds: every hostile file is settled well within this (the time limit is a last resort)
IDENTITY = {"form_id": "S-9_2026-10", "contract_id": "S-9", "expert_id": "KA-9", "unit_id": "MTP-PORVOO",
            "month": "2026-10"}
NOTES = "Łukasz Nguyễn: Åsa & <Öhman> \"x\" 'y'"


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> bytes:
    """A valid filled hour form (reading it also starts the reading process, so timings below are per file)."""
    folder = tmp_path_factory.mktemp("hostile")
    spec = FormSpec(language="fi", org_name="Itä-Uudenmaan hyvinvointialue", identity=dict(IDENTITY),
                    seal=compute_seal(b"k" * 32, IDENTITY), expert_name="Łukasz Nguyễn", unit_name="Ankkuri",
                    contact="Tiina Lehtonen", deadline=date(2026, 11, 9), payment=date(2026, 11, 30),
                    tasks=(("individual", "Yksilötyö"),))
    blank = folder / "blank.pdf"
    blank.write_bytes(build_form_pdf(spec))
    target = fill_form(blank, {"row01_date": "14.10.2026", "row01_notes": NOTES}, folder / "filled.pdf")
    data = target.read_bytes()
    assert read_form(target, data).rows[1]["notes"] == NOTES
    return data


def refused(data: bytes, code: str | tuple[str, ...], name: str = "palautus.pdf", **options) -> FormUnreadable:
    """read_form refuses `data` with `code`, quickly and with the file's name and a reason in the message."""
    started = time.monotonic()
    with pytest.raises(FormUnreadable) as caught:
        read_form(Path("/inbox") / name, data, **options)
    elapsed = time.monotonic() - started
    error = caught.value
    assert error.code in ((code,) if isinstance(code, str) else code), error.message
    assert error.message.startswith(f"{name}: ") and error.what in error.message and error.exit_code == 1
    if "time_limit" not in options:
        assert elapsed < QUICK, f"{elapsed:.1f} s"
        assert "longer than" not in error.what  # settled by a limit of its own, not by the time limit
    return error


def read_quickly(data: bytes):
    started = time.monotonic()
    returned = read_form(Path("/inbox/palautus.pdf"), data)
    assert time.monotonic() - started < QUICK
    return returned


def one_page(objects: dict[int, bytes]) -> bytes:
    """A PDF with objects 1 (catalog) and 2 (page tree) given, and page 3."""
    return raw_pdf({3: b"<< /Type /Page /MediaBox [0 0 595 842] >>", **objects})


# --- page trees ----------------------------------------------------------------------------------------------------


def repeated_page_tree(levels: int = 15, fanout: int = 10, first: int = 4, leaf: int = 3) -> dict[int, bytes]:
    """Nodes whose /Kids list the node below `fanout` times: fanout**levels paths to one page."""
    objects, below = {}, leaf
    for level in range(levels):
        number = first + level
        objects[number] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (fanout ** (level + 1),
                                                                      b" ".join([b"%d 0 R" % below] * fanout))
        below = number
    return objects


def test_a_page_tree_of_ten_to_the_fifteenth_paths_is_refused_at_once():
    tree = repeated_page_tree()
    data = one_page({1: b"<< /Type /Catalog /Pages %d 0 R >>" % max(tree), 2: b"<< >>", **tree})
    assert len(data) < 3000
    assert "more than once" in refused(data, "too-complex").what


def test_a_filled_form_whose_page_tree_was_replaced_by_a_repeated_one_is_refused(filled):
    with pikepdf.open(io.BytesIO(filled)) as pdf:
        size = int(pdf.trailer.Size)
        root = pdf.Root.objgen[0]
        page = pdf.pages[0].objgen[0]
        catalog = pdf.Root.unparse(resolved=True)
        pages_ref = b"%d 0 R" % pdf.Root.Pages.objgen[0]
    tree = repeated_page_tree(first=size, leaf=page)
    top = b"%d 0 R" % max(tree)
    data = append_update(filled, {**tree, root: catalog.replace(b"/Pages " + pages_ref, b"/Pages " + top)})
    refused(data, "too-complex")


def test_a_page_tree_that_contains_itself_is_refused():
    data = one_page({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                     2: b"<< /Type /Pages /Count 2 /Kids [3 0 R 4 0 R] >>",
                     4: b"<< /Type /Pages /Count 1 /Kids [2 0 R] >>"})
    refused(data, "too-complex")


def test_a_page_tree_nested_too_deep_is_refused():
    chain = {4 + n: b"<< /Type /Pages /Count 1 /Kids [%d 0 R] >>" % (5 + n) for n in range(300)}
    chain[304] = b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>"
    data = one_page({1: b"<< /Type /Catalog /Pages 4 0 R >>", 2: b"<< >>", **chain})
    assert "too deep" in refused(data, "too-complex").what


def test_too_many_pages_are_refused():
    pages = {10 + n: b"<< /Type /Page /MediaBox [0 0 595 842] >>" for n in range(limits.MAX_PAGES + 1)}
    kids = b" ".join(b"%d 0 R" % n for n in pages)
    data = raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [%s] >>" % kids, **pages})
    refused(data, "too-complex")


def test_a_page_tree_of_something_else_is_refused():
    data = one_page({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R 42 (x)] >>"})
    refused(data, "damaged")


def test_no_catalog_is_refused():
    refused(raw_pdf({1: b"(not a catalog)"}), "damaged")


# --- field trees ---------------------------------------------------------------------------------------------------


def test_a_field_that_lists_itself_among_its_kids_is_refused():
    data = form_pdf({10: b"<< /FT /Tx /T (a) /Kids [11 0 R] >>",
                     11: b"<< /T (b) /Parent 10 0 R /Kids [10 0 R 12 0 R] >>",
                     12: b"<< /T (c) /Parent 11 0 R /V (x) >>"}, [10])
    assert "loop" in refused(data, "too-complex").what


def test_fields_whose_parents_point_at_each_other_are_refused():
    data = form_pdf({10: b"<< /FT /Tx /T (a) /Parent 11 0 R /V (x) >>",
                     11: b"<< /FT /Tx /T (b) /Parent 10 0 R /Kids [10 0 R] >>"}, [10, 11])
    assert "/Parent" in refused(data, "damaged").what


def test_a_field_tree_of_repeated_references_is_read_once():
    """Like the page tree above: 10**6 paths to one field, which is read once."""
    fields = {}
    for level in range(6):
        number = 10 + level
        fields[number] = (b"<< /FT /Tx /T (n%d) /Kids [%s] %s>>"
                          % (level, b" ".join([b"%d 0 R" % (number + 1)] * 10),
                             b"/Parent %d 0 R " % (number - 1) if level else b""))
    fields[16] = b"<< /T (lehti) /Parent 15 0 R /V (Borg\\345) >>"
    started = time.monotonic()
    assert read_fields(form_pdf(fields, [10])) == {"n0.n1.n2.n3.n4.n5.lehti": "Borgå"}
    assert time.monotonic() - started < QUICK


def test_too_many_fields_are_refused():
    data = form_pdf({10: b"<< /FT /Tx /T (a) /V (x) >>"}, [10] * (limits.MAX_FIELD_NODES + 1))
    assert "fields" in refused(data, "too-complex").what


def test_too_many_distinct_fields_are_refused():
    count = limits.MAX_FIELD_NODES + 1
    fields = {10 + n: b"<< /FT /Tx /T (f%d) >>" % n for n in range(count)}
    refused(form_pdf(fields, list(fields)), "too-complex")


def test_a_field_nested_too_deep_is_refused():
    fields = {10 + n: b"<< /T (f%d) /Kids [%d 0 R] %s>>" % (n, 11 + n, b"/Parent %d 0 R " % (9 + n) if n else b"")
              for n in range(100)}
    fields[110] = b"<< /FT /Tx /T (leaf) /Parent 109 0 R >>"
    assert "too deep" in refused(form_pdf(fields, [10]), "too-complex").what


def test_a_huge_field_value_is_refused(filled):
    with pikepdf.open(io.BytesIO(filled)) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.get("/T")) == "row01_notes":
                field.V = pikepdf.String("Å" * 3_000_000)
        target = io.BytesIO()
        pdf.save(target)
    assert len(target.getvalue()) < MAX_FILE_BYTES
    assert "text" in refused(target.getvalue(), "too-complex").what


def test_a_huge_field_name_is_refused():
    refused(form_pdf({10: b"<< /FT /Tx /T (" + b"x" * 100_000 + b") >>"}, [10]), "too-complex")


def test_objects_nested_without_end_are_refused():
    """qpdf stops parsing the object (so the form has no field left to read) instead of recursing."""
    deep = b"[" * 100_000 + b"]" * 100_000
    data = form_pdf({10: b"<< /FT /Tx /T (a) /V " + deep + b" >>"}, [10])
    refused(data, ("damaged", "scanned"))


# --- files that are not what they say ------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert "empty" in refused(b"", "not-pdf").what


@pytest.mark.parametrize("data", [
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, id="png"),
    pytest.param(b"PK\x03\x04" + b"\x00" * 2000, id="zip"),
    pytest.param("päivä;tunnit\n14.10.2026;2\n".encode(), id="csv"),
    pytest.param(os.urandom(5000), id="random"),
])
def test_other_files_are_refused(data):
    refused(data, "not-pdf")


def test_a_file_larger_than_the_limit_is_refused_without_reading_it(filled):
    data = filled + b"%" + b"x" * (MAX_FILE_BYTES - len(filled)) + b"\n%%EOF\n"
    assert "MB" in refused(data, "too-large").what


def test_a_file_read_from_disk_is_read_only_up_to_the_limit(tmp_path):
    path = tmp_path / "iso.pdf"
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(MAX_FILE_BYTES * 3)  # a sparse file: large on paper, quick to make
    with pytest.raises(FormUnreadable) as caught:
        read_form(path)
    assert caught.value.code == "too-large"


@pytest.mark.parametrize("data", [
    pytest.param(b"%PDF-1.7\n", id="header-only"),
    pytest.param(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", id="cut-short"),
])
def test_files_cut_short_are_refused(data):
    refused(data, "damaged")


def test_a_truncated_form_is_refused(filled):
    refused(filled[: len(filled) // 2], "damaged")


def test_garbage_between_header_and_end_is_refused():
    data = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\nstartxref\n9\n%%EOF\n"
    refused(data, "damaged")


@pytest.mark.parametrize("damage", [
    pytest.param(lambda table: re.sub(rb"\d{10}( \d{5} n)", rb"0000000009\1", table), id="offsets-wrong"),
    pytest.param(lambda table: b"xref\n0 zz\n" + b"?" * (len(table) - 10), id="unparseable"),
])
def test_a_form_with_a_broken_cross_reference_table_is_read_correctly(filled, damage):
    """qpdf finds the objects by scanning the file, and the form reads as typed."""
    start = int(filled.rsplit(b"startxref", 1)[1].split()[0])
    table_end = filled.index(b"trailer", start)
    broken = filled[:start] + damage(filled[start:table_end]) + filled[table_end:]
    assert broken != filled
    assert read_quickly(broken).rows[1]["notes"] == NOTES


def test_a_form_whose_objects_are_all_marked_free_is_refused(filled):
    start = int(filled.rsplit(b"startxref", 1)[1].split()[0])
    table_end = filled.index(b"trailer", start)
    broken = filled[:start] + filled[start:table_end].replace(b" n ", b" f ") + filled[table_end:]
    refused(broken, "damaged")


def test_a_form_whose_startxref_points_nowhere_is_read_correctly(filled):
    head, _, _ = filled.rpartition(b"startxref")
    assert read_quickly(head + b"startxref\n99999999\n%%EOF\n").rows[1]["notes"] == NOTES


def test_a_form_locked_with_a_password_is_refused(filled, tmp_path):
    with pikepdf.open(io.BytesIO(filled)) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(user="salainen", owner="omistaja"))
    assert "password" in refused((tmp_path / "locked.pdf").read_bytes(), "encrypted").message


def test_a_form_with_only_an_owner_password_is_read(filled, tmp_path):
    with pikepdf.open(io.BytesIO(filled)) as pdf:
        pdf.save(tmp_path / "owner.pdf", encryption=pikepdf.Encryption(user="", owner="omistaja", R=6))
    assert read_quickly((tmp_path / "owner.pdf").read_bytes()).rows[1]["notes"] == NOTES


def page_with_content(content: bytes) -> bytes:
    stream = zlib.compress(content, 9)
    return raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R >>",
                    4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"})


def test_a_page_that_inflates_far_beyond_its_size_is_refused():
    data = page_with_content(b" " * 40_000_000)  # 40 MB of content in a file of 40 KB
    assert len(data) < 100_000
    refused(data, "too-complex")


# --- the time limit ------------------------------------------------------------------------------------------------


def test_a_file_that_takes_too_long_is_stopped_and_the_next_file_is_read(filled):
    """Half a million drawing operations take pdfminer far longer than the (lowered) time limit."""
    slow = page_with_content(b"0 0 m 1 1 l S\n" * 500_000)
    worker = WORKERS.worker
    assert worker is not None and worker.alive()
    started = time.monotonic()
    error = refused(slow, "too-complex", time_limit=0.5)
    assert "longer than 0.5 seconds" in error.what
    assert time.monotonic() - started < QUICK
    assert worker.process.poll() is not None  # the process that was reading it is gone
    with pytest.raises(ProcessLookupError):
        os.kill(worker.process.pid, 0)
    assert read_quickly(filled).rows[1]["notes"] == NOTES  # a fresh process reads the next file
    assert WORKERS.worker is not worker


def test_the_time_limit_is_seconds_not_minutes():
    assert 1 <= READ_TIME_LIMIT <= 30


def test_a_reading_process_that_died_between_files_is_replaced(filled):
    read_fields(filled)
    worker = WORKERS.worker
    worker.process.kill()
    worker.process.wait()
    assert read_quickly(filled).rows[1]["notes"] == NOTES
    assert WORKERS.worker is not worker


def test_threads_reading_at_once_each_get_their_own_file(filled):
    from concurrent.futures import ThreadPoolExecutor

    other = form_pdf({10: b"<< /FT /Tx /T (muu) /V (Borg\\345) >>"}, [10])
    files = [filled, other, b"%PDF-1.7\n", filled, other] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_outcome, files))
    assert results == [("form", NOTES), ("fields", {"muu": "Borgå"}), ("refused", "damaged"),
                       ("form", NOTES), ("fields", {"muu": "Borgå"})] * 4


def _outcome(data: bytes):
    try:
        fields = read_fields(data)
    except FormUnreadable as error:
        return "refused", error.code
    if "row01_notes" in fields:
        return "form", read_form(Path("x.pdf"), data).rows[1]["notes"]
    return "fields", fields


def test_the_reading_process_ends_with_the_process_it_reads_for():
    """A run killed outright (power cut, SIGKILL) leaves no reading process behind."""
    require_proc("self/stat")  # reads process states
    import signal
    import subprocess
    import sys

    script = ("import sys, time\n"
              "from kokemus_docs.pdfsafe import limits, reader, worker\n"
              "try:\n"
              "    reader.read_fields(b'%PDF-1.7\\n%%EOF startxref')\n"
              "except limits.FormUnreadable:\n"
              "    pass\n"
              "print(worker.WORKERS.worker.process.pid, flush=True)\n"
              "time.sleep(60)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(limits.__file__).parents[2]),
                                                         os.environ.get("PYTHONPATH", "")])}
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    try:
        reader = int(run.stdout.readline())
        assert _running(reader)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    deadline = time.monotonic() + 10
    while _running(reader):
        assert time.monotonic() < deadline, "the reading process outlived the process it read for"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    """The process exists and has not ended (an ended one may wait a moment to be reaped by its adopter)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_a_pipe_or_a_folder_is_refused_without_waiting(tmp_path):
    pipe = tmp_path / "tunnit.pdf"
    os.mkfifo(pipe)
    for path in (pipe, tmp_path):
        started = time.monotonic()
        with pytest.raises(FormUnreadable) as caught:
            read_form(path)
        assert caught.value.code == "not-pdf" and time.monotonic() - started < QUICK


def test_a_link_to_a_form_is_refused_not_followed(tmp_path, filled):
    """read_form reads a path through the one reader of untrusted files: a symlink is not followed."""
    form = tmp_path / "oikea.pdf"
    form.write_bytes(filled)
    link = tmp_path / "linkki.pdf"
    link.symlink_to(form)
    with pytest.raises(FormUnreadable) as caught:
        read_form(link)
    assert caught.value.code == "not-pdf" and "not a regular file" in caught.value.what
    assert read_form(form).rows[1]["notes"] == NOTES


def test_a_reading_process_stopped_while_reading_gets_the_file_again_from_a_fresh_one(filled):
    """Ended from outside mid-file (or by its memory limit): the file is read once more, not rejected at once."""
    import threading

    slow = page_with_content(b"0 0 m 1 1 l S\n" * 500_000)
    read_fields(filled)
    first = WORKERS.worker
    killer = threading.Timer(0.3, first.process.kill)
    killer.start()
    try:
        error = refused(slow, "too-complex", time_limit=1.5)
    finally:
        killer.cancel()
    assert "longer than 1.5 seconds" in error.what  # the second reading ran into the time limit
    assert first.process.poll() is not None and WORKERS.worker is not first
    assert read_quickly(filled).rows[1]["notes"] == NOTES


def test_a_reader_kept_waiting_by_a_busy_machine_is_not_stopped_by_the_time_limit(filled):
    """The time limit counts the reader's processor time: a form is not rejected because the machine was busy
    (here: the reader gets no processor at all for three times its limit)."""
    require_proc("self/stat")  # reads processor times
    import signal
    import threading

    read_fields(filled)
    worker = WORKERS.worker
    os.kill(worker.process.pid, signal.SIGSTOP)
    waking = threading.Timer(1.5, os.kill, (worker.process.pid, signal.SIGCONT))
    waking.start()
    try:
        assert read_form(Path("/inbox/palautus.pdf"), filled, time_limit=0.5).rows[1]["notes"] == NOTES
    finally:
        waking.join()
    assert WORKERS.worker is worker and worker.alive()


@pytest.mark.parametrize("page", [
    {"chars": [{"text": 7, "x0": 1, "x1": 2, "top": 3, "bottom": 4, "size": 9}], "shapes": []},
    {"chars": [{"text": "1", "x0": "left"}], "shapes": []},
    {"chars": ["1"], "shapes": []},
    {"chars": [], "shapes": [{"kind": "line", "x0": 1, "x1": 2, "top": 3, "bottom": 4, "fill": False,
                              "non_stroking_color": "red"}]},
    {"chars": [], "shapes": [{"kind": "line"}]},
])
def test_a_page_reply_of_the_wrong_shape_is_refused_as_damaged(monkeypatch, page):
    """The reading process handled hostile bytes: its answer about a page's text is checked like its fields."""
    reply = {"fields": {}, "kinds": {}, "page_count": 1, "pages": [{"width": 595.0, "height": 842.0, **page}]}
    monkeypatch.setattr(WORKERS, "run", lambda *args: reply)
    refused(b"%PDF-1.7\n%%EOF startxref", "damaged")


def test_a_reading_process_that_cannot_start_is_not_blamed_on_the_file(filled, monkeypatch):
    """No reader: a clear error of its own (not a Python exception), so that no file is rejected for it."""
    WORKERS.stop()
    monkeypatch.setattr(reading_process, "WORKER_START_LIMIT", 0.0)
    with pytest.raises(ReaderUnavailable) as caught:
        read_fields(filled)
    assert "did not start within 0 seconds" in caught.value.message and caught.value.exit_code == 2
    monkeypatch.undo()
    assert read_quickly(filled).rows[1]["notes"] == NOTES
