"""The safe reader on any PDF: field values by full name (strings as PDF writers spell them), field kinds, and the
page text of a PDF without fields."""

from __future__ import annotations

import pytest
from pdfbytes import form_pdf

from kokemus_docs.pdfsafe.reader import read_fields, read_pdf

# Strings as PDF writers spell them, and the text they stand for (PDF 32000-1, 7.3.4 and 7.9.2).
PDF_STRINGS = [
    pytest.param(b"(plain ASCII)", "plain ASCII", id="ascii"),
    pytest.param(b"(a (nested (twice)) b)", "a (nested (twice)) b", id="nested-parentheses"),
    pytest.param(b"(\\n\\r\\t\\(\\)\\\\ \\/ \\q)", "\n\r\t()\\ / q", id="escapes"),
    pytest.param(b"(\\101\\60\\0610\\3777)", "A010ÿ7", id="octal"),
    pytest.param(b"(one\\\ntwo\\\r\nthree)", "onetwothree", id="backslash-line-end"),
    pytest.param(b"(raw\r\nline end)", "raw\nline end", id="raw-line-end"),
    pytest.param(b"(\\344\\366 \\200\\225 \\240 \\305)", "äö •Ł € Å", id="pdfdocencoding"),
    pytest.param(b"(\\376\\377\\000\\305\\000s\\000a)", "Åsa", id="utf16-octal"),
    pytest.param(b"<FEFF 0141 0075 006B 0061 0073 007A 0020 004E 0067 0075 0079 1EC5 006E>", "Łukasz Nguyễn",
                 id="utf16-hex"),
    pytest.param(b"<FEFFD83DDE00>", "\U0001f600", id="utf16-surrogates"),
    pytest.param(b"<EFBBBFC3A57364>", "åsd", id="utf8-mark"),
    pytest.param(b"<4142 43 4>", "ABC@", id="hex-odd"),
    pytest.param(b"<>", "", id="empty-hex"),
    pytest.param(b"()", "", id="empty"),
]


@pytest.mark.parametrize("spelled, text", PDF_STRINGS)
def test_text_strings_are_decoded(spelled, text):
    data = form_pdf({10: b"<< /FT /Tx /T (kentt\\344) /V " + spelled + b" >>"}, [10])
    assert read_fields(data) == {"kenttä": text}


def test_field_tree_names_values_and_kinds():
    """Names qualified through /Kids, inherited /FT and /V, checkbox and radio states, choices."""
    appearance = b"<< /Length 0 >>\nstream\n\nendstream"
    fields = {
        10: b"<< /T (asiakas) /FT /Tx /Kids [11 0 R 12 0 R] >>",
        11: b"<< /T (nimi) /Parent 10 0 R /Subtype /Widget /V <FEFF0141 0075 006B 0061 0073 007A 0020 004E 0067 0075 "
            b"0079 1EC5 006E> >>",
        12: b"<< /T (kunta) /Parent 10 0 R /Subtype /Widget /V (Borg\\345 & <Loviisa> \"x\" 'y') >>",
        13: b"<< /FT /Btn /T (suostumus) /V /Kyll#c3#a4 /AS /Kyll#c3#a4 /AP << /N << /Kyll#c3#a4 30 0 R "
            b"/Off 30 0 R >> >> >>",
        14: b"<< /FT /Btn /T (tyhja) /V /Off /AP << /N << /Yes 30 0 R /Off 30 0 R >> >> >>",
        15: b"<< /FT /Btn /T (vieras) /V /Yes /AP << /N << /On 30 0 R /Off 30 0 R >> >> >>",
        16: b"<< /FT /Ch /T (valinta) /V (b) /Opt [(a) (b)] >>",
        17: b"<< /FT /Ch /Ff 2097152 /T (monta) /V [(a) <FEFF00E4>] /Opt [(a) (\\344)] >>",
        18: b"<< /FT /Btn /Ff 32768 /T (arvio) /V /3 /Kids [19 0 R 20 0 R] >>",
        19: b"<< /Parent 18 0 R /Subtype /Widget /AP << /N << /3 30 0 R /Off 30 0 R >> >> >>",
        20: b"<< /Parent 18 0 R /Subtype /Widget /AP << /N << /4 30 0 R /Off 30 0 R >> >> >>",
        21: b"<< /T (yhteinen) /FT /Tx /V (peritty) /Kids [22 0 R 23 0 R] >>",
        22: b"<< /T (lapsi) /Parent 21 0 R >>",
        23: b"<< /T (oma) /Parent 21 0 R /V (oma arvo) >>",
        24: b"<< /FT /Btn /Ff 65536 /T (painike) >>",
        25: b"<< /FT /Tx /T (kentt\\344) >>",
        30: appearance,
    }
    data = form_pdf(fields, [10, 13, 14, 15, 16, 17, 18, 21, 24, 25])
    assert read_fields(data) == {
        "asiakas.nimi": "Łukasz Nguyễn", "asiakas.kunta": "Borgå & <Loviisa> \"x\" 'y'", "suostumus": "Kyllä",
        "tyhja": "", "vieras": "", "valinta": "b", "monta": "a\nä", "arvio": "3", "yhteinen.lapsi": "peritty",
        "yhteinen.oma": "oma arvo", "painike": "", "kenttä": ""}
    content = read_pdf(data)
    assert content.kinds == {
        "asiakas.nimi": "text", "asiakas.kunta": "text", "suostumus": "checkbox", "tyhja": "checkbox",
        "vieras": "checkbox", "valinta": "choice", "monta": "choice", "arvio": "radio", "yhteinen.lapsi": "text",
        "yhteinen.oma": "text", "painike": "button", "kenttä": "text"}
    assert content.page_count == 1 and content.pages is None


def test_pdf_without_fields_gives_its_page_text(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "letter.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.drawString(50, 700, "Hei")
    pdf.line(50, 690, 150, 690)
    pdf.setFillColorRGB(0.2, 0.4, 0.6)
    pdf.rect(200, 600, 10, 10, stroke=0, fill=1)
    pdf.save()
    assert read_fields(path.read_bytes()) == {}
    content = read_pdf(path.read_bytes())
    assert content.fields == {} and content.page_count == 1
    page = content.pages[0]
    assert (page.width, page.height) == (595, 842)
    assert "".join(ch["text"] for ch in page.chars) == "Hei"
    assert page.chars[0]["x0"] == pytest.approx(50) and page.chars[0]["bottom"] == pytest.approx(842 - 700, abs=3)
    line, rect = page.shapes
    assert line["kind"] == "line" and line["top"] == pytest.approx(842 - 690) and line["x1"] == pytest.approx(150)
    assert rect["kind"] == "rect" and rect["fill"] and rect["non_stroking_color"] == pytest.approx([0.2, 0.4, 0.6])
    assert rect["bottom"] == pytest.approx(842 - 600)
