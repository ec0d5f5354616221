"""The package's house rules: no module over 650 lines, no function over 100, and SQL only in ledger modules.

A ledger module is one whose file is named ledger.py, ledger_*.py or *_ledger.py (core/ledger.py,
bookings/ledger.py, forms/ledger.py, ...): every `.execute(`, `.executemany(` and `.executescript(` of the ledger's
connection lives there, so what a stage asks of the ledger can be read in one place.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kokemus_docs

PACKAGE_ROOT = Path(kokemus_docs.__file__).parent
MAX_FILE_LINES = 650
MAX_FUNCTION_LINES = 100
SQL_CALL = re.compile(r"\.(execute|executemany|executescript)\(")



def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _name(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def long_files(root: Path) -> dict[str, int]:
    """The modules over MAX_FILE_LINES lines, with their length."""
    found = {}
    for path in _modules(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            found[_name(root, path)] = lines
    return found


def long_functions(root: Path) -> dict[str, int]:
    """The functions and methods (nested ones too) over MAX_FUNCTION_LINES lines, as 'module:name'."""
    found = {}
    for path in _modules(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[f"{_name(root, path)}:{node.name}"] = lines
    return found


def is_ledger_module(path: Path) -> bool:
    return path.stem == "ledger" or path.stem.startswith("ledger_") or path.stem.endswith("_ledger")


def sql_outside_ledger(root: Path) -> dict[str, list[int]]:
    """The modules, other than ledger modules, that run SQL, with the lines where they do."""
    found: dict[str, list[int]] = {}
    for path in _modules(root):
        if is_ledger_module(path):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SQL_CALL.search(line):
                found.setdefault(_name(root, path), []).append(number)
    return found


def test_no_module_is_over_650_lines():
    assert long_files(PACKAGE_ROOT) == {}


def test_no_function_is_over_100_lines():
    assert long_functions(PACKAGE_ROOT) == {}


def test_sql_only_in_ledger_modules():
    assert sql_outside_ledger(PACKAGE_ROOT) == {}


def test_the_rules_find_what_they_forbid(tmp_path):
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "long.py").write_text("x = 1\n" * (MAX_FILE_LINES + 1))
    (tmp_path / "stage" / "short.py").write_text("x = 1\n" * MAX_FILE_LINES)
    work = ("class Book:\n    def long(self):\n" + "        x = 1\n" * MAX_FUNCTION_LINES + "\n"
            "def fits():\n" + "    x = 1\n" * (MAX_FUNCTION_LINES - 1) + "\n"
            "def rows(ledger):\n    return ledger.db.execute('SELECT 1').fetchall()\n")
    (tmp_path / "stage" / "work.py").write_text(work)
    (tmp_path / "stage" / "ledger.py").write_text("def rows(ledger):\n    return ledger.db.execute('SELECT 1')\n")
    (tmp_path / "stage" / "accounts_ledger.py").write_text("def add(db):\n    db.executemany('INSERT', [])\n")
    (tmp_path / "stage" / "ledger_schema.py").write_text("def make(db):\n    db.executescript('CREATE')\n")
    (tmp_path / "stage" / "ledgers.py").write_text("def make(db):\n    db.executescript('CREATE')\n")

    assert long_files(tmp_path) == {"stage/long.py": MAX_FILE_LINES + 1}
    assert long_functions(tmp_path) == {"stage/work.py:long": MAX_FUNCTION_LINES + 1}
    assert sql_outside_ledger(tmp_path) == {"stage/ledgers.py": [2], "stage/work.py": [len(work.splitlines())]}
