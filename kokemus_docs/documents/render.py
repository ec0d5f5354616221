"""Word documents from templates: assignment contracts, introduction packs, and the generic batch renderer.

Templates are docxtpl templates (.docx files with Jinja tags). `CompiledTemplate` does docxtpl's XML
preprocessing and Jinja compilation once per template; after that each document only renders the
XML strings and writes the zip, copying the parts that no tag touches. The result has the same text
as `docxtpl.DocxTemplate(path).render(context, autoescape=True)`, many times faster in a batch.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from docx.opc.oxml import parse_xml as parse_part_xml
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml as parse_document_xml
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from kokemus_docs.core.errors import KokemusError, Problem, TemplateError
from kokemus_docs.core.fileio import DISK_ERRNOS, safe_filename, write_bytes_atomic
from kokemus_docs.core.formatting import fi_date, fi_time, money
from kokemus_docs.core.model import BASIS_LABELS, Contract, Expert, Register, Unit
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace

FORMATS = ("docx", "pdf")

_NS = {
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_REL_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_REL_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_W_BODY = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body"
_BODY_MARKER = "{urn:kokemus-docs:body}marker"
_DOCPR_XPATH = etree.XPath(
    "//wp:docPr", namespaces={"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"})
# The core properties docxtpl renders as Jinja, by their element names in docProps/core.xml.
_CORE_PROPERTIES = ("dc:creator", "dc:description", "dc:identifier", "dc:language", "dc:subject", "dc:title")
_TAG = re.compile(r"\{[{%#]")
_XMLNS = re.compile(r'xmlns(?::\w+)?="[^"]*"')

# docxtpl's preprocessing and postprocessing are plain functions of the XML string; borrow them.
_DOCXTPL = DocxTemplate(None)
_LISTING_CHARS = re.compile("[\t\n\a\f]")  # what docxtpl's resolve_listing turns into Word markup


def new_environment() -> jinja2.Environment:
    """The Jinja environment of every template: sandboxed (a template is data: it reads the values it is given and
    cannot reach Python's internals, files or commands), autoescape on (a value's & < > stay text), and a
    misspelt name is an error that points at the template line instead of a silent blank."""
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass
class _XmlPart:
    """One templated XML part: its zip name, how to write it back, its compiled Jinja template."""

    name: str
    kind: str  # "body" | "header_footer" | "raw"
    source: str  # the preprocessed XML, kept to quote the line of a render error
    template: jinja2.Template


class CompiledTemplate:
    """A .docx template loaded and compiled once, then rendered for many contexts.

    Only the main document body, headers, footers, footnotes and (if tagged) core properties are
    templated, as in docxtpl; every other zip entry is copied as it is.
    """

    def __init__(self, path: str | Path, env: jinja2.Environment | None = None):
        self.path = Path(path)
        self.env = env or new_environment()
        self._parts: list[_XmlPart] = []
        self._document_frame: tuple[str, str] = ("", "")
        self._core: tuple[str, dict[str, jinja2.Template]] | None = None
        self._root_namespaces: set[str] = set()
        try:
            with zipfile.ZipFile(self.path) as source:
                entries = {info.filename: (info, source.read(info)) for info in source.infolist()}
        except OSError as exc:
            raise TemplateError(f"{self.path.name} cannot be read: {exc.strerror or 'input/output error'}",
                                path=str(self.path), code="template-unreadable") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError,
                zlib.error):  # not a zip, damaged, encrypted or compressed in a way zipfile cannot read
            raise self._unreadable("it is not a Word document or it is damaged") from None
        try:
            self._load(entries)
        except (KeyError, ValueError, etree.XMLSyntaxError) as exc:  # a part missing, or not XML
            raise self._unreadable(f"its part {exc.args[0]} is missing" if isinstance(exc, KeyError)
                                   else "a part of it is damaged") from None

    def _unreadable(self, detail: str) -> TemplateError:
        return TemplateError(f"{self.path.name} is not a readable Word (.docx) file: {detail}. Save it again from "
                             "Word or LibreOffice as a .docx, or delete it from the workspace's templates/ folder to "
                             "use the built-in one.", path=str(self.path), code="template-unreadable")

    def _load(self, entries: Mapping[str, tuple]) -> None:
        document_name = self._main_document_name(entries)
        self._compile_document(document_name, entries[document_name][1])
        for name in self._header_footer_names(entries, document_name):
            xml = etree.tostring(parse_part_xml(entries[name][1]), encoding="unicode")
            self._add_part(name, "header_footer", xml)
        for name in self._names_of_type(entries, _FOOTNOTES_TYPE):
            self._add_part(name, "raw", entries[name][1].decode("utf-8"))
        if "docProps/core.xml" in entries:
            self._compile_core(entries["docProps/core.xml"][1])

        templated = {part.name for part in self._parts} | ({"docProps/core.xml"} if self._core else set())
        self._templated_infos = {name: entries[name][0] for name in templated}
        base = io.BytesIO()
        with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as copy:
            for name, (info, data) in entries.items():
                if name not in templated:
                    copy.writestr(info, data, compress_type=info.compress_type)
        self._base_zip = base.getvalue()

    # --- loading ---------------------------------------------------------------------------
    @staticmethod
    def _main_document_name(entries: Mapping[str, tuple]) -> str:
        rels = etree.fromstring(entries["_rels/.rels"][1])
        for rel in rels.iterfind("rel:Relationship", _NS):
            if rel.get("Type") == _REL_OFFICE_DOCUMENT:
                name = rel.get("Target").lstrip("/")
                if name in entries:
                    return name
        raise KeyError("word/document.xml")

    @staticmethod
    def _header_footer_names(entries: Mapping[str, tuple], document_name: str) -> list[str]:
        folder, base = posixpath.split(document_name)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in entries:
            return []
        names = []
        for rel in etree.fromstring(entries[rels_name][1]).iterfind("rel:Relationship", _NS):
            if rel.get("Type") in (_REL_HEADER, _REL_FOOTER) and rel.get("TargetMode") != "External":
                name = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
                if name in entries and entries[name][1] and name not in names:
                    names.append(name)
        return names

    @staticmethod
    def _names_of_type(entries: Mapping[str, tuple], content_type: str) -> list[str]:
        types = etree.fromstring(entries["[Content_Types].xml"][1])
        return [override.get("PartName").lstrip("/") for override in types.iterfind("ct:Override", _NS)
                if override.get("ContentType") == content_type and override.get("PartName").lstrip("/") in entries]

    def _compile_document(self, name: str, data: bytes) -> None:
        root = parse_document_xml(data)
        body = root.find(_W_BODY)
        body_xml = etree.tostring(body, encoding="unicode")
        marker = etree.Element(_BODY_MARKER)
        root.replace(body, marker)
        frame = serialize_part_xml(root).decode("utf-8")
        found = re.search(r'<(\w+):marker xmlns:\1="urn:kokemus-docs:body"/>', frame)
        if found is None:
            raise TemplateError(f"{self.path.name}: the document body cannot be found.", path=str(self.path),
                                code="template-damaged")
        self._document_frame = (frame[:found.start()], frame[found.end():])
        self._root_namespaces = set(_XMLNS.findall(frame[:found.start()]))
        self._add_part(name, "body", body_xml)

    def _add_part(self, name: str, kind: str, xml: str) -> None:
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", _DOCXTPL.patch_xml(xml))
        try:
            template = self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(_describe(self.path, name, source, exc.lineno, exc.message or str(exc)),
                                path=str(self.path), code="template-error") from None
        self._parts.append(_XmlPart(name, kind, source, template))

    def _compile_core(self, data: bytes) -> None:
        root = etree.fromstring(data)
        templates = {}
        for prefixed in _CORE_PROPERTIES:
            element = root.find(prefixed, _NS)
            if element is not None and element.text and _TAG.search(element.text):
                try:
                    templates[prefixed] = self.env.from_string(element.text)
                except jinja2.TemplateSyntaxError as exc:
                    raise TemplateError(f"{self.path.name}: document property {prefixed}: {exc.message}",
                                        path=str(self.path), code="template-error") from None
        if templates:
            self._core = (data.decode("utf-8"), templates)

    # --- rendering -------------------------------------------------------------------------
    def render_bytes(self, context: Mapping[str, Any]) -> bytes:
        """The rendered document as .docx bytes. Raises TemplateError naming the template and line."""
        rendered: dict[str, bytes] = {}
        for part in self._parts:
            xml = self._render_part(part, context)
            if part.kind == "body":
                tree = _DOCXTPL.fix_tables(xml)
                for number, element in enumerate(_DOCPR_XPATH(tree), start=1001):
                    element.attrib["id"] = str(number)
                head, tail = self._document_frame
                body = self._drop_known_namespaces(etree.tostring(tree, encoding="unicode"))
                rendered[part.name] = (head + body + tail).encode("utf-8")
            elif part.kind == "header_footer":
                try:
                    rendered[part.name] = serialize_part_xml(parse_part_xml(xml.encode("utf-8")))  # type: ignore[arg-type]
                except etree.XMLSyntaxError as exc:
                    raise TemplateError(f"{self.path.name}: {part.name} is not valid XML after rendering: {exc}",
                                        path=str(self.path), code="template-error") from None
            else:
                rendered[part.name] = xml.encode("utf-8")
        if self._core:
            rendered["docProps/core.xml"] = self._render_core(self._core, context)

        buffer = io.BytesIO(self._base_zip)
        buffer.seek(0, io.SEEK_END)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as out:
            for name, data in rendered.items():
                original = self._templated_infos[name]
                info = zipfile.ZipInfo(name, date_time=original.date_time)
                info.external_attr = original.external_attr
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
        return buffer.getvalue()

    def render_to(self, context: Mapping[str, Any], target: str | Path) -> Path:
        """Render and write `target` atomically."""
        return write_bytes_atomic(target, self.render_bytes(context))

    def _drop_known_namespaces(self, body: str) -> str:
        """`<w:body xmlns:w=...>` → `<w:body>` where the document element already declares them."""
        opening = body[:body.index(">") + 1]
        kept = opening
        for declaration in _XMLNS.findall(opening):
            if declaration in self._root_namespaces:
                kept = kept.replace(" " + declaration, "", 1)
        return kept + body[len(opening):]

    def _render_part(self, part: _XmlPart, context: Mapping[str, Any]) -> str:
        try:
            xml = part.template.render(context)
        except jinja2.TemplateError as exc:
            line = getattr(exc, "lineno", None) or _template_line(exc)
            raise TemplateError(_describe(self.path, part.name, part.source, line, _reason(exc)),
                                path=str(self.path), code="template-error") from None
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if _LISTING_CHARS.search(xml) is None:
            return xml  # no tab, line or page break in the values: docxtpl's listing pass changes nothing
        return _DOCXTPL.resolve_listing(xml)

    def _render_core(self, core: tuple[str, dict[str, jinja2.Template]], context: Mapping[str, Any]) -> bytes:
        source, templates = core
        root = etree.fromstring(source.encode("utf-8"))
        for prefixed, template in templates.items():
            try:
                root.find(prefixed, _NS).text = template.render(context)
            except jinja2.TemplateError as exc:
                raise TemplateError(f"Template {self.path.name}: document property {prefixed}: {_reason(exc)}",
                                    path=str(self.path), code="template-error") from None
        return serialize_part_xml(root)


def _reason(exc: jinja2.TemplateError) -> str:
    """What is wrong with a tag, in words; a tag reaching for Python's internals is named as such."""
    message = exc.message or str(exc)
    if isinstance(exc, SecurityError):
        return (f"a tag reaches for Python's internals, which a template may not do ({message}); "
                "use only the documented values such as expert.full_name")
    return message


