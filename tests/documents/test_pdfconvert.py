"""DOCX → PDF conversion: text survives, batches equal one-at-a-time, bad documents fail alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.enum.text import WD_BREAK

from kokemus_docs.core.errors import ConversionError, LibreOfficeMissing
from kokemus_docs.documents import merging, office, pdfconvert
from kokemus_docs.documents.pdfconvert import convert_many, soffice_convert

TRICKY = "Åsa & Öberg <ääni> \"lainaus\" 'yksi'"


def make_docx(path: Path, index: int, pages: int = 2, template: Path | None = None) -> Path:
    """A small contract-like document; documents made from one `template` share everything but the body."""
    doc = Document(str(template)) if template else Document()
    doc.add_heading(f"Toimeksiantosopimus {index}", level=1)
    doc.add_paragraph(f"Kokemusasiantuntija {TRICKY} nro {index}.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Yksikkö"
    table.cell(0, 1).text = f"Mieli & päihde <{index}>"
    table.cell(1, 0).text = "Voimassa"
    table.cell(1, 1).text = "1.1.2026–31.12.2026"
    doc.add_paragraph("Vahvuudet", style="List Bullet")
    for page in range(pages):
        for clause in range(3 + index % 3):
            doc.add_paragraph(f"Sivu {page + 1}, ehto {clause + 1}: palkkio maksetaan jälkikäteen. " * 3)
        if page < pages - 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph(f"Loppu {index} – allekirjoitukset")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def page_texts(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as opened:
        return [page.extract_text() or "" for page in opened.pages]


@pytest.fixture
def docs(tmp_path) -> list[Path]:
    return [make_docx(tmp_path / "batch" / f"sopimus_{i:02d}.docx", i, pages=1 + i % 3) for i in range(6)]


@pytest.mark.libreoffice
def test_pdfs_are_written_beside_each_docx_and_keep_the_text(docs):
    progress_calls = []
    result = convert_many(docs, progress=lambda done, total, label: progress_calls.append((done, total)))

    assert result.failures == {}
    assert list(result.pdfs) == docs
    for index, docx in enumerate(docs):
        pdf = result.pdfs[docx]
        assert pdf == docx.with_suffix(".pdf") and pdf.exists()
        text = "\n".join(page_texts(pdf))
        assert f"Kokemusasiantuntija {TRICKY} nro {index}." in text
        assert f"Mieli & päihde <{index}>" in text
        assert f"Loppu {index} – allekirjoitukset" in text
    assert progress_calls[-1] == (len(docs), len(docs))
    # no temporary files left beside the outputs
    assert sorted(p.name for p in docs[0].parent.iterdir()) == sorted(
        [d.name for d in docs] + [d.with_suffix(".pdf").name for d in docs]
    )


@pytest.mark.libreoffice
def test_documents_of_one_template_are_merged_and_split_back_page_for_page(docs, tmp_path):
    # all six come from python-docx's default template: one group, converted as one merged file
    templates: dict = {}
    analysed = [merging.DocxFile(d, d.with_suffix(".pdf")) for d in docs]
    for doc in analysed:
        merging.analyse(doc, templates)
    assert len({doc.signature for doc in analysed}) == 1 and analysed[0].signature is not None

    batch = convert_many(docs, workers=1)
    one_by_one = {}
    for index, docx in enumerate(docs):
        alone = tmp_path / "alone" / str(index) / docx.name
        alone.parent.mkdir(parents=True)
        alone.write_bytes(docx.read_bytes())
        one_by_one[docx] = soffice_convert([alone], alone.parent)[alone]

    for docx in docs:
        assert page_texts(batch.pdfs[docx]) == page_texts(one_by_one[docx])
    assert [len(page_texts(batch.pdfs[d])) for d in docs] == [1, 2, 3, 1, 2, 3]


@pytest.mark.libreoffice
def test_a_damaged_docx_fails_alone_with_a_message(docs, tmp_path):
    broken = tmp_path / "batch" / "rikki.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a Word file")
    half = tmp_path / "batch" / "puolikas.docx"
    half.write_bytes(docs[0].read_bytes()[:2000])
    missing = tmp_path / "batch" / "puuttuu.docx"

    result = convert_many([docs[0], broken, docs[1], half, missing, docs[2]])

    assert set(result.pdfs) == {docs[0], docs[1], docs[2]}
    assert set(result.failures) == {broken, half, missing}
    assert "damaged or not a Word document" in result.failures[broken]
    assert "not found" in result.failures[missing]
    assert not broken.with_suffix(".pdf").exists()
    assert "Loppu 2" in "\n".join(page_texts(result.pdfs[docs[2]]))


def fake_soffice(monkeypatch, bin_dir: Path, hang_on: str | None, crash_on: str | None = None,
                 hang_once: bool = False) -> None:
    """An `soffice` first on PATH that hangs (with a child process) on a file holding `hang_on` (only the
    first time with `hang_once`), crashes on one holding `crash_on`, and otherwise makes a stand-in PDF
    of each file."""
    bin_dir.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    script = bin_dir / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        'outdir=""; prev=""\n'
        'for a in "$@"; do\n'
        '  if [ "$prev" = "--outdir" ]; then outdir="$a"; fi\n'
        '  prev="$a"\n'
        "done\n"
        'for a in "$@"; do\n'
        '  case "$a" in *.docx)\n'
        f'    if [ -n "{hang_on or ""}" ] && grep -q "{hang_on or "-"}" "$a"; then\n'
        f'      if [ "{"once" if hang_once else ""}" != "once" ] || [ ! -e "$0.hung" ]; then\n'
        '        touch "$0.hung"; sleep 300 & wait\n'
        '      fi\n'
        '    fi\n'
        f'    if [ -n "{crash_on or ""}" ] && grep -q "{crash_on or "-"}" "$a"; then exit 139; fi\n'
        '    { cat "$a"; echo "%%EOF"; } > "$outdir/$(basename "$a" .docx).pdf";;\n'
        "  esac\n"
        "done\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def not_word_files(folder: Path, count: int, marker: bytes, at: int) -> list[Path]:
    """`count` files LibreOffice would convert unmerged (they are not zips); the one `at` holds `marker`."""
    folder.mkdir(exist_ok=True)
    inputs = []
    for index in range(count):
        path = folder / f"doc{index}.docx"
        path.write_bytes(b"not a zip " + (marker if index == at else b"ok"))
        inputs.append(path)
    return inputs


def test_a_hanging_libreoffice_is_killed_and_only_its_document_fails(tmp_path, monkeypatch):
    fake_soffice(monkeypatch, tmp_path / "bin", hang_on="HANG")
    inputs = not_word_files(tmp_path / "in", 5, b"HANG", at=3)

    result = convert_many(inputs, workers=2, timeout=2)

    assert set(result.failures) == {inputs[3]}
    assert "did not finish" in result.failures[inputs[3]] and "2 s" in result.failures[inputs[3]]
    assert set(result.pdfs) == set(inputs) - {inputs[3]}
    assert not inputs[3].with_suffix(".pdf").exists()


def test_a_document_on_which_libreoffice_hung_once_is_converted_on_the_second_try(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    fake_soffice(monkeypatch, bin_dir, hang_on="HANG", hang_once=True)
    [path] = not_word_files(tmp_path / "in", 1, b"HANG", at=0)

    result = convert_many([path], timeout=2)

    assert (bin_dir / "soffice.hung").exists()  # it did hang the first time
    assert result.failures == {} and result.pdfs == {path: path.with_suffix(".pdf")}


def test_a_crashing_libreoffice_blames_only_the_document_it_crashed_on(tmp_path, monkeypatch):
    fake_soffice(monkeypatch, tmp_path / "bin", hang_on=None, crash_on="CRASH")
    inputs = not_word_files(tmp_path / "in", 4, b"CRASH", at=1)

    result = convert_many(inputs, workers=1)

    assert set(result.failures) == {inputs[1]}
    assert "stopped unexpectedly" in result.failures[inputs[1]]
    assert set(result.pdfs) == {inputs[0], inputs[2], inputs[3]}
    assert inputs[2].with_suffix(".pdf").read_bytes().startswith(b"not a zip ok")


def test_soffice_convert_reports_a_timeout(tmp_path, monkeypatch):
    fake_soffice(monkeypatch, tmp_path / "bin", hang_on="HANG")
    stuck = tmp_path / "stuck.docx"
    stuck.write_bytes(b"HANG")
    with pytest.raises(ConversionError, match="did not finish within 1 s"):
        soffice_convert([stuck], tmp_path / "out", timeout=1)


def test_no_libreoffice_on_path_is_a_clear_setup_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LibreOfficeMissing) as raised:
        convert_many([tmp_path / "a.docx"])
    assert raised.value.exit_code == 2
    assert "apt-get install" in raised.value.message
    with pytest.raises(LibreOfficeMissing):
        office.find_soffice()


def test_batches_are_handed_out_as_soon_as_they_are_full(tmp_path):
    planner = pdfconvert._Planner(batch_size=2)
    docs = [merging.DocxFile(tmp_path / f"{name}.docx", tmp_path / f"{name}.pdf", signature=signature)
            for name, signature in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("x", None), ("b2", "B"),
                                    ("a3", "A")]]
    handed = [[doc.path.stem for job in planner.add(doc) for doc in job.docs] for doc in docs]
    assert handed == [[], [], ["a1", "a2"], [], ["b1", "b2"], []]
    leftovers = planner.finish()
    # a template group of one is converted unmerged with the other singles
    assert [([d.path.stem for d in job.docs], job.merged) for job in leftovers] == [(["x", "a3"], False)]
    assert pdfconvert.batch_size(1000, 2) == pdfconvert.MERGE_LIMIT
    assert pdfconvert.batch_size(10, 2) == 5 and pdfconvert.batch_size(1, 4) == 2


@pytest.mark.libreoffice
def test_documents_handed_in_while_being_written_are_all_converted(docs):
    handed = []

    def written_one_by_one():
        for docx in docs:
            handed.append(docx)
            yield docx

    result = convert_many(written_one_by_one(), expected=len(docs), workers=2)
    assert result.failures == {} and list(result.pdfs) == docs == handed
    for index, docx in enumerate(docs):
        assert f"Mieli & päihde <{index}>" in "\n".join(page_texts(result.pdfs[docx]))
