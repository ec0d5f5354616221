"""Reading returned feedback: questionnaire PDFs (filled, or flattened by "print to PDF") and survey-tool
exports (CSV, XLSX). Every reader works on bytes already read and bounded, and hands back raw values
(strings, numbers, dates as the file holds them); `answers.check_answer` decides what they mean.

Files are hostile: PDFs are parsed by the shared safe reader (`pdfsafe.reader.read_pdf`, a worker process within
size, structure and time limits); exports are limited in size, rows, columns, cell length and unpacked ZIP
size. A file that breaks a limit or a parser is refused with a reason (`FeedbackUnreadable`), never half read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.feedback.questionnaire import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, REFERENCE_BOX, questionnaire_layout
from kokemus_docs.feedback.questions import ANSWER_FIELDS, IDENTITY_FIELDS, SEAL_FIELD, code_in_reference
from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES, FormUnreadable
from kokemus_docs.pdfsafe.reader import read_pdf
from kokemus_docs.register.package import PackageLimits, PackageRefused, check_package

MAX_ROWS = 20_000  # answers in one export
MAX_SHEET_ROWS = 200_000  # rows of any kind, empty ones included
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000  # a cell longer than this is refused outright; comments are limited to 2,000 later
# An .xlsx export passes the same package guard as the register: size, parts, unpacked size and ratio, no DOCTYPE.
EXPORT_PACKAGE_LIMITS = PackageLimits("survey export", max_bytes=MAX_FILE_BYTES, max_unpacked=60 * 1024 * 1024,
                                      max_members=2_000)
EXPORT_FIELDS = ("respondent", "unit_id", *ANSWER_FIELDS)
# The column that identifies an answer in an export (SPEC: response_id, also id or Response ID, any case).
RESPONSE_ID = "response_id"
RESPONSE_ID_HEADERS = {"response_id", "id", "response id", "responseid"}
BROKEN = "\ufffd"  # what a byte that is not UTF-8 text becomes
# Questionnaires issued before the printed reference showed their identity and seal as text boxes at the foot of
# the page (x0, y0, x1, y1): copies of them already handed out are still read by these.
ISSUED_BEFORE_IDENTITY_BOXES = {
    "form_id": (MARGIN, 36, MARGIN + 160, 49), "unit_id": (MARGIN + 164, 36, MARGIN + 264, 49),
    "respondent": (MARGIN + 268, 36, MARGIN + 330, 49), "language": (MARGIN + 334, 36, MARGIN + 360, 49),
    SEAL_FIELD: (MARGIN + 364, 36, PAGE_WIDTH - MARGIN, 49)}


class FeedbackUnreadable(KokemusError):
    """A returned file cannot be read as feedback; the message says why and what to do."""

    exit_code = 1


@dataclass
class ReturnedQuestionnaire:
    """The raw values of one returned questionnaire PDF. `source`: 'acroform' or 'page-text'. Its identity and
    seal, or, for a flattened copy, the phone code of its printed reference (`reference`, to look up in the
    ledger)."""

    identity: dict[str, str] = field(default_factory=dict)
    seal: str = ""
    reference: str = ""
    values: dict[str, str] = field(default_factory=dict)
    source: str = "acroform"


@dataclass
class ExportRow:
    """One data row of a survey-tool export: its row number in the file, its values by field name, and its key:
    the export's response id when it has one, else the row's content (unit and date included)."""

    row: int
    values: dict[str, object]
    key: str = ""

    @property
    def broken_fields(self) -> list[str]:
        """Fields whose cell held bytes that are not UTF-8 text (each such byte is now U+FFFD)."""
        return [name for name, value in self.values.items() if isinstance(value, str) and BROKEN in value]


# --- PDF --------------------------------------------------------------------------------------------------------

_PDF_ADVICE = {
    "not-pdf": "Send the questionnaire as the PDF file it was.",
    "too-large": "A filled questionnaire is far smaller; send only the questionnaire PDF.",
    "damaged": "Save the filled questionnaire again and send the new file.",
    "encrypted": "Save it without a password and send it again.",
    "too-complex": "It is far more complex than a questionnaire; save the filled questionnaire again.",
}


def read_questionnaire(data: bytes) -> ReturnedQuestionnaire:
    """Read a returned questionnaire PDF: live form fields, else the text and marks a flattened copy shows.

    The PDF is parsed by the shared safe reader (pdfsafe.reader.read_pdf: a worker process within limits)."""
    try:
        content = read_pdf(data, pages=True)
    except FormUnreadable as exc:
        code = exc.code or "damaged"
        raise FeedbackUnreadable(f"{exc.what[:1].upper()}{exc.what[1:]}. {_PDF_ADVICE.get(code, '')}".strip(),
                                 code=code) from None
    fields = content.fields
    names = set(IDENTITY_FIELDS) | {SEAL_FIELD}
    if names <= set(fields):
        return ReturnedQuestionnaire(identity={n: fields[n] for n in IDENTITY_FIELDS}, seal=fields[SEAL_FIELD],
                                     values={n: fields.get(n, "") for n in ANSWER_FIELDS})
    if fields or content.pages is None:
        raise FeedbackUnreadable("The PDF is not a feedback questionnaire of kokemus-docs (an hour form, or "
                                 "another organisation's form?).", code="wrong-form")
    return _from_page_text(content.pages)


def _from_page_text(pages: list) -> ReturnedQuestionnaire:
    """A flattened questionnaire: text inside the layout's field boxes, and which circles hold a dot."""
    if len(pages) != 1:
        raise FeedbackUnreadable("The PDF is not a one-page questionnaire.", code="wrong-form")
    page = pages[0]
    if abs(page.width - PAGE_WIDTH) > 2 or abs(page.height - PAGE_HEIGHT) > 2:
        raise FeedbackUnreadable("The PDF's page is not the questionnaire's A4 page.", code="wrong-form")
    if not page.chars:
        raise FeedbackUnreadable(
            "The PDF holds no text: it looks like a scanned paper questionnaire. Paper answers cannot be read "
            "from an image; type them into a CSV file (respondent, unit_id, date, recommend, s1 … s5, comment) "
            "and ingest that instead.", code="scanned")
    layout = questionnaire_layout()
    reference = code_in_reference(_text_in(page.chars, REFERENCE_BOX, page.height))
    identity = {name: _text_in(page.chars, box, page.height) for name, box in ISSUED_BEFORE_IDENTITY_BOXES.items()}
    if not reference and not all(identity.values()):
        raise FeedbackUnreadable("The PDF is not a kokemus-docs feedback questionnaire (no reference such as "
                                 "'Tunniste: ABCD-EFGH-IJKL' at the foot of the page).", code="wrong-form")
    values = {name: _text_in(page.chars, box, page.height) for name, box in layout.text_boxes.items()}
    for group, options in layout.radios.items():
        chosen = [value for value, box in options.items() if _dot_in(page.shapes, box, page.height)]
        if len(chosen) > 1:
            raise FeedbackUnreadable(f"More than one answer is marked for {group}; the flattened copy cannot be "
                                     "read with certainty. Send the fillable questionnaire itself.",
                                     code="page-text-unclear")
        values[group] = chosen[0] if chosen else ""
    if reference:
        return ReturnedQuestionnaire(reference=reference, values=values, source="page-text")
    return ReturnedQuestionnaire(identity={n: identity[n] for n in IDENTITY_FIELDS}, seal=identity[SEAL_FIELD],
                                 values=values, source="page-text")


