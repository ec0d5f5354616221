"""Reading returned PDF forms safely: the values of their fields, or the text on their pages.

Returned files come from anyone on the network, so every file is parsed by qpdf (pikepdf) and, for forms that
were printed or flattened, pdfplumber, in a separate worker process, within fixed limits: file size, pages,
objects, fields, nesting, value lengths and characters on a page, and a time limit that stops the worker
(runaway C code included) and starts a fresh one for the next file. Only plain data (JSON) comes back.

Two layers:

- `read_pdf(data)` / `read_fields(data)`: any AcroForm's field values by full field name, or a flattened
  PDF's characters and drawn shapes by page. Failures raise `FormUnreadable` with a `code`.
- `read_form(path, data)`: a returned hour form as a `ReturnedForm`. Live forms are read from their fields
  (whatever filled them: Acrobat, a browser, pdftk, PyMuPDF). A form that was "printed to PDF" or flattened
  has no fields left; then the text on the page is read at the places where `forms.layout.form_layout` put the
  fields, and the result says source='page-text'. When that text cannot be placed with certainty, the form
  is refused rather than misread.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.forms.fields import (
    CONFIRM_FIELD,
    IDENTITY_FIELDS,
    ROW_FIELDS,
    SEAL_FIELD,
    SIGNED_ON_FIELD,
    ReturnedForm,
    row_field,
)

ROW_NAME = re.compile(r"^row(\d{2,3})_([a-z_]+)$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
POSITION_TOLERANCE = 2.0  # points: how far printed text may sit from where the layout put it

# --- limits for one returned file ---------------------------------------------------------------------------------

MAX_FILE_BYTES = 10 * 1024 * 1024  # an issued hour form is ~100 KB; a filled one with an embedded font well under 1 MB
READ_TIME_LIMIT = 5.0  # seconds of parsing (processor time) per file; a form takes milliseconds, a flattened one a fraction of a second
READ_WAIT_FACTOR = 12  # a file is given up after this many times its time limit even when the reader is only waiting
MAX_OBJECTS = 100_000  # objects in the file
MAX_PAGES = 100  # pages in the page tree
MAX_PAGE_TREE_NODES = 1_000  # page tree entries examined (pages and the nodes above them)
MAX_TREE_DEPTH = 32  # nesting of the page tree and of the field tree
MAX_FIELD_NODES = 10_000  # field tree entries examined (an hour form with 40 rows has ~420)
MAX_NAME_CHARS = 500  # one full field name
MAX_VALUE_BYTES = 40_000  # one field value as stored (text fields hold at most 2,000 characters; UTF-16 doubles)
MAX_FIELD_TEXT_BYTES = 4 * 1024 * 1024  # all field names and values together
MAX_TEXT_PAGES = 10  # a PDF without fields is read from its page text only up to this many pages
MAX_CONTENT_BYTES = 8 * 1024 * 1024  # decoded content streams of those pages together
MAX_PAGE_CHARS = 30_000  # characters on one page (a flattened hour form page has ~2,000)
MAX_PAGE_SHAPES = 30_000  # drawn lines, curves and rectangles on one page
WORKER_MEMORY_LIMIT = 1024 * 1024 * 1024  # address space of the reading process, bytes
WORKER_START_LIMIT = 120.0  # seconds for a fresh worker to import its libraries (a busy machine is slow)
MAX_REPLY_BYTES = 64 * 1024 * 1024


class FormUnreadable(KokemusError):
    """A returned file cannot be read as a form. `code` says why; the message says what is wrong (and, from
    read_form, what to do). `what` is the reason alone, without file name or advice.

    Codes: not-pdf, too-large, damaged, encrypted, too-complex (limits or the time limit exceeded); read_form
    adds scanned, wrong-layout, identity-missing and page-text-unclear.
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, code: str | None = None, what: str = ""):
        super().__init__(message, path=path, code=code)
        self.what = what or message


class ReaderUnavailable(KokemusError):
    """The PDF reading process cannot be started: no file can be read, so none may be rejected for it."""

    def __init__(self, detail: str):
        super().__init__(f"The PDF reading process {detail}; no returned form was read or rejected. Run the "
                         "command again when the machine is less busy; if this persists, reinstall kokemus-docs "
                         "(make setup).", code="reader-unavailable")


