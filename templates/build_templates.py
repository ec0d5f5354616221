"""Build the Word templates shipped in kokemus_docs/templates/ (run: python templates/build_templates.py).

Each template is an ordinary .docx a coordinator can open and edit in Word or LibreOffice. The
placeholders are docxtpl/Jinja tags: `{{ expert.full_name }}` for a value, `{%p if ... %}` /
`{%p endfor %}` on a paragraph of their own, `{%tr for ... %}` / `{%tr endfor %}` in a table row of
their own. Every tag sits inside one run so Word cannot split it.

The output is reproducible: fixed document properties, fixed zip entry dates and order, so running
the script twice gives identical bytes and a change in the committed templates is a real change.

Beside it: `docx_blocks.py` (the building blocks: styles, paragraphs, tables, signature lines, header and footer)
and one module per template with its Finnish and Swedish texts and layout (`contract_template.py`,
`intro_pack_template.py`, `fee_notice_template.py`).
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from contract_template import build_contract
from docx import Document
from fee_notice_template import build_fee_notice
from intro_pack_template import build_intro_pack

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "kokemus_docs" / "templates"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


BUILDERS: dict[str, Callable[[], Document]] = {
    "contract_fi.docx": lambda: build_contract("fi"),
    "contract_sv.docx": lambda: build_contract("sv"),
    "intro_pack_fi.docx": lambda: build_intro_pack("fi"),
    "intro_pack_sv.docx": lambda: build_intro_pack("sv"),
    "fee_notice_fi.docx": lambda: build_fee_notice("fi"),
    "fee_notice_sv.docx": lambda: build_fee_notice("sv"),
}


def reproducible_bytes(doc: Document) -> bytes:
    """The document as .docx bytes with fixed entry dates, attributes and order."""
    raw = io.BytesIO()
    doc.save(raw)
    with zipfile.ZipFile(raw) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    order = ["[Content_Types].xml"] + sorted(name for name in entries if name != "[Content_Types].xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def build_all(output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Write every template into `output_dir` and return their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in BUILDERS.items():
        target = output_dir / name
        target.write_bytes(reproducible_bytes(builder()))
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR, help=f"output folder (default {OUTPUT_DIR})")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
