"""Reading a returned hour form: the values of its fields, or the text on its pages, as a `ReturnedForm`.

The file is parsed by the safe reader (pdfsafe: a worker process within limits). Live forms are read from their
fields (whatever filled them: Acrobat, a browser, pdftk, PyMuPDF). A form that was "printed to PDF" or flattened
has no fields left; then the text on the page is read at the places where `forms.layout.form_layout` put the
fields, and the result says source='page-text'. When that text cannot be placed with certainty, the form is
refused rather than misread.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kokemus_docs.core.fileio import FileTooLarge, NotRegularFile, read_regular
from kokemus_docs.core.month import Month
from kokemus_docs.forms.fields import (
    CONFIRM_FIELD,
    IDENTITY_FIELDS,
    ROW_FIELDS,
    SEAL_FIELD,
    SIGNED_ON_FIELD,
    ReturnedForm,
    row_field,
)
from kokemus_docs.forms.layout import COLUMN_EDGES, COLUMNS, PAGE_HEIGHT, PAGE_WIDTH, form_layout
from kokemus_docs.forms.texts import TEXTS
from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES, READ_TIME_LIMIT, FormUnreadable
from kokemus_docs.pdfsafe.reader import PageText, PdfContent, read_pdf

ROW_NAME = re.compile(r"^row(\d{2,3})_([a-z_]+)$")
POSITION_TOLERANCE = 2.0  # points: how far printed text may sit from where the layout put it


# --- the hour form ------------------------------------------------------------------------------------------------


_ADVICE = {
    "not-pdf": "Send the hour form as the PDF file you received, filled in and saved.",
    "too-large": "Send only the filled hour form PDF (it is far smaller); do not attach scans or other files to it.",
    "damaged": "The file is damaged or incomplete; save the filled form again and send the new file.",
    "too-complex": "The file cannot be read safely (its structure is damaged or far more complex than an hour "
                   "form); fill in the hour form as it was issued, save it and send the new file.",
    "encrypted": "Remove the password (save the form without protection) and send it again.",
    "scanned": "A scanned or photographed form cannot be read; fill in the PDF form itself on a "
               "computer and send that file.",
    "wrong-layout": "Use the hour form issued for this month and contract; ask the coordinator for a new "
                    "one if it is lost.",
    "identity-missing": "The form's locked details were removed; use the hour form as it was issued.",
    "page-text-unclear": "The form was printed or flattened and its text cannot be placed with certainty; "
                         "send the fillable PDF form itself.",
}


def _unreadable(path: Path, code: str, what: str) -> FormUnreadable:
    return FormUnreadable(f"{path.name}: {what}. {_ADVICE.get(code, _ADVICE['damaged'])}", path=str(path),
                          code=code, what=what)


def read_form(path: Path, data: bytes | None = None, *, time_limit: float = READ_TIME_LIMIT) -> ReturnedForm:
    """Read a returned hour form. Raises FormUnreadable (with a `code`) when it is not a readable hour form.

    `data` is the file's content when the caller has read it already (it is then not read again).
    """
    path = Path(path)
    if data is None:
        data = _read_returned(path)
    try:
        content = read_pdf(data, pages=True, time_limit=time_limit)
    except FormUnreadable as exc:
        raise _unreadable(path, exc.code or "damaged", exc.what) from None
    if _is_hour_form(content.fields):
        return _from_fields(path, content)
    if content.fields:
        raise _unreadable(path, "wrong-layout", "this PDF form is not an hour form (its fields have other names)")
    if content.pages is None:
        raise _unreadable(path, "wrong-layout", f"the PDF has no form fields and {content.page_count} pages, "
                                                "more than an hour form")
    if content.page_count == 0:
        raise _unreadable(path, "damaged", "the PDF has no pages")
    return _from_page_text(path, content.pages)


def _read_returned(path: Path) -> bytes:
    """The bytes of a returned file through the one reader of untrusted files (no links, fifos or devices)."""
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except FileTooLarge:
        raise _unreadable(path, "too-large", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB") from None
    except NotRegularFile:
        raise _unreadable(path, "not-pdf", "this is not a regular file") from None
    except OSError as exc:
        raise _unreadable(path, "not-pdf", f"the file cannot be read ({exc.strerror})") from None


def _is_hour_form(names) -> bool:
    return any(name in IDENTITY_FIELDS or name == SEAL_FIELD or ROW_NAME.match(name) for name in names)


@lru_cache(maxsize=16)
def _expected_names(rows: int) -> frozenset[str]:
    """The fields every form with `rows` rows has, apart from the identity."""
    return frozenset({row_field(row, name) for row in range(1, rows + 1) for name in ROW_FIELDS}
                     | {CONFIRM_FIELD, SIGNED_ON_FIELD})


@lru_cache(maxsize=1024)
def _row_names(row: int) -> tuple[tuple[str, str], ...]:
    return tuple((name, row_field(row, name)) for name in ROW_FIELDS)


def _from_fields(path: Path, content: PdfContent) -> ReturnedForm:
    """The form from its field values."""
    fields = content.fields
    missing = [name for name in (*IDENTITY_FIELDS, SEAL_FIELD) if name not in fields]
    if missing:
        raise _unreadable(path, "identity-missing", f"the field(s) {', '.join(missing)} are missing")
    rows_found = sorted({int(m.group(1)) for name in fields if (m := ROW_NAME.match(name))})
    absent = sorted(_expected_names(rows_found[-1] if rows_found else 0).difference(fields))
    if not rows_found or absent:
        shown = ", ".join(absent[:5]) + (" …" if len(absent) > 5 else "")
        raise _unreadable(path, "wrong-layout", f"fields of the hour form are missing ({shown or 'all rows'})")

    identity = {name: fields[name].strip() for name in IDENTITY_FIELDS}
    empty = [name for name, value in identity.items() if not value]
    if empty:
        raise _unreadable(path, "identity-missing", f"the locked field(s) {', '.join(empty)} are empty")

    rows: dict[int, dict[str, str]] = {}
    for row in rows_found:
        values = {name: fields[full].strip() for name, full in _row_names(row)}
        if any(values.values()):
            rows[row] = values
    confirmed = content.kinds.get(CONFIRM_FIELD) == "checkbox" and bool(fields[CONFIRM_FIELD])
    return ReturnedForm(path=str(path), identity=identity, seal=fields[SEAL_FIELD].strip(), rows=rows,
                        confirmed=confirmed, signed_on=fields[SIGNED_ON_FIELD].strip(), source="acroform")


# --- flattened forms: the text at the known places ----------------------------------------------------------------


def _from_page_text(path: Path, page_texts: list[PageText]) -> ReturnedForm:
    pages = [(page.width, page.height, page.chars, [s for s in page.shapes if s["kind"] != "rect"])
             for page in page_texts]
    if not any(chars for _, _, chars, _ in pages):
        raise _unreadable(path, "scanned", "the PDF holds no form fields and no text (a scanned image?)")

    layout = _layout_of(path, pages)
    for width, height, _, _ in pages:
        if abs(width - PAGE_WIDTH) > 1 or abs(height - PAGE_HEIGHT) > 1:
            raise _unreadable(path, "page-text-unclear", "the page size differs from the issued form")

    texts = _texts_in_boxes(path, layout, pages)
    identity = {name: texts.get(name, "") for name in IDENTITY_FIELDS}
    if not all(identity.values()) or not Month.is_valid(identity["month"]):
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


def _mark_drawn(layout, pages: list) -> bool:
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


def _layout_of(path: Path, pages: list):
    """The hour form layout whose printed row numbers are exactly where this document has them."""
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


def _texts_in_boxes(path: Path, layout, pages: list) -> dict[str, str]:
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
