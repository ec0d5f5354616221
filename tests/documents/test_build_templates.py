"""The script that builds the shipped Word templates: reproducible, byte for byte what is committed."""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path

import docx
import pytest

from kokemus_docs.core.workspace import builtin_template
from tests.documents.test_documents import TEMPLATE_NAMES

REPO = Path(__file__).resolve().parents[2]


def _load_builder(monkeypatch, name: str = "build_templates"):
    """A module of the templates/ scripts, imported as the script itself imports its neighbours."""
    monkeypatch.syspath_prepend(str(REPO / "templates"))
    return importlib.import_module(name)


def test_build_templates_is_reproducible_and_matches_the_committed_templates(tmp_path, monkeypatch):
    builder = _load_builder(monkeypatch)
    first = builder.build_all(tmp_path / "one")
    second = builder.build_all(tmp_path / "two")
    assert [p.name for p in first] == list(TEMPLATE_NAMES)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        with zipfile.ZipFile(a) as built, zipfile.ZipFile(builtin_template(a.name)) as shipped:
            assert built.namelist() == shipped.namelist(), a.name
            for name in built.namelist():
                assert built.read(name) == shipped.read(name), f"{a.name}:{name} differs; run build_templates.py"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_templates_are_a4_with_a_heading_1_title(name, monkeypatch):
    document = docx.Document(str(builtin_template(name)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    first = document.paragraphs[0]
    assert first.style.name == "Heading 1"
    assert document.core_properties.created == _load_builder(monkeypatch, "docx_blocks").FIXED_TIME
