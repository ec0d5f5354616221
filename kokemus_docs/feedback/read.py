"""Reading returned feedback: questionnaire PDFs (filled, or flattened by "print to PDF") and survey-tool
exports (CSV, XLSX). Every reader works on bytes already read and bounded, and hands back raw values
(strings, numbers, dates as the file holds them); `answers.check_answer` decides what they mean.

Files are hostile: sizes, rows, columns, cell lengths, PDF objects and ZIP contents are all limited, and a
file that breaks a limit or a parser is refused with a reason (`FeedbackUnreadable`), never half read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from kokemus_docs.errors import KokemusError
from kokemus_docs.feedback.questions import ANSWER_FIELDS, IDENTITY_FIELDS, SEAL_FIELD

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 4
MAX_PDF_FIELDS = 400
MAX_FIELD_DEPTH = 6
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000  # a cell longer than this is refused outright; comments are limited to 2,000 later
MAX_XLSX_UNZIPPED = 60 * 1024 * 1024
EXPORT_FIELDS = ("respondent", "unit_id", *ANSWER_FIELDS)


class FeedbackUnreadable(KokemusError):
    """A returned file cannot be read as feedback; the message says why and what to do."""

    exit_code = 1


@dataclass
class ReturnedQuestionnaire:
    """The raw values of one returned questionnaire PDF. `source`: 'acroform' or 'page-text'."""

    identity: dict[str, str] = field(default_factory=dict)
    seal: str = ""
    values: dict[str, str] = field(default_factory=dict)
    source: str = "acroform"


@dataclass
class ExportRow:
    """One data row of a survey-tool export: its row number in the file and its values by field name."""

    row: int
    values: dict[str, object]


# --- PDF --------------------------------------------------------------------------------------------------------

def read_questionnaire(data: bytes) -> ReturnedQuestionnaire:
    """Read a returned questionnaire PDF: live form fields, else the text and marks a flattened copy shows."""
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise FeedbackUnreadable("The file is not a PDF. Send the questionnaire as the PDF file it was.",
                                 code="not-pdf")
    fields = pdf_field_values(data)
    names = set(IDENTITY_FIELDS) | {SEAL_FIELD}
    if names <= set(fields):
        return ReturnedQuestionnaire(identity={n: fields[n] for n in IDENTITY_FIELDS}, seal=fields[SEAL_FIELD],
                                     values={n: fields.get(n, "") for n in ANSWER_FIELDS})
    if fields:
        raise FeedbackUnreadable("The PDF has form fields but is not a feedback questionnaire of kokemus-docs "
                                 "(an hour form, or another organisation's form?).", code="wrong-form")
    return _from_page_text(data)


def pdf_field_values(data: bytes) -> dict[str, str]:
    """Every terminal form field's fully qualified name and value as text (radio groups: the chosen export
    value; nothing chosen: ''). Bounded: file size, pages, fields, depth, and each object visited once.

    The one place that opens a questionnaire's form fields; swap it for a shared reader when one exists.
    """
    import pikepdf

    if len(data) > MAX_FILE_BYTES:
        raise FeedbackUnreadable(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", code="too-large")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise FeedbackUnreadable("The PDF is password protected; save it without protection and send it again.",
                                 code="encrypted") from None
    except Exception as exc:  # any damage qpdf cannot recover from
        raise FeedbackUnreadable(f"The PDF is damaged ({type(exc).__name__}); save the questionnaire again.",
                                 code="damaged") from None
    with pdf:
        if len(pdf.pages) > MAX_PDF_PAGES:
            raise FeedbackUnreadable(f"The PDF has {len(pdf.pages)} pages; a questionnaire has one.",
                                     code="wrong-form")
        acroform = pdf.Root.get("/AcroForm")
        roots = acroform.get("/Fields") if isinstance(acroform, pikepdf.Dictionary) else None
        if not isinstance(roots, pikepdf.Array):
            return {}
        values: dict[str, str] = {}
        seen: set[tuple[int, int]] = set()
        stack = [(node, "", 0) for node in reversed(list(roots))]
        while stack:
            node, parent_name, depth = stack.pop()
            if not isinstance(node, pikepdf.Dictionary) or depth > MAX_FIELD_DEPTH:
                continue
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if len(seen) > MAX_PDF_FIELDS * 20:
                raise FeedbackUnreadable("The PDF has far too many form objects for a questionnaire.",
                                         code="wrong-form")
            part = _pdf_text(node.get("/T"))
            name = f"{parent_name}.{part}" if parent_name and part else (part or parent_name)
            kids = node.get("/Kids")
            named_kids = isinstance(kids, pikepdf.Array) and any(
                isinstance(k, pikepdf.Dictionary) and "/T" in k for k in kids)
            if named_kids:
                stack.extend((kid, name, depth + 1) for kid in reversed(list(kids)))
                continue
            if not name or name in values:
                continue
            values[name] = _field_value(node, kids)
            if len(values) > MAX_PDF_FIELDS:
                raise FeedbackUnreadable("The PDF has too many form fields for a questionnaire.", code="wrong-form")
        return values


def _pdf_text(value) -> str:
    import pikepdf

    if isinstance(value, pikepdf.String):
        return str(value)[:MAX_CELL_CHARS]
    if isinstance(value, pikepdf.Name):
        return str(value)[1:]
    return ""


def _field_value(node, kids) -> str:
    """A text field's /V; a button's /V name, or the 'on' state of the widget (kid) that shows as chosen."""
    import pikepdf

    value = node.get("/V")
    if isinstance(value, pikepdf.Name):
        state = str(value)[1:]
        return "" if state == "Off" else state
    if isinstance(value, pikepdf.String):
        return str(value)[:MAX_CELL_CHARS + 1]
    widgets = list(kids)[:50] if isinstance(kids, pikepdf.Array) else [node]
    for widget in widgets:
        state = widget.get("/AS") if isinstance(widget, pikepdf.Dictionary) else None
        if isinstance(state, pikepdf.Name) and str(state) != "/Off":
            return str(state)[1:]
    return ""


def _from_page_text(data: bytes) -> ReturnedQuestionnaire:
    """A flattened questionnaire: text inside the layout's field boxes, and which circles are filled in."""
    import pdfplumber

    from kokemus_docs.feedback.questionnaire import PAGE_HEIGHT, PAGE_WIDTH, questionnaire_layout

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) != 1:
                raise FeedbackUnreadable("The PDF is not a one-page questionnaire.", code="wrong-form")
            page = pdf.pages[0]
            if abs(float(page.width) - PAGE_WIDTH) > 2 or abs(float(page.height) - PAGE_HEIGHT) > 2:
                raise FeedbackUnreadable("The PDF's page is not the questionnaire's A4 page.", code="wrong-form")
            chars = page.chars[:20_000]
            shapes = (page.curves + page.rects)[:20_000]
            height = float(page.height)
    except FeedbackUnreadable:
        raise
    except Exception as exc:
        raise FeedbackUnreadable(f"The PDF cannot be read ({type(exc).__name__}).", code="damaged") from None
    if not chars:
        raise FeedbackUnreadable(
            "The PDF holds no text: it looks like a scanned paper questionnaire. Paper answers cannot be read "
            "from an image; type them into a CSV file (respondent, unit_id, date, recommend, s1 … s5, comment) "
            "and ingest that instead.", code="scanned")
    layout = questionnaire_layout()
    texts = {name: _text_in(chars, box, height) for name, box in layout.text_boxes.items()}
    if not all(texts.get(n) for n in (*IDENTITY_FIELDS, SEAL_FIELD)):
        raise FeedbackUnreadable("The PDF is not a kokemus-docs feedback questionnaire (no questionnaire "
                                 "details at the foot of the page).", code="wrong-form")
    values = {name: texts.get(name, "") for name in ("date", "comment")}
    for group, options in layout.radios.items():
        chosen = [value for value, box in options.items() if _filled_mark(shapes, box, height)]
        if len(chosen) > 1:
            raise FeedbackUnreadable(f"More than one answer is marked for {group}; the flattened copy cannot be "
                                     "read with certainty.", code="page-text-unclear")
        values[group] = chosen[0] if chosen else ""
    return ReturnedQuestionnaire(identity={n: texts[n] for n in IDENTITY_FIELDS}, seal=texts[SEAL_FIELD],
                                 values=values, source="page-text")


