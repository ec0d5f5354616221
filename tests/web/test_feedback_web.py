"""The anonymous phone page /f/<code>: questions in the questionnaire's language, CSRF, validation, storage
through the same checks as PDF answers, nothing identifying stored, floods throttled."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

import pytest

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.feedback.ledger import answers_for_year
from kokemus_docs.feedback.questionnaire import issue_questionnaires
from kokemus_docs.web import create_app

COMMENT = 'Łukasz Nguyễn & <script>alert("x")</script> \'kiitos\' åäö'


@pytest.fixture
def site(workspace, register):
    outcome = issue_questionnaires(workspace, register, unit_ids=["MTP-PORVOO"], respondents=["client", "expert"])
    codes = {(q["respondent"], q["language"]): q["url"].rsplit("/", 1)[1] for q in outcome.extra["questionnaires"]}
    app = create_app(workspace.root)
    app.config["TESTING"] = True
    return app, codes, workspace


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _stored(ws):
    with Ledger(ws.ledger_path) as ledger:
        return answers_for_year(ledger, date.today().year)


def test_phone_page_in_the_questionnaires_language_without_login(site):
    app, codes, _ = site
    client = app.test_client()
    page = client.get(f"/f/{codes[('client', 'en')]}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and "I was listened to." in html
    assert 'name="viewport"' in html and 'type="radio" name="recommend" value="10"' in html
    sv = client.get(f"/f/{codes[('expert', 'sv')]}").get_data(as_text=True)
    assert "Jag blev väl introducerad i enheten." in sv
    # The same questionnaire in the unit's other languages is one tap away.
    assert f'href="/f/{codes[("client", "fi")]}" lang="fi">suomeksi' in html
    assert f'href="/f/{codes[("client", "sv")]}" lang="sv">på svenska' in html
    assert f'href="/f/{codes[("expert", "fi")]}" lang="fi">suomeksi' in sv and "in English" not in sv
    assert client.get("/f/nosuchcode").status_code == 404
    assert client.get("/f/static/feedback_phone.css").status_code == 200
    # The English page reads English from its top bar down, and names the county and unit in English; the
    # Finnish heading breaks only between the words of its compound, if at all.
    assert '<span class="brand">Experts by experience</span>' in html and "Kokemusasiantuntijat" not in html
    assert "Mental health and substance abuse services, Porvoo" in html
    assert "Eastern Uusimaa Wellbeing Services County" in html and "Itä-Uudenmaan" not in html
    assert "Psykisk hälsa" not in html and "Ankkuri" not in html
    fi = client.get(f"/f/{codes[('client', 'fi')]}").get_data(as_text=True)
    assert "Mieli &amp; päihde &lt;&#34;Ankkuri&#34;&gt; Porvoo" in fi  # the unit's name, escaped
    assert "<h1>Palautetta kokemusasiantuntija\u00adtoiminnasta</h1>" in fi
    assert "<title>Palautetta kokemusasiantuntijatoiminnasta</title>" in fi


def test_answer_is_stored_anonymously_through_the_same_checks(site):
    app, codes, ws = site
    client = app.test_client()
    url = f"/f/{codes[('client', 'fi')]}"
    token = _token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "recommend": "9", "s1": "5", "s2": "na", "s3": "4",
                                      "comment": COMMENT}, headers={"User-Agent": "Secret-Browser/1.0"},
                           environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kiitos palautteestasi!" in thanks
    [answer] = _stored(ws)
    assert (answer.respondent, answer.unit_id, answer.language, answer.channel) == ("client", "MTP-PORVOO", "fi", "web")
    assert (answer.recommend, answer.statements, answer.comment) == (9, (5, None, 4, None, None), COMMENT)
    assert answer.answered_on == date.today()
    with sqlite3.connect(ws.ledger_path) as db:
        dump = "\n".join(db.iterdump())
    assert "10.9.8.7" not in dump and "Secret-Browser" not in dump


@pytest.mark.parametrize("data,field", [
    pytest.param({"s1": "5"}, "recommend", id="recommend-missing"),
    pytest.param({"recommend": "11"}, "recommend", id="recommend-11"),
    pytest.param({"recommend": "5", "s2": "7"}, "s2", id="statement-7"),
    pytest.param({"recommend": "5", "comment": "x" * 2001}, "comment", id="comment-too-long"),
])
def test_bad_answer_is_shown_again_with_the_question_marked(site, data, field):
    app, codes, ws = site
    client = app.test_client()
    url = f"/f/{codes[('client', 'sv')]}"
    token = _token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Kontrollera svaret:" in html and "invalid" in html
    assert _stored(ws) == []


def test_post_without_csrf_token_is_refused(site):
    app, codes, ws = site
    response = app.test_client().post(f"/f/{codes[('client', 'fi')]}", data={"recommend": "9"})
    assert response.status_code in (400, 403)
    assert _stored(ws) == []


def test_floods_are_throttled(site):
    app, codes, ws = site
    client = app.test_client()
    url = f"/f/{codes[('expert', 'fi')]}"
    token = _token(client.get(url).get_data(as_text=True))
    statuses = [client.post(url, data={"csrf_token": token, "recommend": "8"}).status_code for _ in range(25)]
    assert statuses[:20] == [303] * 20
    assert 429 in statuses[20:]
    assert len(_stored(ws)) == 20


def test_busy_ledger_answers_try_again_and_stores_nothing(site, monkeypatch):
    import kokemus_docs.core.ledger

    app, codes, ws = site
    client = app.test_client()
    url = f"/f/{codes[('client', 'fi')]}"
    token = _token(client.get(url).get_data(as_text=True))
    monkeypatch.setattr(kokemus_docs.core.ledger, "BUSY_TIMEOUT", 0.2)
    other = sqlite3.connect(ws.ledger_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program writing the ledger
    try:
        response = client.post(url, data={"csrf_token": token, "recommend": "9", "comment": COMMENT})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Yritä hetken päästä uudelleen" in html
    assert "Łukasz Nguyễn &amp; &lt;script&gt;" in html  # the answer is kept on the page to send again
    assert _stored(ws) == []


@pytest.mark.parametrize("typed", ["{R}", "{r}", "{R_}", "{r_nodash}"])
def test_the_printed_reference_typed_by_hand_opens_the_page(site, typed):
    from kokemus_docs.feedback.questions import reference_of

    app, codes, _ = site
    code = codes[("client", "sv")]
    reference = reference_of(code)  # as printed at the foot of the paper questionnaire: 'ABCD-EFGH-IJKL'
    address = typed.format(R=reference, r=reference.lower(), R_=reference.replace("-", " "),
                           r_nodash=reference.replace("-", "").upper())
    client = app.test_client()
    answer = client.get(f"/f/{address}")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/f/{code}")
    assert client.get(answer.headers["Location"]).status_code == 200
    assert client.get("/f/ABCD-EFGH-IJK").status_code == 404
