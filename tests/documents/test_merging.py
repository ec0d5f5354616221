"""Merging documents of one template for LibreOffice: which may merge, page numbers per document, cutting apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from kokemus_docs.documents import merging, pdfconvert
from kokemus_docs.documents.pdfconvert import convert_many
from tests.documents.test_pdfconvert import make_docx, page_texts


def with_footer_field(path: Path, *instructions: str) -> Path:
    """A document whose footer reads "Sivu " and then the fields, separated by "/" ("Sivu 1/3")."""
    doc = Document()
    footer = doc.sections[0].footer.paragraphs[0]
    footer.add_run("Sivu ")
    for number, instruction in enumerate(instructions):
        if number:
            footer.add_run("/")
        footer._p.append(parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        ))
    doc.add_paragraph("Sopimus")
    doc.save(str(path))
    return path


def mergeable(path: Path) -> bool:
    doc = merging.DocxFile(path, path.with_suffix(".pdf"))
    merging.analyse(doc, {})
    return doc.signature is not None


def test_only_documents_that_merge_without_changing_are_merged(tmp_path):
    numbered = Document()
    numbered.add_paragraph("Ensimmäinen ehto", style="List Number")
    numbered.save(str(tmp_path / "numbered.docx"))
    bulleted = Document()
    bulleted.add_paragraph("Vahvuus", style="List Bullet")
    bulleted.save(str(tmp_path / "bulleted.docx"))
    paired = Document()
    paired.settings.odd_and_even_pages_header_footer = True
    paired.add_paragraph("Sopimus")
    paired.save(str(tmp_path / "paired.docx"))
    (tmp_path / "not_a_zip.docx").write_bytes(b"hello")

    assert mergeable(make_docx(tmp_path / "plain.docx", 1))
    assert mergeable(tmp_path / "bulleted.docx")
    assert mergeable(with_footer_field(tmp_path / "page.docx", "PAGE"))
    assert not mergeable(tmp_path / "numbered.docx")  # numbers would run on into the next document
    assert mergeable(with_footer_field(tmp_path / "pages.docx", "PAGE", "NUMPAGES"))  # counted per document
    assert not mergeable(with_footer_field(tmp_path / "filename.docx", "FILENAME"))
    assert not mergeable(tmp_path / "paired.docx")
    assert not mergeable(tmp_path / "not_a_zip.docx")


@pytest.mark.libreoffice
@pytest.mark.parametrize("fields", [("PAGE",), ("PAGE", "NUMPAGES")], ids=["page", "page-of-pages"])
def test_page_numbers_restart_in_each_merged_document(tmp_path, monkeypatch, fields):
    docs = []
    for index in range(3):
        path = with_footer_field(tmp_path / f"s{index}.docx", *fields)
        extended = Document(str(path))
        for _ in range(index):
            extended.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            extended.add_paragraph(f"jatkuu {index}")
        extended.save(str(path))
        docs.append(path)
    assert all(mergeable(p) for p in docs)

    def unmerged(*args):
        raise AssertionError("the documents were converted one by one, not merged")

    monkeypatch.setattr(pdfconvert, "_run_singles", unmerged)
    result = convert_many(docs, workers=1)

    footers = [[text.strip().splitlines()[-1] for text in page_texts(result.pdfs[p])] for p in docs]
    if fields == ("PAGE",):
        assert footers == [["Sivu 1"], ["Sivu 1", "Sivu 2"], ["Sivu 1", "Sivu 2", "Sivu 3"]]
    else:  # the count is each document's own, not the merged file's six pages
        assert footers == [["Sivu 1/1"], ["Sivu 1/2", "Sivu 2/2"], ["Sivu 1/3", "Sivu 2/3", "Sivu 3/3"]]


def test_cutting_finds_document_starts_in_either_kind_of_named_destinations(tmp_path):
    import pikepdf

    for kind in ("catalog", "name tree"):
        pdf = pikepdf.new()
        for _ in range(3):
            pdf.add_blank_page()
        marks = {f"kokemussplit{i:05d}": pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.Fit])
                 for i, page in enumerate((0, 2))}
        if kind == "catalog":
            pdf.Root.Dests = pikepdf.Dictionary({f"/{name}": dest for name, dest in marks.items()})
        else:
            tree = pikepdf.NameTree.new(pdf)
            for name, dest in marks.items():
                tree[name] = dest
            pdf.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
        merged = tmp_path / f"{kind}.pdf"
        pdf.save(merged)
        docs = [merging.DocxFile(tmp_path / f"{kind}{i}.docx", tmp_path / f"{kind}{i}.pdf", info={"/Title": "T"})
                for i in range(2)]
        merging.split_pdf(merged, docs)
        assert [len(page_texts(doc.pdf)) for doc in docs] == [2, 1], kind


def test_merge_refuses_documents_analyse_did_not_pass_and_writes_nothing(tmp_path):
    plain = merging.DocxFile(make_docx(tmp_path / "plain.docx", 1), tmp_path / "plain.pdf")
    merging.analyse(plain, {})
    numbered = Document()
    numbered.add_paragraph("Ensimmäinen ehto", style="List Number")
    numbered.save(str(tmp_path / "Łukasz Nguyễn-Čačić.docx"))
    unsafe = merging.DocxFile(tmp_path / "Łukasz Nguyễn-Čačić.docx", tmp_path / "unsafe.pdf")
    merging.analyse(unsafe, {})
    other = merging.DocxFile(with_footer_field(tmp_path / "other.docx", "PAGE"), tmp_path / "other.pdf")
    merging.analyse(other, {})
    assert plain.signature and unsafe.signature is None and other.signature not in (None, plain.signature)
    target = tmp_path / "merged.docx"
    for docs, named in (([unsafe, plain], "Łukasz Nguyễn-Čačić.docx cannot be merged"),
                        ([plain, unsafe], "Łukasz Nguyễn-Čačić.docx cannot be merged with plain.docx"),
                        ([plain, other], "other.docx cannot be merged with plain.docx"),
                        ([], "no documents")):
        with pytest.raises(ValueError, match=named):
            merging.merge(docs, target)
        assert not target.exists()
