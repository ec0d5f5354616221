"""Playing the expert: filling an issued hour form as a PDF viewer would, for the demo month and the tests."""

from __future__ import annotations

from pathlib import Path

from kokemus_docs.core.fileio import atomic_path
from kokemus_docs.forms.fields import CONFIRM_FIELD
from kokemus_docs.forms.fonts import latin_font
from kokemus_docs.forms.pdfobjects import FIELD_FONT_SIZE, fit_size, text_appearance


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
