"""A customer answers every question type over three pages with a plain HTTP client (no JavaScript)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Answer, Response, Survey, TrendDirty
from tests.respond.helpers import Respondent, page_number


def _answers(session: Session, survey: Survey) -> tuple[Response, dict[str, Answer]]:
    resp = session.scalars(select(Response).where(Response.survey_id == survey.id)).one()
    by_id = {q.id: q.key for q in survey.questions}
    return resp, {by_id[a.question_id]: a for a in resp.answers}


def test_all_question_types_over_three_pages(respondent: Respondent, customer_survey: Survey,
                                             db_session: Session) -> None:
    r = respondent
    assert r.open(f"/s/{customer_survey.slug}").status_code == 200
    assert page_number(r.html) == (1, 3)
    assert "How likely are you to recommend us?" in r.html

    r.submit({"nps": "3", "csat": "4", "ces": "6", "stars": "5", "agree": "4"})
    assert page_number(r.html) == (2, 3), r.html
    # The follow-up on the same page is rendered with a plain-words condition for no-JS browsers.
    assert "Answer this only if your answer to" in r.html

    r.submit({"q-grid-speed": "5", "q-grid-price": "2", "channel": "phone", "q-heard": ["friend", "other"],
              "q-heard-other": "A podcast", "contacted": "no", "contact_how": "ignored because hidden"})
    assert page_number(r.html) == (3, 3), r.html
    assert "What should we fix first?" in r.html  # nps 3 → detractor follow-up is shown

    resp = r.submit({"why": "Slow delivery", "detractor": "Ship faster", "consent": "yes"}, nav="submit")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith(f"/s/{customer_survey.slug}/thanks")
    thanks = r.client.get(resp.headers["Location"])
    assert "Thanks a lot!" in thanks.get_data(as_text=True)

    row, answers = _answers(db_session, customer_survey)
    assert row.submitted_at is not None and row.contact_consent is True and row.receipt_code is None
    assert answers["nps"].number == 3 and answers["csat"].number == 4 and answers["ces"].number == 6
    assert answers["stars"].number == 5 and answers["agree"].number == 4
    assert answers["grid"].grid == {"speed": 5, "price": 2}
    assert answers["channel"].choices == ["phone"]
    assert answers["heard"].choices == ["friend", "other"] and answers["heard"].text == "A podcast"
    assert answers["contacted"].choices == ["no"] and answers["contacted"].number == 0
    assert "contact_how" not in answers  # hidden by its condition: not stored
    assert answers["why"].text == "Slow delivery" and answers["why"].text_state == "pending"
    assert answers["detractor"].text_state == "pending"
    assert answers["nps"].text_state == "none" and answers["heard"].text_state == "none"
    dirty = db_session.scalars(select(TrendDirty).where(TrendDirty.survey_id == customer_survey.id)).all()
    assert [d.day for d in dirty] == [row.submitted_on]


def test_back_keeps_answers_and_hidden_follow_up_is_not_required(respondent: Respondent,
                                                                 customer_survey: Survey) -> None:
    r = respondent
    r.open(f"/s/{customer_survey.slug}")
    r.submit({"nps": "9", "csat": "5"})
    r.submit({"channel": "web", "contacted": "yes", "contact_how": "By email"})
    assert page_number(r.html) == (3, 3)
    assert "What should we fix first?" not in r.html  # nps 9: detractor question hidden
    r.submit({"why": "Typed on page three"}, nav="back")
    assert page_number(r.html) == (2, 3)
    assert 'value="By email"' in r.html and 'value="web" checked' in r.html
    r.submit(nav="back")
    assert page_number(r.html) == (1, 3)
    assert 'value="9" checked' in r.html
    r.submit()
    r.submit()
    assert "Typed on page three" in r.html
    assert r.submit(nav="submit").status_code == 302


def test_same_page_condition_met_makes_follow_up_required(respondent: Respondent,
                                                          customer_survey: Survey) -> None:
    r = respondent
    r.open(f"/s/{customer_survey.slug}")
    r.submit({"nps": "9"})
    resp = r.submit({"channel": "web", "contacted": "yes", "contact_how": ""})
    assert resp.status_code == 400
    assert page_number(r.html) == (2, 3)
    assert 'href="#q-contact_how"' in r.html and "Please write an answer." in r.html


def test_language_from_query_and_accept_language(respondent: Respondent, customer_survey: Survey) -> None:
    r = respondent
    r.open(f"/s/{customer_survey.slug}?lang=de")
    assert '<html lang="de">' in r.html and "Wie wahrscheinlich empfehlen Sie uns?" in r.html
    assert "Weiter" in r.html  # UI string from the German catalog
    assert "Rate our delivery" in r.html  # no German text: falls back to the default language
    r.open(f"/s/{customer_survey.slug}", headers={"Accept-Language": "pl, de;q=0.8"})
    assert '<html lang="de">' in r.html
    r.open(f"/s/{customer_survey.slug}", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in r.html
    assert f'href="/s/{customer_survey.slug}?lang=de"' in r.html  # the switcher


def test_switching_language_mid_survey_keeps_answers(respondent: Respondent, customer_survey: Survey) -> None:
    r = respondent
    r.open(f"/s/{customer_survey.slug}")
    r.submit({"nps": "8"})
    r.submit({"channel": "store"}, switch_lang="de")
    assert '<html lang="de">' in r.html and 'value="store" checked' in r.html
    assert page_number(r.html) is None and "Seite 2 von 3" in r.html
