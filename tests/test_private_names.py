"""No module of the package imports another module's private (underscore) names: what one module offers the
others is public and documented, so a module's private helpers can change without breaking another."""

from __future__ import annotations

import ast
from pathlib import Path

import kokemus_docs

PACKAGE_ROOT = Path(kokemus_docs.__file__).parent


def test_no_module_imports_another_modules_private_names():
    files = sorted(PACKAGE_ROOT.rglob("*.py"))
    assert len(files) > 50
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kokemus_docs"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    found.append(f"{path.relative_to(PACKAGE_ROOT)}:{node.lineno}: {node.module} {private}")
    assert found == [], "give these a public, documented name:\n" + "\n".join(found)
