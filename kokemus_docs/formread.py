"""Reading a returned hour form back into a `ReturnedForm`: the raw strings the expert typed.

Live forms are read from their fields (whatever filled them: Acrobat, a browser, pdftk, PyMuPDF). A form
that was "printed to PDF" or flattened has no fields left; then the text on the page is read at the places
where `hourform.form_layout` put the fields, and the result says source='page-text'. When that text cannot
be placed with certainty, the form is refused rather than misread.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable
from functools import lru_cache
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


def read_form(path: Path, data: bytes | None = None) -> ReturnedForm:
    """Read a returned hour form. Raises FormUnreadable (with a `code`) when it is not a readable hour form.

    `data` is the file's content when the caller has read it already (it is then not read again).
    Plain files (the usual output of form fillers) are read directly from their bytes in a millisecond or
    two; anything else, and every form the direct reader has any doubt about, is read with pypdf, which
    gives the same answer more slowly.
    """
    path = Path(path)
    if data is None:
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
        values, on_states = _direct_fields(data)
        if _is_hour_form(values):
            return _from_fields(path, values, on_states)
    except (_Doubt, FormUnreadable, ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError):
        pass  # pypdf decides, and words any refusal
    return _read_with_pypdf(path, data)


def _is_hour_form(names) -> bool:
    return any(name in IDENTITY_FIELDS or name == SEAL_FIELD or ROW_NAME.match(name) for name in names)


def _read_with_pypdf(path: Path, data: bytes) -> ReturnedForm:
    """The reference reader: pypdf's view of the fields, or the page text of a flattened form."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
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

    if _is_hour_form(fields):
        values = {name: field.get("/V") for name, field in fields.items()}
        confirm = fields.get(CONFIRM_FIELD)
        return _from_fields(path, values, lambda: checkbox_on_states(confirm))
    if fields:
        raise _unreadable(path, "wrong-layout", "this PDF form is not an hour form (its fields have other names)")
    return _from_page_text(path, data)


# --- live fields ------------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a multi-select list; ours are single choice
        value = value[0] if value else ""
    return str(value).strip()


@lru_cache(maxsize=16)
def _expected_names(rows: int) -> frozenset[str]:
    """The fields every form with `rows` rows has, apart from the identity."""
    return frozenset({row_field(row, name) for row in range(1, rows + 1) for name in ROW_FIELDS}
                     | {CONFIRM_FIELD, SIGNED_ON_FIELD})


@lru_cache(maxsize=1024)
def _row_names(row: int) -> tuple[tuple[str, str], ...]:
    return tuple((name, row_field(row, name)) for name in ROW_FIELDS)


def _from_fields(path: Path, fields: dict[str, object], on_states: Callable[[], list[str]]) -> ReturnedForm:
    """The form from its field values (name -> /V as read) and the confirmation box's 'on' state names."""
    missing = [name for name in (*IDENTITY_FIELDS, SEAL_FIELD) if name not in fields]
    if missing:
        raise _unreadable(path, "identity-missing", f"the field(s) {', '.join(missing)} are missing")
    rows_found = sorted({int(m.group(1)) for name in fields if (m := ROW_NAME.match(name))})
    absent = sorted(_expected_names(rows_found[-1] if rows_found else 0).difference(fields))
    if not rows_found or absent:
        shown = ", ".join(absent[:5]) + (" …" if len(absent) > 5 else "")
        raise _unreadable(path, "wrong-layout", f"fields of the hour form are missing ({shown or 'all rows'})")

    identity = {name: _text(fields[name]) for name in IDENTITY_FIELDS}
    empty = [name for name, value in identity.items() if not value]
    if empty:
        raise _unreadable(path, "identity-missing", f"the locked field(s) {', '.join(empty)} are empty")

    rows: dict[int, dict[str, str]] = {}
    for row in rows_found:
        values = {name: _text(fields[full]) for name, full in _row_names(row)}
        if any(values.values()):
            rows[row] = values
    value = fields[CONFIRM_FIELD]
    confirmed = value is not None and str(value) in on_states()
    return ReturnedForm(path=str(path), identity=identity, seal=_text(fields[SEAL_FIELD]), rows=rows,
                        confirmed=confirmed, signed_on=_text(fields[SIGNED_ON_FIELD]),
                        source="acroform")


