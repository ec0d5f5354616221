"""Inside the reading process: one file at a time, parsed by pikepdf (and pdfplumber) with bounded walks."""

from __future__ import annotations

import io
import json
import os
import re
from typing import TYPE_CHECKING

from kokemus_docs.pdfsafe.limits import (
    MAX_CONTENT_BYTES,
    MAX_FIELD_NODES,
    MAX_FIELD_TEXT_BYTES,
    MAX_FILE_BYTES,
    MAX_NAME_CHARS,
    MAX_OBJECTS,
    MAX_PAGE_CHARS,
    MAX_PAGE_SHAPES,
    MAX_PAGE_TREE_NODES,
    MAX_PAGES,
    MAX_TEXT_PAGES,
    MAX_TREE_DEPTH,
    MAX_VALUE_BYTES,
    WORKER_MEMORY_LIMIT,
    FormUnreadable,
    failure,
)

if TYPE_CHECKING:
    import pikepdf

# One entry of the form-field walk: (node, the field listing it or None, parent's full name, inherited /FT, /Ff,
# /V, the ancestors' object numbers)
_FieldStep = tuple["pikepdf.Object", "pikepdf.Dictionary | None", str, str, int, "pikepdf.Object | None",
                   tuple[tuple[int, int], ...]]


def serve(requests_fd: int, replies_fd: int) -> None:
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
            raise failure("encrypted", "the PDF is protected with a password") from None
        except pikepdf.PdfError as exc:
            if "encrypt" in str(exc).lower():
                raise failure("encrypted", "the PDF is protected in a way that cannot be opened") from None
            raise failure("damaged", "the PDF cannot be read") from None
        with pdf:
            try:
                if int(pdf.trailer.get("/Size", 0)) > MAX_OBJECTS:  # the object numbers in use, as qpdf found them
                    raise failure("too-complex", f"the PDF has more than {MAX_OBJECTS} objects")
                root = pdf.Root
                page_nodes = _page_tree(pdf, root)
                fields, kinds = _field_values(root)
                pages = None
                if not fields and want_pages and len(page_nodes) <= MAX_TEXT_PAGES:
                    pages = _page_texts(pdf, page_nodes)
            except pikepdf.PdfError:
                raise failure("damaged", "the PDF's objects cannot be read") from None
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
        raise failure("damaged", "the PDF has no document catalog")
    top = root.get("/Pages")
    if not isinstance(top, pikepdf.Dictionary):
        raise failure("damaged", "the PDF has no page tree")
    pages: list = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[pikepdf.Object, int]] = [(top, 0)]
    examined = 0
    while stack:
        node, depth = stack.pop()
        examined += 1
        if examined > MAX_PAGE_TREE_NODES or len(pages) > MAX_PAGES:
            raise failure("too-complex", f"the PDF has more than {MAX_PAGES} pages")
        if depth > MAX_TREE_DEPTH:
            raise failure("too-complex", "the PDF's page tree is nested too deep")
        if not isinstance(node, pikepdf.Dictionary):
            raise failure("damaged", "the PDF's page tree holds something other than pages")
        if node.is_indirect:
            if node.objgen in seen:
                raise failure("too-complex", "the PDF's page tree refers to the same page or node more than once")
            seen.add(node.objgen)
        kind = node.get("/Type")
        kids = node.get("/Kids")
        if kind == pikepdf.Name.Pages or kind is None and kids is not None:
            if not isinstance(kids, pikepdf.Array):
                raise failure("damaged", "the PDF's page tree is damaged")
            if len(kids) > MAX_PAGE_TREE_NODES:
                raise failure("too-complex", f"the PDF has more than {MAX_PAGES} pages")
            stack.extend((kid, depth + 1) for kid in reversed(kids))
        else:
            pages.append(node)
    if len(pages) > MAX_PAGES:
        raise failure("too-complex", f"the PDF has more than {MAX_PAGES} pages")
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
        raise failure("too-complex", f"the PDF form has more than {MAX_FIELD_NODES} fields")
    stack: list[_FieldStep] = [(node, None, "", "", 0, None, ()) for node in reversed(top)]
    while stack:
        node, parent, parent_name, kind, flags, value, ancestors = stack.pop()
        examined += 1
        if examined > MAX_FIELD_NODES:
            raise failure("too-complex", f"the PDF form has more than {MAX_FIELD_NODES} fields")
        if len(ancestors) > MAX_TREE_DEPTH:
            raise failure("too-complex", "the PDF form's fields are nested too deep")
        if not isinstance(node, dictionary):
            continue  # a dangling reference or junk in the list: not a field
        objgen = node.objgen
        if objgen != (0, 0):  # an indirect object: the only kind that can be listed twice or loop
            if objgen in ancestors:
                raise failure("too-complex", "the PDF form's fields contain themselves (a loop in /Kids)")
            if objgen in seen:
                continue
            seen.add(objgen)
        keys = node.keys()  # one call, then only the entries that are there (a missing one costs more)
        if "/Parent" in keys and (parent is None or _objgen(node["/Parent"]) != _objgen(parent)):
            raise failure("damaged", "the PDF form's field tree is inconsistent (/Parent does not match /Kids)")
        if "/FT" in keys:
            kind = str(node["/FT"])
        if "/Ff" in keys:
            flags = _integer(node["/Ff"])
        if "/V" in keys:
            value = node["/V"]
        name = parent_name
        titled = "/T" in keys
        if titled:
            title = node["/T"]
            part = _text(title) if isinstance(title, string) else ""
            name = f"{parent_name}.{part}" if parent_name else part
            if len(name) > MAX_NAME_CHARS:
                raise failure("too-complex", "a field name of the PDF form is too long")
        kids = None
        if "/Kids" in keys:
            kids = node["/Kids"]
            if not isinstance(kids, array):
                kids = None
            elif len(kids) > MAX_FIELD_NODES:
                raise failure("too-complex", f"the PDF form has more than {MAX_FIELD_NODES} fields")
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
            raise failure("too-complex", "the PDF form's fields hold far more text than a form")
        if name in values:
            del values[name]
        values[name] = text
        kinds[name] = field_kind
    return values, kinds


