"""The monthly hour form: a sealed, fillable PDF (AcroForm) per contract and month.

The PDF is written directly, object by object, rather than through a drawing library: a form has some 270
fields, and issuing a thousand forms must take seconds. Writing it by hand also lets every field carry exactly
what each viewer needs to show typed text with å, ä and ö (Acrobat, PDFium in browsers, pdf.js, MuPDF, pdftk):

- the page text and every appearance stream the tool writes are in DejaVu Sans, embedded as a composite
  font subset to the Latin script (see pdffont), so names like Łukasz Nguyễn-Čačić show as typed;
- the fields' own font (/DejaVu in the form's /DR, named in every field's /DA) is a one-byte DejaVu Sans
  with the letters of the European Latin alphabets: the font a viewer or pdftk writes typed text in;
- an appearance stream (/AP /N) on every field, and /NeedAppearances false, so viewers show those
  appearances as written (a viewer still redraws a field the user edits);
- the confirmation checkbox has its own /Yes and /Off appearances.

Page 1 also shows the coordinator to ask and, when kokemus.toml sets web.public_url, the expert's personal upload
address (links.expert_upload_url) as text and as a QR code.

`form_layout` is the only definition of where things are on the page: the reader of flattened (printed) forms
uses it too.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import atomic_path, write_bytes_atomic
from kokemus_docs.core.formatting import fi_date, fi_month, fi_time
from kokemus_docs.forms.fields import (
    CONFIRM_FIELD,
    IDENTITY_FIELDS,
    ROW_FIELDS,
    SEAL_FIELD,
    SIGNED_ON_FIELD,
    compute_seal,
    form_id_for,
    row_field,
)
from kokemus_docs.core.model import STATUS_LABELS, Register, month_bounds
from kokemus_docs.core.paydates import notice_deadline, payment_date
from kokemus_docs.forms.fonts import field_font, latin_font
from kokemus_docs.forms.qr import dark_runs, qr_modules
from kokemus_docs.register.sheets import select_contracts
from kokemus_docs.core.report import Outcome, Progress, no_progress

# --- the layout: the one place that says where each field sits ------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 842, 595  # A4 landscape, in points
MARGIN = 28
ROW_HEIGHT = 17
TABLE_HEAD_HEIGHT = 24
FIRST_TABLE_TOP = 306  # the table starts below the header and the instructions on page 1
NEXT_TABLE_TOP = 540
TABLE_BOTTOM = 40  # room for the page number
FOOTER_HEIGHT = 62
FIELD_INSET = 1.5  # a field sits this far inside its table cell

# Table columns: field name (or "no" for the printed row number) and width in points.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("no", 20), ("date", 62), ("start", 38), ("end", 38), ("task", 152), ("status", 136),
    ("cancelled_at", 78), ("participants", 44), ("travel_eur", 46), ("travel_ref", 70), ("notes", 102),
)

# Identity block at the top right of page 1: (field, x0, width) per row of two, rows from the top.
IDENTITY_GRID: tuple[tuple[tuple[str, float, float], ...], ...] = (
    (("form_id", 546, 138), ("month", 692, 122)),
    (("contract_id", 546, 138), ("unit_id", 692, 122)),
    (("expert_id", 546, 138), (SEAL_FIELD, 692, 122)),
)
IDENTITY_TOP = 567
QR_SIZE = 70  # the upload address's QR code: a square this wide left of the identity block
QR_X = 466
QR_TOP = 550
IDENTITY_PITCH = 28
IDENTITY_BOX_HEIGHT = 14


@dataclass(frozen=True)
class Box:
    """A field's rectangle on a page (0-based page index, PDF points with y up)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return round(self.x1 - self.x0, 2)

    @property
    def height(self) -> float:
        return round(self.y1 - self.y0, 2)


@dataclass(frozen=True)
class FormLayout:
    """Where every field, row number and table of an hour form with `rows` rows is placed."""

    rows: int
    pages: int
    fields: dict[str, Box]
    row_pages: tuple[tuple[int, ...], ...]  # row numbers on each page
    table_tops: tuple[float, ...]  # y of the table's top edge on each page (0 = no table there)
    footer_top: float  # y where the footer starts on the last page

    def row_number_at(self, row: int) -> tuple[int, float, float]:
        """(page, x centre, baseline y) of the printed row number `row`."""
        box = self.fields[row_field(row, "date")]
        x0 = MARGIN
        return box.page, x0 + COLUMNS[0][1] / 2, box.y0 + 4.5 - FIELD_INSET


def _column_edges() -> dict[str, tuple[float, float]]:
    edges, x = {}, float(MARGIN)
    for name, width in COLUMNS:
        edges[name] = (x, x + width)
        x += width
    return edges


COLUMN_EDGES = _column_edges()


