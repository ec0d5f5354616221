"""Building blocks of the Word templates: a new A4 document with its styles, paragraphs with bold parts,
bullets, tables, tab-stopped lines, checklists, signature lines, and the header and footer with page numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
FONT = "Arial"
TEXT_WIDTH_MM = 166  # A4 210 mm minus 22 mm margins on both sides
CHECKBOX = "\u2610"
SIGN_LINE = "_" * 34

Part = str | tuple[str, str]  # plain text, or (text, "b") for bold
_TAB_ALIGN = {"left": WD_TAB_ALIGNMENT.LEFT, "right": WD_TAB_ALIGNMENT.RIGHT}


def new_document(lang: str, title: str, subject: str) -> Document:
    """An empty A4 document with the house styles, the document language and fixed properties."""
    doc = Document()
    _drop_optional_parts(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = section.footer_distance = Mm(10)

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Heading 1", 16), ("Heading 2", 12), ("Heading 3", 11), ("Title", 18)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        _set_theme_free_font(style.element)
    _set_theme_free_font(normal.element)
    _drop_style_numbering(doc)
    _set_document_language(doc, "fi-FI" if lang == "fi" else "sv-FI")

    props = doc.core_properties
    props.author = "kokemus-docs"
    props.last_modified_by = "kokemus-docs"
    props.title = title
    props.subject = subject
    props.language = "fi-FI" if lang == "fi" else "sv-FI"
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_printed = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    return doc


def _drop_optional_parts(doc: Document) -> None:
    """Leave out the stock thumbnail and the legacy stylesWithEffects part of python-docx's default."""
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)


def _set_theme_free_font(style_element) -> None:
    """Make the style's font apply to all scripts (the default template points headings at theme fonts)."""
    rpr = style_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), FONT)


def _drop_style_numbering(doc: Document) -> None:
    """The templates use no numbered or bulleted list styles; without them documents join cleanly."""
    for numbering in doc.styles.element.iter(qn("w:numPr")):
        numbering.getparent().remove(numbering)


def _set_document_language(doc: Document, language: str) -> None:
    """Spell checking in Word/LibreOffice follows the document's language."""
    styles_root = doc.styles.element
    doc_defaults = styles_root.find(qn("w:docDefaults"))
    rpr_default = doc_defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), "ar-SA")


def add_runs(paragraph, parts: Sequence[Part], size: float | None = None) -> None:
    for part in parts:
        text, style = (part, "") if isinstance(part, str) else part
        run = paragraph.add_run(text)
        run.bold = "b" in style or None
        run.italic = "i" in style or None
        if size:
            run.font.size = Pt(size)


def para(doc, *parts: Part, style: str | None = None, size: float | None = None):
    paragraph = doc.add_paragraph(style=style)
    add_runs(paragraph, parts, size)
    return paragraph


def heading(doc, text: str, level: int):
    paragraph = doc.add_paragraph(style=f"Heading {level}")
    paragraph.add_run(text)
    return paragraph


def bullets(doc, items: Sequence[str | Sequence[Part]]) -> None:
    """Bulleted paragraphs with a typed bullet and a hanging indent (no Word numbering to carry over)."""
    style = paragraph_style(doc, "Bullet item", left_mm=6, hanging_mm=6, tabs=[(6, "left")])
    for item in items:
        parts = [item] if isinstance(item, str) else list(item)
        if isinstance(parts[0], str):  # the bullet shares the first run
            parts[0] = "\u2022\t" + parts[0]
        else:
            parts.insert(0, "\u2022\t")
        para(doc, *parts, style=style)


def tag_paragraph(doc, tag: str) -> None:
    """A paragraph holding only a `{%p ... %}` tag; docxtpl removes it from the output."""
    doc.add_paragraph().add_run(tag)


def _table(doc, columns_mm: Sequence[float], rows: int, cell_margin_mm: float | None = None):
    table = doc.add_table(rows=rows, cols=len(columns_mm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if cell_margin_mm is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(round(cell_margin_mm * 1440 / 25.4)))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        table._tbl.tblPr.find(qn("w:tblLook")).addprevious(margins)  # the schema's order: before tblLook
    for index, width in enumerate(columns_mm):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)
    return table