def _integer(value: pikepdf.Object) -> int:
    """A number entry of the file (such as a field's /Ff flags) as an int; 0 when it holds no number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _field_value(node, widgets, kind: str, flags: int, value) -> tuple[str, str]:
    """(kind, value as text) of a terminal field whose own widgets (if separate) are `widgets`."""
    import pikepdf

    if kind == "/Btn":
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
            raise failure("too-complex", "a field of the PDF form has too many values")
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
        raise failure("too-complex", "a field of the PDF form holds far more text than a form field")
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
                raise failure("too-complex", "a page of the PDF holds far more than a form")
            streams += [xobject for _, xobject in xobjects.items()
                        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form]
        for stream in streams:
            if isinstance(stream, pikepdf.Stream):
                budget -= _decoded_size(stream, budget)
                if budget < 0:
                    raise failure("too-complex", "the PDF's pages hold far more than a form")
    clean = io.BytesIO()
    pdf.save(clean, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    pages = []
    with pdfplumber.open(io.BytesIO(clean.getvalue())) as document:
        for page in document.pages:
            chars = page.chars
            shapes = [("curve", shape) for shape in page.curves] + [("line", shape) for shape in page.lines] \
                + [("rect", shape) for shape in page.rects]
            if len(chars) > MAX_PAGE_CHARS or len(shapes) > MAX_PAGE_SHAPES:
                raise failure("too-complex", "a page of the PDF holds far more than a form")
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
            raise failure("damaged", "a page of the PDF is damaged") from None
    return len(stream.read_bytes())  # other filters: the worker's memory limit bounds them


def _colour(value) -> list[float] | None:
    """A shape's fill colour as numbers (grey, RGB or CMYK), or None (none, a pattern, anything odd)."""
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, list | tuple) and 0 < len(value) <= 4 and all(isinstance(v, int | float) for v in value):
        return [float(v) for v in value]
    return None
