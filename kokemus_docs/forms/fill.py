"""Playing the expert: filling an issued hour form as a PDF viewer would, for the demo month and the tests."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from kokemus_docs.core.fileio import atomic_path
from kokemus_docs.forms.fields import CONFIRM_FIELD
from kokemus_docs.forms.fonts import latin_font
from kokemus_docs.forms.pdfobjects import FIELD_FONT_SIZE, fit_size, text_appearance_content


def _draw(pdf: pikepdf.Pdf, field: pikepdf.AcroFormField, font: pikepdf.Object) -> None:
    """Give each widget of `field` an appearance showing its value (a choice: the chosen option's label) in `font`.

    qpdf's own appearances hold only WinAnsi text; Łukasz Nguyễn-Čačić needs the form's embedded composite font.
    """
    shown = field.value_as_string
    for option in field.obj.get("/Opt", []) if field.is_choice else []:
        if isinstance(option, pikepdf.Array) and len(option) == 2 and str(option[0]) == shown:
            shown = str(option[1])
    for annotation in pdf.acroform.get_annotations_for_field(field):
        widget = annotation.obj
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
        width, height = x1 - x0, y1 - y0
        size = fit_size([shown], width - 4, _da_size(widget) or FIELD_FONT_SIZE, 5)
        appearance = pikepdf.Stream(pdf, text_appearance_content(shown, width, height, size))
        appearance.Type, appearance.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        appearance.BBox = pikepdf.Array([0, 0, width, height])
        appearance.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(HR=font))
        widget.AP = pikepdf.Dictionary(N=appearance)


def _da_size(widget) -> float:
    """The font size in a field's /DA ('/DejaVu 8.5 Tf 0 g' -> 8.5; 0 means 'fit to the field')."""
    parts = str(widget.get("/DA", "")).split()
    try:
        return float(parts[parts.index("Tf") - 1])
    except (ValueError, IndexError):
        return 0.0


def fill_form(src: Path, values: dict[str, str], target: Path, *, confirm: bool = True) -> Path:
    """Fill the hour form `src` with `values` (field name -> text) and save it as `target`, as an expert would.

    Every filled text or choice field gets an appearance stream in the form's own font (any Latin-script text),
    so the values show in viewers that do not redraw fields. The checkbox is ticked with its own 'on' state.
    Unknown field names raise KeyError: a typo must not silently leave a field empty.
    """
    with pikepdf.open(src) as pdf:
        fields = {field.fully_qualified_name: field for field in pdf.acroform.fields}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise KeyError(f"not fields of this hour form: {', '.join(unknown)}")
        font = pdf.pages[0].Resources.Font.HR  # the composite font of the page text
        if str(font.BaseFont) != "/" + latin_font("regular").base_name:
            raise ValueError(f"{src} was issued with another font than this kokemus-docs has; issue the form again")
        for name, value in values.items():
            field = fields[name]
            if field.is_checkbox:
                raise KeyError(f"{name} is a checkbox; use confirm=")
            field.set_value(str(value), False)
            _draw(pdf, field, font)
        checkbox = fields[CONFIRM_FIELD]
        on_states = [pikepdf.Name(state) for state in checkbox.obj.AP.N.keys() if state != "/Off"]
        if not on_states:
            raise KeyError(f"checkbox {CONFIRM_FIELD} has no 'on' appearance state")
        checkbox.set_value(on_states[0] if confirm else pikepdf.Name.Off)
        with atomic_path(target) as tmp:
            pdf.save(tmp)
    return Path(target)
