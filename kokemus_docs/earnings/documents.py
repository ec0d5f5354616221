"""Writing the yearly earnings statements: one PDF (and, on request, one .xlsx) per expert, in their language.

`outputs/statements/YYYY/<expert_id>_<last name>.pdf`: the expert's own document to hand to Kela, a pension
provider or an unemployment fund, so it carries their name and henkilötunnus; the folder is 0700 and each file
0600, written atomically. The PDF is drawn with reportlab in DejaVu Sans (the Latin subset of forms/fonts.py,
embedded), so every name prints as typed; no text is smaller than 8 pt.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook

from kokemus_docs.core import xlsx
from kokemus_docs.core.errors import KokemusError, Problem
from kokemus_docs.core.fileio import safe_filename, write_bytes_atomic
from kokemus_docs.core.formatting import fi_date, fi_month, hours_text, money
from kokemus_docs.core.model import Register
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace, make_private_dir
from kokemus_docs.earnings.statement import Statement, collect_statements
from kokemus_docs.earnings.texts import income_type_label, text

FORMATS = ("pdf", "xlsx")
PERSONAL_MODE = 0o600
NAME_PART_BYTES = 100
FONT, BOLD = "KokemusSans", "KokemusSans-Bold"


def check_statement_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The chosen formats (pdf, xlsx) in a fixed order; anything else is a usage error."""
    chosen = {f.strip().lower() for f in formats if f.strip()}
    unknown = sorted(chosen - set(FORMATS))
    if unknown or not chosen:
        raise KokemusError(f"Unknown statement format {', '.join(unknown) or '(none)'}; choose pdf, xlsx or pdf,xlsx.",
                           code="bad-format")
    return tuple(f for f in FORMATS if f in chosen)


def statement_path(ws: Workspace, statement: Statement, suffix: str) -> Path:
    """outputs/statements/<year>/<expert_id>_<last name>.<suffix>; the name is cut to 100 bytes."""
    last = statement.expert.last_name.encode("utf-8")[:NAME_PART_BYTES].decode("utf-8", "ignore")
    return ws.output("statements", str(statement.year), safe_filename(f"{statement.expert.expert_id}_{last}") + suffix)


def write_statements(ws: Workspace, register: Register, year: int, *, expert_ids: tuple[str, ...] = (),
                     formats: Sequence[str] = ("pdf",), progress: Progress | None = None,
                     today: date | None = None) -> Outcome:
    """`kokemus statements`: each expert's statement of `year` by payment date, as PDF (and .xlsx)."""
    formats = check_statement_formats(formats)
    progress = progress or no_progress
    statements, problems = collect_statements(ws, register, year, expert_ids)
    outcome = Outcome(errors=problems)
    today = today or date.today()
    folder = ws.output("statements", str(year))
    if statements:
        make_private_dir(ws.output("statements"))
        make_private_dir(folder)
    for done, statement in enumerate(statements, start=1):
        try:
            if "pdf" in formats:
                outcome.written.append(_write(statement_path(ws, statement, ".pdf"),
                                              statement_pdf(ws, statement, today)))
            if "xlsx" in formats:
                outcome.written.append(_write(statement_path(ws, statement, ".xlsx"),
                                              statement_xlsx(ws, statement, today)))
        except OSError as exc:
            outcome.errors.append(Problem(f"The statement of expert {statement.expert.expert_id} could not be "
                                          f"written ({exc.strerror or exc}); check the folder {ws.rel(folder)}.",
                                          code="write-failed"))
        progress(done, len(statements), statement.expert.expert_id)
    expected = sum(1 for s in statements for p in s.payments if not p.paid)
    outcome.extra = {"year": year, "statements": [s.as_json() for s in statements]}
    outcome.summary = [f"{len(statements)} earnings statement(s) for {year} in {ws.rel(folder)} "
                       f"({', '.join(formats)})."]
    if expected:
        outcome.summary.append(f"{expected} payment(s) are expected, not paid yet: their months are not closed.")
    if statements:
        outcome.summary.append("Each statement holds its expert's henkilötunnus and is readable by its owner only "
                               "(mode 0600); give it to that expert alone.")
    return outcome


