"""Closing the loop: actions from topics, alerts and comments; receipt codes; "you said, we did"."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Alert, CorrectiveAction, Site, Survey, action_reports
from tests.analysts.factories import make_comment
from tests.factories import make_survey


def _action_data(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {"title": "Fix the loading bay lights", "description": "internal detail",
                               "topic": "lighting", "site_id": 0, "owner_id": 0, "due_date": "2025-07-01",
                               "status": "open", "effectiveness_check": "", "effective": "", "evidence_url": "",
                               "public_note": "", "source_type": "comment", "source_ref": "", "survey_id": "",
                               "response_id": ""}
    data.update(kw)
    return data


def _report(db_session: Session, site: Site, code: str = "HF-7Q2K-9XPA") -> tuple[Survey, int]:
    survey = make_survey(db_session, audience="worker", title="Hazards")
    analysis = make_comment(db_session, survey, "Loading bay lights broken, I nearly fell", urgent=True,
                            reason="fall hazard", site_id=site.id, receipt_code=code)
    return survey, analysis.id


def test_action_from_comment_links_report_and_receipt_shows_status(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, sites: list[Site]) -> None:
    survey, analysis_id = _report(db_session, sites[0])
    client = login_as("safety_officer")
    form = client.get(f"/actions/new?survey_id={survey.id}&source_type=comment&source_ref=analysis:{analysis_id}")
    assert form.status_code == 200 and f'value="analysis:{analysis_id}"' in form.get_data(as_text=True)
    resp = client.post("/actions/new", data=_action_data(survey_id=survey.id, source_ref=f"analysis:{analysis_id}"))
    assert resp.status_code == 302
    action = db_session.scalar(select(CorrectiveAction).where(CorrectiveAction.title == "Fix the loading bay lights"))
    assert action is not None and action.site_id == sites[0].id
    assert db_session.execute(select(action_reports.c.response_id).where(
        action_reports.c.action_id == action.id)).scalar_one()

    public = login_as(None)
    page = public.post("/receipt", data={"code": "HF-7Q2K-9XPA"}).get_data(as_text=True)
    assert "Fix the loading bay lights" in page and "open" in page
    assert "internal detail" not in page  # the description is internal

    login_as("safety_officer").post(f"/actions/{action.id}", data=_action_data(
        status="done", public_note="New LED lights fitted <b>today</b>", effective="yes",
        effectiveness_check="Night walk-round in two weeks", evidence_url="https://intranet.example/photo/1"))
    db_session.refresh(action)
    assert action.closed_at is not None and action.effective is True
    page = login_as(None).post("/receipt", data={"code": " HF-7Q2K-9XPA "}).get_data(as_text=True)
    assert "done" in page and "New LED lights fitted &lt;b&gt;today&lt;/b&gt;" in page


def test_unknown_receipt_code_reveals_nothing(client: FlaskClient, db_session: Session, sites: list[Site]) -> None:
    _report(db_session, sites[0])
    resp = client.post("/receipt", data={"code": "HF-XXXX-XXXX"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Not found" in html and "Hazards" not in html
    assert "HF-XXXX-XXXX" not in html  # the code is not echoed back
    assert "Set-Cookie" not in resp.headers  # no cookies (CSRF is off in tests; on, only its session cookie)
    assert resp.headers["Cache-Control"] == "no-store"
    assert client.post("/receipt", data={"code": ""}).status_code == 400


def test_receipt_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    codes = [client.post("/receipt", data={"code": f"HF-{i:04d}"}).status_code for i in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.post("/receipt", data={"code": "HF-0000"}).status_code == 200


def test_you_said_we_did_lists_closed_actions_with_notes(client: FlaskClient, db_session: Session,
                                                         sites: list[Site]) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    db_session.add_all([
        CorrectiveAction(title="Railings fixed", source_type="report", site_id=sites[0].id, status="done",
                         public_note="Railings on stair B replaced.", closed_at=now),
        CorrectiveAction(title="Secret internal", source_type="report", site_id=sites[0].id, status="done",
                         closed_at=now),
        CorrectiveAction(title="Still open", source_type="report", site_id=sites[0].id, status="open",
                         public_note="soon"),
        CorrectiveAction(title="Other site", source_type="report", site_id=sites[1].id, status="verified",
                         public_note="elsewhere", closed_at=now),
    ])
    db_session.flush()
    html = client.get(f"/sites/{sites[0].code}/you-said-we-did").get_data(as_text=True)
    assert "Railings on stair B replaced." in html
    assert "Secret internal" not in html and "Still open" not in html and "elsewhere" not in html
    assert client.get("/sites/nope/you-said-we-did").status_code == 404


def test_bad_action_input_is_refused_and_nothing_stored(login_as: Callable[[str | None], FlaskClient],
                                                        db_session: Session, customer_survey: Survey) -> None:
    client = login_as("analyst")
    resp = client.post("/actions/new", data=_action_data(survey_id=customer_survey.id, title="",
                                                         evidence_url="javascript:alert(1)"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "This field is required" in html
    assert db_session.scalar(select(CorrectiveAction)) is None
    # A safety officer may not attach actions to a customer survey.
    assert login_as("safety_officer").post("/actions/new", data=_action_data(
        survey_id=customer_survey.id)).status_code == 403


def test_action_from_topic_and_listing(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                       customer_survey: Survey, worker_survey: Survey) -> None:
    client = login_as("analyst")
    form = client.get(f"/actions/new?survey_id={customer_survey.id}&source_type=topic&topic=delivery")
    assert 'value="Improve: delivery"' in form.get_data(as_text=True)
    client.post("/actions/new", data=_action_data(survey_id=customer_survey.id, source_type="topic",
                                                  title="Improve: delivery", topic="delivery",
                                                  due_date="2025-08-01"))
    db_session.add(CorrectiveAction(title="Worker-only", source_type="alert", survey_id=worker_survey.id))
    db_session.flush()
    listing = client.get("/actions").get_data(as_text=True)
    assert "Improve: delivery" in listing and "Worker-only" not in listing


def test_safety_officer_acknowledges_urgent_report(login_as: Callable[[str | None], FlaskClient],
                                                   db_session: Session, sites: list[Site]) -> None:
    _survey, analysis_id = _report(db_session, sites[0])
    client = login_as("safety_officer")
    queue = client.get("/dashboard/urgent").get_data(as_text=True)
    assert "Loading bay lights broken" in queue and "fall hazard" in queue and "Site 1" in queue
    assert client.post(f"/dashboard/urgent/{analysis_id}/acknowledge").status_code == 302
    assert "Loading bay lights broken" not in client.get("/dashboard/urgent").get_data(as_text=True)
    alert = db_session.scalar(select(Alert).where(Alert.kind == "urgent_report"))
    assert alert is not None and alert.acknowledged_at is not None
    assert "Loading bay lights broken" in client.get("/dashboard/urgent?all=1").get_data(as_text=True)


def test_an_actions_audience_comes_from_the_report_it_links(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, sites: list[Site],
        users: dict[str, object]) -> None:
    """The review's probe: a safety officer's hand-built POST with an empty survey_id, linked to a worker
    report. The action belongs to the worker survey, so analysts can read it nowhere."""
    from models import TextAnalysis
    from survey_app.api.tokens import create_token

    survey, analysis_id = _report(db_session, sites[0])
    analysis = db_session.get(TextAnalysis, analysis_id)
    assert analysis is not None
    rid = analysis.answer.response_id
    resp = login_as("safety_officer").post("/actions/new", data=_action_data(
        title="Hand built", survey_id="", response_id=str(rid), source_type="alert"))
    assert resp.status_code == 302
    action = db_session.scalar(select(CorrectiveAction).where(CorrectiveAction.title == "Hand built"))
    assert action is not None and action.survey_id == survey.id
    # An older row written before this rule (no survey, only the link) is just as closed to analysts.
    legacy = CorrectiveAction(title="Legacy link", source_type="alert", survey_id=None)
    db_session.add(legacy)
    db_session.flush()
    db_session.execute(action_reports.insert().values(action_id=legacy.id, response_id=rid))
    analyst = login_as("analyst")
    for a in (action, legacy):
        assert analyst.get(f"/actions/{a.id}").status_code == 403
    listing = analyst.get("/actions?status=all").get_data(as_text=True)
    assert "Hand built" not in listing and "Legacy link" not in listing
    token = create_token(db_session, users["analyst"], "t")[1]  # type: ignore[arg-type]
    api = analyst.get("/api/v1/actions", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {i["title"] for i in api["items"]}.isdisjoint({"Hand built", "Legacy link"})
    officer = login_as("safety_officer").get("/actions?status=all").get_data(as_text=True)
    assert "Hand built" in officer and "Legacy link" in officer
