"""DOCX → PDF through LibreOffice, fast and without losing a batch to one bad document.

How a batch is converted:

* Documents made from the same template (identical styles, numbering, headers, relationships …) are
  *merged*: their bodies are joined into one Word document, each ending in its own section break
  (page numbers restart), with an invisible bookmark at the start of each. LibreOffice converts the
  merged document once, exports the bookmarks as PDF named destinations, and the PDF is cut back into
  one PDF per document at those destinations. Loading a document is most of LibreOffice's cost, so
  one large document is several times faster than many small ones.
* A page count (NUMPAGES) in a header or footer, as in "Sivu 1/3", would count the pages of the whole
  merged file. So each merged document gets its own copy of that header or footer in which the count
  is a page reference (PAGEREF) to a bookmark on the document's last paragraph: its last page number,
  which restarts with every document, is its page count.
* Documents that cannot be merged safely (other fields, footnotes, numbered lists, several sections,
  anything unreadable) are converted as they are, many files per LibreOffice call.
* Each worker runs its own `soffice` with its own profile (two processes sharing a profile fail).
  Every call has a timeout; a hung LibreOffice is killed with its whole process group. A batch that
  fails is split in two and each half retried, so one bad document ends up failing alone; a document
  on which LibreOffice hangs when converted alone is given one more try.
* Every PDF is written beside its DOCX through a temporary name and renamed: never a half PDF.
* Conversion need not wait for the whole batch: documents can be handed in as they are written,
  and a full merged batch goes to LibreOffice at once.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from queue import Queue
from typing import Any

import pikepdf
from lxml import etree

from kokemus_docs.core.errors import ConversionError
from kokemus_docs.core.fileio import atomic_path, make_folder
from kokemus_docs.core.report import Progress
from kokemus_docs.documents.office import find_soffice, run_group, soffice_command
from kokemus_docs.documents.scratch import remove_stale_temps, temp_prefix

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"

# PDF export options: bookmarks become named destinations (needed to cut merged PDFs);
# no heading outline, which costs a fifth of the export time and is not needed in short documents.
PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"false"}}'
)
# Documents per merged file. Each LibreOffice process costs ~1.3 s CPU to start, and its cost per
# document grows slowly with the size of the file (tables grow it fastest). Measured with the built-in
# contract (two pages, no tables), CPU per 1,000 contracts: ~36 s in batches of 100, ~30 s in batches
# of 250, ~29 s of 500; 250 keeps a batch's retry cheap and LibreOffice's memory near 210 MB.
MERGE_LIMIT = 250
SINGLES_LIMIT = 40  # unmerged documents per LibreOffice call
_MARK = "kokemussplit"
_END_MARK = "kokemusend"  # bookmark on a merged document's last paragraph: its page count

# Things that make a body unsafe to merge: fields (page counts, references), notes, comments,
# embedded section breaks. Numbered (not bulleted) lists are checked separately: their numbers
# would run on from one document into the next.
_UNMERGEABLE_BODY = re.compile(r"<w:(fldSimple|instrText|footnoteReference|endnoteReference|commentReference)\b")
# Fields a header or footer may hold in a merged file: page numbers restart per document, and a page
# count is rewritten per document (see above); a file name or a date would change. Page layouts that
# pair left and right pages would get blank pages inserted between documents.
_FIELD_INSTRUCTION = re.compile(rb'<w:instrText[^>]*>([^<]*)<|w:instr="([^"]*)"')
_PAGE_COUNT = b"NUMPAGES"
_SAFE_FIELDS = {b"PAGE", _PAGE_COUNT}
_PAGE_COUNT_TEXT = re.compile(rb'(<w:instrText[^>]*>)\s*NUMPAGES\b[^<]*<', re.IGNORECASE)
_PAGE_COUNT_SIMPLE = re.compile(rb'w:instr="\s*NUMPAGES\b[^"]*"', re.IGNORECASE)
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_PAIRED_PAGES = re.compile(rb"<w:(evenAndOddHeaders|mirrorMargins|bookFoldPrinting|bookFoldRevPrinting)\b")
_NUM_ID = re.compile(r'<w:numId w:val="(\d+)"')
_STYLE_USE = re.compile(r'<w:pStyle w:val="([^"]+)"')


@dataclass
class ConversionResult:
    """What `convert_many` produced: docx → pdf for each success, docx → message for each failure."""

    pdfs: dict[Path, Path] = field(default_factory=dict)
    failures: dict[Path, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


class _Timeout(Exception):
    pass


def _run_soffice(soffice: str, profile: Path, files: Sequence[Path], out_dir: Path, convert_to: str,
                 timeout: float) -> int:
    """One `soffice --convert-to` call in its own process group; killed as a whole on timeout.

    Returns the exit code: 0 even when a file could not be loaded (its output is just missing),
    anything else when LibreOffice itself crashed.
    """
    command = soffice_command(soffice, profile, "--convert-to", convert_to, "--outdir", str(out_dir),
                              *[str(f) for f in files])
    try:
        return run_group(command, timeout)
    except subprocess.TimeoutExpired:
        raise _Timeout() from None


def _complete_pdf(path: Path) -> bool:
    """True for a PDF that was written to the end (a crash can leave a truncated one)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


