"""Every module of the package imports on its own, first, in a fresh interpreter.

An import circle (a imports b which imports a) works or fails depending on which module happens to be imported
first; importing each module alone, before anything else, finds it whatever the order in the rest of the tests.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kokemus_docs

PACKAGE_ROOT = Path(kokemus_docs.__file__).parent


def _modules() -> list[str]:
    """The package and all its modules but __main__ (importing it runs the command line)."""
    found = pkgutil.walk_packages([str(PACKAGE_ROOT)], prefix="kokemus_docs.")
    return sorted(["kokemus_docs"] + [info.name for info in found if not info.name.endswith(".__main__")])


MODULES = _modules()


def test_every_module_is_found():
    assert {"kokemus_docs.cli", "kokemus_docs.core.month", "kokemus_docs.web.staff",
            "kokemus_docs.intake.ingest"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first_in_a_fresh_interpreter(module):
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT.parent)}
    result = subprocess.run([sys.executable, "-W", "error::ImportWarning", "-c", f"import {module}"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