# --- live fields read straight from the file ---------------------------------------------------------------------
#
# pypdf builds a Python object for every field, option and appearance, which costs 100-250 ms per form. Forms
# saved by form fillers are almost always plain: classic cross-reference tables (one more section per incremental
# save), no object streams, no encryption. For those the few objects that matter are read here directly: the
# catalog, the page tree, the field tree, each field's /T, /V and /FT, and the checkbox's appearance state names.
# Values are read and strings decoded exactly as pypdf reads and decodes them. Whenever the file holds anything
# this reader does not follow to the letter, it raises _Doubt and pypdf reads the form instead.


class _Doubt(Exception):
    """The file is not plain enough for the direct reader; pypdf reads it instead."""


class _Name(str):
    """A PDF name as pypdf shows it: with the leading slash."""


class _Other:
    """null, true or false: never what an hour form holds where it matters."""


def _grammar() -> tuple[bytes, bytes]:
    """Regular expressions for one PDF value and for one dictionary entry, strings and containers nested 4 deep.

    Only what pypdf reads the same way is accepted: single spaces in references, no comments, no backslashes
    outside strings. Escaped parentheses and backslashes inside strings are rewritten as octal escapes before
    matching (see _PlainPdf), so a string is simply balanced parentheses.
    """
    ws = rb"[\x00\t\n\x0c\r ]"
    regular = rb"[^\t\n\x0b\x0c\r ()<>\[\]{}/%\\]"  # pypdf's name characters, less the backslash
    end = rb"(?!" + regular + rb")"
    name = rb"/" + regular + rb"*+"
    atom = (name + rb"|\d{1,10} \d{1,5} R" + end + rb"|[+-]?(?:\d++\.?\d*+|\.\d++)" + end
            + rb"|(?:true|false|null)" + end + rb"|<[0-9A-Fa-f\x00\t\n\x0c\r ]*+>")
    string = rb"\([^()]*+\)"
    value = rb"(?>" + atom + rb"|" + string + rb")"
    for _ in range(4):
        string = rb"\((?:[^()]++|" + string + rb")*+\)"
        array = rb"\[(?:" + ws + rb"*+" + value + rb")*+" + ws + rb"*+\]"
        dictionary = rb"<<(?:" + ws + rb"*+" + name + ws + rb"*+" + value + rb")*+" + ws + rb"*+>>"
        value = rb"(?>" + atom + rb"|" + string + rb"|" + dictionary + rb"|" + array + rb")"
    return value, ws + rb"*+(?:(" + name + rb")" + ws + rb"*+(" + value + rb")|(>>)|(.+))"


_VALUE, _ENTRY = _grammar()
_ENTRIES = re.compile(_ENTRY, re.S)  # findall from just after '<<': (key, value, '>>', unparseable rest)
_ITEMS = re.compile(rb"[\x00\t\n\x0c\r ]*+(" + _VALUE + rb")", re.S)
_OBJ = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]++(\d+)[\x00\t\n\x0c\r ]++obj[\x00\t\n\x0c\r ]*+")
_XREF_ROW = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = re.compile(rb"(\d+) (\d+) R")
_STARTXREF = re.compile(rb"startxref[\x00\t\n\x0c\r ]++(\d+)[\x00\t\n\x0c\r ]*+%%EOF[\x00\t\n\x0c\r ]*+\Z")
_XREF = re.compile(rb"xref[\x00\t\n\x0c\r ]*+")
_SUBSECTION = re.compile(rb"[\x00\t\n\x0c\r ]*+(\d+) ++(\d+)[\x00\t\n\x0c\r ]*+")
_XREF_ENTRIES = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*+")
_TRAILER = re.compile(rb"[\x00\t\n\x0c\r ]*+trailer[\x00\t\n\x0c\r ]*+<<")
_ESCAPED_DELIMITER = re.compile(rb"\\([\\()])")
_REF_ARRAY = re.compile(rb"\[(?:[\x00\t\n\x0c\r ]*+\d+ \d+ R)*+[\x00\t\n\x0c\r ]*+\]")
_SIMPLE_ESCAPES = re.compile(rb"(?:[^\\]++|\\(?:[0-3][0-7][0-7]|[nrtbf]))*+")  # Python's escapes read them alike
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r[\r\n]?|\n[\r\n]?|.)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"/": b"/",
            b"\\": b"\\", b" ": b" ", b"%": b"%", b"<": b"<", b">": b">", b"[": b"[", b"]": b"]", b"#": b"#",
            b"_": b"_", b"&": b"&", b"$": b"$"}  # the escapes pypdf knows; any other keeps its backslash
