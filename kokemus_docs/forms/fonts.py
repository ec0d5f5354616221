"""A Unicode TrueType font for the PDFs kokemus-docs writes itself (the hour form).

The standard PDF fonts (Helvetica with WinAnsiEncoding) stop at Latin-1: 'Łukasz Nguyễn-Čačić' would print
as '?ukasz Nguyen-Cacic'. The hour form therefore embeds DejaVu Sans, subset by fontTools to the Latin
script (Basic Latin, Latin-1, Latin Extended-A and -B, Latin Extended Additional, common punctuation, €),
as a composite font (Type0, CIDFontType2, Identity-H) with a ToUnicode map:

- every character an expert types in a Latin-script language is in the font, so a viewer that redraws a
  field after editing (Acrobat, PDFium, pdf.js, MuPDF, pdftk, poppler) finds its glyph in the form's own
  font resources (/DR);
- text is encoded as two-byte glyph ids, and the ToUnicode map lets text extraction (pdftotext, PyMuPDF,
  pdfplumber, search, copy and paste) give back the characters.

A subset of the whole Latin script is about 47 KB (27 KB compressed) per style, instead of 700 KB for the
whole font. The fonts come from the system's DejaVu package (fonts-dejavu-core on Debian).

Form fields name their font in /DA, and some tools that fill forms (pdftk) can only write text in a simple
font of at most 255 characters. `field_font` is that font: DejaVu Sans with one-byte codes for ASCII,
Latin-1 and the letters of the other European Latin alphabets (Polish, Czech, Slovak, Croatian, Hungarian,
Romanian, Turkish, Latvian, Lithuanian, Estonian). Appearance streams that kokemus-docs writes itself use
the composite font and so show any Latin-script text.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kokemus_docs.core.errors import KokemusError

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path.home() / ".local/share/fonts",
)
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}

# The characters every embedded font covers: what people type in Latin-script languages.
LATIN_RANGES = (
    (0x20, 0x7E), (0xA0, 0x24F), (0x1E00, 0x1EFF), (0x2010, 0x2027), (0x2030, 0x203A), (0x20AC, 0x20AC),
    (0x2122, 0x2122), (0x2212, 0x2212),
)
# The characters of the one-byte field font, beyond ASCII and the letters of Latin-1.
FIELD_EXTRA = ("«»°§·€–—‘’“”…•ŒœŸ"
               "ĄąĆćĘęŁłŃńŚśŹźŻżČčĎďĚěŇňŘřŠšŤťŮůŽžĹĺĽľĐđŐőŰűĂăȘșȚțĞğİıŞşĀāĒēĢģĪīĶķĻļŅņŪūĖėĮįŲų")
# Glyph names that Adobe's glyph list knows but fontTools' AGLFN table does not.
GLYPH_NAMES = {0x0122: "Gcommaaccent", 0x0123: "gcommaaccent", 0x0136: "Kcommaaccent", 0x0137: "kcommaaccent",
               0x013B: "Lcommaaccent", 0x013C: "lcommaaccent", 0x0145: "Ncommaaccent", 0x0146: "ncommaaccent",
               0x0218: "Scommaaccent", 0x0219: "scommaaccent"}
KEPT_TABLES = ("cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "OS/2", "post")


class FontMissing(KokemusError):
    """The DejaVu fonts the hour form embeds are not installed."""


def find_font_file(style: str) -> Path:
    """The DejaVu Sans file of `style` ('regular' or 'bold') on this system."""
    name = FONT_FILES[style]
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FontMissing(f"The font {name} is not installed; the hour form embeds it so that every name shows as typed. "
                      "Install the DejaVu fonts (Debian/Ubuntu: sudo apt-get install fonts-dejavu-core).",
                      code="font-missing")


@dataclass(frozen=True)
class EmbeddedFont:
    """A TrueType subset ready to be written into a PDF as a Type0 font with Identity-H encoding."""

    base_name: str  # PostScript name with the subset tag, e.g. 'KDKSAB+DejaVuSans'
    glyphs: dict[int, int]  # code point -> glyph id in the subset (= CID)
    widths: tuple[int, ...]  # advance width of each glyph id, in 1/1000 of the font size
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    program: bytes  # the subset TrueType file
    bold: bool = False
    codes: dict[int, int] | None = None  # a simple (one-byte) font: code point -> character code

    @property
    def object_count(self) -> int:
        """How many PDF objects `objects` writes: 5 for a composite font, 4 for a simple one."""
        return 4 if self.codes is not None else 5

    def covers(self, char: str) -> bool:
        return ord(char) in (self.codes if self.codes is not None else self.glyphs)

    def shown(self, text: str) -> str:
        """`text` as this font can show it: a character it lacks becomes its unaccented letter, else '?'."""
        if all(self.covers(ch) for ch in text):
            return text
        out = []
        for ch in text:
            if self.covers(ch):
                out.append(ch)
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if self.covers(c)
                           and not unicodedata.combining(c))
            out.append(base or ("" if unicodedata.category(ch).startswith("C") else "?"))
        return "".join(out)

    def encode(self, text: str) -> bytes:
        """A content-stream string operand (hex: two bytes per glyph, one byte per code in a simple font)."""
        if self.codes is not None:
            codes = self.codes
            return b"<" + "".join(f"{codes[ord(ch)]:02X}" for ch in self.shown(text)).encode("ascii") + b">"
        glyphs = self.glyphs
        return b"<" + "".join(f"{glyphs[ord(ch)]:04X}" for ch in self.shown(text)).encode("ascii") + b">"

    def width(self, text: str, size: float) -> float:
        """The advance width of `text` at `size` points."""
        widths, glyphs = self.widths, self.glyphs
        return sum(widths[glyphs[ord(ch)]] for ch in self.shown(text)) * size / 1000

    def objects(self, numbers: tuple[int, ...]) -> list[tuple[int, bytes]]:
        """The PDF objects of this font under `numbers` (`object_count` of them; the font itself is the first).

        Composite: Type0 font, CIDFontType2, descriptor, font file, ToUnicode. Simple: TrueType font with a
        /Differences encoding, descriptor, font file, ToUnicode.
        """
        name = b"/" + self.base_name.encode("ascii")
        if self.codes is not None:
            font, descriptor, program, to_unicode = numbers
            by_code = sorted((code, cp) for cp, code in self.codes.items())
            first, last = by_code[0][0], by_code[-1][0]
            width_of = {code: self.widths[self.glyphs[cp]] for code, cp in by_code}
            widths = b" ".join(b"%d" % width_of.get(code, 0) for code in range(first, last + 1))
            differences = b" ".join(b"%d /%b" % (code, glyph_name(cp).encode("ascii")) for code, cp in by_code)
            fonts = [(font, b"<< /Type /Font /Subtype /TrueType /BaseFont %b /FirstChar %d /LastChar %d /Widths [%b]"
                            b" /Encoding << /Type /Encoding /Differences [%b] >> /FontDescriptor %b /ToUnicode %b >>"
                      % (name, first, last, widths, differences, _ref(descriptor), _ref(to_unicode)))]
            cmap = _to_unicode_cmap({cp: code for code, cp in by_code}, one_byte=True)
        else:
            font, cid_font, descriptor, program, to_unicode = numbers
            widths = b" ".join(b"%d" % w for w in self.widths)
            fonts = [
                (font, b"<< /Type /Font /Subtype /Type0 /BaseFont %b /Encoding /Identity-H /DescendantFonts [%b]"
                       b" /ToUnicode %b >>" % (name, _ref(cid_font), _ref(to_unicode))),
                (cid_font, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont %b /CIDSystemInfo << /Registry (Adobe)"
                           b" /Ordering (Identity) /Supplement 0 >> /FontDescriptor %b /CIDToGIDMap /Identity"
                           b" /DW 1000 /W [0 [%b]] >>" % (name, _ref(descriptor), widths)),
            ]
            cmap = _to_unicode_cmap(self.glyphs)
        flags = 32 | (1 << 18 if self.bold else 0)  # nonsymbolic; force bold
        bbox = b" ".join(b"%d" % v for v in self.bbox)
        descriptor_dict = (b"<< /Type /FontDescriptor /FontName %b /Flags %d /FontBBox [%b] /ItalicAngle 0 /Ascent %d"
                           b" /Descent %d /CapHeight %d /StemV %d /FontFile2 %b >>"
                           % (name, flags, bbox, self.ascent, self.descent, self.cap_height, 140 if self.bold else 80,
                              _ref(program)))
        return [*fonts, (descriptor, descriptor_dict),
                (program, _stream(zlib.compress(self.program, 9), b"/Length1 %d " % len(self.program))),
                (to_unicode, _stream(zlib.compress(cmap, 9)))]


def _stream(compressed: bytes, extra: bytes = b"") -> bytes:
    return b"<< %b/Filter /FlateDecode /Length %d >>\nstream\n%b\nendstream" % (extra, len(compressed), compressed)


def _ref(number: int) -> bytes:
    return str(number).encode() + b" 0 R"


def glyph_name(code_point: int) -> str:
    """The Adobe glyph list name of a character ('Lslash'), else 'uniXXXX'."""
    from fontTools.agl import UV2AGL

    return GLYPH_NAMES.get(code_point) or UV2AGL.get(code_point) or f"uni{code_point:04X}"


def _to_unicode_cmap(glyphs: dict[int, int], one_byte: bool = False) -> bytes:
    """A ToUnicode CMap from {code point: character code} (glyph ids of a composite font, or one-byte codes)."""
    digits = 2 if one_byte else 4
    pairs = sorted((gid, cp) for cp, gid in glyphs.items())
    first: dict[int, int] = {}
    for gid, cp in pairs:
        first.setdefault(gid, cp)  # one character per glyph
    unique = list(first.items())
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<00> <FF>" if one_byte else b"<0000> <FFFF>", b"endcodespacerange"]
    for start in range(0, len(unique), 100):
        chunk = unique[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [f"<{gid:0{digits}X}> <{cp:04X}>".encode() for gid, cp in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def latin_code_points() -> list[int]:
    return [cp for first, last in LATIN_RANGES for cp in range(first, last + 1)]


@lru_cache(maxsize=4)
def latin_font(style: str = "regular") -> EmbeddedFont:
    """DejaVu Sans (`style` 'regular' or 'bold') subset to the Latin script, loaded once per process."""
    return subset_font(find_font_file(style), tuple(latin_code_points()), bold=style == "bold")


@lru_cache(maxsize=1)
def field_font() -> EmbeddedFont:
    """The one-byte DejaVu Sans that form fields name in /DA: ASCII, Latin-1 letters and FIELD_EXTRA.

    Characters of Windows-1252 keep their code there; the others take the codes left free.
    """
    wanted = [*range(0x20, 0x7F), *range(0xC0, 0x100), *(ord(ch) for ch in FIELD_EXTRA)]
    codes: dict[int, int] = {}
    for cp in wanted:
        try:
            byte = chr(cp).encode("cp1252")[0]
        except UnicodeEncodeError:
            continue
        codes[cp] = byte
    free = (code for code in range(1, 256) if code not in set(codes.values()) and not 0x20 <= code < 0x7F)
    for cp in wanted:
        if cp not in codes:
            codes[cp] = next(free)
    font = subset_font(latin_font("regular").program, tuple(wanted))  # cut from the Latin subset: faster
    missing = [cp for cp in codes if cp not in font.glyphs]
    if missing:
        raise FontMissing(f"{find_font_file('regular')} lacks characters the form fields need "
                          f"({''.join(map(chr, missing))}); install the DejaVu fonts.", code="font-missing")
    return EmbeddedFont(**{**font.__dict__, "codes": codes})


def subset_font(source: Path | bytes, code_points: tuple[int, ...], bold: bool = False) -> EmbeddedFont:
    """The TrueType font at `source` (a path or the font's bytes) cut down to `code_points` (those it has),
    without hinting or layout tables."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    try:
        # recalcTimestamp=False: the same font in every process (a new 'modified' time would change the subset's
        # bytes and so its tag, and forms issued by one run would not match the font of the next)
        font = TTFont(io.BytesIO(source) if isinstance(source, bytes) else source, lazy=True, recalcTimestamp=False)
    except Exception as exc:  # a damaged font file
        raise FontMissing(f"The font file {source if isinstance(source, Path) else 'DejaVu Sans'} cannot be read "
                          f"({type(exc).__name__}); reinstall the DejaVu fonts.",
                          code="font-missing") from None
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.name_languages = [0x409]
    options.drop_tables += [tag for tag in font.keys() if tag not in KEPT_TABLES and tag != "GlyphOrder"]
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    program = buffer.getvalue()

    order = {name: index for index, name in enumerate(font.getGlyphOrder())}
    glyphs = {cp: order[name] for cp, name in font.getBestCmap().items()}
    scale = 1000 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = tuple(round(metrics[name][0] * scale) for name in font.getGlyphOrder())
    head, hhea = font["head"], font["hhea"]
    cap_height = getattr(font["OS/2"], "sCapHeight", 0) or hhea.ascent
    tag = "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(program).digest()[:6])
    postscript = font["name"].getDebugName(6) or "DejaVuSans"
    return EmbeddedFont(
        base_name=f"{tag}+{postscript}", glyphs=glyphs, widths=widths, ascent=round(hhea.ascent * scale),
        descent=round(hhea.descent * scale), cap_height=round(cap_height * scale),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)), program=program,
        bold=bold)


__all__ = ["EmbeddedFont", "FontMissing", "latin_font", "field_font", "subset_font", "find_font_file", "LATIN_RANGES"]
