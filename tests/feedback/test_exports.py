"""Survey-tool exports: a tool that exports all answers to date is counted once per answer, a stray byte in a
UTF-8 file spoils only its cell, a title row above the header is found."""

from __future__ import annotations

from datetime import date

import pytest

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.feedback.ingest import ingest_feedback
from kokemus_docs.feedback.ledger import answers_for_year

HEADER = "respondent;unit_id;date;recommend;s1;comment"
OCTOBER = [
    "client;MTP-PORVOO;2026-10-05;9;5;Hyvä & <ö>",
    "client;MTP-PORVOO;2026-10-05;9;5;Hyvä & <ö>",  # two people, the same answers on the same day
    "client;MTP-PORVOO;2026-10-06;3;2;",
    "client;PERHE-LOVIISA;2026-10-06;10;5;Łukasz Nguyễn-Čačić kiittää",
]
NOVEMBER = [
    "client;MTP-PORVOO;2026-11-02;8;4;",
    "client;MTP-PORVOO;2026-10-05;9;5;Hyvä & <ö>",  # a third person, the same again
    "client;PERHE-LOVIISA;2026-11-03;7;;",
]


def _ingest(ws, register, path, text: str | bytes):
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    outcome = ingest_feedback(ws, register, [path], received_on=date(2026, 12, 1))
    return outcome, outcome.extra["responses"]


def _stored(ws):
    with Ledger(ws.ledger_path) as ledger:
        return answers_for_year(ledger, 2026)


def test_an_export_of_all_answers_to_date_counts_each_answer_once(workspace, register, tmp_path):
    _, first = _ingest(workspace, register, tmp_path / "october.csv", "\n".join([HEADER, *OCTOBER]) + "\n")
    assert [r["status"] for r in first] == ["accepted"] * 4
    outcome, second = _ingest(workspace, register, tmp_path / "to-date.csv",
                              "\n".join([HEADER, *OCTOBER, *NOVEMBER]) + "\n")
    assert outcome.ok
    assert [r["status"] for r in second] == ["duplicate"] * 4 + ["accepted"] * 3
    assert len(_stored(workspace)) == 7
    assert sum(a.comment == "Hyvä & <ö>" for a in _stored(workspace)) == 3
    # The same export again, under another name: nothing new.
    _, third = _ingest(workspace, register, tmp_path / "again.csv",
                       "\n".join([HEADER, *OCTOBER, *NOVEMBER, ""]) + "\n")
    assert {r["status"] for r in third} == {"duplicate"} and len(_stored(workspace)) == 7


@pytest.mark.parametrize("column", ["response_id", "ID", "Response ID"])
def test_an_export_with_response_ids_counts_each_id_once(workspace, register, tmp_path, column):
    header = f"{column};respondent;unit_id;date;recommend;s1;comment"
    rows = ["r-1;client;MTP-PORVOO;2026-10-05;9;5;", "r-2;client;MTP-PORVOO;2026-10-05;9;5;",
            "r-3;client;MTP-PORVOO;;4;2;"]  # a blank date: the day received, which differs between exports
    _, first = _ingest(workspace, register, tmp_path / "first.csv", "\n".join([header, *rows]))
    assert [r["status"] for r in first] == ["accepted"] * 3
    later = [*rows, "r-4;client;MTP-PORVOO;2026-11-01;10;5;", "r-4;client;MTP-PORVOO;2026-11-01;10;5;"]
    _, second = _ingest(workspace, register, tmp_path / "second.csv", "\n".join([header, *later]))
    assert [r["status"] for r in second] == ["duplicate"] * 3 + ["accepted", "duplicate"]
    assert len(_stored(workspace)) == 4


def test_a_stray_byte_spoils_only_its_cell(workspace, register, tmp_path):
    text = ("\n".join([HEADER, *OCTOBER]) + "\n").encode("utf-8")
    text += b"client;MTP-PORVOO;2026-10-07;8;4;Kiitos " + b"\xff" + " äiti\n".encode()
    outcome, responses = _ingest(workspace, register, tmp_path / "stray.csv", text)
    assert [r["status"] for r in responses] == ["accepted"] * 5
    comments = sorted(a.comment for a in _stored(workspace))
    assert "Łukasz Nguyễn-Čačić kiittää" in comments and "Hyvä & <ö>" in comments  # no Ã¤ mojibake
    assert "Kiitos \ufffd äiti" in comments
    flagged = [(w["row"], w["field"], w["code"]) for r in responses for w in r.get("warnings", [])]
    assert flagged == [(6, "comment", "not-utf8")]
    assert [w.code for w in outcome.warnings] == ["not-utf8"]


def test_a_windows_1252_file_is_still_read_as_such(workspace, register, tmp_path):
    text = ("\n".join([HEADER, OCTOBER[0], OCTOBER[2]]) + "\n").encode("cp1252")
    _, responses = _ingest(workspace, register, tmp_path / "excel.csv", text)
    assert [r["status"] for r in responses] == ["accepted"] * 2 and "warnings" not in responses[0]
    assert "Hyvä & <ö>" in [a.comment for a in _stored(workspace)]


@pytest.mark.parametrize("title,delimiter", [
    pytest.param("Asiakaspalaute lokakuu 2026", ",", id="title-without-delimiters"),
    pytest.param("Palaute, lokakuu 2026, Porvoo", ";", id="title-with-commas-in-a-semicolon-file"),
    pytest.param("Palaute;lokakuu", ",", id="title-with-a-semicolon-in-a-comma-file"),
])
def test_a_title_row_above_the_header_is_found(workspace, register, tmp_path, title, delimiter):
    lines = [title, "", HEADER, *OCTOBER[2:]]
    text = "\n".join(line.replace(";", delimiter) if index > 0 else line for index, line in enumerate(lines))
    outcome, responses = _ingest(workspace, register, tmp_path / "titled.csv", text + "\n")
    assert outcome.ok, outcome.errors
    assert [(r["status"], r["row"]) for r in responses] == [("accepted", 4), ("accepted", 5)]