def soffice_convert(paths: Sequence[Path], out_dir: Path, fmt: str = "pdf", timeout: float = 180.0) -> dict[Path, Path]:
    """Convert `paths` with ONE LibreOffice call (own temporary profile) into `out_dir` as `fmt`.

    Returns input → output for every file LibreOffice produced; files it could not read are absent.
    Raises LibreOfficeMissing without soffice, ConversionError when the call times out.
    Output names are `<stem>.<ext>`, so inputs should have distinct stems.
    """
    soffice = find_soffice()
    remove_stale_temps()
    out_dir = Path(out_dir)
    make_folder(out_dir)
    ext = fmt.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix=temp_prefix("lo")) as profile:
        try:
            _run_soffice(soffice, Path(profile), [Path(p) for p in paths], out_dir, fmt, timeout)
        except _Timeout:
            raise ConversionError(f"LibreOffice did not finish within {timeout:g} s and was stopped.") from None
    result = {}
    for p in paths:
        target = out_dir / f"{Path(p).stem}.{ext}"
        if target.exists():
            result[Path(p)] = target
    return result


# ---------------------------------------------------------------- merging

@dataclass
class _Template:
    """What documents with one signature share: every part but the body, and how their lists count."""

    parts: dict[str, bytes]
    mergeable: bool
    counted: set[str] = field(default_factory=set)  # numIds whose lists count (1., a), i. …)
    page_count_parts: list[str] = field(default_factory=list)  # headers/footers showing NUMPAGES
    style_num: dict[str, str] = field(default_factory=dict)  # paragraph style id → numId


@dataclass
class _Doc:
    path: Path
    pdf: Path
    signature: str | None = None  # same signature → safe to merge together
    template: _Template | None = None
    info: dict[str, str] = field(default_factory=dict)  # PDF document info from docProps/core.xml


def _analyse(doc: _Doc, templates: dict[str, _Template]) -> None:
    """Decide whether `doc` can be merged with others of its template (and note its template)."""
    try:
        with zipfile.ZipFile(doc.path) as z:
            infos = z.infolist()
            body = z.read("word/document.xml")
            text = body.decode("utf-8")
            start = text.find("<w:body>")
            if start < 0 or not body.rstrip().endswith(b"</w:document>"):
                return
            if _UNMERGEABLE_BODY.search(text) or text.count("<w:sectPr") != 1:
                return
            # the shared parts are compared through the zip directory (CRC-32 and size of each part)
            hasher = sha256(text[:start].encode())
            for info in sorted(infos, key=lambda i: i.filename):
                if info.filename != "word/document.xml" and not info.filename.startswith("docProps/"):
                    hasher.update(f"{info.filename}\0{info.CRC:08x}\0{info.file_size}\n".encode())
            signature = hasher.hexdigest()
            if "docProps/core.xml" in z.namelist():
                doc.info = _document_info(z.read("docProps/core.xml"))
            if signature not in templates:
                templates[signature] = _template(
                    {info.filename: z.read(info) for info in infos if info.filename != "word/document.xml"}
                )
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError, etree.XMLSyntaxError):
        return
    template = templates[signature]
    if not template.mergeable or not _numbering_is_safe(template, text[start:]):
        return
    doc.signature = signature
    doc.template = template


