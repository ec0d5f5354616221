"""Compiled Word templates: a .docx template loaded once, then rendered for many contexts.

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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.oxml import parse_xml as parse_part_xml
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml as parse_document_xml
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from kokemus_docs.core.errors import TemplateError
from kokemus_docs.core.fileio import write_bytes_atomic

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