@lru_cache(maxsize=16)
def form_layout(rows: int) -> FormLayout:
    """The page layout of a form with `rows` rows: 14 rows fit on page 1 and 28 on each further page."""
    if rows < 1:
        raise ValueError("an hour form needs at least one row")
    fields: dict[str, Box] = {}
    for grid_row, pair in enumerate(IDENTITY_GRID):
        top = IDENTITY_TOP - grid_row * IDENTITY_PITCH - 10
        for name, x0, width in pair:
            fields[name] = Box(0, x0, top - IDENTITY_BOX_HEIGHT, x0 + width, top)

    row_pages: list[tuple[int, ...]] = []
    table_tops: list[float] = []
    number, page = 1, 0
    while number <= rows:
        top = FIRST_TABLE_TOP if page == 0 else NEXT_TABLE_TOP
        capacity = int((top - TABLE_HEAD_HEIGHT - TABLE_BOTTOM) // ROW_HEIGHT)
        on_page = tuple(range(number, min(rows, number + capacity - 1) + 1))
        for index, row in enumerate(on_page):
            row_top = top - TABLE_HEAD_HEIGHT - index * ROW_HEIGHT
            for name in ROW_FIELDS:
                x0, x1 = COLUMN_EDGES[name]
                fields[row_field(row, name)] = Box(page, x0 + FIELD_INSET, row_top - ROW_HEIGHT + FIELD_INSET,
                                                   x1 - FIELD_INSET, row_top - FIELD_INSET)
        row_pages.append(on_page)
        table_tops.append(top)
        number += len(on_page)
        page += 1

    last_page = page - 1
    table_end = table_tops[-1] - TABLE_HEAD_HEIGHT - len(row_pages[-1]) * ROW_HEIGHT
    footer_top = table_end - 12
    if footer_top - FOOTER_HEIGHT < TABLE_BOTTOM - 12:
        row_pages.append(())
        table_tops.append(0)
        last_page += 1
        footer_top = NEXT_TABLE_TOP
    fields[CONFIRM_FIELD] = Box(last_page, MARGIN, footer_top - 13, MARGIN + 12, footer_top - 1)
    fields[SIGNED_ON_FIELD] = Box(last_page, 640, footer_top - 15, 740, footer_top)
    return FormLayout(rows=rows, pages=last_page + 1, fields=fields, row_pages=tuple(row_pages),
                      table_tops=tuple(table_tops), footer_top=footer_top)


# --- the words on the form --------------------------------------------------------------------------------------

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Tuntilomake",
        "expert": "Kokemusasiantuntija",
        "unit": "Yksikkö",
        "form_id": "Lomakkeen tunnus",
        "contract_id": "Sopimus",
        "expert_id": "Kokemusasiantuntijan tunnus",
        "unit_id": "Yksikön tunnus",
        "month": "Kuukausi (vvvv-kk)",
        "seal": "Tarkiste",
        "identity_note": "Tunnistetiedot on lukittu. Älä muuta niitä.",
        "how_title": "Näin täytät lomakkeen",
        "how": [
            "Kirjaa jokainen sovittu tehtävä omalle rivilleen. Päivämäärä kirjoitetaan muodossa 14.10.2026 "
            "ja kellonaika muodossa 9.30.",
            "Valitse tehtävä ja sen toteutuminen valikosta. Jos tehtävä peruttiin, kirjoita milloin "
            "peruutuksesta ilmoitettiin, esimerkiksi 13.10.2026 16.20.",
            "Merkitse ryhmänohjaukseen osallistujien määrä. Matkakulut ja niiden ennakkolupatunnus "
            "kirjataan vain, kun matka korvataan.",
            "Rastita vahvistus ja kirjoita päiväys. Tallenna täytetty lomake PDF-tiedostona ja lähetä se "
            "viimeistään {deadline} yksikön yhteyshenkilölle: {contact}.",
        ],
        "rules_title": "Milloin palkkio maksetaan",
        "rules": [
            "Toimeksiantaja voi perua tehtävän maksutta edellisenä päivänä kello {cutoff} asti. Jos peruutus tulee "
            "myöhemmin, palkkio maksetaan.",
            "Jos asiakas ei tule paikalle, palkkio maksetaan.",
            "Sovitut ryhmäkerrat maksetaan, vaikka yksikään osallistuja ei tulisi, ellei ryhmää ole "
            "lopetettu painavasta tai etukäteen sovitusta syystä.",
            "Jos sairastut itse etkä voi hoitaa tehtävää, palkkiota ei makseta.",
            "Matkoja asiakastapaamisiin tai muihin tehtäviin ei korvata. Matka korvataan vain "
            "kokemusasiantuntijoiden yhteisiin tapaamisiin tai erikseen sovittuun tehtävään kotikunnan "
            "ulkopuolella, kun siitä on sovittu etukäteen. Kirjaa silloin saamasi lupatunnus.",
            "Palkkio maksetaan tehtyjen tuntien mukaan jälkikäteen. Ajoissa palautetun lomakkeen "
            "palkkiot maksetaan {payment}.",
        ],
        "columns": "Nro|Päivämäärä|Alkoi|Päättyi|Tehtävä|Toteutuminen|Peruttu\n(pvm ja klo)|Osallis-\ntujia|"
                   "Matka €|Matkan\nlupatunnus|Lisätietoja",
        "confirm": "Vakuutan, että lomakkeen tiedot ovat oikein.",
        "signed_on": "Päiväys",
        "send": "Lähetä lomake viimeistään {deadline}: {contact}.",
        "questions": "Kysyttävää? Järjestötyön ja osallisuuden asiantuntija: {coordinator}.",
        "upload": "Oma palautusosoitteesi verkossa",
        "continued": "jatkuu",
        "page": "Sivu {page}/{pages}",
        "row_tip": "Rivi {row}",
    },
    "sv": {
        "title": "Timblankett",
        "expert": "Erfarenhetsexpert",
        "unit": "Enhet",
        "form_id": "Blankettens kod",
        "contract_id": "Avtal",
        "expert_id": "Erfarenhetsexpertens kod",
        "unit_id": "Enhetens kod",
        "month": "Månad (åååå-mm)",
        "seal": "Kontrollkod",
        "identity_note": "Identifieringsuppgifterna är låsta. Ändra dem inte.",
        "how_title": "Så fyller du i blanketten",
        "how": [
            "Skriv varje överenskommet uppdrag på en egen rad. Datum skrivs i formen 14.10.2026 "
            "och klockslag i formen 9.30.",
            "Välj uppdraget och hur det utföll i listan. Om uppdraget avbokades, skriv när avbokningen "
            "meddelades, till exempel 13.10.2026 16.20.",
            "Ange antalet deltagare i grupphandledningen. Resekostnader och tillståndsnumret för resan "
            "fyller du i bara när resan ersätts.",
            "Kryssa för bekräftelsen och skriv datum. Spara den ifyllda blanketten som PDF-fil och skicka "
            "den senast {deadline} till enhetens kontaktperson: {contact}.",
        ],
        "rules_title": "När arvodet betalas",
        "rules": [
            "Uppdragsgivaren kan avboka uppdraget utan kostnad fram till klockan {cutoff} dagen före. Kommer "
            "avbokningen senare, betalas arvodet.",
            "Om kunden inte kommer, betalas arvodet.",
            "De avtalade gruppträffarna betalas även om ingen deltagare kommer, utom när gruppen har "
            "avslutats av ett tungt vägande eller på förhand överenskommet skäl.",
            "Om du själv insjuknar och inte kan utföra uppdraget, betalas inget arvode.",
            "Resor till kundmöten eller andra uppdrag ersätts inte. En resa ersätts bara till "
            "erfarenhetsexperternas gemensamma möten eller till ett separat avtalat uppdrag utanför "
            "hemkommunen, när resan har godkänts på förhand. Skriv då tillståndsnumret.",
            "Arvodet betalas i efterskott enligt utförda timmar. För blanketter som kommit in i tid "
            "betalas arvodena {payment}.",
        ],
        "columns": "Nr|Datum|Början|Slut|Uppdrag|Utfall|Avbokad\n(datum kl.)|Deltagare|Resa €|"
                   "Tillstånd\nför resa|Anmärkningar",
        "confirm": "Jag försäkrar att uppgifterna på blanketten är riktiga.",
        "signed_on": "Datum",
        "send": "Skicka blanketten senast {deadline}: {contact}.",
        "questions": "Frågor? Experten på organisationsarbete och delaktighet: {coordinator}.",
        "upload": "Din egen inlämningsadress på webben",
        "continued": "fortsättning",
        "page": "Sida {page}/{pages}",
        "row_tip": "Rad {row}",
    },
}