# --- any PDF form: what the worker reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageText:
    """One page of a PDF without fields: its size in points and what is printed on it, in pdfplumber's
    coordinates (origin top left). `chars`: dicts with text, x0, x1, top, bottom, size. `shapes`: dicts with
    kind ('line', 'curve' or 'rect'), x0, x1, top, bottom, fill (bool) and non_stroking_color (a list of
    numbers, or None) of every drawn shape."""

    width: float
    height: float
    chars: list[dict] = field(default_factory=list)
    shapes: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class PdfContent:
    """What a PDF holds for a form reader.

    `fields`: every terminal field's value by full name ('parent.child'); text and choice fields give their
    text (a multiple choice its values joined by newlines), checkboxes and radio groups the chosen state name
    without the slash ('Yes') or '' when not ticked, anything else ''. `kinds`: each field's type: 'text',
    'choice', 'checkbox', 'radio', 'button', 'signature' or ''. `pages`: only when the PDF has no fields and
    pages were asked for and it has at most MAX_TEXT_PAGES pages, else None.
    """

    fields: dict[str, str]
    kinds: dict[str, str]
    page_count: int
    pages: list[PageText] | None = None


def read_pdf(data: bytes, *, pages: bool = True, time_limit: float = READ_TIME_LIMIT) -> PdfContent:
    """Read a PDF's form fields (and, when it has none and `pages` is true, its page text) within the limits.

    Raises FormUnreadable (code not-pdf, too-large, damaged, encrypted or too-complex; message and `what`
    without a file name). Safe to call from several threads: files are read one at a time.
    """
    data = bytes(data)
    if not data:
        raise _failure("not-pdf", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise _failure("too-large", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if b"%PDF-" not in data[:1024]:
        raise _failure("not-pdf", "this is not a PDF file")
    tail = data[-2048:]
    if b"%%EOF" not in tail or (b"startxref" not in tail and b"/XRefStm" not in tail):
        raise _failure("damaged", "the PDF file is cut short")
    return _content(_WORKERS.run({"pages": bool(pages)}, data, time_limit))


def read_fields(data: bytes, *, time_limit: float = READ_TIME_LIMIT) -> dict[str, str]:
    """A PDF form's field values by full field name (see PdfContent.fields); {} for a PDF without fields.

    Raises FormUnreadable like read_pdf.
    """
    return read_pdf(data, pages=False, time_limit=time_limit).fields


def _failure(code: str, what: str) -> FormUnreadable:
    return FormUnreadable(what, code=code, what=what)


_CODES = ("not-pdf", "too-large", "damaged", "encrypted", "too-complex")


def _content(reply: dict) -> PdfContent:
    """The worker's answer, checked for shape (it comes from a process that handled hostile bytes)."""
    try:
        if "error" in reply:
            code = reply["error"] if reply["error"] in _CODES else "damaged"
            raise _failure(code, str(reply["what"])[:500])
        fields, kinds = dict(reply["fields"]), dict(reply["kinds"])
        if not all(isinstance(key, str) and isinstance(value, str)
                   for table in (fields, kinds) for key, value in table.items()):
            raise TypeError("field names and values are text")
        pages = None if reply["pages"] is None else [
            PageText(float(page["width"]), float(page["height"]), [_char(ch) for ch in page["chars"]],
                     [_shape(shape) for shape in page["shapes"]])
            for page in reply["pages"]]
        return PdfContent(fields=fields, kinds=kinds, page_count=int(reply["page_count"]), pages=pages)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _failure("damaged", "the PDF reader's answer cannot be used") from None


_EDGES = ("x0", "x1", "top", "bottom")


def _char(ch: dict) -> dict:
    """One printed character of a reply, checked: its text and its box and size as numbers."""
    if not isinstance(ch["text"], str) or len(ch["text"]) > 16:
        raise TypeError("a character is a short text")
    return {"text": ch["text"], **{key: float(ch[key]) for key in (*_EDGES, "size")}}


def _shape(shape: dict) -> dict:
    """One drawn shape of a reply, checked like a character."""
    colour = shape["non_stroking_color"]
    if shape["kind"] not in ("line", "curve", "rect") or not isinstance(shape["fill"], bool) or not (
            colour is None or isinstance(colour, list) and len(colour) <= 4
            and all(isinstance(value, float) for value in colour)):
        raise TypeError("a shape has a kind, a fill and a colour")
    return {"kind": shape["kind"], **{key: float(shape[key]) for key in _EDGES}, "fill": shape["fill"],
            "non_stroking_color": colour}


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
        data = _read_bounded(path)
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


def _read_bounded(path: Path) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of a regular file (a pipe or a device is refused, never waited on)."""
    import stat

    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _unreadable(path, "not-pdf", f"the file cannot be opened ({exc.strerror})") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _unreadable(path, "not-pdf", "this is not a regular file")
    with open(descriptor, "rb") as handle:
        try:
            return handle.read(MAX_FILE_BYTES + 1)
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
    from kokemus_docs.forms.layout import PAGE_HEIGHT, PAGE_WIDTH

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
    from kokemus_docs.forms.layout import COLUMNS, COLUMN_EDGES

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
    from kokemus_docs.forms.layout import form_layout
    from kokemus_docs.forms.texts import TEXTS

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


# --- the worker process: started once, replaced when a file overruns the time limit ------------------------------


class _Worker:
    """A child Python process that parses one file at a time; requests and replies travel over two pipes,
    replies as JSON (never pickles: the child handles hostile bytes)."""

    def __init__(self) -> None:
        from multiprocessing.connection import Connection

        to_child, from_parent = os.pipe()
        from_child, to_parent = os.pipe()
        for descriptor in (from_parent, from_child):
            _widen(descriptor)
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH", "")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from kokemus_docs.intake.formread import _serve; "
                                       "_serve(int(sys.argv[1]), int(sys.argv[2]))", str(to_child), str(to_parent)],
                pass_fds=(to_child, to_parent), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        finally:
            os.close(to_child)
            os.close(to_parent)
        self.owner = os.getpid()
        self.requests = Connection(from_parent, readable=False)
        self.replies = Connection(from_child, writable=False)
        if not self.replies.poll(WORKER_START_LIMIT):
            self.stop()
            raise ReaderUnavailable(f"did not start within {WORKER_START_LIMIT:g} seconds")
        try:
            self.replies.recv_bytes(64)
        except (EOFError, OSError):
            self.stop()
            raise ReaderUnavailable("did not start (see the messages above)") from None

    def run(self, request: dict, data: bytes, time_limit: float) -> dict:
        """The worker's reply; {'error': 'too-complex', ...} when it overruns `time_limit`. Raises EOFError or
        OSError when the worker has ended (before or while reading the file)."""
        used_before = _processor_seconds(self.process.pid)
        self.requests.send_bytes(json.dumps(request).encode() + b"\n" + data)
        if not self._answers_within(time_limit, used_before):
            self.stop(kill=True)
            return {"error": "too-complex",
                    "what": f"reading the PDF took longer than {time_limit:g} seconds and was stopped"}
        try:
            reply = self.replies.recv_bytes(MAX_REPLY_BYTES)
        except OSError:  # an answer longer than any form's
            self.stop(kill=True)
            return {"error": "too-complex", "what": "the PDF holds far more than a form"}
        try:
            return json.loads(reply)
        except ValueError:
            self.stop(kill=True)
            return {"error": "damaged", "what": "the PDF reader's answer cannot be used"}

    def _answers_within(self, time_limit: float, used_before: float | None) -> bool:
        """Whether the reply (or the end of the worker) comes before the worker has spent `time_limit` seconds of
        processor time on the file. Time spent waiting for a processor on a busy machine does not count against
        the file, but READ_WAIT_FACTOR times the limit is the most it is waited for; where the system does not
        tell a process's processor time, the time limit is wall-clock time."""
        deadline = time.monotonic() + READ_WAIT_FACTOR * time_limit
        wait = time_limit
        while not self.replies.poll(wait):
            used = _processor_seconds(self.process.pid)
            left = deadline - time.monotonic()
            if used is None or used_before is None or used - used_before >= time_limit or left <= 0:
                return False
            wait = min(max(time_limit - (used - used_before), 0.05), left)
        return True

    def alive(self) -> bool:
        return self.process.poll() is None and self.owner == os.getpid()

    def stop(self, kill: bool = False) -> None:
        if self.owner != os.getpid():
            return  # a copy of the parent's handle in a forked process: the worker is not ours to stop
        if kill:
            self.process.kill()
        for connection in (self.requests, self.replies):
            connection.close()
        try:
            self.process.wait(timeout=0.5)  # it ends by itself once its request pipe is closed
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _processor_seconds(pid: int) -> float | None:
    """The processor time (user and system) a child process has used so far, or None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _widen(pipe: int) -> None:
    """Let a pipe hold a whole form (1 MB instead of 64 KB), so that handing one over takes one switch between
    the processes rather than several (which a busy machine makes slow); where the system allows it."""
    try:
        import fcntl

        fcntl.fcntl(pipe, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1024 * 1024)
    except (ImportError, OSError):
        pass


class _Workers:
    """The process's one worker, shared by its threads (one file at a time), started when first needed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.worker: _Worker | None = None

    def run(self, request: dict, data: bytes, time_limit: float) -> dict:
        with self.lock:
            for attempt in range(2):
                if self.worker is None or not self.worker.alive():
                    if self.worker is not None:
                        self.worker.stop()
                    self.worker = _Worker()
                worker = self.worker
                try:
                    reply = worker.run(request, data, time_limit)
                except (EOFError, OSError):
                    # The worker ended: after the last file (out of memory), or while reading this one (its
                    # memory limit, a crash in C code, or stopped from outside). A fresh one tries it once more.
                    worker.stop(kill=True)
                    self.worker = None
                    if attempt:
                        return {"error": "too-complex",
                                "what": "the PDF stopped the reader twice (it needs too much memory or is damaged)"}
                    continue
                except BaseException:  # interrupted: the answer still to come must not be taken for the next file's
                    worker.stop(kill=True)
                    self.worker = None
                    raise
                if not worker.alive():
                    worker.stop()
                    self.worker = None
                return reply
        raise AssertionError("unreachable")

    def stop(self) -> None:
        with self.lock:
            if self.worker is not None:
                self.worker.stop()
                self.worker = None


_WORKERS = _Workers()
atexit.register(_WORKERS.stop)


# --- inside the worker ----------------------------------------------------------------------------------------------


def _serve(requests_fd: int, replies_fd: int) -> None:
    """The worker's loop: read a request and a file, answer with JSON, until the parent closes the pipe."""
    import logging
    import resource
    import warnings
    from multiprocessing.connection import Connection

    try:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))
    except (ValueError, OSError):
        pass  # a lower hard limit already applies
    import pikepdf  # noqa: F401  (loaded before the first file so that it counts for no file's time; pdfplumber,
    # needed only for flattened forms, is loaded by the first one: that costs it a fraction of its time limit)

    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # its warnings about damaged files are not for users
    warnings.simplefilter("ignore")  # nor anyone else's: a file's contents never reach the terminal
    requests = Connection(requests_fd, writable=False)
    replies = Connection(replies_fd, readable=False)
    replies.send_bytes(b"ready")
    while True:
        try:
            message = requests.recv_bytes(MAX_FILE_BYTES + 4096)
        except (EOFError, OSError):
            return
        header, _, data = message.partition(b"\n")
        request = json.loads(header)
        out_of_memory = False
        try:
            reply = _parse(data, want_pages=bool(request.get("pages")))
        except FormUnreadable as exc:
            reply = {"error": exc.code, "what": exc.what}
        except MemoryError:
            reply, out_of_memory = {"error": "too-complex", "what": "the PDF needs too much memory to read"}, True
        except RecursionError:
            reply = {"error": "too-complex", "what": "the PDF's objects are nested too deep"}
        except Exception as exc:  # any other failure of the parsers on a hostile file is a damaged file
            reply = {"error": "damaged", "what": f"the PDF cannot be read ({type(exc).__name__})"}
        replies.send_bytes(json.dumps(reply).encode())
        if out_of_memory:
            return  # the parent starts a fresh worker for the next file