def _template_line(exc: BaseException) -> int | None:
    """The template line of a runtime Jinja error (Jinja rewrites the traceback to template lines)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(path: Path, part: str, source: str, line: int | None, message: str) -> str:
    """Name the template file and the place of a Jinja error, quoting the text around it."""
    where = f"{path.name} ({part}"
    snippet = ""
    if line:
        # the preprocessed XML has one line per paragraph, after the part's opening line
        where += f", line {line}" + (f", about paragraph {line - 1}" if line > 1 else "")
        lines = source.splitlines()
        text = re.sub(r"<[^>]+>", "", " ".join(lines[max(line - 2, 0):line + 1]))
        snippet = " ".join(text.split())[:160]
    where += ")"
    near = f' near "{snippet}"' if snippet else ""
    return (f"Template {where}: {message}{near}. Fix the tag in Word or LibreOffice (a tag must be "
            f"written in one go, like {{{{ expert.full_name }}}}), or delete the file from the workspace's "
            "templates/ folder to use the built-in one.")


_CACHE: dict[tuple[str, int, int], CompiledTemplate] = {}


def compiled_template(path: str | Path) -> CompiledTemplate:
    """The compiled template for `path`, reused while the file is unchanged."""
    path = Path(path).resolve()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = CompiledTemplate(path)
    return _CACHE[key]


# --- batches -----------------------------------------------------------------------------------

class DocumentJob(NamedTuple):
    """One document to write: the template's name (e.g. 'contract_fi.docx'), its context, the .docx path.

    `meta` is copied into the document's entry in `Outcome.extra["documents"]`.
    """

    template: str
    context: Mapping[str, Any]
    target: Path
    meta: Mapping[str, Any] | None = None


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """Normalise a format list ('docx', 'pdf'); an unknown one is a usage error."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise KokemusError(f"Unknown output format {', '.join(unknown) or '(none)'}; choose docx, pdf or docx,pdf.",
                           code="bad-format")
    return chosen