def field_label(name: str, language: str) -> str:
    """The label the form prints for field `name` ('travel_ref', 'signed_on', 'month', ...) in `language`.

    Messages to the expert name fields with these words, so they match what the expert sees on the form.
    """
    words = TEXTS[language]
    if name in ROW_FIELDS:
        header = words["columns"].split("|")[1 + ROW_FIELDS.index(name)]
        return header.replace("-\n", "").replace("\n", " ")
    if name == SEAL_FIELD:
        return words["seal"]
    return words[name]


FIELD_FONT_SIZE = 8.5
FIELD_FONT = b"DejaVu"  # the name of the field font in the form's /DR and in every field's /DA

# Field flags (PDF 32000-1, 12.7.3.1 and 12.7.4.4)
FLAG_READ_ONLY = 1
FLAG_COMBO = 1 << 17
FLAG_EDIT = 1 << 18


@dataclass(frozen=True)
class FormSpec:
    """Everything printed on one hour form. No hetu, IBAN or address: they never reach a form."""

    language: str
    org_name: str
    identity: dict[str, str]  # form_id, contract_id, expert_id, unit_id, month
    seal: str
    expert_name: str
    unit_name: str
    contact: str  # the unit contact, as "name, e-mail"
    deadline: date
    payment: date
    tasks: tuple[tuple[str, str], ...]  # (code, label in the expert's language), the contract's tasks
    rows: int = 25
    coordinator: str = ""  # the coordinator as "name, e-mail, phone", for questions
    upload_url: str | None = None  # the expert's personal upload address for this month (printed with a QR code)
    cutoff: str = "15.00"  # free cancellation until this time on the day before (deadlines.cancellation_cutoff)

    @property
    def month(self) -> str:
        return self.identity["month"]


# --- PDF building blocks ----------------------------------------------------------------------------------------


def _literal(raw: bytes) -> bytes:
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") \
        .replace(b"\r", b"\\r").replace(b"\n", b"\\n") + b")"


def pdf_text_string(text: str) -> bytes:
    """A PDF text string: plain ASCII as a literal, anything else as UTF-16BE with a byte order mark."""
    if text.isascii() and text.isprintable():
        return _literal(text.encode("ascii"))
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _show(text: str, bold: bool = False) -> bytes:
    """A content-stream string operand for the embedded font (two-byte glyph ids)."""
    return latin_font("bold" if bold else "regular").encode(text)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return latin_font("bold" if bold else "regular").width(text, size)


def fit_size(texts: Iterable[str], width: float, largest: float, smallest: float, bold: bool = False) -> float:
    """The largest font size (in 0.5 pt steps) at which every text fits in `width`."""
    widest = max((text_width(t, 1, bold) for t in texts), default=0)
    size = largest
    while size > smallest and widest * size > width:
        size -= 0.5
    return size


def _num(value: float) -> bytes:
    return (f"{value:.2f}".rstrip("0").rstrip(".")).encode("ascii")


def _stream(dictionary: bytes, data: bytes, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 6)
        dictionary += b" /Filter /FlateDecode"
    return b"<<" + dictionary + b" /Length " + str(len(data)).encode() + b">>\nstream\n" + data + b"\nendstream"


def text_appearance(value: str, width: float, height: float, size: float, font_ref: bytes) -> bytes:
    """The /AP /N stream of a one-line text or choice field showing `value` in the form's field font."""
    body = b"/Tx BMC\n"
    if value:
        baseline = max(1.0, (height - size * 0.72) / 2)
        body += (b"q 1 1 " + _num(width - 2) + b" " + _num(height - 2) + b" re W n BT /HR " + _num(size)
                 + b" Tf 0 g 2 " + _num(baseline) + b" Td " + _show(value) + b" Tj ET Q\n")
    body += b"EMC"
    return _stream(b"/Type /XObject /Subtype /Form /BBox [0 0 " + _num(width) + b" " + _num(height)
                   + b"] /Resources << /Font << /HR " + font_ref + b" >> >>", body)


