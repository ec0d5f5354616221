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

The layout (forms.layout), the words (forms.texts) and the building blocks (forms.pdfobjects) are apart;
this module puts them together into the form's objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from kokemus_docs.core.formatting import fi_date, fi_month
from kokemus_docs.core.model import STATUS_LABELS
from kokemus_docs.core.month import Month
from kokemus_docs.forms.fields import (
    CONFIRM_FIELD,
    IDENTITY_FIELDS,
    ROW_FIELDS,
    SEAL_FIELD,
    SIGNED_ON_FIELD,
    row_field,
)
from kokemus_docs.forms.fonts import field_font, latin_font
from kokemus_docs.forms.layout import (
    COLUMN_EDGES,
    COLUMNS,
    FIRST_TABLE_TOP,
    IDENTITY_GRID,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    QR_SIZE,
    QR_TOP,
    QR_X,
    ROW_HEIGHT,
    TABLE_HEAD_HEIGHT,
    Box,
    FormLayout,
    form_layout,
)
from kokemus_docs.forms.pdfobjects import (
    FIELD_FONT,
    FIELD_FONT_SIZE,
    PageContent,
    checkbox_appearance,
    fit_size,
    pdf_number,
    pdf_stream,
    pdf_text_string,
    text_appearance,
    text_width,
    wrap_text,
)
from kokemus_docs.forms.qr import dark_runs, qr_modules
from kokemus_docs.forms.texts import TEXTS

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
    pay_basis: str = ""  # how the contract's tasks are paid, in the form's language ("yksilötyö kerralta, …")

    @property
    def month(self) -> Month:
        return Month.parse(self.identity["month"])


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
    rect = b" ".join(pdf_number(v) for v in (box.x0, box.y0, box.x1, box.y1))
    parts = [b"<< /Type /Annot /Subtype /Widget /F 4 /FT ", kind, b" /T ", pdf_text_string(name),
             b" /TU ", pdf_text_string(tooltip), b" /Rect [", rect, b"] /P ", _ref(numbers.page[box.page]),
             b" /DA (/", FIELD_FONT, b" ", pdf_number(size), b" Tf 0 g) /Ff ", str(flags).encode(), b" /MK << >> /AP "
                                                                                                    b"<< /N ", ap,
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
        c = PageContent()
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
                              spec.coordinator, spec.cutoff, spec.pay_basis)
        pages.append((c.data(), shared))
    return pages


@lru_cache(maxsize=256)
def _shared_page(rows: int, page: int, language: str, contact: str, deadline: date, payment: date,
                 coordinator: str, cutoff: str, pay_basis: str) -> bytes:
    """The compressed content stream of everything on `page` that is the same for a unit's forms of a month."""
    layout = form_layout(rows)
    words = TEXTS[language]
    c = PageContent()
    if page == 0:
        for pair in IDENTITY_GRID:
            for name, x0, _width in pair:
                box = layout.fields[name]
                c.text(x0, box.y1 + 2.5, words[name], 6.5, gray=0.3)
                c.rect(box.x0 - 0.5, box.y0 - 0.5, box.x1 + 0.5, box.y1 + 0.5, fill=0.94, stroke=0.6)
        c.text(546, layout.fields["expert_id"].y0 - 10, words["identity_note"], 6.5, gray=0.3)
        _instructions(c, contact, words, fi_date(deadline), fi_date(payment), cutoff, pay_basis)
    if layout.row_pages[page]:
        _table(c, layout, page, words["columns"].split("|"))
    if page == layout.pages - 1:
        _footer(c, contact, coordinator, layout, words, fi_date(deadline))
    c.text_right(PAGE_WIDTH - MARGIN, 20, words["page"].format(page=page + 1, pages=layout.pages), 7.5, gray=0.3)
    return pdf_stream(b"", c.data(), compress=True)


def _instructions(c: PageContent, contact: str, words: dict, deadline: str, payment: str, cutoff: str,
                  pay_basis: str) -> None:
    top, bottom = 462, FIRST_TABLE_TOP + 8
    width = (PAGE_WIDTH - 2 * MARGIN - 24) / 2
    columns = (
        (MARGIN, words["how_title"], [t.format(deadline=deadline, contact=contact) for t in words["how"]]),
        (MARGIN + width + 24, words["rules_title"],
         [t.format(payment=payment, cutoff=cutoff, pay_basis=pay_basis) for t in words["rules"]]),
    )
    for x, heading, paragraphs in columns:
        size = 8.0
        while True:
            leading = size * 1.22
            lines = [wrap_text(p, width - 9, size) for p in paragraphs]
            needed = 14 + sum(len(ls) for ls in lines) * leading + (len(lines) - 1) * 2.5
            if needed <= top - bottom or size <= 6:
                break
            size -= 0.25
        c.text(x, top, heading, 10, bold=True)
        y: float = top - 14
        for paragraph in lines:
            c.text(x, y, "•", size)
            for line in paragraph:
                c.text(x + 9, y, line, size)
                y -= leading
            y -= 2.5