_PLAIN_TEXT = re.compile(rb"[\t\n\r\x20-\x7e]*+")
_HEX_SPACE = re.compile(rb"[\x00\t\n\x0c\r ]")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_DEPTH = 16
_MEMO_SIZE = 20_000
_STRINGS: dict[bytes, str] = {}
_DICTIONARIES: dict[bytes, dict[bytes, bytes]] = {}
_FIELDS: dict[bytes, tuple[str, object, bool] | None] = {}


def _unescape(match: re.Match) -> bytes:
    code = match.group(1)
    if code[:1] in b"\r\n":
        return b""  # a backslash before a line end continues the string on the next line
    if code[:1].isdigit():
        value = int(code, 8)
        return bytes((value,)) if value <= 255 else b"\\" + code
    return _ESCAPES.get(code, b"\\" + code)


@lru_cache(maxsize=1)
def _pdfdoc_table() -> dict[int, str]:
    from pypdf._codecs import _pdfdoc_encoding  # the table pypdf decodes with, so both readers agree

    return dict(enumerate(_pdfdoc_encoding))


def _text_string(raw: bytes) -> str:
    """A string's bytes as text, decoded the way pypdf decodes them: UTF-8 or UTF-16 when marked, else PDFDocEncoding."""
    if _PLAIN_TEXT.fullmatch(raw):
        return raw.decode("ascii")
    try:
        if raw.startswith(codecs.BOM_UTF8):
            try:
                return raw[3:].decode("utf-8")
            except UnicodeDecodeError:
                pass  # then PDFDocEncoding, bytes of the mark included
        elif raw.startswith((codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)):
            return raw.decode("utf-16")
        elif raw.startswith(b"\x00"):
            return raw.decode("utf-16-be")
        elif raw[1:2] == b"\x00":
            return raw.decode("utf-16-le")
    except UnicodeDecodeError:
        raise _Doubt("undecodable UTF-16") from None
    text = raw.decode("latin-1").translate(_pdfdoc_table())
    if "\x00" in text:
        raise _Doubt("a byte that PDFDocEncoding leaves undefined")
    return text


def _name(raw: bytes, escaped: bool = True) -> _Name:
    """A name as pypdf decodes it: #xx escapes (unless already undone), then UTF-8, GBK or Latin-1."""
    if escaped and b"#" in raw:
        raw = _NAME_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), raw)
    for charset in ("utf-8", "gbk"):
        try:
            return _Name(raw.decode(charset))
        except UnicodeDecodeError:
            pass
    return _Name(raw.decode("latin-1"))


def _value(raw: bytes):
    """One value matched by _VALUE: str, _Name, a reference (number, generation), int, float, list, dict (raw
    values) or _Other."""
    first = raw[:1]
    if first == b"(":
        text = _STRINGS.get(raw)
        if text is None:
            inner = raw[1:-1]
            if b"\\" in inner:
                inner = codecs.escape_decode(inner)[0] if _SIMPLE_ESCAPES.fullmatch(inner) \
                    else _ESCAPE.sub(_unescape, inner)
            text = _remember(_STRINGS, raw, _text_string(inner))
        return text
    if first == b"/":
        return _name(raw)
    if raw.startswith(b"<<"):
        return _entries(raw[2:])
    if first == b"<":
        digits = _HEX_SPACE.sub(b"", raw[1:-1])
        return _text_string(bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode("ascii")))
    if first == b"[":
        if _REF_ARRAY.fullmatch(raw):
            return [(int(number), int(generation)) for number, generation in _REF.findall(raw)]
        return [_value(item) for item in _ITEMS.findall(raw, 1, len(raw) - 1)]
    if raw.endswith(b" R"):
        number, generation = _REF.fullmatch(raw).groups()
        return int(number), int(generation)
    if first.isalpha():
        return _Other()
    return float(raw) if b"." in raw else int(raw)