def checkbox_appearance(width: float, height: float, ticked: bool, font_ref: bytes) -> bytes:
    """A bordered box, with a ZapfDingbats check mark when `ticked`."""
    body = b"q 0.4 G 0.8 w 0.4 0.4 " + _num(width - 0.8) + b" " + _num(height - 0.8) + b" re S Q\n"
    if ticked:
        size = height * 0.8
        body += (b"q BT 0 g /ZaDb " + _num(size) + b" Tf " + _num((width - size * 0.79) / 2) + b" "
                 + _num((height - size * 0.7) / 2) + b" Td (4) Tj ET Q")
    return _stream(b"/Type /XObject /Subtype /Form /BBox [0 0 " + _num(width) + b" " + _num(height)
                   + b"] /Resources << /Font << /ZaDb " + font_ref + b" >> >>", body)


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class _Content:
    """A page content stream under construction."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, gray: float = 0) -> None:
        self.parts.append(b"BT /" + (b"HB " if bold else b"HR ") + _num(size) + b" Tf " + _num(gray) + b" g "
                          + _num(x) + b" " + _num(y) + b" Td " + _show(text, bold) + b" Tj ET")

    def text_right(self, x1: float, y: float, text: str, size: float, bold: bool = False, gray: float = 0) -> None:
        self.text(x1 - text_width(text, size, bold), y, text, size, bold, gray)

    def line(self, x0: float, y0: float, x1: float, y1: float, gray: float = 0.55, width: float = 0.5) -> None:
        self.parts.append(_num(gray) + b" G " + _num(width) + b" w " + _num(x0) + b" " + _num(y0) + b" m "
                          + _num(x1) + b" " + _num(y1) + b" l S")

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: float | None = None,
             stroke: float | None = 0.55) -> None:
        box = _num(x0) + b" " + _num(y0) + b" " + _num(x1 - x0) + b" " + _num(y1 - y0) + b" re "
        if fill is not None and stroke is not None:
            self.parts.append(_num(fill) + b" g " + _num(stroke) + b" G 0.5 w " + box + b"B")
        elif fill is not None:
            self.parts.append(_num(fill) + b" g " + box + b"f")
        else:
            self.parts.append(_num(stroke or 0) + b" G 0.5 w " + box + b"S")

    def data(self) -> bytes:
        return b"\n".join(self.parts)


# --- the form ---------------------------------------------------------------------------------------------------

# Fixed object numbers; the rest follow in a fixed order (see _Numbers).
CATALOG, PAGES, ACROFORM, FONT_REGULAR, FONT_BOLD, FONT_ZADB, CHECK_ON, CHECK_OFF, FONT_FIELD = range(1, 10)
# Each embedded font's further objects (descendant font, descriptor, font file, ToUnicode map).
FONT_NUMBERS = {FONT_REGULAR: (FONT_REGULAR, 10, 11, 12, 13), FONT_BOLD: (FONT_BOLD, 14, 15, 16, 17),
                FONT_FIELD: (FONT_FIELD, 18, 19, 20)}
FIRST_FREE = 21


@dataclass(frozen=True)
class _Numbers:
    """Object numbers of one layout: pages, contents, shared empty appearances, fields and their appearances."""

    layout: FormLayout
    page: tuple[int, ...]
    content: tuple[int, ...]
    empty_ap: dict[tuple[float, float], int]
    widget: dict[str, int]
    own_ap: dict[str, int]  # identity fields have their own appearance (they show a value)
    count: int


@lru_cache(maxsize=16)
def _numbers(rows: int) -> _Numbers:
    layout = form_layout(rows)
    next_number = FIRST_FREE
    page, content = [], []
    for _ in range(layout.pages):
        page.append(next_number)
        content.append(next_number + 1)  # and next_number + 2: the shared part
        next_number += 3
    empty_ap: dict[tuple[float, float], int] = {}
    widget: dict[str, int] = {}
    own_ap: dict[str, int] = {}
    for name, box in layout.fields.items():
        if name == CONFIRM_FIELD:
            continue
        if name in IDENTITY_FIELDS or name == SEAL_FIELD:
            continue
        if (box.width, box.height) not in empty_ap:
            empty_ap[(box.width, box.height)] = next_number
            next_number += 1
    for name in layout.fields:
        widget[name] = next_number
        next_number += 1
        if name in IDENTITY_FIELDS or name == SEAL_FIELD:
            own_ap[name] = next_number
            next_number += 1
    return _Numbers(layout, tuple(page), tuple(content), empty_ap, widget, own_ap, next_number)


def _ref(number: int) -> bytes:
    return str(number).encode() + b" 0 R"


def _options(choices: Sequence[tuple[str, str]]) -> bytes:
    return b"[" + b" ".join(b"[" + pdf_text_string(code) + b" " + pdf_text_string(label) + b"]"
                            for code, label in choices) + b"]"


def _widget(name: str, box: Box, numbers: _Numbers, *, tooltip: str, kind: bytes = b"/Tx", flags: int = 0,
            extra: bytes = b"", value: str | None = None, size: float = FIELD_FONT_SIZE,
            appearance: bytes | None = None) -> bytes:
    ap = appearance or _ref(numbers.empty_ap[(box.width, box.height)])
    rect = b" ".join(_num(v) for v in (box.x0, box.y0, box.x1, box.y1))
    parts = [b"<< /Type /Annot /Subtype /Widget /F 4 /FT ", kind, b" /T ", pdf_text_string(name),
             b" /TU ", pdf_text_string(tooltip), b" /Rect [", rect, b"] /P ", _ref(numbers.page[box.page]),
             b" /DA (/", FIELD_FONT, b" ", _num(size), b" Tf 0 g) /Ff ", str(flags).encode(), b" /MK << >> /AP << /N ", ap,
             b" >>"]
    if value is not None:
        parts += [b" /V ", pdf_text_string(value)]
    parts += [extra, b" >>"]
    return b"".join(parts)


@lru_cache(maxsize=64)
def _row_objects(rows: int, language: str, tasks: tuple[tuple[str, str], ...]) -> tuple[tuple[int, bytes], ...]:
    """The row fields, which depend only on the layout, the language and the contract's task list."""
    numbers = _numbers(rows)
    layout = numbers.layout
    words = TEXTS[language]
    headers = [h.replace("\n", " ") for h in words["columns"].split("|")]
    header_of = {name: headers[i] for i, (name, _) in enumerate(COLUMNS)}
    statuses = tuple((code, labels[language]) for code, labels in STATUS_LABELS.items())
    task_opt, status_opt = _options(tasks), _options(statuses)
    objects = []
    for row in range(1, rows + 1):
        for name in ROW_FIELDS:
            full = row_field(row, name)
            tip = f"{words['row_tip'].format(row=row)}: {header_of[name]}"
            if name == "task":
                body = _widget(full, layout.fields[full], numbers, tooltip=tip, kind=b"/Ch",
                               flags=FLAG_COMBO | FLAG_EDIT, extra=b" /Opt " + task_opt, size=0)
            elif name == "status":
                body = _widget(full, layout.fields[full], numbers, tooltip=tip, kind=b"/Ch",
                               flags=FLAG_COMBO | FLAG_EDIT, extra=b" /Opt " + status_opt, size=0)
            else:
                body = _widget(full, layout.fields[full], numbers, tooltip=tip, size=0)
            objects.append((numbers.widget[full], body))
    return tuple(objects)