def _fill(cell, parts: Sequence[Part] | str, size: float | None = None, shade: bool = False,
          align: str = "l") -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(1)
    if align == "r":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_runs(paragraph, [parts] if isinstance(parts, str) else parts, size)
    if shade:
        tc_pr = cell._tc.get_or_add_tcPr()
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "E6ECF2")
        tc_pr.append(shading)


def paragraph_style(doc, name: str, *, left_mm: float | None = None, hanging_mm: float | None = None,
                    tabs: Sequence[tuple[float, str]] = (), space_before: float | None = None,
                    space_after: float | None = None, keep_with_next: bool | None = None,
                    size: float | None = None, bottom_border: bool = False) -> str:
    """A named paragraph style based on Normal (made once per document); returns its name.

    Named styles, not formatting repeated on every paragraph: a coordinator changes the look in one
    place, and LibreOffice reads the documents faster.
    """
    if name in [style.name for style in doc.styles]:
        return name
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    fmt = style.paragraph_format
    if left_mm is not None:
        fmt.left_indent = Mm(left_mm)
    if hanging_mm is not None:
        fmt.first_line_indent = Mm(-hanging_mm)
    for position_mm, alignment in tabs:
        fmt.tab_stops.add_tab_stop(Mm(position_mm), _TAB_ALIGN[alignment])
    if space_before is not None:
        fmt.space_before = Pt(space_before)
    if space_after is not None:
        fmt.space_after = Pt(space_after)
    if keep_with_next is not None:
        fmt.keep_with_next = keep_with_next
    if size is not None:
        style.font.size = Pt(size)
    if bottom_border:
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "8A9BB0")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        style.element.get_or_add_pPr().append(borders)
    return name


def field_lines(doc, rows: Sequence[tuple[str, str]], label_mm: float = 72) -> None:
    """A bold label and its value (usually one tag) per line, the values aligned at a tab stop.

    Paragraphs, not a table: they read the same and lay out several times faster in LibreOffice.
    """
    style = paragraph_style(doc, "Field", left_mm=label_mm, hanging_mm=label_mm, tabs=[(label_mm, "left")],
                            space_after=2)
    for index, (label, value) in enumerate(rows):
        paragraph = para(doc, (label, "b"), "\t" + value, style=style)
        if index == len(rows) - 1:
            paragraph.paragraph_format.space_after = Pt(8)


def item_lines(doc, stops: Sequence[tuple[float, str]], headers: Sequence[str], loop: str,
               cells: Sequence[str]) -> None:
    """A bold header line with a rule under it, then one tab-aligned line per item (`{%p for ... %}`)."""
    para(doc, ("\t".join(headers), "b"),
         style=paragraph_style(doc, "Item header", tabs=stops, space_after=3, keep_with_next=True,
                               bottom_border=True))
    tag_paragraph(doc, f"{{%p for {loop} %}}")
    para(doc, "\t".join(cells), style=paragraph_style(doc, "Item", tabs=stops, space_after=2))
    tag_paragraph(doc, "{%p endfor %}")


