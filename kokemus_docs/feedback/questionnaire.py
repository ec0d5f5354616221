"""The feedback questionnaire as a sealed, fillable one-page A4 PDF (reportlab canvas and AcroForm).

The page text is set in DejaVu Sans, embedded, so every language prints as written. The fields are AcroForm
text fields and radio groups that fill in any viewer; `LAYOUT` is the one place that says where each field
sits, and the reader of flattened (printed-to-PDF) questionnaires uses it too.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.colors import Color, black, white
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kokemus_docs.core.errors import KokemusError, Problem
from kokemus_docs.core.fileio import atomic_path, make_folder, safe_filename
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import Register, Unit
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.feedback.ledger import record_questionnaire
from kokemus_docs.feedback.questions import (
    COMMENT_MAX,
    IDENTITY_FIELDS,
    LANGUAGES,
    LANGUAGES_OF,
    NO_ANSWER,
    RESPONDENTS,
    SEAL_FIELD,
    STATEMENTS,
    identity_of,
    phone_code,
    questionnaire_seal,
    questions,
    reference_of,
    words,
)
from kokemus_docs.forms.qr import dark_runs, qr_modules

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian package fonts-dejavu-core
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = 595.28, 841.89  # A4 portrait, points
MARGIN = 42
RIGHT = PAGE_WIDTH - MARGIN
GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.8, 0.8, 0.8)

# --- the layout: where each field sits (x0, y0, x1, y1 in points, y up) ---------------------------------------
RECOMMEND_Y = 600  # bottom of the recommendation circles
RECOMMEND_X0, RECOMMEND_PITCH, RECOMMEND_SIZE = 65, 44, 20  # reportlab draws true circles at size 20
SCALE_X0, SCALE_PITCH, SCALE_SIZE = 331, 37, 20  # statement columns: 1 .. 5 and "no answer"
SCALE_VALUES = ("1", "2", "3", "4", "5", NO_ANSWER)
STATEMENT_TOP, STATEMENT_HEIGHT = 504, 40
Box = tuple[float, float, float, float]
DATE_BOX: Box = (MARGIN + 190, 280, MARGIN + 330, 297)
COMMENT_BOX: Box = (MARGIN, 118, RIGHT, 246)
# The foot of the page: whose feedback it is, then the printed reference (the phone code, read aloud as
# ABCD-EFGH-IJKL) from which a flattened copy is known. The identity fields and the seal travel in the form as
# hidden fields with no appearance.
FOOTER_TOP = 58  # first baseline of "Asiakaspalaute · <unit> · <county>"
REFERENCE_Y = 34  # baseline of "Tunniste: ABCD-EFGH-IJKL"
REFERENCE_BOX: Box = (MARGIN, REFERENCE_Y - 6, RIGHT, REFERENCE_Y + 12)


@dataclass(frozen=True)
class Layout:
    """Every visible field's rectangle; radio groups have one rectangle per export value."""

    text_boxes: dict[str, Box]
    radios: dict[str, dict[str, Box]]