def statement_download(ws: Workspace, register: Register, year: int, expert_id: str) -> tuple[str, bytes] | None:
    """(file name, PDF) of one expert's statement of `year`, made now; None for an expert not in the register."""
    if expert_id not in register.experts:
        return None
    [statement], _ = collect_statements(ws, register, year, (expert_id,))
    return statement_path(ws, statement, ".pdf").name, statement_pdf(ws, statement, date.today())


def all_statements(ws: Workspace, register: Register, year: int) -> tuple[str, bytes]:
    """(file name, PDF) of every statement of `year` in one file, for the coordinator to print."""
    statements, _ = collect_statements(ws, register, year)
    return f"statements_{year}.pdf", statements_pdf(ws, statements, date.today())


def _write(target: Path, data: bytes) -> Path:
    write_bytes_atomic(target, data, mode=PERSONAL_MODE)
    return target


def statement_rows(statement: Statement, language: str) -> tuple[list[str], list[list[str]], list[str]]:
    """(headers, one row per payment date, totals) as the statement prints them."""
    codes = statement.income_types
    headers = [text(language, k) for k in ("payment_date", "work_month", "state", "hours", "days")]
    headers += [income_type_label(code, language) for code in codes]
    headers += [text(language, "fees"), text(language, "travel"), text(language, "units")]
    rows = []
    for p in statement.payments:
        months = [p.pay_month] + sorted(m for m in p.work_months if m != p.pay_month)
        mark = " *" if statement.over_limit(p) else ""
        rows.append([fi_date(p.payment_date), ", ".join(fi_month(m, language) for m in months),
                     text(language, "paid" if p.paid else "expected"), hours_text(p.hours), str(len(p.days)),
                     *(money(p.fees.get(code, Decimal(0))) for code in codes), money(p.fee) + mark, money(p.travel),
                     statement.unit_names(p)])
    totals = [text(language, "total"), "", "", hours_text(statement.hours), str(statement.days),
              *(money(statement.fee_of_type(code)) for code in codes), money(statement.fee),
              money(statement.travel), ""]
    return headers, rows, totals


# --- PDF ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """DejaVu Sans regular and bold (the Latin subsets the hour form embeds), registered once with reportlab."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from kokemus_docs.forms.fonts import latin_font

    pdfmetrics.registerFont(TTFont(FONT, io.BytesIO(latin_font("regular").program)))
    pdfmetrics.registerFont(TTFont(BOLD, io.BytesIO(latin_font("bold").program)))
    return FONT, BOLD


PAGE_MARGIN = 30.0
BODY_SIZE, SMALL_SIZE, TITLE_SIZE = 9.0, 8.0, 15.0


def statement_pdf(ws: Workspace, statement: Statement, today: date) -> bytes:
    """The statement as a landscape A4 PDF in the expert's language."""
    return statements_pdf(ws, [statement], today)