def _parse(data: bytes, *, want_pages: bool) -> dict:
    """The fields (or page text) of one file, as plain data; raises FormUnreadable."""
    import pikepdf

    source, access = _in_memory_file(data)
    with source:
        try:
            pdf = pikepdf.open(source, inherit_page_attributes=False, suppress_warnings=True, access_mode=access)
        except pikepdf.PasswordError:
            raise _failure("encrypted", "the PDF is protected with a password") from None
        except pikepdf.PdfError as exc:
            if "encrypt" in str(exc).lower():
                raise _failure("encrypted", "the PDF is protected in a way that cannot be opened") from None
            raise _failure("damaged", "the PDF cannot be read") from None
        with pdf:
            try:
                if int(pdf.trailer.get("/Size", 0)) > MAX_OBJECTS:  # the object numbers in use, as qpdf found them
                    raise _failure("too-complex", f"the PDF has more than {MAX_OBJECTS} objects")
                root = pdf.Root
                page_nodes = _page_tree(pdf, root)
                fields, kinds = _field_values(root)
                pages = None
                if not fields and want_pages and len(page_nodes) <= MAX_TEXT_PAGES:
                    pages = _page_texts(pdf, page_nodes)
            except pikepdf.PdfError:
                raise _failure("damaged", "the PDF's objects cannot be read") from None
    return {"fields": fields, "kinds": kinds, "page_count": len(page_nodes), "pages": pages}