@lru_cache(maxsize=1)
def questionnaire_layout() -> Layout:
    """The same for every questionnaire: the words change with language and group, the fields do not move."""
    text_boxes = {"date": DATE_BOX, "comment": COMMENT_BOX}
    radios: dict[str, dict[str, Box]] = {"recommend": {}}
    x0: float
    for score in range(11):
        x0 = RECOMMEND_X0 + score * RECOMMEND_PITCH
        radios["recommend"][str(score)] = (x0, RECOMMEND_Y, x0 + RECOMMEND_SIZE, RECOMMEND_Y + RECOMMEND_SIZE)
    for index, name in enumerate(STATEMENTS):
        middle = STATEMENT_TOP - index * STATEMENT_HEIGHT - STATEMENT_HEIGHT / 2
        radios[name] = {}
        for column, value in enumerate(SCALE_VALUES):
            x0 = SCALE_X0 + column * SCALE_PITCH + (SCALE_PITCH - SCALE_SIZE) / 2
            radios[name][value] = (x0, middle - SCALE_SIZE / 2, x0 + SCALE_SIZE, middle + SCALE_SIZE / 2)
    return Layout(text_boxes=text_boxes, radios=radios)


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Embed DejaVu Sans (regular and bold) for the page text; a clear error if the fonts are missing."""
    for name, file_name in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = FONT_DIR / file_name
        if not path.is_file():
            raise KokemusError(f"The font {path} is missing; install it with: sudo apt-get install "
                               "fonts-dejavu-core", code="font-missing")
        pdfmetrics.registerFont(TTFont(name, str(path)))


# --- writing one questionnaire ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Questionnaire:
    """What one issued questionnaire says about itself: identity, seal, phone code and the names it prints."""

    unit_id: str
    unit_name: str  # in the questionnaire's language (see unit_name)
    county: str  # the organisation's name in the questionnaire's language (see county_name)
    respondent: str
    language: str
    seal: str
    code: str
    phone_url: str  # empty when kokemus.toml sets no public_url

    @property
    def identity(self) -> dict[str, str]:
        return identity_of(self.unit_id, self.respondent, self.language)

    @property
    def form_id(self) -> str:
        return self.identity["form_id"]


def unit_name(unit: Unit, language: str) -> str:
    """The unit's name for a questionnaire in `language`: its English name (units sheet, name_en) on an English
    one, else both its Finnish and Swedish names."""
    if language == "en" and unit.name_en.strip():
        return unit.name_en.strip()
    return _fi_or_sv(unit.name, language)


def county_name(ws: Workspace, language: str) -> str:
    """The organisation's name for a questionnaire in `language`: organisation.name_en in kokemus.toml on an
    English one, else both its Finnish and Swedish names."""
    if language == "en" and ws.org_name("en").strip():
        return ws.org_name("en").strip()
    return _fi_or_sv(ws.org_name, language)


def _fi_or_sv(name_in: Callable[[str], str], language: str) -> str:
    if language in ("fi", "sv"):
        return name_in(language)
    fi, sv = name_in("fi"), name_in("sv")
    return fi if fi == sv or not sv else f"{fi} / {sv}"


def questionnaire_pdf(q: Questionnaire) -> bytes:
    """The questionnaire `q` as PDF bytes: one A4 page, fillable, its identity sealed in hidden fields."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    text = words(q.language)
    title = text["title"].replace("\u00ad", "")  # the soft hyphen is for narrow screens, not for paper
    canvas.setTitle(f"{title} – {q.unit_name}")
    canvas.setSubject(f"{text['reference']}: {reference_of(q.code)}")
    canvas.setCreator("kokemus-docs")
    _heading(canvas, q, text, title)
    _recommendation(canvas, q)
    _statements(canvas, q, text)
    _date_and_comment(canvas, text)
    _footer(canvas, q, text)
    _identity_fields(canvas, q)
    canvas.showPage()
    canvas.save()
    return _finished(buffer.getvalue())


def _heading(canvas: Canvas, q: Questionnaire, text: dict[str, str], title: str) -> None:
    """The county, title, group and unit, the introduction; the phone address and its QR code at the right."""
    text_right = RIGHT - (110 if q.phone_url else 0)
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 8.5)
    canvas.drawString(MARGIN, 806, q.county)
    canvas.setFillColor(black)
    y = _paragraph(canvas, title, MARGIN, 786, text_right - MARGIN, FONT_BOLD, 14.5, 17)
    y = _paragraph(canvas, f"{text[f'for_{q.respondent}']} · {text['unit']}: {q.unit_name}", MARGIN, y - 3,
                   text_right - MARGIN, FONT, 10.5, 13)
    intro = text["intro"] + (" " + text["intro_client"] if q.respondent == "client" else "")
    _paragraph(canvas, intro, MARGIN, y - 8, text_right - MARGIN, FONT, 9.5, 12.5)
    if not q.phone_url:
        return
    _qr_code(canvas, q.phone_url, RIGHT - 92, 716, 92)
    y = 707
    for line in simpleSplit(text["phone"], FONT, 7.5, 116):
        canvas.setFont(FONT, 7.5)
        canvas.drawRightString(RIGHT, y, line)
        y -= 9.5
    # The address as typed on a phone: on one line if it fits, else the site and /f/<code> apart.
    address = [q.phone_url] if pdfmetrics.stringWidth(q.phone_url, FONT_BOLD, 7) <= 112 else \
        [q.phone_url[:-len(f"/f/{q.code}")], f"/f/{q.code}"]
    for line in address:
        canvas.setFont(FONT_BOLD, _fit(line, FONT_BOLD, 8, 112))
        canvas.drawRightString(RIGHT, y, line)
        y -= 9.5


