"""The accessibility checks run a current axe-core (the one pinned in tests/axe/package.json), not an old copy
bundled with a Python package."""

from __future__ import annotations

import json
from pathlib import Path

from browser import AXE_SCRIPT, axe_version


def test_the_pages_are_checked_with_the_pinned_current_axe_core():
    pinned = json.loads((Path(__file__).parents[1] / "axe" / "package.json").read_text(encoding="utf-8"))
    version = axe_version()
    assert version == pinned["dependencies"]["axe-core"]
    assert tuple(int(part) for part in version.split(".")[:2]) >= (4, 10)
    assert AXE_SCRIPT.read_text(encoding="utf-8").startswith(f"/*! axe v{version}")
