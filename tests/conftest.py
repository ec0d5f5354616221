"""Shared fixtures: a register with awkward values, and a workspace built around it in tmp_path."""

from __future__ import annotations

import dataclasses
import importlib
import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest

from kokemus_docs.core.model import Register
from kokemus_docs.core.workspace import Workspace, init_workspace
from kokemus_docs.register.sample import demo_register, write_sample_register

# Values that break naive XML, PDF and spreadsheet handling; every output path must keep them exact.
TRICKY_FIRST = 'Åsa & "Ötte"'
TRICKY_LAST = "O'Brien <Ström>"
TRICKY_UNIT_FI = 'Mieli & päihde <"Ankkuri"> Porvoo'
TRICKY_UNIT_SV = "Psykisk hälsa & missbruk <'Ankaret'> Borgå"


@pytest.fixture
def register() -> Register:
    """The demo register, with expert KA-001 and unit MTP-PORVOO given names full of & < > " ' å ä ö."""
    reg = demo_register()
    reg.experts["KA-001"] = dataclasses.replace(reg.experts["KA-001"], first_name=TRICKY_FIRST,
                                                last_name=TRICKY_LAST)
    reg.units["MTP-PORVOO"] = dataclasses.replace(reg.units["MTP-PORVOO"], name_fi=TRICKY_UNIT_FI,
                                                  name_sv=TRICKY_UNIT_SV)
    return reg


@pytest.fixture
def workspace(tmp_path, register) -> Workspace:
    """A fresh workspace in tmp_path whose register.xlsx holds the `register` fixture."""
    ws, _ = init_workspace(tmp_path / "ws")
    write_sample_register(ws.register_path, register)
    return ws


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def missing(message: str) -> NoReturn:
    """Skip a test that needs something not installed here; in CI, where everything is installed, fail."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {message}")
    pytest.skip(message)


def require_tool(command: str, package: str | None = None) -> None:
    """Go on only where `command` is on PATH (Debian `package` installs it)."""
    if not have(command):
        missing(f"{command} is not installed (apt-get install {package or command}; "
                "scripts/install-system-deps.sh installs it)")


def require_module(name: str) -> ModuleType:
    """The Python module `name`, where it is installed (the test extra installs it)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"the Python module {name} is not installed (pip install -e '.[test]')")


def require_proc(entry: str) -> None:
    """Go on only where the kernel shows `entry` (such as "self/stat") under /proc, as Linux does."""
    if not os.path.exists(f"/proc/{entry}"):
        missing(f"/proc/{entry} is not there (the test reads the process table of Linux)")


_TOOLS = {"libreoffice": ("soffice", "libreoffice"), "pdftk": ("pdftk",)}


def pytest_runtest_setup(item):
    """Tests marked `libreoffice` or `pdftk` skip where the tool is missing, except in CI, where they fail."""
    for marker, commands in _TOOLS.items():
        if item.get_closest_marker(marker) and not any(have(c) for c in commands):
            missing(f"{commands[0]} is not installed (scripts/install-system-deps.sh installs it)")


def pytest_report_header(config) -> str:
    """The axe-core version the browser tests check every page with."""
    import json

    from browser import AXE_SCRIPT

    package = AXE_SCRIPT.parent / "package.json"
    if not package.is_file():
        return "axe-core: not installed (npm ci --prefix tests/axe)"
    return f"axe-core {json.loads(package.read_text(encoding='utf-8'))['version']} ({AXE_SCRIPT})"