def _recommendation(canvas: Canvas, q: Questionnaire) -> None:
    """1. The recommendation question, 0-10."""
    text = words(q.language)
    question, _statements = questions(q.respondent, q.language)
    _paragraph(canvas, f"1. {question}", MARGIN, 660, RIGHT - MARGIN, FONT_BOLD, 10.5, 13.5)
    for value, (x0, y0, x1, _y1) in questionnaire_layout().radios["recommend"].items():
        canvas.acroForm.radio(name="recommend", value=value, x=x0, y=y0, size=x1 - x0, buttonStyle="circle",
                              shape="circle", borderColor=black, fillColor=white, textColor=black, borderWidth=1,
                              fieldFlags="noToggleToOff radio", tooltip=question[:200])
        canvas.setFont(FONT_BOLD, 9.5)
        canvas.drawCentredString((x0 + x1) / 2, y0 - 11, value)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.drawString(RECOMMEND_X0 - 6, RECOMMEND_Y - 24, text["recommend_low"])
    canvas.drawRightString(RECOMMEND_X0 + 10 * RECOMMEND_PITCH + RECOMMEND_SIZE + 6, RECOMMEND_Y - 24,
                           text["recommend_high"])
    canvas.setFillColor(black)


def _statements(canvas: Canvas, q: Questionnaire, text: dict[str, str]) -> None:
    """2. Five statements, 1-5 or "no answer"."""
    _question, statements = questions(q.respondent, q.language)
    _paragraph(canvas, f"2. {text['statements']}", MARGIN, 548, SCALE_X0 - MARGIN - 6, FONT_BOLD, 10.5, 13.5)
    heads = ["1 " + text["scale_1"], "2", "3", "4", "5 " + text["scale_5"], text["no_answer"]]
    for column, head in enumerate(heads):
        centre = SCALE_X0 + column * SCALE_PITCH + SCALE_PITCH / 2
        lines = simpleSplit(head, FONT, 7, SCALE_PITCH - 1)[:4]
        for number, line in enumerate(lines):
            canvas.setFont(FONT_BOLD if number == 0 and head[:1].isdigit() else FONT, 7)
            canvas.drawCentredString(centre, STATEMENT_TOP + 8 + (len(lines) - 1 - number) * 8, line)
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.6)
    for index, name in enumerate(STATEMENTS):
        top = STATEMENT_TOP - index * STATEMENT_HEIGHT
        canvas.line(MARGIN, top, RIGHT, top)
        lines = simpleSplit(statements[index], FONT, 9.5, SCALE_X0 - MARGIN - 22)[:3]
        first = top - STATEMENT_HEIGHT / 2 + (len(lines) - 1) * 5.75 - 3.2
        canvas.setFont(FONT, 9.5)
        for number, line in enumerate(lines):
            canvas.drawString(MARGIN + 16, first - number * 11.5, line)
        canvas.setFont(FONT_BOLD, 9.5)
        canvas.drawString(MARGIN, first, chr(ord("a") + index) + ")")
        for value, (x0, y0, x1, _y1) in questionnaire_layout().radios[name].items():
            canvas.acroForm.radio(name=name, value=value, x=x0, y=y0, size=x1 - x0, buttonStyle="circle",
                                  shape="circle", borderColor=black, fillColor=white, textColor=black,
                                  borderWidth=1, fieldFlags="noToggleToOff radio", tooltip=statements[index][:200])
    canvas.line(MARGIN, STATEMENT_TOP - 5 * STATEMENT_HEIGHT, RIGHT, STATEMENT_TOP - 5 * STATEMENT_HEIGHT)