@lru_cache(maxsize=16)
def _shared_objects(rows: int) -> tuple[tuple[int, bytes], ...]:
    """Fonts, the checkbox appearances and the empty field appearances: the same in every form."""
    numbers = _numbers(rows)
    regular = _ref(FONT_REGULAR)
    objects = [
        *latin_font("regular").objects(FONT_NUMBERS[FONT_REGULAR]),
        *latin_font("bold").objects(FONT_NUMBERS[FONT_BOLD]),
        *field_font().objects(FONT_NUMBERS[FONT_FIELD]),
        (FONT_ZADB, b"<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats /Name /ZaDb >>"),
    ]
    box = numbers.layout.fields[CONFIRM_FIELD]
    objects.append((CHECK_ON, checkbox_appearance(box.width, box.height, True, _ref(FONT_ZADB))))
    objects.append((CHECK_OFF, checkbox_appearance(box.width, box.height, False, _ref(FONT_ZADB))))
    for (width, height), number in numbers.empty_ap.items():
        objects.append((number, text_appearance("", width, height, FIELD_FONT_SIZE, regular)))
    return tuple(objects)


def _page_contents(spec: FormSpec, layout: FormLayout) -> list[tuple[bytes, bytes]]:
    """Per page: (what is particular to this form, what every form of this unit and month shares)."""
    words = TEXTS[spec.language]
    title = f"{words['title']} – {fi_month(spec.month, spec.language)}"
    pages = []
    for page in range(layout.pages):
        c = _Content()
        if page == 0:
            c.text(MARGIN, 556, spec.org_name, 10.5, bold=True)
            c.text(MARGIN, 532, title, 18, bold=True)
            header_end = QR_X - 10 if spec.upload_url else IDENTITY_GRID[0][0][1] - 14
            labels = ((511, words["expert"], spec.expert_name), (496, words["unit"], spec.unit_name))
            value_x = MARGIN + max(text_width(f"{label}:", 9.5, bold=True) for _, label, _ in labels) + 8
            for y, label, value in labels:
                c.text(MARGIN, y, f"{label}:", 9.5, bold=True)
                c.text(value_x, y, value, fit_size([value], header_end - value_x, 9.5, 6))
            if spec.upload_url:
                _upload_address(c, spec.upload_url, words["upload"], header_end)
        else:
            c.text(MARGIN, 567, f"{spec.org_name} · {title} · {spec.expert_name}", 8.5, bold=True)
            c.text_right(PAGE_WIDTH - MARGIN, 567, f"{spec.identity['form_id']} ({words['continued']})", 8.5)
        shared = _shared_page(spec.rows, page, spec.language, spec.contact, spec.deadline, spec.payment,
                              spec.coordinator, spec.cutoff)
        pages.append((c.data(), shared))
    return pages


@lru_cache(maxsize=256)
def _shared_page(rows: int, page: int, language: str, contact: str, deadline: date, payment: date,
                 coordinator: str, cutoff: str) -> bytes:
    """The compressed content stream of everything on `page` that is the same for a unit's forms of a month."""
    layout = form_layout(rows)
    words = TEXTS[language]
    c = _Content()
    if page == 0:
        for pair in IDENTITY_GRID:
            for name, x0, _width in pair:
                box = layout.fields[name]
                c.text(x0, box.y1 + 2.5, words[name], 6.5, gray=0.3)
                c.rect(box.x0 - 0.5, box.y0 - 0.5, box.x1 + 0.5, box.y1 + 0.5, fill=0.94, stroke=0.6)
        c.text(546, layout.fields["expert_id"].y0 - 10, words["identity_note"], 6.5, gray=0.3)
        _instructions(c, contact, words, fi_date(deadline), fi_date(payment), cutoff)
    if layout.row_pages[page]:
        _table(c, layout, page, words["columns"].split("|"))
    if page == layout.pages - 1:
        _footer(c, contact, coordinator, layout, words, fi_date(deadline))
    c.text_right(PAGE_WIDTH - MARGIN, 20, words["page"].format(page=page + 1, pages=layout.pages), 7.5, gray=0.3)
    return _stream(b"", c.data(), compress=True)


def _instructions(c: _Content, contact: str, words: dict, deadline: str, payment: str, cutoff: str) -> None:
    top, bottom = 462, FIRST_TABLE_TOP + 8
    width = (PAGE_WIDTH - 2 * MARGIN - 24) / 2
    columns = (
        (MARGIN, words["how_title"], [t.format(deadline=deadline, contact=contact) for t in words["how"]]),
        (MARGIN + width + 24, words["rules_title"], [t.format(payment=payment, cutoff=cutoff) for t in words["rules"]]),
    )
    for x, heading, paragraphs in columns:
        size = 8.0
        while True:
            leading = size * 1.22
            lines = [_wrap(p, width - 9, size) for p in paragraphs]
            needed = 14 + sum(len(ls) for ls in lines) * leading + (len(lines) - 1) * 2.5
            if needed <= top - bottom or size <= 6:
                break
            size -= 0.25
        c.text(x, top, heading, 10, bold=True)
        y = top - 14
        for paragraph in lines:
            c.text(x, y, "•", size)
            for line in paragraph:
                c.text(x + 9, y, line, size)
                y -= leading
            y -= 2.5


def _table(c: _Content, layout: FormLayout, page: int, headers: list[str]) -> None:
    top = layout.table_tops[page]
    rows = layout.row_pages[page]
    bottom = top - TABLE_HEAD_HEIGHT - len(rows) * ROW_HEIGHT
    x_end = MARGIN + sum(w for _, w in COLUMNS)
    c.rect(MARGIN, top - TABLE_HEAD_HEIGHT, x_end, top, fill=0.88, stroke=None)
    for index, (name, _) in enumerate(COLUMNS):
        x0, x1 = COLUMN_EDGES[name]
        lines = headers[index].split("\n")
        size = fit_size(lines, x1 - x0 - 4, 7, 5, bold=True)
        y = top - 10 if len(lines) == 1 else top - 9
        for line in lines:
            c.text(x0 + 2, y, line, size, bold=True)
            y -= size + 1
    for index, row in enumerate(rows):
        row_top = top - TABLE_HEAD_HEIGHT - index * ROW_HEIGHT
        if index % 2:
            c.rect(MARGIN, row_top - ROW_HEIGHT, x_end, row_top, fill=0.965, stroke=None)
        _, x_centre, baseline = layout.row_number_at(row)
        label = str(row)
        c.text(x_centre - text_width(label, 7.5) / 2, baseline, label, 7.5, gray=0.25)
    c.line(MARGIN, top, x_end, top)
    for index in range(len(rows) + 1):
        y = top - TABLE_HEAD_HEIGHT - index * ROW_HEIGHT
        c.line(MARGIN, y, x_end, y)
    for name, _ in COLUMNS:
        c.line(COLUMN_EDGES[name][0], top, COLUMN_EDGES[name][0], bottom)
    c.line(x_end, top, x_end, bottom)


