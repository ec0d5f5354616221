"""The foot of a feedback questionnaire as its reader meets it: whose feedback it is in words, in the
questionnaire's language, and a short reference; the identity travels hidden in the form, and a flattened
("printed to PDF") copy is known by its printed reference."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from conftest import TRICKY_UNIT_FI, TRICKY_UNIT_SV, require_tool

from kokemus_docs.core.workspace import CONFIG_NAME, Workspace, init_workspace
from kokemus_docs.feedback.questionnaire import PAGE_HEIGHT, issue_questionnaires
from kokemus_docs.feedback.questions import code_in_reference, identity_of, phone_code, reference_of
from kokemus_docs.pdfsafe.reader import read_fields
from kokemus_docs.register.sample import write_sample_register
from tests.feedback.test_feedback import TRICKY_COMMENT, _fill_with_mupdf, _ingest, _stored, _xfdf

ISSUED_BEFORE = Path(__file__).parent / "issued_before"
# The key of the workspace that issued the questionnaires in issued_before/ (before the printed reference).
ISSUED_BEFORE_KEY = "6f6c642d7175657374696f6e6e616972652d6b65792d666f722d746573747321"
COUNTY = {"fi": "Itä-Uudenmaan hyvinvointialue", "sv": "Östra Nylands välfärdsområde",
          "en": "Eastern Uusimaa Wellbeing Services County"}
WHOSE = {("client", "fi"): "Asiakaspalaute", ("client", "sv"): "Klientrespons", ("client", "en"): "Client feedback",
         ("employee", "fi"): "Työntekijöiden palaute", ("employee", "sv"): "Personalens respons",
         ("expert", "fi"): "Kokemusasiantuntijoiden palaute", ("expert", "sv"): "Erfarenhetsexperternas respons"}
LABEL = {"fi": "Tunniste", "sv": "Referens", "en": "Reference"}


@pytest.fixture
def issued(workspace, register) -> dict[tuple[str, str], Path]:
    """MTP-PORVOO's questionnaires: (respondent, language) -> PDF path."""
    outcome = issue_questionnaires(workspace, register, unit_ids=["MTP-PORVOO"])
    assert outcome.ok and not outcome.warnings, (outcome.errors, outcome.warnings)
    return {(q["respondent"], q["language"]): workspace.root / q["path"] for q in outcome.extra["questionnaires"]}