def _date_and_comment(canvas: Canvas, text: dict[str, str]) -> None:
    """3. The optional date with its format, the free text, and how to return the form."""
    form = canvas.acroForm
    x0, y0, x1, y1 = DATE_BOX
    canvas.setFont(FONT, 9.5)
    canvas.drawString(MARGIN, y0 + 5, text["date"])
    canvas.setFont(FONT, 9)
    canvas.drawString(x1 + 6, y0 + 5, text["date_format"])
    form.textfield(name="date", value="", x=x0, y=y0, width=x1 - x0, height=y1 - y0, fontName="Helvetica",
                   fontSize=10, borderColor=black, fillColor=white, textColor=black, borderWidth=0.8,
                   maxlen=40, tooltip=text["date"])
    x0, y0, x1, y1 = COMMENT_BOX
    _paragraph(canvas, f"3. {text['comment']}", MARGIN, y1 + 11, RIGHT - MARGIN, FONT_BOLD, 10.5, 13)
    form.textfield(name="comment", value="", x=x0, y=y0, width=x1 - x0, height=y1 - y0, fontName="Helvetica",
                   fontSize=10, borderColor=black, fillColor=white, textColor=black, borderWidth=0.8,
                   maxlen=COMMENT_MAX, fieldFlags="multiline", tooltip=text["comment"])
    _paragraph(canvas, text["return"], MARGIN, y0 - 14, RIGHT - MARGIN, FONT, 8.5, 11)


def _footer(canvas: Canvas, q: Questionnaire, text: dict[str, str]) -> None:
    """Whose feedback this is, in words, and the short reference a flattened copy is read back by."""
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, FOOTER_TOP + 10, RIGHT, FOOTER_TOP + 10)
    canvas.setFillColor(GREY)
    who = f"{text[f'feedback_{q.respondent}']} · {q.unit_name} · {q.county}"
    for number, line in enumerate(simpleSplit(who, FONT, 8, RIGHT - MARGIN)[:2]):
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, FOOTER_TOP - number * 10, line)
    canvas.setFillColor(black)
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawString(MARGIN, REFERENCE_Y, f"{text['reference']}: {reference_of(q.code)}")


def _identity_fields(canvas: Canvas, q: Questionnaire) -> None:
    """The identity and the seal as read-only fields, hidden (`_finished` takes away any appearance): a filled
    questionnaire carries them, a printed one shows only its reference."""
    values = {**q.identity, SEAL_FIELD: q.seal}
    for name in (*IDENTITY_FIELDS, SEAL_FIELD):
        canvas.acroForm.textfield(name=name, value=values[name], x=0, y=0, width=1, height=1, fontName="Helvetica",
                                  fontSize=1, borderWidth=0, annotationFlags="hidden", fieldFlags="readOnly",
                                  maxlen=200)


def _finished(data: bytes) -> bytes:
    """The PDF with two things reportlab cannot say. The hidden identity fields get no rectangle and no
    appearance, so no viewer, printer or flattening draws them. ZapfDingbats (/ZaDb) joins the form's default
    resources: viewers that redraw radio buttons (poppler, when a filler asks for new appearances) draw the
    chosen dot with it."""
    import pikepdf

    hidden = {*IDENTITY_FIELDS, SEAL_FIELD}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.get("/T", "")) in hidden:
                field.Rect = pikepdf.Array([0, 0, 0, 0])
                if "/AP" in field:
                    del field["/AP"]
        fonts = pdf.Root.AcroForm.DR.Font
        fonts.ZaDb = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.ZapfDingbats))
        out = io.BytesIO()
        pdf.save(out, compress_streams=True)
        return out.getvalue()