_CORE_TO_PDF = {
    "{http://purl.org/dc/elements/1.1/}title": "/Title",
    "{http://purl.org/dc/elements/1.1/}subject": "/Subject",
    "{http://purl.org/dc/elements/1.1/}creator": "/Author",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords": "/Keywords",
}


def _document_info(core_xml: bytes) -> dict[str, str]:
    """Title, subject, author and keywords as LibreOffice would put them in the PDF."""
    info = {}
    for element in etree.fromstring(core_xml):
        key = _CORE_TO_PDF.get(element.tag)
        if key and element.text:
            info[key] = element.text
    return info


def _template(parts: dict[str, bytes]) -> _Template:
    mergeable = not _PAIRED_PAGES.search(parts.get("word/settings.xml", b""))
    page_count_parts = []
    for name, data in parts.items():
        if name.startswith(("word/header", "word/footer")):
            for found in _FIELD_INSTRUCTION.finditer(data):
                words = (found.group(1) or found.group(2) or b"").split()
                if words and words[0].upper() not in _SAFE_FIELDS:
                    mergeable = False
                elif words and words[0].upper() == _PAGE_COUNT and name not in page_count_parts:
                    page_count_parts.append(name)
    if page_count_parts and _DOCUMENT_RELS not in parts:
        mergeable = False
    template = _Template(parts, mergeable, page_count_parts=page_count_parts)
    if "word/numbering.xml" in parts:
        numbering = etree.fromstring(parts["word/numbering.xml"])
        counting_abstract = {
            abstract.get(f"{_W}abstractNumId")
            for abstract in numbering.iter(f"{_W}abstractNum")
            if any(fmt.get(f"{_W}val") not in ("bullet", "none") for fmt in abstract.iter(f"{_W}numFmt"))
        }
        for num in numbering.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None and ref.get(f"{_W}val") in counting_abstract:
                template.counted.add(num.get(f"{_W}numId"))
    if template.counted and "word/styles.xml" in parts:
        style_num = template.style_num
        styles = etree.fromstring(parts["word/styles.xml"])
        based_on: dict[str, str] = {}
        default_style = None
        for style in styles.iter(f"{_W}style"):
            style_id = style.get(f"{_W}styleId")
            num_id = style.find(f"{_W}pPr/{_W}numPr/{_W}numId")
            if num_id is not None:
                style_num[style_id] = num_id.get(f"{_W}val")
            parent = style.find(f"{_W}basedOn")
            if parent is not None:
                based_on[style_id] = parent.get(f"{_W}val")
            if style.get(f"{_W}default") == "1" and style.get(f"{_W}type") == "paragraph":
                default_style = style_id
        for style_id in list(based_on):
            seen, current = set(), style_id
            while current in based_on and current not in style_num and current not in seen:
                seen.add(current)
                current = based_on[current]
            if current in style_num:
                style_num.setdefault(style_id, style_num[current])
        if default_style in style_num:
            style_num[""] = style_num[default_style]
    return template


def _numbering_is_safe(template: _Template, body: str) -> bool:
    """False when the body has a counting list (its numbers would run on into the next document)."""
    if not template.counted:
        return True
    used = set(_NUM_ID.findall(body)) | {template.style_num.get(style) for style in _STYLE_USE.findall(body)}
    used.add(template.style_num.get(""))
    return not (used & template.counted)


