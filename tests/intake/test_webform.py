"""The hour form entered on the expert's page: reading what was posted, and giving it back to the page's inputs."""

from __future__ import annotations

import pytest

from kokemus_docs.core.month import Month
from kokemus_docs.intake.webform import WebForm, input_value, read_posted


@pytest.mark.parametrize("name, typed, month, shown", [
    pytest.param("date", "14.10.", "2026-10", "2026-10-14", id="date-without-year"),
    pytest.param("date", "2026-10-14", "2026-10", "2026-10-14", id="iso-date"),
    pytest.param("date", "31.12.", "2026-01", "2025-12-31", id="december-before-a-january-form"),
    pytest.param("start", "9.30", "2026-10", "09:30", id="time-with-dot"),
    pytest.param("cancelled_at", "13.10.2026 16.20", "2026-10", "2026-10-13T16:20", id="date-time"),
    pytest.param("date", "huomenna <b>", "2026-10", "huomenna <b>", id="not-a-date-kept-as-typed"),
    pytest.param("notes", "Łukasz & <b>", "2026-10", "Łukasz & <b>", id="text-as-is"),
])
def test_input_value(name, typed, month, shown):
    assert input_value(name, typed, Month(month)) == shown


def test_read_posted_takes_the_pickers_values_as_the_pdf_form_holds_them():
    posted = {"rows": "3", "row01_date": "2026-10-07", "row01_start": "09:30", "row01_cancelled_at": "2026-10-06T16:20",
              "row01_notes": "  Łukasz Nguyễn-Čačić & <b>  ", "row03_date": "8.10.", "confirm": "on",
              "signed_on": "2026-11-02"}
    form = read_posted(posted, "S-1", Month("2026-10"), max_rows=25)
    assert [row["date"] for row in form.rows] == ["7.10.2026", "8.10."]  # the empty second row is dropped
    assert form.rows[0]["cancelled_at"] == "6.10.2026 16.20" and form.rows[0]["notes"] == "Łukasz Nguyễn-Čačić & <b>"
    assert form.confirmed and form.signed_on == "2.11.2026" and form.form_id == "S-1_2026-10"
    assert form.field_values()["row02_date"] == "8.10." and "row02_start" not in form.field_values()


@pytest.mark.parametrize("rows", ["1000", "-5", "x", "²", ""])
def test_read_posted_never_reads_past_the_forms_rows(rows):
    posted = {"rows": rows, **{f"row{n:02d}_notes": f"n{n}" for n in range(1, 40)}}
    form = read_posted(posted, "S-1", Month("2026-10"), max_rows=25)
    assert 1 <= len(form.rows) <= 25


def test_restored_keeps_only_the_forms_fields_and_rows():
    kept = {"rows": [{"date": "7.10.", "evil": "x"}] * 30, "confirmed": 1, "signed_on": 5}
    form = WebForm.restored(kept, "S-1", Month("2026-10"), max_rows=25)
    assert len(form.rows) == 25 and "evil" not in form.rows[0] and form.signed_on == "5" and form.confirmed