def render_documents(ws: Workspace, jobs: Iterable[DocumentJob | tuple], formats: Sequence[str] = ("docx",),
                     progress: Progress | None = None) -> Outcome:
    """Render every job's template with its context into its .docx target, then PDFs if asked.

    Templates come from `ws.template(name)` (the workspace's own copy first). A template that is missing
    or broken becomes one error for that template and its documents are skipped; a document that fails
    to render is an error for that document; the rest of the batch is written. With "pdf" in `formats`
    the .docx files are converted to PDF while the later ones are still being written (and removed
    again if "docx" was not asked); without LibreOffice that raises LibreOfficeMissing before any file
    is written. Progress counts both steps: writing each .docx and converting it.
    """
    formats = check_formats(formats)
    if "pdf" in formats:
        from kokemus_docs.documents.office import find_soffice

        find_soffice()  # LibreOfficeMissing before anything is written
    progress = progress or no_progress
    documents = [job if isinstance(job, DocumentJob) else DocumentJob(*job) for job in jobs]
    outcome = Outcome(extra={"documents": []})

    compiled: dict[str, CompiledTemplate | None] = {}
    for name in dict.fromkeys(job.template for job in documents):
        try:
            compiled[name] = compiled_template(ws.template(name))
        except TemplateError as exc:
            count = sum(1 for job in documents if job.template == name)
            outcome.errors.append(Problem(f"{exc.message} ({count} document(s) not written)",
                                          path=_rel_path(ws, exc.path), code=exc.code))
            compiled[name] = None

    written_docx: list[tuple[DocumentJob, Path]] = []
    converting = "pdf" in formats
    steps_per_document = 2 if converting else 1  # write the .docx, then (maybe) convert it
    steps = len(documents) * steps_per_document
    rendered = converted = 0

    def render_all() -> Iterator[Path]:
        nonlocal rendered
        for job in documents:
            template = compiled[job.template]
            path = None
            if template is not None:
                try:
                    path = template.render_to(job.context, job.target)
                except TemplateError as exc:
                    outcome.errors.append(Problem(f"{ws.rel(job.target)} not written: {exc.message}",
                                                  path=_rel_path(ws, exc.path), code=exc.code))
                except OSError as exc:
                    if exc.errno in DISK_ERRNOS:
                        raise  # every other document would fail the same way: the command stops
                    outcome.errors.append(Problem(f"cannot write the document: {exc.strerror or exc}",
                                                  path=ws.rel(job.target), code="write-failed"))
            rendered += 1 if path else steps_per_document  # no conversion step for a missing .docx
            progress(rendered + converted, steps, job.target.name)
            if path:
                written_docx.append((job, path))
                yield path

    def conversion_progress(done: int, total: int, label: str) -> None:
        nonlocal converted
        converted = done
        progress(rendered + converted, steps, Path(label).with_suffix(".pdf").name)

    pdfs: dict[Path, Path] = {}
    if converting:
        expected = sum(1 for job in documents if compiled[job.template] is not None)
        pdfs = _convert_to_pdf(ws, render_all(), expected, outcome, conversion_progress)
    else:
        for _ in render_all():
            pass

    for job, docx_path in written_docx:
        files = []
        if "docx" in formats:
            files.append(docx_path)
        if docx_path in pdfs:
            files.append(pdfs[docx_path])
            if "docx" not in formats:
                docx_path.unlink(missing_ok=True)
        if files:
            outcome.written += files
            entry = {"template": job.template, "files": [ws.rel(f) for f in files]}
            entry.update(job.meta or {})
            outcome.extra["documents"].append(entry)
    return outcome