def _paragraph(canvas: Canvas, text: str, x: float, top: float, width: float, font: str, size: float,
               leading: float) -> float:
    """Draw wrapped text whose first baseline is at `top`; returns the baseline after the last line."""
    canvas.setFont(font, size)
    y = top
    for line in simpleSplit(text, font, size, width):
        canvas.drawString(x, y, line)
        y -= leading
    return y


def _fit(text: str, font: str, size: float, width: float) -> float:
    while size > 5 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _qr_code(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """The QR code of `value` with a 4-module quiet zone as filled squares, row runs merged."""
    modules = qr_modules(value)
    border = 4
    module = size / (len(modules) + 2 * border)
    path = canvas.beginPath()
    for row, column, length in dark_runs(modules):
        path.rect(x + (column + border) * module, y + size - (row + border + 1) * module, length * module, module)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)


# --- issuing ----------------------------------------------------------------------------------------------------

def questionnaires_dir(ws: Workspace) -> Path:
    return ws.output("feedback-forms")


def _selection(register: Register, unit_ids: Sequence[str], respondents: Sequence[str],
               languages: Sequence[str], outcome: Outcome) -> list[tuple[str, str, str]]:
    for given, known, what in ((respondents, RESPONDENTS, "respondent group"), (languages, LANGUAGES, "language")):
        unknown = [v for v in given if v not in known]
        if unknown:
            raise KokemusError(f"Unknown {what} {', '.join(unknown)}; choose from {', '.join(known)}.",
                               code="bad-option")
    for unit_id in unit_ids:
        if unit_id not in register.units:
            outcome.errors.append(Problem(f"Unit {unit_id} is not in the register.", sheet="units",
                                          field="unit_id", code="unknown-unit"))
    units = [u for u in (unit_ids or sorted(register.units)) if u in register.units]
    chosen = []
    for unit_id in units:
        for respondent in respondents or RESPONDENTS:
            for language in languages or LANGUAGES_OF[respondent]:
                if language in LANGUAGES_OF[respondent]:
                    chosen.append((unit_id, respondent, language))
    if languages and respondents and not chosen and units:
        outcome.warnings.append(Problem("English questionnaires are for clients only; nothing was issued.",
                                        code="no-questionnaire"))
    return chosen


def issue_questionnaires(ws: Workspace, register: Register, *, unit_ids: Sequence[str] = (),
                         respondents: Sequence[str] = (), languages: Sequence[str] = (),
                         progress: Progress | None = None) -> Outcome:
    """Write outputs/feedback-forms/<unit>/<unit>_<respondent>_<language>.pdf for the chosen units (default all),
    respondent groups (default all) and languages (default: fi and sv, and en for clients).

    Each questionnaire is recorded in the ledger with its phone code, so the phone page and ingest know it.
    Issuing again writes the same identity, seal and code: copies already handed out stay valid.
    """
    progress = progress or no_progress
    outcome = Outcome()
    chosen = _selection(register, unit_ids, respondents, languages, outcome)
    key = ws.seal_key()
    issued = []
    outcome.warnings += _english_names_missing(ws, register, chosen)
    with open_ledger(ws.ledger_path) as ledger:
        for done, (unit_id, respondent, language) in enumerate(chosen, start=1):
            unit = register.units[unit_id]
            identity = identity_of(unit_id, respondent, language)
            code = phone_code(key, identity)
            q = Questionnaire(unit_id=unit_id, unit_name=unit_name(unit, language), county=county_name(ws, language),
                              respondent=respondent, language=language, seal=questionnaire_seal(key, identity),
                              code=code, phone_url=f"{ws.public_url}/f/{code}" if ws.public_url else "")
            target = questionnaires_dir(ws) / safe_filename(unit_id) / f"{safe_filename(q.form_id)}.pdf"
            with ledger.transaction():  # a file that cannot be written leaves no questionnaire in the ledger
                record_questionnaire(ledger, code=code, form_id=q.form_id, unit_id=unit_id, respondent=respondent,
                                     language=language)
                with atomic_path(target) as tmp:
                    tmp.write_bytes(questionnaire_pdf(q))
            outcome.written.append(target)
            issued.append({"form_id": q.form_id, "unit_id": unit_id, "respondent": respondent,
                           "language": language, "path": ws.rel(target), "url": q.phone_url or None})
            progress(done, len(chosen), q.form_id)
    make_folder(ws.feedback_inbox)  # where returned answers are put
    outcome.extra["questionnaires"] = issued
    outcome.summary.append(f"{len(issued)} feedback questionnaire{'' if len(issued) == 1 else 's'} written to "
                           f"{ws.rel(questionnaires_dir(ws))}/" + ("" if ws.public_url else
                                                                   " (no public_url: no phone address printed)"))
    return outcome