def _page_lines(pdf: Path, below: float = PAGE_HEIGHT) -> list[str]:
    """The page's text lines as pdfplumber reads them, those whose baseline is less than `below` points from
    the bottom of the page."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        words = page.extract_words(keep_blank_chars=True, x_tolerance=1.5)
        rows: dict[int, list] = {}
        for word in words:
            if page.height - word["bottom"] < below:
                rows.setdefault(round(word["bottom"]), []).append(word)
        return [" ".join(w["text"] for w in sorted(row, key=lambda w: w["x0"])) for _, row in sorted(rows.items())]


@pytest.mark.parametrize(("respondent", "language"), sorted(WHOSE))
def test_the_foot_says_whose_feedback_it_is_and_a_reference_in_words(workspace, register, issued, respondent,
                                                                      language):
    pdf = issued[(respondent, language)]
    unit = register.units["MTP-PORVOO"]
    unit_name = {"fi": TRICKY_UNIT_FI, "sv": TRICKY_UNIT_SV, "en": unit.name_en}[language]
    code = phone_code(workspace.seal_key(), identity_of("MTP-PORVOO", respondent, language))
    foot = _page_lines(pdf, below=80)
    assert foot == [f"{WHOSE[respondent, language]} · {unit_name} · {COUNTY[language]}",
                    f"{LABEL[language]}: {reference_of(code)}"]
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", reference_of(code))
    everything = "\n".join(_page_lines(pdf))
    seal = read_fields(pdf.read_bytes())["seal"]
    for internal in ("MTP-PORVOO", seal, seal[:8]):
        assert internal not in everything, internal
    assert not re.search(rf"\b{respondent}\W+{language}\b", everything)  # as "client sv" was
    assert not re.search(r"\b[0-9a-f]{12,}\b", everything)  # no hex anywhere


def test_the_english_questionnaire_names_county_and_unit_in_english(workspace, register, issued):
    text = "\n".join(_page_lines(issued[("client", "en")]))
    assert COUNTY["en"] in text and register.units["MTP-PORVOO"].name_en in text
    for finnish_or_swedish in (COUNTY["fi"], COUNTY["sv"], TRICKY_UNIT_FI, TRICKY_UNIT_SV):
        assert finnish_or_swedish not in text


def test_without_english_names_the_english_questionnaire_gives_both_and_says_so(workspace, register):
    config = workspace.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8").replace(f'name_en = "{COUNTY["en"]}"', 'name_en = ""'),
                      encoding="utf-8")
    ws = Workspace.open(workspace.root)
    register.units["MTP-PORVOO"] = dataclasses.replace(register.units["MTP-PORVOO"], name_en="")
    outcome = issue_questionnaires(ws, register, unit_ids=["MTP-PORVOO", "VAMPA-SIPOO"], languages=["en"])
    assert [(p.code, p.field) for p in outcome.warnings] == [("setting-missing", "organisation.name_en"),
                                                             ("unit-name-en-missing", "name_en")]
    assert "MTP-PORVOO" in outcome.warnings[1].message
    pdf = ws.root / outcome.extra["questionnaires"][0]["path"]
    foot = " ".join(_page_lines(pdf, below=80))
    assert f"{TRICKY_UNIT_FI} / {TRICKY_UNIT_SV} · {COUNTY['fi']} / {COUNTY['sv']}" in foot
    # Finnish and Swedish questionnaires need no English name.
    assert not issue_questionnaires(ws, register, unit_ids=["MTP-PORVOO"], languages=["fi", "sv"]).warnings


def test_the_identity_travels_hidden_in_the_form(workspace, issued):
    pdf = issued[("client", "sv")]
    identity = identity_of("MTP-PORVOO", "client", "sv")
    fields = read_fields(pdf.read_bytes())
    assert {name: fields[name] for name in identity} == identity and fields["seal"]
    with pikepdf.open(pdf) as document:
        hidden = {str(f.T): f for f in document.Root.AcroForm.Fields if str(f.T) in (*identity, "seal")}
        assert sorted(hidden) == sorted((*identity, "seal"))
        for field in hidden.values():
            assert int(field.F) & 2 and int(field.Ff) & 1  # hidden, read-only
            assert "/AP" not in field and [float(v) for v in field.Rect] == [0, 0, 0, 0]


def _flatten(filled: Path, how: str, target: Path) -> Path:
    """A flattened copy, as "print to PDF" or a flattening tool makes it."""
    if how == "pdftk":
        subprocess.run(["pdftk", str(filled), "output", str(target), "flatten"], check=True)
    elif how == "pikepdf":
        with pikepdf.open(filled) as document:
            document.generate_appearance_streams()
            document.flatten_annotations("all")
            document.save(target)
    elif how == "pymupdf":
        import pymupdf

        document = pymupdf.open(filled)
        document.bake()
        document.save(target)
    elif how == "cairo-print":  # poppler and cairo, as a Linux viewer prints to a file
        require_tool("pdftocairo", "poppler-utils")
        subprocess.run(["pdftocairo", "-pdf", str(filled), str(target)], check=True, capture_output=True)
    else:  # "mupdf-print": MuPDF drawing the page to a new PDF
        require_tool("mutool", "mupdf-tools")
        subprocess.run(["mutool", "draw", "-q", "-F", "pdf", "-o", str(target), str(filled)], check=True,
                       capture_output=True)
    assert not read_fields(target.read_bytes())
    return target


def _fill(src: Path, filler: str, target: Path, values: dict[str, str]) -> Path:
    if filler == "pdftk":
        (target.parent / "answers.xfdf").write_bytes(_xfdf(values))
        subprocess.run(["pdftk", str(src), "fill_form", str(target.parent / "answers.xfdf"), "output", str(target)],
                       check=True)
        return target
    return _fill_with_mupdf(src, target, values)


@pytest.mark.pdftk
@pytest.mark.parametrize(("filler", "flatten"), [("pymupdf", "pdftk"), ("pymupdf", "pikepdf"),
                                                 ("pymupdf", "pymupdf"), ("pdftk", "pdftk"),
                                                 ("pdftk", "cairo-print"), ("pymupdf", "cairo-print"),
                                                 ("pdftk", "mupdf-print")])
def test_a_flattened_copy_is_known_by_its_printed_reference(workspace, register, issued, tmp_path, filler, flatten):
    # The comment field's appearance is set in Helvetica: pdftk draws only the letters its encoding has (ễ is
    # lost), and MuPDF's drawing to PDF keeps no letters beyond ASCII readable; both are the fillers' limits.
    comment = {"pymupdf": TRICKY_COMMENT, "pdftk": 'Łukasz & <Åsa> "kiitos" – åäö'}[filler]
    comment = comment if flatten != "mupdf-print" else 'Kiitos & <hei> "tack"'
    filled = _fill(issued[("client", "en")], filler, tmp_path / "filled.pdf",
                   {"recommend": "6", "s2": "2", "s5": "na", "date": "3.10.2026", "comment": comment})
    flat = _flatten(filled, flatten, tmp_path / "flat.pdf")
    printed = "\n".join(_page_lines(flat))
    assert "seal" not in printed and "MTP-PORVOO_client_en" not in printed  # hidden fields stay hidden
    outcome, responses = _ingest(workspace, register, flat)
    assert outcome.ok, outcome.errors
    assert (responses[0]["respondent"], responses[0]["unit_id"]) == ("client", "MTP-PORVOO")
    [answer] = _stored(workspace)
    assert (answer.recommend, answer.statements, answer.comment) == (6, (None, 2, None, None, None), comment)
    assert (answer.answered_on, answer.language, answer.form_id) == (date(2026, 10, 3), "en", "MTP-PORVOO_client_en")


def _with_reference(src: Path, target: Path, reference_line: str) -> Path:
    """`src` with its printed reference line replaced by `reference_line`, as an edited copy would have it."""
    import pymupdf

    document = pymupdf.open(src)
    page = document[0]
    [found] = page.search_for(reference_line.split(":")[0] + ":")
    line = pymupdf.Rect(found.x0, found.y0 - 1, page.rect.width - 40, found.y1 + 1)
    page.add_redact_annot(line)
    page.apply_redactions()
    page.insert_text((found.x0, found.y1 - 2), reference_line, fontsize=10)
    document.save(target)
    return target


@pytest.mark.pdftk
def test_a_changed_or_foreign_reference_is_refused(workspace, register, issued, tmp_path):
    filled = _fill_with_mupdf(issued[("client", "fi")], tmp_path / "filled.pdf", {"recommend": "9"})
    flat = _flatten(filled, "pdftk", tmp_path / "flat.pdf")
    code = phone_code(workspace.seal_key(), identity_of("MTP-PORVOO", "client", "fi"))
    changed_code = ("b" if code[0] != "b" else "c") + code[1:]
    changed = _with_reference(flat, tmp_path / "changed.pdf", f"Tunniste: {reference_of(changed_code)}")
    assert code_in_reference("\n".join(_page_lines(changed))) == changed_code
    # Another questionnaire's own reference typed over this one's is that questionnaire's answer, as on its
    # phone page; a reference this workspace never issued is refused.
    other, _ = init_workspace(tmp_path / "other")
    write_sample_register(other.register_path, register)
    [foreign] = issue_questionnaires(other, register, unit_ids=["MTP-PORVOO"], respondents=["client"],
                                     languages=["fi"]).extra["questionnaires"]
    foreign_flat = _flatten(_fill_with_mupdf(other.root / foreign["path"], tmp_path / "foreign.pdf",
                                             {"recommend": "9"}), "pdftk", tmp_path / "foreign-flat.pdf")
    outcome, responses = _ingest(workspace, register, changed, foreign_flat, flat)
    assert [r["status"] for r in responses] == ["rejected", "rejected", "accepted"]
    for response in responses[:2]:
        [error] = response["errors"]
        assert error["code"] == "reference-unknown" and error["field"] == "reference"
        assert "not one this workspace issued" in error["message"]
    assert reference_of(changed_code) in responses[0]["errors"][0]["message"]
    assert len(_stored(workspace)) == 1 and not outcome.ok


@pytest.mark.parametrize("copy", ["client_fi_filled.pdf", "client_fi_flattened.pdf"])
def test_questionnaires_issued_before_the_reference_are_still_read(workspace, register, copy):
    old = ISSUED_BEFORE / copy
    assert "Lomakkeen tunnistetiedot" in "\n".join(_page_lines(old))  # the old foot, identity boxes and seal
    _, responses = _ingest(workspace, register, old)  # this workspace did not issue it: its seal does not match
    assert (responses[0]["status"], responses[0]["errors"][0]["code"]) == ("rejected", "seal-mismatch")
    (workspace.state_dir / "seal.key").write_text(ISSUED_BEFORE_KEY + "\n", encoding="utf-8")
    ws = Workspace.open(workspace.root)
    outcome, responses = _ingest(ws, register, old)
    assert outcome.ok, outcome.errors
    assert (responses[0]["status"], responses[0]["respondent"], responses[0]["unit_id"]) == (
        "accepted", "client", "MTP-PORVOO")
    [answer] = _stored(ws)
    assert (answer.recommend, answer.statements) == (8, (5, None, None, None, None))
    assert (answer.answered_on, answer.comment) == (date(2026, 11, 2), "Vanha lomake & <kiitos> åäö")