def _merge(docs: Sequence[_Doc], target: Path) -> None:
    """Join the bodies of `docs` (same signature) into one .docx, one section and bookmark per document.

    The merged body is streamed into the zip one document at a time: memory holds one body, not all.
    """
    template = docs[0].template
    assert template is not None
    parts = dict(template.parts)
    own_parts = _own_page_count_parts(template, len(docs), parts)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        with z.open("word/document.xml", "w") as out:
            for index, doc in enumerate(docs):
                with zipfile.ZipFile(doc.path) as source:
                    xml = source.read("word/document.xml")
                if index == 0:
                    # the document element and its namespaces: the same in every document of the group
                    out.write(xml[:xml.index(b"<w:body>") + len(b"<w:body>")])
                out.write(_merge_body(etree.fromstring(xml), index, is_last=index == len(docs) - 1,
                                      own_parts=own_parts[index]))
            out.write(b"</w:body></w:document>")


def _page_count_reference(bookmark: bytes):
    """A re.sub replacement that makes a NUMPAGES field count up to `bookmark` (PAGEREF) instead."""
    def replace(found: re.Match[bytes]) -> bytes:
        return found.group(1) + b" " + bookmark + b" <"
    return replace


def _own_page_count_parts(template: _Template, count: int, parts: dict[str, bytes]) -> list[dict[str, str]]:
    """Per document, its own copy of each header/footer that shows the page count (added to `parts`,
    with relationships and content types), the count a PAGEREF to the document's end bookmark.

    Returns, per document, the relationship id of each original part → the id of the document's copy.
    """
    if not template.page_count_parts:
        return [{} for _ in range(count)]
    rels = etree.fromstring(parts[_DOCUMENT_RELS])
    types = etree.fromstring(parts["[Content_Types].xml"])
    by_target = {rel.get("Target").lstrip("/").removeprefix("word/"): rel for rel in rels}
    overrides = {override.get("PartName"): override for override in types}
    mapping: list[dict[str, str]] = [{} for _ in range(count)]
    for number, name in enumerate(template.page_count_parts):
        rel = by_target.get(name.removeprefix("word/"))
        override = overrides.get("/" + name)
        if rel is None or override is None:
            raise ValueError(f"{name} has no relationship or content type")
        stem = posixpath.splitext(name)[0]
        for index in range(count):
            bookmark = f"PAGEREF {_END_MARK}{index:05d}".encode()
            data = _PAGE_COUNT_TEXT.sub(_page_count_reference(bookmark), parts[name])
            data = _PAGE_COUNT_SIMPLE.sub(b'w:instr=" ' + bookmark + b' "', data)
            copy_name = f"{stem}_{index:05d}.xml"
            parts[copy_name] = data
            rel_id = f"rIdKokemus{number}x{index}"
            copy_rel = etree.SubElement(rels, f"{{{_REL_NS}}}Relationship")
            copy_rel.set("Id", rel_id)
            copy_rel.set("Type", rel.get("Type"))
            copy_rel.set("Target", copy_name.removeprefix("word/"))
            copy_override = etree.SubElement(types, f"{{{_CT_NS}}}Override")
            copy_override.set("PartName", "/" + copy_name)
            copy_override.set("ContentType", override.get("ContentType"))
            mapping[index][rel.get("Id")] = rel_id
    parts[_DOCUMENT_RELS] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    return mapping


