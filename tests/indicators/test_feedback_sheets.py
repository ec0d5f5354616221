"""The feedback sheets of the indicators workbook and the `feedback` JSON, against figures computed by hand."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from click.testing import CliRunner
from openpyxl import load_workbook

from kokemus_docs.cli import cli
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.feedback.answers import Answer
from kokemus_docs.feedback.ledger import store_answers
from kokemus_docs.indicators.feedback_sheets import HIDDEN, SMALL_GROUP, TOO_FEW, figures_of
from kokemus_docs.indicators.workbook import indicators_path, write_indicators


def _answer(respondent, unit_id, recommend, statements, day, comment=""):
    return Answer(respondent=respondent, unit_id=unit_id, answered_on=day, recommend=recommend,
                  statements=statements, comment=comment, channel="csv")


N = None
# Clients of MTP-PORVOO: 6 answers. Recommend 10, 9, 8, 6, 3, 10: promoters 3, detractors 2 -> (3 - 2) / 6 = 16.7.
# s1: 5, 4, 4, 2, 1, 5 -> mean 21 / 6 = 3.50, agreeing 4 of 6 = 66.67 %; s2 answered 3 times: too few to show.
MTP_CLIENTS = [
    (10, (5, 5, 4, 4, N), date(2026, 10, 1)),
    (9, (4, N, 4, 4, N), date(2026, 10, 2)),
    (8, (4, 3, 4, 4, N), date(2026, 10, 3)),
    (6, (2, N, 4, 4, N), date(2026, 10, 4)),
    (3, (1, 4, 4, 4, N), date(2026, 7, 5)),
    (10, (5, N, 4, 4, N), date(2026, 10, 6)),
]
# Clients of PERHE-LOVIISA: 2 answers (9 and 0) -> "< 5" on its own; all clients then n = 8:
# promoters 4, detractors 3 -> 1 / 8 = 12.5. s1 with 5 and 1 added: 27 / 8 = 3.375 -> 3.38 (half up).
PERHE_CLIENTS = [(9, (5, N, N, N, N), date(2026, 10, 7)), (0, (1, N, N, N, N), date(2026, 10, 8))]


def _fill_ledger(ws):
    answers = [_answer("client", "MTP-PORVOO", r, s, d) for r, s, d in MTP_CLIENTS]
    answers += [_answer("client", "PERHE-LOVIISA", r, s, d) for r, s, d in PERHE_CLIENTS]
    answers.append(_answer("expert", "MTP-PORVOO", 10, (5, 5, 5, 5, 5), date(2026, 10, 9),
                           comment='=Kiitos & <"Ankkuri"> \'tiimi\' åäö'))
    answers.append(_answer("client", "MTP-PORVOO", 0, (1, 1, 1, 1, 1), date(2025, 12, 31)))  # another year
    with Ledger(ws.ledger_path) as ledger, ledger.transaction():
        store_answers(ledger, [(a, None) for a in answers], None)


def test_feedback_sheet_matches_hand_computation(workspace, register):
    _fill_ledger(workspace)
    outcome = write_indicators(workspace, register, 2026)
    by_key = {(f["respondent"], f["unit_id"]): f for f in outcome.extra["feedback"]}
    mtp_figures = figures_of([_answer("client", "MTP-PORVOO", r, s, d) for r, s, d in MTP_CLIENTS])
    # s2 was answered 3 times only: fewer than 5, so it has no mean or share (n < 5 holds for each figure).
    assert mtp_figures.nps == Decimal("16.7") and mtp_figures.means == {
        "s1": Decimal("3.50"), "s2": None, "s3": Decimal("4.00"), "s4": Decimal("4.00"), "s5": None}
    assert mtp_figures.agree["s1"] == Decimal("0.6667") and mtp_figures.agree["s2"] is None
    # All clients minus MTP-PORVOO would give PERHE-LOVIISA's two answers: MTP-PORVOO is hidden with it.
    assert by_key[("client", "MTP-PORVOO")] == {
        "respondent": "client", "unit_id": "MTP-PORVOO", "n": 6, "nps": None, "means": dict.fromkeys(
            ("s1", "s2", "s3", "s4", "s5"))}
    assert by_key[("client", None)]["n"] == 8 and by_key[("client", None)]["nps"] == 12.5
    assert by_key[("client", None)]["means"]["s1"] == 3.38
    assert by_key[("client", "PERHE-LOVIISA")] == {
        "respondent": "client", "unit_id": "PERHE-LOVIISA", "n": 2, "nps": None, "means": dict.fromkeys(
            ("s1", "s2", "s3", "s4", "s5"))}
    assert by_key[("employee", None)]["n"] == 0 and by_key[("employee", None)]["nps"] is None
    assert by_key[("expert", None)]["n"] == 1 and by_key[("expert", None)]["nps"] is None

    wb = load_workbook(indicators_path(workspace, 2026))
    sheet = wb["Palaute"]
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(min_row=2, max_row=10, values_only=True) if r[0]}
    mtp = rows[("Asiakkaat / Klienter", register.units["MTP-PORVOO"].name_fi)]
    assert mtp[2] == HIDDEN and all(v is None for v in mtp[3:])
    perhe = rows[("Asiakkaat / Klienter", register.units["PERHE-LOVIISA"].name_fi)]
    assert perhe[2] == TOO_FEW and all(v is None for v in perhe[3:])
    assert rows[("Kokemusasiantuntijat / Erfarenhetsexperter", "Kaikki yksiköt / Alla enheter")][2] == TOO_FEW
    assert rows[("Työntekijät / Personal", "Kaikki yksiköt / Alla enheter")][2] == 0  # nobody answered
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$1"

    # The chart reads only groups with at least 5 answers: clients, nobody else.
    chart_rows = []
    for row in sheet.iter_rows(values_only=True):
        if row[0] and str(row[0]).startswith("NPS (vähintään"):
            chart_rows = []
        elif row[0] and row[1] is not None and isinstance(row[1], float) and len(chart_rows) < 3:
            chart_rows.append(row[:2])
    assert chart_rows == [("Asiakkaat / Klienter", 12.5)]
    assert len(sheet._charts) == 1

    quarters = wb["Palaute neljännesvuosittain"]
    values = {(r[0], r[1]): r[2:4] for r in quarters.iter_rows(min_row=2, max_row=13, values_only=True)}
    assert values[("Asiakkaat / Klienter", "3. neljännes / kvartal 2026")] == (TOO_FEW, None)  # one answer in July
    # October (7 answers) is hidden too: the year (8) minus October would give July's one answer.
    assert values[("Asiakkaat / Klienter", "4. neljännes / kvartal 2026")] == (HIDDEN, None)
    assert len(quarters._charts) == 0

    comments = wb["Palautteen kommentit"]
    assert "henkilötietoja" in comments["A1"].value
    assert comments["E3"].value == '=Kiitos & <"Ankkuri"> \'tiimi\' åäö' and comments["E3"].data_type == "s"
    assert comments.print_title_rows == "$1:$2"


def test_indicators_cli_json_carries_feedback(workspace, register):
    _fill_ledger(workspace)
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "indicators", "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [f["respondent"] for f in payload["feedback"] if f["unit_id"] is None] == ["client", "employee", "expert"]


def test_feedback_cli_issue_and_ingest(workspace, register, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["-w", str(workspace.root), "feedback", "issue", "--unit", "VAMPA-SIPOO",
                                 "--respondent", "client,expert", "--language", "sv", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["written"] == ["outputs/feedback-forms/VAMPA-SIPOO/VAMPA-SIPOO_client_sv.pdf",
                                  "outputs/feedback-forms/VAMPA-SIPOO/VAMPA-SIPOO_expert_sv.pdf"]
    result = runner.invoke(cli, ["-w", str(workspace.root), "feedback", "issue", "--respondent", "boss"])
    assert result.exit_code == 2

    export = tmp_path / "export.csv"
    export.write_text("respondent;unit_id;recommend;s1\nclient;VAMPA-SIPOO;9;5\nclient;VAMPA-SIPOO;12;5\n",
                      encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace.root), "feedback", "ingest", str(export),
                                 "--received-on", "2026-11-05", "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert [(r["row"], r["status"]) for r in payload["responses"]] == [(2, "accepted"), (3, "rejected")]
    assert payload["errors"][0]["field"] == "recommend"
    result = runner.invoke(cli, ["-w", str(workspace.root), "feedback", "ingest"])
    assert result.exit_code == 0 and "No feedback files" in result.output


def test_small_breakdown_cannot_be_worked_out_from_the_total(workspace, register):
    """All units minus the shown units, or the year minus the shown quarters, never gives < 5 answers' figures."""
    units = sorted(register.units)[:3]
    answers = [_answer("client", units[0], 10, (5, 5, 5, 5, 5), date(2026, 1, 10 + i)) for i in range(7)]
    answers += [_answer("client", units[1], 8, (4, 4, 4, 4, 4), date(2026, 5, 10 + i)) for i in range(6)]
    answers += [_answer("client", units[2], 0, (1, 1, 1, 1, 1), date(2026, 5, 20)),
                _answer("client", units[2], 2, (1, 1, 1, 1, 1), date(2026, 8, 20))]
    with Ledger(workspace.ledger_path) as ledger, ledger.transaction():
        store_answers(ledger, [(a, None) for a in answers], None)
    outcome = write_indicators(workspace, register, 2026)
    nps = {f["unit_id"]: f["nps"] for f in outcome.extra["feedback"] if f["respondent"] == "client"}
    assert nps[None] is not None and nps[units[0]] is not None
    assert nps[units[1]] is None and nps[units[2]] is None  # 6 answers hidden with the 2 of the small unit

    wb = load_workbook(indicators_path(workspace, 2026))
    rows = {r[1]: r[2:] for r in wb["Palaute"].iter_rows(min_row=2, max_row=12, values_only=True)
            if r[0] == "Asiakkaat / Klienter"}
    assert rows["Kaikki yksiköt / Alla enheter"][0] == 15
    assert rows[register.units[units[0]].name_fi][0] == 7
    second = rows[register.units[units[1]].name_fi]
    assert second[0] == HIDDEN and set(second[1:]) == {None}
    assert rows[register.units[units[2]].name_fi][0] == TOO_FEW

    quarters = {r[1][:1]: r[2:4] for r in wb["Palaute neljännesvuosittain"].iter_rows(min_row=2, max_row=5,
                                                                                       values_only=True)}
    # Q1 7, Q2 7, Q3 1: with Q3 "< 5", Q1 or Q2 is hidden too.
    assert quarters["3"] == (TOO_FEW, None) and quarters["4"] == (0, None)
    assert sorted(str(quarters[q][0]) for q in "12") == ["7", HIDDEN]
    shown_nps = [v for row in wb["Palaute neljännesvuosittain"].iter_rows(min_row=15, values_only=True)
                 for v in row[1:2] if isinstance(v, float)]
    assert len(shown_nps) == 1  # the chart's table: the one shown quarter of clients