def _convert_to_pdf(ws: Workspace, docx_paths: Iterable[Path], expected: int, outcome: Outcome,
                    progress: Progress) -> dict[Path, Path]:
    from kokemus_docs.documents import pdfconvert

    result = pdfconvert.convert_many(docx_paths, expected=expected, progress=progress)
    for docx_path, reason in result.failures.items():
        outcome.errors.append(Problem(f"PDF conversion failed: {reason}", path=ws.rel(docx_path),
                                      code="pdf-failed"))
    return dict(result.pdfs)


def _rel_path(ws: Workspace, path: str | None) -> str | None:
    if not path:
        return None
    return ws.rel(path) if Path(path).is_absolute() else path


# --- contexts ----------------------------------------------------------------------------------

def common_context(ws: Workspace, language: str, today: date | None = None) -> dict[str, Any]:
    """Keys every template may use: organisation, coordinator, payroll, deadlines, the print date."""
    organisation, payroll = ws.config["organisation"], ws.config["payroll"]
    coordinator = coordinator_context(ws, language)
    return {
        "lang": language,
        "org_name": ws.org_name(language),
        "business_id": _setting(organisation, "business_id"),
        "postal_address": _setting(organisation, f"postal_address_{language}"),
        "coordinator": coordinator,
        "coordinator_title": coordinator["title"],
        "coordinator_name": coordinator["name"],
        "payroll_name": payroll.get("name", ""),
        "tax_card_address": payroll.get(f"tax_card_address_{language}", ""),
        "notice_day": str(ws.notice_day),
        "cancellation_cutoff": fi_time(ws.cancellation_cutoff),
        "generated_on": fi_date(today or _today()),
    }