def _text_in(chars: list[dict], box: tuple[float, float, float, float], height: float) -> str:
    x0, y0, x1, y1 = box
    inside = [c for c in chars
              if x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1
              and y0 - 1 <= height - (c["top"] + c["bottom"]) / 2 <= y1 + 1]
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


def _dot_in(shapes: list[dict], box: tuple[float, float, float, float], height: float) -> bool:
    """A drawn shape well smaller than the circle and centred inside it: the chosen radio button's dot (the
    circle itself is drawn as large as its box)."""
    x0, y0, x1, y1 = box
    for shape in shapes:
        width, tall = shape["x1"] - shape["x0"], shape["bottom"] - shape["top"]
        cx = (shape["x0"] + shape["x1"]) / 2
        cy = height - (shape["top"] + shape["bottom"]) / 2
        if 0.5 < width < (x1 - x0) * 0.6 and 0.5 < tall < (y1 - y0) * 0.6 \
                and x0 + 2 < cx < x1 - 2 and y0 + 2 < cy < y1 - 2:
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
        target = own.get(name) or (name if name in EXPORT_FIELDS else RESPONSE_ID if name in RESPONSE_ID_HEADERS
                                   else "")
        if target in (*EXPORT_FIELDS, RESPONSE_ID) and target not in columns.values():
            columns[index] = target
    return columns


def read_export(data: bytes, kind: str, mapping: dict[str, str]) -> list[ExportRow]:
    """The data rows of a CSV or XLSX export with recognised columns. The header is the first of the top
    HEADER_SEARCH_ROWS rows that names respondent, unit_id and recommend (some tools put a title above it).
    A CSV file is read as UTF-8 even when a few bytes are not (they become U+FFFD, see ExportRow.broken_fields),
    else as Excel's Windows-1252; its delimiter is the one (; , or tab) with which the header is found.
    Raises FeedbackUnreadable when the file breaks a limit or lacks those columns."""
    if len(data) > MAX_FILE_BYTES:
        raise FeedbackUnreadable(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; export fewer "
                                 "answers at a time.", code="too-large")
    if kind == "xlsx":
        return _with_header(_xlsx_rows(data), mapping)
    text = _csv_text(data)
    delimiters = _delimiters(text)
    for delimiter in delimiters[:-1]:
        try:
            return _with_header(_csv_rows(text, delimiter), mapping)
        except FeedbackUnreadable as exc:
            if exc.code != "columns-missing":
                raise
    return _with_header(_csv_rows(text, delimiters[-1]), mapping)