def _merge_body(root: etree._Element, index: int, is_last: bool, own_parts: dict[str, str] | None = None) -> bytes:
    """The content of one document's body, ready to follow the previous one in a merged body.

    `own_parts` maps a header/footer relationship id to the id of this document's own copy.
    """
    own_parts = own_parts or {}
    body = root.find(f"{_W}body")
    children = list(body)
    if len(children) < 2 or children[-1].tag != f"{_W}sectPr" or children[-2].tag != f"{_W}p":
        raise ValueError("unexpected document structure")
    sect = children[-1]
    # page numbers restart in every document, and every document starts on a new page
    numtype = sect.find(f"{_W}pgNumType")
    if numtype is None:
        numtype = etree.Element(f"{_W}pgNumType")
        cols = sect.find(f"{_W}cols")
        if cols is not None:
            cols.addprevious(numtype)
        else:
            sect.append(numtype)
    if numtype.get(f"{_W}start") is None:
        numtype.set(f"{_W}start", "1")
    sect_type = sect.find(f"{_W}type")
    if sect_type is not None:
        sect_type.set(f"{_W}val", "nextPage")
    for reference in sect.findall(f"{_W}headerReference") + sect.findall(f"{_W}footerReference"):
        if reference.get(_R_ID) in own_parts:
            reference.set(_R_ID, own_parts[reference.get(_R_ID)])
        elif index:
            # a section without header/footer references repeats the previous section's ones (the same
            # parts here); LibreOffice then need not build a copy of them per document
            sect.remove(reference)
    first_para = body.find(f".//{_W}p")
    ppr = first_para.find(f"{_W}pPr")
    position = 0 if ppr is None else list(first_para).index(ppr) + 1
    for offset, tag in enumerate(("bookmarkStart", "bookmarkEnd")):
        mark = etree.Element(f"{_W}{tag}")
        mark.set(f"{_W}id", str(900000 + index))
        if tag == "bookmarkStart":
            mark.set(f"{_W}name", f"{_MARK}{index:05d}")
        first_para.insert(position + offset, mark)
    if own_parts:  # the page count of this document: the page number of its last paragraph
        for tag in ("bookmarkStart", "bookmarkEnd"):
            mark = etree.SubElement(children[-2], f"{_W}{tag}")
            mark.set(f"{_W}id", str(800000 + index))
            if tag == "bookmarkStart":
                mark.set(f"{_W}name", f"{_END_MARK}{index:05d}")
    if not is_last:  # the section ends with the document's last paragraph
        body.remove(sect)
        _put_section_in(children[-2], sect)
    xml = etree.tostring(body, encoding="UTF-8")
    # without the <w:body ...> wrapper: the merged file's document element declares the namespaces
    return xml[xml.index(b">") + 1:xml.rindex(b"</w:body>")]


def _put_section_in(paragraph: etree._Element, sect: etree._Element) -> None:
    ppr = paragraph.find(f"{_W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{_W}pPr")
        paragraph.insert(0, ppr)
    ppr.append(sect)


def _split(merged_pdf: Path, docs: Sequence[_Doc]) -> list[tuple[_Doc, Path]]:
    """Cut the merged PDF at the documents' named destinations; raises ValueError if they don't add up.

    (qpdf through pikepdf: four times faster than pypdf at this, which matters at 1,000 documents.)
    """
    with pikepdf.open(merged_pdf) as merged:
        page_index: dict[Any, int] = {page.objgen: number for number, page in enumerate(merged.pages)}
        starts = []
        for index in range(len(docs)):
            dest = _named_destination(merged, f"{_MARK}{index:05d}")
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
            if not isinstance(dest, pikepdf.Array) or len(dest) == 0 or dest[0].objgen not in page_index:
                raise ValueError(f"no start mark for document {index}")
            starts.append(page_index[dest[0].objgen])
        total = len(merged.pages)
        if starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:], strict=False)) or starts[-1] >= total:
            raise ValueError("document start marks out of order")
        shared_info = {key: str(merged.docinfo[key]) for key in ("/Creator", "/Producer", "/CreationDate")
                       if key in merged.docinfo}
        written = []
        for index, doc in enumerate(docs):
            end = starts[index + 1] if index + 1 < len(docs) else total
            with pikepdf.new() as part:
                part.pages.extend(merged.pages[starts[index]:end])
                for key, value in {**shared_info, **doc.info}.items():
                    part.docinfo[key] = value
                with atomic_path(doc.pdf) as tmp:
                    part.save(tmp)
            written.append((doc, doc.pdf))
    return written


def _named_destination(pdf: pikepdf.Pdf, name: str) -> object:
    """The destination called `name`: from the catalog's /Dests (LibreOffice) or the /Names tree."""
    dests = pdf.Root.get("/Dests")
    if isinstance(dests, pikepdf.Dictionary) and f"/{name}" in dests:
        return dests[f"/{name}"]
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        tree = pikepdf.NameTree(names.Dests)
        if name in tree:
            return tree[name]
    return None


# ---------------------------------------------------------------- jobs

@dataclass
class _Job:
    docs: list[_Doc]
    merged: bool
    retry: bool = False  # a second try after LibreOffice hung or crashed on a batch holding these