def _today() -> date:
    return date.today()


def _setting(table: Mapping[str, Any], key: str) -> str:
    return str(table.get(key, "") or "").strip()


def coordinator_context(ws: Workspace, language: str) -> dict[str, str]:
    """Whom the expert contacts about the contract, the hour form and fees, as documents print it.

    `name_title` is "Name, job title" (the title alone, capitalised, when no name is set); `contact`
    is "email, phone"; `full` is both, for a sentence.
    """
    contact = ws.coordinator_contact()
    title = _setting(ws.config["organisation"], f"coordinator_title_{language}")
    if contact["name"]:
        name_title = ", ".join(part for part in (contact["name"], title) if part)
    else:
        name_title = title[:1].upper() + title[1:]
    reach = ", ".join(part for part in (contact["email"], contact["phone"]) if part)
    return {**contact, "title": title, "name_title": name_title, "contact": reach,
            "full": ", ".join(part for part in (name_title, reach) if part)}


def unit_context(unit: Unit, language: str) -> dict[str, str]:
    """The unit as templates show it: name, service area, address and premises in `language` (Swedish
    documents fall back to the Finnish value where the Swedish column is empty)."""
    return {
        "unit_id": unit.unit_id,
        "name": unit.name(language),
        "address": unit.localized("address", language),
        "premises": unit.localized("premises", language),
        "contact_name": unit.contact_name,
        "contact_email": unit.contact_email,
        "contact_phone": unit.contact_phone,
        "contact": ", ".join(part for part in (unit.contact_email, unit.contact_phone) if part),
        "cost_center": unit.cost_center,
        "service_area": unit.localized("service_area", language),
    }


def expert_context(expert: Expert) -> dict[str, Any]:
    """What a contract may say about the expert. Never hetu, IBAN or home address."""
    return {
        "expert_id": expert.expert_id,
        "full_name": expert.full_name,
        "first_name": expert.first_name,
        "last_name": expert.last_name,
        "email": expert.email,
        "phone": expert.phone,
        "education": expert.education,
        "expert_experience": expert.expert_experience,
        "topics": list(expert.topics),
        "topics_text": ", ".join(expert.topics),
        "wishes": expert.wishes,
    }


