"""What a library operation hands back to whoever called it (the CLI prints it, --json dumps it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kokemus_docs.core.errors import Problem

# progress(done, total, label): called by long batches; the CLI draws it on stderr.
Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, label: str) -> None:
    return None


def step_progress(progress: Progress, step: str) -> Progress:
    """`progress` with each label said as part of `step` ('contracts: S-2026-001_Virtanen.docx')."""
    return lambda done, total, label: progress(done, total, f"{step}: {label}")


@dataclass
class Outcome:
    """Files written, problems found, command-specific JSON keys, and lines for a person to read.

    A command with a typed result subclasses Outcome with its own fields and says in `json_fields` how they
    appear in the --json output; `extra` holds the keys of commands whose results are not typed.
    """

    written: list[Path] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def json_fields(self) -> dict:
        """The command's own keys of the --json output (beside ok, written, errors and warnings)."""
        return dict(self.extra)

    def merge(self, other: Outcome) -> Outcome:
        """Add `other`'s files, problems and lines; its JSON keys join `extra` (lists are joined)."""
        self.written += other.written
        self.errors += other.errors
        self.warnings += other.warnings
        self.summary += other.summary
        for key, value in other.json_fields().items():
            if isinstance(value, list) and isinstance(self.extra.get(key), list):
                self.extra[key] = self.extra[key] + value
            else:
                self.extra[key] = value
        return self