@dataclass
class _JobResult:
    done: list[_Doc] = field(default_factory=list)
    failed: dict[Path, str] = field(default_factory=dict)
    retry: list[_Job] = field(default_factory=list)


def _halves(job: _Job) -> list[_Job]:
    middle = len(job.docs) // 2
    return [_Job(part, job.merged and len(part) > 1, retry=True) for part in (job.docs[:middle], job.docs[middle:])]


def _run_job(job: _Job, soffice: str, profiles: Queue, timeout: float) -> _JobResult:
    result = _JobResult()
    profile = profiles.get()
    try:
        with tempfile.TemporaryDirectory(prefix=temp_prefix("pdf")) as work_name:
            work = Path(work_name)
            if job.merged:
                _run_merged(job, soffice, profile, work, timeout, result)
            else:
                _run_singles(job, soffice, profile, work, timeout, result)
    finally:
        profiles.put(profile)
    return result


def _timeout_message(timeout: float) -> str:
    return (f"LibreOffice did not finish converting it within {timeout:g} s and was stopped; "
            "open the file in Word or LibreOffice to check it is not damaged.")


def _run_merged(job: _Job, soffice: str, profile: Path, work: Path, timeout: float, result: _JobResult) -> None:
    merged = work / "merged.docx"
    try:
        _merge(job.docs, merged)
        _run_soffice(soffice, profile, [merged], work, PDF_EXPORT, timeout)
        if not _complete_pdf(work / "merged.pdf"):
            raise ValueError("LibreOffice made no complete PDF of the merged documents")
        result.done.extend(doc for doc, _ in _split(work / "merged.pdf", job.docs))
    except _Timeout:
        # one document may hang LibreOffice: try each half (still merged) until it is found
        result.retry.extend(_halves(job))
    except Exception:  # any other trouble with the merged file
        # Not necessarily a bad document: convert these unmerged, many files per call, instead.
        result.retry.append(_Job(job.docs, merged=False))


def _run_singles(job: _Job, soffice: str, profile: Path, work: Path, timeout: float, result: _JobResult) -> None:
    # Copies under short unique names: same stems in different folders would overwrite each other.
    inputs = []
    for index, doc in enumerate(job.docs):
        copy = work / f"d{index:05d}.docx"
        shutil.copyfile(doc.path, copy)
        inputs.append(copy)
    try:
        exit_code = _run_soffice(soffice, profile, inputs, work, PDF_EXPORT, timeout)
    except _Timeout:
        if len(job.docs) == 1 and job.retry:
            result.failed[job.docs[0].path] = _timeout_message(timeout)
        elif len(job.docs) == 1:  # a hang may be passing: once more before giving up
            result.retry.append(_Job(job.docs, merged=False, retry=True))
        else:
            result.retry.extend(_halves(job))
        return
    missing = []
    for doc, copy in zip(job.docs, inputs, strict=True):
        produced = copy.with_suffix(".pdf")
        if _complete_pdf(produced):
            with atomic_path(doc.pdf) as tmp:
                shutil.copyfile(produced, tmp)
            result.done.append(doc)
        else:
            missing.append(doc)
    if exit_code != 0 and len(missing) > 1:
        # LibreOffice crashed part-way: the documents it did not reach are not to blame yet
        result.retry.extend(_halves(_Job(missing, merged=False)))
        return
    for doc in missing:
        result.failed[doc.path] = (
            "LibreOffice stopped unexpectedly while converting this file; it may be damaged. "
            "Open it in Word or LibreOffice and save it again as .docx."
            if exit_code != 0 else
            "LibreOffice could not read this file; it may be damaged or not a Word document. "
            "Open it in Word or LibreOffice and save it again as .docx."
        )