def task_rows(register: Register, contract: Contract, language: str) -> tuple[list[dict[str, str]], list[str]]:
    """The contract's tasks with labels and the rate valid on its first day; plus tasks lacking a rate."""
    rows, missing = [], []
    for task in contract.tasks:
        rate = register.rate_for(task, contract.valid_from)
        if rate is None:
            missing.append(task)
        rows.append({
            "code": task,
            "label": register.task_label(task, language),
            "basis_label": BASIS_LABELS.get(rate.basis, {}).get(language, rate.basis) if rate else "",
            "rate": money(rate.rate_eur) if rate else "",
            "rate_valid_from": fi_date(rate.valid_from) if rate else "",
        })
    return rows, missing


def _assignment_context(ws: Workspace, register: Register, contract: Contract,
                        today: date | None) -> tuple[dict[str, Any], list[str]]:
    """What the contract and the intro pack share: language, contract dates, unit and tasks with rates."""
    language = register.experts[contract.expert_id].document_language
    tasks, missing = task_rows(register, contract, language)
    context = common_context(ws, language, today)
    context.update({
        "contract": {"id": contract.contract_id, "valid_from": fi_date(contract.valid_from),
                     "valid_to": fi_date(contract.valid_to)},
        "unit": unit_context(register.units[contract.unit_id], language),
        "tasks": tasks,
    })
    return context, missing


