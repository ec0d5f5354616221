"""What ingest hands back: typed results per file (the web reads these), and the --json output built from them."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.intake import decision
from kokemus_docs.intake.ingest import ingest_forms
from kokemus_docs.intake.messages import stored_text
from kokemus_docs.intake.results import IngestOutcome
from tests.intake.test_ingest import OCTOBER_ROWS, ON_TIME, json_reader, put_form

SPEC_KEYS = {"path", "form_id", "expert_id", "unit_id", "month", "status", "errors", "warnings", "lines",
             "pay_month", "late", "archived_as", "feedback"}


@pytest.fixture
def fake_reader(monkeypatch):
    """Stand-in reader: the 'PDF' holds the form's fields as JSON (see test_ingest.py)."""
    monkeypatch.setattr(decision, "read_form", json_reader)


def test_rejected_form_hands_back_its_letter_and_its_errors_in_both_languages(workspace, register, fake_reader):
    rows = {**OCTOBER_ROWS, 3: {**OCTOBER_ROWS[3], "date": "3.11.2026"}}
    put_form(workspace.inbox_dir, "Łukasz & <Čačić>.pdf", rows, key=workspace.seal_key(), confirmed=False)
    outcome = ingest_forms(workspace, register, received_on=date(2026, 11, 4))
    assert isinstance(outcome, IngestOutcome)
    [form] = outcome.forms
    assert (form.status, form.form_id, form.file_name) == ("rejected", "S-2026-001_2026-10", "Łukasz & <Čačić>.pdf")
    # the letter is the text written for the expert, handed back without reading the file again
    assert form.feedback and form.letter == (workspace.root / form.feedback).read_text(encoding="utf-8")
    assert "Rivi 3, Päivämäärä: Päivämäärä 3.11.2026 ei kuulu lomakkeen kuukauteen" in form.letter
    # the errors as the ledger recorded them, in Finnish and Swedish with their places
    assert form.archived_as
    sha256 = hashlib.sha256((workspace.root / form.archived_as).read_bytes()).hexdigest()
    with Ledger(workspace.ledger_path) as ledger:
        row = ledger.latest_submission(sha256, "Łukasz & <Čačić>.pdf")
    recorded = [p for p in json.loads(row["problems_json"]) if p["severity"] == "error"]
    for language in ("fi", "sv"):
        assert form.error_texts(language) == [stored_text(p, language) for p in recorded]
    assert any(text.startswith("Rad 3, Datum: ") for text in form.error_texts("sv"))


def test_the_json_output_is_built_from_the_typed_results(workspace, register, fake_reader):
    put_form(workspace.inbox_dir, "aino.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.forms
    assert bool(form.letter) == bool(form.feedback)
    [shown] = outcome.json_fields()["forms"]
    assert set(shown) == SPEC_KEYS and shown == form.as_json()
    assert (shown["path"], shown["archived_as"], shown["status"]) == (
        "forms/inbox/aino.pdf", "forms/processed/2026-10/aino.pdf", "accepted")
    assert [ln["fee_eur"] for ln in shown["lines"]] == [str(ln.fee_eur) for ln in form.lines]