def _upload_address(c: _Content, url: str, label: str, header_end: float) -> None:
    """The expert's personal upload address under the header, as text and as a QR code beside it."""
    label = f"{label}:"
    c.text(MARGIN, 481, label, 8, bold=True)
    x = MARGIN + text_width(label, 8, bold=True) + 4
    c.text(x, 481, url, fit_size([url], header_end - x, 8, 5))
    c.parts.append(_qr_drawing(url))


@lru_cache(maxsize=256)
def _qr_drawing(text: str) -> bytes:
    """Content-stream operators drawing the QR code of `text` as a QR_SIZE square at QR_X, QR_TOP."""
    modules = qr_modules(text)
    count = len(modules)
    module = QR_SIZE / count
    ops = [f"q 0 g {module:.4f} 0 0 {module:.4f} {QR_X} {QR_TOP - QR_SIZE} cm"]
    ops += [f"{start} {count - 1 - row} {length} 1 re" for row, start, length in dark_runs(modules)]
    ops.append("f Q")
    return " ".join(ops).encode("ascii")


def _footer(c: _Content, contact: str, coordinator: str, layout: FormLayout, words: dict, deadline: str) -> None:
    confirm, signed = layout.fields[CONFIRM_FIELD], layout.fields[SIGNED_ON_FIELD]
    c.rect(confirm.x0, confirm.y0, confirm.x1, confirm.y1, stroke=0.4)
    c.text(confirm.x1 + 6, confirm.y0 + 3, words["confirm"], 9.5, bold=True)
    c.text_right(signed.x0 - 6, signed.y0 + 4, f"{words['signed_on']}:", 9.5, bold=True)
    c.rect(signed.x0 - 0.5, signed.y0 - 0.5, signed.x1 + 0.5, signed.y1 + 0.5, stroke=0.55)
    send = words["send"].format(deadline=deadline, contact=contact)
    size = fit_size([send], PAGE_WIDTH - 2 * MARGIN, 9.5, 6)
    c.text(MARGIN, confirm.y0 - 24, send, size)
    if coordinator:
        ask = words["questions"].format(coordinator=coordinator)
        c.text(MARGIN, confirm.y0 - 37, ask, fit_size([ask], PAGE_WIDTH - 2 * MARGIN, 8.5, 6))


@dataclass(frozen=True)
class _Block:
    """Objects already written out: their bytes and each object's number and offset within them."""

    data: bytes
    offsets: tuple[tuple[int, int], ...]


def _block(objects: Iterable[tuple[int, bytes]]) -> _Block:
    chunks, offsets, position = [], [], 0
    for number, body in objects:
        chunk = b"%d 0 obj\n%b\nendobj\n" % (number, body)
        offsets.append((number, position))
        position += len(chunk)
        chunks.append(chunk)
    return _Block(b"".join(chunks), tuple(offsets))


@lru_cache(maxsize=16)
def _layout_block(rows: int) -> _Block:
    """Pages tree, AcroForm, fonts, checkbox and empty appearances, page objects: the same in every form."""
    numbers = _numbers(rows)
    layout = numbers.layout
    regular = _ref(FONT_REGULAR)
    field_refs = b" ".join(_ref(numbers.widget[name]) for name in layout.fields)
    objects = [
        (PAGES, b"<< /Type /Pages /Count %d /Kids [%b] >>" % (layout.pages, b" ".join(_ref(n) for n in numbers.page))),
        (ACROFORM, b"<< /Fields [" + field_refs + b"] /NeedAppearances false /DA (/" + FIELD_FONT
                   + b" 0 Tf 0 g) /DR << /Font << /" + FIELD_FONT + b" " + _ref(FONT_FIELD) + b" /ZaDb " + _ref(FONT_ZADB) + b" >> >> >>"),
        *_shared_objects(rows),
    ]
    annots: dict[int, list[bytes]] = {page: [] for page in range(layout.pages)}
    for name, box in layout.fields.items():
        annots[box.page].append(_ref(numbers.widget[name]))
    resources = b"/Resources << /Font << /HR " + regular + b" /HB " + _ref(FONT_BOLD) + b" >> /ProcSet [/PDF /Text] >>"
    for page in range(layout.pages):
        content = numbers.content[page]
        objects.append((numbers.page[page], b"<< /Type /Page /Parent " + _ref(PAGES) + b" /MediaBox [0 0 "
                        + _num(PAGE_WIDTH) + b" " + _num(PAGE_HEIGHT) + b"] " + resources + b" /Contents ["
                        + _ref(content) + b" " + _ref(content + 1) + b"] /Annots [" + b" ".join(annots[page])
                        + b"] >>"))
    confirm = layout.fields[CONFIRM_FIELD]
    objects.append((numbers.widget[CONFIRM_FIELD], b"<< /Type /Annot /Subtype /Widget /F 4 /FT /Btn /T "
                    + pdf_text_string(CONFIRM_FIELD) + b" /Rect ["
                    + b" ".join(_num(v) for v in (confirm.x0, confirm.y0, confirm.x1, confirm.y1))
                    + b"] /P " + _ref(numbers.page[confirm.page]) + b" /Ff 0 /DA (/ZaDb 0 Tf 0 g)"
                    b" /MK << /CA (4) /BC [0.4] >> /V /Off /AS /Off /AP << /N << /Yes " + _ref(CHECK_ON)
                    + b" /Off " + _ref(CHECK_OFF) + b" >> /D << /Yes " + _ref(CHECK_ON) + b" /Off " + _ref(CHECK_OFF)
                    + b" >> >> >>"))
    return _block(objects)