def _text_in(chars: list[dict], box: tuple[float, float, float, float], height: float) -> str:
    x0, y0, x1, y1 = box
    inside = [c for c in chars
              if x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1 and y0 - 1 <= height - (c["top"] + c["bottom"]) / 2 <= y1 + 1]
    lines: list[list[dict]] = []
    for char in sorted(inside, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][-1]["top"] - char["top"]) < 2:
            lines[-1].append(char)
        else:
            lines.append([char])
    result = []
    for line in lines:
        text, last = "", None
        for char in line:
            if last is not None and char["x0"] - last["x1"] > char.get("size", 10) * 0.2 and not text.endswith(" "):
                text += " "
            text += char["text"]
            last = char
        result.append(text.strip())
    return "\n".join(result).strip()


def _filled_mark(shapes: list[dict], box: tuple[float, float, float, float], height: float) -> bool:
    """A dark filled shape smaller than the circle, centred inside it: the chosen radio button's dot."""
    x0, y0, x1, y1 = box
    for shape in shapes:
        if not shape.get("fill"):
            continue
        colour = shape.get("non_stroking_color")
        values = colour if isinstance(colour, (list, tuple)) else (colour,)
        numbers = [v for v in values if isinstance(v, (int, float))]
        dark = bool(numbers) and (max(numbers) < 0.4 if len(numbers) != 4 else numbers[3] > 0.6)
        cx = (shape["x0"] + shape["x1"]) / 2
        cy = height - (shape["top"] + shape["bottom"]) / 2
        small = (shape["x1"] - shape["x0"]) < (x1 - x0) * 0.9
        if dark and small and x0 < cx < x1 and y0 < cy < y1:
            return True
    return False


