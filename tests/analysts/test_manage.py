"""Objectives, complaint cases and the monthly management review report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Complaint, CorrectiveAction, Invitation, Objective, Survey
from tests.analysts.factories import make_comment

OBJ = {"name": "NPS 30", "metric": "nps", "comparator": ">=", "target": "30", "period_type": "month",
       "segment_type": "*", "segment_value": "*", "due_date": ""}


def test_create_and_edit_objective(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                   customer_survey: Survey) -> None:
    client = login_as("analyst")
    url = f"/dashboard/surveys/{customer_survey.id}/objectives"
    assert client.post(url, data=OBJ).status_code == 302
    obj = db_session.scalar(select(Objective))
    assert obj is not None and obj.target == 30.0
    page = client.get(url).get_data(as_text=True)
    assert "on track" in page and "35.0" in page  # latest NPS 35 ≥ 30
    assert client.post(f"{url}/{obj.id}", data={**OBJ, "target": "50"}).status_code == 302
    db_session.refresh(obj)
    assert obj.target == 50.0 and "off track" in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={**OBJ, "target": "lots", "segment_type": "site"})
    assert bad.status_code == 400 and "Not a valid float value" in bad.get_data(as_text=True)
    assert len(db_session.scalars(select(Objective)).all()) == 1


def test_complaint_case_from_consenting_negative_answer(login_as: Callable[[str | None], FlaskClient],
                                                        db_session: Session, customer_survey: Survey) -> None:
    inv = Invitation(survey_id=customer_survey.id, token_hash="x" * 64, email="cust@example.org")
    db_session.add(inv)
    db_session.flush()
    a = make_comment(db_session, customer_survey, "Parcel arrived broken", contact_consent=True,
                     invitation_id=inv.id)
    no_consent = make_comment(db_session, customer_survey, "Also bad")
    client = login_as("analyst")
    rid = a.answer.response_id
    assert "Parcel arrived broken" in client.get(f"/dashboard/complaints/new/{rid}").get_data(as_text=True)
    due = (date.today() - timedelta(days=1)).isoformat()
    assert client.post(f"/dashboard/complaints/new/{rid}", data={"response_due": due}).status_code == 302
    case = db_session.scalar(select(Complaint))
    assert case is not None and case.status == "open"
    listing = client.get("/dashboard/complaints").get_data(as_text=True)
    assert "overdue" in listing
    edit = client.get(f"/dashboard/complaints/{case.id}").get_data(as_text=True)
    assert "cust@example.org" in edit
    refused = client.post(f"/dashboard/complaints/new/{no_consent.answer.response_id}", data={"response_due": due})
    assert refused.status_code == 404 and "agreed to be contacted" in refused.get_data(as_text=True)
    client.post(f"/dashboard/complaints/{case.id}", data={
        "status": "resolved", "owner_id": case.owner_id, "response_due": due, "customer_contacted": "y",
        "resolution": "Replacement sent"})
    db_session.refresh(case)
    assert case.status == "resolved" and case.customer_contacted and case.closed_at is not None
    assert "overdue" not in client.get("/dashboard/complaints").get_data(as_text=True)


def test_monthly_report_html_and_pdf(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                     customer_survey: Survey) -> None:
    june = datetime(2025, 6, 10, tzinfo=UTC)
    db_session.add_all([
        Objective(survey_id=customer_survey.id, name="NPS 30", metric="nps", target=30.0),
        CorrectiveAction(title="Faster delivery", source_type="topic", survey_id=customer_survey.id,
                         status="open", created_at=june),
        CorrectiveAction(title="Courier switched", source_type="topic", survey_id=customer_survey.id,
                         status="done", created_at=june, closed_at=june + timedelta(days=5)),
    ])
    db_session.flush()
    client = login_as("analyst")
    html = client.get(f"/dashboard/surveys/{customer_survey.id}/report/2025-06").get_data(as_text=True)
    assert "Management review" in html and "June 2025" in html
    assert "<svg" in html and "delivery" in html and "NPS 30" in html and "on track" in html
    open_part, closed_part = html.split("<h2>Actions closed this month</h2>")
    assert "Faster delivery" in open_part and "Courier switched" in closed_part
    pdf = client.get(f"/dashboard/surveys/{customer_survey.id}/report/2025-06.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and len(pdf.data) > 3000
    assert client.get(f"/dashboard/surveys/{customer_survey.id}/report/2025-13").status_code == 400
    # The first month of the calendar has no month before it to link to: a clear 400, not a 500.
    assert client.get(f"/dashboard/surveys/{customer_survey.id}/report/0001-01").status_code == 400
    assert client.get(f"/dashboard/surveys/{customer_survey.id}/report").status_code == 302


def test_complaint_page_cannot_be_walked_to_read_comments(login_as: Callable[[str | None], FlaskClient],
                                                          db_session: Session, customer_survey: Survey,
                                                          worker_survey: Survey) -> None:
    """Stepping through /dashboard/complaints/new/<id> shows only consenting customers' comments: any
    other id (no consent, a worker report, nothing) gets the same 404, with no comment and no hint."""
    consented = make_comment(db_session, customer_survey, "Call me about the refund", contact_consent=True)
    silent = make_comment(db_session, customer_survey, "Private grumble about my neighbour")
    worker = make_comment(db_session, worker_survey, "Forklift near miss by the dock")
    client = login_as("admin")
    assert "Call me about the refund" in client.get(
        f"/dashboard/complaints/new/{consented.answer.response_id}").get_data(as_text=True)
    pages = [client.get(f"/dashboard/complaints/new/{rid}")
             for rid in (silent.answer.response_id, worker.answer.response_id, 2**31 - 1)]
    assert {p.status_code for p in pages} == {404}
    bodies = [p.get_data(as_text=True) for p in pages]
    assert "Private grumble" not in bodies[0] and "Forklift" not in bodies[1]
    assert len({b for b in bodies}) == 1  # the same answer whatever the id
    assert db_session.scalar(select(Complaint)) is None
