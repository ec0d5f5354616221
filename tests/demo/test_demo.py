"""The demo month cycle end to end, checked against fees computed by hand from DOMAIN.md's rules."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kokemus_docs.cli import cli
from kokemus_docs.register.sample import demo_register

pytestmark = pytest.mark.libreoffice

# Hand computation of October 2026 (fee table: individual/pair 50 € a session, group 25 €/h until 14.10. and
# 27,50 €/h from 15.10., lecture 150 € and development 300 € an event, common meeting 50 €):
# (expert, cost centre) -> (fees, travel, payable lines)
OCTOBER = {
    # 50 + 1,5 h × 25 + 1,5 h × 27,50 (no participants) + 0 (cancelled 15.00 sharp) + 50 (15.01) + 50; travel 12,40
    ("KA-001", "410120"): ("228.75", "12.40", 5),
    ("KA-001", "440110"): ("150.00", "0.00", 1),   # lecture
    ("KA-002", "410120"): ("300.00", "0.00", 4),   # 50 + no-show 50 + lecture 150 + ill 0 + late cancel 50
    ("KA-003", "420310"): ("166.25", "0.00", 4),   # 37,50 + 37,50 + 41,25 + ended 0 + meeting 50; no travel ref
    ("KA-004", "440110"): ("350.00", "0.00", 2),   # 50 + development 300 + cancelled two days before 0
    ("KA-005", "430210"): ("200.00", "20.00", 2),  # 50 + lecture 150; out-of-area travel with a reference
    ("KA-006", "420310"): ("116.25", "0.00", 3),   # corrected form: 37,50 + 37,50 + 41,25
    ("KA-008", "410120"): ("150.00", "0.00", 3),
    ("KA-009", "430210"): ("50.00", "0.00", 1),    # cancelled the same morning
    ("KA-010", "440110"): ("105.00", "0.00", 2),   # 2 h × 25 + 2 h × 27,50
    ("KA-011", "410120"): ("100.00", "0.00", 2),   # updated form replaced the first
    ("KA-012", "410120"): ("300.00", "0.00", 1),
    ("KA-014", "440110"): ("50.00", "0.00", 1),
}
OCTOBER_TOTAL = "2298.65"
NOVEMBER_LATE = {("KA-007", "410120"): ("100.00", "15.00", 2)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "ws"
    result = CliRunner().invoke(cli, ["demo", str(root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return root, json.loads(result.stdout)


def _payroll(root: Path, month: str) -> dict:
    result = CliRunner().invoke(cli, ["-w", str(root), "payroll", "--month", month, "--json"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_demo_summary(demo):
    _, payload = demo
    assert payload["ok"] is True
    assert payload["experts"] == 14
    assert payload["forms_issued"] == 15  # 16 contracts, one not signed
    assert payload["forms"] == {"accepted": 14, "replaced": 1, "duplicate": 1, "rejected": 1}
    assert payload["total_eur"] == OCTOBER_TOTAL
    assert payload["payment_date"] == "2026-11-30"
    assert payload["notice_deadline"] == "2026-11-09"


@pytest.mark.parametrize("month,expected", [
    pytest.param("2026-10", OCTOBER, id="october"),
    pytest.param("2026-11", NOVEMBER_LATE, id="late-form-in-november"),
])
def test_payroll_equals_the_hand_computation(demo, month, expected):
    root, _ = demo
    payroll = _payroll(root, month)
    got: dict[tuple[str, str], tuple[Decimal, Decimal, int]] = {}
    for e in payroll["experts"]:  # one entry per income type; summed per expert and cost centre here
        fee, travel, lines = got.get((e["expert_id"], e["cost_center"]), (Decimal(0), Decimal(0), 0))
        got[(e["expert_id"], e["cost_center"])] = (fee + Decimal(e["fee_eur"]), travel + Decimal(e["travel_eur"]),
                                                   lines + e["lines"])
    assert got == {key: (Decimal(fee), Decimal(travel), lines) for key, (fee, travel, lines) in expected.items()}
    total = sum(Decimal(fee) + Decimal(travel) for fee, travel, _ in expected.values())
    assert Decimal(payroll["total_eur"]) == total


def test_documents_in_both_languages_as_docx_and_pdf(demo):
    root, _ = demo
    register = demo_register()
    contracts = root / "outputs" / "contracts"
    for contract_id, contract in register.contracts.items():
        docx = next(contracts.glob(f"{contract_id}_*.docx"))
        pdf = docx.with_suffix(".pdf")
        assert pdf.is_file(), pdf
        with pdfplumber.open(pdf) as document:
            text = "\n".join(page.extract_text() or "" for page in document.pages)
        expert = register.experts[contract.expert_id]
        assert expert.last_name in text
        assert ("UPPDRAGSAVTAL" in text.upper()) == (expert.language == "sv")
    assert len(list((root / "outputs" / "intro-packs").glob("*.pdf"))) == len(register.contracts)


def test_feedback_for_the_rejected_form_in_the_experts_language(demo):
    root, _ = demo
    feedback = list((root / "outputs" / "feedback").glob("S-2026-006_2026-10*"))
    assert len(feedback) == 1
    text = feedback[0].read_text(encoding="utf-8")
    assert "3" in text and "row03_date" not in text.split("\n")[0]


def test_no_original_is_lost(demo):
    root, _ = demo
    archived = list((root / "forms" / "processed").rglob("*.pdf")) + list((root / "forms" / "rejected").rglob("*.pdf"))
    assert len(archived) == 17  # 14 on time incl. the copy, the correction, the update, the late one
    assert list((root / "forms" / "inbox").iterdir()) == []


def _texts(root: Path):
    """Every output a person other than payroll sees, as text."""
    for path in sorted((root / "outputs").rglob("*")):
        if path.is_dir() or "payroll" in path.parts:
            continue
        if path.suffix == ".pdf":
            with pdfplumber.open(path) as document:
                yield path, "\n".join(page.extract_text() or "" for page in document.pages)
        elif path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                yield path, "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                                      if n.endswith(".xml"))
        else:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_personal_data_only_in_the_payroll_workbook(demo):
    root, _ = demo
    register = demo_register()
    secrets = set()
    for expert in register.experts.values():
        secrets |= {expert.hetu, expert.iban, expert.iban.replace(" ", ""), expert.street_address}
    checked = 0
    for path, text in _texts(root):
        own = set()
        if "statements" in path.parts:  # an expert's own earnings statement carries their henkilötunnus only
            own = {register.experts[path.name.split("_", 1)[0]].hetu}
            assert own <= {s for s in secrets if s in text}, path
        leaked = [s for s in secrets - own if s in text]
        assert not leaked, f"{path} shows personal data"
        checked += 1
    assert checked > 50
    payroll = load_workbook(root / "outputs" / "payroll" / "payroll_2026-10.xlsx")
    cells = {str(c.value) for sheet in payroll for row in sheet.iter_rows() for c in row if c.value is not None}
    assert register.experts["KA-002"].hetu in cells
    assert (root / "outputs" / "payroll" / "payroll_2026-10.xlsx").stat().st_mode & 0o077 == 0


def test_demo_warns_near_and_over_a_limit_and_writes_their_statements(demo):
    root, _ = demo
    result = CliRunner().invoke(cli, ["-w", str(root), "statements", "--year", "2026", "--expert", "KA-004",
                                      "--expert", "KA-012", "--json"], catch_exceptions=False)
    by_expert = {s["expert_id"]: s for s in json.loads(result.stdout)["statements"]}
    assert (by_expert["KA-004"]["limit_eur"], by_expert["KA-004"]["fee_eur"]) == ("400.00", "350.00")
    assert [(p["paid"], p["over_limit"]) for p in by_expert["KA-012"]["payments"]] == [(True, True)]
    for name in ("KA-004_Nieminen", "KA-012_Forsström"):
        for suffix in (".pdf", ".xlsx"):
            assert (root / "outputs" / "statements" / "2026" / f"{name}{suffix}").stat().st_mode & 0o077 == 0
    checks = load_workbook(root / "outputs" / "payroll" / "payroll_2026-10.xlsx")["Tarkistukset"]
    warned = [(row[1], row[5]) for row in checks.iter_rows(values_only=True)
              if row[0] == "Asiantuntijan ilmoittama raja / Expertens angivna gräns"]
    assert [expert for expert, _ in warned] == ["KA-004", "KA-012"]
    assert "vähintään 80 %" in warned[0][1] and "ylittävät" in warned[1][1]


def test_closed_month_refuses_a_late_correction(demo, tmp_path):
    root, _ = demo
    original = next((root / "forms" / "processed").rglob("S-2026-008*.pdf"))
    result = CliRunner().invoke(cli, ["-w", str(root), "forms", "ingest", str(original), "--received-on",
                                      "2026-11-20", "--json"], catch_exceptions=False)
    # the very same bytes are a duplicate, never a change
    assert json.loads(result.stdout)["forms"][0]["status"] == "duplicate"


def test_demo_feedback_round(demo):
    root, payload = demo
    assert payload["feedback"]["accepted"] >= 25 and payload["feedback"]["duplicate"] == 1
    assert payload["feedback"]["rejected"] == 0
    import sqlite3

    with sqlite3.connect(root / ".kokemus" / "ledger.sqlite") as db:
        channels = {row[0] for row in db.execute("SELECT DISTINCT channel FROM feedback_answers")}
        groups = {row[0] for row in db.execute("SELECT DISTINCT respondent FROM feedback_answers")}
    assert channels == {"pdf", "csv", "xlsx", "web"}
    assert groups == {"client", "employee", "expert"}
    assert len(list((root / "outputs" / "feedback-forms").rglob("*.pdf"))) == 4 * 7
    sheet = load_workbook(root / "outputs" / "indicators" / "indicators_2026.xlsx")["Palaute"]
    counts = [row[2] for row in sheet.iter_rows(min_row=2, max_row=20, values_only=True) if row[1]]
    assert "< 5" in counts and any(isinstance(n, int) and n >= 5 for n in counts)


def test_demo_as_a_newcomer_reads_it_at_the_terminal(tmp_path):
    """Without an active venv: each progress line names its step, the planned warnings are said to be planned,
    and the closing commands work when pasted as printed."""
    import os
    import re
    import shlex
    import subprocess
    import sys

    venv_bin = os.path.dirname(os.path.abspath(sys.executable))
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and os.path.abspath(p) != venv_bin)
    env = {**os.environ, "PATH": path}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run([sys.executable, "-m", "kokemus_docs", "demo", "ws"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress and all(re.match(r"\[\d+/\d+\] [a-z][a-z .0-9]*: ", line) for line in progress), progress
    steps = {line.split("] ", 1)[1].split(":", 1)[0] for line in progress}
    assert {"contracts", "introduction packs", "hour forms issued", "fee notices", "payroll",
            "feedback questionnaires", "indicators"} <= steps
    assert not re.search(r"^warning:", result.stderr, re.MULTILINE)
    assert "Planned in the demo's story, so expected" in result.stderr
    assert result.stderr.count("planned warning: ") >= 5
    [serve] = re.findall(r"start it with '([^']+)'", result.stdout)
    command = shlex.split(serve)
    assert command[-1] == "serve" and "-w" in command
    checked = subprocess.run(command[:-1] + ["check"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert "16 contracts" in checked.stdout


def test_demo_has_bookings_in_every_state_and_a_prefilled_form(demo):
    from kokemus_docs.intake.formread import read_form

    root, _ = demo
    result = CliRunner().invoke(cli, ["-w", str(root), "bookings", "list", "--json"], catch_exceptions=False)
    states = {b["status"] for b in json.loads(result.stdout)["bookings"]}
    assert states == {"requested", "offered", "booked", "done", "unfilled", "cancelled"}
    issued = read_form(root / "outputs" / "forms" / "2026-10" / "S-2026-001_2026-10.pdf")
    assert [issued.rows[n]["date"] for n in range(1, 6)] == ["6.10.2026", "8.10.2026", "15.10.2026", "20.10.2026",
                                                             "22.10.2026"]
    assert (issued.rows[5]["status"], issued.rows[5]["cancelled_at"]) == ("cancelled_late", "21.10.2026 15.01")