def _in_memory_file(data: bytes):
    """(file, pikepdf access mode): the bytes as a file in memory that qpdf maps and reads directly (twice as
    fast as reading through Python), where the system has such files; else a BytesIO."""
    import pikepdf

    try:
        descriptor = os.memfd_create("returned-form", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return io.BytesIO(data), pikepdf.AccessMode.stream
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
    os.lseek(descriptor, 0, os.SEEK_SET)
    return os.fdopen(descriptor, "rb"), pikepdf.AccessMode.mmap


def _page_tree(pdf, root) -> list:
    """The pages, in order, from a walk of the page tree that refuses loops, repeats, depth and size."""
    import pikepdf

    if not isinstance(root, pikepdf.Dictionary):
        raise _failure("damaged", "the PDF has no document catalog")
    top = root.get("/Pages")
    if not isinstance(top, pikepdf.Dictionary):
        raise _failure("damaged", "the PDF has no page tree")
    pages: list = []
    seen: set[tuple[int, int]] = set()
    stack = [(top, 0)]
    examined = 0
    while stack:
        node, depth = stack.pop()
        examined += 1
        if examined > MAX_PAGE_TREE_NODES or len(pages) > MAX_PAGES:
            raise _failure("too-complex", f"the PDF has more than {MAX_PAGES} pages")
        if depth > MAX_TREE_DEPTH:
            raise _failure("too-complex", "the PDF's page tree is nested too deep")
        if not isinstance(node, pikepdf.Dictionary):
            raise _failure("damaged", "the PDF's page tree holds something other than pages")
        if node.is_indirect:
            if node.objgen in seen:
                raise _failure("too-complex", "the PDF's page tree refers to the same page or node more than once")
            seen.add(node.objgen)
        kind = node.get("/Type")
        kids = node.get("/Kids")
        if kind == pikepdf.Name.Pages or kind is None and kids is not None:
            if not isinstance(kids, pikepdf.Array):
                raise _failure("damaged", "the PDF's page tree is damaged")
            if len(kids) > MAX_PAGE_TREE_NODES:
                raise _failure("too-complex", f"the PDF has more than {MAX_PAGES} pages")
            stack.extend((kid, depth + 1) for kid in reversed(kids))
        else:
            pages.append(node)
    if len(pages) > MAX_PAGES:
        raise _failure("too-complex", f"the PDF has more than {MAX_PAGES} pages")
    return pages


_KINDS = {"/Tx": "text", "/Ch": "choice", "/Sig": "signature"}
_PLAIN_ASCII = re.compile(rb"[\t\n\r\x20-\x7e]*")
_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16


def _field_values(root) -> tuple[dict[str, str], dict[str, str]]:
    """Every terminal field's value and kind by full name, from a bounded walk of /AcroForm /Fields and /Kids.

    A field's name is its ancestors' /T and its own joined by dots; /FT, /Ff and /V are inherited from the
    ancestors when the field has none of its own. A kid whose /Parent is not the field listing it, a field
    listed inside itself, and a tree too deep or too large make the file unreadable; a field listed twice is
    read once. When two fields have the same full name, the later one counts.
    """
    import pikepdf

    dictionary, array, string = pikepdf.Dictionary, pikepdf.Array, pikepdf.String
    form = root.get("/AcroForm")
    top = form.get("/Fields") if isinstance(form, dictionary) else None
    if not isinstance(top, array):
        return {}, {}
    values: dict[str, str] = {}
    kinds: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    total = examined = 0
    if len(top) > MAX_FIELD_NODES:
        raise _failure("too-complex", f"the PDF form has more than {MAX_FIELD_NODES} fields")
    # (node, the field listing it or None, parent's full name, inherited /FT, /Ff, /V, ancestors' objgens)
    stack = [(node, None, "", "", 0, None, ()) for node in reversed(top)]
    while stack:
        node, parent, parent_name, kind, flags, value, ancestors = stack.pop()
        examined += 1
        if examined > MAX_FIELD_NODES:
            raise _failure("too-complex", f"the PDF form has more than {MAX_FIELD_NODES} fields")
        if len(ancestors) > MAX_TREE_DEPTH:
            raise _failure("too-complex", "the PDF form's fields are nested too deep")
        if not isinstance(node, dictionary):
            continue  # a dangling reference or junk in the list: not a field
        objgen = node.objgen
        if objgen != (0, 0):  # an indirect object: the only kind that can be listed twice or loop
            if objgen in ancestors:
                raise _failure("too-complex", "the PDF form's fields contain themselves (a loop in /Kids)")
            if objgen in seen:
                continue
            seen.add(objgen)
        keys = node.keys()  # one call, then only the entries that are there (a missing one costs more)
        if "/Parent" in keys and (parent is None or _objgen(node["/Parent"]) != _objgen(parent)):
            raise _failure("damaged", "the PDF form's field tree is inconsistent (/Parent does not match /Kids)")
        if "/FT" in keys:
            kind = str(node["/FT"])
        if "/Ff" in keys:
            flags = node["/Ff"]
        if "/V" in keys:
            value = node["/V"]
        name = parent_name
        titled = "/T" in keys
        if titled:
            title = node["/T"]
            part = _text(title) if isinstance(title, string) else ""
            name = f"{parent_name}.{part}" if parent_name else part
            if len(name) > MAX_NAME_CHARS:
                raise _failure("too-complex", "a field name of the PDF form is too long")
        kids = None
        if "/Kids" in keys:
            kids = node["/Kids"]
            if not isinstance(kids, array):
                kids = None
            elif len(kids) > MAX_FIELD_NODES:
                raise _failure("too-complex", f"the PDF form has more than {MAX_FIELD_NODES} fields")
            else:
                examined += len(kids)
                if any(isinstance(kid, dictionary) and "/T" in kid for kid in kids):
                    path = (*ancestors, objgen)
                    stack.extend((kid, node, name, kind, flags, value, path) for kid in reversed(kids))
                    continue
        if not titled and parent is None:
            continue  # an unnamed widget listed among the fields: nothing to name it by
        field_kind, text = _field_value(node, kids, kind, flags, value)
        total += len(name) + len(text)
        if total > MAX_FIELD_TEXT_BYTES:
            raise _failure("too-complex", "the PDF form's fields hold far more text than a form")
        if name in values:
            del values[name]
        values[name] = text
        kinds[name] = field_kind
    return values, kinds


def _field_value(node, widgets, kind: str, flags, value) -> tuple[str, str]:
    """(kind, value as text) of a terminal field whose own widgets (if separate) are `widgets`."""
    import pikepdf

    if kind == "/Btn":
        try:
            flags = int(flags)
        except (TypeError, ValueError):
            flags = 0
        if flags & _PUSHBUTTON:
            return "button", ""
        chosen = str(value)[1:] if isinstance(value, pikepdf.Name) else ""
        states = _on_states(node)
        for widget in widgets or ():
            if isinstance(widget, pikepdf.Dictionary):
                states |= _on_states(widget)
        return ("radio" if flags & _RADIO else "checkbox"), (chosen if chosen in states else "")
    field_kind = _KINDS.get(kind, "")
    if value is None:
        return field_kind, ""
    if isinstance(value, pikepdf.String):
        return field_kind, _text(value)
    if isinstance(value, pikepdf.Array):
        if len(value) > 1000:
            raise _failure("too-complex", "a field of the PDF form has too many values")
        return field_kind, "\n".join(_plain(item) for item in value)
    return field_kind, _plain(value)


def _objgen(obj) -> tuple[int, int] | None:
    """The object and generation number of an indirect object, else None."""
    import pikepdf

    return obj.objgen if isinstance(obj, pikepdf.Object) and obj.is_indirect else (None if obj is None else (0, 0))


def _on_states(widget) -> set[str]:
    """The 'on' appearance state names of a checkbox or radio widget, without the slash."""
    import pikepdf

    appearances = widget.get("/AP")
    normal = appearances.get("/N") if isinstance(appearances, pikepdf.Dictionary) else None
    if not isinstance(normal, pikepdf.Dictionary) or len(normal) > 100:
        return set()
    return {key[1:] for key in normal.keys() if key != "/Off"}


def _plain(value) -> str:
    import pikepdf

    if isinstance(value, pikepdf.String):
        return _text(value)
    if isinstance(value, pikepdf.Name):
        return str(value)[1:]
    return ""


def _text(string) -> str:
    """A PDF text string: UTF-16BE (or, leniently, UTF-16LE or UTF-8) after its byte order mark, else
    PDFDocEncoding."""
    raw = bytes(string)
    if len(raw) > MAX_VALUE_BYTES:
        raise _failure("too-complex", "a field of the PDF form holds far more text than a form field")
    if _PLAIN_ASCII.fullmatch(raw):
        return raw.decode("ascii")  # the same in PDFDocEncoding
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", "replace")
    if raw[:2] == b"\xff\xfe":
        return raw[2:].decode("utf-16-le", "replace")
    if raw[:3] == b"\xef\xbb\xbf":
        return raw[3:].decode("utf-8", "replace")
    return str(string)  # qpdf decodes PDFDocEncoding


def _page_texts(pdf, page_nodes: list) -> list[dict]:
    """Characters and drawn shapes of each page, read by pdfplumber from qpdf's clean copy of the file (so
    that pdfminer never parses the bytes as they came, only a checked page tree without encryption)."""
    import pdfplumber
    import pikepdf

    budget = MAX_CONTENT_BYTES
    for page in page_nodes:
        streams = page.get("/Contents")
        streams = list(streams) if isinstance(streams, pikepdf.Array) else [streams]
        resources = page.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(xobjects, pikepdf.Dictionary):  # the pictures and forms the page draws (one level down)
            if len(xobjects) > MAX_PAGE_SHAPES:
                raise _failure("too-complex", "a page of the PDF holds far more than a form")
            streams += [xobject for _, xobject in xobjects.items()
                        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form]
        for stream in streams:
            if isinstance(stream, pikepdf.Stream):
                budget -= _decoded_size(stream, budget)
                if budget < 0:
                    raise _failure("too-complex", "the PDF's pages hold far more than a form")
    clean = io.BytesIO()
    pdf.save(clean, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    pages = []
    with pdfplumber.open(io.BytesIO(clean.getvalue())) as document:
        for page in document.pages:
            chars = page.chars
            shapes = [("curve", shape) for shape in page.curves] + [("line", shape) for shape in page.lines] \
                + [("rect", shape) for shape in page.rects]
            if len(chars) > MAX_PAGE_CHARS or len(shapes) > MAX_PAGE_SHAPES:
                raise _failure("too-complex", "a page of the PDF holds far more than a form")
            pages.append({
                "width": float(page.width), "height": float(page.height),
                "chars": [{"text": ch["text"], "x0": float(ch["x0"]), "x1": float(ch["x1"]), "top": float(ch["top"]),
                           "bottom": float(ch["bottom"]), "size": float(ch["size"])} for ch in chars],
                "shapes": [{"kind": kind, "x0": float(s["x0"]), "x1": float(s["x1"]), "top": float(s["top"]),
                            "bottom": float(s["bottom"]), "fill": bool(s.get("fill")),
                            "non_stroking_color": _colour(s.get("non_stroking_color"))} for kind, s in shapes]})
            page.close()
    return pages


def _decoded_size(stream, budget: int) -> int:
    """The decoded length of a content stream, or budget + 1 when it is longer, without inflating more."""
    import zlib

    import pikepdf

    filters = stream.get("/Filter")
    if isinstance(filters, pikepdf.Array) and len(filters) == 1:
        filters = filters[0]
    if filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream:
        inflater = zlib.decompressobj()
        try:
            return len(inflater.decompress(stream.read_raw_bytes(), budget + 1))
        except zlib.error:
            raise _failure("damaged", "a page of the PDF is damaged") from None
    return len(stream.read_bytes())  # other filters: the worker's memory limit bounds them


def _colour(value) -> list[float] | None:
    """A shape's fill colour as numbers (grey, RGB or CMYK), or None (none, a pattern, anything odd)."""
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, list | tuple) and 0 < len(value) <= 4 and all(isinstance(v, int | float) for v in value):
        return [float(v) for v in value]
    return None
