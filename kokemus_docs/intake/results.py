"""What taking in returned hour forms hands back: one typed result per file, and the --json output built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kokemus_docs.core.month import Month
from kokemus_docs.core.records import LedgerLine
from kokemus_docs.core.report import Outcome
from kokemus_docs.intake.decision import FormResult
from kokemus_docs.intake.messages import Finding
from kokemus_docs.intake.rules import line_json


@dataclass(frozen=True)
class IngestedForm:
    """One file's journey as its reader meets it: where it was, what became of it, and the letter to the expert.

    Paths are workspace-relative (absolute for a file given from outside the workspace). `letter` is the text of
    the feedback file written for the expert ('' when none was written).
    """

    path: str
    status: str  # accepted | replaced | duplicate | rejected | foreign
    form_id: str = ""
    expert_id: str = ""
    unit_id: str = ""
    month: Month | None = None  # None: the form names no month that is one
    pay_month: Month | None = None
    late: bool = False
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    lines: tuple[LedgerLine, ...] = ()
    archived_as: str | None = None
    feedback: str | None = None
    letter: str = ""

    @property
    def file_name(self) -> str:
        """The file's own name, as it was given."""
        return Path(self.path).name

    def error_texts(self, language: str) -> list[str]:
        """The errors in 'fi' or 'sv' with their places ('Rivi 3, päivämäärä: …'), as the expert's letter says them."""
        texts = []
        for finding in self.errors:
            where, text = finding.where(language), finding.text(language)
            texts.append(f"{where}: {text}" if where else text)
        return texts

    def as_json(self) -> dict:
        """The file as SPEC.md's `forms ingest --json` shows it."""
        return {
            "path": self.path, "form_id": self.form_id or None, "expert_id": self.expert_id or None,
            "unit_id": self.unit_id or None, "month": self.month or None, "status": self.status,
            "errors": [f.problem(path=self.path).as_dict() for f in self.errors],
            "warnings": [f.problem(path=self.path).as_dict() for f in self.warnings],
            "lines": [line_json(ln) for ln in self.lines],
            "pay_month": self.pay_month or None, "late": self.late,
            "archived_as": self.archived_as, "feedback": self.feedback,
        }


def ingested(result: FormResult, rel: Callable[[Path], str]) -> IngestedForm:
    """The typed result of one file from the decision's working record, its paths named by `rel`."""
    return IngestedForm(
        path=rel(result.path), status=result.status, form_id=result.form_id, expert_id=result.expert_id,
        unit_id=result.unit_id, month=result.month, pay_month=result.pay_month, late=result.late,
        errors=tuple(result.errors), warnings=tuple(result.warnings), lines=tuple(result.lines),
        archived_as=rel(result.archived_as) if result.archived_as else None,
        feedback=rel(result.feedback) if result.feedback else None, letter=result.letter)


@dataclass
class IngestOutcome(Outcome):
    """`ingest_forms`' outcome: besides the files written and the problems, each file's typed result in order."""

    forms: list[IngestedForm] = field(default_factory=list)

    def json_fields(self) -> dict:
        return {**self.extra, "forms": [form.as_json() for form in self.forms]}