def statements_pdf(ws: Workspace, statements: Sequence[Statement], today: date) -> bytes:
    """Statements one after another in one PDF (for printing them all), each from a new page, each in its
    expert's language and numbering its own pages."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    _fonts()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1, pageCompression=1)
    first = statements[0] if statements else None
    language = first.expert.document_language if first else "fi"
    pdf.setTitle(text(language, "title", year=first.year) if first else "")
    pdf.setAuthor(ws.org_name(language))
    for statement in statements:
        _draw_statement(pdf, ws, statement, today, width, height)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_statement(pdf, ws: Workspace, statement: Statement, today: date, width: float, height: float) -> None:
    language = statement.expert.document_language
    page = _Page(pdf, width, height, language)
    page.start()
    pdf.setFont(BOLD, TITLE_SIZE)
    pdf.drawString(PAGE_MARGIN, page.y, text(language, "title", year=statement.year))
    page.y -= 26
    expert = statement.expert
    facts = [(text(language, "name"), expert.full_name), (text(language, "hetu"), expert.hetu),
             (text(language, "expert_id"), expert.expert_id), (text(language, "payer"), ws.org_name(language))]
    if statement.limit is not None:
        facts.append((text(language, "limit"), money(statement.limit)))
    for label, value in facts:
        pdf.setFont(BOLD, BODY_SIZE + 1)
        pdf.drawString(PAGE_MARGIN, page.y, label)
        pdf.setFont(FONT, BODY_SIZE + 1)
        pdf.drawString(PAGE_MARGIN + 220, page.y, value)
        page.y -= 14
    page.y -= 4
    page.paragraph(text(language, "intro"), BODY_SIZE)
    page.y -= 6
    headers, rows, totals = statement_rows(statement, language)
    if rows:
        page.table(headers, rows, totals)
    else:
        page.paragraph(text(language, "none", year=statement.year), BODY_SIZE + 1)
    if any(not p.paid for p in statement.payments):
        page.paragraph(text(language, "expected_note"), SMALL_SIZE)
    if any(statement.over_limit(p) for p in statement.payments):
        page.paragraph(text(language, "over_note"), SMALL_SIZE)
    page.finish(text(language, "generated", day=fi_date(today)))


class _Page:
    """Drawing position on the statement's pages, with a new page (and the table header again) when full."""

    def __init__(self, pdf, width: float, height: float, language: str):
        self.pdf, self.width, self.height, self.language = pdf, width, height, language
        self.number = 0
        self.y = height

    def start(self) -> None:
        self.number += 1
        self.y = self.height - PAGE_MARGIN - TITLE_SIZE

    def finish(self, footer: str) -> None:
        self.pdf.setFont(FONT, SMALL_SIZE)
        self.pdf.drawString(PAGE_MARGIN, PAGE_MARGIN - 12, footer)
        self.pdf.drawRightString(self.width - PAGE_MARGIN, PAGE_MARGIN - 12,
                                 text(self.language, "page", page=self.number))

    def room(self, needed: float, footer: str = "") -> bool:
        """Start a new page when `needed` points do not fit; True when it did."""
        if self.y - needed >= PAGE_MARGIN:
            return False
        self.finish(footer)
        self.pdf.showPage()
        self.start()
        return True

    def paragraph(self, body: str, size: float) -> None:
        from reportlab.lib.utils import simpleSplit

        lines = simpleSplit(body, FONT, size, self.width - 2 * PAGE_MARGIN)
        for line in lines:
            self.room(size + 3)
            self.pdf.setFont(FONT, size)
            self.pdf.drawString(PAGE_MARGIN, self.y, line)
            self.y -= size + 3
        self.y -= 3

    def table(self, headers: list[str], rows: list[list[str]], totals: list[str]) -> None:
        """The payments table: a shaded header row (again on each new page), the rows, a bold totals row."""
        columns = _column_widths(len(headers), self.width - 2 * PAGE_MARGIN)
        self._row(headers, columns, "header")
        for row in rows:
            if self._row(row, columns, "row"):  # on a new page: the header first, then the row
                self._row(headers, columns, "header")
                self._row(row, columns, "row", new_page=True)
        self._row(totals, columns, "total")
        self.y -= 8

    def _row(self, cells: list[str], columns: list[float], kind: str, new_page: bool = False) -> bool:
        """Draw one table row (a header or totals row on a new page when it does not fit). A payment row that
        does not fit starts a new page and returns True instead, for the header to come first; on a
        `new_page` it is drawn whatever its height."""
        font = FONT if kind == "row" else BOLD
        size = SMALL_SIZE if kind == "header" else BODY_SIZE
        wrapped = [_wrap(value, font, size, w - 6) for value, w in zip(cells, columns, strict=True)]
        row_height = max(len(lines) for lines in wrapped) * (size + 2) + 5
        if not new_page and self.room(row_height) and kind == "row":
            return True
        pdf, bottom = self.pdf, self.y - row_height + BODY_SIZE
        if kind == "header":
            pdf.setFillGray(0.88)
            pdf.rect(PAGE_MARGIN, bottom, sum(columns), row_height, stroke=0, fill=1)
            pdf.setFillGray(0)
        pdf.setFont(font, size)
        x = PAGE_MARGIN
        for position, (lines, column_width) in enumerate(zip(wrapped, columns, strict=True)):
            right = kind != "header" and 3 <= position < len(columns) - 1  # numbers and amounts
            for number, line in enumerate(lines):
                y = self.y - number * (size + 2)
                if right:
                    pdf.drawRightString(x + column_width - 3, y, line)
                else:
                    pdf.drawString(x + 3, y, line)
            x += column_width
        pdf.setLineWidth(0.4)
        pdf.line(PAGE_MARGIN, bottom, PAGE_MARGIN + sum(columns), bottom)
        self.y -= row_height
        return False