def contract_context(ws: Workspace, register: Register, contract: Contract,
                     today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Context for contract_<lang>.docx, in the expert's language; plus tasks that have no rate."""
    context, missing = _assignment_context(ws, register, contract, today)
    context["contract"]["signed_on"] = fi_date(contract.signed_on)
    context["expert"] = expert_context(register.experts[contract.expert_id])
    return context, missing


def intro_pack_context(ws: Workspace, register: Register, contract: Contract,
                       today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Context for intro_pack_<lang>.docx for the contract's unit and expert; plus tasks that have no rate.

    Of the expert, only what the unit needs to reach them.
    """
    context, missing = _assignment_context(ws, register, contract, today)
    expert = register.experts[contract.expert_id]
    context["expert"] = {"expert_id": expert.expert_id, "full_name": expert.full_name,
                         "email": expert.email, "phone": expert.phone}
    on = min(max(today or _today(), contract.valid_from), contract.valid_to)
    for row in context["tasks"]:
        row["rate_now"] = rates_text(register, row["code"], contract, on, expert.document_language)
    return context, missing


def rates_text(register: Register, task: str, contract: Contract, on: date, language: str) -> str:
    """The rate of `task` valid on `on` (the document's date within the contract) and each later rate that
    starts before the contract ends: '25,00 €; 27,50 € 15.10.2026 alkaen' / '… 27,50 € från 15.10.2026'. A rate
    that began after the contract did says from when, too."""
    def dated(rate) -> str:
        day = fi_date(rate.valid_from)
        return f"{money(rate.rate_eur)} {day} alkaen" if language == "fi" else f"{money(rate.rate_eur)} från {day}"

    current = register.rate_for(task, on)
    later = sorted((r for r in register.fees if r.task == task and on < r.valid_from <= contract.valid_to),
                   key=lambda r: r.valid_from)
    parts = [] if current is None else [
        dated(current) if current.valid_from > contract.valid_from else money(current.rate_eur)]
    parts += [dated(rate) for rate in later]
    return "; ".join(parts)


# --- the two commands ---------------------------------------------------------------------------

def _missing_rate_warnings(register: Register, contract: Contract, missing: list[str]) -> list[Problem]:
    return [Problem(f"Contract {contract.contract_id}: no fee rate for task '{task}' valid on "
                    f"{fi_date(contract.valid_from)}; the document shows the task without a rate. Add the "
                    "rate to the fees sheet.", sheet="fees", field="task", code="no-rate")
            for task in missing]


FILE_NAME_PART_BYTES = 100


def _name_part(name: str) -> str:
    """`name` cut to whole characters within FILE_NAME_PART_BYTES bytes of UTF-8: a person's name in a file name
    (the id before it keeps the name unique) never makes the name too long for the file system."""
    return name.encode("utf-8")[:FILE_NAME_PART_BYTES].decode("utf-8", "ignore")


def contract_path(ws: Workspace, contract_id: str, last_name: str) -> Path:
    """Where `contracts` writes a contract: outputs/contracts/<contract_id>_<last name>.docx."""
    return ws.output("contracts", safe_filename(f"{contract_id}_{_name_part(last_name)}") + ".docx")


def intro_pack_path(ws: Workspace, unit_id: str, expert_id: str) -> Path:
    """Where `intro-packs` writes a unit's pack for an expert: outputs/intro-packs/<unit_id>_<expert_id>.docx."""
    return ws.output("intro-packs", safe_filename(f"{unit_id}_{expert_id}") + ".docx")


def _missing_party_details(ws: Workspace, languages: set[str]) -> list[Problem]:
    """A warning for each detail of the county that a contract's parties section would print empty."""
    organisation = ws.config["organisation"]
    keys = ["business_id"] + [f"postal_address_{language}" for language in sorted(languages)]
    return [Problem(f"kokemus.toml has no organisation.{key}; the contracts print it empty. Fill it in and "
                    "print the contracts again.", path="kokemus.toml", field=key, code="missing-setting")
            for key in keys if not _setting(organisation, key)]


def _render_selection(ws: Workspace, jobs: list[DocumentJob], formats: Sequence[str], progress: Progress | None,
                      errors: list[Problem], warnings: list[Problem], noun: str, folder: str) -> Outcome:
    """Render the jobs chosen from the register; the problems met while choosing come first."""
    outcome = render_documents(ws, jobs, formats, progress)
    outcome.errors[:0] = errors
    outcome.warnings[:0] = warnings
    outcome.summary.append(f"{len(outcome.extra['documents'])} of {len(jobs)} {noun} written "
                           f"to {ws.rel(ws.output(folder))}/")
    return outcome


def render_contracts(ws: Workspace, register: Register, *, expert_ids: Sequence[str] = (),
                     formats: Sequence[str] = ("docx",), progress: Progress | None = None) -> Outcome:
    """Assignment contracts, one per contracts row, in the expert's language.

    Written to outputs/contracts/<contract_id>_<last name>.docx (and .pdf). Inactive experts are left
    out with a warning; unknown ids and contracts naming missing experts or units are errors.
    """
    formats = check_formats(formats)
    selection = register.select_contracts(expert_ids=expert_ids)
    jobs, warnings = [], list(selection.warnings)
    if selection.contracts:
        warnings += _missing_party_details(ws, {register.experts[c.expert_id].document_language
                                                for c in selection.contracts})
    for contract in selection.contracts:
        expert = register.experts[contract.expert_id]
        context, missing = contract_context(ws, register, contract)
        warnings += _missing_rate_warnings(register, contract, missing)
        target = contract_path(ws, contract.contract_id, expert.last_name)
        jobs.append(DocumentJob(f"contract_{context['lang']}.docx", context, target,
                                {"kind": "contract", "contract_id": contract.contract_id,
                                 "expert_id": expert.expert_id, "unit_id": contract.unit_id,
                                 "language": context["lang"]}))
    return _render_selection(ws, jobs, formats, progress, selection.errors, warnings,
                             "assignment contracts", "contracts")


def render_intro_packs(ws: Workspace, register: Register, *, unit_ids: Sequence[str] = (),
                       expert_ids: Sequence[str] = (), formats: Sequence[str] = ("docx",),
                       progress: Progress | None = None) -> Outcome:
    """Introduction packs, one per unit and expert that have a contract together, in the expert's language.

    Written to outputs/intro-packs/<unit_id>_<expert_id>.docx (and .pdf). When a pair has several
    contracts, the pack shows the one that runs longest (the latest end date).
    """
    formats = check_formats(formats)
    selection = register.select_contracts(expert_ids=expert_ids, unit_ids=unit_ids)
    latest: dict[tuple[str, str], Contract] = {}
    for contract in selection.contracts:
        key = (contract.unit_id, contract.expert_id)
        current = latest.get(key)
        if current is None or (contract.valid_to, contract.valid_from) > (current.valid_to, current.valid_from):
            latest[key] = contract
    jobs, warnings = [], list(selection.warnings)
    for (unit_id, expert_id), contract in sorted(latest.items()):
        context, missing = intro_pack_context(ws, register, contract)
        warnings += _missing_rate_warnings(register, contract, missing)
        target = intro_pack_path(ws, unit_id, expert_id)
        jobs.append(DocumentJob(f"intro_pack_{context['lang']}.docx", context, target,
                                {"kind": "intro_pack", "unit_id": unit_id, "expert_id": expert_id,
                                 "contract_id": contract.contract_id, "language": context["lang"]}))
    return _render_selection(ws, jobs, formats, progress, selection.errors, warnings,
                             "introduction packs", "intro-packs")