def test_comment_of_a_small_group_names_neither_its_unit_nor_its_day(workspace, register):
    answers = [_answer("client", "MTP-PORVOO", r, s, d, comment="Hyvä" if i == 0 else "")
               for i, (r, s, d) in enumerate(MTP_CLIENTS)]
    answers += [_answer("expert", "PERHE-LOVIISA", 9, (5, 5, 5, 5, 5), date(2026, 10, 9), comment="Yksin tässä"),
                _answer("client", "PERHE-LOVIISA", 9, (5, 5, 5, 5, 5), date(2026, 10, 9), comment="Apua sain")]
    with Ledger(workspace.ledger_path) as ledger, ledger.transaction():
        store_answers(ledger, [(a, None) for a in answers], None)
    write_indicators(workspace, register, 2026)
    sheet = load_workbook(indicators_path(workspace, 2026))["Palautteen kommentit"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows == [
        (datetime(2026, 10, 1), "Asiakkaat / Klienter", register.units["MTP-PORVOO"].name_fi, "kysely / enkät (CSV)",
         "Hyvä"),
        (None, "Asiakkaat / Klienter", SMALL_GROUP, "kysely / enkät (CSV)", "Apua sain"),
        (None, "Kokemusasiantuntijat / Erfarenhetsexperter", SMALL_GROUP, "kysely / enkät (CSV)", "Yksin tässä")]
    assert not any(register.units["PERHE-LOVIISA"].name_fi in str(v) for r in rows for v in r)


def test_a_statement_answered_by_fewer_than_5_shows_no_mean_or_share(workspace, register):
    """5 answered, 1 of them statement 1: that one person's answer is not shown as the mean."""
    units = sorted(register.units)[:2]
    answers = [_answer("client", units[0], 9, (2 if i == 0 else N, 4, 4, 4, 4), date(2026, 3, 1 + i))
               for i in range(5)]
    # Another unit: 6 answers, 3 of them to s3. All units: s3 answered by 8 (shown); units[0]'s 5 answers to s3
    # would then give the other unit's 3 by subtraction, so units[0]'s s3 is hidden with it.
    answers += [_answer("client", units[1], 7, (5, 5, 1 if i < 3 else N, 5, 5), date(2026, 4, 1 + i))
                for i in range(6)]
    with Ledger(workspace.ledger_path) as ledger, ledger.transaction():
        store_answers(ledger, [(a, None) for a in answers], None)
    outcome = write_indicators(workspace, register, 2026)
    means = {f["unit_id"]: f["means"] for f in outcome.extra["feedback"] if f["respondent"] == "client"}
    assert means[units[0]]["s1"] is None and means[units[0]]["s2"] == 4.0
    # All units (7 answered s1) minus the other unit's 6 would give the one answer: the other unit's s1 is hidden.
    assert means[None]["s1"] == 4.57 and means[units[1]]["s1"] is None
    assert means[None]["s3"] is not None and means[units[1]]["s3"] is None and means[units[0]]["s3"] is None

    wb = load_workbook(indicators_path(workspace, 2026))
    rows = {r[1]: r[2:] for r in wb["Palaute"].iter_rows(min_row=2, max_row=12, values_only=True)
            if r[0] == "Asiakkaat / Klienter"}
    first = rows[register.units[units[0]].name_fi]
    assert first[0] == 5 and first[2:4] == (TOO_FEW, TOO_FEW)  # s1: mean and share
    assert first[6:8] == (HIDDEN, HIDDEN)  # s3: hidden so that the other unit's 3 answers stay unknown
    second = rows[register.units[units[1]].name_fi]
    assert second[2:4] == (HIDDEN, HIDDEN) and second[6:8] == (TOO_FEW, TOO_FEW)