def _wrap(value: str, font: str, size: float, width: float) -> list[str]:
    """`value` in lines no wider than `width`: at spaces, and inside a word too long for the column."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(value, font, size) <= width:
        return [value]
    lines: list[str] = []
    for line in simpleSplit(value, font, size, width) or [""]:
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _column_widths(count: int, total: float) -> list[float]:
    """Widths of the statement's columns: dates and numbers narrow, the work months and units wider."""
    fixed = [72, 80, 52, 42, 38]  # payment date, work month, state, hours, days
    money_columns = count - len(fixed) - 1
    units = 130
    share = (total - sum(fixed) - units) / money_columns
    return fixed + [share] * money_columns + [units]


# --- xlsx ---------------------------------------------------------------------------------------------

def statement_xlsx(ws: Workspace, statement: Statement, today: date) -> bytes:
    """The statement as a one-sheet workbook in the expert's language (amounts as numbers)."""
    language = statement.expert.document_language
    wb = Workbook()
    wb.remove(wb.active)
    xlsx.add_styles(wb)
    sheet = wb.create_sheet(text(language, "sheet", year=statement.year))
    expert = statement.expert
    codes = statement.income_types
    headers, _, _ = statement_rows(statement, language)
    xlsx.set_widths(sheet, [14, 22, 12, 9, 8] + [15] * len(codes) + [15, 16, 30])
    sheet.append([xlsx.cell(sheet, text(language, "title", year=statement.year), xlsx.BOLD)])
    facts = [(text(language, "name"), expert.full_name), (text(language, "hetu"), expert.hetu),
             (text(language, "expert_id"), expert.expert_id), (text(language, "payer"), ws.org_name(language))]
    for label, value in facts:
        sheet.append([xlsx.cell(sheet, label, xlsx.BOLD), xlsx.cell(sheet, value)])
    if statement.limit is not None:
        sheet.append([xlsx.cell(sheet, text(language, "limit"), xlsx.BOLD),
                      xlsx.cell(sheet, xlsx.money_number(statement.limit), xlsx.EURO)])
    sheet.append([])
    header_at = sheet.max_row + 1
    sheet.append(xlsx.header_row(sheet, headers))
    euro = xlsx.EURO
    for p in statement.payments:
        months = [p.pay_month] + sorted(m for m in p.work_months if m != p.pay_month)
        sheet.append([xlsx.cell(sheet, p.payment_date),
                      xlsx.cell(sheet, ", ".join(fi_month(m, language) for m in months)),
                      xlsx.cell(sheet, text(language, "paid" if p.paid else "expected")),
                      xlsx.cell(sheet, p.hours, xlsx.HOURS), xlsx.cell(sheet, len(p.days)),
                      *(xlsx.cell(sheet, xlsx.money_number(p.fees.get(c, Decimal(0))), euro) for c in codes),
                      xlsx.cell(sheet, xlsx.money_number(p.fee), euro),
                      xlsx.cell(sheet, xlsx.money_number(p.travel), euro),
                      xlsx.cell(sheet, statement.unit_names(p))])
    sheet.append([xlsx.cell(sheet, text(language, "total"), xlsx.TOTAL), xlsx.cell(sheet, "", xlsx.TOTAL),
                  xlsx.cell(sheet, "", xlsx.TOTAL), xlsx.cell(sheet, statement.hours, xlsx.TOTAL_HOURS),
                  xlsx.cell(sheet, statement.days, xlsx.TOTAL),
                  *(xlsx.cell(sheet, xlsx.money_number(statement.fee_of_type(c)), xlsx.TOTAL_EURO) for c in codes),
                  xlsx.cell(sheet, xlsx.money_number(statement.fee), xlsx.TOTAL_EURO),
                  xlsx.cell(sheet, xlsx.money_number(statement.travel), xlsx.TOTAL_EURO),
                  xlsx.cell(sheet, "", xlsx.TOTAL)])
    sheet.append([])
    for key in ("intro", "expected_note"):
        sheet.append([xlsx.cell(sheet, text(language, key))])
    sheet.append([xlsx.cell(sheet, text(language, "generated", day=fi_date(today)))])
    xlsx.print_setup(sheet, title_rows=header_at, freeze=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


__all__ = ["FORMATS", "all_statements", "check_statement_formats", "statement_download", "statement_path",
           "statement_pdf", "statement_xlsx", "statements_pdf", "write_statements"]