class _Planner:
    """Groups documents as they arrive into jobs: merged batches per template, the rest in plain batches.

    A group's batch is handed out as soon as it is full, so LibreOffice starts while later documents
    are still being written; what is left is handed out by `finish`, largest first.
    """

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.groups: dict[str, list[_Doc]] = {}
        self.singles: list[_Doc] = []

    def add(self, doc: _Doc) -> list[_Job]:
        if doc.signature is None:
            self.singles.append(doc)
            if len(self.singles) < SINGLES_LIMIT:
                return []
            full, self.singles = self.singles, []
            return [_Job(full, merged=False)]
        members = self.groups.setdefault(doc.signature, [])
        members.append(doc)
        if len(members) < self.batch_size:
            return []
        del self.groups[doc.signature]
        return [_Job(members, merged=True)]

    def finish(self) -> list[_Job]:
        jobs = []
        for members in self.groups.values():
            if len(members) == 1:
                self.singles.extend(members)
            else:
                jobs.append(_Job(members, merged=True))
        for start in range(0, len(self.singles), SINGLES_LIMIT):
            jobs.append(_Job(self.singles[start:start + SINGLES_LIMIT], merged=False))
        self.groups, self.singles = {}, []
        return sorted(jobs, key=lambda job: -len(job.docs))


def batch_size(expected: int, workers: int) -> int:
    """Documents per merged batch: every worker gets work, no batch above MERGE_LIMIT."""
    return max(2, min(MERGE_LIMIT, -(-expected // max(1, workers))))


def convert_many(docx_paths: Iterable[Path], *, workers: int | None = None, timeout: float = 180.0,
                 progress: Progress | None = None, expected: int | None = None) -> ConversionResult:
    """Convert Word documents to PDF, each written beside its .docx (same stem, .pdf).

    `docx_paths` may be a generator that is still writing the documents: conversion starts as soon as
    a batch is complete (`expected`, the number it will yield, sizes the batches; a list's own length
    is used when not given). `workers` LibreOffice processes run side by side (default: the number of
    cores); `timeout` (seconds) bounds each LibreOffice call. A document that cannot be converted is
    reported in `failures` with a message; the others are converted all the same. `progress(done,
    total, label)` is called as documents finish. Raises LibreOfficeMissing when LibreOffice is not
    installed.
    """
    soffice = find_soffice()
    remove_stale_temps()
    if expected is None:
        docx_paths = list(docx_paths)
        expected = len(docx_paths)
    workers = max(1, min(workers or os.cpu_count() or 1, expected or 1))
    result = ConversionResult()
    docs: list[_Doc] = []
    templates: dict[str, _Template] = {}
    planner = _Planner(batch_size(expected, workers))
    done_count = 0

    def report(outcome: _JobResult) -> None:
        nonlocal done_count
        for doc in outcome.done:
            result.pdfs[doc.path] = doc.pdf
        result.failures.update(outcome.failed)
        done_count += len(outcome.done) + len(outcome.failed)
        if progress is not None and (outcome.done or outcome.failed):
            last = (outcome.done[-1].path if outcome.done else Path(next(reversed(outcome.failed)))).name
            progress(done_count, max(expected, len(docs)), last)

    with tempfile.TemporaryDirectory(prefix=temp_prefix("profiles")) as profiles_dir, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        profiles: Queue = Queue()
        for number in range(workers):
            profiles.put(Path(profiles_dir) / f"worker{number}")
        running: set[Future] = set()

        def collect(block: bool) -> None:
            nonlocal running
            if not running:
                return
            finished, running = wait(running, timeout=None if block else 0, return_when=FIRST_COMPLETED)
            for future in finished:
                outcome: _JobResult = future.result()
                report(outcome)
                for job in outcome.retry:
                    running.add(pool.submit(_run_job, job, soffice, profiles, timeout))

        seen: set[Path] = set()
        for raw in docx_paths:
            path = Path(raw)
            if path in seen:
                continue
            seen.add(path)
            if not path.is_file():
                result.failures[path] = "File not found."
                continue
            doc = _Doc(path, path.with_suffix(".pdf"))
            _analyse(doc, templates)
            docs.append(doc)
            for job in planner.add(doc):
                running.add(pool.submit(_run_job, job, soffice, profiles, timeout))
            collect(block=False)
        for job in planner.finish():
            running.add(pool.submit(_run_job, job, soffice, profiles, timeout))
        while running:
            collect(block=True)
    # keep the caller's order
    result.pdfs = {doc.path: result.pdfs[doc.path] for doc in docs if doc.path in result.pdfs}
    return result
