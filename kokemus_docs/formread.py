"""Reading a returned hour form back into a `ReturnedForm`: the raw strings the expert typed.

Live forms are read from their fields (whatever filled them: Acrobat, a browser, pdftk, PyMuPDF). A form
that was "printed to PDF" or flattened has no fields left; then the text on the page is read at the places
where `hourform.form_layout` put the fields, and the result says source='page-text'. When that text cannot
be placed with certainty, the form is refused rather than misread.
"""

from __future__ import annotations

import re
from pathlib import Path

from kokemus_docs.errors import KokemusError
from kokemus_docs.formfields import (
    CONFIRM_FIELD,
    IDENTITY_FIELDS,
    ROW_FIELDS,
    SEAL_FIELD,
    SIGNED_ON_FIELD,
    ReturnedForm,
    row_field,
)
from kokemus_docs.hourform import (
    COLUMN_EDGES,
    COLUMNS,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXTS,
    FormLayout,
    checkbox_on_states,
    form_layout,
)

ROW_NAME = re.compile(r"^row(\d{2,3})_([a-z_]+)$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
POSITION_TOLERANCE = 2.0  # points: how far printed text may sit from where the layout put it


class FormUnreadable(KokemusError):
    """A returned file cannot be read as an hour form. `code` says why; the message says what to do."""

    exit_code = 1


def _unreadable(path: Path, code: str, what: str) -> FormUnreadable:
    advice = {
        "not-pdf": "Send the hour form as the PDF file you received, filled in and saved.",
        "damaged": "The file is damaged or incomplete; save the filled form again and send the new file.",
        "encrypted": "Remove the password (save the form without protection) and send it again.",
        "scanned": "A scanned or photographed form cannot be read; fill in the PDF form itself on a "
                   "computer and send that file.",
        "wrong-layout": "Use the hour form issued for this month and contract; ask the coordinator for a new "
                        "one if it is lost.",
        "identity-missing": "The form's locked details were removed; use the hour form as it was issued.",
        "page-text-unclear": "The form was printed or flattened and its text cannot be placed with certainty; "
                             "send the fillable PDF form itself.",
    }[code]
    return FormUnreadable(f"{path.name}: {what}. {advice}", path=str(path), code=code)


def read_form(path: Path) -> ReturnedForm:
    """Read a returned hour form. Raises FormUnreadable (with a `code`) when it is not a readable hour form."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, "not-pdf", f"the file cannot be opened ({exc.strerror})") from None
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise _unreadable(path, "not-pdf", "this is not a PDF file")
    tail = data[-2048:]
    if b"%%EOF" not in tail or (b"startxref" not in tail and b"/XRefStm" not in tail):
        raise _unreadable(path, "damaged", "the PDF file is cut short")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # unsupported encryption is as closed as a password
                opened = 0
            if not opened:
                raise _unreadable(path, "encrypted", "the PDF is protected with a password")
        fields = reader.get_fields() or {}
        page_count = len(reader.pages)
    except FormUnreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise _unreadable(path, "damaged", f"the PDF cannot be read ({type(exc).__name__})") from None
    if page_count == 0:
        raise _unreadable(path, "damaged", "the PDF has no pages")

    ours = {name for name in fields if name in IDENTITY_FIELDS or name == SEAL_FIELD or ROW_NAME.match(name)}
    if ours:
        return _from_fields(path, fields)
    if fields:
        raise _unreadable(path, "wrong-layout", "this PDF form is not an hour form (its fields have other names)")
    return _from_page_text(path)


# --- live fields ------------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a multi-select list; ours are single choice
        value = value[0] if value else ""
    return str(value).strip()


def _from_fields(path: Path, fields: dict) -> ReturnedForm:
    missing = [name for name in (*IDENTITY_FIELDS, SEAL_FIELD) if name not in fields]
    if missing:
        raise _unreadable(path, "identity-missing", f"the field(s) {', '.join(missing)} are missing")
    rows_found = sorted({int(m.group(1)) for name in fields if (m := ROW_NAME.match(name))})
    expected = {row_field(row, name) for row in range(1, (rows_found or [0])[-1] + 1) for name in ROW_FIELDS}
    expected |= {CONFIRM_FIELD, SIGNED_ON_FIELD}
    absent = sorted(expected - set(fields))
    if not rows_found or absent:
        shown = ", ".join(absent[:5]) + (" …" if len(absent) > 5 else "")
        raise _unreadable(path, "wrong-layout", f"fields of the hour form are missing ({shown or 'all rows'})")

    identity = {name: _text(fields[name].get("/V")) for name in IDENTITY_FIELDS}
    empty = [name for name, value in identity.items() if not value]
    if empty:
        raise _unreadable(path, "identity-missing", f"the locked field(s) {', '.join(empty)} are empty")

    rows: dict[int, dict[str, str]] = {}
    for row in rows_found:
        values = {name: _text(fields[row_field(row, name)].get("/V")) for name in ROW_FIELDS}
        if any(values.values()):
            rows[row] = values
    confirm = fields[CONFIRM_FIELD]
    value = confirm.get("/V")
    confirmed = value is not None and str(value) in checkbox_on_states(confirm)
    return ReturnedForm(path=str(path), identity=identity, seal=_text(fields[SEAL_FIELD].get("/V")), rows=rows,
                        confirmed=confirmed, signed_on=_text(fields[SIGNED_ON_FIELD].get("/V")),
                        source="acroform")


# --- flattened forms: the text at the known places ----------------------------------------------------------------


def _from_page_text(path: Path) -> ReturnedForm:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(path) as pdf:
            pages = [(float(p.width), float(p.height), list(p.chars), list(p.curves) + list(p.lines))
                     for p in pdf.pages]
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise _unreadable(path, "damaged", f"the PDF pages cannot be read ({type(exc).__name__})") from None
    if not any(chars for _, _, chars, _ in pages):
        raise _unreadable(path, "scanned", "the PDF holds no form fields and no text (a scanned image?)")

    layout = _layout_of(path, pages)
    for width, height, _, _ in pages:
        if abs(width - PAGE_WIDTH) > 1 or abs(height - PAGE_HEIGHT) > 1:
            raise _unreadable(path, "page-text-unclear", "the page size differs from the issued form")

    texts = _texts_in_boxes(path, layout, pages)
    identity = {name: texts.get(name, "") for name in IDENTITY_FIELDS}
    if not all(identity.values()) or not MONTH.match(identity["month"]):
        raise _unreadable(path, "identity-missing", "the form's locked details cannot be found on the page")
    rows: dict[int, dict[str, str]] = {}
    for row in range(1, layout.rows + 1):
        values = {name: texts.get(row_field(row, name), "") for name in ROW_FIELDS}
        if any(values.values()):
            rows[row] = values
    return ReturnedForm(path=str(path), identity=identity, seal=texts.get(SEAL_FIELD, ""), rows=rows,
                        confirmed=bool(texts.get(CONFIRM_FIELD)) or _mark_drawn(layout, pages),
                        signed_on=texts.get(SIGNED_ON_FIELD, ""),
                        source="page-text")


def _mark_drawn(layout: FormLayout, pages: list) -> bool:
    """A check mark drawn as lines rather than as a glyph, well inside the confirmation box."""
    box = layout.fields[CONFIRM_FIELD]
    _, height, _, paths = pages[box.page]
    for item in paths:
        x0, x1, y0, y1 = item["x0"], item["x1"], height - item["bottom"], height - item["top"]
        if x0 > box.x0 + 1.5 and x1 < box.x1 - 1.5 and y0 > box.y0 + 1.5 and y1 < box.y1 - 1.5:
            return True
    return False


def _row_numbers(chars: list[dict], page_height: float) -> dict[int, tuple[float, float]]:
    """The printed row numbers in the first table column: number -> (x centre, baseline from the bottom)."""
    x0, x1 = COLUMN_EDGES[COLUMNS[0][0]]
    found: dict[float, list[dict]] = {}
    for ch in chars:
        if x0 <= ch["x0"] and ch["x1"] <= x1 and ch["text"].isdigit():
            found.setdefault(round(ch["bottom"], 1), []).append(ch)
    numbers = {}
    for bottom, group in found.items():
        group.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in group)
        centre = (group[0]["x0"] + group[-1]["x1"]) / 2
        # pdfplumber's 'bottom' is the glyph box bottom below the top edge; the baseline sits at
        # the font's descent above it, which for Helvetica is 0.207 of the size.
        size = group[0]["size"]
        numbers[int(text)] = (centre, page_height - bottom + 0.207 * size)
    return numbers


def _layout_of(path: Path, pages: list) -> FormLayout:
    """The layout whose printed row numbers are exactly where this document has them."""
    printed: dict[int, tuple[int, float, float]] = {}
    for index, (_, height, chars, _) in enumerate(pages):
        for number, (x, y) in _row_numbers(chars, height).items():
            printed.setdefault(number, (index, x, y))
    if not printed or 1 not in printed:
        titles = [words["title"] for words in TEXTS.values()]
        if any(title in "".join(ch["text"] for ch in chars) for _, _, chars, _ in pages for title in titles):
            raise _unreadable(path, "page-text-unclear", "the printed form has been moved or scaled on the page")
        raise _unreadable(path, "wrong-layout", "the PDF has no form fields and does not look like an hour form")
    rows = max(printed)
    if sorted(printed) != list(range(1, rows + 1)):
        raise _unreadable(path, "page-text-unclear", "the row numbers of the form cannot all be found")
    layout = form_layout(rows)
    if layout.pages != len(pages):
        raise _unreadable(path, "page-text-unclear", "the form has a different number of pages than issued")
    for number, (page, x, y) in printed.items():
        want_page, want_x, want_y = layout.row_number_at(number)
        if page != want_page or abs(x - want_x) > POSITION_TOLERANCE or abs(y - want_y) > POSITION_TOLERANCE:
            raise _unreadable(path, "page-text-unclear", f"row {number} is not where the issued form has it")
    return layout


def _texts_in_boxes(path: Path, layout: FormLayout, pages: list) -> dict[str, str]:
    """Text inside each field box; a glyph that straddles a box edge makes the form unreadable."""
    by_page: dict[int, list[tuple[str, tuple[float, float, float, float]]]] = {}
    for name, box in layout.fields.items():
        by_page.setdefault(box.page, []).append((name, (box.x0, box.y0, box.x1, box.y1)))
    texts: dict[str, str] = {}
    for index, (_, height, chars, _) in enumerate(pages):
        boxes = by_page.get(index, [])
        inside: dict[str, list[dict]] = {}
        for ch in chars:
            cx0, cx1 = ch["x0"], ch["x1"]
            cy0, cy1 = height - ch["bottom"], height - ch["top"]
            for name, (x0, y0, x1, y1) in boxes:
                overlaps_x = cx1 > x0 + 0.3 and cx0 < x1 - 0.3
                overlaps_y = cy1 > y0 + 0.3 and cy0 < y1 - 0.3
                if not (overlaps_x and overlaps_y):
                    continue
                middle_y = (cy0 + cy1) / 2
                if not (y0 <= middle_y <= y1):
                    continue  # a label just above or below the box
                if cx0 < x0 - 0.5 or cx1 > x1 + 0.5:
                    if ch["text"].strip():
                        raise _unreadable(path, "page-text-unclear",
                                          f"the text of field {name} runs over the edge of its box")
                    continue
                inside.setdefault(name, []).append(ch)
                break
        for name, group in inside.items():
            texts[name] = _join(group)
            if "(cid:" in texts[name] or "\ufffd" in texts[name]:
                raise _unreadable(path, "page-text-unclear", f"the letters in field {name} cannot be decoded")
    return texts


def _join(chars: list[dict]) -> str:
    """Characters of one line, left to right, with a space wherever the gap is wider than a thin space."""
    chars = sorted(chars, key=lambda c: c["x0"])
    out, previous = [], None
    for ch in chars:
        if previous is not None and ch["text"] != " " and out and out[-1] != " " \
                and ch["x0"] - previous["x1"] > 0.2 * ch["size"]:
            out.append(" ")
        out.append(ch["text"])
        previous = ch
    return "".join(out).strip()