@lru_cache(maxsize=64)
def _language_block(rows: int, language: str, tasks: tuple[tuple[str, str], ...]) -> _Block:
    """The catalog and every field that depends only on the language and the contract's tasks."""
    numbers = _numbers(rows)
    layout = numbers.layout
    words = TEXTS[language]
    objects = [(CATALOG, b"<< /Type /Catalog /Pages " + _ref(PAGES) + b" /AcroForm " + _ref(ACROFORM)
                + b" /Lang " + pdf_text_string("sv-FI" if language == "sv" else "fi-FI") + b" >>")]
    objects.extend(_row_objects(rows, language, tasks))
    signed = layout.fields[SIGNED_ON_FIELD]
    objects.append((numbers.widget[SIGNED_ON_FIELD], _widget(SIGNED_ON_FIELD, signed, numbers,
                                                             tooltip=words["signed_on"], size=0)))
    return _block(objects)


def build_form_pdf(spec: FormSpec) -> bytes:
    """The hour form of `spec` as PDF bytes: pages, the table, the fields, the rules and where to send it.

    What all forms of a layout, a language or a unit share is built once and reused, so a form takes
    about a millisecond.
    """
    numbers = _numbers(spec.rows)
    layout = numbers.layout
    words = TEXTS[spec.language]
    regular = _ref(FONT_REGULAR)
    own: list[tuple[int, bytes]] = []
    for page, (particular, shared) in enumerate(_page_contents(spec, layout)):
        own.append((numbers.content[page], _stream(b"", particular, compress=True)))
        own.append((numbers.content[page] + 1, shared))
    for name in (*IDENTITY_FIELDS, SEAL_FIELD):
        box = layout.fields[name]
        value = spec.seal if name == SEAL_FIELD else spec.identity[name]
        size = fit_size([value], box.width - 4, FIELD_FONT_SIZE, 5)
        own.append((numbers.own_ap[name], text_appearance(value, box.width, box.height, size, regular)))
        own.append((numbers.widget[name], _widget(name, box, numbers, tooltip=words[name], flags=FLAG_READ_ONLY,
                                                  value=value, size=size, appearance=_ref(numbers.own_ap[name]))))
    info = numbers.count
    own.append((info, b"<< /Title " + pdf_text_string(f"{words['title']} {spec.identity['form_id']}")
                + b" /Producer (kokemus-docs) >>"))
    blocks = (_layout_block(spec.rows), _language_block(spec.rows, spec.language, spec.tasks), _block(own))

    header = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = [0] * (info + 1)
    position = len(header)
    for block in blocks:
        for number, offset in block.offsets:
            offsets[number] = position + offset
        position += len(block.data)
    xref = b"".join(b"%010d 00000 n \n" % offset for offset in offsets[1:])
    trailer = (b"xref\n0 %d\n0000000000 65535 f \n%btrailer\n<< /Size %d /Root %b /Info %b >>\nstartxref\n%d\n%%%%EOF\n"
               % (info + 1, xref, info + 1, _ref(CATALOG), _ref(info), position))
    return b"".join((header, *(block.data for block in blocks), trailer))


# --- issuing the month's forms ----------------------------------------------------------------------------------


def form_spec(ws, register: Register, contract_id: str, month: str, key: bytes | None = None, *,
              upload_url: str | None = None) -> FormSpec:
    """The FormSpec of `contract_id`'s form for `month`, sealed with the workspace's key (or `key`).

    `upload_url` is the expert's personal upload address for the month, printed with a QR code when given.
    """
    contract = register.contracts[contract_id]
    expert = register.experts[contract.expert_id]
    unit = register.units[contract.unit_id]
    language = expert.document_language
    identity = {"form_id": form_id_for(contract.contract_id, month), "contract_id": contract.contract_id,
                "expert_id": expert.expert_id, "unit_id": unit.unit_id, "month": month}
    contact = ", ".join(part for part in (unit.contact_name, unit.contact_email) if part)
    return FormSpec(
        language=language, org_name=ws.org_name(language), identity=identity,
        seal=compute_seal(key if key is not None else ws.seal_key(), identity), expert_name=expert.full_name, unit_name=unit.name(language),
        contact=contact, deadline=notice_deadline(month, ws.notice_day), payment=payment_date(month),
        tasks=tuple((task, register.task_label(task, language)) for task in contract.tasks), rows=ws.form_rows,
        coordinator=coordinator_text(ws), upload_url=upload_url or None, cutoff=fi_time(ws.cancellation_cutoff))


def coordinator_text(ws) -> str:
    """The coordinator as the expert reaches them: 'name, e-mail, phone' (what kokemus.toml has of these)."""
    return ", ".join(value for value in ws.coordinator_contact().values() if value)


def issue_forms(ws, register: Register, *, month: str, unit_ids: Sequence[str] = (),
                expert_ids: Sequence[str] = (), progress: Progress | None = None) -> Outcome:
    """Write one sealed hour form per signed contract valid in `month`, for active experts.

    Forms go to outputs/forms/<month>/<form_id>.pdf. A contract without a signing date gets no form and is
    reported as an error; the other forms are written all the same. `unit_ids`/`expert_ids` narrow the batch.
    """
    progress = progress or no_progress
    month_bounds(month)  # a malformed month fails here, before anything is written
    selection = select_contracts(register, expert_ids=expert_ids, unit_ids=unit_ids)
    outcome = Outcome(errors=selection.errors, warnings=selection.warnings, extra={"forms": []})
    wanted = []
    for contract in selection.contracts:
        if not contract.overlaps_month(month):
            continue
        if contract.signed_on is None:
            expert = register.experts[contract.expert_id]
            outcome.errors.append(Problem(
                f"Contract {contract.contract_id} ({expert.full_name}) has not been signed, so no hour form was "
                f"issued for {month}. Enter the signing date in the signed_on column once both parties have "
                "signed, then issue the form again.",
                sheet="contracts", field="signed_on", code="contract-unsigned"))
            continue
        wanted.append(contract)

    from kokemus_docs.bookings.hourforms import booked_rows
    from kokemus_docs.forms.prefill import prefill_form

    folder = ws.output("forms", month)
    key = ws.seal_key()
    upload_urls = upload_addresses(ws, sorted({c.expert_id for c in wanted}), month)
    booked = booked_rows(ws, [c.contract_id for c in wanted], month)  # the month's booked sessions, prefilled
    for done, contract in enumerate(wanted, start=1):
        spec = form_spec(ws, register, contract.contract_id, month, key, upload_url=upload_urls.get(contract.expert_id))
        target = folder / f"{spec.identity['form_id']}.pdf"
        sessions = booked.get(contract.contract_id, [])
        if len(sessions) > spec.rows:
            outcome.warnings.append(Problem(
                f"Contract {contract.contract_id} has {len(sessions)} booked sessions in {month} but the form has "
                f"{spec.rows} rows; the first {spec.rows} are filled in. Raise [forms] rows in kokemus.toml.",
                code="too-many-sessions"))
        write_bytes_atomic(target, prefill_form(build_form_pdf(spec), spec, sessions))
        outcome.written.append(target)
        outcome.extra["forms"].append({"form_id": spec.identity["form_id"], "expert_id": contract.expert_id,
                                       "unit_id": contract.unit_id, "path": ws.rel(target)})
        progress(done, len(wanted), spec.identity["form_id"])
    outcome.summary.append(f"{len(wanted)} hour forms for {month} in {ws.rel(folder)}/")
    return outcome