def _english_names_missing(ws: Workspace, register: Register,
                            chosen: list[tuple[str, str, str]]) -> list[Problem]:
    """Warnings for English questionnaires that must print a Finnish and Swedish name for want of an English one."""
    english = sorted({unit_id for unit_id, _respondent, language in chosen if language == "en"})
    problems = []
    if english and not ws.org_name("en").strip():
        problems.append(Problem(
            "organisation.name_en is empty in kokemus.toml: the English questionnaires name the county in Finnish "
            'and Swedish. Fill it in (e.g. name_en = "Eastern Uusimaa Wellbeing Services County") and issue them '
            "again.", path="kokemus.toml", field="organisation.name_en", code="setting-missing",
            params={"key": "name_en"}))
    for unit_id in english:
        if not register.units[unit_id].name_en.strip():
            problems.append(Problem(
                f"Unit {unit_id} has no English name: its English questionnaire names it in Finnish and Swedish. "
                "Write it in the units sheet's name_en column and issue the questionnaires again.", sheet="units",
                field="name_en", code="unit-name-en-missing"))
    return problems


def fill_questionnaire(src: Path, values: dict[str, str], target: Path) -> Path:
    """Fill the questionnaire `src` as a respondent would and save it as `target` (the demo's paper answers).

    Text fields get `values[name]`; radio groups (recommend, s1 … s5) get the chosen export value ('7', '4',
    'na'). Unknown field names or values raise KeyError: a typo must not silently leave an answer out.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(src))
    layout = questionnaire_layout()
    unknown = sorted(set(values) - set(layout.text_boxes) - set(layout.radios))
    if unknown:
        raise KeyError(f"not fields of a questionnaire: {', '.join(unknown)}")
    texts = {name: str(value) for name, value in values.items() if name in layout.text_boxes}
    page = writer.pages[0]
    if texts:
        writer.update_page_form_field_values(page, texts, auto_regenerate=False)
    form = writer.root_object["/AcroForm"].get_object()
    fields = form["/Fields"] if isinstance(form, DictionaryObject) and "/Fields" in form else None
    if not isinstance(fields, ArrayObject):
        raise KeyError(f"{src} has no form fields: it is not a questionnaire")
    for field_ref in fields:
        group = field_ref.get_object()
        name = str(group.get("/T", ""))
        if name not in layout.radios or name not in values:
            continue
        chosen = str(values[name])
        if chosen not in layout.radios[name]:
            raise KeyError(f"{chosen!r} is not a choice of {name}")
        group[NameObject("/V")] = NameObject(f"/{chosen}")
        for kid in group["/Kids"]:
            widget = kid.get_object()
            states = widget["/AP"]["/N"].keys()
            widget[NameObject("/AS")] = NameObject(f"/{chosen}" if f"/{chosen}" in states else "/Off")
    with atomic_path(target) as tmp:
        writer.write(tmp)
    return target