def _entries(chunk: bytes) -> dict[bytes, bytes]:
    """The entries of a dictionary (the bytes after its '<<' up to its end, or up to 'endobj'), values raw.

    A stream's dictionary is refused: its data ends up in the unparseable rest."""
    entries = _DICTIONARIES.get(chunk)
    if entries is None:
        entries = _remember(_DICTIONARIES, chunk, _parse_entries(_balanced(chunk)))
    return entries


def _balanced(chunk: bytes) -> bytes:
    """`chunk` with '\\(', '\\)' and '\\\\' written as octal escapes: the same strings to pypdf, and strings become
    simply balanced parentheses for _VALUE."""
    if b"\\" in chunk and _ESCAPED_DELIMITER.search(chunk):
        return _ESCAPED_DELIMITER.sub(lambda m: b"\\%03o" % m.group(1)[0], chunk)
    return chunk


def _remember(cache: dict, key: bytes, value):
    """Store in a memo of parsed values: the forms of a batch share most of their objects byte for byte."""
    if len(cache) >= _MEMO_SIZE:
        cache.clear()
    cache[key] = value
    return value


def _parse_entries(chunk: bytes) -> dict[bytes, bytes]:
    found = _ENTRIES.findall(chunk)
    if not found or not found[-1][2]:
        raise _Doubt("a dictionary that cannot be parsed")
    entries = {key: value for key, value, _, _ in found[:-1]}
    if len(entries) != len(found) - 1 or b"" in entries:
        raise _Doubt("a dictionary with a key twice, or not parseable")
    if b"#" in b"".join(entries):
        escaped = {_NAME_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), k): v for k, v in entries.items()}
        if len(escaped) != len(entries):
            raise _Doubt("a key defined twice")
        return escaped
    return entries