def _with_header(rows: Iterator[tuple], mapping: dict[str, str]) -> list[ExportRow]:
    first: tuple | None = None
    for header_row, cells in enumerate(rows, start=1):
        first = cells if first is None else first
        columns = column_map(list(cells), mapping)
        if {"respondent", "unit_id", "recommend"} <= set(columns.values()):
            return list(_data_rows(rows, columns, header_row))
        if header_row >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise FeedbackUnreadable("The file is empty.", code="empty")
    found = set(column_map(list(first), mapping).values())
    missing = [n for n in ("respondent", "unit_id", "recommend") if n not in found]
    shown = ", ".join(repr(str(h)) for h in list(first)[:12] if h not in (None, ""))
    raise FeedbackUnreadable(
        f"The export has no column for {', '.join(missing)} (columns found: {shown or 'none'}). Name the "
        "columns respondent, unit_id, date, recommend, s1 … s5, comment, or map the survey tool's headings "
        "in kokemus.toml under [feedback.columns], e.g. \"Suosittelisitko?\" = \"recommend\".",
        code="columns-missing")


def row_key(values: dict[str, object]) -> str:
    """What identifies an export row across exports: its response id (within its group and unit) when the export
    has one, else all its answer cells as the file holds them (unit and date included)."""
    def plain(value: object) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime):
            value = value.date() if value.time() == datetime.min.time() else value
        if isinstance(value, date):
            value = value.isoformat()
        return " ".join(str("" if value is None else value).split()).casefold()

    group = [plain(values.get("respondent")), plain(values.get("unit_id"))]
    if plain(values.get(RESPONSE_ID)):
        parts = ["id", *group, plain(values.get(RESPONSE_ID))]
    else:
        parts = ["row", *group, *(plain(values.get(name)) for name in ANSWER_FIELDS)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _data_rows(rows: Iterator[tuple], columns: dict[int, str], header_row: int) -> Iterator[ExportRow]:
    answers = 0
    for number, cells in enumerate(rows, start=header_row + 1):
        if number > MAX_SHEET_ROWS:
            raise FeedbackUnreadable(f"The export has more than {MAX_SHEET_ROWS} rows; export only the answers.",
                                     code="too-many-rows")
        values = {name: cells[index] for index, name in columns.items() if index < len(cells)}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        answers += 1
        if answers > MAX_ROWS:
            raise FeedbackUnreadable(f"The export has more than {MAX_ROWS} answers; split it into smaller files.",
                                     code="too-many-rows")
        yield ExportRow(row=number, values=values, key=row_key(values))


def _csv_text(data: bytes) -> str:
    """The text of a CSV file: UTF-16 with its mark; UTF-8, where a few stray bytes become U+FFFD and are flagged
    in their cells; Excel's Windows-1252 when the bytes are no UTF-8 text at all (ä as one byte)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" and some survey tools
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        lenient = data.decode("utf-8-sig", errors="replace")
        broken = lenient.count(BROKEN)
        letters = sum(ord(ch) > 0x7F for ch in lenient) - broken
        # More real UTF-8 letters than broken bytes: a UTF-8 file with a stray byte, not a Windows-1252 one.
        text = lenient if letters > broken else data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise FeedbackUnreadable("The file is not a text CSV file.", code="not-csv")
    return text


def _delimiters(text: str) -> list[str]:
    """; , and tab, the most used in the top rows first (a title row above the header may hold none)."""
    top = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    return sorted((";", ",", "\t"), key=lambda d: -top.count(d))


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS * 4 or any(len(c) > MAX_CELL_CHARS for c in cells):
                raise FeedbackUnreadable(f"Row {reader.line_num} has too many columns or a cell longer than "
                                         f"{MAX_CELL_CHARS} characters.", code="too-large")
            yield tuple(cells)
    except csv.Error:
        raise FeedbackUnreadable(f"The CSV file cannot be read near line {reader.line_num}: a cell longer than "
                                 f"{MAX_CELL_CHARS} characters, or quotes that do not pair. Export it again.",
                                 code="not-csv") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        check_package(data, EXPORT_PACKAGE_LIMITS)
    except PackageRefused as refused:
        raise FeedbackUnreadable(f"The workbook {refused.reason}",
                                 code="too-large" if refused.kind == "too-large" else "not-xlsx") from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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
