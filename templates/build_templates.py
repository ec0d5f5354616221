"""Build the Word templates shipped in kokemus_docs/templates/ (run: python templates/build_templates.py).

Each template is an ordinary .docx a coordinator can open and edit in Word or LibreOffice. The
placeholders are docxtpl/Jinja tags: `{{ expert.full_name }}` for a value, `{%p if ... %}` /
`{%p endfor %}` on a paragraph of their own, `{%tr for ... %}` / `{%tr endfor %}` in a table row of
their own. Every tag sits inside one run so Word cannot split it.

The output is reproducible: fixed document properties, fixed zip entry dates and order, so running
the script twice gives identical bytes and a change in the committed templates is a real change.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "kokemus_docs" / "templates"
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FONT = "Arial"
TEXT_WIDTH_MM = 166  # A4 210 mm minus 22 mm margins on both sides
CHECKBOX = "\u2610"
SIGN_LINE = "_" * 34
# the coordinator's name when kokemus.toml gives one, else a line to write it on
COORDINATOR_SIGNATURE_NAME = '{{ coordinator_name or "' + SIGN_LINE + '" }}'

Part = str | tuple[str, str]  # plain text, or (text, "b") for bold
_TAB_ALIGN = {"left": WD_TAB_ALIGNMENT.LEFT, "right": WD_TAB_ALIGNMENT.RIGHT}


# --- building blocks ---------------------------------------------------------------------------

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


# --- assignment contract -----------------------------------------------------------------------

CONTRACT_TEXT = {
    "fi": {
        "title": "Kokemusasiantuntijan toimeksiantosopimus",
        "short": "Toimeksiantosopimus",
        "page": "Sivu",
        "number": "Sopimusnumero",
        "printed": "Tulostettu",
        "parties": "1 Sopimuksen osapuolet",
        "party_rows": [
            ("Toimeksiantaja", "{{ org_name }}"),
            ("Y-tunnus", "{{ business_id }}"),
            ("Postiosoite", "{{ postal_address }}"),
            ("Toimeksiantajan yhteyshenkilö", "{{ coordinator.name_title }}"),
            ("Yhteystiedot", "{{ coordinator.contact }}"),
            ("Kokemusasiantuntija", "{{ expert.full_name }}"),
            ("Asiantuntijanumero", "{{ expert.expert_id }}"),
            ("Sähköposti", "{{ expert.email }}"),
            ("Puhelin", "{{ expert.phone }}"),
        ],
        "expert": "2 Kokemusasiantuntijan tiedot",
        "expert_rows": [
            ("Koulutus", "{{ expert.education }}"),
            ("Kokemus kokemusasiantuntijana", "{{ expert.expert_experience }}"),
            ("Aihealueet", "{{ expert.topics_text }}"),
            ("Toiveet tehtävistä", "{{ expert.wishes }}"),
        ],
        "unit": "3 Toimintayksikkö",
        "unit_rows": [
            ("Yksikkö", "{{ unit.name }}"),
            ("Palvelualue", "{{ unit.service_area }}"),
            ("Käyntiosoite", "{{ unit.address }}"),
            ("Tilat", "{{ unit.premises }}"),
            ("Yksikön nimetty työntekijä", "{{ unit.contact_name }}"),
            ("Työntekijän yhteystiedot", "{{ unit.contact }}"),
            ("Kustannuspaikka", "{{ unit.cost_center }}"),
        ],
        "tasks": "4 Tehtävät ja palkkiot",
        "tasks_intro": "Kokemusasiantuntija voi tämän sopimuksen perusteella toimia alla luetelluissa tehtävissä. "
                       "Palkkiot maksetaan toimeksiantajan hyväksymän palkkiotaulukon mukaan. Luettelossa on "
                       "kunkin tehtävän palkkio sopimuksen alkaessa.",
        "task_headers": ("Tehtävä", "Peruste", "Palkkio", "Voimassa alkaen"),
        "tasks_after": "Kustakin tehtävästä maksetaan se palkkio, joka on voimassa tehtävän tekopäivänä. Jos "
                       "palkkiotaulukko muuttuu sopimuskauden aikana, uutta palkkiota sovelletaan sen "
                       "voimaantulopäivästä alkaen.",
        "validity": "5 Sopimuksen voimassaolo",
        "validity_text": ["Sopimus on voimassa ", "{{ contract.valid_from }}", " \u2013 ",
                          "{{ contract.valid_to }}", "."],
        "nature": "6 Toimeksiannon luonne",
        "nature_items": [
            "Kyseessä on toimeksiantosopimus. Kokemusasiantuntija ei ole työsopimuslain (55/2001) "
            "tarkoittamassa työsuhteessa toimeksiantajaan eikä palvelun asiakkaaseen.",
            "Toimeksiantaja ei sitoudu tarjoamaan kokemusasiantuntijalle mitään tiettyä määrää tehtäviä "
            "tai tunteja.",
            "Kokemusasiantuntija päättää itse, mitkä tehtävät hän ottaa vastaan, ja voi kieltäytyä "
            "tarjotusta tehtävästä.",
            "Palvelu on asiakkaille maksuton. Asiakkaalta ei peritä mitään maksua.",
        ],
        "fees": "7 Palkkion maksamisen ehdot",
        "fees_items": [
            ["Toimeksiantaja voi perua sovitun tehtävän maksutta viimeistään edellisenä päivänä kello ",
             "{{ cancellation_cutoff }}", ". Jos tehtävä perutaan myöhemmin, palkkio maksetaan."],
            "Jos asiakas ei saavu sovittuun tapaamiseen, palkkio maksetaan.",
            "Ryhmänohjauksen ennalta sovitut kerrat maksetaan, vaikka ryhmään ei tulisi osallistujia. "
            "Palkkiota ei makseta, jos ryhmä on lopetettu painavasta tai etukäteen sovitusta syystä.",
            "Jos kokemusasiantuntija on sairauden vuoksi estynyt hoitamasta tehtävää, palkkiota ei makseta.",
        ],
        "travel": "8 Matkakulut",
        "travel_items": [
            "Matkoja asiakastapaamisiin tai muihin tehtäviin ei korvata.",
            "Matkat kokemusasiantuntijoiden yhteisiin tapaamisiin voidaan korvata, jos siitä on sovittu "
            "etukäteen.",
            "Matkoista kotikunnan ulkopuolelle kokemusasiantuntijan valitsemalla toiminta-alueella voidaan "
            "sopia erikseen.",
        ],
        "payment": "9 Verokortti ja palkkion maksaminen",
        "payment_items": [
            ["Kokemusasiantuntija toimittaa verokorttinsa sopimuksen allekirjoittamisen yhteydessä ja sen "
             "jälkeen joka vuosi vuoden alussa palkanmaksuun: ", "{{ payroll_name }}", ", ",
             "{{ tax_card_address }}", ". Ilman verokorttia ennakonpidätys on 60 %."],
            ["Kokemusasiantuntija ilmoittaa kuukauden tehtävät tuntilomakkeella, jonka on oltava yksikön "
             "nimetyllä työntekijällä viimeistään seuraavan kuukauden ", "{{ notice_day }}", ". päivänä."],
            "Kuukauden aikana tehtyjen tehtävien palkkiot maksetaan jälkikäteen seuraavan kuukauden "
            "viimeisenä pankkipäivänä (esimerkiksi lokakuun palkkiot marraskuun viimeisenä pankkipäivänä).",
            ["Kysymyksissä sopimuksesta, tuntilomakkeesta ja palkkioista kokemusasiantuntija ottaa yhteyttä "
             "toimeksiantajan yhteyshenkilöön: ", "{{ coordinator.full }}", "."],
        ],
        "privacy": "10 Salassapito ja tietosuoja",
        "privacy_items": [
            "Kokemusasiantuntijalla on vaitiolovelvollisuus kaikesta, mitä hän saa tehtävissään tietää "
            "asiakkaista, heidän läheisistään ja toimeksiantajan toiminnasta. Velvollisuus jatkuu myös "
            "sopimuksen päätyttyä.",
            "Asiakastietoja käsitellään vain siinä laajuudessa kuin tehtävä vaatii ja tietosuojasäädösten "
            "mukaisesti. Kokemusasiantuntija ei tallenna asiakastietoja itselleen eikä vie niitä mukanaan.",
            "Kokemusasiantuntija ei anna omia yhteystietojaan asiakkaille. Yhteydenpito asiakkaisiin "
            "hoidetaan aina yksikön työntekijän kautta.",
        ],
        "signatures": "11 Allekirjoitukset",
        "copies": "Sopimus on tehty kahtena samansisältöisenä kappaleena, yksi kummallekin osapuolelle.",
        "sign_parties": ("Toimeksiantajan puolesta", "Kokemusasiantuntija"),
        "sign_rows": [
            ("Paikka ja päivämäärä", ("", "")),
            ("Allekirjoitus", ("", "")),
            ("Nimenselvennys", (COORDINATOR_SIGNATURE_NAME, "{{ expert.full_name }}")),
        ],
    },
    "sv": {
        "title": "Uppdragsavtal för erfarenhetsexpert",
        "short": "Uppdragsavtal",
        "page": "Sida",
        "number": "Avtalsnummer",
        "printed": "Utskrivet",
        "parties": "1 Avtalsparter",
        "party_rows": [
            ("Uppdragsgivare", "{{ org_name }}"),
            ("FO-nummer", "{{ business_id }}"),
            ("Postadress", "{{ postal_address }}"),
            ("Uppdragsgivarens kontaktperson", "{{ coordinator.name_title }}"),
            ("Kontaktuppgifter", "{{ coordinator.contact }}"),
            ("Erfarenhetsexpert", "{{ expert.full_name }}"),
            ("Expertnummer", "{{ expert.expert_id }}"),
            ("E-post", "{{ expert.email }}"),
            ("Telefon", "{{ expert.phone }}"),
        ],
        "expert": "2 Uppgifter om erfarenhetsexperten",
        "expert_rows": [
            ("Utbildning", "{{ expert.education }}"),
            ("Erfarenhet som erfarenhetsexpert", "{{ expert.expert_experience }}"),
            ("Ämnesområden", "{{ expert.topics_text }}"),
            ("Önskemål om uppdrag", "{{ expert.wishes }}"),
        ],
        "unit": "3 Verksamhetsenhet",
        "unit_rows": [
            ("Enhet", "{{ unit.name }}"),
            ("Serviceområde", "{{ unit.service_area }}"),
            ("Besöksadress", "{{ unit.address }}"),
            ("Lokaler", "{{ unit.premises }}"),
            ("Enhetens namngivna anställda", "{{ unit.contact_name }}"),
            ("Kontaktuppgifter", "{{ unit.contact }}"),
            ("Kostnadsställe", "{{ unit.cost_center }}"),
        ],
        "tasks": "4 Uppdrag och arvoden",
        "tasks_intro": "Med stöd av detta avtal kan erfarenhetsexperten arbeta med de uppdrag som räknas upp "
                       "nedan. Arvodena betalas enligt uppdragsgivarens godkända arvodestabell. Listan visar "
                       "arvodet för varje uppdrag när avtalet börjar.",
        "task_headers": ("Uppdrag", "Grund", "Arvode", "Gäller från"),
        "tasks_after": "För varje uppdrag betalas det arvode som gäller den dag uppdraget utförs. Om "
                       "arvodestabellen ändras under avtalsperioden tillämpas det nya arvodet från den dag "
                       "det träder i kraft.",
        "validity": "5 Avtalets giltighet",
        "validity_text": ["Avtalet gäller ", "{{ contract.valid_from }}", " \u2013 ",
                          "{{ contract.valid_to }}", "."],
        "nature": "6 Uppdragets art",
        "nature_items": [
            "Detta är ett uppdragsavtal. Erfarenhetsexperten står inte i ett anställningsförhållande enligt "
            "arbetsavtalslagen (55/2001) till uppdragsgivaren eller till tjänstens kund.",
            "Uppdragsgivaren förbinder sig inte att erbjuda erfarenhetsexperten något visst antal uppdrag "
            "eller timmar.",
            "Erfarenhetsexperten bestämmer själv vilka uppdrag hen tar emot och kan tacka nej till ett "
            "erbjudet uppdrag.",
            "Tjänsten är avgiftsfri för kunderna. Kunden faktureras aldrig något.",
        ],
        "fees": "7 Villkor för arvodet",
        "fees_items": [
            ["Uppdragsgivaren kan avboka ett överenskommet uppdrag utan kostnad senast klockan ",
             "{{ cancellation_cutoff }}", " dagen före. Om uppdraget avbokas senare betalas arvodet."],
            "Om kunden inte kommer till ett överenskommet möte betalas arvodet.",
            "De på förhand överenskomna gångerna i grupphandledning betalas även om inga deltagare kommer. "
            "Arvode betalas inte om gruppen har avslutats av ett tvingande eller i förväg överenskommet skäl.",
            "Om erfarenhetsexperten på grund av sjukdom är förhindrad att sköta uppdraget betalas inget arvode.",
        ],
        "travel": "8 Resekostnader",
        "travel_items": [
            "Resor till kundmöten eller andra uppdrag ersätts inte.",
            "Resor till erfarenhetsexperternas gemensamma möten kan ersättas om det har avtalats i förväg.",
            "Resor utanför hemkommunen inom det verksamhetsområde som erfarenhetsexperten har valt kan "
            "avtalas separat.",
        ],
        "payment": "9 Skattekort och utbetalning av arvodet",
        "payment_items": [
            ["Erfarenhetsexperten lämnar sitt skattekort när avtalet undertecknas och därefter varje år i "
             "början av året till lönetjänsten: ", "{{ payroll_name }}", ", ", "{{ tax_card_address }}",
             ". Utan skattekort är förskottsinnehållningen 60 %."],
            ["Erfarenhetsexperten redovisar månadens uppdrag på timblanketten, som ska vara hos enhetens "
             "namngivna anställda senast den ", "{{ notice_day }}", " i följande månad."],
            "Arvodena för de uppdrag som utförts under en månad betalas i efterskott den sista bankdagen i "
            "följande månad (till exempel arvodena för oktober den sista bankdagen i november).",
            ["Med frågor om avtalet, timblanketten och arvodena kontaktar erfarenhetsexperten "
             "uppdragsgivarens kontaktperson: ", "{{ coordinator.full }}", "."],
        ],
        "privacy": "10 Sekretess och dataskydd",
        "privacy_items": [
            "Erfarenhetsexperten har tystnadsplikt om allt som hen i uppdraget får veta om kunder, deras "
            "närstående och uppdragsgivarens verksamhet. Tystnadsplikten gäller även efter att avtalet har "
            "upphört.",
            "Kunduppgifter behandlas endast i den omfattning som uppdraget kräver och enligt "
            "dataskyddsbestämmelserna. Erfarenhetsexperten sparar inte kunduppgifter för egen del och tar "
            "dem inte med sig.",
            "Erfarenhetsexperten ger inte sina personliga kontaktuppgifter till kunder. Kontakten med "
            "kunderna sköts alltid via enhetens anställda.",
        ],
        "signatures": "11 Underskrifter",
        "copies": "Avtalet har upprättats i två likalydande exemplar, ett för vardera parten.",
        "sign_parties": ("För uppdragsgivaren", "Erfarenhetsexpert"),
        "sign_rows": [
            ("Ort och datum", ("", "")),
            ("Underskrift", ("", "")),
            ("Namnförtydligande", (COORDINATOR_SIGNATURE_NAME, "{{ expert.full_name }}")),
        ],
    },
}


def build_contract(lang: str) -> Document:
    t = CONTRACT_TEXT[lang]
    doc = new_document(lang, t["title"], t["short"])
    header_footer(doc, t["short"], t["page"])
    heading(doc, t["title"], 1)
    para(doc, (f"{t['number']} ", "b"), ("{{ contract.id }}", "b"))
    para(doc, f"{t['printed']} ", "{{ generated_on }}", size=8)

    heading(doc, t["parties"], 2)
    field_lines(doc, t["party_rows"])
    heading(doc, t["expert"], 2)
    field_lines(doc, t["expert_rows"])
    heading(doc, t["unit"], 2)
    field_lines(doc, t["unit_rows"])

    heading(doc, t["tasks"], 2)
    para(doc, t["tasks_intro"])
    item_lines(doc, ((88, "left"), (128, "right"), (134, "left")), t["task_headers"], "task in tasks",
               ("{{ task.label }}", "{{ task.basis_label }}", "{{ task.rate }}", "{{ task.rate_valid_from }}"))
    para(doc, t["tasks_after"])

    heading(doc, t["validity"], 2)
    para(doc, *t["validity_text"])
    for key in ("nature", "fees", "travel", "payment", "privacy"):
        heading(doc, t[key], 2)
        bullets(doc, t[f"{key}_items"])

    heading(doc, t["signatures"], 2)
    para(doc, t["copies"])
    signature_lines(doc, t["sign_parties"], t["sign_rows"])
    return doc


# --- introduction pack -------------------------------------------------------------------------

INTRO_TEXT = {
    "fi": {
        "title": "Perehdytyspaketti",
        "page": "Sivu",
        "printed": "Tulostettu",
        "lead": "Tähän perehdytyspakettiin on koottu se, mitä kokemusasiantuntijan on hyvä tietää ennen "
                "työn aloittamista yksikössä. Käykää kohdat läpi yhdessä, rastittakaa ne ja kuitatkaa "
                "perehdytys allekirjoituksin.",
        "basics": "Perustiedot",
        "basic_rows": [
            ("Kokemusasiantuntija", "{{ expert.full_name }}"),
            ("Asiantuntijanumero", "{{ expert.expert_id }}"),
            ("Sähköposti", "{{ expert.email }}"),
            ("Puhelin", "{{ expert.phone }}"),
            ("Yksikkö", "{{ unit.name }}"),
            ("Palvelualue", "{{ unit.service_area }}"),
            ("Käyntiosoite", "{{ unit.address }}"),
            ("Tilat", "{{ unit.premises }}"),
            ("Yksikön yhteyshenkilö", "{{ unit.contact_name }}"),
            ("Yhteyshenkilön sähköposti", "{{ unit.contact_email }}"),
            ("Yhteyshenkilön puhelin", "{{ unit.contact_phone }}"),
            ("Sopimus- ja palkkioasiat", "{{ coordinator.name_title }}"),
            ("Yhteystiedot", "{{ coordinator.contact }}"),
        ],
        "contract": ["Toimeksiantosopimus ", "{{ contract.id }}", " on voimassa ", "{{ contract.valid_from }}",
                     " \u2013 ", "{{ contract.valid_to }}", "."],
        "tasks": "Sovitut tehtävät",
        "task_headers": ("Tehtävä", "Peruste", "Palkkio (voimassa nyt ja muutokset)"),
        "checklist": "Perehdytyksen tarkistuslista",
        "check_headers": ("Käydään läpi", "Sovittu / lisätiedot"),
        "items": [
            ("Yhteiset toimintaohjeet ja se, miten yksikkö soveltaa niitä omaan työhönsä.", ""),
            ("Kierros yksikön tiloissa.", ""),
            ("Kokemusasiantuntija esitellään yksikön henkilöstölle.", ""),
            ("Toimintaa varten varattu tila ja sen varaaminen.", ""),
            ("Yksikön yhteyshenkilö ja miten hänet tavoittaa.", "{{ unit.contact_name }}"),
            ("Yhteys asiakkaisiin kulkee aina työntekijän kautta. Kokemusasiantuntija ei koskaan anna "
             "asiakkaille omia yhteystietojaan.", ""),
            ("Kokemusasiantuntijan käyttöön annettava puhelin tai puhelinliittymä ja sen käyttötapa.", ""),
            ("Kokemusasiantuntijalla on oikeus lopettaa asiakastyö yhdessä työntekijän tai työryhmän kanssa.", ""),
            ("Säännöllinen työnohjaus: milloin ja kenen kanssa.", ""),
            ("Raportointi ja kirjaaminen: mitä kirjataan, minne ja kuka kirjaa.", ""),
            ("Palkkion maksaminen: tuntilomake kuukausittain, lomake yksikköön viimeistään seuraavan "
             "kuukauden {{ notice_day }}. päivänä; kuukauden palkkiot maksetaan seuraavan kuukauden viimeisenä "
             "pankkipäivänä. Kysymykset sopimuksesta ja palkkioista toimeksiantajan yhteyshenkilölle.",
             "{{ coordinator.full }}"),
            ("Salassapito ja tietosuoja.", ""),
        ],
        "sign": "Kuittaus",
        "sign_text": "Perehdytys on käyty läpi yllä olevan tarkistuslistan mukaisesti.",
        "sign_parties": ("Kokemusasiantuntija", "Yksikön yhteyshenkilö"),
        "sign_rows": [
            ("Paikka ja päivämäärä", ("", "")),
            ("Allekirjoitus", ("", "")),
            ("Nimenselvennys", ("{{ expert.full_name }}", "{{ unit.contact_name }}")),
        ],
    },
    "sv": {
        "title": "Introduktionspaket",
        "page": "Sida",
        "printed": "Utskrivet",
        "lead": "I det här introduktionspaketet finns det som erfarenhetsexperten behöver veta innan arbetet "
                "vid enheten börjar. Gå igenom punkterna tillsammans, kryssa för dem och kvittera "
                "introduktionen med era underskrifter.",
        "basics": "Grunduppgifter",
        "basic_rows": [
            ("Erfarenhetsexpert", "{{ expert.full_name }}"),
            ("Expertnummer", "{{ expert.expert_id }}"),
            ("E-post", "{{ expert.email }}"),
            ("Telefon", "{{ expert.phone }}"),
            ("Enhet", "{{ unit.name }}"),
            ("Serviceområde", "{{ unit.service_area }}"),
            ("Besöksadress", "{{ unit.address }}"),
            ("Lokaler", "{{ unit.premises }}"),
            ("Enhetens kontaktperson", "{{ unit.contact_name }}"),
            ("Kontaktpersonens e-post", "{{ unit.contact_email }}"),
            ("Kontaktpersonens telefon", "{{ unit.contact_phone }}"),
            ("Avtal och arvoden", "{{ coordinator.name_title }}"),
            ("Kontaktuppgifter", "{{ coordinator.contact }}"),
        ],
        "contract": ["Uppdragsavtal ", "{{ contract.id }}", " gäller ", "{{ contract.valid_from }}",
                     " \u2013 ", "{{ contract.valid_to }}", "."],
        "tasks": "Överenskomna uppdrag",
        "task_headers": ("Uppdrag", "Grund", "Arvode (gäller nu och ändringar)"),
        "checklist": "Checklista för introduktionen",
        "check_headers": ("Gå igenom", "Överenskommet / tilläggsuppgifter"),
        "items": [
            ("De gemensamma verksamhetsanvisningarna och hur enheten tillämpar dem i sitt arbete.", ""),
            ("En rundtur i enhetens lokaler.", ""),
            ("Erfarenhetsexperten presenteras för enhetens personal.", ""),
            ("Det utrymme som reserverats för verksamheten och hur det bokas.", ""),
            ("Enhetens kontaktperson och hur hen nås.", "{{ unit.contact_name }}"),
            ("Kontakten med kunderna går alltid via den anställda. Erfarenhetsexperten ger aldrig sina "
             "personliga kontaktuppgifter till kunder.", ""),
            ("Den telefon eller telefonanslutning som erfarenhetsexperten får använda och hur den används.", ""),
            ("Erfarenhetsexperten har rätt att avsluta kundarbetet tillsammans med den anställda eller "
             "arbetsgruppen.", ""),
            ("Regelbunden arbetshandledning: när och med vem.", ""),
            ("Rapportering och dokumentation: vad som antecknas, var och av vem.", ""),
            ("Utbetalning av arvodet: timblankett varje månad, blanketten till enheten senast den "
             "{{ notice_day }} i följande månad; en månads arvoden betalas den sista bankdagen i följande "
             "månad. Frågor om avtalet och arvodena till uppdragsgivarens kontaktperson.",
             "{{ coordinator.full }}"),
            ("Sekretess och dataskydd.", ""),
        ],
        "sign": "Kvittering",
        "sign_text": "Introduktionen har gåtts igenom enligt checklistan ovan.",
        "sign_parties": ("Erfarenhetsexpert", "Enhetens kontaktperson"),
        "sign_rows": [
            ("Ort och datum", ("", "")),
            ("Underskrift", ("", "")),
            ("Namnförtydligande", ("{{ expert.full_name }}", "{{ unit.contact_name }}")),
        ],
    },
}


def build_intro_pack(lang: str) -> Document:
    t = INTRO_TEXT[lang]
    doc = new_document(lang, t["title"], t["title"])
    header_footer(doc, t["title"], t["page"])
    title = heading(doc, f"{t['title']}: ", 1)
    title.add_run("{{ unit.name }}")
    para(doc, f"{t['printed']} ", "{{ generated_on }}", size=8)
    para(doc, t["lead"])

    heading(doc, t["basics"], 2)
    field_lines(doc, t["basic_rows"])
    tag_paragraph(doc, "{%p if contract %}")
    para(doc, *t["contract"])
    tag_paragraph(doc, "{%p endif %}")

    heading(doc, t["tasks"], 2)
    item_lines(doc, ((78, "left"), (100, "left")), t["task_headers"], "task in tasks",
               ("{{ task.label }}", "{{ task.basis_label }}", "{{ task.rate_now }}"))

    heading(doc, t["checklist"], 2)
    checklist(doc, t["check_headers"], t["items"])

    heading(doc, t["sign"], 2)
    para(doc, t["sign_text"])
    signature_lines(doc, t["sign_parties"], t["sign_rows"])
    return doc


# --- fee notice --------------------------------------------------------------------------------

FEE_TEXT = {
    "fi": {
        "title": "Palkkioilmoitus",
        "page": "Sivu",
        "printed": "Tulostettu",
        "lead": "Kokemusasiantuntijoiden palkkiot, jotka maksetaan yksikön kustannuspaikalta. Yksikön "
                "nimetty työntekijä tarkistaa ilmoituksen ja hyväksyy sen allekirjoituksellaan.",
        "rows": [
            ("Yksikkö", "{{ unit.name }}"),
            ("Kustannuspaikka", "{{ unit.cost_center }}"),
            ("Yksikön nimetty työntekijä", "{{ unit.contact_name }}"),
            ("Palvelukuukausi", "{{ month_label }}"),
            ("Ilmoitus yksikössä viimeistään", "{{ notice_deadline }}"),
            ("Maksupäivä", "{{ payment_date }}"),
        ],
        "lines": "Maksettavat tehtävät",
        "line_headers": ("Päivä", "Tehtävä", "Tila", "Tunnit", "Hinta", "Palkkio", "Matkat"),
        "expert_total": "Yhteensä",
        "unpaid": "Rivit, joista ei makseta tai jotka maksetaan ilmoitetusta poiketen",
        "unpaid_lead": "Tuntilomakkeilla ilmoitetut rivit, joista palkkio tai matkakulut jäävät maksamatta tai "
                       "maksetaan toisin kuin ilmoitettiin, ja syy.",
        "unpaid_headers": ("Päivä", "Kokemusasiantuntija", "Tehtävä", "Syy"),
        "corrections": "Oikaisut aiempiin kuukausiin",
        "corrections_lead": "Tuntilomakkeiden korjaukset kuukausilta, joiden palkkiot oli jo maksettu: mitä "
                            "muuttui ja erotus. Lisäykset maksetaan tässä erässä ja sisältyvät yksikön summaan; "
                            "jo maksetut, korjauksessa poistuneet rivit sovitaan erikseen, eikä niitä vähennetä "
                            "tästä summasta.",
        "corrections_headers": ("Työkuukausi", "Kokemusasiantuntija", "Päivä", "Tehtävä", "Muutos", "Erotus"),
        "totals": "Yksikkö yhteensä",
        "total_rows": [
            ("Palkkiot", "{{ fee_total }}"),
            ("Matkakorvaukset", "{{ travel_total }}"),
            ("Yhteensä", "{{ total }}"),
        ],
        "approval": "Hyväksyntä",
        "approval_text": ["Vahvistan, että ilmoitetut tehtävät on tehty yksikössä ja että palkkiot voidaan "
                          "maksaa kustannuspaikalta ", "{{ unit.cost_center }}", "."],
        "sign_parties": ("Yksikön nimetty työntekijä",),
        "sign_rows": [
            ("Päivämäärä", ("",)),
            ("Allekirjoitus", ("",)),
            ("Nimenselvennys", ("{{ unit.contact_name }}",)),
        ],
    },
    "sv": {
        "title": "Arvodesanmälan",
        "page": "Sida",
        "printed": "Utskrivet",
        "lead": "Erfarenhetsexperternas arvoden som betalas från enhetens kostnadsställe. Enhetens "
                "namngivna anställda granskar anmälan och godkänner den med sin underskrift.",
        "rows": [
            ("Enhet", "{{ unit.name }}"),
            ("Kostnadsställe", "{{ unit.cost_center }}"),
            ("Enhetens namngivna anställda", "{{ unit.contact_name }}"),
            ("Månad då arbetet utfördes", "{{ month_label }}"),
            ("Anmälan vid enheten senast", "{{ notice_deadline }}"),
            ("Betalningsdag", "{{ payment_date }}"),
        ],
        "lines": "Uppdrag som betalas",
        "line_headers": ("Datum", "Uppdrag", "Status", "Timmar", "Taxa", "Arvode", "Resor"),
        "expert_total": "Totalt",
        "unpaid": "Rader som inte betalas eller som betalas annorlunda än anmält",
        "unpaid_lead": "Rader på timblanketterna vars arvode eller resekostnader inte betalas eller betalas "
                       "annorlunda än anmält, med orsaken.",
        "unpaid_headers": ("Datum", "Erfarenhetsexpert", "Uppdrag", "Orsak"),
        "corrections": "Rättelser till tidigare månader",
        "corrections_lead": "Rättelser av timblanketter för månader vars arvoden redan hade betalats: vad som "
                            "ändrades och skillnaden. Tilläggen betalas i denna utbetalning och ingår i enhetens "
                            "summa; redan betalda rader som strukits i rättelsen regleras separat och dras inte "
                            "av från summan.",
        "corrections_headers": ("Arbetsmånad", "Erfarenhetsexpert", "Datum", "Uppdrag", "Ändring", "Skillnad"),
        "totals": "Enheten totalt",
        "total_rows": [
            ("Arvoden", "{{ fee_total }}"),
            ("Reseersättningar", "{{ travel_total }}"),
            ("Totalt", "{{ total }}"),
        ],
        "approval": "Godkännande",
        "approval_text": ["Jag bekräftar att de anmälda uppdragen har utförts vid enheten och att arvodena "
                          "kan betalas från kostnadsställe ", "{{ unit.cost_center }}", "."],
        "sign_parties": ("Enhetens namngivna anställda",),
        "sign_rows": [
            ("Datum", ("",)),
            ("Underskrift", ("",)),
            ("Namnförtydligande", ("{{ unit.contact_name }}",)),
        ],
    },
}


def build_fee_notice(lang: str) -> Document:
    t = FEE_TEXT[lang]
    doc = new_document(lang, t["title"], t["title"])
    header_footer(doc, t["title"], t["page"])
    title = heading(doc, f"{t['title']}: ", 1)
    title.add_run("{{ month_label }}")
    para(doc, f"{t['printed']} ", "{{ generated_on }}", size=8)
    para(doc, t["lead"])
    field_lines(doc, t["rows"])
    tag_paragraph(doc, "{%p if late_note %}")
    para(doc, ("{{ late_note }}", "b"))
    tag_paragraph(doc, "{%p endif %}")

    heading(doc, t["lines"], 2)
    tag_paragraph(doc, "{%p for person in experts %}")
    name = heading(doc, "{{ person.full_name }}", 3)
    name.add_run(" (")
    name.add_run("{{ person.expert_id }}")
    name.add_run(")")
    loop_table(
        doc, (19, 41, 25, 16, 26, 20, 19), t["line_headers"], "line in person.lines",
        ("{{ line.date }}", "{{ line.task_label }}", "{{ line.status_label }}", "{{ line.hours }}",
         "{{ line.rate }} / {{ line.basis_label }}", "{{ line.fee }}", "{{ line.travel }}"),
        totals=(t["expert_total"], "", "", "", "", "{{ person.fee_total }}", "{{ person.travel_total }}"),
        size=8, align="lllrrrr",
    )
    tag_paragraph(doc, "{%p endfor %}")

    tag_paragraph(doc, "{%p if corrections %}")
    heading(doc, t["corrections"], 2)
    para(doc, t["corrections_lead"]).paragraph_format.keep_with_next = True
    loop_table(
        doc, (22, 32, 18, 30, 46, 18), t["corrections_headers"], "row in corrections",
        ("{{ row.month }}", "{{ row.expert }}", "{{ row.date }}", "{{ row.task_label }}", "{{ row.change }}",
         "{{ row.difference }}"), size=8, align="lllllr",
    )
    tag_paragraph(doc, "{%p endif %}")

    tag_paragraph(doc, "{%p if unpaid %}")
    heading(doc, t["unpaid"], 2)
    para(doc, t["unpaid_lead"]).paragraph_format.keep_with_next = True
    loop_table(
        doc, (19, 38, 38, 71), t["unpaid_headers"], "row in unpaid",
        ("{{ row.date }}", "{{ row.expert }}", "{{ row.task_label }}", "{{ row.reason }}"), size=8,
    )
    tag_paragraph(doc, "{%p endif %}")

    # the totals, the approval and the signature stay together on one page
    heading(doc, t["totals"], 2)
    total = paragraph_style(doc, "Total", tabs=[(100, "right")], space_after=2, keep_with_next=True)
    for label, value in t["total_rows"]:
        para(doc, (label, "b"), "\t" + value, style=total)  # the sums right-aligned under each other
    heading(doc, t["approval"], 2)
    para(doc, *t["approval_text"])
    signature_lines(doc, t["sign_parties"], t["sign_rows"])
    return doc


# --- output ------------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], Document]] = {
    "contract_fi.docx": lambda: build_contract("fi"),
    "contract_sv.docx": lambda: build_contract("sv"),
    "intro_pack_fi.docx": lambda: build_intro_pack("fi"),
    "intro_pack_sv.docx": lambda: build_intro_pack("sv"),
    "fee_notice_fi.docx": lambda: build_fee_notice("fi"),
    "fee_notice_sv.docx": lambda: build_fee_notice("sv"),
}


def reproducible_bytes(doc: Document) -> bytes:
    """The document as .docx bytes with fixed entry dates, attributes and order."""
    raw = io.BytesIO()
    doc.save(raw)
    with zipfile.ZipFile(raw) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    order = ["[Content_Types].xml"] + sorted(name for name in entries if name != "[Content_Types].xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def build_all(output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Write every template into `output_dir` and return their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in BUILDERS.items():
        target = output_dir / name
        target.write_bytes(reproducible_bytes(builder()))
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR, help=f"output folder (default {OUTPUT_DIR})")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
