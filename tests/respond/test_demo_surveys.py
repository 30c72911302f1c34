"""Both demo surveys, as `heedful demo seed` creates them, answered end to end with no JavaScript."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Response, Site, Survey
from survey_app.demo.seed import seed_demo
from tests.respond.helpers import Respondent, page_number


def test_demo_customer_survey_end_to_end(respondent: Respondent, db_session: Session) -> None:
    seed_demo(db_session, responses=0, seed=1)
    db_session.commit()
    r = respondent
    assert r.open("/s/demo-customer").status_code == 200
    assert page_number(r.html) == (1, 3)
    r.submit({"nps": "4", "reason": "Parcel came a week late and nobody answered the phone.", "csat": "2"})
    assert page_number(r.html) == (2, 3)
    assert "What is the one thing we should do better?" in r.html  # shown because NPS ≤ 6
    r.submit({"improve": "Answer the phone", "order_channel": "web"})
    assert page_number(r.html) == (3, 3)
    resp = r.submit({"contact": "yes", "again": "no"}, nav="submit")
    assert resp.status_code == 302  # Post/Redirect/Get to the thank-you page
    assert r.open(resp.headers["Location"]).status_code == 200 and "Thank you" in r.html
    survey = db_session.scalar(select(Survey).where(Survey.slug == "demo-customer"))
    assert survey is not None
    row = db_session.scalars(select(Response).where(Response.survey_id == survey.id)).one()
    by_key = {a.question.key: a for a in row.answers}
    assert by_key["nps"].number == 4 and by_key["improve"].text == "Answer the phone"
    assert by_key["reason"].text_state == "pending"
    assert row.submitted_at is not None and row.contact_consent is True


def test_demo_safety_survey_by_qr_end_to_end(respondent: Respondent, db_session: Session) -> None:
    seed_demo(db_session, responses=0, seed=1)
    db_session.commit()
    leeds = db_session.scalar(select(Site).where(Site.code == "leeds"))
    assert leeds is not None
    r = respondent
    assert r.open("/q/leeds-demo").status_code == 200
    assert f'value="{leeds.id}" selected' in r.html
    r.submit({"kind": "near_miss", "describe": "Forklift reversed without a beeper in aisle 6", "hurt": "no"})
    resp = r.submit({}, nav="submit")
    assert resp.status_code == 302
    r.follow()
    survey = db_session.scalar(select(Survey).where(Survey.slug == "demo-safety"))
    assert survey is not None
    row = db_session.scalars(select(Response).where(Response.survey_id == survey.id)).one()
    assert row.site_id == leeds.id and row.submitted_at is None and row.receipt_code
    assert row.receipt_code in r.html
