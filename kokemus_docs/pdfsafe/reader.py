"""Any PDF form's field values, or a flattened PDF's page text, read by the worker process within the limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES, READ_TIME_LIMIT, failure
from kokemus_docs.pdfsafe.worker import WORKERS


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
        raise failure("not-pdf", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise failure("too-large", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if b"%PDF-" not in data[:1024]:
        raise failure("not-pdf", "this is not a PDF file")
    tail = data[-2048:]
    if b"%%EOF" not in tail or (b"startxref" not in tail and b"/XRefStm" not in tail):
        raise failure("damaged", "the PDF file is cut short")
    return _content(WORKERS.run({"pages": bool(pages)}, data, time_limit))


def read_fields(data: bytes, *, time_limit: float = READ_TIME_LIMIT) -> dict[str, str]:
    """A PDF form's field values by full field name (see PdfContent.fields); {} for a PDF without fields.

    Raises FormUnreadable like read_pdf.
    """
    return read_pdf(data, pages=False, time_limit=time_limit).fields


_CODES = ("not-pdf", "too-large", "damaged", "encrypted", "too-complex")


def _content(reply: dict) -> PdfContent:
    """The worker's answer, checked for shape (it comes from a process that handled hostile bytes)."""
    try:
        if "error" in reply:
            code = reply["error"] if reply["error"] in _CODES else "damaged"
            raise failure(code, str(reply["what"])[:500])
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
        raise failure("damaged", "the PDF reader's answer cannot be used") from None


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