def upload_addresses(ws, expert_ids: Sequence[str], month: str) -> dict[str, str]:
    """Each expert's personal upload address for `month` (none when kokemus.toml sets no web.public_url)."""
    if not ws.public_url or not expert_ids:
        return {}
    from kokemus_docs.core.ledger import Ledger
    from kokemus_docs.forms.links import expert_upload_url

    with Ledger(ws.ledger_path) as ledger, ledger.transaction():  # every address recorded in one commit
        urls = {expert_id: expert_upload_url(ws, expert_id, month, ledger=ledger) for expert_id in expert_ids}
    return {expert_id: url for expert_id, url in urls.items() if url}


# --- playing the expert: filling a form -------------------------------------------------------------------------


def checkbox_on_states(field_dict) -> list[str]:
    """The 'ticked' appearance state names of a checkbox (every /AP /N key except /Off), read from the field."""
    states: list[str] = []
    ap = field_dict.get("/AP")
    if ap is not None:
        normal = ap.get_object().get("/N")
        if normal is not None and hasattr(normal.get_object(), "keys"):
            states = [str(key) for key in normal.get_object().keys()]
    states += [str(s) for s in field_dict.get("/_States_", []) if str(s) not in states]
    for kid in field_dict.get("/Kids", []) or []:
        states += [s for s in checkbox_on_states(kid.get_object()) if s not in states]
    return [s for s in states if s != "/Off"]


def fill_form(src: Path, values: dict[str, str], target: Path, *, confirm: bool = True) -> Path:
    """Fill the hour form `src` with `values` (field name -> text) and save it as `target`, as an expert would.

    Every filled text or choice field gets an appearance stream in the form's own field font (any Latin-script
    text), so the values show in viewers that do not redraw fields. The checkbox is ticked with its own 'on' state (never a guessed name).
    Unknown field names raise KeyError: a typo must not silently leave a field empty.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(src))
    fields: dict[str, object] = {}
    for page in writer.pages:
        for annot in page.get("/Annots", []) or []:
            widget = annot.get_object()
            if widget.get("/Subtype") == "/Widget" and "/T" in widget:
                fields[str(widget["/T"])] = widget
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise KeyError(f"not fields of this hour form: {', '.join(unknown)}")
    font_ref = writer.pages[0]["/Resources"]["/Font"].raw_get("/HR")  # the composite font of the page text
    if str(font_ref.get_object()["/BaseFont"]) != "/" + latin_font("regular").base_name:
        raise ValueError(f"{src} was issued with another font than this kokemus-docs has; issue the form again")

    for name, value in values.items():
        widget = fields[name]
        if widget.get("/FT") == "/Btn":
            raise KeyError(f"{name} is a checkbox; use confirm=")
        value = str(value)
        widget[NameObject("/V")] = TextStringObject(value)
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        shown = value
        for option in widget.get("/Opt", []) or []:
            if isinstance(option, list) and len(option) == 2 and str(option[0]) == value:
                shown = str(option[1])
        size = fit_size([shown], x1 - x0 - 4, _da_size(widget) or FIELD_FONT_SIZE, 5)
        raw = text_appearance(shown, x1 - x0, y1 - y0, size, b"%d 0 R" % font_ref.idnum)
        widget[NameObject("/AP")] = _appearance_dict(writer, raw, font_ref)
    for widget in fields.values():
        if widget.get("/FT") == "/Btn" and str(widget.get("/T")) == CONFIRM_FIELD:
            on_states = checkbox_on_states(widget)
            if not on_states:
                raise KeyError(f"checkbox {CONFIRM_FIELD} has no 'on' appearance state")
            state = NameObject(on_states[0] if confirm else "/Off")
            widget[NameObject("/V")] = state
            widget[NameObject("/AS")] = state
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        writer.write(handle)
    return Path(target)


def _da_size(widget) -> float:
    """The font size in a field's /DA ('/DejaVu 8.5 Tf 0 g' -> 8.5; 0 means 'fit to the field')."""
    parts = str(widget.get("/DA", "")).split()
    try:
        return float(parts[parts.index("Tf") - 1])
    except (ValueError, IndexError):
        return 0.0


def _appearance_dict(writer, raw: bytes, font_ref):
    """Turn the bytes of a form XObject made by text_appearance into a pypdf /AP dictionary."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, StreamObject

    head, _, rest = raw.partition(b">>\nstream\n")
    data = rest.rsplit(b"\nendstream", 1)[0]
    bbox = head.split(b"/BBox [", 1)[1].split(b"]", 1)[0].split()
    stream = StreamObject()
    stream[NameObject("/Type")] = NameObject("/XObject")
    stream[NameObject("/Subtype")] = NameObject("/Form")
    stream[NameObject("/BBox")] = ArrayObject(FloatObject(v.decode()) for v in bbox)
    stream[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/HR"): font_ref})})
    stream.set_data(data)
    return DictionaryObject({NameObject("/N"): writer._add_object(stream)})


__all__ = ["FormSpec", "FormLayout", "Box", "form_layout", "build_form_pdf", "form_spec", "issue_forms",
           "fill_form", "checkbox_on_states", "field_label", "coordinator_text", "TEXTS"]