def _table(c: PageContent, layout: FormLayout, page: int, headers: list[str]) -> None:
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


def _upload_address(c: PageContent, url: str, label: str, header_end: float) -> None:
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


def _footer(c: PageContent, contact: str, coordinator: str, layout: FormLayout, words: dict, deadline: str) -> None:
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
                   + b" 0 Tf 0 g) /DR << /Font << /" + FIELD_FONT + b" " + _ref(FONT_FIELD)
                   + b" /ZaDb " + _ref(FONT_ZADB) + b" >> >> >>"),
        *_shared_objects(rows),
    ]
    annots: dict[int, list[bytes]] = {page: [] for page in range(layout.pages)}
    for name, box in layout.fields.items():
        annots[box.page].append(_ref(numbers.widget[name]))
    resources = b"/Resources << /Font << /HR " + regular + b" /HB " + _ref(FONT_BOLD) + b" >> /ProcSet [/PDF /Text] >>"
    for page in range(layout.pages):
        content = numbers.content[page]
        objects.append((numbers.page[page], b"<< /Type /Page /Parent " + _ref(PAGES) + b" /MediaBox [0 0 "
                        + pdf_number(PAGE_WIDTH) + b" " + pdf_number(PAGE_HEIGHT) + b"] " + resources + b" /Contents ["
                        + _ref(content) + b" " + _ref(content + 1) + b"] /Annots [" + b" ".join(annots[page])
                        + b"] >>"))
    confirm = layout.fields[CONFIRM_FIELD]
    objects.append((numbers.widget[CONFIRM_FIELD], b"<< /Type /Annot /Subtype /Widget /F 4 /FT /Btn /T "
                    + pdf_text_string(CONFIRM_FIELD) + b" /Rect ["
                    + b" ".join(pdf_number(v) for v in (confirm.x0, confirm.y0, confirm.x1, confirm.y1))
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
        own.append((numbers.content[page], pdf_stream(b"", particular, compress=True)))
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


@dataclass(frozen=True)
class RowFill:
    """The objects that put values into rows of an issued form, for an incremental update of its bytes."""

    objects: tuple[tuple[int, bytes], ...]  # (object number, body): each filled widget and its new appearance
    size: int  # the updated form's /Size
    catalog: int  # the object numbers the updated trailer names as /Root
    info: int  # and as /Info


def row_fill(spec: FormSpec, rows: Sequence[Sequence[tuple[str, str, str]]]) -> RowFill:
    """The objects that fill the first rows of an issued form of `spec` (at most its row count): `rows[i]` holds
    (field, value, what the field shows) of row i + 1. Each filled widget keeps its object number and gains its
    /V and an appearance stream showing the value, numbered from the form's /Size on; the fields stay editable."""
    numbers = _numbers(spec.rows)
    widgets = dict(_row_objects(spec.rows, spec.language, spec.tasks))
    regular = _ref(FONT_REGULAR)
    next_number = numbers.count + 1  # the form's /Size: its highest object is the /Info dictionary
    objects: list[tuple[int, bytes]] = []
    for index, values in enumerate(rows[:spec.rows], start=1):
        for name, value, shown in values:
            full = row_field(index, name)
            box = numbers.layout.fields[full]
            size = fit_size([shown], box.width - 4, FIELD_FONT_SIZE, 5)
            objects.append((next_number, text_appearance(shown, box.width, box.height, size, regular)))
            empty = b"/AP << /N " + _ref(numbers.empty_ap[(box.width, box.height)]) + b" >>"
            widget = widgets[numbers.widget[full]].replace(empty, b"/AP << /N " + _ref(next_number) + b" >>", 1)
            objects.append((numbers.widget[full], widget[:-2] + b"/V " + pdf_text_string(value) + b" >>"))
            next_number += 1
    return RowFill(tuple(objects), next_number, CATALOG, numbers.count)
