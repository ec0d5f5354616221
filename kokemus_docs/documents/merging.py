"""Joining Word documents made from one template into one document, and cutting its PDF back apart.

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
  anything unreadable) are left unmerged.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any

import pikepdf
from lxml import etree

from kokemus_docs.core.fileio import atomic_path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"
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
class SharedParts:
    """What documents with one signature share: every part but the body, and how their lists count."""

    parts: dict[str, bytes]
    mergeable: bool
    counted: set[str] = field(default_factory=set)  # numIds whose lists count (1., a), i. …)
    page_count_parts: list[str] = field(default_factory=list)  # headers/footers showing NUMPAGES
    style_num: dict[str, str] = field(default_factory=dict)  # paragraph style id → numId


@dataclass
class DocxFile:
    """One Word document to convert, its PDF beside it, and what `analyse` found: may it merge, with which."""

    path: Path
    pdf: Path
    signature: str | None = None  # same signature → safe to merge together
    template: SharedParts | None = None
    info: dict[str, str] = field(default_factory=dict)  # PDF document info from docProps/core.xml


def analyse(doc: DocxFile, templates: dict[str, SharedParts]) -> None:
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


def _template(parts: dict[str, bytes]) -> SharedParts:
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
    template = SharedParts(parts, mergeable, page_count_parts=page_count_parts)
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


def _numbering_is_safe(template: SharedParts, body: str) -> bool:
    """False when the body has a counting list (its numbers would run on into the next document)."""
    if not template.counted:
        return True
    used = set(_NUM_ID.findall(body)) | {template.style_num.get(style) for style in _STYLE_USE.findall(body)}
    used.add(template.style_num.get(""))
    return not (used & template.counted)


def merge(docs: Sequence[DocxFile], target: Path) -> None:
    """Join the bodies of `docs` (same signature) into one .docx, one section and bookmark per document.

    The merged body is streamed into the zip one document at a time: memory holds one body, not all.
    ValueError, with nothing written, when there is nothing to merge or a document was not found mergeable by
    `analyse` with the first one (the caller then converts them one by one).
    """
    if not docs:
        raise ValueError("no documents to merge")
    first, template = docs[0], docs[0].template
    if template is None or first.signature is None:
        raise ValueError(f"{first.path.name} cannot be merged: analyse() did not find it safe to join")
    for doc in docs[1:]:
        if doc.signature != first.signature:
            raise ValueError(f"{doc.path.name} cannot be merged with {first.path.name}: "
                             "analyse() did not find them of the same template, safe to join")
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


def _own_page_count_parts(template: SharedParts, count: int, parts: dict[str, bytes]) -> list[dict[str, str]]:
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


def split_pdf(merged_pdf: Path, docs: Sequence[DocxFile]) -> list[tuple[DocxFile, Path]]:
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
