"""The bookings benchmark section runs on a small workspace and reports its ratios (the full size, 1,000
experts and 10,000 bookings, is `make bench`)."""

from __future__ import annotations

from benchmarks.bench import _coordinator_client, bookings
from kokemus_docs.register.sample import synthetic_register, write_sample_register


def test_the_bookings_section_measures_against_the_month_page(workspace):
    write_sample_register(workspace.register_path, synthetic_register(12))
    result = bookings(workspace.root)
    assert result["experts"] == 12 and result["bookings"] == 120
    assert sum(result["by_state"].values()) == 120 and result["by_state"]["booked"] > 60
    for key in ("ratio_month_list_to_month_page", "ratio_open_requests_to_month_page", "ratio_match_to_month_page",
                "ratio_forms_prefilled_to_without"):
        assert result[key] > 0
    assert result["match_candidates"] >= 1
    client = _coordinator_client(workspace.root)  # a second login on the same workspace works too
    assert client.get("/months/2026-03").status_code == 200