class _PlainPdf:
    """The objects of a PDF with classic cross-reference tables, read on demand."""

    def __init__(self, data: bytes) -> None:
        if b"/ObjStm" in data or b"/Encrypt" in data or b"/XRefStm" in data:
            raise _Doubt("object streams or encryption")
        self.text = data
        self.sections: list[tuple[int, list[tuple[bytes, bytes, bytes]]]] = []  # (first number, its entries)
        self.trailer: dict[bytes, bytes] = {}
        self.objects: dict[int, object] = {}
        self.chunks: dict[int, bytes] = {}  # the bytes of each dictionary object read
        match = _STARTXREF.search(data, max(0, len(data) - 1024))
        if match is None:
            raise _Doubt("no startxref at the very end")
        position: int | None = int(match.group(1))
        seen: set[int] = set()
        while position is not None:
            if position in seen or len(seen) > 64:
                raise _Doubt("cross-reference sections in a loop")
            seen.add(position)
            position = self._read_section(position)

    def _read_section(self, position: int) -> int | None:
        """Read the cross-reference section at `position`; return where the previous one starts."""
        match = _XREF.match(self.text, position)
        if match is None:
            raise _Doubt("a cross-reference stream")
        position = match.end()
        while (sub := _SUBSECTION.match(self.text, position)) is not None:
            first, count = int(sub.group(1)), int(sub.group(2))
            end = sub.end() + 20 * count
            if _XREF_ENTRIES.match(self.text, sub.end(), end).end() != end:
                raise _Doubt("cross-reference entries of an unusual form")
            self.sections.append((first, _XREF_ROW.findall(self.text, sub.end(), end)))
            position = end
        match = _TRAILER.match(self.text, position)
        if match is None:
            raise _Doubt("no trailer")
        trailer = _entries(self.text[match.end():self.text.find(b"startxref", match.end())])
        for key, value in trailer.items():
            self.trailer.setdefault(key, value)  # the newest section's trailer wins
        previous = trailer.get(b"/Prev")
        return int(previous) if previous is not None else None

    def resolve(self, value):
        """The object a reference points to; any other value as it is."""
        if value.__class__ is not tuple:
            return value
        number = value[0]
        found = self.objects.get(number)
        if found is None:
            found = self.objects[number] = self._read_object(value)
        return found

    def _read_object(self, ref: tuple[int, int]):
        number, generation = ref
        for first, rows in self.sections:  # newest first
            if 0 <= number - first < len(rows):
                offset, entry_generation, kind = rows[number - first]
                if kind != b"n" or int(entry_generation) != generation:
                    raise _Doubt("a reference to a free or older object")
                position = int(offset)
                break
        else:
            raise _Doubt("a reference to a missing object")
        header = _OBJ.match(self.text, position)
        if header is None or (int(header.group(1)), int(header.group(2))) != ref:
            raise _Doubt("a cross-reference offset that does not point at its object")
        start = header.end()
        if self.text.startswith(b"<<", start):
            end = self.text.find(b"endobj", start)
            if end < 0:
                raise _Doubt("an object without its end")
            chunk = self.chunks[number] = self.text[start + 2:end]
            return _entries(chunk)  # a stream's dictionary ends in an unparseable rest
        end = self.text.find(b"endobj", start)
        body = _ITEMS.match(_balanced(self.text[start:end])) if end > 0 else None
        if body is None or body.end() != len(body.string.rstrip(b"\x00\t\n\x0c\r ")):
            raise _Doubt("an object that cannot be parsed")
        return _value(body.group(1))

    def get(self, dictionary: dict[bytes, bytes], key: bytes, default=None):
        """dictionary[key], parsed and resolved (pypdf's `dictionary[key]`)."""
        raw = dictionary.get(key)
        if raw is None:
            return default
        value = self.resolve(_value(raw))
        if value.__class__ is tuple:
            raise _Doubt("a reference to a reference")
        return value

    def field(self, ref: tuple[int, int]) -> tuple[dict[bytes, bytes], tuple[str, object, bool] | None]:
        """A field's dictionary, and its (name, value, is a button) when they need nothing else from the file."""
        entries = self.dict_of(ref)
        chunk = self.chunks.get(ref[0])
        if chunk is None:
            return entries, None
        info = _FIELDS.get(chunk, False)
        if info is False:
            info = _remember(_FIELDS, chunk, _plain_field(entries))
        return entries, info

    def dict_of(self, value) -> dict[bytes, bytes]:
        value = self.resolve(value)
        if value.__class__ is not dict:
            raise _Doubt("a dictionary was expected")
        return value

    def refs(self, dictionary: dict[bytes, bytes], key: bytes) -> list[tuple[int, int]]:
        """An array of references, such as /Fields or /Kids."""
        items = self.get(dictionary, key, [])
        if items.__class__ is not list or any(item.__class__ is not tuple for item in items):
            raise _Doubt("an array of references was expected")
        return items


def _plain_field(entries: dict[bytes, bytes]) -> tuple[str, object, bool] | None:
    """(name, value, is a button) of a field with /T, /V and /FT written out and no /Parent, /TM or /Kids."""
    if b"/Parent" in entries or b"/TM" in entries or b"/Kids" in entries or b"/Fields" in entries:
        return None
    raw = entries.get(b"/T")
    if raw is None or raw[:1] != b"(" and (raw[:1] != b"<" or raw[:2] == b"<<"):
        return None
    name = _value(raw)
    raw = entries.get(b"/V")
    value = None if raw is None else _value(raw)
    raw = entries.get(b"/FT")
    kind = None if raw is None else _value(raw)
    if value is not None and value.__class__ is not str and value.__class__ is not _Name or kind.__class__ is tuple:
        return None
    return name, value, kind == "/Btn"


