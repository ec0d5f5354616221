"""Every test that cannot run here says so through conftest.missing, which fails in CI instead of skipping: a
test skipped silently in CI is a test that can never fail."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
# The helpers that decide, from what is installed, whether a test can run; everything else asks them.
DECIDERS = {TESTS / "conftest.py", TESTS / "browser.py", Path(__file__)}
SKIPPING = re.compile(r"pytest\.skip\(|importorskip|mark\.skip(if)?\b|mark\.xfail|shutil\.which\(")


def test_tests_skip_only_through_the_rule_that_fails_in_ci():
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 40
    found = [f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
             for path in files if path not in DECIDERS
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if SKIPPING.search(line)]
    assert found == [], "use conftest.missing, require_tool, require_module or require_proc:\n" + "\n".join(found)