def loop_table(doc, columns_mm: Sequence[float], headers: Sequence[str], loop: str, cells: Sequence[str],
               totals: Sequence[Part | str] | None = None, size: float | None = None,
               align: str | None = None) -> None:
    """A header row, then one row per item: `{%tr for ... %}` row, the data row, `{%tr endfor %}` row.

    `align` has one letter per column, "l" or "r" (money and numbers right-aligned, headers too). Rows
    never split across pages, the header row repeats on every page, and the cells have narrow margins
    so that long words fit their column.
    """
    align = align or "l" * len(columns_mm)
    rows = 4 + (1 if totals else 0)
    table = _table(doc, columns_mm, rows, cell_margin_mm=1.2)
    header_row = table.rows[0]
    _repeat_header(header_row)
    for cell, text, side in zip(header_row.cells, headers, align, strict=True):
        _fill(cell, [(text, "b")], size, shade=True, align=side)
    _fill(table.rows[1].cells[0], f"{{%tr for {loop} %}}", size)
    for cell, text, side in zip(table.rows[2].cells, cells, align, strict=True):
        _fill(cell, text, size, align=side)
    _fill(table.rows[3].cells[0], "{%tr endfor %}", size)
    if totals:
        for cell, value, side in zip(table.rows[4].cells, totals, align, strict=True):
            _fill(cell, [(value, "b")] if isinstance(value, str) and value else value or [], size, align=side)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if totals:  # the totals row never starts a page alone: each item row keeps with the row after it
        for cell in table.rows[2].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    doc.add_paragraph()


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def checklist(doc, headers: tuple[str, str], items: Sequence[tuple[str, str]]) -> None:
    """Tick boxes to go through: ☐, the item, and room for notes (or a prefilled value)."""
    table = _table(doc, (10, 96, TEXT_WIDTH_MM - 106), len(items) + 1, cell_margin_mm=1.5)
    _repeat_header(table.rows[0])
    for row in table.rows:  # a row never splits across pages
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    _fill(table.rows[0].cells[0], "", shade=True)
    _fill(table.rows[0].cells[1], [(headers[0], "b")], shade=True)
    _fill(table.rows[0].cells[2], [(headers[1], "b")], shade=True)
    for row, (item, note) in zip(table.rows[1:], items, strict=True):
        _fill(row.cells[0], CHECKBOX, size=13)
        _fill(row.cells[1], item)
        _fill(row.cells[2], note)
    for row in table.rows:  # text keeps clear of the borders above and below
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.space_before = Pt(2)
            cell.paragraphs[0].paragraph_format.space_after = Pt(2)
    doc.add_paragraph()


def signature_lines(doc, parties: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> None:
    """One column per signing party, aligned by tab stops; each row a line to write on and its caption.

    The block is kept together on one page.
    """
    if doc.paragraphs:  # the lead-in sentence stays with the block
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    column_mm = TEXT_WIDTH_MM / len(parties)
    stops = [(column_mm * index, "left") for index in range(1, len(parties))]
    party = paragraph_style(doc, "Signature party", tabs=stops, keep_with_next=True)
    line = paragraph_style(doc, "Signature line", tabs=stops, keep_with_next=True, space_before=14,
                           space_after=0)
    caption = paragraph_style(doc, "Signature caption", tabs=stops, keep_with_next=True, size=8)
    para(doc, ("\t".join(parties), "b"), style=party)
    for number, (label, values) in enumerate(rows):
        para(doc, "\t".join(value or SIGN_LINE for value in values), style=line)
        last = para(doc, "\t".join([label] * len(parties)), style=caption)
        if number == len(rows) - 1:
            last.paragraph_format.keep_with_next = False


def _field_run(paragraph, instruction: str, placeholder: str, size: float | None = None) -> None:
    """A Word field (e.g. PAGE) that Word and LibreOffice update when the page is laid out."""
    def run(child):
        element = OxmlElement("w:r")
        if size:
            rpr = OxmlElement("w:rPr")
            for tag in ("w:sz", "w:szCs"):
                value = OxmlElement(tag)
                value.set(qn("w:val"), str(int(size * 2)))
                rpr.append(value)
            element.append(rpr)
        element.append(child)
        paragraph._p.append(element)

    def char(kind: str):
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        return fld

    run(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run(instr)
    run(char("separate"))
    text = OxmlElement("w:t")
    text.text = placeholder
    run(text)
    run(char("end"))


def header_footer(doc, header_text: str, page_word: str) -> None:
    """Organisation and document name at the top; "Sivu 1/3" (page/total) at the bottom."""
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_runs(head, ["{{ org_name }}", " \u2013 ", header_text], size=8)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_runs(foot, [f"{page_word} "], size=8)
    _field_run(foot, "PAGE", "1", size=8)
    add_runs(foot, ["/"], size=8)
    _field_run(foot, "NUMPAGES", "1", size=8)