def _direct_fields(data: bytes) -> tuple[dict[str, object], Callable[[], list[str]]]:
    """The form's field values (/V by full field name) read without pypdf, and the checkbox's 'on' states.

    Mirrors pypdf's `get_fields()`: the field tree from /AcroForm /Fields down through /Kids, names qualified
    through /Parent (or /TM), a later field of the same name winning. Raises _Doubt when unsure.
    """
    pdf = _PlainPdf(data)
    catalog = pdf.dict_of(_value(pdf.trailer.get(b"/Root", b"null")))
    if _page_count(pdf, pdf.dict_of(pdf.get(catalog, b"/Pages"))) == 0:
        raise _Doubt("no pages")
    form = pdf.get(catalog, b"/AcroForm")
    if form.__class__ is not dict or b"/Fields" not in form:
        raise _Doubt("no form fields")
    values: dict[str, object] = {}
    states: dict[str, list[str]] = {}
    visited: set[int] = set()

    def build(ref: tuple[int, int], depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Doubt("fields nested too deep")
        field, plain = pdf.field(ref)
        if plain is not None and not plain[2]:
            values[plain[0]] = plain[1]
            states.pop(plain[0], None)
            return
        if b"/Fields" in field:
            raise _Doubt("a field tree inside a field")
        if b"/T" not in field and b"/TM" not in field:
            return
        name = _qualified_name(pdf, field, set())
        value = pdf.get(field, b"/V")
        if value is not None and not isinstance(value, str):
            raise _Doubt("a field value that is neither a string nor a name")
        values[name] = value
        if pdf.get(field, b"/FT") == "/Btn":
            if b"/AP" not in field or b"/Kids" in field:
                raise _Doubt("a button without appearances of its own")
            normal = pdf.dict_of(pdf.get(pdf.dict_of(pdf.get(field, b"/AP")), b"/N"))
            states[name] = [str(_name(key, escaped=False)) for key in normal if key != b"/Off"]  # keys: undone
        else:
            states.pop(name, None)
        if ref[0] in visited:
            return
        visited.add(ref[0])
        if b"/Kids" in field:
            for kid in pdf.refs(field, b"/Kids"):
                build(kid, depth + 1)

    for ref in pdf.refs(form, b"/Fields"):
        build(ref, 0)
    if CONFIRM_FIELD in values and CONFIRM_FIELD not in states:
        raise _Doubt("the confirmation is not a checkbox")
    return values, lambda: states.get(CONFIRM_FIELD, [])


def _qualified_name(pdf: _PlainPdf, field: dict[bytes, bytes], seen: set[int]) -> str:
    """pypdf's full field name: /TM, or the parent's full name, a dot and /T, or just /T."""
    if id(field) in seen or len(seen) > _MAX_DEPTH:
        raise _Doubt("a loop of /Parent references")
    seen.add(id(field))
    if b"/TM" in field:
        name = pdf.get(field, b"/TM")
    elif b"/Parent" in field:
        name = _qualified_name(pdf, pdf.dict_of(_value(field[b"/Parent"])), seen) + "." + pdf.get(field, b"/T", "")
    else:
        name = pdf.get(field, b"/T", "")
    if name.__class__ is not str:
        raise _Doubt("a field name that is not a text string")
    return name


def _page_count(pdf: _PlainPdf, node: dict[bytes, bytes], depth: int = 0) -> int:
    """Pages under a page tree node, counted as pypdf counts them: by walking the tree."""
    if depth > _MAX_DEPTH:
        raise _Doubt("a page tree too deep")
    kind = pdf.get(node, b"/Type") if b"/Type" in node else ("/Pages" if b"/Kids" in node else "/Page")
    if kind == "/Page":
        return 1
    if kind != "/Pages":
        raise _Doubt("an unknown node in the page tree")
    return sum(_page_count(pdf, pdf.dict_of(kid), depth + 1) for kid in pdf.refs(node, b"/Kids"))


# --- flattened forms: the text at the known places ----------------------------------------------------------------


def _from_page_text(path: Path, data: bytes) -> ReturnedForm:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
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