# --- survey-tool exports -------------------------------------------------------------------------------------

def normalise_header(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def column_map(headers: list[object], mapping: dict[str, str]) -> dict[int, str]:
    """Column index -> field name, from the SPEC names or the kokemus.toml [feedback.columns] mapping."""
    own = {normalise_header(k): str(v).strip() for k, v in mapping.items()}
    columns: dict[int, str] = {}
    for index, header in enumerate(headers[:MAX_COLUMNS]):
        name = normalise_header(header)
        target = own.get(name) or (name if name in EXPORT_FIELDS else "")
        if target in EXPORT_FIELDS and target not in columns.values():
            columns[index] = target
    return columns


def read_export(data: bytes, kind: str, mapping: dict[str, str]) -> list[ExportRow]:
    """The data rows of a CSV or XLSX export with recognised columns. Raises FeedbackUnreadable when the file
    breaks a limit or lacks the columns respondent, unit_id and recommend."""
    if len(data) > MAX_FILE_BYTES:
        raise FeedbackUnreadable(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; export fewer "
                                 "answers at a time.", code="too-large")
    rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    try:
        headers = next(rows)
    except StopIteration:
        raise FeedbackUnreadable("The file is empty.", code="empty") from None
    columns = column_map(list(headers), mapping)
    missing = [n for n in ("respondent", "unit_id", "recommend") if n not in columns.values()]
    if missing:
        shown = ", ".join(repr(str(h)) for h in list(headers)[:12] if h not in (None, ""))
        raise FeedbackUnreadable(
            f"The export has no column for {', '.join(missing)} (columns found: {shown or 'none'}). Name the "
            "columns respondent, unit_id, date, recommend, s1 … s5, comment, or map the survey tool's headings "
            "in kokemus.toml under [feedback.columns], e.g. \"Suosittelisitko?\" = \"recommend\".",
            code="columns-missing")
    return list(_data_rows(rows, columns))


def _data_rows(rows: Iterator[tuple], columns: dict[int, str]) -> Iterator[ExportRow]:
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise FeedbackUnreadable(f"The export has more than {MAX_ROWS} rows; split the export into "
                                     "smaller files.", code="too-many-rows")
        values = {name: cells[index] for index, name in columns.items() if index < len(cells)}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        yield ExportRow(row=number, values=values)


def _csv_rows(data: bytes) -> Iterator[tuple]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Finnish Windows
    if "\x00" in text:
        raise FeedbackUnreadable("The file is not a text CSV file.", code="not-csv")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS * 4 or any(len(c) > MAX_CELL_CHARS for c in cells):
                raise FeedbackUnreadable(f"Row {reader.line_num} has too many columns or a cell longer than "
                                         f"{MAX_CELL_CHARS} characters.", code="too-large")
            yield tuple(cells)
    except csv.Error as exc:
        raise FeedbackUnreadable(f"The CSV file cannot be read near line {reader.line_num} ({exc}).",
                                 code="not-csv") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNZIPPED or len(archive.infolist()) > 2000:
                raise FeedbackUnreadable("The workbook unpacks to far more than an export holds.", code="too-large")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FeedbackUnreadable:
        raise
    except Exception as exc:
        raise FeedbackUnreadable(f"The file cannot be opened as an Excel workbook ({type(exc).__name__}). Export "
                                 "it again as .xlsx or .csv.", code="not-xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for cells in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            cells = tuple(_cell(c) for c in cells)
            if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
                raise FeedbackUnreadable(f"A cell is longer than {MAX_CELL_CHARS} characters.", code="too-large")
            yield cells
    except FeedbackUnreadable:
        raise
    except Exception as exc:
        raise FeedbackUnreadable(f"The workbook cannot be read ({type(exc).__name__}).", code="not-xlsx") from None
    finally:
        workbook.close()


def _cell(value: object) -> object:
    if isinstance(value, (str, int, float, date, datetime)) or value is None:
        return value
    return str(value)
